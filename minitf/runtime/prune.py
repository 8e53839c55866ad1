"""Pruning: the ops a run needs, in a deterministic topological order.

Only what the fetches and targets depend on runs; a fed tensor cuts the graph above it; a
reference input (``Ref(T)``, e.g. Assign's variable) is not a data dependency.
"""

from __future__ import annotations

import heapq

from minitf.framework import errors
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor

__all__ = ["prune", "ref_input_flags"]


def ref_input_flags(op: Operation) -> list[bool]:
    """For each (flattened) input of ``op``: is it a reference argument?"""
    op_def = op.op_def
    if not any(a.is_ref for a in op_def.inputs):
        return [False] * len(op._inputs)
    flags: list[bool] = []
    for arg in op_def.inputs:
        n = int(op._attrs[arg.number_attr]) if arg.number_attr else 1
        flags.extend([arg.is_ref] * n)
    return flags


def data_inputs(op: Operation) -> list[Tensor]:
    """Inputs whose values the op's kernel receives (reference arguments excluded)."""
    flags = ref_input_flags(op)
    return [t for t, is_ref in zip(op._inputs, flags) if not is_ref]


def prune(fetches: list[Tensor], targets: list[Operation], fed: set[int]) -> list[Operation]:
    """Ops needed to compute ``fetches`` and run ``targets`` given fed tensors (by id)."""
    needed: dict[int, Operation] = {}
    stack: list[Operation] = [t._op for t in fetches if id(t) not in fed]
    stack.extend(targets)
    while stack:
        op = stack.pop()
        if id(op) in needed:
            continue
        needed[id(op)] = op
        for t in data_inputs(op):
            if id(t) not in fed and id(t._op) not in needed:
                stack.append(t._op)
        for c in op._control_inputs:
            # (a control input whose outputs are all fed has run, as far as this run goes)
            if id(c) not in needed and not (c._outputs and
                                            all(id(t) in fed for t in c._outputs)):
                stack.append(c)
    return _toposort(needed, fed)


def _toposort(needed: dict[int, Operation], fed: set[int]) -> list[Operation]:
    indegree: dict[int, int] = {}
    consumers: dict[int, list[Operation]] = {k: [] for k in needed}
    for key, op in needed.items():
        preds = {id(t._op) for t in data_inputs(op) if id(t) not in fed and id(t._op) in needed}
        preds.update(id(c) for c in op._control_inputs if id(c) in needed)
        preds.discard(key)
        indegree[key] = len(preds)
        for p in preds:
            consumers[p].append(op)
    ready = [(op._id, key) for key, op in needed.items() if indegree[key] == 0]
    heapq.heapify(ready)
    order: list[Operation] = []
    while ready:
        _, key = heapq.heappop(ready)
        op = needed[key]
        order.append(op)
        for c in consumers[key]:
            ck = id(c)
            indegree[ck] -= 1
            if indegree[ck] == 0:
                heapq.heappush(ready, (c._id, ck))
    if len(order) != len(needed):
        stuck = sorted(op.name for k, op in needed.items() if indegree.get(k, 0) > 0)
        raise errors.InvalidArgumentError(
            None, None, f"Graph has a cycle among the ops needed by this run: "
                        f"{', '.join(stuck[:10])}")
    return order
