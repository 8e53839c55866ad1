"""``tf.layers.dense``, ``dropout``, ``flatten`` and their layer classes (TF 1.x)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from minitf.framework.constant_value import constant_value
from minitf.framework.tensor_shape import TensorShape
from minitf.layers.base import KernelBiasLayer, Layer
from minitf.ops import array_ops, init_ops, math_ops, nn_ops
from minitf.ops.constant_op import constant
from minitf.ops.nn_conv_ops import bias_add

__all__ = ["Dense", "Dropout", "Flatten", "dense", "dropout", "flatten"]


class Dense(KernelBiasLayer):
    """``outputs = activation(inputs @ kernel + bias)``; variables ``kernel`` ``[in, units]`` and
    ``bias`` ``[units]``. Inputs of rank > 2 contract their last axis (``Tensordot``)."""

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = None, bias_initializer: Any = None,
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, trainable: bool = True, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         trainable=trainable, name=name, **kwargs)
        self.units = int(units)
        if self.units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive "
                             f"integer, got {units}.")

    def build(self, input_shape: TensorShape) -> None:
        last_dim = TensorShape(input_shape)[-1] if TensorShape(input_shape).ndims else None
        if last_dim is None or getattr(last_dim, "value", last_dim) is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             "Found `None`.")
        last_dim = int(getattr(last_dim, "value", last_dim))
        self._build_kernel_bias([last_dim, self.units], [self.units])

    def call(self, inputs: Any) -> Any:
        if inputs.dtype.base_dtype != self.kernel.dtype.base_dtype:
            inputs = math_ops.cast(inputs, self.kernel.dtype.base_dtype)
        rank = inputs.get_shape().ndims
        if rank == 2 or rank is None:
            outputs = math_ops.matmul(inputs, self.kernel)
        else:
            outputs = math_ops.tensordot(inputs, self.kernel, [[rank - 1], [0]])
            outputs.set_shape(inputs.get_shape().as_list()[:-1] + [self.units])
        if self.use_bias:
            outputs = bias_add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return TensorShape(TensorShape(input_shape).as_list()[:-1] + [self.units])


def dense(inputs: Any, units: int, activation: Any = None, use_bias: bool = True,
          kernel_initializer: Any = None, bias_initializer: Any = None,
          kernel_regularizer: Any = None, bias_regularizer: Any = None,
          activity_regularizer: Any = None, kernel_constraint: Any = None,
          bias_constraint: Any = None, trainable: bool = True, name: str | None = None,
          reuse: Any = None) -> Any:
    """Functional interface of :class:`Dense` (``tf.layers.dense``)."""
    layer = Dense(units, activation=activation, use_bias=use_bias,
                  kernel_initializer=kernel_initializer,
                  bias_initializer=bias_initializer if bias_initializer is not None
                  else init_ops.zeros_initializer(),
                  kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                  activity_regularizer=activity_regularizer,
                  kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                  trainable=trainable, name=name, _scope=name, _reuse=reuse)
    return layer.apply(inputs)


def static_bool(value: Any) -> bool | None:
    """The Python truth of ``training``, or None when only known at run time."""
    if isinstance(value, (bool, np.bool_, numbers.Number)):
        return bool(value)
    try:
        known = constant_value(value)
    except (TypeError, ValueError):
        known = None
    return None if known is None else bool(known)


class Dropout(Layer):
    """Drops ``rate`` of the inputs during training and scales the rest by ``1 / (1 - rate)``.

    ``training`` may be a Python bool or a boolean tensor. A tensor selects the rate at run time
    (``rate * cast(training)``: with 0 the mask is all ones), where TF builds a ``tf.cond``;
    the values are the same.
    """

    def __init__(self, rate: float = 0.5, noise_shape: Any = None, seed: int | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs: Any, training: Any = False) -> Any:
        if isinstance(self.rate, numbers.Real) and self.rate == 0:
            return array_ops.identity(inputs)
        known = static_bool(training)
        if known is False:
            return array_ops.identity(inputs)
        rate: Any = self.rate
        if known is None:
            rate = math_ops.multiply(math_ops.cast(training, inputs.dtype.base_dtype), rate,
                                     name="rate")
        return nn_ops.dropout(inputs, rate=rate, noise_shape=self.noise_shape, seed=self.seed)

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return TensorShape(input_shape)


def dropout(inputs: Any, rate: float = 0.5, noise_shape: Any = None, seed: int | None = None,
            training: Any = False, name: str | None = None) -> Any:
    """Functional interface of :class:`Dropout` (``tf.layers.dropout``): identity unless
    ``training``."""
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer.apply(inputs, training=training)


class Flatten(Layer):
    """Flattens all but the first (batch) dimension."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs: Any) -> Any:
        shape = inputs.get_shape()
        if self.data_format == "channels_first" and shape.ndims and shape.ndims > 2:
            perm = [0] + list(range(2, shape.ndims)) + [1]
            inputs = array_ops.transpose(inputs, perm)
            shape = inputs.get_shape()
        if shape.ndims == 1:
            return array_ops.expand_dims(inputs, 1)
        dims = shape.as_list()[1:] if shape.ndims is not None else None
        if dims is not None and all(d is not None for d in dims):
            flat = constant([-1, int(np.prod(dims, dtype=np.int64))])
            return array_ops.reshape(inputs, flat)
        batch = shape.as_list()[0] if shape.ndims is not None else None
        if batch is not None:
            return array_ops.reshape(inputs, [batch, -1])
        return array_ops.reshape(inputs, array_ops.stack([array_ops.shape(inputs)[0], -1]))

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        dims = TensorShape(input_shape).as_list()
        rest = dims[1:]
        flat = int(np.prod(rest)) if all(d is not None for d in rest) else None
        return TensorShape([dims[0], flat])


def flatten(inputs: Any, name: str | None = None, data_format: str = "channels_last") -> Any:
    """Flattens an input tensor while preserving the batch axis (``tf.layers.flatten``)."""
    return Flatten(name=name, data_format=data_format).apply(inputs)
