"""Nested element structures of ``tf.data`` (TF 1.x rules): tuples, namedtuples and dicts
nest; a list is one tensor (converted with autopacking), as in ``tf.data``'s own ``nest``.

An element's structure is kept at build time by the Python :class:`Dataset`; at run time an
element is a flat tuple of numpy arrays in ``flatten`` order (dicts by sorted key).
"""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = ["is_nested", "flatten", "pack_as", "map_structure", "same_structure",
           "structure_str", "normalize_types", "normalize_shapes"]


def is_nested(x: Any) -> bool:
    """Whether ``x`` is a structure (tuple, namedtuple, dict) rather than one component."""
    return isinstance(x, (tuple, dict))


def _children(x: Any) -> list[Any]:
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(x: Any) -> list[Any]:
    """The components of ``x`` in TF's order."""
    if not is_nested(x):
        return [x]
    out: list[Any] = []
    for c in _children(x):
        out.extend(flatten(c))
    return out


def pack_as(structure: Any, flat: list[Any]) -> Any:
    """``flat`` arranged as ``structure``."""
    it = iter(flat)

    def pack(s: Any) -> Any:
        if not is_nested(s):
            return next(it)
        if isinstance(s, dict):
            packed = {k: pack(s[k]) for k in sorted(s)}
            return type(s)((k, packed[k]) for k in s)
        items = [pack(v) for v in s]
        return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)

    return pack(structure)


def map_structure(fn: Any, structure: Any) -> Any:
    return pack_as(structure, [fn(x) for x in flatten(structure)])


def same_structure(a: Any, b: Any) -> bool:
    if is_nested(a) != is_nested(b):
        return False
    if not is_nested(a):
        return True
    if isinstance(a, dict) != isinstance(b, dict):
        return False
    if isinstance(a, dict) and sorted(a) != sorted(b):
        return False
    ca, cb = _children(a), _children(b)
    return len(ca) == len(cb) and all(same_structure(x, y) for x, y in zip(ca, cb))


def structure_str(x: Any, leaf: Any = None) -> str:
    """A structure printed with its leaves (``leaf(x)`` or ``repr``)."""
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {structure_str(x[k], leaf)}" for k in sorted(x)) + "}"
    if isinstance(x, tuple):
        inner = ", ".join(structure_str(v, leaf) for v in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    return leaf(x) if leaf is not None else repr(x)


def normalize_types(types: Any) -> Any:
    """``output_types`` given by a user: each leaf a DType (TypeError otherwise)."""
    return map_structure(lambda t: dtypes.as_dtype(t).base_dtype, types)


def normalize_shapes(types: Any, shapes: Any) -> Any:
    """``output_shapes`` matching ``types`` (None: all unknown); ValueError on a mismatch."""
    if shapes is None:
        return map_structure(lambda _: unknown_shape(), types)
    if not is_nested(types) and is_nested(shapes):
        shapes = list(shapes) if isinstance(shapes, tuple) else shapes
    if is_nested(types) and not same_structure(types, shapes):
        raise ValueError(f"The two structures don't have the same nested structure: "
                         f"output_types {structure_str(types)} and output_shapes "
                         f"{structure_str(shapes)}")
    if not is_nested(types):
        return _as_shape(shapes)
    return pack_as(types, [_as_shape(s) for s in flatten(shapes)])


def _as_shape(s: Any) -> TensorShape:
    if isinstance(s, TensorShape):
        return s
    if s is None:
        return unknown_shape()
    return as_shape(s)


def classes_of(types: Any) -> Any:
    return map_structure(lambda _: Tensor, types)
