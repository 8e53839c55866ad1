"""Dropping pure steps whose values nobody reads (a plan rewrite, order 15).

A pure op that is in the plan only because another op waits for it through a control edge —
``tf.tuple`` / ``with_dependencies`` gating in gradients (``gate_gradients=GATE_OP``, the
default of ``Optimizer.minimize``) makes every gradient of an op wait for all of them, so the
gradient of the first layer with respect to the network's input is computed and thrown away —
computes a value no one sees. Like TF's grappler (the dependency optimizer turns such nodes
into NoOps), the plan turns its step into one that computes nothing: the step has no data
consumer, is not fetched, is not a target of the run, and its op is pure (no side effects, not
random, not a check such as CheckNumerics / Assert / Print). When control edges tie the op to
the plan, an empty step stays in its place (step stats still list the op; the edges still
order the steps around it; ``plan._link_dependencies`` keeps the order its data inputs imposed,
``ctx["skipped_ops"]``), otherwise the step goes. Either way its producers may become unread in
turn: chains go in one backwards sweep. Unread constants are left to ``dead_constants``.

``OptimizerOptions(opt_level=L0)`` turns it off, as every rewrite.
"""

from __future__ import annotations

from typing import Any

from minitf.runtime.plan import Step, register_rewrite
from minitf.runtime.prune import ref_input_flags
from minitf.runtime.rewrites.common import (
    constant_of,
    has_plan_control_outputs,
    is_pure,
    opt_level_l0,
    plan_op_ids,
)

__all__ = ["drop_unread_pure_steps"]


_KEEP_WORDS = ("Check", "Assert", "Print", "Verify")


def _removable(step: Step, targets: set[int], fetched: set[int]) -> bool:
    if len(step.ops) != 1 or not step.outputs:
        return False
    op = step.ops[0]
    if id(op) in targets or any(s in fetched for s in step.outputs):
        return False
    if not is_pure(op) or any(ref_input_flags(op)) or any(w in op.type for w in _KEEP_WORDS):
        return False
    return not constant_of(step)[0]  # unread constants: the dead_constants rewrite


def _skipped() -> None:
    """The kernel of a step whose value nobody reads."""


_skipped.is_skipped = True  # type: ignore[attr-defined]


@register_rewrite("unread_pure_steps", order=15)
def drop_unread_pure_steps(steps: list[Step], ctx: dict[str, Any]) -> list[Step]:
    if opt_level_l0(ctx):
        return steps
    fetched = set(ctx.get("fetch_slots", ()))
    targets = {id(op) for op in ctx.get("target_ops", ())}
    read: set[int] = set()
    skipped = ctx.setdefault("skipped_ops", set())
    plan_ops = plan_op_ids(steps)
    keep = [True] * len(steps)
    for i in range(len(steps) - 1, -1, -1):
        step = steps[i]
        if not any(s in read for s in step.outputs) and _removable(step, targets, fetched):
            op = step.ops[0]
            if op._control_inputs or has_plan_control_outputs(op, plan_ops):
                skipped.add(id(op))  # others wait for it: keep an empty step in its place
                steps[i] = Step(step.ops, _skipped, [], [], step.device, label=step.label)
            else:
                keep[i] = False
            continue
        read.update(step.inputs)
    return steps if all(keep) else [s for s, k in zip(steps, keep) if k]
