"""The ``tf.nn.rnn_cell`` namespace (TF 1.x): re-exports only."""

from minitf.rnn.cell_base import LayerRNNCell, LSTMStateTuple, RNNCell
from minitf.rnn.cells import BasicLSTMCell, BasicRNNCell, GRUCell, LSTMCell, MultiRNNCell
from minitf.rnn.wrappers import DeviceWrapper, DropoutWrapper, ResidualWrapper

__all__ = ["BasicLSTMCell", "BasicRNNCell", "DeviceWrapper", "DropoutWrapper", "GRUCell",
           "LSTMCell", "LSTMStateTuple", "LayerRNNCell", "MultiRNNCell", "RNNCell",
           "ResidualWrapper"]
