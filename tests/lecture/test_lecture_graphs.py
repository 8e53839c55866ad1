"""The TensorFlow snippets of the lecture (shared/seed/intro-to-deep-learning-and-tensorflow.txt),
slide by slide: each runs under minitf and prints what TensorFlow prints."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf


def test_data_flow_graph_print_add():
    # "a = tf.add(3, 5); print(a)" -> Tensor("Add:0", shape=(), dtype=int32)  (Not 8)
    a = tf.add(3, 5)
    assert str(a) == 'Tensor("Add:0", shape=(), dtype=int32)'
    # "Why x, y? TF automatically names the nodes when you don't explicitly name them."
    assert [t.op.name for t in a.op.inputs] == ["Add/x", "Add/y"]
    assert [t.op.type for t in a.op.inputs] == ["Const", "Const"]


def test_session_run_and_close():
    a = tf.add(3, 5)
    sess = tf.Session()
    value = sess.run(a)
    sess.close()
    assert value == 8
    assert isinstance(value, np.int32)
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(a)


def test_session_with_block():
    a = tf.add(3, 5)
    with tf.Session() as sess:
        assert sess.run(a) == 8
        assert tf.get_default_session() is sess
    assert tf.get_default_session() is None


def test_more_graph_pow():
    x, y = 2, 3
    op1 = tf.add(x, y)
    op2 = tf.multiply(x, y)
    op3 = tf.pow(op2, op1)
    with tf.Session() as sess:
        assert sess.run(op3) == 6 ** 5
    assert [op.name for op in tf.get_default_graph().get_operations()] == [
        "Add/x", "Add/y", "Add", "Mul/x", "Mul/y", "Mul", "Pow"]


def _run_traced(sess, fetches):
    opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    meta = tf.RunMetadata()
    out = sess.run(fetches, options=opts, run_metadata=meta)
    ran = {ns.node_name for ds in meta.step_stats.dev_stats for ns in ds.node_stats}
    return out, ran


def test_subgraphs_useless_is_not_run():
    x, y = 2, 3
    add_op = tf.add(x, y)
    mul_op = tf.multiply(x, y)
    useless = tf.multiply(x, add_op)
    pow_op = tf.pow(add_op, mul_op)
    with tf.Session() as sess:
        z, ran = _run_traced(sess, pow_op)
        assert z == 5 ** 6
        # all inputs are constants, so Add and Mul may be folded into Pow's constant at plan
        # build (as TF's constant folding does); `useless` never runs
        assert useless.op.name not in ran and "Pow" in ran
        (z, not_useless), ran = _run_traced(sess, [pow_op, useless])
        assert (z, not_useless) == (5 ** 6, 10)
        assert useless.op.name in ran


def test_subgraphs_useless_is_not_run_with_fed_input():
    x = tf.placeholder(tf.int32, [], name="x")
    y = 3
    add_op = tf.add(x, y)
    mul_op = tf.multiply(x, y)
    useless = tf.multiply(x, add_op)
    pow_op = tf.pow(add_op, mul_op)
    with tf.Session() as sess:
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        meta = tf.RunMetadata()
        z = sess.run(pow_op, {x: 2}, options=opts, run_metadata=meta)
    ran = {ns.node_name for ds in meta.step_stats.dev_stats for ns in ds.node_stats}
    assert z == 5 ** 6
    assert {"Add", "Mul", "Pow"} <= ran
    assert useless.op.name not in ran


def test_device_placement_unavailable_gpu_errors_naming_op(capsys):
    with tf.device("/gpu:2"):
        a = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], name="a")
        b = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], name="b")
        c = tf.multiply(a, b)
    assert c.device == "/device:GPU:2"
    sess = tf.Session(config=tf.ConfigProto(log_device_placement=True))
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(c)
    assert "/device:GPU:2" in str(info.value)
    assert info.value.op is not None and info.value.op.name in ("a", "b", "Mul")


def test_device_placement_soft_and_logged(capsys):
    with tf.device("/gpu:2"):
        a = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], name="a")
        b = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], name="b")
        c = tf.multiply(a, b)
    sess = tf.Session(config=tf.ConfigProto(log_device_placement=True,
                                            allow_soft_placement=True))
    np.testing.assert_array_equal(sess.run(c), [1.0, 4.0, 9.0, 16.0, 25.0, 36.0])
    err = capsys.readouterr().err
    assert "Mul: (Mul): /job:localhost/replica:0/task:0/device:CPU:0" in err
    assert "a: (Const): /job:localhost/replica:0/task:0/device:CPU:0" in err


def test_cpu_device_strings_resolve():
    with tf.device("/cpu:0"):
        a = tf.constant(1.0)
    with tf.device("/job:localhost/replica:0/task:0/device:CPU:0"):
        b = a * 2.0
    assert a.device == "/device:CPU:0"
    with tf.Session() as sess:
        assert sess.run(b) == 2.0


def test_graph_as_default():
    g = tf.Graph()
    with g.as_default():
        x = tf.add(3, 5)
    assert x.graph is g
    sess = tf.Session(graph=g)
    assert sess.run(x) == 8
    sess.close()
    with tf.Session(graph=g) as sess:
        assert sess.run(x) == 8


def test_get_default_graph():
    g = tf.get_default_graph()
    a = tf.constant(1)
    assert a.graph is g
    with tf.Graph().as_default() as g2:
        assert tf.get_default_graph() is g2
    assert tf.get_default_graph() is g


def test_do_not_mix_graphs():
    g = tf.Graph()
    a = tf.constant(3)
    with g.as_default():
        b = tf.constant(5)
    with pytest.raises(ValueError, match="must be from the same graph"):
        tf.add(a, b)
    with pytest.raises(ValueError):
        tf.Session(graph=g).run(a)


def test_sigmoid_wx_plus_b_slide():
    # sigma([[1, -2], [-1, 1]] [1, -1] + [1, 0]) = sigma([4, -2]) = [0.98, 0.12]
    W = tf.constant([[1.0, -2.0], [-1.0, 1.0]])
    x = tf.constant([[1.0], [-1.0]])
    b = tf.constant([[1.0], [0.0]])
    z = tf.matmul(W, x) + b
    a = tf.sigmoid(z)
    with tf.Session() as sess:
        zv, av = sess.run([z, a])
    np.testing.assert_array_equal(zv.ravel(), [4.0, -2.0])
    np.testing.assert_allclose(av.ravel(), [0.98, 0.12], atol=0.005)


def test_sigmoid_network_example_values():
    # f([1, -1]) = [0.62, 0.83] and f([0, 0]) = [0.51, 0.85] for the lecture's 3-layer network
    W1, b1 = [[1.0, -2.0], [-1.0, 1.0]], [1.0, 0.0]
    W2, b2 = [[2.0, -1.0], [-2.0, -1.0]], [0.0, 0.0]
    W3, b3 = [[3.0, -1.0], [-1.0, 4.0]], [-2.0, 2.0]
    x = tf.placeholder(tf.float32, [2])

    def layer(a, W, b):
        return tf.sigmoid(tf.reshape(tf.matmul(tf.constant(W), tf.reshape(a, [2, 1])), [2])
                          + tf.constant(b))

    y = layer(layer(layer(x, W1, b1), W2, b2), W3, b3)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(y, {x: [1.0, -1.0]}), [0.62, 0.83], atol=0.006)
        np.testing.assert_allclose(sess.run(y, {x: [0.0, 0.0]}), [0.51, 0.85], atol=0.006)
