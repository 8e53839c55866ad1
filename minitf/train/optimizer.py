"""``tf.train.Optimizer``: the TF 1.x optimizer base class, and slot variables.

``minimize`` = ``compute_gradients`` (tf.gradients w.r.t. the variables' reference tensors) +
``apply_gradients`` (slots created in an init scope, one update op per variable under
``<name>/update_<var>``, then ``_finish`` grouping them, and the global step incremented after
them). Graph structure and names follow TF: slots are ``w/Adam``, ``w/Adam_1`` ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import GraphKeys, get_collection, get_default_graph, name_scope
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor

__all__ = ["Optimizer", "create_slot", "create_zeros_slot", "create_slot_with_initializer"]


def _var_key(var: Any) -> Any:
    if hasattr(var, "op"):
        return (var.op.graph, var.op.name)
    return id(var)


def _is_variable(v: Any) -> bool:
    from minitf.ops.variables import Variable

    return isinstance(v, Variable)


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        out: list[Any] = []
        for e in x:
            out.extend(_flatten(e))
        return out
    if isinstance(x, dict):
        return _flatten([x[k] for k in sorted(x)])
    return [x]


# --- slots (TF's slot_creator) -----------------------------------------------------------------

def _slot_prefix(primary: Any) -> str:
    return primary._shared_name if _is_variable(primary) else primary.op.name


def _create_slot_var(primary: Any, val: Any, validate_shape: bool, shape: Any,
                     dtype: Any) -> Any:
    from minitf.ops import variable_scope as vs

    scope = vs.get_variable_scope()
    saved = scope.partitioner
    scope.set_partitioner(None)
    try:
        return vs.get_variable("", initializer=val, trainable=False, use_resource=False,
                               shape=shape if callable(val) else None, dtype=dtype,
                               validate_shape=validate_shape)
    finally:
        scope.set_partitioner(saved)


def create_slot(primary: Any, val: Any, name: str, colocate_with_primary: bool = True) -> Any:
    """A slot variable for ``primary`` initialized to the tensor ``val``, named
    ``<primary>/<name>`` (made unique)."""
    from minitf.ops import variable_scope as vs

    validate_shape = val.get_shape().is_fully_defined()
    with vs.variable_scope(None, _slot_prefix(primary) + "/" + name):
        if colocate_with_primary:
            with get_default_graph().colocate_with(primary.op):
                return _create_slot_var(primary, val, validate_shape, None, None)
        return _create_slot_var(primary, val, validate_shape, None, None)


def create_slot_with_initializer(primary: Any, initializer: Any, shape: Any, dtype: Any,
                                 name: str, colocate_with_primary: bool = True) -> Any:
    """A slot variable for ``primary`` made by ``initializer(shape, dtype)``."""
    from minitf.ops import variable_scope as vs

    validate_shape = shape.is_fully_defined()
    dtype = dtypes.as_dtype(dtype).base_dtype
    with vs.variable_scope(None, _slot_prefix(primary) + "/" + name):
        if colocate_with_primary:
            with get_default_graph().colocate_with(primary.op):
                return _create_slot_var(primary, initializer, validate_shape, shape, dtype)
        return _create_slot_var(primary, initializer, validate_shape, shape, dtype)


def create_zeros_slot(primary: Any, name: str, dtype: Any = None,
                      colocate_with_primary: bool = True) -> Any:
    """A slot of zeros shaped like ``primary``."""
    from minitf.ops import array_ops, init_ops

    dtype = (primary.dtype if dtype is None else dtypes.as_dtype(dtype)).base_dtype
    slot_shape = primary.get_shape()
    if slot_shape.is_fully_defined():
        return create_slot_with_initializer(primary, init_ops.zeros_initializer(), slot_shape,
                                            dtype, name, colocate_with_primary)
    source = primary.initialized_value() if _is_variable(primary) else primary
    val = array_ops.zeros(array_ops.shape(source), dtype=dtype)
    return create_slot(primary, val, name, colocate_with_primary)


# --- the base class ----------------------------------------------------------------------------

def _deduplicate_indexed_slices(values: Tensor, indices: Tensor) -> tuple[Tensor, Tensor]:
    """Sums the values of repeated indices (TF's ``_deduplicate_indexed_slices``)."""
    from minitf.ops import array_ops, math_ops

    unique_indices, new_index_positions = array_ops.unique(indices)
    summed = math_ops.unsorted_segment_sum(values, new_index_positions,
                                           array_ops.shape(unique_indices)[0])
    return summed, unique_indices


class Optimizer:
    """Base class for optimizers (``tf.train.Optimizer``); subclasses implement
    ``_create_slots``, ``_prepare``, ``_apply_dense``, ``_apply_sparse`` and maybe ``_finish``.
    """

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking: bool, name: str) -> None:
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict[str, dict[Any, Any]] = {}
        self._non_slot_dict: dict[tuple[str, Any], Any] = {}

    def get_name(self) -> str:
        return self._name

    # --- the three steps ----------------------------------------------------------------------
    def minimize(self, loss: Any, global_step: Any = None, var_list: Any = None,
                 gate_gradients: int = GATE_OP, aggregation_method: Any = None,
                 colocate_gradients_with_ops: bool = False, name: str | None = None,
                 grad_loss: Any = None) -> Any:
        """Adds ops computing gradients of ``loss`` and applying them; returns the train op."""
        grads_and_vars = self.compute_gradients(
            loss, var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        vars_with_grad = [v for g, v in grads_and_vars if g is not None]
        if not vars_with_grad:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                f"support gradients, between variables {[str(v) for _, v in grads_and_vars]} "
                f"and loss {loss}.")
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(self, loss: Any, var_list: Any = None,
                          gate_gradients: int = GATE_OP, aggregation_method: Any = None,
                          colocate_gradients_with_ops: bool = False,
                          grad_loss: Any = None) -> list[tuple[Any, Any]]:
        """``[(gradient, variable)]`` for ``var_list`` (default: the trainable variables);
        gradients are None for variables that ``loss`` does not depend on."""
        from minitf.ops import control_flow_ops
        from minitf.ops.gradients_impl import gradients

        if callable(loss):
            raise RuntimeError("`loss` passed to Optimizer.compute_gradients should be a "
                               "tensor in graph mode (a callable needs eager execution).")
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP,
                                  Optimizer.GATE_GRAPH):
            raise ValueError("gate_gradients must be one of: Optimizer.GATE_NONE, "
                             f"Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not {gate_gradients}")
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            self._assert_valid_dtypes([grad_loss])
        if var_list is None:
            var_list = (get_collection(GraphKeys.TRAINABLE_VARIABLES)
                        + get_collection(GraphKeys.TRAINABLE_RESOURCE_VARIABLES))
        else:
            var_list = _flatten(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        var_refs = [_target(v) for v in var_list]
        grads = gradients(loss, var_refs, grad_ys=grad_loss,
                          gate_gradients=(gate_gradients == Optimizer.GATE_OP),
                          aggregation_method=aggregation_method,
                          colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gate_gradients == Optimizer.GATE_GRAPH:
            grads = control_flow_ops.tuple_(grads)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for g, v in grads_and_vars if g is not None])
        return grads_and_vars

    def apply_gradients(self, grads_and_vars: Any, global_step: Any = None,
                        name: str | None = None) -> Any:
        """Adds the update ops; returns the op running them all (and incrementing
        ``global_step`` after them when given)."""
        from minitf.ops import state_ops
        from minitf.ops.variables import init_scope

        grads_and_vars = tuple(grads_and_vars)
        if not grads_and_vars:
            raise ValueError("No variables provided.")
        converted = []
        for g, v in grads_and_vars:
            if g is not None:
                if not isinstance(g, (Tensor, IndexedSlices)):
                    try:
                        g = convert_to_tensor(g)
                    except (TypeError, ValueError):
                        raise TypeError("Gradient must be convertible to a Tensor or "
                                        f"IndexedSlices, or None: {g}") from None
            if not _is_variable(v):
                if isinstance(v, Tensor):
                    raise NotImplementedError("Trying to update a Tensor ", v)
                raise NotImplementedError("Trying to optimize unsupported type ", v)
            converted.append((g, v))
        var_list = [v for g, v in converted if g is not None]
        if not var_list:
            raise ValueError("No gradients provided for any variable: "
                             f"{[str(v) for _, v in converted]}.")
        with init_scope():
            self._create_slots(var_list)
        update_ops = []
        g_ = get_default_graph()
        with name_scope(name, self._name) as scope:
            self._prepare()
            for grad, var in converted:
                if grad is None:
                    continue
                with name_scope("update_" + var.op.name), g_.colocate_with(var.op):
                    update_ops.append(self._update_op(grad, var))
            if global_step is None:
                apply_updates = self._finish(update_ops, scope)
            else:
                with g_.control_dependencies([self._finish(update_ops, "update")]):
                    with g_.colocate_with(global_step.op):
                        apply_updates = state_ops.assign_add(global_step, 1, name=scope)
        if isinstance(apply_updates, Tensor):
            apply_updates = apply_updates.op
        train_op = g_.get_collection_ref(GraphKeys.TRAIN_OP)
        if apply_updates not in train_op:
            train_op.append(apply_updates)
        return apply_updates

    def _update_op(self, grad: Any, var: Any) -> Any:
        if isinstance(grad, Tensor):
            update_op = self._apply_dense(grad, var)
            if var.constraint is not None:
                with get_default_graph().control_dependencies([update_op]):
                    return var.assign(var.constraint(var))
            return update_op
        if var.constraint is not None:
            raise RuntimeError("Cannot use a constraint function on a sparse variable.")
        return self._apply_sparse_duplicate_indices(grad, var)

    # --- slots and non-slot variables -----------------------------------------------------------
    def get_slot(self, var: Any, name: str) -> Any:
        """The slot variable ``name`` (e.g. "m") created for ``var``, or None."""
        named = self._slots.get(name)
        if not named:
            return None
        return named.get(_var_key(var))

    def get_slot_names(self) -> list[str]:
        return sorted(self._slots)

    def variables(self) -> list[Any]:
        """The optimizer's variables in the current graph (slots and accumulators), by name."""
        g = get_default_graph()
        out = [v for v in self._non_slot_dict.values() if v.op.graph is g]
        for slots in self._slots.values():
            out.extend(v for v in slots.values() if v.op.graph is g)
        return sorted(out, key=lambda v: v.name)

    def _create_non_slot_variable(self, initial_value: Any, name: str,
                                  colocate_with: Any) -> Any:
        from minitf.ops.variables import Variable

        key = (name, colocate_with.graph)
        v = self._non_slot_dict.get(key)
        if v is None:
            with colocate_with.graph.colocate_with(colocate_with.op):
                v = Variable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name: str, graph: Any = None) -> Any:
        return self._non_slot_dict.get((name, graph))

    def _non_slot_variables(self) -> list[Any]:
        return list(self._non_slot_dict.values())

    def _slot_dict(self, slot_name: str) -> dict[Any, Any]:
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot(self, var: Any, val: Any, slot_name: str, op_name: str) -> Any:
        named = self._slot_dict(slot_name)
        if _var_key(var) not in named:
            named[_var_key(var)] = create_slot(var, val, op_name)
        return named[_var_key(var)]

    def _get_or_make_slot_with_initializer(self, var: Any, initializer: Any, shape: Any,
                                           dtype: Any, slot_name: str, op_name: str) -> Any:
        named = self._slot_dict(slot_name)
        if _var_key(var) not in named:
            named[_var_key(var)] = create_slot_with_initializer(var, initializer, shape, dtype,
                                                                op_name)
        return named[_var_key(var)]

    def _zeros_slot(self, var: Any, slot_name: str, op_name: str) -> Any:
        named = self._slot_dict(slot_name)
        if _var_key(var) not in named:
            named[_var_key(var)] = create_zeros_slot(var, op_name)
        return named[_var_key(var)]

    # --- subclass hooks ---------------------------------------------------------------------
    def _create_slots(self, var_list: list[Any]) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _apply_dense(self, grad: Tensor, var: Any) -> Any:
        raise NotImplementedError()

    def _apply_sparse_duplicate_indices(self, grad: IndexedSlices, var: Any) -> Any:
        summed, unique = _deduplicate_indexed_slices(grad.values, grad.indices)
        return self._apply_sparse(IndexedSlices(summed, unique, grad.dense_shape), var)

    def _apply_sparse(self, grad: IndexedSlices, var: Any) -> Any:
        raise NotImplementedError()

    def _finish(self, update_ops: list[Any], name_scope: str) -> Any:
        from minitf.ops import control_flow_ops

        return control_flow_ops.group(*update_ops, name=name_scope)

    # --- helpers ----------------------------------------------------------------------------
    def _valid_dtypes(self) -> set[dtypes.DType]:
        return {dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64}

    def _assert_valid_dtypes(self, tensors: list[Any]) -> None:
        valid = self._valid_dtypes()
        for t in tensors:
            dtype = t.dtype.base_dtype
            if dtype not in valid:
                raise ValueError(f"Invalid type {dtype!r} for {t.name}, expected: "
                                 f"{[v for v in valid]}.")

    @staticmethod
    def _call_if_callable(param: Any) -> Any:
        return param() if callable(param) else param


def _target(v: Any) -> Any:
    if _is_variable(v):
        return v._ref()
    if isinstance(v, Tensor):
        return v
    raise NotImplementedError("Trying to optimize unsupported type ", v)


def cast_to(x: Any, var: Any) -> Any:
    """``math_ops.cast(x, var.dtype.base_dtype)`` (no op when the dtype already matches)."""
    from minitf.ops import math_ops

    return math_ops.cast(x, var.dtype.base_dtype)


Hook = Callable[..., Any]
