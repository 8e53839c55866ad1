"""Control-flow ops: no_op, group, tuple (cond and while_loop come later)."""

from __future__ import annotations

from typing import Any

from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.ops import shape_fns

__all__ = ["no_op", "group", "tuple_"]

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


def tuple_(tensors: Any, name: str | None = None, control_inputs: Any = None) -> list[Any]:
    """Returns ``tensors`` gated so that each is available only after all are computed."""
    from minitf.ops.array_ops import identity

    with name_scope(name, "tuple", tensors) as scope:
        gating = [t.op if isinstance(t, Tensor) else t for t in tensors if t is not None]
        if control_inputs:
            gating.extend(_as_op(c) for c in control_inputs)
        gate = group(*gating)
        from minitf.framework.graph import get_default_graph

        out = []
        with get_default_graph().control_dependencies([gate]):
            for t in tensors:
                out.append(identity(t) if isinstance(t, Tensor) else (
                    None if t is None else gate))
        del scope
        return out
