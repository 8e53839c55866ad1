"""The ``tf.train`` namespace: optimizers, learning-rate schedules, the global step, Saver and
checkpoint utilities, meta graphs."""

from minitf.framework.graph_io import write_graph
from minitf.ops import training_ops as _training_ops  # registers Apply* / SparseApply*
from minitf.train import checkpoint_ops as _checkpoint_ops  # registers SaveV2 / RestoreV2
from minitf.train.adadelta import AdadeltaOptimizer
from minitf.train.adagrad import AdagradOptimizer
from minitf.train.adam import AdamOptimizer
from minitf.train.checkpoint_management import (
    CheckpointState,
    checkpoint_exists,
    generate_checkpoint_state_proto,
    get_checkpoint_mtimes,
    get_checkpoint_state,
    latest_checkpoint,
    remove_checkpoint,
    update_checkpoint_state,
)
from minitf.train.checkpoint_utils import (
    NewCheckpointReader,
    list_variables,
    load_checkpoint,
    load_variable,
)
from minitf.train.coordinator import Coordinator, LooperThread
from minitf.train.gradient_descent import GradientDescentOptimizer
from minitf.train.input import (
    batch,
    batch_join,
    input_producer,
    limit_epochs,
    range_input_producer,
    shuffle_batch,
    shuffle_batch_join,
    slice_input_producer,
    string_input_producer,
)
from minitf.train.learning_rate_decay import (
    cosine_decay,
    cosine_decay_restarts,
    exponential_decay,
    inverse_time_decay,
    linear_cosine_decay,
    natural_exp_decay,
    noisy_linear_cosine_decay,
    piecewise_constant,
    polynomial_decay,
)
from minitf.train.meta_graph import export_meta_graph, import_meta_graph
from minitf.train.momentum import MomentumOptimizer
from minitf.train.moving_averages import ExponentialMovingAverage
from minitf.train.optimizer import Optimizer
from minitf.train.queue_runner import QueueRunner, add_queue_runner, start_queue_runners
from minitf.train.rmsprop import RMSPropOptimizer
from minitf.train.saver import Saver, SaverDef
from minitf.train.training_util import (
    assert_global_step,
    create_global_step,
    get_global_step,
    get_or_create_global_step,
    global_step,
)

__all__ = [
    "Optimizer", "GradientDescentOptimizer", "MomentumOptimizer", "AdagradOptimizer",
    "RMSPropOptimizer", "AdadeltaOptimizer", "AdamOptimizer",
    "exponential_decay", "inverse_time_decay", "natural_exp_decay", "piecewise_constant",
    "polynomial_decay", "cosine_decay", "cosine_decay_restarts", "linear_cosine_decay",
    "noisy_linear_cosine_decay",
    "global_step", "get_global_step", "create_global_step", "get_or_create_global_step",
    "assert_global_step", "write_graph",
    "Saver", "SaverDef", "latest_checkpoint", "get_checkpoint_state", "checkpoint_exists",
    "update_checkpoint_state", "generate_checkpoint_state_proto", "get_checkpoint_mtimes",
    "remove_checkpoint", "CheckpointState", "NewCheckpointReader", "load_checkpoint",
    "list_variables", "load_variable", "export_meta_graph", "import_meta_graph",
    "ExponentialMovingAverage",
    "Coordinator", "LooperThread", "QueueRunner", "add_queue_runner", "start_queue_runners",
    "limit_epochs", "input_producer", "string_input_producer", "range_input_producer",
    "slice_input_producer", "batch", "shuffle_batch", "batch_join", "shuffle_batch_join",
]

_LAZY = {"SummaryWriter": ("minitf.summary", "FileWriter"),
         "summary_iterator": ("minitf.summary", "summary_iterator")}


def __getattr__(name: str):  # noqa: ANN202 - lazy TF1 aliases (keep tf.train light to import)
    """``tf.train.SummaryWriter`` (the pre-1.0 name of tf.summary.FileWriter) and
    ``tf.train.summary_iterator``."""
    entry = _LAZY.get(name)
    if entry is None:
        raise AttributeError(f"module 'minitf.train' has no attribute '{name}'")
    import importlib

    return getattr(importlib.import_module(entry[0]), entry[1])
