"""contrib's weight regularizers (``tf.contrib.layers.l2_regularizer`` ...)."""

from __future__ import annotations

import numbers
from typing import Any

from minitf.framework.graph import GraphKeys, get_collection, name_scope
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.ops import math_ops
from minitf.ops.nn_loss_ops import l2_loss

__all__ = ["l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer",
           "apply_regularization"]


def _check_scale(scale: Any) -> bool:
    """False when the scale disables the regularizer."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"scale cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}")
        return scale != 0.0
    return True


def l1_regularizer(scale: Any, scope: str | None = None) -> Any:
    """``scale * sum(|w|)``."""
    if not _check_scale(scale):
        return lambda _: None

    def l1(weights: Any) -> Any:
        with name_scope(scope, "l1_regularizer", [weights]) as name:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return math_ops.multiply(my_scale, math_ops.reduce_sum(math_ops.abs(weights)),
                                     name=name)

    return l1


def l2_regularizer(scale: Any, scope: str | None = None) -> Any:
    """``scale * sum(w ** 2) / 2`` (``tf.nn.l2_loss``)."""
    if not _check_scale(scale):
        return lambda _: None

    def l2(weights: Any) -> Any:
        with name_scope(scope, "l2_regularizer", [weights]) as name:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return math_ops.multiply(my_scale, l2_loss(weights), name=name)

    return l2


def sum_regularizer(regularizer_list: Any, scope: str | None = None) -> Any:
    """The sum of several regularizers."""
    regularizer_list = [r for r in regularizer_list if r]
    if not regularizer_list:
        return None

    def sum_reg(weights: Any) -> Any:
        with name_scope(scope, "sum_regularizer", [weights]) as name:
            terms = [r(weights) for r in regularizer_list]
            terms = [t for t in terms if t is not None]
            return math_ops.add_n(terms, name=name)

    return sum_reg


def l1_l2_regularizer(scale_l1: float = 1.0, scale_l2: float = 1.0,
                      scope: str | None = None) -> Any:
    """``l1_regularizer(scale_l1) + l2_regularizer(scale_l2)``."""
    if isinstance(scale_l1, numbers.Real) and isinstance(scale_l2, numbers.Real) \
            and scale_l1 == 0.0 and scale_l2 == 0.0:
        return lambda _: None
    scope = scope or "l1_l2_regularizer"
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer: Any, weights_list: Any = None) -> Any:
    """The sum of ``regularizer(w)`` over ``weights_list`` (default: the WEIGHTS collection),
    added to REGULARIZATION_LOSSES."""
    if not weights_list:
        weights_list = get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p for p in penalties if p is not None]
        if not penalties:
            raise ValueError("No regularization penalties were applied.")
        summed = math_ops.add_n(penalties, name=scope)
        from minitf.framework.graph import add_to_collection

        add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
        return summed
