"""Elementwise fusion benchmark: ``sigmoid(x * 2 + 1) * tanh(x) - exp(-x * x) + abs(x)`` (11
ops) on 4M float32 values — minitf (one fused kernel) against tensorflow.compat.v1, numpy
(unfused, one temporary per op) and minitf with kernels and fusion off (numpy references).
Then the compile cost: a fresh process on a cold kernel cache, and one on the warm cache.

    python bench/bench_elementwise.py [--size 4000000] [--repeats 9] [--no-tf]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import ROOT, Table, fmt_time, load_tf, median_time  # noqa: E402


def expression(tf, x):
    return tf.sigmoid(x * 2 + 1) * tf.tanh(x) - tf.exp(-x * x) + tf.abs(x)


def numpy_expression(x):
    return 1 / (1 + np.exp(-(x * 2 + 1))) * np.tanh(x) - np.exp(-x * x) + np.abs(x)


def run_graph(tf, xv, repeats, reference=False):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [xv.size])
        y = expression(tf, x)
        sess = tf.Session(graph=g)
    feed = {x: xv}
    if reference:
        from minitf.kernels.registry import reference_kernels_only

        with reference_kernels_only():
            sess.run(y, feed)  # the plan is built (and cached) without kernels or fusion
    out = sess.run(y, feed)
    t = median_time(lambda: sess.run(y, feed), repeats, min_batch_s=0.0, warmup=2)
    sess.close()
    return t, out


COLD_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import minitf as tf
t_import = time.perf_counter() - t0
from minitf.kernels.cpu.codegen import compile_stats
n = int(sys.argv[1])
x = tf.placeholder(tf.float32, [n])
y = tf.sigmoid(x * 2 + 1) * tf.tanh(x) - tf.exp(-x * x) + tf.abs(x)
xv = np.linspace(-3, 3, n).astype(np.float32)
sess = tf.Session()
t1 = time.perf_counter()
sess.run(y, {x: xv})
first = time.perf_counter() - t1
t2 = time.perf_counter()
sess.run(y, {x: xv})
second = time.perf_counter() - t2
t3 = time.perf_counter()
import numba  # already imported by the kernel build: ~0 here
print(json.dumps(dict(import_minitf=t_import, first_run=first, second_run=second,
                      **compile_stats())))
"""


def fresh_process(cache_dir: str, n: int) -> dict:
    env = dict(os.environ, MINITF_CACHE_DIR=cache_dir, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", COLD_SCRIPT, str(n)], env=env, cwd=str(ROOT),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def numba_import_time() -> float:
    code = "import time; t = time.perf_counter(); import numba; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=4_000_000)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--no-tf", action="store_true")
    args = ap.parse_args()
    n, r = args.size, args.repeats

    import minitf
    from minitf.kernels.cpu.codegen import kernel_threads

    tf1 = None if args.no_tf else load_tf()
    xv = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    table = Table(f"Elementwise, 11 ops on {n:,} float32 (medians of {r} runs; "
                  f"{kernel_threads()} kernel threads)")
    mine, out = run_graph(minitf, xv, r)
    os.environ["MINITF_NUM_THREADS"] = "1"
    mine1 = run_graph(minitf, xv, r)[0]
    del os.environ["MINITF_NUM_THREADS"]
    ref_t, ref = run_graph(minitf, xv, r, reference=True)
    with np.errstate(all="ignore"):
        np_t = median_time(lambda: numpy_expression(xv), r, min_batch_s=0.0, warmup=2)
    tf_t = run_graph(tf1, xv, r)[0] if tf1 else None
    table.add("minitf fused (numba)", mine, tf_t, np_t, "≤ 0.5x TF")
    table.add("minitf fused, 1 thread", mine1, tf_t, np_t)
    table.add("minitf, reference kernels (no fusion)", ref_t, tf_t, np_t)
    err = np.max(np.abs(out - ref))
    print()
    print(table.render())
    print(f"fused vs reference: max |difference| {err:.2e} (values up to "
          f"{np.max(np.abs(ref)):.1f}; float32 eps {np.finfo(np.float32).eps:.1e})")

    with tempfile.TemporaryDirectory() as d:
        cold = fresh_process(d, n)
        warm = fresh_process(d, n)
    print()
    print("Compile cost, fresh processes (first sess.run = plan build + compile/load + run):")
    print(f"  numba import alone                 {fmt_time(numba_import_time())}")
    print(f"  cold cache: first run {fmt_time(cold['first_run'])}, of which compiling "
          f"{cold['compiled']:.0f} kernel(s) {fmt_time(cold['seconds'])}; "
          f"second run {fmt_time(cold['second_run'])}")
    print(f"  warm cache: first run {fmt_time(warm['first_run'])}, of which loading "
          f"{warm['loaded']:.0f} kernel(s) {fmt_time(warm['seconds'])}; "
          f"second run {fmt_time(warm['second_run'])}")


if __name__ == "__main__":
    main()
