"""A scene as Graphviz DOT (with the ``graphviz`` package) and its SVG/PNG/PDF rendering by
``dot``. Expanded groups are clusters, auxiliary nodes sit in a dashed "Auxiliary nodes"
cluster of their group, annotations are small labels kept on their node's rank (constants on
the left, summaries and shortcuts on the right). SVG elements carry ids (``node:NAME``,
``cluster:NAME``, ``edge:SRC->DST``, ``ann:...``) and classes (``op``, ``meta``, ``series``,
``aux``, ``annotation const`` ...), so the picture can be inspected programmatically."""

from __future__ import annotations

import html
import math
import shutil
from typing import Any

from minitf.viz.hierarchy import Hierarchy
from minitf.viz.scene import Scene, SceneNode
from minitf.viz.style import META_STROKE, OP_STROKE, Palette, format_micros

__all__ = ["scene_to_dot", "render_dot", "GraphvizMissingError", "DOT_INSTALL_HINT",
           "dot_available"]

DOT_INSTALL_HINT = ("Graphviz's 'dot' program is needed to render SVG/PNG/PDF: install "
                    "Graphviz (apt-get install graphviz, brew install graphviz, conda install "
                    "graphviz) or write .dot or .html instead")
FONT = "Helvetica"


class GraphvizMissingError(RuntimeError):
    """Graphviz's ``dot`` executable is not installed."""


def dot_available() -> bool:
    return shutil.which("dot") is not None


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _fill_attrs(stripes: list[tuple[str, float]], shape: str) -> dict[str, str]:
    if len(stripes) == 1:
        return {"fillcolor": stripes[0][0]}
    spec = ":".join(f"{c};{max(p, 0.001):.3f}" for c, p in stripes)
    return {"fillcolor": spec, "style_extra": "wedged" if shape == "ellipse" else "striped"}


def _node_label(n: SceneNode, h: Hierarchy, times: dict[str, float], mode: str) -> str:
    node = h.index[n.name]
    parts = [f"<B>{_esc(n.label)}</B>" if n.kind != "op" else _esc(n.label)]
    if n.kind == "meta":
        parts.append(f'<FONT POINT-SIZE="8">{n.count} op{"s" if n.count != 1 else ""}</FONT>')
    elif n.kind == "series":
        parts.append(f'<FONT POINT-SIZE="8">{n.count} × {_esc(node.series_op)}</FONT>')
    if mode == "compute" and n.name in times:
        parts.append(f'<FONT POINT-SIZE="8">{format_micros(times[n.name])}</FONT>')
    return "<" + "<BR/>".join(parts) + ">"


def _tooltip(name: str, h: Hierarchy, times: dict[str, float]) -> str:
    node = h.index[name]
    lines = [name]
    if node.is_group:
        ops = node.cardinality
        lines.append(f"{'name scope' if node.kind == 'meta' else 'series'}: {ops} "
                     f"op{'s' if ops != 1 else ''}")
        lines.extend(f"  {op}: {c}" for op, c in node.op_histogram.most_common(8))
    else:
        lines.append(f"op: {node.op}")
        if node.device:
            lines.append(f"device: {node.device}")
        if node.output_shapes:
            lines.append("shapes: " + ", ".join(
                "?" if s is None else "[" + ",".join("?" if d < 0 else str(d) for d in s) + "]"
                for s in node.output_shapes))
    if name in times:
        lines.append(f"compute time: {format_micros(times[name])}")
    return "\n".join(lines)


def scene_to_dot(scene: Scene, h: Hierarchy, palette: Palette, color: str = "structure",
                 rankdir: str = "BT", edge_labels: bool = True, title: str | None = None) -> Any:
    """The ``graphviz.Digraph`` of a scene."""
    import graphviz

    times = palette.times
    dot = graphviz.Digraph("minitf", engine="dot")
    dot.attr(rankdir=rankdir, compound="true", newrank="true", fontname=FONT, fontsize="11",
             nodesep="0.3", ranksep="0.4", bgcolor="white", pad="0.2")
    if title:
        dot.attr(label=title, labelloc="t", fontsize="13")
    dot.attr("node", fontname=FONT, fontsize="10", penwidth="1")
    dot.attr("edge", fontname=FONT, fontsize="8", color="#888888", arrowsize="0.6")
    ids: dict[str, str] = {}
    for i, name in enumerate(list(scene.nodes) + list(scene.clusters)):
        ids[name] = f"n{i}"

    children: dict[str, list[str]] = {}
    for name, c in scene.clusters.items():
        children.setdefault(c.parent or "", []).append(name)
    members: dict[str, list[str]] = {}
    for name, n in scene.nodes.items():
        members.setdefault(n.cluster or "", []).append(name)

    def emit_node(g: Any, n: SceneNode) -> None:
        node = h.index[n.name]
        shape = "ellipse" if n.kind == "op" else "box"
        stripes = palette.fill(node, color)
        fill = _fill_attrs(stripes, shape)
        style = ["filled"] + ([] if n.kind == "op" or "style_extra" in fill else ["rounded"])
        if "style_extra" in fill:
            style.append(fill.pop("style_extra"))
        cls = [n.kind] + (["aux"] if n.aux else [])
        attrs = {"shape": shape, "style": ",".join(style), "color": palette.stroke(node),
                 "id": f"node:{n.name}", "class": " ".join(cls),
                 "tooltip": _tooltip(n.name, h, times), "margin": "0.08,0.03"}
        if n.kind == "op":
            attrs["height"] = "0.3"
        if n.kind == "series":
            attrs["peripheries"] = "2"
        attrs.update(fill)
        g.node(ids[n.name], _node_label(n, h, times, color), **attrs)
        ann_in = [a for a in n.in_annotations]
        ann_out = [a for a in n.out_annotations]
        if not ann_in and not ann_out:
            return
        with g.subgraph() as same:
            same.attr(rank="same")
            same.node(ids[n.name])
            for side, anns in (("in", ann_in), ("out", ann_out)):
                for k, a in enumerate(anns):
                    aid = f"{ids[n.name]}_{side}{k}"
                    label = a.label
                    same.node(aid, _esc(label), shape="plaintext", fontsize="8",
                              fontcolor="#555555" if a.kind != "ellipsis" else "#999999",
                              height="0.15", margin="0.02,0.0",
                              id=f"ann:{n.name}:{side}:{k}",
                              **{"class": f"annotation {a.kind}",
                                 "tooltip": f"{a.kind}: {a.node or a.label}"})
                    style = "dashed" if a.control else "dotted"
                    if side == "in":
                        same.edge(aid, ids[n.name], style=style, arrowhead="none",
                                  color="#bbbbbb", **{"class": "annotation-edge"})
                    else:
                        same.edge(ids[n.name], aid, style=style, arrowhead="none",
                                  color="#bbbbbb", **{"class": "annotation-edge"})

    counter = [0]
    labelloc = "b" if rankdir == "BT" else "t"  # dot flips cluster labels with BT

    def emit_group(g: Any, group: str) -> None:
        aux_nodes = [m for m in members.get(group, []) if scene.nodes[m].aux]
        aux_clusters = [c for c in children.get(group, []) if scene.clusters[c].aux and
                        scene.clusters[c].parent == group and _is_direct_aux(scene, c, group)]
        for m in members.get(group, []):
            if not scene.nodes[m].aux:
                emit_node(g, scene.nodes[m])
        for c in children.get(group, []):
            if c not in aux_clusters:
                emit_cluster(g, c)
        if aux_nodes or aux_clusters:
            counter[0] += 1
            with g.subgraph(name=f"cluster_aux{counter[0]}") as sub:
                sub.attr(label="Auxiliary nodes", style="dashed,rounded", color="#bbbbbb",
                         labelloc=labelloc,
                         fontsize="9", fontcolor="#777777", id=f"aux:{group}",
                         **{"class": "aux-area"})
                for m in aux_nodes:
                    emit_node(sub, scene.nodes[m])
                for c in aux_clusters:
                    emit_cluster(sub, c)
                for a, b in zip(aux_nodes, aux_nodes[1:]):
                    sub.edge(ids[a], ids[b], style="invis")

    def emit_cluster(g: Any, name: str) -> None:
        c = scene.clusters[name]
        node = h.index[name]
        with g.subgraph(name=f"cluster_{ids[name]}") as sub:
            fill = palette.fill(node, color, expanded=True)[0][0]
            ops = f"{c.count} op{'s' if c.count != 1 else ''}"
            label = f"<<B>{_esc(c.label)}</B>  <FONT POINT-SIZE=\"8\">{ops}</FONT>>"
            sub.attr(label=label, style="rounded,filled", fillcolor=fill,
                     color=META_STROKE if c.kind == "meta" else OP_STROKE,
                     id=f"cluster:{name}", labeljust="l", labelloc=labelloc,
                     **{"class": c.kind + (" aux" if c.aux else ""),
                        "tooltip": _tooltip(name, h, times)})
            emit_group(sub, name)

    emit_group(dot, "")
    for e in scene.edges:
        attrs = {"id": f"edge:{e.src}->{e.dst}",
                 "class": ("control" if e.control else "data") + (" ref" if e.ref else "")}
        if e.control:
            attrs["style"] = "dashed"
        if e.ref:
            attrs["color"] = "#e07020"
        if e.count > 1:
            attrs["penwidth"] = f"{min(1 + math.log2(e.count), 4):.2f}"
        if edge_labels and e.label:
            attrs["label"] = e.label
        dot.edge(ids[e.src], ids[e.dst], **attrs)
    return dot


def _is_direct_aux(scene: Scene, cluster: str, group: str) -> bool:
    # a cluster is an auxiliary child of ``group`` when its parent group is not itself aux
    parent = scene.clusters.get(group)
    return parent is None or not parent.aux


def render_dot(dot: Any, fmt: str) -> bytes:
    """Runs Graphviz's ``dot`` to produce ``svg``, ``png`` or ``pdf`` bytes."""
    import graphviz

    if not dot_available():
        raise GraphvizMissingError(DOT_INSTALL_HINT)
    try:
        return dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissingError(DOT_INSTALL_HINT) from None
