"""The ``tf.layers`` namespace (TF 1.x): thin compositions of ops and ``tf.get_variable`` with
TF's variable and op names (``dense/kernel``, ``conv2d/Conv2D``, ...)."""

from minitf.layers.base import Layer
from minitf.layers.conv_variants import (
    Conv1D,
    Conv2DTranspose,
    Convolution1D,
    Convolution2DTranspose,
    SeparableConv2D,
    SeparableConvolution2D,
    conv1d,
    conv2d_transpose,
    separable_conv2d,
)
from minitf.layers.convolutional import (
    AveragePooling2D,
    AvgPool2D,
    Conv2D,
    Convolution2D,
    MaxPool2D,
    MaxPooling2D,
    average_pooling2d,
    conv2d,
    max_pooling2d,
)
from minitf.layers.core import Dense, Dropout, Flatten, dense, dropout, flatten
from minitf.layers.normalization import BatchNormalization, batch_normalization

__all__ = ["Layer", "Dense", "Dropout", "Flatten", "Conv2D", "Convolution2D", "MaxPooling2D",
           "MaxPool2D", "AveragePooling2D", "AvgPool2D", "BatchNormalization", "dense",
           "dropout", "flatten", "conv2d", "max_pooling2d", "average_pooling2d",
           "batch_normalization", "Conv1D", "Convolution1D", "Conv2DTranspose",
           "Convolution2DTranspose", "SeparableConv2D", "SeparableConvolution2D", "conv1d",
           "conv2d_transpose", "separable_conv2d"]
