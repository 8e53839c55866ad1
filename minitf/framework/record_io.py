"""TFRecord framing (the container of TensorFlow event files) and masked CRC32C.

A record is::

    uint64 length            little-endian
    uint32 masked_crc32c(length bytes)
    byte   data[length]
    uint32 masked_crc32c(data)

:class:`RecordWriter` only ever hands complete records to the operating system, so a file it
writes never ends in a partial record; :func:`iter_records` raises
:class:`minitf.errors.DataLossError` naming the file and offset when a record is truncated or
its checksum does not match (instead of silently stopping, which hides lost data).

CRC32C (Castagnoli) is computed with a byte table in Python for short inputs, and for long ones
with numpy over many lanes at once (CRC is linear over GF(2): the lanes' partial CRCs are
combined with a precomputed "append L zero bytes" operator). ``google_crc32c`` or ``crc32c`` is
used when installed.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

import numpy as np

__all__ = ["crc32c", "masked_crc32c", "unmask_crc32c", "encode_record", "RecordWriter",
           "iter_records", "read_records"]

_POLY = 0x82F63B78  # reflected Castagnoli polynomial
_MASK_DELTA = 0xA282EAD8
_U32 = 0xFFFFFFFF


def _make_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _make_table()
_TABLE_NP = np.array(_TABLE, dtype=np.uint32)
_NUMPY_MIN = 4096  # below this the plain loop is faster than the lane machinery


def _crc_update_py(crc: int, data: bytes | memoryview) -> int:
    """Raw CRC register update (no pre/post inversion)."""
    table = _TABLE
    for b in bytes(data):
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


_SHIFT_TABLES: dict[int, np.ndarray] = {}


def _shift_tables(nbytes: int) -> np.ndarray:
    """Four 256-entry tables giving the register after ``nbytes`` zero bytes, per input byte."""
    tables = _SHIFT_TABLES.get(nbytes)
    if tables is not None:
        return tables
    regs = np.array([1 << i for i in range(32)], dtype=np.uint32)
    for _ in range(nbytes):
        regs = _TABLE_NP[regs & 0xFF] ^ (regs >> 8)
    # Linear in the register: table k maps byte value v (bits 8k..8k+7) to the XOR of columns.
    tables = np.zeros((4, 256), dtype=np.uint32)
    values = np.arange(256, dtype=np.uint32)
    for k in range(4):
        acc = np.zeros(256, dtype=np.uint32)
        for bit in range(8):
            acc ^= np.where((values >> bit) & 1, regs[8 * k + bit], 0).astype(np.uint32)
        tables[k] = acc
    if len(_SHIFT_TABLES) > 16:
        _SHIFT_TABLES.clear()
    _SHIFT_TABLES[nbytes] = tables
    return tables


def _crc_update_np(crc: int, data: bytes | memoryview) -> int:
    n = len(data)
    lanes = 1024 if n < (1 << 22) else 4096
    length = n // lanes
    arr = np.frombuffer(data, dtype=np.uint8, count=lanes * length).reshape(lanes, length)
    regs = np.zeros(lanes, dtype=np.uint32)
    table = _TABLE_NP
    cols = np.ascontiguousarray(arr.T).astype(np.uint32)
    for j in range(length):
        regs = table[(regs ^ cols[j]) & 0xFF] ^ (regs >> 8)
    shift = _shift_tables(length)
    t0, t1, t2, t3 = (shift[k].tolist() for k in range(4))
    for r in regs.tolist():
        crc = (t0[crc & 0xFF] ^ t1[(crc >> 8) & 0xFF] ^ t2[(crc >> 16) & 0xFF]
               ^ t3[crc >> 24] ^ r)
    return _crc_update_py(crc, memoryview(data)[lanes * length:])


def _fast_crc32c() -> Any:
    try:
        import google_crc32c  # type: ignore[import-not-found]

        if getattr(google_crc32c, "implementation", "c") == "c":
            return google_crc32c.value
    except ImportError:
        pass
    try:
        import crc32c as _crc32c_mod  # type: ignore[import-not-found]

        return _crc32c_mod.crc32c
    except ImportError:
        return None


_FAST = _fast_crc32c()


def crc32c(data: bytes | bytearray | memoryview) -> int:
    """The CRC32C (Castagnoli) checksum of ``data``."""
    if _FAST is not None:
        return int(_FAST(bytes(data)))
    if len(data) >= _NUMPY_MIN:
        return _crc_update_np(_U32, data) ^ _U32
    return _crc_update_py(_U32, data) ^ _U32


def masked_crc32c(data: bytes | bytearray | memoryview) -> int:
    """TFRecord's masked CRC: rotate right by 15 bits and add a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & _U32


def unmask_crc32c(masked: int) -> int:
    rot = (masked - _MASK_DELTA) & _U32
    return ((rot >> 17) | (rot << 15)) & _U32


def encode_record(data: bytes) -> bytes:
    """One framed record."""
    header = struct.pack("<Q", len(data))
    return b"".join((header, struct.pack("<I", masked_crc32c(header)), data,
                     struct.pack("<I", masked_crc32c(data))))


class RecordWriter:
    """Appends framed records to a file; only whole records reach the file.

    Records are collected in memory by :meth:`write` and handed to the OS by :meth:`flush`
    (all pending records in one loop of ``os.write`` calls on an unbuffered file).
    """

    def __init__(self, path: str, mode: str = "ab") -> None:
        if mode not in ("ab", "wb", "xb"):
            raise ValueError(f"mode must be 'ab', 'wb' or 'xb', not {mode!r}")
        self._path = path
        self._file: BinaryIO | None = open(path, mode, buffering=0)  # noqa: SIM115
        self._pending = bytearray()
        self._records = 0

    @property
    def path(self) -> str:
        return self._path

    @property
    def pending_bytes(self) -> int:
        return len(self._pending)

    def write(self, data: bytes) -> None:
        if self._file is None:
            raise ValueError(f"write to closed record file {self._path}")
        self._pending += encode_record(data)
        self._records += 1

    def flush(self) -> None:
        """Writes all pending (complete) records and syncs the file to the OS."""
        if self._file is None or not self._pending:
            return
        view = memoryview(self._pending)
        fd = self._file.fileno()
        while view:
            n = os.write(fd, view)
            view = view[n:]
        view.release()
        self._pending = bytearray()

    def fsync(self) -> None:
        if self._file is not None:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is None:
            return
        try:
            self.flush()
        finally:
            self._file.close()
            self._file = None

    @property
    def closed(self) -> bool:
        return self._file is None


def _data_loss(path: str, offset: int, what: str) -> Exception:
    from minitf.framework import errors

    return errors.DataLossError(None, None, f"{what} at offset {offset} in {path}")


def iter_records(path: str | os.PathLike[str], check_crc: bool = True) -> Iterator[bytes]:
    """Yields the data of each record of a TFRecord file.

    Raises ``minitf.errors.NotFoundError`` when the file is missing and
    ``minitf.errors.DataLossError`` (with file and byte offset) for a truncated or corrupted
    record.
    """
    from minitf.framework import errors

    path = os.fspath(path)
    try:
        f = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise errors.FailedPreconditionError(None, None, f"{path}; Is a directory") from None
    with f:
        reader = io.BufferedReader(f, buffer_size=1 << 16) if not isinstance(
            f, io.BufferedReader) else f
        offset = 0
        while True:
            header = reader.read(12)
            if not header:
                return
            if len(header) < 12:
                raise _data_loss(path, offset, f"truncated record header ({len(header)} of 12 "
                                               "bytes)")
            (length,) = struct.unpack_from("<Q", header)
            (len_crc,) = struct.unpack_from("<I", header, 8)
            if check_crc and masked_crc32c(header[:8]) != len_crc:
                raise _data_loss(path, offset, "corrupted record (length checksum mismatch)")
            body = reader.read(length + 4)
            if len(body) < length + 4:
                raise _data_loss(path, offset, f"truncated record (expected {length} data "
                                               f"bytes + 4 checksum bytes, got {len(body)})")
            data = body[:length]
            if check_crc:
                (data_crc,) = struct.unpack_from("<I", body, length)
                if masked_crc32c(data) != data_crc:
                    raise _data_loss(path, offset, "corrupted record (data checksum mismatch)")
            yield data
            offset += 12 + length + 4


def read_records(path: str | os.PathLike[str], check_crc: bool = True) -> list[bytes]:
    """All records of a TFRecord file (see :func:`iter_records`)."""
    return list(iter_records(path, check_crc))
