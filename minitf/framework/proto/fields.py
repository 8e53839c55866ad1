"""Field declarations: the per-field codecs, presence rules and attribute descriptors.

Schema modules declare fields as class attributes of a :class:`~.message.Message` subclass::

    class TensorShapeProto(Message):
        class Dim(Message):
            size = Int64(1)
            name = String(2)
        dim = Msg(2, Dim, repeated=True)
        unknown_rank = Bool(3)

Message types may be given as classes or as dotted names relative to the declaring module
(``"AttrValue"``, ``"TensorShapeProto.Dim"``) for forward references; they are resolved on
first use.  Each declaration object is also the attribute descriptor of its field.
"""

from __future__ import annotations

import math
import struct
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from . import wire
from .containers import MessageMap, RepeatedMessage, RepeatedScalar, ScalarMap
from .kinds import KINDS, EnumType, Kind, round_float32
from .wire import DecodeError, decode_varint, encode_varint

__all__ = [
    "Kind", "KINDS", "EnumType", "round_float32", "Field", "ScalarField", "MessageField",
    "RepeatedScalarField", "RepeatedMessageField", "MapField", "Int32", "Int64", "UInt32",
    "UInt64", "SInt32", "SInt64", "Fixed32", "Fixed64", "SFixed32", "SFixed64", "Bool",
    "Float", "Double", "String", "Bytes", "Enum", "Msg", "Map",
]


# --- field declarations ----------------------------------------------------------------------
class Field:
    """Base of field declarations; also the attribute descriptor for the field."""

    repeated = False
    is_map = False
    message_type_ref: Any = None

    def __init__(self, number: int, kind: str, oneof: str | None = None) -> None:
        if not 0 < number < 1 << 29:
            raise ValueError(f"invalid field number {number}")
        self.number = number
        self.kind = kind
        self.oneof = oneof
        self.name = ""
        self.owner: type | None = None
        self.wt2 = -1  # second accepted wire type (packed encoding of repeated scalars)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def full_name(self) -> str:
        return f"{getattr(self.owner, '_full_name', '?')}.{self.name}"

    @property
    def message_type(self) -> type | None:
        """The message class of message fields (resolving forward references)."""
        return self.msg_cls if self.message_type_ref is not None else None

    def __getattr__(self, attr: str) -> Any:
        if attr == "msg_cls":  # resolve a forward reference once, then cache it
            ref = self.message_type_ref
            if isinstance(ref, str):
                ref = _resolve(self.owner, ref)
            self.msg_cls = ref
            return ref
        raise AttributeError(attr)

    def __repr__(self) -> str:
        return f"<Field {self.full_name} = {self.number}>"

    # Overridden per kind: is_set(value), encode_into(out, value, det), decode(...), merge(...)
    def is_set(self, value: Any) -> bool:
        return len(value) > 0


def _resolve(owner: type | None, ref: str) -> type:
    if owner is None:
        raise TypeError(f"cannot resolve message type {ref!r} of an unbound field")
    obj: Any = sys.modules[owner.__module__]
    try:
        for part in ref.split("."):
            obj = getattr(obj, part)
    except AttributeError:
        raise TypeError(f"unknown message type {ref!r} in {owner.__module__}") from None
    return obj


class ScalarField(Field):
    """A singular scalar field (proto3 implicit presence unless it is in a oneof)."""

    def __init__(self, number: int, kind: str, oneof: str | None = None,
                 default: Any = None, enum_type: EnumType | None = None) -> None:
        super().__init__(number, kind, oneof)
        k = KINDS[kind]
        self.k = k
        self.enum_type = enum_type
        self.default = k.default if default is None else k.check(default)
        self.tag = wire.encode_tag(number, k.wire_type)
        self.wt = k.wire_type
        self.enc = k.encode
        self.dec = k.decode
        d = self.default
        if k.fmt in ("f", "d") and d == 0:
            self.is_default = lambda v: v == 0.0 and math.copysign(1.0, v) > 0
        else:
            self.is_default = lambda v: v == d

    def check(self, value: Any) -> Any:
        if self.enum_type is not None and isinstance(value, str):
            return self.enum_type.Value(value)
        return self.k.check(value)

    def __get__(self, obj: Any, cls: type | None = None) -> Any:
        if obj is None:
            return self
        return obj._values.get(self.number, self.default)

    def __set__(self, obj: Any, value: Any) -> None:
        obj._set_scalar(self, self.check(value))

    def init_from(self, msg: Any, value: Any) -> None:
        self.__set__(msg, value)

    def is_set(self, value: Any) -> bool:
        return self.oneof is not None or not self.is_default(value)

    def encode_into(self, out: bytearray, value: Any, det: bool) -> None:
        if self.oneof is None and self.is_default(value):
            return
        out += self.tag
        out += self.enc(value)

    def decode(self, msg: Any, vals: dict, buf: bytes, pos: int, end: int, wt: int,
               depth: int) -> int:
        v, pos = self.dec(buf, pos, end)
        if self.oneof is not None:
            msg._clear_oneof(self.oneof, self.number)
        vals[self.number] = v
        return pos

    def merge(self, dst: Any, value: Any) -> None:
        if self.is_set(value):
            dst._set_scalar(self, value, notify=False)


class MessageField(Field):
    """A singular submessage field with explicit presence."""

    def __init__(self, number: int, ref: Any, oneof: str | None = None) -> None:
        super().__init__(number, "message", oneof)
        self.message_type_ref = ref
        self.tag = wire.encode_tag(number, wire.WIRE_LENGTH)
        self.wt = wire.WIRE_LENGTH

    def __get__(self, obj: Any, cls: type | None = None) -> Any:
        if obj is None:
            return self
        v = obj._values.get(self.number)
        if v is None:
            v = obj._lazy_child(self)
        return v

    def __set__(self, obj: Any, value: Any) -> None:
        raise AttributeError(f'Assignment not allowed to message field "{self.name}" in '
                             "protocol message object.")

    def init_from(self, msg: Any, value: Any) -> None:
        sub = self.__get__(msg)
        if isinstance(value, Mapping):
            sub._init_kwargs(value)
            sub._modified()
        else:
            sub.CopyFrom(value)

    def is_set(self, value: Any) -> bool:
        return True

    def encode_into(self, out: bytearray, value: Any, det: bool) -> None:
        data = value._serialize(det)
        out += self.tag
        out += encode_varint(len(data))
        out += data

    def decode(self, msg: Any, vals: dict, buf: bytes, pos: int, end: int, wt: int,
               depth: int) -> int:
        start, stop = wire.decode_length_delimited(buf, pos, end)
        sub = vals.get(self.number)
        if sub is None:
            sub = self.msg_cls()
            msg._attach_child(self, sub)
        sub._parse(buf, start, stop, depth + 1)
        return stop

    def merge(self, dst: Any, value: Any) -> None:
        sub = self.__get__(dst)
        sub._merge_from(value)
        sub._modified()


class _RepeatedField(Field):
    """Base of the repeated fields: the attribute is a ``_container`` made on first access,
    and cannot be assigned."""

    repeated = True
    _container: Any = None

    def __get__(self, obj: Any, cls: type | None = None) -> Any:
        if obj is None:
            return self
        v = obj._values.get(self.number)
        if v is None:
            v = obj._values[self.number] = self._container(obj, self)
        return v

    def __set__(self, obj: Any, value: Any) -> None:
        raise AttributeError(f'Assignment not allowed to repeated field "{self.name}" in '
                             "protocol message object.")


class RepeatedScalarField(_RepeatedField):
    """A repeated scalar field; numeric kinds are packed by default (proto3)."""

    _container = RepeatedScalar

    def __init__(self, number: int, kind: str, packed: bool | None = None,
                 enum_type: EnumType | None = None) -> None:
        super().__init__(number, kind)
        k = KINDS[kind]
        self.k = k
        self.enum_type = enum_type
        self.packed = k.packable if packed is None else (packed and k.packable)
        self.wt = k.wire_type
        if k.packable:
            self.wt2 = wire.WIRE_LENGTH
        self.tag = wire.encode_tag(number, k.wire_type)
        self.ptag = wire.encode_tag(number, wire.WIRE_LENGTH)

    def check(self, value: Any) -> Any:
        if self.enum_type is not None and isinstance(value, str):
            return self.enum_type.Value(value)
        return self.k.check(value)

    def init_from(self, msg: Any, value: Any) -> None:
        self.__get__(msg).extend(value)

    def pack(self, items: list) -> bytes:
        k = self.k
        if k.fmt is not None:
            return struct.pack(f"<{len(items)}{k.fmt}", *items)
        if k.name == "bool":
            return bytes(items)
        return b"".join(map(k.encode, items))

    def encode_into(self, out: bytearray, value: Any, det: bool) -> None:
        items = value._items
        if not items:
            return
        if self.packed:
            payload = self.pack(items)
            out += self.ptag
            out += encode_varint(len(payload))
            out += payload
        else:
            tag, enc = self.tag, self.k.encode
            for x in items:
                out += tag
                out += enc(x)

    def decode(self, msg: Any, vals: dict, buf: bytes, pos: int, end: int, wt: int,
               depth: int) -> int:
        c = vals.get(self.number)
        if c is None:
            c = vals[self.number] = RepeatedScalar(msg, self)
        items = c._items
        k = self.k
        if wt == self.wt:
            v, pos = k.decode(buf, pos, end)
            items.append(v)
            return pos
        start, stop = wire.decode_length_delimited(buf, pos, end)
        if k.fmt is not None:
            size = struct.calcsize(k.fmt)
            n, rem = divmod(stop - start, size)
            if rem:
                raise DecodeError("Packed fixed-width field has a partial element")
            items.extend(struct.unpack_from(f"<{n}{k.fmt}", buf, start))
            return stop
        dec = k.decode
        while start < stop:
            v, start = dec(buf, start, stop)
            items.append(v)
        return stop

    def merge(self, dst: Any, value: Any) -> None:
        if value._items:
            self.__get__(dst)._items.extend(value._items)


class RepeatedMessageField(_RepeatedField):
    """A repeated submessage field."""

    _container = RepeatedMessage

    def __init__(self, number: int, ref: Any) -> None:
        super().__init__(number, "message")
        self.message_type_ref = ref
        self.tag = wire.encode_tag(number, wire.WIRE_LENGTH)
        self.wt = wire.WIRE_LENGTH

    def init_from(self, msg: Any, value: Any) -> None:
        c = self.__get__(msg)
        for item in value:
            if isinstance(item, Mapping):
                c.add(**item)
            else:
                c.append(item)

    def encode_into(self, out: bytearray, value: Any, det: bool) -> None:
        tag = self.tag
        for m in value._items:
            data = m._serialize(det)
            out += tag
            out += encode_varint(len(data))
            out += data

    def decode(self, msg: Any, vals: dict, buf: bytes, pos: int, end: int, wt: int,
               depth: int) -> int:
        start, stop = wire.decode_length_delimited(buf, pos, end)
        c = vals.get(self.number)
        if c is None:
            c = vals[self.number] = RepeatedMessage(msg, self)
        sub = self.msg_cls()
        sub._parse(buf, start, stop, depth + 1)
        c._items.append(sub)
        return stop

    def merge(self, dst: Any, value: Any) -> None:
        if value._items:
            items = self.__get__(dst)._items
            cls = self.msg_cls
            for m in value._items:
                new = cls()
                new._merge_from(m)
                items.append(new)


class MapField(Field):
    """A ``map<key, value>`` field; ``value`` is a kind name or a message type."""

    repeated = True
    is_map = True

    def __init__(self, number: int, key: str, value: Any) -> None:
        super().__init__(number, "message")
        if key not in KINDS or key in ("float", "double", "bytes", "enum"):
            raise ValueError(f"invalid map key type {key!r}")
        self.key_kind = KINDS[key]
        self.value_kind = KINDS.get(value) if isinstance(value, str) else None
        self.value_ref = None if self.value_kind is not None else value
        self.tag = wire.encode_tag(number, wire.WIRE_LENGTH)
        self.wt = wire.WIRE_LENGTH
        self.key_tag = wire.encode_tag(1, self.key_kind.wire_type)
        if self.value_kind is not None:
            self.value_tag = wire.encode_tag(2, self.value_kind.wire_type)
        else:
            self.value_tag = wire.encode_tag(2, wire.WIRE_LENGTH)
        self.entry_cls: Any = None  # set by the message metaclass

    @property
    def message_type(self) -> type | None:
        return self.entry_cls

    @property
    def value_message_type(self) -> type | None:
        return None if self.value_kind is not None else self.entry_cls.value.msg_cls

    def __get__(self, obj: Any, cls: type | None = None) -> Any:
        if obj is None:
            return self
        v = obj._values.get(self.number)
        if v is None:
            ctype = ScalarMap if self.value_kind is not None else MessageMap
            v = obj._values[self.number] = ctype(obj, self)
        return v

    def __set__(self, obj: Any, value: Any) -> None:
        raise AttributeError(f'Assignment not allowed to map field "{self.name}" in '
                             "protocol message object.")

    def init_from(self, msg: Any, value: Any) -> None:
        m = self.__get__(msg)
        for k, v in dict(value).items():
            if self.value_kind is not None:
                m[k] = v
            elif isinstance(v, Mapping):
                m[k]._init_kwargs(v)
            else:
                m[k].CopyFrom(v)

    def items_for_encoding(self, d: dict, det: bool) -> Iterator[tuple[Any, Any]]:
        return iter(sorted(d.items(), key=lambda kv: kv[0]) if det else d.items())

    def encode_into(self, out: bytearray, value: Any, det: bool) -> None:
        d = value._d
        if not d:
            return
        tag, ktag, vtag, kenc = self.tag, self.key_tag, self.value_tag, self.key_kind.encode
        venc = self.value_kind.encode if self.value_kind is not None else None
        for k, v in self.items_for_encoding(d, det):
            if venc is not None:
                entry = ktag + kenc(k) + vtag + venc(v)
            else:
                data = v._serialize(det)
                entry = ktag + kenc(k) + vtag + encode_varint(len(data)) + data
            out += tag
            out += encode_varint(len(entry))
            out += entry

    def decode(self, msg: Any, vals: dict, buf: bytes, pos: int, end: int, wt: int,
               depth: int) -> int:
        start, stop = wire.decode_length_delimited(buf, pos, end)
        kk, vk = self.key_kind, self.value_kind
        key = kk.default
        value = None
        unknown = None
        p = start
        while p < stop:  # decode the entry inline (fields 1 = key, 2 = value)
            t0 = p
            tag = buf[p]
            if tag < 128:
                p += 1
            else:
                tag, p = decode_varint(buf, p, stop)
            num, wt = tag >> 3, tag & 7
            if num == 1 and wt == kk.wire_type:
                key, p = kk.decode(buf, p, stop)
            elif num == 2 and vk is not None and wt == vk.wire_type:
                value, p = vk.decode(buf, p, stop)
            elif num == 2 and vk is None and wt == wire.WIRE_LENGTH:
                s, p = wire.decode_length_delimited(buf, p, stop)
                if value is None:
                    value = self.value_message_type()
                value._parse(buf, s, p, depth + 2)
            else:
                if num == 0:
                    raise DecodeError("Invalid field number 0")
                p = wire.skip_field(buf, p, stop, num, wt, depth + 1)
                unknown = (unknown or []) + [buf[t0:p]]
        if unknown is not None:
            self._keep_unknown_entry(msg, key, value, unknown)
            return stop
        if value is None:
            value = vk.default if vk is not None else self.value_message_type()
        self.__get__(msg)._d[key] = value
        return stop

    def _keep_unknown_entry(self, msg: Any, key: Any, value: Any, unknown: list) -> None:
        """Like upb: an entry with unknown fields is kept, re-encoded, as an unknown field."""
        out = bytearray()
        if key != self.key_kind.default:
            out += self.key_tag + self.key_kind.encode(key)
        if value is not None and self.value_kind is not None:
            if value != self.value_kind.default:
                out += self.value_tag + self.value_kind.encode(value)
        elif value is not None:
            data = value._serialize(False)
            out += self.value_tag + encode_varint(len(data)) + data
        for chunk in unknown:
            out += chunk
        if msg._unknown is None:
            msg._unknown = []
        msg._unknown.append(self.tag + encode_varint(len(out)) + bytes(out))

    def merge(self, dst: Any, value: Any) -> None:
        d = self.__get__(dst)._d
        if self.value_kind is not None:
            d.update(value._d)
            return
        cls = self.entry_cls.value.msg_cls
        for k, v in value._d.items():
            new = cls()
            new._merge_from(v)
            d[k] = new


# --- declaration helpers used by schema modules ---------------------------------------------
def _scalar_factory(kind: str) -> Callable[..., Field]:
    def make(number: int, *, repeated: bool = False, packed: bool | None = None,
             oneof: str | None = None, default: Any = None) -> Field:
        if repeated:
            return RepeatedScalarField(number, kind, packed)
        return ScalarField(number, kind, oneof, default)
    make.__name__ = kind
    make.__doc__ = f"Declares a field of type ``{kind}``."
    return make


Int32 = _scalar_factory("int32")
Int64 = _scalar_factory("int64")
UInt32 = _scalar_factory("uint32")
UInt64 = _scalar_factory("uint64")
SInt32 = _scalar_factory("sint32")
SInt64 = _scalar_factory("sint64")
Fixed32 = _scalar_factory("fixed32")
Fixed64 = _scalar_factory("fixed64")
SFixed32 = _scalar_factory("sfixed32")
SFixed64 = _scalar_factory("sfixed64")
Bool = _scalar_factory("bool")
Float = _scalar_factory("float")
Double = _scalar_factory("double")
String = _scalar_factory("string")
Bytes = _scalar_factory("bytes")


def Enum(number: int, enum_type: EnumType, *, repeated: bool = False,  # noqa: N802
         packed: bool | None = None, oneof: str | None = None, default: Any = None) -> Field:
    """Declares an enum field (open enum: any int32 is accepted, names too)."""
    if repeated:
        return RepeatedScalarField(number, "enum", packed, enum_type)
    return ScalarField(number, "enum", oneof, default, enum_type)


def Msg(number: int, message: Any, *, repeated: bool = False,  # noqa: N802
        oneof: str | None = None) -> Field:
    """Declares a submessage field; ``message`` is a class or a dotted name in this module."""
    if repeated:
        return RepeatedMessageField(number, message)
    return MessageField(number, message, oneof)


def Map(number: int, key: str, value: Any) -> Field:  # noqa: N802
    """Declares ``map<key, value>``; ``value`` is a scalar kind name or a message type."""
    return MapField(number, key, value)
