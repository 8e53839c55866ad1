"""Sparse ops that rearrange entries: SparseReshape, SparseReorder, SparseConcat, and the
Python-level ``sparse_transpose``, ``sparse_retain`` and ``sparse_placeholder``."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.sparse_tensor import SparseTensor
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, as_shape
from minitf.ops import array_ops, math_ops
from minitf.ops.sparse_util import (
    as_sparse,
    check_indices,
    invalid,
    lex_order,
    linear_index,
    shape_of,
)

__all__ = ["sparse_reshape", "sparse_reorder", "sparse_concat", "sparse_transpose",
           "sparse_retain", "sparse_placeholder"]


_sp = as_sparse


# --- SparseReshape -------------------------------------------------------------------------------

def _resolve_shape(old: Any, new: Any) -> np.ndarray:
    new = np.asarray(new, np.int64).copy()
    total = int(np.prod(old))
    unknown = np.flatnonzero(new == -1)
    if unknown.size > 1:
        raise invalid(f"only one output dimension may be -1, not both {unknown[0]} and "
                      f"{unknown[1]}")
    if (new < -1).any():
        raise invalid(f"size {int(new[new < -1][0])} must be non-negative, not "
                      f"{int(new[new < -1][0])}")
    known = int(np.prod(new[new != -1]))
    if unknown.size:
        if known == 0 or total % known:
            raise invalid(f"Input to reshape is a SparseTensor with {total} dense values, but "
                          f"the requested shape requires a multiple of {known}.")
        new[unknown[0]] = total // known
    elif known != total:
        raise invalid(f"Input to reshape is a tensor with {total} dense values, but the "
                      f"requested shape has {known}.")
    return new


def _reshape_ref(ind: Any, shape: Any, new_shape: Any) -> tuple[np.ndarray, np.ndarray]:
    new = _resolve_shape(shape, new_shape)
    check_indices(ind, shape, order=False, repeat=False)
    lin = linear_index(ind, shape)
    out = np.stack(np.unravel_index(lin, tuple(new)), axis=1) if new.size else \
        np.zeros((lin.size, 0), np.int64)
    return out.astype(np.int64).reshape(-1, new.size), new


def _reshape_shape(op: Any) -> list[TensorShape]:
    n = op.inputs[0].get_shape().with_rank(2)[0]
    rank = op.inputs[2].get_shape().with_rank(1)[0]
    return [TensorShape([n, rank]), TensorShape([rank])]


register_op("SparseReshape",
            inputs=["input_indices: int64", "input_shape: int64", "new_shape: int64"],
            outputs=["output_indices: int64", "output_shape: int64"],
            shape=_reshape_shape, reference=_reshape_ref)
NotDifferentiable("SparseReshape")


def _static_reshape(old: TensorShape, new: TensorShape) -> TensorShape:
    if new.ndims is None or old.ndims is None or not old.is_fully_defined():
        return new
    dims = new.as_list()
    if dims.count(None) == 1:
        known = int(np.prod([d for d in dims if d is not None]))
        total = int(np.prod(old.as_list()))
        if known and total % known == 0:
            dims[dims.index(None)] = total // known
        else:
            raise ValueError(f"Cannot reshape a tensor with {total} elements to shape {new}")
    elif None not in dims and int(np.prod(dims)) != int(np.prod(old.as_list())):
        raise ValueError(f"Cannot reshape a tensor with {int(np.prod(old.as_list()))} elements "
                         f"to shape {dims} ({int(np.prod(dims))} elements)")
    return TensorShape(dims)


def sparse_reshape(sp_input: Any, shape: Any, name: str | None = None) -> SparseTensor:
    """The same entries in a dense tensor of ``shape`` (one dimension may be -1)."""
    sp = _sp(sp_input)
    with name_scope(name, "SparseReshape", [sp.indices, sp.values]) as scope:
        shape_t = convert_to_tensor(shape, dtype=dtypes.int64, name="shape")
        ind, out_shape = apply_op("SparseReshape", name=scope, input_indices=sp.indices,
                                  input_shape=sp.dense_shape, new_shape=shape_t)
        values = array_ops.identity(sp.values)
    out = SparseTensor(ind, values, out_shape)
    out.set_shape(_static_reshape(sp.get_shape(), shape_of(shape_t)))
    return out


# --- SparseReorder -------------------------------------------------------------------------------

def _reorder_ref(ind: Any, vals: Any, shape: Any) -> tuple[np.ndarray, np.ndarray]:
    check_indices(ind, shape, order=False, repeat=False)
    perm = lex_order(ind)
    return ind[perm], vals[perm]


register_op("SparseReorder",
            inputs=["input_indices: int64", "input_values: T", "input_shape: int64"],
            outputs=["output_indices: int64", "output_values: T"], attrs=["T: type"],
            shape=lambda op: [op.inputs[0].get_shape().with_rank(2),
                              op.inputs[1].get_shape().with_rank(1)],
            reference=_reorder_ref)


@RegisterGradient("SparseReorder")
def _reorder_grad(op: Any, _: Any, values_grad: Tensor) -> Any:
    ind, shape = op.inputs[0], op.inputs[2]
    entries = math_ops.range_(0, array_ops.shape(ind)[0], 1)
    _, order = apply_op("SparseReorder", input_indices=ind, input_values=entries,
                        input_shape=shape)
    return [None, array_ops.gather(values_grad, array_ops.invert_permutation(order)), None]


def sparse_reorder(sp_input: Any, name: str | None = None) -> SparseTensor:
    """The same SparseTensor with indices in row-major (lexicographic) order."""
    sp = _sp(sp_input)
    ind, vals = apply_op("SparseReorder", name=name, input_indices=sp.indices,
                         input_values=sp.values, input_shape=sp.dense_shape)
    out = SparseTensor(ind, vals, sp.dense_shape)
    out.set_shape(sp.get_shape())
    return out


# --- SparseConcat --------------------------------------------------------------------------------

def _concat_ref(*args: Any, concat_dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(args) // 3
    inds, vals, shapes = args[:n], args[n:2 * n], args[2 * n:]
    rank = np.asarray(shapes[0]).size
    if not -rank <= concat_dim < rank:
        raise invalid(f"Concat dimension must be in range [{-rank}, {rank}), got {concat_dim}")
    dim = concat_dim % rank
    for i, s in enumerate(shapes):
        if np.asarray(s).size != rank:
            raise invalid(f"Ranks of all input tensors must match: expected {rank} but got "
                          f"{np.asarray(s).size} at position {i}")
        other = np.delete(np.asarray(s), dim) != np.delete(np.asarray(shapes[0]), dim)
        if other.any():
            raise invalid(f"Input shapes must match: expected {list(shapes[0])} for dimension "
                          f"other than {dim} but got {list(s)} at position {i}")
    offset, parts = 0, []
    for ind, s in zip(inds, shapes):
        check_indices(ind, s, order=False, repeat=False)
        shifted = ind.copy()
        shifted[:, dim] += offset
        parts.append(shifted)
        offset += int(s[dim])
    all_ind = np.concatenate(parts).reshape(-1, rank)
    all_vals = np.concatenate(vals)
    perm = lex_order(all_ind)
    out_shape = np.asarray(shapes[0], np.int64).copy()
    out_shape[dim] = offset
    return all_ind[perm], all_vals[perm], out_shape


def _concat_shape(op: Any) -> list[TensorShape]:
    n = op._attrs["N"]
    rank = op.inputs[2 * n].get_shape().with_rank(1)[0]
    rows = 0
    for t in op.inputs[:n]:
        d = t.get_shape().with_rank(2)[0].value
        rows = None if rows is None or d is None else rows + d
    return [TensorShape([rows, rank]), TensorShape([rows]), TensorShape([rank])]


register_op("SparseConcat",
            inputs=["indices: N * int64", "values: N * T", "shapes: N * int64"],
            outputs=["output_indices: int64", "output_values: T", "output_shape: int64"],
            attrs=["concat_dim: int", "N: int >= 2", "T: type"], shape=_concat_shape,
            reference=_concat_ref, kernel_attrs=("concat_dim",))
NotDifferentiable("SparseConcat")


def sparse_concat(axis: int, sp_inputs: list[Any], name: str | None = None,
                  expand_nonconcat_dim: bool = False, concat_dim: int | None = None,
                  expand_nonconcat_dims: bool | None = None) -> SparseTensor:
    """Concatenates SparseTensors along ``axis`` (TF's SparseConcat; output reordered)."""
    if concat_dim is not None:
        axis = concat_dim
    if expand_nonconcat_dim or expand_nonconcat_dims:
        raise NotImplementedError("minitf: sparse_concat(expand_nonconcat_dim=True) is not "
                                  "supported")
    sps = [_sp(s) for s in sp_inputs]
    ind, vals, shape = apply_op("SparseConcat", name=name, indices=[s.indices for s in sps],
                                values=[s.values for s in sps],
                                shapes=[s.dense_shape for s in sps], concat_dim=int(axis))
    out = SparseTensor(ind, vals, shape)
    static = [s.get_shape() for s in sps]
    if all(s.ndims is not None for s in static) and static:
        rank = static[0].ndims
        dim = int(axis) % rank if rank else 0
        dims: list[Any] = []
        for i in range(rank):
            col = [s.as_tuple()[i] for s in static]
            if i == dim:
                dims.append(None if None in col else sum(col))
            else:  # as TF: the first input's dimension (a mismatch fails at run time)
                dims.append(col[0])
        out.set_shape(dims)
    return out


# --- Python-level --------------------------------------------------------------------------------

def sparse_transpose(sp_input: Any, perm: Any = None, name: str | None = None) -> SparseTensor:
    """Permutes the dimensions of a SparseTensor (reversed by default), reordered."""
    sp = _sp(sp_input)
    with name_scope(name, "SparseTranspose", [sp.indices, sp.values]):
        if perm is None:
            rank = sp.get_shape().ndims
            if rank is None:
                raise NotImplementedError("minitf: sparse_transpose needs a known rank or perm")
            perm = np.arange(rank - 1, -1, -1, dtype=np.int32)
        indices = array_ops.transpose(
            array_ops.gather(array_ops.transpose(sp.indices), perm))
        dense_shape = array_ops.gather(sp.dense_shape, perm)
        out = sparse_reorder(SparseTensor(indices, sp.values, dense_shape))
    static = sp.get_shape()
    if static.ndims is not None and not isinstance(perm, Tensor):
        out.set_shape([static.as_tuple()[int(p)] for p in np.asarray(perm).reshape(-1)])
    return out


def sparse_retain(sp_input: Any, to_retain: Any) -> SparseTensor:
    """Keeps the entries where the boolean vector ``to_retain`` is True."""
    sp = _sp(sp_input)
    to_retain = convert_to_tensor(to_retain)
    rshape = to_retain.get_shape()
    if rshape.ndims is not None and rshape.ndims != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {rshape.ndims}")
    if rshape.ndims == 1:
        rshape[0].assert_is_compatible_with(sp.values.get_shape()[0])
    where = array_ops.reshape(array_ops.where(to_retain), [-1])
    out = SparseTensor(array_ops.gather(sp.indices, where), array_ops.gather(sp.values, where),
                       array_ops.identity(sp.dense_shape))
    out.set_shape(sp.get_shape())
    return out


def sparse_placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> SparseTensor:
    """A SparseTensor of placeholders (``indices``, ``values``; ``shape`` a placeholder, or a
    PlaceholderWithDefault of the given shape, -1 for unknown dimensions)."""
    shape_name = None if name is None else name + "/shape"
    if shape is None:
        rank = None
        dense_shape = array_ops.placeholder(dtypes.int64, [None], name=shape_name)
        static = TensorShape(None)
    else:
        static = as_shape(shape)
        rank = static.ndims
        default = np.array([-1 if d is None else d for d in static.as_tuple()], np.int64)
        dense_shape = array_ops.placeholder_with_default(
            convert_to_tensor(default, name=None if name is None else name + "/shape_default"),
            [rank], name=shape_name)
    values = array_ops.placeholder(dtype, [None],
                                   name=None if name is None else name + "/values")
    indices = array_ops.placeholder(dtypes.int64, [None, rank],
                                    name=None if name is None else name + "/indices")
    out = SparseTensor(indices, values, dense_shape)
    out._shape = static
    return out
