"""Feeding composite values (``tf.SparseTensor``): a key with ``_feed_components`` is fed as
its component tensors; the value is split into one value per component."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CompositeFeedSpec", "expand_feed_keys", "flatten_feeds"]


class CompositeFeedSpec:
    """Splits a value fed to a composite key and converts each part with its own spec."""

    __slots__ = ("key", "specs")

    def __init__(self, key: Any, specs: list[Any]) -> None:
        self.key = key
        self.specs = specs

    def convert(self, value: Any) -> tuple[Any, ...]:
        from minitf.framework.sparse_tensor import split_sparse_feed

        parts = split_sparse_feed(value)
        return tuple(s.convert(v) for s, v in zip(self.specs, parts))


def expand_feed_keys(keys: list[Any], feed_tensor: Callable[[Any], Any],
                     spec_cls: Callable[[Any], Any]) -> tuple[list[Any], list[Any], bool]:
    """(one spec per key, the flat list of fed tensors, whether any key is composite)."""
    specs: list[Any] = []
    tensors: list[Any] = []
    composite = False
    for k in keys:
        components = getattr(k, "_feed_components", None)
        if components is None or isinstance(k, type):
            t = feed_tensor(k)
            specs.append(spec_cls(t))
            tensors.append(t)
            continue
        composite = True
        parts = [feed_tensor(t) for t in components()]
        specs.append(CompositeFeedSpec(k, [spec_cls(t) for t in parts]))
        tensors.extend(parts)
    return specs, tensors, composite


def flatten_feeds(feeds: list[Any], specs: list[Any]) -> list[Any]:
    """Converted feed values, one per key, → one per fed tensor."""
    out: list[Any] = []
    for f, s in zip(feeds, specs):
        if type(s) is CompositeFeedSpec:
            out.extend(f)
        else:
            out.append(f)
    return out
