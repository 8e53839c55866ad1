"""numba kernels for Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter (float32/float64).

im2col + BLAS: a numba loop copies the receptive fields of a chunk of images into a
[rows, k_h * k_w * in_channels] matrix, and ``np.dot`` (multithreaded BLAS, GIL released)
multiplies it with the filter. The chunk is sized to stay in cache (~4 MB). The backward ops
reuse the same matrix: the filter gradient is col^T @ dy, the input gradient a scatter-add
(col2im) of dy @ w^T. Chunks run on the intra-op pool (``parallel.py``) with BLAS on one thread.
Direct loops (``nn_conv_jit.conv2d_direct``) are kept for the benchmark that chose this design
(docs/notes/nn_ops.md). float32 3x3 / 5x5 convolutions with stride 1, dilation 1 and >= 16
channels take Winograd F(2x2, r x r) instead (``nn_conv_winograd``: ~2x fewer flops;
``MINITF_WINOGRAD=0`` turns it off). NCHW runs through NHWC transposes; anything unusual
(bad shapes, other dtypes, errors) falls back to the numpy reference, which raises TF's errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.kernels.cpu.buffers import OutputBuffer
from minitf.kernels.cpu.parallel import threads_for
from minitf.kernels.registry import register_kernel
from minitf.ops import nn_conv_reference as ref
from minitf.ops.nn_conv_utils import Window2D, window_2d

__all__: list[str] = []


def _jit() -> Any:
    from minitf.kernels.cpu import nn_conv_jit

    return nn_conv_jit


def _wino() -> Any:
    from minitf.kernels.cpu import nn_conv_winograd

    return nn_conv_winograd


# --- kernel factories ----------------------------------------------------------------------------

_FLOAT = (np.dtype(np.float32), np.dtype(np.float64))


def _attrs(op: Any) -> dict[str, Any] | None:
    a = op._attrs
    if np.dtype(a["T"].as_numpy_dtype) not in _FLOAT:
        return None
    fmt = a["data_format"]
    c_axis = 1 if fmt == "NCHW" else 3
    for key in ("strides", "dilations"):
        v = a[key]
        if int(v[0]) != 1 or int(v[c_axis]) != 1:
            return None  # the reference raises TF's error
    return {k: a[k] for k in ("strides", "padding", "explicit_paddings", "data_format",
                              "dilations")}


def _window(x_nhwc_shape: tuple[int, ...], kh: int, kw: int, kw_: dict[str, Any]) -> Window2D:
    return window_2d(x_nhwc_shape[1], x_nhwc_shape[2], kh, kw, kw_["strides"], kw_["dilations"],
                     kw_["padding"], kw_["data_format"], kw_["explicit_paddings"])


@register_kernel("Conv2D", "CPU")
def _conv2d_factory(op: Any, state: Any) -> Any:
    kw_ = _attrs(op)
    if kw_ is None:
        return None
    fmt = kw_["data_format"]
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    threads = threads_for(getattr(state, "config", None))
    jit, wino = _jit(), _wino()
    buf = OutputBuffer()

    def conv2d(x: Any, w: Any) -> np.ndarray:
        if x.dtype != dt or w.dtype != dt or x.ndim != 4 or w.ndim != 4:
            return ref.conv2d(x, w, **kw_)
        xn = ref.to_nhwc(x, fmt)
        if xn.shape[3] != w.shape[2]:
            return ref.conv2d(x, w, **kw_)
        try:
            win = _window(xn.shape, w.shape[0], w.shape[1], kw_)
        except ValueError:
            return ref.conv2d(x, w, **kw_)
        if wino.applies(dt, xn.shape, w.shape, win):
            return ref.from_nhwc(wino.conv2d(xn, w, win, threads, buffer=buf), fmt)
        return ref.from_nhwc(jit.conv2d_nhwc(xn, w, win, threads, buffer=buf), fmt)

    conv2d.uses_blas = True  # type: ignore[attr-defined]
    return conv2d


@register_kernel("Conv2DBackpropInput", "CPU")
def _conv2d_backprop_input_factory(op: Any, state: Any) -> Any:
    kw_ = _attrs(op)
    if kw_ is None:
        return None
    fmt = kw_["data_format"]
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    threads = threads_for(getattr(state, "config", None))
    jit, wino = _jit(), _wino()
    buf = OutputBuffer()

    def conv2d_backprop_input(sizes: Any, w: Any, dy: Any) -> np.ndarray:
        s = [int(v) for v in np.asarray(sizes).reshape(-1)]
        if dy.dtype != dt or w.dtype != dt or len(s) != 4 or w.ndim != 4 or dy.ndim != 4:
            return ref.conv2d_backprop_input(sizes, w, dy, **kw_)
        shape = (s[0], s[2], s[3], s[1]) if fmt == "NCHW" else tuple(s)
        dyn = ref.to_nhwc(dy, fmt)
        try:
            win = _window(shape, w.shape[0], w.shape[1], kw_)
        except ValueError:
            return ref.conv2d_backprop_input(sizes, w, dy, **kw_)
        if shape[3] != w.shape[2] or dyn.shape != (shape[0], win.out_h, win.out_w, w.shape[3]):
            return ref.conv2d_backprop_input(sizes, w, dy, **kw_)
        if wino.applies(dt, shape, w.shape, win):
            return ref.from_nhwc(wino.conv2d_backprop_input(shape, w, dyn, win, threads, buf), fmt)
        return ref.from_nhwc(jit.conv2d_backprop_input_nhwc(shape, w, dyn, win, threads, buf),
                             fmt)

    conv2d_backprop_input.uses_blas = True  # type: ignore[attr-defined]
    return conv2d_backprop_input


@register_kernel("Conv2DBackpropFilter", "CPU")
def _conv2d_backprop_filter_factory(op: Any, state: Any) -> Any:
    kw_ = _attrs(op)
    if kw_ is None:
        return None
    fmt = kw_["data_format"]
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    threads = threads_for(getattr(state, "config", None))
    jit, wino = _jit(), _wino()

    def conv2d_backprop_filter(x: Any, sizes: Any, dy: Any) -> np.ndarray:
        s = [int(v) for v in np.asarray(sizes).reshape(-1)]
        if x.dtype != dt or dy.dtype != dt or len(s) != 4 or x.ndim != 4 or dy.ndim != 4:
            return ref.conv2d_backprop_filter(x, sizes, dy, **kw_)
        xn, dyn = ref.to_nhwc(x, fmt), ref.to_nhwc(dy, fmt)
        try:
            win = _window(xn.shape, s[0], s[1], kw_)
        except ValueError:
            return ref.conv2d_backprop_filter(x, sizes, dy, **kw_)
        if xn.shape[3] != s[2] or dyn.shape != (xn.shape[0], win.out_h, win.out_w, s[3]):
            return ref.conv2d_backprop_filter(x, sizes, dy, **kw_)
        if wino.applies(dt, xn.shape, s, win):
            return wino.conv2d_backprop_filter(xn, dyn, win, threads)
        return jit.conv2d_backprop_filter_nhwc(xn, dyn, s[0], s[1], win, threads)

    conv2d_backprop_filter.uses_blas = True  # type: ignore[attr-defined]
    return conv2d_backprop_filter


def fused_conv2d_bias(op: Any, state: Any, relu: bool) -> Any:
    """The fast path of a Conv2D + BiasAdd (+ Relu) step (``runtime/rewrites/remap.py``):
    ``fast(x, w, bias)`` -> the activation, or None when the inputs need the op-by-op path (other
    dtypes or layouts, shapes that raise). None when the op is not NHWC float."""
    kw_ = _attrs(op)
    if kw_ is None or kw_["data_format"] != "NHWC":
        return None
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    threads = threads_for(getattr(state, "config", None))
    jit, wino = _jit(), _wino()
    buf = OutputBuffer()

    def fast(x: Any, w: Any, b: Any) -> Any:
        if type(x) is not np.ndarray or type(w) is not np.ndarray or type(b) is not np.ndarray \
                or x.dtype != dt or w.dtype != dt or b.dtype != dt or x.ndim != 4 or \
                w.ndim != 4 or b.ndim != 1 or x.shape[3] != w.shape[2] or \
                b.shape[0] != w.shape[3]:
            return None
        try:
            win = _window(x.shape, w.shape[0], w.shape[1], kw_)
        except ValueError:
            return None
        if wino.applies(dt, x.shape, w.shape, win):
            return wino.conv2d(x, w, win, threads, bias=b, relu=relu, buffer=buf)
        return jit.conv2d_nhwc(x, w, win, threads, bias=np.ascontiguousarray(b), relu=relu,
                               buffer=buf)

    return fast
