"""Filling ``RunMetadata.step_stats`` from a traced run (one NodeExecStats per executed op)."""

from __future__ import annotations

from typing import Any

from minitf.runtime.executor import StepTiming

__all__ = ["fill_step_stats"]


def _label(op: Any) -> str:
    return f"{op.name} = {op.type}({', '.join(t.op.name for t in op.inputs)})"


def fill_step_stats(run_metadata: Any, timings: list[StepTiming]) -> None:
    """Appends per-op timings to ``run_metadata.step_stats``, grouped by device.

    A fused step (several graph ops in one kernel) reports each of its ops with an equal share
    of the step's time, labelled as fused.
    """
    step_stats = run_metadata.step_stats
    by_device: dict[str, Any] = {d.device: d for d in step_stats.dev_stats}
    for t in timings:
        step = t.step
        if not step.ops:
            continue
        dev = by_device.get(step.device)
        if dev is None:
            dev = by_device[step.device] = step_stats.dev_stats.add(device=step.device)
        total = max(t.end_us - t.start_us, 0.0)
        share = total / len(step.ops)
        for k, op in enumerate(step.ops):
            start = t.start_us + k * share
            ns = dev.node_stats.add()
            ns.node_name = op.name
            ns.all_start_micros = int(start)
            ns.all_start_nanos = int(start * 1000)
            ns.op_start_rel_micros = 0
            ns.op_end_rel_micros = int(round(share))
            ns.all_end_rel_micros = int(round(share))
            ns.op_end_rel_nanos = int(share * 1000)
            ns.all_end_rel_nanos = int(share * 1000)
            ns.thread_id = t.thread_id & 0xFFFFFFFF
            label = _label(op)
            if len(step.ops) > 1:
                label += f" [fused into {step.type}]"
            ns.timeline_label = label
            for i, out in enumerate(op.outputs):
                o = ns.output.add(slot=i)
                o.tensor_description.dtype = out.dtype.base_dtype.as_datatype_enum
                dims = out.get_shape().as_tuple()
                if dims is None:
                    o.tensor_description.shape.unknown_rank = True
                else:
                    o.tensor_description.shape.SetInParent()
                    for d in dims:
                        o.tensor_description.shape.dim.add(size=-1 if d is None else d)
