"""Array ops: placeholders, identity, and shape manipulation."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, as_shape, unknown_shape
from minitf.ops import shape_fns

__all__ = ["placeholder", "placeholder_with_default", "identity", "shape", "rank", "reshape",
           "zeros_like", "ones_like", "where", "broadcast_to", "fill"]


# --- placeholders ------------------------------------------------------------------------------

def _placeholder_kernel(op: Any, state: Any) -> Any:
    dtype = op.get_attr("dtype")
    shape = op._attrs.get("shape")
    dims = "<unknown>" if shape is None or shape.ndims is None else \
        "[" + ",".join("?" if d is None else str(d) for d in shape.as_tuple()) + "]"

    def unfed() -> Any:
        raise errors.InvalidArgumentError(
            None, op, f"You must feed a value for placeholder tensor '{op.name}' with dtype "
                      f"{_tf_type_name(dtype)} and shape {dims}")

    return unfed


def _tf_type_name(d: dtypes.DType) -> str:
    return {"float32": "float", "float64": "double"}.get(d.name, d.name)


register_op("Placeholder", outputs=["output: dtype"], attrs=["dtype: type", "shape: shape = None"],
            shape=shape_fns.attr_shape("shape"), make_kernel=_placeholder_kernel,
            doc="A value that must be fed.")
NotDifferentiable("Placeholder")


def placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> Tensor:
    """A tensor that must be fed at run time (``tf.placeholder``)."""
    shape = None if shape is None else as_shape(shape)
    return apply_op("Placeholder", name=name, dtype=dtype, shape=shape)


def _pwd_shape(op: Any) -> list[TensorShape]:
    s = op._attrs.get("shape")
    s = s if s is not None else unknown_shape()
    s.assert_is_compatible_with(op.inputs[0].get_shape()) if s.ndims is not None else None
    return [s]


register_op("PlaceholderWithDefault", inputs=["input: dtype"], outputs=["output: dtype"],
            attrs=["dtype: type", "shape: shape"], shape=_pwd_shape,
            reference=lambda x: x, aliases_input=True,
            doc="Passes its input through unless a value is fed.")


@RegisterGradient("PlaceholderWithDefault")
def _pwd_grad(op: Any, grad: Any) -> Any:
    return [grad]


def placeholder_with_default(input: Any, shape: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """A placeholder that yields ``input`` when not fed."""
    from minitf.framework.tensor_conversion import convert_to_tensor

    t = convert_to_tensor(input)
    return apply_op("PlaceholderWithDefault", name=name, input=t, dtype=t.dtype,
                    shape=as_shape(shape))


# --- identity ---------------------------------------------------------------------------------

register_op("Identity", inputs=["input: T"], outputs=["output: T"], attrs=["T: type"],
            shape=shape_fns.unchanged, reference=lambda x: x, aliases_input=True,
            doc="Returns its input.")


@RegisterGradient("Identity")
def _identity_grad(op: Any, grad: Any) -> Any:
    return [grad]


def identity(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Returns a tensor with the same value as ``input`` (``tf.identity``)."""
    return apply_op("Identity", name=name, input=input)


# --- shapes -----------------------------------------------------------------------------------

def _shape_ref(x: Any, out_type: Any) -> Any:
    return np.asarray(np.shape(x), dtype=out_type.as_numpy_dtype)


def _shape_shape(op: Any) -> list[TensorShape]:
    return [TensorShape([op.inputs[0].get_shape().ndims])]


register_op("Shape", inputs=["input: T"], outputs=["output: out_type"],
            attrs=["T: type", "out_type: {int32, int64} = int32"], shape=_shape_shape,
            reference=_shape_ref, kernel_attrs=("out_type",))
NotDifferentiable("Shape")


def shape(input: Any, name: str | None = None, out_type: Any = dtypes.int32) -> Tensor:  # noqa: A002
    """The dynamic shape of ``input`` as a 1-D int tensor."""
    return apply_op("Shape", name=name, input=input, out_type=out_type)


register_op("Rank", inputs=["input: T"], outputs=["output: int32"], attrs=["T: type"],
            shape=shape_fns.scalar, reference=lambda x: np.int32(np.ndim(x)))
NotDifferentiable("Rank")


def rank(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    return apply_op("Rank", name=name, input=input)


def _reshape_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value_as_shape

    x = op.inputs[0].get_shape()
    target = constant_value_as_shape(op.inputs[1])
    if target.ndims is None:
        return [target]
    dims = list(target.as_tuple())
    n_in = x.num_elements()
    unknown = [i for i, d in enumerate(dims) if d is None]
    known = 1
    for d in dims:
        if d is not None:
            known *= d
    if n_in is not None:
        if not unknown and known != n_in:
            raise ValueError(f"Cannot reshape a tensor with {n_in} elements to shape "
                             f"{[d if d is not None else -1 for d in dims]} ({known} elements)")
        if len(unknown) == 1 and constant_value_is_minus_one(op.inputs[1], unknown[0]):
            if known == 0 or n_in % known:
                raise ValueError(f"Dimension size must be evenly divisible by {known} but is "
                                 f"{n_in}")
            dims[unknown[0]] = n_in // known
    return [TensorShape(dims)]


def constant_value_is_minus_one(shape_tensor: Tensor, index: int) -> bool:
    from minitf.framework.constant_value import constant_value

    v = constant_value(shape_tensor)
    return v is not None and int(v.reshape(-1)[index]) == -1


def _reshape_ref(x: Any, shape: Any) -> Any:
    try:
        return np.reshape(x, tuple(int(d) for d in np.asarray(shape).reshape(-1)))
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"Input to reshape is a tensor with {np.size(x)} values, but the "
                        f"requested shape has {int(np.prod(shape))}") from None


register_op("Reshape", inputs=["tensor: T", "shape: Tshape"], outputs=["output: T"],
            attrs=["T: type", "Tshape: {int32, int64} = int32"], shape=_reshape_shape,
            reference=_reshape_ref, aliases_input=True)


@RegisterGradient("Reshape")
def _reshape_grad(op: Any, grad: Tensor) -> Any:
    return [reshape(grad, shape(op.inputs[0])), None]


def reshape(tensor: Any, shape: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Reshapes ``tensor``; one dimension of ``shape`` may be -1."""
    return apply_op("Reshape", name=name, tensor=tensor, shape=shape)


# --- fills and selection -----------------------------------------------------------------------

register_op("ZerosLike", inputs=["x: T"], outputs=["y: T"], attrs=["T: type"],
            shape=shape_fns.unchanged, reference=np.zeros_like)
register_op("OnesLike", inputs=["x: T"], outputs=["y: T"], attrs=["T: type"],
            shape=shape_fns.unchanged, reference=np.ones_like)
NotDifferentiable("ZerosLike")
NotDifferentiable("OnesLike")


def zeros_like(tensor: Any, dtype: Any = None, name: str | None = None,
               optimize: bool = True) -> Tensor:
    from minitf.framework.tensor_conversion import convert_to_tensor
    from minitf.ops import math_ops

    with name_scope(name, "zeros_like", [tensor]) as scope:
        t = convert_to_tensor(tensor, name="tensor")
        if dtype is not None and dtypes.as_dtype(dtype) != t.dtype.base_dtype:
            return math_ops.cast(apply_op("ZerosLike", x=t), dtype, name=scope)
        return apply_op("ZerosLike", name=scope, x=t)


def ones_like(tensor: Any, dtype: Any = None, name: str | None = None,
              optimize: bool = True) -> Tensor:
    from minitf.framework.tensor_conversion import convert_to_tensor
    from minitf.ops import math_ops

    with name_scope(name, "ones_like", [tensor]) as scope:
        t = convert_to_tensor(tensor, name="tensor")
        if dtype is not None and dtypes.as_dtype(dtype) != t.dtype.base_dtype:
            return math_ops.cast(apply_op("OnesLike", x=t), dtype, name=scope)
        return apply_op("OnesLike", name=scope, x=t)


def _select_shape(op: Any) -> list[TensorShape]:
    c, t, e = (x.get_shape() for x in op.inputs)
    out = t.merge_with(e)
    if c.ndims is not None and out.ndims is not None and c.ndims > 1:
        out = out.merge_with(c)
    return [out]


def _select_ref(c: Any, t: Any, e: Any) -> Any:
    c = np.asarray(c)
    t = np.asarray(t)
    if c.ndim == 1 and t.ndim > 1:
        c = c.reshape((-1,) + (1,) * (t.ndim - 1))
    return np.where(c, t, e).astype(t.dtype, copy=False)


register_op("Select", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
            attrs=["T: type"], shape=_select_shape, reference=_select_ref)


@RegisterGradient("Select")
def _select_grad(op: Any, grad: Tensor) -> Any:
    c = op.inputs[0]
    zeros = zeros_like(grad)
    return [None, where(c, grad, zeros), where(c, zeros, grad)]


def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Tensor:
    """``tf.where``: elementwise select (x and y given) or the coordinates of true elements."""
    if x is None and y is None:
        return apply_op("Where", name=name, input=condition)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return apply_op("Select", name=name, condition=condition, t=x, e=y)


def _where_ref(x: Any) -> Any:
    return np.argwhere(np.asarray(x)).astype(np.int64)


def _where_shape(op: Any) -> list[TensorShape]:
    return [TensorShape([None, op.inputs[0].get_shape().ndims])]


register_op("Where", inputs=["input: T"], outputs=["index: int64"], attrs=["T: type = bool"],
            shape=_where_shape, reference=_where_ref)
NotDifferentiable("Where")


# --- broadcasting helpers (used by gradients) ------------------------------------------------

def _bga_ref(s0: Any, s1: Any) -> Any:
    s0 = [int(v) for v in np.asarray(s0).reshape(-1)]
    s1 = [int(v) for v in np.asarray(s1).reshape(-1)]
    n = max(len(s0), len(s1))
    a = [1] * (n - len(s0)) + s0
    b = [1] * (n - len(s1)) + s1
    r0, r1 = [], []
    for i, (p, q) in enumerate(zip(a, b)):
        if p != q and p != 1 and q != 1:
            raise errors.InvalidArgumentError(
                None, None, f"Incompatible shapes: [{','.join(map(str, s0))}] vs. "
                            f"[{','.join(map(str, s1))}]")
        if p == 1:
            r0.append(i)
        if q == 1:
            r1.append(i)
    dt = np.asarray(s0).dtype if np.size(s0) else np.int32
    return np.array(r0, dtype=dt), np.array(r1, dtype=dt)


register_op("BroadcastGradientArgs", inputs=["s0: T", "s1: T"], outputs=["r0: T", "r1: T"],
            attrs=["T: {int32, int64} = int32"],
            shape=lambda op: [TensorShape([None]), TensorShape([None])], reference=_bga_ref)
NotDifferentiable("BroadcastGradientArgs")


def broadcast_gradient_args(s0: Any, s1: Any, name: str | None = None) -> Any:
    return apply_op("BroadcastGradientArgs", name=name, s0=s0, s1=s1)


def _broadcast_to_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value_as_shape
    from minitf.framework.tensor_shape import broadcast_static_shapes

    target = constant_value_as_shape(op.inputs[1])
    broadcast_static_shapes(op.inputs[0].get_shape(), target)
    return [target]


def _broadcast_to_ref(x: Any, shape: Any) -> Any:
    try:
        return np.broadcast_to(x, tuple(int(d) for d in np.asarray(shape).reshape(-1)))
    except ValueError as e:
        raise errors.InvalidArgumentError(None, None, f"Incompatible shapes: {e}") from None


register_op("BroadcastTo", inputs=["input: T", "shape: Tidx"], outputs=["output: T"],
            attrs=["T: type", "Tidx: {int32, int64} = int32"], shape=_broadcast_to_shape,
            reference=_broadcast_to_ref, aliases_input=True)


@RegisterGradient("BroadcastTo")
def _broadcast_to_grad(op: Any, grad: Tensor) -> Any:
    from minitf.ops.grad_util import sum_to_shape

    return [sum_to_shape(grad, op.inputs[0]), None]


def broadcast_to(input: Any, shape: Any, name: str | None = None) -> Tensor:  # noqa: A002
    return apply_op("BroadcastTo", name=name, input=input, shape=shape)


# --- fill / stop_gradient ------------------------------------------------------------------------

def _fill_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value_as_shape

    op.inputs[1].get_shape().with_rank(0)
    return [constant_value_as_shape(op.inputs[0])]


def _fill_ref(dims: Any, value: Any) -> Any:
    dims = tuple(int(d) for d in np.asarray(dims).reshape(-1))
    if any(d < 0 for d in dims):
        raise errors.InvalidArgumentError(None, None, f"dims must be non-negative: {list(dims)}")
    return np.full(dims, value, dtype=np.asarray(value).dtype)


register_op("Fill", inputs=["dims: index_type", "value: T"], outputs=["output: T"],
            attrs=["T: type", "index_type: {int32, int64} = int32"], shape=_fill_shape,
            reference=_fill_ref)


@RegisterGradient("Fill")
def _fill_grad(op: Any, grad: Tensor) -> Any:
    from minitf.ops import math_ops

    return [None, math_ops.reduce_sum(grad)]


def fill(dims: Any, value: Any, name: str | None = None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value``."""
    return apply_op("Fill", name=name, dims=dims, value=value)


register_op("StopGradient", inputs=["input: T"], outputs=["output: T"], attrs=["T: type"],
            shape=shape_fns.unchanged, reference=lambda x: x, aliases_input=True)
NotDifferentiable("StopGradient")
