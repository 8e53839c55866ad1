"""Helpers shared by the plan rewrites: who produces and consumes each slot, which ops are pure,
which steps hold constants, and the switches that turn rewrites off."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import numpy as np

from minitf.framework.operation import Operation
from minitf.runtime.plan import Step

__all__ = ["ConstantKernel", "constant_of", "producers", "consumers", "is_pure", "opt_level_l0",
           "kernels_enabled", "has_plan_control_outputs", "is_cpu", "canonical_attrs"]

# Op types never folded or merged even if declared pure: they raise, print, or draw numbers.
_NEVER = frozenset({"Placeholder", "PlaceholderV2", "PlaceholderWithDefault", "Print",
                    "PrintV2", "Assert", "NoOp", "VariableV2", "Variable", "VarHandleOp"})
_RANDOM_WORDS = ("Random", "Multinomial", "TruncatedNormal", "Shuffle", "Dropout")
# Ops with make_kernel (state access) that are still pure functions of their inputs.
_PURE_MAKE_KERNEL = frozenset({"Cast", "Const"})


class ConstantKernel:
    """The kernel of a folded step: returns the value computed at plan build."""

    __slots__ = ("value",)
    is_constant = True

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self) -> Any:
        return self.value


def constant_of(step: Step) -> tuple[bool, Any]:
    """(True, value) when ``step`` produces a known constant (a Const op or a folded step)."""
    if len(step.ops) != 1 or len(step.outputs) != 1 or step.inputs:
        return False, None
    if isinstance(step.kernel, ConstantKernel):
        return True, step.kernel.value
    op = step.ops[0]
    if op.type == "Const":
        return True, op._attrs["value"]
    return False, None


def producers(steps: list[Step]) -> dict[int, int]:
    out: dict[int, int] = {}
    for i, step in enumerate(steps):
        for s in step.outputs:
            out[s] = i
    return out


def consumers(steps: list[Step]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for i, step in enumerate(steps):
        for s in step.inputs:
            out.setdefault(s, set()).add(i)
    return out


def plan_op_ids(steps: Iterable[Step]) -> set[int]:
    return {id(op) for step in steps for op in step.ops}


def has_plan_control_outputs(op: Operation, plan_ops: set[int]) -> bool:
    """True when an op of the plan waits for ``op`` through a control edge."""
    outs = op._control_outputs
    return bool(outs) and any(id(c) in plan_ops for c in outs)


_pure_types: dict[int, bool] = {}


def is_pure(op: Operation) -> bool:
    """A deterministic function of its data inputs, with no side effects: safe to fold/merge.
    (A property of the op type: memoized per OpDef.)"""
    op_def = op.op_def
    pure = _pure_types.get(id(op_def))
    if pure is None:
        pure = _pure_types[id(op_def)] = _is_pure_type(op_def)
    return pure


def _is_pure_type(op_def: Any) -> bool:
    t = op_def.type
    if op_def.stateful or t in _NEVER or op_def.extra.get("foldable") is False:
        return False
    if op_def.make_kernel is not None and t not in _PURE_MAKE_KERNEL:
        return False
    if any(w in t for w in _RANDOM_WORDS):
        return False
    return not any(a.is_ref for a in op_def.inputs) and \
        not any(a.is_ref for a in op_def.outputs)


def is_cpu(step: Step) -> bool:
    return step.device.rsplit("device:", 1)[-1].upper().startswith("CPU")


def _config_optimizer_options(config: Any) -> Any:
    try:
        return config.graph_options.optimizer_options
    except AttributeError:
        return None


def opt_level_l0(ctx: dict[str, Any]) -> bool:
    """``OptimizerOptions.opt_level = L0`` (TF's "no graph optimizations") in the config."""
    opts = _config_optimizer_options(ctx.get("config"))
    level = getattr(opts, "opt_level", 0) if opts is not None else 0
    return int(getattr(level, "value", level) or 0) == -1


def max_folded_bytes(ctx: dict[str, Any], default: int = 1 << 20) -> int:
    opts = _config_optimizer_options(ctx.get("config"))
    v = int(getattr(opts, "max_folded_constant_in_bytes", 0) or 0) if opts is not None else 0
    return v if v > 0 else default


def kernels_enabled() -> bool:
    """False inside ``reference_kernels_only()`` or with MINITF_KERNELS=reference."""
    from minitf.kernels.registry import kernels_enabled as enabled

    return enabled()


def fusion_enabled(ctx: dict[str, Any]) -> bool:
    return kernels_enabled() and os.environ.get("MINITF_FUSION", "1") != "0" and \
        not opt_level_l0(ctx)


class Unhashable(Exception):
    pass


def _canon(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str, bytes)):
        return (type(v).__name__, v)
    if isinstance(v, float):
        return ("float", repr(v))
    if isinstance(v, np.ndarray):
        if v.dtype == object or v.nbytes > 256:
            raise Unhashable
        return ("ndarray", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, np.generic):
        return _canon(np.asarray(v))
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple(_canon(x) for x in v))
    from minitf.framework.dtypes import DType
    from minitf.framework.tensor_shape import TensorShape

    if isinstance(v, DType):
        return ("dtype", v.name)
    if isinstance(v, TensorShape):
        return ("shape", v.as_tuple())
    raise Unhashable


def canonical_attrs(op: Operation) -> tuple[Any, ...]:
    """A hashable, exact form of the op's attributes; raises Unhashable when there is none."""
    return tuple(sorted((k, _canon(v)) for k, v in op._attrs.items()))


def run_quietly(kernel: Any, args: list[Any]) -> Any:
    with np.errstate(all="ignore"):
        return kernel(*args)


def single_op_step(step: Step) -> bool:
    """A step running one op's own kernel on the CPU: one output, every input a data input."""
    return len(step.ops) == 1 and len(step.outputs) == 1 and is_cpu(step) and \
        len(step.inputs) == len(step.ops[0]._inputs)


def only_reader(steps: list[Step], i: int, users: dict[int, set[int]], fetched: set[int],
                plan_ops: set[int]) -> int | None:
    """The one single-op step reading step i's output on its device, when nothing else sees
    that value (not fetched, no other reader, no control edge out of step i's op)."""
    s = steps[i].outputs[0]
    readers = users.get(s, set())
    if s in fetched or len(readers) != 1 or has_plan_control_outputs(steps[i].ops[0], plan_ops):
        return None
    j = next(iter(readers))
    return j if steps[j].device == steps[i].device and single_op_step(steps[j]) else None
