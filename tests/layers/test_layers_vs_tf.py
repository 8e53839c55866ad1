"""tf.layers against TF 1.x: variable names and shapes, op names, forward values from identical
weights, gradients, batch-norm updates."""

from __future__ import annotations

import numpy as np
import pytest

import minitf
import minitf.layers as mt_layers

from .conftest import assert_close

pytestmark = pytest.mark.tf


def _mlp(L, tf, x):
    h = L.dense(x, 16, activation=tf.nn.relu)
    h = L.dense(h, 8, activation=tf.nn.relu,
                kernel_regularizer=lambda w: tf.multiply(0.01, tf.nn.l2_loss(w)))
    h = L.dropout(h, rate=0.5, training=False)
    return L.dense(h, 5, use_bias=False, name="logits")


def _cnn(L, tf, x):
    h = L.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
    h = L.max_pooling2d(h, 2, 2)
    h = L.conv2d(h, 3, (3, 2), padding="valid", name="c2")
    h = L.average_pooling2d(h, 2, 1, padding="same")
    h = L.flatten(h)
    return L.dense(h, 3)


def _rank3(L, tf, x):
    return L.dense(x, 4, activation=tf.nn.tanh)


def _bn(L, tf, x):
    h = L.dense(x, 6)
    return L.batch_normalization(h, training=True, momentum=0.9)


def _bn4(L, tf, x):
    h = L.conv2d(x, 3, 3, padding="same")
    return L.batch_normalization(h, training=True, momentum=0.8, epsilon=1e-2)


def _bn_axis1(L, tf, x):
    return L.batch_normalization(x, axis=1, training=True, center=False)


CASES = {
    "mlp": (_mlp, [None, 12], (7, 12)),
    "cnn": (_cnn, [None, 10, 10, 2], (3, 10, 10, 2)),
    "rank3": (_rank3, [None, 5, 6], (2, 5, 6)),
    "bn": (_bn, [None, 9], (10, 9)),
    "bn4": (_bn4, [None, 5, 5, 2], (4, 5, 5, 2)),
    "bn_axis1": (_bn_axis1, [None, 4, 3], (6, 4, 3)),
}


def _build(fn, L, tf, shape, seed=0):
    x = tf.placeholder(tf.float32, shape, name="x")
    out = fn(L, tf, x)
    loss = tf.reduce_sum(out * 1.5 + tf.square(out))
    loss = loss + tf.add_n(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) or [0.0])
    variables = tf.global_variables()
    trainable = tf.trainable_variables()
    grads = tf.gradients(loss, trainable + [x])
    return x, out, loss, variables, trainable, grads


@pytest.mark.parametrize("case", sorted(CASES))
def test_layers_match_tf(case, tfl):
    fn, shape, feed_shape = CASES[case]
    tf = tfl.tf
    feed = np.random.default_rng(0).standard_normal(feed_shape).astype(np.float32)

    with tf.Graph().as_default() as g_tf:
        x, out, loss, variables, trainable, grads = _build(fn, tfl, tf, shape)
        updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        tf_sess = tf.Session(graph=g_tf)
        tf_sess.run(tf.global_variables_initializer())
        # non-trivial moving statistics and gammas, so inference and updates are exercised
        for v in variables:
            if "moving_variance" in v.name or "gamma" in v.name:
                v.load(np.linspace(0.5, 2.0, v.shape.num_elements()).reshape(v.shape), tf_sess)
            if "moving_mean" in v.name or "beta" in v.name:
                v.load(np.linspace(-1, 1, v.shape.num_elements()).reshape(v.shape), tf_sess)
        tf_names = [(v.name, v.shape.as_list()) for v in variables]
        tf_trainable = [v.name for v in trainable]
        tf_out_name = out.name
        tf_before = tf_sess.run(variables)
        tf_out, tf_loss, *tf_grads = tf_sess.run([out, loss] + grads, {x: feed})
        tf_sess.run(updates, {x: feed})
        tf_after = tf_sess.run(variables)
        tf_update_count = len(updates)

    mt = minitf
    with mt.Graph().as_default():
        x, out, loss, variables, trainable, grads = _build(fn, mt_layers, mt, shape)
        updates = mt.get_collection(mt.GraphKeys.UPDATE_OPS)
        assert [(v.name, v.shape.as_list()) for v in variables] == tf_names
        assert [v.name for v in trainable] == tf_trainable
        assert out.name == tf_out_name
        assert len(updates) == tf_update_count
        with mt.Session() as sess:
            sess.run(mt.global_variables_initializer())
            for v, value in zip(variables, tf_before):
                v.load(value, sess)
            mt_out, mt_loss, *mt_grads = sess.run([out, loss] + grads, {x: feed})
            assert_close(mt_out, tf_out, rtol=1e-4, atol=1e-4)
            assert_close(mt_loss, tf_loss, rtol=1e-4, atol=1e-3)
            for a, b in zip(mt_grads, tf_grads):
                assert_close(a, b, rtol=1e-3, atol=1e-3)
            sess.run(updates, {x: feed})
            for a, b in zip(sess.run(variables), tf_after):
                assert_close(a, b, rtol=1e-5, atol=1e-5)
    tf_sess.close()

