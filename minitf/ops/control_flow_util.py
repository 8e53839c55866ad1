"""Nested structures for control flow (TF's ``nest``, the parts cond and while_loop use):
lists, tuples, namedtuples and dicts (sorted by key) of leaves."""

from __future__ import annotations

from typing import Any

__all__ = ["is_sequence", "is_composite", "flatten", "pack_sequence_as",
           "assert_same_structure"]


def is_composite(x: Any) -> bool:
    """A value carried by several tensors (a TensorArray: ``_minitf_components()``)."""
    return hasattr(x, "_minitf_components")


def is_sequence(x: Any) -> bool:
    return isinstance(x, (list, tuple, dict)) or is_composite(x)


def _children(x: Any) -> list[Any]:
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    if is_composite(x):
        return list(x._minitf_components())
    return list(x)


def flatten(x: Any) -> list[Any]:
    """The leaves of ``x`` in TF's order (dicts by sorted key); a leaf gives ``[x]``."""
    if not is_sequence(x):
        return [x]
    out: list[Any] = []
    stack = [x]
    order: list[Any] = []
    while stack:  # iterative pre-order, so deep structures do not recurse
        node = stack.pop()
        if is_sequence(node):
            stack.extend(reversed(_children(node)))
        else:
            order.append(node)
    out.extend(order)
    return out


def _structure_str(x: Any) -> str:
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_structure_str(x[k])}" for k in sorted(x)) + "}"
    if isinstance(x, list):
        return "[" + ", ".join(_structure_str(v) for v in x) + "]"
    if isinstance(x, tuple):
        inner = ", ".join(_structure_str(v) for v in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    return "."


def assert_same_structure(a: Any, b: Any, check_types: bool = True) -> None:
    """ValueError (TF's message) unless ``a`` and ``b`` nest the same way."""
    def fail(detail: str) -> None:
        raise ValueError(f"The two structures don't have the same nested structure.\n\n"
                         f"First structure: {_structure_str(a)}\n\nSecond structure: "
                         f"{_structure_str(b)}\n\nMore specifically: {detail}")

    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if is_sequence(x) != is_sequence(y):
            fail(f"Substructure {_structure_str(x if is_sequence(x) else y)} is a sequence, "
                 f"while the other is not")
        if not is_sequence(x):
            continue
        if check_types and type(x) is not type(y) and not (
                isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)) and
                not hasattr(x, "_fields") and not hasattr(y, "_fields")):
            fail(f"The two namedtuples don't have the same sequence type: "
                 f"{type(x).__name__} and {type(y).__name__}")
        if isinstance(x, dict) and sorted(x) != sorted(y):
            fail(f"The two dictionaries don't have the same set of keys: {sorted(x)} and "
                 f"{sorted(y)}")
        cx, cy = _children(x), _children(y)
        if len(cx) != len(cy):
            fail(f"The two structures don't have the same number of elements: {len(cx)} and "
                 f"{len(cy)}")
        stack.extend(zip(cx, cy))


def pack_sequence_as(structure: Any, flat: list[Any]) -> Any:
    """``flat`` leaves arranged as ``structure``."""
    it = iter(flat)

    def pack(s: Any) -> Any:
        if not is_sequence(s):
            return next(it)
        if is_composite(s):
            return s._minitf_from_components([pack(v) for v in _children(s)])
        if isinstance(s, dict):
            packed = {k: pack(s[k]) for k in sorted(s)}
            return type(s)((k, packed[k]) for k in s)
        items = [pack(v) for v in s]
        if hasattr(s, "_fields"):  # namedtuple
            return type(s)(*items)
        return type(s)(items)

    result = pack(structure)
    if next(it, _END) is not _END:
        raise ValueError("Too many leaves for the structure")
    return result


_END = object()
