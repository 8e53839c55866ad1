"""Indexing ops: GatherV2, GatherNd, ScatterNd, DynamicStitch, DynamicPartition, Unique,
Where/Select, and boolean_mask.

Part of the array family; :mod:`minitf.ops.array_ops` re-exports the public names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape
from minitf.ops import array_shape_util as su
from minitf.ops.array_basic import (
    apply_op_packed,
    dense,
    expand_dims,
    reshape,
    shape,
    size,
    squeeze,
)
from minitf.ops.array_fill import zeros_like

__all__ = ["gather", "gather_nd", "scatter_nd", "dynamic_stitch", "dynamic_partition", "unique",
           "where", "select", "boolean_mask"]


def _index_str(shape_: tuple[int, ...], flat: int) -> str:
    return ",".join(str(int(i)) for i in np.unravel_index(flat, shape_)) if shape_ else ""


# --- GatherV2 ---------------------------------------------------------------------------------

def _gather_shape(op: Any) -> list[TensorShape]:
    params = su.with_rank_at_least(su.dims_of(op.inputs[0]), 1)
    indices = su.dims_of(op.inputs[1])
    su.with_rank(su.dims_of(op.inputs[2]), 0)
    batch_dims = op._attrs["batch_dims"]
    axis_v = su.const_ints(op.inputs[2])
    if axis_v is None:
        if params is not None and indices is not None:
            return [unknown_shape(len(params) + len(indices) - 1 - batch_dims)]
        return [unknown_shape()]
    axis = axis_v[0]
    su.with_rank_at_least(params, -axis if axis < 0 else axis + 1)
    su.with_rank_at_least(indices, abs(batch_dims))
    if batch_dims < 0 and indices is not None:
        batch_dims += len(indices)
    su.with_rank_at_least(params, batch_dims + 1)
    if params is None or indices is None:
        return [unknown_shape()]
    if axis < 0:
        axis += len(params)
    if batch_dims > axis:
        raise ValueError(f"batch_dims ({batch_dims}) must be less than or equal to axis "
                         f"({axis}).")
    for i in range(batch_dims):
        su.merge_dim(params[i], indices[i])
    return [TensorShape(params[:axis] + indices[batch_dims:] + params[axis + 1:])]


def _gather_ref(params: Any, indices: Any, axis: Any, batch_dims: int) -> Any:
    params = np.asarray(params)
    indices = np.asarray(indices)
    axis = int(np.asarray(axis))
    r = params.ndim
    if not -r <= axis < r:
        raise errors.InvalidArgumentError(None, None, f"Expected axis in the range [{-r}, {r}), "
                                                      f"but got {axis}")
    axis %= r
    if batch_dims < 0:
        batch_dims += indices.ndim
    if not 0 <= batch_dims <= axis:
        raise errors.InvalidArgumentError(None, None, f"batch_dims ({batch_dims}) must be less "
                                                      f"than or equal to axis ({axis}).")
    limit = params.shape[axis]
    bad = np.flatnonzero((indices < 0) | (indices >= limit))
    if bad.size:
        i = int(bad[0])
        raise errors.InvalidArgumentError(
            None, None, f"indices[{_index_str(indices.shape, i)}] = "
                        f"{indices.reshape(-1)[i]} is not in [0, {limit})")
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    for i in range(batch_dims):
        if params.shape[i] != indices.shape[i]:
            raise errors.InvalidArgumentError(
                None, None, f"params.shape[{i}]: {params.shape[i]} should be equal to "
                            f"indices.shape[{i}]: {indices.shape[i]}")
    batch = params.shape[:batch_dims]
    n = int(np.prod(batch, dtype=np.int64))
    p = params.reshape((n,) + params.shape[batch_dims:])
    ind = indices.reshape((n,) + indices.shape[batch_dims:])
    out = [np.take(p[k], ind[k], axis=axis - batch_dims) for k in range(n)]
    inner = np.take(p[0], ind[0], axis=axis - batch_dims).shape if n else \
        params.shape[batch_dims:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:]
    return np.asarray(out, dtype=params.dtype).reshape(batch + inner)


register_op("GatherV2", inputs=["params: Tparams", "indices: Tindices", "axis: Taxis"],
            outputs=["output: Tparams"],
            attrs=["batch_dims: int = 0", "Tparams: type", "Tindices: {int16, int32, int64}",
                   "Taxis: {int32, int64}"],
            shape=_gather_shape, reference=_gather_ref, kernel_attrs=("batch_dims",))


@RegisterGradient("GatherV2")
def _gather_grad(op: Any, grad: Any) -> Any:
    """IndexedSlices for axis 0 (as TF); other axes: transpose the axis to the front, sum the
    rows with ScatterNd and transpose back."""
    from minitf.ops import math_ops
    from minitf.ops.array_manip import concat, transpose

    params, indices, axis_t = op.inputs
    params_shape = shape(params)
    indices_size = expand_dims(size(indices), 0)
    axis_v = su.const_ints(axis_t)
    if int(op.get_attr("batch_dims")) != 0:
        raise NotImplementedError("minitf: the gradient of tf.gather with batch_dims != 0 is "
                                  "not implemented")
    if axis_v is not None and axis_v[0] == 0:
        values_shape = concat([indices_size, params_shape[1:]], 0)
        values = reshape(dense(grad), values_shape)
        flat = reshape(indices, indices_size)
        return [IndexedSlices(values, flat, params_shape), None, None]
    axis = axis_t if axis_v is None else axis_v[0]
    outer_shape = params_shape[:axis]
    inner_shape = params_shape[axis:][1:]
    values_shape = concat([outer_shape, [-1], inner_shape], 0)
    values_dims = size(values_shape)
    axis_dims = size(outer_shape)
    batch_axis = math_ops.range_(0, axis_dims)
    inner_axes = math_ops.range_(axis_dims + 1, values_dims)
    values = reshape(dense(grad), values_shape)
    values_t = transpose(values, concat([[axis_dims], batch_axis, inner_axes], 0))
    rows = reshape(indices, concat([indices_size, [1]], 0))
    target = concat([params_shape[axis:][:1], outer_shape, inner_shape], 0)
    params_grad = scatter_nd(rows, values_t, target)
    params_grad = transpose(params_grad, concat([batch_axis + 1, [0], inner_axes], 0))
    return [params_grad, None, None]


def gather(params: Any, indices: Any, validate_indices: Any = None, name: str | None = None,
           axis: Any = None, batch_dims: int = 0) -> Tensor:
    """Gathers slices of ``params`` along ``axis`` (GatherV2; axis defaults to batch_dims)."""
    del validate_indices
    if axis is None:
        axis = batch_dims
    if hasattr(params, "sparse_read") and not isinstance(params, Tensor):
        from minitf.framework.constant_value import constant_value

        if constant_value(axis) == 0:
            return params.sparse_read(indices, name=name)
    return apply_op_packed("GatherV2", name=name, params=params, indices=indices, axis=axis,
                           batch_dims=batch_dims)


# --- GatherNd / ScatterNd -----------------------------------------------------------------------

def _gather_nd_shape(op: Any) -> list[TensorShape]:
    params = su.dims_of(op.inputs[0])
    indices = su.with_rank_at_least(su.dims_of(op.inputs[1]), 1)
    r = None if indices is None else indices[-1]
    if params is None or r is None:
        return [unknown_shape()]
    if r > len(params):
        raise ValueError(f"indices.shape[-1] must be <= params.rank, but saw indices shape: "
                         f"{su.shape_str(indices)} and params shape: {su.shape_str(params)}")
    return [TensorShape(indices[:-1] + params[r:])]  # type: ignore[index]


def _gather_nd_ref(params: Any, indices: Any) -> Any:
    params = np.asarray(params)
    indices = np.asarray(indices)
    if indices.ndim < 1:
        raise errors.InvalidArgumentError(None, None, "indices must be at least a vector")
    r = indices.shape[-1]
    if r > params.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"index innermost dimension length must be <= params rank; saw: {r} vs. "
                        f"{params.ndim}")
    flat = indices.reshape(-1, r)
    limits = np.array(params.shape[:r])
    bad = np.flatnonzero(np.any((flat < 0) | (flat >= limits), axis=1)) if r else []
    if len(bad):
        i = int(bad[0])
        raise errors.InvalidArgumentError(
            None, None, f"indices[{_index_str(indices.shape[:-1], i)}] = "
                        f"[{', '.join(str(int(v)) for v in flat[i])}] does not index into "
                        f"param shape {su.shape_str(params.shape)}")
    out = params[tuple(flat.T)] if r else np.broadcast_to(params, (flat.shape[0],) + params.shape)
    return np.array(out, dtype=params.dtype).reshape(indices.shape[:-1] + params.shape[r:])


register_op("GatherNd", inputs=["params: Tparams", "indices: Tindices"],
            outputs=["output: Tparams"],
            attrs=["Tparams: type", "Tindices: {int16, int32, int64}",
                   "bad_indices_policy: string = ''"],
            shape=_gather_nd_shape, reference=_gather_nd_ref)


@RegisterGradient("GatherNd")
def _gather_nd_grad(op: Any, grad: Any) -> Any:
    ref, indices = op.inputs
    ref_shape = shape(ref, out_type=indices.dtype)
    idx = indices.get_shape().as_tuple()
    if idx is not None and len(idx) == 2 and idx[-1] == 1:
        return [IndexedSlices(dense(grad), squeeze(indices, axis=-1), ref_shape), None]
    return [scatter_nd(indices, dense(grad), ref_shape), None]


def gather_nd(params: Any, indices: Any, name: str | None = None, batch_dims: int = 0) -> Tensor:
    """Gathers slices of ``params`` at the index tuples in the last axis of ``indices``."""
    if batch_dims != 0:
        raise NotImplementedError("minitf: tf.gather_nd with batch_dims != 0 is not "
                                  "implemented")
    return apply_op_packed("GatherNd", name=name, params=params, indices=indices)


def _scatter_nd_shape(op: Any) -> list[TensorShape]:
    indices = su.with_rank_at_least(su.dims_of(op.inputs[0]), 1)
    updates = su.dims_of(op.inputs[1])
    su.with_rank(su.dims_of(op.inputs[2]), 1)
    out = su.shape_from_tensor(op.inputs[2])
    if indices is not None and updates is not None and out is not None and \
            indices[-1] is not None:
        outer = len(indices) - 1
        try:
            su.merge(indices[:-1], updates[:outer])
            su.merge(out[indices[-1]:], updates[outer:])
        except ValueError:
            raise ValueError(f"Dimensions [0,{outer}) of indices[shape={su.shape_str(indices)}]"
                             f" = {su.shape_str(indices[:-1])} must match dimensions "
                             f"[0,{outer}) of updates[shape={su.shape_str(updates)}] = "
                             f"{su.shape_str(updates[:outer])}") from None
    return [su.shape(out)]


def _scatter_nd_ref(indices: Any, updates: Any, shape_: Any) -> Any:
    indices = np.asarray(indices)
    updates = np.asarray(updates)
    dims = tuple(su.int_list(shape_))
    if indices.ndim < 1:
        raise errors.InvalidArgumentError(None, None, "Indices shape must have rank at least "
                                                      "one.")
    r = indices.shape[-1]
    outer = indices.shape[:-1]
    if updates.shape != outer + dims[r:]:
        raise errors.InvalidArgumentError(
            None, None, f"Dimensions [0,{len(outer)}) of indices[shape="
                        f"{su.shape_str(indices.shape)}] must match dimensions [0,{len(outer)}) "
                        f"of updates[shape={su.shape_str(updates.shape)}]")
    flat = indices.reshape(-1, r)
    limits = np.array(dims[:r])
    bad = np.flatnonzero(np.any((flat < 0) | (flat >= limits), axis=1)) if r else []
    if len(bad):
        i = int(bad[0])
        raise errors.InvalidArgumentError(
            None, None, f"indices[{_index_str(outer, i)}] = "
                        f"[{', '.join(str(int(v)) for v in flat[i])}] does not index into "
                        f"shape {su.shape_str(dims)}")
    out = np.zeros(dims, dtype=updates.dtype)
    upd = updates.reshape((flat.shape[0],) + dims[r:])
    if r:
        np.add.at(out, tuple(flat.T), upd)
    else:
        out += upd.sum(axis=0, dtype=updates.dtype)
    return out


register_op("ScatterNd", inputs=["indices: Tindices", "updates: T", "shape: Tindices"],
            outputs=["output: T"],
            attrs=["T: type", "Tindices: {int16, int32, int64}",
                   "bad_indices_policy: string = ''"],
            shape=_scatter_nd_shape, reference=_scatter_nd_ref)


@RegisterGradient("ScatterNd")
def _scatter_nd_grad(op: Any, grad: Any) -> Any:
    return [None, gather_nd(dense(grad), op.inputs[0]), None]


def scatter_nd(indices: Any, updates: Any, shape: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Zeros of ``shape`` with ``updates`` added at ``indices`` (duplicates sum)."""
    return apply_op_packed("ScatterNd", name=name, indices=indices, updates=updates,
                           shape=shape)


# --- DynamicStitch / DynamicPartition ------------------------------------------------------------
# The ops are registered by minitf.ops.nn_embedding_ops (embedding_lookup's sharding); these are
# the top-level tf.dynamic_stitch / tf.dynamic_partition names.

def dynamic_stitch(indices: Any, data: Any, name: str | None = None) -> Tensor:
    """Interleaves ``data[m]`` into one tensor at positions ``indices[m]`` (later wins)."""
    from minitf.ops import nn_embedding_ops

    return nn_embedding_ops.dynamic_stitch(indices, data, name=name)


def dynamic_partition(data: Any, partitions: Any, num_partitions: int,
                      name: str | None = None) -> list[Tensor]:
    """Splits ``data`` into ``num_partitions`` tensors by the partition index of each row."""
    from minitf.ops import nn_embedding_ops

    return nn_embedding_ops.dynamic_partition(data, partitions, num_partitions, name=name)


# --- Unique -----------------------------------------------------------------------------------

def _unique_ref(x: Any, out_idx: Any) -> Any:
    x = np.asarray(x)
    if x.ndim != 1:
        raise errors.InvalidArgumentError(None, None, "unique expects a 1D vector.")
    if x.size == 0:
        return x.copy(), np.zeros(0, dtype=out_idx.as_numpy_dtype)
    vals, first, inv = np.unique(x, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    remap = np.empty_like(order)
    remap[order] = np.arange(order.size)
    return x[np.sort(first)], remap[inv.reshape(-1)].astype(out_idx.as_numpy_dtype)


register_op("Unique", inputs=["x: T"], outputs=["y: T", "idx: out_idx"],
            attrs=["T: type", "out_idx: {int32, int64} = int32"],
            shape=lambda op: [TensorShape([None]),
                              su.shape(su.with_rank(su.dims_of(op.inputs[0]), 1))],
            reference=_unique_ref, kernel_attrs=("out_idx",))
NotDifferentiable("Unique")


def unique(x: Any, out_idx: Any = dtypes.int32, name: str | None = None) -> tuple[Tensor, Tensor]:
    """The unique values of a 1-D tensor in order of appearance, and each element's index."""
    return apply_op("Unique", name=name, x=x, out_idx=out_idx)


# --- Where / Select -----------------------------------------------------------------------------

def _select_shape(op: Any) -> list[TensorShape]:
    c, t, e = (su.dims_of(x) for x in op.inputs)
    data = su.merge(t, e)
    if c is None or data is None or len(c) == 0:
        return [su.shape(data)]
    if len(c) != 1 or len(data) == 0:
        return [su.shape(su.merge(data, c))]
    su.merge(c, (data[0],))
    return [su.shape(data)]


def _select_ref(c: Any, t: Any, e: Any) -> Any:
    c, t, e = np.asarray(c), np.asarray(t), np.asarray(e)
    if t.shape != e.shape:
        raise errors.InvalidArgumentError(
            None, None, f"'then' and 'else' must have the same size.  but received: "
                        f"{su.shape_str(t.shape)} vs. {su.shape_str(e.shape)}")
    if c.ndim == 1 and t.ndim > 1:
        if c.shape[0] != t.shape[0]:
            raise errors.InvalidArgumentError(
                None, None, f"Number of batches of 'then' must match size of 'cond', but saw: "
                            f"{t.shape[0]} vs. {c.shape[0]}")
        c = c.reshape((-1,) + (1,) * (t.ndim - 1))
    elif c.ndim != 0 and c.shape != t.shape:
        raise errors.InvalidArgumentError(
            None, None, f"'cond' and 'then' must have the same shape, got "
                        f"{su.shape_str(c.shape)} vs. {su.shape_str(t.shape)}")
    return np.where(c, t, e).astype(t.dtype, copy=False)


register_op("Select", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
            attrs=["T: type"], shape=_select_shape, reference=_select_ref)


@RegisterGradient("Select")
def _select_grad(op: Any, grad: Any) -> Any:
    c = op.inputs[0]
    g = dense(grad)
    zeros = zeros_like(op.inputs[1])
    return [None, where(c, g, zeros), where(c, zeros, g)]


def _where_ref(x: Any) -> Any:
    return np.argwhere(np.asarray(x)).astype(np.int64)


def _where_shape(op: Any) -> list[TensorShape]:
    d = su.dims_of(op.inputs[0])
    return [TensorShape([None, None if d is None else len(d)])]


register_op("Where", inputs=["input: T"], outputs=["index: int64"],
            attrs=["T: {bool, numeric} = bool"], shape=_where_shape, reference=_where_ref)
NotDifferentiable("Where")


def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> Tensor:
    """TF 1.x ``tf.where``: elementwise select (Select; a rank-1 condition picks rows) when x and
    y are given, else the coordinates of the true elements (Where)."""
    if x is None and y is None:
        with name_scope(name, "Where", [condition]) as scope:
            c = convert_to_tensor(condition, preferred_dtype=dtypes.bool, name="condition")
            return apply_op("Where", name=scope, input=c)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return apply_op("Select", name=name, condition=condition, t=x, e=y)


select = where


# --- boolean_mask -------------------------------------------------------------------------------

def boolean_mask(tensor: Any, mask: Any, name: str = "boolean_mask", axis: Any = None) -> Tensor:
    """The entries of ``tensor`` where ``mask`` is true (mask dims flattened into one)."""
    from minitf.framework.constant_value import constant_value
    from minitf.ops.array_manip import concat

    with name_scope(name, values=[tensor, mask]):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        shape_mask = mask.get_shape()
        nd = shape_mask.ndims
        shape_tensor = tensor.get_shape()
        if nd == 0:
            raise ValueError("mask cannot be scalar.")
        if nd is None:
            raise ValueError("Number of mask dimensions must be specified, even if some "
                             "dimensions are None.  E.g. shape=[None] is ok, but shape=None is "
                             "not.")
        axis = 0 if axis is None else axis
        axis_value = constant_value(axis)
        if axis_value is not None:
            axis = int(axis_value)
            shape_tensor[axis:axis + nd].assert_is_compatible_with(shape_mask)
        if nd > 1:
            from minitf.ops import math_ops

            leading = math_ops.reduce_prod(shape(tensor)[axis:axis + nd], [0])
            tensor = reshape(tensor, concat([shape(tensor)[:axis], [leading],
                                             shape(tensor)[axis + nd:]], 0))
            if axis_value is not None:
                first = shape_tensor[axis:axis + nd].num_elements()
                tensor.set_shape(TensorShape(shape_tensor[:axis]).concatenate([first])
                                 .concatenate(shape_tensor[axis + nd:]))
            mask = reshape(mask, [-1])
        indices = squeeze(where(mask), axis=[1])
        return gather(tensor, indices, axis=axis)
