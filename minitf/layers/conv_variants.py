"""``tf.layers.conv1d``, ``conv2d_transpose`` and ``separable_conv2d`` and their layer classes
(TF 1.x legacy layers: variables ``conv1d/kernel``, ``conv2d_transpose/kernel`` [kh, kw, filters,
in], ``separable_conv2d/depthwise_kernel`` and ``pointwise_kernel``)."""

from __future__ import annotations

from typing import Any

from minitf.framework.tensor_shape import TensorShape
from minitf.layers.convolutional import (
    Conv2D,
    _Conv,
    _nn_format,
)
from minitf.ops import init_ops
from minitf.ops.nn_conv_ops import bias_add

__all__ = ["Conv1D", "Conv2DTranspose", "SeparableConv2D", "conv1d", "conv2d_transpose",
           "separable_conv2d", "Convolution1D", "Convolution2DTranspose",
           "SeparableConvolution2D"]


def _finish(layer: Any, outputs: Any, fmt: str) -> Any:
    if layer.use_bias:
        outputs = bias_add(outputs, layer.bias, data_format=fmt)
    if layer.activation is not None:
        outputs = layer.activation(outputs)
    return outputs


class Conv1D(_Conv):
    """1-D convolution: ``kernel`` ``[k, in, filters]`` (``tf.layers.Conv1D``)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str = "channels_last", dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = None,
                 bias_initializer: Any = None, kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 trainable: bool = True, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         trainable=trainable, name=name, **kwargs)

    def call(self, inputs: Any) -> Any:
        from minitf.ops.nn_composite_ops import conv1d as nn_conv1d

        fmt = "NCW" if self.data_format == "channels_first" else "NWC"
        outputs = nn_conv1d(inputs, self.kernel, stride=self.strides[0],
                            padding=self.padding.upper(), data_format=fmt,
                            dilations=self.dilation_rate[0], name="Conv1D")
        return _finish(self, outputs, "NCHW" if fmt == "NCW" else "NHWC")



def _deconv_length(length: Any, kernel: int, padding: str, stride: int) -> Any:
    """Keras' ``deconv_output_length`` (ints or scalar tensors)."""
    if length is None:
        return None
    if padding == "valid":
        return length * stride + max(kernel - stride, 0)
    return length * stride


class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution: ``kernel`` ``[kh, kw, filters, in]``
    (``tf.layers.Conv2DTranspose``)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str = "channels_last",
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = None,
                 bias_initializer: Any = None, kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 trainable: bool = True, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         trainable=trainable, name=name, **kwargs)

    def build(self, input_shape: TensorShape) -> None:
        shape = TensorShape(input_shape).with_rank(4).as_list()
        channels = shape[self._channel_axis()]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             "`None`.")
        self._build_kernel_bias(list(self.kernel_size) + [self.filters, channels],
                                [self.filters])

    def call(self, inputs: Any) -> Any:
        from minitf.ops import array_ops
        from minitf.ops.nn_conv_ops import conv2d_transpose as nn_conv2d_transpose

        first = self.data_format == "channels_first"
        h_axis, w_axis = (2, 3) if first else (1, 2)
        dynamic = array_ops.shape(inputs)
        static = inputs.get_shape().as_list()
        dims = [static[a] if static[a] is not None else dynamic[a] for a in (h_axis, w_axis)]
        out_h, out_w = (_deconv_length(d, k, self.padding, s)
                        for d, k, s in zip(dims, self.kernel_size, self.strides))
        batch = dynamic[0]
        output_shape = [batch, self.filters, out_h, out_w] if first else \
            [batch, out_h, out_w, self.filters]
        fmt = _nn_format(self.data_format)
        strides = [1, 1, *self.strides] if first else [1, *self.strides, 1]
        outputs = nn_conv2d_transpose(inputs, self.kernel, array_ops.stack(output_shape),
                                      strides=strides, padding=self.padding.upper(),
                                      data_format=fmt)
        outputs.set_shape(self.compute_output_shape(inputs.get_shape()))
        return _finish(self, outputs, fmt)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        shape = TensorShape(input_shape).with_rank(4).as_list()
        first = self.data_format == "channels_first"
        spatial = shape[2:] if first else shape[1:3]
        out = [_deconv_length(n, k, self.padding, s)
               for n, k, s in zip(spatial, self.kernel_size, self.strides)]
        return TensorShape([shape[0], self.filters] + out if first else
                           [shape[0]] + out + [self.filters])


class SeparableConv2D(Conv2D):
    """Depthwise then pointwise 2-D convolution: ``depthwise_kernel`` ``[kh, kw, in,
    depth_multiplier]``, ``pointwise_kernel`` ``[1, 1, in * depth_multiplier, filters]``
    (``tf.layers.SeparableConv2D``)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str = "channels_last",
                 dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = None, pointwise_initializer: Any = None,
                 bias_initializer: Any = None, depthwise_regularizer: Any = None,
                 pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None,
                 pointwise_constraint: Any = None, bias_constraint: Any = None,
                 trainable: bool = True, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, trainable=trainable, name=name,
                         **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = depthwise_initializer
        self.pointwise_initializer = pointwise_initializer
        self.depthwise_regularizer = depthwise_regularizer
        self.pointwise_regularizer = pointwise_regularizer
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint
        self.depthwise_kernel: Any = None
        self.pointwise_kernel: Any = None

    def build(self, input_shape: TensorShape) -> None:
        shape = TensorShape(input_shape).with_rank(4).as_list()
        channels = shape[self._channel_axis()]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             "`None`.")
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", shape=list(self.kernel_size) + [channels, self.depth_multiplier],
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", shape=[1, 1, channels * self.depth_multiplier, self.filters],
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=[self.filters],
                                        initializer=self.bias_initializer
                                        or init_ops.zeros_initializer(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs: Any) -> Any:
        from minitf.ops.nn_composite_ops import separable_conv2d as nn_separable_conv2d

        fmt = _nn_format(self.data_format)
        strides = [1, *self.strides, 1] if fmt == "NHWC" else [1, 1, *self.strides]
        outputs = nn_separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                      strides=strides, padding=self.padding.upper(),
                                      rate=list(self.dilation_rate), data_format=fmt)
        return _finish(self, outputs, fmt)


def conv1d(inputs: Any, filters: int, kernel_size: Any, strides: Any = 1,
           padding: str = "valid", data_format: str = "channels_last", dilation_rate: Any = 1,
           activation: Any = None, use_bias: bool = True, kernel_initializer: Any = None,
           bias_initializer: Any = None, kernel_regularizer: Any = None,
           bias_regularizer: Any = None, activity_regularizer: Any = None,
           kernel_constraint: Any = None, bias_constraint: Any = None, trainable: bool = True,
           name: str | None = None, reuse: Any = None) -> Any:
    """Functional interface of :class:`Conv1D` (``tf.layers.conv1d``)."""
    return Conv1D(filters, kernel_size, strides=strides, padding=padding,
                  data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                  use_bias=use_bias, kernel_initializer=kernel_initializer,
                  bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                  bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                  trainable=trainable, name=name, _reuse=reuse, _scope=name).apply(inputs)


def conv2d_transpose(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1),
                     padding: str = "valid", data_format: str = "channels_last",
                     activation: Any = None, use_bias: bool = True,
                     kernel_initializer: Any = None, bias_initializer: Any = None,
                     kernel_regularizer: Any = None, bias_regularizer: Any = None,
                     activity_regularizer: Any = None, kernel_constraint: Any = None,
                     bias_constraint: Any = None, trainable: bool = True,
                     name: str | None = None, reuse: Any = None) -> Any:
    """Functional interface of :class:`Conv2DTranspose` (``tf.layers.conv2d_transpose``)."""
    return Conv2DTranspose(
        filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
        activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
        kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
        trainable=trainable, name=name, _reuse=reuse, _scope=name).apply(inputs)


def separable_conv2d(inputs: Any, filters: int, kernel_size: Any, strides: Any = (1, 1),
                     padding: str = "valid", data_format: str = "channels_last",
                     dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                     activation: Any = None, use_bias: bool = True,
                     depthwise_initializer: Any = None, pointwise_initializer: Any = None,
                     bias_initializer: Any = None, depthwise_regularizer: Any = None,
                     pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                     activity_regularizer: Any = None, depthwise_constraint: Any = None,
                     pointwise_constraint: Any = None, bias_constraint: Any = None,
                     trainable: bool = True, name: str | None = None, reuse: Any = None) -> Any:
    """Functional interface of :class:`SeparableConv2D` (``tf.layers.separable_conv2d``)."""
    return SeparableConv2D(
        filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
        dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
        use_bias=use_bias, depthwise_initializer=depthwise_initializer,
        pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
        depthwise_regularizer=depthwise_regularizer,
        pointwise_regularizer=pointwise_regularizer, bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
        pointwise_constraint=pointwise_constraint, bias_constraint=bias_constraint,
        trainable=trainable, name=name, _reuse=reuse, _scope=name).apply(inputs)


Convolution1D = Conv1D
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
