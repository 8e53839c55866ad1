"""Times drawing a big graph (10,000 ops by default) with minitf.viz: SVG through Graphviz and
the interactive HTML page, median of several runs.

    python tools/render_big_graph.py                 # 10,000 ops, 5 runs
    python tools/render_big_graph.py --ops 20000 --runs 3 --expand block0 --browser

The graph is an MLP-like stack: blocks (name scopes) of units, each unit a name scope with a
matmul, a bias add, a relu and a scaling (constants included in the op count). Scopes are
collapsed unless ``--expand``/``--expand-all`` is given, as in TensorBoard.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minitf as tf  # noqa: E402
from minitf.viz import GraphView  # noqa: E402
from minitf.viz.dot import dot_available  # noqa: E402

OPS_PER_UNIT = 7  # Const w, MatMul, Const b, AddV2, Relu, Const scale, Mul


def build_graph(n_ops: int, units_per_block: int = 50) -> tf.Graph:
    g = tf.Graph()
    rng = np.random.default_rng(0)
    with g.as_default():
        t = tf.placeholder(tf.float32, [None, 16], name="x")
        units = max(1, (n_ops - 1) // OPS_PER_UNIT)
        for u in range(units):
            with tf.name_scope(f"block{u // units_per_block}/"
                               if u % units_per_block else f"block{u // units_per_block}"):
                with tf.name_scope(f"unit{u % units_per_block}"):
                    w = tf.constant(rng.normal(size=(16, 16)).astype(np.float32), name="w")
                    b = tf.constant(np.zeros(16, np.float32), name="b")
                    t = tf.nn.relu(tf.matmul(t, w) + b)
                    t = tf.multiply(t, 0.5, name="scale")
    return g


def _median_time(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ops", type=int, default=10_000, help="about this many ops (default 10000)")
    p.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    p.add_argument("--expand", action="append", default=[], help="scopes to open")
    p.add_argument("--expand-all", action="store_true", help="open every scope")
    p.add_argument("--out", default=None, help="where to write the files (default: a temp dir)")
    p.add_argument("--browser", action="store_true",
                   help="also time loading the HTML page in headless Chromium (needs chromium "
                        "and chromedriver)")
    args = p.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="minitf-big-graph-")
    os.makedirs(out, exist_ok=True)

    t0 = time.perf_counter()
    g = build_graph(args.ops)
    build_s = time.perf_counter() - t0
    gd = g.as_graph_def(add_shapes=True)
    print(f"graph: {len(gd.node)} ops, GraphDef {len(gd.SerializeToString()) / 1e6:.1f} MB, "
          f"built in {build_s:.2f} s")
    kw = {"expand": args.expand, "expand_all": args.expand_all}

    prep, view = _median_time(lambda: GraphView(gd), args.runs)
    scene = view.scene(**kw)
    print(f"model (hierarchy, series, metaedges):  {prep * 1e3:8.1f} ms  "
          f"(drawn: {len(scene.nodes)} nodes, {len(scene.clusters)} open scopes, "
          f"{len(scene.edges)} edges)")
    if dot_available():
        svg_s, svg = _median_time(lambda: GraphView(gd).to_svg(**kw), args.runs)
        path = os.path.join(out, "big.svg")
        with open(path, "w", encoding="utf-8") as f:
            f.write(svg)
        print(f"SVG  (model + Graphviz dot):           {svg_s * 1e3:8.1f} ms  "
              f"-> {path} ({len(svg) / 1e3:.0f} kB)")
    else:
        print("SVG: skipped (Graphviz's dot is not installed)")
    html_s, page = _median_time(lambda: GraphView(gd).to_html(**kw), args.runs)
    path = os.path.join(out, "big.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    print(f"HTML (model + page with all details):  {html_s * 1e3:8.1f} ms  "
          f"-> {path} ({len(page) / 1e6:.1f} MB)")
    if args.browser:
        from tests.viz.webdriver import Browser, find_browser

        found = find_browser()
        if found is None:
            print("browser: skipped (chromium/chromedriver not installed)")
            return 0
        with Browser(*found) as b:
            loads = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                b.get("file://" + os.path.abspath(path))
                b.execute("return window.minitfViewer.state().visible.length")
                loads.append(time.perf_counter() - t0)
            print(f"browser load + first layout:           "
                  f"{statistics.median(loads) * 1e3:8.1f} ms (headless Chromium)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
