"""RNN cell wrappers of TF 1.x: ``DropoutWrapper``, ``ResidualWrapper``, ``DeviceWrapper``.

A wrapper calls the wrapped cell directly (no variable scope of its own), so wrapping a cell
does not change its variable names.
"""

from __future__ import annotations

import hashlib
import numbers
from typing import Any

from minitf.framework import dtypes
from minitf.framework.constant_value import constant_value
from minitf.framework.graph import device as device_scope
from minitf.framework.graph import get_default_graph
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import math_ops
from minitf.ops.nn_ops import dropout
from minitf.ops.random_ops import random_uniform
from minitf.rnn import nest
from minitf.rnn.cell_base import LSTMStateTuple, RNNCell, assert_like_rnncell

__all__ = ["DeviceWrapper", "DropoutWrapper", "ResidualWrapper"]


class _RNNCellWrapper(RNNCell):
    """Base of the wrappers: sizes, zero state and weights are the wrapped cell's."""

    def __init__(self, cell: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert_like_rnncell("cell", cell)
        self.cell = cell

    def _call_wrapped_cell(self, inputs: Any, state: Any, cell_call_fn: Any,
                           **kwargs: Any) -> Any:
        raise NotImplementedError

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> Any:
        return self._call_wrapped_cell(inputs, state, cell_call_fn=self.cell.__call__,
                                       scope=scope)

    @property
    def state_size(self) -> Any:
        return self.cell.state_size

    @property
    def output_size(self) -> Any:
        return self.cell.output_size

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self.cell.zero_state(batch_size, dtype)

    @property
    def trainable_weights(self) -> list[Any]:
        return list(getattr(self.cell, "trainable_weights", [])) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Any]:
        weights = list(getattr(self.cell, "non_trainable_weights", []))
        if not self.trainable:
            return list(getattr(self.cell, "trainable_weights", [])) + weights
        return weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights


def _default_dropout_state_filter_visitor(substate: Any) -> Any:
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return True


def _traverse_shallow(filter_fn: Any, structure: Any) -> Any:
    """TF's ``get_traverse_shallow_structure``: a structure of booleans, as deep as
    ``filter_fn`` asks, saying where dropout applies."""
    to_traverse = filter_fn(structure)
    if not nest.is_nested(structure):
        if not isinstance(to_traverse, bool):
            raise TypeError(f"traverse_fn returned structure: {to_traverse} for "
                            f"non-structure: {structure}")
        return to_traverse
    if isinstance(to_traverse, bool):
        if not to_traverse:
            return False
        return nest._rebuild(structure, [_traverse_shallow(filter_fn, child)
                                         for child in nest._children(structure)])
    nest.assert_same_structure(structure, to_traverse, check_types=False)
    level = []
    for decision, child in zip(nest._children(to_traverse), nest._children(structure)):
        if not isinstance(decision, bool):
            raise TypeError("traverse_fn didn't return a depth=1 structure of bools.  saw: "
                            f"{to_traverse} for structure: {structure}")
        level.append(_traverse_shallow(filter_fn, child) if decision else False)
    return nest._rebuild(structure, level)


def _enumerated_map_up_to(shallow: Any, fn: Any, *structures: Any) -> Any:
    counter = [0]

    def with_index(*leaves: Any) -> Any:
        out = fn(counter[0], *leaves)
        counter[0] += 1
        return out

    return nest.map_structure_up_to(shallow, with_index, *structures)


class DropoutWrapper(_RNNCellWrapper):
    """Dropout on a cell's inputs, outputs and (new) state.

    ``variational_recurrent=True`` draws one mask per ``session.run`` (per sequence batch) and
    applies it at every step (Gal & Ghahramani, 2016); ``input_size`` and ``dtype`` are then
    needed. By default the ``c`` part of an ``LSTMStateTuple`` is never dropped.
    """

    def __init__(self, cell: Any, input_keep_prob: Any = 1.0, output_keep_prob: Any = 1.0,
                 state_keep_prob: Any = 1.0, variational_recurrent: bool = False,
                 input_size: Any = None, dtype: Any = None, seed: int | None = None,
                 dropout_state_filter_visitor: Any = None, **kwargs: Any) -> None:
        super().__init__(cell, dtype=dtype, **kwargs)
        if dropout_state_filter_visitor is not None and not callable(
                dropout_state_filter_visitor):
            raise TypeError("dropout_state_filter_visitor must be callable. "
                            f"Received: {dropout_state_filter_visitor}")
        self._dropout_state_filter = (dropout_state_filter_visitor
                                      or _default_dropout_state_filter_visitor)
        with get_default_graph().name_scope("DropoutWrapperInit"):
            for prob, attr in [(input_keep_prob, "input_keep_prob"),
                               (state_keep_prob, "state_keep_prob"),
                               (output_keep_prob, "output_keep_prob")]:
                if isinstance(prob, numbers.Real):
                    const_prob = float(prob)
                    tensor_prob = None
                else:
                    tensor_prob = convert_to_tensor(prob)
                    value = constant_value(tensor_prob)
                    const_prob = None if value is None else float(value)
                if const_prob is not None:
                    if const_prob < 0 or const_prob > 1:
                        raise ValueError(f"Parameter {attr} must be between 0 and 1. "
                                         f"Received {const_prob}")
                    setattr(self, f"_{attr}", const_prob)
                else:
                    setattr(self, f"_{attr}", tensor_prob)
        self._variational_recurrent = variational_recurrent
        self._input_size = input_size
        self._seed = seed
        self._recurrent_input_noise = None
        self._recurrent_state_noise = None
        self._recurrent_output_noise = None
        if variational_recurrent:
            if dtype is None:
                raise ValueError("When variational_recurrent=True, dtype must be provided")
            noise_dtype = dtypes.as_dtype(dtype)

            def batch_noise(s: Any, inner_seed: Any) -> Any:
                shape = [1] + TensorShape(s).as_list()
                return random_uniform(shape, seed=inner_seed, dtype=noise_dtype)

            if (not isinstance(self._input_keep_prob, numbers.Real)
                    or self._input_keep_prob < 1.0):
                if input_size is None:
                    raise ValueError("When variational_recurrent=True and input_keep_prob < 1.0 "
                                     "or is unknown, input_size must be provided")
                self._recurrent_input_noise = _enumerated_map_up_to(
                    input_size, lambda i, s: batch_noise(s, self._gen_seed("input", i)),
                    input_size)
            self._recurrent_state_noise = _enumerated_map_up_to(
                cell.state_size, lambda i, s: batch_noise(s, self._gen_seed("state", i)),
                cell.state_size)
            self._recurrent_output_noise = _enumerated_map_up_to(
                cell.output_size, lambda i, s: batch_noise(s, self._gen_seed("output", i)),
                cell.output_size)

    def _gen_seed(self, salt_prefix: str, index: int) -> int | None:
        if self._seed is None:
            return None
        salt = f"{salt_prefix}_{index}"
        string = (str(self._seed) + salt).encode("utf-8")
        return int(hashlib.md5(string).hexdigest()[:8], 16) & 0x7FFFFFFF

    @property
    def wrapped_cell(self) -> Any:
        return self.cell

    def build(self, input_shape: Any) -> None:
        self.cell.build(input_shape)
        self.built = True

    def _variational_value(self, value: Any, noise: Any, keep_prob: Any) -> Any:
        binary = math_ops.floor(keep_prob + noise)
        out = math_ops.divide(value, keep_prob) * binary
        out.set_shape(value.get_shape())
        return out

    def _dropout(self, values: Any, salt_prefix: str, recurrent_noise: Any, keep_prob: Any,
                 shallow: Any = None) -> Any:
        if shallow is None:
            shallow = values
        if not self._variational_recurrent:
            def drop(i: int, do_dropout: Any, v: Any) -> Any:
                if not isinstance(do_dropout, bool) or do_dropout:
                    return dropout(v, rate=1.0 - keep_prob,
                                   seed=self._gen_seed(salt_prefix, i))
                return v

            return _enumerated_map_up_to(shallow, drop, shallow, values)

        def drop_variational(i: int, do_dropout: Any, v: Any, n: Any) -> Any:
            if not isinstance(do_dropout, bool) or do_dropout:
                return self._variational_value(v, n, keep_prob)
            return v

        return _enumerated_map_up_to(shallow, drop_variational, shallow, values,
                                     recurrent_noise)

    def _call_wrapped_cell(self, inputs: Any, state: Any, cell_call_fn: Any,
                           **kwargs: Any) -> Any:
        def should_dropout(p: Any) -> bool:
            return (not isinstance(p, float)) or p < 1

        if should_dropout(self._input_keep_prob):
            inputs = self._dropout(inputs, "input", self._recurrent_input_noise,
                                   self._input_keep_prob)
        output, new_state = cell_call_fn(inputs, state, **kwargs)
        if should_dropout(self._state_keep_prob):
            shallow = _traverse_shallow(self._dropout_state_filter, new_state)
            new_state = self._dropout(new_state, "state", self._recurrent_state_noise,
                                      self._state_keep_prob, shallow)
        if should_dropout(self._output_keep_prob):
            output = self._dropout(output, "output", self._recurrent_output_noise,
                                   self._output_keep_prob)
        return output, new_state


class ResidualWrapper(_RNNCellWrapper):
    """Adds the cell's inputs to its outputs (``residual_fn(inputs, outputs)`` if given)."""

    def __init__(self, cell: Any, residual_fn: Any = None, **kwargs: Any) -> None:
        super().__init__(cell, **kwargs)
        self._residual_fn = residual_fn

    def _call_wrapped_cell(self, inputs: Any, state: Any, cell_call_fn: Any,
                           **kwargs: Any) -> Any:
        outputs, new_state = cell_call_fn(inputs, state, **kwargs)

        def default_residual_fn(inputs: Any, outputs: Any) -> Any:
            nest.assert_same_structure(inputs, outputs)

            def add(inp: Any, out: Any) -> Any:
                inp.get_shape().assert_is_compatible_with(out.get_shape())
                return inp + out

            return nest.map_structure(add, inputs, outputs)

        return (self._residual_fn or default_residual_fn)(inputs, outputs), new_state


class DeviceWrapper(_RNNCellWrapper):
    """Runs the wrapped cell (and its zero state) under ``tf.device(device)``."""

    def __init__(self, cell: Any, device: Any, **kwargs: Any) -> None:
        super().__init__(cell, **kwargs)
        self._device = device

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            with device_scope(self._device):
                return self.cell.zero_state(batch_size, dtype)

    def _call_wrapped_cell(self, inputs: Any, state: Any, cell_call_fn: Any,
                           **kwargs: Any) -> Any:
        with device_scope(self._device):
            return cell_call_fn(inputs, state, **kwargs)

