"""Nested structures of tensors (TF's ``tensorflow.python.util.nest``, the part the RNN API needs).

A structure is a tensor (or any other leaf), or a tuple, list, namedtuple or dict of structures.
Dicts flatten in sorted key order, as TF's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["assert_same_structure", "flatten", "is_nested", "map_structure",
           "pack_sequence_as"]


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def is_nested(x: Any) -> bool:
    """True for a tuple, list or dict (a structure rather than a leaf)."""
    return isinstance(x, (tuple, list, dict))


def _children(x: Any) -> list[Any]:
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def _walk(x: Any) -> Iterator[Any]:
    if is_nested(x):
        for child in _children(x):
            yield from _walk(child)
    else:
        yield x


def flatten(structure: Any) -> list[Any]:
    """The leaves of ``structure``, depth first (a leaf gives ``[leaf]``)."""
    return list(_walk(structure))


def _rebuild(like: Any, children: list[Any]) -> Any:
    if isinstance(like, dict):
        rebuilt = dict(zip(sorted(like), children))
        return type(like)((k, rebuilt[k]) for k in like)
    if _is_namedtuple(like):
        return type(like)(*children)
    if isinstance(like, tuple):
        return tuple(children)
    return list(children)


def pack_sequence_as(structure: Any, flat_sequence: Any) -> Any:
    """``flat_sequence`` arranged as ``structure`` (the inverse of ``flatten``)."""
    flat = list(flat_sequence)
    if not is_nested(structure):
        if len(flat) != 1:
            raise ValueError(f"Structure is a scalar but len(flat_sequence) == {len(flat)} > 1")
        return flat[0]
    count = len(flatten(structure))
    if count != len(flat):
        raise ValueError(f"Could not pack sequence. Structure had {count} elements, but "
                         f"flat_sequence had {len(flat)} elements.")
    position = [0]

    def build(node: Any) -> Any:
        if not is_nested(node):
            value = flat[position[0]]
            position[0] += 1
            return value
        return _rebuild(node, [build(child) for child in _children(node)])

    return build(structure)


def assert_same_structure(nest1: Any, nest2: Any, check_types: bool = True) -> None:
    """Raises ValueError (TypeError for differing sequence types) unless both nest alike."""
    if is_nested(nest1) != is_nested(nest2):
        raise ValueError("The two structures don't have the same nested structure.\n\n"
                         f"First structure: {nest1}\n\nSecond structure: {nest2}")
    if not is_nested(nest1):
        return
    if check_types and type(nest1) is not type(nest2):
        both_plain = {type(nest1), type(nest2)} <= {list, tuple}
        if not both_plain or _is_namedtuple(nest1) or _is_namedtuple(nest2):
            raise TypeError("The two structures don't have the same sequence type. "
                            f"First structure has type {type(nest1)}, while second structure "
                            f"has type {type(nest2)}.")
    a, b = _children(nest1), _children(nest2)
    if len(a) != len(b):
        raise ValueError("The two structures don't have the same number of elements.\n\n"
                         f"First structure: {nest1}\n\nSecond structure: {nest2}")
    if isinstance(nest1, dict) and sorted(nest1) != sorted(nest2):
        raise ValueError(f"The two dictionaries don't have the same set of keys: "
                         f"{sorted(nest1)} vs {sorted(nest2)}")
    for x, y in zip(a, b):
        assert_same_structure(x, y, check_types)


def map_structure(fn: Callable[..., Any], *structures: Any) -> Any:
    """``fn`` applied leaf-wise to structures of the same shape; the result has that shape."""
    if not structures:
        raise ValueError("Must provide at least one structure")
    for other in structures[1:]:
        assert_same_structure(structures[0], other, check_types=False)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*leaves) for leaves in zip(*flats)])


def map_structure_up_to(shallow: Any, fn: Callable[..., Any], *structures: Any) -> Any:
    """Like ``map_structure`` but stops at the leaves of ``shallow``: deeper parts of
    ``structures`` are passed to ``fn`` whole."""
    if not is_nested(shallow):
        return fn(*structures)
    results = []
    for i, child in enumerate(_children(shallow)):
        results.append(map_structure_up_to(child, fn, *[_children(s)[i] for s in structures]))
    return _rebuild(shallow, results)


def flatten_up_to(shallow: Any, structure: Any) -> list[Any]:
    """The parts of ``structure`` at the leaves of ``shallow``."""
    if not is_nested(shallow):
        return [structure]
    out: list[Any] = []
    for s_child, child in zip(_children(shallow), _children(structure)):
        out.extend(flatten_up_to(s_child, child))
    return out
