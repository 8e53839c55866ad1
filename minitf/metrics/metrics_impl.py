"""Streaming metrics (``tf.metrics``, TF 1.x), built as TF builds them.

Each metric keeps its running state in local variables (collections LOCAL_VARIABLES and
METRIC_VARIABLES, e.g. ``accuracy/total`` and ``accuracy/count``; initialize them with
``tf.local_variables_initializer()``) and returns ``(value, update_op)``: running ``update_op``
folds a batch into the state and returns the updated metric; ``value`` reads the metric without
changing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minitf.framework import dtypes
from minitf.framework.constant_value import constant_value
from minitf.framework.graph import (
    GraphKeys,
    add_to_collections,
    control_dependencies,
    name_scope,
)
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor

__all__ = ["metric_variable", "mean", "mean_tensor", "accuracy", "mean_absolute_error",
           "mean_squared_error", "root_mean_squared_error", "mean_relative_error",
           "mean_cosine_distance", "percentage_below", "true_positives", "false_positives",
           "true_negatives", "false_negatives", "precision", "recall"]


def _m() -> Any:
    from minitf.ops import math_ops

    return math_ops


def _a() -> Any:
    from minitf.ops import array_ops

    return array_ops


def metric_variable(shape: Any, dtype: Any, validate_shape: bool = True,
                    name: str | None = None) -> Any:
    """A zero-initialized, non-trainable local variable in METRIC_VARIABLES."""
    from minitf.ops.variables import Variable, VariableAggregation, VariableSynchronization

    return Variable(lambda: _a().zeros(shape, dtype), trainable=False,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
                    validate_shape=validate_shape,
                    synchronization=VariableSynchronization.ON_READ,
                    aggregation=VariableAggregation.SUM, name=name)


def _variable_scope(name: str | None, default: str, values: list[Any]) -> Any:
    from minitf.ops.variable_scope import variable_scope

    return variable_scope(name, default, [v for v in values if v is not None])


def _collect(collections: Any, value: Any) -> Any:
    if collections:
        add_to_collections(collections, value)
    return value


def _remove_squeezable_dimensions(predictions: Any, labels: Any, weights: Any
                                  ) -> tuple[Tensor, Any, Any]:
    """Squeezes a trailing size-1 dimension of labels/predictions and brings ``weights`` to
    the rank of ``predictions`` (TF's metrics_impl helper)."""
    from minitf.ops.control_flow_cond import cond
    from minitf.ops.weights_broadcast_ops import remove_squeezable_dimensions

    m, a = _m(), _a()
    predictions = convert_to_tensor(predictions)
    if labels is not None:
        labels, predictions = remove_squeezable_dimensions(labels, predictions)
        predictions.get_shape().assert_is_compatible_with(labels.get_shape())
    if weights is None:
        return predictions, labels, None
    weights = convert_to_tensor(weights)
    weights_shape = weights.get_shape()
    weights_rank = weights_shape.ndims
    if weights_rank == 0:
        return predictions, labels, weights
    predictions_rank = predictions.get_shape().ndims
    if predictions_rank is not None and weights_rank is not None:
        if weights_rank - predictions_rank == 1:
            weights = a.squeeze(weights, [-1])
        elif predictions_rank - weights_rank == 1:
            weights = a.expand_dims(weights, [-1])
        return predictions, labels, weights
    w = weights
    weights_rank_tensor = a.rank(w)
    rank_diff = weights_rank_tensor - a.rank(predictions)

    def maybe_expand() -> Tensor:
        return cond(m.equal(rank_diff, -1), lambda: a.expand_dims(w, [-1]), lambda: w)

    if weights_rank is not None and not weights_shape.dims[-1].is_compatible_with(1):
        def maybe_squeeze() -> Tensor:
            return w
    else:
        def maybe_squeeze() -> Tensor:
            return a.squeeze(w, [-1])

    weights = cond(m.equal(weights_rank_tensor, 0), lambda: w,
                   lambda: cond(m.equal(rank_diff, 1), maybe_squeeze, maybe_expand))
    return predictions, labels, weights


# --- checks (TF's check_ops, as the metrics use them) -------------------------------------------

def _assert_type(tensor: Tensor, tf_type: Any) -> Any:
    from minitf.ops.control_flow_ops import no_op

    if tensor.dtype.base_dtype != tf_type:
        raise TypeError(f"{tensor.name} must be of type {tf_type!r}; got "
                        f"{tensor.dtype.base_dtype!r}")
    with name_scope(None, "assert_type", [tensor]):
        return no_op(name="statically_determined_correct_type")


def _assert_rank_in(x: Tensor, ranks: tuple[Any, ...]) -> Any:
    from minitf.ops.control_flow_ops import no_op
    from minitf.ops.logging_ops import Assert

    m, a = _m(), _a()
    with name_scope(None, "assert_rank_in", [x, *ranks]):
        x = convert_to_tensor(x, name="x")
        ranks = tuple(convert_to_tensor(r, name="rank") for r in ranks)
        data = ["", f"Tensor {x.name} must have rank in", *ranks, "Received shape: ",
                a.shape(x)]
        for r in ranks:
            _assert_type(r, dtypes.int32)
        static = [constant_value(r) for r in ranks]
        x_rank = x.get_shape().ndims
        if all(s is not None for s in static) and x_rank is not None:
            allowed = tuple(int(s) for s in static)
            if x_rank not in allowed:
                raise ValueError(f"Tensor {x.name} must have rank in {allowed}.  Received "
                                 f"rank {x_rank}, shape {x.get_shape()}")
            return no_op(name="static_checks_determined_all_ok")
        rank = a.rank(x)
        ok = m.reduce_any(a.stack([m.equal(rank, r) for r in ranks]))  # type: ignore[attr-defined]
        return Assert(ok, data)


def _assert_in_unit_interval(predictions: Tensor) -> list[Any]:
    """predictions >= 0 and predictions <= 1 (TF's assert_greater_equal/assert_less_equal)."""
    from minitf.ops.logging_ops import Assert

    m = _m()
    out = []
    for opname, fn, bound, sym in (("assert_greater_equal", m.greater_equal, 0.0, ">="),
                                   ("assert_less_equal", m.less_equal, 1.0, "<=")):
        y = m.cast(bound, dtype=predictions.dtype)
        with name_scope(None, opname, [predictions, y]):
            x = convert_to_tensor(predictions, name="x")
            y = convert_to_tensor(y, name="y")
            data = ["predictions must be in [0, 1]",
                    f"Condition x {sym} y did not hold element-wise:",
                    f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
            condition = m.reduce_all(fn(x, y))
            out.append(Assert(condition, data))
    return out


# --- mean and the metrics built on it --------------------------------------------------------

def _weighted_values(values: Tensor, weights: Any) -> tuple[Tensor, Tensor]:
    """``values * weights`` (weights cast to float32 and broadcast) and the broadcast weights."""
    from minitf.ops.weights_broadcast_ops import broadcast_weights

    m = _m()
    values, _, weights = _remove_squeezable_dimensions(values, None, weights)
    weights = broadcast_weights(m.cast(weights, dtypes.float32), values)
    return m.multiply(values, weights), weights


def _mean_ops(total: Any, count: Any, values: Tensor, total_delta: Any, num_values: Any,
              metrics_collections: Any, updates_collections: Any) -> tuple[Tensor, Tensor]:
    """The ``total / count`` value of a mean metric and its update op, which adds
    ``total_delta`` to ``total`` and ``num_values`` to ``count``."""
    from minitf.ops import state_ops

    m = _m()
    update_total_op = state_ops.assign_add(total, total_delta)
    with control_dependencies([values]):
        update_count_op = state_ops.assign_add(count, num_values)
    mean_t = _collect(metrics_collections,
                      m.div_no_nan(total, m.maximum(count, 0), name="value"))
    update_op = m.div_no_nan(update_total_op, m.maximum(update_count_op, 0), name="update_op")
    return mean_t, _collect(updates_collections, update_op)


def mean(values: Any, weights: Any = None, metrics_collections: Any = None,
         updates_collections: Any = None, name: str | None = None) -> tuple[Tensor, Tensor]:
    """The (weighted) mean of ``values`` over all batches (``total / count``)."""
    m, a = _m(), _a()
    with _variable_scope(name, "mean", [values, weights]):
        values = m.cast(values, dtypes.float32)
        total = metric_variable([], dtypes.float32, name="total")
        count = metric_variable([], dtypes.float32, name="count")
        if weights is None:
            num_values = m.cast(a.size(values), dtypes.float32)
        else:
            values, weights = _weighted_values(values, weights)
            num_values = m.reduce_sum(weights)
        return _mean_ops(total, count, values, m.reduce_sum(values), num_values,
                         metrics_collections, updates_collections)


def mean_tensor(values: Any, weights: Any = None, metrics_collections: Any = None,
                updates_collections: Any = None, name: str | None = None
                ) -> tuple[Tensor, Tensor]:
    """The elementwise (weighted) mean of ``values`` over all batches."""
    m, a = _m(), _a()
    with _variable_scope(name, "mean", [values, weights]):
        values = m.cast(values, dtypes.float32)
        total = metric_variable(values.get_shape(), dtypes.float32, name="total_tensor")
        count = metric_variable(values.get_shape(), dtypes.float32, name="count_tensor")
        num_values = a.ones_like(values)
        if weights is not None:
            values, weights = _weighted_values(values, weights)
            num_values = m.multiply(num_values, weights)
        return _mean_ops(total, count, values, values, num_values, metrics_collections,
                         updates_collections)


def accuracy(labels: Any, predictions: Any, weights: Any = None,
             metrics_collections: Any = None, updates_collections: Any = None,
             name: str | None = None) -> tuple[Tensor, Tensor]:
    """How often ``predictions`` equal ``labels`` (``accuracy/total``, ``accuracy/count``)."""
    m = _m()
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    predictions.get_shape().assert_is_compatible_with(labels.get_shape())
    if labels.dtype.base_dtype != predictions.dtype.base_dtype:
        predictions = m.cast(predictions, labels.dtype.base_dtype)
    is_correct = m.cast(m.equal(predictions, labels), dtypes.float32)
    return mean(is_correct, weights, metrics_collections, updates_collections,
                name or "accuracy")


def mean_absolute_error(labels: Any, predictions: Any, weights: Any = None,
                        metrics_collections: Any = None, updates_collections: Any = None,
                        name: str | None = None) -> tuple[Tensor, Tensor]:
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    return mean(_m().abs(predictions - labels), weights, metrics_collections,
                updates_collections, name or "mean_absolute_error")


def mean_squared_error(labels: Any, predictions: Any, weights: Any = None,
                       metrics_collections: Any = None, updates_collections: Any = None,
                       name: str | None = None) -> tuple[Tensor, Tensor]:
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    return mean(_m().squared_difference(labels, predictions), weights, metrics_collections,
                updates_collections, name or "mean_squared_error")


def root_mean_squared_error(labels: Any, predictions: Any, weights: Any = None,
                            metrics_collections: Any = None, updates_collections: Any = None,
                            name: str | None = None) -> tuple[Tensor, Tensor]:
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    mse, update_mse_op = mean_squared_error(labels, predictions, weights, None, None,
                                            name or "root_mean_squared_error")
    rmse = _collect(metrics_collections, _m().sqrt(mse))
    return rmse, _collect(updates_collections, _m().sqrt(update_mse_op))


def mean_relative_error(labels: Any, predictions: Any, normalizer: Any, weights: Any = None,
                        metrics_collections: Any = None, updates_collections: Any = None,
                        name: str | None = None) -> tuple[Tensor, Tensor]:
    """The mean of ``|predictions - labels| / normalizer`` (0 where the normalizer is 0)."""
    from minitf.ops.weights_broadcast_ops import remove_squeezable_dimensions

    m, a = _m(), _a()
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    predictions, normalizer = remove_squeezable_dimensions(predictions, normalizer)
    predictions.get_shape().assert_is_compatible_with(normalizer.get_shape())
    relative_errors = a.where(m.equal(normalizer, 0.0), a.zeros_like(labels),
                              m.divide(m.abs(labels - predictions), normalizer))
    return mean(relative_errors, weights, metrics_collections, updates_collections,
                name or "mean_relative_error")


def mean_cosine_distance(labels: Any, predictions: Any, dim: int, weights: Any = None,
                         metrics_collections: Any = None, updates_collections: Any = None,
                         name: str | None = None) -> tuple[Tensor, Tensor]:
    """The mean of ``1 - sum(labels * predictions, dim)`` (unit-normalized inputs)."""
    m = _m()
    predictions, labels, weights = _remove_squeezable_dimensions(predictions, labels, weights)
    radial_diffs = m.multiply(predictions, labels)
    radial_diffs = m.reduce_sum(radial_diffs, axis=[dim], keepdims=True)
    mean_distance, update_op = mean(radial_diffs, weights, None, None,
                                    name or "mean_cosine_distance")
    mean_distance = m.subtract(1.0, mean_distance)
    update_op = m.subtract(1.0, update_op)
    return _collect(metrics_collections, mean_distance), \
        _collect(updates_collections, update_op)


def percentage_below(values: Any, threshold: float, weights: Any = None,
                     metrics_collections: Any = None, updates_collections: Any = None,
                     name: str | None = None) -> tuple[Tensor, Tensor]:
    is_below = _m().cast(_m().less(values, threshold), dtypes.float32)
    return mean(is_below, weights, metrics_collections, updates_collections,
                name or "percentage_below_threshold")


# --- counts, precision and recall --------------------------------------------------------------

def _count_condition(values: Tensor, weights: Any, metrics_collections: Any,
                     updates_collections: Any) -> tuple[Tensor, Tensor]:
    from minitf.ops import state_ops

    m, a = _m(), _a()
    _assert_type(values, dtypes.bool)
    count = metric_variable([], dtypes.float32, name="count")
    values = m.cast(values, dtypes.float32)
    if weights is not None:
        with control_dependencies([_assert_rank_in(weights, (0, a.rank(values)))]):
            weights = m.cast(weights, dtypes.float32)
            values = m.multiply(values, weights)
    value_tensor = _collect(metrics_collections, a.identity(count))
    update_op = state_ops.assign_add(count, m.reduce_sum(values))
    return value_tensor, _collect(updates_collections, update_op)


def _counting_metric(default_name: str, label_value: bool, prediction_value: bool
                     ) -> Callable[..., tuple[Tensor, Tensor]]:
    def metric(labels: Any, predictions: Any, weights: Any = None,
               metrics_collections: Any = None, updates_collections: Any = None,
               name: str | None = None) -> tuple[Tensor, Tensor]:
        m = _m()
        with _variable_scope(name, default_name, [predictions, labels, weights]):
            predictions, labels, weights = _remove_squeezable_dimensions(
                m.cast(predictions, dtype=dtypes.bool), m.cast(labels, dtype=dtypes.bool),
                weights)
            condition = m.logical_and(m.equal(labels, label_value),
                                      m.equal(predictions, prediction_value))
            return _count_condition(condition, weights, metrics_collections,
                                    updates_collections)

    metric.__name__ = default_name
    metric.__doc__ = (f"The (weighted) number of {default_name.replace('_', ' ')} "
                      f"(``{default_name}/count``).")
    return metric


true_positives = _counting_metric("true_positives", True, True)
false_positives = _counting_metric("false_positives", False, True)
true_negatives = _counting_metric("true_negatives", False, False)
false_negatives = _counting_metric("false_negatives", True, False)


def _ratio_metric(default_name: str, other: Callable[..., tuple[Tensor, Tensor]]
                  ) -> Callable[..., tuple[Tensor, Tensor]]:
    def metric(labels: Any, predictions: Any, weights: Any = None,
               metrics_collections: Any = None, updates_collections: Any = None,
               name: str | None = None) -> tuple[Tensor, Tensor]:
        m, a = _m(), _a()
        with _variable_scope(name, default_name, [predictions, labels, weights]):
            predictions, labels, weights = _remove_squeezable_dimensions(
                m.cast(predictions, dtype=dtypes.bool), m.cast(labels, dtype=dtypes.bool),
                weights)
            tp, tp_update = true_positives(labels, predictions, weights)
            rest, rest_update = other(labels, predictions, weights)

            def ratio(t: Tensor, r: Tensor, op_name: str) -> Tensor:
                return a.where(m.greater(t + r, 0), m.divide(t, t + r), 0, op_name)

            value = _collect(metrics_collections, ratio(tp, rest, "value"))
            update_op = ratio(tp_update, rest_update, "update_op")
            return value, _collect(updates_collections, update_op)

    metric.__name__ = default_name
    return metric


precision = _ratio_metric("precision", false_positives)
precision.__doc__ = "tp / (tp + fp) over all batches (0 when there are no positives)."
recall = _ratio_metric("recall", false_negatives)
recall.__doc__ = "tp / (tp + fn) over all batches (0 when there are no positive labels)."

