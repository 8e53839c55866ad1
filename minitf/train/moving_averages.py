"""``tf.train.ExponentialMovingAverage`` and ``assign_moving_average`` (TF 1.x
``moving_averages.py``): shadow variables ``<var>/ExponentialMovingAverage`` updated by
``shadow -= (1 - decay) * (shadow - var)``."""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import (
    GraphKeys,
    add_to_collection,
    get_default_graph,
    name_scope,
)
from minitf.framework.tensor_conversion import convert_to_tensor

__all__ = ["ExponentialMovingAverage", "assign_moving_average"]

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


def _is_variable(v: Any) -> bool:
    from minitf.ops.variables import Variable

    return isinstance(v, Variable)


def _zero_debias(unbiased_var: Any, value: Any, decay: Any) -> Any:
    """Bias-corrected update of ``unbiased_var`` (TF's ``_zero_debias``): keeps ``biased`` and
    ``local_step`` variables in the shadow's scope."""
    from minitf.ops import init_ops, math_ops, state_ops
    from minitf.ops import variable_scope as vs

    with vs.variable_scope(unbiased_var.op.name, values=[unbiased_var, value, decay]):
        with get_default_graph().colocate_with(unbiased_var.op):
            biased = vs.get_variable("biased", initializer=init_ops.zeros_initializer(),
                                     shape=unbiased_var.get_shape(),
                                     dtype=unbiased_var.dtype.base_dtype, trainable=False)
            local_step = vs.get_variable("local_step", shape=[],
                                         dtype=unbiased_var.dtype.base_dtype,
                                         initializer=init_ops.zeros_initializer(),
                                         trainable=False)
        update_biased = state_ops.assign_sub(biased, (biased - value) * decay)
        update_step = state_ops.assign_add(local_step, 1)
        bias_factor = 1 - math_ops.pow(1.0 - decay, update_step)
        return state_ops.assign(unbiased_var, update_biased / bias_factor)


def assign_moving_average(variable: Any, value: Any, decay: Any, zero_debias: bool = True,
                          name: str | None = None) -> Any:
    """``variable -= (1 - decay) * (variable - value)`` (``AssignMovingAvg`` scope)."""
    from minitf.ops import math_ops, state_ops

    with name_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        decay = convert_to_tensor(1.0 - decay, name="decay")
        if decay.dtype != variable.dtype.base_dtype:
            decay = math_ops.cast(decay, variable.dtype.base_dtype)
        if zero_debias:
            return _zero_debias(variable, value, decay)
        return state_ops.assign_sub(variable, (variable - value) * decay, name=scope)


class ExponentialMovingAverage:
    """Maintains moving averages of variables (``tf.train.ExponentialMovingAverage``).

    ``apply(var_list)`` makes one shadow variable per entry (a copy of the variable's initial
    value, or zeros for a tensor) and returns the op that updates them all. With
    ``num_updates`` the decay used is ``min(decay, (1 + n) / (10 + n))``.
    """

    def __init__(self, decay: Any, num_updates: Any = None, zero_debias: bool = False,
                 name: str = "ExponentialMovingAverage") -> None:
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict[Any, Any] = {}

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list: Any = None) -> Any:
        """Creates the shadow variables and returns the op updating them."""
        from minitf.ops import control_flow_ops, math_ops
        from minitf.ops.variables import init_scope, trainable_variables
        from minitf.train.optimizer import create_slot, create_zeros_slot

        if var_list is None:
            var_list = trainable_variables()
        var_list = list(var_list)
        zero_debias_true: set[Any] = set()
        for var in var_list:
            if var.dtype.base_dtype not in _FLOATS:
                raise TypeError(f"The variables must be half, float, or double: {var.name}")
            if var in self._averages:
                raise ValueError(f"Moving average already computed for: {var.name}")
            with init_scope():
                if _is_variable(var):
                    avg = create_slot(var, var.initialized_value(), self.name,
                                      colocate_with_primary=True)
                    add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
                else:
                    avg = create_zeros_slot(var, self.name, colocate_with_primary=(
                        var.op.type in ("Variable", "VariableV2", "VarHandleOp")))
                    if self._zero_debias:
                        zero_debias_true.add(avg)
            self._averages[var] = avg
        with name_scope(self.name) as scope:
            decay = convert_to_tensor(self._decay, name="decay")
            if self._num_updates is not None:
                num_updates = math_ops.cast(self._num_updates, dtypes.float32,
                                            name="num_updates")
                decay = math_ops.minimum(decay, (1.0 + num_updates) / (10.0 + num_updates))
            updates = [assign_moving_average(self._averages[var], var, decay,
                                             zero_debias=self._averages[var] in zero_debias_true)
                       for var in var_list]
            return control_flow_ops.group(*updates, name=scope)

    def average(self, var: Any) -> Any:
        """The shadow variable of ``var``, or None."""
        return self._averages.get(var)

    def average_name(self, var: Any) -> str:
        """The name of ``var``'s shadow variable (also before ``apply``)."""
        if var in self._averages:
            return self._averages[var].op.name
        return get_default_graph().unique_name(var.op.name + "/" + self.name,
                                               mark_as_used=False)

    def variables_to_restore(self, moving_avg_variables: Any = None) -> dict[str, Any]:
        """A Saver ``var_list`` mapping each average's name to its variable (so restoring
        loads the averages into the variables), other global variables by their own name."""
        from minitf.ops.variables import (
            global_variables,
            moving_average_variables,
            trainable_variables,
        )

        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        unique = list(dict.fromkeys(moving_avg_variables))
        name_map = {self.average_name(v): v for v in unique}
        names = {v.name for v in unique}
        for v in dict.fromkeys(global_variables()):
            if v.name not in names and v.op.name not in name_map:
                name_map[v.op.name] = v
        return name_map
