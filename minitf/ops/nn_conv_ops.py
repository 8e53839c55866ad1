"""Convolutions: Conv2D and its two backprop ops, DepthwiseConv2dNative and its backprops,
BiasAdd / BiasAddGrad; and the ``tf.nn`` wrappers conv2d, conv2d_transpose, depthwise_conv2d,
bias_add.

Numpy references live in :mod:`minitf.ops.nn_conv_reference`; the numba kernels in
``minitf/kernels/cpu/nn_conv.py`` and ``nn_bias.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import nn_conv_reference as ref
from minitf.ops.nn_conv_utils import get_sequence, output_size, spatial_dims

__all__ = ["conv2d", "conv2d_backprop_input", "conv2d_backprop_filter", "conv2d_transpose",
           "depthwise_conv2d", "depthwise_conv2d_native",
           "depthwise_conv2d_native_backprop_input", "depthwise_conv2d_native_backprop_filter",
           "bias_add", "bias_add_grad", "convert_padding"]

FLOATS = "{float16, float32, float64}"
CONV_ATTRS = ["T: " + FLOATS, "strides: list(int)", "use_cudnn_on_gpu: bool = true",
              "padding: string", "explicit_paddings: list(int) = []",
              "data_format: string = NHWC", "dilations: list(int) = [1, 1, 1, 1]"]
DEPTHWISE_ATTRS = ["T: " + FLOATS, "strides: list(int)", "padding: string",
                   "explicit_paddings: list(int) = []", "data_format: string = NHWC",
                   "dilations: list(int) = [1, 1, 1, 1]"]
CONV_KERNEL_ATTRS = ("strides", "padding", "explicit_paddings", "data_format", "dilations")


def _array() -> Any:
    from minitf.ops import array_ops

    return array_ops


# --- attribute checks and shapes -----------------------------------------------------------------

def check_window_attrs(op: Any, op_name: str = "Conv2D", dilations: bool = True) -> None:
    """Build-time checks of strides / dilations / padding / data_format (TF's messages)."""
    a = op._attrs
    fmt = a.get("data_format", "NHWC")
    if fmt not in ("NHWC", "NCHW"):
        raise ValueError(f"Invalid data format: {fmt}")
    if a["padding"] not in ("SAME", "VALID", "EXPLICIT"):
        raise ValueError(f"Attr 'padding' of '{op.type}' Op passed string '{a['padding']}' not "
                         "in: \"SAME\", \"VALID\", \"EXPLICIT\"")
    strides = a["strides"]
    if len(strides) != 4:
        raise ValueError(f"{op_name} requires the stride attribute to contain 4 values, but "
                         f"got: {len(strides)}")
    if dilations and len(a.get("dilations", [1, 1, 1, 1])) != 4:
        raise ValueError(f"{op_name} requires the dilation attribute to contain 4 values, but "
                         f"got: {len(a['dilations'])}")
    if any(int(s) < 1 for s in strides):
        raise ValueError(f"{op_name} requires strides >= 1, got {list(strides)}")
    explicit = a.get("explicit_paddings", [])
    if a["padding"] == "EXPLICIT" and len(explicit) != 8:
        raise ValueError(f"explicit_paddings attribute must contain 8 values, but got: "
                         f"{len(explicit)}")
    if a["padding"] != "EXPLICIT" and explicit:
        raise ValueError("explicit_paddings attribute must be empty if the padding attribute is "
                         f"not EXPLICIT, got {list(explicit)}")


def check_window_runtime(strides: Any, data_format: str, what: str = "strides") -> None:
    """TF's kernel-construction checks, raised when the op runs."""
    _, _, c = spatial_dims(data_format)
    if int(strides[0]) != 1 or int(strides[c]) != 1:
        raise errors.InvalidArgumentError(
            None, None, f"Current implementation does not yet support {what} in the batch and "
                        "depth dimensions.")


def _nhwc(shape: TensorShape, fmt: str) -> list[int | None]:
    dims = shape.with_rank(4).as_list() if shape.ndims is not None else [None] * 4
    return [dims[0], dims[2], dims[3], dims[1]] if fmt == "NCHW" else dims


def _from_nhwc(n: Any, h: Any, w: Any, c: Any, fmt: str) -> TensorShape:
    return TensorShape([n, c, h, w] if fmt == "NCHW" else [n, h, w, c])


def _spatial_out(op: Any, in_h: int | None, in_w: int | None, k_h: int | None,
                 k_w: int | None) -> tuple[int | None, int | None]:
    a = op._attrs
    fmt = a.get("data_format", "NHWC")
    hi, wi, _ = spatial_dims(fmt)
    dil = a.get("dilations", [1, 1, 1, 1])
    explicit = a.get("explicit_paddings", [])
    out = []
    for size, k, axis in ((in_h, k_h, hi), (in_w, k_w, wi)):
        if size is None or k is None:
            out.append(None)
            continue
        ex = (int(explicit[2 * axis]), int(explicit[2 * axis + 1])) \
            if a["padding"] == "EXPLICIT" else (0, 0)
        out.append(output_size(size, k, int(a["strides"][axis]), int(dil[axis]), a["padding"],
                               ex)[0])
    return out[0], out[1]


def _conv2d_shape(op: Any) -> list[TensorShape]:
    check_window_attrs(op)
    fmt = op._attrs["data_format"]
    n, h, w, c = _nhwc(op.inputs[0].get_shape(), fmt)
    kh, kw, ci, co = op.inputs[1].get_shape().with_rank(4).as_list() \
        if op.inputs[1].get_shape().ndims is not None else [None] * 4
    if c is not None and ci is not None and c != ci:
        if c % ci:
            raise ValueError(f"Depth of input ({c}) is not a multiple of input depth of filter "
                             f"({ci})")
        raise ValueError(f"Depth of input ({c}) must equal the input depth of filter ({ci}): "
                         "grouped convolutions are not supported")
    oh, ow = _spatial_out(op, h, w, kh, kw)
    return [_from_nhwc(n, oh, ow, co, fmt)]


def _depthwise_shape(op: Any) -> list[TensorShape]:
    check_window_attrs(op, "DepthwiseConv2dNative")
    fmt = op._attrs["data_format"]
    n, h, w, c = _nhwc(op.inputs[0].get_shape(), fmt)
    kh, kw, ci, m = op.inputs[1].get_shape().with_rank(4).as_list() \
        if op.inputs[1].get_shape().ndims is not None else [None] * 4
    if c is not None and ci is not None and c != ci:
        raise ValueError(f"Dimensions must be equal, but are {c} and {ci}")
    depth = c if c is not None else ci
    oh, ow = _spatial_out(op, h, w, kh, kw)
    return [_from_nhwc(n, oh, ow, None if depth is None or m is None else depth * m, fmt)]


def _sizes_shape(index: int, rank_check: int = 4) -> Any:
    """Output shape given by the int32 sizes tensor at input ``index``."""

    def fn(op: Any) -> list[TensorShape]:
        from minitf.framework.constant_value import constant_value_as_shape

        check_window_attrs(op, op.type, dilations="dilations" in op._attrs)
        s = constant_value_as_shape(op.inputs[index])
        s = TensorShape([None] * rank_check) if s.ndims is None else s.with_rank(rank_check)
        _check_backprop_depths(op, index, s)
        return [s]

    return fn


def _check_backprop_depths(op: Any, index: int, sizes: TensorShape) -> None:
    """The channel counts of input / filter / out_backprop must agree (as in TF)."""
    fmt = op._attrs.get("data_format", "NHWC")
    depthwise = op.type.startswith("Depthwise")
    if index == 0:  # BackpropInput: (input_sizes, filter, out_backprop)
        x, w = _nhwc(sizes, fmt), op.inputs[1].get_shape()
    else:  # BackpropFilter: (input, filter_sizes, out_backprop)
        x, w = _nhwc(op.inputs[0].get_shape(), fmt), sizes
    dy = _nhwc(op.inputs[2].get_shape(), fmt)
    wd = w.as_list() if w.ndims is not None else [None] * 4
    out_c = wd[2] * wd[3] if depthwise and None not in wd[2:] else (None if depthwise else wd[3])
    for a, b in ((x[3], wd[2]), (dy[3], out_c)):
        if a is not None and b is not None and a != b:
            raise ValueError(f"Dimensions must be equal, but are {a} and {b}")


def _runtime_checked(fn: Any, what: str = "strides") -> Any:
    def call(*args: Any, **kw: Any) -> Any:
        check_window_runtime(kw["strides"], kw.get("data_format", "NHWC"))
        if "dilations" in kw:
            check_window_runtime(kw["dilations"], kw.get("data_format", "NHWC"), "dilations")
        return fn(*args, **kw)

    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    return call


register_op("Conv2D", inputs=["input: T", "filter: T"], outputs=["output: T"], attrs=CONV_ATTRS,
            shape=_conv2d_shape, reference=_runtime_checked(ref.conv2d),
            kernel_attrs=CONV_KERNEL_ATTRS)
register_op("Conv2DBackpropInput", inputs=["input_sizes: int32", "filter: T",
                                           "out_backprop: T"],
            outputs=["output: T"], attrs=CONV_ATTRS, shape=_sizes_shape(0),
            reference=_runtime_checked(ref.conv2d_backprop_input),
            kernel_attrs=CONV_KERNEL_ATTRS)
register_op("Conv2DBackpropFilter", inputs=["input: T", "filter_sizes: int32",
                                            "out_backprop: T"],
            outputs=["output: T"], attrs=CONV_ATTRS, shape=_sizes_shape(1),
            reference=_runtime_checked(ref.conv2d_backprop_filter),
            kernel_attrs=CONV_KERNEL_ATTRS)
register_op("DepthwiseConv2dNative", inputs=["input: T", "filter: T"], outputs=["output: T"],
            attrs=DEPTHWISE_ATTRS, shape=_depthwise_shape,
            reference=_runtime_checked(ref.depthwise_conv2d), kernel_attrs=CONV_KERNEL_ATTRS)
register_op("DepthwiseConv2dNativeBackpropInput",
            inputs=["input_sizes: int32", "filter: T", "out_backprop: T"], outputs=["output: T"],
            attrs=DEPTHWISE_ATTRS, shape=_sizes_shape(0),
            reference=_runtime_checked(ref.depthwise_conv2d_backprop_input),
            kernel_attrs=CONV_KERNEL_ATTRS)
register_op("DepthwiseConv2dNativeBackpropFilter",
            inputs=["input: T", "filter_sizes: int32", "out_backprop: T"], outputs=["output: T"],
            attrs=DEPTHWISE_ATTRS, shape=_sizes_shape(1),
            reference=_runtime_checked(ref.depthwise_conv2d_backprop_filter),
            kernel_attrs=CONV_KERNEL_ATTRS)


def _conv_attrs(op: Any) -> dict[str, Any]:
    a = op._attrs
    out = {k: a[k] for k in CONV_KERNEL_ATTRS if k in a}
    if "use_cudnn_on_gpu" in a:
        out["use_cudnn_on_gpu"] = a["use_cudnn_on_gpu"]
    return out


def _register_conv_grads(op_type: str, forward: Any, backprop_input: Any,
                         backprop_filter: Any) -> None:
    """Registers TF's gradients of the conv op ``op_type`` and of its ``BackpropInput`` and
    ``BackpropFilter`` ops, built of the op's three wrappers."""

    @RegisterGradient(op_type)
    def _grad(op: Any, grad: Tensor) -> Any:
        x, w = op.inputs
        a = _array()
        kw = _conv_attrs(op)
        return [backprop_input(a.shape(x), w, grad, **kw),
                backprop_filter(x, a.shape(w), grad, **kw)]

    @RegisterGradient(op_type + "BackpropInput")
    def _backprop_input_grad(op: Any, grad: Tensor) -> Any:
        _, w, dy = op.inputs
        kw = _conv_attrs(op)
        return [None, backprop_filter(grad, _array().shape(w), dy, **kw),
                forward(grad, w, **kw)]

    @RegisterGradient(op_type + "BackpropFilter")
    def _backprop_filter_grad(op: Any, grad: Tensor) -> Any:
        x, _, dy = op.inputs
        kw = _conv_attrs(op)
        return [backprop_input(_array().shape(x), grad, dy, **kw), None,
                forward(x, grad, **kw)]


# --- op-level wrappers (gen_nn_ops style) --------------------------------------------------------

def _apply_conv_op(op_type: str, name: str | None, strides: Any, padding: Any,
                   explicit_paddings: Any, data_format: str, dilations: Any,
                   **inputs_and_attrs: Any) -> Tensor:
    """An op of ``op_type`` (named ``name``, default ``op_type``) with the conv attrs strides,
    padding (a string or explicit pairs), data_format and dilations."""
    padding, explicit = convert_padding(padding, explicit_paddings)
    return apply_op(op_type, name=name or op_type, strides=list(strides), padding=padding,
                    explicit_paddings=explicit, data_format=data_format,
                    dilations=list(dilations), **inputs_and_attrs)


def _gen_conv2d(input: Any, filter: Any, name: str | None = None,  # noqa: A002
                **attrs: Any) -> Tensor:
    return apply_op("Conv2D", name=name or "Conv2D", input=input, filter=filter, **attrs)


def conv2d_backprop_input(input_sizes: Any, filter: Any, out_backprop: Any,  # noqa: A002
                          strides: Any, padding: Any, use_cudnn_on_gpu: bool = True,
                          data_format: str = "NHWC", dilations: Any = (1, 1, 1, 1),
                          name: str | None = None, explicit_paddings: Any = None,
                          filters: Any = None) -> Tensor:
    """Gradient of conv2d w.r.t. its input, for an input of shape ``input_sizes``."""
    filter = filters if filter is None else filter  # noqa: A001
    return _apply_conv_op("Conv2DBackpropInput", name, strides, padding, explicit_paddings,
                          data_format, dilations, input_sizes=input_sizes, filter=filter,
                          out_backprop=out_backprop, use_cudnn_on_gpu=use_cudnn_on_gpu)


def conv2d_backprop_filter(input: Any, filter_sizes: Any, out_backprop: Any,  # noqa: A002
                           strides: Any, padding: Any, use_cudnn_on_gpu: bool = True,
                           data_format: str = "NHWC", dilations: Any = (1, 1, 1, 1),
                           name: str | None = None, explicit_paddings: Any = None) -> Tensor:
    """Gradient of conv2d w.r.t. its filter, for a filter of shape ``filter_sizes``."""
    return _apply_conv_op("Conv2DBackpropFilter", name, strides, padding, explicit_paddings,
                          data_format, dilations, input=input, filter_sizes=filter_sizes,
                          out_backprop=out_backprop, use_cudnn_on_gpu=use_cudnn_on_gpu)


def depthwise_conv2d_native(input: Any, filter: Any, strides: Any, padding: Any,  # noqa: A002
                            data_format: str = "NHWC", dilations: Any = (1, 1, 1, 1),
                            name: str | None = None, explicit_paddings: Any = None,
                            **_: Any) -> Tensor:
    return _apply_conv_op("DepthwiseConv2dNative", name, strides, padding, explicit_paddings,
                          data_format, dilations, input=input, filter=filter)


def depthwise_conv2d_native_backprop_input(input_sizes: Any, filter: Any,  # noqa: A002
                                           out_backprop: Any, strides: Any, padding: Any,
                                           data_format: str = "NHWC",
                                           dilations: Any = (1, 1, 1, 1),
                                           name: str | None = None,
                                           explicit_paddings: Any = None, **_: Any) -> Tensor:
    return _apply_conv_op("DepthwiseConv2dNativeBackpropInput", name, strides, padding,
                          explicit_paddings, data_format, dilations, input_sizes=input_sizes,
                          filter=filter, out_backprop=out_backprop)


def depthwise_conv2d_native_backprop_filter(input: Any, filter_sizes: Any,  # noqa: A002
                                            out_backprop: Any, strides: Any, padding: Any,
                                            data_format: str = "NHWC",
                                            dilations: Any = (1, 1, 1, 1),
                                            name: str | None = None,
                                            explicit_paddings: Any = None, **_: Any) -> Tensor:
    return _apply_conv_op("DepthwiseConv2dNativeBackpropFilter", name, strides, padding,
                          explicit_paddings, data_format, dilations, input=input,
                          filter_sizes=filter_sizes, out_backprop=out_backprop)


# The gradients of Conv2D and DepthwiseConv2dNative and of their backprop ops.
_register_conv_grads("Conv2D", _gen_conv2d, conv2d_backprop_input, conv2d_backprop_filter)
_register_conv_grads("DepthwiseConv2dNative", depthwise_conv2d_native,
                     depthwise_conv2d_native_backprop_input,
                     depthwise_conv2d_native_backprop_filter)


def convert_padding(padding: Any, explicit_paddings: Any = None) -> tuple[str, list[int]]:
    """A padding string, or explicit [[before, after]] * 4 pairs → (padding, explicit list)."""
    if explicit_paddings is not None and list(explicit_paddings):
        return str(padding.decode() if isinstance(padding, bytes) else padding), \
            [int(v) for v in explicit_paddings]
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, str):
        return padding, []
    pairs = np.asarray(padding)
    if pairs.shape != (4, 2):
        raise ValueError(f"When padding is a list, it must be of size 4 (one pair per "
                         f"dimension). Received: padding={padding}")
    return "EXPLICIT", [int(v) for v in pairs.reshape(-1)]


# --- tf.nn wrappers ------------------------------------------------------------------------------

def conv2d(input: Any, filter: Any = None, strides: Any = None,  # noqa: A002
           padding: Any = None, use_cudnn_on_gpu: bool = True, data_format: str = "NHWC",
           dilations: Any = (1, 1, 1, 1), name: str | None = None,
           filters: Any = None) -> Tensor:
    """2-D convolution of a 4-D ``input`` with a ``[h, w, in, out]`` filter (``tf.nn.conv2d``)."""
    if filter is not None and filters is not None:
        raise ValueError("Cannot specify both 'filters' and 'filter'.")
    filter = filters if filter is None else filter  # noqa: A001
    if filter is None:
        raise ValueError("conv2d needs a filter")
    if padding is None:
        raise TypeError("conv2d() missing required argument 'padding'")
    padding, explicit = convert_padding(padding)
    data_format = data_format or "NHWC"
    channel_index = 1 if data_format.startswith("NC") else 3
    strides = get_sequence(strides, 2, channel_index, "strides")
    dilations = get_sequence(dilations, 2, channel_index, "dilations")
    return apply_op("Conv2D", name=name or "Conv2D", input=input, filter=filter, strides=strides,
                    padding=padding, explicit_paddings=explicit,
                    use_cudnn_on_gpu=use_cudnn_on_gpu, data_format=data_format,
                    dilations=dilations)


def conv2d_transpose(value: Any = None, filter: Any = None,  # noqa: A002
                     output_shape: Any = None, strides: Any = None, padding: str = "SAME",
                     data_format: str = "NHWC", name: str | None = None, input: Any = None,  # noqa: A002
                     filters: Any = None, dilations: Any = None) -> Tensor:
    """The transpose (gradient) of conv2d: maps [n, h, w, out] to ``output_shape``
    (``tf.nn.conv2d_transpose``; the filter is [h, w, output channels, input channels])."""
    value = input if value is None else value
    filter = filters if filter is None else filter  # noqa: A001
    with name_scope(name, "conv2d_transpose", [value, filter, output_shape]) as scope:
        if data_format not in ("NCHW", "NHWC"):
            raise ValueError("data_format has to be either NCHW or NHWC.")
        value = convert_to_tensor(value, name="value")
        filter = convert_to_tensor(filter, name="filter")  # noqa: A001
        axis = 3 if data_format == "NHWC" else 1
        vs, fs = value.get_shape(), filter.get_shape()
        if vs.ndims is not None and fs.ndims is not None and \
                not vs[axis].is_compatible_with(fs[3]):
            raise ValueError(f"input channels does not match filter's input channels, "
                             f"{vs[axis]} != {fs[3]}")
        if isinstance(output_shape, tuple):
            output_shape = list(output_shape)
        output_shape_ = convert_to_tensor(output_shape, name="output_shape")
        if not output_shape_.get_shape().is_compatible_with(TensorShape([4])):
            raise ValueError(f"output_shape must have shape (4,), got "
                             f"{output_shape_.get_shape()}")
        if isinstance(output_shape, (list, np.ndarray)) and fs.ndims is not None and \
                not fs[2].is_compatible_with(int(output_shape[axis])):
            raise ValueError(f"output_shape does not match filter's output channels, "
                             f"{output_shape[axis]} != {fs[2]}")
        if padding not in ("VALID", "SAME"):
            raise ValueError(f"padding must be either VALID or SAME: {padding}")
        strides = get_sequence(strides, 2, axis, "strides")
        dil = get_sequence(dilations, 2, axis, "dilations")
        return apply_op("Conv2DBackpropInput", name=scope, input_sizes=output_shape_,
                        filter=filter, out_backprop=value, strides=strides, padding=padding,
                        data_format=data_format, dilations=dil)


def depthwise_conv2d(input: Any, filter: Any, strides: Any, padding: Any,  # noqa: A002
                     rate: Any = None, name: str | None = None, data_format: str | None = None,
                     dilations: Any = None) -> Tensor:
    """Depthwise 2-D convolution: filter [h, w, in_channels, multiplier]
    (``tf.nn.depthwise_conv2d``). ``rate`` / ``dilations`` become the op's dilations."""
    if rate is not None and dilations is not None:
        raise ValueError("Cannot specify both 'dilations' and 'rate'.")
    rate = dilations if rate is None else rate
    data_format = data_format or "NHWC"
    with name_scope(name, "depthwise", [input, filter]) as scope:
        input = convert_to_tensor(input, name="tensor_in")  # noqa: A001
        filter = convert_to_tensor(filter, name="filter_in")  # noqa: A001
        channel_index = 1 if data_format.startswith("NC") else 3
        dil = get_sequence(rate if rate is not None else 1, 2, channel_index, "rate")
        return depthwise_conv2d_native(input, filter, list(strides), padding,
                                       data_format=data_format, dilations=dil, name=scope)


# --- bias ---------------------------------------------------------------------------------------

def _bias_add_shape(op: Any) -> list[TensorShape]:
    fmt = op._attrs["data_format"]
    value = op.inputs[0].get_shape()
    bias = op.inputs[1].get_shape().with_rank(1)
    value = value.with_rank_at_least(3 if fmt == "NCHW" else 2)
    if value.ndims is None:
        return [value]
    axis = 1 if fmt == "NCHW" else value.ndims - 1
    dims = value.as_list()
    b = bias.as_list()[0] if bias.ndims else None
    if dims[axis] is not None and b is not None and dims[axis] != b:
        raise ValueError(f"Dimensions must be equal, but are {dims[axis]} and {b}")
    if dims[axis] is None:
        dims[axis] = b
    return [TensorShape(dims)]


def bias_add_ref(value: Any, bias: Any, data_format: str = "NHWC") -> np.ndarray:
    value, bias = np.asarray(value), np.asarray(bias)
    axis = 1 if data_format == "NCHW" else value.ndim - 1
    if value.ndim < 2 or bias.ndim != 1 or value.shape[axis] != bias.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, f"Must provide as many biases as the last dimension of the input "
                        f"tensor: {list(bias.shape)} vs. {list(value.shape)}")
    if data_format == "NCHW":
        bias = bias.reshape((-1,) + (1,) * (value.ndim - 2))
    return value + bias


def bias_add_grad_ref(grad: Any, data_format: str = "NHWC") -> np.ndarray:
    grad = np.asarray(grad)
    axis = 1 if data_format == "NCHW" else grad.ndim - 1
    axes = tuple(i for i in range(grad.ndim) if i != axis)
    acc = np.float32 if grad.dtype == np.float16 else grad.dtype
    return np.sum(grad, axis=axes, dtype=acc).astype(grad.dtype)


def _bias_add_grad_shape(op: Any) -> list[TensorShape]:
    fmt = op._attrs["data_format"]
    g = op.inputs[0].get_shape().with_rank_at_least(3 if fmt == "NCHW" else 2)
    if g.ndims is None:
        return [TensorShape([None])]
    return [TensorShape([g.as_list()[1 if fmt == "NCHW" else -1]])]


register_op("BiasAdd", inputs=["value: T", "bias: T"], outputs=["output: T"],
            attrs=["T: numeric", "data_format: string = NHWC"], shape=_bias_add_shape,
            reference=bias_add_ref, kernel_attrs=("data_format",))
register_op("BiasAddGrad", inputs=["out_backprop: T"], outputs=["output: T"],
            attrs=["T: numeric", "data_format: string = NHWC"], shape=_bias_add_grad_shape,
            reference=bias_add_grad_ref, kernel_attrs=("data_format",))


@RegisterGradient("BiasAdd")
def _bias_add_grad(op: Any, grad: Tensor) -> Any:
    return [grad, bias_add_grad(grad, data_format=op._attrs["data_format"])]


@RegisterGradient("BiasAddGrad")
def _bias_add_grad_grad(op: Any, grad: Tensor) -> Any:
    """Broadcasts the bias-shaped gradient back over the input (TF reshapes and tiles)."""
    a = _array()
    x = op.inputs[0]
    rank = x.get_shape().ndims
    fmt = op._attrs["data_format"]
    if rank is None:
        raise ValueError("the gradient of BiasAddGrad needs an input of known rank")
    shape = [-1] + [1] * (rank - 2) if fmt == "NCHW" else [1] * (rank - 1) + [-1]
    return [a.broadcast_to(a.reshape(grad, np.array(shape, dtype=np.int32)), a.shape(x))]


def bias_add_grad(out_backprop: Any, data_format: str = "NHWC",
                  name: str | None = None) -> Tensor:
    return apply_op("BiasAddGrad", name=name or "BiasAddGrad", out_backprop=out_backprop,
                    data_format=data_format)


def bias_add(value: Any, bias: Any, data_format: str | None = None,
             name: str | None = None) -> Tensor:
    """value + bias along the channel axis (last, or 1 for NC... formats) (``tf.nn.bias_add``)."""
    with name_scope(name, "BiasAdd", [value, bias]) as scope:
        if data_format is not None:
            if data_format.startswith("NC"):
                data_format = "NCHW"
            elif data_format.startswith("N") and data_format.endswith("C"):
                data_format = "NHWC"
            else:
                raise ValueError("data_format must be of the form `N...C` or `NC...`")
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=value.dtype.base_dtype, name="bias")
        return apply_op("BiasAdd", name=scope, value=value, bias=bias,
                        data_format=data_format or "NHWC")
