"""Random image functions: TF's graph structure (names, static shapes, dtypes), outputs that
are valid draws, and determinism under minitf's seed rules (graph seed / op seed)."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from tests.ops.test_nn_ops import check_both

IMG3 = np.arange(4 * 5 * 3, dtype=np.float32).reshape(4, 5, 3) / 60
IMG4 = np.arange(6 * 4 * 5 * 3, dtype=np.float32).reshape(6, 4, 5, 3) / 360


def _flip_or_same(axis):
    def compare(i, got, _):
        if got.ndim == 3:
            assert np.array_equal(got, IMG3) or np.array_equal(got, np.flip(IMG3, axis))
        else:
            for g, x in zip(got, IMG4):
                assert np.array_equal(g, x) or np.array_equal(g, np.flip(x, axis))
    return compare


@pytest.mark.tf
@pytest.mark.parametrize("fn,axis", [("random_flip_left_right", 1), ("random_flip_up_down", 0)])
@pytest.mark.parametrize("img,shape", [(IMG3, None), (IMG3, [None, None, 3]), (IMG4, None),
                                       (IMG4, [None, 4, 5, 3])])
def test_random_flip_structure(tfv1, fn, axis, img, shape):
    # 3-D: minitf's tf.cond ends in an Identity named like TF's Merge
    mine, theirs = check_both(tfv1, lambda m, a: getattr(m.image, fn)(a, seed=3), img,
                              shapes=[shape], compare=_flip_or_same(axis), grads=False,
                              names=img.ndim == 4)
    assert mine.outs[0].name == theirs.outs[0].name


def _draws(build, feed_value, seed=None, runs=8):
    g = mtf.Graph()
    with g.as_default():
        if seed is not None:
            mtf.set_random_seed(seed)
        x = mtf.placeholder(mtf.float32, feed_value.shape)
        out = build(x)
        with mtf.Session(graph=g) as sess:
            return [sess.run(out, {x: feed_value}) for _ in range(runs)]


RANDOM_FNS = {
    "flip_lr": lambda x: mtf.image.random_flip_left_right(x),
    "flip_ud": lambda x: mtf.image.random_flip_up_down(x, seed=5),
    "brightness": lambda x: mtf.image.random_brightness(x, 0.3),
    "contrast": lambda x: mtf.image.random_contrast(x, 0.2, 1.8, seed=1),
    "crop": lambda x: mtf.image.random_crop(x, [2, 3, 3]),
    "saturation": lambda x: mtf.image.random_saturation(x, 0.5, 1.5),
    "hue": lambda x: mtf.image.random_hue(x, 0.2),
}


@pytest.mark.parametrize("name", sorted(RANDOM_FNS))
def test_seeded_runs_repeat(name):
    img = IMG3 if name != "flip_lr" else IMG4
    a = _draws(RANDOM_FNS[name], img, seed=42)
    b = _draws(RANDOM_FNS[name], img, seed=42)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    # successive runs draw new values
    assert any(not np.array_equal(a[0], x) for x in a[1:])


def test_flips_happen_both_ways():
    outs = _draws(lambda x: mtf.image.random_flip_left_right(x, seed=7), IMG3, seed=1, runs=40)
    flipped = sum(np.array_equal(o, np.flip(IMG3, 1)) for o in outs)
    assert 5 < flipped < 35
    assert all(np.array_equal(o, IMG3) or np.array_equal(o, np.flip(IMG3, 1)) for o in outs)


def test_random_brightness_and_contrast_ranges():
    for out in _draws(lambda x: mtf.image.random_brightness(x, 0.25), IMG4, seed=3):
        delta = out - IMG4
        assert np.allclose(delta, delta.flat[0], atol=1e-6) and abs(delta.flat[0]) <= 0.25
    for out in _draws(lambda x: mtf.image.random_contrast(x, 0.5, 1.5), IMG3, seed=3):
        mean = IMG3.mean(axis=(0, 1))
        factor = (out - mean) / (IMG3 - mean)
        assert 0.5 - 1e-4 <= np.nanmedian(factor) <= 1.5 + 1e-4


def test_random_crop_is_a_window():
    for out in _draws(lambda x: mtf.image.random_crop(x, [2, 3, 3], seed=9), IMG3, seed=0):
        found = [(i, j) for i in range(3) for j in range(3)
                 if np.array_equal(IMG3[i:i + 2, j:j + 3], out)]
        assert found
    assert mtf.random_crop is mtf.image.random_crop


@pytest.mark.tf
def test_random_argument_errors(tfv1):
    for m in (mtf, tfv1):
        x = m.zeros([4, 5, 3])
        with pytest.raises(ValueError, match="non-negative"):
            m.image.random_brightness(x, -0.1)
        with pytest.raises(ValueError, match="upper must be > lower"):
            m.image.random_contrast(x, 0.5, 0.5)
        with pytest.raises(ValueError, match="lower must be non-negative"):
            m.image.random_contrast(x, -0.5, 0.5)
        with pytest.raises(ValueError, match="<= 0.5"):
            m.image.random_hue(x, 0.6)
