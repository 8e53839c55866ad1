"""Helpers shared by the RNN drivers (TF's private ``rnn.py`` functions): layout changes, batch
size and dtype inference, the initial state, and one step with ``sequence_length`` masking."""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import array_ops, math_ops
from minitf.rnn import nest
from minitf.rnn.cell_base import concat_shape


def unstack(x: Tensor, num: int) -> list[Tensor]:
    """``tf.unstack(x, num)`` along axis 0. One step is taken with ``squeeze``: the executor
    stores a one-element output list of a list-output op (Unpack with num=1) as the value
    itself (a runtime bug, reported)."""
    if num == 1:
        return [array_ops.squeeze(x, [0])]
    return array_ops.unstack(x, num=num, axis=0)


def transpose_batch_time(x: Tensor) -> Tensor:
    """Swaps the first two axes (batch-major <-> time-major); rank < 2 passes through."""
    shape = x.get_shape()
    if shape.ndims is not None and shape.ndims < 2:
        return x
    if shape.ndims is not None:
        perm: Any = [1, 0] + list(range(2, shape.ndims))
    else:
        perm = array_ops.concat(([1, 0], math_ops.range_(2, array_ops.rank(x))), axis=0)
    x_t = array_ops.transpose(x, perm)
    if shape.ndims is not None:
        x_t.set_shape(TensorShape([shape[1].value, shape[0].value]).concatenate(shape[2:]))
    return x_t


def best_effort_input_batch_size(flat_input: list[Tensor]) -> Any:
    """The batch size of time-major inputs: static where known, else ``tf.shape(x)[1]``."""
    for input_ in flat_input:
        shape = input_.get_shape()
        if shape.ndims is None:
            continue
        if shape.ndims < 2:
            raise ValueError(f"Input tensor should have rank >= 2. Received input={input_} of "
                             f"rank {shape.ndims}")
        if shape[1].value is not None:
            return shape[1].value
    return array_ops.shape(flat_input[0])[1]


def infer_state_dtype(explicit_dtype: Any, state: Any) -> Any:
    """``explicit_dtype``, else the one dtype of the (nested) ``state``."""
    if explicit_dtype is not None:
        return dtypes.as_dtype(explicit_dtype)
    if nest.is_nested(state):
        inferred = [element.dtype for element in nest.flatten(state)]
        if not inferred:
            raise ValueError(f"Unable to infer dtype from argument state={state}.")
        if not all(x == inferred[0] for x in inferred):
            raise ValueError(f"Argument state={state} has tensors of different inferred dtypes. "
                             "Unable to infer a single representative dtype. Dtypes received: "
                             f"{inferred}")
        return inferred[0]
    return state.dtype


def make_initial_state(cell: Any, initial_state: Any, batch_size: Any, dtype: Any) -> Any:
    """``initial_state`` if given, else the cell's zero state (``dtype`` then required)."""
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If no initial_state is provided, argument `dtype` must be specified")
    if getattr(cell, "get_initial_state", None) is not None:
        return cell.get_initial_state(inputs=None, batch_size=batch_size, dtype=dtype)
    return cell.zero_state(batch_size, dtype)


def rnn_step(time: Any, sequence_length: Tensor, zero_output: Any, state: Any,
             call_cell: Any) -> tuple[Any, Any]:
    """One step with ``sequence_length``: where ``time >= sequence_length`` the output is zero
    and the state is copied through (TF's ``_rnn_step`` with ``skip_conditionals``: the cell
    always runs; TF's static_rnn also skips it with ``tf.cond`` past the longest sequence,
    which gives the same values)."""
    flat_state = nest.flatten(state)
    flat_zero_output = nest.flatten(zero_output)
    copy_cond = time >= sequence_length

    def copy_one_through(output: Any, new_output: Any) -> Any:
        if new_output.get_shape().ndims == 0:
            return new_output
        return array_ops.where(copy_cond, output, new_output)

    new_output, new_state = call_cell()
    nest.assert_same_structure(zero_output, new_output)
    nest.assert_same_structure(state, new_state)
    flat_new_output = nest.flatten(new_output)
    flat_new_state = nest.flatten(new_state)
    final_output = [copy_one_through(z, o) for z, o in zip(flat_zero_output, flat_new_output)]
    final_state = [copy_one_through(s, n) for s, n in zip(flat_state, flat_new_state)]
    for output, zero in zip(final_output, flat_zero_output):
        output.set_shape(zero.get_shape())
    for substate, old in zip(final_state, flat_state):
        substate.set_shape(old.get_shape())
    return (nest.pack_sequence_as(zero_output, final_output),
            nest.pack_sequence_as(state, final_state))


def make_zero_output(output_size: Any, batch_size: Any, static_batch: Any, dtype: Any) -> Any:
    """Zeros shaped like the cell's output (``[batch] + size`` for each ``size``)."""
    def make(size: Any) -> Tensor:
        static = concat_shape(static_batch, size, static=True)
        if static is not None and all(d is not None for d in static):
            return array_ops.zeros(static, dtype=dtype)
        out = array_ops.zeros(concat_shape(batch_size, size), dtype=dtype)
        if static is not None:
            out.set_shape(static)
        return out

    return nest.map_structure(make, output_size)
