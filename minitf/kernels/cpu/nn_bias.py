"""numba kernels for BiasAdd and BiasAddGrad (float32/float64, NHWC and NCHW).

BiasAddGrad accumulates in float64, so float32 sums are at least as accurate as numpy's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.kernels.cpu.buffers import OutputBuffer
from minitf.kernels.registry import register_kernel
from minitf.ops.nn_conv_ops import bias_add_grad_ref, bias_add_ref

__all__: list[str] = []


def _jit() -> Any:
    from minitf.kernels.cpu import nn_bias_jit

    return nn_bias_jit


_FLOAT = (np.dtype(np.float32), np.dtype(np.float64))


def _setup(op: Any) -> tuple[np.dtype, str] | None:
    dt = np.dtype(op._attrs["T"].as_numpy_dtype)
    if dt not in _FLOAT:
        return None
    return dt, op._attrs["data_format"]


@register_kernel("BiasAdd", "CPU")
def _bias_add_factory(op: Any, state: Any) -> Any:
    setup = _setup(op)
    if setup is None:
        return None
    dt, fmt = setup

    jit = _jit()
    buf = OutputBuffer()

    def bias_add(x: Any, b: Any) -> np.ndarray:
        axis = 1 if fmt == "NCHW" else x.ndim - 1
        if x.dtype != dt or b.dtype != dt or x.ndim < 2 or b.ndim != 1 or \
                x.shape[axis] != b.shape[0] or not x.size:
            return bias_add_ref(x, b, fmt)
        xc = np.ascontiguousarray(x)
        out = buf.empty(xc.shape, dt)
        if fmt == "NCHW":
            shape3 = (x.shape[0], x.shape[1], -1)
            jit.bias_add_channels_first(xc.reshape(shape3), b, out.reshape(shape3))
        else:
            jit.bias_add_last(xc.reshape(-1, b.shape[0]), b, out.reshape(-1, b.shape[0]))
        return buf.keep(out)

    return bias_add


@register_kernel("BiasAddGrad", "CPU")
def _bias_add_grad_factory(op: Any, state: Any) -> Any:
    setup = _setup(op)
    if setup is None:
        return None
    dt, fmt = setup

    jit = _jit()

    def bias_add_grad(g: Any) -> np.ndarray:
        if g.dtype != dt or g.ndim < (3 if fmt == "NCHW" else 2) or not g.size:
            return bias_add_grad_ref(g, fmt)
        gc = np.ascontiguousarray(g)
        if fmt == "NCHW":
            out = np.empty(g.shape[1], dtype=dt)
            return jit.bias_grad_channels_first(gc.reshape(g.shape[0], g.shape[1], -1), out)
        out = np.empty(g.shape[-1], dtype=dt)
        return jit.bias_grad_last(gc.reshape(-1, g.shape[-1]), out)

    return bias_add_grad
