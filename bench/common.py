"""Shared helpers of the benchmarks: timing with medians, TF loading, the results table.

Run benchmarks from the repository root: ``python bench/bench_core.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__all__ = ["ROOT", "median_time", "load_tf", "fresh_import_time", "Table", "fmt_time"]


def median_time(fn: Callable[[], Any], repeats: int = 7, min_batch_s: float = 0.05,
                warmup: int = 3) -> float:
    """Median seconds per call over ``repeats`` batches; each batch runs long enough
    (``min_batch_s``) that timer resolution does not matter."""
    for _ in range(warmup):
        fn()
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_batch_s or number >= 1 << 20:
            break
        number = max(number * 2, int(number * min_batch_s / max(dt, 1e-9) * 1.2))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


_tf: Any = None


def load_tf() -> Any:
    """``tensorflow.compat.v1`` in TF 1.x mode, or None when TensorFlow is not installed."""
    global _tf
    if _tf is None:
        try:
            import tensorflow.compat.v1 as tf1
        except ImportError:
            _tf = False
            return None
        tf1.disable_v2_behavior()
        tf1.logging.set_verbosity(tf1.logging.ERROR)
        _tf = tf1
    return _tf or None


def fresh_import_time(module: str, repeats: int = 5, env: dict[str, str] | None = None) -> float:
    """Median seconds of ``import module`` measured inside fresh interpreters."""
    code = ("import time; t = time.perf_counter(); import " + module +
            "; print(time.perf_counter() - t)")
    e = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    samples = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=e, cwd=str(ROOT), check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def fmt_time(s: float | None) -> str:
    if s is None:
        return "—"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} µs"


class Table:
    """Rows of (workload, minitf, tensorflow, numpy, goal) timings, printed with ratios."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, float | None, float | None, float | None, str]] = []

    def add(self, name: str, mine: float | None, tf: float | None = None,
            np_: float | None = None, goal: str = "") -> None:
        self.rows.append((name, mine, tf, np_, goal))
        print(f"  measured {name}: minitf {fmt_time(mine)}, tf {fmt_time(tf)}, "
              f"numpy {fmt_time(np_)}", flush=True)

    def render(self) -> str:
        head = ["workload", "minitf", "tf.compat.v1", "numpy", "minitf/TF", "goal"]
        lines = [[n, fmt_time(m), fmt_time(t), fmt_time(p),
                  f"{m / t:.2f}x" if m and t else "—", g] for n, m, t, p, g in self.rows]
        widths = [max(len(r[i]) for r in [head, *lines]) for i in range(len(head))]
        out = [self.title, "  ".join(h.ljust(w) for h, w in zip(head, widths)),
               "  ".join("-" * w for w in widths)]
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in lines]
        return "\n".join(out)
