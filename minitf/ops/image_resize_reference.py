"""Numpy references of TF's image resize kernels (ResizeBilinear, ResizeNearestNeighbor,
ResizeBicubic, ResizeArea and their gradients).

Every resize is separable: one weight matrix per spatial axis (``out x in``), built with TF's
float32 coordinate arithmetic (legacy or half-pixel scalers, TF's bicubic coefficient table),
applied in float64 and cast once. The gradients apply the transposed matrices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import errors

_F = np.float32
_TABLE = 1024


def resize_scale(in_size: int, out_size: int, align_corners: bool) -> np.float32:
    """TF's CalculateResizeScale (float32)."""
    if align_corners and out_size > 1:
        return _F(in_size - 1) / _F(out_size - 1)
    return _F(in_size) / _F(out_size)


def check_sizes(images: np.ndarray, size: Any) -> tuple[int, int]:
    """TF's ImageResizerState checks; the new (height, width)."""
    size = np.asarray(size).reshape(-1)
    if images.ndim != 4:
        raise errors.InvalidArgumentError(None, None,
                                          f"input must be 4-dimensional{list(images.shape)}")
    if size.size != 2:
        raise errors.InvalidArgumentError(None, None, "shape_t must have two elements "
                                                      f"{list(size.shape)}")
    if images.shape[1] <= 0 or images.shape[2] <= 0:
        raise errors.InvalidArgumentError(None, None, "input image must be of non-zero size")
    h, w = int(size[0]), int(size[1])
    if h <= 0 or w <= 0:
        raise errors.InvalidArgumentError(None, None, "output dimensions must be positive")
    return h, w


def _scaled(out_size: int, scale: np.float32, half_pixel: bool, shift: float) -> np.ndarray:
    i = np.arange(out_size, dtype=_F)
    if half_pixel:
        return (i + _F(0.5)) * scale - _F(shift)
    return i * scale


def bilinear_weights(in_size: int, out_size: int, align_corners: bool,
                     half_pixel_centers: bool) -> np.ndarray:
    scale = resize_scale(in_size, out_size, align_corners)
    pos = _scaled(out_size, scale, half_pixel_centers, 0.5)
    low_f = np.floor(pos)
    lower = np.maximum(low_f.astype(np.int64), 0)
    upper = np.minimum(np.ceil(pos).astype(np.int64), in_size - 1)
    lerp = (pos - low_f).astype(np.float64)
    w = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    np.add.at(w, (rows, lower), 1.0 - lerp)
    np.add.at(w, (rows, upper), lerp)
    return w


def _round_half_away(x: np.ndarray) -> np.ndarray:
    r = np.floor(x)
    return r + (x - r >= _F(0.5))


def nearest_indices(in_size: int, out_size: int, align_corners: bool,
                    half_pixel_centers: bool) -> np.ndarray:
    scale = resize_scale(in_size, out_size, align_corners)
    pos = _scaled(out_size, scale, half_pixel_centers, 0.0)
    idx = _round_half_away(pos) if align_corners else np.floor(pos)
    idx = np.minimum(idx.astype(np.int64), in_size - 1)
    return np.maximum(idx, 0) if half_pixel_centers else idx


def _coeffs_table(a: float) -> np.ndarray:
    x = (np.arange(_TABLE + 1, dtype=np.float64) / _TABLE).astype(_F)
    a = _F(a)
    table = np.empty((_TABLE + 1, 2), dtype=_F)
    table[:, 0] = ((a + _F(2)) * x - (a + _F(3))) * x * x + _F(1)
    x1 = x + _F(1)
    table[:, 1] = ((a * x1 - _F(5) * a) * x1 + _F(8) * a) * x1 - _F(4) * a
    return table


def bicubic_weights(in_size: int, out_size: int, align_corners: bool,
                    half_pixel_centers: bool) -> np.ndarray:
    table = _coeffs_table(-0.5 if half_pixel_centers else -0.75)
    scale = resize_scale(in_size, out_size, align_corners)
    pos = _scaled(out_size, scale, half_pixel_centers, 0.5)
    w = np.zeros((out_size, in_size))
    for o in range(out_size):
        loc = int(np.floor(pos[o]))
        off = int(np.rint(_F(pos[o] - _F(loc)) * _F(_TABLE)))
        ws = [table[off, 1], table[off, 0], table[_TABLE - off, 0], table[_TABLE - off, 1]]
        idx = [loc - 1, loc, loc + 1, loc + 2]
        bounded = [min(in_size - 1, max(0, i)) for i in idx]
        if half_pixel_centers:
            ws = [wt if b == i else _F(0) for wt, b, i in zip(ws, bounded, idx)]
            total = _F(sum(ws, _F(0)))
            if abs(total) >= 1000.0 * np.finfo(_F).tiny:
                ws = [wt / total for wt in ws]
        for wt, b in zip(ws, bounded):
            w[o, b] += float(wt)
    return w


def area_weights(in_size: int, out_size: int, align_corners: bool) -> np.ndarray:
    """TF's ResizeArea cell overlaps along one axis, divided by the axis scale."""
    scale = resize_scale(in_size, out_size, align_corners)
    w = np.zeros((out_size, in_size))
    if scale == 0:  # one input pixel with align_corners: TF copies it
        w[:, 0] = 1.0
        return w

    def part(v: int, lo: np.float32, hi: np.float32) -> float:
        if v < lo:
            return float(scale if v + 1 > hi else v + 1 - lo)
        return float(hi - v if v + 1 > hi else 1.0)

    for o in range(out_size):
        lo, hi = _F(o) * scale, _F(o + 1) * scale
        start, end = int(np.floor(lo)), int(np.ceil(hi))
        for i in range(start, end):
            s = part(start, lo, hi) if i == start else \
                part(end - 1, lo, hi) if i == end - 1 else 1.0
            w[o, min(i, in_size - 1)] += s
    return w / float(scale)


def apply_weights(x: np.ndarray, wh: np.ndarray, ww: np.ndarray) -> np.ndarray:
    """``wh @ x @ ww.T`` over the spatial axes of an NHWC array (float64)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.tensordot(wh, x, axes=([1], [1]))           # [oh, n, w, c]
    y = np.tensordot(ww, y, axes=([1], [2]))           # [ow, oh, n, c]
    return np.ascontiguousarray(y.transpose(2, 1, 0, 3))


def _resize(weights: Any, images: np.ndarray, size: Any, align_corners: bool,
            half_pixel_centers: bool) -> np.ndarray:
    h, w = check_sizes(images, size)
    _, ih, iw, _ = images.shape
    wh = weights(ih, h, align_corners, half_pixel_centers)
    ww = weights(iw, w, align_corners, half_pixel_centers)
    return apply_weights(images, wh, ww).astype(np.float32)


def resize_bilinear(images: np.ndarray, size: Any, align_corners: bool = False,
                    half_pixel_centers: bool = False) -> np.ndarray:
    return _resize(bilinear_weights, images, size, align_corners, half_pixel_centers)


def resize_bicubic(images: np.ndarray, size: Any, align_corners: bool = False,
                   half_pixel_centers: bool = False) -> np.ndarray:
    return _resize(bicubic_weights, images, size, align_corners, half_pixel_centers)


def resize_area(images: np.ndarray, size: Any, align_corners: bool = False) -> np.ndarray:
    return _resize(lambda i, o, a, _: area_weights(i, o, a), images, size, align_corners, False)


def resize_nearest_neighbor(images: np.ndarray, size: Any, align_corners: bool = False,
                            half_pixel_centers: bool = False) -> np.ndarray:
    h, w = check_sizes(images, size)
    _, ih, iw, _ = images.shape
    rows = nearest_indices(ih, h, align_corners, half_pixel_centers)
    cols = nearest_indices(iw, w, align_corners, half_pixel_centers)
    return np.ascontiguousarray(images[:, rows][:, :, cols])


def _grad(weights: Any, grads: np.ndarray, original_image: np.ndarray, align_corners: bool,
          half_pixel_centers: bool) -> np.ndarray:
    _, ih, iw, _ = original_image.shape
    _, oh, ow, _ = grads.shape
    wh = weights(ih, oh, align_corners, half_pixel_centers)
    ww = weights(iw, ow, align_corners, half_pixel_centers)
    return apply_weights(grads, wh.T, ww.T).astype(original_image.dtype)


def resize_bilinear_grad(grads: np.ndarray, original_image: np.ndarray,
                         align_corners: bool = False,
                         half_pixel_centers: bool = False) -> np.ndarray:
    return _grad(bilinear_weights, grads, original_image, align_corners, half_pixel_centers)


def resize_bicubic_grad(grads: np.ndarray, original_image: np.ndarray,
                        align_corners: bool = False,
                        half_pixel_centers: bool = False) -> np.ndarray:
    return _grad(bicubic_weights, grads, original_image, align_corners, half_pixel_centers)


def resize_nearest_neighbor_grad(grads: np.ndarray, size: Any, align_corners: bool = False,
                                 half_pixel_centers: bool = False) -> np.ndarray:
    size = np.asarray(size).reshape(-1)
    if grads.ndim != 4 or size.size != 2:
        raise errors.InvalidArgumentError(None, None, "grads must be 4-dimensional and size "
                                                      "must have two elements")
    h, w = int(size[0]), int(size[1])
    if h <= 0 or w <= 0:
        raise errors.InvalidArgumentError(None, None, "output dimensions must be positive")
    n, gh, gw, c = grads.shape
    rows = nearest_indices(h, gh, align_corners, half_pixel_centers)
    cols = nearest_indices(w, gw, align_corners, half_pixel_centers)
    out = np.zeros((n, h, w, c), dtype=grads.dtype)
    np.add.at(out, (slice(None), rows[:, None], cols[None, :]), grads)
    return out
