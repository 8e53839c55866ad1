"""``tf.contrib.rnn`` (TF 1.x): the core RNN cells and drivers under their contrib names.

Only what ``tf.nn.rnn_cell`` / ``tf.nn`` also provide; contrib-only cells (``LSTMBlockCell``,
``LayerNormBasicLSTMCell``, ``AttentionCellWrapper`` ...) are not implemented.
"""

from minitf.rnn.cell_base import LayerRNNCell, LSTMStateTuple, RNNCell
from minitf.rnn.cells import BasicLSTMCell, BasicRNNCell, GRUCell, LSTMCell, MultiRNNCell
from minitf.rnn.rnn import static_bidirectional_rnn, static_rnn
from minitf.rnn.wrappers import DeviceWrapper, DropoutWrapper, ResidualWrapper

__all__ = ["BasicLSTMCell", "BasicRNNCell", "DeviceWrapper", "DropoutWrapper", "GRUCell",
           "LSTMCell", "LSTMStateTuple", "LayerRNNCell", "MultiRNNCell", "RNNCell",
           "ResidualWrapper", "static_bidirectional_rnn", "static_rnn"]
