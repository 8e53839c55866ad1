"""Ops whose outputs form a list (Unpack, Split, IdentityN, PyFunc, ...) with exactly one output:
the plan must store the tensor's value, not a one-element list around it."""

import numpy as np
import pytest

import minitf as tf

X = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)


def _cases(x):
    return {
        "unstack": (tf.unstack(x)[0], X[0]),
        "split": (tf.split(x, 1)[0], X),
        "split_v": (tf.split(x, [3], axis=1)[0], X),
        "identity_n": (tf.identity_n([x])[0], X),
        "py_func": (tf.py_func(lambda a: a * 2, [x], tf.float32), X * 2),
        "py_func_list": (tf.py_func(lambda a: [a * 2], [x], [tf.float32])[0], X * 2),
        "shape_n": (tf.shape_n([x])[0], np.array([1, 3], np.int32)),
        "dynamic_partition": (tf.dynamic_partition(x[0], tf.constant([0, 0, 0]), 1)[0], X[0]),
        "unstack_then_add": (tf.unstack(x)[0] + 1.0, X[0] + 1),
    }


@pytest.mark.parametrize("fed", [False, True], ids=["const", "fed"])
@pytest.mark.parametrize("name", sorted(_cases(tf.constant(X))))
def test_single_output_of_list_op(name: str, fed: bool) -> None:
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [1, 3]) if fed else tf.constant(X)
        t, want = _cases(x)[name]
        with tf.Session() as sess:
            got = sess.run(t, {x: X} if fed else None)
    assert isinstance(got, np.ndarray)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_saver_round_trip_with_one_variable(tmp_path) -> None:
    g = tf.Graph()
    with g.as_default():
        v = tf.Variable([1.0, 2.0, 3.0], name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            path = saver.save(sess, str(tmp_path / "model"))
            sess.run(v.assign([0.0, 0.0, 0.0]))
            saver.restore(sess, path)
            np.testing.assert_array_equal(sess.run(v), [1.0, 2.0, 3.0])
