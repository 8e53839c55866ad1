"""Elementwise fusion: a DAG of elementwise ops becomes one generated kernel (one pass over
memory) — ``sigmoid(x * 2 + 1) * tanh(x) - exp(-x * x) + abs(x)`` is one loop, not 11 numpy
calls and 10 temporaries.

A group grows from a root (the last op, whose output leaves the group) towards its inputs. An
op joins when it is elementwise (``OpDef.extra["elementwise"]``) with a scalar expression in
:mod:`minitf.kernels.cpu.scalar_exprs`, on the root's CPU device, all float32/float64, and its
output is read only inside the group: not fetched, no consumer outside, no control edge out of
it. Shared subexpressions inside a group are computed once per element. Inputs from Const ops
(and folded constants) are bound at plan build: single values travel in a parameter vector, so
the kernel's cache key has no values in it.

The fused step lists all of its ops (root last, so errors and step stats name the root) and
keeps a fallback that runs the ops' own kernels one by one; the fallback raises errors naming
the op that failed. :func:`minitf.kernels.registry.reference_kernels_only`, MINITF_FUSION=0 and
``opt_level=L0`` turn fusion off.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.kernels.cpu import scalar_exprs
from minitf.kernels.cpu.codegen import fusable_op
from minitf.runtime.plan import Step, register_rewrite
from minitf.runtime.rewrites.common import (
    constant_of,
    consumers,
    fusion_enabled,
    has_plan_control_outputs,
    is_cpu,
    plan_op_ids,
    producers,
)

__all__ = ["fuse_elementwise", "MAX_GROUP_OPS", "make_fallback"]

MAX_GROUP_OPS = 256


def _dtype_name(t: Any) -> str:
    return t.dtype.base_dtype.name


def _fusable_step(step: Step) -> bool:
    return len(step.ops) == 1 and len(step.outputs) == 1 and is_cpu(step) and \
        len(step.inputs) == len(step.ops[0]._inputs) and fusable_op(step.ops[0])


def make_fallback(members: list[Step], dynamic: list[int], constants: dict[int, Any]
                  ) -> Callable[..., Any]:
    """Runs the group op by op with the ops' own kernels; errors name the failing op."""
    from minitf.runtime.executor import translate_error

    program = [(m.kernel, list(m.inputs), m.outputs[0], m) for m in members]
    result_slot = members[-1].outputs[0]

    def fallback(*values: Any) -> Any:
        env = dict(constants)
        env.update(zip(dynamic, values))
        for kernel, ins, out, step in program:
            try:
                env[out] = kernel(*[env[s] for s in ins])
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as e:  # noqa: BLE001 - re-raised naming the op
                err = translate_error(e, step)
                if err is e:
                    raise
                raise err from None
        return env[result_slot]

    return fallback


def _grow(root: int, steps: list[Step], cand: list[bool], taken: list[bool],
          prod: dict[int, int], users: dict[int, set[int]], fetched: set[int],
          plan_ops: set[int]) -> list[int]:
    """Indices of the group rooted at ``root`` (ascending: a topological order)."""
    members = {root}
    device = steps[root].device
    heap: list[int] = []
    decided: set[int] = {root}

    def push_inputs(i: int) -> None:
        for s in steps[i].inputs:
            p = prod.get(s)
            if p is not None and cand[p] and not taken[p] and p not in decided:
                heapq.heappush(heap, -p)

    push_inputs(root)
    while heap and len(members) < MAX_GROUP_OPS:
        p = -heapq.heappop(heap)
        if p in decided:
            continue
        decided.add(p)
        step = steps[p]
        s = step.outputs[0]
        if step.device != device or s in fetched or not users.get(s, set()) <= members or \
                has_plan_control_outputs(step.ops[0], plan_ops):
            continue
        members.add(p)
        push_inputs(p)
    return sorted(members)


@register_rewrite("fuse_elementwise", order=50)
def fuse_elementwise(steps: list[Step], ctx: dict[str, Any]) -> list[Step]:
    if not fusion_enabled(ctx):
        return steps
    cand = [_fusable_step(s) for s in steps]
    if sum(cand) < 2:
        return steps
    fetched = set(ctx.get("fetch_slots", ()))
    prod = producers(steps)
    users = consumers(steps)
    plan_ops = plan_op_ids(steps)
    taken = [False] * len(steps)
    fused_at: dict[int, Step] = {}
    for root in range(len(steps) - 1, -1, -1):
        if not cand[root] or taken[root]:
            continue
        members = _grow(root, steps, cand, taken, prod, users, fetched, plan_ops)
        if len(members) < 2:
            continue
        fused = _build_step([steps[i] for i in members], steps, prod, ctx)
        if fused is None:
            continue
        for i in members:
            taken[i] = True
        fused_at[root] = fused
    if not fused_at:
        return steps
    return [fused_at.get(i, s) for i, s in enumerate(steps) if not taken[i] or i in fused_at]


def _build_step(members: list[Step], steps: list[Step], prod: dict[int, int],
                ctx: dict[str, Any]) -> Step | None:
    from minitf.kernels.cpu.codegen import FusedKernel, GroupSpec, InputSpec, Node

    produced = {m.outputs[0]: j for j, m in enumerate(members)}
    # Group inputs in order of first use, with their dtype and static shape.
    order: list[int] = []
    info: dict[int, tuple[str, Any]] = {}
    for m in members:
        for s, t in zip(m.inputs, m.ops[0]._inputs):
            if s not in produced and s not in info:
                order.append(s)
                info[s] = (_dtype_name(t), t.get_shape())
    dynamic, bound, params = [], [], []
    constants: dict[int, Any] = {}
    for s in order:
        p = prod.get(s)
        ok, value = constant_of(steps[p]) if p is not None else (False, None)
        if ok and isinstance(value, (np.ndarray, np.generic)) and \
                np.asarray(value).dtype.name == info[s][0]:
            constants[s] = value
            (params if np.size(value) == 1 else bound).append(s)
        else:
            dynamic.append(s)
    arrays = dynamic + bound
    if not arrays:
        return None  # all-constant group (folding off): nothing to run over
    index = {s: i for i, s in enumerate(arrays + params)}
    n_in = len(index)
    inputs = tuple(InputSpec(info[s][0], s in constants and s in params) for s in arrays + params)
    nodes = []
    for m in members:
        op = m.ops[0]
        expr = scalar_exprs.lookup(op.type)
        attrs = tuple((a, _attr_key(op._attrs.get(a))) for a in expr.attrs) if expr else ()
        args = tuple(n_in + produced[s] if s in produced else index[s] for s in m.inputs)
        nodes.append(Node(op.type, _dtype_name(op._outputs[0]), args, attrs))
    spec = GroupSpec(inputs, tuple(nodes))
    param_values = [np.asarray(constants[s]).reshape(-1)[0] for s in params]
    param_shapes = [np.shape(constants[s]) for s in params]
    param_shape: tuple[int, ...] = ()
    if any(param_shapes):
        rank = max(len(sh) for sh in param_shapes)
        param_shape = (1,) * rank
    root = members[-1].ops[0]
    fallback = make_fallback(members, dynamic, constants)
    kernel = FusedKernel(spec, len(dynamic), [np.asarray(constants[s]) for s in bound],
                         param_values, param_shape, fallback, _threads(ctx),
                         label=f"{root.name} ({len(members)} ops)")
    out_shape = root._outputs[0].get_shape().as_tuple()
    kernel.prepare([info[s][1].as_tuple() for s in dynamic], out_shape)
    return Step([m.ops[0] for m in members], kernel.entry, dynamic, [members[-1].outputs[0]],
                members[-1].device, label="FusedElementwise")


def _attr_key(v: Any) -> Any:
    if hasattr(v, "name") and hasattr(v, "as_numpy_dtype"):
        return v.name
    if isinstance(v, float):
        return float(v)
    return v


def _threads(ctx: dict[str, Any]) -> int | None:
    config = ctx.get("config")
    n = int(getattr(config, "intra_op_parallelism_threads", 0) or 0) if config is not None else 0
    return n if n > 0 else None
