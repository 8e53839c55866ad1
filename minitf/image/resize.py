"""``tf.image.resize_images`` (TF 1.x: ``ResizeMethod`` integer constants, ``align_corners``,
no half-pixel centers) over the resize ops of :mod:`minitf.ops.image_resize_ops`."""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.constant_value import constant_value_as_shape
from minitf.framework.graph import name_scope
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.image._checks import image_dimensions
from minitf.ops import image_resize_ops as ops

__all__ = ["ResizeMethod", "resize_images", "resize"]


class ResizeMethod:
    """TF 1.x's resize method constants (``tf.image.ResizeMethod``)."""

    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


_BY_METHOD = {
    ResizeMethod.BILINEAR: ops.resize_bilinear, "bilinear": ops.resize_bilinear,
    ResizeMethod.NEAREST_NEIGHBOR: ops.resize_nearest_neighbor,
    "nearest": ops.resize_nearest_neighbor,
    ResizeMethod.BICUBIC: ops.resize_bicubic, "bicubic": ops.resize_bicubic,
    ResizeMethod.AREA: ops.resize_area, "area": ops.resize_area,
}


def _aspect_size(images: Tensor, size: Tensor) -> Tensor:
    from minitf.ops import array_ops, math_ops

    _, height, width, _ = image_dimensions(images, rank=4)
    f32 = dtypes.float32
    scale = math_ops.minimum(math_ops.cast(size[0], f32) / math_ops.cast(height, f32),
                             math_ops.cast(size[1], f32) / math_ops.cast(width, f32))
    new_h = math_ops.cast(math_ops.round(scale * math_ops.cast(height, f32)), dtypes.int32)
    new_w = math_ops.cast(math_ops.round(scale * math_ops.cast(width, f32)), dtypes.int32)
    return array_ops.stack([new_h, new_w], name="size")


def resize_images(images: Any, size: Any, method: Any = ResizeMethod.BILINEAR,
                  align_corners: bool = False, preserve_aspect_ratio: bool = False,
                  name: str | None = None) -> Tensor:
    """Resizes ``[h, w, c]`` or ``[n, h, w, c]`` images to ``size = [new_h, new_w]``.

    Bilinear, bicubic and area give float32; nearest keeps the dtype. A static size equal to
    the image's returns the images unchanged (as TF)."""
    from minitf.ops import array_ops

    if method not in _BY_METHOD:
        raise ValueError(f"Resize method is not implemented: {method}")
    with name_scope(name, "resize", [images, size]):
        images = convert_to_tensor(images, name="images")
        if images.get_shape().ndims is None:
            raise ValueError("'images' contains no shape.")
        is_batch = images.get_shape().ndims == 4
        if images.get_shape().ndims == 3:
            images = array_ops.expand_dims(images, 0)
        elif not is_batch:
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        _, height, width, _ = images.get_shape().as_list()
        try:
            size = convert_to_tensor(size, dtypes.int32, name="size")
        except (TypeError, ValueError):
            raise ValueError("'size' must be a 1-D int32 Tensor") from None
        if not size.get_shape().is_compatible_with([2]):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        if preserve_aspect_ratio:
            size = _aspect_size(images, size)
        new_h, new_w = constant_value_as_shape(size).as_list()
        if (new_h, new_w) == (height, width) and height is not None and width is not None:
            return images if is_batch else array_ops.squeeze(images, axis=[0])
        images = _BY_METHOD[method](images, size, align_corners=align_corners)
        images.set_shape([None, new_h, new_w, None])
        return images if is_batch else array_ops.squeeze(images, axis=[0])


resize = resize_images
