"""Execution plans: the pruned, placed, rewritten step list of one (fetches, feeds, targets)
signature, compiled once and cached by the Session.

A plan is a flat list of :class:`Step` over numbered value slots. For sequential execution it is
compiled into one generated Python function of straight-line calls (``v3 = k0(v1, v2)``), with
each value deleted after its last use, so per-run work outside the kernels is a handful of
bytecodes per step and no dictionary lookups by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.kernels.registry import kernel_for
from minitf.runtime.placer import place_ops
from minitf.runtime.prune import prune, ref_input_flags

__all__ = ["Step", "ExecutionPlan", "build_plan", "register_rewrite"]

_MAX_GENERATED_STEPS = 50_000


@dataclass(eq=False)
class Step:
    """One kernel call: reads ``inputs`` slots, writes ``outputs`` slots."""

    ops: list[Operation]
    kernel: Callable[..., Any]
    inputs: list[int]
    outputs: list[int]
    device: str
    label: str = ""
    kernel_device: str = "CPU"  # device type whose memory the kernel reads and writes

    @property
    def op(self) -> Operation:
        return self.ops[-1]

    @property
    def name(self) -> str:
        return self.ops[-1].name

    @property
    def type(self) -> str:
        return self.label or self.ops[-1].type


@dataclass(eq=False)
class ExecutionPlan:
    """What a Session runs for one signature."""

    steps: list[Step]
    feed_slots: list[int]
    fetch_slots: list[int]
    copy_fetch: list[bool]
    num_slots: int
    graph_version: int
    ops: list[Operation] = field(default_factory=list)
    run_fn: Callable[[Any], Any] | None = None
    line_to_step: dict[int, int] = field(default_factory=dict)
    successors: list[list[int]] = field(default_factory=list)
    num_preds: list[int] = field(default_factory=list)
    # Entered around every run of a plan that calls BLAS (holds BLAS to one thread; see
    # minitf/kernels/cpu/parallel.py); None for the others.
    blas_limiter: Any = None

    def step_at_line(self, lineno: int) -> Step | None:
        idx = self.line_to_step.get(lineno)
        return None if idx is None else self.steps[idx]


# Rewrites run on the step list after placement: fn(steps, context) -> steps.
_REWRITES: list[tuple[int, str, Callable[[list[Step], dict[str, Any]], list[Step]]]] = []


def register_rewrite(name: str, order: int = 100) -> Callable[[Any], Any]:
    """Registers a plan rewrite (constant folding, CSE, fusion ...), run in ``order``."""

    def deco(fn: Callable[[list[Step], dict[str, Any]], list[Step]]) -> Any:
        _REWRITES.append((order, name, fn))
        _REWRITES.sort(key=lambda e: e[0])
        return fn

    return deco


def _alias_sources(steps: list[Step], feed_slots: list[int]) -> set[int]:
    """Slots whose value may share memory with state that outlives the run (constants,
    variables, feeds) — fetching them returns a copy."""
    persistent = set(feed_slots)
    for step in steps:
        op = step.op
        if len(step.ops) == 1 and (op.type in ("Const", "VariableV2") or
                                   getattr(step.kernel, "is_constant", False) or
                                   op.op_def.stateful or
                                   (op.op_def.aliases_input and
                                    any(s in persistent for s in step.inputs))):
            persistent.update(step.outputs)
    return persistent


def _returns_sequence(op: Operation) -> bool:
    """Whether the op's kernels return a sequence of outputs (a list-valued or several output
    arguments), so that a one-output instance (``unstack`` of length 1) must be unpacked."""
    op_def = getattr(op, "_op_def", None)
    if op_def is None:
        return False
    args = op_def.outputs
    return len(args) > 1 or any(a.number_attr is not None or a.type_list_attr is not None
                                for a in args)


def _single_of_list(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """Adapts a kernel returning a one-element sequence to the one-output step protocol."""
    def first(*args: Any) -> Any:
        return kernel(*args)[0]
    first.__wrapped__ = kernel  # type: ignore[attr-defined]
    return first


def build_plan(fetches: list[Tensor], targets: list[Operation], feeds: list[Tensor],
               state: Any, config: Any, graph_version: int,
               logged_placements: set[str] | None = None,
               rewrite_context: dict[str, Any] | None = None) -> ExecutionPlan:
    """Prunes, places, creates kernels, rewrites, and compiles a plan."""
    fed = {id(t) for t in feeds}
    ops = prune(fetches, targets, fed)
    placement = place_ops(ops, config, logged_placements)
    slot_of: dict[int, int] = {}
    n = 0
    feed_slots = []
    for t in feeds:
        slot_of[id(t)] = n
        feed_slots.append(n)
        n += 1
    steps: list[Step] = []
    for op in ops:
        flags = ref_input_flags(op)
        ins = [slot_of[id(t)] for t, is_ref in zip(op._inputs, flags) if not is_ref]
        outs = []
        for t in op._outputs:
            if id(t) in fed:
                outs.append(n)  # computed but superseded by the feed
            else:
                slot_of[id(t)] = n
                outs.append(n)
            n += 1
        device = placement[id(op)]
        dtype = device.rsplit("/device:", 1)[-1].split(":")[0]
        kernel = kernel_for(op, dtype, state)
        kernel_device = dtype.upper()
        if kernel is None:  # placed on a device whose kernel declined: run the reference
            kernel, kernel_device = kernel_for(op, "CPU", state), "CPU"
        if len(outs) == 1 and _returns_sequence(op):
            kernel = _single_of_list(kernel)
        steps.append(Step([op], kernel, ins, outs, device,  # type: ignore[arg-type]
                          kernel_device=kernel_device))
    ctx = dict(rewrite_context or {})
    ctx.update({"state": state, "config": config, "fetch_slots": [slot_of[id(t)] for t in fetches],
                "feed_slots": feed_slots, "next_slot": n, "target_ops": list(targets)})
    import minitf.runtime.rewrites  # noqa: F401 - registers folding, CSE, fusion (first plan)

    for _, _, rewrite in _REWRITES:
        steps = rewrite(steps, ctx)
    n = ctx["next_slot"]
    fetch_slots = [slot_of[id(t)] for t in fetches]
    steps, fetch_slots, n = _insert_device_copies(steps, feed_slots, fetch_slots, n)
    persistent = _alias_sources(steps, feed_slots)
    plan = ExecutionPlan(steps, feed_slots, fetch_slots, [s in persistent for s in fetch_slots],
                         n, graph_version, ops)
    _link_dependencies(plan, ctx.get("skipped_ops"))
    plan.blas_limiter = _blas_limiter(steps)
    if len(steps) <= _MAX_GENERATED_STEPS:
        _compile(plan)
    return plan


COPY_LABEL = "_DeviceCopy"


def _insert_device_copies(steps: list[Step], feed_slots: list[int], fetch_slots: list[int],
                          n: int) -> tuple[list[Step], list[int], int]:
    """Adds a copy step wherever a kernel reads a value that lives in another device's memory
    (feeds and fetched values live on the host), using the copies registered with
    ``register_device_copy``; each value is copied once per destination."""
    from minitf.kernels.registry import device_copy

    where: dict[int, str] = {s: "CPU" for s in feed_slots}
    maker: dict[int, Step] = {}
    copied: dict[tuple[int, str], int] = {}
    out: list[Step] = []

    def moved(slot: int, dst: str, reader: Step) -> int:
        nonlocal n
        src = where.get(slot, "CPU")
        fn = device_copy(src, dst)
        if fn is None:
            return slot
        if (slot, dst) not in copied:
            source = maker.get(slot, reader)
            out.append(Step([source.op], fn, [slot], [n], source.device,
                            label=f"{COPY_LABEL}:{src}->{dst}", kernel_device=dst))
            where[n] = dst
            copied[(slot, dst)] = n
            n += 1
        return copied[(slot, dst)]

    for step in steps:
        if any(where.get(s, "CPU") != step.kernel_device for s in step.inputs):
            step.inputs = [moved(s, step.kernel_device, step) for s in step.inputs]
        out.append(step)
        for s in step.outputs:
            where[s] = step.kernel_device
            maker[s] = step
    if any(where.get(s, "CPU") != "CPU" for s in fetch_slots):
        fetch_slots = [moved(s, "CPU", maker[s]) if s in maker else s for s in fetch_slots]
    return out, fetch_slots, n


def _blas_limiter(steps: list[Step]) -> Any:
    """The BLAS thread limiter when a step calls BLAS (matmul, convolutions, linear algebra)."""
    from minitf.kernels.cpu.parallel import BLAS_OP_TYPES, blas_limiter

    for step in steps:
        if getattr(step.kernel, "uses_blas", False) or any(op.type in BLAS_OP_TYPES
                                                            for op in step.ops):
            return blas_limiter
    return None


def _link_dependencies(plan: ExecutionPlan, skipped: set[int] | None = None) -> None:
    """Predecessor counts and successor lists of steps (data and control edges). A step a
    rewrite emptied (its op in ``skipped``: its value is never read) still waits for the
    producers of its op's data inputs."""
    producer: dict[int, int] = {}
    step_of_op: dict[int, int] = {}
    for i, step in enumerate(plan.steps):
        for s in step.outputs:
            producer[s] = i
        if step.label.startswith(COPY_LABEL):
            continue  # control edges attach to the op's own step, not to its copies
        for op in step.ops:
            step_of_op[id(op)] = i
    skipped = skipped or set()
    succ: list[set[int]] = [set() for _ in plan.steps]
    for i, step in enumerate(plan.steps):
        for s in step.inputs:
            p = producer.get(s)
            if p is not None and p != i:
                succ[p].add(i)
        for op in step.ops:
            for c in op._control_inputs:
                p = step_of_op.get(id(c))
                if p is not None and p != i:
                    succ[p].add(i)
            if id(op) in skipped:
                for t in op._inputs:
                    p = step_of_op.get(id(t._op))
                    if p is not None and p != i:
                        succ[p].add(i)
    plan.successors = [sorted(s) for s in succ]
    preds = [0] * len(plan.steps)
    for s in plan.successors:
        for j in s:
            preds[j] += 1
    plan.num_preds = preds


def _compile(plan: ExecutionPlan) -> None:
    """Generates the straight-line function for sequential execution."""
    last_use: dict[int, int] = {}
    for i, step in enumerate(plan.steps):
        for s in step.inputs:
            last_use[s] = i
    keep = set(plan.fetch_slots)
    lines = ["def _run(_feeds):"]
    if plan.feed_slots:
        names = ", ".join(f"v{s}" for s in plan.feed_slots)
        lines.append(f"    {names}, = _feeds")
        for s in plan.feed_slots:
            if s not in last_use and s not in keep:
                lines.append(f"    del v{s}")
    namespace: dict[str, Any] = {}
    line_to_step: dict[int, int] = {}
    for i, step in enumerate(plan.steps):
        namespace[f"k{i}"] = step.kernel
        args = ", ".join(f"v{s}" for s in step.inputs)
        used = [s in last_use or s in keep for s in step.outputs]
        if not step.outputs:
            line = f"    k{i}({args})"
        elif len(step.outputs) == 1:
            line = f"    v{step.outputs[0]} = k{i}({args})" if used[0] else f"    k{i}({args})"
        else:
            targets = ", ".join(f"v{s}" if u else "_" for s, u in zip(step.outputs, used))
            line = f"    {targets} = k{i}({args})"
        lines.append(line)
        line_to_step[len(lines)] = i
        dead = [s for s in set(step.inputs) if last_use.get(s) == i and s not in keep]
        if dead:
            lines.append("    del " + ", ".join(f"v{s}" for s in sorted(dead)))
    lines.append("    return [" + ", ".join(f"v{s}" for s in plan.fetch_slots) + "]")
    src = "\n".join(lines) + "\n"
    code = compile(src, "<minitf-plan>", "exec")
    exec(code, namespace)  # noqa: S102 - our own generated source, never user data
    plan.run_fn = namespace["_run"]
    plan.line_to_step = line_to_step
