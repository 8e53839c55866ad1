"""Threads for CPU kernels: one process-wide work-sharing pool, and the BLAS threading policy.

**Pool.** :func:`parallel_for` runs ``fn(0) .. fn(n - 1)`` on the calling thread *and* up to
``threads - 1`` pool workers, which take tasks from one shared counter. The caller never waits
for a task nobody has started: when a worker is slow to wake (the other core busy with another
process), the caller simply runs the remaining tasks itself. After its last task a worker polls
for new work for ``MINITF_SPIN_US`` (default 2000 µs) inside a numba loop that holds no GIL
(``pool_jit``), then blocks; so a busy training step hands work over in ~1 µs, and an idle
minitf costs the machine nothing after 2 ms. Which task computes which part of the output
depends only on the task count, never on which thread ran it, so results are the same run to
run. A call made while the pool is busy (another session's run, or a task that itself calls
parallel_for) runs its tasks inline, and so does a call made while other processes keep the
other cores busy (:func:`free_cores`, sampled from /proc/stat every 0.2 s).

**GIL-free blocks.** :func:`run_blocks` hands descriptor rows (``pool_jit``: a GEMM block for
numpy's OpenBLAS ``cblas_?gemm``, or a compiled task such as an Adam block) straight to the
polling workers, which run them without ever taking the GIL; the caller runs block 0 and any
block no worker has claimed. Python hand-offs cost 15-30 µs here (a futex wake-up, then the GIL
passing back and forth), which made splitting a 25 MFLOP GEMM a loss; these cost ~1 µs.

**BLAS.** numpy's OpenBLAS keeps its own threads, which busy-wait at barriers: when the other
core is busy, a 128x512x512 GEMM goes from 0.7 ms to 5-50 ms. :class:`BlasLimiter` (entered
once per ``sess.run`` by the executor for plans that call BLAS) holds BLAS to one thread while
the run lasts; the previous limit is restored when the last such run ends, so user numpy code
outside ``sess.run`` keeps numpy's default. One threadpoolctl controller is created, once; the
per-run switch is a direct call of ``openblas_set_num_threads`` (~0.3 µs).

Nothing here imports numba at import time (``pool_jit`` loads with the first worker).
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["parallel_for", "default_threads", "threads_for", "blas_single_threaded",
           "BlasLimiter", "blas_limiter", "BLAS_OP_TYPES", "split_points", "pool_mode",
           "blocks_ready", "run_blocks"]

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

    __slots__ = ("fn", "n", "next_task", "finished", "all_done", "done_flag", "error")

    def __init__(self, fn: Callable[[int], Any], n: int, done_flag: Any = None) -> None:
        self.fn = fn
        self.n = n
        self.next_task = itertools.count()   # next() is atomic under the GIL
        self.finished = itertools.count(1)
        self.all_done = threading.Lock()
        self.all_done.acquire()
        self.done_flag = done_flag           # int64 array set to 1 with all_done (spin waits)
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
                if self.done_flag is not None:
                    self.done_flag[0] = 1
                self.all_done.release()


def _env_us(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


class _Waiter:
    """The GIL-free side of the pool (``pool_jit``), loaded with the first worker: numba
    polling and BLAS's cblas_sgemm / cblas_dgemm addresses. None when numba is missing or
    MINITF_SPIN_US=0 (then workers only block on the queue and GEMMs split as Python tasks)."""

    idle_us = _env_us("MINITF_SPIN_US", 2000.0)  # a worker polls this long after its last task
    wait_us = 5000.0                              # the caller polls this long for one GEMM block

    def __init__(self) -> None:
        from minitf.kernels.cpu import pool_jit

        rate = pool_jit.iterations_per_us()
        self.jit = pool_jit
        self.idle_iterations = int(self.idle_us * rate)
        self.wait_iterations = int(self.wait_us * rate)
        self.gemm = _cblas_gemm()   # (sgemm, dgemm, int64) or None
        if self.gemm is not None and not self._gemm_works():
            self.gemm = None

    def _gemm_works(self) -> bool:
        """Compiles the caller's side and checks a small product in both dtypes against numpy
        (a BLAS whose integer width was misread would fail here, not in a kernel)."""
        jit = self.jit
        ctrls = np.zeros((1, 64), dtype=np.int64)
        try:
            for kind, dt in enumerate((np.float32, np.float64)):
                a = np.arange(6, dtype=dt).reshape(2, 3)
                b = np.arange(12, dtype=dt).reshape(3, 4)
                out = np.zeros((2, 4), dtype=dt)
                block = jit.gemm_blocks(a, b, out, np.array([0, 2], dtype=np.int64), True,
                                        kind, 111, 3, 111, 4)
                jit.split_blocks(ctrls, block, *self.gemm, 10)  # one block: the caller's
                if not np.array_equal(out, a @ b):
                    return False
                out[:] = 0
                jit.run_blocks(block, *self.gemm)
                if not np.array_equal(out, a @ b):
                    return False
            jit.wait_change(np.ones(1, dtype=np.int64), 0, 1)
        except Exception:  # noqa: BLE001 - a platform numba cannot compile this for
            return False
        return True

    @classmethod
    def load(cls) -> _Waiter | None:
        if cls.idle_us <= 0:
            return None
        try:
            return cls()
        except Exception:  # noqa: BLE001 - no numba: blocking hand-offs only
            return None


def _cblas_gemm() -> tuple[int, int, bool] | None:
    """Addresses of cblas_sgemm / cblas_dgemm in numpy's OpenBLAS (pthreads build) and whether
    it takes 64-bit integers; None for other BLAS libraries."""
    import ctypes

    try:
        from threadpoolctl import ThreadpoolController

        libs = [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
    except Exception:  # noqa: BLE001 - no threadpoolctl
        return None
    # numpy's own (numba may load scipy's OpenBLAS too, whose threads nobody limits), or the
    # only one loaded
    here = os.path.dirname(os.path.dirname(np.__file__))
    own = [lib for lib in libs if str(getattr(lib, "filepath", "")).startswith(
        os.path.join(here, "numpy"))]
    libs = own or (libs if len(libs) == 1 else [])
    if not libs or getattr(libs[0], "internal_api", "") != "openblas" or \
            getattr(libs[0], "threading_layer", "") == "openmp":
        return None
    dynlib = libs[0].dynlib
    for prefix in ("", "scipy_"):
        for suffix in ("", "64_", "_64"):
            s = getattr(dynlib, f"{prefix}cblas_sgemm{suffix}", None)
            d = getattr(dynlib, f"{prefix}cblas_dgemm{suffix}", None)
            conf = getattr(dynlib, f"{prefix}openblas_get_config{suffix}", None)
            if s is None or d is None or conf is None:
                continue
            conf.restype = ctypes.c_char_p
            int64 = b"USE64BITINT" in (conf() or b"")
            return (ctypes.cast(s, ctypes.c_void_p).value or 0,
                    ctypes.cast(d, ctypes.c_void_p).value or 0, int64)
    return None


class _Wake:
    """A queue token that only wakes a blocked worker (it then polls again)."""

    def work(self) -> None:
        return None


_WAKE = _Wake()
_MAX_WORKERS = 64


class _Pool:
    """Workers take Python jobs from a queue. Between jobs a worker waits in numba without the
    GIL (``pool_jit.worker_wait``) for ``_Waiter.idle_us``, then blocks on the queue: a
    parallel_for of a busy step reaches it in ~1 µs instead of a thread wake-up, and blocks
    (:meth:`run_blocks`) run on it without the GIL at all. Every Python job is also in the queue, so
    a worker that stopped polling still gets it."""

    def __init__(self) -> None:
        self._tokens: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._busy = threading.Lock()
        self._grow = threading.Lock()
        self._waiter: _Waiter | None = None
        self._posted: Any = None   # int64 [1]: Python jobs posted
        self._ctrls: Any = None    # int64 [workers, 64]: each worker's control row (pool_jit)

    def _ensure(self, n: int) -> None:
        if len(self._workers) >= n:
            return
        with self._grow:
            if self._posted is None:
                self._waiter = _Waiter.load()
                self._ctrls = np.zeros((_MAX_WORKERS, 64), dtype=np.int64)
                self._posted = np.zeros(1, dtype=np.int64)
            while len(self._workers) < min(n, _MAX_WORKERS):
                i = len(self._workers)
                t = threading.Thread(target=self._loop, args=(i,), name=f"minitf-intra-{i}",
                                     daemon=True)
                t.start()
                self._workers.append(t)

    def _loop(self, index: int) -> None:
        tokens, waiter, posted = self._tokens, self._waiter, self._posted
        ctrl = self._ctrls[index]
        gemm = waiter.gemm if waiter is not None and waiter.gemm is not None else (0, 0, True)
        state = waiter.jit.STATE if waiter is not None else 0
        while True:
            if waiter is not None:
                seen = int(posted[0])
                try:
                    job = tokens.get_nowait()
                except queue.Empty:
                    # poll only while other processes leave a core for every pool thread: a
                    # polling thread on a busy machine takes time slices from the caller
                    if free_cores() >= len(self._workers) + 0.75:
                        ctrl[state] = 1  # polling
                        woke = waiter.jit.worker_wait(posted, seen, ctrl,
                                                      waiter.idle_iterations, *gemm)
                        if woke:
                            continue  # a Python job was posted: take it (or see it was taken)
                    ctrl[state] = 0
                    job = tokens.get()
            else:
                job = tokens.get()  # a job may be finished already when a slow worker gets it
            job.work()

    def _helpers(self, threads: int, n: int) -> int:
        helpers = min(threads, n) - 1
        if helpers > 0:
            free = free_cores()  # inf when MINITF_ADAPTIVE_THREADS=0
            if free < helpers + 1:
                helpers = int(free + 0.5) - 1
        return helpers

    def run(self, n: int, fn: Callable[[int], Any], threads: int) -> None:
        helpers = self._helpers(threads, n)
        if helpers <= 0 or not self._busy.acquire(blocking=False):
            # one thread, or the pool is in use (nested / concurrent runs): the same tasks here
            job = _Job(fn, n)
            job.work()
            if job.error is not None:
                raise job.error
            return
        try:
            self._ensure(helpers)
            waiter = self._waiter
            flag = None if waiter is None else np.zeros(1, dtype=np.int64)
            job = _Job(fn, n, flag)
            put = self._tokens.put
            for _ in range(helpers):
                put(job)
            if waiter is not None:
                self._posted[0] += 1
            job.work()
            if flag is not None and not flag[0]:
                # the last task is running on a worker: poll for it without the GIL
                waiter.jit.wait_change(flag, 0, waiter.wait_iterations)  # type: ignore
            job.all_done.acquire()   # tasks a worker started are still running
        finally:
            self._busy.release()
        if job.error is not None:
            raise job.error

    def blocks_ready(self) -> bool:
        """Blocks can run on GIL-free workers (numba and numpy's OpenBLAS found)."""
        if self._posted is None:
            self._ensure(1)
        return self._waiter is not None and self._waiter.gemm is not None

    def run_blocks(self, blocks: Any, threads: int) -> None:
        """Runs the blocks (rows of ``pool_jit`` descriptors): block 0 here, the others on
        workers; blocks nobody started in time run here too. Needs :meth:`blocks_ready`."""
        waiter = self._waiter
        assert waiter is not None and waiter.gemm is not None
        jit = waiter.jit
        n = blocks.shape[0]
        helpers = self._helpers(threads, n)
        if helpers <= 0 or n - 1 > _MAX_WORKERS or not self._busy.acquire(blocking=False):
            jit.run_blocks(blocks, *waiter.gemm)  # the same blocks, one after the other
            return
        try:
            self._ensure(n - 1)
            ctrls = self._ctrls
            for i in range(n - 1):
                if not ctrls[i, jit.STATE]:
                    self._tokens.put(_WAKE)   # asleep: wake one (else we compute it here)
            r = jit.split_blocks(ctrls, blocks, *waiter.gemm, waiter.wait_iterations)
            while r < 0:   # a worker was preempted while computing block -r
                time.sleep(0)
                r = jit.finish_blocks(ctrls, n, -r, *waiter.gemm, waiter.wait_iterations)
        finally:
            self._busy.release()


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


def blocks_ready() -> bool:
    """The pool can run descriptor blocks without the GIL (:func:`run_blocks`): numba loads
    and numpy's BLAS is a pthreads OpenBLAS."""
    return _POOL.blocks_ready()


def run_blocks(blocks: Any, threads: int) -> None:
    """Runs ``pool_jit`` block descriptors (GEMM blocks, compiled tasks) on up to ``threads``
    threads, the caller included; which block writes which part of the output does not depend
    on timing. Needs :func:`blocks_ready`."""
    _POOL.run_blocks(blocks, threads)


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
