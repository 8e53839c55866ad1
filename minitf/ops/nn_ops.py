"""Neural-network ops. Importing this module registers every nn op type: it imports the family
modules (activations, convolutions, pooling, losses, normalization, embeddings, candidate
sampling) and defines the remaining small ones here: TopKV2, InTopKV2, and the composites
dropout, xw_plus_b and maxout.

The public ``tf.nn`` namespace is :mod:`minitf.nn`; ``__all__`` here is empty so that the
top-level ``minitf`` namespace does not receive nn names.
"""

from __future__ import annotations

import numbers
from collections import namedtuple
from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import (  # noqa: F401 - imported to register their op types
    nn_activation_ops,
    nn_composite_ops,
    nn_conv_ops,
    nn_embedding_ops,
    nn_loss_ops,
    nn_normalization_ops,
    nn_pooling_ops,
    nn_sampling_ops,
)

__all__: list[str] = []

REALS = "{float16, float32, float64, int8, int16, int32, int64, uint8, uint16}"
TopKV2Result = namedtuple("TopKV2", ["values", "indices"])


def _math() -> Any:
    from minitf.ops import math_ops

    return math_ops


def _array() -> Any:
    from minitf.ops import array_ops

    return array_ops


# --- top_k ---------------------------------------------------------------------------------------

def _top_k_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value

    x = op.inputs[0].get_shape().with_rank_at_least(1)
    op.inputs[1].get_shape().with_rank(0)
    k_val = constant_value(op.inputs[1])
    k = None if k_val is None else int(k_val)
    if k is not None and k < 0:
        raise ValueError(f"Need k >= 0, got {k}")
    if x.ndims is None:
        return [TensorShape(None), TensorShape(None)]
    dims = x.as_list()
    if k is not None and dims[-1] is not None and dims[-1] < k:
        raise ValueError(f"input must have last dimension >= k = {k} but is {dims[-1]}")
    out = TensorShape(dims[:-1] + [k])
    return [out, out]


def top_k_order(x: np.ndarray) -> np.ndarray:
    """Indices sorting the last axis descending; NaN first, ties by lower index (as TF)."""
    n = x.shape[-1]
    flipped = np.argsort(np.flip(x, -1), axis=-1, kind="stable")
    return (n - 1) - np.flip(flipped, -1)


def _top_k_ref(x: Any, k: Any, sorted: bool = True,  # noqa: A002 - TF's attr name
               index_type: Any = None) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x)
    k = int(k)
    if x.ndim < 1:
        raise errors.InvalidArgumentError(None, None, "input must be >= 1-D, got shape []")
    if k < 0:
        raise errors.InvalidArgumentError(None, None, f"Need k >= 0, got {k}")
    if x.shape[-1] < k:
        raise errors.InvalidArgumentError(None, None, f"input must have at least k columns. "
                                                      f"Had {x.shape[-1]}, needed {k}")
    it = np.int32 if index_type is None else index_type.as_numpy_dtype
    idx = top_k_order(x)[..., :k] if x.size else np.zeros(x.shape[:-1] + (k,), np.int64)
    return np.take_along_axis(x, idx, axis=-1), idx.astype(it)


register_op("TopKV2", inputs=["input: T", "k: Tk"], outputs=["values: T", "indices: index_type"],
            attrs=["sorted: bool = true", f"T: {REALS}", "Tk: {int16, int32, int64} = int32",
                   "index_type: {int16, int32, int64} = int32"],
            shape=_top_k_shape, reference=_top_k_ref, kernel_attrs=("sorted", "index_type"))


@RegisterGradient("TopKV2")
def _top_k_grad(op: Any, grad: Tensor, _: Any) -> Any:
    """Scatters the gradient of the values back to the selected positions."""
    m, a = _math(), _array()
    x, idx = op.inputs[0], op.outputs[1]
    in_shape = a.shape(x)
    n = a.gather(in_shape, a.size(in_shape) - 1)
    idx2 = a.reshape(m.cast(idx, "int32"), a.stack([-1, a.gather(a.shape(idx),
                                                                   a.size(a.shape(idx)) - 1)]))
    rows = a.shape(idx2)[0]
    offsets = a.expand_dims(m.range_(0, rows * n, n), -1)
    flat = a.reshape(idx2 + offsets, [-1])
    total = m.reduce_prod(in_shape)
    dense = m.unsorted_segment_sum(a.reshape(grad, [-1]), flat, total)
    return [a.reshape(dense, in_shape), None]


def top_k(input: Any, k: Any = 1, sorted: bool = True,  # noqa: A002
          name: str | None = None) -> Any:
    """The k largest entries of the last axis and their indices (``tf.nn.top_k``)."""
    values, indices = apply_op("TopKV2", name=name or "TopKV2", input=input, k=k, sorted=sorted)
    return TopKV2Result(values, indices)


# --- in_top_k ------------------------------------------------------------------------------------

def _in_top_k_ref(predictions: Any, targets: Any, k: Any) -> np.ndarray:
    p = np.asarray(predictions)
    t = np.asarray(targets).astype(np.int64)
    if p.ndim != 2 or t.ndim != 1 or p.shape[0] != t.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, f"First dimension of predictions {p.shape[0] if p.ndim else 0} must "
                        f"match length of targets {t.shape[0] if t.ndim else 0}")
    n = p.shape[1]
    valid = (t >= 0) & (t < n)
    if not p.size:
        return np.zeros(p.shape[0], dtype=bool)
    target_pred = p[np.arange(p.shape[0]), np.where(valid, t, 0)]
    finite_row = np.all(np.isfinite(p), axis=1)
    more = np.sum(p > target_pred[:, None], axis=1)
    return valid & finite_row & (more < int(k))


def _in_top_k_shape(op: Any) -> list[TensorShape]:
    p = op.inputs[0].get_shape().with_rank(2)
    t = op.inputs[1].get_shape().with_rank(1)
    op.inputs[2].get_shape().with_rank(0)
    batch = p.dims[0].merge_with(t.dims[0]) if p.dims and t.dims else \
        (p.dims[0] if p.dims else (t.dims[0] if t.dims else None))
    return [TensorShape([batch])]


register_op("InTopKV2", inputs=["predictions: float32", "targets: T", "k: T"],
            outputs=["precision: bool"], attrs=["T: {int32, int64} = int32"],
            shape=_in_top_k_shape, reference=_in_top_k_ref)
NotDifferentiable("InTopKV2")


def in_top_k(predictions: Any, targets: Any, k: Any, name: str | None = None) -> Tensor:
    """Whether each target is among the k largest predictions of its row; a row holding a
    non-finite prediction, or an out-of-range target, gives False."""
    with name_scope(name, "in_top_k"):
        return apply_op("InTopKV2", name=name or "InTopKV2", predictions=predictions,
                        targets=targets, k=k)


# --- composites ----------------------------------------------------------------------------------

def _noise_shape(x: Tensor, noise_shape: Any) -> Any:
    if noise_shape is None:
        return _array().shape(x)
    try:
        dims = list(noise_shape)
    except TypeError:
        return noise_shape
    xs = x.get_shape()
    if xs.ndims is not None and len(dims) == xs.ndims:
        filled = [xs.as_list()[i] if d is None else d for i, d in enumerate(dims)]
        if all(d is not None for d in filled):
            return np.array(filled, dtype=np.int32)
    return noise_shape


def dropout(x: Any, keep_prob: Any = None, noise_shape: Any = None, seed: Any = None,
            name: str | None = None, rate: Any = None) -> Tensor:
    """Keeps each element with probability keep_prob (= 1 - rate), scaled by 1 / keep_prob
    (TF 1.x: ``x / keep_prob * floor(keep_prob + uniform[0, 1))``)."""
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'rate' and 'keep_prob'.")
    if keep_prob is None and rate is None:
        raise ValueError("You must provide a rate to dropout.")
    m = _math()
    with name_scope(name, "dropout", [x]):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError(f"x has to be a floating point tensor since it's going to be "
                             f"scaled. Got a {x.dtype.name} tensor instead.")
        if keep_prob is None:
            if isinstance(rate, numbers.Real) and not 0 <= rate < 1:
                raise ValueError(f"rate must be a scalar tensor or a float in the range [0, 1), "
                                 f"got {rate}")
            keep_prob = 1 - rate
        elif isinstance(keep_prob, numbers.Real) and not 0 < keep_prob <= 1:
            raise ValueError(f"keep_prob must be a scalar tensor or a float in the range (0, 1],"
                             f" got {keep_prob}")
        keep_prob = convert_to_tensor(keep_prob, dtype=x.dtype.base_dtype, name="keep_prob")
        keep_prob.get_shape().assert_is_compatible_with(TensorShape([]))
        from minitf.framework.constant_value import constant_value

        kv = constant_value(keep_prob)
        if kv is not None and float(kv) == 1:
            return x
        uniform = _random_uniform(_noise_shape(x, noise_shape), seed, x.dtype.base_dtype)
        random_tensor = keep_prob + uniform
        binary = m.floor(random_tensor)
        ret = m.div(x, keep_prob) * binary
        ret.set_shape(x.get_shape())
        return ret


def _random_uniform(shape: Any, seed: Any, dtype: Any) -> Tensor:
    from minitf.ops import random_ops

    return random_ops.random_uniform(shape, seed=seed, dtype=dtype)


def xw_plus_b(x: Any, weights: Any, biases: Any, name: str | None = None) -> Tensor:
    """matmul(x, weights) + biases (``tf.nn.xw_plus_b``)."""
    from minitf.ops.nn_conv_ops import bias_add

    with name_scope(name, "xw_plus_b", [x, weights, biases]) as scope:
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(weights, name="weights")
        biases = convert_to_tensor(biases, name="biases")
        return bias_add(_math().matmul(x, weights), biases, name=scope)


def maxout(inputs: Any, num_units: int, axis: int = -1, scope: str | None = None) -> Tensor:
    """Maxout (Goodfellow et al. 2013): the max over groups of num_channels / num_units
    features along ``axis`` (``tf.contrib.layers.maxout``'s math; the gradient goes to the
    maximum of each group)."""
    a, m = _array(), _math()
    with name_scope(scope, "MaxOut", [inputs]):
        inputs = convert_to_tensor(inputs)
        shape = inputs.get_shape().as_list()
        num_channels = shape[axis]
        if num_channels is None:
            raise ValueError("maxout needs the number of features along axis to be known")
        if num_channels % num_units:
            raise ValueError(f"number of features({num_channels}) is not a multiple of "
                             f"num_units({num_units})")
        if axis < 0:
            axis += len(shape)
        shape[axis] = num_units
        shape += [num_channels // num_units]
        unknown = [i for i, d in enumerate(shape) if d is None]
        if len(unknown) <= 1:
            target: Any = np.array([-1 if d is None else d for d in shape], dtype=np.int32)
        else:
            dyn = a.shape(inputs)
            target = a.stack([dyn[i] if d is None else d for i, d in enumerate(shape)])
        return m.reduce_max(a.reshape(inputs, target), -1, keepdims=False)
