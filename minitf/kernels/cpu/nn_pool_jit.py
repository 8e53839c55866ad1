"""The numba-compiled part of :mod:`minitf.kernels.cpu.nn_pool` (imported by its kernel
factories on first use, so that registering the kernels does not import numba)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["max_pool_nhwc", "max_pool_grad_nhwc", "avg_pool_nhwc", "avg_pool_grad_nhwc"]


@njit(cache=True, nogil=True)
def max_pool_nhwc(x, kh, kw, sh, sw, pt, pl, out):  # noqa: ANN001, ANN201
    n_, h, w, c = x.shape
    _, oh, ow, _ = out.shape
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                for k in range(c):
                    out[n, i, j, k] = -np.inf
                for a in range(kh):
                    y = i * sh + a - pt
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = j * sw + b - pl
                        if xx < 0 or xx >= w:
                            continue
                        for k in range(c):
                            v = x[n, y, xx, k]
                            if v > out[n, i, j, k]:
                                out[n, i, j, k] = v
    return out


@njit(cache=True, nogil=True)
def max_pool_grad_nhwc(x, g, kh, kw, sh, sw, pt, pl, dx):  # noqa: ANN001, ANN201
    n_, h, w, c = x.shape
    _, oh, ow, _ = g.shape
    best = np.empty(c, dtype=x.dtype)
    by = np.empty(c, dtype=np.int64)
    bx = np.empty(c, dtype=np.int64)
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                y0 = i * sh - pt
                x0 = j * sw - pl
                for k in range(c):
                    best[k] = -np.inf
                    by[k] = y0
                    bx[k] = x0
                for a in range(kh):
                    y = y0 + a
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = x0 + b
                        if xx < 0 or xx >= w:
                            continue
                        for k in range(c):
                            v = x[n, y, xx, k]
                            if v > best[k]:
                                best[k] = v
                                by[k] = y
                                bx[k] = xx
                for k in range(c):
                    if 0 <= by[k] < h and 0 <= bx[k] < w:
                        dx[n, by[k], bx[k], k] += g[n, i, j, k]
    return dx


@njit(cache=True, nogil=True)
def avg_pool_nhwc(x, kh, kw, sh, sw, pt, pl, out):  # noqa: ANN001, ANN201
    n_, h, w, c = x.shape
    _, oh, ow, _ = out.shape
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                for k in range(c):
                    out[n, i, j, k] = 0
                cnt = 0
                for a in range(kh):
                    y = i * sh + a - pt
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = j * sw + b - pl
                        if xx < 0 or xx >= w:
                            continue
                        cnt += 1
                        for k in range(c):
                            out[n, i, j, k] += x[n, y, xx, k]
                d = x.dtype.type(cnt) if cnt > 0 else x.dtype.type(1)
                for k in range(c):
                    out[n, i, j, k] = out[n, i, j, k] / d
    return out


@njit(cache=True, nogil=True)
def avg_pool_grad_nhwc(g, kh, kw, sh, sw, pt, pl, dx):  # noqa: ANN001, ANN201
    n_, h, w, c = dx.shape
    _, oh, ow, _ = g.shape
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                cnt = 0
                for a in range(kh):
                    y = i * sh + a - pt
                    if 0 <= y < h:
                        for b in range(kw):
                            xx = j * sw + b - pl
                            if 0 <= xx < w:
                                cnt += 1
                if cnt == 0:
                    continue
                d = g.dtype.type(cnt)
                for a in range(kh):
                    y = i * sh + a - pt
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = j * sw + b - pl
                        if xx < 0 or xx >= w:
                            continue
                        for k in range(c):
                            dx[n, y, xx, k] += g[n, i, j, k] / d
    return dx


