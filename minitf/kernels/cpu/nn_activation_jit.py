"""The numba-compiled part of :mod:`minitf.kernels.cpu.nn_activation` (imported by its kernel
factories on first use, so that registering the kernels does not import numba)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["relu_flat", "relu6_flat", "elu_flat", "relu_grad_flat", "relu6_grad_flat",
           "elu_grad_flat"]


@njit(cache=True, nogil=True)
def relu_flat(x, out):  # noqa: ANN001, ANN201
    for i in range(x.size):
        v = x[i]
        out[i] = v if (v >= 0 or v != v) else 0
    return out


@njit(cache=True, nogil=True)
def relu6_flat(x, out):  # noqa: ANN001, ANN201
    for i in range(x.size):
        v = x[i]
        v = v if (v >= 0 or v != v) else 0
        out[i] = v if (v <= 6 or v != v) else 6
    return out


@njit(cache=True, nogil=True)
def elu_flat(x, out):  # noqa: ANN001, ANN201
    for i in range(x.size):
        v = x[i]
        out[i] = np.expm1(v) if v < 0 else v
    return out


@njit(cache=True, nogil=True)
def relu_grad_flat(g, x, out):  # noqa: ANN001, ANN201
    for i in range(g.size):
        out[i] = g[i] if x[i] > 0 else 0
    return out


@njit(cache=True, nogil=True)
def relu6_grad_flat(g, x, out):  # noqa: ANN001, ANN201
    for i in range(g.size):
        v = x[i]
        out[i] = g[i] if (v > 0 and v < 6) else 0
    return out


@njit(cache=True, nogil=True)
def elu_grad_flat(g, y, out):  # noqa: ANN001, ANN201
    for i in range(g.size):
        v = y[i]
        out[i] = g[i] * (v + 1) if v < 0 else g[i]
    return out


