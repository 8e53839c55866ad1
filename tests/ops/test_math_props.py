"""Property tests (hypothesis) of broadcasting and reductions against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minitf as tf

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

BINARY = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply,
          "maximum": np.maximum, "minimum": np.minimum, "equal": np.equal,
          "less": np.less, "squared_difference": lambda a, b: (a - b) ** 2}


def _run(fetch, feeds):
    with tf.Session() as sess:
        return sess.run(fetch, feeds)


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4),
       name=st.sampled_from(sorted(BINARY)), hide=st.integers(0, 15), data=st.data())
def test_broadcasting_matches_numpy(shapes, name, hide, data):
    tf.reset_default_graph()
    a_shape, b_shape = shapes.input_shapes
    a = data.draw(hnp.arrays(np.float64, a_shape, elements=st.floats(-4, 4, width=32)))
    b = data.draw(hnp.arrays(np.float64, b_shape, elements=st.floats(-4, 4, width=32)))
    # some static dimensions unknown: the static result stays compatible with numpy's
    static_a = [None if hide >> i & 1 else d for i, d in enumerate(a_shape)]
    pa = tf.placeholder(tf.float64, static_a)
    pb = tf.placeholder(tf.float64, b_shape)
    out = getattr(tf, name)(pa, pb)
    expected = BINARY[name](a, b)
    assert out.get_shape().is_compatible_with(expected.shape)
    if static_a == list(a_shape):
        assert out.get_shape().as_list() == list(shapes.result_shape)
    got = _run(out, {pa: a, pb: b})
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@SETTINGS
@given(a_shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
       b_shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
def test_non_broadcastable_shapes_raise_value_error(a_shape, b_shape):
    tf.reset_default_graph()
    try:
        np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        with pytest.raises(ValueError, match="Dimensions must be equal"):
            tf.add(tf.placeholder(tf.float32, a_shape), tf.placeholder(tf.float32, b_shape))
    else:
        tf.add(tf.placeholder(tf.float32, a_shape), tf.placeholder(tf.float32, b_shape))


REDUCE = {"reduce_sum": np.sum, "reduce_mean": np.mean, "reduce_max": np.max,
          "reduce_min": np.min, "reduce_prod": np.prod}


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4),
       name=st.sampled_from(sorted(REDUCE)), keepdims=st.booleans(), data=st.data())
def test_reductions_match_numpy(shape, name, keepdims, data):
    tf.reset_default_graph()
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2, width=32)))
    rank = len(shape)
    axes = data.draw(st.none() | st.lists(st.integers(-rank, rank - 1), unique_by=lambda a: a % rank,
                                          max_size=rank) if rank else st.none())
    p = tf.placeholder(tf.float64, shape)
    out = getattr(tf, name)(p, axes, keepdims=keepdims)
    np_axes = None if axes is None else tuple(axes)
    expected = np.asarray(REDUCE[name](x, axis=np_axes, keepdims=keepdims))
    assert out.get_shape().as_list() == list(expected.shape)
    got = _run(out, {p: x})
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(x=hnp.arrays(np.int32, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5),
                    elements=st.integers(-50, 50)))
def test_integer_mean_truncates_towards_zero(x):
    tf.reset_default_graph()
    p = tf.placeholder(tf.int32, x.shape)
    got = _run(tf.reduce_mean(p, 0), {p: x})
    sums, n = x.sum(axis=0), x.shape[0]
    expected = np.array([int(s / n) if s >= 0 else -int(-s / n) for s in np.ravel(sums)],
                        np.int32).reshape(sums.shape)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, expected)


@SETTINGS
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                    elements=st.floats(-3, 3, width=32)),
       exclusive=st.booleans(), reverse=st.booleans(), data=st.data())
def test_cumsum_matches_numpy(x, exclusive, reverse, data):
    tf.reset_default_graph()
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    p = tf.placeholder(tf.float64, x.shape)
    got = _run(tf.cumsum(p, axis, exclusive=exclusive, reverse=reverse), {p: x})
    y = np.flip(x, axis) if reverse else x
    expected = np.cumsum(y, axis=axis)
    if exclusive:
        expected = expected - y
    expected = np.flip(expected, axis) if reverse else expected
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(ids=st.lists(st.integers(-1, 5), min_size=1, max_size=8), num=st.integers(6, 8))
def test_unsorted_segment_sum_matches_a_loop(ids, num):
    tf.reset_default_graph()
    data = np.arange(len(ids) * 2, dtype=np.float64).reshape(len(ids), 2)
    p = tf.placeholder(tf.float64, data.shape)
    got = _run(tf.unsorted_segment_sum(p, np.array(ids, np.int32), num), {p: data})
    expected = np.zeros((num, 2))
    for i, s in enumerate(ids):
        if s >= 0:
            expected[s] += data[i]
    np.testing.assert_array_equal(got, expected)
