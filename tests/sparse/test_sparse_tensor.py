"""tf.SparseTensor, SparseTensorValue, sparse_placeholder: construction, fetch and feed round
trips, against TF."""

import numpy as np
import pytest

import minitf as tf
from tests.sparse.common import compare

pytestmark = pytest.mark.tf

IND = [[0, 0], [1, 2]]


def test_properties_match_tf(tfv1):
    for mod in (tf, tfv1):
        g = mod.Graph()
        with g.as_default():
            st = mod.SparseTensor(IND, [1.0, 2.0], [3, 4])
            assert (st.indices.name, st.values.name, st.dense_shape.name) == (
                "SparseTensor/indices:0", "SparseTensor/values:0", "SparseTensor/dense_shape:0")
            assert st.dtype == mod.float32 and st.indices.dtype == mod.int64
            assert st.dense_shape.dtype == mod.int64
            assert st.shape.as_list() == [3, 4] and st.get_shape().as_list() == [3, 4]
            assert st.op is st.values.op and st.graph is g
            assert st.indices.get_shape().as_list() == [2, 2]
            with mod.Session() as sess:
                v = st.eval(session=sess)
            assert type(v).__name__ == "SparseTensorValue"
            np.testing.assert_array_equal(v.indices, IND)
            assert v.indices.dtype == np.int64 and v.dense_shape.dtype == np.int64


def test_fetch_value_and_nested(tfv1):
    def fn(tf):
        st = tf.SparseTensor(IND, [1, 2], [3, 4])
        with tf.Session() as sess:
            return sess.run({"a": st, "b": [st.values, st]})

    mine, theirs = fn(tf), fn(tfv1)
    assert isinstance(mine["a"], tf.SparseTensorValue)
    assert isinstance(mine["b"][1], tf.SparseTensorValue)
    for a, b in zip(mine["a"], theirs["a"]):
        np.testing.assert_array_equal(a, b)
        assert np.asarray(a).dtype == np.asarray(b).dtype


def test_sparse_tensor_value_is_a_namedtuple():
    v = tf.SparseTensorValue(np.array(IND), np.array([1.0, 2.0]), np.array([3, 4]))
    ind, vals, shape = v
    assert v.indices is ind and v._fields == ("indices", "values", "dense_shape")
    st = tf.SparseTensor.from_value(v)
    assert st.get_shape().as_list() == [3, 4]


@pytest.mark.parametrize("shape", [None, [3, 4], [None, 4]])
def test_sparse_placeholder_names_shapes(tfv1, shape):
    for mod in (tf, tfv1):
        g = mod.Graph()
        with g.as_default():
            sp = mod.sparse_placeholder(mod.float32, shape=shape, name="sp")
            assert sp.indices.name == "sp/indices:0" and sp.values.name == "sp/values:0"
            assert sp.dense_shape.name == "sp/shape:0"
            static = sp.get_shape()
            assert (None if static.ndims is None else static.as_list()) == shape
            rank = None if shape is None else len(shape)
            assert sp.indices.get_shape().as_list() == [None, rank]


@pytest.mark.parametrize("as_value", [False, True])
def test_feed_sparse_placeholder(tfv1, as_value):
    def fn(tf):
        sp = tf.sparse_placeholder(tf.float32, name="sp")
        value = ([[0, 1], [1, 0]], [3.0, 4.0], [2, 3])
        if as_value:
            value = tf.SparseTensorValue(*(np.asarray(v) for v in value))
        with tf.Session() as sess:
            dense = sess.run(tf.sparse.to_dense(sp), {sp: value})
            back = sess.run(sp, {sp: value})
        return dense, back

    (d1, b1), (d2, b2) = fn(tf), fn(tfv1)
    np.testing.assert_array_equal(d1, d2)
    for a, b in zip(b1, b2):
        np.testing.assert_array_equal(a, b)
        assert np.asarray(a).dtype == np.asarray(b).dtype


def test_feed_known_shape_placeholder_default_shape(tfv1):
    def fn(tf):
        sp = tf.sparse_placeholder(tf.float64, shape=[2, 2])
        return tf.sparse_reduce_sum(sp, 1), {sp: ([[1, 1]], [5.0], [2, 2])}

    compare(tfv1, fn, names=False)


def test_feed_constant_sparse_tensor_and_make_callable():
    st = tf.SparseTensor(IND, [1.0, 2.0], [3, 4])
    dense = tf.sparse.to_dense(st)
    with tf.Session() as sess:
        out = sess.run(dense, {st: ([[0, 1], [2, 3]], [1.0, 7.0], [3, 4])})
        assert out[2, 3] == 7.0 and out.sum() == 8.0
        call = sess.make_callable(dense, [st])
        assert call(tf.SparseTensorValue([[0, 0], [1, 1]], [5.0, 1.0], [3, 4]))[0, 0] == 5.0
        assert sess.run(dense)[1, 2] == 2.0


def test_bad_feed_values_raise():
    sp = tf.sparse_placeholder(tf.float32)
    with tf.Session() as sess:
        with pytest.raises(TypeError):
            sess.run(sp.values, {sp: np.zeros(3)})
        with pytest.raises(ValueError):
            sess.run(sp.values, {sp: ([0, 1], [1.0], [2])})


def test_build_time_shape_errors(tfv1):
    for mod in (tf, tfv1):
        with mod.Graph().as_default():
            with pytest.raises(ValueError):
                mod.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0, 3.0], [3, 4])
            with pytest.raises(ValueError):
                mod.SparseTensor([[0, 0, 0]], [1.0], [3, 4])
            with pytest.raises(ValueError):
                mod.SparseTensor([0, 1], [1.0, 2.0], [3])


def test_sparse_namespace_aliases():
    for name in ("to_dense", "sparse_dense_matmul", "matmul", "add", "reduce_sum",
                 "reduce_sum_sparse", "reshape", "transpose", "concat", "retain", "reorder",
                 "fill_empty_rows", "softmax", "maximum", "minimum", "mask", "from_dense",
                 "placeholder", "SparseTensor", "SparseTensorValue", "segment_sum",
                 "segment_mean", "segment_sqrt_n"):
        assert hasattr(tf.sparse, name), name


def test_convert_to_tensor_rejects_sparse(tfv1):
    for mod in (tf, tfv1):
        with mod.Graph().as_default():
            with pytest.raises(TypeError):
                mod.convert_to_tensor(mod.SparseTensor(IND, [1.0, 2.0], [3, 4]))


def test_contrib_dense_to_sparse():
    st = tf.contrib.layers.dense_to_sparse(tf.constant([[1, -1, 2], [-1, -1, 3]]), eos_token=-1)
    assert st.indices.name.startswith("dense_to_sparse/") and st.dtype == tf.int32
    with tf.Session() as sess:
        v = sess.run(st)
    np.testing.assert_array_equal(v.indices, [[0, 0], [0, 2], [1, 2]])
    np.testing.assert_array_equal(v.values, [1, 2, 3])
    np.testing.assert_array_equal(v.dense_shape, [2, 3])
