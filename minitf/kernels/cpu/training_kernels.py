"""Fused numba kernels for the training update ops (minitf.ops.training_ops), float32/float64.

One pass over memory per update, in place, with TF's expression order in the variable's dtype.
The factory declines other dtypes (the numpy reference runs); every run-time check (shapes,
scalars, index range) is the reference's, done before the fused loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.kernels.registry import register_kernel

__all__: list[str] = []

_FLOAT = (np.dtype(np.float32), np.dtype(np.float64))


def _jit() -> Any:
    from minitf.kernels.cpu import training_kernels_jit

    return training_kernels_jit


def _flat(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    if a.dtype != dt or not a.flags.c_contiguous:
        a = np.ascontiguousarray(a, dtype=dt)
    return a.reshape(-1)


def _rows(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    if a.dtype != dt or not a.flags.c_contiguous:
        a = np.ascontiguousarray(a, dtype=dt)
    return a.reshape(a.shape[0], -1) if a.ndim else a.reshape(1, 1)


def _factory(op_type: str, body: Callable[..., Any]) -> None:
    """Registers a factory: ``body(ctx, jit, T)`` returns ``run(refs, named)``."""

    @register_kernel(op_type, "CPU")
    def factory(op: Any, state: Any) -> Any:
        from minitf.ops.training_ops import TrainingKernelContext

        ctx = TrainingKernelContext(op, state)
        if ctx.dtype not in _FLOAT:
            return None
        try:
            jit = _jit()
        except ImportError:  # pragma: no cover - numba missing: the reference runs
            return None
        run = body(ctx, jit, ctx.dtype.type)
        lock = ctx.slots[0].lock if ctx.use_locking else None

        def kernel(*vals: Any) -> np.ndarray:
            refs, named = ctx.read(vals)
            if lock is None:
                run(refs, named)
            else:
                with lock:
                    run(refs, named)
            return refs["var"]

        return kernel


def _gd(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        jit.gradient_descent(r["var"].reshape(-1), T(v["alpha"]), _flat(v["delta"], dt))

    return run


def _momentum(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype
    fn = jit.momentum_nesterov if ctx.flags["use_nesterov"] else jit.momentum

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        fn(r["var"].reshape(-1), r["accum"].reshape(-1), T(v["lr"]), _flat(v["grad"], dt),
           T(v["momentum"]))

    return run


def _adagrad(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype
    update = ctx.flags["update_slots"]

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        jit.adagrad(r["var"].reshape(-1), r["accum"].reshape(-1), T(v["lr"]),
                    _flat(v["grad"], dt), update, T(1))

    return run


def _rms_prop(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        jit.rms_prop(r["var"].reshape(-1), r["ms"].reshape(-1), r["mom"].reshape(-1),
                     T(v["lr"]), T(1) - T(v["rho"]), T(v["momentum"]), T(v["epsilon"]),
                     _flat(v["grad"], dt))

    return run


def _centered_rms_prop(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        jit.centered_rms_prop(r["var"].reshape(-1), r["mg"].reshape(-1), r["ms"].reshape(-1),
                              r["mom"].reshape(-1), T(v["lr"]), T(1) - T(v["rho"]),
                              T(v["momentum"]), T(v["epsilon"]), _flat(v["grad"], dt))

    return run


def _adadelta(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        rho = T(v["rho"])
        jit.adadelta(r["var"].reshape(-1), r["accum"].reshape(-1),
                     r["accum_update"].reshape(-1), T(v["lr"]), rho, T(1) - rho,
                     T(v["epsilon"]), _flat(v["grad"], dt), T(1))

    return run


def _adam(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype
    nesterov = ctx.flags["use_nesterov"]
    one = T(1)

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        alpha = T(v["lr"]) * np.sqrt(one - T(v["beta2_power"])) / (one - T(v["beta1_power"]))
        b1 = T(v["beta1"])
        args = (r["var"].reshape(-1), r["m"].reshape(-1), r["v"].reshape(-1),
                _flat(v["grad"], dt), T(alpha), one - b1, one - T(v["beta2"]), T(v["epsilon"]))
        if nesterov:
            jit.adam_nesterov(*args, b1)
        else:
            jit.adam(*args)

    return run


def _idx(v: dict[str, Any]) -> np.ndarray:
    return np.ascontiguousarray(v["indices"], dtype=np.int64)


def _sparse_momentum(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype
    nesterov = ctx.flags["use_nesterov"]

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        jit.sparse_momentum(_rows(r["var"], dt), _rows(r["accum"], dt), T(v["lr"]),
                            _rows(v["grad"], dt), _idx(v), T(v["momentum"]), nesterov)

    return run


def _sparse_adagrad(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype
    update = ctx.flags["update_slots"]

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        jit.sparse_adagrad(_rows(r["var"], dt), _rows(r["accum"], dt), T(v["lr"]),
                           _rows(v["grad"], dt), _idx(v), update, T(1))

    return run


def _sparse_rms_prop(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        rho = T(v["rho"])
        jit.sparse_rms_prop(_rows(r["var"], dt), _rows(r["ms"], dt), _rows(r["mom"], dt),
                            T(v["lr"]), rho, T(1) - rho, T(v["momentum"]), T(v["epsilon"]),
                            _rows(v["grad"], dt), _idx(v), T(1))

    return run


def _sparse_centered_rms_prop(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        rho = T(v["rho"])
        jit.sparse_centered_rms_prop(_rows(r["var"], dt), _rows(r["mg"], dt),
                                     _rows(r["ms"], dt), _rows(r["mom"], dt), T(v["lr"]), rho,
                                     T(1) - rho, T(v["momentum"]), T(v["epsilon"]),
                                     _rows(v["grad"], dt), _idx(v), T(1))

    return run


def _sparse_adadelta(ctx: Any, jit: Any, T: Any) -> Any:
    dt = ctx.dtype

    def run(r: dict[str, Any], v: dict[str, Any]) -> None:
        rho = T(v["rho"])
        jit.sparse_adadelta(_rows(r["var"], dt), _rows(r["accum"], dt),
                            _rows(r["accum_update"], dt), T(v["lr"]), rho, T(1) - rho,
                            T(v["epsilon"]), _rows(v["grad"], dt), _idx(v), T(1))

    return run


for _op_type, _body in (("ApplyGradientDescent", _gd), ("ApplyMomentum", _momentum),
                        ("ApplyAdagrad", _adagrad), ("ApplyRMSProp", _rms_prop),
                        ("ApplyCenteredRMSProp", _centered_rms_prop),
                        ("ApplyAdadelta", _adadelta),
                        ("SparseApplyMomentum", _sparse_momentum),
                        ("SparseApplyAdagrad", _sparse_adagrad),
                        ("SparseApplyRMSProp", _sparse_rms_prop),
                        ("SparseApplyCenteredRMSProp", _sparse_centered_rms_prop),
                        ("SparseApplyAdadelta", _sparse_adadelta)):
    _factory(_op_type, _body)


# --- ApplyAdam: the common case in a few Python operations ---------------------------------------

_PARALLEL_MIN = 1 << 18   # elements: larger updates are split over the intra-op pool
_TASK_MIN = 1 << 16       # the same with GIL-free pool tasks (hand-offs of ~1 µs)
_ALIGN = 1024             # split points (elements): whole cache lines, SIMD-friendly


def _adam_task(dt: np.dtype) -> int | None:
    """Address of the GIL-free Adam block task for ``dt`` (``training_tasks_jit``), or None."""
    try:
        from minitf.kernels.cpu.training_tasks_jit import adam_tasks
    except Exception:  # noqa: BLE001 - numba missing or cfuncs unsupported: Python tasks
        return None
    return adam_tasks.get(np.dtype(dt))


@register_kernel("ApplyAdam", "CPU")
def _adam_factory(op: Any, state: Any) -> Any:
    """ApplyAdam: when var, m, v are initialized C-contiguous writable arrays of the op's dtype,
    the hyper-parameters 0-d arrays and the gradient has the variable's shape (every training
    step), one fused pass (split over the intra-op pool for large variables); anything else
    runs the general path with all of TF's checks and errors."""
    from minitf.kernels.cpu.parallel import (
        blas_limiter,
        blocks_ready,
        parallel_for,
        run_blocks,
        threads_for,
    )
    from minitf.ops.training_ops import TrainingKernelContext

    ctx = TrainingKernelContext(op, state)
    if ctx.dtype not in _FLOAT:
        return None
    try:
        jit = _jit()
    except ImportError:  # pragma: no cover - numba missing: the reference runs
        return None
    dt = ctx.dtype
    T = dt.type
    one = T(1)
    nesterov = ctx.flags["use_nesterov"]
    fn = jit.adam_nesterov if nesterov else jit.adam
    general = _adam(ctx, jit, T)
    slot_var, slot_m, slot_v = ctx.slots
    lock = slot_var.lock if ctx.use_locking else None
    threads = threads_for(getattr(state, "config", None))
    ndarray = np.ndarray
    task = _adam_task(dt)

    def update(var: np.ndarray, m: np.ndarray, v: np.ndarray, grad: np.ndarray, b1p: Any,
               b2p: Any, lr: Any, b1: Any, b2: Any, eps: Any) -> None:
        alpha = T(T(lr) * np.sqrt(one - T(b2p)) / (one - T(b1p)))
        b1 = T(b1)
        args = (one - b1, one - T(b2), T(eps)) + ((b1,) if nesterov else ())
        fv, fm, fw, fg = var.reshape(-1), m.reshape(-1), v.reshape(-1), grad.reshape(-1)
        n = fv.size
        tasks = task is not None and not nesterov and n >= _TASK_MIN and threads > 1 and \
            blas_limiter.active and blocks_ready()
        if n < (_TASK_MIN if tasks else _PARALLEL_MIN) or threads < 2 or \
                not blas_limiter.active:
            fn(fv, fm, fw, fg, alpha, *args)
            return
        parts = min(threads, -(-n // (_TASK_MIN if tasks else _PARALLEL_MIN)))
        step = -(-n // parts)
        step = -(-step // _ALIGN) * _ALIGN
        edges = list(range(0, n, step)) + [n]
        if tasks:
            # GIL-free blocks on the pool (pool_jit): the same loop, hand-offs of ~1 µs
            it = dt.itemsize
            bits = np.array([alpha, args[0], args[1], args[2]], dtype=np.float64).view(np.int64)
            ptrs = [a.ctypes.data for a in (fv, fm, fw, fg)]
            blocks = np.array([[2, task] + [p + lo * it for p in ptrs] + [hi - lo] + list(bits)
                               + [0, 0] for lo, hi in zip(edges[:-1], edges[1:])],
                              dtype=np.int64)
            run_blocks(blocks, threads)
            return

        def part(i: int) -> None:
            lo, hi = edges[i], edges[i + 1]
            fn(fv[lo:hi], fm[lo:hi], fw[lo:hi], fg[lo:hi], alpha, *args)

        parallel_for(len(edges) - 1, part, threads)

    def apply_adam(b1p: Any, b2p: Any, lr: Any, b1: Any, b2: Any, eps: Any, grad: Any) -> Any:
        var, m, v = slot_var.value, slot_m.value, slot_v.value
        if (var is not None and m is not None and v is not None and type(grad) is ndarray
                and grad.dtype == dt and var.dtype == dt and m.dtype == dt and v.dtype == dt
                and grad.shape == var.shape and m.shape == var.shape and v.shape == var.shape
                and var.flags.c_contiguous and m.flags.c_contiguous and v.flags.c_contiguous
                and var.flags.writeable and m.flags.writeable and v.flags.writeable
                and grad.flags.c_contiguous
                and type(b1p) is ndarray and type(b2p) is ndarray and type(lr) is ndarray
                and type(b1) is ndarray and type(b2) is ndarray and type(eps) is ndarray
                and not (b1p.ndim or b2p.ndim or lr.ndim or b1.ndim or b2.ndim or eps.ndim)):
            if lock is None:
                update(var, m, v, grad, b1p, b2p, lr, b1, b2, eps)
            else:
                with lock:
                    update(var, m, v, grad, b1p, b2p, lr, b1, b2, eps)
            return var
        refs, named = ctx.read((b1p, b2p, lr, b1, b2, eps, grad))
        if lock is None:
            general(refs, named)
        else:
            with lock:
                general(refs, named)
        return refs["var"]

    return apply_adam
