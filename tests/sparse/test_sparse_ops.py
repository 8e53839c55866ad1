"""Sparse ops against TF: values, dtypes, static shapes, output names; run-time and build-time
errors."""

import numpy as np
import pytest

import minitf
from minitf import errors
from tests.sparse.common import compare, run_error

pytestmark = pytest.mark.tf

IND = [[0, 1], [1, 0], [1, 3], [2, 2]]
VALS = [1.5, -2.0, 3.0, 0.5]
B_IND = [[0, 1], [0, 2], [2, 2]]
B_VALS = [1.0, 4.0, -0.5]


def sp(tf, ind=IND, vals=VALS, shape=(3, 4), dtype="float64"):
    return tf.SparseTensor(ind, tf.constant(vals, getattr(tf, dtype)), list(shape))


def sp_b(tf):
    return sp(tf, B_IND, B_VALS)


BUILDERS = {
    "to_dense": lambda tf: tf.sparse_tensor_to_dense(sp(tf), default_value=-1.0),
    "sparse.to_dense": lambda tf: tf.sparse.to_dense(sp(tf), validate_indices=False),
    "to_dense_int": lambda tf: tf.sparse.to_dense(sp(tf, vals=[1, 2, 3, 4], dtype="int32")),
    "sparse_to_dense_1d": lambda tf: tf.sparse_to_dense([1, 3], [5], [2.0, 3.0], 1.0),
    "sparse_to_dense_scalar_value": lambda tf: tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], 7),
    "matmul": lambda tf: tf.sparse_tensor_dense_matmul(
        sp(tf), tf.constant(np.arange(8.0).reshape(4, 2))),
    "matmul_adj_a": lambda tf: tf.sparse_tensor_dense_matmul(
        sp(tf), tf.constant(np.arange(6.0).reshape(3, 2)), adjoint_a=True),
    "matmul_adj_b": lambda tf: tf.sparse.sparse_dense_matmul(
        sp(tf), tf.constant(np.arange(8.0).reshape(2, 4)), adjoint_b=True),
    "matmul_adj_ab": lambda tf: tf.sparse.matmul(
        sp(tf), tf.constant(np.arange(6.0).reshape(2, 3)), adjoint_a=True, adjoint_b=True),
    "add_dense": lambda tf: tf.sparse_add(sp(tf), tf.constant(np.ones((3, 4)))),
    "add_dense_first": lambda tf: tf.sparse_add(tf.constant(np.ones((3, 4))), sp(tf)),
    "add_sparse": lambda tf: tf.sparse_add(sp(tf), sp_b(tf)),
    "add_sparse_thresh": lambda tf: tf.sparse_add(sp(tf), sp(tf, [[0, 1]], [-1.4], (3, 4)),
                                                  thresh=0.2),
    "reduce_sum_axis": lambda tf: tf.sparse_reduce_sum(sp(tf), axis=1),
    "reduce_sum_all": lambda tf: tf.sparse_reduce_sum(sp(tf)),
    "reduce_sum_keep": lambda tf: tf.sparse_reduce_sum(sp(tf), axis=-2, keepdims=True),
    "reduce_sum_sparse": lambda tf: tf.sparse_reduce_sum_sparse(sp(tf), axis=1),
    "reshape": lambda tf: tf.sparse_reshape(sp(tf), [2, 6]),
    "reshape_minus1": lambda tf: tf.sparse_reshape(sp(tf), [-1, 2, 3]),
    "transpose": lambda tf: tf.sparse_transpose(sp(tf)),
    "concat0": lambda tf: tf.sparse_concat(0, [sp(tf), sp_b(tf)]),
    "concat1": lambda tf: tf.sparse_concat(1, [sp(tf), sp_b(tf), sp(tf)]),
    "retain": lambda tf: tf.sparse_retain(sp(tf), [True, False, True, False]),
    "reorder": lambda tf: tf.sparse_reorder(sp(tf, [[2, 2], [0, 1], [1, 3], [1, 0]])),
    "fill_empty_rows": lambda tf: tf.sparse_fill_empty_rows(
        sp(tf, [[1, 0], [3, 1]], [1.0, 2.0], (5, 2)), 9.0),
    "softmax": lambda tf: tf.sparse_softmax(
        sp(tf, [[0, 1], [0, 3], [1, 0], [2, 2], [2, 3]], [1.0, 2.0, 3.0, -1.0, 0.5])),
    "maximum": lambda tf: tf.sparse_maximum(sp(tf), sp_b(tf)),
    "minimum": lambda tf: tf.sparse_minimum(sp(tf), sp_b(tf)),
    "from_dense": lambda tf: tf.sparse.from_dense(
        tf.constant([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]])),
    "segment_sum": lambda tf: tf.sparse_segment_sum(
        tf.constant(np.arange(12.0).reshape(4, 3)), [0, 2, 3, 3], [0, 0, 1, 3]),
    "segment_mean": lambda tf: tf.sparse_segment_mean(
        tf.constant(np.arange(12.0).reshape(4, 3)), [0, 2, 3, 3], [0, 0, 1, 3]),
    "segment_sqrt_n": lambda tf: tf.sparse_segment_sqrt_n(
        tf.constant(np.arange(12.0).reshape(4, 3)), [0, 2, 3, 3], [0, 0, 1, 3]),
    "setdiff1d": lambda tf: tf.setdiff1d([5, 1, 3, 1, 7], [1, 7]),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_matches_tf(tfv1, name):
    compare(tfv1, BUILDERS[name])


@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
@pytest.mark.parametrize("weighted", [False, True])
def test_embedding_lookup_sparse(tfv1, combiner, weighted):
    def fn(tf):
        params = tf.constant(np.arange(30.0).reshape(10, 3))
        ids = tf.SparseTensor([[0, 0], [0, 1], [0, 2], [2, 0], [3, 1]],
                              tf.constant([1, 3, 1, 4, 9], tf.int64), [4, 3])
        w = tf.SparseTensor([[0, 0], [0, 1], [0, 2], [2, 0], [3, 1]],
                            tf.constant([1.0, 2.0, 0.5, 3.0, -1.0], tf.float64), [4, 3]) \
            if weighted else None
        return tf.nn.embedding_lookup_sparse(params, ids, w, combiner=combiner)

    compare(tfv1, fn)


def test_embedding_lookup_sparse_sharded(tfv1):
    def fn(tf):
        params = [tf.constant(np.arange(15.0).reshape(5, 3)),
                  tf.constant(np.arange(15.0, 30.0).reshape(5, 3))]
        ids = tf.SparseTensor([[0, 0], [1, 0], [1, 1]], tf.constant([7, 2, 4], tf.int64),
                              [2, 2])
        return tf.nn.embedding_lookup_sparse(params, ids, None, partition_strategy="div",
                                             combiner="sum")

    compare(tfv1, fn, names=False)


def test_sparse_mask(tfv1):
    def fn(tf):
        a = tf.IndexedSlices(tf.constant(np.arange(8.0).reshape(4, 2)),
                             tf.constant([12, 26, 37, 45]), tf.constant([50, 2]))
        m = tf.sparse_mask(a, [12, 45])
        return [m.values, m.indices]

    compare(tfv1, fn)


BAD_INDICES = {"out of order": [[1, 0], [0, 1]], "out of bound": [[1, 0], [5, 1]],
               "repeated": [[1, 0], [1, 0]]}


@pytest.mark.parametrize("what", sorted(BAD_INDICES))
def test_to_dense_bad_indices_raise_at_run_time(tfv1, what):
    def fn(tf):
        return tf.sparse.to_dense(tf.SparseTensor(BAD_INDICES[what], [1.0, 2.0], [3, 4]))

    mine, theirs = run_error(minitf, fn), run_error(tfv1, fn)
    assert isinstance(theirs, tfv1.errors.InvalidArgumentError)
    assert isinstance(mine, errors.InvalidArgumentError), mine
    assert what in mine.message and what in theirs.message
    assert "SparseToDense" in str(mine)


def test_unvalidated_out_of_order_is_accepted():
    st = minitf.SparseTensor([[1, 0], [0, 1]], [1.0, 2.0], [3, 4])
    with minitf.Session() as sess:
        out = sess.run(minitf.sparse.to_dense(st, validate_indices=False))
    assert out[1, 0] == 1.0 and out[0, 1] == 2.0


RUN_ERRORS = {
    "matmul_bound": lambda tf: tf.sparse_tensor_dense_matmul(
        tf.SparseTensor([[0, 7]], [1.0], [2, 3]), tf.ones([3, 2])),
    "add_shapes": lambda tf: tf.sparse_add(
        tf.SparseTensor([[0, 0]], [1.0], [2, 3]),
        tf.SparseTensor([[0, 0]], [1.0], tf.placeholder_with_default(
            tf.constant([2, 4], tf.int64), [2]))),
    "reshape_size": lambda tf: tf.sparse_reshape(
        tf.SparseTensor([[0, 0]], [1.0], [2, 3]),
        tf.placeholder_with_default(tf.constant([4, 4], tf.int64), [2])),
    "segment_unsorted": lambda tf: tf.sparse_segment_sum(tf.ones([3, 2]), [0, 1], [1, 0]),
    "segment_index": lambda tf: tf.sparse_segment_sum(tf.ones([3, 2]), [0, 5], [0, 0]),
    "concat_shapes": lambda tf: tf.sparse_concat(
        1, [tf.SparseTensor([[0, 0]], [1.0], [2, 3]), tf.SparseTensor([[0, 0]], [1.0], [3, 3])]),
}


@pytest.mark.parametrize("name", sorted(RUN_ERRORS))
def test_run_time_errors(tfv1, name):
    mine, theirs = run_error(minitf, RUN_ERRORS[name]), run_error(tfv1, RUN_ERRORS[name])
    assert isinstance(theirs, tfv1.errors.InvalidArgumentError), theirs
    assert isinstance(mine, errors.InvalidArgumentError), mine


BUILD_ERRORS = {
    "matmul_inner": lambda tf: tf.sparse_tensor_dense_matmul(
        tf.SparseTensor([[0, 0]], [1.0], [2, 3]), tf.ones([4, 2])),
    "matmul_rank": lambda tf: tf.sparse_tensor_dense_matmul(
        tf.SparseTensor([[0, 0]], [1.0], [2, 3]), tf.ones([3])),
    "retain_length": lambda tf: tf.sparse_retain(
        tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 3]), [True, False, True]),
    "reshape_static": lambda tf: tf.sparse_reshape(
        tf.SparseTensor([[0, 0]], [1.0], [2, 3]), [4, 4]),
}


@pytest.mark.parametrize("name", sorted(BUILD_ERRORS))
def test_build_time_errors(tfv1, name):
    for mod in (minitf, tfv1):
        with mod.Graph().as_default():
            with pytest.raises(ValueError):
                BUILD_ERRORS[name](mod)
