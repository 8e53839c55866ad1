"""TF 1.x's recurrent network API, built from existing ops: the cells of ``tf.nn.rnn_cell`` and
the drivers ``tf.nn.static_rnn``, ``dynamic_rnn`` and their bidirectional forms.

Exposed as ``tf.nn.rnn_cell`` / ``tf.nn.dynamic_rnn`` ... and ``tf.contrib.rnn``.
"""

from minitf.rnn import rnn_cell
from minitf.rnn.cell_base import LayerRNNCell, LSTMStateTuple, RNNCell
from minitf.rnn.cells import BasicLSTMCell, BasicRNNCell, GRUCell, LSTMCell, MultiRNNCell
from minitf.rnn.rnn import (
    bidirectional_dynamic_rnn,
    dynamic_rnn,
    static_bidirectional_rnn,
    static_rnn,
)
from minitf.rnn.wrappers import DeviceWrapper, DropoutWrapper, ResidualWrapper

__all__ = ["BasicLSTMCell", "BasicRNNCell", "DeviceWrapper", "DropoutWrapper", "GRUCell",
           "LSTMCell", "LSTMStateTuple", "LayerRNNCell", "MultiRNNCell", "RNNCell",
           "ResidualWrapper", "bidirectional_dynamic_rnn", "dynamic_rnn", "rnn_cell",
           "static_bidirectional_rnn", "static_rnn"]
