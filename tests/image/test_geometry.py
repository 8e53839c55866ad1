"""Differential tests of flips, transpose, rot90, crops and pads against TensorFlow: values,
dtypes, static shapes (unknown dims and rank too), op names, gradients and build-time errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from tests.ops.test_nn_ops import check_both

pytestmark = pytest.mark.tf

IMG3 = np.arange(4 * 5 * 3, dtype=np.float32).reshape(4, 5, 3)
IMG4 = np.arange(2 * 4 * 5 * 3, dtype=np.float32).reshape(2, 4, 5, 3)
SHAPES3 = [None, [None, None, 3], [4, None, None]]
SHAPES4 = [None, [None, 4, 5, 3], [None, None, None, None]]


@pytest.mark.parametrize("fn", ["flip_left_right", "flip_up_down", "transpose_image"])
@pytest.mark.parametrize("img,shape", [(IMG3, s) for s in SHAPES3] + [(IMG4, s) for s in SHAPES4])
def test_flips_and_transpose(tfv1, fn, img, shape):
    check_both(tfv1, lambda m, a: getattr(m.image, fn)(a), img, shapes=[shape])


@pytest.mark.parametrize("fn", ["flip_left_right", "flip_up_down", "transpose_image", "rot90"])
def test_unknown_rank(tfv1, fn):
    def build(m, a):
        return getattr(m.image, fn)(a)

    for img in (IMG3, IMG4):
        check_both(tfv1, build, img, shapes=[[None] * img.ndim], names=fn != "rot90")
    mtf.reset_default_graph()
    out = getattr(mtf.image, fn)(mtf.placeholder(mtf.float32))
    with mtf.Session() as sess:
        got = sess.run(out, {out.graph.get_tensor_by_name("Placeholder:0"): IMG4})
    tfv1.reset_default_graph()
    ph = tfv1.placeholder(tfv1.float32)
    with tfv1.Session() as sess:
        want = sess.run(getattr(tfv1.image, fn)(ph), {ph: IMG4})
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4, -1, 7])
@pytest.mark.parametrize("img", [IMG3, IMG4])
def test_rot90(tfv1, k, img):
    # names match (rot90/cond/Merge); minitf's exclusive tf.case ends in an Identity there
    mine, theirs = check_both(tfv1, lambda m, a: m.image.rot90(a, k), img, names=False)
    assert mine.outs[0].name == theirs.outs[0].name


def test_rot90_tensor_k_and_dtype(tfv1):
    img = IMG4.astype(np.uint8)
    check_both(tfv1, lambda m, a, k: m.image.rot90(a, k, name="rot"), img,
               np.array(3, np.int32), names=False, grads=False)


@pytest.mark.parametrize("fraction", [0.5, 0.33, 0.9, 1.0])
@pytest.mark.parametrize("img,shape", [(IMG3, None), (IMG3, [None, None, 3]), (IMG4, None),
                                       (IMG4, [None, None, 5, 3])])
def test_central_crop(tfv1, fraction, img, shape):
    check_both(tfv1, lambda m, a: m.image.central_crop(a, fraction), img, shapes=[shape])


BOXES = [(0, 0, 2, 3), (1, 2, 3, 3), (0, 1, 4, 4)]


@pytest.mark.parametrize("box", BOXES)
@pytest.mark.parametrize("img,shape", [(IMG3, None), (IMG4, None), (IMG3, [None, None, 3]),
                                       (IMG4, [None, None, None, 3])])
def test_crop_to_bounding_box(tfv1, box, img, shape):
    check_both(tfv1, lambda m, a: m.image.crop_to_bounding_box(a, *box), img, shapes=[shape])


@pytest.mark.parametrize("box", [(0, 0, 4, 5), (1, 2, 6, 9), (3, 0, 8, 5)])
@pytest.mark.parametrize("img,shape", [(IMG3, None), (IMG4, None), (IMG4, [None, None, None, 3])])
def test_pad_to_bounding_box(tfv1, box, img, shape):
    check_both(tfv1, lambda m, a: m.image.pad_to_bounding_box(a, *box), img, shapes=[shape])


@pytest.mark.parametrize("target", [(4, 5), (2, 3), (7, 8), (2, 9), (9, 1)])
@pytest.mark.parametrize("img,shape", [(IMG3, None), (IMG4, None), (IMG3, [None, None, 3])])
def test_resize_image_with_crop_or_pad(tfv1, target, img, shape):
    check_both(tfv1, lambda m, a: m.image.resize_image_with_crop_or_pad(a, *target), img,
               shapes=[shape])


def test_crop_pad_tensor_offsets(tfv1):
    def build(m, a, off):
        return [m.image.crop_to_bounding_box(a, off, 1, 2, 3),
                m.image.pad_to_bounding_box(a, off, 1, 7, 8)]

    check_both(tfv1, build, IMG3, np.array(1, np.int32))


@pytest.mark.parametrize("fn", ["flip_left_right", "flip_up_down", "transpose_image", "rot90",
                                "random_flip_left_right", "random_flip_up_down"])
def test_rank_errors(tfv1, fn):
    for m in (mtf, tfv1):
        with pytest.raises(ValueError, match="must be at least three-dimensional"):
            getattr(m.image, fn)(m.zeros([4, 5]))
        with pytest.raises(ValueError, match="must have either 3 or 4 dimensions"):
            getattr(m.image, fn)(m.zeros([1, 2, 4, 5, 3]))
        with pytest.raises(ValueError, match="must be > 0"):
            getattr(m.image, fn)(m.zeros([0, 5, 3]))


def test_crop_pad_errors(tfv1):
    for m in (mtf, tfv1):
        img = m.zeros([4, 5, 3])
        for args, msg in [((-1, 0, 2, 2), "offset_height must be >= 0"),
                          ((0, 0, 0, 2), "target_height must be > 0"),
                          ((2, 0, 3, 2), "height must be >= target \\+ offset")]:
            with pytest.raises(ValueError, match=msg):
                m.image.crop_to_bounding_box(img, *args)
        with pytest.raises(ValueError, match="width must be <= target - offset"):
            m.image.pad_to_bounding_box(img, 0, 2, 5, 6)
        with pytest.raises(ValueError, match="3 or 4 dimensions"):
            m.image.pad_to_bounding_box(m.zeros([4, 5]), 0, 0, 5, 6)
        with pytest.raises(ValueError, match="target_width must be > 0"):
            m.image.resize_image_with_crop_or_pad(img, 3, 0)
        with pytest.raises(ValueError, match="central_fraction must be within"):
            m.image.central_crop(img, 1.5)
        with pytest.raises(ValueError, match="rank = 3 or rank = 4"):
            m.image.central_crop(m.zeros([1, 1, 4, 5, 3]), 0.5)


def test_dynamic_checks_raise_at_run_time(tfv1):
    img = IMG3
    for m, err in ((mtf, mtf.errors.InvalidArgumentError),
                   (tfv1, tfv1.errors.InvalidArgumentError)):
        x = m.placeholder(m.float32, [None, None, 3])
        off = m.placeholder(m.int32, [])
        outs = [m.image.crop_to_bounding_box(x, off, 0, 2, 2),
                m.image.pad_to_bounding_box(x, off, 0, 6, 6),
                m.image.flip_left_right(x)]
        with m.Session() as sess:
            for out in outs[:2]:
                with pytest.raises(err):
                    sess.run(out, {x: img, off: -1})
            with pytest.raises(err):
                sess.run(outs[2], {x: np.zeros((0, 2, 3), np.float32)})
            assert sess.run(outs[0], {x: img, off: 1}).shape == (2, 2, 3)
