"""Initializers (tf.zeros_initializer ... tf.variance_scaling_initializer): the ops they build,
exact values of the deterministic ones, statistics of the random ones, TF's errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minitf as tf


def graph_ops(mod):
    return [(op.name, op.type, tuple(t.name for t in op.inputs))
            for op in mod.get_default_graph().get_operations()]


def _initializers(t, seed=None):
    return [t.zeros_initializer(), t.ones_initializer(), t.constant_initializer(2.5),
            t.constant_initializer([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            t.random_normal_initializer(1.0, 2.0, seed=seed),
            t.truncated_normal_initializer(0.0, 0.5, seed=seed),
            t.random_uniform_initializer(-2.0, 3.0, seed=seed),
            t.random_uniform_initializer(seed=seed),
            t.uniform_unit_scaling_initializer(1.5, seed=seed),
            t.variance_scaling_initializer(seed=seed),
            t.variance_scaling_initializer(2.0, "fan_out", "normal", seed=seed),
            t.variance_scaling_initializer(1.0, "fan_avg", "untruncated_normal", seed=seed),
            t.variance_scaling_initializer(3.0, "fan_in", "uniform", seed=seed),
            t.glorot_uniform_initializer(seed=seed), t.glorot_normal_initializer(seed=seed)]


@pytest.mark.tf
def test_initializer_ops_match_tf(tfv1):
    for t in (tf, tfv1):
        for i, init in enumerate(_initializers(t, seed=7)):
            t.Variable(lambda init=init: init([2, 3]), name=f"v{i}")
            t.get_variable(f"g{i}", [3, 2], initializer=init)
            init([2, 3])
        t.zeros_initializer()([40, 40])
        t.ones_initializer(dtype=t.int32)([2000])
        t.zeros_initializer()([2], dtype=t.bool)
    assert graph_ops(tf) == graph_ops(tfv1)
    for a, b in zip(tf.get_default_graph().get_operations(),
                    tfv1.get_default_graph().get_operations()):
        for attr in ("seed", "seed2", "dtype"):
            if attr in b.node_def.attr:
                mine, theirs = a.get_attr(attr), b.get_attr(attr)
                if attr == "dtype":
                    mine, theirs = mine.name, theirs.name
                assert mine == theirs, (a.name, attr)


@pytest.mark.tf
def test_deterministic_initializers_equal_tf(tfv1):
    def build(t):
        return [
            t.zeros_initializer()([2, 3]), t.zeros_initializer()([2], t.int64),
            t.zeros_initializer(dtype=t.bool)([3]), t.ones_initializer()([4], t.float64),
            t.ones_initializer()([1200]), t.zeros_initializer()([1200], t.int32),
            t.constant_initializer(7)([2, 2], t.int32),
            t.constant_initializer([1.0, 2.0, 3.0, 4.0])([2, 2]),
            t.constant_initializer(np.arange(6.0))([2, 3], t.float64),
            t.constant_initializer([[1, 2], [3, 4]])([4]),
            t.initializers.zeros()([2]), t.initializers.ones()([2]),
            t.initializers.constant(3.0)([2]),
        ]

    mine, theirs = build(tf), build(tfv1)
    with tf.Session() as s1, tfv1.Session() as s2:
        for a, b, va, vb in zip(mine, theirs, s1.run(mine), s2.run(theirs)):
            assert a.dtype.name == b.dtype.name and a.shape.as_list() == b.shape.as_list()
            assert va.dtype == vb.dtype
            np.testing.assert_array_equal(va, vb)


@pytest.mark.tf
def test_constant_initializer_shape_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        with pytest.raises(TypeError):
            t.constant_initializer([1.0, 2.0], verify_shape=True)([3])
        with pytest.raises(TypeError, match="Invalid type for initial value"):
            t.constant_initializer({"a": 1})


def _sample(init, shape, dtype=None):
    x = init(shape) if dtype is None else init(shape, dtype)
    with tf.Session() as sess:
        return sess.run(x)


def test_random_normal_and_truncated_statistics():
    x = _sample(tf.random_normal_initializer(1.0, 2.0, seed=1), [200, 200])
    assert abs(x.mean() - 1.0) < 0.05 and abs(x.std() - 2.0) < 0.05
    t = _sample(tf.truncated_normal_initializer(0.5, 2.0, seed=2), [200, 200])
    assert np.abs(t - 0.5).max() <= 4.0 + 1e-5
    assert abs(t.mean() - 0.5) < 0.05
    assert abs(t.std() - 2.0 * 0.87962566103423978) < 0.03


def test_uniform_statistics():
    u = _sample(tf.random_uniform_initializer(-2.0, 3.0, seed=3), [100, 100])
    assert u.min() >= -2.0 and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.05
    d = _sample(tf.random_uniform_initializer(seed=3), [100, 100])
    assert d.min() >= 0.0 and d.max() < 1.0
    i = _sample(tf.random_uniform_initializer(2, 5, dtype=tf.int32), [1000])
    assert i.dtype == np.int32 and set(np.unique(i)) == {2, 3, 4}
    s = _sample(tf.uniform_unit_scaling_initializer(2.0, seed=1), [50, 40])
    limit = math.sqrt(3 / 50) * 2.0
    assert np.abs(s).max() <= limit and np.abs(s).max() > 0.9 * limit


@pytest.mark.parametrize("mode,fan", [("fan_in", 60), ("fan_out", 80), ("fan_avg", 70)])
@pytest.mark.parametrize("distribution", ["truncated_normal", "normal", "untruncated_normal",
                                          "uniform"])
def test_variance_scaling_statistics(mode, fan, distribution):
    scale = 2.0
    init = tf.variance_scaling_initializer(scale, mode, distribution, seed=5)
    want_std = math.sqrt(scale / (fan * 10))  # the receptive field multiplies both fans
    x = _sample(init, [10, 60, 80])
    assert abs(x.std() - want_std) < 0.03 * want_std
    assert abs(x.mean()) < 0.03 * want_std
    if distribution in ("truncated_normal", "normal"):
        assert np.abs(x).max() <= 2 * want_std / 0.87962566103423978 + 1e-6
    if distribution == "uniform":
        assert np.abs(x).max() <= math.sqrt(3 * scale / (fan * 10)) + 1e-6


def test_glorot_bounds():
    g = _sample(tf.glorot_uniform_initializer(seed=1), [300, 100])
    limit = math.sqrt(6.0 / 400)
    assert np.abs(g).max() <= limit and np.abs(g).max() > 0.95 * limit
    n = _sample(tf.glorot_normal_initializer(seed=1), [300, 100])
    assert abs(n.std() - math.sqrt(2.0 / 400)) < 0.03 * math.sqrt(2.0 / 400)


def test_seeded_initializers_repeat_in_new_sessions():
    x = tf.glorot_uniform_initializer(seed=11)([5, 5])
    with tf.Session() as s1:
        a = s1.run(x)
    with tf.Session() as s2:
        b = s2.run(x)
    np.testing.assert_array_equal(a, b)


def test_orthogonal_and_identity():
    q = _sample(tf.orthogonal_initializer(gain=2.0, seed=1), [6, 4])
    np.testing.assert_allclose(q.T @ q, 4.0 * np.eye(4), atol=1e-5)
    w = _sample(tf.orthogonal_initializer(seed=1), [3, 5])
    np.testing.assert_allclose(w @ w.T, np.eye(3), atol=1e-5)
    c = _sample(tf.orthogonal_initializer(seed=1), [2, 2, 3, 4])
    flat = c.reshape(-1, 4)
    np.testing.assert_allclose(flat.T @ flat, np.eye(4), atol=1e-5)
    i = _sample(tf.initializers.identity(gain=3.0), [2, 3])
    np.testing.assert_array_equal(i, 3.0 * np.eye(2, 3))
    with pytest.raises(ValueError, match="at least two-dimensional"):
        tf.orthogonal_initializer()([3])


@pytest.mark.tf
def test_initializer_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        with pytest.raises(ValueError, match="Argument `scale` must be a positive float"):
            t.variance_scaling_initializer(0.0)
        with pytest.raises(ValueError, match="Argument `mode` should be one of"):
            t.variance_scaling_initializer(mode="fan")
        with pytest.raises(ValueError, match="Argument `distribution` should be one of"):
            t.variance_scaling_initializer(distribution="cauchy")
        with pytest.raises(ValueError, match="expected to be floating point"):
            t.random_normal_initializer(dtype=t.int32)
        with pytest.raises(ValueError, match="expected to be floating point"):
            t.truncated_normal_initializer(dtype=t.int32)


@pytest.mark.tf
def test_initializers_namespace_matches_tf(tfv1):
    public = {n for n in dir(tfv1.initializers) if not n.startswith("_")}
    public.discard("tables_initializer")
    for name in public:
        assert hasattr(tf.initializers, name), name
    assert isinstance(tf.initializers.global_variables(), tf.Operation)
    cfg = tf.initializers.variance_scaling(2.0, "fan_out").get_config()
    assert cfg == tfv1.initializers.variance_scaling(2.0, "fan_out").get_config()
    assert tf.initializers.he_normal(seed=3).get_config() == \
        tfv1.initializers.he_normal(seed=3).get_config()
    assert tf.initializers.lecun_uniform().distribution == "uniform"
    assert tf.zeros_initializer.from_config({"dtype": "int32"}).dtype == tf.int32


def test_initializer_classes_accept_partition_info_and_shapes():
    init = tf.ones_initializer()
    x = init(tf.TensorShape([2, 2]), partition_info=None)
    assert x.get_shape().as_list() == [2, 2]
    y = tf.random_normal_initializer()(tf.TensorShape([3]))
    assert y.get_shape().as_list() == [3]
