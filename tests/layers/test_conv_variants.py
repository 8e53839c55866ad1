"""tf.layers.conv1d / conv2d_transpose / separable_conv2d against TF 1.x (tf-keras' legacy
layers): variable names and shapes, output names and static shapes, forward values from identical
weights, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import minitf
import minitf.layers as mt_layers

from .conftest import assert_close


def _transpose(L, tf, x):
    h = L.conv2d_transpose(x, 4, 3, strides=2, activation=tf.nn.relu)
    return L.conv2d_transpose(h, 2, (2, 3), strides=(1, 2), padding="same", name="up2")


def _transpose_nchw(L, tf, x):
    return L.conv2d_transpose(x, 3, 2, strides=2, data_format="channels_first",
                              use_bias=False)


def _separable(L, tf, x):
    h = L.separable_conv2d(x, 5, 3, depth_multiplier=2, padding="same")
    return L.separable_conv2d(h, 3, (2, 2), strides=2, name="sep2")


def _separable_dilated(L, tf, x):
    return L.separable_conv2d(x, 4, 2, dilation_rate=2, activation=tf.nn.tanh)


def _conv1d(L, tf, x):
    h = L.conv1d(x, 6, 3, padding="same", activation=tf.nn.relu)
    h = L.conv1d(h, 4, 2, strides=2, name="c2")
    return L.conv1d(h, 2, 2, dilation_rate=2)  # (TF names a bias-free one BatchToSpaceND)


CASES = {
    "transpose": (_transpose, [None, 5, 4, 3], (2, 5, 4, 3)),
    "transpose_nchw": (_transpose_nchw, [None, 2, 3, 3], (2, 2, 3, 3)),
    "separable": (_separable, [None, 6, 6, 3], (2, 6, 6, 3)),
    "separable_dilated": (_separable_dilated, [None, 6, 5, 2], (2, 6, 5, 2)),
    "conv1d": (_conv1d, [None, 12, 3], (3, 12, 3)),
}


def _run(fn, L, tf, shape, feed, values=None):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, shape, name="x")
        out = fn(L, tf, x)
        loss = tf.reduce_sum(out * 1.5 + tf.square(out))
        variables = tf.global_variables()
        grads = tf.gradients(loss, variables + [x])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            if values is not None:
                for v, value in zip(variables, values):
                    v.load(value, sess)
            return {"names": [(v.name, v.shape.as_list()) for v in variables],
                    "out": (out.name, out.shape.as_list()), "values": sess.run(variables),
                    "result": sess.run([out] + grads, {x: feed})}


@pytest.mark.tf
@pytest.mark.parametrize("case", sorted(set(CASES) - {"transpose_nchw"}))  # TF's CPU: no NCHW
def test_conv_layers_match_tf(case, tfl):
    fn, shape, feed_shape = CASES[case]
    feed = np.random.default_rng(0).standard_normal(feed_shape).astype(np.float32)
    theirs = _run(fn, tfl, tfl.tf, shape, feed)
    ours = _run(fn, mt_layers, minitf, shape, feed, theirs["values"])
    assert ours["names"] == theirs["names"]
    assert ours["out"] == theirs["out"]
    for a, b in zip(ours["result"], theirs["result"]):
        assert_close(a, b, rtol=1e-4, atol=1e-4)


def test_transpose_nchw_matches_nhwc():
    feed = np.random.default_rng(1).standard_normal((2, 2, 3, 3)).astype(np.float32)
    x = minitf.placeholder(minitf.float32, [None, 2, 3, 3])
    out = mt_layers.conv2d_transpose(x, 3, 2, strides=2, data_format="channels_first",
                                     use_bias=False)
    assert out.shape.as_list() == [None, 3, 6, 6]
    kernel = minitf.global_variables()[0]
    ref = minitf.nn.conv2d_transpose(minitf.transpose(x, [0, 2, 3, 1]), kernel,
                                     [2, 6, 6, 3], [1, 2, 2, 1], "VALID")
    with minitf.Session() as sess:
        sess.run(minitf.global_variables_initializer())
        a, b = sess.run([out, ref], {x: feed})
    assert_close(a, b.transpose(0, 3, 1, 2))


def test_layer_classes_and_reuse():
    x = minitf.placeholder(minitf.float32, [None, 4, 4, 2])
    layer = mt_layers.SeparableConv2D(3, 2)
    layer(x)
    layer(x)
    assert len(layer.trainable_weights) == 3
    assert mt_layers.Conv2DTranspose(2, 2).compute_output_shape([1, 4, 4, 2]).as_list() == \
        [1, 5, 5, 2]
    assert mt_layers.Conv1D(2, 3).compute_output_shape([1, 7, 2]).as_list() == [1, 5, 2]
    with pytest.raises(ValueError, match="channel dimension"):
        mt_layers.conv1d(minitf.placeholder(minitf.float32, [None, 4, None]), 2, 2)
