"""The numba-compiled part of :mod:`minitf.kernels.cpu.nn_conv` (imported by its kernel
factories on first use, so that registering the kernels does not import numba)."""

from __future__ import annotations

import functools
import threading
from typing import Any

import numpy as np
from numba import njit

from minitf.kernels.cpu.buffers import OutputBuffer
from minitf.kernels.cpu.nn_bias_jit import bias_relu_rows
from minitf.kernels.cpu.parallel import blas_limiter, default_threads, parallel_for
from minitf.ops.nn_conv_utils import Window2D

__all__ = ["conv2d_nhwc", "conv2d_backprop_input_nhwc", "conv2d_backprop_filter_nhwc",
           "conv2d_direct"]


# The copy loops index with unsigned integers: with signed ones numba must handle negative
# (wrap-around) indices on every access, which keeps LLVM from vectorizing the copies (4-5x
# slower here). ``error_model="numpy"``: no division checks either.
_opts = {"cache": True, "nogil": True, "error_model": "numpy"}


@njit(**_opts)
def _im2col(x, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, col, banded):  # noqa: ANN001, ANN202
    """Rows of receptive fields of images n0..n1: col[row, (a * kw + b) * c + k], rows in
    (image, out row, out col) order; with ``banded`` in (out row, image, out col) order, and the
    taps on padding rows are left unwritten (the banded products never read them). A tap row
    inside the image (stride along width 1 or not, dilation 1) is one contiguous run of
    kw * c values."""
    _, h, w, c = x.shape
    seg = kw * c
    nimg = n1 - n0
    for n in range(n0, n1):
        xn = x[n].reshape(h, w * c)
        for i in range(oh):
            r = ((i * nimg + n - n0) if banded else ((n - n0) * oh + i)) * ow
            for j in range(ow):
                x0 = j * sw - pl
                crow = col[r]
                inside = dw == 1 and x0 >= 0 and x0 + kw <= w
                for a in range(kh):
                    y = i * sh + a * dh - pt
                    base = np.uint64(a * seg)
                    if y < 0 or y >= h:
                        if not banded:
                            for t in range(np.uint64(seg)):
                                crow[base + t] = 0
                        continue
                    src = xn[y]
                    if inside:
                        s0 = np.uint64(x0 * c)
                        for t in range(np.uint64(seg)):
                            crow[base + t] = src[s0 + t]
                        continue
                    for b in range(kw):
                        xx = x0 + b * dw
                        d0 = base + np.uint64(b * c)
                        if 0 <= xx < w:
                            s0 = np.uint64(xx * c)
                            for k in range(np.uint64(c)):
                                crow[d0 + k] = src[s0 + k]
                        else:
                            for k in range(np.uint64(c)):
                                crow[d0 + k] = 0
                r += 1


@njit(**_opts)
def _col2im(dcol, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, dx, banded):  # noqa: ANN001, ANN202
    """Scatter-adds rows of receptive-field gradients into dx (the adjoint of _im2col, rows in
    the same order; taps on padding rows are never read)."""
    _, h, w, c = dx.shape
    seg = kw * c
    nimg = n1 - n0
    for n in range(n0, n1):
        dxn = dx[n].reshape(h, w * c)
        for i in range(oh):
            r = ((i * nimg + n - n0) if banded else ((n - n0) * oh + i)) * ow
            for j in range(ow):
                x0 = j * sw - pl
                drow = dcol[r]
                inside = dw == 1 and x0 >= 0 and x0 + kw <= w
                for a in range(kh):
                    y = i * sh + a * dh - pt
                    if y < 0 or y >= h:
                        continue
                    base = np.uint64(a * seg)
                    dst = dxn[y]
                    if inside:
                        d0 = np.uint64(x0 * c)
                        for t in range(np.uint64(seg)):
                            dst[d0 + t] += drow[base + t]
                        continue
                    for b in range(kw):
                        xx = x0 + b * dw
                        if 0 <= xx < w:
                            d0 = np.uint64(xx * c)
                            s0 = base + np.uint64(b * c)
                            for k in range(np.uint64(c)):
                                dst[d0 + k] += drow[s0 + k]
                r += 1


@njit(**_opts)
def _valid_cols(ow, sw, off, w):  # noqa: ANN001, ANN202
    """Output columns j with 0 <= j * sw + off < w: [lo, hi)."""
    lo = 0
    while lo < ow and lo * sw + off < 0:
        lo += 1
    hi = ow
    while hi > lo and (hi - 1) * sw + off >= w:
        hi -= 1
    return lo, hi


@njit(**_opts)
def _im2col_t(x, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, colt):  # noqa: ANN001, ANN202
    """The transpose of _im2col ([taps * c, rows]): for few channels, each (tap, channel) row
    is filled by long runs over output columns (faster than rows of a handful of values)."""
    _, h, w, c = x.shape
    for a in range(kh):
        for b in range(kw):
            off = b * dw - pl
            lo, hi = _valid_cols(ow, sw, off, w)
            for k in range(c):
                dst = colt[(a * kw + b) * c + k]
                r = 0
                for n in range(n0, n1):
                    for i in range(oh):
                        y = i * sh + a * dh - pt
                        rr = np.uint64(r)
                        if y < 0 or y >= h:
                            for j in range(np.uint64(ow)):
                                dst[rr + j] = 0
                        else:
                            src = x[n, y]
                            for j in range(lo):
                                dst[r + j] = 0
                            if sw == 1:
                                d0 = np.uint64(r + lo)
                                s0 = np.uint64(lo + off)
                                for j in range(np.uint64(hi - lo)):
                                    dst[d0 + j] = src[s0 + j, k]
                            else:
                                for j in range(lo, hi):
                                    dst[r + j] = src[j * sw + off, k]
                            for j in range(hi, ow):
                                dst[r + j] = 0
                        r += ow


@njit(**_opts)
def _col2im_t(dcolt, n0, n1, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, dx):  # noqa: ANN001, ANN202
    """The adjoint of _im2col_t: scatter-adds [taps * c, rows] into dx."""
    _, h, w, c = dx.shape
    for a in range(kh):
        for b in range(kw):
            off = b * dw - pl
            lo, hi = _valid_cols(ow, sw, off, w)
            for k in range(c):
                src = dcolt[(a * kw + b) * c + k]
                r = 0
                for n in range(n0, n1):
                    for i in range(oh):
                        y = i * sh + a * dh - pt
                        if 0 <= y < h:
                            dst = dx[n, y]
                            if sw == 1:
                                s0 = np.uint64(r + lo)
                                d0 = np.uint64(lo + off)
                                for j in range(np.uint64(hi - lo)):
                                    dst[d0 + j, k] += src[s0 + j]
                            else:
                                for j in range(lo, hi):
                                    dst[j * sw + off, k] += src[r + j]
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


# --- drivers: chunks of images over the intra-op pool -------------------------------------------
#
# Each chunk is an im2col (numba, GIL released) and a GEMM (BLAS on one thread, GIL released),
# sized to stay in the core's L2 cache. Chunks run as tasks of parallel.parallel_for (the calling
# thread takes part; a busy or slow worker just leaves more chunks to it). Which images a task
# covers depends only on the shapes and the thread count, and the filter gradient's partial
# sums are added in task order, so results do not depend on thread timing.

_CHUNK_ELEMS = 1 << 18          # elements of one chunk's im2col matrix (1 MB in float32)
_BAND_CHUNK_ELEMS = 1 << 20     # the same with row bands (several images per band product)
_FILTER_CHUNK_ELEMS = 1 << 19   # filter gradient: pieces of a task (fewer calls and partial sums)
_PARALLEL_MIN_FLOPS = 4e6        # below this, one thread
_FEW_CHANNELS = 8                # below this, the transposed (tap-major) im2col layout
_FILTER_TASKS_PER_THREAD = 4     # filter gradient: partial sums per thread (then added in order)
_local = threading.local()


def _scratch(rows: int, cols: int, dtype: np.dtype, slot: int = 0) -> np.ndarray:
    """A per-thread contiguous [rows, cols] work matrix, reused across calls (``slot``: one of
    several held at once)."""
    size = rows * cols
    key = (np.dtype(dtype).str, slot)
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = {}
    buf = buffers.get(key)
    if buf is None or buf.size < size:
        buf = buffers[key] = np.empty(size, dtype=dtype)
    return buf[:size].reshape(rows, cols)


@functools.lru_cache(maxsize=256)
def _row_bands(win: Window2D, h: int, seg: int) -> tuple[tuple[int, int, int, int], ...] | None:
    """Output rows grouped by the taps that fall inside the image: ``(i0, i1, k0, k1)`` —
    output rows i0..i1 read only columns k0..k1 of the im2col matrix (the taps of the other
    filter rows are padding). None when every output row reads every tap (no padding rows)."""
    bands: list[tuple[int, int, int, int]] = []
    for i in range(win.out_h):
        top = i * win.stride_h - win.pad_top
        a0 = 0
        while a0 < win.k_h and top + a0 * win.dil_h < 0:
            a0 += 1
        a1 = win.k_h
        while a1 > a0 and top + (a1 - 1) * win.dil_h >= h:
            a1 -= 1
        k0, k1 = (a0 * seg, a1 * seg) if a1 > a0 else (0, 0)
        if bands and bands[-1][2:] == (k0, k1):
            bands[-1] = (bands[-1][0], i + 1, k0, k1)
        else:
            bands.append((i, i + 1, k0, k1))
    if len(bands) == 1 and bands[0][2:] == (0, win.k_h * seg):
        return None
    return tuple(bands)


def _band_rows(i0: int, i1: int, images: int, ow: int) -> slice:
    """Rows of output rows i0..i1 of all images of a chunk in (out row, image, out col)
    order."""
    return slice(i0 * images * ow, i1 * images * ow)


def _chunk(bands: Any) -> int:
    """Elements of one chunk's im2col matrix: banded products want more rows per band."""
    return _CHUNK_ELEMS if bands is None else _BAND_CHUNK_ELEMS


def _spans(n: int, rows: int, cols: int, flops: float, threads: int,
           max_tasks: int | None = None, chunk: int = _CHUNK_ELEMS) -> list[tuple[int, int]]:
    """Image ranges of the chunks: ``chunk`` elements of im2col (at least one image), at
    least 2 per thread when the work is large. On the pool, the chunk count is a multiple of
    the thread count and sizes differ by at most one image (no thread is left a last chunk
    alone)."""
    step = max(1, min(n, chunk // max(1, rows * cols)))
    parallel = threads > 1 and flops >= _PARALLEL_MIN_FLOPS and n > 1
    if parallel:
        step = max(1, min(step, -(-n // (2 * threads))))
    if max_tasks is not None and -(-n // step) > max_tasks:
        step = -(-n // max_tasks)
    count = -(-n // step)
    if parallel and count % threads:
        count = min(n, -(-count // threads) * threads)
    q, r = divmod(n, count)
    edges = [i * q + min(i, r) for i in range(count + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _run(spans: list[tuple[int, int]], job: Any, threads: int) -> None:
    """``job(i, n0, n1)`` for every span, on the pool when there are several."""
    if len(spans) == 1 or threads < 2:
        for i, (a, b) in enumerate(spans):
            job(i, a, b)
        return

    def task(i: int) -> None:
        a, b = spans[i]
        job(i, a, b)

    if blas_limiter.active:
        parallel_for(len(spans), task, threads)
    else:  # called outside a session run: hold BLAS to one thread here
        with blas_limiter:
            parallel_for(len(spans), task, threads)


def conv2d_nhwc(x: np.ndarray, w: np.ndarray, win: Window2D, threads: int | None = None,
                bias: np.ndarray | None = None, relu: bool = False,
                buffer: OutputBuffer | None = None) -> np.ndarray:
    """Conv2D forward on NHWC arrays of one float dtype; with ``bias`` (and ``relu``) the
    BiasAdd (and Relu) that follow are applied to each chunk while it is in cache. ``buffer``:
    the calling kernel's recycled output array."""
    threads = default_threads() if threads is None else threads
    n = x.shape[0]
    kh, kw, c, o = w.shape
    shape = (n, win.out_h, win.out_w, o)
    out = buffer.keep(buffer.empty(shape, x.dtype)) if buffer is not None else \
        np.empty(shape, dtype=x.dtype)
    rows = win.out_h * win.out_w
    if not out.size:
        return out
    if not x.size or not w.size:
        out.fill(0)
        if bias is not None:
            bias_relu_rows(out.reshape(-1, o), bias, relu)
        return out
    geom = _geometry(win)
    k = kh * kw * c
    w2 = np.ascontiguousarray(w).reshape(k, o)
    x = np.ascontiguousarray(x)
    few = c < _FEW_CHANNELS
    bands = None if few else _row_bands(win, x.shape[1], kw * c)
    oh, ow = win.out_h, win.out_w

    def job(_: int, n0: int, n1: int) -> None:
        m = (n1 - n0) * rows
        dst = out[n0:n1].reshape(m, o)
        if few:
            colt = _scratch(k, m, x.dtype)
            _im2col_t(x, n0, n1, *geom, colt)
            np.dot(colt.T, w2, out=dst)
        elif bands is None:
            col = _scratch(m, k, x.dtype)
            _im2col(x, n0, n1, *geom, col, False)
            np.dot(col, w2, out=dst)
        else:  # rows by output row: each band of rows skips the taps on padding rows
            col = _scratch(m, k, x.dtype)
            _im2col(x, n0, n1, *geom, col, True)
            tmp = _scratch(m, o, x.dtype, 1)
            for i0, i1, k0, k1 in bands:
                r = _band_rows(i0, i1, n1 - n0, ow)
                if k1 > k0:
                    np.matmul(col[r, k0:k1], w2[k0:k1], out=tmp[r])
                else:
                    tmp[r] = 0
            np.copyto(out[n0:n1].transpose(1, 0, 2, 3), tmp.reshape(oh, n1 - n0, ow, o))
        if bias is not None:
            bias_relu_rows(dst, bias, relu)

    _run(_spans(n, rows, k, 2.0 * n * rows * k * o, threads, chunk=_chunk(bands)), job,
         threads)
    return out


def conv2d_backprop_filter_nhwc(x: np.ndarray, dy: np.ndarray, kh: int, kw: int,
                                win: Window2D, threads: int | None = None) -> np.ndarray:
    threads = default_threads() if threads is None else threads
    n, _, _, c = x.shape
    o = dy.shape[3]
    k = kh * kw * c
    rows = win.out_h * win.out_w
    if not (dy.size and x.size):
        return np.zeros((kh, kw, c, o), dtype=x.dtype)
    geom = _geometry(win)
    x = np.ascontiguousarray(x)
    dy = np.ascontiguousarray(dy)
    few = c < _FEW_CHANNELS
    spans = _spans(n, rows, k, 2.0 * n * rows * k * o, threads,
                   max_tasks=max(1, _FILTER_TASKS_PER_THREAD * threads))
    parts: list[Any] = [None] * len(spans)

    def job(i: int, n0: int, n1: int) -> None:
        # one task's images, in cache-sized pieces, summed into this task's own partial
        # (not banded: five products per piece cost more than the padding taps they skip)
        per = max(1, min(n1 - n0, _FILTER_CHUNK_ELEMS // max(1, rows * k)))
        acc = None
        for a in range(n0, n1, per):
            b = min(n1, a + per)
            m = (b - a) * rows
            g = dy[a:b].reshape(m, o)
            if few:
                colt = _scratch(k, m, x.dtype)
                _im2col_t(x, a, b, *geom, colt)
                p = colt @ g
            else:
                col = _scratch(m, k, x.dtype)
                _im2col(x, a, b, *geom, col, False)
                p = col.T @ g
            if acc is None:
                acc = p
            else:
                acc += p
        parts[i] = acc

    _run(spans, job, threads)
    dw = parts[0]
    for p in parts[1:]:
        dw += p
    return dw.reshape(kh, kw, c, o)


def conv2d_backprop_input_nhwc(shape: tuple[int, int, int, int], w: np.ndarray, dy: np.ndarray,
                               win: Window2D, threads: int | None = None,
                               buffer: OutputBuffer | None = None) -> np.ndarray:
    threads = default_threads() if threads is None else threads
    n = shape[0]
    kh, kw, c, o = w.shape
    k = kh * kw * c
    dx = buffer.keep(buffer.zeros(tuple(shape), dy.dtype)) if buffer is not None else \
        np.zeros(shape, dtype=dy.dtype)
    rows = win.out_h * win.out_w
    if not (dy.size and dx.size):
        return dx
    geom = _geometry(win)
    w2t = np.ascontiguousarray(np.ascontiguousarray(w).reshape(k, o).T)
    dy = np.ascontiguousarray(dy)
    few = c < _FEW_CHANNELS
    # taps on padding rows are never read back by _col2im: their columns are not computed
    bands = None if few else _row_bands(win, shape[1], kw * c)
    oh, ow = win.out_h, win.out_w

    def job(_: int, n0: int, n1: int) -> None:  # images n0..n1 of dx: chunks write disjoint rows
        m = (n1 - n0) * rows
        if few:
            dcolt = _scratch(k, m, dy.dtype)
            np.dot(w2t.T, dy[n0:n1].reshape(m, o).T, out=dcolt)
            _col2im_t(dcolt, n0, n1, *geom, dx)
            return
        dcol = _scratch(m, k, dy.dtype)
        if bands is None:
            np.dot(dy[n0:n1].reshape(m, o), w2t, out=dcol)
        else:  # rows by output row; the columns of taps on padding rows are never read
            dyt = _scratch(m, o, dy.dtype, 1)
            np.copyto(dyt.reshape(oh, n1 - n0, ow, o), dy[n0:n1].transpose(1, 0, 2, 3))
            for i0, i1, k0, k1 in bands:
                r = _band_rows(i0, i1, n1 - n0, ow)
                if k1 > k0:
                    np.matmul(dyt[r], w2t[:, k0:k1], out=dcol[r, k0:k1])
        _col2im(dcol, n0, n1, *geom, dx, bands is not None)

    _run(_spans(n, rows, k, 2.0 * n * rows * k * o, threads, chunk=_chunk(bands)), job,
         threads)
    return dx
