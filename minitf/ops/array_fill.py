"""Fills and broadcasting: Fill, zeros/ones (a Const when small and static, as in TF),
ZerosLike/OnesLike and zeros_like/ones_like, BroadcastTo, BroadcastGradientArgs, BroadcastArgs.

Part of the array family; :mod:`minitf.ops.array_ops` re-exports the public names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, as_shape
from minitf.ops import array_shape_util as su
from minitf.ops import shape_fns
from minitf.ops.array_basic import (
    apply_op_packed,
    autopack,
    dense,
    reshape,
    shape_as_tensor,
    shape_internal,
)

__all__ = ["fill", "zeros", "ones", "zeros_like", "ones_like", "broadcast_to",
           "broadcast_dynamic_shape", "broadcast_static_shape"]


# --- fills ------------------------------------------------------------------------------------

def _fill_shape(op: Any) -> list[TensorShape]:
    su.with_rank(su.dims_of(op.inputs[1]), 0)
    return [su.shape(su.shape_from_tensor(op.inputs[0]))]


def _fill_ref(dims: Any, value: Any) -> Any:
    if np.ndim(dims) != 1:
        raise errors.InvalidArgumentError(None, None, f"dims must be a vector, got shape "
                                                      f"{list(np.shape(dims))}")
    if np.ndim(value) != 0:
        raise errors.InvalidArgumentError(None, None, f"value must be a scalar, got shape "
                                                      f"{list(np.shape(value))}")
    d = tuple(su.int_list(dims))
    if any(x < 0 for x in d):
        raise errors.InvalidArgumentError(None, None, f"dims must be non-negative: {list(d)}")
    return np.full(d, value, dtype=np.asarray(value).dtype)


register_op("Fill", inputs=["dims: index_type", "value: T"], outputs=["output: T"],
            attrs=["T: type", "index_type: {int32, int64} = int32"], shape=_fill_shape,
            reference=_fill_ref)


@RegisterGradient("Fill")
def _fill_grad(op: Any, grad: Any) -> Any:
    from minitf.ops import math_ops

    return [None, math_ops.reduce_sum(dense(grad))]


def fill(dims: Any, value: Any, name: str | None = None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value``."""
    return apply_op_packed("Fill", name=name, dims=dims, value=value)


def _constant_if_small(value: Any, shape: Any, dtype: Any, name: str) -> Tensor | None:
    from minitf.ops.constant_op import constant

    try:
        if np.prod(shape) < 1000:
            return constant(value, shape=shape, dtype=dtype, name=name)
    except (NotImplementedError, TypeError):
        pass
    return None


def _filled(kind: str, shape: Any, dtype: Any, name: str | None) -> Tensor:
    from minitf.ops.constant_op import constant

    dtype = dtypes.as_dtype(dtype).base_dtype
    with name_scope(name, kind, [shape]) as scope:
        if dtype == dtypes.bool:
            v: Any = kind == "ones"
        elif dtype == dtypes.string:
            v = "" if kind == "zeros" else 1
        else:
            v = 0 if kind == "zeros" else 1
        if not isinstance(shape, Tensor):
            try:
                out = _constant_if_small(v, shape, dtype, scope)
                if out is not None:
                    return out
                shape = shape_as_tensor(TensorShape(shape))
            except (TypeError, ValueError):
                shape = convert_to_tensor(autopack(shape, name="packed"), dtype=dtypes.int32)
        if shape.get_shape().ndims == 0:
            shape = reshape(shape, [-1])
        return fill(shape, constant(v, dtype=dtype), name=scope)


def zeros(shape: Any, dtype: Any = dtypes.float32, name: str | None = None) -> Tensor:
    """A tensor of zeros (a Const when small and static, else a Fill)."""
    return _filled("zeros", shape, dtype, name)


def ones(shape: Any, dtype: Any = dtypes.float32, name: str | None = None) -> Tensor:
    """A tensor of ones (a Const when small and static, else a Fill)."""
    return _filled("ones", shape, dtype, name)


register_op("ZerosLike", inputs=["x: T"], outputs=["y: T"], attrs=["T: type"],
            shape=shape_fns.unchanged, reference=np.zeros_like)
register_op("OnesLike", inputs=["x: T"], outputs=["y: T"], attrs=["T: type"],
            shape=shape_fns.unchanged, reference=np.ones_like)
NotDifferentiable("ZerosLike")
NotDifferentiable("OnesLike")


def zeros_like(tensor: Any, dtype: Any = None, name: str | None = None,
               optimize: bool = True) -> Tensor:
    """Zeros with the shape of ``tensor`` (a constant when its shape is static)."""
    with name_scope(name, "zeros_like", [tensor]) as scope:
        t = convert_to_tensor(tensor, name="tensor")
        s = t.get_shape()
        want = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        if optimize and s.is_fully_defined() and t.dtype.base_dtype != dtypes.variant:
            return zeros(s, dtype=want or t.dtype.base_dtype, name=scope)
        if want is not None and want != t.dtype.base_dtype:
            return zeros(shape_internal(t, optimize=optimize), dtype=want, name=scope)
        return apply_op("ZerosLike", name=scope, x=t)


def ones_like(tensor: Any, dtype: Any = None, name: str | None = None,
              optimize: bool = True) -> Tensor:
    """Ones with the shape of ``tensor`` (always a Fill, as in TF)."""
    with name_scope(name, "ones_like", [tensor]) as scope:
        t = convert_to_tensor(tensor, name="tensor")
        ones_shape = shape_internal(t, optimize=optimize)
        out = ones(ones_shape, dtype=dtype or t.dtype.base_dtype, name=scope)
        out.set_shape(t.get_shape())
        return out


# --- broadcasting -----------------------------------------------------------------------------

def _broadcast_to_shape(op: Any) -> list[TensorShape]:
    su.with_rank(su.dims_of(op.inputs[1]), 1)
    out = su.shape_from_tensor(op.inputs[1])
    in_dims = su.dims_of(op.inputs[0])
    if out is None or in_dims is None:
        return [su.shape(out)]
    su.with_rank_at_most(in_dims, len(out))
    out_l = list(out)
    for i in range(1, len(in_dims) + 1):
        d = in_dims[-i]
        if d is not None and d > 1:
            out_l[-i] = su.merge_dim(d, out_l[-i])
    return [TensorShape(out_l)]


def _broadcast_to_ref(x: Any, shape: Any) -> Any:
    target = tuple(su.int_list(shape))
    if type(x) is np.ndarray and x.size == 1 and len(target) >= x.ndim and \
            all(d >= 0 for d in target):
        return np.full(target, x.reshape(()), dtype=x.dtype)  # a scalar's gradient: no strides
    try:
        return np.broadcast_to(x, target)
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"Unable to broadcast tensor of shape {su.shape_str(np.shape(x))} to "
                        f"tensor of shape {su.shape_str(target)}") from None


register_op("BroadcastTo", inputs=["input: T", "shape: Tidx"], outputs=["output: T"],
            attrs=["T: type", "Tidx: {int32, int64} = int32"], shape=_broadcast_to_shape,
            reference=_broadcast_to_ref, aliases_input=True)


@RegisterGradient("BroadcastTo")
def _broadcast_to_grad(op: Any, grad: Any) -> Any:
    from minitf.ops.grad_util import sum_to_shape

    return [sum_to_shape(dense(grad), op.inputs[0]), None]


def broadcast_to(input: Any, shape: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Broadcasts ``input`` to ``shape`` (``tf.broadcast_to``)."""
    return apply_op_packed("BroadcastTo", name=name, input=input, shape=shape)


def _bga_ref(s0: Any, s1: Any) -> Any:
    dt = np.asarray(s0).dtype
    a0, a1 = su.int_list(s0), su.int_list(s1)
    n = max(len(a0), len(a1))
    a = [1] * (n - len(a0)) + a0
    b = [1] * (n - len(a1)) + a1
    r0, r1 = [], []
    for i, (p, q) in enumerate(zip(a, b)):
        if p != q and p != 1 and q != 1:
            raise errors.InvalidArgumentError(
                None, None, f"Incompatible shapes: [{','.join(map(str, a0))}] vs. "
                            f"[{','.join(map(str, a1))}]")
        if p == 1:
            r0.append(i)
        if q == 1:
            r1.append(i)
    return np.array(r0, dtype=dt), np.array(r1, dtype=dt)


register_op("BroadcastGradientArgs", inputs=["s0: T", "s1: T"], outputs=["r0: T", "r1: T"],
            attrs=["T: {int32, int64} = int32"],
            shape=lambda op: [TensorShape([None]), TensorShape([None])],
            reference=_bga_ref)
NotDifferentiable("BroadcastGradientArgs")


def broadcast_gradient_args(s0: Any, s1: Any, name: str | None = None) -> Any:
    return apply_op("BroadcastGradientArgs", name=name, s0=s0, s1=s1)


def _broadcast_args_ref(s0: Any, s1: Any) -> Any:
    a, b = su.int_list(s0), su.int_list(s1)
    try:
        out = np.broadcast_shapes(tuple(a), tuple(b))
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"Incompatible shapes: [{','.join(map(str, a))}] vs. "
                        f"[{','.join(map(str, b))}]") from None
    return np.array(out, dtype=np.asarray(s0).dtype)


def _broadcast_args_shape(op: Any) -> list[TensorShape]:
    a = su.with_rank(su.dims_of(op.inputs[0]), 1)
    b = su.with_rank(su.dims_of(op.inputs[1]), 1)
    if a[0] is None or b[0] is None:
        return [TensorShape([None])]
    return [TensorShape([max(a[0], b[0])])]


register_op("BroadcastArgs", inputs=["s0: T", "s1: T"], outputs=["r0: T"],
            attrs=["T: {int32, int64} = int32"], shape=_broadcast_args_shape,
            reference=_broadcast_args_ref)
NotDifferentiable("BroadcastArgs")


def broadcast_dynamic_shape(shape_x: Any, shape_y: Any) -> Tensor:
    """The broadcast of two shape tensors (``tf.broadcast_dynamic_shape``)."""
    return apply_op("BroadcastArgs", s0=shape_x, s1=shape_y)


def broadcast_static_shape(shape_x: TensorShape, shape_y: TensorShape) -> TensorShape:
    """The broadcast of two static shapes; ValueError when incompatible."""
    from minitf.framework.tensor_shape import broadcast_static_shapes

    try:
        return broadcast_static_shapes(as_shape(shape_x), as_shape(shape_y))
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting. Two shapes are compatible if "
                         f"for each dimension pair they are either equal or one of them is 1. "
                         f"Received: {shape_x} and {shape_y}.") from None
