"""Reduction kernels: Sum, Mean, Max, Min of float32/float64 over the last axis when rows are
short (≤ 128 values).

numpy reduces each row of ``x.sum(axis=-1)`` through its generic reduction machinery, which
costs ~40 ns a row: a [400000, 10] float32 sum takes 20 ms in numpy and ~1.5 ms here. Longer
rows and all-axes reductions stay with numpy, which is as fast or faster there (pairwise SIMD
sums, SIMD max). The loops (minitf/kernels/cpu/reductions_jit.py) follow numpy's pairwise
summation order, so results are bit-identical to the references. numba is imported, and the
loops compiled (once, then cached on disk), on the first call that takes the fast path.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.kernels.registry import reference_kernel, register_kernel

__all__ = ["MAX_ROW", "MIN_SIZE", "reduction_kernel"]

MAX_ROW = {"Sum": 128, "Mean": 128, "Max": 128, "Min": 128}  # longer rows: numpy is as fast
# (128 is also numpy's pairwise block: one block per row keeps the summation order simple)
MIN_SIZE = 2048  # below this, numpy's fixed cost is small and compiling is not worth it
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_jit: Any = None


def _loops() -> Any:
    """The numba loops, or False where numba cannot be imported (the references run)."""
    global _jit
    if _jit is None:
        try:
            from minitf.kernels.cpu import reductions_jit
        except ImportError:
            _jit = False
        else:
            _jit = reductions_jit
    return _jit


def reduction_kernel(op: Any, state: Any) -> Any:
    """The fast path for last-axis reductions of short float rows; the reference otherwise."""
    if op.inputs[0].dtype.base_dtype.name not in ("float32", "float64"):
        return None
    ref = reference_kernel(op, state)
    keep = bool(op._attrs.get("keep_dims", False))
    name = op.type
    max_row = MAX_ROW[name]
    from minitf.ops.math_ops import reduction_axes

    def kernel(x: Any, axes: Any) -> Any:
        if name == "Sum" and type(axes) is np.ndarray and axes.size == 0 and \
                type(x) is np.ndarray and x.dtype in _FLOATS:
            return x.copy()  # no axes (a gradient that needed no un-broadcasting): a copy
        if type(x) is np.ndarray and x.dtype in _FLOATS and x.ndim >= 1 and \
                x.size >= MIN_SIZE and 1 <= x.shape[-1] <= max_row and x.flags.c_contiguous:
            ax = reduction_axes(x, np.asarray(axes))
            if ax == (x.ndim - 1,) and _loops():
                c = x.shape[-1]
                out = np.empty(x.shape[:-1], x.dtype)
                t = x.dtype.type
                _loops().kernel(name)(x.reshape(-1, c), out.reshape(-1), t(0), t(c))
                return out[..., None] if keep else out
        return ref(x, axes)

    return kernel


for _t in ("Sum", "Mean", "Max", "Min"):
    register_kernel(_t, "CPU")(reduction_kernel)
