"""Dataset.shuffle: a permutation, TF's seed rules (op seed, graph seed, none), reshuffling
each pass or not. The orders are minitf's own (TF's are not reproduced)."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from tests.data.util import drain


def _order(ds, sessions=1, inits=1):
    it = ds.make_initializable_iterator()
    nxt = it.get_next()
    out = []
    for _ in range(sessions):
        with tf.Session() as sess:
            for _ in range(inits):
                sess.run(it.initializer)
                out.append([int(np.asarray(x).reshape(-1)[0]) for x in drain(tf, sess, nxt)])
    return out


@pytest.mark.parametrize("buffer", [1, 5, 20, 100])
def test_shuffle_is_a_permutation(buffer):
    (order,) = _order(tf.data.Dataset.range(20).shuffle(buffer))
    assert sorted(order) == list(range(20))
    if buffer == 1:
        assert order == list(range(20))


def test_small_buffer_keeps_elements_near_their_place():
    (order,) = _order(tf.data.Dataset.range(100).shuffle(3, seed=1))
    assert all(order[i] <= i + 2 for i in range(100))


def test_op_seed_gives_the_same_order_in_new_sessions_and_inits():
    orders = _order(tf.data.Dataset.range(30).shuffle(30, seed=7), sessions=2, inits=2)
    assert orders[0] == orders[1] == orders[2] == orders[3]
    assert orders[0] != list(range(30))


def test_graph_seed_rules():
    def build():
        tf.reset_default_graph()
        tf.set_random_seed(42)
        a = tf.data.Dataset.range(30).shuffle(30)
        b = tf.data.Dataset.range(30).shuffle(30)
        return _order(a)[0], _order(b)[0]

    a1, b1 = build()
    a2, b2 = build()
    assert (a1, b1) == (a2, b2)
    assert a1 != b1  # op seeds come from the graph's counter


def test_no_seed_differs_between_sessions():
    orders = _order(tf.data.Dataset.range(50).shuffle(50), sessions=3)
    assert len({tuple(o) for o in orders}) > 1


def test_reshuffle_each_iteration():
    def epochs(reshuffle):
        tf.reset_default_graph()
        ds = tf.data.Dataset.range(20).shuffle(20, seed=3, reshuffle_each_iteration=reshuffle)
        (flat,) = _order(ds.repeat(3))
        return [flat[i * 20:(i + 1) * 20] for i in range(3)]

    same = epochs(False)
    assert same[0] == same[1] == same[2]
    differ = epochs(True)
    assert all(sorted(e) == list(range(20)) for e in differ)
    assert differ[0] != differ[1] != differ[2]
    assert epochs(True) == differ  # seeded: the sequence of orders repeats


def test_shuffle_then_batch_keeps_rows_together():
    x = np.arange(40).reshape(20, 2)
    ds = tf.data.Dataset.from_tensor_slices((x, x[:, 0] * 10)).shuffle(8, seed=1).batch(6)
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        batches = drain(tf, sess, nxt)
    rows = np.concatenate([b[0] for b in batches])
    labels = np.concatenate([b[1] for b in batches])
    assert [len(b[0]) for b in batches] == [6, 6, 6, 2]
    np.testing.assert_array_equal(rows[:, 0] * 10, labels)
    assert sorted(rows[:, 0].tolist()) == x[:, 0].tolist()
