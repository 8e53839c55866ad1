"""Partial-shape arithmetic for the array ops' shape functions, with TF's C++ shape-inference
error messages ("Shape must be rank 2 but is rank 3", "Dimensions must be equal ...").

A partial shape is a tuple of ints/None (unknown dims) or None (unknown rank): the internal form
of :class:`~minitf.framework.tensor_shape.TensorShape`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework.tensor_shape import TensorShape

__all__ = ["Dims", "dims_of", "shape_str", "with_rank", "with_rank_at_least", "with_rank_at_most",
           "merge_dim", "merge", "subshape", "const_value", "const_ints", "shape_from_tensor",
           "shape", "multiply_dim", "add_dim", "int_list"]

Dims = tuple[int | None, ...] | None


def dims_of(t: Any) -> Dims:
    """The partial shape of a tensor (or of a TensorShape)."""
    s = t if isinstance(t, TensorShape) else t.get_shape()
    return s.as_tuple()


def shape(d: Dims) -> TensorShape:
    return TensorShape(None if d is None else list(d))


def shape_str(d: Dims) -> str:
    """TF's DebugString of a shape: ``[2,?]``, ``?`` for unknown rank."""
    if d is None:
        return "?"
    return "[" + ",".join("?" if x is None else str(x) for x in d) + "]"


def with_rank(d: Dims, rank: int) -> tuple[int | None, ...]:
    if d is None:
        return (None,) * rank
    if len(d) != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {len(d)}")
    return d


def with_rank_at_least(d: Dims, rank: int) -> Dims:
    if d is not None and len(d) < rank:
        raise ValueError(f"Shape must be at least rank {rank} but is rank {len(d)}")
    return d


def with_rank_at_most(d: Dims, rank: int) -> Dims:
    if d is not None and len(d) > rank:
        raise ValueError(f"Shape must be at most rank {rank} but is rank {len(d)}")
    return d


def merge_dim(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise ValueError(f"Dimensions must be equal, but are {a} and {b}")


def merge(a: Dims, b: Dims) -> Dims:
    """Merges two partial shapes (TF's InferenceContext::Merge)."""
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        raise ValueError(f"Shapes must be equal rank, but are {len(a)} and {len(b)}")
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x is not None and y is not None and x != y:
            raise ValueError(f"Dimension {i} in both shapes must be equal, but are {x} and {y}. "
                             f"Shapes are {shape_str(a)} and {shape_str(b)}.")
        out.append(x if x is not None else y)
    return tuple(out)


def subshape(d: Dims, start: int, end: int | None = None) -> Dims:
    """``d[start:end]``; unknown rank stays unknown (unless the slice is the whole shape)."""
    if d is None:
        return None
    return d[start:end]


def multiply_dim(a: int | None, b: int | None) -> int | None:
    if a == 0 or b == 0:
        return 0
    if a == 1:
        return b
    if b == 1:
        return a
    return None if a is None or b is None else a * b


def add_dim(a: int | None, b: int | None) -> int | None:
    if a == 0:
        return b
    if b == 0:
        return a
    return None if a is None or b is None else a + b


def const_value(t: Any) -> np.ndarray | None:
    """The statically known value of a tensor, or None."""
    from minitf.framework.constant_value import constant_value

    return constant_value(t)


def const_ints(t: Any) -> list[int] | None:
    """The statically known value of an integer tensor as a flat list of ints, or None."""
    v = const_value(t)
    if v is None:
        return None
    return [int(x) for x in np.asarray(v).reshape(-1)]


def int_list(value: Any) -> list[int]:
    return [int(x) for x in np.asarray(value).reshape(-1)]


def shape_from_tensor(t: Any) -> Dims:
    """TF's MakeShapeFromShapeTensor: a partial shape from a 1-D shape tensor (-1 → unknown)."""
    from minitf.framework.constant_value import constant_value_as_shape

    s = t.get_shape().as_tuple()
    if s is not None and len(s) != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {len(s)}")
    return constant_value_as_shape(t).as_tuple()
