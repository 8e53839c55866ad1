"""Threads for CPU kernels: one process-wide work-sharing pool, and the BLAS threading policy.

**Pool.** :func:`parallel_for` runs ``fn(0) .. fn(n - 1)`` on the calling thread *and* up to
``threads - 1`` pool workers, which take tasks from one shared counter. The caller never waits
for a task nobody has started: when a worker is slow to wake (the other core busy with another
process), the caller simply runs the remaining tasks itself. Idle workers block (they never
spin), so an idle minitf costs nothing to the rest of the machine. Which task computes which
part of the output depends only on the task count, never on which thread ran it, so results are
the same run to run. A call made while the pool is busy (another session's run, or a task that
itself calls parallel_for) runs its tasks inline, and so does a call made while other processes
keep the other cores busy (:func:`free_cores`, sampled from /proc/stat every 0.2 s).

**BLAS.** numpy's OpenBLAS keeps its own threads, which busy-wait at barriers: when the other
core is busy, a 128x512x512 GEMM goes from 0.7 ms to 5-50 ms. :class:`BlasLimiter` (entered
once per ``sess.run`` by the executor for plans that call BLAS) holds BLAS to one thread while
the run lasts; the previous limit is restored when the last such run ends, so user numpy code
outside ``sess.run`` keeps numpy's default. One threadpoolctl controller is created, once; the
per-run switch is a direct call of ``openblas_set_num_threads`` (~0.3 µs).

Nothing here imports numba.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["parallel_for", "default_threads", "threads_for", "blas_single_threaded",
           "BlasLimiter", "blas_limiter", "BLAS_OP_TYPES", "split_points", "pool_mode"]

# Op types whose kernels or references call BLAS / LAPACK: a plan with one of them runs with
# BLAS held to one thread (kernels may also say so with a ``uses_blas`` attribute).
BLAS_OP_TYPES = frozenset({
    "MatMul", "BatchMatMulV2", "BatchMatMul", "Einsum", "Conv2D", "Conv2DBackpropInput",
    "Conv2DBackpropFilter", "DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
    "DepthwiseConv2dNativeBackpropFilter", "MatrixInverse", "MatrixDeterminant",
    "LogMatrixDeterminant", "MatrixSolve", "MatrixSolveLs", "MatrixTriangularSolve", "Cholesky",
    "Qr", "Svd", "SelfAdjointEigV2", "Tensordot",
})


def default_threads() -> int:
    """$MINITF_NUM_THREADS, else the CPUs this process may use (at most 8)."""
    env = os.environ.get("MINITF_NUM_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


def threads_for(config: Any) -> int:
    """Intra-op threads of a session: ``intra_op_parallelism_threads`` (0: the default)."""
    n = int(getattr(config, "intra_op_parallelism_threads", 0) or 0) if config is not None else 0
    return n if n > 0 else default_threads()


# --- how many cores other processes leave us ------------------------------------------------------

class _FreeCores:
    """Cores not busy with other processes, sampled from /proc/stat at most every ``interval``
    seconds: (all CPUs' busy time - this process's CPU time) over the wall time between two
    samples. On a 2-core machine where another job keeps one core busy, a second thread of ours
    only time-slices with it (or with our own first thread) and each GEMM split costs more than
    it gains (measured: 161-170 vs 178-180 steps/s on bench_training), so parallel_for then runs
    its tasks on the calling thread. MINITF_ADAPTIVE_THREADS=0 turns this off."""

    interval = 0.2

    def __init__(self) -> None:
        self.enabled = os.environ.get("MINITF_ADAPTIVE_THREADS", "1") != "0"
        self._lock = threading.Lock()
        self._last: tuple[float, float, float] | None = None
        self._next = 0.0
        self.free = float(default_threads())
        self._hz = float(os.sysconf("SC_CLK_TCK")) if hasattr(os, "sysconf") else 100.0

    @staticmethod
    def _busy_seconds(hz: float) -> float | None:
        try:
            with open("/proc/stat", "rb") as f:
                v = f.readline().split()
        except OSError:
            return None
        if len(v) < 8 or v[0] != b"cpu":
            return None
        # user nice system idle iowait irq softirq steal
        return (int(v[1]) + int(v[2]) + int(v[3]) + int(v[6]) + int(v[7]) +
                (int(v[8]) if len(v) > 8 else 0)) / hz

    def cores(self) -> float:
        if not self.enabled:
            return float("inf")
        now = time.monotonic()
        if now < self._next or not self._lock.acquire(blocking=False):
            return self.free
        try:
            busy = self._busy_seconds(self._hz)
            if busy is None:
                self.enabled = False
                return float("inf")
            ours = time.process_time()
            last = self._last
            self._last = (now, busy, ours)
            self._next = now + self.interval
            if last is not None and now > last[0]:
                others = max(0.0, (busy - last[1]) - (ours - last[2])) / (now - last[0])
                self.free = max(1.0, default_threads() - others)
            return self.free
        finally:
            self._lock.release()


_free_cores: _FreeCores | None = None


def free_cores() -> float:
    """Cores this process may use now (all of them, minus what other processes keep busy)."""
    global _free_cores
    if _free_cores is None:
        _free_cores = _FreeCores()
    return _free_cores.cores()


# --- the work-sharing pool ------------------------------------------------------------------------

class _Job:
    """Tasks 0..n-1 of one parallel_for; any number of threads may call work()."""

    __slots__ = ("fn", "n", "next_task", "finished", "all_done", "error")

    def __init__(self, fn: Callable[[int], Any], n: int) -> None:
        self.fn = fn
        self.n = n
        self.next_task = itertools.count()   # next() is atomic under the GIL
        self.finished = itertools.count(1)
        self.all_done = threading.Lock()
        self.all_done.acquire()
        self.error: BaseException | None = None

    def work(self) -> None:
        fn, n = self.fn, self.n
        while True:
            i = next(self.next_task)
            if i >= n:
                return
            try:
                fn(i)
            except BaseException as e:  # noqa: BLE001 - re-raised by the caller
                if self.error is None:
                    self.error = e
            if next(self.finished) == n:
                self.all_done.release()


class _Pool:
    def __init__(self) -> None:
        self._tokens: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._busy = threading.Lock()
        self._grow = threading.Lock()

    def _ensure(self, n: int) -> None:
        if len(self._workers) >= n:
            return
        with self._grow:
            while len(self._workers) < n:
                t = threading.Thread(target=self._loop, name=f"minitf-intra-{len(self._workers)}",
                                     daemon=True)
                t.start()
                self._workers.append(t)

    def _loop(self) -> None:
        get = self._tokens.get
        while True:
            job = get()      # a job may be finished already when a slow worker gets to it
            job.work()

    def run(self, n: int, fn: Callable[[int], Any], threads: int) -> None:
        helpers = min(threads, n) - 1
        if helpers > 0:
            free = free_cores()  # inf when MINITF_ADAPTIVE_THREADS=0
            if free < helpers + 1:
                helpers = int(free + 0.5) - 1
        if helpers <= 0 or not self._busy.acquire(blocking=False):
            # one thread, or the pool is in use (nested / concurrent runs): the same tasks here
            job = _Job(fn, n)
            job.work()
            if job.error is not None:
                raise job.error
            return
        try:
            self._ensure(helpers)
            job = _Job(fn, n)
            put = self._tokens.put
            for _ in range(helpers):
                put(job)
            job.work()
            job.all_done.acquire()   # tasks a worker started are still running
        finally:
            self._busy.release()
        if job.error is not None:
            raise job.error


_POOL = _Pool()


def split_points(n: int, parts: int, align: int = 1) -> list[int]:
    """Edges of ``parts`` near-equal ranges of 0..n, inner edges on multiples of ``align``."""
    step = -(-n // max(1, parts))
    step = max(align, -(-step // align) * align)
    return list(range(0, n, step)) + [n]


def pool_mode() -> bool:
    """True inside a run whose kernels use the pool (BLAS held to one thread): memory-bound
    kernels may then split large arrays over the pool too."""
    return blas_limiter.active


def parallel_for(n: int, fn: Callable[[int], Any], threads: int) -> None:
    """Runs ``fn(i)`` for i in 0..n-1 on up to ``threads`` threads (the caller included);
    returns when all are done; re-raises the first exception of a task."""
    if n <= 0:
        return
    _POOL.run(n, fn, threads)


# --- BLAS threading -------------------------------------------------------------------------------

class BlasLimiter:
    """Holds the BLAS libraries numpy loaded to one thread while at least one plan run is inside
    (reference counted, process-wide: the BLAS thread count is a process-wide setting); the
    original count is restored when the last run leaves, so numpy code outside ``sess.run``
    keeps numpy's default. Large GEMMs are split over the intra-op pool instead (``matmul.py``,
    ``nn_conv_jit.py``), with block boundaries that depend only on the shapes and the session's
    thread count — OpenBLAS's own threading gives other bits for 1 and 2 threads (12 of 68
    MLP-sized GEMMs differed in the last bits), so switching it with the machine's load would
    make results depend on the load."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._limited = False
        self._setters: list[tuple[Callable[[int], Any], int]] | None = None

    def _find(self) -> list[tuple[Callable[[int], Any], int]]:
        """(set_num_threads, original count) of every BLAS library with more than one thread;
        found once, with one threadpoolctl controller."""
        setters: list[tuple[Callable[[int], Any], int]] = []
        try:
            from threadpoolctl import ThreadpoolController

            controller = ThreadpoolController()
        except Exception:  # noqa: BLE001 - no threadpoolctl: BLAS keeps its threads
            return setters
        for lib in controller.lib_controllers:
            if lib.user_api != "blas":
                continue
            try:
                n = int(lib.num_threads or 1)
            except (TypeError, ValueError):
                continue
            if n <= 1:
                continue
            setters.append((_raw_setter(lib), n))
        return setters

    def enter(self) -> None:
        with self._lock:
            self._users += 1
            if self._limited:
                return
            if self._setters is None:
                self._setters = self._find()
            for set_threads, _ in self._setters:
                set_threads(1)
            self._limited = True

    def exit(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and self._limited:
                self._limited = False
                for set_threads, n in self._setters or ():
                    set_threads(n)

    @property
    def active(self) -> bool:
        """A run is in progress (BLAS on one thread): kernels may split work over the pool."""
        return self._limited

    def __enter__(self) -> BlasLimiter:
        self.enter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.exit()


def _raw_setter(lib: Any) -> Callable[[int], Any]:
    """OpenBLAS (pthreads): its ``openblas_set_num_threads`` through ctypes, callable from any
    thread; anything else: the controller's own setter."""
    if getattr(lib, "internal_api", "") == "openblas" and \
            getattr(lib, "threading_layer", "") != "openmp":
        import ctypes

        dynlib = getattr(lib, "dynlib", None)
        for prefix in ("", "scipy_"):
            for suffix in ("", "64_", "_64"):
                fn = getattr(dynlib, f"{prefix}openblas_set_num_threads{suffix}", None)
                if fn is not None:
                    fn.argtypes = [ctypes.c_int]
                    fn.restype = None
                    return fn  # type: ignore[no-any-return]
    return lib.set_num_threads  # type: ignore[no-any-return]


blas_limiter = BlasLimiter()


def blas_single_threaded() -> BlasLimiter:
    """``with blas_single_threaded():`` — BLAS on one thread inside the block."""
    return blas_limiter
