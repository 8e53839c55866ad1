"""Chrome trace export of step stats (like ``tensorflow.python.client.timeline``).

    tl = timeline.Timeline(run_metadata.step_stats)
    open("timeline.json", "w").write(tl.generate_chrome_trace_format())

Open the file in chrome://tracing or https://ui.perfetto.dev.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["Timeline"]


class Timeline:
    """Builds a Chrome trace (Trace Event Format) from a StepStats message."""

    def __init__(self, step_stats: Any, graph: Any = None) -> None:
        self._step_stats = step_stats
        self._graph = graph

    def _events(self, show_dataflow: bool) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        producers: dict[str, tuple[int, int, float]] = {}
        for pid, dev in enumerate(self._step_stats.dev_stats):
            events.append({"name": "process_name", "ph": "M", "pid": pid,
                           "args": {"name": f"{dev.device} Compute"}})
            for ns in dev.node_stats:
                label = ns.timeline_label or ns.node_name
                op_type = label.split(" = ", 1)[1].split("(", 1)[0] if " = " in label \
                    else ns.node_name
                tid = ns.thread_id
                start = ns.all_start_micros
                dur = max(ns.all_end_rel_micros, 0)
                inputs = []
                if "(" in label and label.endswith(")"):
                    inputs = [s for s in label[label.index("(") + 1:-1].split(", ") if s]
                events.append({"name": op_type, "cat": "Op", "ph": "X", "pid": pid,
                               "tid": tid, "ts": start, "dur": dur,
                               "args": {"name": ns.node_name, "op": op_type,
                                        **{f"input{i}": n for i, n in enumerate(inputs)}}})
                producers[ns.node_name] = (pid, tid, start + dur)
                if show_dataflow:
                    for src in inputs:
                        if src in producers:
                            spid, stid, sts = producers[src]
                            flow_id = len(events)
                            events.append({"name": src, "cat": "DataFlow", "ph": "s",
                                           "pid": spid, "tid": stid, "ts": sts, "id": flow_id})
                            events.append({"name": src, "cat": "DataFlow", "ph": "t",
                                           "pid": pid, "tid": tid, "ts": start, "id": flow_id})
        return events

    def generate_chrome_trace_format(self, show_dataflow: bool = True,
                                     show_memory: bool = False) -> str:
        """The trace as a JSON string."""
        return json.dumps({"traceEvents": self._events(show_dataflow)}, indent=None)
