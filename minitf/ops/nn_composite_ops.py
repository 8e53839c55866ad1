"""Composite ``tf.nn`` functions built from the nn and math ops, as TF builds them: conv1d,
atrous_conv2d, separable_conv2d, crelu, relu_layer, swish, zero_fraction."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.ops.nn_conv_utils import get_sequence

__all__ = ["conv1d", "atrous_conv2d", "separable_conv2d", "crelu", "relu_layer", "swish",
           "zero_fraction"]


def _math() -> Any:
    from minitf.ops import math_ops

    return math_ops


def _array() -> Any:
    from minitf.ops import array_ops

    return array_ops


def conv1d(value: Any = None, filters: Any = None, stride: Any = None, padding: Any = None,
           use_cudnn_on_gpu: Any = None, data_format: str | None = None,
           name: str | None = None, input: Any = None,  # noqa: A002
           dilations: Any = None) -> Tensor:
    """1-D convolution of [batch, width, in] (NWC) with a [width, in, out] filter: a Conv2D on
    inputs with a unit height (``tf.nn.conv1d``)."""
    from minitf.ops.nn_conv_ops import convert_padding

    value = input if value is None else value
    a = _array()
    with name_scope(name, "conv1d", [value, filters]) as scope:
        if data_format in (None, "NHWC", "NWC"):
            data_format, spatial_start, channel_index = "NHWC", -3, 2
        elif data_format in ("NCHW", "NCW"):
            data_format, spatial_start, channel_index = "NCHW", -2, 1
        else:
            raise ValueError(f"`data_format` must be 'NWC' or 'NCW'. Received: "
                             f"data_format={data_format}")
        strides = [1] + get_sequence(stride, 1, channel_index, "stride")
        dil = [1] + get_sequence(dilations, 1, channel_index, "dilations")
        value = a.expand_dims(value, spatial_start)
        filters = a.expand_dims(filters, 0)
        padding, explicit = convert_padding(padding)
        result = apply_op("Conv2D", name=scope, input=value, filter=filters, strides=strides,
                          padding=padding, explicit_paddings=explicit,
                          use_cudnn_on_gpu=True if use_cudnn_on_gpu is None else use_cudnn_on_gpu,
                          data_format=data_format, dilations=dil)
        return a.squeeze(result, [spatial_start])


def atrous_conv2d(value: Any, filters: Any, rate: int, padding: str,
                  name: str | None = None) -> Tensor:
    """Dilated ("atrous") 2-D convolution with stride 1: a Conv2D with dilations
    [1, rate, rate, 1] (TF builds it with SpaceToBatchND / BatchToSpaceND instead)."""
    from minitf.ops.nn_conv_ops import conv2d

    rates = np.broadcast_to(np.asarray(rate), (2,)).tolist()
    if any(r < 1 for r in rates):
        raise ValueError(f"rate {rate} cannot be less than one")
    with name_scope(name, "atrous_conv2d", [value, filters]) as scope:
        return conv2d(value, filters, [1, 1, 1, 1], padding, dilations=[1, *rates, 1],
                      name=scope)


def separable_conv2d(input: Any, depthwise_filter: Any, pointwise_filter: Any,  # noqa: A002
                     strides: Any, padding: Any, rate: Any = None, name: str | None = None,
                     data_format: str | None = None, dilations: Any = None) -> Tensor:
    """A depthwise convolution followed by a 1x1 (pointwise) convolution."""
    from minitf.ops.nn_conv_ops import conv2d, depthwise_conv2d_native

    if rate is not None and dilations is not None:
        raise ValueError("Cannot specify both 'dilations' and 'rate'.")
    rate = dilations if rate is None else rate
    data_format = data_format or "NHWC"
    with name_scope(name, "separable_conv2d",
                    [input, depthwise_filter, pointwise_filter]) as scope:
        input = convert_to_tensor(input, name="tensor_in")  # noqa: A001
        depthwise_filter = convert_to_tensor(depthwise_filter, name="depthwise_filter")
        pointwise_filter = convert_to_tensor(pointwise_filter, name="pointwise_filter")
        ps = pointwise_filter.get_shape().with_rank(4)
        if ps.ndims is not None:
            ps.dims[0].assert_is_compatible_with(1)
            ps.dims[1].assert_is_compatible_with(1)
        channel_index = 1 if data_format.startswith("NC") else 3
        dil = get_sequence(rate if rate is not None else 1, 2, channel_index, "rate")
        depthwise = depthwise_conv2d_native(input, depthwise_filter, list(strides), padding,
                                            data_format=data_format, dilations=dil,
                                            name="depthwise")
        return conv2d(depthwise, pointwise_filter, [1, 1, 1, 1], "VALID",
                      data_format=data_format, name=scope)


def crelu(features: Any, name: str | None = None, axis: int = -1) -> Tensor:
    """Concatenated ReLU: relu(concat([x, -x], axis))."""
    from minitf.ops.nn_activation_ops import relu

    with name_scope(name, "CRelu", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        c = _array().concat([features, -features], axis, name="concat")
        return relu(c, name=scope)


def relu_layer(x: Any, weights: Any, biases: Any, name: str | None = None) -> Tensor:
    """relu(matmul(x, weights) + biases)."""
    from minitf.ops.nn_activation_ops import relu
    from minitf.ops.nn_conv_ops import bias_add

    with name_scope(name, "relu_layer", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        return relu(bias_add(_math().matmul(x, weights), biases), name=scope)


def swish(features: Any, name: str | None = None) -> Tensor:
    """x * sigmoid(x) (Ramachandran et al. 2017)."""
    m = _math()
    with name_scope(name, "swish", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        return m.multiply(features, m.sigmoid(features), name=scope)


def zero_fraction(value: Any, name: str | None = None) -> Tensor:
    """The fraction of zeros in ``value``, as a float32 scalar."""
    m = _math()
    with name_scope(name, "zero_fraction", [value]):
        value = convert_to_tensor(value, name="value")
        zero = convert_to_tensor(0, dtype=value.dtype.base_dtype)
        nonzero = m.cast(m.not_equal(value, zero), dtypes.float32)
        return m.subtract(convert_to_tensor(1.0, dtypes.float32), m.reduce_mean(nonzero),
                          name="fraction")
