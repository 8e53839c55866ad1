"""End to end: recurrent models learn toy sequence tasks with Adam (the loss falls)."""

from __future__ import annotations

import numpy as np

import minitf as tf


def _sum_batch(rng, batch, steps, lengths=False):
    x = rng.uniform(0, 1, (batch, steps, 1)).astype(np.float32)
    n = rng.randint(1, steps + 1, batch).astype(np.int32) if lengths \
        else np.full(batch, steps, np.int32)
    mask = np.arange(steps)[None, :] < n[:, None]
    y = (x[..., 0] * mask).sum(1, keepdims=True).astype(np.float32)
    return x, n, y


def test_lstm_learns_to_sum_variable_length_sequences():
    rng = np.random.RandomState(0)
    tf.set_random_seed(0)
    steps = 6
    x = tf.placeholder(tf.float32, [None, steps, 1])
    lengths = tf.placeholder(tf.int32, [None])
    y = tf.placeholder(tf.float32, [None, 1])
    cell = tf.nn.rnn_cell.BasicLSTMCell(16)
    _, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
    prediction = tf.layers.dense(state.h, 1)
    loss = tf.reduce_mean(tf.square(prediction - y))
    train = tf.train.AdamOptimizer(0.02).minimize(loss)
    test_x, test_n, test_y = _sum_batch(rng, 256, steps, lengths=True)
    test_feed = {x: test_x, lengths: test_n, y: test_y}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, test_feed)
        for _ in range(300):
            bx, bn, by = _sum_batch(rng, 32, steps, lengths=True)
            sess.run(train, {x: bx, lengths: bn, y: by})
        after = sess.run(loss, test_feed)
    assert after < 0.05 * before, (before, after)
    assert after < 0.05


def test_gru_stack_learns_to_copy_the_first_bit():
    """Remember the first input of a sequence across noisy steps (a classification loss)."""
    rng = np.random.RandomState(1)
    tf.set_random_seed(1)
    steps = 8
    x = tf.placeholder(tf.float32, [None, steps, 2])
    labels = tf.placeholder(tf.int32, [None])
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.GRUCell(8),
                                        tf.nn.rnn_cell.GRUCell(8)])
    inputs = tf.unstack(x, axis=1)
    outputs, _ = tf.nn.static_rnn(cell, inputs, dtype=tf.float32)
    logits = tf.layers.dense(outputs[-1], 2)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                         logits=logits))
    train = tf.train.AdamOptimizer(0.02).minimize(loss)

    def batch(n):
        bits = rng.randint(0, 2, n)
        seq = rng.uniform(-1, 1, (n, steps, 2)).astype(np.float32)
        seq[:, 0, 0] = 2 * bits - 1
        seq[:, 0, 1] = 0
        return seq, bits.astype(np.int32)

    test_x, test_y = batch(256)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(loss, {x: test_x, labels: test_y})
        for _ in range(200):
            bx, by = batch(32)
            sess.run(train, {x: bx, labels: by})
        after, out = sess.run([loss, logits], {x: test_x, labels: test_y})
    assert after < 0.2 * before, (before, after)
    assert (out.argmax(1) == test_y).mean() > 0.95
