"""``minitf-graph``: draw a graph as TensorBoard's graph dashboard does.

    minitf-graph logs/run1 -o graph.svg
    minitf-graph model.meta -o graph.html --expand layer1
    minitf-graph logs -o profile.svg --color compute --chrome-trace trace.json
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["main", "build_parser"]

PROG = "minitf-graph"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line, exit 2 (argparse prints usage too)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Draw a minitf/TensorFlow graph the way TensorBoard's graph dashboard does: "
                    "name scopes as collapsed metanodes with op counts, series of similar ops "
                    "grouped (Add_[1-6]), constants and summaries as small annotations, "
                    "auxiliary nodes (init, save, gradients, high-degree nodes) set aside on "
                    "the right, control edges dashed, edges labelled with tensor shapes.",
        epilog="Output formats: .svg .png .pdf (need Graphviz's dot program), .dot (Graphviz "
               "source), .html (one self-contained interactive page: click a scope to open "
               "it, click a node for details, search, zoom and pan). Errors print one line "
               "and exit with status 2.")
    p.add_argument("source", metavar="SOURCE",
                   help="a logdir or event file (events.out.tfevents.*), a GraphDef (.pb "
                        "binary, .pbtxt text) or a MetaGraphDef (.meta)")
    p.add_argument("-o", "--output", metavar="OUT", required=True,
                   help="the file to write; its extension picks the format: .svg, .png, "
                        ".pdf, .dot or .html")
    p.add_argument("--run", metavar="RUN",
                   help="the run (subdirectory of a logdir) to draw; default: the first run "
                        "with a graph")
    p.add_argument("--expand", metavar="SCOPE", action="append", default=[],
                   help="open this name scope (and its parents); repeatable")
    p.add_argument("--expand-all", action="store_true", help="open every name scope and series")
    p.add_argument("--color", choices=("structure", "device", "type", "compute"),
                   help="colour nodes by structure (TensorBoard's default: scopes with the same "
                        "structure share a colour), by device, by op type, or by compute time "
                        "of a traced run (default: compute when --run-metadata is given, else "
                        "structure)")
    p.add_argument("--run-metadata", metavar="FILE",
                   help="a RunMetadata (binary or text protobuf) of a run traced with "
                        "RunOptions(trace_level=FULL_TRACE), for --color compute and "
                        "--chrome-trace; without it, the event file's tagged run metadata is "
                        "used")
    p.add_argument("--run-tag", metavar="TAG",
                   help="which tagged run metadata of the event file to use (default: the "
                        "last one)")
    p.add_argument("--chrome-trace", metavar="FILE",
                   help="also write the traced run as Chrome trace JSON (chrome://tracing, "
                        "ui.perfetto.dev)")
    p.add_argument("--rankdir", choices=("BT", "TB", "LR", "RL"), default="BT",
                   help="direction of the data flow (default BT: inputs at the bottom, as in "
                        "TensorBoard; the HTML viewer draws BT or TB)")
    p.add_argument("--no-edge-labels", action="store_true",
                   help="do not label edges with tensor shapes")
    p.add_argument("--no-series", action="store_true",
                   help="do not group series of similar ops (Add_1 ... Add_6 -> Add_[1-6])")
    p.add_argument("--series-min-size", type=int, default=5, metavar="N",
                   help="smallest series that is grouped (default 5, as TensorBoard)")
    p.add_argument("--no-auto-extract", action="store_true",
                   help="do not set high-degree nodes aside (TensorBoard's 'Auto-extract "
                        "high-degree nodes' switch)")
    p.add_argument("--aux", metavar="REGEX", action="append", default=[],
                   help="also set aside nodes whose full name matches REGEX; repeatable")
    p.add_argument("--keep", metavar="REGEX", action="append", default=[],
                   help="keep nodes whose full name matches REGEX in the main graph; "
                        "repeatable")
    p.add_argument("--no-default-aux", action="store_true",
                   help="do not set the top-level init, save and gradients scopes aside by "
                        "name (TensorBoard then decides by op type and degree only)")
    p.add_argument("--title", metavar="TEXT", help="a title for the picture")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    return p


def _fail(message: str) -> int:
    sys.stderr.write(f"{PROG}: error: {' '.join(str(message).split())}\n")
    return 2


def main(argv: list[str] | None = None) -> int:
    """Runs the command; returns the exit status (0, or 2 with a one-line error)."""
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        return _fail("interrupted")
    except Exception as e:  # noqa: BLE001 - the contract is one line, never a traceback
        return _fail(f"{type(e).__name__}: {e}" if not isinstance(e, (ValueError, OSError))
                     else str(e))


def _run(args: argparse.Namespace) -> int:
    import os

    from minitf.viz.api import FORMATS, GraphView
    from minitf.viz.dot import GraphvizMissingError
    from minitf.viz.render import DEFAULT_AUX
    from minitf.viz.sources import VizInputError, load_run_metadata, load_source

    out = args.output
    fmt = os.path.splitext(out)[1].lstrip(".").lower()
    if fmt not in FORMATS:
        return _fail(f"unknown output extension {os.path.splitext(out)[1] or '(none)'!r} for "
                     f"{out}: use .svg, .png, .pdf, .dot or .html")
    out_dir = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(out_dir):
        return _fail(f"cannot write {out}: directory {out_dir} does not exist")
    try:
        source = load_source(args.source, args.run)
        run_md = None
        if args.run_metadata:
            run_md = load_run_metadata(args.run_metadata)
        elif source.run_metadata and (args.color == "compute" or args.chrome_trace
                                      or args.run_tag):
            if args.run_tag is not None:
                if args.run_tag not in source.run_metadata:
                    return _fail(f"no run metadata tagged {args.run_tag!r} in {args.source} "
                                 f"(tags: {', '.join(source.run_metadata)})")
                run_md = source.run_metadata[args.run_tag]
            else:
                run_md = list(source.run_metadata.values())[-1]
    except VizInputError as e:
        return _fail(str(e))
    color = args.color or ("compute" if args.run_metadata else "structure")
    if (color == "compute" or args.chrome_trace) and run_md is None:
        return _fail("compute-time colours and --chrome-trace need a traced run: pass "
                     "--run-metadata FILE or a logdir/event file written with "
                     "FileWriter.add_run_metadata")
    aux = tuple(args.aux) + (() if args.no_default_aux else DEFAULT_AUX)
    if args.series_min_size < 2:
        return _fail("--series-min-size must be at least 2")
    view = GraphView(source.graph_def, run_md, series=not args.no_series,
                     series_min_size=args.series_min_size,
                     auto_extract=not args.no_auto_extract, aux=aux, keep=args.keep)
    if color == "compute" and not view.times:
        return _fail("the run metadata has no step stats for this graph's nodes (trace the run "
                     "with RunOptions(trace_level=FULL_TRACE))")
    try:
        view.write(out, expand=args.expand, expand_all=args.expand_all, color=color,
                   rankdir=args.rankdir, edge_labels=not args.no_edge_labels, title=args.title)
    except GraphvizMissingError as e:
        return _fail(str(e))
    if args.chrome_trace:
        with open(args.chrome_trace, "w", encoding="utf-8") as f:
            f.write(view.chrome_trace())
    if not args.quiet:
        for note in source.notes:
            sys.stderr.write(f"{PROG}: note: {note}\n")
        h = view.hierarchy
        sys.stderr.write(f"{PROG}: wrote {out} ({len(h.ops)} ops, "
                         f"{len(h.groups()) - 1} scopes/series)\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
