"""Cases for the image ops (minitf/ops/image_*.py, registered by ``import minitf.image``).

Ops with a float32-only output get float64 inputs of magnitude ~1e-4 and a cast back to
float64, so that the numeric gradient's 1e-6 step is resolved (as the Cast case does)."""

import numpy as np

import minitf as tf
import minitf.image  # noqa: F401 - registers the image op types
from minitf.framework.op_def_library import apply_op
from tests.ops.cases import case, placeholder64, rand

SMALL = 1e-4


def _resize(op_type, size=(5, 7), **attrs):
    x = placeholder64([2, 4, 3, 2])
    out = apply_op(op_type, images=x, size=list(size), **attrs)
    if out.dtype != tf.float64:
        out = tf.cast(out, tf.float64)
    return out, {x: rand(2, 4, 3, 2) * SMALL}


@case("ResizeBilinear", tol=1e-3)
def resize_bilinear():
    return _resize("ResizeBilinear")


@case("ResizeBilinear", tol=1e-3)
def resize_bilinear_half_pixel():
    return _resize("ResizeBilinear", size=(2, 5), half_pixel_centers=True)


@case("ResizeNearestNeighbor")
def resize_nearest():
    return _resize("ResizeNearestNeighbor", align_corners=True)


@case("ResizeBicubic", tol=1e-3)
def resize_bicubic():
    return _resize("ResizeBicubic", size=(6, 2))


@case("ResizeArea", grad=False)
def resize_area():
    return _resize("ResizeArea", size=(3, 2))


@case("ResizeBilinearGrad", grad=False)
def resize_bilinear_grad():
    g, x = tf.placeholder(tf.float32, [2, 5, 7, 2]), placeholder64([2, 4, 3, 2])
    out = apply_op("ResizeBilinearGrad", grads=g, original_image=x, align_corners=True)
    return out, {g: rand(2, 5, 7, 2), x: rand(2, 4, 3, 2)}


@case("ResizeBicubicGrad", grad=False)
def resize_bicubic_grad():
    g, x = tf.placeholder(tf.float32, [1, 6, 2, 2]), placeholder64([1, 4, 3, 2])
    out = apply_op("ResizeBicubicGrad", grads=g, original_image=x)
    return out, {g: rand(1, 6, 2, 2), x: rand(1, 4, 3, 2)}


@case("ResizeNearestNeighborGrad")
def resize_nearest_grad():
    g = placeholder64([2, 5, 7, 2])
    return apply_op("ResizeNearestNeighborGrad", grads=g, size=[4, 3]), {g: rand(2, 5, 7, 2)}


def _float32_op(fn, shape=(2, 4, 5, 3), value=None):
    x = placeholder64(list(shape))
    out = tf.cast(fn(tf.cast(x, tf.float32)), tf.float64)
    return out, {x: rand(*shape) * SMALL if value is None else value}


@case("AdjustContrastv2", tol=1e-3)
def adjust_contrast():
    return _float32_op(lambda x: apply_op("AdjustContrastv2", images=x, contrast_factor=1.7))


def _rgb(shape=(2, 3, 4, 3)):
    return np.random.default_rng(5).uniform(0.05, 0.95, shape)


@case("AdjustSaturation", grad=False)
def adjust_saturation():
    return _float32_op(lambda x: apply_op("AdjustSaturation", images=x, scale=0.6),
                       shape=(2, 3, 4, 3), value=_rgb())


@case("AdjustHue", grad=False)
def adjust_hue():
    return _float32_op(lambda x: apply_op("AdjustHue", images=x, delta=-0.3),
                       shape=(2, 3, 4, 3), value=_rgb())


@case("RGBToHSV", grad=False)  # TF's hue gradient formula is not exact (tests/image)
def rgb_to_hsv():
    x = placeholder64([2, 5, 3])
    return tf.image.rgb_to_hsv(x), {x: _rgb((2, 5, 3))}


@case("HSVToRGB", grad=False)
def hsv_to_rgb():
    x = placeholder64([2, 5, 3])
    return tf.image.hsv_to_rgb(x), {x: _rgb((2, 5, 3))}


@case("ExtractImagePatches")
def extract_image_patches():
    x = placeholder64([2, 5, 6, 2])
    out = tf.extract_image_patches(x, [1, 2, 3, 1], [1, 2, 1, 1], [1, 1, 2, 1], "SAME")
    return out, {x: rand(2, 5, 6, 2)}
