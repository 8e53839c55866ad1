"""``tf.layers.batch_normalization`` and ``tf.layers.BatchNormalization`` (TF 1.x).

Variables ``gamma``, ``beta`` (trainable) and ``moving_mean``, ``moving_variance`` (not
trainable). In training the batch moments normalise the inputs and two ``AssignMovingAvg`` ops,
``moving -= (moving - batch) * (1 - momentum)``, go into ``tf.GraphKeys.UPDATE_OPS``: run them
with the train op (``tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS))``).

As TF, 4-D inputs normalised over axis 3 (or 1, NCHW) use one ``FusedBatchNormV3`` op (unless
``fused=False``), other ranks the ``moments`` + ``batchnorm`` route. As in TF, the fused route
updates the moving variance with the unbiased (Bessel-corrected) batch variance, the other with
the biased one. Deviations from TF: a ``training``
tensor (rather than a Python bool) takes the non-fused route and selects with ``Select`` ops
instead of ``tf.cond``; ``renorm``, ``virtual_batch_size`` and ``adjustment`` are not
supported.
"""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import colocate_with, name_scope
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.layers.base import Layer
from minitf.layers.core import static_bool
from minitf.ops import array_ops, constant_op, init_ops, math_ops, state_ops
from minitf.ops.nn_normalization_ops import batch_normalization as nn_batch_normalization
from minitf.ops.nn_normalization_ops import fused_batch_norm, moments

__all__ = ["BatchNormalization", "batch_normalization"]


class BatchNormalization(Layer):
    """Batch normalization layer (Ioffe and Szegedy, 2015)."""

    def __init__(self, axis: Any = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = None,
                 gamma_initializer: Any = None, moving_mean_initializer: Any = None,
                 moving_variance_initializer: Any = None, beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, renorm: bool = False,
                 renorm_clipping: Any = None, renorm_momentum: float = 0.99,
                 fused: Any = None, trainable: bool = True, virtual_batch_size: Any = None,
                 adjustment: Any = None, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("minitf's batch_normalization does not support renorm, "
                                      "virtual_batch_size or adjustment")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = beta_initializer or init_ops.zeros_initializer()
        self.gamma_initializer = gamma_initializer or init_ops.ones_initializer()
        self.moving_mean_initializer = moving_mean_initializer or init_ops.zeros_initializer()
        self.moving_variance_initializer = (moving_variance_initializer
                                            or init_ops.ones_initializer())
        self.beta_regularizer = beta_regularizer
        self.gamma_regularizer = gamma_regularizer
        self.beta_constraint = beta_constraint
        self.gamma_constraint = gamma_constraint
        self.fused = fused
        self.gamma: Any = None
        self.beta: Any = None
        self.moving_mean: Any = None
        self.moving_variance: Any = None

    def build(self, input_shape: TensorShape) -> None:
        input_shape = TensorShape(input_shape)
        if input_shape.ndims is None:
            raise ValueError(f"Input has undefined rank: {input_shape}")
        ndims = input_shape.ndims
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        axes = sorted(a + ndims if a < 0 else a for a in axes)
        for a in axes:
            if not 0 <= a < ndims:
                raise ValueError(f"Invalid axis: {a}")
        self.axis = axes
        if self.fused is not False:
            self.fused = ndims == 4 and axes in ([1], [3]) and \
                dtypes.as_dtype(self._dtype or "float32") in (dtypes.float32, dtypes.float16)
        dims = [input_shape.as_list()[a] for a in axes]
        if any(d is None for d in dims):
            raise ValueError(f"Input has undefined `axis` dimension. Input shape: {input_shape}")
        param_shape = dims if len(dims) > 1 else dims[:1]
        param_dtype = dtypes.float32 if self._dtype in ("float16", "bfloat16") else None
        if self.scale:
            self.gamma = self.add_weight("gamma", shape=param_shape, dtype=param_dtype,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", shape=param_shape, dtype=param_dtype,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", shape=param_shape, dtype=param_dtype,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape=param_shape,
                                               dtype=param_dtype,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def _assign_moving_average(self, variable: Any, value: Any, momentum: Any) -> Any:
        with name_scope(None, "AssignMovingAvg", [variable, value, momentum]) as scope:
            with colocate_with(variable):
                decay = convert_to_tensor(1.0 - momentum, name="decay")
                if decay.dtype != variable.dtype.base_dtype:
                    decay = math_ops.cast(decay, variable.dtype.base_dtype)
                update_delta = (variable - math_ops.cast(value, variable.dtype.base_dtype)) \
                    * decay
                return state_ops.assign_sub(variable, update_delta, name=scope)

    def _fused_call(self, inputs: Any, training: bool) -> Any:
        fmt = "NCHW" if self.axis == [1] else "NHWC"
        channels = inputs.get_shape().as_list()[self.axis[0]]
        gamma = self.gamma if self.scale else constant_op.constant(1.0, shape=[channels])
        beta = self.beta if self.center else constant_op.constant(0.0, shape=[channels])
        if not training:
            output, _, _ = fused_batch_norm(inputs, gamma, beta, mean=self.moving_mean,
                                            variance=self.moving_variance,
                                            epsilon=self.epsilon, is_training=False,
                                            data_format=fmt)
            return output
        output, mean, variance = fused_batch_norm(inputs, gamma, beta, epsilon=self.epsilon,
                                                  is_training=True, data_format=fmt)
        # As TF: the moving variance follows the op's Bessel-corrected batch variance.
        momentum = convert_to_tensor(self.momentum)
        self.add_update(self._assign_moving_average(self.moving_mean, mean, momentum))
        self.add_update(self._assign_moving_average(self.moving_variance, variance, momentum))
        return output

    def call(self, inputs: Any, training: Any = False) -> Any:
        known = static_bool(training)
        if self.fused and known is not None:
            return self._fused_call(inputs, known)
        shape = inputs.get_shape()
        ndims = shape.ndims
        reduction_axes = [i for i in range(ndims) if i not in self.axis]
        broadcast_shape = [1] * ndims
        for a in self.axis:
            broadcast_shape[a] = shape.as_list()[a]

        def _broadcast(v: Any) -> Any:
            if v is not None and len(v.get_shape()) != ndims and \
                    reduction_axes != list(range(ndims - 1)):
                return array_ops.reshape(v, broadcast_shape)
            return v

        scale, offset = _broadcast(self.gamma), _broadcast(self.beta)
        if known is False:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            keep_dims = len(self.axis) > 1
            mean, variance = moments(math_ops.cast(inputs, self.moving_mean.dtype.base_dtype),
                                     reduction_axes, keep_dims=keep_dims)
            if known is None:
                mean = array_ops.where(training, mean, self.moving_mean.value())
                variance = array_ops.where(training, variance, self.moving_variance.value())
            self.add_update(self._assign_moving_average(self.moving_mean, mean,
                                                        self.momentum))
            self.add_update(self._assign_moving_average(self.moving_variance, variance,
                                                        self.momentum))
        mean = math_ops.cast(mean, inputs.dtype.base_dtype)
        variance = math_ops.cast(variance, inputs.dtype.base_dtype)
        if offset is not None:
            offset = math_ops.cast(offset, inputs.dtype.base_dtype)
        if scale is not None:
            scale = math_ops.cast(scale, inputs.dtype.base_dtype)
        outputs = nn_batch_normalization(inputs, _broadcast(mean), _broadcast(variance), offset,
                                         scale, self.epsilon)
        outputs.set_shape(shape)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        return TensorShape(input_shape)


def batch_normalization(inputs: Any, axis: Any = -1, momentum: float = 0.99,
                        epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                        beta_initializer: Any = None, gamma_initializer: Any = None,
                        moving_mean_initializer: Any = None,
                        moving_variance_initializer: Any = None, beta_regularizer: Any = None,
                        gamma_regularizer: Any = None, beta_constraint: Any = None,
                        gamma_constraint: Any = None, training: Any = False,
                        trainable: bool = True, name: str | None = None, reuse: Any = None,
                        renorm: bool = False, renorm_clipping: Any = None,
                        renorm_momentum: float = 0.99, fused: Any = None,
                        virtual_batch_size: Any = None, adjustment: Any = None) -> Any:
    """Functional interface of :class:`BatchNormalization` (``tf.layers.batch_normalization``):
    the moving-average updates go into ``tf.GraphKeys.UPDATE_OPS``."""
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
        beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
        renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
        trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
        name=name, _reuse=reuse, _scope=name)
    return layer.apply(inputs, training=training)
