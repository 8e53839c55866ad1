"""Image colour ops with a dedicated TF kernel: AdjustContrastv2, RGBToHSV, HSVToRGB,
AdjustSaturation, AdjustHue (numpy references, float32 arithmetic as TF's kernels)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape

__all__: list[str] = []


def _at_least_3d(op: Any) -> list[TensorShape]:
    shape = op.inputs[0].get_shape().with_rank_at_least(3)
    for extra in op.inputs[1:]:
        extra.get_shape().with_rank(0)
    return [shape]


def _rgb_shape(op: Any) -> list[TensorShape]:
    shape = op.inputs[0].get_shape().with_rank_at_least(1)
    if shape.ndims is not None:
        last = shape.as_list()[-1]
        if last is not None and last != 3:
            raise ValueError(f"Dimension must be 3 but is {last} for '{op.name}'")
    return [shape]


def _check_3d(images: np.ndarray, factor: Any, name: str) -> None:
    if images.ndim < 3:
        raise errors.InvalidArgumentError(None, None, "input must be at least 3-D, got shape"
                                                      f"{list(images.shape)}")
    if np.ndim(factor) != 0:
        raise errors.InvalidArgumentError(None, None, f"{name} must be scalar: "
                                                      f"{list(np.shape(factor))}")


def _adjust_contrast(images: np.ndarray, contrast_factor: Any) -> np.ndarray:
    _check_3d(images, contrast_factor, "contrast_factor")
    x = images.astype(np.float32)
    mean = x.mean(axis=(-3, -2), keepdims=True, dtype=np.float32)
    out = (x - mean) * np.float32(contrast_factor) + mean
    return out.astype(images.dtype)


def _check_rgb(images: np.ndarray) -> None:
    if images.ndim < 1 or images.shape[-1] != 3:
        raise errors.InvalidArgumentError(None, None, "input must have 3 channels but input "
                                                      f"only has {images.shape[-1:]} channels.")


def rgb_to_hsv_np(images: np.ndarray) -> np.ndarray:
    _check_rgb(images)
    x = images.astype(np.float32)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    v = np.max(x, axis=-1)
    rng = v - np.min(x, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(v > 0, rng / v, np.float32(0))
        norm = np.float32(1.0) / (np.float32(6.0) * rng)
        h = np.where(r == v, norm * (g - b),
                     np.where(g == v, norm * (b - r) + np.float32(2.0 / 6.0),
                              norm * (r - g) + np.float32(4.0 / 6.0)))
    h = np.where(rng > 0, h, np.float32(0))
    h = np.where(h < 0, h + np.float32(1), h)
    return np.stack([h, s, v], axis=-1).astype(images.dtype)


def hsv_to_rgb_np(images: np.ndarray) -> np.ndarray:
    _check_rgb(images)
    x = images.astype(np.float32)
    h, s, v = x[..., 0], x[..., 1], x[..., 2]
    c = s * v
    m = v - c
    dh = h * np.float32(6)
    fmodu = np.fmod(dh, np.float32(2))
    x_ = c * (np.float32(1) - np.abs(fmodu - np.float32(1)))
    zero = np.zeros_like(c)
    conds = [(0 <= dh) & (dh < 1), (1 <= dh) & (dh < 2), (2 <= dh) & (dh < 3),
             (3 <= dh) & (dh < 4), (4 <= dh) & (dh < 5), (5 <= dh) & (dh < 6)]
    rr = np.select(conds, [c, x_, zero, zero, x_, c], zero)
    gg = np.select(conds, [x_, c, c, x_, zero, zero], zero)
    bb = np.select(conds, [zero, zero, x_, c, c, x_], zero)
    return np.stack([rr + m, gg + m, bb + m], axis=-1).astype(images.dtype)


def _adjust_saturation(images: np.ndarray, scale: Any) -> np.ndarray:
    _check_3d(images, scale, "scale")
    hsv = rgb_to_hsv_np(images.astype(np.float32))
    hsv[..., 1] = np.clip(hsv[..., 1] * np.float32(scale), 0.0, 1.0)
    return hsv_to_rgb_np(hsv).astype(images.dtype)


def _adjust_hue(images: np.ndarray, delta: Any) -> np.ndarray:
    _check_3d(images, delta, "delta")
    hsv = rgb_to_hsv_np(images.astype(np.float32))
    h = np.fmod(hsv[..., 0] + np.float32(delta), np.float32(1))
    hsv[..., 0] = np.where(h < 0, h + np.float32(1), h)
    return hsv_to_rgb_np(hsv).astype(images.dtype)


HALF_FLOAT = "T: {float16, float32} = float32"
register_op("AdjustContrastv2", inputs=["images: T", "contrast_factor: float"],
            outputs=["output: T"], attrs=[HALF_FLOAT], shape=_at_least_3d,
            reference=_adjust_contrast, doc="(x - mean over h, w) * factor + mean.")
register_op("AdjustSaturation", inputs=["images: T", "scale: float"], outputs=["output: T"],
            attrs=[HALF_FLOAT], shape=_at_least_3d, reference=_adjust_saturation,
            doc="Scales the HSV saturation of RGB images (clipped to [0, 1]).")
register_op("AdjustHue", inputs=["images: T", "delta: float"], outputs=["output: T"],
            attrs=[HALF_FLOAT], shape=_at_least_3d, reference=_adjust_hue,
            doc="Rotates the HSV hue of RGB images by `delta` (a fraction of a turn).")
register_op("RGBToHSV", inputs=["images: T"], outputs=["output: T"],
            attrs=["T: {float16, bfloat16, float32, float64} = float32"], shape=_rgb_shape,
            reference=rgb_to_hsv_np, doc="RGB in [0, 1] to HSV in [0, 1].")
register_op("HSVToRGB", inputs=["images: T"], outputs=["output: T"],
            attrs=["T: {float16, bfloat16, float32, float64} = float32"], shape=_rgb_shape,
            reference=hsv_to_rgb_np, doc="HSV in [0, 1] to RGB in [0, 1].")
for _type in ("AdjustSaturation", "AdjustHue", "HSVToRGB"):
    NotDifferentiable(_type)
from minitf.ops import image_hsv_grad  # noqa: E402, F401 - RGBToHSV's gradient


@RegisterGradient("AdjustContrastv2")
def _adjust_contrast_grad(op: Any, grad: Tensor) -> list[Any]:
    """Linear in the images: factor * g + (1 - factor) * mean(g) (TF registers none)."""
    from minitf.ops import math_ops

    images, factor = op.inputs
    f = math_ops.cast(factor, grad.dtype)
    mean_g = math_ops.reduce_mean(grad, axis=[-3, -2], keepdims=True)
    mean_x = math_ops.reduce_mean(images, axis=[-3, -2], keepdims=True)
    d_images = f * grad + (1 - f) * mean_g
    d_factor = math_ops.cast(math_ops.reduce_sum(grad * (images - mean_x)), factor.dtype)
    return [d_images, d_factor]
