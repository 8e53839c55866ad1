"""The global step: an int64 scalar variable ``global_step`` in the GLOBAL_STEP and
GLOBAL_VARIABLES collections (``tf.train.get_or_create_global_step`` ...)."""

from __future__ import annotations

import logging
from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import GraphKeys, get_default_graph
from minitf.framework.tensor import Tensor

__all__ = ["global_step", "get_global_step", "create_global_step", "get_or_create_global_step",
           "assert_global_step"]

_log = logging.getLogger("minitf")


def global_step(sess: Any, global_step_tensor: Any) -> int:
    """The current value of the global step, as a Python int."""
    return int(sess.run(global_step_tensor))


def get_global_step(graph: Any = None) -> Any:
    """The global step variable of ``graph`` (the GLOBAL_STEP collection, else the tensor
    named ``global_step:0``), or None."""
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) == 1:
        tensor = found[0]
    elif not found:
        try:
            tensor = graph.get_tensor_by_name("global_step:0")
        except (KeyError, ValueError):
            return None
    else:
        _log.error("Multiple tensors in global_step collection.")
        return None
    assert_global_step(tensor)
    return tensor


def create_global_step(graph: Any = None) -> Any:
    """Creates the global step variable (ValueError if it exists)."""
    from minitf.ops import init_ops, variable_scope
    from minitf.ops.variables import VariableAggregation

    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    with graph.as_default() as g, g.name_scope(None):
        return variable_scope.get_variable(
            GraphKeys.GLOBAL_STEP, shape=[], dtype=dtypes.int64,
            initializer=init_ops.zeros_initializer(), trainable=False,
            aggregation=VariableAggregation.ONLY_FIRST_REPLICA,
            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph: Any = None) -> Any:
    """The global step variable, created when the graph has none."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    if step is None:
        step = create_global_step(graph)
    return step


def assert_global_step(global_step_tensor: Any) -> None:
    """TypeError unless ``global_step_tensor`` is an integer scalar Variable or Tensor."""
    from minitf.ops.variables import Variable

    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError(f'Existing "global_step" must be a Variable or Tensor: '
                        f"{global_step_tensor}.")
    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError(f'Existing "global_step" does not have integer type: '
                        f"{global_step_tensor.dtype}")
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {shape}')
