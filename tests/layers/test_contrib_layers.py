"""tf.contrib.layers: TF 1.x variable and op names (TF 2.21 no longer ships contrib, so names
are TF 1.15's, and values are checked against TF's core dense layer with the same weights)."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

from .conftest import assert_close

layers = tf.contrib.layers


def test_fully_connected_names_and_collections():
    x = tf.placeholder(tf.float32, [None, 8])
    h = layers.fully_connected(x, 4)
    y = layers.fully_connected(h, 3, activation_fn=None, scope="logits")
    assert h.name == "fully_connected/Relu:0"
    assert y.name == "logits/BiasAdd:0"
    names = [v.name for v in tf.global_variables()]
    assert names == ["fully_connected/weights:0", "fully_connected/biases:0",
                     "logits/weights:0", "logits/biases:0"]
    assert [v.name for v in tf.get_collection(tf.GraphKeys.MODEL_VARIABLES)] == names
    assert [v.name for v in tf.trainable_variables()] == names
    shared = layers.fully_connected(h, 3, activation_fn=None, scope="logits", reuse=True)
    assert len(tf.global_variables()) == 4 and shared.name != y.name
    with pytest.raises(ValueError, match="already exists"):
        layers.fully_connected(h, 3, scope="logits")


def test_fully_connected_values_match_tf_dense(tfl):
    feed = np.random.default_rng(0).standard_normal((5, 6)).astype(np.float32)
    tft = tfl.tf
    with tft.Graph().as_default():
        x = tft.placeholder(tft.float32, [None, 6])
        out = tfl.dense(x, 4, activation=tft.nn.relu,
                        bias_initializer=tft.random_normal_initializer())
        grads = tft.gradients(tft.reduce_sum(out * out), [x] + tft.trainable_variables())
        with tft.Session() as sess:
            sess.run(tft.global_variables_initializer())
            weights = sess.run(tft.trainable_variables())
            expected = sess.run([out] + grads, {x: feed})
    x = tf.placeholder(tf.float32, [None, 6])
    out = layers.fully_connected(x, 4)
    grads = tf.gradients(tf.reduce_sum(out * out), [x] + tf.trainable_variables())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for v, w in zip(tf.trainable_variables(), weights):
            v.load(w, sess)
        for a, b in zip(sess.run([out] + grads, {x: feed}), expected):
            assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_fully_connected_options():
    x = tf.placeholder(tf.float32, [None, 3])
    calls = []

    def normalizer(t, scale=1.0):
        calls.append(scale)
        return t * scale

    y = layers.fully_connected(x, 2, normalizer_fn=normalizer, normalizer_params={"scale": 2.0},
                               weights_initializer=tf.ones_initializer(),
                               weights_regularizer=layers.l2_regularizer(0.5),
                               variables_collections=["mine"], outputs_collections="outs")
    assert calls == [2.0]
    assert [v.name for v in tf.global_variables()] == ["fully_connected/weights:0"]  # no biases
    assert [v.name for v in tf.get_collection("mine")] == ["fully_connected/weights:0"]
    assert tf.get_collection("outs") == [y]
    (loss,) = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert loss.name.startswith("fully_connected/") and loss.name.endswith(
        "Regularizer/l2_regularizer:0")
    z = layers.fully_connected(x, 2, biases_initializer=None, activation_fn=tf.nn.sigmoid)
    assert z.op.type == "Sigmoid" and len(tf.global_variables()) == 2
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out, penalty = sess.run([y, loss], {x: [[1, 2, 3]]})
    assert_close(out, [[12, 12]])
    assert_close(penalty, 0.5 * 6 / 2)
    with pytest.raises(ValueError, match="num_outputs"):
        layers.fully_connected(x, 2.0)


def test_xavier_initializer_statistics():
    w = tf.get_variable("w", [400, 200], initializer=layers.xavier_initializer(seed=1))
    n = tf.get_variable("n", [400, 200], initializer=layers.xavier_initializer(uniform=False,
                                                                                seed=2))
    c = tf.get_variable("c", [5, 5, 32, 64],
                        initializer=layers.variance_scaling_initializer(seed=3))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w, n, c = sess.run([w, n, c])
    limit = np.sqrt(6.0 / 600)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.95 * limit
    assert abs(w.std() - limit / np.sqrt(3)) < 0.01 * limit
    stddev = np.sqrt(1.3 / 300)  # truncated at 2 stddev
    assert np.abs(n).max() <= 2 * stddev + 1e-6
    assert abs(n.std() - 0.88 * stddev) < 0.05 * stddev
    stddev = np.sqrt(1.3 * 2.0 / (5 * 5 * 32))
    assert abs(c.std() - 0.88 * stddev) < 0.05 * stddev
    with pytest.raises(TypeError, match="non-floating"):
        layers.xavier_initializer(dtype=tf.int32)
    with pytest.raises(TypeError, match="Unknown mode"):
        layers.variance_scaling_initializer(mode="FAN_SUM")


def test_regularizers():
    w = tf.constant([[1.0, -2.0], [3.0, 0.5]])
    l2 = layers.l2_regularizer(0.1)(w)
    l1 = layers.l1_regularizer(0.2)(w)
    both = layers.l1_l2_regularizer(0.2, 0.1)(w)
    assert l2.op.name == "l2_regularizer" and l1.op.name == "l1_regularizer"
    with tf.Session() as sess:
        got = sess.run([l2, l1, both])
    assert_close(got, [0.1 * 14.25 / 2, 0.2 * 6.5, 0.1 * 14.25 / 2 + 0.2 * 6.5])
    assert layers.l2_regularizer(0.0)(w) is None
    with pytest.raises(ValueError, match="integer"):
        layers.l2_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        layers.l1_regularizer(-0.1)
    tf.add_to_collection(tf.GraphKeys.WEIGHTS, w)
    total = layers.apply_regularization(layers.l2_regularizer(0.1))
    with tf.Session() as sess:
        assert_close(sess.run(total), 0.1 * 14.25 / 2)


def test_maxout():
    x = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 12) * [[1], [-1]])
    y = layers.maxout(x, 3)
    assert y.get_shape().as_list() == [2, 3] and y.name.startswith("MaxOut/")
    with tf.Session() as sess:
        out = sess.run(y)
    expected = (np.arange(24, dtype=np.float32).reshape(2, 12) * [[1], [-1]]).reshape(2, 3, 4)
    assert_close(out, expected.max(-1))
    with pytest.raises(ValueError, match="multiple of num_units"):
        layers.maxout(x, 5)
    z = layers.maxout(tf.placeholder(tf.float32, [None, 4, 4, 6]), 2)
    assert z.get_shape().as_list() == [None, 4, 4, 2]


def test_maxout_gradient_goes_to_group_max():
    x = tf.constant([[1.0, 5.0, 3.0, 2.0]])
    (g,) = tf.gradients(tf.reduce_sum(layers.maxout(x, 2)), [x])
    with tf.Session() as sess:
        assert_close(sess.run(g), [[0, 1, 1, 0]])


def test_conv_pool_flatten_dropout():
    img = tf.placeholder(tf.float32, [None, 8, 8, 1])
    c = layers.conv2d(img, 3, 3)
    p = layers.max_pool2d(c, 2)
    a = layers.avg_pool2d(c, [2, 2], stride=2)
    f = layers.flatten(p)
    d = layers.dropout(f, 0.5, is_training=False)
    assert [v.name for v in tf.global_variables()] == ["Conv/weights:0", "Conv/biases:0"]
    assert c.name == "Conv/Relu:0" and c.get_shape().as_list() == [None, 8, 8, 3]
    assert p.name == "MaxPool2D/MaxPool:0" and p.get_shape().as_list() == [None, 4, 4, 3]
    assert a.name == "AvgPool2D/AvgPool:0"
    assert f.name == "Flatten/flatten/Reshape:0" and f.get_shape().as_list() == [None, 48]
    assert d.op.type == "Identity"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(d, {img: np.ones((2, 8, 8, 1))})
    assert out.shape == (2, 48)
