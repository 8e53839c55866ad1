"""Static evaluation of tensors whose value is known when the graph is built
(TF's ``tensor_util.constant_value``), used by shape functions such as Reshape's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape

__all__ = ["constant_value", "constant_value_as_shape", "register_constant_value"]

_RULES: dict[str, Callable[[Any], np.ndarray | None]] = {}


def register_constant_value(op_type: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Registers how to compute an op's output statically (``fn(op) -> ndarray | None``)."""

    def deco(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _RULES[op_type] = fn
        return fn

    return deco


def constant_value(tensor: Any) -> np.ndarray | None:
    """The value of ``tensor`` if it can be computed without running the graph, else None."""
    if not isinstance(tensor, Tensor):
        return np.asarray(tensor) if tensor is not None else None
    op = tensor.op
    if op.type == "Const":
        return op._attrs["value"]
    fn = _RULES.get(op.type)
    if fn is None:
        return None
    try:
        out = fn(op)
    except (ValueError, TypeError, IndexError):
        return None
    if out is None:
        return None
    if isinstance(out, (list, tuple)):
        out = out[tensor.value_index]
    return np.asarray(out)


def constant_value_as_shape(tensor: Tensor) -> TensorShape:
    """A TensorShape from a 1-D int tensor describing a shape; unknown entries stay unknown."""
    shape = tensor.get_shape().with_rank(1)
    if shape.as_tuple() == (0,):
        return TensorShape([])
    op = tensor.op
    if op.type == "Shape":
        return op.inputs[0].get_shape()
    if op.type == "Pack":
        dims: list[int | None] = []
        for inp in op.inputs:
            v = constant_value(inp)
            dims.append(None if v is None or int(v) == -1 else int(v))
        return TensorShape(dims)
    if op.type == "ConcatV2":
        out = TensorShape([])
        for inp in op.inputs[:-1]:
            out = out.concatenate(constant_value_as_shape(inp))
        return out
    value = constant_value(tensor)
    if value is not None:
        return TensorShape([None if int(d) == -1 else int(d) for d in value.reshape(-1)])
    n = shape.as_tuple()[0] if shape.as_tuple() else None
    return unknown_shape(n)


@register_constant_value("Identity")
def _identity(op: Any) -> Any:
    return constant_value(op.inputs[0])


@register_constant_value("Shape")
def _shape(op: Any) -> Any:
    s = op.inputs[0].get_shape()
    if not s.is_fully_defined():
        return None
    return np.array(s.as_list(), dtype=op.get_attr("out_type").as_numpy_dtype)


@register_constant_value("Size")
def _size(op: Any) -> Any:
    n = op.inputs[0].get_shape().num_elements()
    return None if n is None else np.array(n, dtype=op.get_attr("out_type").as_numpy_dtype)


@register_constant_value("Rank")
def _rank(op: Any) -> Any:
    r = op.inputs[0].get_shape().ndims
    return None if r is None else np.array(r, dtype=np.int32)


@register_constant_value("Cast")
def _cast(op: Any) -> Any:
    v = constant_value(op.inputs[0])
    return None if v is None else v.astype(op.get_attr("DstT").as_numpy_dtype)


@register_constant_value("Pack")
def _pack(op: Any) -> Any:
    vals = [constant_value(t) for t in op.inputs]
    if any(v is None for v in vals):
        return None
    return np.stack(vals, axis=int(op.get_attr("axis")))


@register_constant_value("ConcatV2")
def _concat(op: Any) -> Any:
    vals = [constant_value(t) for t in op.inputs]
    if any(v is None for v in vals):
        return None
    return np.concatenate(vals[:-1], axis=int(vals[-1]))
