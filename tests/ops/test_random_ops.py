"""Random ops: graph structure and seed attrs as TF builds them, TF's seed rules, stream
semantics (reproducible across sessions, advancing within one), distributions and errors.

minitf's streams are numpy Philox streams, so sampled numbers are compared statistically, never
against TF's numbers."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.framework.op_registry import get_op_def
from minitf.ops.gradients_impl import gradients

RANDOM_OPS = ["RandomStandardNormal", "RandomUniform", "RandomUniformInt", "TruncatedNormal",
              "RandomShuffle", "Multinomial"]


def graph_ops(mod):
    return [(op.name, op.type, tuple(t.name for t in op.inputs))
            for op in mod.get_default_graph().get_operations()]


def seeds(mod):
    out = []
    for op in mod.get_default_graph().get_operations():
        try:
            out.append((op.name, op.get_attr("seed"), op.get_attr("seed2")))
        except ValueError:
            pass
    return out


def _model(t):
    outs = [t.random_normal([2, 3]), t.random_normal([4], 1.0, 2.0, t.float64, seed=3),
            t.truncated_normal([5], stddev=0.1, seed=4), t.random_uniform([2]),
            t.random_uniform([2], maxval=5.0), t.random_uniform([2], -1.0, 1.0, seed=5),
            t.random_uniform([3], 0, 10, t.int32, seed=6),
            t.random_uniform([3], minval=-4, maxval=4, dtype=t.int64),
            t.random_shuffle([[1, 2], [3, 4], [5, 6]], seed=7),
            t.multinomial([[0.0, 1.0, 2.0]], 4, seed=8),
            t.multinomial([[0.0, 1.0]], 2, output_dtype=t.int32, name="mn"),
            t.random.categorical([[0.0, 1.0]], 3, dtype=t.int32),
            t.random.normal([2], name="named"), t.random.uniform([1, 1]),
            t.random.truncated_normal([3]), t.random.shuffle([1, 2, 3]),
            t.random_normal(t.constant([2, 2])), t.random_normal((2, t.Dimension(3))),
            t.random_uniform(t.TensorShape([4, 1]), dtype=t.float16)]
    p = t.placeholder(t.int32, [2])
    outs.append(t.random_normal(p))
    return outs


@pytest.mark.tf
@pytest.mark.parametrize("graph_seed", [None, 0, 1234, 2**33])
def test_random_ops_and_seeds_match_tf(tfv1, graph_seed):
    results = []
    for t in (tf, tfv1):
        if graph_seed is not None:
            t.set_random_seed(graph_seed)
        outs = _model(t)
        results.append([(o.name, o.dtype.name, str(o.get_shape())) for o in outs])
    assert results[0] == results[1]
    assert graph_ops(tf) == graph_ops(tfv1)
    assert seeds(tf) == seeds(tfv1)


@pytest.mark.tf
def test_get_seed_matches_tf(tfv1):
    for t in (tf, tfv1):
        assert t.get_default_graph().seed is None
    got = []
    for t in (tf, tfv1):
        row = [t.get_seed(None), t.get_seed(3), t.get_seed(-5), t.get_seed(2**40)]
        t.set_random_seed(0)
        row += [t.get_seed(None), t.get_seed(None), t.get_seed(0), t.random.get_seed(7)]
        t.set_random_seed(2**33)
        row += [t.get_seed(None), t.get_seed(2**40), t.get_default_graph().seed]
        g = t.Graph()
        with g.as_default():
            t.random.set_random_seed(5)
            row += [t.get_seed(None), g.seed]
        got.append(row)
    assert got[0] == got[1]


def _run_twice(x):
    with tf.Session() as sess:
        a, b = sess.run(x), sess.run(x)
    return a, b


@pytest.mark.parametrize("make", [
    lambda s: tf.random_normal([50], seed=s),
    lambda s: tf.truncated_normal([50], seed=s),
    lambda s: tf.random_uniform([50], seed=s),
    lambda s: tf.random_uniform([50], 0, 1000000, tf.int64, seed=s),
    lambda s: tf.random_shuffle(np.arange(50), seed=s),
    lambda s: tf.multinomial(np.zeros((2, 100), np.float32), 50, seed=s),
])
def test_stream_semantics(make):
    x = make(17)
    a1, a2 = _run_twice(x)
    b1, b2 = _run_twice(x)
    np.testing.assert_array_equal(a1, b1)  # same seeds: same sequence in a new session
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)  # each run draws new values
    y = make(17)  # the same op seed in one graph: the same first values, as in TF
    with tf.Session() as sess:
        xa, ya = sess.run([x, y])
    np.testing.assert_array_equal(xa, ya)
    z = make(None)
    z1, _ = _run_twice(z)
    z2, _ = _run_twice(z)
    assert not np.array_equal(z1, z2)  # no seed at all: nondeterministic


def test_graph_seed_makes_unseeded_ops_reproducible_and_distinct():
    def build():
        g = tf.Graph()
        with g.as_default():
            tf.set_random_seed(42)
            a = tf.random_normal([20])
            b = tf.random_normal([20])
        return g, a, b

    g1, a1, b1 = build()
    g2, a2, b2 = build()
    with tf.Session(graph=g1) as s1, tf.Session(graph=g2) as s2:
        va, vb = s1.run([a1, b1])
        np.testing.assert_array_equal(va, s2.run(a2))
        assert not np.array_equal(va, vb)


def test_fetching_in_different_runs_shares_the_stream():
    x = tf.random_uniform([10], seed=1)
    y = x * 2.0
    with tf.Session() as sess:
        first = sess.run(x)
        second = sess.run(y) / 2.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(x), first)
        np.testing.assert_allclose(sess.run(x), second)


def test_distributions():
    n = 200_000
    normal = tf.random_normal([n], mean=3.0, stddev=2.0, seed=1)
    trunc = tf.truncated_normal([n], mean=-1.0, stddev=0.5, seed=2, dtype=tf.float64)
    uni = tf.random_uniform([n], -2.0, 6.0, seed=3)
    ints = tf.random_uniform([n], -3, 4, tf.int32, seed=4)
    half = tf.random_normal([1000], dtype=tf.float16, seed=5)
    with tf.Session() as sess:
        x, t, u, i, h = sess.run([normal, trunc, uni, ints, half])
    assert x.dtype == np.float32 and abs(x.mean() - 3.0) < 0.02 and abs(x.std() - 2.0) < 0.02
    assert t.dtype == np.float64 and np.abs(t + 1.0).max() < 1.0
    assert abs(t.mean() + 1.0) < 0.01 and abs(t.std() - 0.5 * 0.8796256610342398) < 0.005
    assert u.min() >= -2.0 and u.max() < 6.0 and abs(u.mean() - 2.0) < 0.03
    assert i.dtype == np.int32 and i.min() == -3 and i.max() == 3
    np.testing.assert_allclose(np.bincount(i + 3) / n, 1 / 7, atol=0.005)
    assert h.dtype == np.float16


def test_shuffle_is_a_permutation_of_rows():
    value = np.arange(24).reshape(8, 3)
    s = tf.random_shuffle(value, seed=3)
    scalar = tf.random_shuffle(5)
    with tf.Session() as sess:
        out = sess.run(s)
        assert sess.run(scalar) == 5
    assert sorted(map(tuple, out)) == sorted(map(tuple, value))
    assert s.get_shape().as_list() == [8, 3]


def test_multinomial_frequencies_and_categorical():
    with np.errstate(divide="ignore"):
        logits = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]], np.float32))
    m = tf.multinomial(logits, 20000, seed=1)
    c = tf.random.categorical(logits, 7, dtype=tf.int32, seed=2)
    with tf.Session() as sess:
        out, cat = sess.run([m, c])
    assert out.dtype == np.int64 and out.shape == (2, 20000)
    np.testing.assert_allclose(np.bincount(out[0], minlength=3) / 20000, [0.1, 0.2, 0.7],
                               atol=0.015)
    np.testing.assert_allclose(np.bincount(out[1], minlength=3) / 20000, [0.5, 0.5, 0.0],
                               atol=0.015)
    assert cat.dtype == np.int32 and cat.shape == (2, 7) and cat.max() < 3


def test_dynamic_shapes():
    p = tf.placeholder(tf.int32, [None])
    x = tf.random_uniform(p)
    assert x.get_shape().ndims is None
    n = tf.placeholder(tf.int32, [])
    m = tf.multinomial([[0.0, 0.0]], n)
    assert m.get_shape().as_list() == [1, None]
    with tf.Session() as sess:
        assert sess.run(x, {p: [2, 5]}).shape == (2, 5)
        assert sess.run(m, {n: 4}).shape == (1, 4)


@pytest.mark.tf
def test_build_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
            t.random_uniform([2], dtype=t.int32)
        with pytest.raises(ValueError, match="Argument `dtype` got invalid value"):
            t.random_uniform([2], dtype=t.int8)
        with pytest.raises(ValueError, match="Argument `dtype` got invalid value"):
            t.multinomial([[0.0, 1.0]], 2, output_dtype=t.float32)
        with pytest.raises(ValueError):
            t.random_normal([[2, 3]])
        with pytest.raises(ValueError):
            t.multinomial([0.0, 1.0], 2)
        with pytest.raises(TypeError):
            t.random_normal([2], dtype=t.int32)


def test_run_errors_name_the_op():
    lo = tf.placeholder(tf.int32, [])
    x = tf.random_uniform([3], lo, 2, tf.int32, name="ints")
    p = tf.placeholder(tf.int32, [1])
    y = tf.random_normal(p, name="neg")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval: 5 >= 2"):
            sess.run(x, {lo: 5})
        with pytest.raises(tf.errors.InvalidArgumentError, match="neg/RandomStandardNormal"):
            sess.run(y, {p: [-1]})


def test_random_ops_are_stateful_and_not_differentiable():
    for op_type in RANDOM_OPS:
        assert get_op_def(op_type).stateful, op_type
    mean = tf.placeholder(tf.float32, [])
    x = tf.random_normal([3], mean=mean, seed=1)
    (g,) = gradients(tf.reduce_sum(x), [mean])
    with tf.Session() as sess:
        assert sess.run(g, {mean: 0.0}) == 3.0
    shape = tf.constant([3])
    r = tf.random_uniform(shape)
    assert gradients(tf.reduce_sum(r), [shape]) == [None]


def test_random_namespace():
    for name in ("normal", "uniform", "truncated_normal", "shuffle", "set_random_seed",
                 "get_seed", "categorical", "multinomial", "set_seed"):
        assert callable(getattr(tf.random, name)), name
    tf.random.set_seed(3)
    assert tf.get_default_graph().seed == 3


@pytest.mark.tf
def test_random_crop(tfv1):
    value = np.arange(5 * 6 * 3, dtype=np.float32).reshape(5, 6, 3)
    for t in (tf, tfv1):
        t.random_crop(value, [2, 3, 3], seed=1)
    # the size check (GreaterEqual, All, Assert, control_dependency) included
    assert [(n, ty) for n, ty, _ in graph_ops(tf)] == [(n, ty) for n, ty, _ in graph_ops(tfv1)]
    crop = tf.random_crop(value, [2, 3, 3], seed=2)
    assert crop.get_shape().as_list() == [2, 3, 3]
    seen = set()
    with tf.Session() as sess:
        for _ in range(30):
            c = sess.run(crop)
            i, j = int(c[0, 0, 0]) // 18, int(c[0, 0, 0]) % 18 // 3
            np.testing.assert_array_equal(c, value[i:i + 2, j:j + 3])
            seen.add((i, j))
    assert len(seen) > 5 and all(i <= 3 and j <= 3 for i, j in seen)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_draws_are_numpys_philox_numbers(dtype):
    """The fast uniform draw (64-bit Philox outputs split by hand) gives numpy's
    ``Generator.random`` numbers for even counts, stays in [0, 1) and keeps its shape."""
    from minitf.ops.random_ops import _uniform

    key = np.array([11, 13], dtype=np.uint64)
    ours = np.random.Generator(np.random.Philox(key=key))
    numpys = np.random.Generator(np.random.Philox(key=key))
    for dims in [(64, 256), (2, 3, 4), (0, 5), (1000,)]:
        np.testing.assert_array_equal(_uniform(ours, dims, dtype),
                                      numpys.random(dims, dtype=dtype))
    odd = _uniform(ours, (7, 3), dtype)
    assert odd.shape == (7, 3) and odd.dtype == dtype
    assert (odd >= 0).all() and (odd < 1).all()
    assert _uniform(ours, (), dtype).shape == ()
