"""The numba part of the intra-op pool (``parallel.py``): waiting and GEMM blocks without the GIL.

Handing a task to a Python thread costs ~15-30 µs on this kind of VM (a futex wake-up, then
the GIL, which the two threads then keep passing back and forth) — more than half of a 25
MFLOP GEMM's share of two cores. Here a pool worker waits in :func:`worker_wait`, a numba
``nogil`` loop that polls two int64 arrays with atomic loads:

* ``posted[0]`` changes when the pool posts a Python job: the loop returns and the worker takes
  the job from the pool's queue (holding the GIL only while it runs Python);
* its own control row ``ctrl`` gets a GEMM block: the worker claims it with a compare-and-swap
  and calls BLAS's ``cblas_?gemm`` itself through a function pointer, never taking the GIL.

:func:`split_blocks` is the caller's side: it posts blocks 1.. to the workers, computes block 0,
then claims any block no worker has started (a worker that is asleep or slow costs nothing but
parallelism) and waits for the rest. Every block is computed by the same BLAS call with the
same arguments whichever thread runs it, so results never depend on timing.
"""

from __future__ import annotations

import time

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["worker_wait", "split_blocks", "finish_blocks", "run_blocks", "wait_change",
           "gemm_blocks",
           "iterations_per_us", "SEQ", "CLAIM", "DONE", "STATE", "ROW", "DESC", "TASK",
           "task_signature", "float_pointer", "bits_float"]

# control row of one worker (int64; fields on separate cache lines)
SEQ, CLAIM, DONE, STATE = 0, 8, 16, 24    # posted block number, claimed, finished; 1 = polling
ROW = 32
# a block descriptor: 13 int64. GEMM (row-major cblas arguments; alpha = 1, beta = 0): kind
# (0 float32, 1 float64), trans_a, trans_b, m, n, k, lda, ldb, ldc, a, b, c, -. Task: TASK,
# address of a compiled ``void task(int64 *desc)``, then 11 arguments of the task's own.
DESC = 13
TASK = 2


def _array_item_ptr(context, builder, arrty, arr, index, indexty):  # noqa: ANN001, ANN202
    ary = context.make_array(arrty)(context, builder, arr)
    i = context.cast(builder, index, indexty, types.intp)
    return cgutils.get_item_pointer(context, builder, arrty, ary, [i])


def _int64_vector(arr) -> bool:  # noqa: ANN001
    return isinstance(arr, types.Array) and arr.dtype == types.int64


@intrinsic
def _load_acquire(typingctx, arr, idx):  # noqa: ANN001, ANN202, ARG001
    """``arr[idx]`` (int64, C order) as an atomic acquire load (never hoisted out of a loop)."""
    if not _int64_vector(arr) or arr.ndim != 1:
        return None

    def codegen(context, builder, sig, args):  # noqa: ANN001, ANN202
        ptr = _array_item_ptr(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        return builder.load_atomic(ptr, "acquire", 8)

    return types.int64(arr, idx), codegen


@intrinsic
def _store_release(typingctx, arr, idx, value):  # noqa: ANN001, ANN202, ARG001
    """``arr[idx] = value`` as an atomic release store: earlier stores are visible first."""
    if not _int64_vector(arr) or arr.ndim != 1:
        return None

    def codegen(context, builder, sig, args):  # noqa: ANN001, ANN202
        ptr = _array_item_ptr(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        val = context.cast(builder, args[2], sig.args[2], types.int64)
        builder.store_atomic(val, ptr, "release", 8)
        return context.get_dummy_value()

    return types.none(arr, idx, value), codegen


@intrinsic
def _compare_swap(typingctx, arr, idx, expected, new):  # noqa: ANN001, ANN202, ARG001
    """Atomically: if ``arr[idx] == expected`` set it to ``new``; True when it did."""
    if not _int64_vector(arr) or arr.ndim != 1:
        return None

    def codegen(context, builder, sig, args):  # noqa: ANN001, ANN202
        ptr = _array_item_ptr(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        exp = context.cast(builder, args[2], sig.args[2], types.int64)
        val = context.cast(builder, args[3], sig.args[3], types.int64)
        pair = builder.cmpxchg(ptr, exp, val, "seq_cst", "seq_cst")
        return builder.extract_value(pair, 1)

    return types.boolean(arr, idx, expected, new), codegen


def _gemm_intrinsic(double: bool, int64: bool):  # noqa: ANN202
    """An intrinsic ``call(fptr, desc, base)``: ``cblas_?gemm(RowMajor, ...)`` at address
    ``fptr`` with the block descriptor ``desc[base:base + DESC]``."""
    fty = ir.DoubleType() if double else ir.FloatType()
    ity = ir.IntType(64 if int64 else 32)
    i32 = ir.IntType(32)
    ptr = fty.as_pointer()
    fnty = ir.FunctionType(ir.VoidType(), [i32, i32, i32, ity, ity, ity, fty, ptr, ity, ptr, ity,
                                           fty, ptr, ity])

    @intrinsic
    def call(typingctx, fptr, desc, base):  # noqa: ANN001, ANN202, ARG001
        if not _int64_vector(desc) or desc.ndim != 1:
            return None

        def codegen(context, builder, sig, args):  # noqa: ANN001, ANN202
            desc_ty = sig.args[1]
            base = context.cast(builder, args[2], sig.args[2], types.int64)

            def field(j: int) -> ir.Value:
                at = builder.add(base, ir.Constant(ir.IntType(64), j))
                p = _array_item_ptr(context, builder, desc_ty, args[1], at, types.int64)
                return builder.load(p)

            def as_int(v: ir.Value, t: ir.Type) -> ir.Value:
                return builder.trunc(v, t) if t.width < 64 else v

            fn = builder.inttoptr(args[0], fnty.as_pointer())
            one, zero = ir.Constant(fty, 1.0), ir.Constant(fty, 0.0)
            builder.call(fn, [
                ir.Constant(i32, 101), as_int(field(1), i32), as_int(field(2), i32),
                as_int(field(3), ity), as_int(field(4), ity), as_int(field(5), ity), one,
                builder.inttoptr(field(9), ptr), as_int(field(6), ity),
                builder.inttoptr(field(10), ptr), as_int(field(7), ity), zero,
                builder.inttoptr(field(11), ptr), as_int(field(8), ity)])
            return context.get_dummy_value()

        return types.none(fptr, desc, base), codegen

    return call


_sgemm32 = _gemm_intrinsic(False, False)
_sgemm64 = _gemm_intrinsic(False, True)
_dgemm32 = _gemm_intrinsic(True, False)
_dgemm64 = _gemm_intrinsic(True, True)


@intrinsic
def _call_task(typingctx, desc, base):  # noqa: ANN001, ANN202, ARG001
    """Calls the C function at address ``desc[base + 1]`` with ``&desc[base]`` (a compiled
    ``void task(int64 *desc)``, e.g. a numba ``cfunc``: see :func:`task_signature`)."""
    if not _int64_vector(desc) or desc.ndim != 1:
        return None
    i64p = ir.IntType(64).as_pointer()
    fnty = ir.FunctionType(ir.VoidType(), [i64p])

    def codegen(context, builder, sig, args):  # noqa: ANN001, ANN202
        first = _array_item_ptr(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        at = builder.add(context.cast(builder, args[1], sig.args[1], types.int64),
                         ir.Constant(ir.IntType(64), 1))
        fptr = builder.load(_array_item_ptr(context, builder, sig.args[0], args[0], at,
                                            types.int64))
        builder.call(builder.inttoptr(fptr, fnty.as_pointer()), [first])
        return context.get_dummy_value()

    return types.none(desc, base), codegen


@njit(cache=True, nogil=True)
def _run_block(desc, base, sgemm, dgemm, int64):  # noqa: ANN001, ANN202
    if desc[base] == TASK:
        _call_task(desc, base)
    elif desc[base] == 0:
        if int64:
            _sgemm64(sgemm, desc, base)
        else:
            _sgemm32(sgemm, desc, base)
    elif int64:
        _dgemm64(dgemm, desc, base)
    else:
        _dgemm32(dgemm, desc, base)


@njit(cache=True, nogil=True)
def worker_wait(posted, seen, ctrl, iterations, sgemm, dgemm, int64):  # noqa: ANN001, ANN201
    """A worker's wait, without the GIL: runs the GEMM blocks posted to its row ``ctrl``;
    returns 1 when ``posted[0]`` differs from ``seen`` (a Python job), 0 after ``iterations``
    polls without either."""
    i = 0
    while i < iterations:
        if _load_acquire(posted, 0) != seen:
            return 1
        s = _load_acquire(ctrl, SEQ)
        if s != _load_acquire(ctrl, CLAIM) and _compare_swap(ctrl, CLAIM, s - 1, s):
            _run_block(ctrl, ROW, sgemm, dgemm, int64)
            _store_release(ctrl, DONE, s)
            i = 0
        else:
            i += 1
    return 0


@njit(cache=True, nogil=True)
def split_blocks(ctrls, blocks, sgemm, dgemm, int64, iterations):  # noqa: ANN001, ANN201
    """Block 0 of ``blocks`` (rows of descriptors) here, block j on worker row ``ctrls[j - 1]``
    (then :func:`finish_blocks`). Returns what finish_blocks returns."""
    n = blocks.shape[0]
    for j in range(1, n):
        ctrl = ctrls[j - 1]
        for f in range(DESC):
            ctrl[ROW + f] = blocks[j, f]
        _store_release(ctrl, SEQ, ctrl[SEQ] + 1)
    _run_block(blocks[0], 0, sgemm, dgemm, int64)
    return finish_blocks(ctrls, n, 1, sgemm, dgemm, int64, iterations)


@njit(cache=True, nogil=True)
def finish_blocks(ctrls, n, start, sgemm, dgemm, int64, iterations):  # noqa: ANN001, ANN201
    """Blocks ``start``..n-1: each one no worker has claimed is computed here; each claimed
    one is waited for. Returns the count of blocks workers computed, or ``-j`` when block j's
    worker takes more than ``iterations`` polls (it was preempted: the caller yields, then
    calls again from j)."""
    helped = 0
    for j in range(start, n):
        ctrl = ctrls[j - 1]
        s = ctrl[SEQ]
        if _compare_swap(ctrl, CLAIM, s - 1, s):  # nobody took it: compute it here
            _run_block(ctrl, ROW, sgemm, dgemm, int64)
            _store_release(ctrl, DONE, s)
            continue
        helped += 1
        k = 0
        while _load_acquire(ctrl, DONE) != s:  # claimed: running now, wait for it
            k += 1
            if k >= iterations:
                return -j
    return helped


@njit(cache=True)
def gemm_blocks(a, b, out, edges, by_rows, kind, trans_a, lda, trans_b, ldb):  # noqa: ANN001, ANN201, PLR0913
    """Descriptors of ``out = a @ b`` cut at ``edges`` (rows of out when ``by_rows``, else
    columns); ``out`` C-contiguous, the transpose flags and leading dimensions as cblas takes
    them (row-major)."""
    parts = edges.size - 1
    blocks = np.zeros((parts, DESC), dtype=np.int64)
    k = a.shape[1]
    n = b.shape[1]
    it = a.itemsize
    pa = a.ctypes.data
    pb = b.ctypes.data
    pc = out.ctypes.data
    for j in range(parts):
        lo = edges[j]
        hi = edges[j + 1]
        row = blocks[j]
        row[0] = kind
        row[1] = trans_a
        row[2] = trans_b
        row[5] = k
        row[6] = lda
        row[7] = ldb
        row[8] = n
        if by_rows:
            row[3] = hi - lo
            row[4] = n
            row[9] = pa + lo * a.strides[0]
            row[10] = pb
            row[11] = pc + lo * n * it
        else:
            row[3] = a.shape[0]
            row[4] = hi - lo
            row[9] = pa
            row[10] = pb + lo * b.strides[1]
            row[11] = pc + lo * it
    return blocks


@njit(cache=True, nogil=True)
def run_blocks(blocks, sgemm, dgemm, int64):  # noqa: ANN001, ANN201
    """Every block of ``blocks`` on this thread, in order."""
    for j in range(blocks.shape[0]):
        _run_block(blocks[j], 0, sgemm, dgemm, int64)


@njit(cache=True, nogil=True)
def wait_change(flag, old, iterations):  # noqa: ANN001, ANN201
    """Polls ``flag[0]`` until it differs from ``old`` (True) or ``iterations`` polls (False)."""
    for _ in range(iterations):
        if _load_acquire(flag, 0) != old:
            return True
    return False


# --- helpers for writing tasks (numba cfuncs called by _run_block) ----------------------------

task_signature = types.void(types.CPointer(types.int64))


@intrinsic
def float_pointer(typingctx, address, dtype):  # noqa: ANN001, ANN202, ARG001
    """``address`` (an int64 from a descriptor) as a pointer to ``dtype`` (a numba number
    type given as its class object, e.g. ``numba.float32``): for ``numba.carray``."""
    target = dtype.dtype if isinstance(dtype, types.NumberClass) else None
    if target is None:
        return None
    ptr_ty = types.CPointer(target)

    def codegen(context, builder, sig, args):  # noqa: ANN001, ANN202
        lty = context.get_value_type(ptr_ty)
        return builder.inttoptr(args[0], lty)

    return ptr_ty(address, dtype), codegen


@intrinsic
def bits_float(typingctx, bits):  # noqa: ANN001, ANN202, ARG001
    """An int64 descriptor slot holding a float64's bits, as that float64."""
    if not isinstance(bits, types.Integer):
        return None

    def codegen(context, builder, sig, args):  # noqa: ANN001, ANN202
        return builder.bitcast(context.cast(builder, args[0], sig.args[0], types.int64),
                               ir.DoubleType())

    return types.float64(bits), codegen


_rate: float | None = None


def iterations_per_us() -> float:
    """Polls per microsecond of :func:`worker_wait` on this machine (measured once, ~1 ms)."""
    global _rate
    if _rate is None:
        posted = np.zeros(1, dtype=np.int64)
        ctrl = np.zeros(ROW + DESC, dtype=np.int64)
        worker_wait(posted, 0, ctrl, 10, 0, 0, True)  # compile / load the cache outside timing
        n = 200_000
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            worker_wait(posted, 0, ctrl, n, 0, 0, True)
            best = min(best, time.perf_counter() - t)
        _rate = max(1.0, n / max(best * 1e6, 1e-3))
    return _rate
