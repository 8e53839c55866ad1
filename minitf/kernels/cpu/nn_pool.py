"""numba kernels for MaxPool, MaxPoolGrad, AvgPool and AvgPoolGrad (float32/float64).

Loops over NHWC with the channel loop innermost (contiguous, vectorizable). MaxPoolGrad routes
each gradient to the first maximum of its window in row-major order, like TF's CPU kernel and
the numpy reference; AvgPool divides by the number of real (unpadded) positions. NCHW runs
through transposes; other dtypes and error cases run the numpy reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.kernels.cpu.buffers import OutputBuffer
from minitf.kernels.cpu.parallel import parallel_for, pool_mode, split_points, threads_for
from minitf.kernels.registry import register_kernel
from minitf.ops import nn_conv_reference as ref
from minitf.ops.nn_conv_utils import Window2D, window_2d

__all__: list[str] = []


def _jit() -> Any:
    from minitf.kernels.cpu import nn_pool_jit

    return nn_pool_jit


_FLOAT = (np.dtype(np.float32), np.dtype(np.float64))


def _setup(op: Any) -> dict[str, Any] | None:
    a = op._attrs
    if np.dtype(a["T"].as_numpy_dtype) not in _FLOAT or a["padding"] == "EXPLICIT":
        return None
    fmt = a["data_format"]
    c_axis = 1 if fmt == "NCHW" else 3
    if any(int(a[k][0]) != 1 or int(a[k][c_axis]) != 1 for k in ("ksize", "strides")):
        return None
    return {k: a[k] for k in ("ksize", "strides", "padding", "data_format")}


def _window(nhwc_shape: tuple[int, ...], kw_: dict[str, Any]) -> Window2D:
    fmt = kw_["data_format"]
    h = 2 if fmt == "NCHW" else 1
    return window_2d(nhwc_shape[1], nhwc_shape[2], int(kw_["ksize"][h]),
                     int(kw_["ksize"][h + 1]), kw_["strides"], (1, 1, 1, 1), kw_["padding"],
                     fmt)


def _geom(win: Window2D) -> tuple[int, ...]:
    return (win.k_h, win.k_w, win.stride_h, win.stride_w, win.pad_top, win.pad_left)


_PARALLEL_MIN = 1 << 19  # input elements: larger batches are split over the pool (pool mode)


def _by_images(fn: Any, batched: tuple[np.ndarray, ...], args: tuple[Any, ...],
               out: np.ndarray, threads: int) -> None:
    """``fn(*batched, *args, out)`` over all images, or over slices of images on the intra-op
    pool (each slice writes its own images of ``out``) in runs that use the pool."""
    n = out.shape[0]
    if batched[0].size < _PARALLEL_MIN or threads < 2 or n < 2 or not pool_mode():
        fn(*batched, *args, out)
        return
    edges = split_points(n, min(n, threads))

    def part(i: int) -> None:
        lo, hi = edges[i], edges[i + 1]
        fn(*[b[lo:hi] for b in batched], *args, out[lo:hi])

    parallel_for(len(edges) - 1, part, threads)


@register_kernel("MaxPool", "CPU")
def _max_pool_factory(op: Any, state: Any) -> Any:
    kw_ = _setup(op)
    if kw_ is None:
        return None
    fmt = kw_["data_format"]
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)

    jit = _jit()
    buf = OutputBuffer()
    threads = threads_for(getattr(state, "config", None))

    def max_pool(x: Any) -> np.ndarray:
        if x.dtype != dt or x.ndim != 4 or not x.size:
            return ref.max_pool(x, **kw_)
        xn = np.ascontiguousarray(ref.to_nhwc(x, fmt))
        try:
            win = _window(xn.shape, kw_)
        except ValueError:
            return ref.max_pool(x, **kw_)
        out = buf.empty((xn.shape[0], win.out_h, win.out_w, xn.shape[3]), dt)
        _by_images(jit.max_pool_nhwc, (xn,), _geom(win), out, threads)
        return ref.from_nhwc(buf.keep(out), fmt)

    return max_pool


@register_kernel("MaxPoolGrad", "CPU")
def _max_pool_grad_factory(op: Any, state: Any) -> Any:
    kw_ = _setup(op)
    if kw_ is None:
        return None
    fmt = kw_["data_format"]
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)

    jit = _jit()
    buf = OutputBuffer()
    threads = threads_for(getattr(state, "config", None))

    def max_pool_grad(x: Any, y: Any, g: Any) -> np.ndarray:
        if x.dtype != dt or g.dtype != dt or x.ndim != 4 or g.ndim != 4 or not x.size:
            return ref.max_pool_grad(x, y, g, **kw_)
        xn = np.ascontiguousarray(ref.to_nhwc(x, fmt))
        gn = np.ascontiguousarray(ref.to_nhwc(g, fmt))
        try:
            win = _window(xn.shape, kw_)
        except ValueError:
            return ref.max_pool_grad(x, y, g, **kw_)
        if gn.shape != (xn.shape[0], win.out_h, win.out_w, xn.shape[3]):
            return ref.max_pool_grad(x, y, g, **kw_)
        dx = buf.zeros(xn.shape, dt)
        _by_images(jit.max_pool_grad_nhwc, (xn, gn), _geom(win), dx, threads)
        return ref.from_nhwc(buf.keep(dx), fmt)

    return max_pool_grad


@register_kernel("AvgPool", "CPU")
def _avg_pool_factory(op: Any, state: Any) -> Any:
    kw_ = _setup(op)
    if kw_ is None:
        return None
    fmt = kw_["data_format"]
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)

    jit = _jit()

    def avg_pool(x: Any) -> np.ndarray:
        if x.dtype != dt or x.ndim != 4 or not x.size:
            return ref.avg_pool(x, **kw_)
        xn = np.ascontiguousarray(ref.to_nhwc(x, fmt))
        try:
            win = _window(xn.shape, kw_)
        except ValueError:
            return ref.avg_pool(x, **kw_)
        out = np.empty((xn.shape[0], win.out_h, win.out_w, xn.shape[3]), dtype=dt)
        return ref.from_nhwc(jit.avg_pool_nhwc(xn, *_geom(win), out), fmt)

    return avg_pool


@register_kernel("AvgPoolGrad", "CPU")
def _avg_pool_grad_factory(op: Any, state: Any) -> Any:
    kw_ = _setup(op)
    if kw_ is None:
        return None
    fmt = kw_["data_format"]
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)

    jit = _jit()

    def avg_pool_grad(sizes: Any, g: Any) -> np.ndarray:
        s = [int(v) for v in np.asarray(sizes).reshape(-1)]
        if g.dtype != dt or g.ndim != 4 or len(s) != 4 or not g.size:
            return ref.avg_pool_grad(sizes, g, **kw_)
        shape = (s[0], s[2], s[3], s[1]) if fmt == "NCHW" else tuple(s)
        gn = np.ascontiguousarray(ref.to_nhwc(g, fmt))
        try:
            win = _window(shape, kw_)
        except ValueError:
            return ref.avg_pool_grad(sizes, g, **kw_)
        if gn.shape != (shape[0], win.out_h, win.out_w, shape[3]):
            return ref.avg_pool_grad(sizes, g, **kw_)
        dx = np.zeros(shape, dtype=dt)
        return ref.from_nhwc(jit.avg_pool_grad_nhwc(gn, *_geom(win), dx), fmt)

    return avg_pool_grad


def fused_max_pool_grad_relu(op: Any, state: Any) -> Any:
    """The fast path of MaxPoolGrad followed by ReluGrad whose features are the pool's input
    (``runtime/rewrites/pool_grad.py``): ``fast(x, y, g)`` -> the ReluGrad value, or None when
    the op-by-op kernels must run (windows not inside the image, other dtypes or shapes). None
    when the op is not an NHWC float32/float64 MaxPoolGrad with 2x2 windows and strides 2."""
    kw_ = _setup(op)
    if kw_ is None or kw_["data_format"] != "NHWC" or \
            [int(v) for v in kw_["ksize"]] != [1, 2, 2, 1] or \
            [int(v) for v in kw_["strides"]] != [1, 2, 2, 1]:
        return None
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    zero, ninf = dt.type(0), dt.type(-np.inf)
    jit = _jit()
    buf = OutputBuffer()
    threads = threads_for(getattr(state, "config", None))

    def fast(x: Any, y: Any, g: Any) -> Any:
        if type(x) is not np.ndarray or type(g) is not np.ndarray or x.dtype != dt or \
                g.dtype != dt or x.ndim != 4 or g.ndim != 4 or not x.size:
            return None
        try:
            win = _window(x.shape, kw_)
        except ValueError:
            return None
        if win.pad_top or win.pad_left or 2 * win.out_h > x.shape[1] or \
                2 * win.out_w > x.shape[2] or \
                g.shape != (x.shape[0], win.out_h, win.out_w, x.shape[3]):
            return None
        xn, gn = np.ascontiguousarray(x), np.ascontiguousarray(g)
        dx = buf.empty(xn.shape, dt)
        _by_images(jit.max_pool_grad_relu_2x2, (xn, gn), (zero, ninf), dx, threads)
        return buf.keep(dx)

    return fast
