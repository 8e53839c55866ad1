"""Fast paths of small array ops that run on every training step (no numba).

A gradient graph with an unknown batch size computes shapes at run time: ``Shape``,
``BroadcastGradientArgs``, ``Reshape`` to a computed shape. Their references validate every
case in general numpy code (~4-10 µs a call); these kernels take the common case in a few
Python operations and hand everything else (errors included) to the reference.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitf.kernels.registry import reference_kernel, register_kernel

__all__: list[str] = []


@register_kernel("Reshape", "CPU")
def _reshape_factory(op: Any, state: Any) -> Any:
    ref = reference_kernel(op, state)
    ndarray = np.ndarray

    def reshape(x: Any, shape: Any) -> Any:
        if type(x) is ndarray and type(shape) is ndarray and shape.ndim == 1:
            dims = shape.tolist()
            low = min(dims) if dims else 0
            if low >= 0:
                if math.prod(dims) == x.size:
                    return x.reshape(dims)
            elif low == -1 and dims.count(-1) == 1:
                known = -math.prod(dims)  # the product of the other dimensions
                if known > 0 and x.size % known == 0:
                    dims[dims.index(-1)] = x.size // known
                    return x.reshape(dims)
        return ref(x, shape)

    return reshape


@register_kernel("BroadcastGradientArgs", "CPU")
def _bga_factory(op: Any, state: Any) -> Any:
    ref = reference_kernel(op, state)
    memo: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}
    ndarray = np.ndarray

    def broadcast_gradient_args(s0: Any, s1: Any) -> Any:
        if type(s0) is ndarray and type(s1) is ndarray and s0.ndim == 1 and s1.ndim == 1:
            key = (s0.dtype.char, *s0.tolist(), None, *s1.tolist())
            hit = memo.get(key)
            if hit is None:
                hit = ref(s0, s1)  # raises TF's error for incompatible shapes
                if len(memo) < 256:
                    memo[key] = hit
            return hit[0].copy(), hit[1].copy()
        return ref(s0, s1)

    return broadcast_gradient_args
