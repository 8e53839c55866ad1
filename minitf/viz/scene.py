"""The picture to draw for a given set of expanded groups: nodes, clusters (expanded groups),
auxiliary areas, annotations and edges with their labels. Used by the DOT/SVG writer and by
tests; the interactive HTML viewer recomputes the same thing in the browser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from minitf.viz.hierarchy import GroupNode, Hierarchy, OpNode
from minitf.viz.render import Annotation, GroupRender, RenderOptions, render_group

__all__ = ["SceneNode", "SceneCluster", "SceneEdge", "Scene", "build_scene", "edge_label",
           "RenderCache"]


@dataclass(eq=False)
class SceneNode:
    name: str
    kind: str  # op | meta | series
    label: str
    cluster: str | None  # the expanded group drawing it ("" = the root)
    aux: bool = False
    op: str = ""
    count: int = 1
    device: str = ""
    in_annotations: list[Annotation] = field(default_factory=list)
    out_annotations: list[Annotation] = field(default_factory=list)


@dataclass(eq=False)
class SceneCluster:
    name: str
    kind: str  # meta | series
    label: str
    parent: str | None
    aux: bool = False
    count: int = 0


@dataclass(eq=False)
class SceneEdge:
    src: str
    dst: str
    label: str | None
    control: bool
    ref: bool
    count: int


@dataclass
class Scene:
    nodes: dict[str, SceneNode] = field(default_factory=dict)
    clusters: dict[str, SceneCluster] = field(default_factory=dict)
    edges: list[SceneEdge] = field(default_factory=list)
    expanded: set[str] = field(default_factory=set)

    def edge(self, src: str, dst: str) -> SceneEdge | None:
        for e in self.edges:
            if e.src == src and e.dst == dst:
                return e
        return None

    def edge_pairs(self) -> set[tuple[str, str]]:
        return {(e.src, e.dst) for e in self.edges}


class RenderCache:
    """Render information per group, computed on demand."""

    def __init__(self, h: Hierarchy, options: RenderOptions | None = None) -> None:
        self.h = h
        self.options = options or RenderOptions()
        self._cache: dict[str, GroupRender] = {}

    def get(self, group: GroupNode) -> GroupRender:
        r = self._cache.get(group.name)
        if r is None:
            r = self._cache[group.name] = render_group(self.h, group, self.options)
        return r


def edge_label(h: Hierarchy, base_edges: list[Any]) -> str | None:
    """TensorBoard's edge label: the tensor shape (``?×784``, ``scalar``) of a single edge,
    ``N tensors`` for several."""
    if len(base_edges) > 1:
        return f"{len(base_edges)} tensors"
    e = base_edges[0]
    if e.control:
        return None
    src = h.index.get(e.v)
    if not isinstance(src, OpNode) or not src.output_shapes:
        return None
    try:
        shape = src.output_shapes[int(e.output_key.rsplit(":", 1)[-1])]
    except (ValueError, IndexError):
        return None
    if shape is None:
        return None
    if not shape:
        return "scalar"
    return "×".join("?" if d == -1 else str(d) for d in shape)


def node_label(node: Any) -> str:
    return node.display_name


def build_scene(h: Hierarchy, expanded: set[str] | None = None, expand_all: bool = False,
                cache: RenderCache | None = None) -> Scene:
    """The scene with the root and the groups named in ``expanded`` open (all groups with
    ``expand_all``). Groups inside collapsed ones stay closed."""
    cache = cache or RenderCache(h)
    if expand_all:
        expanded = {g.name for g in h.groups()}
    open_groups = {""} | set(expanded or ())
    scene = Scene()
    _visit(h, cache, h.root, None, False, open_groups, scene)
    scene.expanded = {c for c in scene.clusters}
    visible_open = scene.expanded | {""}
    # Edges: every core metaedge of an open group, endpoints mapped to the visible nodes that
    # stand for its base edges' ends.
    agg: dict[tuple[str, str], list[Any]] = {}
    for gname in visible_open:
        r = cache.get(h.index[gname])
        for me in r.core_edges():
            for e in me.base_edges:
                src = h.visible_node(e.v, visible_open).name
                dst = h.visible_node(e.w, visible_open).name
                if src != dst:
                    agg.setdefault((src, dst), []).append(e)
    for (src, dst), base in agg.items():
        control = all(e.control for e in base)
        scene.edges.append(SceneEdge(src, dst, edge_label(h, base), control,
                                     any(e.ref for e in base), len(base)))
    return scene


def _visit(h: Hierarchy, cache: RenderCache, group: GroupNode, cluster: str | None,
           aux: bool, open_groups: set[str], scene: Scene) -> None:
    r = cache.get(group)
    here = "" if cluster is None else cluster
    aux_names = set(r.aux)
    for name in list(r.core.nodes) + r.aux:
        node = h.index[name]
        is_aux = aux or name in aux_names
        if isinstance(node, GroupNode) and name in open_groups:
            scene.clusters[name] = SceneCluster(name, node.kind, node.display_name, here,
                                                is_aux, node.cardinality)
            _visit(h, cache, node, name, is_aux, open_groups, scene)
            continue
        sn = SceneNode(name, node.kind, node_label(node), here, name in aux_names,
                       getattr(node, "op", "") or getattr(node, "series_op", ""),
                       node.cardinality, getattr(node, "device", ""),
                       list(r.in_annotations.get(name, ())),
                       list(r.out_annotations.get(name, ())))
        scene.nodes[name] = sn
