"""The numba-compiled part of :mod:`minitf.kernels.cpu.nn_softmax` (imported by its kernel
factories on first use, so that registering the kernels does not import numba)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["softmax_rows", "log_softmax_rows", "xent_rows", "sparse_xent_rows"]


@njit(cache=True, nogil=True)
def softmax_rows(x, out):  # noqa: ANN001, ANN201
    rows, n = x.shape
    for r in range(rows):
        m = x[r, 0]
        for c in range(1, n):
            if x[r, c] > m:
                m = x[r, c]
        s = 0.0
        for c in range(n):
            e = np.exp(x[r, c] - m)
            out[r, c] = e
            s += e
        inv = 1.0 / s
        for c in range(n):
            out[r, c] = out[r, c] * inv
    return out


@njit(cache=True, nogil=True)
def log_softmax_rows(x, out):  # noqa: ANN001, ANN201
    rows, n = x.shape
    for r in range(rows):
        m = x[r, 0]
        for c in range(1, n):
            if x[r, c] > m:
                m = x[r, c]
        s = 0.0
        for c in range(n):
            s += np.exp(x[r, c] - m)
        lse = np.log(s)
        for c in range(n):
            out[r, c] = (x[r, c] - m) - lse
    return out


@njit(cache=True, nogil=True)
def xent_rows(x, z, loss, backprop):  # noqa: ANN001, ANN201
    rows, n = x.shape
    for r in range(rows):
        m = x[r, 0]
        for c in range(1, n):
            if x[r, c] > m:
                m = x[r, c]
        s = 0.0
        for c in range(n):
            e = np.exp(x[r, c] - m)
            backprop[r, c] = e
            s += e
        lse = np.log(s)
        inv = 1.0 / s
        acc = 0.0
        for c in range(n):
            acc += z[r, c] * (lse - (x[r, c] - m))
            backprop[r, c] = backprop[r, c] * inv - z[r, c]
        loss[r] = acc
    return loss, backprop


@njit(cache=True, nogil=True)
def sparse_xent_rows(x, labels, loss, backprop):  # noqa: ANN001, ANN201
    """Returns the index of the first out-of-range label, or -1."""
    rows, n = x.shape
    for r in range(rows):
        if labels[r] < 0 or labels[r] >= n:
            return r
    for r in range(rows):
        m = x[r, 0]
        for c in range(1, n):
            if x[r, c] > m:
                m = x[r, c]
        s = 0.0
        for c in range(n):
            e = np.exp(x[r, c] - m)
            backprop[r, c] = e
            s += e
        inv = 1.0 / s
        for c in range(n):
            backprop[r, c] = backprop[r, c] * inv
        t = labels[r]
        loss[r] = np.log(s) - (x[r, t] - m)
        backprop[r, t] -= 1
    return -1


