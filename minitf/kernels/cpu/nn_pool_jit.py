"""The numba-compiled part of :mod:`minitf.kernels.cpu.nn_pool` (imported by its kernel
factories on first use, so that registering the kernels does not import numba).

The channel loops run over 1-D row views with unsigned indices: with signed indices numba
handles negative (wrap-around) indices on every access, which keeps LLVM from vectorizing them.
``error_model="numpy"``: no zero-divisor checks in the average pools' divisions.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["max_pool_nhwc", "max_pool_grad_nhwc", "avg_pool_nhwc", "avg_pool_grad_nhwc",
           "max_pool_grad_relu_2x2"]

_opts = {"cache": True, "nogil": True, "error_model": "numpy"}


@njit(**_opts)
def max_pool_nhwc(x, kh, kw, sh, sw, pt, pl, out):  # noqa: ANN001, ANN201
    n_, h, w, c = x.shape
    _, oh, ow, _ = out.shape
    uc = np.uint64(c)
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                orow = out[n, i, j]
                for k in range(uc):
                    orow[k] = -np.inf
                for a in range(kh):
                    y = i * sh + a - pt
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = j * sw + b - pl
                        if xx < 0 or xx >= w:
                            continue
                        src = x[n, y, xx]
                        for k in range(uc):
                            v = src[k]
                            o = orow[k]
                            orow[k] = v if v > o else o
    return out


@njit(**_opts)
def max_pool_grad_nhwc(x, g, kh, kw, sh, sw, pt, pl, dx):  # noqa: ANN001, ANN201
    """Routes each gradient to the first maximum of its window (row-major), as TF."""
    n_, h, w, c = x.shape
    _, oh, ow, _ = g.shape
    uc = np.uint64(c)
    best = np.empty(c, dtype=x.dtype)
    at = np.empty(c, dtype=np.int64)   # flat (y * w + x) of the maximum, -1: none
    for n in range(n_):
        xn = x[n].reshape(h * w, c)
        dxn = dx[n].reshape(h * w, c)
        for i in range(oh):
            for j in range(ow):
                y0 = i * sh - pt
                x0 = j * sw - pl
                for k in range(uc):
                    best[k] = -np.inf
                    at[k] = -1
                for a in range(kh):
                    y = y0 + a
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = x0 + b
                        if xx < 0 or xx >= w:
                            continue
                        p = y * w + xx
                        src = xn[p]
                        for k in range(uc):
                            v = src[k]
                            if v > best[k]:
                                best[k] = v
                                at[k] = p
                grow = g[n, i, j]
                if 0 <= y0 and y0 < h and 0 <= x0 and x0 < w:
                    first = y0 * w + x0  # the window's first position (all -inf / NaN: TF's)
                else:
                    first = -1
                for k in range(uc):
                    p = at[k]
                    if p < 0:
                        p = first
                    if p >= 0:
                        dxn[p, k] += grow[k]
    return dx


@njit(**_opts)
def avg_pool_nhwc(x, kh, kw, sh, sw, pt, pl, out):  # noqa: ANN001, ANN201
    n_, h, w, c = x.shape
    _, oh, ow, _ = out.shape
    uc = np.uint64(c)
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                orow = out[n, i, j]
                for k in range(uc):
                    orow[k] = 0
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
                        src = x[n, y, xx]
                        for k in range(uc):
                            orow[k] += src[k]
                d = x.dtype.type(cnt) if cnt > 0 else x.dtype.type(1)
                for k in range(uc):
                    orow[k] = orow[k] / d
    return out


@njit(**_opts)
def avg_pool_grad_nhwc(g, kh, kw, sh, sw, pt, pl, dx):  # noqa: ANN001, ANN201
    n_, h, w, c = dx.shape
    _, oh, ow, _ = g.shape
    uc = np.uint64(c)
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
                grow = g[n, i, j]
                for a in range(kh):
                    y = i * sh + a - pt
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = j * sw + b - pl
                        if xx < 0 or xx >= w:
                            continue
                        drow = dx[n, y, xx]
                        for k in range(uc):
                            drow[k] += grow[k] / d
    return dx


@njit(**_opts)
def _grad_relu_2x2_at(xf, gf, dxf, p0, p1, p2, p3, q, dst, which, uc, zero, ninf):  # noqa: ANN001, ANN202
    """One position (``which`` of the window's 4, row-major, at ``dst``) of
    max_pool_grad_relu_2x2, over the channels: one store stream per loop, so that LLVM
    vectorizes it."""
    for k in range(uc):
        v0 = xf[p0 + k]
        v1 = xf[p1 + k]
        v2 = xf[p2 + k]
        v3 = xf[p3 + k]
        # the first maximum in row-major order (none when all are -inf / NaN)
        c0 = v0 > ninf
        b = v0 if c0 else ninf
        c1 = v1 > b
        b = v1 if c1 else b
        c2 = v2 > b
        b = v2 if c2 else b
        c3 = v3 > b
        if which == 0:
            hit = c0 & ~c1 & ~c2 & ~c3 & (v0 > 0)
        elif which == 1:
            hit = c1 & ~c2 & ~c3 & (v1 > 0)
        elif which == 2:
            hit = c2 & ~c3 & (v2 > 0)
        else:
            hit = c3 & (v3 > 0)
        dxf[dst + k] = (zero + gf[q + k]) if hit else zero


@njit(**_opts)
def max_pool_grad_relu_2x2(x, g, zero, ninf, dx):  # noqa: ANN001, ANN201
    """MaxPoolGrad of a 2x2 / stride 2 pool without padding, then ReluGrad with the pool's
    input as the features: each dx element is written once (no zero fill, no second pass).
    The same bits as the two kernels: ``zero + g`` at the window's first maximum when that
    value is > 0, else 0. Rows / columns no window covers (odd sizes) get 0."""
    n_, h, w, c = x.shape
    _, oh, ow, _ = g.shape
    if 2 * oh < h or 2 * ow < w:
        dx[:] = 0
    xf = x.reshape(-1)
    gf = g.reshape(-1)
    dxf = dx.reshape(-1)
    uc = np.uint64(c)
    rc = np.uint64(w * c)
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                p0 = np.uint64(((n * h + 2 * i) * w + 2 * j) * c)
                p1 = p0 + uc
                p2 = p0 + rc
                p3 = p2 + uc
                q = np.uint64(((n * oh + i) * ow + j) * c)
                _grad_relu_2x2_at(xf, gf, dxf, p0, p1, p2, p3, q, p0, 0, uc, zero, ninf)
                _grad_relu_2x2_at(xf, gf, dxf, p0, p1, p2, p3, q, p1, 1, uc, zero, ninf)
                _grad_relu_2x2_at(xf, gf, dxf, p0, p1, p2, p3, q, p2, 2, uc, zero, ninf)
                _grad_relu_2x2_at(xf, gf, dxf, p0, p1, p2, p3, q, p3, 3, uc, zero, ninf)
    return dx
