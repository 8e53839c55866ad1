"""Sparse ops on ``tf.SparseTensor`` (TF's op types and names): SparseToDense,
SparseTensorDenseMatMul, SparseTensorDenseAdd, SparseAdd(+Grad), SparseReduceSum(+Sparse),
SparseReshape, SparseReorder, SparseConcat, and the Python-level transpose/retain/placeholder.
Inputs are ``SparseTensor`` composites; outputs are SparseTensors of the ops' output tensors."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework.constant_value import constant_value
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.sparse_tensor import SparseTensor, SparseTensorValue
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import array_ops, math_ops
from minitf.ops.sparse_util import (
    as_sparse,
    check_indices,
    dense_of,
    idx_str,
    invalid,
    linear_index,
    shape_of,
)

__all__ = ["sparse_tensor_to_dense", "sparse_to_dense", "sparse_tensor_dense_matmul",
           "sparse_add", "sparse_reduce_sum", "sparse_reduce_sum_sparse", "sparse_reshape",
           "sparse_reorder", "sparse_concat", "sparse_transpose", "sparse_retain",
           "sparse_placeholder", "SparseTensor", "SparseTensorValue"]

_IDX = "Tindices: {int32, int64} = int64"


_sp = as_sparse


def _vec(n: Any) -> TensorShape:
    return TensorShape([n])


# --- SparseToDense -------------------------------------------------------------------------------

def _s2d_shape(op: Any) -> list[TensorShape]:
    ind, shp, vals, dflt = (t.get_shape() for t in op.inputs)
    if ind.ndims is not None and ind.ndims > 2:
        raise ValueError(f"Shape must be at most rank 2 but is rank {ind.ndims}")
    if dflt.ndims not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {dflt.ndims}")
    if vals.ndims is not None and vals.ndims > 1:
        raise ValueError(f"Shape must be at most rank 1 but is rank {vals.ndims}")
    return [shape_of(op.inputs[1])]


def _s2d_ref(indices: Any, output_shape: Any, values: Any, default: Any,
             validate_indices: bool) -> np.ndarray:
    shape = np.asarray(output_shape, np.int64).reshape(-1)
    ind = np.asarray(indices, np.int64)
    ind = ind.reshape(-1, 1) if ind.ndim < 2 and shape.size == 1 else ind.reshape(
        ind.shape if ind.ndim == 2 else (-1, shape.size))
    n = ind.shape[0]
    if values.ndim == 1 and values.shape[0] != n:
        raise invalid(f"sparse_values has incorrect shape {list(values.shape)}, should be "
                      f"[] or [{n}]")
    if ind.shape[1] != shape.size:
        raise invalid(f"sparse_indices should have {shape.size} columns, got {ind.shape[1]}")
    out = np.full(tuple(int(s) for s in shape), default, dtype=values.dtype)
    bad = ((ind < 0) | (ind >= shape)).any(axis=1) if n else np.zeros(0, bool)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(f"indices[{i}] = {idx_str(ind[i])} is out of bound")
    if validate_indices and n > 1:
        step = np.diff(linear_index(ind, shape))
        if (step < 0).any():
            i = int(np.argmax(step < 0)) + 1
            raise invalid(f"indices[{i}] = {idx_str(ind[i])} is out of order. Many sparse ops "
                          "require sorted indices.\n    Use `tf.sparse.reorder` to create a "
                          "correctly ordered copy.\n\n")
        if (step == 0).any():
            i = int(np.argmax(step == 0)) + 1
            raise invalid(f"indices[{i}] = {idx_str(ind[i])} is repeated")
    if n:
        out[tuple(ind.T)] = values
    return out


register_op("SparseToDense",
            inputs=["sparse_indices: Tindices", "output_shape: Tindices", "sparse_values: T",
                    "default_value: T"], outputs=["dense: T"],
            attrs=["validate_indices: bool = true", "T: type", "Tindices: {int32, int64}"],
            shape=_s2d_shape, reference=_s2d_ref, kernel_attrs=("validate_indices",))


@RegisterGradient("SparseToDense")
def _s2d_grad(op: Any, grad: Tensor) -> Any:
    values_grad = array_ops.gather_nd(grad, op.inputs[0])
    if op.inputs[0].get_shape().ndims == 1:
        values_grad = array_ops.gather(grad, op.inputs[0])
    default_grad = math_ops.reduce_sum(grad) - math_ops.reduce_sum(values_grad)
    if op.inputs[2].get_shape().ndims == 0:
        values_grad = math_ops.reduce_sum(values_grad)
    return [None, None, values_grad, default_grad]


def sparse_to_dense(sparse_indices: Any, output_shape: Any, sparse_values: Any,
                    default_value: Any = 0, validate_indices: bool = True,
                    name: str | None = None) -> Tensor:
    """A dense tensor with ``sparse_values`` at ``sparse_indices`` (``tf.sparse_to_dense``)."""
    with name_scope(name, "SparseToDense",
                    [sparse_indices, output_shape, sparse_values, default_value]) as scope:
        values = convert_to_tensor(sparse_values, name="sparse_values")
        default = convert_to_tensor(default_value, dtype=values.dtype, name="default_value")
        return apply_op("SparseToDense", name=scope, sparse_indices=sparse_indices,
                        output_shape=output_shape, sparse_values=values, default_value=default,
                        validate_indices=validate_indices)


def sparse_tensor_to_dense(sp_input: Any, default_value: Any = 0, validate_indices: bool = True,
                           name: str | None = None) -> Tensor:
    """The dense tensor of ``sp_input`` (``tf.sparse_tensor_to_dense``, ``tf.sparse.to_dense``):
    indices must be in bounds, ordered and unique when ``validate_indices``."""
    sp = _sp(sp_input)
    if not isinstance(default_value, Tensor):
        default_value = np.asarray(default_value, sp.dtype.as_numpy_dtype)
    return apply_op("SparseToDense", name=name, sparse_indices=sp.indices,
                    output_shape=sp.dense_shape, sparse_values=sp.values,
                    default_value=default_value, validate_indices=validate_indices)


# --- SparseTensorDenseMatMul ---------------------------------------------------------------------

def _spmm_shape(op: Any) -> list[TensorShape]:
    a = shape_of(op.inputs[2])
    b = op.inputs[3].get_shape().with_rank(2)
    if a.ndims is not None and a.ndims != 2:
        raise ValueError(f"Shape must be rank 2 but is rank {a.ndims}")
    a = a if a.ndims is not None else TensorShape([None, None])
    if op._attrs["adjoint_a"]:
        a = TensorShape([a[1], a[0]])
    if op._attrs["adjoint_b"]:
        b = TensorShape([b[1], b[0]])
    a[1].assert_is_compatible_with(b[0])
    return [TensorShape([a[0], b[1]])]


def _spmm_ref(ind: Any, vals: Any, shape: Any, b: Any, adjoint_a: bool,
              adjoint_b: bool) -> np.ndarray:
    if np.asarray(shape).size != 2:
        raise invalid("Tensor 'a_shape' is not a vector of length 2")
    a = dense_of(np.asarray(ind, np.int64).reshape(-1, 2), vals, shape)
    a = a.conj().T if adjoint_a else a
    b = b.conj().T if adjoint_b else b
    if a.shape[1] != b.shape[0]:
        raise invalid(f"Cannot multiply A and B because inner dimension does not match: "
                      f"{a.shape[1]} vs. {b.shape[0]}.  Did you forget a transpose?  "
                      f"Dimensions of A: [{a.shape[0]}, {a.shape[1]}).  Dimensions of B: "
                      f"{list(b.shape)}")
    return (a @ b).astype(vals.dtype)


register_op("SparseTensorDenseMatMul",
            inputs=["a_indices: Tindices", "a_values: T", "a_shape: int64", "b: T"],
            outputs=["product: T"],
            attrs=["T: type", _IDX, "adjoint_a: bool = false", "adjoint_b: bool = false"],
            shape=_spmm_shape, reference=_spmm_ref, kernel_attrs=("adjoint_a", "adjoint_b"))


@RegisterGradient("SparseTensorDenseMatMul")
def _spmm_grad(op: Any, grad: Tensor) -> Any:
    ind, vals, shape, b = op.inputs
    adj_a, adj_b = op._attrs["adjoint_a"], op._attrs["adjoint_b"]
    b_grad = apply_op("SparseTensorDenseMatMul", a_indices=ind, a_values=vals, a_shape=shape,
                      b=grad, adjoint_a=not adj_a)
    if adj_b:
        b_grad = array_ops.transpose(b_grad)
    rows, cols = ind[:, 0], ind[:, 1]
    parts_a = array_ops.gather(grad, cols if adj_a else rows)
    parts_b = array_ops.gather(array_ops.transpose(b) if adj_b else b, rows if adj_a else cols)
    return [None, math_ops.reduce_sum(parts_a * parts_b, axis=1), None, b_grad]


def sparse_tensor_dense_matmul(sp_a: Any, b: Any, adjoint_a: bool = False,
                               adjoint_b: bool = False, name: str | None = None) -> Tensor:
    """``sp_a @ b`` for a rank-2 SparseTensor ``sp_a`` and a dense matrix ``b``."""
    sp = _sp(sp_a)
    with name_scope(name, "SparseTensorDenseMatMul", [sp.indices, sp.values, b]):
        b = convert_to_tensor(b, name="b")
        return apply_op("SparseTensorDenseMatMul", a_indices=sp.indices, a_values=sp.values,
                        a_shape=sp.dense_shape, b=b, adjoint_a=adjoint_a, adjoint_b=adjoint_b)


# --- SparseTensorDenseAdd / SparseAdd ------------------------------------------------------------

def _spda_ref(ind: Any, vals: Any, shape: Any, b: Any) -> np.ndarray:
    if tuple(np.asarray(shape).reshape(-1)) != b.shape:
        raise invalid(f"Dimension mismatch: a.shape = {list(np.asarray(shape))} vs b.shape = "
                      f"{list(b.shape)}")
    out = b.copy()
    check_indices(ind, shape, order=False, repeat=False)
    if ind.shape[0]:
        np.add.at(out, tuple(ind.T), vals)
    return out


register_op("SparseTensorDenseAdd",
            inputs=["a_indices: Tindices", "a_values: T", "a_shape: Tindices", "b: T"],
            outputs=["output: T"], attrs=["T: numeric", "Tindices: {int32, int64}"],
            shape=lambda op: [op.inputs[3].get_shape()], reference=_spda_ref)


@RegisterGradient("SparseTensorDenseAdd")
def _spda_grad(op: Any, grad: Tensor) -> Any:
    return [None, array_ops.gather_nd(grad, op.inputs[0]), None, grad]


def _merge(ai: Any, bi: Any, shape: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of two index sets: (sum indices, position in a or -1, position in b or -1)."""
    shape = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    la, lb = linear_index(ai, shape), linear_index(bi, shape)
    keys = np.union1d(la, lb)
    pa = np.full(keys.size, -1, np.int64)
    pb = np.full(keys.size, -1, np.int64)
    pa[np.searchsorted(keys, la)] = np.arange(la.size)
    pb[np.searchsorted(keys, lb)] = np.arange(lb.size)
    idx = np.stack(np.unravel_index(keys, shape), axis=1) if shape else \
        np.zeros((keys.size, 0), np.int64)
    return idx.astype(np.int64), pa, pb


def _sparse_add_ref(ai: Any, av: Any, ashape: Any, bi: Any, bv: Any, bshape: Any,
                    thresh: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not np.array_equal(ashape, bshape):
        raise invalid(f"Operands' shapes do not match: got {list(ashape)} and {list(bshape)} "
                      "for A and B")
    check_indices(ai, ashape, repeat=False)
    check_indices(bi, bshape, repeat=False)
    idx, pa, pb = _merge(ai, bi, ashape)
    vals = np.zeros(pa.size, av.dtype)
    vals[pa >= 0] += av[pa[pa >= 0]]
    vals[pb >= 0] += bv[pb[pb >= 0]]
    keep = ~((pa >= 0) & (pb >= 0)) | (np.abs(vals) >= thresh)
    return idx[keep], vals[keep], np.asarray(ashape, np.int64)


def _sparse_add_shape(op: Any) -> list[TensorShape]:
    rank = op.inputs[2].get_shape().with_rank(1)[0]
    return [TensorShape([None, rank]), _vec(None), TensorShape([rank])]


register_op("SparseAdd",
            inputs=["a_indices: int64", "a_values: T", "a_shape: int64", "b_indices: int64",
                    "b_values: T", "b_shape: int64", "thresh: Treal"],
            outputs=["sum_indices: int64", "sum_values: T", "sum_shape: int64"],
            attrs=["T: numeric", "Treal: real"], shape=_sparse_add_shape,
            reference=_sparse_add_ref)


def _sparse_add_grad_ref(grad: Any, ai: Any, bi: Any, si: Any) -> tuple[np.ndarray, np.ndarray]:
    pos = {tuple(r): k for k, r in enumerate(si.tolist())}
    ga = np.array([grad[pos[tuple(r)]] if tuple(r) in pos else 0 for r in ai.tolist()],
                  grad.dtype).reshape(-1)
    gb = np.array([grad[pos[tuple(r)]] if tuple(r) in pos else 0 for r in bi.tolist()],
                  grad.dtype).reshape(-1)
    return ga, gb


register_op("SparseAddGrad",
            inputs=["backprop_val_grad: T", "a_indices: int64", "b_indices: int64",
                    "sum_indices: int64"], outputs=["a_val_grad: T", "b_val_grad: T"],
            attrs=["T: numeric"],
            shape=lambda op: [_vec(op.inputs[1].get_shape().with_rank(2)[0]),
                              _vec(op.inputs[2].get_shape().with_rank(2)[0])],
            reference=_sparse_add_grad_ref)
NotDifferentiable("SparseAddGrad")


@RegisterGradient("SparseAdd")
def _sparse_add_grad(op: Any, *grads: Any) -> Any:
    ga, gb = apply_op("SparseAddGrad", backprop_val_grad=grads[1], a_indices=op.inputs[0],
                      b_indices=op.inputs[3], sum_indices=op.outputs[0])
    return [None, ga, None, None, gb, None, None]


def sparse_add(a: Any, b: Any, thresh: Any = 0, threshold: Any = None) -> Any:
    """``a + b`` where at least one is a SparseTensor: sparse+sparse gives a SparseTensor
    (merged entries with ``|sum| < thresh`` dropped), sparse+dense a dense Tensor."""
    if threshold is not None:
        thresh = threshold
    a_sp = isinstance(a, (SparseTensor, SparseTensorValue))
    b_sp = isinstance(b, (SparseTensor, SparseTensorValue))
    if not (a_sp or b_sp):
        raise TypeError("At least one input should be SparseTensor; do you mean to use "
                        "tf.add()?")
    if a_sp and b_sp:
        a, b = _sp(a), _sp(b)
        thresh = convert_to_tensor(thresh, dtype=a.dtype.real_dtype, name="threshold")
        ind, vals, shape = apply_op("SparseAdd", a_indices=a.indices, a_values=a.values,
                                    a_shape=a.dense_shape, b_indices=b.indices,
                                    b_values=b.values,
                                    b_shape=b.dense_shape, thresh=thresh)
        out = SparseTensor(ind, vals, shape)
        out.set_shape(a.get_shape().merge_with(b.get_shape()))
        return out
    if b_sp:
        a, b = b, a
    a = _sp(a)
    b = convert_to_tensor(b, dtype=a.dtype, name="b")
    return apply_op("SparseTensorDenseAdd", a_indices=a.indices, a_values=a.values,
                    a_shape=a.dense_shape, b=b)


# --- SparseReduceSum -----------------------------------------------------------------------------

def _axes_of(axes: Any, rank: int) -> tuple[int, ...]:
    axes = np.asarray(axes).reshape(-1)
    for a in axes:
        if not -rank <= a < rank:
            raise invalid(f"Invalid reduction dimension {a}, for input with {rank} dimensions.")
    return tuple(sorted({int(a) % rank for a in axes})) if rank else ()


def _srs_shape(op: Any) -> list[TensorShape]:
    shape = shape_of(op.inputs[2])
    axes = constant_value(op.inputs[3])
    if constant_value(op.inputs[2]) is None or axes is None:  # as TF: both must be constant
        return [TensorShape(None)]
    rank = shape.ndims
    for a in np.asarray(axes).reshape(-1):
        if not -rank <= a < rank:
            raise ValueError(f"Invalid reduction dimension {a}, for input with {rank} "
                             "dimensions.")
    red = {int(a) % rank for a in np.asarray(axes).reshape(-1)}
    dims = shape.as_tuple()
    if op._attrs["keep_dims"]:
        return [TensorShape([1 if i in red else d for i, d in enumerate(dims)])]
    return [TensorShape([d for i, d in enumerate(dims) if i not in red])]


def _srs_ref(ind: Any, vals: Any, shape: Any, axes: Any, keep_dims: bool) -> np.ndarray:
    dense = dense_of(ind, vals, shape)
    return np.asarray(np.sum(dense, axis=_axes_of(axes, dense.ndim), keepdims=keep_dims),
                      vals.dtype)


register_op("SparseReduceSum",
            inputs=["input_indices: int64", "input_values: T", "input_shape: int64",
                    "reduction_axes: int32"], outputs=["output: T"],
            attrs=["keep_dims: bool = false", "T: numeric"], shape=_srs_shape,
            reference=_srs_ref, kernel_attrs=("keep_dims",))


@RegisterGradient("SparseReduceSum")
def _srs_grad(op: Any, grad: Tensor) -> Any:
    from minitf.ops.grad_util import _reduced_shape

    ind, shape = op.inputs[0], op.inputs[2]
    kept = _reduced_shape(shape, op.inputs[3])
    g = array_ops.reshape(grad, kept)
    scale = math_ops.floordiv(shape, kept)
    return [None, array_ops.gather_nd(g, math_ops.floordiv(ind, scale)), None, None]


def _srss_ref(ind: Any, vals: Any, shape: Any, axes: Any,
              keep_dims: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dense_shape = np.asarray(shape, np.int64)
    check_indices(ind, dense_shape, order=False, repeat=False)
    red = _axes_of(axes, dense_shape.size)
    keep = [i for i in range(dense_shape.size) if i not in red]
    out_shape = dense_shape.copy()
    out_shape[list(red)] = 1
    cols = ind.copy()
    cols[:, list(red)] = 0
    if not keep_dims:
        cols, out_shape = cols[:, keep], out_shape[keep]
    keys, inv = np.unique(linear_index(cols, out_shape), return_inverse=True)
    out_vals = np.zeros(keys.size, vals.dtype)
    np.add.at(out_vals, inv.reshape(-1), vals)
    out_ind = np.stack(np.unravel_index(keys, tuple(out_shape)), axis=1) if out_shape.size \
        else np.zeros((keys.size, 0), np.int64)
    return out_ind.astype(np.int64).reshape(-1, out_shape.size), out_vals, out_shape


register_op("SparseReduceSumSparse",
            inputs=["input_indices: int64", "input_values: T", "input_shape: int64",
                    "reduction_axes: int32"],
            outputs=["output_indices: int64", "output_values: T", "output_shape: int64"],
            attrs=["keep_dims: bool = false", "T: numeric"],
            shape=lambda op: [TensorShape(None)] * 3, reference=_srss_ref,
            kernel_attrs=("keep_dims",))
NotDifferentiable("SparseReduceSumSparse")


def _axes_tensor(sp: SparseTensor, axis: Any) -> Any:
    if axis is None:
        rank = sp.get_shape().ndims
        if rank is not None:
            return np.arange(rank, dtype=np.int32)
        return math_ops.range_(0, array_ops.size(sp.dense_shape), 1)
    return axis


def sparse_reduce_sum(sp_input: Any, axis: Any = None, keepdims: Any = None,
                      reduction_axes: Any = None, keep_dims: Any = None) -> Tensor:
    """Sums a SparseTensor over ``axis`` (all axes by default) into a dense tensor."""
    sp = _sp(sp_input)
    axis = reduction_axes if axis is None else axis
    keep = bool(keepdims if keepdims is not None else keep_dims)
    return apply_op("SparseReduceSum", input_indices=sp.indices, input_values=sp.values,
                    input_shape=sp.dense_shape, reduction_axes=_axes_tensor(sp, axis),
                    keep_dims=keep)


def sparse_reduce_sum_sparse(sp_input: Any, axis: Any = None, keepdims: Any = None,
                             reduction_axes: Any = None, keep_dims: Any = None) -> SparseTensor:
    """Like :func:`sparse_reduce_sum`, returning a SparseTensor."""
    sp = _sp(sp_input)
    axis = reduction_axes if axis is None else axis
    keep = bool(keepdims if keepdims is not None else keep_dims)
    out = apply_op("SparseReduceSumSparse", input_indices=sp.indices, input_values=sp.values,
                   input_shape=sp.dense_shape, reduction_axes=_axes_tensor(sp, axis),
                   keep_dims=keep)
    return SparseTensor(*out)


from minitf.ops.sparse_reshape_ops import (  # noqa: E402
    sparse_concat,
    sparse_placeholder,
    sparse_reorder,
    sparse_reshape,
    sparse_retain,
    sparse_transpose,
)
