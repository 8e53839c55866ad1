"""Pooling: MaxPool, MaxPoolGrad, MaxPoolGradGrad, AvgPool, AvgPoolGrad and the ``tf.nn``
wrappers max_pool / avg_pool (numpy references in :mod:`minitf.ops.nn_conv_reference`)."""

from __future__ import annotations

from typing import Any

from minitf.framework import errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import nn_conv_reference as ref
from minitf.ops.nn_conv_ops import _from_nhwc, _nhwc, convert_padding
from minitf.ops.nn_conv_utils import get_sequence, output_size, spatial_dims

__all__ = ["max_pool", "avg_pool", "max_pool_grad", "max_pool_grad_grad", "avg_pool_grad"]

MAX_TYPES = "{float16, float32, float64, int8, int16, int32, int64, uint8, uint16}"
AVG_TYPES = "{float16, float32, float64}"
POOL_ATTRS = ["ksize: list(int)", "strides: list(int)", "padding: string",
              "data_format: string = NHWC"]
MAX_ATTRS = POOL_ATTRS + ["explicit_paddings: list(int) = []"]
POOL_KERNEL_ATTRS = ("ksize", "strides", "padding", "data_format")
MAX_KERNEL_ATTRS = POOL_KERNEL_ATTRS + ("explicit_paddings",)


def _check_pool_attrs(op: Any) -> None:
    a = op._attrs
    if a["data_format"] not in ("NHWC", "NCHW"):
        raise ValueError(f"Invalid data format: {a['data_format']}")
    allowed = ("SAME", "VALID", "EXPLICIT") if "explicit_paddings" in a else ("SAME", "VALID")
    if a["padding"] not in allowed:
        raise ValueError(f"Attr 'padding' of '{op.type}' Op passed string '{a['padding']}' not "
                         f"in: {', '.join(repr(p) for p in allowed)}")
    for key in ("ksize", "strides"):
        if len(a[key]) != 4:
            raise ValueError(f"{op.type} requires the {key} attribute to contain 4 values, "
                             f"but got: {len(a[key])}")
        if any(int(v) < 1 for v in a[key]):
            raise ValueError(f"Sliding window {key} field must be positive, got {a[key]}")
    explicit = a.get("explicit_paddings", [])
    if a["padding"] == "EXPLICIT" and len(explicit) != 8:
        raise ValueError(f"explicit_paddings attribute must contain 8 values, but got: "
                         f"{len(explicit)}")


def _check_pool_runtime(ksize: Any, strides: Any, data_format: str) -> None:
    _, _, c = spatial_dims(data_format)
    if int(ksize[0]) != 1 or int(strides[0]) != 1:
        raise errors.InvalidArgumentError(None, None, "Pooling is not yet supported on the "
                                                      "batch dimension.")
    if int(ksize[c]) != 1 or int(strides[c]) != 1:
        raise errors.UnimplementedError(None, None, "Pooling over the depth dimension is not "
                                                    "supported.")


def _pool_shape(op: Any) -> list[TensorShape]:
    _check_pool_attrs(op)
    a = op._attrs
    fmt = a["data_format"]
    n, h, w, c = _nhwc(op.inputs[0].get_shape(), fmt)
    hi, wi, _ = spatial_dims(fmt)
    explicit = a.get("explicit_paddings", [])
    dims = []
    for size, axis in ((h, hi), (w, wi)):
        ex = (int(explicit[2 * axis]), int(explicit[2 * axis + 1])) \
            if a["padding"] == "EXPLICIT" else (0, 0)
        dims.append(None if size is None else
                    output_size(size, int(a["ksize"][axis]), int(a["strides"][axis]), 1,
                                a["padding"], ex)[0])
    return [_from_nhwc(n, dims[0], dims[1], c, fmt)]


def _checked(fn: Any) -> Any:
    def call(*args: Any, **kw: Any) -> Any:
        _check_pool_runtime(kw["ksize"], kw["strides"], kw.get("data_format", "NHWC"))
        return fn(*args, **kw)

    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    return call


def _grad_shape(op: Any) -> list[TensorShape]:
    _check_pool_attrs(op)
    if op.type == "MaxPoolGrad":
        return [op.inputs[0].get_shape().with_rank(4)]
    return [op.inputs[1].get_shape().with_rank(4)]


register_op("MaxPool", inputs=["input: T"], outputs=["output: T"],
            attrs=[f"T: {MAX_TYPES} = float32"] + MAX_ATTRS, shape=_pool_shape,
            reference=_checked(ref.max_pool), kernel_attrs=MAX_KERNEL_ATTRS)
register_op("MaxPoolGrad", inputs=["orig_input: T", "orig_output: T", "grad: T"],
            outputs=["output: T"], attrs=[f"T: {MAX_TYPES} = float32"] + MAX_ATTRS,
            shape=_grad_shape, reference=_checked(ref.max_pool_grad),
            kernel_attrs=MAX_KERNEL_ATTRS)
register_op("MaxPoolGradGrad", inputs=["orig_input: T", "orig_output: T", "grad: T"],
            outputs=["output: T"], attrs=[f"T: {MAX_TYPES}"] + POOL_ATTRS, shape=_grad_shape,
            reference=_checked(ref.max_pool_grad_grad), kernel_attrs=POOL_KERNEL_ATTRS)
register_op("AvgPool", inputs=["value: T"], outputs=["output: T"],
            attrs=[f"T: {AVG_TYPES}"] + POOL_ATTRS, shape=_pool_shape,
            reference=_checked(ref.avg_pool), kernel_attrs=POOL_KERNEL_ATTRS)


def _avg_pool_grad_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value_as_shape

    _check_pool_attrs(op)
    s = constant_value_as_shape(op.inputs[0])
    return [TensorShape([None] * 4) if s.ndims is None else s.with_rank(4)]


register_op("AvgPoolGrad", inputs=["orig_input_shape: int32", "grad: T"], outputs=["output: T"],
            attrs=[f"T: {AVG_TYPES}"] + POOL_ATTRS, shape=_avg_pool_grad_shape,
            reference=_checked(ref.avg_pool_grad), kernel_attrs=POOL_KERNEL_ATTRS)


def _pool_attrs(op: Any, explicit: bool = True) -> dict[str, Any]:
    a = op._attrs
    out = {k: a[k] for k in POOL_KERNEL_ATTRS}
    if explicit and "explicit_paddings" in a:
        out["explicit_paddings"] = a["explicit_paddings"]
    return out


def _zeros_like(t: Tensor) -> Tensor:
    from minitf.ops import array_ops

    return array_ops.zeros_like(t)


@RegisterGradient("MaxPool")
def _max_pool_grad(op: Any, grad: Tensor) -> Any:
    return [max_pool_grad(op.inputs[0], op.outputs[0], grad, **_pool_attrs(op))]


@RegisterGradient("MaxPoolGrad")
def _max_pool_grad_grad(op: Any, grad: Tensor) -> Any:
    kw = _pool_attrs(op, explicit=False)
    if op._attrs.get("padding") == "EXPLICIT":
        raise ValueError("the second derivative of max_pool with EXPLICIT padding is not "
                         "supported")
    return [_zeros_like(op.inputs[0]), _zeros_like(op.inputs[1]),
            max_pool_grad_grad(op.inputs[0], op.inputs[1], grad, **kw)]


@RegisterGradient("MaxPoolGradGrad")
def _max_pool_grad_grad_grad(op: Any, grad: Tensor) -> Any:
    return [_zeros_like(op.inputs[0]), _zeros_like(op.inputs[1]),
            max_pool_grad(op.inputs[0], op.inputs[1], grad, **_pool_attrs(op))]


@RegisterGradient("AvgPool")
def _avg_pool_grad(op: Any, grad: Tensor) -> Any:
    from minitf.ops import array_ops

    return [avg_pool_grad(array_ops.shape(op.inputs[0]), grad, **_pool_attrs(op))]


@RegisterGradient("AvgPoolGrad")
def _avg_pool_grad_grad(op: Any, grad: Tensor) -> Any:
    return [None, apply_op("AvgPool", value=grad, **_pool_attrs(op))]


# --- wrappers ------------------------------------------------------------------------------------

def max_pool_grad(orig_input: Any, orig_output: Any, grad: Any, ksize: Any, strides: Any,
                  padding: str, data_format: str = "NHWC", explicit_paddings: Any = None,
                  name: str | None = None) -> Tensor:
    return apply_op("MaxPoolGrad", name=name or "MaxPoolGrad", orig_input=orig_input,
                    orig_output=orig_output, grad=grad, ksize=list(ksize),
                    strides=list(strides), padding=padding, data_format=data_format,
                    explicit_paddings=list(explicit_paddings or []))


def max_pool_grad_grad(orig_input: Any, orig_output: Any, grad: Any, ksize: Any, strides: Any,
                       padding: str, data_format: str = "NHWC",
                       name: str | None = None) -> Tensor:
    return apply_op("MaxPoolGradGrad", name=name or "MaxPoolGradGrad", orig_input=orig_input,
                    orig_output=orig_output, grad=grad, ksize=list(ksize),
                    strides=list(strides), padding=padding, data_format=data_format)


def avg_pool_grad(orig_input_shape: Any, grad: Any, ksize: Any, strides: Any, padding: str,
                  data_format: str = "NHWC", name: str | None = None) -> Tensor:
    return apply_op("AvgPoolGrad", name=name or "AvgPoolGrad",
                    orig_input_shape=orig_input_shape, grad=grad, ksize=list(ksize),
                    strides=list(strides), padding=padding, data_format=data_format)


def _pool_args(ksize: Any, strides: Any, data_format: str | None) -> tuple[list[int], list[int],
                                                                            str]:
    data_format = data_format or "NHWC"
    channel_index = 1 if data_format.startswith("NC") else 3
    ksize = get_sequence(ksize, 2, channel_index, "ksize")
    strides = get_sequence(strides, 2, channel_index, "strides")
    if any(v == 0 for v in ksize):
        raise ValueError(f"`ksize` cannot be zero. Received: ksize={ksize}")
    return ksize, strides, data_format


def max_pool(value: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC",
             name: str | None = None, input: Any = None) -> Tensor:  # noqa: A002
    """Max over each window (``tf.nn.max_pool``); ksize / strides: int, 2 or 4 values."""
    value = input if value is None else value
    with name_scope(name, "MaxPool", [value]) as scope:
        ksize, strides, data_format = _pool_args(ksize, strides, data_format)
        padding, explicit = convert_padding(padding)
        return apply_op("MaxPool", name=scope, input=value, ksize=ksize, strides=strides,
                        padding=padding, explicit_paddings=explicit, data_format=data_format)


def avg_pool(value: Any, ksize: Any, strides: Any, padding: str, data_format: str = "NHWC",
             name: str | None = None, input: Any = None) -> Tensor:  # noqa: A002
    """Mean over each window, padding excluded from the count (``tf.nn.avg_pool``)."""
    value = input if value is None else value
    with name_scope(name, "AvgPool", [value]) as scope:
        value = convert_to_tensor(value, name="input")
        ksize, strides, data_format = _pool_args(ksize, strides, data_format)
        return apply_op("AvgPool", name=scope, value=value, ksize=ksize, strides=strides,
                        padding=padding, data_format=data_format)
