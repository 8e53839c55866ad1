"""MatMul and BatchMatMulV2 on the CPU (float32/float64): BLAS on one thread per task, large
products split over the intra-op pool (:mod:`minitf.kernels.cpu.parallel`).

A GEMM of at least ``_PARALLEL_MIN_FLOPS`` is cut into ``threads`` blocks of output rows (or of
output columns, when the output has more columns than rows), each one BLAS call writing its
block of one output array; numpy releases the GIL inside BLAS, so the blocks run on both cores.
Block boundaries depend only on the shapes and the thread count, so results are the same run to
run. Smaller products are one ``np.matmul`` call. Everything unusual (other dtypes, rank or
size mismatches: TF's errors) runs the op's numpy reference. The executor holds BLAS to one
thread while a plan with these ops runs (``parallel.blas_single_threaded``), so OpenBLAS's
busy-waiting threads never compete with the pool's.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import numpy as np

from minitf.kernels.cpu.buffers import MIN_BYTES, OutputBuffer
from minitf.kernels.cpu.parallel import (
    blas_limiter,
    blocks_ready,
    parallel_for,
    run_blocks,
    threads_for,
)
from minitf.kernels.registry import register_kernel

__all__ = ["gemm", "batch_gemm"]

_FLOAT = (np.dtype(np.float32), np.dtype(np.float64))
# below: one BLAS call (see docs/notes/performance.md); MINITF_GEMM_SPLIT_MIN_FLOPS overrides
_PARALLEL_MIN_FLOPS = float(os.environ.get("MINITF_GEMM_SPLIT_MIN_FLOPS", "5e7"))
# with GIL-free pool workers (parallel.run_blocks): products of at least this many FLOPs
# are split (a hand-off costs ~1 µs there); MINITF_GEMM_BLOCKS_MIN_FLOPS overrides
_BLOCKS_MIN_FLOPS = float(os.environ.get("MINITF_GEMM_BLOCKS_MIN_FLOPS", "4e6"))
_ALIGN = 16                 # block edges on multiples of the SIMD kernels' tile size
_NO_TRANS, _TRANS = 111, 112


def _operand(x: np.ndarray) -> tuple[int, int] | None:
    """(cblas transpose flag, leading dimension) of a 2-D array in row-major terms, or None
    when its strides are not BLAS's."""
    it = x.itemsize
    s0, s1 = x.strides
    rows, cols = x.shape
    if s1 == it and s0 % it == 0 and s0 >= cols * it:
        return _NO_TRANS, s0 // it
    if s0 == it and s1 % it == 0 and s1 >= rows * it:
        return _TRANS, s1 // it
    return None


_gemm_blocks: Any = None


@functools.lru_cache(maxsize=256)
def _edges(size: int, parts: int) -> np.ndarray:
    return np.array(_bounds(size, parts), dtype=np.int64)


def _split_blocks(a: np.ndarray, b: np.ndarray, out: np.ndarray, threads: int) -> bool:
    """``out[...] = a @ b`` as ``threads`` blocks on the pool's GIL-free workers; False (nothing
    done) when the operands or the machine do not allow it."""
    if not blocks_ready():
        return False
    m, k = a.shape
    n = b.shape[1]
    if min(m, n, k) < 2 or not out.flags.c_contiguous:
        return False
    pa, pb = _operand(a), _operand(b)
    if pa is None or pb is None:
        return False
    by_rows = m >= n
    edges = _edges(m if by_rows else n, threads)
    if edges.size < 3:
        return False
    global _gemm_blocks
    if _gemm_blocks is None:  # numba's part, loaded with the pool's first worker
        from minitf.kernels.cpu.pool_jit import gemm_blocks as _gemm_blocks
    blocks = _gemm_blocks(a, b, out, edges, by_rows, 0 if a.dtype == np.float32 else 1,
                         pa[0], pa[1], pb[0], pb[1])
    run_blocks(blocks, threads)
    return True


def _bounds(size: int, parts: int) -> list[int]:
    step = max(1, -(-size // parts))
    step = -(-step // _ALIGN) * _ALIGN
    return list(range(0, size, step)) + [size]


def gemm(a: np.ndarray, b: np.ndarray, threads: int,
         buffer: OutputBuffer | None = None) -> np.ndarray:
    """``a @ b`` for 2-D float arrays of one dtype (any strides), split over ``threads``;
    ``buffer``: the calling kernel's recycled output array."""
    m, k = a.shape
    n = b.shape[1]
    if not blas_limiter.active or not m * n * k:
        threads = 1  # BLAS has its own threads now (or the call is outside a run)
    flops = 2.0 * m * k * n
    if buffer is not None and m * n * a.itemsize >= MIN_BYTES:
        out = buffer.keep(buffer.empty((m, n), a.dtype))
    elif threads <= 1 or flops < min(_PARALLEL_MIN_FLOPS, _BLOCKS_MIN_FLOPS):
        return np.matmul(a, b)
    else:
        out = np.empty((m, n), dtype=a.dtype)
    if threads <= 1 or flops < min(_PARALLEL_MIN_FLOPS, _BLOCKS_MIN_FLOPS):
        return np.matmul(a, b, out=out)
    if flops >= _BLOCKS_MIN_FLOPS and _split_blocks(a, b, out, threads):
        return out
    if flops < _PARALLEL_MIN_FLOPS:
        return np.matmul(a, b, out=out)
    if m >= n:
        edges = _bounds(m, threads)

        def rows(i: int) -> None:
            lo, hi = edges[i], edges[i + 1]
            np.matmul(a[lo:hi], b, out=out[lo:hi])

        parallel_for(len(edges) - 1, rows, threads)
    else:
        edges = _bounds(n, threads)

        def cols(i: int) -> None:
            lo, hi = edges[i], edges[i + 1]
            np.matmul(a, b[:, lo:hi], out=out[:, lo:hi])

        parallel_for(len(edges) - 1, cols, threads)
    return out


def batch_gemm(x: np.ndarray, y: np.ndarray, threads: int) -> np.ndarray:
    """``x @ y`` for float arrays [..., m, k] @ [..., k, n] with equal batch dimensions."""
    batch = x.shape[:-2]
    m, k = x.shape[-2:]
    n = y.shape[-1]
    count = int(np.prod(batch, dtype=np.int64))
    if threads <= 1 or not blas_limiter.active or count < 2 or \
            2.0 * count * m * k * n < _PARALLEL_MIN_FLOPS:
        return np.matmul(x, y)
    x3 = x.reshape((count, m, k))
    y3 = y.reshape((count, k, n))
    out = np.empty((count, m, n), dtype=np.result_type(x, y))
    parts = min(threads, count)
    edges = [count * i // parts for i in range(parts + 1)]  # every batch entry in one part

    def part(i: int) -> None:
        lo, hi = edges[i], edges[i + 1]
        np.matmul(x3[lo:hi], y3[lo:hi], out=out[lo:hi])

    parallel_for(len(edges) - 1, part, threads)
    return out.reshape(batch + (m, n))


def _threads(state: Any) -> int:
    return threads_for(getattr(state, "config", None))


@register_kernel("MatMul", "CPU")
def _matmul_factory(op: Any, state: Any) -> Any:
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    if dt not in _FLOAT:
        return None
    from minitf.ops.math_linalg_ops import _matmul_ref

    ta = bool(op._attrs["transpose_a"])
    tb = bool(op._attrs["transpose_b"])
    threads = _threads(state)
    buf = OutputBuffer()

    def matmul(a: Any, b: Any) -> Any:
        if type(a) is not np.ndarray or type(b) is not np.ndarray or a.dtype != dt or \
                b.dtype != dt or a.ndim != 2 or b.ndim != 2:
            return _matmul_ref(a, b, ta, tb)
        if ta:
            a = a.T
        if tb:
            b = b.T
        if a.shape[1] != b.shape[0]:
            return _matmul_ref(a, b)  # raises TF's error
        return gemm(a, b, threads, buf)

    matmul.uses_blas = True  # type: ignore[attr-defined]
    return matmul


@register_kernel("BatchMatMulV2", "CPU")
def _batch_matmul_factory(op: Any, state: Any) -> Any:
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    if dt not in _FLOAT:
        return None
    from minitf.ops.math_linalg_ops import _batch_matmul_ref

    adj_x = bool(op._attrs["adj_x"])
    adj_y = bool(op._attrs["adj_y"])
    threads = _threads(state)

    def batch_matmul(x: Any, y: Any) -> Any:
        if type(x) is not np.ndarray or type(y) is not np.ndarray or x.dtype != dt or \
                y.dtype != dt or x.ndim < 2 or x.ndim != y.ndim:
            return _batch_matmul_ref(x, y, adj_x, adj_y)
        xs = np.swapaxes(x, -1, -2) if adj_x else x
        ys = np.swapaxes(y, -1, -2) if adj_y else y
        if xs.shape[-1] != ys.shape[-2] or xs.shape[:-2] != ys.shape[:-2]:
            return _batch_matmul_ref(x, y, adj_x, adj_y)  # broadcasting, or TF's error
        if x.ndim == 2:
            return gemm(xs, ys, threads)
        return batch_gemm(xs, ys, threads)

    batch_matmul.uses_blas = True  # type: ignore[attr-defined]
    return batch_matmul


def fused_matmul_bias(op: Any, state: Any, relu: bool) -> Any:
    """The fast path of a MatMul + BiasAdd (+ Relu) step (``runtime/rewrites/remap.py``):
    ``fast(a, b, bias)`` -> the activation, or None when the inputs need the op-by-op path.
    The bias (and Relu) are applied to each GEMM block while it is in cache."""
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    if dt not in _FLOAT:
        return None
    try:
        from minitf.kernels.cpu.nn_bias_jit import bias_relu_rows
    except ImportError:  # pragma: no cover - numba missing
        return None
    ta = bool(op._attrs["transpose_a"])
    tb = bool(op._attrs["transpose_b"])
    threads = _threads(state)
    buf = OutputBuffer()

    def fast(a: Any, b: Any, bias: Any) -> Any:
        if type(a) is not np.ndarray or type(b) is not np.ndarray or \
                type(bias) is not np.ndarray or a.dtype != dt or b.dtype != dt or \
                bias.dtype != dt or a.ndim != 2 or b.ndim != 2 or bias.ndim != 1:
            return None
        if ta:
            a = a.T
        if tb:
            b = b.T
        m, k = a.shape
        n = b.shape[1]
        if k != b.shape[0] or bias.shape[0] != n:
            return None
        if not m * n * k:
            out = np.matmul(a, b)
            bias_relu_rows(out, bias, relu)
            return out
        bias = np.ascontiguousarray(bias)
        out = buf.keep(buf.empty((m, n), dt))
        flops = 2.0 * m * k * n
        if threads > 1 and blas_limiter.active and flops >= _BLOCKS_MIN_FLOPS and \
                _split_blocks(a, b, out, threads):
            bias_relu_rows(out, bias, relu)
            return out
        if threads <= 1 or flops < _PARALLEL_MIN_FLOPS or not blas_limiter.active:
            np.matmul(a, b, out=out)
            bias_relu_rows(out, bias, relu)
            return out
        if m >= n:
            edges = _bounds(m, threads)

            def rows(i: int) -> None:
                lo, hi = edges[i], edges[i + 1]
                np.matmul(a[lo:hi], b, out=out[lo:hi])
                bias_relu_rows(out[lo:hi], bias, relu)

            parallel_for(len(edges) - 1, rows, threads)
        else:
            edges = _bounds(n, threads)

            def cols(i: int) -> None:
                lo, hi = edges[i], edges[i + 1]
                np.matmul(a, b[:, lo:hi], out=out[:, lo:hi])
                bias_relu_rows(out[:, lo:hi], bias[lo:hi], relu)

            parallel_for(len(edges) - 1, cols, threads)
        return out

    return fast
