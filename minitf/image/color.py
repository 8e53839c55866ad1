"""Pixel-value functions: convert_image_dtype, per_image_standardization, brightness, contrast,
gamma, saturation, hue, grayscale and HSV conversions (TF 1.x's ``image_ops_impl``)."""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.image._checks import assert_, assert_at_least_3d, check_grayscale
from minitf.ops import image_color_ops  # noqa: F401 - registers the colour ops

__all__ = ["convert_image_dtype", "per_image_standardization", "adjust_brightness",
           "adjust_contrast", "adjust_gamma", "adjust_saturation", "adjust_hue",
           "random_brightness", "random_contrast", "random_saturation", "random_hue",
           "rgb_to_grayscale", "grayscale_to_rgb", "rgb_to_hsv", "hsv_to_rgb"]

_HALF_FLOAT = (dtypes.float16, dtypes.float32)


def _math() -> Any:
    from minitf.ops import array_ops, math_ops

    return array_ops, math_ops


def convert_image_dtype(image: Any, dtype: Any, saturate: bool = False,
                        name: str | None = None) -> Tensor:
    """Converts between dtypes, rescaling: floats in [0, 1), integers in [0, MAX]."""
    array_ops, math_ops = _math()
    image = convert_to_tensor(image, name="image")
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating and not dtype.is_integer:
        raise AttributeError("dtype must be either floating point or integer")
    if not image.dtype.is_floating and not image.dtype.is_integer:
        raise AttributeError("image dtype must be either floating point or integer")
    if dtype == image.dtype:
        return array_ops.identity(image, name=name)
    with name_scope(name, "convert_image", [image]) as name:
        src = image.dtype
        if src.is_integer and dtype.is_integer:
            scale_in, scale_out = src.max, dtype.max
            if scale_in > scale_out:
                scaled = math_ops.floordiv(image, (scale_in + 1) // (scale_out + 1))
                cast = math_ops.saturate_cast if saturate else math_ops.cast
                return cast(scaled, dtype, name=name)
            cast = (math_ops.saturate_cast if saturate else math_ops.cast)(image, dtype)
            return math_ops.multiply(cast, (scale_out + 1) // (scale_in + 1), name=name)
        if src.is_floating and dtype.is_floating:
            return math_ops.cast(image, dtype, name=name)
        if src.is_integer:
            cast = math_ops.cast(image, dtype)
            return math_ops.multiply(cast, 1.0 / src.max, name=name)
        scaled = math_ops.multiply(image, dtype.max + 0.5)
        cast = math_ops.saturate_cast if saturate else math_ops.cast
        return cast(scaled, dtype, name=name)


def per_image_standardization(image: Any) -> Tensor:
    """(x - mean) / max(stddev, 1/sqrt(num_pixels)) per image, as float32."""
    array_ops, math_ops = _math()
    from minitf.api.math import reduce_std

    with name_scope(None, "per_image_standardization", [image]) as scope:
        image = assert_at_least_3d(convert_to_tensor(image, name="image"))
        image = math_ops.cast(image, dtype=dtypes.float32)
        num_pixels = math_ops.reduce_prod(array_ops.shape(image)[-3:])
        mean = math_ops.reduce_mean(image, axis=[-1, -2, -3], keepdims=True)
        stddev = reduce_std(image, axis=[-1, -2, -3], keepdims=True)
        min_stddev = math_ops.rsqrt(math_ops.cast(num_pixels, dtypes.float32))
        adjusted = math_ops.maximum(stddev, min_stddev)
        image -= mean
        return math_ops.divide(image, adjusted, name=scope)


def _as_float(image: Tensor) -> Tensor:
    return image if image.dtype in _HALF_FLOAT else convert_image_dtype(image, dtypes.float32)


def adjust_brightness(image: Any, delta: Any) -> Tensor:
    """Adds ``delta`` (in [0, 1) units) to every pixel."""
    _, math_ops = _math()
    with name_scope(None, "adjust_brightness", [image, delta]) as name:
        image = convert_to_tensor(image, name="image")
        flt = _as_float(image)
        adjusted = math_ops.add(flt, math_ops.cast(delta, flt.dtype), name=name)
        return convert_image_dtype(adjusted, image.dtype, saturate=True)


def adjust_contrast(images: Any, contrast_factor: Any) -> Tensor:
    """``(x - mean) * contrast_factor + mean`` per image and channel (AdjustContrastv2)."""
    with name_scope(None, "adjust_contrast", [images, contrast_factor]) as name:
        images = convert_to_tensor(images, name="images")
        adjusted = apply_op("AdjustContrastv2", name=name, images=_as_float(images),
                            contrast_factor=contrast_factor)
        return convert_image_dtype(adjusted, images.dtype, saturate=True)


def adjust_gamma(image: Any, gamma: Any = 1, gain: Any = 1) -> Tensor:
    """``gain * image ** gamma`` (values in [0, 1] for float images)."""
    from minitf.ops import control_flow_ops

    with name_scope(None, "adjust_gamma", [image, gamma, gain]):
        image = convert_to_tensor(image, name="image")
        flt = _as_float(image)
        checks = assert_(gamma >= 0, ValueError, "Gamma should be a non-negative real number.")
        if checks:
            gamma = control_flow_ops.with_dependencies(checks, gamma)
        adjusted = gain * flt ** gamma
        return convert_image_dtype(adjusted, image.dtype, saturate=True)


def adjust_saturation(image: Any, saturation_factor: Any, name: str | None = None) -> Tensor:
    """Scales the HSV saturation of RGB images (AdjustSaturation)."""
    with name_scope(name, "adjust_saturation", [image]):
        image = convert_to_tensor(image, name="image")
        adjusted = apply_op("AdjustSaturation", images=_as_float(image),
                            scale=saturation_factor)
        return convert_image_dtype(adjusted, image.dtype)


def adjust_hue(image: Any, delta: Any, name: str | None = None) -> Tensor:
    """Rotates the hue of RGB images by ``delta`` in [-1, 1] (AdjustHue)."""
    with name_scope(name, "adjust_hue", [image]):
        image = convert_to_tensor(image, name="image")
        adjusted = apply_op("AdjustHue", images=_as_float(image), delta=delta)
        return convert_image_dtype(adjusted, image.dtype)


def _uniform(lower: Any, upper: Any, seed: int | None) -> Tensor:
    from minitf.ops.random_ops import random_uniform

    return random_uniform([], lower, upper, seed=seed)


def random_brightness(image: Any, max_delta: float, seed: int | None = None) -> Tensor:
    """adjust_brightness by a delta uniform in [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, _uniform(-max_delta, max_delta, seed))


def random_contrast(image: Any, lower: float, upper: float, seed: int | None = None) -> Tensor:
    """adjust_contrast by a factor uniform in [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_contrast(image, _uniform(lower, upper, seed))


def random_saturation(image: Any, lower: float, upper: float, seed: int | None = None) -> Tensor:
    """adjust_saturation by a factor uniform in [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_saturation(image, _uniform(lower, upper, seed))


def random_hue(image: Any, max_delta: float, seed: int | None = None) -> Tensor:
    """adjust_hue by a delta uniform in [-max_delta, max_delta); max_delta in [0, 0.5]."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, _uniform(-max_delta, max_delta, seed))


def rgb_to_grayscale(images: Any, name: str | None = None) -> Tensor:
    """Weighted sum 0.2989 R + 0.5870 G + 0.1140 B, keeping a size-1 channel axis."""
    array_ops, math_ops = _math()
    from minitf.ops.math_linalg_ops import tensordot

    with name_scope(name, "rgb_to_grayscale", [images]) as name:
        images = convert_to_tensor(images, name="images")
        flt = convert_image_dtype(images, dtypes.float32)
        gray = tensordot(flt, [0.2989, 0.5870, 0.1140], [-1, -1])
        gray = array_ops.expand_dims(gray, -1)
        return convert_image_dtype(gray, images.dtype, name=name)


def grayscale_to_rgb(images: Any, name: str | None = None) -> Tensor:
    """Repeats the single channel three times."""
    array_ops, _ = _math()
    from minitf.ops import control_flow_ops

    with name_scope(name, "grayscale_to_rgb", [images]) as name:
        images = convert_to_tensor(images, name="images")
        images = control_flow_ops.with_dependencies(check_grayscale(images), images)
        rank_1 = array_ops.expand_dims(array_ops.rank(images) - 1, 0)
        multiples = array_ops.concat([array_ops.ones(rank_1, dtype=dtypes.int32),
                                      array_ops.expand_dims(3, 0)], 0)
        rgb = array_ops.tile(images, multiples, name=name)
        rgb.set_shape(images.get_shape()[:-1].concatenate([3]))
        return rgb


def rgb_to_hsv(images: Any, name: str | None = None) -> Tensor:
    """RGB in [0, 1] to HSV in [0, 1] (RGBToHSV)."""
    return apply_op("RGBToHSV", name=name, images=images)


def hsv_to_rgb(images: Any, name: str | None = None) -> Tensor:
    """HSV in [0, 1] to RGB in [0, 1] (HSVToRGB)."""
    return apply_op("HSVToRGB", name=name, images=images)
