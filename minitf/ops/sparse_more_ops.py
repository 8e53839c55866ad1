"""More sparse ops: SparseFillEmptyRows(+Grad), SparseSoftmax, SparseSparseMaximum/Minimum,
ListDiff (``tf.setdiff1d``), and the Python-level ``sparse_mask`` and ``from_dense``."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.graph import name_scope
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.sparse_tensor import SparseTensor
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import array_ops, math_ops
from minitf.ops.sparse_ops import sparse_reduce_sum
from minitf.ops.sparse_util import as_sparse, check_indices, invalid, linear_index, shape_of

__all__ = ["sparse_fill_empty_rows", "sparse_softmax", "sparse_maximum", "sparse_minimum",
           "sparse_mask", "setdiff1d", "from_dense"]


_sp = as_sparse


def _vec(n: Any = None) -> TensorShape:
    return TensorShape([n])


# --- SparseFillEmptyRows -------------------------------------------------------------------------

def _fill_ref(ind: Any, vals: Any, shape: Any,
              default: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    shape = np.asarray(shape, np.int64)
    if shape.size == 0:
        raise invalid("dense_shape must be a vector of length >= 1")
    check_indices(ind, shape, order=False, repeat=False)
    nrows = int(shape[0])
    rows = ind[:, 0] if ind.shape[0] else np.zeros(0, np.int64)
    empty = np.ones(nrows, bool)
    empty[rows] = False
    new_rows = np.flatnonzero(empty)
    extra = np.zeros((new_rows.size, shape.size), np.int64)
    extra[:, 0] = new_rows
    all_ind = np.concatenate([ind.reshape(-1, shape.size), extra])
    all_vals = np.concatenate([vals, np.full(new_rows.size, default, vals.dtype)])
    perm = np.argsort(all_ind[:, 0], kind="stable")
    reverse = np.empty(perm.size, np.int64)
    reverse[perm] = np.arange(perm.size)
    return all_ind[perm], all_vals[perm], empty, reverse[:ind.shape[0]]


def _fill_shape(op: Any) -> list[TensorShape]:
    rank = op.inputs[2].get_shape().with_rank(1)[0]
    dense = shape_of(op.inputs[2])
    rows = dense[0] if dense.ndims else None
    return [TensorShape([None, rank]), _vec(), _vec(rows),
            _vec(op.inputs[1].get_shape().with_rank(1)[0])]


register_op("SparseFillEmptyRows",
            inputs=["indices: int64", "values: T", "dense_shape: int64", "default_value: T"],
            outputs=["output_indices: int64", "output_values: T", "empty_row_indicator: bool",
                     "reverse_index_map: int64"], attrs=["T: type"],
            shape=_fill_shape,
            reference=_fill_ref)


def _fill_grad_ref(reverse: Any, grad: Any) -> tuple[np.ndarray, np.ndarray]:
    d_values = grad[reverse]
    mask = np.ones(grad.shape[0], bool)
    mask[reverse] = False
    return d_values, np.asarray(grad[mask].sum(), grad.dtype)


register_op("SparseFillEmptyRowsGrad", inputs=["reverse_index_map: int64", "grad_values: T"],
            outputs=["d_values: T", "d_default_value: T"], attrs=["T: type"],
            shape=lambda op: [op.inputs[0].get_shape().with_rank(1), TensorShape([])],
            reference=_fill_grad_ref)
NotDifferentiable("SparseFillEmptyRowsGrad")


@RegisterGradient("SparseFillEmptyRows")
def _fill_grad(op: Any, _i: Any, grad_values: Tensor, _e: Any, _r: Any) -> Any:
    d_values, d_default = apply_op("SparseFillEmptyRowsGrad", reverse_index_map=op.outputs[3],
                                   grad_values=grad_values)
    return [None, d_values, None, d_default]


def sparse_fill_empty_rows(sp_input: Any, default_value: Any,
                           name: str | None = None) -> tuple[SparseTensor, Tensor]:
    """Adds ``default_value`` at ``[row, 0, ...]`` for each empty row: (SparseTensor,
    empty_row_indicator)."""
    sp = _sp(sp_input)
    with name_scope(name, "SparseFillEmptyRows", [sp]):
        default_value = convert_to_tensor(default_value, dtype=sp.dtype)
        ind, vals, empty, _ = apply_op("SparseFillEmptyRows", indices=sp.indices,
                                       values=sp.values, dense_shape=sp.dense_shape,
                                       default_value=default_value)
        out = SparseTensor(ind, vals, sp.dense_shape)
        out.set_shape(sp.get_shape())
        return out, empty


# --- SparseSoftmax -------------------------------------------------------------------------------

def _softmax_ref(ind: Any, vals: Any, shape: Any) -> np.ndarray:
    shape = np.asarray(shape, np.int64)
    if shape.size < 2:
        raise invalid(f"Input should have rank >= 2, but received shape: {list(shape)}")
    check_indices(ind, shape, order=False, repeat=False)
    out = np.zeros_like(vals)
    groups = linear_index(ind[:, :-1], shape[:-1])
    for g in np.unique(groups):
        m = groups == g
        e = np.exp(vals[m] - vals[m].max())
        out[m] = e / e.sum()
    return out


register_op("SparseSoftmax", inputs=["sp_indices: int64", "sp_values: T", "sp_shape: int64"],
            outputs=["output: T"], attrs=["T: {half, float32, float64}"],
            shape=lambda op: [op.inputs[1].get_shape().with_rank(1)], reference=_softmax_ref)


@RegisterGradient("SparseSoftmax")
def _softmax_grad(op: Any, grad: Tensor) -> Any:
    ind, shape = op.inputs[0], op.inputs[2]
    out = op.outputs[0]
    summed = sparse_reduce_sum(SparseTensor(ind, out * grad, shape), [-1], keepdims=True)
    at = array_ops.concat([ind[:, :-1], array_ops.zeros_like(ind[:, -1:])], 1)
    return [None, (grad - array_ops.gather_nd(summed, at)) * out, None]


def sparse_softmax(sp_input: Any, name: str | None = None) -> SparseTensor:
    """Softmax over the last dimension among the present entries of each row."""
    sp = _sp(sp_input)
    with name_scope(name, "SparseSoftmax", [sp.indices, sp.values]):
        vals = apply_op("SparseSoftmax", sp_indices=sp.indices, sp_values=sp.values,
                        sp_shape=sp.dense_shape)
        out = SparseTensor(sp.indices, vals, sp.dense_shape)
        out.set_shape(sp.get_shape())
        return out


# --- SparseSparseMaximum / Minimum ---------------------------------------------------------------

def _minmax_ref(fn: Any) -> Any:
    def ref(ai: Any, av: Any, ashape: Any, bi: Any, bv: Any,
            bshape: Any) -> tuple[np.ndarray, np.ndarray]:
        from minitf.ops.sparse_ops import _merge

        if not np.array_equal(ashape, bshape):
            raise invalid(f"Operands do not have the same ranks or shapes: got {list(ashape)} "
                          f"and {list(bshape)}")
        check_indices(ai, ashape)
        check_indices(bi, bshape)
        idx, pa, pb = _merge(ai, bi, ashape)
        a = np.where(pa >= 0, av[np.maximum(pa, 0)] if av.size else 0, 0).astype(av.dtype)
        b = np.where(pb >= 0, bv[np.maximum(pb, 0)] if bv.size else 0, 0).astype(av.dtype)
        return idx, fn(a, b)

    return ref


for _type, _fn in (("SparseSparseMaximum", np.maximum), ("SparseSparseMinimum", np.minimum)):
    register_op(_type, inputs=["a_indices: int64", "a_values: T", "a_shape: int64",
                               "b_indices: int64", "b_values: T", "b_shape: int64"],
                outputs=["output_indices: int64", "output_values: T"],
                attrs=["T: real"],
                shape=lambda op: [TensorShape([None, None]), _vec()],
                reference=_minmax_ref(_fn))
    NotDifferentiable(_type)


def _sparse_minmax(op_type: str, sp_a: Any, sp_b: Any, name: str | None) -> SparseTensor:
    a, b = _sp(sp_a), _sp(sp_b)
    ind, vals = apply_op(op_type, name=name, a_indices=a.indices, a_values=a.values,
                         a_shape=a.dense_shape, b_indices=b.indices, b_values=b.values,
                         b_shape=b.dense_shape)
    out = SparseTensor(ind, vals, a.dense_shape)
    out.set_shape(a.get_shape().merge_with(b.get_shape()))
    return out


def sparse_maximum(sp_a: Any, sp_b: Any, name: str | None = None) -> SparseTensor:
    """Elementwise maximum of two SparseTensors (absent entries count as 0)."""
    return _sparse_minmax("SparseSparseMaximum", sp_a, sp_b, name)


def sparse_minimum(sp_a: Any, sp_b: Any, name: str | None = None) -> SparseTensor:
    """Elementwise minimum of two SparseTensors (absent entries count as 0)."""
    return _sparse_minmax("SparseSparseMinimum", sp_a, sp_b, name)


# --- ListDiff / sparse_mask / from_dense ---------------------------------------------------------

def _listdiff_ref(x: Any, y: Any, out_idx: Any) -> tuple[np.ndarray, np.ndarray]:
    if x.ndim != 1 or y.ndim != 1:
        raise invalid("x and y should be 1D vectors")
    keep = np.flatnonzero(~np.isin(x, y))
    return x[keep], keep.astype(out_idx.as_numpy_dtype)


register_op("ListDiff", inputs=["x: T", "y: T"], outputs=["out: T", "idx: out_idx"],
            attrs=["T: type", "out_idx: {int32, int64} = int32"],
            shape=lambda op: [_vec(), _vec()], reference=_listdiff_ref,
            kernel_attrs=("out_idx",))
NotDifferentiable("ListDiff")


def setdiff1d(x: Any, y: Any, index_dtype: Any = dtypes.int32,
              name: str | None = None) -> tuple[Tensor, Tensor]:
    """The values of 1-D ``x`` not in ``y`` and their positions in ``x`` (``tf.setdiff1d``)."""
    return apply_op("ListDiff", name=name, x=x, y=y, out_idx=index_dtype)


def sparse_mask(a: IndexedSlices, mask_indices: Any, name: str | None = None) -> IndexedSlices:
    """The slices of ``a`` whose indices are not in ``mask_indices``."""
    with name_scope(name, "sparse_mask", [a, mask_indices]) as scope:
        out_indices, to_gather = setdiff1d(a.indices, mask_indices)
        out_values = array_ops.gather(a.values, to_gather, name=scope)
        return IndexedSlices(out_values, out_indices, a.dense_shape)


def from_dense(tensor: Any, name: str | None = None) -> SparseTensor:
    """The SparseTensor of the non-zero entries of ``tensor`` (``tf.sparse.from_dense``)."""
    with name_scope(name, "dense_to_sparse"):
        tensor = convert_to_tensor(tensor)
        indices = array_ops.where(
            math_ops.not_equal(tensor, array_ops.zeros_like(tensor)))
        values = array_ops.gather_nd(tensor, indices)
        shape = array_ops.shape(tensor, out_type=dtypes.int64)
        return SparseTensor(indices, values, shape)
