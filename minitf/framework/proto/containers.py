"""Containers for repeated and map fields (list-like and dict-like, like protobuf's).

Every mutation tells the owning message it was modified, so that a lazily created parent
submessage becomes present.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = ["RepeatedScalar", "RepeatedMessage", "ScalarMap", "MessageMap"]


class _Repeated:
    __slots__ = ("_parent", "_field", "_items")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, parent: Any, field: Any) -> None:
        self._parent = parent
        self._field = field
        self._items: list = []

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __delitem__(self, index: Any) -> None:
        del self._items[index]
        self._parent._modified()

    def __contains__(self, value: Any) -> bool:
        return value in self._items

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Repeated):
            return self._items == other._items
        if isinstance(other, (list, tuple)):
            return self._items == list(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __repr__(self) -> str:
        return repr(self._items)

    def __reduce__(self) -> Any:
        raise TypeError("repeated field containers cannot be pickled on their own")

    def index(self, value: Any, *args: int) -> int:
        return self._items.index(value, *args)

    def count(self, value: Any) -> int:
        return self._items.count(value)

    def pop(self, index: int = -1) -> Any:
        v = self._items.pop(index)
        self._parent._modified()
        return v

    def remove(self, value: Any) -> None:
        self._items.remove(value)
        self._parent._modified()

    def clear(self) -> None:
        self._items.clear()
        self._parent._modified()

    def reverse(self) -> None:
        self._items.reverse()
        self._parent._modified()

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self._items.sort(*args, **kwargs)
        self._parent._modified()


class RepeatedScalar(_Repeated):
    """A repeated scalar field: behaves like a type-checked list."""

    __slots__ = ()

    def append(self, value: Any) -> None:
        self._items.append(self._field.check(value))
        self._parent._modified()

    def extend(self, values: Iterable[Any]) -> None:
        check = self._field.check
        new = [check(v) for v in values]
        self._items.extend(new)
        self._parent._modified()  # protobuf marks the parent even for an empty extend

    def insert(self, index: int, value: Any) -> None:
        self._items.insert(index, self._field.check(value))
        self._parent._modified()

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            check = self._field.check
            self._items[index] = [check(v) for v in value]
        else:
            self._items[index] = self._field.check(value)
        self._parent._modified()

    def __iadd__(self, values: Iterable[Any]) -> RepeatedScalar:
        self.extend(values)
        return self

    def MergeFrom(self, other: Iterable[Any]) -> None:  # noqa: N802 - protobuf API
        self.extend(other)


class RepeatedMessage(_Repeated):
    """A repeated submessage field: ``add(**kw)`` creates elements; ``append`` copies."""

    __slots__ = ()

    def add(self, **kwargs: Any) -> Any:
        m = self._field.msg_cls(**kwargs)
        self._items.append(m)
        self._parent._modified()
        return m

    def _copy(self, value: Any) -> Any:
        cls = self._field.msg_cls
        if not isinstance(value, cls):
            raise TypeError(f"Expected a {cls.__name__} message, got {type(value).__name__}")
        m = cls()
        m._merge_from(value)
        return m

    def append(self, value: Any) -> None:
        self._items.append(self._copy(value))
        self._parent._modified()

    def extend(self, values: Iterable[Any]) -> None:
        self._items.extend([self._copy(v) for v in values])
        self._parent._modified()

    def insert(self, index: int, value: Any) -> None:
        self._items.insert(index, self._copy(value))
        self._parent._modified()

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError("does not support assignment")

    def MergeFrom(self, other: Iterable[Any]) -> None:  # noqa: N802 - protobuf API
        self.extend(other)


_MISSING = object()


class _Map:
    __slots__ = ("_parent", "_field", "_d")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, parent: Any, field: Any) -> None:
        self._parent = parent
        self._field = field
        self._d: dict = {}

    def _key(self, key: Any) -> Any:
        return self._field.key_kind.check(key)

    def __len__(self) -> int:
        return len(self._d)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._d)

    def __contains__(self, key: Any) -> bool:
        return key in self._d

    def keys(self) -> Any:
        return self._d.keys()

    def values(self) -> Any:
        return self._d.values()

    def items(self) -> Any:
        return self._d.items()

    def get(self, key: Any, default: Any = None) -> Any:
        return self._d.get(key, default)

    def __delitem__(self, key: Any) -> None:
        del self._d[key]
        self._parent._modified()

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        if default is _MISSING:
            v = self._d.pop(key)
        else:
            v = self._d.pop(key, default)
        self._parent._modified()
        return v

    def clear(self) -> None:
        self._d.clear()
        self._parent._modified()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Map):
            return self._d == other._d
        if isinstance(other, Mapping):
            return self._d == dict(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __repr__(self) -> str:
        return repr(self._d)

    def __reduce__(self) -> Any:
        raise TypeError("map field containers cannot be pickled on their own")


class ScalarMap(_Map):
    """``map<k, scalar>``: a type-checked dict; reading a missing key inserts its default."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:
        try:
            return self._d[key]
        except KeyError:
            key = self._key(key)
            v = self._d[key] = self._field.value_kind.default
            self._parent._modified()
            return v

    def __setitem__(self, key: Any, value: Any) -> None:
        self._d[self._key(key)] = self._field.value_kind.check(value)
        self._parent._modified()

    def update(self, other: Any = (), **kwargs: Any) -> None:
        for k, v in dict(other, **kwargs).items():
            self[k] = v

    def setdefault(self, key: Any, default: Any) -> Any:
        if key not in self._d:
            self[key] = default
        return self._d[key]

    def MergeFrom(self, other: Any) -> None:  # noqa: N802 - protobuf API
        self.update(other)


class MessageMap(_Map):
    """``map<k, Message>``: ``m[key]`` creates the value on first access (``get`` does not)."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:
        try:
            return self._d[key]
        except KeyError:
            return self.get_or_create(key)

    def get_or_create(self, key: Any) -> Any:
        """The value for ``key``, inserting an empty message if absent."""
        v = self._d.get(key)
        if v is None:
            key = self._key(key)
            v = self._d[key] = self._field.value_message_type()
            self._parent._modified()
        return v

    def __setitem__(self, key: Any, value: Any) -> None:
        raise ValueError("May not set values directly, call my_map[key].foo = 5")

    def MergeFrom(self, other: Any) -> None:  # noqa: N802 - protobuf API
        items = other.items()
        for k, v in items:
            self.get_or_create(k).CopyFrom(v)
