"""The hierarchical graph TensorBoard's graph dashboard draws, built from a GraphDef.

This follows TensorBoard's ``tf_graph_common`` (graph.ts, hierarchy.ts):

* constants (op type matching ``Const``) are *in-embedded* into their consumers and summary ops
  (``^[a-zA-Z]+Summary$``) *out-embedded* into their inputs: they are drawn as small
  annotations, not nodes;
* an op whose name is also a name scope (``a`` and ``a/b``) is renamed ``a/(a)``;
* every name scope becomes a metanode holding its children (ops, metanodes, series);
* ops of one type in one scope named ``prefix<k>`` with consecutive k form a series node
  ``prefix[first-last]`` when there are at least ``series_min_size`` (5) of them;
* each edge of the graph lives, as part of a *metaedge*, in the metagraph of the lowest
  metanode containing both ends.

Metagraphs are ``networkx.DiGraph`` objects; node objects carry the data.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

__all__ = ["OpNode", "GroupNode", "BaseEdge", "Metaedge", "Hierarchy", "build_hierarchy",
           "strict_name", "ROOT"]

ROOT = ""  # the root metanode's name
IN_EMBED = re.compile("Const")
OUT_EMBED = re.compile(r"^[a-zA-Z]+Summary$")
SERIES_MIN_SIZE = 5
_SERIES_RE = re.compile(r"^(\D*)(\d+)$")
_INPUT_RE = re.compile(r"^([^:]+):((\w+:|)\d+)$")
_REF_EDGES = {"Assign 0", "AssignAdd 0", "AssignSub 0", "assign 0", "assign_add 0",
              "assign_sub 0", "count_up_to 0", "ScatterAdd 0", "ScatterSub 0",
              "ScatterUpdate 0", "scatter_add 0", "scatter_sub 0", "scatter_update 0"}


@dataclass(eq=False)
class InputRef:
    name: str
    output_key: str
    control: bool


@dataclass(eq=False)
class OpNode:
    """One op of the graph (or an embedded constant / summary)."""

    name: str  # hierarchical name (renamed ``a/(a)`` where needed)
    graph_name: str  # the name in the GraphDef
    op: str
    device: str
    inputs: list[InputRef]
    attrs: dict[str, Any]  # AttrValue messages, ``_output_shapes`` removed
    output_shapes: list[list[int] | None] | None
    in_embeddings: list[OpNode] = field(default_factory=list)
    out_embeddings: list[OpNode] = field(default_factory=list)
    parent: GroupNode | OpNode | None = None
    owning_series: str | None = None
    embedded: bool = False

    kind = "op"
    is_group = False
    cardinality = 1

    @property
    def display_name(self) -> str:
        return self.name.rsplit("/", 1)[-1]


@dataclass(eq=False)
class GroupNode:
    """A name scope (``kind == "meta"``) or a series of similar ops (``kind == "series"``)."""

    name: str
    kind: str
    metagraph: nx.DiGraph = field(default_factory=nx.DiGraph)
    parent: GroupNode | None = None
    cardinality: int = 0
    depth: int = 1
    op_histogram: Counter[str] = field(default_factory=Counter)
    device_histogram: Counter[str] = field(default_factory=Counter)
    # series only
    prefix: str = ""
    suffix: str = ""
    ids: list[int] = field(default_factory=list)
    series_op: str = ""
    template_id: str | None = None

    is_group = True

    @property
    def display_name(self) -> str:
        return self.name.rsplit("/", 1)[-1] if self.name else "(root)"

    def child(self, name: str) -> Any:
        return self.metagraph.nodes[name]["node"]

    def children(self) -> list[Any]:
        return [d["node"] for _, d in self.metagraph.nodes(data=True)]

    def root_op(self) -> OpNode | None:
        """The op named like this scope (``a/(a)``), if any."""
        leaf = self.name.rsplit("/", 1)[-1]
        name = f"{self.name}/({leaf})"
        if name in self.metagraph:
            node = self.child(name)
            return node if isinstance(node, OpNode) else None
        return None


@dataclass(eq=False)
class BaseEdge:
    """One edge of the graph, between hierarchical names."""

    v: str
    w: str
    output_key: str
    control: bool
    ref: bool


@dataclass(eq=False)
class Metaedge:
    """The edges between two children of a metanode, grouped."""

    v: str
    w: str
    base_edges: list[BaseEdge] = field(default_factory=list)
    num_regular: int = 0
    num_control: int = 0
    num_ref: int = 0

    def add(self, e: BaseEdge) -> None:
        self.base_edges.append(e)
        if e.control:
            self.num_control += 1
        else:
            self.num_regular += 1
        if e.ref:
            self.num_ref += 1


def strict_name(name: str) -> str:
    """``a/b`` -> ``a/b/(b)``: the name of an op that is also a name scope."""
    return f"{name}/({name.rsplit('/', 1)[-1]})"


def _parse_inputs(inputs: list[str]) -> list[InputRef]:
    out: list[InputRef] = []
    last = None
    for raw in inputs:
        control = raw.startswith("^")
        if control:
            raw = raw[1:]
        name, key = raw, "0"
        m = _INPUT_RE.match(raw) if ":" in raw else None
        if m:
            name, key = m.group(1), m.group(2)
        if name != last:  # TensorBoard keeps one input per consecutive source op
            last = name
            out.append(InputRef(name, key, control))
    return out


def _output_shapes(attr: Any) -> list[list[int] | None] | None:
    shapes = []
    for s in attr.list.shape:
        if s.unknown_rank:
            shapes.append(None)
        else:
            shapes.append([int(d.size) for d in s.dim])
    return shapes


class Hierarchy:
    """The metanode tree of a graph plus its edges; ``index`` maps every name to its node."""

    def __init__(self) -> None:
        self.root = GroupNode(ROOT, "meta")
        self.index: dict[str, Any] = {ROOT: self.root}
        self.ops: dict[str, OpNode] = {}
        self.edges: list[BaseEdge] = []
        self.renames: dict[str, str] = {}  # GraphDef name -> hierarchical name
        self.devices: list[str] = []
        self.series_min_size = SERIES_MIN_SIZE

    def node(self, name: str) -> Any:
        return self.index[name]

    def by_graph_name(self, name: str) -> Any:
        """The node (op or embedding) for a GraphDef node name."""
        return self.index.get(self.renames.get(name, name))

    def groups(self) -> list[GroupNode]:
        return [n for n in self.index.values() if isinstance(n, GroupNode)]

    def ancestors(self, name: str) -> list[Any]:
        """The chain root ... node (the node included)."""
        node = self.index[name]
        chain = []
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def visible_node(self, name: str, expanded: set[str]) -> Any:
        """The node that stands for ``name`` when the groups in ``expanded`` are open: its
        outermost ancestor that is collapsed (or the op itself)."""
        for node in self.ancestors(name)[1:]:
            if not (isinstance(node, GroupNode) and node.name in expanded):
                return node
        return self.index[name]


def build_hierarchy(graph_def: Any, series_min_size: int = SERIES_MIN_SIZE,
                    group_series: bool = True) -> Hierarchy:
    """The TensorBoard-style hierarchy of a GraphDef message."""
    h = Hierarchy()
    h.series_min_size = series_min_size
    in_embed: dict[str, OpNode] = {}
    out_embed: dict[str, OpNode] = {}
    out_embeddings_of: dict[str, list[OpNode]] = {}
    ops: list[OpNode] = []
    for nd in graph_def.node:
        if not nd.op:
            continue  # function-library placeholders are not drawn
        attrs = {k: v for k, v in nd.attr.items() if k != "_output_shapes"}
        shapes = _output_shapes(nd.attr["_output_shapes"]) if "_output_shapes" in nd.attr \
            else None
        node = OpNode(nd.name, nd.name, nd.op, nd.device, _parse_inputs(list(nd.input)), attrs,
                      shapes)
        if IN_EMBED.search(node.op):
            node.embedded = True
            in_embed[node.name] = node
        elif OUT_EMBED.match(node.op):
            node.embedded = True
            out_embed[node.name] = node
            for inp in node.inputs:
                out_embeddings_of.setdefault(inp.name, []).append(node)
        else:
            ops.append(node)
    renames = _strict_renames([n.name for n in ops], list(in_embed) + list(out_embed))
    h.renames = renames
    for node in ops:
        node.name = renames.get(node.name, node.name)
        h.ops[node.name] = node
        node.out_embeddings = out_embeddings_of.get(node.graph_name, [])
    for emb in list(in_embed.values()) + list(out_embed.values()):
        emb.name = renames.get(emb.name, emb.name)
    for node in ops:
        for i, inp in enumerate(node.inputs):
            if inp.name in in_embed:
                const = in_embed[inp.name]
                node.in_embeddings.append(const)
                for b in const.inputs:
                    _add_edge(h, renames.get(b.name, b.name), node, b, i)
            elif inp.name in out_embed:
                for b in out_embed[inp.name].inputs:
                    _add_edge(h, renames.get(b.name, b.name), node, inp, i)
            else:
                _add_edge(h, renames.get(inp.name, inp.name), node, inp, i)
    _add_nodes(h, ops)
    if group_series and series_min_size > 0:
        _group_series(h, h.root)
    _add_metaedges(h)
    _detect_templates(h)
    return h


def _strict_renames(op_names: list[str], embedded: list[str]) -> dict[str, str]:
    renames: dict[str, str] = {}
    namespaces: set[str] = set()
    names = sorted(op_names)
    for i, a in enumerate(names):
        parts = a.split("/")
        for k in range(1, len(parts)):
            namespaces.add("/".join(parts[:k]))
        for b in names[i + 1:]:
            if not b.startswith(a):
                break
            if len(b) > len(a) and b[len(a)] == "/":
                renames[a] = strict_name(a)
                break
    for name in embedded:
        if name in namespaces:
            renames[name] = strict_name(name)
    return renames


def _add_edge(h: Hierarchy, src: str, dst: OpNode, inp: InputRef, index: int) -> None:
    if src == dst.name:
        return
    h.edges.append(BaseEdge(src, dst.name, inp.output_key, inp.control,
                            f"{dst.op} {index}" in _REF_EDGES))


def _add_nodes(h: Hierarchy, ops: list[OpNode]) -> None:
    devices: dict[str, None] = {}
    for node in ops:
        parts = node.name.split("/")
        parent = h.root
        if node.device:
            devices[node.device] = None
        for i in range(len(parts)):
            parent.depth = max(parent.depth, len(parts) - i)
            parent.cardinality += 1
            parent.op_histogram[node.op] += 1
            if node.device:
                parent.device_histogram[node.device] += 1
            if i == len(parts) - 1:
                break
            name = "/".join(parts[:i + 1])
            child = h.index.get(name)
            if child is None:
                child = GroupNode(name, "meta", parent=parent)
                h.index[name] = child
                parent.metagraph.add_node(name, node=child)
            parent = child
        h.index[node.name] = node
        node.parent = parent
        parent.metagraph.add_node(node.name, node=node)
        for emb in node.in_embeddings + node.out_embeddings:
            h.index.setdefault(emb.name, emb)
            emb.parent = node
    h.devices = list(devices)


def _group_series(h: Hierarchy, group: GroupNode) -> None:
    """TensorBoard's detectSeriesUsingNumericSuffixes, bottom-up."""
    for child in group.children():
        if isinstance(child, GroupNode) and child.kind == "meta":
            _group_series(h, child)
    clusters: dict[str, list[OpNode]] = {}
    for child in group.children():
        if isinstance(child, OpNode) and child.op:
            clusters.setdefault(child.op, []).append(child)
    found: list[tuple[str, list[tuple[int, OpNode]], str, str]] = []
    for op_type, members in clusters.items():
        if len(members) <= 1:
            continue
        candidates: dict[tuple[str, str], list[tuple[int, OpNode]]] = {}
        for node in members:
            leaf = node.name.rsplit("/", 1)[-1]
            m = _SERIES_RE.match(leaf)
            prefix, num = (m.group(1), int(m.group(2))) if m else (leaf, 0)
            candidates.setdefault((prefix, ""), []).append((num, node))
        for (prefix, suffix), items in candidates.items():
            if len(items) < 2:
                continue
            items.sort(key=lambda t: t[0])
            run = [items[0]]
            for item in items[1:]:
                if item[0] == run[-1][0] + 1:
                    run.append(item)
                    continue
                if len(run) > 1:
                    found.append((op_type, run, prefix, suffix))
                run = [item]
            if len(run) > 1:
                found.append((op_type, run, prefix, suffix))
    parent_path = f"{group.name}/" if group.name else ""
    for op_type, run, prefix, suffix in found:
        if len(run) < h.series_min_size:
            continue
        name = f"{parent_path}{prefix}[{run[0][0]}-{run[-1][0]}]{suffix}"
        if name in h.index:
            continue
        series = GroupNode(name, "series", parent=group, prefix=prefix, suffix=suffix,
                           series_op=op_type)
        h.index[name] = series
        group.metagraph.add_node(name, node=series)
        for num, node in run:
            series.ids.append(num)
            series.metagraph.add_node(node.name, node=node)
            series.cardinality += 1
            series.op_histogram[node.op] += 1
            if node.device:
                series.device_histogram[node.device] += 1
            node.parent = series
            node.owning_series = name
            group.metagraph.remove_node(node.name)


def _add_metaedges(h: Hierarchy) -> None:
    index = h.index
    for e in h.edges:
        src, dst = index.get(e.v), index.get(e.w)
        if src is None or dst is None or getattr(src, "embedded", False):
            continue
        sp = _path(src)
        dp = _path(dst)
        i = 0
        while i < len(sp) and i < len(dp) and sp[i] is dp[i]:
            i += 1
        if i == 0 or i >= len(sp) or i >= len(dp):
            continue  # a node cannot be its own ancestor (renaming prevents it)
        shared: GroupNode = sp[i - 1]
        v, w = sp[i].name, dp[i].name
        g = shared.metagraph
        if g.has_edge(v, w):
            me = g.edges[v, w]["metaedge"]
        else:
            me = Metaedge(v, w)
            g.add_edge(v, w, metaedge=me)
        me.add(e)


def _path(node: Any) -> list[Any]:
    chain = []
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain[::-1]


def _detect_templates(h: Hierarchy) -> None:
    """Metanodes with the same structure signature share a template id (TensorBoard colours
    them alike)."""
    by_sig: dict[str, list[GroupNode]] = {}
    for g in h.groups():
        if g.kind != "meta" or g is h.root:
            continue
        ops = ",".join(f"{k}={v}" for k, v in sorted(g.op_histogram.items()))
        sig = (f"depth={g.depth} |V|={g.metagraph.number_of_nodes()} "
               f"|E|={g.metagraph.number_of_edges()} [ops] {ops}")
        by_sig.setdefault(sig, []).append(g)
    for k, (_sig, members) in enumerate(sorted(by_sig.items())):
        if len(members) > 1:
            for g in members:
                g.template_id = f"t{k}"
