"""tf.metrics against TF 1.x: variables and collections, op names, values after several updates,
collections arguments, errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
import minitf.metrics as metrics


def _all_metrics(t, M, l, p, w, s):
    lf, pf = t.cast(l, t.float32), t.cast(p, t.float32)
    return {
        "accuracy": M.accuracy(l, p),
        "accuracy_w": M.accuracy(l, p, weights=w),
        "accuracy_2d": M.accuracy(t.reshape(l, [-1, 1]), p),
        "mean": M.mean(s),
        "mean_w": M.mean(s, weights=w),
        "mean_tensor": M.mean_tensor(t.reshape(s, [2, 3]), weights=t.reshape(w, [2, 3])),
        "tp": M.true_positives(l, p, weights=w),
        "fp": M.false_positives(l, p),
        "tn": M.true_negatives(l, p, weights=w),
        "fn": M.false_negatives(l, p),
        "precision": M.precision(l, p),
        "recall_w": M.recall(l, p, weights=w),
        "mse": M.mean_squared_error(s, pf),
        "mae_w": M.mean_absolute_error(s, lf, weights=w),
        "rmse": M.root_mean_squared_error(s, lf),
        "mre": M.mean_relative_error(s, lf, normalizer=s + 1.0),
        "cosine": M.mean_cosine_distance(t.reshape(s, [2, 3]), t.reshape(lf, [2, 3]), dim=1),
        "below": M.percentage_below(s, 0.4),
        "auc": M.auc(l, s, num_thresholds=7),
        "auc_pr": M.auc(l, s, curve="PR", summation_method="careful_interpolation",
                        weights=w, num_thresholds=9),
        "auc_minoring": M.auc(l, s, summation_method="minoring", thresholds=[0.3, 0.6]),
        "p_at_t": M.precision_at_thresholds(l, s, [0.2, 0.5]),
        "r_at_t": M.recall_at_thresholds(l, s, [0.3], weights=w),
        "tp_at_t": M.true_positives_at_thresholds(l, s, [0.1, 0.6]),
        "fn_at_t": M.false_negatives_at_thresholds(l, s, [0.1, 0.6], weights=w),
    }


def _build(t, M):
    l = t.placeholder(t.int64, [None], name="l")
    p = t.placeholder(t.int64, [None], name="p")
    w = t.placeholder(t.float32, [None], name="w")
    s = t.placeholder(t.float32, [None], name="s")
    return (l, p, w, s), _all_metrics(t, M, l, p, w, s)


def _skip_plumbing(mod):
    return [(op.name, op.type) for op in mod.get_default_graph().get_operations()
            if "is_valid_shape/" not in op.name and "AssertGuard" not in op.name]


@pytest.mark.tf
def test_variables_names_and_values_after_several_updates_match_tf(tfv1):
    mine, ours = _build(tf, metrics)
    theirs, tf_metrics = _build(tfv1, tfv1.metrics)
    assert [v.name for v in tf.local_variables()] == [v.name for v in tfv1.local_variables()]
    assert [v.name for v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)] == \
        [v.name for v in tfv1.get_collection(tfv1.GraphKeys.METRIC_VARIABLES)]
    assert not tf.trainable_variables() and not tf.global_variables()
    assert _skip_plumbing(tf) == _skip_plumbing(tfv1)
    for k in ours:
        assert [x.name for x in ours[k]] == [x.name for x in tf_metrics[k]], k
    rng = np.random.RandomState(0)
    with tf.Session() as s1, tfv1.Session() as s2:
        s1.run(tf.local_variables_initializer())
        s2.run(tfv1.local_variables_initializer())
        for _ in range(4):
            batch = [rng.randint(0, 2, 6), rng.randint(0, 2, 6), rng.rand(6).astype(np.float32),
                     rng.rand(6).astype(np.float32)]
            a = s1.run({k: u for k, (_, u) in ours.items()}, dict(zip(mine, batch)))
            b = s2.run({k: u for k, (_, u) in tf_metrics.items()}, dict(zip(theirs, batch)))
            for k in a:
                np.testing.assert_allclose(a[k], b[k], rtol=1e-5, atol=1e-6, err_msg=k)
        a = s1.run({k: v for k, (v, _) in ours.items()})
        b = s2.run({k: v for k, (v, _) in tf_metrics.items()})
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-5, atol=1e-6, err_msg=k)
        s1.run(tf.local_variables_initializer())  # resetting the metrics
        assert s1.run(ours["accuracy"][0]) == 0.0


def test_accuracy_by_hand_and_its_state():
    labels = tf.placeholder(tf.int32, [None])
    preds = tf.placeholder(tf.int32, [None])
    acc, update = metrics.accuracy(labels, preds)
    total, count = tf.local_variables()
    assert (total.name, count.name) == ("accuracy/total:0", "accuracy/count:0")
    assert tf.get_collection(tf.GraphKeys.METRIC_VARIABLES) == [total, count]
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        assert sess.run(update, {labels: [1, 2, 3, 4], preds: [1, 2, 0, 0]}) == 0.5
        assert sess.run(update, {labels: [1, 1], preds: [1, 1]}) == pytest.approx(4 / 6)
        assert sess.run(acc) == pytest.approx(4 / 6)
        assert sess.run([total, count]) == [4.0, 6.0]


def test_metrics_and_updates_collections():
    x = tf.placeholder(tf.float32, [None])
    value, update = metrics.mean(x, metrics_collections=["m"], updates_collections=["u"])
    prec, prec_update = metrics.precision(x > 0, x > 1, metrics_collections=["m"],
                                          updates_collections=["u"])
    assert tf.get_collection("m") == [value, prec]
    assert tf.get_collection("u") == [update, prec_update]


@pytest.mark.tf
def test_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        M = metrics if t is tf else tfv1.metrics
        with pytest.raises(ValueError):
            M.accuracy(t.constant([1, 2, 3]), t.constant([1, 2]))
        with pytest.raises(ValueError, match="Curve must be either ROC or PR"):
            M.auc(t.constant([True]), t.constant([0.5]), curve="XY")
        with pytest.raises(ValueError, match="must have rank in"):
            M.true_positives(t.constant([True, False]), t.constant([True, True]),
                             weights=t.ones([2, 2, 2]))
    s = tf.placeholder(tf.float32, [None])
    # as in TF, the range check guards only the casts it wraps: int labels are cast, bools not
    _, unchecked = metrics.auc(tf.constant([True, False]), s)
    _, update = metrics.auc(tf.constant([1, 0]), s)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        sess.run(unchecked, {s: [0.5, 1.5]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="predictions must be in"):
            sess.run(update, {s: [0.5, 1.5]})


def test_a_control_dependency_on_a_fed_placeholder_does_not_run_it():
    x = tf.placeholder(tf.float32, [], name="x")
    with tf.control_dependencies([x]):
        y = tf.constant(2.0) * 3.0
    with tf.Session() as sess:
        assert sess.run(y, {x: 1.0}) == 6.0
