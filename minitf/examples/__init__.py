"""Runnable examples and TF1's ``tensorflow.examples`` tree (``tutorials.mnist.input_data``).

``python -m minitf.examples.mnist`` trains a handwritten-digit classifier end to end.
"""
