"""Control flow: no_op, group, tuple, with_dependencies, identity_n, and (from their own modules)
cond/case (:mod:`control_flow_cond`), while_loop (:mod:`control_flow_while`), Assert/Print
(:mod:`logging_ops`) and py_func (:mod:`script_ops`)."""

from __future__ import annotations

from typing import Any

from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.ops import shape_fns

__all__ = ["no_op", "group", "tuple_", "with_dependencies", "identity_n", "cond", "case",
           "while_loop", "Assert", "Print", "py_func"]

register_op("NoOp", shape=shape_fns.no_outputs, reference=lambda: None,
            doc="Does nothing; useful as a control-dependency anchor.")
NotDifferentiable("NoOp")


def no_op(name: str | None = None) -> Operation:
    return apply_op("NoOp", name=name)


def _as_op(x: Any) -> Operation:
    if isinstance(x, Operation):
        return x
    if isinstance(x, Tensor):
        return x.op
    if hasattr(x, "op") and isinstance(x.op, Operation):
        return x.op
    raise TypeError(f"'{x}' is not a Tensor or Operation")


def group(*inputs: Any, name: str | None = None) -> Operation:
    """An op that runs after all ``inputs`` (``tf.group``)."""
    flat: list[Any] = []
    for x in inputs:
        if isinstance(x, (list, tuple)):
            flat.extend(x)
        elif isinstance(x, dict):
            flat.extend(x.values())
        elif x is not None:
            flat.append(x)
    ops = [_as_op(x) for x in flat]
    with name_scope(name, "group_deps", ops) as scope:
        if not ops:
            return no_op(name=scope)
        by_device: dict[str, list[Operation]] = {}
        for op in ops:
            by_device.setdefault(op.device, []).append(op)
        if len(by_device) == 1:
            from minitf.framework.graph import get_default_graph

            with get_default_graph().control_dependencies(ops):
                return no_op(name=scope)
        deps = []
        for dev in sorted(by_device):
            from minitf.framework.graph import get_default_graph

            g = get_default_graph()
            with g.device(dev or None), g.control_dependencies(by_device[dev]):
                deps.append(no_op())
        with get_default_graph().control_dependencies(deps):
            return no_op(name=scope)


def with_dependencies(dependencies: Any, output_tensor: Any, name: str | None = None) -> Any:
    """``output_tensor``, available only after ``dependencies`` ran (an Identity with control
    inputs, colocated with the tensor)."""
    from minitf.framework.graph import get_default_graph
    from minitf.framework.indexed_slices import IndexedSlices
    from minitf.ops.array_ops import identity

    g = get_default_graph()
    with name_scope(name, "control_dependency", list(dependencies) + [output_tensor]) as scope:
        target = output_tensor.values if isinstance(output_tensor, IndexedSlices) \
            else output_tensor
        with g.colocate_with(target), g.control_dependencies(dependencies):
            if isinstance(output_tensor, IndexedSlices):
                return IndexedSlices(identity(output_tensor.values, name=scope),
                                     output_tensor.indices, output_tensor.dense_shape)
            return identity(output_tensor, name=scope)


def tuple_(tensors: Any, name: str | None = None, control_inputs: Any = None) -> list[Any]:
    """``tf.tuple``: each tensor gated so that it is available only after all are computed."""
    from minitf.framework.graph import get_default_graph
    from minitf.framework.indexed_slices import IndexedSlices

    with name_scope(name, "tuple", [t for t in tensors if t is not None]):
        gating = [t if isinstance(t, Operation) else t.op for t in tensors if t is not None]
        if control_inputs:
            gating.extend(_as_op(c) for c in control_inputs)
        gating = sorted({id(o): o for o in gating}.values(), key=lambda o: o._id)
        if not gating:
            raise ValueError(f"Must have at least one Tensor: {tensors}")
        gate = group(*gating)
        out: list[Any] = []
        for t in tensors:
            if isinstance(t, (Tensor, IndexedSlices)):
                out.append(with_dependencies([gate], t))
            elif isinstance(t, Operation):
                with get_default_graph().control_dependencies([gate]):
                    out.append(group(t))
            else:
                out.append(None)
        return out


# --- identity_n -----------------------------------------------------------------------------------

register_op("IdentityN", inputs=["input: T"], outputs=["output: T"], attrs=["T: list(type)"],
            shape=lambda op: [t.get_shape() for t in op.inputs],
            reference=lambda *xs: xs, aliases_input=True,
            doc="Returns its inputs (a list of tensors of any types).")


@RegisterGradient("IdentityN")
def _identity_n_grad(op: Operation, *grads: Any) -> list[Any]:
    return list(grads)


def identity_n(input: Any, name: str | None = None) -> list[Tensor]:  # noqa: A002 - TF's name
    """Each tensor of ``input`` unchanged, through one op (``tf.identity_n``)."""
    from minitf.framework.graph import get_default_graph
    from minitf.framework.tensor_conversion import convert_to_tensor

    g = get_default_graph()
    with g.name_scope(name or "IdentityN") as scope:
        xs = [convert_to_tensor(x, name=f"input_{i}") for i, x in enumerate(input)]
        op = g._create_op_internal("IdentityN", xs, {"T": [x.dtype.base_dtype for x in xs]},
                                   scope[:-1])
    return list(op._outputs)


from minitf.ops.control_flow_cond import case, cond  # noqa: E402 - they use the helpers above
from minitf.ops.control_flow_while import while_loop  # noqa: E402
from minitf.ops.logging_ops import Assert, Print  # noqa: E402
from minitf.ops.script_ops import py_func  # noqa: E402
