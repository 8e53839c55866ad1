"""numba kernels for Softmax, LogSoftmax and the fused softmax cross-entropy ops
(SoftmaxCrossEntropyWithLogits, SparseSoftmaxCrossEntropyWithLogits), float32/float64.

One pass per row: the row maximum is subtracted before exp; sums of exponentials are
accumulated in float64 (at least as accurate as numpy's pairwise float32 sum). The
cross-entropy kernels return (loss, backprop) from one sweep, so the gradient costs nothing.
Other dtypes, broadcasting labels and every error case run the numpy reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.kernels.registry import register_kernel
from minitf.ops.nn_activation_ops import log_softmax_ref, softmax_ref
from minitf.ops.nn_loss_ops import sparse_xent_ref, xent_ref

__all__: list[str] = []


def _jit() -> Any:
    from minitf.kernels.cpu import nn_softmax_jit

    return nn_softmax_jit


_FLOAT = (np.dtype(np.float32), np.dtype(np.float64))


def _float_op(op: Any) -> np.dtype | None:
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    return dt if dt in _FLOAT else None


def _rows_kernel(fn: Any, reference: Any, dt: np.dtype) -> Any:
    def kernel(x: Any) -> np.ndarray:
        if x.dtype != dt or x.ndim < 1 or x.size == 0:
            return reference(x)
        x2 = np.ascontiguousarray(x).reshape(-1, x.shape[-1])
        out = np.empty_like(x2)
        fn(x2, out)
        return out.reshape(x.shape)

    return kernel


@register_kernel("Softmax", "CPU")
def _softmax_factory(op: Any, state: Any) -> Any:
    dt = _float_op(op)
    return None if dt is None else _rows_kernel(_jit().softmax_rows, softmax_ref, dt)


@register_kernel("LogSoftmax", "CPU")
def _log_softmax_factory(op: Any, state: Any) -> Any:
    dt = _float_op(op)
    return None if dt is None else _rows_kernel(_jit().log_softmax_rows, log_softmax_ref, dt)


@register_kernel("SoftmaxCrossEntropyWithLogits", "CPU")
def _xent_factory(op: Any, state: Any) -> Any:
    dt = _float_op(op)
    if dt is None:
        return None

    jit = _jit()

    def xent(x: Any, z: Any) -> tuple[np.ndarray, np.ndarray]:
        if x.dtype != dt or z.dtype != dt or x.ndim != 2 or x.shape != z.shape or not x.size:
            return xent_ref(x, z)
        x = np.ascontiguousarray(x)
        z = np.ascontiguousarray(z)
        loss = np.empty(x.shape[0], dtype=dt)
        backprop = np.empty_like(x)
        jit.xent_rows(x, z, loss, backprop)
        return loss, backprop

    return xent


@register_kernel("SparseSoftmaxCrossEntropyWithLogits", "CPU")
def _sparse_xent_factory(op: Any, state: Any) -> Any:
    dt = _float_op(op)
    if dt is None:
        return None

    jit = _jit()

    def sparse_xent(x: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
        if x.dtype != dt or x.ndim != 2 or labels.ndim != 1 or labels.shape[0] != x.shape[0] \
                or not x.size:
            return sparse_xent_ref(x, labels)
        x = np.ascontiguousarray(x)
        loss = np.empty(x.shape[0], dtype=dt)
        backprop = np.empty_like(x)
        if jit.sparse_xent_rows(x, np.ascontiguousarray(labels), loss, backprop) >= 0:
            return sparse_xent_ref(x, labels)  # raises TF's out-of-range error
        return loss, backprop

    return sparse_xent
