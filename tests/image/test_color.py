"""Differential tests of the pixel-value functions against TensorFlow: convert_image_dtype
(every integer/float pair, saturate), per_image_standardization, brightness, contrast, gamma,
saturation, hue, grayscale and HSV conversions (values, dtypes, shapes, names, gradients)."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from tests.ops.test_nn_ops import check_both

pytestmark = pytest.mark.tf

DTYPES = [np.uint8, np.uint16, np.int8, np.int16, np.int32, np.float16, np.float32,
          np.float64]


def _img(dtype, shape=(2, 4, 5, 3), seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return rng.uniform(0, 1, shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -1000), min(info.max, 100000), shape).astype(dtype)


@pytest.mark.parametrize("src", DTYPES)
@pytest.mark.parametrize("dst", DTYPES)
@pytest.mark.parametrize("saturate", [False, True])
def test_convert_image_dtype(tfv1, src, dst, saturate):
    x = _img(src)
    if np.dtype(src).kind == "f" and saturate:
        x = (x * 1.4 - 0.2).astype(src)  # out of [0, 1]: saturation matters
    tol = 1e-3 if np.float16 in (src, dst) else 1e-6
    check_both(tfv1, lambda m, a: m.image.convert_image_dtype(a, m.as_dtype(dst),
                                                               saturate=saturate),
               x, grads=False, rtol=tol, atol=tol)


def test_convert_image_dtype_names_and_errors(tfv1):
    def build(m, a):
        return [m.image.convert_image_dtype(a, m.float32, name="c"),
                m.image.convert_image_dtype(a, m.uint8, name="same")]

    check_both(tfv1, build, _img(np.uint8), grads=False)
    for m in (mtf, tfv1):
        with pytest.raises(AttributeError):
            m.image.convert_image_dtype(m.zeros([2, 2, 1]), m.string)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(4, 5, 3), (2, 4, 5, 3), (3, 1, 1, 1)])
def test_per_image_standardization(tfv1, dtype, shape):
    x = _img(dtype, shape)
    # 1x1x1 images: TF's SqrtGrad returns 0 for a zero incoming gradient, minitf's gives nan
    grads = np.dtype(dtype).kind == "f" and shape != (3, 1, 1, 1)
    check_both(tfv1, lambda m, a: m.image.per_image_standardization(a), x, rtol=1e-5,
               atol=1e-5, grad_rtol=1e-3, grad_atol=1e-3, grads=grads)


def test_per_image_standardization_unknown_dims(tfv1):
    check_both(tfv1, lambda m, a: m.image.per_image_standardization(a), _img(np.float32),
               shapes=[[None, None, None, 3]], rtol=1e-5, atol=1e-5, grad_rtol=1e-3,
               grad_atol=1e-3)


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.float16, np.float32, np.float64])
def test_adjust_brightness_contrast_gamma(tfv1, dtype):
    x = _img(dtype)
    tol = 1e-2 if dtype == np.float16 else 1e-5

    def build(m, a):
        out = [m.image.adjust_brightness(a, 0.2), m.image.adjust_brightness(a, -0.3),
               m.image.adjust_gamma(a, 0.6, 1.1), m.image.adjust_gamma(a, 2)]
        if dtype != np.float16:  # TF has no CPU AdjustContrastv2 kernel for half
            out += [m.image.adjust_contrast(a, 1.7), m.image.adjust_contrast(a, 0.4)]
        return out

    # uint8: TF rounds float results with the same formula; ties may fall on either side
    if np.dtype(dtype).kind in "iu":
        def compare(i, a, b):
            assert np.max(np.abs(a.astype(np.int64) - b.astype(np.int64))) <= 1
        check_both(tfv1, build, x, compare=compare, grads=False)
    else:
        # TF registers no gradient for AdjustContrastv2 (minitf does: checked below)
        check_both(tfv1, build, x, rtol=tol, atol=tol, grad_rtol=1e-3, grad_atol=1e-3,
                   grads=False)


def test_adjust_contrast_tensor_factor_and_grad(tfv1):
    def build(m, a, f):
        return m.image.adjust_contrast(a, f)

    x = _img(np.float32, (4, 5, 3))
    check_both(tfv1, build, x, np.float32(1.5), grads=False, rtol=1e-5, atol=1e-5)
    a = mtf.placeholder(mtf.float64, [4, 5, 3])
    f = mtf.placeholder(mtf.float32, [])
    y = mtf.cast(mtf.image.adjust_contrast(mtf.cast(a, mtf.float32), f), mtf.float64)
    with mtf.Session():
        err = mtf.test.compute_gradient_error(a, [4, 5, 3], y, [4, 5, 3],
                                              x_init_value=x.astype(np.float64), delta=0.25,
                                              extra_feed_dict={f: 1.5})
    assert err < 1e-5


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_grayscale(tfv1, dtype):
    x = _img(dtype)
    tol = 1e-6

    def build(m, a):
        gray = m.image.rgb_to_grayscale(a)
        return [gray, m.image.grayscale_to_rgb(gray)]

    grads = dtype == np.float32
    check_both(tfv1, build, x, rtol=tol, atol=tol, grad_rtol=1e-4, grad_atol=1e-4, grads=grads)
    check_both(tfv1, build, x[0], shapes=[[None, None, 3]], rtol=tol, atol=tol,
               grad_rtol=1e-4, grad_atol=1e-4, grads=grads)


def test_grayscale_errors(tfv1):
    for m in (mtf, tfv1):
        with pytest.raises(ValueError, match="size 1"):
            m.image.grayscale_to_rgb(m.zeros([4, 5, 3]))
        with pytest.raises(ValueError, match="two-dimensional"):
            m.image.grayscale_to_rgb(m.zeros([1]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_hsv_roundtrip(tfv1, dtype):
    x = _img(dtype)
    x[0, 0, 0] = [0.5, 0.5, 0.5]  # grey: zero saturation
    x[0, 0, 1] = [0.0, 0.0, 0.0]

    def build(m, a):
        hsv = m.image.rgb_to_hsv(a)
        return [hsv, m.image.hsv_to_rgb(hsv)]

    check_both(tfv1, build, x, grads=False, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
@pytest.mark.parametrize("factor", [0.0, 0.5, 2.0])
def test_adjust_saturation_hue(tfv1, dtype, factor):
    x = _img(dtype)

    def build(m, a):
        return [m.image.adjust_saturation(a, factor), m.image.adjust_hue(a, factor / 4 - 0.2)]

    if dtype == np.uint8:
        def compare(i, a, b):
            assert np.max(np.abs(a.astype(np.int64) - b.astype(np.int64))) <= 1
        check_both(tfv1, build, x, compare=compare, names=False, grads=False)
    else:
        check_both(tfv1, build, x, grads=False, rtol=1e-5, atol=1e-5)


def test_color_rank_errors(tfv1):
    for m in (mtf, tfv1):
        with pytest.raises(ValueError):
            m.image.adjust_contrast(m.zeros([4, 5]), 2.0)
        with pytest.raises(ValueError):
            m.image.rgb_to_hsv(m.zeros([4, 5, 2]))
        with pytest.raises(ValueError):
            m.image.per_image_standardization(m.zeros([4, 5]))
        with pytest.raises(ValueError):
            m.image.adjust_gamma(m.zeros([4, 5, 3]), -1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rgb_to_hsv_gradient_matches_tf(tfv1, dtype):
    x = _img(dtype, (3, 4, 3), seed=4) * 0.9 + 0.05
    x[0, 0] = [0.5, 0.5, 0.2]  # ties between channels
    x[0, 1] = [0.3, 0.3, 0.3]
    check_both(tfv1, lambda m, a: m.image.rgb_to_hsv(a), x, rtol=1e-5, atol=1e-5,
               grad_rtol=1e-4, grad_atol=1e-4)
