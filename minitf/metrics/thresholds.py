"""Metrics over a list of thresholds (``tf.metrics.auc``, ``*_at_thresholds``): one streaming
count per threshold of predictions above it, as TF builds them."""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import control_dependencies
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.metrics.metrics_impl import (
    _a,
    _assert_in_unit_interval,
    _collect,
    _m,
    _remove_squeezable_dimensions,
    _variable_scope,
    metric_variable,
)

__all__ = ["auc", "true_positives_at_thresholds", "false_positives_at_thresholds",
           "true_negatives_at_thresholds", "false_negatives_at_thresholds",
           "precision_at_thresholds", "recall_at_thresholds"]

_ALL = ("tp", "fn", "tn", "fp")
_NAMES = {"tp": "true_positives", "fn": "false_negatives", "tn": "true_negatives",
          "fp": "false_positives"}


def _confusion_matrix_at_thresholds(labels: Any, predictions: Any, thresholds: list[float],
                                    weights: Any = None, includes: Any = None
                                    ) -> tuple[dict[str, Any], dict[str, Tensor]]:
    from minitf.ops import state_ops
    from minitf.ops.constant_op import constant
    from minitf.ops.weights_broadcast_ops import broadcast_weights

    m, a = _m(), _a()
    includes = _ALL if includes is None else includes
    for key in includes:
        if key not in _ALL:
            raise ValueError(f"Invalid key: {key}")
    predictions = convert_to_tensor(predictions)
    with control_dependencies(_assert_in_unit_interval(predictions)):
        predictions, labels, weights = _remove_squeezable_dimensions(
            m.cast(predictions, dtypes.float32), m.cast(labels, dtype=dtypes.bool), weights)
    num_thresholds = len(thresholds)
    predictions_2d = a.reshape(predictions, [-1, 1])
    labels_2d = a.reshape(m.cast(labels, dtype=dtypes.bool), [1, -1])
    num_predictions = predictions_2d.get_shape().as_list()[0]
    if num_predictions is None:
        num_predictions = a.shape(predictions_2d)[0]
    thresh_tiled = a.tile(a.expand_dims(constant(thresholds), [1]),
                          a.stack([1, num_predictions]))  # type: ignore[attr-defined]
    pred_is_pos = m.greater(a.tile(a.transpose(predictions_2d), [num_thresholds, 1]),
                            thresh_tiled)
    pred = {True: pred_is_pos}
    if "fn" in includes or "tn" in includes:
        pred[False] = m.logical_not(pred_is_pos)
    label_is_pos = a.tile(labels_2d, [num_thresholds, 1])
    label = {True: label_is_pos}
    if "fp" in includes or "tn" in includes:
        label[False] = m.logical_not(label_is_pos)
    weights_tiled = None
    if weights is not None:
        weights = broadcast_weights(m.cast(weights, dtypes.float32), predictions)
        weights_tiled = a.tile(a.reshape(weights, [1, -1]), [num_thresholds, 1])
        thresh_tiled.get_shape().assert_is_compatible_with(weights_tiled.get_shape())
    values: dict[str, Any] = {}
    update_ops: dict[str, Tensor] = {}
    for key, (lab, prd) in (("tp", (True, True)), ("fn", (True, False)),
                            ("tn", (False, False)), ("fp", (False, True))):
        if key not in includes:
            continue
        var = metric_variable([num_thresholds], dtypes.float32, name=_NAMES[key])
        hits = m.cast(m.logical_and(label[lab], pred[prd]), dtypes.float32)
        if weights_tiled is not None:
            hits *= weights_tiled
        update_ops[key] = state_ops.assign_add(var, m.reduce_sum(hits, 1))
        values[key] = var
    return values, update_ops


def _read(v: Any, collections: Any) -> Tensor:
    return _collect(collections, _a().identity(v))


def _count_at_thresholds(key: str) -> Any:
    default_name = _NAMES[key]

    def metric(labels: Any, predictions: Any, thresholds: Any, weights: Any = None,
               metrics_collections: Any = None, updates_collections: Any = None,
               name: str | None = None) -> tuple[Tensor, Tensor]:
        with _variable_scope(name, default_name, [predictions, labels, weights]):
            values, update_ops = _confusion_matrix_at_thresholds(
                labels, predictions, list(thresholds), weights=weights, includes=(key,))
            value = _read(values[key], metrics_collections)
            return value, _collect(updates_collections, update_ops[key])

    metric.__name__ = f"{default_name}_at_thresholds"
    metric.__doc__ = f"The (weighted) number of {default_name.replace('_', ' ')} per threshold."
    return metric


true_positives_at_thresholds = _count_at_thresholds("tp")
false_positives_at_thresholds = _count_at_thresholds("fp")
true_negatives_at_thresholds = _count_at_thresholds("tn")
false_negatives_at_thresholds = _count_at_thresholds("fn")


def _tp_ratio_at_thresholds(prefix: str, other: str, labels: Any, predictions: Any,
                            thresholds: Any, weights: Any, metrics_collections: Any,
                            updates_collections: Any, name: str | None
                            ) -> tuple[Tensor, Tensor]:
    """``tp / (tp + <other> + 1e-7)`` per threshold, in ``<prefix>_at_thresholds`` with ops
    ``<prefix>_value`` and ``<prefix>_update_op``."""
    m = _m()
    with _variable_scope(name, f"{prefix}_at_thresholds", [predictions, labels, weights]):
        values, ups = _confusion_matrix_at_thresholds(labels, predictions, list(thresholds),
                                                      weights, includes=("tp", other))

        def compute(tp: Any, o: Any, n: str) -> Tensor:
            return m.divide(tp, 1e-7 + tp + o, name=f"{prefix}_{n}")

        value = _collect(metrics_collections, compute(values["tp"], values[other], "value"))
        return value, _collect(updates_collections,
                               compute(ups["tp"], ups[other], "update_op"))


def precision_at_thresholds(labels: Any, predictions: Any, thresholds: Any, weights: Any = None,
                            metrics_collections: Any = None, updates_collections: Any = None,
                            name: str | None = None) -> tuple[Tensor, Tensor]:
    """tp / (tp + fp + 1e-7) per threshold."""
    return _tp_ratio_at_thresholds("precision", "fp", labels, predictions, thresholds, weights,
                                   metrics_collections, updates_collections, name)


def recall_at_thresholds(labels: Any, predictions: Any, thresholds: Any, weights: Any = None,
                         metrics_collections: Any = None, updates_collections: Any = None,
                         name: str | None = None) -> tuple[Tensor, Tensor]:
    """tp / (tp + fn + 1e-7) per threshold."""
    return _tp_ratio_at_thresholds("recall", "fn", labels, predictions, thresholds, weights,
                                   metrics_collections, updates_collections, name)


def auc(labels: Any, predictions: Any, weights: Any = None, num_thresholds: int = 200,
        metrics_collections: Any = None, updates_collections: Any = None, curve: str = "ROC",
        name: str | None = None, summation_method: str = "trapezoidal",
        thresholds: Any = None) -> tuple[Tensor, Tensor]:
    """The area under the ROC or PR curve, from confusion counts at ``num_thresholds``
    thresholds in [0, 1] (a Riemann sum: ``trapezoidal``, ``careful_interpolation`` (PR),
    ``minoring`` or ``majoring``)."""
    m, a = _m(), _a()
    with _variable_scope(name, "auc", [labels, predictions, weights]):
        if curve not in ("ROC", "PR"):
            raise ValueError(f"Curve must be either ROC or PR. Curve {curve} is unknown.")
        kepsilon = 1e-7
        if thresholds is not None:
            thresholds = sorted(thresholds)
            num_thresholds = len(thresholds) + 2
        else:
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        thresholds = [0.0 - kepsilon] + list(thresholds) + [1.0 + kepsilon]
        values, update_ops = _confusion_matrix_at_thresholds(labels, predictions, thresholds,
                                                             weights)
        epsilon = 1.0e-6
        n = num_thresholds

        def interpolate_pr_auc(tp: Any, fp: Any, fn: Any) -> Tensor:
            dtp = tp[:n - 1] - tp[1:]
            p = tp + fp
            prec_slope = m.div_no_nan(dtp, m.maximum(p[:n - 1] - p[1:], 0), name="prec_slope")
            intercept = tp[1:] - m.multiply(prec_slope, p[1:])
            safe_p_ratio = a.where(m.logical_and(p[:n - 1] > 0, p[1:] > 0),
                                   m.div_no_nan(p[:n - 1], m.maximum(p[1:], 0),
                                                name="recall_relative_ratio"),
                                   a.ones_like(p[1:]))
            return m.reduce_sum(m.div_no_nan(prec_slope * (dtp + intercept *
                                                           m.log(safe_p_ratio)),
                                             m.maximum(tp[1:] + fn[1:], 0),
                                             name="pr_auc_increment"),
                                name="interpolate_pr_auc")

        def compute_auc(tp: Any, fn: Any, tn: Any, fp: Any, op_name: str) -> Tensor:
            if curve == "PR" and summation_method == "careful_interpolation":
                return interpolate_pr_auc(tp, fp, fn)
            rec = m.divide(tp + epsilon, tp + fn + epsilon)
            if curve == "ROC":
                x, y = m.divide(fp, fp + tn + epsilon), rec
            else:
                x, y = rec, m.divide(tp + epsilon, tp + fp + epsilon)
            if summation_method not in ("trapezoidal", "careful_interpolation", "minoring",
                                        "majoring"):
                raise ValueError(f"Invalid summation_method: {summation_method} "
                                 "summation_method should be 'trapezoidal', "
                                 "'careful_interpolation', 'minoring', or 'majoring'.")
            dx = x[:n - 1] - x[1:]
            if summation_method == "minoring":
                heights = m.minimum(y[:n - 1], y[1:])
            elif summation_method == "majoring":
                heights = m.maximum(y[:n - 1], y[1:])
            else:
                heights = (y[:n - 1] + y[1:]) / 2.0
            return m.reduce_sum(m.multiply(dx, heights), name=op_name)

        value = _collect(metrics_collections,
                         compute_auc(values["tp"], values["fn"], values["tn"], values["fp"],
                                     "value"))
        update_op = compute_auc(update_ops["tp"], update_ops["fn"], update_ops["tn"],
                                update_ops["fp"], "update_op")
        return value, _collect(updates_collections, update_op)
