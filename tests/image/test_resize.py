"""Differential tests of the resize ops and ``tf.image.resize_images`` against TensorFlow:
values for every method / align_corners / half_pixel_centers, dtypes, static shapes (unknown
dims too), op names, gradients (ResizeBilinearGrad, ResizeNearestNeighborGrad,
ResizeBicubicGrad) and build/run-time errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from minitf.framework import errors
from tests.ops.test_nn_ops import check_both

pytestmark = pytest.mark.tf

SIZES = [((4, 5), (7, 3)), ((3, 3), (9, 9)), ((7, 6), (2, 5)), ((1, 4), (3, 1)),
         ((6, 9), (4, 11))]
RAW = ["resize_bilinear", "resize_nearest_neighbor", "resize_bicubic", "resize_area"]
# (align_corners, half_pixel_centers); TF rejects both true
MODES = [(False, False), (True, False), (False, True)]


def _img(h, w, n=2, c=3, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (n, h, w, c)).astype(dtype)


# ResizeArea has no half_pixel_centers
RAW_MODES = [(fn, mode) for fn in RAW for mode in MODES if not (fn == "resize_area" and mode[1])]


@pytest.mark.parametrize(("fn", "mode"), RAW_MODES)
@pytest.mark.parametrize("sizes", SIZES)
def test_raw_resize_values(tfv1, fn, mode, sizes):
    (ih, iw), out = sizes
    align, half = mode
    kw = {"align_corners": align} if fn == "resize_area" else \
        {"align_corners": align, "half_pixel_centers": half}
    # bicubic: TF's float32 sums differ by a few ulp of 255
    tol = 3e-4 if fn == "resize_bicubic" else 5e-5
    check_both(tfv1, lambda m, a: getattr(m.image, fn)(a, list(out), **kw), _img(ih, iw),
               rtol=tol, atol=tol, grad_rtol=1e-4, grad_atol=1e-3, grads=fn != "resize_area")


@pytest.mark.parametrize("fn", RAW)
@pytest.mark.parametrize("dtype", [np.uint8, np.int32, np.float64, np.float16])
def test_raw_resize_dtypes(tfv1, fn, dtype):
    x = _img(5, 4, dtype=np.float32).astype(dtype)
    check_both(tfv1, lambda m, a: getattr(m.image, fn)(a, [3, 7]), x, grads=False,
               rtol=2e-3, atol=2e-2)


@pytest.mark.parametrize("fn", RAW)
def test_raw_resize_unknown_dims_and_names(tfv1, fn):
    x = _img(5, 4)

    def build(m, a, size):
        return [getattr(m.image, fn)(a, [3, 7], name="r"), getattr(m.image, fn)(a, size)]

    check_both(tfv1, build, x, np.array([2, 6], np.int32), shapes=[[None, None, None, 3], [2]],
               grads=False, rtol=3e-4, atol=3e-4)


def test_resize_area_has_no_gradient(tfv1):
    for m in (mtf, tfv1):
        x = m.placeholder(m.float32, [1, 4, 4, 1])
        with pytest.raises(LookupError):
            m.gradients(m.image.resize_area(x, [2, 2]), x)


@pytest.mark.parametrize("method", [0, 1, 2, 3])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("single", [False, True])
def test_resize_images(tfv1, method, align, single):
    x = _img(5, 7)[0] if single else _img(5, 7)

    def build(m, a):
        return [m.image.resize_images(a, [8, 3], method=method, align_corners=align),
                m.image.resize_images(a, (5, 7), method=method),
                m.image.resize_images(a, [4, 4], method=method, preserve_aspect_ratio=True)]

    check_both(tfv1, build, x, rtol=3e-4, atol=3e-4, grad_rtol=1e-4, grad_atol=1e-3,
               grads=method != 3)


def test_resize_images_method_constants_and_unknown_shape(tfv1):
    assert (mtf.image.ResizeMethod.BILINEAR, mtf.image.ResizeMethod.NEAREST_NEIGHBOR,
            mtf.image.ResizeMethod.BICUBIC, mtf.image.ResizeMethod.AREA) == (0, 1, 2, 3)
    x = _img(5, 7)

    def build(m, a, size):
        return [m.image.resize_images(a, [6, 2]),
                m.image.resize_images(a, size, m.image.ResizeMethod.NEAREST_NEIGHBOR),
                m.image.resize(a, [3, 3], method=m.image.ResizeMethod.BICUBIC)]

    check_both(tfv1, build, x, np.array([4, 9], np.int32), shapes=[[None, None, 7, 3], None],
               rtol=3e-4, atol=3e-4, grad_rtol=1e-4, grad_atol=1e-3)


@pytest.mark.parametrize("fn", ["resize_bilinear", "resize_nearest_neighbor", "resize_bicubic"])
@pytest.mark.parametrize("mode", MODES)
def test_resize_gradients_float64(tfv1, fn, mode):
    align, half = mode
    x = _img(4, 6, dtype=np.float64) / 255
    check_both(tfv1, lambda m, a: getattr(m.image, fn)(a, [7, 3], align_corners=align,
                                                      half_pixel_centers=half),
               x, rtol=1e-6, atol=1e-6, grad_rtol=1e-5, grad_atol=1e-5)


@pytest.mark.parametrize("fn,grad_type", [("resize_bilinear", "ResizeBilinearGrad"),
                                          ("resize_nearest_neighbor",
                                           "ResizeNearestNeighborGrad"),
                                          ("resize_bicubic", "ResizeBicubicGrad")])
def test_gradient_op_types(fn, grad_type):
    x = mtf.placeholder(mtf.float32, [2, 4, 5, 3])
    (g,) = mtf.gradients(mtf.reduce_sum(getattr(mtf.image, fn)(x, [6, 2])), x)
    assert g.op.type == grad_type
    assert g.get_shape().as_list() == [2, 4, 5, 3] and g.dtype == mtf.float32


@pytest.mark.parametrize("fn", ["resize_bilinear", "resize_nearest_neighbor", "resize_bicubic"])
def test_resize_numeric_gradient(fn):
    x = mtf.placeholder(mtf.float64, [1, 4, 3, 2])
    y = mtf.cast(getattr(mtf.image, fn)(x, [5, 7]), mtf.float64)
    xv = np.random.default_rng(3).uniform(0, 1, (1, 4, 3, 2))
    with mtf.Session():
        # linear in x: a large step is exact up to float32 rounding of the output
        err = mtf.test.compute_gradient_error(x, [1, 4, 3, 2], y, [1, 5, 7, 2],
                                              x_init_value=xv, delta=0.5)
    assert err < 1e-5


def test_trains_through_resize():
    x = mtf.constant(_img(4, 4, n=1, c=1) / 255)
    w = mtf.Variable(np.ones((1, 4, 4, 1), np.float32))
    y1 = mtf.image.resize_bilinear(x * w, [8, 8])
    y2 = mtf.image.resize_nearest_neighbor(w, [2, 2])
    loss = mtf.reduce_sum(mtf.square(y1 - 0.5)) + mtf.reduce_sum(mtf.square(y2 - 0.5))
    step = mtf.train.GradientDescentOptimizer(0.01).minimize(loss)
    with mtf.Session() as sess:
        sess.run(mtf.global_variables_initializer())
        first = sess.run(loss)
        for _ in range(20):
            sess.run(step)
        assert sess.run(loss) < first


@pytest.mark.parametrize("fn", RAW)
def test_build_time_errors(tfv1, fn):
    for m in (mtf, tfv1):
        with pytest.raises(ValueError):
            getattr(m.image, fn)(m.zeros([4, 5, 3]), [2, 2])
        with pytest.raises(ValueError):
            getattr(m.image, fn)(m.zeros([1, 4, 5, 3]), [2, 2, 2])
        with pytest.raises(ValueError):
            getattr(m.image, fn)(m.zeros([1, 4, 5, 3]), [[2, 2]])
        with pytest.raises(TypeError):
            getattr(m.image, fn)(m.zeros([1, 4, 5, 3]), [2.0, 2.0])


def test_resize_images_errors(tfv1):
    for m in (mtf, tfv1):
        ph = m.placeholder(m.float32)
        with pytest.raises(ValueError, match="contains no shape"):
            m.image.resize_images(ph, [2, 2])
        with pytest.raises(ValueError, match="3 or 4 dimensions"):
            m.image.resize_images(m.zeros([4, 5]), [2, 2])
        with pytest.raises(ValueError, match="2 elements"):
            m.image.resize_images(m.zeros([4, 5, 1]), [2, 2, 2])
        with pytest.raises(ValueError, match="not implemented"):
            m.image.resize_images(m.zeros([4, 5, 1]), [2, 3], method=7)


@pytest.mark.parametrize("fn", RAW)
def test_run_time_errors(tfv1, fn):
    for m, err in ((mtf, errors.InvalidArgumentError), (tfv1, tfv1.errors.InvalidArgumentError)):
        size = m.placeholder(m.int32, [2])
        out = getattr(m.image, fn)(m.zeros([1, 4, 5, 3]), size)
        with m.Session() as sess:
            with pytest.raises(err):
                sess.run(out, {size: [0, 3]})
