"""The unread_pure_steps rewrite: pure ops whose values nobody reads compute nothing, while
fetches, targets, side effects, checks and step stats stay as they were."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.framework import errors
from minitf.runtime.rewrites.dead_steps import _skipped

L0 = tf.ConfigProto(graph_options=tf.GraphOptions(
    optimizer_options=tf.OptimizerOptions(opt_level=tf.OptimizerOptions.L0)))


def _plan(sess):
    return list(sess._cache.values())[-1].plan


def _skipped_names(plan):
    return {s.op.name for s in plan.steps if s.kernel is _skipped}


def test_gated_input_gradient_is_not_computed_and_training_is_unchanged():
    rng = np.random.default_rng(0)
    xv = rng.standard_normal((8, 5)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 5])
    w = tf.Variable(rng.standard_normal((5, 3)).astype(np.float32))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w)))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)  # GATE_OP: tf.tuple gating
    results = []
    for config in (None, L0):
        with tf.Session(config=config) as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train, {x: xv})
            results.append(sess.run(w))
            if config is None:
                plan = max((sig.plan for sig in sess._cache.values()), key=lambda p: len(p.steps))
                assert "gradients/MatMul_grad/MatMul" in _skipped_names(plan)
                assert "gradients/MatMul_grad/MatMul_1" not in _skipped_names(plan)
    np.testing.assert_array_equal(results[0], results[1])


def test_fetches_targets_and_side_effects_are_kept():
    x = tf.placeholder(tf.float32, [3])
    y = x * 2.0
    unused = tf.identity(y * 3.0, name="unused")
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    with tf.control_dependencies([unused, inc]):
        done = tf.no_op(name="done")
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(done, {x: np.ones(3, np.float32)})
        assert sess.run(v) == 1.0  # the stateful dependency ran
        assert "unused" in _skipped_names(_plan(sess))
        np.testing.assert_array_equal(sess.run(unused, {x: np.ones(3, np.float32)}), 6)
        sess.run(unused.op, {x: np.ones(3, np.float32)})  # a target runs its op
        plan = _plan(sess)
        assert "unused" not in _skipped_names(plan)


def test_checks_stay_in_the_plan():
    x = tf.placeholder(tf.float32, [2])
    check = tf.Assert(tf.reduce_all(tf.is_finite(x)), [x], name="finite")
    with tf.control_dependencies([check]):
        done = tf.no_op()
    with tf.Session() as sess:
        sess.run(done, {x: np.ones(2, np.float32)})
        with pytest.raises(errors.InvalidArgumentError):
            sess.run(done, {x: np.array([1.0, np.nan], np.float32)})


def test_skipped_step_still_appears_in_step_stats():
    x = tf.placeholder(tf.float32, [4])
    m = tf.reduce_mean(x * 2.0, name="mean")
    with tf.control_dependencies([m]):
        done = tf.no_op(name="done")
    with tf.Session() as sess:
        md = tf.RunMetadata()
        sess.run(done, {x: np.ones(4, np.float32)},
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=md)
        names = {n.node_name for d in md.step_stats.dev_stats for n in d.node_stats}
        assert "mean" in names
        assert "mean" in _skipped_names(_plan(sess))


def test_parallel_executor_keeps_the_order_of_skipped_steps():
    config = tf.ConfigProto(inter_op_parallelism_threads=4)
    x = tf.placeholder(tf.float32, [64])
    v = tf.Variable(np.zeros(64, np.float32))
    chain = x
    for _ in range(10):
        chain = chain * 1.5 + 1.0
    with tf.control_dependencies([tf.reduce_sum(chain)]):
        upd = tf.assign_add(v, x)
    with tf.Session(config=config) as sess:
        sess.run(v.initializer)
        for _ in range(5):
            sess.run(upd, {x: np.ones(64, np.float32)})
        np.testing.assert_array_equal(sess.run(v), 5)
