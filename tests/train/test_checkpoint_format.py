"""minitf's checkpoint files with raw arrays: round trips, file names, checksums, corruption,
truncation and failed writes."""

from __future__ import annotations

import errno
import json
import os
import struct

import numpy as np
import pytest

from minitf.framework import errors
from minitf.train import checkpoint_format as cf
from minitf.train.checkpoint_format import CheckpointReader, write_checkpoint
from minitf.train.crc32c import crc32c, masked_crc32c

TENSORS = {
    "w": np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32),
    "scope/b": np.arange(5, dtype=np.float64),
    "step": np.array(1234567890123, np.int64),
    "i8": np.array([-3, 4], np.int8),
    "u16": np.array([[1, 65535]], np.uint16),
    "flags": np.array([True, False, True]),
    "half": np.array([1.5, -2.25], np.float16),
    "c": np.array([1 + 2j, -3j], np.complex64),
    "c128": np.array([[1 + 2j]], np.complex128),
    "empty": np.zeros((0, 3), np.float32),
    "words": np.array([b"hello", b"", "caf\u00e9".encode()], dtype=object),
    "scalar_str": np.array(b"x", dtype=object),
}


def _save(tmp_path, name="model.ckpt", tensors=None):
    prefix = str(tmp_path / name)
    write_checkpoint(prefix, tensors if tensors is not None else TENSORS)
    return prefix


def test_crc32c_known_values():
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(b"") == 0
    assert crc32c(bytes(32)) == 0x8A9136AA
    big = np.random.default_rng(1).integers(0, 256, 100_003).astype(np.uint8)
    assert crc32c(big) == crc32c(big[50_000:], crc32c(big[:50_000]))
    assert crc32c(big.tobytes()) == crc32c(big)
    assert masked_crc32c(b"") == 0xA282EAD8


def test_round_trip_every_dtype(tmp_path):
    prefix = _save(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["model.ckpt.data-00000-of-00001", "model.ckpt.index"]
    r = CheckpointReader(prefix)
    for name, value in TENSORS.items():
        got = r.get_tensor(name)
        assert got.shape == value.shape, name
        if value.dtype == object:
            assert list(got.reshape(-1)) == list(value.reshape(-1))
        else:
            assert got.dtype == value.dtype, name
            np.testing.assert_array_equal(got, value)
            assert got.flags.writeable
    assert r.get_variable_to_shape_map()["w"] == [3, 4]
    assert r.get_variable_to_dtype_map()["step"].name == "int64"
    assert r.get_variable_to_dtype_map()["words"].name == "string"
    assert r.has_tensor("scope/b") and not r.has_tensor("nope")
    assert b"w (float32) [3, 4]" in r.debug_string()


def test_layout_is_arrays_plus_json_index(tmp_path):
    prefix = _save(tmp_path)
    raw = open(prefix + ".index", "rb").read()
    magic, version, flags, length, body_crc, head_crc = struct.unpack_from("<8sIIQII", raw)
    assert magic == b"\x89MTFCKPT" and version == 1 and flags == 0
    body = raw[32:]
    assert len(body) == length and crc32c(body) == body_crc and crc32c(raw[:28]) == head_crc
    meta = json.loads(body)
    entry = meta["tensors"]["w"]
    assert entry["length"] == 48
    assert min(e["offset"] for e in meta["tensors"].values()) == 24  # right after the header
    assert sum(e["length"] for e in meta["tensors"].values()) + 24 == meta["data_sizes"][0]
    data = open(prefix + ".data-00000-of-00001", "rb").read()
    assert data[:8] == b"\x89MTFDATA" and data[8:24].hex() == meta["generation"]
    w = np.frombuffer(data[entry["offset"]:entry["offset"] + 48], "<f4").reshape(3, 4)
    np.testing.assert_array_equal(w, TENSORS["w"])
    assert entry["crc32c"] == crc32c(TENSORS["w"])


def test_missing_checkpoint_and_key(tmp_path):
    with pytest.raises(errors.NotFoundError, match="Failed to find any matching files"):
        CheckpointReader(str(tmp_path / "nothing"))
    prefix = _save(tmp_path)
    with pytest.raises(errors.NotFoundError,
                       match=f"Key nope not found in checkpoint {prefix}"):
        CheckpointReader(prefix).get_tensor("nope")


def _flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x40]))


def test_flipped_byte_in_data_is_data_loss_naming_file_and_tensor(tmp_path):
    prefix = _save(tmp_path)
    r = CheckpointReader(prefix)
    entry = json.loads(open(prefix + ".index", "rb").read()[32:])["tensors"]["w"]
    _flip(prefix + ".data-00000-of-00001", entry["offset"] + 5)
    with pytest.raises(errors.DataLossError) as e:
        CheckpointReader(prefix).get_tensor("w")
    assert "'w'" in str(e.value) and "model.ckpt.data-00000-of-00001" in str(e.value)
    assert "Checksum does not match" in str(e.value)
    np.testing.assert_array_equal(r.get_tensor("scope/b"), TENSORS["scope/b"])  # others fine


@pytest.mark.parametrize("where", [3, 12, 20, 40, -2])
def test_flipped_byte_in_index_is_data_loss(tmp_path, where):
    prefix = _save(tmp_path)
    size = os.path.getsize(prefix + ".index")
    _flip(prefix + ".index", where % size)
    with pytest.raises(errors.DataLossError, match="model.ckpt.index"):
        CheckpointReader(prefix)


def test_flipped_generation_is_data_loss(tmp_path):
    prefix = _save(tmp_path)
    _flip(prefix + ".data-00000-of-00001", 10)
    with pytest.raises(errors.DataLossError, match="does not belong to index"):
        CheckpointReader(prefix).get_tensor("w")


@pytest.mark.parametrize("keep", [0, 5, 31, 33, 100])
def test_truncated_index_is_data_loss(tmp_path, keep):
    prefix = _save(tmp_path)
    with open(prefix + ".index", "r+b") as f:
        f.truncate(keep)
    with pytest.raises(errors.DataLossError, match="model.ckpt.index"):
        CheckpointReader(prefix)


def test_truncated_data_is_data_loss_naming_file_and_tensor(tmp_path):
    prefix = _save(tmp_path)
    meta = json.loads(open(prefix + ".index", "rb").read()[32:])
    last = max(meta["tensors"], key=lambda k: meta["tensors"][k]["offset"])
    entry = meta["tensors"][last]
    with open(prefix + ".data-00000-of-00001", "r+b") as f:
        f.truncate(entry["offset"] + entry["length"] - 1)
    r = CheckpointReader(prefix)
    with pytest.raises(errors.DataLossError, match=f"truncated.*reading tensor '{last}'"):
        r.get_tensor(last)
    with open(prefix + ".data-00000-of-00001", "r+b") as f:
        f.truncate(10)
    with pytest.raises(errors.DataLossError, match="model.ckpt.data-00000-of-00001"):
        CheckpointReader(prefix).get_tensor("w")


def test_every_data_byte_is_checked(tmp_path):
    prefix = _save(tmp_path)
    path = prefix + ".data-00000-of-00001"
    size = os.path.getsize(path)
    for offset in range(0, size, 7):
        raw = bytearray(open(path, "rb").read())
        raw[offset] ^= 0x01
        open(path, "wb").write(bytes(raw))
        r = CheckpointReader(prefix)
        with pytest.raises(errors.DataLossError):
            for name in TENSORS:
                r.get_tensor(name)
        raw[offset] ^= 0x01
        open(path, "wb").write(bytes(raw))
    with open(path, "ab") as f:
        f.write(b"\0")
    with pytest.raises(errors.DataLossError, match="trailing bytes"):
        CheckpointReader(prefix).get_tensor("w")


def test_missing_data_file(tmp_path):
    prefix = _save(tmp_path)
    os.unlink(prefix + ".data-00000-of-00001")
    with pytest.raises(errors.DataLossError, match="is missing"):
        CheckpointReader(prefix).get_tensor("w")


def test_full_disk_leaves_no_partial_files_and_keeps_previous(tmp_path, monkeypatch):
    prefix = _save(tmp_path)
    before = sorted(os.listdir(tmp_path))
    written = {"n": 0}
    real = cf._write_bytes

    def failing(f, data):
        written["n"] += 1
        if written["n"] >= 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(f, data)

    monkeypatch.setattr(cf, "_write_bytes", failing)
    new = {k: v * 2 if v.dtype.kind == "f" else v for k, v in TENSORS.items()}
    with pytest.raises(errors.ResourceExhaustedError, match="No space left"):
        write_checkpoint(prefix, new)
    with pytest.raises(errors.ResourceExhaustedError):
        write_checkpoint(str(tmp_path / "other"), new)
    assert sorted(os.listdir(tmp_path)) == before
    np.testing.assert_array_equal(CheckpointReader(prefix).get_tensor("w"), TENSORS["w"])


@pytest.mark.parametrize("stage", ["data_written", "index_written", "data_renamed"])
def test_injected_enospc_at_each_stage(tmp_path, monkeypatch, stage):
    prefix = _save(tmp_path)
    monkeypatch.setenv(cf.FAULT_ENV, f"{stage}:enospc")
    new = dict(TENSORS, w=TENSORS["w"] + 1)
    with pytest.raises(errors.ResourceExhaustedError):
        write_checkpoint(prefix, new)
    monkeypatch.delenv(cf.FAULT_ENV)
    assert not [f for f in os.listdir(tmp_path) if "tempstate" in f]
    np.testing.assert_array_equal(CheckpointReader(prefix).get_tensor("w"), TENSORS["w"])


def test_overwrite_same_prefix(tmp_path):
    prefix = _save(tmp_path)
    new = dict(TENSORS, w=TENSORS["w"] * 3)
    write_checkpoint(prefix, new)
    np.testing.assert_array_equal(CheckpointReader(prefix).get_tensor("w"), new["w"])
    assert sorted(os.listdir(tmp_path)) == ["model.ckpt.data-00000-of-00001", "model.ckpt.index"]


def test_duplicate_names_rejected(tmp_path):
    with pytest.raises(ValueError, match="Duplicate tensor name"):
        write_checkpoint(str(tmp_path / "x"), [("a", np.zeros(1)), ("a", np.ones(1))])
    assert os.listdir(tmp_path) == []


def test_unwritable_directory(tmp_path):
    with pytest.raises(errors.NotFoundError):
        write_checkpoint(str(tmp_path / "no" / "such" / "dir" / "m"), {"a": np.zeros(2)})


def test_no_pickle_in_files(tmp_path):
    prefix = _save(tmp_path, tensors={"obj": np.array([b"a"], dtype=object)})
    data = open(prefix + ".index", "rb").read() + \
        open(prefix + ".data-00000-of-00001", "rb").read()
    assert b"\x80\x04" not in data and b"numpy" not in data
