"""TF1's ``tf.layers.Layer``: a callable that creates its variables with ``tf.get_variable`` in
its own variable scope on first call and reuses them afterwards.

Naming follows TF 1.x's legacy layers: a layer without a name opens
``variable_scope(None, default_name=<base name>)`` (``dense``, ``dense_1``, ... uniquified per
enclosing scope); its variables are ``<scope>/kernel``; its ops go in the name scope opened with
that variable scope (``dense/MatMul``), also on later calls (``dense/MatMul_1``).
"""

from __future__ import annotations

import re
from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import GraphKeys, get_default_graph
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import init_ops
from minitf.ops.variable_scope import VariableScope, get_variable, variable_scope

__all__ = ["Layer"]


def to_snake_case(name: str) -> str:
    """``MaxPooling2D`` -> ``max_pooling2d`` (Keras' rule)."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return insecure if insecure[0] != "_" else "private" + insecure


class Layer:
    """Base class of the ``tf.layers`` layers (TF 1.x semantics, graph mode only)."""

    def __init__(self, trainable: bool = True, name: str | None = None, dtype: Any = None,
                 activity_regularizer: Any = None, _scope: Any = None, _reuse: Any = None,
                 **kwargs: Any) -> None:
        unknown = set(kwargs) - {"input_shape", "batch_input_shape", "_keras_style"}
        if unknown:
            raise TypeError(f"Keyword argument not understood: {sorted(unknown)[0]}")
        self.trainable = trainable
        self.built = False
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype).name
        self.activity_regularizer = activity_regularizer
        self._base_name = name or to_snake_case(type(self).__name__)
        self._name = name
        self._reuse = _reuse
        self._scope: VariableScope | None = None
        if _scope:
            # As TF: a given scope is opened (and its name scope fixed) at construction.
            with variable_scope(_scope) as captured:
                self._scope = captured
        self._current_scope: VariableScope | None = None
        self._trainable_weights: list[Any] = []
        self._non_trainable_weights: list[Any] = []
        self._updates: list[Any] = []
        self._losses: list[Any] = []
        self.input_spec = None

    # --- properties ---------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._scope.name if self._scope is not None and self._name is None \
            else (self._name or self._base_name)

    @property
    def dtype(self) -> str | None:
        return self._dtype

    @property
    def scope_name(self) -> str:
        if self._scope is None:
            raise ValueError("No name available for layer scope because the layer "
                             f"\"{self._base_name}\" has not been used yet. The scope name is "
                             "determined the first time the layer instance is called.")
        return self._scope.name

    @property
    def trainable_weights(self) -> list[Any]:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Any]:
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def weights(self) -> list[Any]:
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    @property
    def updates(self) -> list[Any]:
        return list(self._updates)

    @property
    def losses(self) -> list[Any]:
        return list(self._losses)

    # --- building blocks for subclasses ---------------------------------------------------
    def add_weight(self, name: str, shape: Any, dtype: Any = None, initializer: Any = None,
                   regularizer: Any = None, trainable: bool = True, constraint: Any = None,
                   **kwargs: Any) -> Any:
        """``tf.get_variable(name, ...)`` in this layer's variable scope, tracked by the layer."""
        dtype = dtypes.as_dtype(dtype or self._dtype or dtypes.float32)
        trainable = trainable and self.trainable
        graph = get_default_graph()
        existing = {id(v) for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES)}
        variable = get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                                trainable=trainable, constraint=constraint, **kwargs)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        if regularizer is not None and id(variable) not in existing:
            # As TF's layers: the loss is named after the layer's own name for the weight
            # (``fully_connected/kernel/Regularizer/...`` even where the variable is renamed).
            with graph.name_scope(name + "/Regularizer"):
                loss = regularizer(variable)
            if loss is not None:
                self.add_loss(loss)
        return variable

    def add_update(self, updates: Any, inputs: Any = None) -> None:
        self._updates.extend(updates if isinstance(updates, (list, tuple)) else [updates])

    def add_loss(self, losses: Any, inputs: Any = None) -> None:
        losses = list(losses) if isinstance(losses, (list, tuple)) else [losses]
        self._losses.extend(losses)
        for loss in losses:
            get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def build(self, input_shape: TensorShape) -> None:
        self.built = True

    def call(self, inputs: Any, **kwargs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> TensorShape:
        raise NotImplementedError

    # --- calling ------------------------------------------------------------------------
    def _set_scope(self, scope: Any = None) -> None:
        if self._scope is not None:
            return
        if self._reuse:
            with variable_scope(scope if scope is not None else self._base_name) as captured:
                self._scope = captured
        else:
            with variable_scope(scope, default_name=self._base_name) as captured:
                self._scope = captured

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        scope = kwargs.pop("scope", None)
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        g = get_default_graph()
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as vs:
            self._current_scope = vs
            with g.name_scope(vs.original_name_scope):
                inputs = _convert(inputs, self._dtype)
                if not self.built:
                    shapes = _shapes(inputs)
                    if self._dtype is None:
                        first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
                        self._dtype = first.dtype.base_dtype.name
                    self.build(shapes)
                    self.built = True
                n_updates = len(self._updates)
                outputs = self.call(inputs, *args, **kwargs)
                if self.activity_regularizer is not None:
                    with g.name_scope("ActivityRegularizer"):
                        self.add_loss(self.activity_regularizer(outputs))
        for update in self._updates[n_updates:]:
            g.add_to_collection(GraphKeys.UPDATE_OPS, update)
        return outputs

    def apply(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        return self.__call__(inputs, *args, **kwargs)

    def get_weights(self) -> list[Any]:
        from minitf.client.session import get_default_session

        session = get_default_session()
        if session is None:
            raise ValueError("get_weights needs a default session")
        return session.run(self.weights)



class KernelBiasLayer(Layer):
    """Base of the layers with a ``kernel`` and an optional ``bias`` weight (``Dense``,
    ``Conv2D``): their shared constructor arguments and the building of the two weights."""

    def __init__(self, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = None, bias_initializer: Any = None,
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, trainable: bool = True, name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.activation = activation
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer if bias_initializer is not None \
            else init_ops.zeros_initializer()
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.kernel: Any = None
        self.bias: Any = None

    def _build_kernel_bias(self, kernel_shape: list[Any], bias_shape: list[Any]) -> None:
        """Adds the ``kernel`` weight and, with ``use_bias``, the ``bias`` weight."""
        self.kernel = self.add_weight("kernel", shape=kernel_shape,
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=bias_shape,
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

def _convert(inputs: Any, dtype: str | None) -> Any:
    if isinstance(inputs, (list, tuple)):
        return [convert_to_tensor(x) for x in inputs]
    if dtype is not None and not hasattr(inputs, "dtype"):
        return convert_to_tensor(inputs, dtype=dtype)
    return convert_to_tensor(inputs)


def _shapes(inputs: Any) -> Any:
    if isinstance(inputs, (list, tuple)):
        return [x.get_shape() for x in inputs]
    return inputs.get_shape()
