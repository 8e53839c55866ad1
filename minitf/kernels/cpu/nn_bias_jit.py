"""The numba-compiled part of :mod:`minitf.kernels.cpu.nn_bias` (imported by its kernel
factories on first use, so that registering the kernels does not import numba)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["bias_add_last", "bias_add_channels_first", "bias_grad_last",
           "bias_grad_channels_first", "bias_relu_rows"]

# Channel loops over 1-D row views with unsigned indices: with signed ones numba handles
# negative (wrap-around) indices on every access, which keeps LLVM from vectorizing them.


@njit(cache=True, nogil=True)
def bias_add_last(x, b, out):  # noqa: ANN001, ANN201
    rows, c = x.shape
    uc = np.uint64(c)
    for r in range(rows):
        src = x[r]
        dst = out[r]
        for k in range(uc):
            dst[k] = src[k] + b[k]
    return out


@njit(cache=True, nogil=True)
def bias_relu_rows(out, b, relu):  # noqa: ANN001, ANN201
    """In place: out[r, :] += b, then Relu (as the Relu kernel: NaN stays NaN) when ``relu`` —
    the epilogue of a fused Conv2D / MatMul + BiasAdd (+ Relu) step."""
    rows, c = out.shape
    uc = np.uint64(c)
    for r in range(rows):
        row = out[r]
        if relu:
            for k in range(uc):
                v = row[k] + b[k]
                row[k] = v if (v >= 0 or v != v) else 0
        else:
            for k in range(uc):
                row[k] = row[k] + b[k]
    return out


@njit(cache=True, nogil=True)
def bias_add_channels_first(x, b, out):  # noqa: ANN001, ANN201
    n, c, inner = x.shape
    for i in range(n):
        for k in range(c):
            bk = b[k]
            for j in range(inner):
                out[i, k, j] = x[i, k, j] + bk
    return out


@njit(cache=True, nogil=True)
def bias_grad_last(g, out):  # noqa: ANN001, ANN201
    rows, c = g.shape
    acc = np.zeros(c, dtype=np.float64)
    for r in range(rows):
        for k in range(c):
            acc[k] += g[r, k]
    for k in range(c):
        out[k] = acc[k]
    return out


@njit(cache=True, nogil=True)
def bias_grad_channels_first(g, out):  # noqa: ANN001, ANN201
    n, c, inner = g.shape
    for k in range(c):
        acc = 0.0
        for i in range(n):
            for j in range(inner):
                acc += g[i, k, j]
        out[k] = acc
    return out


