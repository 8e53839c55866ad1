"""What is drawn inside one group (metanode or series), after TensorBoard's render.ts:

* the *core graph*: the group's children and metaedges;
* *auxiliary* children set aside to the right: ``NoOp`` ops (``init``), nodes of unusually
  high in/out degree (``save``), and scopes the user (or our defaults: ``init``, ``save``,
  ``gradients`` at the top level) asks to set aside; their edges become annotations;
* *annotations* on a node's sides: embedded constants (left), summaries (right), and shortcuts
  standing for the edges to auxiliary nodes, at most ``MAX_ANNOTATIONS`` then "N more".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from minitf.viz.hierarchy import GroupNode, Hierarchy, Metaedge, OpNode

__all__ = ["Annotation", "GroupRender", "RenderOptions", "render_group", "DEFAULT_AUX"]

MAX_ANNOTATIONS = 5
MIN_NODE_COUNT_FOR_EXTRACTION = 15
MIN_DEGREE_FOR_EXTRACTION = 5
MAX_CONTROL_DEGREE = 4
OUT_EXTRACT_TYPES = ("NoOp",)
IN_EXTRACT_TYPES: tuple[str, ...] = ()
# Top-level scopes minitf sets aside by default (see docs/notes/summary_viz.md).
DEFAULT_AUX = (r"init(_\d+)?", r"save(_\d+)?", r"gradients(_\d+)?")


@dataclass
class RenderOptions:
    auto_extract: bool = True
    aux: tuple[str, ...] = DEFAULT_AUX  # regexes on full names of nodes to set aside
    keep: tuple[str, ...] = ()  # regexes on full names of nodes to keep in the main graph


@dataclass(eq=False)
class Annotation:
    """A small label on a node's side: ``kind`` is const, summary, shortcut or ellipsis."""

    kind: str
    node: str  # the node it stands for ("" for an ellipsis)
    label: str
    is_in: bool
    control: bool = False
    count: int = 0  # ellipsis: how many more


@dataclass(eq=False)
class GroupRender:
    """Render information of one group."""

    group: GroupNode
    core: nx.DiGraph
    in_extract: list[str] = field(default_factory=list)
    out_extract: list[str] = field(default_factory=list)
    in_annotations: dict[str, list[Annotation]] = field(default_factory=dict)
    out_annotations: dict[str, list[Annotation]] = field(default_factory=dict)
    extract_reason: dict[str, str] = field(default_factory=dict)

    @property
    def aux(self) -> list[str]:
        return self.in_extract + self.out_extract

    def core_edges(self) -> list[Metaedge]:
        return [d["metaedge"] for _, _, d in self.core.edges(data=True)]


def _push(lst: list[Annotation], ann: Annotation) -> None:
    if ann.node and any(a.node == ann.node for a in lst):
        return
    if len(lst) < MAX_ANNOTATIONS:
        lst.append(ann)
        return
    last = lst[-1]
    if last.kind == "ellipsis":
        last.count += 1
        last.label = f"{last.count} more"
        return
    lst.append(Annotation("ellipsis", "", "1 more", ann.is_in, count=1))


def render_group(h: Hierarchy, group: GroupNode, options: RenderOptions | None = None
                 ) -> GroupRender:
    """Builds the render information of ``group`` (TensorBoard's buildSubhierarchy)."""
    options = options or RenderOptions()
    core = nx.DiGraph()
    for name, data in group.metagraph.nodes(data=True):
        core.add_node(name, node=data["node"])
    for v, w, data in group.metagraph.edges(data=True):
        core.add_edge(v, w, metaedge=data["metaedge"])
    r = GroupRender(group, core)
    for name in list(core.nodes):
        node = core.nodes[name]["node"]
        if isinstance(node, OpNode):
            for emb in node.in_embeddings:
                _push(r.in_annotations.setdefault(name, []),
                      Annotation("const", emb.name, emb.display_name, True))
            for emb in node.out_embeddings:
                _push(r.out_annotations.setdefault(name, []),
                      Annotation("summary", emb.name, emb.display_name, False))
    if group.kind == "meta":
        _extract(h, r, options)
    return r


# --- extraction ---------------------------------------------------------------------------------

def _node(r: GroupRender, name: str) -> Any:
    return r.core.nodes[name]["node"]


def _shortcut(r: GroupRender, v: str, w: str) -> None:
    me: Metaedge = r.core.edges[v, w]["metaedge"]
    control = me.num_regular == 0
    _push(r.out_annotations.setdefault(v, []),
          Annotation("shortcut", w, _node(r, w).display_name, False, control))
    _push(r.in_annotations.setdefault(w, []),
          Annotation("shortcut", v, _node(r, v).display_name, True, control))
    r.core.remove_edge(v, w)


def _make_extract(r: GroupRender, n: str, why: str, detach_all: bool, kind: str) -> None:
    """Sets ``n`` aside as a ``kind`` ("in" or "out") extract: its edges on that side (and, with
    ``detach_all``, on the other) become shortcut annotations; once it has no edges left it
    leaves the core graph for ``r.<kind>_extract``."""

    def edges(incoming: bool) -> list[tuple[str, str]]:
        return ([(p, n) for p in r.core.predecessors(n)] if incoming
                else [(n, s) for s in r.core.successors(n)])

    for v, w in edges(kind == "out"):
        _shortcut(r, v, w)
    if detach_all:
        for v, w in edges(kind == "in"):
            _shortcut(r, v, w)
    r.extract_reason[n] = why
    r.core.nodes[n][f"{kind}_extract"] = True
    if not _neighbors(r, n):
        getattr(r, f"{kind}_extract").append(n)
        r.core.remove_node(n)


def _make_out_extract(r: GroupRender, n: str, why: str, detach_all: bool = True) -> None:
    _make_extract(r, n, why, detach_all, "out")


def _make_in_extract(r: GroupRender, n: str, why: str, detach_all: bool = True) -> None:
    _make_extract(r, n, why, detach_all, "in")


def _neighbors(r: GroupRender, n: str) -> set[str]:
    return set(r.core.predecessors(n)) | set(r.core.successors(n))


def _has_type_in(node: Any, types: tuple[str, ...]) -> bool:
    if isinstance(node, OpNode):
        return node.op in types
    if isinstance(node, GroupNode) and node.kind == "meta":
        root_op = node.root_op()
        return root_op is not None and root_op.op in types
    return False


def _matches(patterns: tuple[str, ...], name: str) -> bool:
    return any(re.fullmatch(p, name) for p in patterns)


def _extract(h: Hierarchy, r: GroupRender, options: RenderOptions) -> None:
    g = r.core
    included: set[str] = set()
    # Nodes the user sets aside (TensorBoard's "Remove from main graph"), and our defaults.
    for n in list(g.nodes):
        if _matches(options.keep, n):
            included.add(n)
        elif _matches(options.aux, n):
            if g.out_degree(n) > g.in_degree(n):
                _make_out_extract(r, n, "set aside")
            else:
                _make_in_extract(r, n, "set aside")
    for n in list(g.nodes):
        if n not in included and n in g and _has_type_in(_node(r, n), OUT_EXTRACT_TYPES):
            _make_out_extract(r, n, f"{'/'.join(OUT_EXTRACT_TYPES)} op", detach_all=True)
    for n in list(g.nodes):
        if n not in included and n in g and _has_type_in(_node(r, n), IN_EXTRACT_TYPES):
            _make_in_extract(r, n, "source op")
    if options.auto_extract:
        _extract_high_degree(r, included)
    _remove_control_edges(r)
    # Isolated nodes: extracted ones leave the core graph; so do nodes with annotations on one
    # side only (TensorBoard), unless that would leave the core graph empty (minitf).
    one_sided: list[tuple[str, bool]] = []
    for n in list(g.nodes):
        if n in included or g.degree(n) != 0:
            continue
        data = g.nodes[n]
        has_out = bool(r.out_annotations.get(n))
        has_in = bool(r.in_annotations.get(n))
        if data.get("in_extract"):
            r.in_extract.append(n)
            g.remove_node(n)
        elif data.get("out_extract"):
            r.out_extract.append(n)
            g.remove_node(n)
        elif has_out != has_in:
            one_sided.append((n, has_out))
    if len(one_sided) < g.number_of_nodes():
        for n, is_source in one_sided:
            r.extract_reason.setdefault(n, "isolated")
            (r.in_extract if is_source else r.out_extract).append(n)
            g.remove_node(n)


def _degrees(r: GroupRender, n: str, incoming: bool) -> int:
    g = r.core
    nbrs = list(g.predecessors(n)) if incoming else list(g.successors(n))
    regular = sum(1 for m in nbrs if (g.edges[m, n] if incoming else g.edges[n, m])
                  ["metaedge"].num_regular)
    return regular if regular or not nbrs else len(nbrs)


def _extract_high_degree(r: GroupRender, included: set[str]) -> None:
    g = r.core
    candidates = [n for n in g.nodes if n not in included and n not in r.extract_reason]
    if len(candidates) < MIN_NODE_COUNT_FOR_EXTRACTION:
        return
    indeg = {n: _degrees(r, n, True) for n in candidates}
    outdeg = {n: _degrees(r, n, False) for n in candidates}
    count = len(candidates)
    min_upper = MIN_DEGREE_FOR_EXTRACTION - 1
    q3, q1 = _js_round(count * 0.75), _js_round(count * 0.25)
    by_in = sorted(candidates, key=lambda n: indeg[n])
    upper = max(indeg[by_in[q3]] * 2 - indeg[by_in[q1]], min_upper)
    i = count - 1
    while i >= 0 and indeg[by_in[i]] > upper:
        _make_in_extract(r, by_in[i], "high in-degree")
        i -= 1
    by_out = sorted(candidates, key=lambda n: outdeg[n])
    q3v, q1v = outdeg[by_out[q3]], outdeg[by_out[q1]]
    upper = max(q3v + (q3v - q1v) * 4, min_upper)
    i = count - 1
    while i >= 0 and outdeg[by_out[i]] > upper:
        n = by_out[i]
        i -= 1
        if n not in g or g.nodes[n].get("in_extract"):
            continue
        _make_out_extract(r, n, "high out-degree")


def _js_round(x: float) -> int:
    return int(x + 0.5)


def _remove_control_edges(r: GroupRender) -> None:
    g = r.core
    by_node: dict[str, list[tuple[str, str]]] = {}
    for v, w, data in g.edges(data=True):
        if not data["metaedge"].num_regular:
            by_node.setdefault(v, []).append((v, w))
            by_node.setdefault(w, []).append((v, w))
    for edges in by_node.values():
        if len(edges) > MAX_CONTROL_DEGREE:
            for v, w in edges:
                if g.has_edge(v, w):
                    _shortcut(r, v, w)
