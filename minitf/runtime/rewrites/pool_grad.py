"""Fusing MaxPoolGrad with the ReluGrad after it (a plan rewrite, order 46).

In a conv -> relu -> max pool layer, the backward pass computes ``MaxPoolGrad(relu_out,
pool_out, g)`` and then ``ReluGrad(that, relu_out)``: a zero fill and two passes over an
activation-sized array. When the MaxPoolGrad value is read only by that ReluGrad (not fetched,
no other consumer, no control edge out of it) and the ReluGrad's features are the pool's input,
the two become one step whose kernel writes each element once
(``nn_pool.fused_max_pool_grad_relu``, 2x2 / stride 2 windows; the same bits as op by op).
Inputs the fast path does not take run the ops' own kernels (errors name the op that failed).

``opt_level=L0``, ``MINITF_FUSION=0`` and ``reference_kernels_only()`` turn it off.
"""

from __future__ import annotations

from typing import Any

from minitf.runtime.plan import Step, register_rewrite
from minitf.runtime.rewrites.common import (
    consumers,
    fusion_enabled,
    only_reader,
    plan_op_ids,
    single_op_step,
)
from minitf.runtime.rewrites.fusion import make_fallback

__all__ = ["fuse_max_pool_grad_relu"]


def _fast_path(step: Step, ctx: dict[str, Any]) -> Any:
    try:
        from minitf.kernels.cpu.nn_pool import fused_max_pool_grad_relu
    except ImportError:  # pragma: no cover - numba missing
        return None
    return fused_max_pool_grad_relu(step.ops[0], ctx.get("state"))


def _relu_grad_of(steps: list[Step], h: int, users: dict[int, set[int]], fetched: set[int],
                  plan_ops: set[int]) -> int | None:
    """The ReluGrad step that alone reads MaxPoolGrad step h, with the pool's input as its
    features."""
    head = steps[h]
    j = only_reader(steps, h, users, fetched, plan_ops)
    if j is None:
        return None
    tail = steps[j]
    if tail.ops[0].type != "ReluGrad" or tail.inputs[0] != head.outputs[0] or \
            tail.inputs[1] != head.inputs[0]:
        return None
    return j


@register_rewrite("fuse_max_pool_grad_relu", order=46)
def fuse_max_pool_grad_relu(steps: list[Step], ctx: dict[str, Any]) -> list[Step]:
    if not fusion_enabled(ctx):
        return steps
    heads = [i for i, s in enumerate(steps) if single_op_step(s) and s.ops[0].type == "MaxPoolGrad"]
    if not heads:
        return steps
    fetched = set(ctx.get("fetch_slots", ()))
    users = consumers(steps)
    plan_ops = plan_op_ids(steps)
    replaced: dict[int, Step] = {}
    dropped: set[int] = set()
    for h in heads:
        j = _relu_grad_of(steps, h, users, fetched, plan_ops)
        if j is None:
            continue
        fast = _fast_path(steps[h], ctx)
        if fast is None:
            continue
        head, tail = steps[h], steps[j]
        fallback = make_fallback([head, tail], list(head.inputs), {})

        def kernel(x: Any, y: Any, g: Any, _fast: Any = fast, _fallback: Any = fallback) -> Any:
            out = _fast(x, y, g)
            return _fallback(x, y, g) if out is None else out

        replaced[j] = Step([head.ops[0], tail.ops[0]], kernel, list(head.inputs),
                           [tail.outputs[0]], tail.device, label="FusedMaxPoolGradReluGrad")
        dropped.add(h)
    if not replaced:
        return steps
    return [replaced.get(i, st) for i, st in enumerate(steps) if i not in dropped]
