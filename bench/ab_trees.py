"""Two minitf checkouts and TF, alternately, on one bench_mnist speed measurement:

    python bench/ab_trees.py /path/to/baseline --model cnn --rounds 6

This machine's speed changes by tens of percent from minute to minute (other jobs, and the host
sometimes gives the two vCPUs less than two cores: the printed "2-thread GEMM scaling" drops to
~1x), so a change is judged by running both trees in the same command, round after round,
in alternating order. Each worker is ``bench_mnist.py --worker speed`` of that tree (fresh
process, the tree first on ``sys.path``) run from this checkout's root, so both read the same
``../shared/data/mnist``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _rate(tree: Path, framework: str, opts: argparse.Namespace) -> float | None:
    env = dict(os.environ, PYTHONPATH=str(tree), TF_CPP_MIN_LOG_LEVEL="3")
    cmd = [sys.executable, str(tree / "bench" / "bench_mnist.py"), "--worker", "speed",
           "--framework", framework, "--model", opts.model, "--fc", str(opts.fc),
           "--runs", str(opts.runs), "--warmup", "10", "--steps", "200", "--max-seconds", "3"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    return statistics.median(json.loads(lines[-1])["rates"]) if lines else None


def main(argv: list[str] | None = None) -> int:
    from bench.bench_mnist import _two_core_scaling

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("baseline", type=Path, help="the other checkout (its repository root)")
    p.add_argument("--model", default="cnn", choices=["mlp", "cnn"])
    p.add_argument("--fc", type=int, default=256)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--runs", type=int, default=3, help="timed runs per worker (median)")
    opts = p.parse_args(argv)
    trees = [("this", ROOT, "minitf"), ("baseline", opts.baseline.resolve(), "minitf"),
             ("tf", ROOT, "tf")]
    rates: dict[str, list[float]] = {name: [] for name, _, _ in trees}
    print(f"load {os.getloadavg()[0]:.2f}, 2-thread GEMM scaling {_two_core_scaling()}")
    for r in range(opts.rounds):
        for name, tree, framework in (trees if r % 2 == 0 else trees[::-1]):
            rate = _rate(tree, framework, opts)
            if rate is not None:
                rates[name].append(rate)
        last = ", ".join(f"{k} {v[-1]:.1f}" for k, v in rates.items() if v)
        print(f"round {r}: {last} (scaling {_two_core_scaling()})", flush=True)
    med = {k: statistics.median(v) for k, v in rates.items() if v}
    if len(med) == 3:
        print(f"medians: this {med['this']:.1f}, baseline {med['baseline']:.1f}, "
              f"TF {med['tf']:.1f} steps/s; this/baseline {med['this'] / med['baseline']:.3f}, "
              f"this/TF {med['this'] / med['tf']:.2f}, baseline/TF "
              f"{med['baseline'] / med['tf']:.2f}")
    print(f"load after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
