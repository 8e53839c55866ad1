"""``tf.nn.embedding_lookup`` and the partition / stitch ops it uses for sharded params
(DynamicPartition, DynamicStitch, ParallelDynamicStitch).

A single params tensor is a gather (its gradient is an IndexedSlices, from the gather
gradient); a list of shards is split by ``partition_strategy`` ("mod": id % n, "div":
contiguous ranges), gathered per shard and stitched back, as in TF.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.graph import colocate_with, name_scope
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import Dimension, TensorShape

__all__ = ["embedding_lookup", "dynamic_partition", "dynamic_stitch", "parallel_dynamic_stitch"]


def _math() -> Any:
    from minitf.ops import math_ops

    return math_ops


def _array() -> Any:
    from minitf.ops import array_ops

    return array_ops


# --- DynamicPartition ----------------------------------------------------------------------------

def _dynamic_partition_ref(data: Any, partitions: Any, num_partitions: int) -> list[np.ndarray]:
    data, partitions = np.asarray(data), np.asarray(partitions)
    if data.shape[:partitions.ndim] != partitions.shape:
        raise errors.InvalidArgumentError(
            None, None, f"data.shape must start with partitions.shape, got data.shape = "
                        f"{list(data.shape)}, partitions.shape = {list(partitions.shape)}")
    bad = (partitions < 0) | (partitions >= num_partitions)
    if np.any(bad):
        i = int(np.argmax(bad.reshape(-1)))
        raise errors.InvalidArgumentError(
            None, None, f"partitions[{i}] = {partitions.reshape(-1)[i]} is not in [0, "
                        f"{num_partitions})")
    flat = data.reshape((-1,) + data.shape[partitions.ndim:])
    p = partitions.reshape(-1)
    return [flat[p == i] for i in range(num_partitions)]


def _dynamic_partition_shape(op: Any) -> list[TensorShape]:
    data, parts = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    n = op._attrs["num_partitions"]
    if data.ndims is None or parts.ndims is None:
        return [TensorShape(None)] * n
    data.as_list()
    if not TensorShape(data.as_list()[:parts.ndims]).is_compatible_with(parts):
        raise ValueError(f"Dimensions of data and partitions differ: {data} vs {parts}")
    return [TensorShape([None] + data.as_list()[parts.ndims:])] * n


register_op("DynamicPartition", inputs=["data: T", "partitions: int32"],
            outputs=["outputs: num_partitions * T"],
            attrs=["num_partitions: int >= 1", "T: type"], shape=_dynamic_partition_shape,
            reference=_dynamic_partition_ref, kernel_attrs=("num_partitions",))


@RegisterGradient("DynamicPartition")
def _dynamic_partition_grad(op: Any, *grads: Any) -> Any:
    m, a = _math(), _array()
    data, indices = op.inputs
    prefix = a.shape(indices)
    original = a.reshape(m.range_(0, m.reduce_prod(prefix), 1), prefix)
    parts = dynamic_partition(original, indices, op._attrs["num_partitions"])
    rebuilt = parallel_dynamic_stitch(parts, [convert_to_tensor(g) for g in grads])
    return [a.reshape(rebuilt, a.shape(data)), None]


def dynamic_partition(data: Any, partitions: Any, num_partitions: int,
                      name: str | None = None) -> list[Tensor]:
    """Splits ``data`` into ``num_partitions`` tensors by the index in ``partitions``."""
    return apply_op("DynamicPartition", name=name or "DynamicPartition", data=data,
                    partitions=partitions, num_partitions=num_partitions)


# --- DynamicStitch -------------------------------------------------------------------------------

def _dynamic_stitch_ref(*args: Any) -> np.ndarray:
    n = len(args) // 2
    indices = [np.asarray(i) for i in args[:n]]
    data = [np.asarray(d) for d in args[n:]]
    for i, (ind, d) in enumerate(zip(indices, data)):
        if d.shape[:ind.ndim] != ind.shape:
            raise errors.InvalidArgumentError(
                None, None, f"data[{i}].shape = {list(d.shape)} does not start with "
                            f"indices[{i}].shape = {list(ind.shape)}")
    rows = max((int(ind.max()) + 1 for ind in indices if ind.size), default=0)
    elem = data[0].shape[indices[0].ndim:]
    out = np.zeros((rows,) + elem, dtype=data[0].dtype)
    for ind, d in zip(indices, data):
        if np.any(ind < 0):
            raise errors.InvalidArgumentError(None, None, f"indices must be non-negative, got "
                                                          f"{int(ind.min())}")
        out[ind.reshape(-1)] = d.reshape((-1,) + elem)
    return out


def _dynamic_stitch_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value

    n = op._attrs["N"]
    elem: TensorShape | None = None
    for ind, d in zip(op.inputs[:n], op.inputs[n:]):
        ishape, dshape = ind.get_shape(), d.get_shape()
        if ishape.ndims is None or dshape.ndims is None:
            continue
        rest = TensorShape(dshape.as_list()[ishape.ndims:])
        elem = rest if elem is None else elem.merge_with(rest)
    rows: int | None = None
    values = [constant_value(t) for t in op.inputs[:n]]
    if all(v is not None for v in values):
        rows = max((int(np.max(v)) + 1 for v in values if np.size(v)), default=0)
    if elem is None:
        return [TensorShape(None)]
    return [TensorShape([Dimension(rows)]).concatenate(elem)]


for _t in ("DynamicStitch", "ParallelDynamicStitch"):
    register_op(_t, inputs=["indices: N * int32", "data: N * T"], outputs=["merged: T"],
                attrs=["N: int >= 1", "T: type"], shape=_dynamic_stitch_shape,
                reference=_dynamic_stitch_ref)


def _dynamic_stitch_grad(op: Any, grad: Any) -> Any:
    m, a = _math(), _array()
    n = len(op.inputs) // 2
    if isinstance(grad, IndexedSlices):
        rows = a.shape(op.outputs[0])[0]
        grad = m.unsorted_segment_sum(grad.values, grad.indices, rows)
    return [None] * n + [a.gather(grad, ind) for ind in op.inputs[:n]]


RegisterGradient("DynamicStitch")(_dynamic_stitch_grad)
RegisterGradient("ParallelDynamicStitch")(_dynamic_stitch_grad)


def dynamic_stitch(indices: Any, data: Any, name: str | None = None) -> Tensor:
    """Interleaves ``data`` into one tensor: merged[indices[m][i]] = data[m][i]."""
    return apply_op("DynamicStitch", name=name or "DynamicStitch", indices=list(indices),
                    data=list(data))


def parallel_dynamic_stitch(indices: Any, data: Any, name: str | None = None) -> Tensor:
    return apply_op("ParallelDynamicStitch", name=name or "ParallelDynamicStitch",
                    indices=list(indices), data=list(data))


# --- embedding_lookup ----------------------------------------------------------------------------

def _clip(params: Tensor, ids: Tensor, max_norm: Any) -> Tensor:
    """clip_by_norm over the embedding dimensions (TF's ``_clip``)."""
    if max_norm is None:
        return params
    m, a = _math(), _array()
    ids_rank, params_rank = ids.get_shape().ndims, params.get_shape().ndims
    if ids_rank is not None and params_rank is not None:
        axes: Any = np.arange(ids_rank, params_rank, dtype=np.int32)
    else:
        axes = m.range_(a.rank(ids), a.rank(params), 1)
    with name_scope(None, "clip_by_norm", [params, max_norm]) as scope:
        t = params
        l2sum = m.reduce_sum(t * t, axes, keepdims=True)
        pred = l2sum > 0
        l2sum_safe = a.where(pred, l2sum, a.ones_like(l2sum))
        l2norm = a.where(pred, m.sqrt(l2sum_safe), l2sum)
        clip = convert_to_tensor(max_norm, dtype=t.dtype.base_dtype, name="clip_norm")
        intermediate = t * clip
        return a.identity(intermediate / m.maximum(l2norm, clip), name=scope)


def embedding_lookup(params: Any, ids: Any, partition_strategy: str = "mod",
                     name: str | None = None, validate_indices: bool = True,
                     max_norm: Any = None) -> Tensor:
    """Rows ``ids`` of ``params`` (a tensor, or a list of shards split by
    ``partition_strategy``); rows are clipped to L2 norm ``max_norm`` when given."""
    if params is None:
        raise ValueError("params must be specified")
    if isinstance(params, (list, tuple)) and not params:
        raise ValueError("Length of params is currently 0. Need at least one param.")
    if not isinstance(params, (list, tuple)):
        params = [params]
    params = list(params)
    m, a = _math(), _array()
    with name_scope(name, "embedding_lookup", params + [ids]) as scope:
        n = len(params)
        params = [p if isinstance(p, Tensor) else convert_to_tensor(p, name="params")
                  for p in params]
        ids = convert_to_tensor(ids, name="ids")
        if n == 1:
            with colocate_with(params[0]):
                result = _clip(a.gather(params[0], ids, name=scope), ids, max_norm)
            return a.identity(result)
        flat_ids = a.reshape(ids, np.array([-1], dtype=np.int32))
        original_indices = m.range_(0, a.size(flat_ids), 1)
        if partition_strategy == "mod":
            p_assign = flat_ids % n
            new_ids = flat_ids // n
        elif partition_strategy == "div":
            p_assign, new_ids = _div_assignments(params, flat_ids)
        else:
            raise ValueError(f"Unrecognized partition strategy: {partition_strategy}. Must be "
                             "one of either `mod` or `div`.")
        p_assign = m.cast(p_assign, "int32")
        gather_ids = dynamic_partition(new_ids, p_assign, n)
        pindices = dynamic_partition(original_indices, p_assign, n)
        results = []
        for p in range(n):
            with colocate_with(params[p]):
                results.append(a.gather(params[p], gather_ids[p]))
        ret = parallel_dynamic_stitch(pindices, results, name=scope)
        elem_s = params[0].get_shape()[1:]
        for p in params[1:]:
            elem_s = elem_s.merge_with(p.get_shape()[1:])
        if elem_s.is_fully_defined():
            elem_d: Any = np.array(elem_s.as_list(), dtype=np.int32)
        else:
            elem_d = a.shape(params[0])[1:]
        ret = a.reshape(ret, a.concat([a.shape(ids), elem_d], 0))
        ret = _clip(ret, ids, max_norm)
        ret.set_shape(ids.get_shape().concatenate(elem_s))
        return ret


def _div_assignments(params: list[Tensor], flat_ids: Tensor) -> tuple[Tensor, Tensor]:
    """Shard and row of each id when shards hold contiguous id ranges (the first
    ``total % n`` shards one row longer)."""
    m, a = _math(), _array()
    n = len(params)
    sizes = [p.get_shape()[0].value if p.get_shape().ndims else None for p in params]
    dt = flat_ids.dtype.base_dtype
    if all(s is not None for s in sizes):
        total: Any = convert_to_tensor(sum(sizes), dtype=dt)
    else:
        parts = [a.shape(p, out_type=dt)[0] if s is None else convert_to_tensor(s, dtype=dt)
                 for p, s in zip(params, sizes)]
        total = m.add_n(parts)
    per = total // n
    extras = total % n
    p_assign = m.maximum(flat_ids // (per + 1), (flat_ids - extras) // per)
    in_first = m.cast(p_assign < extras, dt)
    new_ids = in_first * (flat_ids % (per + 1)) + (1 - in_first) * ((flat_ids - extras) % per)
    return p_assign, new_ids
