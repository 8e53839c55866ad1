"""Wire-format primitives and robust decoding of malformed input."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minitf.framework.proto import (
    AttrValue,
    ConfigProto,
    DecodeError,
    Event,
    GraphDef,
    NodeDef,
    TensorProto,
    wire,
)

# --- primitives ------------------------------------------------------------------------------


@pytest.mark.parametrize("value, encoded", [
    (0, b"\x00"), (1, b"\x01"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02"),
    (2**32 - 1, b"\xff\xff\xff\xff\x0f"), (2**64 - 1, b"\xff" * 9 + b"\x01"),
])
def test_varint_known_encodings(value, encoded):
    assert wire.encode_varint(value) == encoded
    assert wire.decode_varint(encoded, 0, len(encoded)) == (value, len(encoded))


def test_signed_varint_uses_ten_bytes_for_negatives():
    enc = wire.encode_signed_varint(-1)
    assert enc == b"\xff" * 9 + b"\x01"
    v, _ = wire.decode_varint(enc, 0, len(enc))
    assert wire.to_int64(v) == -1 and wire.to_int32(v) == -1


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_varint_round_trip(n):
    enc = wire.encode_varint(n)
    assert wire.decode_varint(enc, 0, len(enc)) == (n, len(enc))


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_zigzag_round_trip(n):
    z = wire.zigzag_encode(n)
    assert z >= 0
    assert wire.zigzag_decode(z) == n


@pytest.mark.parametrize("n, z", [(0, 0), (-1, 1), (1, 2), (-2, 3), (2**31 - 1, 2**32 - 2),
                                  (-(2**31), 2**32 - 1)])
def test_zigzag_known_values(n, z):
    assert wire.zigzag_encode(n) == z


@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(0, 2**64 - 1))
def test_fixed_round_trip(a, b):
    e32, e64 = wire.encode_fixed32(a), wire.encode_fixed64(b)
    assert len(e32) == 4 and len(e64) == 8
    assert wire.decode_fixed32(e32, 0, 4) == (a, 4)
    assert wire.decode_fixed64(e64, 0, 8) == (b, 8)


def test_tag_and_length_delimited():
    assert wire.encode_tag(1, wire.WIRE_LENGTH) == b"\x0a"
    assert wire.decode_tag(b"\x0a", 0, 1) == (1, 2, 1)
    data = wire.encode_length_delimited(b"abc")
    assert data == b"\x03abc"
    assert wire.decode_length_delimited(data, 0, len(data)) == (1, 4)


@pytest.mark.parametrize("func, data", [
    (wire.decode_varint, b"\x80\x80"),          # truncated
    (wire.decode_varint, b"\xff" * 11),         # too long
    (wire.decode_varint, b""),
    (wire.decode_fixed32, b"\x00\x00\x00"),
    (wire.decode_fixed64, b"\x00" * 7),
    (wire.decode_length_delimited, b"\x05ab"),  # length beyond end
])
def test_primitive_decoders_reject_truncation(func, data):
    with pytest.raises(DecodeError):
        func(data, 0, len(data))


def test_decode_error_is_value_error():
    assert issubclass(DecodeError, ValueError)


# --- message-level malformed input ---------------------------------------------------------


@pytest.mark.parametrize("data", [
    b"\x0a\x05ab",               # NodeDef.name longer than the buffer
    b"\x0a",                     # key without payload
    b"\x08",                     # varint field without payload
    b"\x00\x01",                 # field number 0
    b"\x0f",                     # wire type 7
    b"\x0e",                     # wire type 6
    b"\x0c",                     # stray end-group
    b"\x0b\x08\x01",             # unterminated group
    b"\x0b\x14",                 # group ended by a different field number
    b"\x0a\x02\xff\xfe",         # invalid UTF-8 in a string field
    b"\x2a\x03\x0a\x05a",        # map entry whose key overruns the entry
])
def test_malformed_node_def_raises_decode_error(data):
    with pytest.raises(DecodeError):
        NodeDef.FromString(data)


def test_packed_fixed_width_with_partial_element_is_rejected():
    # float_val (5) packed with 5 bytes: not a multiple of 4.
    with pytest.raises(DecodeError):
        TensorProto.FromString(b"\x2a\x05\x00\x00\x80\x3f\x00")


def test_nesting_limit():
    # 200 nested AttrValue.list.func... build via NameAttrList/AttrValue recursion:
    # AttrValue.func (10) -> NameAttrList.attr (2) entry value (2) -> AttrValue ...
    inner = b""
    for _ in range(120):
        entry = b"\x12" + wire.encode_varint(len(inner)) + inner          # value = AttrValue
        attr = b"\x12" + wire.encode_varint(len(entry)) + entry           # NameAttrList.attr
        inner = b"\x52" + wire.encode_varint(len(attr)) + attr            # AttrValue.func
    with pytest.raises(DecodeError):
        AttrValue.FromString(inner)


def test_unknown_fields_are_skipped_and_preserved():
    unknown = (wire.encode_tag(99, wire.WIRE_VARINT) + wire.encode_varint(7)
               + wire.encode_tag(98, wire.WIRE_FIXED32) + b"abcd"
               + wire.encode_tag(97, wire.WIRE_FIXED64) + b"12345678"
               + wire.encode_tag(96, wire.WIRE_LENGTH) + b"\x02hi"
               + wire.encode_tag(95, wire.WIRE_START_GROUP) + b"\x08\x01"
               + wire.encode_tag(95, wire.WIRE_END_GROUP))
    data = b"\x0a\x01a" + unknown
    n = NodeDef.FromString(data)
    assert n.name == "a"
    assert n.SerializeToString() == data
    n.DiscardUnknownFields()
    assert n.SerializeToString() == b"\x0a\x01a"


def test_wire_type_mismatch_is_treated_as_unknown():
    # name (1) sent as a varint instead of a string: kept as an unknown field.
    n = NodeDef.FromString(b"\x08\x05\x12\x01x")
    assert n.name == "" and n.op == "x"
    assert n.SerializeToString() == b"\x12\x01x\x08\x05"


def test_unpacked_encoding_of_packed_field_is_accepted():
    # int_val (7) as two unpacked varints, then packed: both accumulate.
    data = b"\x38\x01\x38\x02\x3a\x02\x03\x04"
    t = TensorProto.FromString(data)
    assert list(t.int_val) == [1, 2, 3, 4]
    assert t.SerializeToString() == b"\x3a\x04\x01\x02\x03\x04"


def test_last_scalar_wins_and_submessages_merge():
    node = b"\x0a\x01a\x0a\x01b"  # NodeDef with name "a" then name "b"
    versions = b"\x22\x02\x08\x01" + b"\x22\x02\x10\x02"  # two partial VersionDefs
    g = GraphDef.FromString(b"\x0a\x06" + node + versions)
    assert g.node[0].name == "b"
    assert g.versions.producer == 1 and g.versions.min_consumer == 2


def _valid_messages():
    g = GraphDef()
    n = g.node.add(name="n", op="Const", input=["a", "^b"], device="/cpu:0")
    n.attr["dtype"].type = 1
    n.attr["value"].tensor.tensor_shape.dim.add(size=2)
    n.attr["value"].tensor.float_val.extend([1.5, -2.0])
    n.attr["list"].list.i.extend([1, -1, 300])
    g.versions.producer = 27
    return [g.SerializeToString(), Event(wall_time=1.0, step=2, file_version="x").SerializeToString(),
            ConfigProto(device_count={"CPU": 2}, log_device_placement=True).SerializeToString()]


def test_every_truncation_of_valid_bytes_is_handled():
    data = _valid_messages()[0]
    ok = 0
    for i in range(len(data)):
        try:
            GraphDef.FromString(data[:i])
            ok += 1
        except DecodeError:
            pass
    # Truncation exactly at a top-level field boundary parses; most cut points do not.
    assert 0 < ok < len(data)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=256))
def test_fuzz_random_bytes_only_raise_decode_error(data):
    try:
        g = GraphDef.FromString(data)
    except DecodeError:
        return
    # Whatever parsed must re-serialize and re-parse to the same message.
    assert GraphDef.FromString(g.SerializeToString()) == g


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_valid_bytes_only_raise_decode_error(data):
    base = bytearray(data.draw(st.sampled_from(_valid_messages())))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(base) - 1))
        base[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(base)))
    for cls in (GraphDef, Event, ConfigProto):
        try:
            cls.FromString(bytes(base[:cut]))
        except DecodeError:
            pass
