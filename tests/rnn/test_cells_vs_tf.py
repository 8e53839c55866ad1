"""Each TF 1.x RNN cell run by dynamic_rnn in TF and in minitf: variable names and shapes, outputs
and final states from the same weights, gradients w.r.t. weights and inputs."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import compare_with_tf

pytestmark = [pytest.mark.tf, pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]

BATCH, TIME, DEPTH = 3, 4, 5


def _x(seed=0, shape=(BATCH, TIME, DEPTH)):
    return np.random.RandomState(seed).uniform(-1, 1, shape).astype(np.float32)


def _init(tf):
    return tf.random_uniform_initializer(-0.5, 0.5, seed=3)


CELLS = {
    "basic_rnn": lambda tf, C: C.BasicRNNCell(6),
    "basic_rnn_relu": lambda tf, C: C.BasicRNNCell(4, activation=tf.nn.relu),
    "gru": lambda tf, C: C.GRUCell(4),
    "gru_relu_init": lambda tf, C: C.GRUCell(3, activation=tf.nn.relu,
                                             kernel_initializer=_init(tf),
                                             bias_initializer=tf.zeros_initializer()),
    "basic_lstm": lambda tf, C: C.BasicLSTMCell(4, forget_bias=0.5),
    "basic_lstm_concat": lambda tf, C: C.BasicLSTMCell(3, state_is_tuple=False),
    "lstm": lambda tf, C: C.LSTMCell(4),
    "lstm_peephole_clip_proj": lambda tf, C: C.LSTMCell(
        5, use_peepholes=True, cell_clip=0.3, num_proj=3, proj_clip=0.1,
        initializer=_init(tf), forget_bias=0.0),
    "lstm_proj_concat": lambda tf, C: C.LSTMCell(4, num_proj=2, state_is_tuple=False),
    "multi": lambda tf, C: C.MultiRNNCell([C.BasicLSTMCell(4), C.GRUCell(3),
                                           C.BasicRNNCell(2)]),
    "multi_concat": lambda tf, C: C.MultiRNNCell([C.BasicRNNCell(3), C.GRUCell(2)],
                                                 state_is_tuple=False),
    "residual": lambda tf, C: C.ResidualWrapper(C.GRUCell(DEPTH)),
    "dropout_keep_1": lambda tf, C: C.DropoutWrapper(C.BasicLSTMCell(4), input_keep_prob=1.0,
                                                     output_keep_prob=1.0, state_keep_prob=1.0),
    "device": lambda tf, C: C.DeviceWrapper(C.BasicRNNCell(3), "/cpu:0"),
    "multi_wrapped": lambda tf, C: C.MultiRNNCell([
        C.ResidualWrapper(C.BasicLSTMCell(DEPTH)),
        C.DropoutWrapper(C.LSTMCell(3, use_peepholes=True))]),
}


@pytest.mark.parametrize("name", sorted(CELLS))
def test_cell_in_dynamic_rnn_matches_tf(tfrnn, name):
    def build(tf, C, x):
        cell = CELLS[name](tf, C)
        return tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)

    got, _ = compare_with_tf(tfrnn, build, {"x": _x()})
    assert got.all_variables  # every cell has weights


def test_variable_names(tfrnn):
    def build(tf, C, x):
        cells = [C.LSTMCell(4, use_peepholes=True, num_proj=2), C.GRUCell(3)]
        return tf.nn.dynamic_rnn(C.MultiRNNCell(cells), x, dtype=tf.float32)

    got, _ = compare_with_tf(tfrnn, build, {"x": _x()})
    assert got.all_variables == [
        "rnn/multi_rnn_cell/cell_0/lstm_cell/kernel:0",
        "rnn/multi_rnn_cell/cell_0/lstm_cell/bias:0",
        "rnn/multi_rnn_cell/cell_0/lstm_cell/w_f_diag:0",
        "rnn/multi_rnn_cell/cell_0/lstm_cell/w_i_diag:0",
        "rnn/multi_rnn_cell/cell_0/lstm_cell/w_o_diag:0",
        "rnn/multi_rnn_cell/cell_0/lstm_cell/projection/kernel:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/gates/bias:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/kernel:0",
        "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/bias:0",
    ]


def test_cell_called_directly_with_scope(tfrnn):
    """One step by hand, twice with the same cell (weights shared), named cells and scopes."""

    def build(tf, C, x, h):
        cell = C.BasicLSTMCell(4, name="enc")
        state = C.LSTMStateTuple(h, h)
        out1, s1 = cell(x[:, 0], state)
        out2, s2 = cell(x[:, 1], s1)
        gru = C.GRUCell(4)
        out3, s3 = gru(out2, s2.h, scope="decoder")
        with tf.variable_scope("stack"):
            out4, s4 = C.BasicRNNCell(2)(out3, tf.zeros_like(out3[:, :2]))
        return out1, out2, s2, out3, out4, s4

    got, _ = compare_with_tf(tfrnn, build, {"x": _x(), "h": _x(1, (BATCH, 4))})
    assert got.all_variables == ["enc/kernel:0", "enc/bias:0", "decoder/gates/kernel:0",
                                 "decoder/gates/bias:0", "decoder/candidate/kernel:0",
                                 "decoder/candidate/bias:0",
                                 "stack/basic_rnn_cell/kernel:0",
                                 "stack/basic_rnn_cell/bias:0"]


def test_two_cells_same_scope_are_uniquified(tfrnn):
    def build(tf, C, x):
        a, _ = tf.nn.dynamic_rnn(C.BasicRNNCell(3), x, dtype=tf.float32, scope="layer")
        b, _ = tf.nn.dynamic_rnn(C.BasicRNNCell(3), a, dtype=tf.float32, scope="layer2")
        c, _ = C.BasicRNNCell(2)(b[:, 0], tf.zeros_like(b[:, 0, :2]))
        d, _ = C.BasicRNNCell(2)(c, c)
        return d

    got, _ = compare_with_tf(tfrnn, build, {"x": _x()})
    assert got.all_variables == [
        "layer/basic_rnn_cell/kernel:0", "layer/basic_rnn_cell/bias:0",
        "layer2/basic_rnn_cell/kernel:0", "layer2/basic_rnn_cell/bias:0",
        "basic_rnn_cell/kernel:0", "basic_rnn_cell/bias:0",
        "basic_rnn_cell_1/kernel:0", "basic_rnn_cell_1/bias:0"]


def test_custom_cell_with_get_variable(tfrnn):
    """A user RNNCell creating its weights with tf.get_variable inside call (TF 1.0 style)."""

    def build(tf, C, x):
        class MinimalRNNCell(C.RNNCell):
            @property
            def state_size(self):
                return 3

            @property
            def output_size(self):
                return 3

            def call(self, inputs, state):
                w = tf.get_variable("w", [DEPTH, 3])
                u = tf.get_variable("u", [3, 3], initializer=tf.orthogonal_initializer())
                h = tf.tanh(tf.matmul(inputs, w) + tf.matmul(state, u))
                return h, h

        cell = MinimalRNNCell()
        out = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        assert [v.name for v in cell.trainable_weights] == ["rnn/minimal_rnn_cell/w:0",
                                                            "rnn/minimal_rnn_cell/u:0"]
        return out

    got, _ = compare_with_tf(tfrnn, build, {"x": _x()})
    assert got.all_variables == ["rnn/minimal_rnn_cell/w:0", "rnn/minimal_rnn_cell/u:0"]


def test_reuse_and_float64(tfrnn):
    """A second cell built with reuse=True in the same scope shares the first one's weights;
    float64 inputs make float64 weights."""

    def build(tf, C, x):
        with tf.variable_scope("shared"):
            a, _ = tf.nn.dynamic_rnn(C.GRUCell(3), x, dtype=tf.float64)
        with tf.variable_scope("shared", reuse=True):
            b, _ = tf.nn.dynamic_rnn(C.GRUCell(3, reuse=True), x[:, ::-1], dtype=tf.float64)
        return a, b

    got, _ = compare_with_tf(tfrnn, build, {"x": _x().astype(np.float64)},
                             rtol=1e-10, atol=1e-10, grad_atol=1e-10)
    assert len(got.all_variables) == 4
    assert got.variables[0].dtype.base_dtype.name == "float64"
