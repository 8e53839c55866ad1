"""``tf.saved_model.utils``: TensorInfo to and from graph tensors."""

from __future__ import annotations

from typing import Any

from minitf.framework.proto import TensorInfo, TensorShapeProto

__all__ = ["build_tensor_info", "build_tensor_info_from_op", "get_tensor_from_tensor_info",
           "shape_proto"]


def shape_proto(shape: Any) -> TensorShapeProto:
    """A TensorShape as a TensorShapeProto (unknown dimensions are -1)."""
    proto = TensorShapeProto()
    if shape.ndims is None:
        proto.unknown_rank = True
        return proto
    for d in shape.as_list():
        proto.dim.add(size=-1 if d is None else int(d))
    return proto


def build_tensor_info(tensor: Any) -> TensorInfo:
    """The TensorInfo (name, dtype, shape) of a graph tensor or SparseTensor."""
    from minitf.framework.sparse_tensor import SparseTensor

    if isinstance(tensor, SparseTensor):
        info = TensorInfo(dtype=tensor.dtype.as_datatype_enum)
        info.tensor_shape.CopyFrom(shape_proto(tensor.get_shape()))
        info.coo_sparse.values_tensor_name = tensor.values.name
        info.coo_sparse.indices_tensor_name = tensor.indices.name
        info.coo_sparse.dense_shape_tensor_name = tensor.dense_shape.name
        return info
    if not hasattr(tensor, "op") or not hasattr(tensor, "dtype"):
        raise TypeError(f"build_tensor_info expects a graph Tensor or SparseTensor; got "
                        f"{tensor!r}")
    info = TensorInfo(name=tensor.name, dtype=tensor.dtype.as_datatype_enum)
    info.tensor_shape.CopyFrom(shape_proto(tensor.get_shape()))
    return info


def build_tensor_info_from_op(op: Any) -> TensorInfo:
    """A TensorInfo naming an operation (dtype DT_INVALID, unknown rank), as TF's."""
    info = TensorInfo(name=op.name, dtype=0)
    info.tensor_shape.unknown_rank = True
    return info


def _scoped(name: str, import_scope: str | None) -> str:
    return f"{import_scope.rstrip('/')}/{name}" if import_scope else name


def get_tensor_from_tensor_info(tensor_info: TensorInfo, graph: Any = None,
                                import_scope: str | None = None) -> Any:
    """The tensor (or SparseTensor) a TensorInfo names, in ``graph`` (default graph)."""
    from minitf.framework.graph import get_default_graph
    from minitf.framework.sparse_tensor import SparseTensor

    graph = graph or get_default_graph()
    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "name":
        return graph.get_tensor_by_name(_scoped(tensor_info.name, import_scope))
    if encoding == "coo_sparse":
        coo = tensor_info.coo_sparse
        return SparseTensor(
            graph.get_tensor_by_name(_scoped(coo.indices_tensor_name, import_scope)),
            graph.get_tensor_by_name(_scoped(coo.values_tensor_name, import_scope)),
            graph.get_tensor_by_name(_scoped(coo.dense_shape_tensor_name, import_scope)))
    raise ValueError(f"Invalid TensorInfo.encoding: {encoding}")
