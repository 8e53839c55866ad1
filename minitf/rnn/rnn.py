"""TF 1.x's RNN drivers: ``tf.nn.static_rnn``, ``tf.nn.dynamic_rnn``,
``tf.nn.static_bidirectional_rnn`` and ``tf.nn.bidirectional_dynamic_rnn``.

``static_rnn`` unrolls the cell over a Python list of inputs. ``dynamic_rnn`` runs it over the
time axis of a tensor: unrolled when the number of steps is known at build time (faster in
minitf's executor), else in ``tf.while_loop`` (see docs/notes/rnn.md). Both give TF's values:
with ``sequence_length``, outputs past a sequence's end are zero and its state is copied
through unchanged.
"""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import control_dependencies
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import unknown_shape
from minitf.ops import array_ops, control_flow_ops, math_ops
from minitf.ops.variable_scope import variable_scope
from minitf.rnn import nest
from minitf.rnn.cell_base import assert_like_rnncell
from minitf.rnn.loop import dynamic_rnn_loop
from minitf.rnn.steps import (
    best_effort_input_batch_size,
    infer_state_dtype,
    make_initial_state,
    make_zero_output,
    rnn_step,
    transpose_batch_time,
    unstack,
)

__all__ = ["bidirectional_dynamic_rnn", "dynamic_rnn", "static_bidirectional_rnn",
           "static_rnn"]


def static_rnn(cell: Any, inputs: Any, initial_state: Any = None, dtype: Any = None,
               sequence_length: Any = None, scope: Any = None) -> tuple[list[Any], Any]:
    """Runs ``cell`` over ``inputs``, a list of ``[batch, depth]`` tensors (one per step),
    unrolled in the graph. Returns ``(outputs, final_state)``, ``outputs`` a list.

    With ``sequence_length`` (``[batch]`` ints), outputs at ``t >= sequence_length[b]`` are zero
    and the final state is each sequence's state at its last valid step.
    """
    assert_like_rnncell("cell", cell)
    if not nest.is_nested(inputs):
        raise TypeError(f"Argument `inputs` must be a sequence. Received: {inputs}")
    if not inputs:
        raise ValueError("Argument `inputs` must not be empty.")
    outputs = []
    with variable_scope(scope or "rnn") as varscope:
        first_input = inputs
        while nest.is_nested(first_input):
            first_input = first_input[0]
        first_input = convert_to_tensor(first_input)
        if first_input.get_shape().ndims != 1:
            input_shape = first_input.get_shape().with_rank_at_least(2)
            fixed_batch_size = input_shape[0]
            for flat_input in nest.flatten(inputs):
                input_shape = convert_to_tensor(flat_input).get_shape().with_rank_at_least(2)
                fixed_batch_size.assert_is_compatible_with(input_shape[0])
                for i, size in enumerate(input_shape[1:].dims):
                    if size.value is None:
                        raise ValueError(f"Input size (dimension {i} of input {flat_input}) "
                                         "must be accessible via shape inference, but saw "
                                         "value None.")
        else:
            fixed_batch_size = first_input.get_shape().with_rank_at_least(1)[0]
        batch_size = (fixed_batch_size.value if fixed_batch_size.value
                      else array_ops.shape(first_input)[0])
        state = make_initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None:
            sequence_length = convert_to_tensor(sequence_length, name="sequence_length")
            if sequence_length.get_shape().ndims not in (None, 1):
                raise ValueError("Argument `sequence_length` must be a vector of length "
                                 f"{batch_size}. Received sequence_length={sequence_length}.")
            zero_output = make_zero_output(cell.output_size, batch_size,
                                           fixed_batch_size.value,
                                           infer_state_dtype(dtype, state))
            sequence_length = math_ops.cast(sequence_length, dtypes.int32)
        for time, input_ in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()
            if sequence_length is not None:
                output, state = rnn_step(time, sequence_length, zero_output, state,
                                         lambda input_=input_, state=state: cell(input_, state))
            else:
                output, state = cell(input_, state)
            outputs.append(output)
        return outputs, state


def _reverse_seq(input_seq: list[Any], lengths: Any) -> list[Any]:
    """The list of steps reversed, per sequence within its length when ``lengths`` is given."""
    if lengths is None:
        return list(reversed(input_seq))
    flat_input_seq = tuple(nest.flatten(input_) for input_ in input_seq)
    flat_results: list[list[Any]] = [[] for _ in input_seq]
    for sequence in zip(*flat_input_seq):
        input_shape = unknown_shape(rank=sequence[0].get_shape().ndims)
        for input_ in sequence:
            input_shape.assert_is_compatible_with(input_.get_shape())
            input_shape = input_shape.merge_with(input_.get_shape())
        s_joined = array_ops.stack(sequence)
        s_reversed = array_ops.reverse_sequence(s_joined, lengths, 0, 1)
        result = unstack(s_reversed, len(sequence))
        for r, flat_result in zip(result, flat_results):
            r.set_shape(input_shape)
            flat_result.append(r)
    return [nest.pack_sequence_as(input_, flat_result)
            for input_, flat_result in zip(input_seq, flat_results)]


def static_bidirectional_rnn(cell_fw: Any, cell_bw: Any, inputs: Any,
                             initial_state_fw: Any = None, initial_state_bw: Any = None,
                             dtype: Any = None, sequence_length: Any = None,
                             scope: Any = None) -> tuple[list[Any], Any, Any]:
    """Forward and backward ``static_rnn`` over the same inputs (the backward one reversed,
    within each sequence's length). Returns ``(outputs, state_fw, state_bw)``, each output the
    concatenation ``[fw, bw]`` along depth."""
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    if not nest.is_nested(inputs):
        raise TypeError(f"Argument `inputs` must be a sequence. Received: {inputs}")
    if not inputs:
        raise ValueError("Argument `inputs` must not be empty.")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, output_state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype,
                                                    sequence_length, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_seq(inputs, sequence_length)
            tmp, output_state_bw = static_rnn(cell_bw, reversed_inputs, initial_state_bw, dtype,
                                              sequence_length, scope=bw_scope)
    output_bw = _reverse_seq(tmp, sequence_length)
    flat_outputs = tuple(array_ops.concat([fw, bw], 1)
                         for fw, bw in zip(nest.flatten(output_fw), nest.flatten(output_bw)))
    outputs = nest.pack_sequence_as(output_fw, flat_outputs)
    return outputs, output_state_fw, output_state_bw


def dynamic_rnn(cell: Any, inputs: Any, sequence_length: Any = None, initial_state: Any = None,
                dtype: Any = None, parallel_iterations: int | None = None,
                swap_memory: bool = False, time_major: bool = False,
                scope: Any = None) -> tuple[Any, Any]:
    """Runs ``cell`` over the time axis of ``inputs`` (``[batch, time, ...]``, or
    ``[time, batch, ...]`` with ``time_major``; a nested structure of such tensors is allowed).
    Returns ``(outputs, final_state)``, outputs in the layout of the inputs.

    ``sequence_length`` (``[batch]`` ints): outputs past each sequence's end are zero and the
    final state is the state at its last valid step. ``parallel_iterations`` and
    ``swap_memory`` are accepted and ignored.
    """
    assert_like_rnncell("cell", cell)
    with variable_scope(scope or "rnn") as varscope:
        flat_input = [convert_to_tensor(input_) for input_ in nest.flatten(inputs)]
        if not time_major:
            flat_input = [transpose_batch_time(input_) for input_ in flat_input]
        if sequence_length is not None:
            sequence_length = math_ops.cast(sequence_length, dtypes.int32)
            if sequence_length.get_shape().ndims not in (None, 1):
                raise ValueError("Argument sequence_length must be a vector of length "
                                 f"batch_size. Received sequence_length={sequence_length} of "
                                 f"shape: {sequence_length.get_shape()}")
            sequence_length = array_ops.identity(sequence_length, name="sequence_length")
        batch_size = best_effort_input_batch_size(flat_input)
        state = make_initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None and hasattr(control_flow_ops, "Assert"):
            with control_dependencies([_assert_has_shape(sequence_length, [batch_size])]):
                sequence_length = array_ops.identity(sequence_length, name="CheckSeqLen")
        inputs = nest.pack_sequence_as(inputs, flat_input)
        outputs, final_state = dynamic_rnn_loop(
            cell, inputs, state, varscope, sequence_length=sequence_length, dtype=dtype)
        if not time_major:
            outputs = nest.map_structure(transpose_batch_time, outputs)
        return outputs, final_state


def _assert_has_shape(x: Tensor, shape: list[Any]) -> Any:
    """A run-time check that ``x`` has ``shape`` (TF's, before the loop reads it)."""
    x_shape = array_ops.shape(x)
    packed_shape = array_ops.stack(shape)
    return control_flow_ops.Assert(
        math_ops.reduce_all(math_ops.equal(x_shape, packed_shape)),
        [f"Expected shape for Tensor {x.name} is ", packed_shape, " but saw shape: ", x_shape])


def _reverse(input_: Tensor, seq_lengths: Any, seq_axis: int, batch_axis: int) -> Tensor:
    if seq_lengths is not None:
        return array_ops.reverse_sequence(input=input_, seq_lengths=seq_lengths,
                                          seq_axis=seq_axis, batch_axis=batch_axis)
    return array_ops.reverse(input_, axis=[seq_axis])


def bidirectional_dynamic_rnn(cell_fw: Any, cell_bw: Any, inputs: Any,
                              sequence_length: Any = None, initial_state_fw: Any = None,
                              initial_state_bw: Any = None, dtype: Any = None,
                              parallel_iterations: int | None = None,
                              swap_memory: bool = False, time_major: bool = False,
                              scope: Any = None) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """``dynamic_rnn`` forwards (scope ``fw``) and over the reversed sequences (scope ``bw``,
    reversed within each sequence's length). Returns ``((output_fw, output_bw),
    (state_fw, state_bw))``, ``output_bw`` re-reversed to line up with ``output_fw``."""
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, output_state_fw = dynamic_rnn(
                cell=cell_fw, inputs=inputs, sequence_length=sequence_length,
                initial_state=initial_state_fw, dtype=dtype,
                parallel_iterations=parallel_iterations, swap_memory=swap_memory,
                time_major=time_major, scope=fw_scope)
        time_axis, batch_axis = (0, 1) if time_major else (1, 0)
        with variable_scope("bw") as bw_scope:
            inputs_reverse = nest.map_structure(
                lambda inp: _reverse(inp, sequence_length, time_axis, batch_axis), inputs)
            tmp, output_state_bw = dynamic_rnn(
                cell=cell_bw, inputs=inputs_reverse, sequence_length=sequence_length,
                initial_state=initial_state_bw, dtype=dtype,
                parallel_iterations=parallel_iterations, swap_memory=swap_memory,
                time_major=time_major, scope=bw_scope)
    output_bw = _reverse(tmp, sequence_length, time_axis, batch_axis)
    return (output_fw, output_bw), (output_state_fw, output_state_bw)

