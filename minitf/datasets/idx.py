"""The IDX file format (LeCun's MNIST files): read, validate, write.

An IDX file is a 4-byte magic number ``0x00 0x00 <type code> <rank>``, ``rank`` big-endian
uint32 dimensions, then the data, big-endian, row-major. Files ending in ``.gz`` (or starting
with the gzip magic) are decompressed. Every structural problem -- a bad magic number, a file
shorter or longer than its header says, a damaged gzip stream -- raises
:class:`CorruptDatasetError` naming the file: never a silently wrong array.
"""

from __future__ import annotations

import gzip
import os
import zlib
from typing import Any

import numpy as np

__all__ = ["CorruptDatasetError", "read_idx", "parse_idx", "encode_idx", "write_idx",
           "read_file_bytes"]

# type code -> big-endian numpy dtype
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


class CorruptDatasetError(ValueError):
    """A data file that cannot be what it claims to be (truncated, damaged, mismatched)."""


def read_file_bytes(path: str | os.PathLike) -> bytes:
    """The (decompressed) bytes of ``path``; damaged gzip streams raise CorruptDatasetError."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.startswith(_GZIP_MAGIC):
        if path.endswith(".gz"):
            raise CorruptDatasetError(f"{path}: not a gzip file (the name ends in .gz)")
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as e:  # BadGzipFile is an OSError
        raise CorruptDatasetError(f"{path}: damaged or truncated gzip data ({e})") from None


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode the bytes of an IDX file into a native-endian numpy array (a copy)."""
    if len(data) < 4:
        raise CorruptDatasetError(f"{name}: {len(data)} bytes, too short for an IDX header")
    if data[0] != 0 or data[1] != 0 or data[2] not in IDX_DTYPES:
        magic = int.from_bytes(data[:4], "big")
        raise CorruptDatasetError(f"{name}: invalid IDX magic number {magic} (0x{magic:08x})")
    dtype = IDX_DTYPES[data[2]]
    rank = data[3]
    header = 4 + 4 * rank
    if len(data) < header:
        raise CorruptDatasetError(f"{name}: truncated IDX header ({len(data)} of {header} bytes)")
    dims = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    expected = header + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) < expected:
        raise CorruptDatasetError(
            f"{name}: truncated: the header promises {dims} {dtype.name} values "
            f"({expected} bytes) but the file has {len(data)} bytes")
    if len(data) > expected:
        raise CorruptDatasetError(
            f"{name}: {len(data) - expected} unexpected bytes after the {dims} {dtype.name} "
            "values the header describes")
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (optionally gzip-compressed) into a numpy array."""
    return parse_idx(read_file_bytes(path), os.fspath(path))


def encode_idx(array: Any) -> bytes:
    """The IDX encoding of ``array`` (its dtype must be one IDX supports)."""
    array = np.asarray(array)
    for code, dtype in IDX_DTYPES.items():
        if dtype.kind == array.dtype.kind and dtype.itemsize == array.dtype.itemsize:
            header = bytes([0, 0, code, array.ndim])
            header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
            return header + np.ascontiguousarray(array, dtype=dtype).tobytes()
    raise TypeError(f"IDX cannot store dtype {array.dtype}")


def write_idx(path: str | os.PathLike, array: Any) -> None:
    """Write ``array`` as an IDX file, gzip-compressed when ``path`` ends in ``.gz``."""
    data = encode_idx(array)
    path = os.fspath(path)
    if path.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    with open(path, "wb") as f:
        f.write(data)
