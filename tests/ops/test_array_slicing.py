"""Slice, strided_slice and ``Tensor.__getitem__``: against TF (graphs, static shapes, errors,
gradients) and, with hypothesis, against numpy indexing and TF's static shapes."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minitf
from tests.ops.test_array_common import (
    build_error,
    compare,
    same_build_error,
    same_grads,
    same_run_error,
    static_shape,
)

pytestmark = pytest.mark.tf

X = np.arange(60, dtype=np.float32).reshape(3, 4, 5)


def ph(tf, shape, dtype=None, name="x"):
    return tf.placeholder(dtype or tf.float32, shape, name=name)


SPECS = [
    lambda tf, x: x[0], lambda tf, x: x[:, 1:], lambda tf, x: x[..., None, 1],
    lambda tf, x: x[::-1], lambda tf, x: x[1:-1:2, ::-2, -1], lambda tf, x: x[()],
    lambda tf, x: x[...], lambda tf, x: x[None], lambda tf, x: x[-1, ..., 2:0:-1],
    lambda tf, x: x[:, tf.newaxis, :, tf.newaxis], lambda tf, x: x[10:], lambda tf, x: x[:-10],
    lambda tf, x: x[np.int64(1)], lambda tf, x: x[1, 2, 3], lambda tf, x: x[:, :, ::3],
    lambda tf, x: x[[1, 2]],
]


@pytest.mark.parametrize("shape", [[3, 4, 5], [None, 4, None], None])
@pytest.mark.parametrize("i", range(len(SPECS)))
def test_getitem_python_indices(tfv1, shape, i):
    def f(tf):
        x = ph(tf, shape)
        return SPECS[i](tf, x), {x: X}

    compare(tfv1, f, graph=True)


def test_getitem_tensor_indices(tfv1):
    def f(tf):
        x = ph(tf, [3, 4, 5])
        i = tf.placeholder(tf.int32, [], name="i")
        j = tf.placeholder(tf.int64, [], name="j")
        return [x[i], x[i:, 1], x[:, i:i + 2], x[j], x[1:j], x[..., i], x[1, 2:j],
                x[:, :, ::i]], {x: X, i: 1, j: 2}

    compare(tfv1, f, graph=True)
    same_build_error(tfv1, lambda tf: ph(tf, [3, 4])[tf.constant(1), tf.constant(1, tf.int64)],
                     cls=TypeError)


def test_getitem_shape_tensor_values_are_static(tfv1):
    def f(tf):
        x = ph(tf, [None, 4, 5])
        s = tf.shape(x)
        return [tf.zeros([s[1], s[2]]), tf.reshape(x, [-1, s[2]]), tf.ones(s[1:]),
                tf.reshape(x, [s[0], -1])], {x: X}

    compare(tfv1, f)


def test_getitem_bool_mask(tfv1):
    def f(tf):
        x = ph(tf, [3, 4, 5])
        m = tf.placeholder(tf.bool, [3], name="m")
        return [x[m], x[np.array([True, False, True])]], {x: X, m: np.array([0, 1, 1], bool)}

    compare(tfv1, f)


def test_getitem_errors(tfv1):
    same_build_error(tfv1, lambda tf: ph(tf, [3, 4])[5],
                     match="slice index 5 of dimension 0 out of bounds.")
    same_build_error(tfv1, lambda tf: ph(tf, [3, 4])[-4],
                     match="slice index -1 of dimension 0 out of bounds.")
    same_build_error(tfv1, lambda tf: ph(tf, [3, 4])[0, 0, 0],
                     match="Index out of range using input dim 2; input has only 2 dims")
    same_build_error(tfv1, lambda tf: ph(tf, [3, 4])[::0], match="strides[0] must be non-zero")
    same_build_error(tfv1, lambda tf: ph(tf, [3, 4])[..., ...],
                     match="Multiple ellipses in slice spec not allowed")
    for bad in (1.5, "a", [[0]]):
        same_build_error(tfv1, lambda tf, b=bad: ph(tf, [3, 4])[b], cls=TypeError,
                         match="Only integers, slices")
    same_build_error(tfv1, lambda tf: ph(tf, [3, 4])[tf.constant([0])], cls=TypeError)
    same_build_error(tfv1, lambda tf: ph(tf, [3, 4])[tf.constant(0.5)], cls=TypeError)

    def f(tf):
        x = ph(tf, [None, 4])
        return x[3], {x: X[:, :, 0]}

    same_run_error(tfv1, f, match="slice index 3 of dimension 0 out of bounds.")


def test_iterating_a_tensor(tfv1):
    # TF 2.x's compat layer refuses to iterate symbolic tensors; TF 1.x unstacked with x[i].
    x = minitf.placeholder(minitf.float32, [3, 4])
    rows = list(x)
    assert [r.name for r in rows] == ["strided_slice:0", "strided_slice_1:0", "strided_slice_2:0"]
    with minitf.Session() as sess:
        np.testing.assert_array_equal(np.stack(sess.run(rows, {x: X[:, :, 0]})), X[:, :, 0])
    with pytest.raises(TypeError):
        iter(minitf.placeholder(minitf.float32, [None, 2]))


# --- tf.strided_slice -----------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    {}, {"begin_mask": 1}, {"end_mask": 2}, {"shrink_axis_mask": 1}, {"new_axis_mask": 2},
    {"ellipsis_mask": 1}, {"begin_mask": 7, "end_mask": 7}, {"shrink_axis_mask": 3},
    {"ellipsis_mask": 2, "new_axis_mask": 1}])
def test_strided_slice_masks(tfv1, kw):
    def f(tf):
        x = ph(tf, [3, 4, 5])
        y = ph(tf, [None, None, 5], name="y")
        return [tf.strided_slice(x, [1, 0, -1], [3, 3, 0], [1, 2, -1], **kw),
                tf.strided_slice(y, [1, 0, -1], [3, 3, 0], [1, 2, -1], **kw),
                tf.strided_slice(x, [0, 1], [2, 3], **kw)], {x: X, y: X}

    compare(tfv1, f, graph=True)


def test_strided_slice_dynamic_begin(tfv1):
    def f(tf):
        x = ph(tf, [3, 4, 5])
        b = tf.placeholder(tf.int32, [3], name="b")
        return [tf.strided_slice(x, b, [3, 4, 5], [1, 1, 1]),
                tf.strided_slice(x, b, [3, 4, 5], [1, 1, 1], shrink_axis_mask=1,
                                 end_mask=6)], {x: X, b: np.array([1, 2, 0], np.int32)}

    compare(tfv1, f, graph=True)


# --- hypothesis: __getitem__ vs numpy and TF static shapes --------------------------------------------

def _item(draw, dim):
    kind = draw(st.sampled_from(["int", "slice", "slice", "slice", "newaxis"]))
    if kind == "int":
        return draw(st.integers(-6, 6))
    if kind == "newaxis":
        return None
    bound = st.one_of(st.none(), st.integers(-7, 7))
    step = st.one_of(st.none(), st.sampled_from([-3, -2, -1, 1, 2, 3]))
    return slice(draw(bound), draw(bound), draw(step))


@st.composite
def index_case(draw):
    rank = draw(st.integers(0, 4))
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=rank, max_size=rank)))
    n = draw(st.integers(0, rank + 2))
    items = [_item(draw, None) for _ in range(n)]
    if n and draw(st.booleans()):
        items.insert(draw(st.integers(0, n)), Ellipsis)
    as_tuple = draw(st.booleans()) or len(items) != 1
    return shape, tuple(items) if as_tuple else items[0]


def _numpy(value, spec):
    try:
        return value[spec], None
    except IndexError as e:
        return None, e


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=index_case())
def test_getitem_matches_numpy_and_tf(tfv1, case):
    shape, spec = case
    value = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    expected, np_error = _numpy(value, spec)

    def f(tf):
        x = ph(tf, list(shape))
        return x[spec], {x: value}

    if np_error is not None:
        assert isinstance(build_error(minitf, f), ValueError)
        assert isinstance(build_error(tfv1, f), ValueError)
        return
    mine = compare(tfv1, f, graph=True)
    np.testing.assert_array_equal(mine["values"][0], expected)

    def g(tf):  # every dimension unknown: static shapes still agree with TF
        x = ph(tf, [None] * len(shape))
        return x[spec], {x: value}

    mine = compare(tfv1, g)
    np.testing.assert_array_equal(mine["values"][0], expected)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=index_case())
def test_getitem_unknown_rank_matches_numpy(tfv1, case):
    shape, spec = case
    value = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    expected, np_error = _numpy(value, spec)
    g = minitf.Graph()
    with g.as_default():
        x = minitf.placeholder(minitf.float64, None)
        out = x[spec]
        assert static_shape(out) is None
        with minitf.Session() as sess:
            if np_error is not None:
                with pytest.raises(minitf.errors.InvalidArgumentError):
                    sess.run(out, {x: value})
            else:
                np.testing.assert_array_equal(sess.run(out, {x: value}), expected)


# --- tf.slice -----------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [[3, 4, 5], [None, 4, None], None])
@pytest.mark.parametrize("begin,size", [([0, 1, 2], [2, 2, 2]), ([1, 0, 0], [-1, 4, -1]),
                                        ([0, 0, 0], [3, 4, 5]), ([3, 4, 5], [0, 0, 0])])
def test_slice(tfv1, shape, begin, size):
    def f(tf):
        x = ph(tf, shape)
        return tf.slice(x, begin, size), {x: X}

    compare(tfv1, f, graph=True)


def test_slice_dynamic_and_partial(tfv1):
    def f(tf):
        x = ph(tf, [3, 4, 5])
        b = tf.placeholder(tf.int32, [3], name="b")
        n = tf.placeholder(tf.int32, [], name="n")
        return [tf.slice(x, b, [1, 2, -1]), tf.slice(x, [0, 0, 0], [n, 2, -1]),
                tf.slice(x, [n, 0, 0], [1, 2, -1])], \
            {x: X, b: np.array([1, 2, 0], np.int32), n: 2}

    compare(tfv1, f, graph=True)


def test_slice_errors(tfv1):
    same_build_error(tfv1, lambda tf: tf.slice(ph(tf, [3, 4]), [0], [1]),
                     match="Shape must be rank 1 but is rank 2")
    same_build_error(tfv1, lambda tf: tf.slice(ph(tf, [3, 4]), [0, 0], [1, -2]),
                     match="Invalid value in tensor used for shape: -2")
    same_build_error(tfv1, lambda tf: tf.slice(ph(tf, [3, 4]), [0, 5], [1, -1]),
                     match="Negative dimension size caused by subtracting 5 from 4")

    def f(tf):
        x = ph(tf, [3, 4])
        return tf.slice(x, [0, 3], [1, 2]), {x: X[:, :, 0]}

    same_run_error(tfv1, f, match="Expected size[1] in [0, 1], but got 2")

    def g(tf):
        x = ph(tf, None)
        return tf.slice(x, [4, 0], [1, 2]), {x: X[:, :, 0]}

    same_run_error(tfv1, g, match="Expected begin[0] in [0, 3], but got 4")


# --- gradients -------------------------------------------------------------------------------------

def test_slicing_gradients(tfv1):
    v = np.random.default_rng(3).standard_normal((3, 4, 5))

    def f(tf):
        x = tf.placeholder(tf.float64, [3, 4, 5], name="x")
        y = tf.placeholder(tf.float64, [None, 4, None], name="y")
        i = tf.placeholder(tf.int32, [], name="i")
        return [x[1], x[:, ::-2, None, 1:4], x[..., -1], y[1:, 2], y[i, ..., ::2],
                tf.slice(x, [1, 0, 2], [-1, 2, 3]), tf.slice(y, [0, 1, 0], [2, -1, 3]),
                tf.strided_slice(x, [0, 3], [3, 0], [2, -1], end_mask=1)], \
            {x: v, y: v * 3, i: 2}

    same_grads(tfv1, f)
