"""static_rnn, dynamic_rnn and the bidirectional drivers against TF 1.x: time-major inputs,
sequence_length masking (zero outputs, state copied through), initial states, scopes."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import compare_with_tf

pytestmark = [pytest.mark.tf, pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]

BATCH, TIME, DEPTH = 4, 5, 3
LENGTHS = np.array([5, 2, 0, 3], np.int32)


def _x(seed=0, shape=(BATCH, TIME, DEPTH)):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def _feeds(time_major, with_lengths):
    """Feeds of :func:`_x` (time-major when asked) and, ``with_lengths``, of LENGTHS."""
    x = _x()
    feeds = {"x": np.transpose(x, (1, 0, 2)) if time_major else x}
    if with_lengths:
        feeds["lengths"] = LENGTHS
    return feeds


def _lstm(C):
    return C.LSTMCell(4, use_peepholes=True)


@pytest.mark.parametrize("time_major", [False, True])
@pytest.mark.parametrize("with_lengths", [False, True])
def test_dynamic_rnn(tfrnn, time_major, with_lengths):
    feeds = _feeds(time_major, with_lengths)

    def build(tf, C, x, lengths=None):
        return tf.nn.dynamic_rnn(C.MultiRNNCell([_lstm(C), C.GRUCell(2)]), x,
                                 sequence_length=lengths, dtype=tf.float32,
                                 time_major=time_major)

    got, _ = compare_with_tf(tfrnn, build, feeds)
    if with_lengths:
        outputs = got.outs[0]
        steps = outputs if time_major else np.transpose(outputs, (1, 0, 2))
        for b, n in enumerate(LENGTHS):
            assert not steps[n:, b].any()  # zero past each sequence's end
        gru_state = got.outs[-1]
        np.testing.assert_array_equal(gru_state[2], 0)  # length 0: the initial (zero) state
        np.testing.assert_allclose(gru_state[1], steps[1, 1], rtol=1e-6)


def test_dynamic_rnn_initial_state_and_scope(tfrnn):
    def build(tf, C, x, c0, h0):
        cell = C.BasicLSTMCell(4)
        state = C.LSTMStateTuple(c0, h0)
        with tf.variable_scope("encoder"):
            return tf.nn.dynamic_rnn(cell, x, initial_state=state, scope="lstm")

    h = _x(1, (BATCH, 4))
    got, _ = compare_with_tf(tfrnn, build, {"x": _x(), "c0": h, "h0": -h})
    assert got.all_variables == ["encoder/lstm/basic_lstm_cell/kernel:0",
                                 "encoder/lstm/basic_lstm_cell/bias:0"]


def test_dynamic_rnn_nested_inputs(tfrnn):
    """A tuple of input tensors: the cell receives the tuple at each step."""

    def build(tf, C, a, b):
        class Both(C.RNNCell):
            def __init__(self):
                super().__init__()
                self._cell = C.GRUCell(3)

            @property
            def state_size(self):
                return self._cell.state_size

            @property
            def output_size(self):
                return (3, 2)

            def call(self, inputs, state):
                out, new = self._cell(tf.concat(inputs, 1), state)
                return (out, inputs[1] * 2.0), new

        return tf.nn.dynamic_rnn(Both(), (a, b), dtype=tf.float32)

    compare_with_tf(tfrnn, build, {"a": _x(), "b": _x(2, (BATCH, TIME, 2))})


@pytest.mark.parametrize("with_lengths", [False, True])
def test_static_rnn(tfrnn, with_lengths):
    feeds = {"x": _x()}
    if with_lengths:
        feeds["lengths"] = LENGTHS

    def build(tf, C, x, lengths=None):
        inputs = tf.unstack(x, axis=1)
        return tf.nn.static_rnn(C.BasicLSTMCell(3), inputs, sequence_length=lengths,
                                dtype=tf.float32)

    got, ref = compare_with_tf(tfrnn, build, feeds)
    assert isinstance(got.result[0], list) and len(got.result[0]) == TIME


def test_static_rnn_matches_dynamic_rnn(tfrnn):
    def build(tf, C, x, lengths):
        cell = C.GRUCell(3)
        static_out, static_state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1),
                                                    sequence_length=lengths, dtype=tf.float32)
        dyn_out, dyn_state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths,
                                               dtype=tf.float32)
        return tf.stack(static_out, axis=1), static_state, dyn_out, dyn_state

    got, _ = compare_with_tf(tfrnn, build, {"x": _x(), "lengths": LENGTHS})
    np.testing.assert_allclose(got.outs[0], got.outs[2], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got.outs[1], got.outs[3], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("time_major", [False, True])
@pytest.mark.parametrize("with_lengths", [False, True])
def test_bidirectional_dynamic_rnn(tfrnn, time_major, with_lengths):
    feeds = _feeds(time_major, with_lengths)

    def build(tf, C, x, lengths=None):
        return tf.nn.bidirectional_dynamic_rnn(C.BasicLSTMCell(3), C.GRUCell(2), x,
                                               sequence_length=lengths, dtype=tf.float32,
                                               time_major=time_major)

    got, _ = compare_with_tf(tfrnn, build, feeds)
    assert got.all_variables[0] == "bidirectional_rnn/fw/basic_lstm_cell/kernel:0"
    assert got.all_variables[2] == "bidirectional_rnn/bw/gru_cell/gates/kernel:0"


@pytest.mark.parametrize("with_lengths", [False, True])
def test_static_bidirectional_rnn(tfrnn, with_lengths):
    feeds = {"x": _x()}
    if with_lengths:
        feeds["lengths"] = LENGTHS

    def build(tf, C, x, lengths=None):
        return tf.nn.static_bidirectional_rnn(C.GRUCell(2), C.BasicRNNCell(3),
                                              tf.unstack(x, axis=1), sequence_length=lengths,
                                              dtype=tf.float32, scope="birnn")

    got, _ = compare_with_tf(tfrnn, build, feeds)
    assert got.all_variables[0] == "birnn/fw/gru_cell/gates/kernel:0"


def test_dynamic_rnn_unknown_batch(tfrnn):
    """Batch size unknown at build time: the zero state comes from tf.shape(x)."""

    def build(tf, C, x, lengths):
        x = tf.placeholder_with_default(x, [None, TIME, DEPTH])
        out, state = tf.nn.dynamic_rnn(C.BasicLSTMCell(3), x, sequence_length=lengths,
                                       dtype=tf.float32)
        return out, state

    compare_with_tf(tfrnn, build, {"x": _x(), "lengths": LENGTHS})


@pytest.mark.parametrize("lengths", [None, LENGTHS, np.array([3, 2, 0, 1], np.int32)],
                         ids=["no_lengths", "lengths", "all_short"])
def test_dynamic_rnn_unknown_time(tfrnn, lengths):
    """A time axis unknown at build time: minitf's dynamic_rnn runs in tf.while_loop (which
    stops at the longest sequence, the later outputs zero)."""
    import minitf

    if getattr(minitf, "while_loop", None) is None:
        pytest.skip("minitf has no tf.while_loop yet")
    feeds = {"x": _x()}
    if lengths is not None:
        feeds["lengths"] = lengths

    def build(tf, C, x, lengths=None):
        x = tf.placeholder_with_default(x, [None, None, DEPTH])
        cell = C.MultiRNNCell([C.LSTMCell(4, use_peepholes=True), C.GRUCell(2)])
        out, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
        (fw, bw), states = tf.nn.bidirectional_dynamic_rnn(
            C.BasicRNNCell(2), C.BasicLSTMCell(3), out, sequence_length=lengths,
            dtype=tf.float32)
        return out, state, fw, bw, states

    compare_with_tf(tfrnn, build, feeds)
