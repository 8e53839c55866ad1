"""tf.losses against TF 1.x: op names and scopes, values and gradients for every loss, reduction
and kind of weights, the loss collections, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
import minitf.losses as losses

R = losses.Reduction
REDUCTIONS = [R.NONE, R.SUM, R.MEAN, R.SUM_OVER_BATCH_SIZE, R.SUM_BY_NONZERO_WEIGHTS]
RNG = np.random.RandomState(7)
LABELS = (RNG.rand(4, 3) > 0.5).astype(np.float32)
PROBS = RNG.uniform(0.05, 0.95, size=(4, 3)).astype(np.float32)
LOGITS = RNG.randn(4, 3).astype(np.float32)
UNIT = (LOGITS / np.linalg.norm(LOGITS, axis=1, keepdims=True)).astype(np.float32)
WEIGHTS = {
    "scalar": 2.0,
    "per_example": np.array([[1.0], [0.0], [2.0], [0.5]], np.float32),
    "full": np.where(RNG.rand(4, 3) > 0.3, RNG.rand(4, 3), 0.0).astype(np.float32),
    "zero": 0.0,
}


def _loss(L, t, kind, labels, preds, weights, reduction):
    if kind == "absolute_difference":
        return L.absolute_difference(labels, preds, weights, reduction=reduction)
    if kind == "mean_squared_error":
        return L.mean_squared_error(labels, preds, weights, reduction=reduction)
    if kind == "huber_loss":
        return L.huber_loss(labels, preds * 3.0, weights, delta=0.7, reduction=reduction)
    if kind == "hinge_loss":
        return L.hinge_loss(labels, preds, weights, reduction=reduction)
    if kind == "log_loss":
        return L.log_loss(labels, t.sigmoid(preds), weights, reduction=reduction)
    if kind == "cosine_distance":
        w = weights if np.ndim(weights) != 2 or np.shape(weights)[1] == 1 else 1.0
        return L.cosine_distance(t.nn.l2_normalize(labels + 0.5, 1), t.nn.l2_normalize(preds, 1),
                                 axis=1, weights=w, reduction=reduction)
    if kind == "sigmoid_cross_entropy":
        return L.sigmoid_cross_entropy(labels, preds, weights, label_smoothing=0.1,
                                       reduction=reduction)
    if kind == "softmax_cross_entropy":
        w = weights if np.ndim(weights) != 2 else weights[:, 0]
        return L.softmax_cross_entropy(labels, preds, w, label_smoothing=0.2,
                                       reduction=reduction)
    if kind == "sparse_softmax_cross_entropy":
        w = weights if np.ndim(weights) != 2 else weights[:, :1]
        return L.sparse_softmax_cross_entropy(t.constant([0, 2, 1, 1]), preds, w,
                                              reduction=reduction)
    raise AssertionError(kind)


KINDS = ["absolute_difference", "mean_squared_error", "huber_loss", "hinge_loss", "log_loss",
         "cosine_distance", "sigmoid_cross_entropy", "softmax_cross_entropy",
         "sparse_softmax_cross_entropy"]


def _build(t, L, kind, weights_kind, reduction):
    labels = t.constant(LABELS)
    preds = t.placeholder(t.float32, [None, 3], name="preds")
    out = _loss(L, t, kind, labels, preds, WEIGHTS[weights_kind], reduction)
    (grad,) = t.gradients(t.reduce_sum(out * out), preds)
    return preds, out, grad


@pytest.mark.tf
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weights_kind", list(WEIGHTS))
@pytest.mark.parametrize("kind", KINDS)
def test_values_and_gradients_match_tf(tfv1, kind, weights_kind, reduction):
    preds, out, grad = _build(tf, losses, kind, weights_kind, reduction)
    preds2, out2, grad2 = _build(tfv1, tfv1.losses, kind, weights_kind, reduction)
    assert out.get_shape().as_list() == out2.get_shape().as_list()
    assert out.name == out2.name
    assert [x.name for x in tf.losses.get_losses()] == [x.name for x in tfv1.losses.get_losses()]
    with tf.Session() as s1, tfv1.Session() as s2:
        a = s1.run([out, grad], {preds: LOGITS})
        b = s2.run([out2, grad2], {preds2: LOGITS})
    np.testing.assert_allclose(a[0], b[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-4, atol=1e-5)


@pytest.mark.tf
@pytest.mark.parametrize("weights_kind", list(WEIGHTS))
def test_mean_pairwise_squared_error_matches_tf(tfv1, weights_kind):
    def build(t):
        labels = t.constant(LABELS)
        preds = t.placeholder(t.float32, [4, 3], name="preds")
        w = WEIGHTS[weights_kind]
        w = w if np.ndim(w) != 2 else w[:, :1]
        out = t.losses.mean_pairwise_squared_error(labels, preds, w)
        return preds, out, t.gradients(out, preds)[0]

    preds, out, g = build(tf)
    preds2, out2, g2 = build(tfv1)
    with tf.Session() as s1, tfv1.Session() as s2:
        for a, b in zip(s1.run([out, g], {preds: LOGITS}), s2.run([out2, g2], {preds2: LOGITS})):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _plain_ops(mod):
    """(name, type) of the ops outside control-flow plumbing, dynamic broadcast checks and the
    fused cross-entropy's internal reshapes."""
    skip = ("xentropy/", "is_valid_shape/", "AssertGuard/")
    return [(op.name, op.type) for op in mod.get_default_graph().get_operations()
            if not any(s in op.name for s in skip)]


@pytest.mark.tf
def test_op_names_match_tf(tfv1):
    def build(t):
        labels = t.placeholder(t.float32, [4, 3], name="labels")
        preds = t.placeholder(t.float32, [4, 3], name="preds")
        w = t.placeholder(t.float32, [None, 1], name="w")
        for kind in KINDS:
            _loss(t.losses, t, kind, labels, preds, 1.0, R.SUM_BY_NONZERO_WEIGHTS)
        t.losses.mean_squared_error(labels, preds, weights=w)
        t.losses.mean_pairwise_squared_error(labels, preds, scope="pairs")
        t.losses.absolute_difference(labels, preds, reduction=R.MEAN, scope="mine")

    build(tf)
    build(tfv1)
    assert _plain_ops(tf) == _plain_ops(tfv1)


@pytest.mark.tf
def test_collections_and_total_loss_match_tf(tfv1):
    def build(t):
        x = t.constant(LOGITS)
        w = t.get_variable("w", [3, 2], initializer=t.constant_initializer(0.5),
                           regularizer=lambda v: 0.1 * t.reduce_sum(v * v))
        y = t.matmul(x, w)
        t.losses.mean_squared_error(t.ones([4, 2]), y)
        t.losses.absolute_difference(t.ones([4, 2]), y, loss_collection=None)
        t.losses.add_loss(t.constant(3.0, name="extra"))
        return (t.losses.get_losses(), t.losses.get_regularization_losses(),
                t.losses.get_regularization_loss(), t.losses.get_total_loss(),
                t.losses.get_total_loss(add_regularization_losses=False, name="data_loss"))

    mine, theirs = build(tf), build(tfv1)
    assert [x.name for x in mine[0]] == [x.name for x in theirs[0]]
    assert [x.name for x in mine[1]] == [x.name for x in theirs[1]]
    assert [x.name for x in mine[2:]] == [x.name for x in theirs[2:]]
    with tf.Session() as s1, tfv1.Session() as s2:
        s1.run(tf.global_variables_initializer())
        s2.run(tfv1.global_variables_initializer())
        np.testing.assert_allclose(s1.run(list(mine[2:])), s2.run(list(theirs[2:])), rtol=1e-6)


def test_empty_regularization_loss_is_zero_and_empty_total_loss_is_an_error():
    assert tf.losses.get_regularization_loss().op.type == "Const"
    with pytest.raises(ValueError, match="No losses"):
        tf.losses.get_total_loss()


@pytest.mark.tf
def test_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        x = t.constant(LOGITS)
        with pytest.raises(ValueError, match="`labels` must not be None"):
            t.losses.mean_squared_error(None, x)
        with pytest.raises(ValueError, match="specify argument `axis`"):
            t.losses.cosine_distance(x, x)
        with pytest.raises(ValueError, match="Invalid Reduction Key"):
            t.losses.absolute_difference(x, x, reduction="mean")
        with pytest.raises(ValueError, match="weights can not be broadcast to values"):
            t.losses.absolute_difference(x, x, weights=t.ones([4, 2]))
        with pytest.raises(ValueError):
            t.losses.absolute_difference(x, t.ones([4, 2]))
    w = tf.placeholder(tf.float32, [None, None])
    loss = tf.losses.mean_squared_error(tf.constant(LOGITS), tf.constant(LOGITS), weights=w)
    with tf.Session() as sess:
        assert sess.run(loss, {w: np.ones((4, 1))}) == 0.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="weights can not be broadcast"):
            sess.run(loss, {w: np.ones((4, 2))})


@pytest.mark.tf
def test_training_with_a_tf_losses_loss_matches_tf(tfv1):
    def build(t):
        x = t.constant(LOGITS)
        labels = t.constant([0, 2, 1, 1])
        w = t.Variable(np.linspace(-1, 1, 9).reshape(3, 3).astype(np.float32), name="w")
        t.losses.sparse_softmax_cross_entropy(labels, t.matmul(x, w))
        total = t.losses.get_total_loss()
        return total, t.train.GradientDescentOptimizer(0.5).minimize(total)

    (loss, train), (loss2, train2) = build(tf), build(tfv1)
    with tf.Session() as s1, tfv1.Session() as s2:
        s1.run(tf.global_variables_initializer())
        s2.run(tfv1.global_variables_initializer())
        for _ in range(5):
            np.testing.assert_allclose(s1.run([loss, train])[0], s2.run([loss2, train2])[0],
                                       rtol=1e-5)
