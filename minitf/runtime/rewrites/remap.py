"""Fusing Conv2D / MatMul with the BiasAdd (and Relu) after it (a plan rewrite, order 45).

TF's grappler "remapper" does the same (``_FusedConv2D``, ``_FusedMatMul``): a layer's
``conv -> bias_add -> relu`` becomes one step whose kernel adds the bias and applies the Relu to
each GEMM block while the block is in cache, instead of two more passes over the activation.
The chain is fused when each intermediate value is read only by the next op of the chain (not
fetched, no other consumer, no control edge out of it), all ops are on the same CPU device, and
the conv is NHWC float32/float64 (the MatMul float32/float64). The values are the same bits as
op by op (the same float32 operations in the same order). The fused step lists the ops (the
last one names the step) and keeps an op-by-op fallback — the ops' own kernels, errors naming
the op that failed — for inputs the fast path does not take.

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

__all__ = ["fuse_bias_activation"]

_HEADS = ("Conv2D", "MatMul")


def _fast_path(head: Step, ctx: dict[str, Any], relu: bool) -> Any:
    op = head.ops[0]
    state = ctx.get("state")
    try:
        if op.type == "Conv2D":
            from minitf.kernels.cpu.nn_conv import fused_conv2d_bias

            return fused_conv2d_bias(op, state, relu)
        from minitf.kernels.cpu.matmul import fused_matmul_bias

        return fused_matmul_bias(op, state, relu)
    except ImportError:  # pragma: no cover - numba missing
        return None


@register_rewrite("fuse_bias_activation", order=45)
def fuse_bias_activation(steps: list[Step], ctx: dict[str, Any]) -> list[Step]:
    if not fusion_enabled(ctx):
        return steps
    heads = [i for i, s in enumerate(steps) if single_op_step(s) and s.ops[0].type in _HEADS]
    if not heads:
        return steps
    fetched = set(ctx.get("fetch_slots", ()))
    users = consumers(steps)
    plan_ops = plan_op_ids(steps)
    replaced: dict[int, Step] = {}
    dropped: set[int] = set()
    for h in heads:
        j = only_reader(steps, h, users, fetched, plan_ops)
        if j is None or steps[j].ops[0].type != "BiasAdd" or \
                steps[j].inputs[0] != steps[h].outputs[0] or \
                steps[j].ops[0]._attrs.get("data_format", "NHWC") != "NHWC":
            continue
        chain = [h, j]
        r = only_reader(steps, j, users, fetched, plan_ops)
        if r is not None and steps[r].ops[0].type == "Relu":
            chain.append(r)
        relu = len(chain) == 3
        fast = _fast_path(steps[h], ctx, relu)
        if fast is None:
            continue
        members = [steps[i] for i in chain]
        inputs = list(steps[h].inputs) + [steps[j].inputs[1]]
        fallback = make_fallback(members, inputs, {})

        def kernel(x: Any, w: Any, b: Any, _fast: Any = fast, _fallback: Any = fallback) -> Any:
            out = _fast(x, w, b)
            return _fallback(x, w, b) if out is None else out

        kernel.uses_blas = True  # type: ignore[attr-defined]
        label = ("FusedConv2D" if steps[h].ops[0].type == "Conv2D" else "FusedMatMul")
        replaced[chain[-1]] = Step([s.ops[0] for s in members], kernel, inputs,
                                   [members[-1].outputs[0]], members[-1].device, label=label)
        dropped.update(chain[:-1])
    if not replaced:
        return steps
    return [replaced.get(i, s) for i, s in enumerate(steps) if i not in dropped]
