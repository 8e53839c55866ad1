"""Helpers shared by the sparse op modules: index validation, linearisation, static shapes."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.tensor_shape import TensorShape

__all__ = ["as_sparse", "check_indices", "linear_index", "dense_of", "shape_of", "lex_order",
           "idx_str", "invalid"]


def invalid(msg: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, msg)


def idx_str(row: Any) -> str:
    return "[" + ",".join(str(int(i)) for i in np.atleast_1d(row)) + "]"


def check_indices(indices: np.ndarray, shape: Any, order: bool = True,
                  repeat: bool = True) -> None:
    """TF's SparseTensor validation: in bounds, lexicographically ordered, not repeated."""
    shape = np.asarray(shape, dtype=np.int64).reshape(-1)
    if indices.ndim != 2 or indices.shape[1] != shape.size:
        raise invalid(f"Indices must have shape [N, {shape.size}], got "
                      f"{list(indices.shape)}")
    if not indices.size:
        return
    bad = ((indices < 0) | (indices >= shape)).any(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise invalid(f"indices[{i}] = {idx_str(indices[i])} is out of bounds: need 0 <= "
                      f"index < {idx_str(shape)}")
    if not (order or repeat):
        return
    step = np.diff(linear_index(indices, shape))
    if order and (step < 0).any():
        i = int(np.argmax(step < 0)) + 1
        raise invalid(f"indices[{i}] = {idx_str(indices[i])} is out of order. Many sparse ops "
                      "require sorted indices.\n    Use `tf.sparse.reorder` to create a "
                      "correctly ordered copy.\n\n")
    if repeat and (step == 0).any():
        i = int(np.argmax(step == 0)) + 1
        raise invalid(f"indices[{i}] = {idx_str(indices[i])} is repeated")


def linear_index(indices: np.ndarray, shape: Any) -> np.ndarray:
    """Row-major position of each index row (bounds already checked)."""
    shape = np.asarray(shape, dtype=np.int64).reshape(-1)
    if indices.shape[0] == 0:
        return np.zeros(0, np.int64)
    if shape.size == 0:
        return np.zeros(indices.shape[0], np.int64)
    strides = np.concatenate([np.cumprod(shape[::-1])[::-1][1:], [1]]).astype(np.int64)
    return indices.astype(np.int64) @ strides


def lex_order(indices: np.ndarray) -> np.ndarray:
    """A stable permutation sorting index rows lexicographically."""
    if indices.shape[0] == 0 or indices.shape[1] == 0:
        return np.arange(indices.shape[0])
    return np.lexsort(indices.T[::-1])


def dense_of(indices: np.ndarray, values: np.ndarray, shape: Any) -> np.ndarray:
    """The dense array (duplicates summed) after a bounds check."""
    check_indices(indices, shape, order=False, repeat=False)
    out = np.zeros(tuple(int(s) for s in np.asarray(shape).reshape(-1)), dtype=values.dtype)
    if indices.shape[0]:
        np.add.at(out, tuple(indices.T), values)
    return out


def shape_of(dense_shape: Any) -> TensorShape:
    """The static dense shape described by a dense_shape tensor."""
    from minitf.framework.constant_value import constant_value_as_shape

    try:
        shape = constant_value_as_shape(dense_shape)
    except (ValueError, TypeError):
        shape = TensorShape(None)
    rank = dense_shape.get_shape()
    if shape.ndims is None and rank.ndims == 1 and rank[0].value is not None:
        return TensorShape([None] * rank[0].value)
    return shape


def as_sparse(x: Any) -> Any:
    """``x`` as a SparseTensor (a SparseTensorValue becomes constants); TypeError otherwise."""
    from minitf.framework.sparse_tensor import SparseTensor, SparseTensorValue

    if isinstance(x, SparseTensorValue):
        return SparseTensor.from_value(x)
    if not isinstance(x, SparseTensor):
        raise TypeError(f"Input must be a SparseTensor, got {type(x).__name__}")
    return x
