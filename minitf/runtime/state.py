"""Per-session mutable state: variable storage, random streams and other resources.

Variables live here, not in the graph: a new Session starts with every variable uninitialized,
as in TF.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.tensor import Tensor

__all__ = ["VariableSlot", "SessionState", "resolve_ref"]


class VariableSlot:
    """The storage of one variable in one session."""

    __slots__ = ("name", "op", "value", "lock")

    def __init__(self, name: str, op: Any) -> None:
        self.name = name
        self.op = op
        self.value: np.ndarray | None = None
        self.lock = threading.Lock()

    def read(self) -> np.ndarray:
        v = self.value
        if v is None:
            raise errors.FailedPreconditionError(
                None, self.op, f"Attempting to use uninitialized value {self.name}")
        return v

    @property
    def initialized(self) -> bool:
        return self.value is not None


def resolve_ref(tensor: Tensor) -> Any:
    """The VariableV2 op behind a reference tensor (through Assign*/RefIdentity outputs)."""
    op = tensor.op
    seen = 0
    while op.type != "VariableV2" and op.type != "TemporaryVariable":
        if not op.inputs or not op.inputs[0].dtype._is_ref_dtype or seen > 1000:
            raise errors.InvalidArgumentError(
                None, op, f"Cannot find the variable behind reference tensor {tensor.name}")
        op = op.inputs[0].op
        seen += 1
    return op


class SessionState:
    """Holds what a Session owns across runs (and the session's ConfigProto, which kernel
    factories read: ``intra_op_parallelism_threads``)."""

    def __init__(self, config: Any = None) -> None:
        self.config = config
        self.variables: dict[str, VariableSlot] = {}
        self._rngs: dict[str, np.random.Generator] = {}
        self._resources: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._entropy = np.random.SeedSequence().entropy

    def variable(self, var_op: Any) -> VariableSlot:
        """The storage slot of a VariableV2 op (created on first use)."""
        key = var_op._attrs.get("shared_name") or var_op.name
        slot = self.variables.get(key)
        if slot is None:
            with self._lock:
                slot = self.variables.get(key)
                if slot is None:
                    slot = self.variables[key] = VariableSlot(var_op.name, var_op)
        return slot

    def variable_for_ref(self, ref_tensor: Tensor) -> VariableSlot:
        return self.variable(resolve_ref(ref_tensor))

    def random_generator(self, op: Any) -> np.random.Generator:
        """The random stream of a stateful random op: seeded from its (seed, seed2) attrs, or
        from fresh entropy when both are 0; it advances with every run of the session."""
        gen = self._rngs.get(op.name)
        if gen is None:
            seed = int(op._attrs.get("seed", 0) or 0)
            seed2 = int(op._attrs.get("seed2", 0) or 0)
            if seed == 0 and seed2 == 0:
                ss = np.random.SeedSequence([self._entropy, len(self._rngs)])
                gen = np.random.Generator(np.random.Philox(ss))
            else:
                key = np.array([seed & (2**64 - 1), seed2 & (2**64 - 1)], dtype=np.uint64)
                gen = np.random.Generator(np.random.Philox(key=key))
            self._rngs[op.name] = gen
        return gen

    def resource(self, key: str, factory: Callable[[], Any]) -> Any:
        """A named per-session resource (queues, readers, tables), created on first use."""
        r = self._resources.get(key)
        if r is None:
            with self._lock:
                r = self._resources.get(key)
                if r is None:
                    r = self._resources[key] = factory()
        return r

    def cancel(self) -> None:
        """The session closes: resources with a ``cancel`` method (queues) wake their blocked
        ops, which raise CancelledError."""
        with self._lock:
            resources = list(self._resources.values())
        for r in resources:
            cancel = getattr(r, "cancel", None)
            if cancel is not None:
                cancel()
