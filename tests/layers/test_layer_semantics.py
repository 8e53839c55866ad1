"""tf.layers naming, reuse, training switches and errors (TF 1.x behaviour, checked against TF
where it is installed)."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

from .conftest import assert_close


def test_names_reuse_and_scopes():
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    layer = tf.layers.Dense(3, name="d")
    a, b = layer(x), layer(x)
    c = tf.layers.dense(x, 3, name="d", reuse=True)
    with tf.variable_scope("model"):
        e = tf.layers.dense(x, 2)
        e2 = tf.layers.dense(x, 2)
    g = tf.layers.dropout(x, 0.3)
    h = tf.layers.dropout(x, 0.3, training=True)
    assert [t.name for t in (a, b, c, e, e2, g)] == [
        "d/BiasAdd:0", "d/BiasAdd_1:0", "d_1/BiasAdd:0", "model/dense/BiasAdd:0",
        "model/dense_1/BiasAdd:0", "dropout/Identity:0"]
    assert h.name.startswith("dropout_1/")
    assert [v.name for v in tf.global_variables()] == [
        "d/kernel:0", "d/bias:0", "model/dense/kernel:0", "model/dense/bias:0",
        "model/dense_1/kernel:0", "model/dense_1/bias:0"]
    assert layer.trainable_variables == [layer.kernel, layer.bias]
    assert layer.kernel.name == "d/kernel:0" and layer.name == "d"
    with pytest.raises(ValueError, match="d/kernel already exists"):
        tf.layers.dense(x, 3, name="d")


def test_names_match_tf(tfl):
    def build(L, t):
        x = t.placeholder(t.float32, [None, 4], name="x")
        layer = L.Dense(3, name="d")
        outs = [layer(x), layer(x), L.dense(x, 3, name="d", reuse=True)]
        with t.variable_scope("model"):
            outs += [L.dense(x, 2), L.dense(x, 2)]
        outs += [L.dropout(x, 0.3)]
        return [o.name for o in outs], [v.name for v in t.global_variables()]

    tft = tfl.tf
    with tft.Graph().as_default():
        expected = build(tfl, tft)
    with tf.Graph().as_default():
        assert build(tf.layers, tf) == expected


def test_non_trainable_layer():
    x = tf.placeholder(tf.float32, [None, 4])
    layer = tf.layers.Dense(2, trainable=False)
    layer(x)
    assert tf.trainable_variables() == [] and len(tf.global_variables()) == 2
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_dense_errors():
    with pytest.raises(ValueError, match="last dimension of the inputs to `Dense`"):
        tf.layers.dense(tf.placeholder(tf.float32, [None, None]), 3)
    with pytest.raises(ValueError, match="units"):
        tf.layers.Dense(0)
    with pytest.raises(ValueError, match="padding"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 4, 4, 1]), 2, 3, padding="full")


def test_dense_casts_inputs_to_its_dtype():
    x = tf.placeholder(tf.float64, [None, 3])
    y = tf.layers.dense(x, 2, kernel_initializer=tf.ones_initializer())
    assert y.dtype == tf.float64
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert_close(sess.run(y, {x: [[1, 2, 3]]}), [[6, 6]])


def test_dropout_training_switch():
    x = tf.ones([200, 50])
    training = tf.placeholder(tf.bool, [])
    y = tf.layers.dropout(x, rate=0.25, training=training, seed=3)
    y_true = tf.layers.dropout(x, rate=0.25, training=True)
    with tf.Session() as sess:
        off = sess.run(y, {training: False})
        on = sess.run(y, {training: True})
        always = sess.run(y_true)
    np.testing.assert_array_equal(off, np.ones((200, 50), np.float32))
    for out in (on, always):
        values = np.unique(out)
        assert len(values) == 2 and values[0] == 0 and abs(values[1] - 1 / 0.75) < 1e-6
        assert abs((out == 0).mean() - 0.25) < 0.03


def test_dropout_rate_zero_is_identity():
    y = tf.layers.dropout(tf.ones([3]), rate=0.0, training=True)
    assert y.op.type == "Identity"


def test_flatten_shapes():
    assert tf.layers.flatten(tf.placeholder(tf.float32, [None, 3, 4, 5])).get_shape().as_list() \
        == [None, 60]
    flat = tf.layers.flatten(tf.placeholder(tf.float32, [None, None, 2]))
    assert flat.get_shape().as_list()[0] is None
    with tf.Session() as sess:
        out = sess.run(flat, {flat.op.inputs[0]: np.zeros((2, 3, 2))})
    assert out.shape == (2, 6)


def test_conv_pool_output_shapes():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    c1 = tf.layers.conv2d(x, 32, 5, padding="same", activation=tf.nn.relu)
    p1 = tf.layers.max_pooling2d(c1, 2, 2)
    c2 = tf.layers.conv2d(p1, 64, 5, padding="same", activation=tf.nn.relu)
    p2 = tf.layers.max_pooling2d(c2, 2, 2)
    v = tf.layers.conv2d(p2, 4, 3, strides=2)
    assert p1.get_shape().as_list() == [None, 14, 14, 32]
    assert p2.get_shape().as_list() == [None, 7, 7, 64]
    assert v.get_shape().as_list() == [None, 3, 3, 4]
    assert tf.layers.Conv2D(4, 3, strides=2).compute_output_shape([None, 7, 7, 64]).as_list() \
        == [None, 3, 3, 4]
    assert tf.layers.MaxPooling2D(2, 2).compute_output_shape([None, 28, 28, 32]).as_list() \
        == [None, 14, 14, 32]


def test_regularization_losses():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 2, kernel_initializer=tf.ones_initializer(),
                    kernel_regularizer=lambda w: tf.reduce_sum(w), name="r")
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [t.op.name for t in losses] == ["r/kernel/Regularizer/Sum"]
    tf.layers.dense(x, 2, name="r", reuse=True,
                    kernel_regularizer=lambda w: tf.reduce_sum(w))  # reused: no new loss
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(losses[0]) == 6.0


def test_batch_norm_training_tensor_matches_tf(tfl):
    feed = np.random.default_rng(1).standard_normal((8, 5)).astype(np.float32) * 3 + 1

    def run(L, t):
        x = t.placeholder(t.float32, [None, 5])
        training = t.placeholder(t.bool, [])
        y = L.batch_normalization(x, training=training, momentum=0.5)
        updates = t.get_collection(t.GraphKeys.UPDATE_OPS)
        with t.control_dependencies(updates):
            y = t.identity(y)
        results = []
        with t.Session() as sess:
            sess.run(t.global_variables_initializer())
            for flag in (True, False, True, False):
                results.append(sess.run(y, {x: feed, training: flag}))
            results.extend(sess.run(t.global_variables()))
        return results

    tft = tfl.tf
    with tft.Graph().as_default():
        expected = run(tfl, tft)
    with tf.Graph().as_default():
        got = run(tf.layers, tf)
    for a, b in zip(got, expected):
        assert_close(a, b, rtol=1e-4, atol=1e-4)


def test_batch_norm_update_ops_and_inference():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.layers.batch_normalization(x, training=True)
    tf.layers.batch_normalization(x, training=False)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert [u.op.name for u in updates] == ["batch_normalization/AssignMovingAvg",
                                            "batch_normalization/AssignMovingAvg_1"]
    names = sorted(v.name for v in tf.global_variables())
    assert "batch_normalization/moving_mean:0" in names
    assert sorted(v.name for v in tf.trainable_variables()) == [
        "batch_normalization/beta:0", "batch_normalization/gamma:0",
        "batch_normalization_1/beta:0", "batch_normalization_1/gamma:0"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out = sess.run(y, {x: [[1, 2, 3], [3, 2, 1]]})
    assert_close(out, [[-1, 0, 1], [1, 0, -1]], atol=2e-3)


def test_layer_objects_track_variables():
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    bn = tf.layers.BatchNormalization()
    bn(x, training=True)
    assert [v.name for v in bn.trainable_variables] == ["batch_normalization/gamma:0",
                                                        "batch_normalization/beta:0"]
    assert len(bn.non_trainable_variables) == 2 and len(bn.updates) == 2
    assert len(bn.variables) == 4
    conv = tf.layers.Conv2D(3, 2)
    conv(x)
    assert conv.kernel.get_shape().as_list() == [2, 2, 2, 3]
