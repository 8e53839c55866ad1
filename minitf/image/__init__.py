"""``tf.image``: resizing, colour adjustment, flips, crops and pads of images, TF 1.x style.

Images are ``[height, width, channels]`` or batches ``[batch, height, width, channels]``.
Decoding/encoding (PNG, JPEG) is not provided; see docs/notes/image.md.
"""

from minitf.image.color import *  # noqa: F403
from minitf.image.geometry import *  # noqa: F403
from minitf.image.patches import extract_image_patches
from minitf.image.resize import ResizeMethod, resize, resize_images
from minitf.ops.image_resize_ops import (
    resize_area,
    resize_bicubic,
    resize_bilinear,
    resize_nearest_neighbor,
)
from minitf.ops.random_ops import random_crop

__all__ = [  # noqa: F405
    "ResizeMethod", "resize", "resize_images", "resize_area", "resize_bicubic",
    "resize_bilinear", "resize_nearest_neighbor", "random_crop", "extract_image_patches",
    "convert_image_dtype", "per_image_standardization", "adjust_brightness", "adjust_contrast",
    "adjust_gamma", "adjust_saturation", "adjust_hue", "random_brightness", "random_contrast",
    "random_saturation", "random_hue", "rgb_to_grayscale", "grayscale_to_rgb", "rgb_to_hsv",
    "hsv_to_rgb", "flip_left_right", "flip_up_down", "random_flip_left_right",
    "random_flip_up_down", "transpose_image", "transpose", "rot90", "central_crop",
    "pad_to_bounding_box", "crop_to_bounding_box", "resize_image_with_crop_or_pad",
    "resize_with_crop_or_pad",
]
