"""tf.nn.weighted_moments against tensorflow.compat.v1: values, gradients, shapes, names."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

_RNG = np.random.default_rng(3)
X = _RNG.standard_normal((4, 3, 2)).astype(np.float32)
WEIGHTS = _RNG.uniform(0, 2, (4, 3, 1)).astype(np.float32)


def _run(t):
    x = t.placeholder(t.float32, [None, 3, 2], name="x")
    w = t.placeholder(t.float32, [None, 3, 1], name="w")
    outs = [*t.nn.weighted_moments(x, [0, 1], w),
            *t.nn.weighted_moments(x, 2, 1.0, keep_dims=True),
            *t.nn.weighted_moments(x, [0], w * 0.0, keepdims=False),
            *t.nn.weighted_moments(t.cast(x, t.float16), [1], t.cast(w, t.float16))]
    grads = t.gradients(outs[0] + outs[1], [x, w])
    meta = [(o.name, o.dtype.name, o.shape.as_list()) for o in outs]
    with t.Session() as sess:
        return meta, sess.run([outs, grads], {x: X, w: WEIGHTS})


@pytest.mark.tf
def test_weighted_moments_match_tf(tfv1):
    ours_meta, (ours, ours_g) = _run(tf)
    theirs_meta, (theirs, theirs_g) = _run(tfv1)
    assert ours_meta == theirs_meta
    for a, b in zip(ours + ours_g, theirs + theirs_g):
        np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                   rtol=2e-3, atol=1e-5)


def test_weighted_moments_values():
    mean, var = tf.nn.weighted_moments(tf.constant([1.0, 2.0, 4.0]), [0], [1.0, 1.0, 2.0])
    with tf.Session() as sess:
        m, v = sess.run([mean, var])
    np.testing.assert_allclose(m, 11.0 / 4)
    np.testing.assert_allclose(v, (1.75 ** 2 + 0.75 ** 2 + 2 * 1.25 ** 2) / 4)
    with pytest.raises(ValueError, match="both"):
        tf.nn.weighted_moments(tf.constant([1.0]), [0], 1.0, keep_dims=True, keepdims=True)
