"""``tf.extract_image_patches`` against TensorFlow: values, shapes, names, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from tests.ops.test_nn_ops import check_both

pytestmark = pytest.mark.tf

CASES = [([1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),
         ([1, 3, 2, 1], [1, 2, 1, 1], [1, 1, 1, 1], "SAME"),
         ([1, 2, 3, 1], [1, 3, 2, 1], [1, 2, 1, 1], "SAME"),
         ([1, 2, 2, 1], [1, 2, 2, 1], [1, 2, 2, 1], "VALID")]


@pytest.mark.parametrize("ksizes,strides,rates,padding", CASES)
@pytest.mark.parametrize("shape", [None, [None, 6, 7, 2]])
def test_extract_image_patches(tfv1, ksizes, strides, rates, padding, shape):
    x = np.random.default_rng(0).standard_normal((2, 6, 7, 2)).astype(np.float32)
    check_both(tfv1, lambda m, a: m.extract_image_patches(a, ksizes, strides, rates, padding),
               x, shapes=[shape])
    mtf.reset_default_graph()
    tfv1.reset_default_graph()
    check_both(tfv1, lambda m, a: m.image.extract_image_patches(
        a, ksizes, strides, rates, padding, name="p"), x.astype(np.int32), grads=False)


def test_extract_image_patches_errors(tfv1):
    for m in (mtf, tfv1):
        x = m.zeros([1, 4, 4, 1])
        with pytest.raises(ValueError):
            m.extract_image_patches(x, [1, 2, 2], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
        with pytest.raises(ValueError):
            m.extract_image_patches(x, [1, 9, 9, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
        with pytest.raises(ValueError):
            m.extract_image_patches(m.zeros([4, 4, 1]), [1, 2, 2, 1], [1, 1, 1, 1],
                                    [1, 1, 1, 1], "VALID")


def test_extract_image_patches_run_time(tfv1):
    for m, err in ((mtf, mtf.errors.UnimplementedError), (tfv1, tfv1.errors.UnimplementedError)):
        x = m.zeros([1, 4, 4, 1])
        big = m.extract_image_patches(x, [1, 5, 5, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
        bad = m.extract_image_patches(x, [2, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID")
        assert big.get_shape().as_list() == [1, 0, 0, 25]
        with m.Session() as sess:
            assert sess.run(big).shape == (1, 0, 0, 25)
            with pytest.raises(err):
                sess.run(bad)
