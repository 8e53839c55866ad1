"""A small training loop fed by an iterator: the same losses and weights as TF 1.x (no
shuffle, constant initial weights), epochs by re-initializing and by repeat()."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

pytestmark = pytest.mark.tf

RNG = np.random.default_rng(0)
X = RNG.normal(size=(50, 3)).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)


def _model(t, x, y):
    w = t.Variable(np.zeros((3, 1), np.float32))
    b = t.Variable(0.0)
    loss = t.reduce_mean(t.square(t.matmul(x, w) + b - y))
    step = t.train.GradientDescentOptimizer(0.1).minimize(loss)
    return w, b, loss, step


def train_reinitialized(t):
    xs = t.placeholder(t.float32, [None, 3])
    ys = t.placeholder(t.float32, [None, 1])
    it = t.data.Dataset.from_tensor_slices((xs, ys)).map(
        lambda a, b: (a * 1.0, b)).batch(8).make_initializable_iterator()
    x, y = it.get_next()
    w, b, loss, step = _model(t, x, y)
    losses = []
    with t.Session() as sess:
        sess.run(t.global_variables_initializer())
        for _ in range(3):
            sess.run(it.initializer, {xs: X, ys: Y})
            while True:
                try:
                    losses.append(sess.run([loss, step])[0])
                except t.errors.OutOfRangeError:
                    break
        return np.array(losses), sess.run(w), sess.run(b)


def train_repeat(t):
    x, y = t.data.Dataset.from_tensor_slices((X, Y)).repeat(3).batch(16) \
        .make_one_shot_iterator().get_next()
    w, b, loss, step = _model(t, x, y)
    losses = []
    with t.Session() as sess:
        sess.run(t.global_variables_initializer())
        while True:
            try:
                _, value = sess.run([step, loss])
                losses.append(value)
            except t.errors.OutOfRangeError:
                break
        return np.array(losses), sess.run(w), sess.run(b)


@pytest.mark.parametrize("loop", [train_reinitialized, train_repeat])
def test_training_loop_matches_tf(tfv1, loop):
    mine = loop(tf)
    theirs = loop(tfv1)
    assert mine[0].shape == theirs[0].shape
    for a, c in zip(mine, theirs):
        np.testing.assert_allclose(a, c, rtol=1e-4, atol=1e-5)
    assert mine[0][-1] < mine[0][0] / 5
