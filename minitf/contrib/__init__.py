"""``tf.contrib`` (TF 1.x): only ``tf.contrib.layers`` is provided."""

from minitf.contrib import layers

__all__ = ["layers"]
