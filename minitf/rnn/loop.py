"""The time loop of ``dynamic_rnn`` (TF's ``_dynamic_rnn_loop``) over time-major inputs: an
unrolled graph when the number of steps is known at build time, else ``tf.while_loop``."""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import array_ops, control_flow_ops, math_ops
from minitf.ops.constant_op import constant
from minitf.rnn import nest
from minitf.rnn.cell_base import concat_shape
from minitf.rnn.steps import (
    best_effort_input_batch_size,
    infer_state_dtype,
    make_zero_output,
    rnn_step,
    unstack,
)

__all__ = ["dynamic_rnn_loop"]

# A time axis known at build time is unrolled (one copy of the cell per step) rather than run in
# tf.while_loop: 3-5x faster training steps here (docs/notes/rnn.md has the measurements).
UNROLL_STATIC_TIME = True


def _check_inputs(flat_input: list[Tensor]) -> list[TensorShape]:
    shapes = [x.get_shape().with_rank_at_least(3) for x in flat_input]
    const_time_steps, const_batch_size = shapes[0].as_list()[:2]
    for x, shape in zip(flat_input, shapes):
        if not shape[2:].is_fully_defined():
            raise ValueError("Input size (depth of inputs) must be accessible via shape "
                             f"inference, but saw value None for input={x}.")
        if shape[0].value != const_time_steps:
            raise ValueError("Time steps is not the same for all the elements in the input in "
                             f"a batch. Received time steps={shape[0].value} for input={x}.")
        if shape[1].value != const_batch_size:
            raise ValueError("Batch_size is not the same for all the elements in the input. "
                             f"Received batch size={shape[1].value} for input={x}.")
    return shapes


def dynamic_rnn_loop(cell: Any, inputs: Any, initial_state: Any, varscope: Any,
                     sequence_length: Tensor | None = None,
                     dtype: Any = None) -> tuple[Any, Any]:
    """Runs ``cell`` over time-major ``inputs`` from ``initial_state``: returns the stacked
    (time-major) outputs and the final state."""
    flat_input = nest.flatten(inputs)
    shapes = _check_inputs(flat_input)
    const_time_steps, const_batch_size = shapes[0].as_list()[:2]
    batch_size = best_effort_input_batch_size(flat_input)
    flat_output_size = nest.flatten(cell.output_size)
    zero_output = None
    if sequence_length is not None or const_time_steps == 0:
        zero_output = make_zero_output(cell.output_size, batch_size, const_batch_size,
                                       infer_state_dtype(dtype, initial_state))
    while_loop = getattr(control_flow_ops, "while_loop", None)
    if const_time_steps is None or (while_loop is not None and not UNROLL_STATIC_TIME):
        if while_loop is None:  # pragma: no cover - only before tf.while_loop existed
            raise ValueError(
                "dynamic_rnn needs the time dimension of its inputs to be known when the graph "
                "is built: minitf unrolls the time loop (it has no tf.while_loop yet). Received "
                f"inputs of shape {shapes[0]} (time-major).")
        return _while_rnn_loop(while_loop, cell, inputs, shapes, initial_state, sequence_length,
                               dtype, batch_size)
    state = initial_state
    per_step = [unstack(x, const_time_steps) for x in flat_input]
    flat_outputs: list[list[Tensor]] = [[] for _ in flat_output_size]
    for time in range(const_time_steps):
        if time > 0:
            varscope.reuse_variables()
        input_t = [steps[time] for steps in per_step]
        for x, shape in zip(input_t, shapes):
            x.set_shape(shape[1:])
        input_t = nest.pack_sequence_as(inputs, input_t)
        if sequence_length is not None:
            output, state = rnn_step(time, sequence_length, zero_output, state,
                                     lambda x=input_t, s=state: cell(x, s))
        else:
            output, state = cell(input_t, state)
        for acc, out in zip(flat_outputs, nest.flatten(output)):
            acc.append(out)
    final_outputs = []
    for i, (acc, size) in enumerate(zip(flat_outputs, flat_output_size)):
        if acc:
            stacked = array_ops.stack(acc, axis=0)
        else:  # no steps: an empty [0, batch, ...] output
            stacked = array_ops.expand_dims(nest.flatten(zero_output)[i], 0)[:0]
        static = concat_shape([const_time_steps, const_batch_size], size, static=True)
        if static is not None:
            stacked.set_shape(static)
        final_outputs.append(stacked)
    return nest.pack_sequence_as(cell.output_size, final_outputs), state


def _while_rnn_loop(while_loop: Any, cell: Any, inputs: Any, shapes: list[TensorShape],
                    initial_state: Any, sequence_length: Tensor | None, dtype: Any,
                    batch_size: Any) -> tuple[Any, Any]:
    """The time loop as ``tf.while_loop`` (TF's graph: ``rnn/while/basic_lstm_cell/...``).

    Written before minitf had a TensorArray: step ``t`` reads ``inputs[t]`` with a Slice and
    appends its output to a ``[t, batch, ...]`` accumulator with ConcatV2 (a shape invariant
    lets it grow; dense gradients; the copies make the work O(T^2) in the number of steps). The
    loop stops
    at the longest sequence, as TF's; the missing steps' outputs are zero-padded after it. The
    cell's variables are created in the loop body, as TF's.
    """
    flat_input = nest.flatten(inputs)
    flat_output_size = nest.flatten(cell.output_size)
    const_batch_size = shapes[0][1].value
    out_dtype = infer_state_dtype(dtype, initial_state)
    time_steps = array_ops.shape(flat_input[0])[0]
    flat_state = nest.flatten(initial_state)

    def read(time: Any) -> Any:
        step = []
        for x, shape in zip(flat_input, shapes):
            begin = array_ops.concat([array_ops.expand_dims(time, 0),
                                      array_ops.zeros([shape.ndims - 1], dtypes.int32)], 0)
            x_t = array_ops.squeeze(array_ops.slice(x, begin, [1] + [-1] * (shape.ndims - 1)),
                                    [0])
            x_t.set_shape(shape[1:])
            step.append(x_t)
        return nest.pack_sequence_as(inputs, step)

    zero_output = make_zero_output(cell.output_size, batch_size, const_batch_size, out_dtype)
    accumulators = [array_ops.expand_dims(z, 0)[:0] for z in nest.flatten(zero_output)]
    if sequence_length is not None:
        loop_bound = math_ops.minimum(time_steps, math_ops.maximum(
            1, math_ops.reduce_max(sequence_length)))
    else:
        loop_bound = time_steps
    n_acc = len(accumulators)

    def cond(time: Any, *_: Any) -> Any:
        return math_ops.less(time, loop_bound)

    def body(time: Any, *loop_vars: Any) -> Any:
        accs = list(loop_vars[:n_acc])
        state = nest.pack_sequence_as(initial_state, list(loop_vars[n_acc:]))
        input_t = read(time)
        if sequence_length is not None:
            output, new_state = rnn_step(time, sequence_length, zero_output, state,
                                         lambda: cell(input_t, state))
        else:
            output, new_state = cell(input_t, state)
        new_accs = [array_ops.concat([acc, array_ops.expand_dims(out, 0)], 0)
                    for acc, out in zip(accs, nest.flatten(output))]
        return [time + 1] + new_accs + nest.flatten(new_state)

    time = constant(0, dtype=dtypes.int32, name="time")
    loop_vars = [time] + accumulators + flat_state
    invariants = [v.get_shape() for v in loop_vars]
    for i, acc in enumerate(accumulators):
        invariants[1 + i] = TensorShape([None]).concatenate(acc.get_shape()[1:])
    results = while_loop(cond, body, loop_vars, shape_invariants=invariants)
    final_outputs = []
    for acc in results[1:1 + n_acc]:
        # Steps past the longest sequence were not run: their outputs are zeros.
        rank = acc.get_shape().ndims
        missing = array_ops.expand_dims(time_steps - array_ops.shape(acc)[0], 0)
        paddings = array_ops.concat(
            [array_ops.expand_dims(array_ops.concat([array_ops.zeros([1], dtypes.int32),
                                                     missing], 0), 0),
             array_ops.zeros([rank - 1, 2], dtypes.int32)], 0)
        final_outputs.append(array_ops.pad(acc, paddings))
    final_state = nest.pack_sequence_as(initial_state, list(results[1 + n_acc:]))
    for out, size in zip(final_outputs, flat_output_size):
        static = concat_shape([None, const_batch_size], size, static=True)
        if static is not None:
            out.set_shape(static)
    return nest.pack_sequence_as(cell.output_size, final_outputs), final_state
