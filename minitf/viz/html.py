"""The interactive viewer: one self-contained HTML file (inline CSS, JavaScript and the graph as
JSON; no network). The page lays out and draws the graph as SVG itself; click a scope to
expand or collapse it, click a node for its details, search by name, zoom with the wheel and
pan by dragging."""

from __future__ import annotations

import html as html_lib
import json
from typing import Any

from minitf.viz.hierarchy import GroupNode, Hierarchy, OpNode
from minitf.viz.scene import RenderCache, edge_label
from minitf.viz.style import COLOR_MODES, Palette, format_micros

__all__ = ["graph_payload", "html_document", "attr_text"]

MAX_ATTR_CHARS = 240


def attr_text(value: Any) -> str:
    """A short readable form of an AttrValue message."""
    from minitf.framework.proto import DataType

    which = value.WhichOneof("value")
    if which == "type":
        return _dtype_name(DataType, value.type)
    if which == "shape":
        return _shape_text(value.shape)
    if which == "s":
        raw = value.s
        try:
            return json.dumps(raw.decode("utf-8"))[:MAX_ATTR_CHARS]
        except UnicodeDecodeError:
            return repr(raw)[:MAX_ATTR_CHARS]
    if which in ("i", "f", "b"):
        return str(getattr(value, which)).lower() if which == "b" else str(getattr(value, which))
    if which == "tensor":
        return _tensor_text(value.tensor)
    if which == "list":
        lst = value.list
        if lst.type:
            return "[" + ", ".join(_dtype_name(DataType, t) for t in lst.type) + "]"
        if lst.shape:
            return "[" + ", ".join(_shape_text(s) for s in lst.shape) + "]"
        for f in ("i", "f", "b", "s"):
            items = list(getattr(lst, f))
            if items:
                text = "[" + ", ".join(
                    json.dumps(x.decode("utf-8", "replace")) if isinstance(x, bytes) else str(x)
                    for x in items) + "]"
                return text[:MAX_ATTR_CHARS]
        return "[]"
    if which == "func":
        return value.func.name
    if which == "placeholder":
        return f"${value.placeholder}"
    return ""


def _dtype_name(enum: Any, value: int) -> str:
    try:
        from minitf.framework import dtypes

        return dtypes.as_dtype(int(value)).name
    except (TypeError, ValueError, KeyError):
        return enum.Name(value) if hasattr(enum, "Name") else str(value)


def _shape_text(shape: Any) -> str:
    if shape.unknown_rank:
        return "<unknown>"
    return "[" + ",".join("?" if d.size < 0 else str(d.size) for d in shape.dim) + "]"


def _tensor_text(tensor: Any) -> str:
    from minitf.framework.proto import make_ndarray

    dims = [d.size for d in tensor.tensor_shape.dim]
    count = 1
    for d in dims:
        count *= max(d, 0)
    if count > 8:  # describe big constants without decoding them
        return f"<{_dtype_name(None, tensor.dtype)} tensor of shape {dims}>"
    try:
        arr = make_ndarray(tensor)
    except (TypeError, ValueError):
        return "<tensor>"
    if arr.size <= 8:
        vals = arr.tolist()
        text = json.dumps(vals, default=lambda b: b.decode("utf-8", "replace")
                          if isinstance(b, bytes) else str(b))
    else:
        text = f"<{arr.dtype} tensor of shape {list(arr.shape)}>"
    return text[:MAX_ATTR_CHARS]


def _shapes(node: OpNode) -> list[Any]:
    return [None if s is None else s for s in (node.output_shapes or [])]


def graph_payload(h: Hierarchy, cache: RenderCache, palette: Palette, expanded: set[str],
                  color: str = "structure", title: str = "", rankdir: str = "BT",
                  edge_labels: bool = True) -> dict[str, Any]:
    """Everything the viewer needs, as JSON-able data: nodes (groups, ops and embeddings with
    their details), per-group render information and the base edges."""
    names: list[str] = []
    index: dict[str, int] = {}

    def add(name: str) -> int:
        if name not in index:
            index[name] = len(names)
            names.append(name)
        return index[name]

    order: list[Any] = []
    stack: list[Any] = [h.root]
    while stack:
        node = stack.pop()
        order.append(node)
        add(node.name)
        if isinstance(node, GroupNode):
            stack.extend(reversed(node.children()))
        else:
            for emb in node.in_embeddings + node.out_embeddings:
                if emb.name not in index:
                    add(emb.name)
                    order.append(emb)
    times = palette.times
    modes = [m for m in COLOR_MODES if m != "compute" or times]
    nodes: list[dict[str, Any]] = []
    for node in order:
        entry: dict[str, Any] = {"n": node.name, "l": node.display_name,
                                 "p": -1 if node.parent is None else index[node.parent.name]}
        if isinstance(node, GroupNode):
            entry["k"] = node.kind
            entry["c"] = node.cardinality
            entry["ch"] = [index[c.name] for c in node.children()]
            entry["hist"] = node.op_histogram.most_common(12)
            entry["dev"] = node.device_histogram.most_common(6)
            if node.kind == "series":
                entry["op"] = node.series_op
        else:
            entry["k"] = ("const" if node.embedded and node.parent is not None and
                          node in getattr(node.parent, "in_embeddings", ()) else
                          "summary" if node.embedded else "op")
            entry["op"] = node.op
            entry["d"] = node.device
            entry["in"] = [("^" if i.control else "") + i.name +
                           ("" if i.output_key == "0" else ":" + i.output_key)
                           for i in node.inputs]
            entry["at"] = {k: attr_text(v) for k, v in sorted(node.attrs.items())}
            entry["sh"] = _shapes(node)
        if not (isinstance(node, OpNode) and node.embedded):
            entry["f"] = {m: [[c, round(p, 4)] for c, p in palette.fill(node, m)] for m in modes}
            entry["fx"] = palette.fill(node, "structure", expanded=True)[0][0] \
                if isinstance(node, GroupNode) else None
        if node.name in times:
            entry["t"] = round(times[node.name], 1)
            entry["tt"] = format_micros(times[node.name])
        nodes.append(entry)

    base_index: dict[int, int] = {}
    base: list[list[Any]] = []
    renders: dict[str, Any] = {}
    for node in order:
        if not isinstance(node, GroupNode):
            continue
        r = cache.get(node)
        edges = []
        for me in r.core_edges():
            ids = []
            for e in me.base_edges:
                k = id(e)
                if k not in base_index:
                    base_index[k] = len(base)
                    label = edge_label(h, [e]) if edge_labels else None
                    base.append([index[e.v], index[e.w], label,
                                 (1 if e.control else 0) | (2 if e.ref else 0)])
                ids.append(base_index[k])
            edges.append([index[me.v], index[me.w], ids])
        ann = {}
        for name in set(r.in_annotations) | set(r.out_annotations):
            ann[str(index[name])] = [
                [[a.kind, a.label, a.node, 1 if a.control else 0] for a in
                 r.in_annotations.get(name, [])],
                [[a.kind, a.label, a.node, 1 if a.control else 0] for a in
                 r.out_annotations.get(name, [])]]
        renders[str(index[node.name])] = {
            "core": [index[n] for n in r.core.nodes],
            "aux": [index[n] for n in r.aux],
            "why": {str(index[n]): why for n, why in r.extract_reason.items()},
            "edges": edges, "ann": ann}
    legend: dict[str, Any] = {
        "device": [[d, palette.device_color(d)] for d in sorted(h.devices)],
        "type": sorted([t, c] for t, c in palette.types.items()),
    }
    if times:
        legend["compute"] = [format_micros(0), format_micros(palette.max_time)]
    return {"title": title, "rankdir": rankdir, "nodes": nodes, "renders": renders,
            "base": base, "expanded": sorted(index[g] for g in expanded if g in index),
            "modes": modes, "color": color if color in modes else "structure",
            "legend": legend, "counts": {"ops": len(h.ops), "groups": len(h.groups()) - 1}}


def html_document(payload: dict[str, Any]) -> str:
    """The self-contained page."""
    from minitf.viz._viewer_assets import VIEWER_CSS, VIEWER_JS

    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    data = data.replace("</", "<\\/").replace("<!--", "<\\!--")
    title = html_lib.escape(payload.get("title") or "minitf graph")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{VIEWER_CSS}</style>
</head>
<body>
<div id="toolbar">
  <span id="title">{title}</span>
  <input id="search" type="search" placeholder="Search nodes by name" autocomplete="off">
  <div id="results"></div>
  <label>Color <select id="color"></select></label>
  <button id="fit" title="Fit to window">Fit</button>
  <button id="zoomin" title="Zoom in">+</button>
  <button id="zoomout" title="Zoom out">&minus;</button>
  <button id="collapse" title="Collapse every scope">Collapse all</button>
</div>
<div id="main">
  <svg id="canvas" xmlns="http://www.w3.org/2000/svg"><g id="viewport"></g></svg>
  <div id="side"><div id="details"><p class="hint">Click a scope to open or close it;
  click a node for its details. Wheel to zoom, drag to pan.</p></div>
  <div id="legend"></div></div>
</div>
<script type="application/json" id="graph-data">{data}</script>
<script>{VIEWER_JS}</script>
</body>
</html>
"""
