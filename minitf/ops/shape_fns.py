"""Reusable static shape functions for op registrations."""

from __future__ import annotations

from typing import Any

from minitf.framework.tensor_shape import (
    TensorShape,
    broadcast_static_shapes,
    unknown_shape,
)

__all__ = ["unchanged", "broadcast", "scalar", "unknown", "no_outputs", "all_unknown"]


def unchanged(op: Any) -> list[TensorShape]:
    """Output 0 has the shape of input 0."""
    return [op.inputs[0].get_shape()]


def broadcast(op: Any) -> list[TensorShape]:
    """numpy broadcasting of inputs 0 and 1."""
    return [broadcast_static_shapes(op.inputs[0].get_shape(), op.inputs[1].get_shape())]


def broadcast_all(op: Any) -> list[TensorShape]:
    out = op.inputs[0].get_shape()
    for t in op.inputs[1:]:
        out = broadcast_static_shapes(out, t.get_shape())
    return [out]


def scalar(op: Any) -> list[TensorShape]:
    return [TensorShape([])] * len(op.outputs)


def unknown(op: Any) -> list[TensorShape]:
    return [unknown_shape()] * len(op.outputs)


all_unknown = unknown


def no_outputs(op: Any) -> list[TensorShape]:
    return []


def attr_shape(attr: str) -> Any:
    """Output 0 has the shape held by attribute ``attr`` (None → unknown)."""

    def fn(op: Any) -> list[TensorShape]:
        s = op._attrs.get(attr)
        return [s if s is not None else unknown_shape()]

    return fn
