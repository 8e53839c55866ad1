"""Test helpers (``tf.test``): numeric gradient checks."""

from minitf.testing.gradient_checker import compute_gradient, compute_gradient_error

__all__ = ["compute_gradient", "compute_gradient_error"]
