"""``tf.layers.conv2d``, ``max_pooling2d``, ``average_pooling2d`` and their layer classes."""

from __future__ import annotations

from typing import Any

from minitf.framework.tensor_shape import TensorShape
from minitf.layers.base import KernelBiasLayer, Layer
from minitf.ops.nn_conv_ops import bias_add
from minitf.ops.nn_conv_ops import conv2d as nn_conv2d
from minitf.ops.nn_pooling_ops import avg_pool, max_pool

__all__ = ["Conv2D", "MaxPooling2D", "AveragePooling2D", "conv2d", "max_pooling2d",
           "average_pooling2d", "Convolution2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D"]


def normalize_tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    """An int or n ints as a tuple of n ints (Keras' ``conv_utils.normalize_tuple``)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        values = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: "
                         f"{value}") from None
    if len(values) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: "
                         f"{value}")
    return values


def normalize_padding(value: str) -> str:
    padding = value.lower() if isinstance(value, str) else value
    if padding not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. Received: "
                         f"{value}")
    return padding


def normalize_data_format(value: str | None) -> str:
    data_format = (value or "channels_last").lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: {value}")
    return data_format


def _nn_format(data_format: str) -> str:
    return "NCHW" if data_format == "channels_first" else "NHWC"


def _out_length(length: int | None, window: int, padding: str, stride: int,
                dilation: int = 1) -> int | None:
    if length is None:
        return None
    window = window + (window - 1) * (dilation - 1)
    if padding == "same":
        return (length + stride - 1) // stride
    return (length - window + stride) // stride


class _Conv(KernelBiasLayer):
    """An N-D convolution layer: ``kernel`` ``[*kernel_size, in, filters]``, ``bias``
    ``[filters]``; the rank-specific classes keep TF's signatures and their own ``call``."""

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any, padding: str,
                 data_format: str, dilation_rate: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = normalize_tuple(strides, rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate")

    def _channel_axis(self) -> int:
        return 1 if self.data_format == "channels_first" else -1

    def build(self, input_shape: TensorShape) -> None:
        shape = TensorShape(input_shape).with_rank(self.rank + 2).as_list()
        channels = shape[self._channel_axis()]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             "`None`.")
        self._build_kernel_bias(list(self.kernel_size) + [channels, self.filters],
                                [self.filters])

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        shape = TensorShape(input_shape).with_rank(self.rank + 2).as_list()
        first = self.data_format == "channels_first"
        spatial = shape[2:] if first else shape[1:-1]
        out = [_out_length(n, k, self.padding, s, d) for n, k, s, d in
               zip(spatial, self.kernel_size, self.strides, self.dilation_rate)]
        return TensorShape([shape[0], self.filters] + out if first else
                           [shape[0]] + out + [self.filters])


class Conv2D(_Conv):
    """2-D convolution: ``kernel`` ``[kh, kw, in, filters]``, ``bias`` ``[filters]``."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str = "channels_last",
                 dilation_rate: Any = (1, 1), activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = None, bias_initializer: Any = None,
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, trainable: bool = True, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         trainable=trainable, name=name, **kwargs)

    def call(self, inputs: Any) -> Any:
        fmt = _nn_format(self.data_format)
        if fmt == "NHWC":
            strides = [1, *self.strides, 1]
            dilations = [1, *self.dilation_rate, 1]
        else:
            strides = [1, 1, *self.strides]
            dilations = [1, 1, *self.dilation_rate]
        outputs = nn_conv2d(inputs, self.kernel, strides=strides, padding=self.padding.upper(),
                            data_format=fmt, dilations=dilations, name="Conv2D")
        if self.use_bias:
            outputs = bias_add(outputs, self.bias, data_format=fmt)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs



def conv2d(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1),
           padding: str = "valid", data_format: str = "channels_last",
           dilation_rate: Any = (1, 1), activation: Any = None, use_bias: bool = True,
           kernel_initializer: Any = None, bias_initializer: Any = None,
           kernel_regularizer: Any = None, bias_regularizer: Any = None,
           activity_regularizer: Any = None, kernel_constraint: Any = None,
           bias_constraint: Any = None, trainable: bool = True, name: str | None = None,
           reuse: Any = None) -> Any:
    """Functional interface of :class:`Conv2D` (``tf.layers.conv2d``)."""
    layer = Conv2D(filters, kernel_size, strides=strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                   use_bias=use_bias, kernel_initializer=kernel_initializer,
                   bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                   bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                   kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                   trainable=trainable, name=name, _reuse=reuse, _scope=name)
    return layer.apply(inputs)


class _Pooling2D(Layer):
    _pool: Any = None

    def __init__(self, pool_size: Any, strides: Any, padding: str = "valid",
                 data_format: str = "channels_last", name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.pool_size = normalize_tuple(pool_size, 2, "pool_size")
        self.strides = normalize_tuple(strides if strides is not None else pool_size, 2,
                                       "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)

    def call(self, inputs: Any) -> Any:
        fmt = _nn_format(self.data_format)
        if fmt == "NHWC":
            ksize, strides = [1, *self.pool_size, 1], [1, *self.strides, 1]
        else:
            ksize, strides = [1, 1, *self.pool_size], [1, 1, *self.strides]
        return type(self)._pool(inputs, ksize=ksize, strides=strides,
                                padding=self.padding.upper(), data_format=fmt)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        shape = TensorShape(input_shape).with_rank(4).as_list()
        first = self.data_format == "channels_first"
        spatial = shape[2:] if first else shape[1:3]
        out = [_out_length(n, k, self.padding, s) for n, k, s in
               zip(spatial, self.pool_size, self.strides)]
        return TensorShape([shape[0], shape[1]] + out if first else [shape[0]] + out
                           + [shape[3]])


class MaxPooling2D(_Pooling2D):
    """Max pooling over 2-D windows (``tf.layers.MaxPooling2D``)."""

    _pool = staticmethod(max_pool)


class AveragePooling2D(_Pooling2D):
    """Average pooling over 2-D windows (``tf.layers.AveragePooling2D``)."""

    _pool = staticmethod(avg_pool)


def max_pooling2d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                  data_format: str = "channels_last", name: str | None = None) -> Any:
    """Functional interface of :class:`MaxPooling2D` (``tf.layers.max_pooling2d``)."""
    return MaxPooling2D(pool_size, strides, padding=padding, data_format=data_format,
                        name=name).apply(inputs)


def average_pooling2d(inputs: Any, pool_size: Any, strides: Any, padding: str = "valid",
                      data_format: str = "channels_last", name: str | None = None) -> Any:
    """Functional interface of :class:`AveragePooling2D` (``tf.layers.average_pooling2d``)."""
    return AveragePooling2D(pool_size, strides, padding=padding, data_format=data_format,
                            name=name).apply(inputs)


Convolution2D = Conv2D
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
