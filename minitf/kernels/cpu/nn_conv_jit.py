"""The numba-compiled part of :mod:`minitf.kernels.cpu.nn_conv` (imported by its kernel
factories on first use, so that registering the kernels does not import numba)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numba import njit

from minitf.ops.nn_conv_utils import Window2D

__all__ = ["conv2d_nhwc", "conv2d_backprop_input_nhwc", "conv2d_backprop_filter_nhwc",
           "conv2d_direct"]


@njit(cache=True, nogil=True)
def _im2col(x, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, col):  # noqa: ANN001, ANN202
    """Rows of receptive fields of images n0..n1: col[row, (a * kw + b) * c + k]. (Plain
    loops: slice assignments run ~30% faster here but take seconds longer to compile.)"""
    _, h, w, c = x.shape
    r = 0
    for n in range(n0, n1):
        for i in range(oh):
            for j in range(ow):
                base = 0
                for a in range(kh):
                    y = i * sh + a * dh - pt
                    for b in range(kw):
                        xx = j * sw + b * dw - pl
                        if 0 <= y < h and 0 <= xx < w:
                            for k in range(c):
                                col[r, base + k] = x[n, y, xx, k]
                        else:
                            for k in range(c):
                                col[r, base + k] = 0
                        base += c
                r += 1


@njit(cache=True, nogil=True)
def _col2im(dcol, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, dx):  # noqa: ANN001, ANN202
    """Scatter-adds rows of receptive-field gradients into dx (the adjoint of _im2col)."""
    _, h, w, c = dx.shape
    r = 0
    for n in range(n0, n1):
        for i in range(oh):
            for j in range(ow):
                base = 0
                for a in range(kh):
                    y = i * sh + a * dh - pt
                    for b in range(kw):
                        xx = j * sw + b * dw - pl
                        if 0 <= y < h and 0 <= xx < w:
                            for k in range(c):
                                dx[n, y, xx, k] += dcol[r, base + k]
                        base += c
                r += 1


@njit(cache=True, nogil=True)
def _im2col_t(x, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, colt):  # noqa: ANN001, ANN202
    """The transpose of _im2col ([taps * c, rows]): for few channels, each (tap, channel) row
    is filled by long runs over output columns (faster than rows of a handful of values)."""
    _, h, w, c = x.shape
    for a in range(kh):
        for b in range(kw):
            for k in range(c):
                t = (a * kw + b) * c + k
                r = 0
                for n in range(n0, n1):
                    for i in range(oh):
                        y = i * sh + a * dh - pt
                        if y < 0 or y >= h:
                            for j in range(ow):
                                colt[t, r + j] = 0
                        else:
                            for j in range(ow):
                                xx = j * sw + b * dw - pl
                                colt[t, r + j] = x[n, y, xx, k] if 0 <= xx < w else 0
                        r += ow


@njit(cache=True, nogil=True)
def _col2im_t(dcolt, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, dx):  # noqa: ANN001, ANN202
    """The adjoint of _im2col_t: scatter-adds [taps * c, rows] into dx."""
    _, h, w, c = dx.shape
    for a in range(kh):
        for b in range(kw):
            for k in range(c):
                t = (a * kw + b) * c + k
                r = 0
                for n in range(n0, n1):
                    for i in range(oh):
                        y = i * sh + a * dh - pt
                        if 0 <= y < h:
                            for j in range(ow):
                                xx = j * sw + b * dw - pl
                                if 0 <= xx < w:
                                    dx[n, y, xx, k] += dcolt[t, r + j]
                        r += ow


@njit(cache=True, nogil=True)
def conv2d_direct(x, w, sh, sw, dh, dw, pt, pl, oh, ow, out):  # noqa: ANN001, ANN201
    """Direct-loop forward convolution (NHWC), the alternative measured against im2col."""
    n_, h, wd, c = x.shape
    kh, kw, _, o = w.shape
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                for q in range(o):
                    out[n, i, j, q] = 0
                for a in range(kh):
                    y = i * sh + a * dh - pt
                    if y < 0 or y >= h:
                        continue
                    for b in range(kw):
                        xx = j * sw + b * dw - pl
                        if xx < 0 or xx >= wd:
                            continue
                        for k in range(c):
                            v = x[n, y, xx, k]
                            for q in range(o):
                                out[n, i, j, q] += v * w[a, b, k, q]
    return out


def _geometry(win: Window2D) -> tuple[int, ...]:
    return (win.k_h, win.k_w, win.stride_h, win.stride_w, win.dil_h, win.dil_w, win.pad_top,
            win.pad_left, win.out_h, win.out_w)


# --- drivers: chunks of images, run on a small thread pool ---------------------------------------
#
# Each chunk is an im2col (numba, GIL released) and a GEMM (BLAS, GIL released). Chunks run on
# a thread pool with BLAS held to one thread meanwhile: dynamic scheduling over chunks keeps both
# cores busy (the im2col part too) and degrades gracefully when other processes compete for the
# CPUs, where OpenBLAS's own threads (busy-waiting at barriers) slow down by 10x and more.

_CHUNK_ELEMS = 1 << 20          # elements of one chunk's im2col matrix (4 MB in float32)
_PARALLEL_MIN_FLOPS = 2e7        # below this, one thread and default BLAS threading
_FEW_CHANNELS = 8                # below this, the transposed (tap-major) im2col layout
_WORKERS = max(1, min(os.cpu_count() or 1, 8))
_pool: ThreadPoolExecutor | None = None
_blas_lock = threading.Lock()
_blas_users = 0
_blas_limiter: Any = None
_local = threading.local()


def _scratch(rows: int, cols: int, dtype: np.dtype) -> np.ndarray:
    """A per-thread contiguous [rows, cols] work matrix, reused across calls."""
    size = rows * cols
    key = np.dtype(dtype).str
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = {}
    buf = buffers.get(key)
    if buf is None or buf.size < size:
        buf = buffers[key] = np.empty(size, dtype=dtype)
    return buf[:size].reshape(rows, cols)


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """BLAS limited to one thread while any chunked kernel runs (reference counted)."""
    global _blas_users, _blas_limiter
    with _blas_lock:
        if _blas_users == 0:
            try:
                from threadpoolctl import ThreadpoolController

                _blas_limiter = ThreadpoolController().limit(limits=1, user_api="blas")
            except Exception:  # noqa: BLE001 - no threadpoolctl: BLAS keeps its threads
                _blas_limiter = None
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0 and _blas_limiter is not None:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


def _run_chunks(n: int, rows: int, cols: int, flops: float, job: Any) -> list[Any]:
    """Runs ``job(n0, n1)`` over chunks of the batch; returns the results in order."""
    step = max(1, min(n, _CHUNK_ELEMS // max(1, rows * cols)))
    parallel = _WORKERS > 1 and flops >= _PARALLEL_MIN_FLOPS and n > 1
    if parallel:
        step = max(1, min(step, -(-n // (2 * _WORKERS))))
    spans = [(n0, min(n, n0 + step)) for n0 in range(0, n, step)]
    if not parallel or len(spans) == 1:
        return [job(a, b) for a, b in spans]
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="minitf-conv")
    with _single_threaded_blas():
        futures = [_pool.submit(job, a, b) for a, b in spans]
        return [f.result() for f in futures]


def conv2d_nhwc(x: np.ndarray, w: np.ndarray, win: Window2D) -> np.ndarray:
    """Conv2D forward on NHWC arrays of one float dtype."""
    n = x.shape[0]
    kh, kw, c, o = w.shape
    out = np.empty((n, win.out_h, win.out_w, o), dtype=x.dtype)
    rows = win.out_h * win.out_w
    if not out.size:
        return out
    if not x.size or not w.size:
        out.fill(0)
        return out
    geom = _geometry(win)
    k = kh * kw * c
    w2 = np.ascontiguousarray(w).reshape(k, o)
    x = np.ascontiguousarray(x)

    def job(n0: int, n1: int) -> None:
        m = (n1 - n0) * rows
        if c < _FEW_CHANNELS:
            colt = _scratch(k, m, x.dtype)
            _im2col_t(x, n0, n1, *geom, colt)
            np.dot(colt.T, w2, out=out[n0:n1].reshape(m, o))
            return
        col = _scratch(m, k, x.dtype)
        _im2col(x, n0, n1, *geom, col)
        np.dot(col, w2, out=out[n0:n1].reshape(m, o))

    _run_chunks(n, rows, k, 2.0 * n * rows * k * o, job)
    return out


def conv2d_backprop_filter_nhwc(x: np.ndarray, dy: np.ndarray, kh: int, kw: int,
                                win: Window2D) -> np.ndarray:
    n, _, _, c = x.shape
    o = dy.shape[3]
    k = kh * kw * c
    rows = win.out_h * win.out_w
    if not (dy.size and x.size):
        return np.zeros((kh, kw, c, o), dtype=x.dtype)
    geom = _geometry(win)
    x = np.ascontiguousarray(x)
    dy = np.ascontiguousarray(dy)

    def job(n0: int, n1: int) -> np.ndarray:
        m = (n1 - n0) * rows
        if c < _FEW_CHANNELS:
            colt = _scratch(k, m, x.dtype)
            _im2col_t(x, n0, n1, *geom, colt)
            return colt @ dy[n0:n1].reshape(m, o)
        col = _scratch(m, k, x.dtype)
        _im2col(x, n0, n1, *geom, col)
        return col.T @ dy[n0:n1].reshape(m, o)

    parts = _run_chunks(n, rows, k, 2.0 * n * rows * k * o, job)
    dw = parts[0]
    for p in parts[1:]:
        dw += p
    return dw.reshape(kh, kw, c, o)


def conv2d_backprop_input_nhwc(shape: tuple[int, int, int, int], w: np.ndarray, dy: np.ndarray,
                               win: Window2D) -> np.ndarray:
    n = shape[0]
    kh, kw, c, o = w.shape
    k = kh * kw * c
    dx = np.zeros(shape, dtype=dy.dtype)
    rows = win.out_h * win.out_w
    if not (dy.size and dx.size):
        return dx
    geom = _geometry(win)
    w2t = np.ascontiguousarray(np.ascontiguousarray(w).reshape(k, o).T)
    dy = np.ascontiguousarray(dy)

    def job(n0: int, n1: int) -> None:  # images n0..n1 of dx: chunks write disjoint rows
        m = (n1 - n0) * rows
        if c < _FEW_CHANNELS:
            dcolt = _scratch(k, m, dy.dtype)
            np.dot(w2t.T, dy[n0:n1].reshape(m, o).T, out=dcolt)
            _col2im_t(dcolt, n0, n1, *geom, dx)
            return
        dcol = _scratch(m, k, dy.dtype)
        np.dot(dy[n0:n1].reshape(m, o), w2t, out=dcol)
        _col2im(dcol, n0, n1, *geom, dx)

    _run_chunks(n, rows, k, 2.0 * n * rows * k * o, job)
    return dx
