"""Checkpoints of an RNN model: minitf's holds the same keys and shapes as TF 1.x's, and the
tensors of TF's checkpoint (read with TF's reader: the file formats differ, see
docs/notes/training.md), loaded by key, give TF's outputs."""

from __future__ import annotations

import numpy as np
import pytest

import minitf

pytestmark = [pytest.mark.tf, pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _model(tf, C, dense, x, lengths):
    cell = C.MultiRNNCell([C.LSTMCell(5, use_peepholes=True, num_proj=3), C.GRUCell(4)])
    (fw, bw), _ = tf.nn.bidirectional_dynamic_rnn(C.BasicLSTMCell(3), C.BasicRNNCell(2), x,
                                                  sequence_length=lengths, dtype=tf.float32)
    out, state = tf.nn.dynamic_rnn(cell, tf.concat([fw, bw], 2), sequence_length=lengths,
                                   dtype=tf.float32, scope="stack")
    return dense(state[1], 2, name="head"), out


def test_checkpoint_keys_and_values_match_tf(tfrnn, tmp_path):
    tf = tfrnn.tf
    from tf_keras.src.legacy_tf_layers import core

    x_val = np.random.RandomState(0).uniform(-1, 1, (3, 4, 2)).astype(np.float32)
    len_val = np.array([4, 1, 3], np.int32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [3, 4, 2])
        lengths = tf.placeholder(tf.int32, [3])
        head, out = _model(tf, tfrnn.rnn_cell, core.dense, x, lengths)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "tf" / "model"))
            want = sess.run([head, out], {x: x_val, lengths: len_val})
            tf_names = [v.name for v in tf.global_variables()]
    tf_keys = tf.train.list_variables(path)
    tf_values = {name: tf.train.load_variable(path, name) for name, _ in tf_keys}

    mt = minitf
    x = mt.placeholder(mt.float32, [3, 4, 2])
    lengths = mt.placeholder(mt.int32, [3])
    head, out = _model(mt, mt.nn.rnn_cell, mt.layers.dense, x, lengths)
    assert [v.name for v in mt.global_variables()] == tf_names
    with mt.Session() as sess:
        for v in mt.global_variables():
            v.load(tf_values[v.op.name], sess)
        got = sess.run([head, out], {x: x_val, lengths: len_val})
        (tmp_path / "mt").mkdir()
        mt_path = mt.train.Saver().save(sess, str(tmp_path / "mt" / "model"))
    assert mt.train.list_variables(mt_path) == tf_keys
    for name, _ in tf_keys:
        np.testing.assert_array_equal(mt.train.load_variable(mt_path, name), tf_values[name])
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
