"""numba kernels for Relu, Relu6, Elu and their gradient ops (float32/float64).

Single flat loops (vectorized by LLVM for relu/relu6 and the grads; elu calls expm1). Results
are bit-identical to the numpy references except elu's expm1 (within an ulp). Other dtypes,
and grads whose operands differ in shape, run the reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.kernels.cpu.buffers import OutputBuffer
from minitf.kernels.cpu.parallel import parallel_for, pool_mode, split_points, threads_for
from minitf.kernels.registry import register_kernel
from minitf.ops import nn_activation_ops as act

__all__: list[str] = []


def _jit() -> Any:
    from minitf.kernels.cpu import nn_activation_jit

    return nn_activation_jit


_FLOAT = (np.dtype(np.float32), np.dtype(np.float64))


def _dtype(op: Any) -> np.dtype | None:
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    return dt if dt in _FLOAT else None


_PARALLEL_MIN = 1 << 19  # elements: larger arrays are split over the pool in pool-mode runs


def _run(fn: Any, arrays: tuple[np.ndarray, ...], threads: int) -> None:
    """``fn(*arrays)`` over flat arrays, in two or more slices on the intra-op pool when the
    arrays are large and the run uses the pool (convolution plans)."""
    n = arrays[0].size
    if n < _PARALLEL_MIN or threads < 2 or not pool_mode():
        fn(*arrays)
        return
    edges = split_points(n, threads, 4096)

    def part(i: int) -> None:
        lo, hi = edges[i], edges[i + 1]
        fn(*[a[lo:hi] for a in arrays])

    parallel_for(len(edges) - 1, part, threads)


def _unary(fn_name: str, reference: Any) -> Any:
    def factory(op: Any, state: Any) -> Any:
        dt = _dtype(op)
        if dt is None:
            return None
        fn = getattr(_jit(), fn_name)
        buf = OutputBuffer()
        threads = threads_for(getattr(state, "config", None))

        def kernel(x: Any) -> np.ndarray:
            if x.dtype != dt:
                return reference(x)
            flat = np.ascontiguousarray(x).reshape(-1)
            out = buf.empty(flat.shape, dt)
            _run(fn, (flat, out), threads)
            return buf.keep(out).reshape(x.shape)

        return kernel

    return factory


def _binary(fn_name: str, reference: Any) -> Any:
    def factory(op: Any, state: Any) -> Any:
        dt = _dtype(op)
        if dt is None:
            return None
        fn = getattr(_jit(), fn_name)
        buf = OutputBuffer()
        threads = threads_for(getattr(state, "config", None))

        def kernel(g: Any, x: Any) -> np.ndarray:
            if g.dtype != dt or x.dtype != dt or g.shape != x.shape:
                return reference(g, x)
            gf = np.ascontiguousarray(g).reshape(-1)
            xf = np.ascontiguousarray(x).reshape(-1)
            out = buf.empty(gf.shape, dt)
            _run(fn, (gf, xf, out), threads)
            return buf.keep(out).reshape(g.shape)

        return kernel

    return factory


register_kernel("Relu", "CPU")(_unary("relu_flat", act._relu_ref))
register_kernel("Relu6", "CPU")(_unary("relu6_flat", act._relu6_ref))
register_kernel("Elu", "CPU")(_unary("elu_flat", act._elu_ref))
register_kernel("ReluGrad", "CPU")(_binary("relu_grad_flat", act._relu_grad_ref))
register_kernel("Relu6Grad", "CPU")(_binary("relu6_grad_flat", act._relu6_grad_ref))
register_kernel("EluGrad", "CPU")(_binary("elu_grad_flat", act._elu_grad_ref))
