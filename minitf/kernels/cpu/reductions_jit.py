"""numba loops behind :mod:`minitf.kernels.cpu.reductions` (imported on first use only: this
module imports numba). Sums follow numpy's pairwise summation for rows of up to 128 values —
eight accumulators, then ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the tail — so results are
bit-identical to ``np.add.reduce(x, axis=-1)``, only without numpy's per-row overhead."""

from __future__ import annotations

import numpy as np
from numba import njit

_opts = {"cache": True, "nogil": True, "error_model": "numpy"}


@njit(**_opts)
def _row_sum(x, i, c, zero):  # type: ignore[no-untyped-def]
    if c < 8:
        res = -zero
        for j in range(c):
            res += x[i, j]
        return zero + res
    r0, r1, r2, r3 = x[i, 0], x[i, 1], x[i, 2], x[i, 3]
    r4, r5, r6, r7 = x[i, 4], x[i, 5], x[i, 6], x[i, 7]
    j = 8
    end = c - c % 8
    while j < end:
        r0 += x[i, j]
        r1 += x[i, j + 1]
        r2 += x[i, j + 2]
        r3 += x[i, j + 3]
        r4 += x[i, j + 4]
        r5 += x[i, j + 5]
        r6 += x[i, j + 6]
        r7 += x[i, j + 7]
        j += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while j < c:
        res += x[i, j]
        j += 1
    return zero + res


@njit(**_opts)
def sum_rows(x, out, zero, count):  # type: ignore[no-untyped-def]
    n, c = x.shape
    for i in range(n):
        out[i] = _row_sum(x, i, c, zero)


@njit(**_opts)
def mean_rows(x, out, zero, count):  # type: ignore[no-untyped-def]
    n, c = x.shape
    for i in range(n):
        out[i] = _row_sum(x, i, c, zero) / count  # count in x's dtype, as numpy's sum / count


@njit(**_opts)
def _row_extreme(x, i, c, sign):  # type: ignore[no-untyped-def]
    """max (sign=1) or min (sign=-1) of row i; nan when the row has one, as np.maximum."""
    bad = False
    if c < 16:
        m = x[i, 0] * sign
        for j in range(c):
            v = x[i, j] * sign
            bad |= v != v
            m = v if v > m else m
    else:  # eight independent lanes so that LLVM vectorizes the loop
        m0, m1, m2, m3 = x[i, 0] * sign, x[i, 1] * sign, x[i, 2] * sign, x[i, 3] * sign
        m4, m5, m6, m7 = x[i, 4] * sign, x[i, 5] * sign, x[i, 6] * sign, x[i, 7] * sign
        end = c - c % 8
        for j in range(0, end, 8):
            v0, v1, v2, v3 = x[i, j] * sign, x[i, j + 1] * sign, x[i, j + 2] * sign, \
                x[i, j + 3] * sign
            v4, v5, v6, v7 = x[i, j + 4] * sign, x[i, j + 5] * sign, x[i, j + 6] * sign, \
                x[i, j + 7] * sign
            bad |= (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3) | (v4 != v4) | \
                (v5 != v5) | (v6 != v6) | (v7 != v7)
            m0 = v0 if v0 > m0 else m0
            m1 = v1 if v1 > m1 else m1
            m2 = v2 if v2 > m2 else m2
            m3 = v3 if v3 > m3 else m3
            m4 = v4 if v4 > m4 else m4
            m5 = v5 if v5 > m5 else m5
            m6 = v6 if v6 > m6 else m6
            m7 = v7 if v7 > m7 else m7
        m = max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))
        for j in range(end, c):
            v = x[i, j] * sign
            bad |= v != v
            m = v if v > m else m
    return np.nan if bad else m * sign  # float64 nan or the exact value: stored exactly


@njit(**_opts)
def max_rows(x, out, zero, count):  # type: ignore[no-untyped-def]
    n, c = x.shape
    one = zero + 1
    for i in range(n):
        out[i] = _row_extreme(x, i, c, one)


@njit(**_opts)
def min_rows(x, out, zero, count):  # type: ignore[no-untyped-def]
    n, c = x.shape
    one = zero + 1
    for i in range(n):
        out[i] = _row_extreme(x, i, c, -one)


def kernel(name: str):  # type: ignore[no-untyped-def]
    return {"Sum": sum_rows, "Mean": mean_rows, "Max": max_rows, "Min": min_rows}[name]


__all__ = ["sum_rows", "mean_rows", "max_rows", "min_rows", "kernel", "np"]
