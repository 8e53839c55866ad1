"""Running plans: the generated sequential fast path, a traced loop (step stats), and a
thread-pool scheduler for independent branches. Kernel failures become minitf.errors naming the
op and where the user created it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.runtime.plan import ExecutionPlan, Step

__all__ = ["run_plan", "translate_error", "StepTiming", "set_output_checks"]

# When on (the test suite turns it on), every kernel output is checked against its op's
# declared dtype and static shape, so a reference or kernel that disagrees fails loudly.
_check_outputs = False


try:  # numpy 2: set the errstate context variable directly (~0.1 µs instead of ~1 µs)
    from numpy._core._ufunc_config import _extobj_contextvar as _errstate_var

    with np.errstate(all="ignore"):
        _IGNORE_ALL = _errstate_var.get()
except (ImportError, AttributeError):  # pragma: no cover - numpy < 2
    _errstate_var = None


def set_output_checks(enabled: bool) -> None:
    global _check_outputs
    _check_outputs = enabled


class StepTiming:
    """Start and end (µs since the epoch) of one step, with the thread that ran it."""

    __slots__ = ("step", "start_us", "end_us", "thread_id")

    def __init__(self, step: Step, start_us: float, end_us: float, thread_id: int) -> None:
        self.step = step
        self.start_us = start_us
        self.end_us = end_us
        self.thread_id = thread_id


def translate_error(e: BaseException, step: Step | None) -> BaseException:
    """Turns an exception raised by a kernel into a minitf.errors.OpError naming its op."""
    op = step.op if step is not None else None
    if isinstance(e, errors.OpError):
        if e._op is None and op is not None:
            e._op = op
        return e
    if isinstance(e, MemoryError):
        return errors.ResourceExhaustedError(
            None, op, f"OOM when allocating tensor in {op.name if op else 'a kernel'}: {e}")
    if isinstance(e, (ValueError, TypeError, IndexError, ZeroDivisionError, OverflowError,
                      FloatingPointError, KeyError)):
        return errors.InvalidArgumentError(None, op, f"{e}")
    return errors.InternalError(None, op, f"{type(e).__name__}: {e}")


def _failing_step(plan: ExecutionPlan, tb: TracebackType | None) -> Step | None:
    code = plan.run_fn.__code__ if plan.run_fn is not None else None
    while tb is not None:
        if tb.tb_frame.f_code is code:
            return plan.step_at_line(tb.tb_lineno)
        tb = tb.tb_next
    return None


def run_plan(plan: ExecutionPlan, feeds: list[Any], trace: list[StepTiming] | None = None,
             pool: ThreadPoolExecutor | None = None) -> list[Any]:
    """Runs ``plan`` with ``feeds`` (values in the plan's feed order); returns fetch values."""
    limiter = plan.blas_limiter
    if limiter is None:
        return _run_plan(plan, feeds, trace, pool)
    limiter.enter()  # BLAS on one thread while the plan runs (kernels/cpu/parallel.py)
    try:
        return _run_plan(plan, feeds, trace, pool)
    finally:
        limiter.exit()


def _run_plan(plan: ExecutionPlan, feeds: list[Any], trace: list[StepTiming] | None,
              pool: ThreadPoolExecutor | None) -> list[Any]:
    if trace is None and pool is None and plan.run_fn is not None and not _check_outputs \
            and _errstate_var is not None:
        token = _errstate_var.set(_IGNORE_ALL)
        try:
            return _run_fn(plan, feeds)
        finally:
            _errstate_var.reset(token)
    with np.errstate(all="ignore"):
        if trace is None and pool is None and plan.run_fn is not None and not _check_outputs:
            return _run_fn(plan, feeds)
        if pool is not None and len(plan.steps) > 1:
            return _run_parallel(plan, feeds, pool, trace)
        return _run_loop(plan, feeds, trace)


def _run_fn(plan: ExecutionPlan, feeds: list[Any]) -> list[Any]:
    """``plan.run_fn(feeds)``, its exceptions translated to the OpErrors of the failing step."""
    try:
        return plan.run_fn(feeds)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - translated below
        err = translate_error(e, _failing_step(plan, e.__traceback__))
        if err is e:
            raise
        raise err from (e if isinstance(err, errors.InternalError) else None)


def _call(step: Step, slots: list[Any]) -> None:
    out = step.kernel(*[slots[i] for i in step.inputs])
    outs = step.outputs
    if len(outs) == 1:
        slots[outs[0]] = out
        if _check_outputs:
            _check(step, 0, out)
    elif outs:
        if _check_outputs and (not isinstance(out, (tuple, list)) or len(out) != len(outs)):
            raise errors.InternalError(None, step.op, f"kernel of {step.type} returned "
                                                      f"{type(out).__name__}, expected "
                                                      f"{len(outs)} outputs")
        for i, (s, v) in enumerate(zip(outs, out)):
            slots[s] = v
            if _check_outputs:
                _check(step, i, v)


def _check(step: Step, index: int, value: Any) -> None:
    """Debug check: a kernel output matches its tensor's dtype and static shape."""
    if len(step.ops) != 1 or len(step.outputs) != len(step.op._outputs) or \
            step.kernel_device != "CPU" or step.label.startswith("_DeviceCopy"):
        return  # fused, one output of a folded multi-output op, device memory, or a copy
    t = step.op._outputs[index]
    base = t.dtype.base_dtype
    arr = np.asarray(value)
    want = np.dtype(base.as_numpy_dtype)
    if arr.dtype != want and not (base.name == "string" and arr.dtype.kind in "OSU"):
        raise errors.InternalError(None, step.op, f"kernel of {step.type} produced dtype "
                                                  f"{arr.dtype} for {t.name}, declared "
                                                  f"{base.name}")
    if not t.get_shape().is_compatible_with(arr.shape):
        raise errors.InternalError(None, step.op, f"kernel of {step.type} produced shape "
                                                  f"{arr.shape} for {t.name}, static shape "
                                                  f"{t.get_shape()}")


def _run_loop(plan: ExecutionPlan, feeds: list[Any], trace: list[StepTiming] | None) -> list[Any]:
    slots: list[Any] = [None] * plan.num_slots
    for s, v in zip(plan.feed_slots, feeds):
        slots[s] = v
    clock = time.perf_counter
    base = time.time() * 1e6 - clock() * 1e6
    tid = threading.get_ident()
    for step in plan.steps:
        t0 = clock()
        try:
            _call(step, slots)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # noqa: BLE001
            err = translate_error(e, step)
            if err is e:
                raise
            raise err from None
        if trace is not None:
            trace.append(StepTiming(step, base + t0 * 1e6, base + clock() * 1e6, tid))
    return [slots[s] for s in plan.fetch_slots]


def _run_parallel(plan: ExecutionPlan, feeds: list[Any], pool: ThreadPoolExecutor,
                  trace: list[StepTiming] | None) -> list[Any]:
    """Runs ready steps concurrently; a step becomes ready when its predecessors finish."""
    slots: list[Any] = [None] * plan.num_slots
    for s, v in zip(plan.feed_slots, feeds):
        slots[s] = v
    pending = list(plan.num_preds)
    lock = threading.Lock()
    done = threading.Event()
    remaining = [len(plan.steps)]
    failure: list[BaseException] = []
    clock = time.perf_counter
    base = time.time() * 1e6 - clock() * 1e6

    def run_chain(i: int | None) -> None:
        # Runs step i, then keeps going with one ready successor on this thread.
        while i is not None:
            if failure:
                _finish()
                return
            step = plan.steps[i]
            t0 = clock()
            try:
                with np.errstate(all="ignore"):
                    _call(step, slots)
            except BaseException as e:  # noqa: BLE001
                with lock:
                    failure.append(translate_error(e, step))
                done.set()
                return
            if trace is not None:
                timing = StepTiming(step, base + t0 * 1e6, base + clock() * 1e6,
                                    threading.get_ident())
                with lock:
                    trace.append(timing)
            ready = []
            with lock:
                for j in plan.successors[i]:
                    pending[j] -= 1
                    if pending[j] == 0:
                        ready.append(j)
            for j in ready[1:]:
                pool.submit(run_chain, j)
            _finish()
            i = ready[0] if ready else None

    def _finish() -> None:
        with lock:
            remaining[0] -= 1
            if remaining[0] == 0:
                done.set()

    roots = [i for i, p in enumerate(pending) if p == 0]
    for i in roots:
        pool.submit(run_chain, i)
    done.wait()
    if failure:
        raise failure[0]
    if trace is not None:
        trace.sort(key=lambda t: t.start_us)
    return [slots[s] for s in plan.fetch_slots]
