"""CRC-32C (Castagnoli), the checksum of minitf checkpoints (and of TF's record formats).

Small buffers use a table-driven Python loop; large ones a slicing-by-8 numba loop (compiled
on first use and cached on disk). ``masked_crc32c`` is TFRecord's masked form.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["crc32c", "masked_crc32c"]

_POLY = 0x82F63B78
_NUMBA_MIN_BYTES = 4096


def _tables() -> np.ndarray:
    t = np.zeros((8, 256), dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        t[0, i] = c
    for i in range(256):
        c = int(t[0, i])
        for k in range(1, 8):
            c = int(t[0, c & 0xFF]) ^ (c >> 8)
            t[k, i] = c
    return t


_TABLES = _tables()
_T0 = [int(x) for x in _TABLES[0]]
_jit_fn: Any = None


def _crc_python(data: bytes | memoryview, crc: int) -> int:
    t = _T0
    for b in bytes(data):
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def _get_jit() -> Any:
    global _jit_fn
    if _jit_fn is None:
        try:
            from minitf.train import crc32c_jit
        except ImportError:  # pragma: no cover - numba missing
            _jit_fn = False
        else:
            _jit_fn = crc32c_jit.crc32c_update
    return _jit_fn


def crc32c(data: Any, crc: int = 0) -> int:
    """CRC-32C of ``data`` (bytes, bytearray, memoryview or a contiguous ndarray), continuing
    from ``crc`` (the CRC of the bytes before it)."""
    if isinstance(data, np.ndarray):
        data = np.ascontiguousarray(data).reshape(-1).view(np.uint8)
    else:
        data = memoryview(data).cast("B")
    crc ^= 0xFFFFFFFF
    if len(data) >= _NUMBA_MIN_BYTES:
        fn = _get_jit()
        if fn:
            buf = data if isinstance(data, np.ndarray) else np.frombuffer(data, dtype=np.uint8)
            return int(fn(buf, np.uint32(crc), _TABLES)) ^ 0xFFFFFFFF
    return _crc_python(data, crc) ^ 0xFFFFFFFF


def masked_crc32c(data: Any) -> int:
    """TFRecord's masked CRC: ``((crc >> 15) | (crc << 17)) + 0xa282ead8`` (mod 2**32)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
