"""Reading what to draw: a Graph, a GraphDef (.pb / .pbtxt), a MetaGraphDef (.meta), an event
file or a logdir of runs; and run metadata (for compute-time colours) from a file or from an
event file's tagged run metadata."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

__all__ = ["VizInputError", "GraphSource", "load_source", "as_graph_def", "load_run_metadata"]


class VizInputError(ValueError):
    """A source the visualizer cannot read (missing, corrupt, or of an unknown kind)."""


@dataclass
class GraphSource:
    graph_def: Any
    description: str
    run_metadata: dict[str, Any] = field(default_factory=dict)  # tag -> RunMetadata
    notes: list[str] = field(default_factory=list)


def as_graph_def(graph_or_graph_def: Any) -> Any:
    """A GraphDef (with ``_output_shapes``) from a Graph, GraphDef or MetaGraphDef."""
    from minitf.framework.graph import Graph
    from minitf.framework.proto import GraphDef, MetaGraphDef

    if isinstance(graph_or_graph_def, Graph):
        return graph_or_graph_def.as_graph_def(add_shapes=True)
    if isinstance(graph_or_graph_def, GraphDef):
        return graph_or_graph_def
    if isinstance(graph_or_graph_def, MetaGraphDef):
        return graph_or_graph_def.graph_def
    if hasattr(graph_or_graph_def, "SerializeToString") and \
            type(graph_or_graph_def).__name__ == "GraphDef":
        # a GraphDef from TensorFlow's or TensorBoard's own protobuf classes
        return GraphDef.FromString(graph_or_graph_def.SerializeToString())
    if hasattr(graph_or_graph_def, "as_graph_def"):
        return as_graph_def(graph_or_graph_def.as_graph_def(add_shapes=True))
    raise TypeError(f"expected a Graph, GraphDef or MetaGraphDef, got "
                    f"{type(graph_or_graph_def).__name__}")


def _is_event_file(path: str) -> bool:
    return "tfevents" in os.path.basename(path)


def _event_files(logdir: str) -> dict[str, list[str]]:
    runs: dict[str, list[str]] = {}
    for dirpath, dirnames, filenames in os.walk(logdir):
        dirnames.sort()
        files = sorted(f for f in filenames if _is_event_file(f))
        if files:
            run = os.path.relpath(dirpath, logdir)
            runs[run] = [os.path.join(dirpath, f) for f in files]
    return runs


def _read_events(paths: list[str]) -> tuple[Any, Any, dict[str, Any]]:
    from minitf.framework import errors
    from minitf.framework.proto import DecodeError, GraphDef, MetaGraphDef, RunMetadata
    from minitf.summary.writer import summary_iterator

    graph_def = meta = None
    run_md: dict[str, Any] = {}
    for path in paths:
        try:
            for event in summary_iterator(path):
                kind = event.WhichOneof("what")
                if kind == "graph_def":
                    graph_def = event.graph_def
                elif kind == "meta_graph_def":
                    meta = event.meta_graph_def
                elif kind == "tagged_run_metadata":
                    run_md[event.tagged_run_metadata.tag] = event.tagged_run_metadata.run_metadata
        except errors.OpError as e:
            raise VizInputError(str(e).splitlines()[0]) from None
    try:
        gd = GraphDef.FromString(graph_def) if graph_def is not None else (
            MetaGraphDef.FromString(meta).graph_def if meta is not None else None)
        mds = {tag: RunMetadata.FromString(raw) for tag, raw in run_md.items()}
    except DecodeError as e:
        raise VizInputError(f"corrupt graph in {paths[-1]}: {e}") from None
    return gd, meta, mds


def _parse_binary_or_text(path: str, data: bytes, kinds: list[str]) -> Any:
    from minitf.framework.proto import DecodeError, GraphDef, MetaGraphDef, ParseError, text_format

    classes = {"GraphDef": GraphDef, "MetaGraphDef": MetaGraphDef}
    text_first = path.endswith((".pbtxt", ".txt", ".prototxt"))
    errors_seen = []
    for as_text in ((True, False) if text_first else (False, True)):
        for kind in kinds:
            cls = classes[kind]
            try:
                if as_text:
                    msg = text_format.Parse(data.decode("utf-8"), cls())
                else:
                    msg = cls.FromString(data)
            except (DecodeError, ParseError, UnicodeDecodeError, ValueError) as e:
                errors_seen.append(f"{kind}: {e}")
                continue
            gd = msg if kind == "GraphDef" else msg.graph_def
            if len(gd.node) or not data.strip():
                return gd
            errors_seen.append(f"{kind}: no nodes")
    raise VizInputError(f"{path} is not a readable "
                        f"{' or '.join(kinds)} ({errors_seen[0] if errors_seen else 'empty'})")


def load_source(path: str, run: str | None = None) -> GraphSource:
    """The graph (and any traced runs) in ``path``: a logdir, an event file, a GraphDef
    (``.pb`` binary, ``.pbtxt`` text) or a MetaGraphDef (``.meta``)."""
    if not os.path.exists(path):
        raise VizInputError(f"{path}: no such file or directory")
    if os.path.isdir(path):
        runs = _event_files(path)
        if not runs:
            raise VizInputError(f"{path}: no event files (events.out.tfevents.*) in this "
                                "directory")
        notes = []
        if run is not None:
            key = os.path.normpath(run)
            if key not in runs:
                raise VizInputError(f"{path}: no run {run!r}; runs: {', '.join(sorted(runs))}")
            chosen = [key]
        else:
            chosen = sorted(runs)
        for name in chosen:
            gd, _, mds = _read_events(runs[name])
            if gd is not None:
                others = [r for r in sorted(runs) if r != name]
                if run is None and others:
                    notes.append(f"drawing run {name!r} (others: {', '.join(others)}; choose "
                                 "with --run)")
                return GraphSource(gd, f"{path} run {name}", mds, notes)
        raise VizInputError(f"{path}: no graph in the event files"
                            + (f" of run {run!r}" if run else ""))
    if _is_event_file(path):
        gd, _, mds = _read_events([path])
        if gd is None:
            raise VizInputError(f"{path}: the event file holds no graph")
        return GraphSource(gd, path, mds)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise VizInputError(f"{path}: {e.strerror or e}") from None
    kinds = ["MetaGraphDef", "GraphDef"] if path.endswith(".meta") else ["GraphDef",
                                                                         "MetaGraphDef"]
    return GraphSource(_parse_binary_or_text(path, data, kinds), path)


def load_run_metadata(path: str) -> Any:
    """A RunMetadata from a binary or text protobuf file."""
    from minitf.framework.proto import DecodeError, ParseError, RunMetadata, text_format

    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise VizInputError(f"{path}: {e.strerror or e}") from None
    try:
        md = RunMetadata.FromString(data)
        if md.step_stats.dev_stats or not data:
            return md
    except DecodeError:
        pass
    try:
        return text_format.Parse(data.decode("utf-8"), RunMetadata())
    except (ParseError, UnicodeDecodeError, ValueError) as e:
        raise VizInputError(f"{path} is not a readable RunMetadata ({e})") from None
