"""Core engine benchmarks: per-run overhead of sess.run, a long elementwise chain on a few
floats, and ``import`` time — minitf against tensorflow.compat.v1 (when installed) and numpy.

    python bench/bench_core.py [--repeats 7] [--no-tf]

Each number is the median of ``--repeats`` batches (each batch ≥ 50 ms of calls) after warm-up
runs, so plan building and kernel compilation are outside the timings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import Table, fresh_import_time, load_tf, median_time  # noqa: E402

CHAIN_OPS = 100
CHAIN_SIZE = 16


def scalar_add(tf, repeats: int) -> float:
    """``sess.run(a + b, {a: 1.0})`` with a scalar placeholder and a constant."""
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [])
        c = a + tf.constant(2.0)
        sess = tf.Session(graph=g)
    feed = {a: 1.0}
    t = median_time(lambda: sess.run(c, feed), repeats)
    sess.close()
    return t


def build_chain(x, n: int = CHAIN_OPS):
    y = x
    for i in range(n):
        y = y * 1.01 if i % 2 else y + 0.5
    return y


def chain(tf, repeats: int) -> float:
    """A 100-op elementwise chain (alternating +0.5, *1.01) on 16 float32 values."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [CHAIN_SIZE])
        y = build_chain(x)
        sess = tf.Session(graph=g)
    feed = {x: np.linspace(-1, 1, CHAIN_SIZE).astype(np.float32)}
    t = median_time(lambda: sess.run(y, feed), repeats)
    sess.close()
    return t


def chain_numpy(repeats: int) -> float:
    x = np.linspace(-1, 1, CHAIN_SIZE).astype(np.float32)
    return median_time(lambda: build_chain(x), repeats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--no-tf", action="store_true", help="skip TensorFlow")
    args = ap.parse_args()
    r = args.repeats

    import minitf

    tf1 = None if args.no_tf else load_tf()
    if tf1 is None and not args.no_tf:
        print("tensorflow is not installed: minitf and numpy only")
    table = Table(f"Core engine (medians of {r} runs; python {sys.version.split()[0]})")

    one = np.float32(1.0)
    two = np.float32(2.0)
    table.add("sess.run(a + b), one scalar feed", scalar_add(minitf, r),
              scalar_add(tf1, r) if tf1 else None,
              median_time(lambda: np.add(np.asarray(one), two), r), "≤ 25 µs")
    table.add(f"{CHAIN_OPS}-op elementwise chain, {CHAIN_SIZE} floats", chain(minitf, r),
              chain(tf1, r) if tf1 else None, chain_numpy(r), "≤ 100 µs")
    n_imp = max(3, min(r, 5))
    table.add("import (fresh interpreter)", fresh_import_time("minitf", n_imp),
              fresh_import_time("tensorflow.compat.v1", n_imp) if tf1 else None,
              fresh_import_time("numpy", n_imp), "≤ 0.5 s")
    print()
    print(table.render())


if __name__ == "__main__":
    main()
