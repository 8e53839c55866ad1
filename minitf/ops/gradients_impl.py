"""``tf.gradients``: reverse-mode differentiation that adds gradient ops to the graph.

One pending-count walk (as in TF): an op's gradient function runs once every consumer between
``xs`` and ``ys`` has delivered its gradient; several gradients of one tensor are summed with
AddN. Gradient ops are created under ``<name>/<op>_grad`` scopes, so they are pruned, planned
and drawn like any other op.
"""

from __future__ import annotations

import collections
from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import Graph, name_scope
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.op_registry import get_gradient_function
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor

__all__ = ["gradients", "hessians", "stop_gradient"]


def _is_differentiable(t: Tensor) -> bool:
    base = t.dtype.base_dtype
    return base.is_floating or base.is_complex or base in (dtypes.resource, dtypes.variant)


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _as_tensor(x: Any, name: str) -> Tensor:
    if isinstance(x, (Tensor, IndexedSlices)):
        return x  # type: ignore[return-value]
    if hasattr(x, "_as_graph_element") and not isinstance(x, Operation):
        el = x._as_graph_element()
        if isinstance(el, Tensor):
            return el
    return convert_to_tensor(x, name=name)


def _reachable_forward(from_ops: list[Operation]) -> set[int]:
    seen: set[int] = set()
    stack = list(from_ops)
    while stack:
        op = stack.pop()
        if id(op) in seen:
            continue
        seen.add(id(op))
        for t in op._outputs:
            stack.extend(t._consumers)
    return seen


def _between_ops(to_ops: list[Operation], reached: set[int]) -> dict[int, Operation]:
    """Ops on a path from xs to ys (walking back from ys through data inputs)."""
    between: dict[int, Operation] = {}
    stack = [op for op in to_ops if id(op) in reached]
    while stack:
        op = stack.pop()
        if id(op) in between:
            continue
        between[id(op)] = op
        for t in op._inputs:
            if id(t._op) in reached and id(t._op) not in between:
                stack.append(t._op)
    return between


def _aggregate(grads: list[Any]) -> Any:
    grads = [g for g in grads if g is not None]
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    from minitf.ops import array_ops, math_ops

    if all(isinstance(g, IndexedSlices) for g in grads):
        values = array_ops.concat([g.values for g in grads], 0)
        indices = array_ops.concat([g.indices for g in grads], 0)
        return IndexedSlices(values, indices, grads[0].dense_shape)
    dense = [convert_to_tensor(g) if isinstance(g, IndexedSlices) else g for g in grads]
    return math_ops.add_n(dense)


def _check_graph(values: list[Any]) -> Graph:
    g = None
    for v in values:
        vg = v.graph
        if g is None:
            g = vg
        elif vg is not g:
            raise ValueError(f"{v} must be from the same graph as {values[0]}.")
    assert g is not None
    return g


def gradients(ys: Any, xs: Any, grad_ys: Any = None, name: str = "gradients",
              colocate_gradients_with_ops: bool = False, gate_gradients: bool = False,
              aggregation_method: Any = None, stop_gradients: Any = None) -> list[Any]:
    """Symbolic partial derivatives of sum(ys) with respect to each of ``xs``.

    Returns one entry per x: a Tensor, an IndexedSlices (for gather-like ops), or None when
    x does not affect ys (or only through integer tensors).
    """
    ys_l = [_as_tensor(y, "y") for y in _as_list(ys)]
    xs_l = [_as_tensor(x, "x") for x in _as_list(xs)]
    grad_ys_l = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys_l)
    if len(grad_ys_l) != len(ys_l):
        raise ValueError(f"Passed {len(grad_ys_l)} grad_ys for {len(ys_l)} ys")
    stop_l = [_as_tensor(s, "stop") for s in _as_list(stop_gradients)]
    g = _check_graph(ys_l + xs_l + stop_l)
    with g.as_default(), name_scope(name, "gradients", ys_l + xs_l) as grad_scope:
        grad_ys_l = _default_grad_ys(ys_l, grad_ys_l)
        to_ops = [y.op for y in ys_l]
        from_ops = [x.op for x in xs_l]
        stop_ops = {id(s.op) for s in stop_l}
        reached = _reachable_forward(from_ops)
        between = _between_ops(to_ops, reached)
        pending: dict[int, int] = collections.defaultdict(int)
        for op in between.values():
            for t in op._inputs:
                if id(t._op) in between:
                    pending[id(t._op)] += 1
        # grads[op id][output index] -> list of gradient contributions
        grads: dict[int, list[list[Any]]] = {}

        def add_grad(t: Tensor, grad: Any) -> None:
            slots = grads.setdefault(id(t._op), [[] for _ in t._op._outputs])
            slots[t._value_index].append(grad)

        for y, gy in zip(ys_l, grad_ys_l):
            add_grad(y, gy)
        queue: collections.deque[Operation] = collections.deque()
        queued: set[int] = set()
        for op in to_ops:
            if id(op) in between and pending[id(op)] == 0 and id(op) not in queued:
                queue.append(op)
                queued.add(id(op))
        # An x whose own inputs are not between xs and ys is a leaf: its gradient function
        # is not called (TF's _StopOps).
        for op in from_ops:
            if not any(id(t._op) in between for t in op._inputs):
                stop_ops.add(id(op))
        while queue:
            op = queue.popleft()
            out_grads = [_aggregate(lst) for lst in grads.get(id(op), [[] for _ in op._outputs])]
            in_grads: list[Any] = [None] * len(op._inputs)
            if any(og is not None for og in out_grads) and id(op) not in stop_ops:
                fn = get_gradient_function(op)
                if fn is not None:
                    for i, t in enumerate(op._outputs):
                        if out_grads[i] is None and _is_differentiable(t) and \
                                t.dtype.base_dtype != dtypes.variant:  # (cond/while env)
                            from minitf.ops.array_ops import zeros_like

                            out_grads[i] = zeros_like(t)
                    with name_scope(op.name + "_grad"):
                        result = fn(op, *out_grads)
                        in_grads = _as_list(result) if isinstance(result, (list, tuple)) \
                            else [result]
                        if len(in_grads) != len(op._inputs):
                            raise ValueError(
                                f"Num gradients {len(in_grads)} generated for op "
                                f"{op.node_def} do not match num inputs {len(op._inputs)}")
                        if gate_gradients and sum(g is not None for g in in_grads) > 1:
                            # TF's GATE_OP: all input gradients of an op become available
                            # together, so no consumer (an in-place variable update) runs
                            # before every gradient reading the op's inputs is computed.
                            from minitf.ops.control_flow_ops import tuple_

                            with g.device(None), g.colocate_with(None):
                                in_grads = tuple_(in_grads)
            for t, gin in zip(op._inputs, in_grads):
                if gin is not None and _is_differentiable(t):
                    if isinstance(gin, Tensor) and t.get_shape().is_fully_defined():
                        try:
                            gin.set_shape(t.get_shape())
                        except ValueError as e:
                            raise ValueError(
                                f"Incompatible shapes between op input and calculated input "
                                f"gradient for op {op.name}: {e}") from None
                    add_grad(t, gin)
                src = t._op
                if id(src) in between:
                    pending[id(src)] -= 1
                    if pending[id(src)] == 0 and id(src) not in queued:
                        queue.append(src)
                        queued.add(id(src))
        del grad_scope
        result_grads = []
        for x in xs_l:
            lst = grads.get(id(x.op))
            result_grads.append(_aggregate(lst[x.value_index]) if lst else None)
        return result_grads


def _default_grad_ys(ys: list[Tensor], grad_ys: list[Any]) -> list[Any]:
    from minitf.ops import array_ops
    from minitf.ops.constant_op import constant

    out = []
    for i, (y, gy) in enumerate(zip(ys, grad_ys)):
        if gy is None:
            if y.dtype.base_dtype.is_complex:
                raise TypeError(f"Gradients of complex tensors ({y}) must set grad_ys "
                                f"(y.dtype = {y.dtype.base_dtype.name})")
            if y.get_shape().is_fully_defined():
                gy = array_ops.fill(y.get_shape().as_list(),
                                    constant(1, dtype=y.dtype.base_dtype, name=f"grad_ys_{i}"))
            else:
                gy = array_ops.fill(array_ops.shape(y),
                                    constant(1, dtype=y.dtype.base_dtype, name=f"grad_ys_{i}"))
        else:
            gy = convert_to_tensor(gy, dtype=y.dtype.base_dtype, name=f"grad_ys_{i}")
        out.append(gy)
    return out


def stop_gradient(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Identity in the forward pass; blocks gradients in the backward pass."""
    from minitf.framework.op_def_library import apply_op

    return apply_op("StopGradient", name=name, input=input)


def hessians(ys: Any, xs: Any, name: str = "hessians", colocate_gradients_with_ops: bool = False,
             gate_gradients: bool = False, aggregation_method: Any = None) -> list[Any]:
    """Second derivatives of sum(ys) with respect to each x (``tf.hessians``)."""
    from minitf.ops import array_ops

    xs_l = [_as_tensor(x, "x") for x in _as_list(xs)]
    out = []
    with name_scope(name, "hessians", xs_l):
        for x in xs_l:
            n = x.get_shape().num_elements()
            if n is None:
                raise ValueError(f"Cannot compute Hessian because the shape of {x.name} is not "
                                 "fully defined")
            grad = gradients(ys, x)[0]
            if grad is None:
                out.append(None)
                continue
            flat = array_ops.reshape(grad, [-1])
            rows = []
            for i in range(n):
                gi = gradients(flat[i], x)[0]
                rows.append(array_ops.zeros_like(x) if gi is None else gi)
            stacked = array_ops.stack(rows)
            out.append(array_ops.reshape(stacked, x.get_shape().as_list() * 2))
    return out
