"""tf.map_fn, tf.scan, tf.foldl, tf.foldr against TF 1.x: values, structures, static shapes,
dtypes, run-time lengths, gradients, and errors; plus numpy oracles where TF is absent."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from tests.ops.test_control_flow_cond import assert_nested_close

X = np.arange(12, dtype=np.float32).reshape(4, 3) / 4 - 1
CASES = {
    "map_sum": lambda t, x: t.map_fn(lambda r: t.reduce_sum(r * r), x),
    "map_rows": lambda t, x: t.map_fn(lambda r: t.nn.relu(r) * 2.0, x),
    "map_tuple_dtype": lambda t, x: t.map_fn(lambda r: (r, t.cast(r > 0, t.int32)), x,
                                             dtype=(t.float32, t.int32)),
    "map_nested_elems": lambda t, x: t.map_fn(lambda p: p[0] * p[1], (x, x + 1.0),
                                              dtype=t.float32),
    "scan": lambda t, x: t.scan(lambda a, r: a + r, x),
    "scan_init": lambda t, x: t.scan(lambda a, r: a * 0.5 + r, x, initializer=t.ones([3])),
    "scan_reverse": lambda t, x: t.scan(lambda a, r: a + r, x, reverse=True),
    "scan_reverse_init": lambda t, x: t.scan(lambda a, r: a - r, x, initializer=t.zeros([3]),
                                             reverse=True),
    "scan_tuple_acc": lambda t, x: t.scan(lambda a, r: (a[0] + r, a[1] * 2.0), x,
                                          initializer=(t.zeros([3]), t.ones([]))),
    "foldl": lambda t, x: t.foldl(lambda a, r: a * 2.0 + r, x),
    "foldl_init": lambda t, x: t.foldl(lambda a, r: a + t.reduce_sum(r), x,
                                       initializer=t.constant(0.0)),
    "foldr": lambda t, x: t.foldr(lambda a, r: a * 2.0 + r, x),
    "foldr_init": lambda t, x: t.foldr(lambda a, r: a * r, x, initializer=t.ones([3])),
}


def _run(t, name: str, static: bool, value: np.ndarray = X):
    x = t.placeholder(t.float32, list(value.shape) if static else [None, 3], name="x")
    out = CASES[name](t, x)
    with t.Session() as s:
        return out, s.run(out, {x: value})


@pytest.mark.tf
@pytest.mark.parametrize("static", [True, False], ids=["static_len", "dynamic_len"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_values_shapes_dtypes_match_tf(tfv1, name: str, static: bool) -> None:
    ours, got = _run(tf, name, static)
    theirs, want = _run(tfv1, name, static)
    assert_nested_close(got, want, rtol=1e-6, atol=1e-6)
    flat_o = ours if isinstance(ours, (list, tuple)) else [ours]
    flat_t = theirs if isinstance(theirs, (list, tuple)) else [theirs]
    for a, b in zip(flat_o, flat_t):
        assert a.dtype.name == b.dtype.name
        assert a.get_shape().as_list() == b.get_shape().as_list(), name


def test_map_fn_matches_numpy_without_tf() -> None:
    _, got = _run(tf, "map_sum", False)
    np.testing.assert_allclose(got, (X * X).sum(1), rtol=1e-6)
    _, got = _run(tf, "scan_reverse", False)
    np.testing.assert_allclose(got, np.cumsum(X[::-1], 0)[::-1], rtol=1e-6)
    _, got = _run(tf, "foldl", True)
    want = X[0]
    for r in X[1:]:
        want = want * 2 + r
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("name", ["map_rows", "scan_init", "scan_reverse_init"])
def test_zero_elements(name: str) -> None:
    out, got = _run(tf, name, False, np.zeros((0, 3), np.float32))
    assert got.shape == (0, 3)


@pytest.mark.parametrize("name", ["map_sum", "map_rows", "scan", "scan_init", "scan_reverse",
                                  "foldl", "foldr", "foldr_init"])
def test_gradients_match_numeric(name: str) -> None:
    x = tf.constant(X)
    out = CASES[name](tf, x)
    loss = tf.reduce_sum(tf.square(out) * 0.5)
    with tf.Session():
        err = tf.test.compute_gradient_error(x, list(X.shape), loss, [], x_init_value=X,
                                             delta=1e-2)
    assert err < 2e-2, err


@pytest.mark.tf
@pytest.mark.parametrize("name", ["map_rows", "scan", "foldr_init"])
def test_gradients_match_tf(tfv1, name: str) -> None:
    def grads(t):
        x = t.constant(X)
        out = CASES[name](t, x)
        g = t.gradients(t.reduce_sum(out * out), x)[0]
        with t.Session() as s:
            return s.run(g)
    np.testing.assert_allclose(grads(tf), grads(tfv1), rtol=1e-5, atol=1e-5)


def test_training_through_map_fn() -> None:
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(tf.ones([3]))
    pred = tf.map_fn(lambda r: tf.reduce_sum(r * w), x)
    loss = tf.reduce_mean(tf.square(pred - 1.0))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        first = s.run(loss, {x: X})
        for _ in range(50):
            s.run(train, {x: X})
        assert s.run(loss, {x: X}) < first * 0.5


def test_errors() -> None:
    with pytest.raises(ValueError, match="1\\+ dimensional"):
        tf.map_fn(lambda v: v, tf.constant(1.0))
    with pytest.raises(ValueError, match="1\\+ dimensional"):
        tf.scan(lambda a, v: a + v, tf.constant(1.0))
    with pytest.raises(ValueError, match="does not contain any Tensors"):
        tf.map_fn(lambda v: v, [])
    with pytest.raises(TypeError, match="map_fn: fn returned int32 .* float32 was expected"):
        tf.map_fn(lambda v: tf.cast(v, tf.int32), tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="same nested structure"):
        tf.map_fn(lambda v: (v, v), tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="scan: fn returned"):
        tf.scan(lambda a, v: tf.cast(a, tf.int32), tf.constant([1.0, 2.0]))
