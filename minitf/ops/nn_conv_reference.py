"""Numpy references for convolution and pooling (the ground truth the numba kernels are tested
against). Every function takes and returns arrays in the op's ``data_format``; the work is done
in NHWC, one strided view per filter tap, so each reference is a few vectorised lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.ops.nn_conv_utils import Window2D, window_2d

__all__ = ["conv2d", "conv2d_backprop_input", "conv2d_backprop_filter", "depthwise_conv2d",
           "depthwise_conv2d_backprop_input", "depthwise_conv2d_backprop_filter", "max_pool",
           "max_pool_grad", "max_pool_grad_grad", "avg_pool", "avg_pool_grad", "to_nhwc",
           "from_nhwc", "compute_dtype"]


def to_nhwc(x: np.ndarray, data_format: str) -> np.ndarray:
    return np.transpose(x, (0, 2, 3, 1)) if data_format == "NCHW" else x


def from_nhwc(x: np.ndarray, data_format: str) -> np.ndarray:
    return np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2))) if data_format == "NCHW" else x


def compute_dtype(dtype: np.dtype) -> np.dtype:
    """float16 is computed in float32 (as TF's CPU kernels accumulate)."""
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(dtype)


def _nhwc_shape(shape: Sequence[int], data_format: str) -> tuple[int, int, int, int]:
    s = [int(v) for v in shape]
    if len(s) != 4:
        raise errors.InvalidArgumentError(None, None, f"input_sizes must be 4-dimensional, got "
                                                      f"{len(s)}")
    return (s[0], s[2], s[3], s[1]) if data_format == "NCHW" else (s[0], s[1], s[2], s[3])


def _window(x_shape: Sequence[int], kh: int, kw: int, strides: Sequence[int],
            dilations: Sequence[int], padding: str, data_format: str,
            explicit_paddings: Sequence[int]) -> Window2D:
    try:
        return window_2d(x_shape[1], x_shape[2], kh, kw, strides, dilations, padding,
                         data_format, explicit_paddings)
    except ValueError as e:
        raise errors.InvalidArgumentError(None, None, f"Computed output size would be negative:"
                                                      f" {e}") from None


def _pad(x: np.ndarray, win: Window2D, value: Any = 0) -> np.ndarray:
    if not (win.pad_top or win.pad_bottom or win.pad_left or win.pad_right):
        return x
    return np.pad(x, ((0, 0), (win.pad_top, win.pad_bottom), (win.pad_left, win.pad_right),
                      (0, 0)), constant_values=value)


def _taps(win: Window2D) -> Any:
    """(i, j, row slice, column slice) of every filter tap into the padded input."""
    for i in range(win.k_h):
        for j in range(win.k_w):
            r0, c0 = i * win.dil_h, j * win.dil_w
            yield (i, j, slice(r0, r0 + (win.out_h - 1) * win.stride_h + 1, win.stride_h),
                   slice(c0, c0 + (win.out_w - 1) * win.stride_w + 1, win.stride_w))


def _check_out_backprop(dy: np.ndarray, n: int, win: Window2D, channels: int,
                        op_name: str) -> None:
    want = (n, win.out_h, win.out_w, channels)
    if tuple(dy.shape) != want:
        raise errors.InvalidArgumentError(
            None, None, f"{op_name}: Size of out_backprop doesn't match computed: actual = "
                        f"{list(dy.shape)}, computed = {list(want)}")


def _padded_zeros(n: int, h: int, w: int, c: int, win: Window2D, dtype: Any) -> np.ndarray:
    return np.zeros((n, h + win.pad_top + win.pad_bottom, w + win.pad_left + win.pad_right, c),
                    dtype=dtype)


def _crop(xp: np.ndarray, h: int, w: int, win: Window2D) -> np.ndarray:
    return xp[:, win.pad_top:win.pad_top + h, win.pad_left:win.pad_left + w, :]


# --- convolution -----------------------------------------------------------------------------

def conv2d(x: Any, w: Any, strides: Sequence[int], padding: str,
           explicit_paddings: Sequence[int] = (), data_format: str = "NHWC",
           dilations: Sequence[int] = (1, 1, 1, 1), **_: Any) -> np.ndarray:
    """Conv2D: ``out[n, y, x, o] = sum_{i, j, c} in[n, y*s + i*d, x*s + j*d, c] w[i, j, c, o]``."""
    x = to_nhwc(np.asarray(x), data_format)
    w = np.asarray(w)
    out_dtype = x.dtype
    if x.shape[3] != w.shape[2]:
        raise errors.InvalidArgumentError(
            None, None, f"input depth must be evenly divisible by filter depth: {x.shape[3]} vs "
                        f"{w.shape[2]}")
    win = _window(x.shape, w.shape[0], w.shape[1], strides, dilations, padding, data_format,
                  explicit_paddings)
    ct = compute_dtype(out_dtype)
    out = np.zeros((x.shape[0], win.out_h, win.out_w, w.shape[3]), dtype=ct)
    if out.size and x.size:
        xp = _pad(x.astype(ct, copy=False), win)
        wc = w.astype(ct, copy=False)
        for i, j, rows, cols in _taps(win):
            out += xp[:, rows, cols, :] @ wc[i, j]
    return from_nhwc(out.astype(out_dtype, copy=False), data_format)


def conv2d_backprop_input(input_sizes: Any, w: Any, dy: Any, strides: Sequence[int],
                          padding: str, explicit_paddings: Sequence[int] = (),
                          data_format: str = "NHWC", dilations: Sequence[int] = (1, 1, 1, 1),
                          **_: Any) -> np.ndarray:
    """Gradient of conv2d with respect to its input (also conv2d_transpose)."""
    n, h, wd, c = _nhwc_shape(np.asarray(input_sizes).reshape(-1), data_format)
    w = np.asarray(w)
    dy = to_nhwc(np.asarray(dy), data_format)
    win = _window((n, h, wd, c), w.shape[0], w.shape[1], strides, dilations, padding,
                  data_format, explicit_paddings)
    _check_out_backprop(dy, n, win, w.shape[3], "Conv2DBackpropInput")
    ct = compute_dtype(dy.dtype)
    dxp = _padded_zeros(n, h, wd, c, win, ct)
    if dy.size and dxp.size:
        wc = w.astype(ct, copy=False)
        dyc = dy.astype(ct, copy=False)
        for i, j, rows, cols in _taps(win):
            dxp[:, rows, cols, :] += dyc @ wc[i, j].T
    return from_nhwc(np.ascontiguousarray(_crop(dxp, h, wd, win)).astype(dy.dtype, copy=False),
                     data_format)


def conv2d_backprop_filter(x: Any, filter_sizes: Any, dy: Any, strides: Sequence[int],
                           padding: str, explicit_paddings: Sequence[int] = (),
                           data_format: str = "NHWC", dilations: Sequence[int] = (1, 1, 1, 1),
                           **_: Any) -> np.ndarray:
    """Gradient of conv2d with respect to its filter."""
    kh, kw, ci, co = (int(v) for v in np.asarray(filter_sizes).reshape(-1))
    x = to_nhwc(np.asarray(x), data_format)
    dy = to_nhwc(np.asarray(dy), data_format)
    win = _window(x.shape, kh, kw, strides, dilations, padding, data_format, explicit_paddings)
    _check_out_backprop(dy, x.shape[0], win, co, "Conv2DBackpropFilter")
    ct = compute_dtype(x.dtype)
    dw = np.zeros((kh, kw, ci, co), dtype=ct)
    if dy.size and x.size:
        xp = _pad(x.astype(ct, copy=False), win)
        dy2 = dy.astype(ct, copy=False).reshape(-1, co)
        for i, j, rows, cols in _taps(win):
            dw[i, j] = xp[:, rows, cols, :].reshape(-1, ci).T @ dy2
    return dw.astype(x.dtype, copy=False)


def depthwise_conv2d(x: Any, w: Any, strides: Sequence[int], padding: str,
                     explicit_paddings: Sequence[int] = (), data_format: str = "NHWC",
                     dilations: Sequence[int] = (1, 1, 1, 1), **_: Any) -> np.ndarray:
    """DepthwiseConv2dNative: channel c with multiplier m goes to output channel c * M + m."""
    x = to_nhwc(np.asarray(x), data_format)
    w = np.asarray(w)
    if x.shape[3] != w.shape[2]:
        raise errors.InvalidArgumentError(
            None, None, f"input and filter must have the same depth: {x.shape[3]} vs "
                        f"{w.shape[2]}")
    win = _window(x.shape, w.shape[0], w.shape[1], strides, dilations, padding, data_format,
                  explicit_paddings)
    ct = compute_dtype(x.dtype)
    n, c, m = x.shape[0], w.shape[2], w.shape[3]
    out = np.zeros((n, win.out_h, win.out_w, c, m), dtype=ct)
    if out.size and x.size:
        xp = _pad(x.astype(ct, copy=False), win)
        wc = w.astype(ct, copy=False)
        for i, j, rows, cols in _taps(win):
            out += xp[:, rows, cols, :, None] * wc[i, j]
    out = out.reshape(n, win.out_h, win.out_w, c * m)
    return from_nhwc(out.astype(x.dtype, copy=False), data_format)


def depthwise_conv2d_backprop_input(input_sizes: Any, w: Any, dy: Any, strides: Sequence[int],
                                    padding: str, explicit_paddings: Sequence[int] = (),
                                    data_format: str = "NHWC",
                                    dilations: Sequence[int] = (1, 1, 1, 1),
                                    **_: Any) -> np.ndarray:
    n, h, wd, c = _nhwc_shape(np.asarray(input_sizes).reshape(-1), data_format)
    w = np.asarray(w)
    dy = to_nhwc(np.asarray(dy), data_format)
    m = w.shape[3]
    win = _window((n, h, wd, c), w.shape[0], w.shape[1], strides, dilations, padding,
                  data_format, explicit_paddings)
    _check_out_backprop(dy, n, win, c * m, "DepthwiseConv2dNativeBackpropInput")
    ct = compute_dtype(dy.dtype)
    dxp = _padded_zeros(n, h, wd, c, win, ct)
    if dy.size and dxp.size:
        dy5 = dy.astype(ct, copy=False).reshape(n, win.out_h, win.out_w, c, m)
        wc = w.astype(ct, copy=False)
        for i, j, rows, cols in _taps(win):
            dxp[:, rows, cols, :] += (dy5 * wc[i, j]).sum(axis=-1)
    return from_nhwc(np.ascontiguousarray(_crop(dxp, h, wd, win)).astype(dy.dtype, copy=False),
                     data_format)


def depthwise_conv2d_backprop_filter(x: Any, filter_sizes: Any, dy: Any,
                                     strides: Sequence[int], padding: str,
                                     explicit_paddings: Sequence[int] = (),
                                     data_format: str = "NHWC",
                                     dilations: Sequence[int] = (1, 1, 1, 1),
                                     **_: Any) -> np.ndarray:
    kh, kw, c, m = (int(v) for v in np.asarray(filter_sizes).reshape(-1))
    x = to_nhwc(np.asarray(x), data_format)
    dy = to_nhwc(np.asarray(dy), data_format)
    win = _window(x.shape, kh, kw, strides, dilations, padding, data_format, explicit_paddings)
    _check_out_backprop(dy, x.shape[0], win, c * m, "DepthwiseConv2dNativeBackpropFilter")
    ct = compute_dtype(x.dtype)
    dw = np.zeros((kh, kw, c, m), dtype=ct)
    if dy.size and x.size:
        xp = _pad(x.astype(ct, copy=False), win)
        dy5 = dy.astype(ct, copy=False).reshape(x.shape[0], win.out_h, win.out_w, c, m)
        for i, j, rows, cols in _taps(win):
            dw[i, j] = np.einsum("nhwc,nhwcm->cm", xp[:, rows, cols, :], dy5)
    return dw.astype(x.dtype, copy=False)


# --- pooling ---------------------------------------------------------------------------------

def _pool_window(x_shape: Sequence[int], ksize: Sequence[int], strides: Sequence[int],
                 padding: str, data_format: str,
                 explicit_paddings: Sequence[int] = ()) -> Window2D:
    h = 2 if data_format == "NCHW" else 1
    return _window(x_shape, int(ksize[h]), int(ksize[h + 1]), strides, (1, 1, 1, 1), padding,
                   data_format, explicit_paddings)


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _max_and_argmax(x: np.ndarray, win: Window2D) -> tuple[np.ndarray, np.ndarray]:
    """Window maxima and the tap (i * k_w + j) of the first maximum in row-major order."""
    xp = _pad(x, win, _lowest(x.dtype))
    shape = (x.shape[0], win.out_h, win.out_w, x.shape[3])
    best = np.full(shape, _lowest(x.dtype), dtype=x.dtype)
    arg = np.zeros(shape, dtype=np.int64)
    if best.size:
        for i, j, rows, cols in _taps(win):
            v = xp[:, rows, cols, :]
            better = v > best
            best = np.where(better, v, best)
            arg = np.where(better, i * win.k_w + j, arg)
    return best, arg


def max_pool(x: Any, ksize: Sequence[int], strides: Sequence[int], padding: str,
             data_format: str = "NHWC", explicit_paddings: Sequence[int] = (),
             **_: Any) -> np.ndarray:
    x = to_nhwc(np.asarray(x), data_format)
    win = _pool_window(x.shape, ksize, strides, padding, data_format, explicit_paddings)
    best, _ = _max_and_argmax(x, win)
    return from_nhwc(best, data_format)


def max_pool_grad(orig_input: Any, orig_output: Any, grad: Any, ksize: Sequence[int],
                  strides: Sequence[int], padding: str, data_format: str = "NHWC",
                  explicit_paddings: Sequence[int] = (), **_: Any) -> np.ndarray:
    """Routes each output gradient to the first maximum of its window (as TF's CPU kernel)."""
    x = to_nhwc(np.asarray(orig_input), data_format)
    g = to_nhwc(np.asarray(grad), data_format)
    win = _pool_window(x.shape, ksize, strides, padding, data_format, explicit_paddings)
    _check_out_backprop(g, x.shape[0], win, x.shape[3], "MaxPoolGrad")
    _, arg = _max_and_argmax(x, win)
    n, h, w, c = x.shape
    ct = compute_dtype(g.dtype)
    dxp = _padded_zeros(n, h, w, c, win, ct)
    if g.size:
        gc = g.astype(ct, copy=False)
        for i, j, rows, cols in _taps(win):
            dxp[:, rows, cols, :] += np.where(arg == i * win.k_w + j, gc, 0)
    return from_nhwc(np.ascontiguousarray(_crop(dxp, h, w, win)).astype(g.dtype, copy=False),
                     data_format)


def max_pool_grad_grad(orig_input: Any, orig_output: Any, grad: Any, ksize: Sequence[int],
                       strides: Sequence[int], padding: str, data_format: str = "NHWC",
                       **_: Any) -> np.ndarray:
    """Picks, for every window, the entry of ``grad`` (input-shaped) at the window's argmax."""
    x = to_nhwc(np.asarray(orig_input), data_format)
    g = to_nhwc(np.asarray(grad), data_format)
    win = _pool_window(x.shape, ksize, strides, padding, data_format)
    _, arg = _max_and_argmax(x, win)
    gp = _pad(g, win)
    out = np.zeros(arg.shape, dtype=g.dtype)
    if out.size:
        for i, j, rows, cols in _taps(win):
            out = np.where(arg == i * win.k_w + j, gp[:, rows, cols, :], out)
    return from_nhwc(out, data_format)


def _avg_counts(h: int, w: int, win: Window2D) -> np.ndarray:
    """Number of real (unpadded) input positions in each window: shape (out_h, out_w, 1)."""
    ones = np.zeros((1, h + win.pad_top + win.pad_bottom, w + win.pad_left + win.pad_right, 1))
    ones[:, win.pad_top:win.pad_top + h, win.pad_left:win.pad_left + w] = 1
    cnt = np.zeros((1, win.out_h, win.out_w, 1))
    for _, _, rows, cols in _taps(win):
        cnt += ones[:, rows, cols, :]
    return cnt[0]


def avg_pool(x: Any, ksize: Sequence[int], strides: Sequence[int], padding: str,
             data_format: str = "NHWC", **_: Any) -> np.ndarray:
    """Mean over each window, counting only real input positions (TF's SAME behaviour)."""
    x = to_nhwc(np.asarray(x), data_format)
    win = _pool_window(x.shape, ksize, strides, padding, data_format)
    ct = compute_dtype(x.dtype)
    out = np.zeros((x.shape[0], win.out_h, win.out_w, x.shape[3]), dtype=ct)
    if out.size:
        xp = _pad(x.astype(ct, copy=False), win)
        for _, _, rows, cols in _taps(win):
            out += xp[:, rows, cols, :]
        out /= _avg_counts(x.shape[1], x.shape[2], win).astype(ct)
    return from_nhwc(out.astype(x.dtype, copy=False), data_format)


def avg_pool_grad(orig_input_shape: Any, grad: Any, ksize: Sequence[int],
                  strides: Sequence[int], padding: str, data_format: str = "NHWC",
                  **_: Any) -> np.ndarray:
    n, h, w, c = _nhwc_shape(np.asarray(orig_input_shape).reshape(-1), data_format)
    g = to_nhwc(np.asarray(grad), data_format)
    win = _pool_window((n, h, w, c), ksize, strides, padding, data_format)
    _check_out_backprop(g, n, win, c, "AvgPoolGrad")
    ct = compute_dtype(g.dtype)
    dxp = _padded_zeros(n, h, w, c, win, ct)
    if g.size:
        share = g.astype(ct, copy=False) / _avg_counts(h, w, win).astype(ct)
        for _, _, rows, cols in _taps(win):
            dxp[:, rows, cols, :] += share
    return from_nhwc(np.ascontiguousarray(_crop(dxp, h, w, win)).astype(g.dtype, copy=False),
                     data_format)
