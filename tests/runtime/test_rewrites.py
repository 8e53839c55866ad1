"""Constant folding and common-subexpression elimination: results unchanged, stateful and
random ops never folded or merged, fetches and control edges respected."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.framework import errors
from minitf.runtime.rewrites.common import ConstantKernel


@pytest.fixture(autouse=True)
def _no_fusion(monkeypatch):
    """Step counts below are about folding and CSE; fusion is tested in test_fusion.py."""
    monkeypatch.setenv("MINITF_FUSION", "0")


L0 = tf.ConfigProto(graph_options=tf.GraphOptions(
    optimizer_options=tf.OptimizerOptions(opt_level=tf.OptimizerOptions.L0)))


def _run(fetches, feeds=None, config=None, times=1):
    with tf.Session(config=config) as sess:
        if tf.global_variables():
            sess.run(tf.global_variables_initializer())
        outs = [sess.run(fetches, feeds) for _ in range(times)]
        plan = sess._cache[next(k for k in sess._cache if k[0] is not None and
                                (k[0] is fetches or k[0] == _key(fetches)))].plan
    return outs, plan


def _key(fetches):
    from minitf.client.session import _fetch_key

    return _fetch_key(fetches)


def _types(plan):
    return [s.type for s in plan.steps]


def _folded(plan):
    return [s for s in plan.steps if isinstance(s.kernel, ConstantKernel)]


def test_constant_subgraph_is_folded_and_values_unchanged():
    x = tf.placeholder(tf.float32, [3])
    c = tf.constant([1.0, 2.0, 3.0]) * tf.constant(2.0) + tf.constant(0.5)
    y = x - c
    xv = np.array([1, 1, 1], np.float32)
    (out,), plan = _run(y, {x: xv})
    (ref,), plan0 = _run(y, {x: xv}, config=L0)
    np.testing.assert_array_equal(out, ref)
    assert "Mul" not in _types(plan) and "AddV2" not in _types(plan)
    assert "Mul" in _types(plan0)
    assert len(plan.steps) == 2  # the folded constant and Sub


def test_fetched_constant_expression_is_computed_and_stays_writable():
    c = tf.constant(3.0) * tf.constant([1.0, 2.0])
    outs, _ = _run(c, times=2)
    outs[0][0] = 100.0  # the caller owns what it fetched
    np.testing.assert_array_equal(outs[1], [3.0, 6.0])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(c), [3.0, 6.0])


def test_random_ops_are_never_folded_or_merged():
    r1 = tf.random_uniform([4], seed=1) + tf.constant(1.0)
    r2 = tf.random_uniform([4], seed=1) + tf.constant(1.0)
    both = r1 + r2
    (a, b), plan = _run(both, times=2)
    assert not np.array_equal(a, b), "a random op was folded: runs repeat its values"
    assert _types(plan).count("RandomUniform") == 2


def test_stateful_ops_are_not_merged_and_variables_not_folded():
    v = tf.Variable(1.0)
    inc1 = tf.assign_add(v, 1.0)
    inc2 = tf.assign_add(v, 1.0)
    with tf.control_dependencies([inc1, inc2]):
        read = tf.identity(v) * tf.constant(10.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(read) == 30.0
        assert sess.run(read) == 50.0


def test_cse_merges_identical_pure_ops():
    x = tf.placeholder(tf.float32, [None])
    y = tf.placeholder(tf.float32, [None])
    a = x * y
    b = x * y
    z = tf.abs(a) + b
    xv, yv = np.arange(4, dtype=np.float32), np.full(4, -2, np.float32)
    (out,), plan = _run(z, {x: xv, y: yv})
    (ref,), plan0 = _run(z, {x: xv, y: yv}, config=L0)
    np.testing.assert_array_equal(out, ref)
    assert _types(plan).count("Mul") == 1 and _types(plan0).count("Mul") == 2


def test_cse_respects_attrs_and_inputs():
    x = tf.placeholder(tf.float32, [2, 3])
    s0 = tf.reduce_sum(x, axis=0)
    s1 = tf.reduce_sum(x, axis=1)
    t0 = tf.reduce_sum(x, axis=0, keepdims=True)
    total = tf.reduce_sum(s0) + tf.reduce_sum(s1) + tf.reduce_sum(t0)
    xv = np.arange(6, dtype=np.float32).reshape(2, 3)
    (out,), _ = _run(total, {x: xv})
    assert out == 3 * xv.sum()


def test_fetched_duplicates_are_separate_arrays():
    x = tf.placeholder(tf.float32, [2])
    a = x + 1.0
    b = x + 1.0
    ((va, vb),), _ = _run([a, b], {x: np.zeros(2, np.float32)})
    va[0] = 7.0
    assert vb[0] == 1.0


def test_control_dependencies_survive_folding():
    v = tf.Variable(0.0)
    bump = tf.assign_add(v, 1.0)
    with tf.control_dependencies([bump]):
        c = tf.constant(2.0) * tf.constant(3.0)
    y = c + tf.constant(1.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(y) == 7.0
        assert sess.run(y) == 7.0
        assert sess.run(v) == 2.0


def test_large_results_are_not_folded():
    big = tf.constant(np.ones(300_000, np.float32)) * tf.constant(2.0)  # 1.2 MB > 1 MiB
    x = tf.placeholder(tf.float32, [])
    y = tf.reduce_sum(big) + x
    (out,), plan = _run(y, {x: 1.0})
    assert out == 600_001.0
    assert "Mul" in _types(plan)


def test_folding_errors_surface_at_run_time_naming_the_op():
    bad = tf.floordiv(tf.constant(1), tf.constant(0), name="bad_div")
    y = bad + tf.constant(1)
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError) as info:
            sess.run(y)
    assert info.value.op is not None and info.value.op.name.startswith("bad_div")


def test_opt_level_l0_turns_rewrites_off():
    c = tf.constant(2.0) * tf.constant(3.0)
    y = c + tf.constant(1.0)
    y2 = c + tf.constant(1.0)
    z = y * y2
    (out,), plan = _run(z, config=L0)
    assert out == 49.0
    assert not _folded(plan) and _types(plan).count("AddV2") == 2


def test_placeholder_with_default_is_folded_only_when_not_fed():
    p = tf.placeholder_with_default(tf.constant(2.0), [])
    y = p * tf.constant(3.0)
    with tf.Session() as sess:
        assert sess.run(y) == 6.0
        assert sess.run(y, {p: 5.0}) == 15.0
        assert sess.run(y) == 6.0
