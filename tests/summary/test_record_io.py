"""TFRecord framing and masked CRC32C."""

from __future__ import annotations

import os
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minitf import errors
from minitf.framework import record_io


def test_crc32c_known_vectors():
    # RFC 3720 / iSCSI test vectors
    assert record_io.crc32c(b"123456789") == 0xE3069283
    assert record_io.crc32c(b"") == 0
    assert record_io.crc32c(bytes(32)) == 0x8A9136AA
    assert record_io.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert record_io.crc32c(bytes(range(32))) == 0x46DD794E


def test_mask_roundtrip():
    for value in (0, 1, 0xE3069283, 0xFFFFFFFF):
        masked = (((value >> 15) | (value << 17)) + 0xA282EAD8) & 0xFFFFFFFF
        assert record_io.unmask_crc32c(masked) == value


@pytest.mark.parametrize("n", [1, 7, 4095, 4096, 4097, 70_001, (1 << 22) + 3])
def test_numpy_lanes_match_the_byte_loop(n):
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    want = record_io._crc_update_py(0xFFFFFFFF, data) ^ 0xFFFFFFFF
    assert record_io._crc_update_np(0xFFFFFFFF, data) ^ 0xFFFFFFFF == want


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=9000))
def test_masked_crc_matches_tensorboard(data):
    stub = pytest.importorskip("tensorboard.compat.tensorflow_stub.pywrap_tensorflow")
    assert record_io.masked_crc32c(data) == stub.masked_crc32c(data)


def test_write_and_read_records(tmp_path):
    path = str(tmp_path / "r.tfrecord")
    w = record_io.RecordWriter(path, "wb")
    payloads = [b"", b"a", os.urandom(10_000), b"hello" * 3]
    for p in payloads:
        w.write(p)
    assert os.path.getsize(path) == 0  # nothing reaches the file before a flush
    w.flush()
    w.close()
    assert record_io.read_records(path) == payloads
    assert os.path.getsize(path) == sum(len(p) + 16 for p in payloads)


def _file_with(tmp_path, payloads):
    path = str(tmp_path / "f.tfrecord")
    with open(path, "wb") as f:
        for p in payloads:
            f.write(record_io.encode_record(p))
    return path


def test_truncated_record_raises_data_loss_naming_file_and_offset(tmp_path):
    path = _file_with(tmp_path, [b"first", b"second record"])
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(size - 3)
    it = record_io.iter_records(path)
    assert next(it) == b"first"
    with pytest.raises(errors.DataLossError, match=r"truncated record .* at offset 21 in .*f\.tfrecord"):
        next(it)


def test_truncated_header(tmp_path):
    path = _file_with(tmp_path, [b"first"])
    with open(path, "ab") as f:
        f.write(b"\x05\x00\x00")
    with pytest.raises(errors.DataLossError, match="truncated record header .* offset 21"):
        record_io.read_records(path)


def test_corrupted_data_and_length(tmp_path):
    path = _file_with(tmp_path, [b"first", b"second"])
    raw = bytearray(open(path, "rb").read())
    bad = bytearray(raw)
    bad[21 + 12] ^= 0x01  # a data byte of record 2
    open(path, "wb").write(bad)
    with pytest.raises(errors.DataLossError, match=r"data checksum mismatch\) at offset 21"):
        record_io.read_records(path)
    bad = bytearray(raw)
    bad[0] = 99  # the length of record 1
    open(path, "wb").write(bad)
    with pytest.raises(errors.DataLossError, match=r"length checksum mismatch\) at offset 0"):
        record_io.read_records(path)
    # check_crc=False still frames correctly
    open(path, "wb").write(raw)
    assert record_io.read_records(path, check_crc=False) == [b"first", b"second"]


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(errors.NotFoundError):
        record_io.read_records(str(tmp_path / "nope"))


def test_record_layout():
    rec = record_io.encode_record(b"xyz")
    assert struct.unpack("<Q", rec[:8])[0] == 3
    assert struct.unpack("<I", rec[8:12])[0] == record_io.masked_crc32c(rec[:8])
    assert rec[12:15] == b"xyz"
    assert struct.unpack("<I", rec[15:])[0] == record_io.masked_crc32c(b"xyz")
