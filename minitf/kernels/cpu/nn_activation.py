"""numba kernels for Relu, Relu6, Elu and their gradient ops (float32/float64).

Single flat loops (vectorized by LLVM for relu/relu6 and the grads; elu calls expm1). Results
are bit-identical to the numpy references except elu's expm1 (within an ulp). Other dtypes,
and grads whose operands differ in shape, run the reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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


def _unary(fn_name: str, reference: Any) -> Any:
    def factory(op: Any, state: Any) -> Any:
        dt = _dtype(op)
        if dt is None:
            return None
        fn = getattr(_jit(), fn_name)

        def kernel(x: Any) -> np.ndarray:
            if x.dtype != dt:
                return reference(x)
            flat = np.ascontiguousarray(x).reshape(-1)
            return fn(flat, np.empty_like(flat)).reshape(x.shape)

        return kernel

    return factory


def _binary(fn_name: str, reference: Any) -> Any:
    def factory(op: Any, state: Any) -> Any:
        dt = _dtype(op)
        if dt is None:
            return None
        fn = getattr(_jit(), fn_name)

        def kernel(g: Any, x: Any) -> np.ndarray:
            if g.dtype != dt or x.dtype != dt or g.shape != x.shape:
                return reference(g, x)
            gf = np.ascontiguousarray(g).reshape(-1)
            xf = np.ascontiguousarray(x).reshape(-1)
            return fn(gf, xf, np.empty_like(gf)).reshape(g.shape)

        return kernel

    return factory


register_kernel("Relu", "CPU")(_unary("relu_flat", act._relu_ref))
register_kernel("Relu6", "CPU")(_unary("relu6_flat", act._relu6_ref))
register_kernel("Elu", "CPU")(_unary("elu_flat", act._elu_ref))
register_kernel("ReluGrad", "CPU")(_binary("relu_grad_flat", act._relu_grad_ref))
register_kernel("Relu6Grad", "CPU")(_binary("relu6_grad_flat", act._relu6_grad_ref))
register_kernel("EluGrad", "CPU")(_binary("elu_grad_flat", act._elu_grad_ref))
