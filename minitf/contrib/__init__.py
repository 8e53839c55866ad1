"""``tf.contrib`` (TF 1.x): only ``tf.contrib.layers`` and ``tf.contrib.rnn`` are provided."""

from minitf.contrib import layers, rnn

__all__ = ["layers", "rnn"]
