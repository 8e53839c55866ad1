"""Graphs in Jupyter: ``Graph._repr_svg_`` calls :func:`graph_svg`; :func:`graph_html` is the
interactive viewer for ``_repr_html_``; :func:`show_graph` displays any graph explicitly."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

__all__ = ["graph_svg", "graph_html", "show_graph"]


def graph_svg(graph: Any, expand: Iterable[str] = (), expand_all: bool = False,
              color: str = "structure") -> str | None:
    """The SVG picture of a graph, or None when Graphviz's ``dot`` is not installed (so a
    notebook falls back to the text repr instead of showing an error)."""
    from minitf.viz.api import GraphView
    from minitf.viz.dot import GraphvizMissingError, dot_available

    if not dot_available():
        return None
    try:
        return GraphView(graph).to_svg(expand=expand, expand_all=expand_all, color=color)
    except GraphvizMissingError:
        return None


def graph_html(graph: Any, expand: Iterable[str] = (), expand_all: bool = False,
               color: str = "structure", height: int = 600, run_metadata: Any = None) -> str:
    """The interactive viewer as an HTML snippet for a notebook cell: the self-contained page
    in a sandboxed iframe (scripts run in it, nothing is fetched)."""
    from minitf.viz.api import GraphView

    page = GraphView(graph, run_metadata).to_html(expand=expand, expand_all=expand_all,
                                                  color=color)
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
            f'style="width:100%;height:{int(height)}px;border:1px solid #ddd"></iframe>')


def show_graph(graph_or_graph_def: Any = None, expand: Iterable[str] = (),
               expand_all: bool = False, color: str = "structure", interactive: bool = True,
               height: int = 600, run_metadata: Any = None) -> Any:
    """Displays a graph (default: the default graph) in Jupyter.

    Returns an ``IPython.display.HTML`` (the interactive viewer; ``interactive=False``: an
    ``IPython.display.SVG`` picture) when IPython is available, else the SVG text."""
    from minitf.viz.api import GraphView

    if graph_or_graph_def is None:
        from minitf.framework.graph import get_default_graph

        graph_or_graph_def = get_default_graph()
    try:
        from IPython import display as ipd  # type: ignore[import-not-found]
    except ImportError:
        ipd = None
    if ipd is not None and interactive:
        return ipd.HTML(graph_html(graph_or_graph_def, expand, expand_all, color, height,
                                   run_metadata))
    svg = GraphView(graph_or_graph_def, run_metadata).to_svg(expand=expand,
                                                             expand_all=expand_all, color=color)
    return ipd.SVG(svg) if ipd is not None else svg
