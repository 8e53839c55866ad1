"""Datasets: ``tf.datasets.mnist`` (IDX readers, verified downloads, the evaluation split and
scikit-learn's 8x8 digits as the offline fallback)."""

from minitf.datasets import mnist

__all__ = ["mnist"]
