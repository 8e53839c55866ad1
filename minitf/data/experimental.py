"""``tf.data.experimental``: only ``AUTOTUNE`` (accepted by ``map`` and ``prefetch``)."""

from minitf.data.dataset import AUTOTUNE

__all__ = ["AUTOTUNE"]
