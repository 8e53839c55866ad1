"""Node colours, as TensorBoard picks them: by structure (metanodes of one template share a
hue), by device, by op type, or by compute time (from a traced run's step stats)."""

from __future__ import annotations

import colorsys
import functools
import math
from collections import Counter
from typing import Any

from minitf.viz.hierarchy import GroupNode, Hierarchy, OpNode

__all__ = ["COLOR_MODES", "Palette", "compute_times", "format_micros"]

COLOR_MODES = ("structure", "device", "type", "compute")
OP_FILL, OP_STROKE = "#ffffff", "#b2b2b2"
META_FILL, META_STROKE = "#d9d9d9", "#a6a6a6"
EXPANDED_FILL = "#f0f0f0"
UNKNOWN = "#eeeeee"
HUES = (220, 100, 180, 40, 20, 340, 260, 300, 140, 60)
COMPUTE_RANGE = ("#fff5f0", "#fb6a4a")
MAX_STRIPES = 6


@functools.lru_cache(maxsize=1024)
def _hsl(h: float, s: float, lightness: float) -> str:
    r, g, b = colorsys.hls_to_rgb((h % 360) / 360.0, lightness, s)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


@functools.lru_cache(maxsize=256)
def structure_color(index: int, expanded: bool = False) -> str:
    """TensorBoard's STRUCTURE_PALETTE."""
    hue = HUES[index % len(HUES)]
    sat = 30 if expanded else 90 - 60 * math.sin(hue * math.pi / 360)
    return _hsl(hue, sat / 100, (95 if expanded else 80) / 100)


def _golden_hue(i: int) -> float:
    return 1 + (358 * 1.61803398875 * i) % 358


def _mix(a: str, b: str, t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    ca = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb))


def format_micros(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.2f} s"
    if us >= 1e3:
        return f"{us / 1e3:.1f} ms"
    return f"{us:.0f} µs"


def compute_times(h: Hierarchy, run_metadata: Any) -> dict[str, float]:
    """Microseconds per node name (ops, and groups summing their ops) from
    ``run_metadata.step_stats``, as TensorBoard's joinAndAggregateStats does."""
    times: dict[str, float] = {}
    if run_metadata is None:
        return times
    for dev in run_metadata.step_stats.dev_stats:
        for ns in dev.node_stats:
            node = h.by_graph_name(ns.node_name)
            if not isinstance(node, OpNode) or node.embedded:
                continue
            micros = ns.all_end_rel_micros
            if not micros and ns.all_end_rel_nanos:
                micros = ns.all_end_rel_nanos / 1000.0
            times[node.name] = times.get(node.name, 0.0) + float(micros)
    for name, us in list(times.items()):
        parent = h.index[name].parent
        while parent is not None:
            times[parent.name] = times.get(parent.name, 0.0) + us
            parent = parent.parent
    return times


class Palette:
    """Fills for every node in every colour mode; a fill is a list of (colour, share) stripes."""

    def __init__(self, h: Hierarchy, times: dict[str, float] | None = None) -> None:
        self.h = h
        self.times = times or {}
        self.devices = {d: i for i, d in enumerate(sorted(h.devices))}
        types = sorted({n.op for n in h.ops.values()})
        self.types = {t: _hsl(_golden_hue(i), 0.55, 0.82) for i, t in enumerate(types)}
        tids = sorted({g.template_id for g in h.groups() if g.template_id})
        self.templates = {t: i for i, t in enumerate(tids)}
        op_times = [us for n, us in self.times.items() if isinstance(h.index.get(n), OpNode)]
        self.max_time = max(op_times) if op_times else 0.0

    def device_color(self, device: str) -> str:
        i = self.devices.get(device)
        return UNKNOWN if i is None else structure_color(i)

    def stroke(self, node: Any) -> str:
        return META_STROKE if isinstance(node, GroupNode) and node.kind == "meta" else OP_STROKE

    def fill(self, node: Any, mode: str, expanded: bool = False) -> list[tuple[str, float]]:
        if expanded and mode != "structure":
            return [(EXPANDED_FILL, 1.0)]
        if mode == "device":
            return self._histogram_fill(node, node.device_histogram if node.is_group else
                                        Counter({node.device: 1}) if node.device else Counter(),
                                        self.device_color)
        if mode == "type":
            hist = node.op_histogram if node.is_group else Counter({node.op: 1})
            return self._histogram_fill(node, hist, lambda t: self.types.get(t, UNKNOWN))
        if mode == "compute":
            us = self.times.get(node.name)
            if us is None:
                return [(EXPANDED_FILL if expanded else OP_FILL, 1.0)]
            t = us / self.max_time if self.max_time else 0.0
            return [(_mix(*COMPUTE_RANGE, t), 1.0)]
        if isinstance(node, GroupNode):
            if node.kind == "series":
                return [(EXPANDED_FILL if expanded else OP_FILL, 1.0)]
            if node.template_id is not None:
                return [(structure_color(self.templates[node.template_id], expanded), 1.0)]
            if expanded:
                return [(EXPANDED_FILL, 1.0)]
            if node.template_id is not None:
                return [(structure_color(self.templates[node.template_id]), 1.0)]
            return [(META_FILL, 1.0)]
        return [(OP_FILL, 1.0)]

    def _histogram_fill(self, node: Any, hist: Counter[str], color: Any
                        ) -> list[tuple[str, float]]:
        total = sum(hist.values())
        if not total:
            return [(UNKNOWN, 1.0)]
        top = hist.most_common(MAX_STRIPES)
        stripes = [(color(k), v / total) for k, v in top]
        rest = total - sum(v for _, v in top)
        if rest:
            stripes.append((UNKNOWN, rest / total))
        return stripes
