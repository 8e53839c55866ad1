"""``GraphView``: one graph prepared for drawing (hierarchy, render information, colours), with
writers for every output format."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterable
from typing import Any

from minitf.viz.dot import render_dot, scene_to_dot
from minitf.viz.hierarchy import SERIES_MIN_SIZE, GroupNode, Hierarchy, build_hierarchy
from minitf.viz.render import DEFAULT_AUX, RenderOptions
from minitf.viz.scene import RenderCache, Scene, build_scene
from minitf.viz.sources import as_graph_def
from minitf.viz.style import COLOR_MODES, Palette, compute_times

__all__ = ["GraphView", "FORMATS", "render"]

FORMATS = ("svg", "png", "pdf", "dot", "html")


@contextlib.contextmanager
def _bulk() -> Any:
    """Pauses the cyclic garbage collector while many small objects are built (on graphs of
    thousands of ops its repeated full passes cost more than the work itself)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class GraphView:
    """A graph ready to draw as TensorBoard's graph dashboard draws it.

    ``graph`` is a ``tf.Graph``, a GraphDef or a MetaGraphDef; ``run_metadata`` (a RunMetadata
    from a traced ``Session.run``) enables ``color="compute"`` and :meth:`chrome_trace`.
    """

    def __init__(self, graph: Any, run_metadata: Any = None, *, series: bool = True,
                 series_min_size: int = SERIES_MIN_SIZE, auto_extract: bool = True,
                 aux: Iterable[str] | None = None, keep: Iterable[str] = ()) -> None:
        self.graph_def = as_graph_def(graph)
        with _bulk():
            self.hierarchy: Hierarchy = build_hierarchy(self.graph_def, series_min_size, series)
        options = RenderOptions(auto_extract=auto_extract,
                                aux=tuple(DEFAULT_AUX if aux is None else aux), keep=tuple(keep))
        self.cache = RenderCache(self.hierarchy, options)
        self.run_metadata = run_metadata
        self.times = compute_times(self.hierarchy, run_metadata)
        self.palette = Palette(self.hierarchy, self.times)

    # --- what is open -------------------------------------------------------------------------
    def scope_names(self) -> list[str]:
        """Every expandable group (name scopes and series)."""
        return sorted(g.name for g in self.hierarchy.groups() if g.name)

    def resolve_expand(self, names: Iterable[str]) -> set[str]:
        """The groups to open for ``--expand`` names: each named scope and its ancestors.

        Raises ValueError naming the unknown scope."""
        h = self.hierarchy
        out: set[str] = set()
        for raw in names:
            name = raw.strip("/")
            node = h.index.get(name) or h.index.get(h.renames.get(name, name))
            if not isinstance(node, GroupNode):
                top = ", ".join(sorted(c.name for c in h.root.children()
                                       if isinstance(c, GroupNode))[:12])
                raise ValueError(f"no scope named {raw!r} (top-level scopes: {top or 'none'})")
            while node is not None and node.name:
                out.add(node.name)
                node = node.parent
        return out

    def scene(self, expand: Iterable[str] = (), expand_all: bool = False) -> Scene:
        with _bulk():
            return build_scene(self.hierarchy, self.resolve_expand(expand), expand_all,
                               self.cache)

    def _check_color(self, color: str) -> None:
        if color not in COLOR_MODES:
            raise ValueError(f"unknown color mode {color!r} (choose from {', '.join(COLOR_MODES)})")
        if color == "compute" and not self.times:
            raise ValueError("color 'compute' needs the run metadata of a traced run "
                             "(RunOptions(trace_level=FULL_TRACE))")

    # --- writers ------------------------------------------------------------------------------
    def to_dot(self, expand: Iterable[str] = (), expand_all: bool = False,
               color: str = "structure", rankdir: str = "BT", edge_labels: bool = True,
               title: str | None = None) -> Any:
        """The ``graphviz.Digraph`` of the picture."""
        self._check_color(color)
        return scene_to_dot(self.scene(expand, expand_all), self.hierarchy, self.palette, color,
                            rankdir, edge_labels, title)

    def dot_source(self, **kwargs: Any) -> str:
        return self.to_dot(**kwargs).source

    def to_svg(self, **kwargs: Any) -> str:
        return render_dot(self.to_dot(**kwargs), "svg").decode("utf-8")

    def to_png(self, **kwargs: Any) -> bytes:
        return render_dot(self.to_dot(**kwargs), "png")

    def to_pdf(self, **kwargs: Any) -> bytes:
        return render_dot(self.to_dot(**kwargs), "pdf")

    def to_html(self, expand: Iterable[str] = (), expand_all: bool = False,
                color: str = "structure", rankdir: str = "BT", edge_labels: bool = True,
                title: str | None = None) -> str:
        """The interactive viewer as one self-contained HTML page."""
        from minitf.viz.html import graph_payload, html_document

        self._check_color(color)
        expanded = {g.name for g in self.hierarchy.groups() if g.name} if expand_all \
            else self.resolve_expand(expand)
        with _bulk():
            payload = graph_payload(self.hierarchy, self.cache, self.palette, expanded, color,
                                    title or "minitf graph", rankdir, edge_labels)
            return html_document(payload)

    def chrome_trace(self) -> str:
        """The traced run as Chrome trace JSON (chrome://tracing, ui.perfetto.dev)."""
        from minitf.client.timeline import Timeline

        if self.run_metadata is None:
            raise ValueError("no run metadata to export")
        return Timeline(self.run_metadata.step_stats).generate_chrome_trace_format()

    def write(self, path: str, fmt: str | None = None, **kwargs: Any) -> str:
        """Writes the picture to ``path`` in the format its extension names (or ``fmt``)."""
        fmt = (fmt or os.path.splitext(path)[1].lstrip(".")).lower()
        if fmt not in FORMATS:
            raise ValueError(f"unknown output format {fmt!r} for {path!r} (use one of: "
                             f"{', '.join('.' + f for f in FORMATS)})")
        if fmt == "html":
            data: bytes = self.to_html(**kwargs).encode("utf-8")
        elif fmt == "dot":
            data = self.dot_source(**kwargs).encode("utf-8")
        else:
            data = render_dot(self.to_dot(**kwargs), fmt)
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return path


def render(graph: Any, path: str, run_metadata: Any = None, **kwargs: Any) -> str:
    """Draws ``graph`` to ``path`` (.svg .png .pdf .dot .html); keyword arguments are those of
    :meth:`GraphView.to_dot` (``expand``, ``expand_all``, ``color``, ``rankdir``,
    ``edge_labels``, ``title``)."""
    return GraphView(graph, run_metadata).write(path, **kwargs)
