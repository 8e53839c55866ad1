"""Protocol-buffer wire format primitives: varints, zigzag, fixed-width and length-delimited.

Every decoder takes ``(buf, pos, end)`` where ``buf`` is ``bytes`` and ``end`` bounds the
readable region, and returns ``(value, new_pos)``.  Malformed or truncated input raises
:class:`DecodeError`; nothing here can loop without consuming input.
"""

from __future__ import annotations

import struct

__all__ = [
    "DecodeError", "WIRE_VARINT", "WIRE_FIXED64", "WIRE_LENGTH", "WIRE_START_GROUP",
    "WIRE_END_GROUP", "WIRE_FIXED32", "encode_varint", "encode_signed_varint", "decode_varint",
    "zigzag_encode", "zigzag_decode", "encode_fixed32", "encode_fixed64", "decode_fixed32",
    "decode_fixed64", "encode_tag", "decode_tag", "encode_length_delimited",
    "decode_length_delimited", "skip_field", "to_int32", "to_int64", "to_uint32",
    "MAX_DEPTH",
]

WIRE_VARINT = 0
WIRE_FIXED64 = 1
WIRE_LENGTH = 2
WIRE_START_GROUP = 3
WIRE_END_GROUP = 4
WIRE_FIXED32 = 5

MAX_DEPTH = 100  # protobuf's default recursion limit for nested messages/groups

_MASK64 = (1 << 64) - 1
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")

# Single-byte varints are by far the most common; precompute them.
_SMALL = [bytes((i,)) for i in range(128)]


class DecodeError(ValueError):
    """Raised when bytes are not a valid encoding of the expected message."""


# --- varints -------------------------------------------------------------------------------
def encode_varint(value: int) -> bytes:
    """Encodes a non-negative integer (< 2**64) as a base-128 varint."""
    if value < 128:
        if value < 0:
            return encode_signed_varint(value)
        return _SMALL[value]
    out = bytearray()
    while value > 127:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_signed_varint(value: int) -> bytes:
    """Encodes an int32/int64/enum value; negatives use 10-byte two's complement."""
    return encode_varint(value & _MASK64) if value < 0 else encode_varint(value)


def decode_varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Decodes an unsigned varint (at most 10 bytes) starting at ``pos``."""
    result = 0
    shift = 0
    while True:
        if pos >= end:
            raise DecodeError("Truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 128:
            return result & _MASK64, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("Varint too long")


def zigzag_encode(value: int) -> int:
    """Maps signed to unsigned so that small magnitudes stay small (sint32/sint64)."""
    return (value << 1) ^ (value >> 63) if value < 0 else value << 1


def zigzag_decode(value: int) -> int:
    """Inverse of :func:`zigzag_encode`."""
    return (value >> 1) ^ -(value & 1)


def to_int32(value: int) -> int:
    """Reinterprets the low 32 bits of a decoded varint as a signed int32."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def to_uint32(value: int) -> int:
    """Keeps the low 32 bits of a decoded varint."""
    return value & 0xFFFFFFFF


def to_int64(value: int) -> int:
    """Reinterprets a decoded 64-bit varint as a signed int64."""
    return value - (1 << 64) if value >= 1 << 63 else value


# --- fixed width ---------------------------------------------------------------------------
def encode_fixed32(value: int) -> bytes:
    """Little-endian 4 bytes of a uint32 (negative values wrap, as for sfixed32)."""
    return _U32.pack(value & 0xFFFFFFFF)


def encode_fixed64(value: int) -> bytes:
    """Little-endian 8 bytes of a uint64 (negative values wrap, as for sfixed64)."""
    return _U64.pack(value & _MASK64)


def decode_fixed32(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Decodes an unsigned little-endian 32-bit integer."""
    if pos + 4 > end:
        raise DecodeError("Truncated fixed32")
    return _U32.unpack_from(buf, pos)[0], pos + 4


def decode_fixed64(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Decodes an unsigned little-endian 64-bit integer."""
    if pos + 8 > end:
        raise DecodeError("Truncated fixed64")
    return _U64.unpack_from(buf, pos)[0], pos + 8


# --- tags and length-delimited ------------------------------------------------------------
def encode_tag(number: int, wire_type: int) -> bytes:
    """Encodes a field key."""
    return encode_varint((number << 3) | wire_type)


def decode_tag(buf: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """Decodes a field key into ``(field_number, wire_type, new_pos)``."""
    key, pos = decode_varint(buf, pos, end)
    number = key >> 3
    if number == 0 or number >= 1 << 29:
        raise DecodeError(f"Invalid field number {number}")
    return number, key & 7, pos


def encode_length_delimited(data: bytes) -> bytes:
    """Prefixes ``data`` with its varint length."""
    return encode_varint(len(data)) + data


def decode_length_delimited(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """Reads a length prefix; returns ``(start, stop)`` of the payload within ``buf``."""
    n, pos = decode_varint(buf, pos, end)
    stop = pos + n
    if stop > end:
        raise DecodeError("Truncated length-delimited field")
    return pos, stop


def skip_field(buf: bytes, pos: int, end: int, number: int, wire_type: int,
               depth: int = 0) -> int:
    """Skips the payload of a field whose key was already read; returns the new position."""
    if wire_type == WIRE_VARINT:
        return decode_varint(buf, pos, end)[1]
    if wire_type == WIRE_FIXED64:
        if pos + 8 > end:
            raise DecodeError("Truncated fixed64")
        return pos + 8
    if wire_type == WIRE_LENGTH:
        return decode_length_delimited(buf, pos, end)[1]
    if wire_type == WIRE_FIXED32:
        if pos + 4 > end:
            raise DecodeError("Truncated fixed32")
        return pos + 4
    if wire_type == WIRE_START_GROUP:
        if depth >= MAX_DEPTH:
            raise DecodeError("Groups nested too deeply")
        while True:
            if pos >= end:
                raise DecodeError("Unterminated group")
            num, wt, pos = decode_tag(buf, pos, end)
            if wt == WIRE_END_GROUP:
                if num != number:
                    raise DecodeError("Mismatched end-group tag")
                return pos
            pos = skip_field(buf, pos, end, num, wt, depth + 1)
    if wire_type == WIRE_END_GROUP:
        raise DecodeError("Unexpected end-group tag")
    raise DecodeError(f"Invalid wire type {wire_type}")
