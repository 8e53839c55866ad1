"""``tf.contrib.layers`` (TF 1.x): fully_connected, conv2d, pooling, flatten, dropout, maxout,
initializers and regularizers, built on :mod:`minitf.layers`.

Variables are named as in TF: ``fully_connected/weights``, ``fully_connected/biases``,
``Conv/weights``; they also go into ``tf.GraphKeys.MODEL_VARIABLES``.
"""

from __future__ import annotations

from typing import Any

from minitf.contrib.layers.initializers import (
    variance_scaling_initializer,
    xavier_initializer,
    xavier_initializer_conv2d,
)
from minitf.contrib.layers.regularizers import (
    apply_regularization,
    l1_l2_regularizer,
    l1_regularizer,
    l2_regularizer,
    sum_regularizer,
)
from minitf.framework.graph import GraphKeys, add_to_collections, name_scope
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.layers import convolutional as _conv
from minitf.layers import core as _core
from minitf.ops import init_ops
from minitf.ops import nn_ops as _nn_ops
from minitf.ops.nn_activation_ops import relu
from minitf.ops.nn_pooling_ops import avg_pool, max_pool
from minitf.ops.variable_scope import variable_scope

__all__ = ["fully_connected", "linear", "conv2d", "convolution2d", "max_pool2d", "avg_pool2d",
           "flatten", "dropout", "maxout", "xavier_initializer", "xavier_initializer_conv2d",
           "variance_scaling_initializer", "l1_regularizer", "l2_regularizer",
           "l1_l2_regularizer", "sum_regularizer", "apply_regularization", "dense_to_sparse"]

_RENAME = {"kernel": "weights", "bias": "biases"}


def _model_variable_getter(getter: Any, name: str, **kwargs: Any) -> Any:
    """Renames the core layers' ``kernel``/``bias`` to ``weights``/``biases`` and adds the
    variables to MODEL_VARIABLES (contrib's ``layer_variable_getter``)."""
    parts = name.split("/")
    parts[-1] = _RENAME.get(parts[-1], parts[-1])
    collections = list(kwargs.pop("collections", None) or [GraphKeys.GLOBAL_VARIABLES])
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.MODEL_VARIABLES):
        if key not in collections:
            collections.append(key)
    return getter(name="/".join(parts), collections=collections, **kwargs)


def _add_variable_to_collections(variable: Any, collections_set: Any, key: str) -> None:
    if isinstance(collections_set, dict):
        collections = collections_set.get(key)
    else:
        collections = collections_set
    if collections is None:
        return
    for name in [collections] if isinstance(collections, str) else collections:
        if variable not in _collection(name):
            add_to_collections(name, variable)


def _collection(name: str) -> list[Any]:
    from minitf.framework.graph import get_collection

    return get_collection(name)


def collect_named_outputs(collections: Any, alias: str, outputs: Any) -> Any:
    """Adds ``outputs`` to ``collections`` (contrib's ``utils``); TF also appends ``alias`` to
    ``outputs.aliases``, which minitf's Tensor (slotted) does not carry."""
    if collections:
        add_to_collections(collections, outputs)
    return outputs


def _variable_layer(layer_cls: Any, default_scope: str, layer_args: dict[str, Any],
                    inputs: Any, activation_fn: Any, normalizer_fn: Any, normalizer_params: Any,
                    weights_initializer: Any, weights_regularizer: Any,
                    biases_initializer: Any, biases_regularizer: Any, reuse: Any,
                    variables_collections: Any, outputs_collections: Any, trainable: bool,
                    scope: Any) -> Any:
    """Shared body of ``fully_connected`` and ``convolution2d``: a ``layer_cls`` layer (with
    ``layer_args``) of model variables ``weights``/``biases`` under ``scope`` (default
    ``default_scope``), then ``normalizer_fn`` and ``activation_fn``."""
    if weights_initializer is None:
        weights_initializer = xavier_initializer()
    if isinstance(biases_initializer, str):
        biases_initializer = init_ops.zeros_initializer()
    with variable_scope(scope, default_scope, [inputs], reuse=reuse,
                        custom_getter=_model_variable_getter) as sc:
        inputs = convert_to_tensor(inputs)
        layer = layer_cls(
            **layer_args, activation=None,
            use_bias=not normalizer_fn and biases_initializer is not None,
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
            trainable=trainable, name=sc.name, dtype=inputs.dtype.base_dtype, _scope=sc,
            _reuse=reuse)
        outputs = layer.apply(inputs)
        _add_variable_to_collections(layer.kernel, variables_collections, "weights")
        if layer.bias is not None:
            _add_variable_to_collections(layer.bias, variables_collections, "biases")
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


def fully_connected(inputs: Any, num_outputs: int, activation_fn: Any = relu,
                    normalizer_fn: Any = None, normalizer_params: Any = None,
                    weights_initializer: Any = None, weights_regularizer: Any = None,
                    biases_initializer: Any = "zeros", biases_regularizer: Any = None,
                    reuse: Any = None, variables_collections: Any = None,
                    outputs_collections: Any = None, trainable: bool = True,
                    scope: Any = None) -> Any:
    """A fully connected layer: ``activation_fn(normalizer_fn(inputs @ weights + biases))``.

    ``weights_initializer`` defaults to :func:`xavier_initializer`, ``biases_initializer`` to
    zeros (None: no biases); with a ``normalizer_fn`` there are no biases.
    """
    if not isinstance(num_outputs, int):
        raise ValueError(f"num_outputs type should be one of (int,), got {type(num_outputs)}.")
    return _variable_layer(
        _core.Dense, "fully_connected", {"units": num_outputs}, inputs, activation_fn,
        normalizer_fn, normalizer_params, weights_initializer, weights_regularizer,
        biases_initializer, biases_regularizer, reuse, variables_collections,
        outputs_collections, trainable, scope)


def linear(inputs: Any, num_outputs: int, **kwargs: Any) -> Any:
    """``fully_connected`` without an activation."""
    return fully_connected(inputs, num_outputs, activation_fn=None, **kwargs)


def convolution2d(inputs: Any, num_outputs: int, kernel_size: Any, stride: Any = 1,
                  padding: str = "SAME", data_format: str | None = None, rate: Any = 1,
                  activation_fn: Any = relu, normalizer_fn: Any = None,
                  normalizer_params: Any = None, weights_initializer: Any = None,
                  weights_regularizer: Any = None, biases_initializer: Any = "zeros",
                  biases_regularizer: Any = None, reuse: Any = None,
                  variables_collections: Any = None, outputs_collections: Any = None,
                  trainable: bool = True, scope: Any = None) -> Any:
    """A 2-D convolution layer (``tf.contrib.layers.conv2d``): variables ``Conv/weights``,
    ``Conv/biases``; SAME padding and ReLU by default."""
    if data_format not in (None, "NHWC", "NCHW"):
        raise ValueError(f"Invalid data_format: {data_format}")
    layer_args = {"filters": num_outputs, "kernel_size": kernel_size, "strides": stride,
                  "padding": padding,
                  "data_format": "channels_first" if data_format == "NCHW" else "channels_last",
                  "dilation_rate": rate}
    return _variable_layer(
        _conv.Conv2D, "Conv", layer_args, inputs, activation_fn, normalizer_fn,
        normalizer_params, weights_initializer, weights_regularizer, biases_initializer,
        biases_regularizer, reuse, variables_collections, outputs_collections, trainable, scope)


conv2d = convolution2d


def _pool2d(pool: Any, default: str, inputs: Any, kernel_size: Any, stride: Any, padding: str,
            data_format: str, outputs_collections: Any, scope: Any) -> Any:
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    with name_scope(scope, default, [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        k = _conv.normalize_tuple(kernel_size, 2, "kernel_size")
        s = _conv.normalize_tuple(stride, 2, "stride")
        if data_format == "NHWC":
            ksize, strides = [1, *k, 1], [1, *s, 1]
        else:
            ksize, strides = [1, 1, *k], [1, 1, *s]
        outputs = pool(inputs, ksize=ksize, strides=strides, padding=padding.upper(),
                       data_format=data_format)
        return collect_named_outputs(outputs_collections, sc, outputs)


def max_pool2d(inputs: Any, kernel_size: Any, stride: Any = 2, padding: str = "VALID",
               data_format: str = "NHWC", outputs_collections: Any = None,
               scope: Any = None) -> Any:
    """2-D max pooling (``tf.contrib.layers.max_pool2d``): ops under ``MaxPool2D/``."""
    return _pool2d(max_pool, "MaxPool2D", inputs, kernel_size, stride, padding, data_format,
                   outputs_collections, scope)


def avg_pool2d(inputs: Any, kernel_size: Any, stride: Any = 2, padding: str = "VALID",
               data_format: str = "NHWC", outputs_collections: Any = None,
               scope: Any = None) -> Any:
    """2-D average pooling (``tf.contrib.layers.avg_pool2d``): ops under ``AvgPool2D/``."""
    return _pool2d(avg_pool, "AvgPool2D", inputs, kernel_size, stride, padding, data_format,
                   outputs_collections, scope)


def flatten(inputs: Any, outputs_collections: Any = None, scope: Any = None) -> Any:
    """Flattens all but the batch dimension (``tf.contrib.layers.flatten``): ops under
    ``Flatten/flatten/``."""
    with name_scope(scope, "Flatten", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        outputs = _core.flatten(inputs)
        return collect_named_outputs(outputs_collections, sc, outputs)


def dense_to_sparse(tensor: Any, eos_token: Any = 0, outputs_collections: Any = None,
                    scope: Any = None) -> Any:
    """The SparseTensor of the entries of ``tensor`` not equal to ``eos_token``
    (``tf.contrib.layers.dense_to_sparse``)."""
    from minitf.framework import dtypes
    from minitf.framework.sparse_tensor import SparseTensor
    from minitf.ops import array_ops, math_ops

    with name_scope(scope, "dense_to_sparse", [tensor]) as sc:
        tensor = convert_to_tensor(tensor)
        eos = convert_to_tensor(eos_token, dtype=tensor.dtype)
        indices = array_ops.where(math_ops.not_equal(tensor, eos))
        values = array_ops.gather_nd(tensor, indices)
        shape = array_ops.shape(tensor, out_type=dtypes.int64)
        return collect_named_outputs(outputs_collections, sc, SparseTensor(indices, values, shape))


def dropout(inputs: Any, keep_prob: Any = 0.5, noise_shape: Any = None, is_training: Any = True,
            outputs_collections: Any = None, scope: Any = None, seed: int | None = None) -> Any:
    """Keeps each input with probability ``keep_prob`` while ``is_training`` (scaled by
    ``1 / keep_prob``), else identity (``tf.contrib.layers.dropout``)."""
    with variable_scope(scope, "Dropout", [inputs],
                        custom_getter=_model_variable_getter) as sc:
        inputs = convert_to_tensor(inputs)
        layer = _core.Dropout(rate=1 - keep_prob, noise_shape=noise_shape, seed=seed,
                              name=sc.name, _scope=sc)
        outputs = layer.apply(inputs, training=is_training)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


def maxout(inputs: Any, num_units: int, axis: int = -1, scope: Any = None) -> Any:
    """Maxout: the maximum over ``num_channels / num_units`` groups of features along ``axis``
    (``tf.contrib.layers.maxout``; the nn engineers' ``minitf.ops.nn_ops.maxout``)."""
    return _nn_ops.maxout(inputs, num_units, axis=axis, scope=scope)
