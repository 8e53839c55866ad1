"""numba part of :mod:`minitf.train.crc32c` (imported on the first large checksum)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["crc32c_update"]


@njit(cache=True, nogil=True, error_model="numpy")
def crc32c_update(buf, crc, t):  # noqa: ANN001, ANN201 - typed by numba
    """Slicing-by-8 CRC-32C over ``buf`` (uint8), from the pre-inverted ``crc``."""
    n = buf.shape[0]
    c = np.uint32(crc)
    i = 0
    while i + 8 <= n:
        lo = c ^ (np.uint32(buf[i]) | (np.uint32(buf[i + 1]) << np.uint32(8))
                  | (np.uint32(buf[i + 2]) << np.uint32(16))
                  | (np.uint32(buf[i + 3]) << np.uint32(24)))
        c = (t[7, lo & np.uint32(0xFF)] ^ t[6, (lo >> np.uint32(8)) & np.uint32(0xFF)]
             ^ t[5, (lo >> np.uint32(16)) & np.uint32(0xFF)] ^ t[4, lo >> np.uint32(24)]
             ^ t[3, buf[i + 4]] ^ t[2, buf[i + 5]] ^ t[1, buf[i + 6]] ^ t[0, buf[i + 7]])
        i += 8
    while i < n:
        c = t[0, (c ^ np.uint32(buf[i])) & np.uint32(0xFF)] ^ (c >> np.uint32(8))
        i += 1
    return c
