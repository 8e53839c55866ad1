"""Scalar field kinds (wire type, Python type check, default, codec) and enum types."""

from __future__ import annotations

import math
import numbers
import struct
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import wire
from .wire import DecodeError, decode_varint, encode_varint

__all__ = ["EnumType", "Kind", "KINDS", "round_float32"]


# --- enum types ------------------------------------------------------------------------------
class EnumType:
    """An enum declaration, like protobuf's ``EnumTypeWrapper`` (``Name``/``Value``/``items``)."""

    def __init__(self, name: str, values: Mapping[str, int]) -> None:
        self.name = name
        self.full_name = "tensorflow." + name  # the message metaclass qualifies nested enums
        self._by_name = dict(values)
        self._by_number: dict[int, str] = {}
        for k, v in self._by_name.items():
            self._by_number.setdefault(v, k)  # first name wins for aliases

    def Name(self, number: int) -> str:  # noqa: N802 - protobuf API
        """The name of enum value ``number``."""
        try:
            return self._by_number[number]
        except KeyError:
            raise ValueError(f"Enum {self.name} has no name defined for value {number!r}") from None

    def Value(self, name: str) -> int:  # noqa: N802 - protobuf API
        """The number of the enum value called ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise ValueError(f"Enum {self.name} has no value defined for name {name!r}") from None

    def keys(self) -> list[str]:
        return list(self._by_name)

    def values(self) -> list[int]:
        return list(self._by_name.values())

    def items(self) -> list[tuple[str, int]]:
        return list(self._by_name.items())

    def name_of(self, number: int) -> str | None:
        """The name of ``number`` or None (used by the text printer)."""
        return self._by_number.get(number)

    def __getattr__(self, name: str) -> int:
        try:
            return self.__dict__["_by_name"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"<EnumType {self.name}>"


# --- scalar kinds ----------------------------------------------------------------------------
def _type_error(value: Any, expected: str) -> TypeError:
    return TypeError(f"{value!r} has type {type(value).__name__}, but expected one of: {expected}")


def _int_checker(lo: int, hi: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise _type_error(value, "int")
        value = int(value)
        if value < lo or value > hi:
            raise ValueError(f"Value out of range: {value}")
        return value
    return check


def _check_bool(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_, numbers.Integral)):
        return bool(value)
    raise _type_error(value, "bool, int")


def _check_double(value: Any) -> float:
    if isinstance(value, numbers.Real):
        return float(value)
    raise _type_error(value, "int, float")


_F32 = struct.Struct("<f")


def round_float32(value: float) -> float:
    """Rounds a Python float to the nearest float32 (overflow gives +-inf, like C)."""
    try:
        return _F32.unpack(_F32.pack(value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def _check_float(value: Any) -> float:
    return round_float32(_check_double(value))


def _check_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8")
    raise _type_error(value, "str, bytes")


def _check_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise _type_error(value, "bytes")


class Kind:
    """A scalar field type: its wire type, Python check, default and codec."""

    __slots__ = ("name", "wire_type", "default", "check", "encode", "decode", "fmt", "packable")

    def __init__(self, name: str, wire_type: int, default: Any, check: Callable[[Any], Any],
                 encode: Callable[[Any], bytes], decode: Callable[..., tuple[Any, int]],
                 fmt: str | None = None) -> None:
        self.name = name
        self.wire_type = wire_type
        self.default = default
        self.check = check
        self.encode = encode  # value -> payload bytes (length prefix included for strings)
        self.decode = decode  # (buf, pos, end) -> (value, pos)
        self.fmt = fmt  # struct code of fixed-width kinds
        self.packable = wire_type != wire.WIRE_LENGTH

    def __repr__(self) -> str:
        return f"<Kind {self.name}>"


def _varint_decoder(convert: Callable[[int], Any]) -> Callable[..., tuple[Any, int]]:
    def decode(buf: bytes, pos: int, end: int) -> tuple[Any, int]:
        v, pos = decode_varint(buf, pos, end)
        return convert(v), pos
    return decode


def _fixed_codec(fmt: str) -> tuple[Callable[[Any], bytes], Callable[..., tuple[Any, int]]]:
    st = struct.Struct("<" + fmt)

    def decode(buf: bytes, pos: int, end: int) -> tuple[Any, int]:
        stop = pos + st.size
        if stop > end:
            raise DecodeError("Truncated fixed-width value")
        return st.unpack_from(buf, pos)[0], stop
    return st.pack, decode


def _decode_bytes(buf: bytes, pos: int, end: int) -> tuple[bytes, int]:
    start, stop = wire.decode_length_delimited(buf, pos, end)
    return buf[start:stop], stop


def _decode_string(buf: bytes, pos: int, end: int) -> tuple[str, int]:
    start, stop = wire.decode_length_delimited(buf, pos, end)
    try:
        return buf[start:stop].decode("utf-8"), stop
    except UnicodeDecodeError as e:
        raise DecodeError(f"String field contains invalid UTF-8: {e}") from None


def _encode_string(value: str) -> bytes:
    b = value.encode("utf-8")
    return encode_varint(len(b)) + b


def _encode_bytes(value: bytes) -> bytes:
    return encode_varint(len(value)) + value


_I32 = (-(1 << 31), (1 << 31) - 1)
_I64 = (-(1 << 63), (1 << 63) - 1)
_U32 = (0, (1 << 32) - 1)
_U64 = (0, (1 << 64) - 1)
_sv = wire.encode_signed_varint


def _zz(value: int) -> bytes:
    return encode_varint(wire.zigzag_encode(value))


def _sint32(v: int) -> int:
    return wire.zigzag_decode(v & 0xFFFFFFFF)


_BOOL_BYTES = (b"\x00", b"\x01")


def _kinds() -> dict[str, Kind]:
    V, L = wire.WIRE_VARINT, wire.WIRE_LENGTH  # noqa: N806
    ks = [
        Kind("int32", V, 0, _int_checker(*_I32), _sv, _varint_decoder(wire.to_int32)),
        Kind("int64", V, 0, _int_checker(*_I64), _sv, _varint_decoder(wire.to_int64)),
        Kind("uint32", V, 0, _int_checker(*_U32), encode_varint, _varint_decoder(wire.to_uint32)),
        Kind("uint64", V, 0, _int_checker(*_U64), encode_varint, decode_varint),
        Kind("sint32", V, 0, _int_checker(*_I32), _zz, _varint_decoder(_sint32)),
        Kind("sint64", V, 0, _int_checker(*_I64), _zz, _varint_decoder(wire.zigzag_decode)),
        Kind("bool", V, False, _check_bool, lambda v: _BOOL_BYTES[v], _varint_decoder(bool)),
        Kind("enum", V, 0, _int_checker(*_I32), _sv, _varint_decoder(wire.to_int32)),
        Kind("string", L, "", _check_string, _encode_string, _decode_string),
        Kind("bytes", L, b"", _check_bytes, _encode_bytes, _decode_bytes),
    ]
    for name, fmt, check in (("float", "f", _check_float), ("double", "d", _check_double),
                             ("fixed32", "I", _int_checker(*_U32)),
                             ("fixed64", "Q", _int_checker(*_U64)),
                             ("sfixed32", "i", _int_checker(*_I32)),
                             ("sfixed64", "q", _int_checker(*_I64))):
        enc, dec = _fixed_codec(fmt)
        wt = wire.WIRE_FIXED32 if fmt in "fIi" else wire.WIRE_FIXED64
        ks.append(Kind(name, wt, 0.0 if fmt in "fd" else 0, check, enc, dec, fmt))
    return {k.name: k for k in ks}


KINDS: dict[str, Kind] = _kinds()
