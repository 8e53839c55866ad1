"""The RNN cell base classes of TF 1.x's ``tf.nn.rnn_cell``: ``RNNCell``, ``LayerRNNCell`` and
``LSTMStateTuple``.

A cell is a ``tf.layers.Layer``: on first call it opens its own variable scope under the
current one (``rnn/basic_lstm_cell``, uniquified like any layer) and creates its weights there
(``rnn/basic_lstm_cell/kernel``); later calls reuse them. ``call(inputs, state)`` returns
``(output, new_state)``; ``state_size`` and ``output_size`` describe the shapes without a batch
dimension.
"""

from __future__ import annotations

import collections
from typing import Any

from minitf.framework import dtypes
from minitf.framework.constant_value import constant_value
from minitf.framework.graph import get_default_graph
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, as_shape
from minitf.layers.base import Layer
from minitf.ops import array_ops
from minitf.ops.variable_scope import get_variable_scope, variable_scope
from minitf.ops.variables import trainable_variables
from minitf.rnn import nest

__all__ = ["LSTMStateTuple", "LayerRNNCell", "RNNCell", "assert_like_rnncell"]


def _hasattr(obj: Any, name: str) -> bool:
    try:
        getattr(obj, name)
    except AttributeError:
        return False
    return True


def assert_like_rnncell(cell_name: str, cell: Any) -> None:
    """Raises TypeError unless ``cell`` has what an RNN cell needs (as TF's check)."""
    conditions = [_hasattr(cell, "output_size"), _hasattr(cell, "state_size"),
                  _hasattr(cell, "get_initial_state") or _hasattr(cell, "zero_state"),
                  callable(cell)]
    errors = ["'output_size' property is missing", "'state_size' property is missing",
              "either 'zero_state' or 'get_initial_state' method is required",
              "is not callable"]
    if not all(conditions):
        missing = [e for e, ok in zip(errors, conditions) if not ok]
        raise TypeError(f"The argument {cell_name!r} ({cell}) is not an RNNCell: "
                        f"{', '.join(missing)}.")


def check_supported_dtypes(dtype: Any) -> None:
    """RNN cells compute with tanh and sigmoid: floating (or complex) inputs only."""
    if dtype is None:
        return
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_complex):
        raise ValueError("RNN cell only supports floating point inputs, "
                         f"but received dtype: {dtype.name}")


def check_rnn_cell_input_dtypes(inputs: Any) -> None:
    for t in nest.flatten(inputs):
        check_supported_dtypes(t.dtype)


def _static_part(part: Any) -> list[int | None] | None:
    if isinstance(part, Tensor):
        ndims = part.get_shape().ndims
        if ndims not in (0, 1):
            raise ValueError("Prefix tensor must be either a scalar or vector, "
                             f"but received tensor: {part}")
        value = constant_value(part)
        if value is not None:
            return [int(v) for v in value.reshape(-1)]
        return [None] if ndims == 0 else None
    shape = as_shape(part)
    return shape.as_list() if shape.ndims is not None else None


def _tensor_part(part: Any) -> Tensor | None:
    if isinstance(part, Tensor):
        return part if part.get_shape().ndims != 0 else array_ops.expand_dims(part, 0)
    shape = as_shape(part)
    return (convert_to_tensor(shape.as_list(), dtype=dtypes.int32)
            if shape.is_fully_defined() else None)


def concat_shape(prefix: Any, suffix: Any, static: bool = False) -> Any:
    """``[prefix..., suffix...]`` as an int32 vector tensor, or a list when ``static``
    (entries None where unknown; None for an unknown rank). Each part is an int, a
    TensorShape or a scalar/vector tensor."""
    if static:
        p, s = _static_part(prefix), _static_part(suffix)
        return None if p is None or s is None else p + s
    p, s = _tensor_part(prefix), _tensor_part(suffix)
    if p is None or s is None:
        raise ValueError(f"Prefix or suffix can't be None. Received prefix = {prefix} and "
                         f"suffix = {suffix}")
    return array_ops.concat([p, s], 0)


def zero_state_tensors(state_size: Any, batch_size: Any, dtype: Any) -> Any:
    """Zeros shaped ``[batch_size] + s`` for each ``s`` in the ``state_size`` structure."""

    def zeros_for(s: Any) -> Tensor:
        static = concat_shape(batch_size, s, static=True)
        if static is not None and all(d is not None for d in static):
            out = array_ops.zeros(static, dtype=dtype)
        else:
            out = array_ops.zeros(concat_shape(batch_size, s), dtype=dtype)
            if static is not None:
                out.set_shape(static)
        return out

    return nest.map_structure(zeros_for, state_size)


_LSTMStateTuple = collections.namedtuple("LSTMStateTuple", ("c", "h"))


class LSTMStateTuple(_LSTMStateTuple):
    """The ``(c, h)`` state of LSTM cells (``c``: the memory cell, ``h``: the output)."""

    __slots__ = ()

    @property
    def dtype(self) -> Any:
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent dtypes for internal state: {c.dtype} vs {h.dtype}")
        return c.dtype


class RNNCell(Layer):
    """Abstract RNN cell: subclasses define ``state_size``, ``output_size`` and
    ``call(inputs, state) -> (output, new_state)``.

    A plain ``RNNCell`` may create variables with ``tf.get_variable`` inside ``call``; they are
    collected into the cell's weights (TF's ``_rnn_get_variable`` custom getter).
    """

    def __init__(self, trainable: bool = True, name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)
        self._is_tf_rnn_cell = True
        self._rnncell_scope: Any = None

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> Any:
        """Runs the cell on ``inputs`` from ``state``: returns ``(output, new_state)``."""
        if scope is not None:
            with variable_scope(scope, custom_getter=self._rnn_get_variable) as opened:
                return Layer.__call__(self, inputs, state, scope=opened)
        if self._rnncell_scope is None:
            # As TF: the scope current at the first call, re-entered on every call.
            self._rnncell_scope = variable_scope(get_variable_scope(),
                                                 custom_getter=self._rnn_get_variable)
        with self._rnncell_scope:
            return Layer.__call__(self, inputs, state)

    def _rnn_get_variable(self, getter: Any, *args: Any, **kwargs: Any) -> Any:
        variable = getter(*args, **kwargs)
        trainable = any(variable is v for v in trainable_variables())
        weights = self._trainable_weights if trainable else self._non_trainable_weights
        if all(variable is not v for v in weights):
            weights.append(variable)
        return variable

    def add_weight(self, name: str, shape: Any, dtype: Any = None, initializer: Any = None,
                   regularizer: Any = None, trainable: bool = True, constraint: Any = None,
                   **kwargs: Any) -> Any:
        kwargs.pop("partitioner", None)
        before = (list(self._trainable_weights), list(self._non_trainable_weights))
        variable = super().add_weight(name, shape, dtype=dtype, initializer=initializer,
                                      regularizer=regularizer, trainable=trainable,
                                      constraint=constraint, **kwargs)
        # The custom getter of __call__ may have recorded it already; keep one entry.
        for weights, old in zip((self._trainable_weights, self._non_trainable_weights), before):
            seen: list[Any] = list(old)
            for v in weights[len(old):]:
                if all(v is not s for s in seen):
                    seen.append(v)
            weights[:] = seen
        return variable

    @property
    def state_size(self) -> Any:
        """Size(s) of the state: an int, a TensorShape, or a (nested) tuple of them."""
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self) -> Any:
        """Integer or TensorShape: size of the outputs produced by this cell."""
        raise NotImplementedError("Abstract method")

    def build(self, input_shape: TensorShape) -> None:
        self.built = True

    def call(self, inputs: Any, state: Any) -> Any:  # noqa: D102 - abstract
        raise NotImplementedError("Abstract method")

    def get_initial_state(self, inputs: Any = None, batch_size: Any = None,
                          dtype: Any = None) -> Any:
        """The zero state for ``inputs`` (batch size and dtype from them) or for
        ``batch_size`` and ``dtype``."""
        if inputs is not None:
            inputs = convert_to_tensor(inputs, name="inputs")
            static_batch = inputs.get_shape()[0].value if inputs.get_shape().ndims else None
            if batch_size is not None:
                given = batch_size
                if isinstance(batch_size, Tensor):
                    value = constant_value(batch_size)
                    given = None if value is None else int(value)
                if static_batch != given:
                    raise ValueError("batch size from input tensor is different from the "
                                     f"input param. Input tensor batch: {static_batch}, "
                                     f"batch_size: {batch_size}")
            if dtype is not None and inputs.dtype != dtypes.as_dtype(dtype):
                raise ValueError("dtype from input tensor is different from the input param. "
                                 f"Input tensor dtype: {inputs.dtype}, dtype: {dtype}")
            batch_size = static_batch or array_ops.shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError("batch_size and dtype cannot be None while constructing initial "
                             f"state: batch_size={batch_size}, dtype={dtype}")
        return self.zero_state(batch_size, dtype)

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        """Zero-filled state tensor(s): ``[batch_size, s]`` for each ``s`` in ``state_size``."""
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return zero_state_tensors(self.state_size, batch_size, dtype)


class LayerRNNCell(RNNCell):
    """An RNN cell that creates its weights in ``build`` (as a ``tf.layers.Layer``) rather than
    with ``tf.get_variable`` inside ``call``."""

    def __call__(self, inputs: Any, state: Any, scope: Any = None, *args: Any,
                 **kwargs: Any) -> Any:
        return Layer.__call__(self, inputs, state, *args, scope=scope, **kwargs)


def as_activation(activation: Any) -> Any:
    """``activation`` as a function: a callable, a name (``"relu"``), or None for tanh."""
    from minitf import nn
    from minitf.ops import math_ops

    if not activation:
        return math_ops.tanh
    if callable(activation):
        return activation
    if isinstance(activation, str):
        if activation == "linear":
            return lambda x: x
        fn = getattr(nn, activation, None) or getattr(math_ops, activation, None)
        if callable(fn):
            return fn
    raise ValueError(f"Unknown activation function: {activation}")


def as_initializer(initializer: Any) -> Any:
    """``initializer`` as an initializer: None, an initializer, or a ``tf.initializers`` name."""
    if initializer is None or callable(initializer):
        return initializer
    if isinstance(initializer, str):
        from minitf import initializers

        factory = getattr(initializers, initializer, None)
        if callable(factory):
            return factory()
    raise ValueError(f"Could not interpret initializer identifier: {initializer}")
