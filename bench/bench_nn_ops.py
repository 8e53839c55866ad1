"""nn op benchmarks on LeNet-on-MNIST shapes (batch 64): conv forward/backward, pooling,
softmax cross-entropy, bias/relu, and a whole LeNet forward+backward step — minitf (numba
kernels) against tensorflow.compat.v1 and minitf's numpy references.

    python bench/bench_nn_ops.py [--repeats 7] [--no-tf] [--compile] [--conv-designs]
                                 [--threads N] [--stat median|min] [--only NAME]
    python bench/bench_nn_ops.py --winograd [--stat min]   # conv2's products: im2col / Winograd
    python bench/bench_nn_ops.py --winograd-sweep [--stat min]   # the shapes behind its gate

Each number is the median of ``--repeats`` batches after warm-up (so plan building and numba
compilation are outside the timings); inputs are fed through placeholders in both frameworks.
``--stat min`` reports the fastest call instead (stabler on a machine busy with other jobs).
``--compile`` also measures numba compile times of the nn kernels on a cold cache (and the load
time from a warm cache) in fresh interpreters. ``--threads N`` limits BLAS (OpenBLAS/OpenMP)
and TF's intra/inter-op pools to N threads (a fairer comparison on a busy machine).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def _early_threads() -> int | None:
    """--threads must act before numpy (and its BLAS) is imported."""
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return int(sys.argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return None


THREADS = _early_threads()
if THREADS:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                 "NUMBA_NUM_THREADS"):
        os.environ[_var] = str(THREADS)

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import ROOT, Table, fmt_time, load_tf, median_time  # noqa: E402

STAT = "min" if "--stat=min" in sys.argv or ("--stat" in sys.argv and "min" in sys.argv) \
    else "median"


def best_time(fn, repeats: int, min_batch_s: float = 0.2) -> float:  # noqa: ANN001
    """Median seconds per call (as ``common.median_time``), or with ``--stat min`` the fastest
    batch: on a machine shared with other jobs the minimum is the stabler estimate."""
    if STAT == "median":
        return median_time(fn, repeats, min_batch_s=min_batch_s)
    import time

    for _ in range(3):
        fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        n = 0
        while time.perf_counter() - t0 < min_batch_s / 4 or n == 0:
            t1 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t1)
            n += 1
    return best

B = 64
rng = np.random.default_rng(0)


def arr(*shape: int, scale: float = 1.0) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


X1, W1 = arr(B, 28, 28, 1), arr(5, 5, 1, 32, scale=0.2)
Y1 = arr(B, 28, 28, 32)
X2, W2 = arr(B, 14, 14, 32), arr(5, 5, 32, 64, scale=0.05)
Y2 = arr(B, 14, 14, 64)
P1 = arr(B, 14, 14, 32)
LOGITS, LABELS = arr(B, 10, scale=3), rng.integers(0, 10, B).astype(np.int32)
ONEHOT = np.eye(10, dtype=np.float32)[LABELS]
S1, S2 = (1, 1, 1, 1), "SAME"
POOL = ([1, 2, 2, 1], [1, 2, 2, 1], "SAME")


def raw(tf, name: str):  # noqa: ANN201
    """The op-level function: minitf's module function, or tf.raw_ops."""
    if tf.__name__.startswith("minitf"):
        from minitf.ops import nn_conv_ops, nn_pooling_ops

        return {"Conv2DBackpropInput": nn_conv_ops.conv2d_backprop_input,
                "Conv2DBackpropFilter": nn_conv_ops.conv2d_backprop_filter,
                "MaxPoolGrad": nn_pooling_ops.max_pool_grad,
                "AvgPoolGrad": nn_pooling_ops.avg_pool_grad}[name]
    ops = tf.raw_ops
    return {"Conv2DBackpropInput": lambda s, w, d, st, p: ops.Conv2DBackpropInput(
                input_sizes=s, filter=w, out_backprop=d, strides=list(st), padding=p),
            "Conv2DBackpropFilter": lambda x, s, d, st, p: ops.Conv2DBackpropFilter(
                input=x, filter_sizes=s, out_backprop=d, strides=list(st), padding=p),
            "MaxPoolGrad": lambda x, y, g, k, s, p: ops.MaxPoolGrad(
                orig_input=x, orig_output=y, grad=g, ksize=k, strides=s, padding=p),
            "AvgPoolGrad": lambda sh, g, k, s, p: ops.AvgPoolGrad(
                orig_input_shape=sh, grad=g, ksize=k, strides=s, padding=p)}[name]


def workloads(tf):  # noqa: ANN201
    """name -> (build(tf, *placeholders) -> fetch, feed values)."""
    def conv(a, b):
        return tf.nn.conv2d(a, b, S1, S2)

    def conv_bi(shape):
        return lambda w, d: raw(tf, "Conv2DBackpropInput")(np.array(shape, np.int32), w, d, S1,
                                                           S2)

    def conv_bf(shape):
        return lambda x, d: raw(tf, "Conv2DBackpropFilter")(x, np.array(shape, np.int32), d, S1,
                                                            S2)

    def lenet(x, w1, w2, w3, labels):
        h = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(x, w1, S1, S2)), *POOL)
        h = tf.nn.max_pool(tf.nn.relu(tf.nn.conv2d(h, w2, S1, S2)), *POOL)
        logits = tf.matmul(tf.reshape(h, [-1, 7 * 7 * 64]), w3)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits))
        return tf.gradients(loss, [w1, w2, w3])

    return {
        "conv1 fwd 28x28x1 -> 5x5x32": (conv, [X1, W1]),
        "conv1 bwd filter": (conv_bf(W1.shape), [X1, Y1]),
        "conv2 fwd 14x14x32 -> 5x5x64": (conv, [X2, W2]),
        "conv2 bwd input": (conv_bi(X2.shape), [W2, Y2]),
        "conv2 bwd filter": (conv_bf(W2.shape), [X2, Y2]),
        "max_pool fwd 28x28x32 2x2": (lambda a: tf.nn.max_pool(a, *POOL), [Y1]),
        "max_pool bwd": (lambda a, y, g: raw(tf, "MaxPoolGrad")(a, y, g, *POOL), [Y1, None, P1]),
        "avg_pool fwd 28x28x32 2x2": (lambda a: tf.nn.avg_pool(a, *POOL), [Y1]),
        "avg_pool bwd": (lambda g: raw(tf, "AvgPoolGrad")(np.array(Y1.shape, np.int32), g,
                                                          *POOL), [P1]),
        "bias_add + relu 28x28x32": (lambda a, b: tf.nn.relu(tf.nn.bias_add(a, b)),
                                     [Y1, arr(32)]),
        "softmax xent fwd+bwd 64x10": (
            lambda a, z: list(tf.raw_ops.SoftmaxCrossEntropyWithLogits(features=a, labels=z))
            if hasattr(tf, "raw_ops") else list(_mine_xent(a, z)), [LOGITS, ONEHOT]),
        "sparse xent fwd+bwd 64x10": (
            lambda a, z: list(tf.raw_ops.SparseSoftmaxCrossEntropyWithLogits(features=a,
                                                                               labels=z))
            if hasattr(tf, "raw_ops") else list(_mine_sparse_xent(a, z)), [LOGITS, LABELS]),
        "LeNet fwd+bwd step (grads of 3 weights)": (
            lenet, [X1, W1, W2, arr(7 * 7 * 64, 10, scale=0.01), LABELS]),
    }


def _mine_xent(a, z):  # noqa: ANN001, ANN202
    from minitf.framework.op_def_library import apply_op

    return apply_op("SoftmaxCrossEntropyWithLogits", features=a, labels=z)


def _mine_sparse_xent(a, z):  # noqa: ANN001, ANN202
    from minitf.framework.op_def_library import apply_op

    return apply_op("SparseSoftmaxCrossEntropyWithLogits", features=a, labels=z)


def time_workload(tf, build, values, repeats: int) -> float:
    values = list(values)
    if len(values) > 1 and values[1] is None:  # MaxPoolGrad: orig_output = max_pool(orig_input)
        values[1] = _max_pool_np(values[0])
    g = tf.Graph()
    with g.as_default():
        phs = [tf.placeholder(tf.as_dtype(v.dtype), v.shape) for v in values]
        fetch = build(*phs)
        config = None
        if THREADS and not tf.__name__.startswith("minitf"):
            config = tf.ConfigProto(intra_op_parallelism_threads=THREADS,
                                    inter_op_parallelism_threads=THREADS)
        sess = tf.Session(graph=g, config=config)
    feed = dict(zip(phs, values))
    t = best_time(lambda: sess.run(fetch, feed), repeats)
    sess.close()
    return t


def _max_pool_np(x: np.ndarray) -> np.ndarray:
    from minitf.ops import nn_conv_reference as ref

    return ref.max_pool(x, *POOL)


def numpy_reference(name: str, values, repeats: int) -> float | None:  # noqa: ANN001
    """The same op through minitf's numpy reference (the fallback without numba)."""
    import minitf
    from minitf.kernels.registry import reference_kernels_only

    if name.startswith("LeNet"):
        with reference_kernels_only():
            return time_workload(minitf, workloads(minitf)[name][0], values, repeats)
    with reference_kernels_only():
        return time_workload(minitf, workloads(minitf)[name][0], values, repeats)


COMPILE_SCRIPT = r"""
import time, numpy as np
t0 = time.perf_counter()
import minitf
from minitf.kernels.cpu import nn_activation, nn_bias, nn_conv, nn_pool, nn_softmax
from minitf.kernels.cpu import (nn_activation_jit, nn_bias_jit, nn_conv_jit, nn_pool_jit,
                                nn_softmax_jit)
print("import", time.perf_counter() - t0)
f = np.zeros((2, 6, 6, 3), np.float32); w = np.zeros((3, 3, 3, 4), np.float32)
from minitf.ops.nn_conv_utils import window_2d
win = window_2d(6, 6, 3, 3, [1, 1, 1, 1], [1, 1, 1, 1], "SAME", "NHWC")
pg = (2, 2, 2, 2, 0, 0)
o = np.zeros((2, 3, 3, 3), np.float32)
x2 = np.zeros((4, 5), np.float32); l = np.zeros(4, np.int32)
flat = np.zeros(8, np.float32)
f3 = f.reshape(2, 6, -1)
f8, w8 = np.zeros((2, 6, 6, 8), np.float32), np.zeros((3, 3, 8, 4), np.float32)
dy = np.zeros((2, 6, 6, 4), np.float32)
acts = ("relu_flat", "relu6_flat", "elu_flat")
grads = ("relu_grad_flat", "relu6_grad_flat", "elu_grad_flat")
jobs = {
  "nn_conv (fwd, bwd input, bwd filter; few/many channels)": lambda: [(
      nn_conv_jit.conv2d_nhwc(a, b, win),
      nn_conv_jit.conv2d_backprop_input_nhwc(a.shape, b, dy, win),
      nn_conv_jit.conv2d_backprop_filter_nhwc(a, dy, 3, 3, win)) for a, b in ((f, w), (f8, w8))],
  "nn_pool (max/avg fwd+bwd)": lambda: (
      nn_pool_jit.max_pool_nhwc(f, *pg, o.copy()),
      nn_pool_jit.max_pool_grad_nhwc(f, o, *pg, f.copy()),
      nn_pool_jit.avg_pool_nhwc(f, *pg, o.copy()),
      nn_pool_jit.avg_pool_grad_nhwc(o, *pg, f.copy())),
  "nn_softmax (softmax, log_softmax, xent, sparse xent)": lambda: (
      nn_softmax_jit.softmax_rows(x2, x2.copy()), nn_softmax_jit.log_softmax_rows(x2, x2.copy()),
      nn_softmax_jit.xent_rows(x2, x2, np.zeros(4, np.float32), x2.copy()),
      nn_softmax_jit.sparse_xent_rows(x2, l, np.zeros(4, np.float32), x2.copy())),
  "nn_activation (relu/relu6/elu + grads)": lambda: (
      [getattr(nn_activation_jit, n)(flat, flat.copy()) for n in acts],
      [getattr(nn_activation_jit, n)(flat, flat, flat.copy()) for n in grads]),
  "nn_bias (add, grad; NHWC+NCHW)": lambda: (
      nn_bias_jit.bias_add_last(x2, np.zeros(5, np.float32), x2.copy()),
      nn_bias_jit.bias_add_channels_first(f3, np.zeros(6, np.float32), f3.copy()),
      nn_bias_jit.bias_grad_last(x2, np.zeros(5, np.float32)),
      nn_bias_jit.bias_grad_channels_first(f3, np.zeros(6, np.float32))),
}
total = 0.0
for name, job in jobs.items():
    t = time.perf_counter(); job(); dt = time.perf_counter() - t; total += dt
    print(name, dt)
print("total (float32 signatures)", total)
"""


def conv_alternatives(repeats: int) -> None:
    """The two designs measured for the Conv2D forward kernel, at the kernel level."""
    from minitf.kernels.cpu import nn_conv_jit as jit
    from minitf.ops.nn_conv_utils import window_2d

    print("Conv2D forward kernel designs (no session):")
    for x, w in ((X1, W1), (X2, W2)):
        win = window_2d(x.shape[1], x.shape[2], w.shape[0], w.shape[1], S1, S1, S2, "NHWC")
        out = np.empty((x.shape[0], win.out_h, win.out_w, w.shape[3]), np.float32)
        geom = (win.stride_h, win.stride_w, win.dil_h, win.dil_w, win.pad_top, win.pad_left,
                win.out_h, win.out_w)
        t_im2col = best_time(lambda x=x, w=w, win=win: jit.conv2d_nhwc(x, w, win), repeats)
        t_direct = best_time(lambda x=x, w=w, g=geom, o=out: jit.conv2d_direct(x, w, *g, o),
                             repeats)
        print(f"  {str(x.shape):18s} * {str(w.shape):14s} im2col + BLAS {fmt_time(t_im2col):>9s}"
              f"   direct loops {fmt_time(t_direct):>9s}")


def winograd_products(repeats: int) -> None:
    """conv2's three products (64x14x14x32 -> 64, 5x5, SAME) at the kernel level: im2col + GEMM
    against Winograd F(2x2, 5x5), on one thread and on two (the intra-op pool, BLAS on one)."""
    from minitf.kernels.cpu import nn_conv_jit as jit
    from minitf.kernels.cpu import nn_conv_winograd as wino
    from minitf.kernels.cpu.parallel import blas_limiter
    from minitf.ops.nn_conv_utils import window_2d

    win = window_2d(14, 14, 5, 5, S1, S1, S2, "NHWC")
    dy = arr(B, 14, 14, 64)
    paths = {
        "im2col": (lambda t: jit.conv2d_nhwc(X2, W2, win, t),
                   lambda t: jit.conv2d_backprop_input_nhwc(X2.shape, W2, dy, win, t),
                   lambda t: jit.conv2d_backprop_filter_nhwc(X2, dy, 5, 5, win, t)),
        "Winograd": (lambda t: wino.conv2d(X2, W2, win, t),
                     lambda t: wino.conv2d_backprop_input(X2.shape, W2, dy, win, t),
                     lambda t: wino.conv2d_backprop_filter(X2, dy, win, t)),
    }
    print(f"conv2 products, {B}x14x14x32 -> 64, 5x5 SAME, float32 (kernels, no session):")
    print(f"  {'':10s} {'threads':>7s} {'Conv2D':>10s} {'BackpropInput':>14s} "
          f"{'BackpropFilter':>15s} {'sum':>10s}")
    with blas_limiter:
        for threads in (1, 2):
            for name, fns in paths.items():
                times = [best_time(lambda f=f, t=threads: f(t), repeats) for f in fns]
                print(f"  {name:10s} {threads:7d} {fmt_time(times[0]):>10s} "
                      f"{fmt_time(times[1]):>14s} {fmt_time(times[2]):>15s} "
                      f"{fmt_time(sum(times)):>10s}")


SWEEP = [  # N, H, W, C, K, r (SAME): the shapes behind nn_conv_winograd's gate
    (1, 8, 8, 16, 16, 3), (2, 10, 10, 16, 16, 3), (4, 10, 10, 16, 16, 5), (2, 14, 14, 16, 32, 3),
    (8, 14, 14, 16, 16, 5), (4, 14, 14, 32, 64, 5), (64, 7, 7, 64, 64, 3), (8, 28, 28, 16, 32, 3),
    (32, 32, 32, 64, 64, 3), (8, 9, 9, 24, 40, 5), (8, 28, 28, 12, 12, 3), (8, 28, 28, 8, 32, 3),
]


def _sweep_ratios(n: int, h: int, w_: int, c: int, k: int, r: int,
                  repeats: int) -> list[float]:
    """im2col time / Winograd time of the three products of one SAME convolution, one
    thread (Winograd's drivers need >= 16 channels: fewer are zero-padded to 16)."""
    from minitf.kernels.cpu import nn_conv_jit as jit
    from minitf.kernels.cpu import nn_conv_winograd as wino
    from minitf.ops.nn_conv_utils import window_2d

    x, w, dy = arr(n, h, w_, c), arr(r, r, c, k, scale=0.05), arr(n, h, w_, k)
    win = window_2d(h, w_, r, r, S1, S1, S2, "NHWC")
    cp, kp = max(c, 16), max(k, 16)
    xp, wp = np.zeros((n, h, w_, cp), np.float32), np.zeros((r, r, cp, kp), np.float32)
    dyp = np.zeros((n, h, w_, kp), np.float32)
    xp[..., :c], wp[:, :, :c, :k], dyp[..., :k] = x, w, dy
    im = [best_time(f, repeats) for f in (
        lambda: jit.conv2d_nhwc(x, w, win, 1),
        lambda: jit.conv2d_backprop_input_nhwc(x.shape, w, dy, win, 1),
        lambda: jit.conv2d_backprop_filter_nhwc(x, dy, r, r, win, 1))]
    wg = [best_time(f, repeats) for f in (
        lambda: wino.conv2d(xp, wp, win, 1),
        lambda: wino.conv2d_backprop_input(xp.shape, wp, dyp, win, 1),
        lambda: wino.conv2d_backprop_filter(xp, dyp, win, 1))]
    return [a / b for a, b in zip(im, wg)]


def winograd_sweep(repeats: int) -> None:
    """im2col time / Winograd time on shapes around Winograd's gate (the last two are below
    it)."""
    from minitf.kernels.cpu.parallel import blas_limiter

    print("im2col / Winograd, one thread (forward / input gradient / filter gradient):")
    with blas_limiter:
        for n, h, w_, c, k, r in SWEEP:
            ratios = _sweep_ratios(n, h, w_, c, k, r, repeats)
            mflop = 2e-6 * n * h * w_ * c * k * r * r
            print(f"  {n}x{h}x{w_}x{c} -> {k}, {r}x{r} ({mflop:.1f} MFLOP): " +
                  " / ".join(f"{v:.2f}" for v in ratios))


def compile_times() -> None:
    """Cold-cache numba compile times, then warm-cache load times, in fresh interpreters."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(ROOT))
        for label in ("cold cache (compile)", "warm cache (load from disk)"):
            out = subprocess.run([sys.executable, "-c", COMPILE_SCRIPT], env=env, cwd=str(ROOT),
                                 capture_output=True, text=True, check=True).stdout
            print(f"numba {label}:")
            for line in out.strip().splitlines():
                name, _, secs = line.rpartition(" ")
                print(f"  {name:58s} {fmt_time(float(secs))}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--no-tf", action="store_true", help="skip TensorFlow")
    ap.add_argument("--compile", action="store_true", help="also measure numba compile times")
    ap.add_argument("--conv-designs", action="store_true",
                    help="also time the im2col and direct-loop Conv2D forward kernels")
    ap.add_argument("--winograd", action="store_true",
                    help="only time conv2's three products, im2col against Winograd")
    ap.add_argument("--winograd-sweep", action="store_true",
                    help="only time im2col / Winograd on the shapes behind Winograd's gate")
    ap.add_argument("--only", default="", help="run workloads whose name contains this")
    ap.add_argument("--stat", choices=["median", "min"], default="median",
                    help="median of batches (default) or the fastest call")
    ap.add_argument("--threads", type=int, default=None,
                    help="limit BLAS and TF thread pools to this many threads")
    args = ap.parse_args()
    if args.winograd or args.winograd_sweep:
        if args.winograd:
            winograd_products(args.repeats)
        if args.winograd_sweep:
            winograd_sweep(args.repeats)
        return

    import minitf
    from minitf.kernels.cpu import (  # noqa: F401 - until kernels/cpu/__init__ imports them
        nn_activation,
        nn_bias,
        nn_conv,
        nn_pool,
        nn_softmax,
    )

    tf1 = None if args.no_tf else load_tf()
    threads = f"{THREADS} thread(s)" if THREADS else "default threads"
    stat = f"medians of {args.repeats} runs" if STAT == "median" else \
        f"fastest call of {args.repeats} rounds"
    table = Table(f"nn ops, LeNet/MNIST shapes, batch {B}, float32 ({stat}; "
                  f"{os.cpu_count()} CPUs, {threads}, load average "
                  f"{os.getloadavg()[0]:.1f})")
    mine_w = {k: v for k, v in workloads(minitf).items() if args.only in k}
    # minitf first, TF afterwards: TF's idle pool threads spin for a while after each run and
    # would steal the CPUs from whatever runs next in this process.
    mine = {k: time_workload(minitf, b, v, args.repeats) for k, (b, v) in mine_w.items()}
    ref = {k: numpy_reference(k, v, args.repeats) for k, (_, v) in mine_w.items()}
    theirs: dict[str, float | None] = dict.fromkeys(mine_w)
    if tf1:
        tf_w = workloads(tf1)
        theirs = {k: time_workload(tf1, tf_w[k][0], v, args.repeats)
                  for k, (_, v) in mine_w.items()}
    for name in mine_w:
        table.add(name, mine[name], theirs[name], ref[name])
    print()
    print(table.render().replace("numpy ", "numpy ref", 1))
    if args.conv_designs:
        print()
        conv_alternatives(args.repeats)
    if args.compile:
        print()
        compile_times()


if __name__ == "__main__":
    main()
