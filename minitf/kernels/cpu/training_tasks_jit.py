"""Optimizer updates as GIL-free pool tasks (``pool_jit`` descriptors run by a pool worker).

A descriptor row for :data:`adam_tasks`: ``[TASK, address, var, m, v, grad, n, alpha,
1 - beta1, 1 - beta2, epsilon, -, -]`` — pointers to the first element of this block of the
flat arrays, the block's length, and the hyper-parameters as float64 bits (exact for the
float32 values the kernel is called with). The task calls the same compiled loop as the
direct call (``training_kernels_jit.adam``), so a block's bits do not depend on which thread
ran it. Compiled (or loaded from numba's cache) when first imported.
"""

from __future__ import annotations

import numpy as np
from numba import carray, cfunc, float32, float64, njit

from minitf.kernels.cpu.pool_jit import bits_float, float_pointer, task_signature
from minitf.kernels.cpu.training_kernels_jit import adam

__all__ = ["adam_tasks"]


@njit(cache=True, nogil=True)
def _adam_block(desc, dtype):  # noqa: ANN001, ANN202
    d = carray(desc, 13)
    n = d[6]
    adam(carray(float_pointer(d[2], dtype), n), carray(float_pointer(d[3], dtype), n),
         carray(float_pointer(d[4], dtype), n), carray(float_pointer(d[5], dtype), n),
         dtype(bits_float(d[7])), dtype(bits_float(d[8])), dtype(bits_float(d[9])),
         dtype(bits_float(d[10])))


@cfunc(task_signature, cache=True)
def _adam_f32(desc):  # noqa: ANN001, ANN202
    _adam_block(desc, float32)


@cfunc(task_signature, cache=True)
def _adam_f64(desc):  # noqa: ANN001, ANN202
    _adam_block(desc, float64)


adam_tasks = {np.dtype(np.float32): _adam_f32.address, np.dtype(np.float64): _adam_f64.address}
