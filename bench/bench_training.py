"""One training step of a 784-512-512-10 ReLU MLP (batch 128, softmax cross-entropy, Adam) in
minitf and in TensorFlow (``tensorflow.compat.v1``), in one command:

    python bench/bench_training.py                 # median steps/s of both, and the ratio
    python bench/bench_training.py --runs 7 --steps 200
    python bench/bench_training.py --rounds 5      # alternate processes (a busy machine)
    python bench/bench_training.py --blas-threads 1   # numpy's BLAS on one thread (minitf)
    python bench/bench_training.py --profile       # minitf's time per op type (step stats)
    python bench/bench_training.py --optimizer momentum   # gd | momentum | adagrad | rmsprop |
                                                          # adadelta | adam

Each framework runs in a fresh subprocess (their thread pools never meet). The same graph is
built in both: ``tf.matmul`` + bias + ``tf.nn.relu`` twice, logits, ``reduce_mean`` of
``softmax_cross_entropy_with_logits_v2``, ``tf.train.AdamOptimizer(1e-3).minimize`` with a
global step. After a warm-up (plan building, numba compilation), ``--runs`` timed runs of
``--steps`` steps each on fixed random batches; the median steps/s is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
GOAL_STEPS_PER_S = 250.0
TF_REFERENCE = 138.0  # the TF figure on this machine
SIZES = (784, 512, 512, 10)
BATCH = 128


def _framework(name: str) -> Any:
    if name == "minitf":
        import minitf as tf

        return tf
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    tf.logging.set_verbosity(tf.logging.ERROR)
    return tf


def _optimizer(tf: Any, name: str) -> Any:
    return {
        "gd": lambda: tf.train.GradientDescentOptimizer(0.01),
        "momentum": lambda: tf.train.MomentumOptimizer(0.01, 0.9),
        "adagrad": lambda: tf.train.AdagradOptimizer(0.01),
        "rmsprop": lambda: tf.train.RMSPropOptimizer(0.001),
        "adadelta": lambda: tf.train.AdadeltaOptimizer(1.0),
        "adam": lambda: tf.train.AdamOptimizer(1e-3),
    }[name]()


def build(tf: Any, optimizer: str = "adam") -> dict[str, Any]:
    """The benchmark graph (the same code for both frameworks)."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float32, [None, SIZES[0]], name="x")
    y = tf.placeholder(tf.float32, [None, SIZES[-1]], name="y")
    h = x
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        w = tf.Variable((rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in))
                        .astype(np.float32), name=f"w{i}")
        b = tf.Variable(np.zeros(n_out, np.float32), name=f"b{i}")
        h = tf.matmul(h, w) + b
        if i < len(SIZES) - 2:
            h = tf.nn.relu(h)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
    step = tf.train.get_or_create_global_step()
    train = _optimizer(tf, optimizer).minimize(loss, global_step=step)
    return {"x": x, "y": y, "loss": loss, "train": train}


def _batches(n: int = 8) -> list[tuple[Any, Any]]:
    import numpy as np

    rng = np.random.default_rng(1)
    out = []
    for _ in range(n):
        xs = rng.random((BATCH, SIZES[0]), dtype=np.float32)
        ys = np.eye(SIZES[-1], dtype=np.float32)[rng.integers(0, SIZES[-1], BATCH)]
        out.append((xs, ys))
    return out


def worker(opts: argparse.Namespace) -> dict[str, Any]:
    tf = _framework(opts.framework)
    t0 = time.perf_counter()
    m = build(tf, opts.optimizer)
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    batches = _batches()
    feeds = [{m["x"]: xs, m["y"]: ys} for xs, ys in batches]
    train = m["train"]
    sess.run(train, feeds[0])
    first_step_s = time.perf_counter() - t0
    for i in range(opts.warmup):
        sess.run(train, feeds[i % len(feeds)])
    rates = []
    for _ in range(opts.runs):
        t = time.perf_counter()
        for i in range(opts.steps):
            sess.run(train, feeds[i % len(feeds)])
        rates.append(opts.steps / (time.perf_counter() - t))
    loss = float(sess.run(m["loss"], feeds[0]))
    result = {"framework": opts.framework, "steps_per_s": statistics.median(rates),
              "rates": rates, "first_step_s": first_step_s, "loss": loss}
    if opts.profile and opts.framework == "minitf":
        result["profile"] = _profile(tf, sess, train, feeds, opts.steps)
    sess.close()
    return result


def _profile(tf: Any, sess: Any, train: Any, feeds: list[Any], steps: int) -> list[Any]:
    """Seconds per step by op type, from the session's step stats (FULL_TRACE)."""
    totals: dict[str, float] = {}
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    n = max(steps // 4, 10)
    for i in range(n):
        meta = tf.RunMetadata()
        sess.run(train, feeds[i % len(feeds)], options=options, run_metadata=meta)
        for dev in meta.step_stats.dev_stats:
            for node in dev.node_stats:
                kind = node.timeline_label.split("(")[0].split(" = ")[-1].strip() or \
                    node.node_name
                if "=" in node.timeline_label:
                    kind = node.timeline_label.split("=", 1)[1].split("(")[0].strip()
                totals[kind] = totals.get(kind, 0.0) + node.all_end_rel_micros / 1e6
    return sorted(((k, v / n) for k, v in totals.items()), key=lambda kv: -kv[1])


def _run_worker(framework: str, opts: argparse.Namespace) -> dict[str, Any] | None:
    args = [sys.executable, __file__, "--worker", "--framework", framework,
            "--runs", str(opts.runs), "--steps", str(opts.steps), "--warmup", str(opts.warmup),
            "--optimizer", opts.optimizer, "--blas-threads", str(opts.blas_threads)] + \
        (["--profile"] if opts.profile else [])
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    if opts.blas_threads and framework == "minitf":
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(opts.blas_threads)
    out = subprocess.run(args, capture_output=True, text=True, env=env, cwd=str(ROOT))
    if out.returncode != 0:
        print(f"{framework} failed:\n{out.stderr[-3000:]}", file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--rounds", type=int, default=1,
                   help="alternate minitf/TF worker processes this many times (a busy machine: "
                        "the ratio is the median of the paired rounds)")
    p.add_argument("--optimizer", default="adam",
                   choices=["gd", "momentum", "adagrad", "rmsprop", "adadelta", "adam"])
    p.add_argument("--no-tf", action="store_true")
    p.add_argument("--blas-threads", type=int, default=0,
                   help="limit numpy's BLAS threads in the minitf worker (OPENBLAS_NUM_THREADS)")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--framework", default="minitf", help=argparse.SUPPRESS)
    opts = p.parse_args()
    if opts.worker:
        print(json.dumps(worker(opts)))
        return
    mine_runs: list[dict[str, Any]] = []
    tf_runs: list[dict[str, Any]] = []
    for _ in range(opts.rounds):
        r = _run_worker("minitf", opts)
        if r:
            mine_runs.append(r)
        if not opts.no_tf:
            r = _run_worker("tensorflow", opts)
            if r:
                tf_runs.append(r)
    print(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, softmax xent, "
          f"{opts.optimizer}; median of {opts.runs} runs x {opts.steps} steps"
          + (f", {opts.rounds} alternating rounds" if opts.rounds > 1 else "")
          + (f", minitf BLAS threads {opts.blas_threads}" if opts.blas_threads else "")
          + f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    medians = {}
    for runs in (mine_runs, tf_runs):
        for r in runs:
            print(f"  {r['framework']:<10} {r['steps_per_s']:8.1f} steps/s   "
                  f"(runs: {', '.join(f'{x:.0f}' for x in r['rates'])}; first step "
                  f"{r['first_step_s']:.2f} s incl. build; loss {r['loss']:.4f})")
        if runs:
            medians[runs[0]["framework"]] = statistics.median(r["steps_per_s"] for r in runs)
    mine = medians.get("minitf")
    theirs = medians.get("tensorflow")
    if mine and theirs:
        pairs = [a["steps_per_s"] / b["steps_per_s"] for a, b in zip(mine_runs, tf_runs)]
        print(f"  median: minitf {mine:.1f} steps/s, TF {theirs:.1f} steps/s; "
              f"minitf / TF = {statistics.median(pairs):.2f}x")
    if mine:
        print(f"  goal >= {GOAL_STEPS_PER_S:.0f} steps/s: "
              f"{'met' if mine >= GOAL_STEPS_PER_S else 'not met'} "
              f"(the issue measured TF at {TF_REFERENCE:.0f})")
    prof = mine_runs[-1].get("profile") if mine_runs else None
    if prof:
        total = sum(v for _, v in prof)
        print(f"minitf time per step by op ({total * 1e3:.2f} ms traced):")
        for kind, secs in prof[:20]:
            print(f"  {kind:<40} {secs * 1e3:8.3f} ms  {secs / total:6.1%}")


if __name__ == "__main__":
    main()
