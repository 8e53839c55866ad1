"""Fetch structures: flattening nested lists/tuples/dicts/namedtuples of fetches into unique
graph elements, and rebuilding the same structure from their values (TF's _FetchMapper)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from minitf.framework.graph import Graph
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor

__all__ = ["FetchMapper"]


class FetchMapper:
    """Flattens ``fetches`` against ``graph``; :meth:`build` rebuilds results."""

    def __init__(self, graph: Graph, fetches: Any) -> None:
        self.elements: list[Tensor | Operation] = []
        self._index: dict[int, int] = {}
        self._template = self._flatten(graph, fetches)

    def _add(self, element: Tensor | Operation) -> int:
        i = self._index.get(id(element))
        if i is None:
            i = self._index[id(element)] = len(self.elements)
            self.elements.append(element)
        return i

    def _flatten(self, graph: Graph, fetch: Any) -> Any:
        if fetch is None:
            raise TypeError(f"Fetch argument None has invalid type {type(None)}")
        if isinstance(fetch, (Tensor, Operation, str, bytes)) or (
                hasattr(fetch, "_as_graph_element") and not isinstance(fetch, type)):
            try:
                element = graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
            except TypeError as e:
                raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must "
                                f"be a string or Tensor. ({e})") from None
            except (ValueError, KeyError) as e:
                msg = e.args[0] if e.args else str(e)
                raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. "
                                 f"({msg})") from None
            if isinstance(element, Operation):
                return ("op", self._add(element))
            return ("t", self._add(element))
        components = getattr(fetch, "_fetch_components", None)
        if components is not None:
            tensors, rebuild = components()
            return ("custom", rebuild, [self._flatten(graph, t) for t in tensors])
        if isinstance(fetch, tuple) and hasattr(fetch, "_fields"):
            return ("namedtuple", type(fetch), [self._flatten(graph, f) for f in fetch])
        if isinstance(fetch, list):
            return ("list", None, [self._flatten(graph, f) for f in fetch])
        if isinstance(fetch, tuple):
            return ("tuple", None, [self._flatten(graph, f) for f in fetch])
        if isinstance(fetch, Mapping):
            keys = list(fetch.keys())
            return ("dict", (type(fetch), keys), [self._flatten(graph, fetch[k]) for k in keys])
        raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a "
                        f"string or Tensor. (Can not convert a {type(fetch).__name__} into a "
                        "Tensor or Operation.)")

    def build(self, values: list[Any]) -> Any:
        return self._build(self._template, values)

    def _build(self, tpl: Any, values: list[Any]) -> Any:
        kind = tpl[0]
        if kind == "t":
            return values[tpl[1]]
        if kind == "op":
            return None
        children = [self._build(c, values) for c in tpl[2]]
        if kind == "list":
            return children
        if kind == "tuple":
            return tuple(children)
        if kind == "namedtuple":
            return tpl[1](*children)
        if kind == "dict":
            cls, keys = tpl[1]
            out = dict(zip(keys, children))
            try:
                return cls(out)
            except TypeError:
                result = cls()
                result.update(out)
                return result
        if kind == "custom":
            return tpl[1](children)
        raise AssertionError(kind)
