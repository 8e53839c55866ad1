"""The Const op and ``tf.constant``."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.graph import get_default_graph
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, as_shape

__all__ = ["constant"]


def _const_shape(op: Any) -> list[TensorShape]:
    return [TensorShape(op._attrs["value"].shape)]


def _const_kernel(op: Any, state: Any) -> Any:
    value = op._attrs["value"]

    def const() -> np.ndarray:
        return value

    return const


register_op("Const", outputs=["output: dtype"], attrs=["value: tensor", "dtype: type"],
            shape=_const_shape, make_kernel=_const_kernel,
            doc="A constant tensor; its value lives in the graph.")
NotDifferentiable("Const")


def _fill_to_shape(arr: np.ndarray, shape: TensorShape, verify_shape: bool) -> np.ndarray:
    dims = shape.as_list()
    if any(d is None for d in dims):
        raise ValueError(f"Shape {shape} must be fully defined for tf.constant")
    if tuple(dims) == arr.shape:
        return arr
    if verify_shape:
        raise TypeError(f"Expected Tensor's shape: {tuple(dims)}, got {arr.shape}.")
    n = int(np.prod(dims, dtype=np.int64))
    if arr.size == n:
        return arr.reshape(dims)
    if arr.size == 1:
        return np.full(dims, arr.reshape(-1)[0], dtype=arr.dtype)
    if 0 < arr.size < n:
        # TF 1.x: a shorter list is padded by repeating its last element.
        flat = np.concatenate([arr.reshape(-1), np.repeat(arr.reshape(-1)[-1:], n - arr.size)])
        return flat.reshape(dims)
    raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor "
                    f"{arr.tolist()!r} (converted from {arr!r}) has {arr.size} elements, but got "
                    f"`shape` {tuple(dims)} with {n} elements).")


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str = "Const",
             verify_shape: bool = False) -> Tensor:
    """A constant tensor holding ``value`` (``tf.constant``)."""
    from minitf.framework.tensor_conversion import to_numpy

    if isinstance(value, Tensor):
        raise TypeError(f"tf.constant expects a Python or numpy value, got the tensor {value}. "
                        "Use tf.identity to copy a tensor.")
    want = dtypes.as_dtype(dtype) if dtype is not None else None
    arr, d = to_numpy(value, want)
    if shape is not None:
        arr = _fill_to_shape(arr, as_shape(shape), verify_shape)
    if not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr)
    if arr.dtype != object and arr.dtype != d.as_numpy_dtype:
        arr = arr.astype(d.as_numpy_dtype)
    g = get_default_graph()
    with g.name_scope(name) as scope:
        pass
    op = g._create_op_internal("Const", [], {"value": arr, "dtype": d}, scope[:-1])
    return op.outputs[0]
