"""``tf.train.MomentumOptimizer``: ``accum = momentum * accum + grad; var -= lr * accum``."""

from __future__ import annotations

from typing import Any

from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.train.optimizer import Optimizer, cast_to

__all__ = ["MomentumOptimizer"]


class MomentumOptimizer(Optimizer):
    """Momentum (optionally Nesterov); one slot ``momentum`` (``w/Momentum``) per variable."""

    def __init__(self, learning_rate: Any, momentum: Any, use_locking: bool = False,
                 name: str = "Momentum", use_nesterov: bool = False) -> None:
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list: list[Any]) -> None:
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _prepare(self) -> None:
        self._learning_rate_tensor = convert_to_tensor(
            self._call_if_callable(self._learning_rate), name="learning_rate")
        self._momentum_tensor = convert_to_tensor(self._call_if_callable(self._momentum),
                                                  name="momentum")

    def _apply_dense(self, grad: Any, var: Any) -> Any:
        from minitf.ops import training_ops

        mom = self.get_slot(var, "momentum")
        return training_ops.apply_momentum(
            var, mom, cast_to(self._learning_rate_tensor, var), grad,
            cast_to(self._momentum_tensor, var), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov).op

    def _apply_sparse(self, grad: Any, var: Any) -> Any:
        from minitf.ops import training_ops

        mom = self.get_slot(var, "momentum")
        return training_ops.sparse_apply_momentum(
            var, mom, cast_to(self._learning_rate_tensor, var), grad.values, grad.indices,
            cast_to(self._momentum_tensor, var), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov).op
