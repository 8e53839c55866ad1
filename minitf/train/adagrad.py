"""``tf.train.AdagradOptimizer``: ``accum += grad**2; var -= lr * grad / sqrt(accum)``."""

from __future__ import annotations

from typing import Any

from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.train.optimizer import Optimizer, cast_to

__all__ = ["AdagradOptimizer"]


class AdagradOptimizer(Optimizer):
    """Adagrad; one slot ``accumulator`` (``w/Adagrad``) starting at
    ``initial_accumulator_value``."""

    def __init__(self, learning_rate: Any, initial_accumulator_value: float = 0.1,
                 use_locking: bool = False, name: str = "Adagrad") -> None:
        if initial_accumulator_value <= 0.0:
            raise ValueError("initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._initial_accumulator_value = initial_accumulator_value
        self._learning_rate_tensor: Any = None

    def _create_slots(self, var_list: list[Any]) -> None:
        from minitf.ops import init_ops

        for v in var_list:
            dtype = v.dtype.base_dtype
            if v.get_shape().is_fully_defined():
                init = init_ops.constant_initializer(self._initial_accumulator_value,
                                                     dtype=dtype)
            else:
                init = self._init_constant_op(v, dtype)
            self._get_or_make_slot_with_initializer(v, init, v.get_shape(), dtype,
                                                    "accumulator", self._name)

    def _init_constant_op(self, v: Any, dtype: Any) -> Any:
        def init(*args: Any, **kwargs: Any) -> Any:
            from minitf.ops import array_ops, math_ops

            return math_ops.cast(array_ops.fill(array_ops.shape(v),
                                                self._initial_accumulator_value), dtype)

        return init

    def _prepare(self) -> None:
        self._learning_rate_tensor = convert_to_tensor(
            self._call_if_callable(self._learning_rate), name="learning_rate")

    def _apply_dense(self, grad: Any, var: Any) -> Any:
        from minitf.ops import training_ops

        acc = self.get_slot(var, "accumulator")
        return training_ops.apply_adagrad(var, acc, cast_to(self._learning_rate_tensor, var),
                                          grad, use_locking=self._use_locking)

    def _apply_sparse(self, grad: Any, var: Any) -> Any:
        from minitf.ops import training_ops

        acc = self.get_slot(var, "accumulator")
        return training_ops.sparse_apply_adagrad(
            var, acc, cast_to(self._learning_rate_tensor, var), grad.values, grad.indices,
            use_locking=self._use_locking)
