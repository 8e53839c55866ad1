"""Gradient clipping (``tf.clip_by_value``, ``tf.clip_by_norm``, ``tf.clip_by_global_norm``,
``tf.global_norm``, ``tf.clip_by_average_norm``): composites of math ops, as in TF, accepting
IndexedSlices (their values are clipped, indices kept). A non-finite global norm makes every
clipped value NaN, as in TF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.graph import get_default_graph, name_scope
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor

__all__ = ["clip_by_value", "clip_by_norm", "global_norm", "clip_by_global_norm",
           "clip_by_average_norm"]


def _values(t: Any, name: str) -> Tensor:
    return convert_to_tensor(t.values if isinstance(t, IndexedSlices) else t, name=name)


def _rewrap(clipped: Tensor, t: Any) -> Any:
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clipped, t.indices, t.dense_shape)
    return clipped


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any,
                  name: str | None = None) -> Any:
    """Elementwise ``min(max(t, clip_value_min), clip_value_max)``."""
    from minitf.ops import math_ops

    with name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        values = _values(t, "t")
        t_min = math_ops.minimum(values, clip_value_max)
        _assert_compatible(values, t_min)
        t_max = math_ops.maximum(t_min, clip_value_min, name=scope)
        _assert_compatible(values, t_max)
        return _rewrap(t_max, t)


def _assert_compatible(a: Tensor, b: Tensor) -> None:
    if not a.get_shape().is_compatible_with(b.get_shape()):
        raise ValueError(f"Shapes {a.get_shape()} and {b.get_shape()} are incompatible")


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None, name: str | None = None) -> Any:
    """``t * clip_norm / max(l2norm(t), clip_norm)`` (the L2 norm over ``axes``, or all)."""
    from minitf.ops import array_ops, math_ops

    with name_scope(name, "clip_by_norm", [t, clip_norm]) as scope:
        values = _values(t, "t")
        if np.isscalar(clip_norm):
            if clip_norm < 0:
                clip_norm = 0
        else:
            clip_norm = math_ops.cast(math_ops.maximum(clip_norm, 0), dtype=values.dtype)
        l2sum = math_ops.reduce_sum(values * values, axes, keepdims=True)
        pred = l2sum > 0
        l2sum_safe = array_ops.where(pred, l2sum, array_ops.ones_like(l2sum))
        l2norm = array_ops.where(pred, math_ops.sqrt(l2sum_safe), l2sum)
        intermediate = values * clip_norm
        _assert_compatible(values, intermediate)
        values_clip = array_ops.identity(intermediate / math_ops.maximum(l2norm, clip_norm),
                                         name=scope)
        return _rewrap(values_clip, t)


def _check_list(t_list: Any) -> list[Any]:
    if not isinstance(t_list, Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    return list(t_list)


def _l2_loss(v: Tensor) -> Tensor:
    try:
        from minitf.ops.nn_loss_ops import l2_loss
    except ImportError:  # pragma: no cover - before the nn ops exist
        from minitf.ops import math_ops

        return math_ops.reduce_sum(v * v) / 2
    return l2_loss(v)


def global_norm(t_list: Any, name: str | None = None) -> Tensor:
    """``sqrt(sum(l2norm(t) ** 2 for t in t_list))``; None entries are ignored."""
    from minitf.ops import array_ops, math_ops
    from minitf.ops.constant_op import constant

    t_list = _check_list(t_list)
    with name_scope(name, "global_norm", [t for t in t_list if t is not None]):
        values = [_values(t, f"t_{i}") if t is not None else None for i, t in enumerate(t_list)]
        g = get_default_graph()
        half_squared = []
        for v in values:
            if v is not None:
                with g.colocate_with(v.op):
                    half_squared.append(_l2_loss(v))
        half_squared_norm = math_ops.reduce_sum(array_ops.stack(half_squared))
        return math_ops.sqrt(half_squared_norm * constant(2.0, dtype=half_squared_norm.dtype),
                             name="global_norm")


def clip_by_global_norm(t_list: Any, clip_norm: Any, use_norm: Any = None,
                        name: str | None = None) -> tuple[list[Any], Tensor]:
    """Scales every tensor by ``clip_norm / max(global_norm, clip_norm)``; returns
    ``(clipped list, global norm)``. A NaN or infinite norm gives NaN values."""
    from minitf.ops import array_ops, math_ops
    from minitf.ops.constant_op import constant

    t_list = _check_list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    else:
        use_norm = convert_to_tensor(use_norm)
    with name_scope(name, "clip_by_global_norm",
                    [t for t in t_list if t is not None] + [clip_norm]) as scope:
        scale_for_finite = clip_norm * math_ops.minimum(
            1.0 / use_norm, constant(1.0, dtype=use_norm.dtype) / clip_norm)
        # NaN (not a silent pass-through) when use_norm is inf or NaN.
        scale = scale_for_finite + (use_norm - use_norm)
        values = [_values(t, f"t_{i}") if t is not None else None for i, t in enumerate(t_list)]
        clipped: list[Any] = []
        g = get_default_graph()
        for i, v in enumerate(values):
            if v is None:
                clipped.append(None)
                continue
            with g.colocate_with(v.op):
                clipped.append(array_ops.identity(v * math_ops.cast(scale, v.dtype),
                                                  name=f"{scope}_{i}"))
        out = [_rewrap(c, t) if c is not None else None for c, t in zip(clipped, t_list)]
    return out, use_norm


def clip_by_average_norm(t: Any, clip_norm: Any, name: str | None = None) -> Tensor:
    """``t * clip_norm / max(l2norm(t) / size(t), clip_norm)`` (deprecated in TF)."""
    from minitf.ops import array_ops, math_ops
    from minitf.ops.constant_op import constant

    with name_scope(name, "clip_by_average_norm", [t, clip_norm]) as scope:
        t = convert_to_tensor(t, name="t")
        n_element = math_ops.cast(array_ops.size(t), dtypes.float32)
        l2norm_inv = math_ops.rsqrt(math_ops.reduce_sum(
            t * t, math_ops.range_(array_ops.rank(t))))
        return array_ops.identity(
            t * clip_norm * math_ops.minimum(l2norm_inv * n_element,
                                             constant(1.0) / clip_norm), name=scope)
