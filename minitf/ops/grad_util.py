"""Shared pieces of gradient functions: undoing broadcasting, in one place.

When both shapes are static the reduction axes are computed here and only a Sum (and a
Reshape) are emitted; otherwise the graph computes them with BroadcastGradientArgs, as TF does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework.tensor import Tensor

__all__ = ["sum_to_shape", "unbroadcast", "unbroadcast_batch", "reduction_grad_broadcast"]


def _static_reduce_axes(g_dims: tuple[int, ...], x_dims: tuple[int, ...]) -> list[int] | None:
    if len(x_dims) > len(g_dims):
        return None
    lead = len(g_dims) - len(x_dims)
    axes = list(range(lead))
    for i, (gd, xd) in enumerate(zip(g_dims[lead:], x_dims)):
        if xd == 1 and gd != 1:
            axes.append(lead + i)
        elif xd != gd:
            return None
    return axes


def sum_to_shape(grad: Tensor | None, x: Tensor) -> Tensor | None:
    """Sums ``grad`` (shaped like the broadcast result) down to the shape of ``x``."""
    if grad is None:
        return None
    from minitf.ops import array_ops, math_ops

    g_shape, x_shape = grad.get_shape(), x.get_shape()
    if g_shape.is_fully_defined() and x_shape.is_fully_defined():
        g_dims, x_dims = g_shape.as_tuple(), x_shape.as_tuple()
        if g_dims == x_dims:
            return grad
        axes = _static_reduce_axes(g_dims, x_dims)  # type: ignore[arg-type]
        if axes is not None:
            summed = math_ops.reduce_sum(grad, np.array(axes, dtype=np.int32))
            if summed.get_shape().as_tuple() == x_dims:
                return summed
            return array_ops.reshape(summed, np.array(x_dims, dtype=np.int32))
    sx = array_ops.shape(x)
    sg = array_ops.shape(grad)
    rx, _ = array_ops.broadcast_gradient_args(sx, sg)
    return array_ops.reshape(math_ops.reduce_sum(grad, rx), sx)


def unbroadcast(gx: Tensor | None, x: Tensor, gy: Tensor | None, y: Tensor) -> list[Any]:
    """Gradients of a broadcasting binary op, each summed down to its input's shape."""
    return [sum_to_shape(gx, x), sum_to_shape(gy, y)]


def unbroadcast_batch(gx: Tensor, x: Tensor, gy: Tensor, y: Tensor) -> list[Any]:
    """Like :func:`unbroadcast` for batched matmul (batch dimensions broadcast)."""
    return [sum_to_shape(gx, x), sum_to_shape(gy, y)]


def reduction_grad_broadcast(op: Any, grad: Tensor) -> Tensor:
    """Broadcasts the gradient of a reduction (Sum, Mean ...) back to the input's shape."""
    from minitf.framework.constant_value import constant_value
    from minitf.ops import array_ops

    x = op.inputs[0]
    x_shape = x.get_shape()
    axes = constant_value(op.inputs[1])
    if x_shape.is_fully_defined() and axes is not None:
        dims = x_shape.as_tuple()
        rank = len(dims)  # type: ignore[arg-type]
        ax = {int(a) % rank for a in np.asarray(axes).reshape(-1)} if rank else set()
        kept = [1 if i in ax else d for i, d in enumerate(dims)]  # type: ignore[arg-type]
        g = grad
        if grad.get_shape().as_tuple() != tuple(kept):
            g = array_ops.reshape(grad, np.array(kept, dtype=np.int32))
        if tuple(kept) == dims:
            return g
        return array_ops.broadcast_to(g, np.array(dims, dtype=np.int32))
    if x_shape.ndims is not None and axes is not None:
        # Rank and axes known (e.g. a batch dimension of unknown size): the kept shape is
        # static when every unknown dimension is reduced; broadcast to the dynamic shape.
        dims = x_shape.as_tuple()
        rank = len(dims)  # type: ignore[arg-type]
        ax = {int(a) % rank for a in np.asarray(axes).reshape(-1)} if rank else set()
        kept = [1 if i in ax else d for i, d in enumerate(dims)]  # type: ignore[arg-type]
        if all(d is not None for d in kept):
            g = grad
            if grad.get_shape().as_tuple() != tuple(kept):
                g = array_ops.reshape(grad, np.array(kept, dtype=np.int32))
            return array_ops.broadcast_to(g, array_ops.shape(x))
    input_shape = array_ops.shape(x)
    kept_shape = _reduced_shape(input_shape, op.inputs[1])
    return array_ops.broadcast_to(array_ops.reshape(grad, kept_shape), input_shape)


def _reduced_shape(input_shape: Tensor, axes: Tensor) -> Tensor:
    """``input_shape`` with the reduced axes set to 1, computed in the graph."""
    from minitf.ops import array_ops, math_ops

    rank = array_ops.size(input_shape, out_type=input_shape.dtype)
    axes = math_ops.floormod(math_ops.add(math_ops.cast(axes, input_shape.dtype), rank), rank)
    positions = math_ops.range_(0, rank, 1, dtype=input_shape.dtype)
    # mask[i] = any(positions[i] == axes)
    eq = math_ops.equal(array_ops.expand_dims(positions, 1),
                        array_ops.expand_dims(array_ops.reshape(axes, [-1]), 0))
    mask = math_ops.reduce_any(eq, axis=1)
    return array_ops.where(mask, array_ops.ones_like(input_shape), input_shape)
