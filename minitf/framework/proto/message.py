"""The generic :class:`Message` base class, driven by the field declarations of each subclass.

The API follows protobuf's generated Python classes: keyword construction, type-checked
attributes, lazily created submessages with presence, ``HasField``/``ClearField``/
``WhichOneof``/``ListFields``, ``CopyFrom``/``MergeFrom``, ``SerializeToString``/
``ParseFromString``/``FromString``, and ``str()`` giving text format.
"""

from __future__ import annotations

import gc
import struct
from collections.abc import Mapping
from typing import Any, ClassVar

from . import wire
from .fields import EnumType, Field, MapField, MessageField, ScalarField
from .wire import MAX_DEPTH, DecodeError

__all__ = ["Message", "MessageMeta", "Descriptor"]

_PACKAGE = "tensorflow"


class Descriptor:
    """A minimal stand-in for protobuf's message ``DESCRIPTOR``."""

    def __init__(self, cls: type) -> None:
        self.name = cls.__name__
        self.full_name: str = cls._full_name  # type: ignore[attr-defined]
        self.fields: list[Field] = list(cls._fields)  # type: ignore[attr-defined]
        self.fields_by_name = {f.name: f for f in self.fields}
        self.fields_by_number = {f.number: f for f in self.fields}
        self.oneofs_by_name = dict(cls._oneofs)  # type: ignore[attr-defined]
        self._concrete_class = cls

    def __repr__(self) -> str:
        return f"<Descriptor {self.full_name}>"


def _pause_gc() -> bool:
    """Disables the cyclic GC during bulk message creation (it dominates otherwise)."""
    if gc.isenabled():
        gc.disable()
        return True
    return False


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


class MessageMeta(type):
    """Collects field declarations into per-class lookup tables at class creation."""

    def __new__(mcs, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> MessageMeta:
        ns.setdefault("__slots__", ())
        for value in list(ns.values()):
            if isinstance(value, EnumType):  # expose enum constants: RunOptions.FULL_TRACE
                for k, n in value.items():
                    ns.setdefault(k, n)
        cls = super().__new__(mcs, name, bases, ns)
        fields: list[Field] = []
        for base in reversed(cls.__mro__[1:]):
            fields.extend(getattr(base, "_own_fields", ()))
        own = [v for v in ns.values() if isinstance(v, Field)]
        cls._own_fields = tuple(own)
        fields.extend(own)
        fields.sort(key=lambda f: f.number)
        by_num: dict[int, Field] = {}
        for f in fields:
            if f.number in by_num:
                raise TypeError(f"{name}: duplicate field number {f.number}")
            by_num[f.number] = f
        cls._fields = tuple(fields)
        cls._fields_by_number = by_num
        cls._fields_by_name = {f.name: f for f in fields}
        oneofs: dict[str, list[int]] = {}
        for f in fields:
            if f.oneof is not None:
                oneofs.setdefault(f.oneof, []).append(f.number)
        cls._oneofs = {k: tuple(v) for k, v in oneofs.items()}
        cls._full_name = ns.get("_full_name") or f"{_PACKAGE}.{ns.get('__qualname__', name)}"
        for value in ns.values():
            if isinstance(value, EnumType):
                value.full_name = f"{cls._full_name}.{value.name}"
        for f in own:
            f.owner = cls
            if isinstance(f, MapField):
                entry_name = _camel(f.name) + "Entry"
                value = (ScalarField(2, f.value_kind.name) if f.value_kind is not None
                         else MessageField(2, f.value_ref))
                entry = MessageMeta(entry_name, (Message,), {
                    "__module__": cls.__module__,
                    "__qualname__": f"{cls.__qualname__}.{entry_name}",
                    "key": ScalarField(1, f.key_kind.name), "value": value,
                })
                f.entry_cls = entry
                setattr(cls, entry_name, entry)
        cls.DESCRIPTOR = Descriptor(cls) if fields or name != "Message" else None
        return cls


class Message(metaclass=MessageMeta):
    """Base class of all protocol messages."""

    __slots__ = ("_values", "_lazy", "_listener", "_unknown")
    __hash__ = None  # type: ignore[assignment]

    _fields: ClassVar[tuple[Field, ...]]
    _fields_by_number: ClassVar[dict[int, Field]]
    _fields_by_name: ClassVar[dict[str, Field]]
    _oneofs: ClassVar[dict[str, tuple[int, ...]]]
    _full_name: ClassVar[str]

    def __init__(self, **kwargs: Any) -> None:
        self._values: dict[int, Any] = {}
        self._lazy: dict[int, Message] | None = None
        self._listener: tuple[Message, Field] | None = None
        self._unknown: list[bytes] | None = None
        if kwargs:
            self._init_kwargs(kwargs)

    def _init_kwargs(self, kwargs: Mapping[str, Any]) -> None:
        by_name = self._fields_by_name
        for name, value in kwargs.items():
            f = by_name.get(name)
            if f is None:
                raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')
            if value is not None:
                f.init_from(self, value)

    # --- presence bookkeeping ---------------------------------------------------------------
    def _modified(self) -> None:
        """Marks this message (and, transitively, its parents) as present."""
        listener = self._listener
        if listener is not None:
            self._listener = None
            listener[0]._attach_child(listener[1], self)
            listener[0]._modified()

    def _lazy_child(self, field: Field) -> Message:
        lazy = self._lazy
        if lazy is None:
            lazy = self._lazy = {}
        child = lazy.get(field.number)
        if child is None:
            child = lazy[field.number] = field.msg_cls()
            child._listener = (self, field)
        return child

    def _attach_child(self, field: Field, child: Message) -> None:
        if self._lazy:
            old = self._lazy.pop(field.number, None)
            if old is not None and old is not child:
                old._listener = None
        if field.oneof is not None:
            self._clear_oneof(field.oneof, field.number)
        self._values[field.number] = child

    def _clear_oneof(self, group: str, keep: int) -> None:
        vals = self._values
        for num in self._oneofs[group]:
            if num != keep and num in vals:
                del vals[num]

    def _set_scalar(self, field: Field, value: Any, notify: bool = True) -> None:
        if field.oneof is not None:
            self._clear_oneof(field.oneof, field.number)
        self._values[field.number] = value
        if notify and self._listener is not None:
            self._modified()

    # --- protobuf API -----------------------------------------------------------------------
    def HasField(self, name: str) -> bool:  # noqa: N802
        """Whether a submessage / oneof member / oneof group is set."""
        f = self._fields_by_name.get(name)
        if f is None:
            if name in self._oneofs:
                return self.WhichOneof(name) is not None
            raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')
        if f.repeated or (f.oneof is None and not isinstance(f, MessageField)):
            raise ValueError(f"Field {f.full_name} does not have presence.")
        return f.number in self._values

    def ClearField(self, name: str) -> None:  # noqa: N802
        """Resets a field (or the set member of a oneof group) to its default."""
        f = self._fields_by_name.get(name)
        if f is None:
            if name in self._oneofs:
                member = self.WhichOneof(name)
                if member is not None:
                    self.ClearField(member)
                return
            raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')
        self._clear(f)
        self._modified()

    def _clear(self, f: Field) -> None:
        v = self._values.get(f.number)
        if f.repeated:
            if v is not None:
                (v._d if f.is_map else v._items).clear()
        elif v is not None:
            del self._values[f.number]
        if self._lazy:
            old = self._lazy.pop(f.number, None)
            if old is not None:
                old._listener = None

    def Clear(self) -> None:  # noqa: N802
        """Resets every field and drops unknown fields."""
        for num in list(self._values):
            self._clear(self._fields_by_number[num])
        if self._lazy:
            for child in self._lazy.values():
                child._listener = None
            self._lazy = None
        self._unknown = None
        self._modified()

    def WhichOneof(self, group: str) -> str | None:  # noqa: N802
        """The name of the field set in oneof ``group``, or None."""
        members = self._oneofs.get(group)
        if members is None:
            raise ValueError(f'Protocol message {type(self).__name__} has no "{group}" field.')
        vals = self._values
        for num in members:
            if num in vals:
                return self._fields_by_number[num].name
        return None

    def ListFields(self) -> list[tuple[Field, Any]]:  # noqa: N802
        """``(field, value)`` pairs of the set fields, in field-number order."""
        vals = self._values
        fields = self._fields_by_number
        out = []
        for num in sorted(vals):
            f = fields[num]
            v = vals[num]
            if f.is_set(v):
                out.append((f, v))
        return out

    def SetInParent(self) -> None:  # noqa: N802
        """Marks a lazily created submessage as present."""
        self._modified()

    def IsInitialized(self) -> bool:  # noqa: N802
        return True  # proto3 has no required fields

    def DiscardUnknownFields(self) -> None:  # noqa: N802
        self._unknown = None
        for f, v in self.ListFields():
            if isinstance(f, MessageField):
                v.DiscardUnknownFields()
            elif f.message_type_ref is not None:
                for m in v:
                    m.DiscardUnknownFields()
            elif isinstance(f, MapField) and f.value_kind is None:
                for m in v.values():
                    m.DiscardUnknownFields()

    def CopyFrom(self, other: Message) -> None:  # noqa: N802
        """Replaces this message's contents with a copy of ``other``'s."""
        if other is self:
            return
        self._check_same_type(other)
        self.Clear()
        self._merge_from_gc_paused(other)

    def MergeFrom(self, other: Message) -> None:  # noqa: N802
        """Merges ``other`` into this message (scalars overwrite, repeated fields append)."""
        self._check_same_type(other)
        if other is self:
            other = self.__deepcopy__()
        self._merge_from_gc_paused(other)
        self._modified()

    def _merge_from_gc_paused(self, other: Message) -> None:
        """``_merge_from`` with the garbage collector paused (many small objects are made)."""
        paused = _pause_gc()
        try:
            self._merge_from(other)
        finally:
            if paused:
                gc.enable()

    def _check_same_type(self, other: Any) -> None:
        if type(other) is not type(self):
            raise TypeError(f"Parameter to MergeFrom() must be instance of same class: expected "
                            f"{type(self).__name__} got {type(other).__name__}.")

    def _merge_from(self, other: Message) -> None:
        fields = self._fields_by_number
        for num, v in other._values.items():
            fields[num].merge(self, v)
        if other._unknown:
            self._unknown = (self._unknown or []) + other._unknown

    # --- wire format ------------------------------------------------------------------------
    def SerializeToString(self, *, deterministic: bool = False) -> bytes:  # noqa: N802
        """The binary wire encoding (fields in number order; maps sorted if deterministic)."""
        return bytes(self._serialize(deterministic))

    SerializePartialToString = SerializeToString

    def _serialize(self, det: bool) -> bytearray:
        out = bytearray()
        vals = self._values
        if vals:
            fields = self._fields_by_number
            for num in sorted(vals) if len(vals) > 1 else vals:
                fields[num].encode_into(out, vals[num], det)
        if self._unknown:
            for chunk in self._unknown:
                out += chunk
        return out

    def ByteSize(self) -> int:  # noqa: N802
        return len(self._serialize(False))

    def MergeFromString(self, data: bytes) -> int:  # noqa: N802
        """Merges wire-format ``data`` into this message; returns the number of bytes read."""
        buf = data if isinstance(data, bytes) else bytes(data)
        paused = _pause_gc()
        try:
            self._parse(buf, 0, len(buf), 0)
        except DecodeError:
            raise
        except (IndexError, struct.error, OverflowError, RecursionError, ValueError) as e:
            raise DecodeError(f"Error parsing message: {e}") from None
        finally:
            if paused:
                gc.enable()
        self._modified()
        return len(buf)

    def ParseFromString(self, data: bytes) -> int:  # noqa: N802
        """Replaces this message's contents with the decoding of ``data``."""
        self.Clear()
        return self.MergeFromString(data)

    @classmethod
    def FromString(cls, data: bytes) -> Any:  # noqa: N802
        """Decodes a new message from wire-format ``data``."""
        m = cls()
        m.MergeFromString(data)
        return m

    def _parse(self, buf: bytes, pos: int, end: int, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise DecodeError("Message nested too deeply")
        fields = self._fields_by_number
        vals = self._values
        while pos < end:
            start = pos
            key = buf[pos]
            if key < 128:
                pos += 1
            else:
                key, pos = wire.decode_varint(buf, pos, end)
            num = key >> 3
            wt = key & 7
            f = fields.get(num)
            if f is not None and (wt == f.wt or wt == f.wt2):
                pos = f.decode(self, vals, buf, pos, end, wt, depth)
                continue
            if num == 0 or num >= 1 << 29:
                raise DecodeError(f"Invalid field number {num}")
            pos = wire.skip_field(buf, pos, end, num, wt, depth)
            if self._unknown is None:
                self._unknown = []
            self._unknown.append(buf[start:pos])

    # --- python protocol --------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if type(other) is not type(self):
            return NotImplemented if not isinstance(other, Message) else False
        # Wire-level equality, like upb: floats compare bitwise (NaN == NaN, -0.0 != 0.0),
        # map order does not matter, unknown fields count.
        return self._serialize(True) == other._serialize(True)  # type: ignore[union-attr]

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __str__(self) -> str:
        from .text_format import MessageToString
        return MessageToString(self)

    __repr__ = __str__

    def __deepcopy__(self, memo: Any = None) -> Any:
        new = type(self)()
        new._merge_from(self)
        return new

    def __reduce__(self) -> Any:
        return type(self).FromString, (self.SerializeToString(),)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._fields_by_name))
