"""Constant folding and common-subexpression elimination (plan rewrites).

* ``constant_folding``: a pure op (not stateful, no state-reading kernel, no random or printing
  op) whose data inputs are all constants runs once at plan build; its step becomes a constant.
  Results larger than ``max_folded_constant_in_bytes`` (config; default 1 MiB) are not kept; an
  op whose kernel raises is left alone so the error surfaces at run time, naming it. Unless the
  plan copies fetched folded values as it copies Const values, fetched values are not folded,
  nor inputs of ops whose output may alias their input.
* ``common_subexpressions``: two pure ops with the same type, attributes, inputs, control
  inputs and device compute the same value; the later one's consumers read the earlier one's
  output. Const ops merge when their (small) values are identical.
* ``dead_constants``: after folding and fusion, constant steps nobody reads are dropped.

``OptimizerOptions(opt_level=L0)`` in the session config turns all of them off, as in TF.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.runtime.plan import Step, register_rewrite
from minitf.runtime.prune import ref_input_flags
from minitf.runtime.rewrites.common import (
    ConstantKernel,
    Unhashable,
    canonical_attrs,
    constant_of,
    consumers,
    has_plan_control_outputs,
    is_cpu,
    is_pure,
    max_folded_bytes,
    opt_level_l0,
    plan_op_ids,
    run_quietly,
)

__all__ = ["fold_constants", "eliminate_common_subexpressions", "drop_dead_constants"]


def _static_nbytes(op: Any) -> int | None:
    total = 0
    for t in op._outputs:
        shape = t.get_shape()
        if not shape.is_fully_defined():
            return None
        try:
            itemsize = np.dtype(t.dtype.base_dtype.as_numpy_dtype).itemsize
        except TypeError:
            return None
        total += int(np.prod(shape.as_list(), dtype=np.int64)) * itemsize
    return total


def _is_value(v: Any) -> bool:
    return isinstance(v, (np.ndarray, np.generic)) and np.asarray(v).dtype != object


@register_rewrite("constant_folding", order=10)
def fold_constants(steps: list[Step], ctx: dict[str, Any]) -> list[Step]:
    if opt_level_l0(ctx):
        return steps
    cap = max_folded_bytes(ctx)
    fetched = set(ctx.get("fetch_slots", ()))
    users = consumers(steps)
    known: dict[int, Any] = {}
    out: list[Step] = []
    for step in steps:
        ok, value = constant_of(step)
        if ok:
            known[step.outputs[0]] = value
            out.append(step)
            continue
        folded = _try_fold(step, known, fetched, users, steps, cap)
        if folded is None:
            out.append(step)
            continue
        for s, v in zip(step.outputs, folded):
            known[s] = v
        if len(step.outputs) == 1:
            out.append(Step(step.ops, ConstantKernel(folded[0]), [], step.outputs, step.device,
                            label="Const"))
        else:
            for s, v in zip(step.outputs, folded):  # one constant step per output
                out.append(Step(step.ops, ConstantKernel(v), [], [s], step.device, label="Const"))
    return out


_copies_folded: list[bool] = []


def _plan_copies_folded_fetches() -> bool:
    """Whether plans copy fetched values of folded steps, as they copy Const values (a probe of
    minitf.runtime.plan._alias_sources). When they do not, fetched values and inputs of ops
    that may alias their input are not folded: the caller could write into our constant."""
    if not _copies_folded:
        from types import SimpleNamespace

        from minitf.runtime import plan

        probe = SimpleNamespace(type="FoldedProbe", op_def=SimpleNamespace(
            stateful=False, aliases_input=False))
        try:
            found = plan._alias_sources([Step([probe], ConstantKernel(0), [], [0], "")], [])
            _copies_folded.append(0 in found)
        except Exception:  # noqa: BLE001 - a changed signature: stay conservative
            _copies_folded.append(False)
    return _copies_folded[0]


def _try_fold(step: Step, known: dict[int, Any], fetched: set[int],
              users: dict[int, set[int]], steps: list[Step], cap: int) -> list[Any] | None:
    if not step.inputs or any(s not in known for s in step.inputs) or len(step.ops) != 1 or \
            not step.outputs or not is_cpu(step):
        return None
    op = step.ops[0]
    if not is_pure(op) or any(ref_input_flags(op)):
        return None
    if not _plan_copies_folded_fetches():
        if any(s in fetched for s in step.outputs):
            return None
        for s in step.outputs:  # a consumer that may return a view would hand out our constant
            if any(steps[j].ops[-1].op_def.aliases_input for j in users.get(s, ())):
                return None
    est = _static_nbytes(op)
    if est is not None and est > cap:
        return None
    try:
        result = run_quietly(step.kernel, [known[s] for s in step.inputs])
    except Exception:  # noqa: BLE001 - left for run time, where the error names the op
        return None
    values = [result] if len(step.outputs) == 1 else list(result)
    if len(values) != len(step.outputs) or not all(_is_value(v) for v in values):
        return None
    if sum(np.asarray(v).nbytes for v in values) > cap:
        return None
    return values


def _cse_candidate(step: Step, plan_ops: set[int], fetched: set[int]) -> Any:
    """A cheap key (type, inputs, device) for steps CSE may merge; None for the others."""
    if len(step.ops) != 1 or not step.outputs:
        return None
    op = step.ops[0]
    if not is_pure(op) or any(s in fetched for s in step.outputs) or \
            has_plan_control_outputs(op, plan_ops):
        return None
    if op.type == "Const":
        v = op._attrs["value"]
        if not isinstance(v, np.ndarray) or v.dtype == object or v.nbytes > 256:
            return None
    elif not step.inputs:
        return None
    return (op.type, tuple(step.inputs), step.device, len(step.outputs))


def _full_key(step: Step) -> Any:
    """Attributes and control inputs: computed only for steps whose cheap keys collide."""
    op = step.ops[0]
    try:
        attrs = canonical_attrs(op)
    except Unhashable:
        return None
    return (attrs, tuple(sorted(id(c) for c in op._control_inputs)))


@register_rewrite("common_subexpressions", order=20)
def eliminate_common_subexpressions(steps: list[Step], ctx: dict[str, Any]) -> list[Step]:
    if opt_level_l0(ctx):
        return steps
    fetched = set(ctx.get("fetch_slots", ()))
    plan_ops = plan_op_ids(steps)
    seen: dict[Any, list[list[Any]]] = {}  # cheap key -> [[full key or missing, step], ...]
    missing = object()
    remap: dict[int, int] = {}
    out: list[Step] = []
    for step in steps:
        if remap and any(s in remap for s in step.inputs):
            step.inputs = [remap.get(s, s) for s in step.inputs]
        cheap = _cse_candidate(step, plan_ops, fetched)
        if cheap is not None:
            bucket = seen.get(cheap)
            if bucket is None:
                seen[cheap] = [[missing, step]]
            else:
                full = _full_key(step)
                first = None
                for entry in bucket:
                    if entry[0] is missing:
                        entry[0] = _full_key(entry[1])
                    if full is not None and entry[0] == full:
                        first = entry[1]
                        break
                if first is not None:
                    for a, b in zip(step.outputs, first.outputs):
                        remap[a] = b
                    continue
                bucket.append([full, step])
        out.append(step)
    return out


@register_rewrite("dead_constants", order=90)
def drop_dead_constants(steps: list[Step], ctx: dict[str, Any]) -> list[Step]:
    fetched = set(ctx.get("fetch_slots", ()))
    used = {s for step in steps for s in step.inputs} | fetched
    plan_ops = plan_op_ids(steps)
    out = []
    for step in steps:
        ok, _ = constant_of(step)
        if ok and not any(s in used for s in step.outputs) and not step.ops[0]._control_inputs \
                and not has_plan_control_outputs(step.ops[0], plan_ops):
            continue
        out.append(step)
    return out
