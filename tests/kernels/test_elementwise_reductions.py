"""Last-axis reduction kernels (Sum, Mean, Max, Min): bit-identical to the numpy references,
on the fast path (short rows) and off it."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.kernels.registry import reference_kernels_only

pytest.importorskip("numba")

OPS = {"Sum": tf.reduce_sum, "Mean": tf.reduce_mean, "Max": tf.reduce_max,
       "Min": tf.reduce_min}
SHAPES = [(3000, 1), (3000, 7), (500, 8), (300, 16), (100, 37), (40, 128), (20, 129),
          (50, 6, 10), (0, 5), (5000, 0)]


def _values(shape, dtype, rng):
    x = rng.standard_normal(shape) * 10.0 ** rng.integers(-4, 5, shape)
    if x.size > 10:
        x.reshape(-1)[3] = np.nan
        x.reshape(-1)[7] = np.inf
        x.reshape(-1)[9] = -0.0
    return x.astype(dtype)


def _run(fetch, feeds):
    with tf.Session() as sess:
        return sess.run(fetch, feeds)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(OPS))
def test_last_axis_reduction_is_bit_identical(name, shape, dtype):
    rng = np.random.default_rng(len(shape) * 100 + shape[-1])
    xv = _values(shape, dtype, rng)
    x = tf.placeholder(tf.as_dtype(dtype), [None] * len(shape))
    fetches = [OPS[name](x, axis=-1), OPS[name](x, axis=len(shape) - 1, keepdims=True)]
    if name in ("Max", "Min") and xv.size == 0:
        fetches = fetches[:1]
    got = _run(fetches, {x: xv})
    with reference_kernels_only():
        want = _run(fetches, {x: xv})
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(g, w)


def test_other_axes_and_layouts_use_the_reference():
    rng = np.random.default_rng(0)
    xv = _values((64, 48), np.float32, rng)
    x = tf.placeholder(tf.float32, [None, None])
    fetches = [tf.reduce_sum(x, axis=0), tf.reduce_sum(x), tf.reduce_max(tf.transpose(x), 1),
               tf.reduce_mean(x, axis=[0, 1])]
    got = _run(fetches, {x: xv})
    with reference_kernels_only():
        want = _run(fetches, {x: xv})
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_bad_axis_still_raises():
    x = tf.placeholder(tf.float32, [None, None])
    axis = tf.placeholder(tf.int32, [1])
    y = tf.reduce_sum(x, axis=axis)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(y, {x: np.ones((100, 30), np.float32), axis: [5]})
