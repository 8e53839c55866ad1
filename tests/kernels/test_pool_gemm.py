"""GEMM blocks on the pool's GIL-free workers (kernels/cpu/pool_jit.py, parallel.run_blocks,
matmul._split_blocks): exact blocks, the same bits whoever runs them, fallbacks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

pytest.importorskip("numba")

from minitf.kernels.cpu import matmul as mm  # noqa: E402
from minitf.kernels.cpu import parallel  # noqa: E402
from minitf.kernels.cpu.parallel import blas_limiter  # noqa: E402

pytestmark = pytest.mark.skipif(not parallel.blocks_ready(),
                                reason="numpy's BLAS is not a pthreads OpenBLAS")


def _inline(a: np.ndarray, b: np.ndarray, threads: int) -> np.ndarray:
    """The same blocks, all computed on this thread (pool_jit.run_blocks)."""
    out = np.empty((a.shape[0], b.shape[1]), dtype=a.dtype)
    calls: list[np.ndarray] = []
    real = parallel.run_blocks

    def capture(blocks: np.ndarray, threads: int) -> None:
        calls.append(blocks.copy())
        waiter = parallel._POOL._waiter
        waiter.jit.run_blocks(blocks, *waiter.gemm)

    parallel.run_blocks = capture  # type: ignore[assignment]
    mm.run_blocks = capture  # type: ignore[assignment]
    try:
        assert mm._split_blocks(a, b, out, threads)
    finally:
        parallel.run_blocks = real  # type: ignore[assignment]
        mm.run_blocks = real  # type: ignore[assignment]
    assert len(calls) == 1 and 2 <= len(calls[0]) <= threads
    return out


def _operands(rng: np.random.Generator, m: int, k: int, n: int, dtype: type, layout: str):
    if layout == "plain":
        a = rng.standard_normal((m, k)).astype(dtype)
        b = rng.standard_normal((k, n)).astype(dtype)
    elif layout == "transposed":
        a = rng.standard_normal((k, m)).astype(dtype).T
        b = rng.standard_normal((n, k)).astype(dtype).T
    else:  # slices of larger arrays: leading dimensions larger than the row length
        a = rng.standard_normal((m + 3, k + 5)).astype(dtype)[1:m + 1, 2:k + 2]
        b = rng.standard_normal((k + 2, n + 7)).astype(dtype)[:k, 3:n + 3]
    return a, b


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["plain", "transposed", "sliced"])
@pytest.mark.parametrize("m,k,n", [(64, 784, 256), (784, 64, 256), (37, 53, 250), (300, 17, 40),
                                   (2, 5, 33)])
@pytest.mark.parametrize("threads", [2, 3])
def test_split_blocks_match_reference_and_inline_bits(dtype, layout, m, k, n, threads):
    rng = np.random.default_rng(m * 1000 + n)
    a, b = _operands(rng, m, k, n, dtype, layout)
    want = a.astype(np.float64) @ b.astype(np.float64)
    with blas_limiter:
        out = np.empty((m, n), dtype=dtype)
        assert mm._split_blocks(a, b, out, threads)
        inline = _inline(a, b, threads)
    tol = 2e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(out, want, rtol=tol, atol=tol * np.sqrt(k))
    # every block is the same BLAS call whichever thread runs it: same bits
    assert np.array_equal(out, inline)


def _pair(seed: int, m: int, k: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((m, k)).astype(np.float32),
            rng.standard_normal((k, n)).astype(np.float32))


def test_split_is_deterministic_run_to_run():
    a, b = _pair(0, 64, 784, 256)
    with blas_limiter:
        first = mm.gemm(a, b, 2)
        for i in range(200):
            if i % 50 == 0:
                time.sleep(0.01)  # let the worker fall asleep now and then: the caller does all
            assert np.array_equal(mm.gemm(a, b, 2), first)


def test_worker_takes_blocks_when_it_polls():
    a, b = _pair(1, 64, 784, 256)
    pool = parallel._POOL
    with blas_limiter:
        mm.gemm(a, b, 2)
        before = int(pool._ctrls[0, 16])  # DONE: blocks finished by worker 0
        for _ in range(300):
            mm.gemm(a, b, 2)
    if parallel.free_cores() < 1.5:
        pytest.skip("another process keeps a core busy: blocks run on the caller")
    assert int(pool._ctrls[0, 16]) > before


@pytest.mark.parametrize("shape", [(1, 500, 500), (500, 500, 1), (500, 1, 500)])
def test_degenerate_shapes_decline(shape):
    m, k, n = shape
    a = np.ones((m, k), np.float32)
    b = np.ones((k, n), np.float32)
    out = np.empty((m, n), np.float32)
    with blas_limiter:
        assert not mm._split_blocks(a, b, out, 2)
        np.testing.assert_array_equal(mm.gemm(a, b, 2), a @ b)


def test_non_blas_strides_decline():
    a = np.ones((200, 400), np.float32)[:, ::2]   # column stride 2: not a BLAS operand
    b = np.ones((200, 300), np.float32)
    out = np.empty((200, 300), np.float32)
    assert mm._operand(a) is None
    with blas_limiter:
        assert not mm._split_blocks(a, b, out, 2)
        np.testing.assert_allclose(mm.gemm(a, b, 2), a @ b)


def test_concurrent_callers_get_right_answers():
    a, b = _pair(2, 128, 300, 200)
    with blas_limiter:
        want = mm.gemm(a, b, 2)
    errors: list[str] = []

    def caller() -> None:
        with blas_limiter:
            for _ in range(100):
                if not np.array_equal(mm.gemm(a, b, 2), want):
                    errors.append("mismatch")

    threads = [threading.Thread(target=caller) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert not errors


def test_parallel_for_still_runs_every_task_after_gemm_blocks():
    seen: list[int] = []
    lock = threading.Lock()
    a = np.ones((64, 784), np.float32)
    b = np.ones((784, 256), np.float32)

    def task(i: int) -> None:
        with lock:
            seen.append(i)

    with blas_limiter:
        for _ in range(20):
            mm.gemm(a, b, 2)
            parallel.parallel_for(7, task, 2)
    assert sorted(seen) == sorted(list(range(7)) * 20)


def test_spin_off_uses_blocking_pool(tmp_path):
    code = (
        "import numpy as np\n"
        "from minitf.kernels.cpu import parallel, matmul as mm\n"
        "assert not parallel.blocks_ready()\n"
        "a = np.ones((64, 784), np.float32); b = np.ones((784, 256), np.float32)\n"
        "with parallel.blas_limiter:\n"
        "    r = mm.gemm(a, b, 2)\n"
        "assert (r == 784).all()\n"
        "hits = []\n"
        "parallel.parallel_for(5, hits.append, 2)\n"
        "assert sorted(hits) == list(range(5))\n")
    env = dict(os.environ, MINITF_SPIN_US="0")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr


def test_waiter_self_check_passes_here():
    """The pool checks a small product through its own BLAS path before using it."""
    waiter = parallel._POOL._waiter
    assert waiter is not None and waiter.gemm is not None
    assert waiter._gemm_works()
