"""The RNN API without the TF oracle: namespaces, errors, dropout wrapper semantics, IRNN
initialization, the nest helpers."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.rnn import nest

rnn_cell = tf.nn.rnn_cell


def _x(shape=(3, 4, 5), seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def test_namespaces():
    for name in ("RNNCell", "BasicRNNCell", "GRUCell", "BasicLSTMCell", "LSTMCell",
                 "LSTMStateTuple", "MultiRNNCell", "DropoutWrapper", "ResidualWrapper",
                 "DeviceWrapper"):
        assert getattr(tf.nn.rnn_cell, name) is getattr(tf.contrib.rnn, name)
    assert tf.contrib.rnn.static_rnn is tf.nn.static_rnn
    assert tf.contrib.rnn.static_bidirectional_rnn is tf.nn.static_bidirectional_rnn
    for name in ("dynamic_rnn", "bidirectional_dynamic_rnn"):
        assert callable(getattr(tf.nn, name))


def test_sizes_and_zero_state():
    cell = rnn_cell.MultiRNNCell([rnn_cell.LSTMCell(4, num_proj=2), rnn_cell.GRUCell(3)])
    assert cell.state_size == (rnn_cell.LSTMStateTuple(4, 2), 3)
    assert cell.output_size == 3
    zero = cell.zero_state(5, tf.float32)
    assert isinstance(zero[0], rnn_cell.LSTMStateTuple)
    assert zero[0].c.get_shape().as_list() == [5, 4]
    assert zero[0].h.get_shape().as_list() == [5, 2]
    assert zero[0].dtype == tf.float32
    assert zero[1].name.startswith("MultiRNNCellZeroState/GRUCellZeroState/")
    batch = tf.placeholder(tf.int32, [])
    dynamic = rnn_cell.BasicLSTMCell(3).zero_state(batch, tf.float32)
    assert dynamic.c.get_shape().as_list() == [None, 3]
    with tf.Session() as sess:
        assert sess.run(dynamic.h, {batch: 2}).shape == (2, 3)


def test_weights_are_tracked():
    cells = [rnn_cell.BasicLSTMCell(3), rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2))]
    multi = rnn_cell.MultiRNNCell(cells)
    tf.nn.dynamic_rnn(multi, tf.constant(_x()), dtype=tf.float32)
    assert [v.name for v in cells[0].trainable_weights] == [
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel:0",
        "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias:0"]
    assert len(cells[1].trainable_weights) == 4
    assert len(multi.trainable_weights) == 6 == len(tf.trainable_variables())
    assert multi.weights == multi.trainable_weights


def test_errors():
    x = tf.constant(_x())
    with pytest.raises(TypeError, match="is not an RNNCell"):
        tf.nn.dynamic_rnn(object(), x, dtype=tf.float32)
    with pytest.raises(ValueError, match="argument `dtype` must be specified"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), x)
    with pytest.raises(TypeError, match="must be a sequence"):
        tf.nn.static_rnn(rnn_cell.GRUCell(2), x, dtype=tf.float32)
    with pytest.raises(ValueError, match="must not be empty"):
        tf.nn.static_rnn(rnn_cell.GRUCell(2), [], dtype=tf.float32)
    with pytest.raises(ValueError, match="only supports floating point"):
        rnn_cell.BasicRNNCell(2)(tf.constant([[1, 2]]), tf.constant([[1, 2]]))
    with pytest.raises(ValueError, match="depth of inputs"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), tf.placeholder(tf.float32, [2, 3, None]),
                          dtype=tf.float32)
    with pytest.raises(ValueError, match="sequence_length must be a vector"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), x, sequence_length=[[1]], dtype=tf.float32)
    with pytest.raises(ValueError, match="must be between 0 and 1"):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2), output_keep_prob=1.5)
    with pytest.raises(ValueError, match="dtype must be provided"):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2), variational_recurrent=True)
    with pytest.raises(ValueError, match="state_is_tuple is not set"):
        rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(2)], state_is_tuple=False)


def test_unknown_time_dimension():
    """A time axis unknown at build time needs tf.while_loop."""
    x = tf.placeholder(tf.float32, [2, None, 3])
    cell = rnn_cell.GRUCell(2)
    if getattr(tf, "while_loop", None) is None:
        with pytest.raises(ValueError, match="time dimension"):
            tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        return
    out, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for steps in (1, 4):
            o, s = sess.run([out, state], {x: _x((2, steps, 3))})
            assert o.shape == (2, steps, 2)
            np.testing.assert_allclose(o[:, -1], s, rtol=1e-6)


def _run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_dropout_wrapper_masks_outputs():
    cell = rnn_cell.BasicRNNCell(64)
    x = tf.constant(_x((8, 6, 5)))
    plain, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, scope="rnn")
    wrapped = rnn_cell.DropoutWrapper(cell, output_keep_prob=0.5, seed=1)
    dropped, _ = tf.nn.dynamic_rnn(wrapped, x, dtype=tf.float32, scope="rnn")
    assert len(tf.trainable_variables()) == 2  # the wrapper shares the cell's weights
    p, d = _run([plain, dropped])
    kept = d != 0
    np.testing.assert_allclose(d[kept], 2 * p[kept], rtol=1e-5)
    assert 0.4 < kept.mean() < 0.6


def test_variational_dropout_uses_one_mask_per_run():
    cell = rnn_cell.DropoutWrapper(rnn_cell.BasicRNNCell(32, activation=tf.sigmoid),
                                   output_keep_prob=0.5, variational_recurrent=True,
                                   dtype=tf.float32, seed=3)
    out, _ = tf.nn.dynamic_rnn(cell, tf.constant(_x((4, 5, 3))), dtype=tf.float32)
    o = _run(out)
    mask = o != 0  # sigmoid outputs are never exactly zero
    assert (mask == mask[:, :1]).all()  # the same units dropped at every step...
    assert (mask == mask[:1]).all()  # ...and for every sequence ([1, units] noise, as TF)
    assert 0.2 < mask.mean() < 0.8


def test_state_dropout_leaves_lstm_memory_alone():
    lstm = rnn_cell.BasicLSTMCell(64)
    x = tf.constant(_x((6, 1, 3)))
    _, plain = tf.nn.dynamic_rnn(lstm, x, dtype=tf.float32, scope="rnn")
    wrapped = rnn_cell.DropoutWrapper(lstm, state_keep_prob=0.5)
    _, dropped = tf.nn.dynamic_rnn(wrapped, x, dtype=tf.float32, scope="rnn")
    p, d = _run([plain, dropped])
    np.testing.assert_allclose(d.c, p.c, rtol=1e-6)
    kept = d.h != 0
    np.testing.assert_allclose(d.h[kept], 2 * p.h[kept], rtol=1e-5)
    assert 0.3 < kept.mean() < 0.7


def test_keep_prob_placeholder():
    keep = tf.placeholder_with_default(1.0, [])
    cell = rnn_cell.DropoutWrapper(rnn_cell.GRUCell(16), input_keep_prob=keep)
    out, _ = tf.nn.dynamic_rnn(cell, tf.constant(_x()), dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a = sess.run(out)
        np.testing.assert_array_equal(a, sess.run(out))
        assert not np.allclose(a, sess.run(out, {keep: 0.3}))


def test_irnn_identity_initialization():
    """Le et al. (2015): a ReLU RNN whose recurrent weights start as the identity carries its
    state unchanged through steps with zero input."""
    units, depth = 4, 3

    def irnn_init(shape, dtype=tf.float32, partition_info=None):
        w = np.zeros(shape, np.float32)
        w[:depth] = np.random.RandomState(0).normal(0, 0.001, (depth, units))
        w[depth:] = np.eye(units)
        return tf.constant(w, dtype=dtype)

    cell = rnn_cell.BasicRNNCell(units, activation=tf.nn.relu)
    with tf.variable_scope("irnn", initializer=irnn_init):
        h0 = tf.constant([[1.0, 0.5, 0.0, 2.0]])
        out, state = tf.nn.dynamic_rnn(cell, tf.zeros([1, 7, depth]), initial_state=h0)
    o, s = _run([out, state])
    np.testing.assert_allclose(o[0], np.tile(h0_value := [[1.0, 0.5, 0.0, 2.0]], (7, 1))[:7])
    np.testing.assert_allclose(s, h0_value)
    assert cell.trainable_weights[0].name == "irnn/rnn/basic_rnn_cell/kernel:0"


def test_residual_and_device_wrappers():
    x = tf.constant(_x((2, 3, 4)))
    res = rnn_cell.ResidualWrapper(rnn_cell.BasicRNNCell(4))
    out, _ = tf.nn.dynamic_rnn(res, x, dtype=tf.float32)
    plain, _ = tf.nn.dynamic_rnn(res.cell, x, dtype=tf.float32, scope="rnn")
    dev = rnn_cell.DeviceWrapper(rnn_cell.GRUCell(2), "/cpu:0")
    tf.nn.dynamic_rnn(dev, x, dtype=tf.float32, scope="d")
    matmuls = [op for op in tf.get_default_graph().get_operations()
               if op.type == "MatMul" and op.name.startswith("d/")]
    assert matmuls and all(op.device == "/device:CPU:0" for op in matmuls)
    o, p = _run([out, plain])
    np.testing.assert_allclose(o, p + _x((2, 3, 4)), rtol=1e-5, atol=1e-6)


def test_nest():
    t = rnn_cell.LSTMStateTuple
    s = (t(1, 2), [3, {"b": 4, "a": 5}])
    assert nest.flatten(s) == [1, 2, 3, 5, 4]
    back = nest.pack_sequence_as(s, [10, 20, 30, 50, 40])
    assert back == (t(10, 20), [30, {"b": 40, "a": 50}]) and isinstance(back[0], t)
    assert nest.map_structure(lambda a, b: a + b, s, s) == (t(2, 4), [6, {"b": 8, "a": 10}])
    with pytest.raises(ValueError):
        nest.assert_same_structure((1, 2), (1, (2, 3)))
    with pytest.raises(TypeError):
        nest.assert_same_structure(t(1, 2), (1, 2))
    assert nest.flatten(7) == [7] and nest.pack_sequence_as(7, [8]) == 8


def test_static_time_in_while_loop_matches_unrolled(monkeypatch):
    """With UNROLL_STATIC_TIME off, a static time axis also runs in tf.while_loop (TF's graph
    shape); values and gradients equal the unrolled graph's."""
    from minitf.rnn import loop

    if getattr(tf, "while_loop", None) is None:
        pytest.skip("minitf has no tf.while_loop yet")
    x = tf.constant(_x((3, 5, 2)))
    lengths = tf.constant([5, 0, 2])
    cell = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(3), rnn_cell.GRUCell(2)])
    results = []
    for unroll in (True, False):
        monkeypatch.setattr(loop, "UNROLL_STATIC_TIME", unroll)
        out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32,
                                       scope="rnn")
        loss = tf.reduce_sum(out * out) + tf.reduce_sum(state[0].c)
        results.append([out, state, tf.gradients(loss, [x] + tf.trainable_variables())])
    assert any("/while/" in op.name for op in tf.get_default_graph().get_operations())
    unrolled, looped = _run(results)
    for a, b in zip(nest.flatten(unrolled), nest.flatten(looped)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_sequence_length_checked_at_run_time():
    """As TF: dynamic_rnn asserts that sequence_length has batch_size entries."""
    x = tf.placeholder(tf.float32, [3, 4, 2])
    lengths = tf.placeholder(tf.int32, [None])
    out, _ = tf.nn.dynamic_rnn(rnn_cell.GRUCell(2), x, sequence_length=lengths,
                               dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(out, {x: _x((3, 4, 2)), lengths: [4, 0, 1]}).shape == (3, 4, 2)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Expected shape for Tensor rnn/sequence_length:0 is \] \[3\]"):
            sess.run(out, {x: _x((3, 4, 2)), lengths: [4, 0]})
