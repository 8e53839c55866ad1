"""``tf.image.extract_image_patches`` (the op lives in :mod:`minitf.ops.image_patches_ops`)."""

from minitf.ops.image_patches_ops import extract_image_patches

__all__ = ["extract_image_patches"]
