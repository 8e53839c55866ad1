"""The loss functions of ``tf.losses`` (TF 1.x), built from ops as TF builds them: each under
its own name scope (``absolute_difference/``, ``softmax_cross_entropy_loss/`` ...), computed in
float32, weighted and reduced by :func:`compute_weighted_loss` and added to the LOSSES
collection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import GraphKeys, control_dependencies, name_scope
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.losses.util import add_loss

__all__ = ["Reduction", "compute_weighted_loss", "absolute_difference", "cosine_distance",
           "hinge_loss", "huber_loss", "log_loss", "mean_pairwise_squared_error",
           "mean_squared_error", "sigmoid_cross_entropy", "softmax_cross_entropy",
           "sparse_softmax_cross_entropy"]


class Reduction:
    """How a weighted loss is reduced (``tf.losses.Reduction``)."""

    NONE = "none"
    SUM = "weighted_sum"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    MEAN = "weighted_mean"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls) -> tuple[str, ...]:
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_OVER_NONZERO_WEIGHTS, cls.SUM_BY_NONZERO_WEIGHTS)

    @classmethod
    def validate(cls, key: str) -> None:
        if key not in cls.all():
            raise ValueError(f"Invalid Reduction Key {key}. Key should be one of {cls.all()}.")


def _m() -> Any:
    from minitf.ops import math_ops

    return math_ops


def _a() -> Any:
    from minitf.ops import array_ops

    return array_ops


def _safe_mean(losses: Tensor, num_present: Tensor) -> Tensor:
    total_loss = _m().reduce_sum(losses)
    return _m().div_no_nan(total_loss, num_present, name="value")


def _num_elements(losses: Tensor) -> Tensor:
    with name_scope(None, "num_elements", [losses]) as scope:
        return _m().cast(_a().size(losses, name=scope), dtype=losses.dtype)


def _num_present(losses: Tensor, weights: Any, per_batch: bool = False) -> Tensor:
    """The number of entries of ``losses`` whose (broadcast) weight is not 0."""
    from minitf.ops.weights_broadcast_ops import broadcast_weights

    m, a = _m(), _a()
    if isinstance(weights, float) and weights != 0.0:
        return _num_elements(losses)
    with name_scope(None, "num_present", [losses, weights]) as scope:
        weights = m.cast(weights, dtype=dtypes.float32)
        present = a.where(m.equal(weights, 0.0), a.zeros_like(weights), a.ones_like(weights))
        present = broadcast_weights(present, losses)
        if per_batch:
            return m.reduce_sum(present, axis=m.range_(1, a.rank(present)), keepdims=True,
                                name=scope)
        return m.reduce_sum(present, name=scope)


def compute_weighted_loss(losses: Any, weights: Any = 1.0, scope: str | None = None,
                          loss_collection: str | None = GraphKeys.LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """``losses * weights`` reduced by ``reduction`` (in the dtype of ``losses``), added to
    ``loss_collection`` (``tf.losses.compute_weighted_loss``)."""
    from minitf.ops.weights_broadcast_ops import assert_broadcastable

    Reduction.validate(reduction)
    m, a = _m(), _a()
    with name_scope(scope, "weighted_loss", [losses, weights]):
        with control_dependencies([assert_broadcastable(weights, losses)]):
            losses = convert_to_tensor(losses)
            input_dtype = losses.dtype
            losses = m.cast(losses, dtype=dtypes.float32)
            weights = m.cast(weights, dtype=dtypes.float32)
            weighted_losses = m.multiply(losses, weights)
            if reduction == Reduction.NONE:
                loss = weighted_losses
            else:
                loss = m.reduce_sum(weighted_losses)
                if reduction == Reduction.MEAN:
                    loss = _safe_mean(loss, m.reduce_sum(a.ones_like(losses) * weights))
                elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
                    loss = _safe_mean(loss, _num_present(losses, weights))
                elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
                    loss = _safe_mean(loss, _num_elements(losses))
            loss = m.cast(loss, input_dtype)
            add_loss(loss, loss_collection)
            return loss


def _check_args(**kw: Any) -> None:
    for name, value in kw.items():
        if value is None:
            raise ValueError(f"Argument `{name}` must not be None.")


def _float_pair(predictions: Any, labels: Any) -> tuple[Tensor, Tensor]:
    predictions = _m().cast(predictions, dtype=dtypes.float32)
    labels = _m().cast(labels, dtype=dtypes.float32)
    predictions.get_shape().assert_is_compatible_with(labels.get_shape())
    return predictions, labels


def _elementwise_loss(default_name: str, loss_fn: Callable[[Tensor, Tensor], Tensor],
                      labels: Any, predictions: Any, weights: Any, scope: str | None,
                      loss_collection: str | None, reduction: str) -> Tensor:
    """The weighted ``loss_fn(predictions, labels)`` (both cast to float32) of the losses of
    ``labels`` and ``predictions``, under the name scope ``scope`` (default ``default_name``)."""
    _check_args(labels=labels, predictions=predictions)
    with name_scope(scope, default_name, [predictions, labels, weights]) as scope:
        predictions, labels = _float_pair(predictions, labels)
        losses = loss_fn(predictions, labels)
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def absolute_difference(labels: Any, predictions: Any, weights: Any = 1.0,
                        scope: str | None = None, loss_collection: str | None = GraphKeys.LOSSES,
                        reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted ``|predictions - labels|``."""
    return _elementwise_loss("absolute_difference",
                             lambda p, lb: _m().abs(_m().subtract(p, lb)),
                             labels, predictions, weights, scope, loss_collection, reduction)


def cosine_distance(labels: Any, predictions: Any, axis: int | None = None, weights: Any = 1.0,
                    scope: str | None = None, loss_collection: str | None = GraphKeys.LOSSES,
                    reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS,
                    dim: int | None = None) -> Tensor:
    """Weighted ``1 - sum(predictions * labels, axis)`` (inputs assumed unit-normalized)."""
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    if axis is None:
        raise ValueError("You must specify argument `axis`.")

    def losses(predictions: Tensor, labels: Tensor) -> Tensor:
        radial_diffs = _m().multiply(predictions, labels)
        return 1 - _m().reduce_sum(radial_diffs, axis=(axis,), keepdims=True)

    return _elementwise_loss("cosine_distance_loss", losses, labels, predictions, weights,
                             scope, loss_collection, reduction)


def hinge_loss(labels: Any, logits: Any, weights: Any = 1.0, scope: str | None = None,
               loss_collection: str | None = GraphKeys.LOSSES,
               reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted ``max(0, 1 - (2 * labels - 1) * logits)`` for labels in {0, 1}."""
    from minitf.ops.nn_activation_ops import relu

    _check_args(labels=labels, logits=logits)
    with name_scope(scope, "hinge_loss", [logits, labels, weights]) as scope:
        logits, labels = _float_pair(logits, labels)
        all_ones = _a().ones_like(labels)
        labels = _m().subtract(2 * labels, all_ones)
        losses = relu(_m().subtract(all_ones, _m().multiply(labels, logits)))
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def huber_loss(labels: Any, predictions: Any, weights: Any = 1.0, delta: float = 1.0,
               scope: str | None = None, loss_collection: str | None = GraphKeys.LOSSES,
               reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted Huber loss: quadratic within ``delta`` of the label, linear beyond."""
    m = _m()

    def losses(predictions: Tensor, labels: Tensor) -> Tensor:
        error = m.subtract(predictions, labels)
        abs_error = m.abs(error)
        quadratic = m.minimum(abs_error, delta)
        linear = m.subtract(abs_error, quadratic)
        return m.add(m.multiply(convert_to_tensor(0.5, dtype=quadratic.dtype),
                                m.multiply(quadratic, quadratic)),
                     m.multiply(delta, linear))

    return _elementwise_loss("huber_loss", losses, labels, predictions, weights, scope,
                             loss_collection, reduction)


def log_loss(labels: Any, predictions: Any, weights: Any = 1.0, epsilon: float = 1e-7,
             scope: str | None = None, loss_collection: str | None = GraphKeys.LOSSES,
             reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted binary log loss of probabilities ``predictions``."""
    m = _m()

    def losses(predictions: Tensor, labels: Tensor) -> Tensor:
        return -m.multiply(labels, m.log(predictions + epsilon)) - m.multiply(
            (1 - labels), m.log(1 - predictions + epsilon))

    return _elementwise_loss("log_loss", losses, labels, predictions, weights, scope,
                             loss_collection, reduction)


def mean_pairwise_squared_error(labels: Any, predictions: Any, weights: Any = 1.0,
                                scope: str | None = None,
                                loss_collection: str | None = GraphKeys.LOSSES) -> Tensor:
    """Weighted mean of the squared differences between pairs of corresponding elements of
    ``predictions - labels`` within each batch entry."""
    from minitf.ops.weights_broadcast_ops import assert_broadcastable

    _check_args(labels=labels, predictions=predictions)
    m, a = _m(), _a()
    with name_scope(scope, "mean_pairwise_squared_error", [predictions, labels, weights]):
        weights = m.cast(weights, dtype=dtypes.float32)
        labels = m.cast(labels, dtype=dtypes.float32)
        with control_dependencies([assert_broadcastable(weights, labels)]):
            predictions = m.cast(predictions, dtype=dtypes.float32)
            predictions.get_shape().assert_is_compatible_with(labels.get_shape())
            diffs = m.subtract(predictions, labels)
            axis = m.range_(1, a.rank(diffs))
            sum_squares_diff_per_batch = m.reduce_sum(m.square(diffs), axis=axis,
                                                      keepdims=True)
            num_present_per_batch = _num_present(diffs, weights, per_batch=True)
            term1 = 2.0 * m.div_no_nan(sum_squares_diff_per_batch,
                                       m.maximum(num_present_per_batch - 1, 0), name="value")
            sum_diff = m.reduce_sum(diffs, axis=axis, keepdims=True)
            term2 = 2.0 * m.div_no_nan(
                m.square(sum_diff),
                m.maximum(m.multiply(num_present_per_batch, num_present_per_batch - 1), 0),
                name="value")
            weighted_losses = m.multiply(term1 - term2, weights)
            loss = m.reduce_sum(weighted_losses)
            mean_loss = a.where(m.reduce_sum(num_present_per_batch) > 0, loss,
                                a.zeros_like(loss), name="value")
            add_loss(mean_loss, loss_collection)
            return mean_loss


def mean_squared_error(labels: Any, predictions: Any, weights: Any = 1.0,
                       scope: str | None = None, loss_collection: str | None = GraphKeys.LOSSES,
                       reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted ``(predictions - labels)**2``."""
    return _elementwise_loss("mean_squared_error",
                             lambda p, lb: _m().squared_difference(p, lb),
                             labels, predictions, weights, scope, loss_collection, reduction)


def sigmoid_cross_entropy(multi_class_labels: Any, logits: Any, weights: Any = 1.0,
                          label_smoothing: float = 0, scope: str | None = None,
                          loss_collection: str | None = GraphKeys.LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted sigmoid cross-entropy; labels smoothed towards 1/2 by ``label_smoothing``."""
    from minitf.ops.nn_loss_ops import sigmoid_cross_entropy_with_logits

    _check_args(multi_class_labels=multi_class_labels, logits=logits)
    with name_scope(scope, "sigmoid_cross_entropy_loss",
                    [logits, multi_class_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        multi_class_labels = _m().cast(multi_class_labels, logits.dtype)
        logits.get_shape().assert_is_compatible_with(multi_class_labels.get_shape())
        if label_smoothing > 0:
            multi_class_labels = (multi_class_labels * (1 - label_smoothing) +
                                  0.5 * label_smoothing)
        losses = sigmoid_cross_entropy_with_logits(labels=multi_class_labels, logits=logits,
                                                   name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def softmax_cross_entropy(onehot_labels: Any, logits: Any, weights: Any = 1.0,
                          label_smoothing: float = 0, scope: str | None = None,
                          loss_collection: str | None = GraphKeys.LOSSES,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted softmax cross-entropy of one-hot labels (no gradient flows into the labels);
    ``label_smoothing`` mixes the labels with the uniform distribution."""
    from minitf.ops.gradients_impl import stop_gradient
    from minitf.ops.nn_loss_ops import softmax_cross_entropy_with_logits_v2

    _check_args(onehot_labels=onehot_labels, logits=logits)
    with name_scope(scope, "softmax_cross_entropy_loss",
                    [logits, onehot_labels, weights]) as scope:
        logits = convert_to_tensor(logits)
        onehot_labels = _m().cast(onehot_labels, logits.dtype)
        logits.get_shape().assert_is_compatible_with(onehot_labels.get_shape())
        if label_smoothing > 0:
            num_classes = _m().cast(_a().shape(onehot_labels)[-1], logits.dtype)
            smooth_positives = 1.0 - label_smoothing
            smooth_negatives = label_smoothing / num_classes
            onehot_labels = onehot_labels * smooth_positives + smooth_negatives
        onehot_labels = stop_gradient(onehot_labels, name="labels_stop_gradient")
        losses = softmax_cross_entropy_with_logits_v2(labels=onehot_labels, logits=logits,
                                                      name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)


def _remove_squeezable_dimensions(labels: Any, predictions: Any, weights: Any = None,
                                  expected_rank_diff: int = 0) -> tuple[Any, Any, Any]:
    from minitf.ops.control_flow_cond import cond
    from minitf.ops.weights_broadcast_ops import remove_squeezable_dimensions

    labels, predictions = remove_squeezable_dimensions(labels, predictions,
                                                       expected_rank_diff=expected_rank_diff)
    if weights is not None:
        weights = convert_to_tensor(weights)
        labels_rank = labels.get_shape().ndims
        weights_shape = weights.get_shape()
        weights_rank = weights_shape.ndims
        if labels_rank is not None and weights_rank is not None:
            if weights_rank - labels_rank == 1:
                weights = _a().squeeze(weights, [-1])
            return labels, predictions, weights
        rank_diff = _a().rank(weights) - _a().rank(labels)
        if weights_rank is None or (weights_rank > 0 and
                                    weights_shape.dims[-1].is_compatible_with(1)):
            w = weights
            weights = cond(_m().equal(1, rank_diff), lambda: _a().squeeze(w, [-1]), lambda: w)
    return labels, predictions, weights


def sparse_softmax_cross_entropy(labels: Any, logits: Any, weights: Any = 1.0,
                                 scope: str | None = None,
                                 loss_collection: str | None = GraphKeys.LOSSES,
                                 reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS) -> Tensor:
    """Weighted softmax cross-entropy of integer class labels."""
    from minitf.ops.nn_loss_ops import sparse_softmax_cross_entropy_with_logits

    _check_args(labels=labels, logits=logits)
    with name_scope(scope, "sparse_softmax_cross_entropy_loss",
                    [logits, labels, weights]) as scope:
        labels, logits, weights = _remove_squeezable_dimensions(labels, logits, weights,
                                                                expected_rank_diff=1)
        losses = sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                          name="xentropy")
        return compute_weighted_loss(losses, weights, scope, loss_collection, reduction)
