"""``tf.convert_to_tensor`` and TF's rules for turning Python and numpy values into arrays."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor

__all__ = ["convert_to_tensor", "convert_n_to_tensor", "register_tensor_conversion_function",
           "to_numpy", "is_tensor"]

_conversion_functions: list[tuple[int, type, Callable[..., Any]]] = []


def register_tensor_conversion_function(base_type: Any, conversion_func: Callable[..., Any],
                                        priority: int = 100) -> None:
    """Lets objects of ``base_type`` be used where tensors are expected.

    ``conversion_func(value, dtype=None, name=None, as_ref=False)`` returns a Tensor.
    """
    _conversion_functions.append((priority, base_type, conversion_func))
    _conversion_functions.sort(key=lambda e: e[0])


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor) or any(isinstance(x, t) for _, t, _ in _conversion_functions)


def _dense_dims(values: Any) -> list[int]:
    if not isinstance(values, (list, tuple)):
        return []
    if not values:
        return [0]
    return [len(values)] + _dense_dims(values[0])


def _assert_compatible(values: Any, dtype: dtypes.DType | None) -> None:
    """TF's strictness for Python values given an explicit dtype (no silent float→int)."""
    if dtype is None:
        return
    if isinstance(values, (list, tuple)):
        for v in values:
            _assert_compatible(v, dtype)
        return
    if isinstance(values, (np.ndarray, np.generic)):
        return
    base = dtype.base_dtype
    ok = True
    if base is dtypes.string:
        ok = isinstance(values, (str, bytes))
    elif base is dtypes.bool:
        ok = isinstance(values, (bool, np.bool_))
    elif base.is_integer:
        ok = isinstance(values, numbers.Integral)
    elif base.is_floating:
        ok = isinstance(values, numbers.Real)
    elif base.is_complex:
        ok = isinstance(values, numbers.Number)
    if not ok:
        raise TypeError(f"Expected {base.name}, got {values!r} of type "
                        f"'{type(values).__name__}' instead.")


def _to_bytes_array(arr: np.ndarray) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(arr.reshape(-1)):
        flat[i] = v.encode() if isinstance(v, str) else bytes(v)
    return out


def to_numpy(values: Any, dtype: dtypes.DType | None = None) -> tuple[np.ndarray, dtypes.DType]:
    """Converts a Python/numpy value to an array and its DType with TF's inference rules:
    Python ints become int32 (int64 when they do not fit), floats float32, numpy arrays keep
    their dtype, strings become object arrays of bytes."""
    if values is None:
        raise ValueError("None values not supported.")
    if isinstance(values, (Tensor, Operation)):
        raise TypeError(f"Expected a value, got the symbolic {values}")
    if isinstance(values, (np.ndarray, np.generic)):
        arr = np.asarray(values)
        if arr.dtype.kind in "SUO":
            arr = _to_bytes_array(arr) if arr.dtype.kind in "SU" else arr
            if dtype is not None and dtype.base_dtype is not dtypes.string:
                raise TypeError(f"Expected {dtype.base_dtype.name}, got a string array instead.")
            return arr, dtypes.string
        if dtype is None:
            return arr, dtypes.as_dtype(arr.dtype)
        base = dtype.base_dtype
        if base is dtypes.string:
            raise TypeError(f"Expected string, got an array of {arr.dtype} instead.")
        return arr.astype(base.as_numpy_dtype, copy=False), base
    _assert_compatible(values, dtype)
    base = dtype.base_dtype if dtype is not None else None
    if base is dtypes.string or (base is None and _is_stringy(values)):
        arr = np.array(values, dtype=object)
        return _to_bytes_array(np.asarray(arr)), dtypes.string
    np_dt = base.as_numpy_dtype if base is not None else None
    try:
        arr = np.array(values, dtype=np_dt)
    except OverflowError as e:
        raise TypeError(f"Can't convert Python value {values!r} to {base.name}: {e}") from None
    except ValueError as e:
        raise ValueError(f"Argument must be a dense tensor: {values!r} - {e}") from None
    if arr.dtype == object:
        raise ValueError(f"Argument must be a dense tensor: {values!r}")
    if list(arr.shape) != _dense_dims(values) and isinstance(values, (list, tuple)):
        raise ValueError(f"Argument must be a dense tensor: {values!r} - got shape "
                         f"{list(arr.shape)}, but wanted {_dense_dims(values)}.")
    if base is None:
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        elif arr.dtype == np.int64:
            down = arr.astype(np.int32)
            if np.array_equal(down, arr):
                arr = down
        elif arr.dtype == np.complex128:
            pass
        return arr, dtypes.as_dtype(arr.dtype)
    if base.is_integer and arr.size:
        info = np.iinfo(np_dt)
        ref = np.array(values)
        if ref.dtype.kind in "iu" and (ref.min() < info.min or ref.max() > info.max):
            raise TypeError(f"Can't convert {values!r} to {base.name}: out of range.")
    return arr, base


def _is_stringy(values: Any) -> bool:
    while isinstance(values, (list, tuple)) and values:
        values = values[0]
    return isinstance(values, (str, bytes))


def convert_to_tensor(value: Any, dtype: Any = None, name: str | None = None,
                      preferred_dtype: Any = None, as_ref: bool = False,
                      dtype_hint: Any = None) -> Tensor:
    """Converts ``value`` (Tensor, Variable, numpy array, Python value) to a Tensor."""
    dtype = dtypes.as_dtype(dtype) if dtype is not None else None
    preferred = preferred_dtype if preferred_dtype is not None else dtype_hint
    if isinstance(value, Tensor):
        if dtype is not None and not dtype.is_compatible_with(value.dtype):
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {value.dtype.name}: {value!r}")
        return value
    for _, base_type, fn in _conversion_functions:
        if isinstance(value, base_type):
            t = fn(value, dtype=dtype, name=name, as_ref=as_ref)
            if dtype is not None and not dtype.is_compatible_with(t.dtype):
                raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor "
                                 f"with dtype {t.dtype.name}: {t!r}")
            return t
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype="
                        f"{dtype}, name='{name}', as_ref={as_ref})")
    from minitf.ops.constant_op import constant

    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        # TF's autopacking: [t, 1] becomes a Pack op named "packed".
        from minitf.ops.array_basic import autopack

        return autopack(value, dtype, name or "packed")
    if dtype is None and preferred is not None:
        try:
            arr, d = to_numpy(value, dtypes.as_dtype(preferred))
            return constant(arr, dtype=d, name=name or "Const")
        except (TypeError, ValueError):
            pass
    arr, d = to_numpy(value, dtype)
    return constant(arr, dtype=d, name=name or "Const")


def _contains_tensor(value: Any) -> bool:
    for v in value:
        if isinstance(v, Tensor) or (isinstance(v, (list, tuple)) and _contains_tensor(v)):
            return True
    return False


def convert_n_to_tensor(values: Any, dtype: Any = None, name: str | None = None,
                        preferred_dtype: Any = None) -> list[Tensor]:
    if not isinstance(values, (list, tuple)):
        raise TypeError("values must be a sequence.")
    return [convert_to_tensor(v, dtype, None if name is None else f"{name}_{i}", preferred_dtype)
            for i, v in enumerate(values)]
