"""Weights that broadcast to values (TF's ``weights_broadcast_ops``, used by ``tf.losses`` and
``tf.metrics``), and ``remove_squeezable_dimensions`` (TF's ``confusion_matrix`` helper).

A weight broadcasts to values when it is a scalar, or has the values' rank with every dimension
1 or equal to the values' dimension. Static shapes are checked when the graph is built; otherwise
an Assert runs (its dynamic check compares dimensions directly, where TF uses a set difference:
same verdict, different ops).
"""

from __future__ import annotations

from typing import Any

from minitf.framework.constant_value import constant_value
from minitf.framework.graph import control_dependencies, name_scope
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor

__all__ = ["assert_broadcastable", "broadcast_weights", "remove_squeezable_dimensions"]

_PREFIX = "weights can not be broadcast to values."


def _has_valid_nonscalar_shape(weights_rank: Tensor, weights_shape: Tensor,
                               values_rank: Tensor, values_shape: Tensor) -> Tensor:
    from minitf.ops import math_ops
    from minitf.ops.control_flow_cond import cond

    with name_scope(None, "has_valid_nonscalar_shape",
                    [weights_rank, weights_shape, values_rank, values_shape]) as scope:
        is_same_rank = math_ops.equal(values_rank, weights_rank, name="is_same_rank")

        def valid_dims() -> Tensor:
            with name_scope(None, "has_invalid_dims", [weights_shape, values_shape]) as s:
                ok = math_ops.logical_or(math_ops.equal(weights_shape, values_shape),
                                         math_ops.equal(weights_shape, 1))
                return math_ops.reduce_all(ok, name=s)

        return cond(is_same_rank, valid_dims, lambda: is_same_rank, name=scope)


def assert_broadcastable(weights: Any, values: Any) -> Operation:
    """An op checking that ``weights`` broadcast to ``values`` (a NoOp when static shapes
    decide; ValueError when they decide against)."""
    from minitf.ops import array_ops, math_ops
    from minitf.ops.control_flow_cond import cond
    from minitf.ops.control_flow_ops import no_op
    from minitf.ops.logging_ops import Assert

    with name_scope(None, "assert_broadcastable", [weights, values]) as scope:
        with name_scope(None, "weights", [weights]) as weights_scope:
            weights = convert_to_tensor(weights, name=weights_scope)
            weights_shape = array_ops.shape(weights, name="shape")
            weights_rank = array_ops.rank(weights, name="rank")
        weights_rank_static = constant_value(weights_rank)
        with name_scope(None, "values", [values]) as values_scope:
            values = convert_to_tensor(values, name=values_scope)
            values_shape = array_ops.shape(values, name="shape")
            values_rank = array_ops.rank(values, name="rank")
        values_rank_static = constant_value(values_rank)
        if weights_rank_static is not None and values_rank_static is not None:
            if int(weights_rank_static) == 0:
                return no_op(name="static_scalar_check_success")
            if int(weights_rank_static) != int(values_rank_static):
                raise ValueError(
                    f"{_PREFIX} values.rank={int(values_rank_static)}. weights.rank="
                    f"{int(weights_rank_static)}. values.shape={values.get_shape()}. "
                    f"weights.shape={weights.get_shape()}. Received weights={weights}, "
                    f"values={values}")
            w_static = constant_value(weights_shape)
            v_static = constant_value(values_shape)
            if w_static is not None and v_static is not None:
                for i, (w, v) in enumerate(zip(w_static.tolist(), v_static.tolist())):
                    if w not in (1, v):
                        raise ValueError(
                            f"{_PREFIX} Mismatch at dim {i}. values.shape={v_static.tolist()},"
                            f" weights.shape={w_static.tolist()}. Received weights={weights},"
                            f" values={values}")
                return no_op(name="static_dims_check_success")
        is_scalar = math_ops.equal(0, weights_rank, name="is_scalar")
        data = [_PREFIX, "weights.shape=", weights.name, weights_shape, "values.shape=",
                values.name, values_shape, "is_scalar=", is_scalar]
        is_valid_shape = cond(is_scalar, lambda: is_scalar,
                              lambda: _has_valid_nonscalar_shape(weights_rank, weights_shape,
                                                                 values_rank, values_shape),
                              name="is_valid_shape")
        return Assert(is_valid_shape, data, name=scope)


def broadcast_weights(weights: Any, values: Any) -> Tensor:
    """``weights`` broadcast to the shape of ``values`` (``weights * ones_like(values)``
    after the broadcast check), or ``weights`` itself when the static shapes already agree."""
    from minitf.ops import array_ops, math_ops

    with name_scope(None, "broadcast_weights", [weights, values]) as scope:
        values = convert_to_tensor(values, name="values")
        weights = convert_to_tensor(weights, dtype=values.dtype.base_dtype, name="weights")
        ws, vs = weights.get_shape(), values.get_shape()
        if ws.is_fully_defined() and vs.is_fully_defined() and ws.is_compatible_with(vs):
            return weights
        with control_dependencies([assert_broadcastable(weights, values)]):
            return math_ops.multiply(weights, array_ops.ones_like(values), name=scope)


def remove_squeezable_dimensions(labels: Any, predictions: Any, expected_rank_diff: int = 0,
                                 name: str | None = None) -> tuple[Tensor, Tensor]:
    """Squeezes a last dimension of size 1 from ``labels`` or ``predictions`` so that their
    ranks differ by ``expected_rank_diff`` (statically when the ranks are known)."""
    from minitf.ops import array_ops, math_ops
    from minitf.ops.control_flow_cond import cond

    with name_scope(name, "remove_squeezable_dimensions", [labels, predictions]):
        predictions = convert_to_tensor(predictions)
        labels = convert_to_tensor(labels)
        p_shape, l_shape = predictions.get_shape(), labels.get_shape()
        p_rank, l_rank = p_shape.ndims, l_shape.ndims
        if p_rank is not None and l_rank is not None:
            diff = p_rank - l_rank
            if diff == expected_rank_diff + 1 and p_shape.dims[-1].is_compatible_with(1):
                predictions = array_ops.squeeze(predictions, [-1])
            elif diff == expected_rank_diff - 1 and l_shape.dims[-1].is_compatible_with(1):
                labels = array_ops.squeeze(labels, [-1])
            return labels, predictions
        rank_diff = array_ops.rank(predictions) - array_ops.rank(labels)
        if p_rank is None or p_shape.dims[-1].is_compatible_with(1):
            p = predictions
            predictions = cond(math_ops.equal(expected_rank_diff + 1, rank_diff),
                               lambda: array_ops.squeeze(p, [-1]), lambda: p)
        if l_rank is None or l_shape.dims[-1].is_compatible_with(1):
            lab = labels
            labels = cond(math_ops.equal(expected_rank_diff - 1, rank_diff),
                          lambda: array_ops.squeeze(lab, [-1]), lambda: lab)
        return labels, predictions

