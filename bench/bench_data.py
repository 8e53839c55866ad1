"""tf.data input pipelines: seconds per ``sess.run(get_next)`` — minitf against
tensorflow.compat.v1 (when installed), in one command.

    python bench/bench_data.py [--repeats 7] [--no-tf]

MNIST-sized arrays (8000 x 784 float32 images, int64 labels) are fed to the initializer
through placeholders; the pipelines repeat forever so timing never hits the end. Each number is
the median of ``--repeats`` batches of calls after warm-up runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import Table, load_tf, median_time  # noqa: E402

N, D, BATCH = 8000, 784, 64


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return (rng.random((N, D), dtype=np.float32), rng.integers(0, 10, N).astype(np.int64))


def pipeline(tf, kind: str, repeats: int) -> float:
    """Seconds per get_next of one pipeline (``kind``: shuffle, plain, map)."""
    x_np, y_np = _data()
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [N, D])
        y = tf.placeholder(tf.int64, [N])
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        if kind == "shuffle":
            ds = ds.shuffle(1000, seed=1)
        elif kind == "map":
            ds = ds.map(lambda a, b: (a * 2.0, b + 1))
        ds = ds.repeat().batch(BATCH)
        it = ds.make_initializable_iterator()
        nxt = it.get_next()
        sess = tf.Session(graph=g)
    sess.run(it.initializer, {x: x_np, y: y_np})
    t = median_time(lambda: sess.run(nxt), repeats)
    sess.close()
    return t


def numpy_shuffle_batch(repeats: int) -> float:
    x_np, y_np = _data()
    rng = np.random.default_rng(1)
    state = {"perm": rng.permutation(N), "i": 0}

    def step() -> tuple[np.ndarray, np.ndarray]:
        i = state["i"]
        if i + BATCH > N:
            state["perm"], i = rng.permutation(N), 0
        idx = state["perm"][i:i + BATCH]
        state["i"] = i + BATCH
        return x_np[idx], y_np[idx]

    return median_time(step, repeats)


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
    table = Table(f"tf.data get_next, {N}x{D} float32 + labels, batch {BATCH} "
                  f"(medians of {r} runs; python {sys.version.split()[0]})")
    table.add("from_tensor_slices.shuffle(1000).repeat.batch(64)",
              pipeline(minitf, "shuffle", r), pipeline(tf1, "shuffle", r) if tf1 else None,
              numpy_shuffle_batch(r), "< 1 ms")
    table.add("from_tensor_slices.repeat.batch(64)", pipeline(minitf, "plain", r),
              pipeline(tf1, "plain", r) if tf1 else None, None, "< 1 ms")
    table.add("from_tensor_slices.map(x*2, y+1).repeat.batch(64)", pipeline(minitf, "map", r),
              pipeline(tf1, "map", r) if tf1 else None, None, "")
    print()
    print(table.render())


if __name__ == "__main__":
    main()
