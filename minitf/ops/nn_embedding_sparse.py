"""SparseSegmentSum/Mean/SqrtN (+ the Mean/SqrtN gradient ops) and
``tf.nn.embedding_lookup_sparse``, as in TF 1.x (the result has one row per segment id up to
the largest present one)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.sparse_tensor import SparseTensor, SparseTensorValue
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import array_ops, math_ops
from minitf.ops.nn_embedding_ops import embedding_lookup
from minitf.ops.sparse_util import invalid

__all__ = ["sparse_segment_sum", "sparse_segment_mean", "sparse_segment_sqrt_n",
           "embedding_lookup_sparse"]

_SCALE = {"Sum": lambda n: np.ones_like(n, dtype=np.float64),
          "Mean": lambda n: 1.0 / np.maximum(n, 1),
          "SqrtN": lambda n: 1.0 / np.sqrt(np.maximum(n, 1))}


def _check(data_rows: int, indices: Any, segment_ids: Any) -> int:
    if indices.ndim != 1 or segment_ids.ndim != 1:
        raise invalid("indices and segment_ids should be vectors")
    if indices.shape[0] != segment_ids.shape[0]:
        raise invalid(f"segment_ids and indices should have same size: {segment_ids.shape[0]} "
                      f"vs. {indices.shape[0]}")
    bad = (indices < 0) | (indices >= data_rows)
    if bad.any():
        k = int(np.argmax(bad))
        raise invalid(f"Bad: indices[{k}] == {indices[k]} out of range [0, {data_rows})")
    if segment_ids.size and (segment_ids[0] < 0 or (np.diff(segment_ids) < 0).any()):
        raise invalid("segment ids are not increasing")
    return int(segment_ids[-1]) + 1 if segment_ids.size else 0


def _ref(kind: str) -> Any:
    def ref(data: Any, indices: Any, segment_ids: Any) -> np.ndarray:
        n = _check(data.shape[0], indices, segment_ids)
        out = np.zeros((n, *data.shape[1:]), data.dtype)
        np.add.at(out, segment_ids, data[indices])
        counts = np.bincount(segment_ids, minlength=n).astype(np.float64)
        scale = _SCALE[kind](counts).reshape((n,) + (1,) * (data.ndim - 1))
        return (out * scale).astype(data.dtype) if kind != "Sum" else out

    return ref


def _shape(op: Any) -> list[TensorShape]:
    data = op.inputs[0].get_shape()
    op.inputs[1].get_shape().with_rank(1)
    op.inputs[2].get_shape().with_rank(1)
    if data.ndims is None:
        return [TensorShape(None)]
    return [TensorShape([None, *data.as_tuple()[1:]])]


for _kind in ("Sum", "Mean", "SqrtN"):
    _real = "T: real" if _kind == "Sum" else "T: {half, float32, float64}"
    register_op(f"SparseSegment{_kind}",
                inputs=["data: T", "indices: Tidx", "segment_ids: Tsegmentids"],
                outputs=["output: T"],
                attrs=[_real, "Tidx: {int32, int64} = int32",
                       "Tsegmentids: {int32, int64} = int32"],
                shape=_shape, reference=_ref(_kind))


def _grad_ref(kind: str) -> Any:
    def ref(grad: Any, indices: Any, segment_ids: Any, output_dim0: Any) -> np.ndarray:
        dim0 = int(output_dim0)
        n = _check(dim0, indices, segment_ids)
        counts = np.bincount(segment_ids, minlength=n).astype(np.float64)
        scale = _SCALE[kind](counts)[segment_ids].reshape((-1,) + (1,) * (grad.ndim - 1))
        out = np.zeros((dim0, *grad.shape[1:]), grad.dtype)
        np.add.at(out, indices, (grad[segment_ids] * scale).astype(grad.dtype))
        return out

    return ref


def _grad_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value

    g = op.inputs[0].get_shape()
    d0 = constant_value(op.inputs[3])
    if g.ndims is None:
        return [TensorShape(None)]
    return [TensorShape([None if d0 is None else int(d0), *g.as_tuple()[1:]])]


for _kind in ("Mean", "SqrtN"):
    register_op(f"SparseSegment{_kind}Grad",
                inputs=["grad: T", "indices: Tidx", "segment_ids: Tsegmentids",
                        "output_dim0: int32"], outputs=["output: T"],
                attrs=["T: {half, float32, float64}", "Tidx: {int32, int64} = int32",
                       "Tsegmentids: {int32, int64} = int32"],
                shape=_grad_shape, reference=_grad_ref(_kind))
    NotDifferentiable(f"SparseSegment{_kind}Grad")


@RegisterGradient("SparseSegmentSum")
def _sss_grad(op: Any, grad: Tensor) -> Any:
    dim0 = array_ops.shape(op.inputs[0])[0]
    return [math_ops.unsorted_segment_sum(array_ops.gather(grad, op.inputs[2]), op.inputs[1],
                                          dim0), None, None]


def _scaled_grad(kind: str) -> Any:
    def grad_fn(op: Any, grad: Tensor) -> Any:
        dim0 = array_ops.shape(op.inputs[0])[0]
        return [apply_op(f"SparseSegment{kind}Grad", grad=grad, indices=op.inputs[1],
                         segment_ids=op.inputs[2], output_dim0=dim0), None, None]

    return grad_fn


RegisterGradient("SparseSegmentMean")(_scaled_grad("Mean"))
RegisterGradient("SparseSegmentSqrtN")(_scaled_grad("SqrtN"))


def sparse_segment_sum(data: Any, indices: Any, segment_ids: Any, name: str | None = None,
                       num_segments: Any = None) -> Tensor:
    """Sums ``data[indices]`` by sorted ``segment_ids`` (``tf.sparse_segment_sum``)."""
    _no_num_segments(num_segments)
    return apply_op("SparseSegmentSum", name=name, data=data, indices=indices,
                    segment_ids=segment_ids)


def sparse_segment_mean(data: Any, indices: Any, segment_ids: Any, name: str | None = None,
                        num_segments: Any = None) -> Tensor:
    """Means of ``data[indices]`` by sorted ``segment_ids`` (``tf.sparse_segment_mean``)."""
    _no_num_segments(num_segments)
    return apply_op("SparseSegmentMean", name=name, data=data, indices=indices,
                    segment_ids=segment_ids)


def sparse_segment_sqrt_n(data: Any, indices: Any, segment_ids: Any, name: str | None = None,
                          num_segments: Any = None) -> Tensor:
    """Sums of ``data[indices]`` by segment divided by sqrt(segment size)."""
    _no_num_segments(num_segments)
    return apply_op("SparseSegmentSqrtN", name=name, data=data, indices=indices,
                    segment_ids=segment_ids)


def _no_num_segments(num_segments: Any) -> None:
    if num_segments is not None:
        raise NotImplementedError("minitf: sparse_segment_*(num_segments=...) is not supported")


def embedding_lookup_sparse(params: Any, sp_ids: Any, sp_weights: Any,
                            partition_strategy: str = "mod", name: str | None = None,
                            combiner: str | None = None, max_norm: Any = None) -> Tensor:
    """Combines the embeddings of each row of ``sp_ids`` (weighted by ``sp_weights`` unless
    None) with ``combiner`` "sum", "mean" (default) or "sqrtn"."""
    if combiner is None:
        combiner = "mean"
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    if isinstance(sp_ids, SparseTensorValue):
        sp_ids = SparseTensor.from_value(sp_ids)
    if not isinstance(sp_ids, SparseTensor):
        raise TypeError(f"sp_ids must be SparseTensor, got {type(sp_ids)}")
    if isinstance(sp_weights, SparseTensorValue):
        sp_weights = SparseTensor.from_value(sp_weights)
    if sp_weights is not None and not isinstance(sp_weights, SparseTensor):
        raise TypeError(f"sp_weights must be either None or SparseTensor, got "
                        f"{type(sp_weights)}")
    plist = params if isinstance(params, (list, tuple)) else [params]
    with name_scope(name, "embedding_lookup_sparse", [*plist, sp_ids]) as scope:
        segment_ids = math_ops.cast(sp_ids.indices[:, 0], dtypes.int32)
        ids, idx = array_ops.unique(sp_ids.values)
        embeddings = embedding_lookup(params, ids, partition_strategy=partition_strategy,
                                      max_norm=max_norm)
        if sp_weights is None:
            fn = {"sum": sparse_segment_sum, "mean": sparse_segment_mean,
                  "sqrtn": sparse_segment_sqrt_n}[combiner]
            return fn(embeddings, idx, segment_ids, name=scope)
        weights = math_ops.cast(sp_weights.values, embeddings.dtype)
        embeddings = array_ops.gather(embeddings, idx)
        ones = array_ops.ones_like(array_ops.shape(embeddings)[1:])
        bcast = array_ops.concat([array_ops.shape(weights), ones], 0)
        w = array_ops.reshape(weights, bcast)
        embeddings = embeddings * w
        if combiner == "sum":
            return math_ops.segment_sum(embeddings, segment_ids, name=scope)
        total = math_ops.segment_sum(embeddings, segment_ids)
        wsum = math_ops.segment_sum(weights if combiner == "mean" else weights * weights,
                                    segment_ids)
        if combiner == "sqrtn":
            wsum = math_ops.sqrt(wsum)
        wsum = array_ops.reshape(wsum, array_ops.concat([array_ops.shape(wsum), ones], 0))
        return math_ops.div_no_nan(total, wsum, name=scope)
