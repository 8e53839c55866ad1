"""Cases for the sparse ops (minitf/ops/sparse_*.py, nn_embedding_sparse.py)."""

import numpy as np

import minitf as tf
from minitf.framework.op_def_library import apply_op
from tests.ops.cases import case, placeholder64, rand

IND = [[0, 1], [1, 0], [1, 3], [2, 2]]


def _sp(n=4, shape=(3, 4), ind=None):
    v = placeholder64([n])
    return tf.SparseTensor(IND if ind is None else ind, v, shape), v


@case("SparseToDense")
def sparse_to_dense():
    sp, v = _sp()
    return tf.sparse.to_dense(sp, default_value=0.5), {v: rand(4)}


@case("SparseTensorDenseMatMul")
def spmm():
    sp, v = _sp()
    b = placeholder64([4, 2])
    return tf.sparse_tensor_dense_matmul(sp, b), {v: rand(4), b: rand(4, 2)}


@case("SparseTensorDenseMatMul")
def spmm_adjoint():
    sp, v = _sp()
    b = placeholder64([2, 3])
    return (tf.sparse_tensor_dense_matmul(sp, b, adjoint_a=True, adjoint_b=True),
            {v: rand(4), b: rand(2, 3)})


@case("SparseTensorDenseAdd")
def sparse_dense_add():
    sp, v = _sp()
    d = placeholder64([3, 4])
    return tf.sparse_add(sp, d), {v: rand(4), d: rand(3, 4)}


@case("SparseAdd")
def sparse_add():
    a, va = _sp()
    b, vb = _sp(3, ind=[[0, 1], [0, 2], [2, 2]])
    return tf.sparse.to_dense(tf.sparse_add(a, b)), {va: rand(4), vb: rand(3)}


@case("SparseAddGrad", grad=False)
def sparse_add_grad():
    g = placeholder64([3])
    ga, gb = apply_op("SparseAddGrad", backprop_val_grad=g,
                      a_indices=np.array([[0, 0], [1, 1]], np.int64),
                      b_indices=np.array([[1, 1], [2, 0]], np.int64),
                      sum_indices=np.array([[0, 0], [1, 1], [2, 0]], np.int64))
    return tf.concat([ga, gb], 0), {g: rand(3)}


@case("SparseReduceSum")
def sparse_reduce_sum():
    sp, v = _sp()
    return tf.sparse_reduce_sum(sp, axis=1, keepdims=True), {v: rand(4)}


@case("SparseReduceSum")
def sparse_reduce_sum_all():
    sp, v = _sp()
    return tf.sparse_reduce_sum(sp), {v: rand(4)}


@case("SparseReduceSumSparse", grad=False)
def sparse_reduce_sum_sparse():
    sp, v = _sp()
    return tf.sparse_reduce_sum_sparse(sp, axis=0).values, {v: rand(4)}


@case("SparseReshape")
def sparse_reshape():
    sp, v = _sp()
    return tf.sparse.to_dense(tf.sparse_reshape(sp, [2, -1])), {v: rand(4)}


@case("SparseReorder")
def sparse_reorder():
    sp, v = _sp(ind=[[2, 2], [0, 1], [1, 3], [1, 0]])
    return tf.sparse_reorder(sp).values, {v: rand(4)}


@case("SparseConcat")
def sparse_concat():
    a, va = _sp()
    b, vb = _sp()
    return tf.sparse.to_dense(tf.sparse_concat(1, [a, b])), {va: rand(4), vb: rand(4)}


@case("SparseFillEmptyRows")
def sparse_fill_empty_rows():
    sp, v = _sp(2, shape=(4, 4), ind=[[1, 0], [1, 3]])
    d = placeholder64([])
    out, _ = tf.sparse_fill_empty_rows(sp, d)
    return out.values, {v: rand(2), d: np.float64(0.3)}


@case("SparseFillEmptyRowsGrad", grad=False)
def sparse_fill_empty_rows_grad():
    g = placeholder64([5])
    dv, dd = apply_op("SparseFillEmptyRowsGrad",
                      reverse_index_map=np.array([1, 4, 2], np.int64), grad_values=g)
    return tf.concat([dv, [dd]], 0), {g: rand(5)}


@case("SparseSoftmax")
def sparse_softmax():
    sp, v = _sp(5, ind=[[0, 1], [0, 3], [1, 0], [1, 3], [2, 2]])
    return tf.sparse_softmax(sp).values, {v: rand(5)}


@case("SparseSparseMaximum", grad=False)
def sparse_maximum():
    a, va = _sp()
    b, vb = _sp(3, ind=[[0, 1], [0, 2], [2, 2]])
    return tf.sparse_maximum(a, b).values, {va: rand(4), vb: rand(3)}


@case("SparseSparseMinimum", grad=False)
def sparse_minimum():
    a, va = _sp()
    b, vb = _sp(3, ind=[[0, 1], [0, 2], [2, 2]])
    return tf.sparse_minimum(a, b).values, {va: rand(4), vb: rand(3)}


@case("ListDiff", grad=False)
def list_diff():
    x = placeholder64([5])
    out, idx = tf.setdiff1d(x, tf.gather(x, [1, 3]))
    return out * tf.cast(idx, tf.float64), {x: rand(5)}


def _segment_case(fn):
    d = placeholder64([5, 3])
    return fn(d, [0, 2, 2, 4], [0, 0, 2, 2]), {d: rand(5, 3)}


@case("SparseSegmentSum")
def sparse_segment_sum():
    return _segment_case(tf.sparse_segment_sum)


@case("SparseSegmentMean")
def sparse_segment_mean():
    return _segment_case(tf.sparse_segment_mean)


@case("SparseSegmentSqrtN")
def sparse_segment_sqrt_n():
    return _segment_case(tf.sparse_segment_sqrt_n)


@case("SparseSegmentMeanGrad", grad=False)
def sparse_segment_mean_grad():
    g = placeholder64([3, 2])
    return apply_op("SparseSegmentMeanGrad", grad=g, indices=[0, 2, 2, 4],
                    segment_ids=[0, 0, 2, 2], output_dim0=5), {g: rand(3, 2)}


@case("SparseSegmentSqrtNGrad", grad=False)
def sparse_segment_sqrt_n_grad():
    g = placeholder64([3, 2])
    return apply_op("SparseSegmentSqrtNGrad", grad=g, indices=[0, 2, 2, 4],
                    segment_ids=[0, 0, 2, 2], output_dim0=5), {g: rand(3, 2)}
