"""Tensor element types, mirroring ``tf.DType`` (names, enum values, ref types)."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

__all__ = [
    "DType", "as_dtype", "float16", "half", "float32", "float64", "double", "int8", "int16",
    "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "string", "complex64",
    "complex128", "bfloat16", "resource", "variant",
]

_REF_OFFSET = 100


class DType:
    """The element type of a tensor (``tf.DType``)."""

    __slots__ = ("_enum", "_name", "_np", "_base")

    def __init__(self, enum: int, name: str, np_type: Any) -> None:
        self._enum = enum
        self._name = name
        self._np = np_type
        self._base: DType | None = None

    # --- identity -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def as_numpy_dtype(self) -> Any:
        return self._np

    @property
    def base_dtype(self) -> DType:
        return self._base if self._base is not None else self

    @property
    def real_dtype(self) -> DType:
        if self.base_dtype is complex64:
            return float32
        if self.base_dtype is complex128:
            return float64
        return self.base_dtype

    @property
    def _is_ref_dtype(self) -> bool:
        return self._enum > _REF_OFFSET

    @property
    def _as_ref(self) -> DType:
        return self if self._is_ref_dtype else _BY_ENUM[self._enum + _REF_OFFSET]

    # --- classification -------------------------------------------------------------------
    @property
    def is_floating(self) -> bool:
        return self.base_dtype in (float16, float32, float64, bfloat16)

    @property
    def is_integer(self) -> bool:
        return self.base_dtype in _INTEGERS

    @property
    def is_unsigned(self) -> bool:
        return self.base_dtype in (uint8, uint16, uint32, uint64)

    @property
    def is_complex(self) -> bool:
        return self.base_dtype in (complex64, complex128)

    @property
    def is_bool(self) -> bool:
        return self.base_dtype is bool

    @property
    def is_numpy_compatible(self) -> bool:
        return self.base_dtype not in (resource, variant)

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def size(self) -> int:
        if self.base_dtype in (string, resource, variant):
            return 0 if self.base_dtype is string else 1
        return np.dtype(self._np).itemsize

    def _limit(self, end: str, word: str, bool_value: bool) -> Any:
        """The ``end`` ("min" or "max") value of the type; ``word`` names it in the error."""
        b = self.base_dtype
        if b.is_floating:
            return float(getattr(np.finfo(_np_for_limits(b)), end))
        if b.is_integer or b is bool:
            return int(getattr(np.iinfo(b._np), end)) if b is not bool else bool_value
        raise TypeError(f"Cannot find {word} value of {self}.")

    @property
    def min(self) -> Any:
        return self._limit("min", "minimum", False)

    @property
    def max(self) -> Any:
        return self._limit("max", "maximum", True)

    @property
    def limits(self) -> tuple[Any, Any]:
        return self.min, self.max

    def is_compatible_with(self, other: Any) -> bool:
        other = as_dtype(other)
        return self._enum in (other._enum, other.base_dtype._enum)

    # --- python protocol ------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if other is None:
            return False
        if isinstance(other, DType):
            return self._enum == other._enum
        try:
            return self._enum == as_dtype(other)._enum
        except TypeError:
            return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self._enum

    def __repr__(self) -> str:
        return f"tf.{self._name}"

    def __str__(self) -> str:
        return f"<dtype: '{self._name}'>"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return as_dtype, (self._name,)


def _np_for_limits(d: DType) -> Any:
    return np.float32 if d is bfloat16 else d._np


float16 = DType(19, "float16", np.float16)
half = float16
float32 = DType(1, "float32", np.float32)
float64 = DType(2, "float64", np.float64)
double = float64
int32 = DType(3, "int32", np.int32)
uint8 = DType(4, "uint8", np.uint8)
int16 = DType(5, "int16", np.int16)
int8 = DType(6, "int8", np.int8)
string = DType(7, "string", np.object_)
complex64 = DType(8, "complex64", np.complex64)
int64 = DType(9, "int64", np.int64)
bool = DType(10, "bool", np.bool_)  # noqa: A001 - TF's public name
bfloat16 = DType(14, "bfloat16", np.float32)
uint16 = DType(17, "uint16", np.uint16)
complex128 = DType(18, "complex128", np.complex128)
resource = DType(20, "resource", np.object_)
variant = DType(21, "variant", np.object_)
uint32 = DType(22, "uint32", np.uint32)
uint64 = DType(23, "uint64", np.uint64)

_BASE = [float16, float32, float64, int32, uint8, int16, int8, string, complex64, int64, bool,
         bfloat16, uint16, complex128, resource, variant, uint32, uint64]
_INTEGERS = (int8, int16, int32, int64, uint8, uint16, uint32, uint64)
_BY_ENUM: dict[int, DType] = {}
_BY_NAME: dict[str, DType] = {}
for _d in _BASE:
    _BY_ENUM[_d._enum] = _d
    _BY_NAME[_d._name] = _d
    _ref = DType(_d._enum + _REF_OFFSET, _d._name + "_ref", _d._np)
    _ref._base = _d
    _BY_ENUM[_ref._enum] = _ref
    _BY_NAME[_ref._name] = _ref
_BY_NAME["half"] = float16
_BY_NAME["double"] = float64
_BY_NAME["float"] = float32  # TF1 scripts write tf.placeholder("float", ...)

float32_ref = _BY_NAME["float32_ref"]
float64_ref = _BY_NAME["float64_ref"]
int32_ref = _BY_NAME["int32_ref"]
int64_ref = _BY_NAME["int64_ref"]

_BY_NP: dict[Any, DType] = {
    np.dtype(np.float16): float16, np.dtype(np.float32): float32, np.dtype(np.float64): float64,
    np.dtype(np.int8): int8, np.dtype(np.int16): int16, np.dtype(np.int32): int32,
    np.dtype(np.int64): int64, np.dtype(np.uint8): uint8, np.dtype(np.uint16): uint16,
    np.dtype(np.uint32): uint32, np.dtype(np.uint64): uint64, np.dtype(np.bool_): bool,
    np.dtype(np.complex64): complex64, np.dtype(np.complex128): complex128,
    np.dtype(np.object_): string,
}

_BY_PY: dict[Any, DType] = {float: float32, builtins.bool: bool, str: string, bytes: string,
                            complex: complex128}


def as_dtype(type_value: Any) -> DType:
    """Converts a DType, numpy dtype, type name or enum value to a :class:`DType`."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            return d
    elif isinstance(type_value, int) and not isinstance(type_value, builtins.bool):
        d = _BY_ENUM.get(type_value)
        if d is not None:
            return d
    else:
        d = _BY_PY.get(type_value) if isinstance(type_value, type) else None
        if d is not None:
            return d
        if type_value is int:
            raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} "
                            "to a TensorFlow DType.")
        try:
            npd = np.dtype(type_value)
        except TypeError:
            npd = None
        if npd is not None:
            if npd.kind in "SU":
                return string
            d = _BY_NP.get(npd)
            if d is not None:
                return d
    raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")


def numpy_dtype_of(dtype: DType) -> np.dtype:
    """The numpy dtype that holds values of ``dtype`` (strings are object arrays of bytes)."""
    return np.dtype(dtype.base_dtype._np)


# Type-set names used by op signatures (see op_registry).
TYPE_SETS: dict[str, tuple[DType, ...]] = {
    "float": (float16, float32, float64, bfloat16),
    "int": (int8, int16, int32, int64, uint8, uint16, uint32, uint64),
    "signed_int": (int8, int16, int32, int64),
    "index": (int32, int64),
    "complex": (complex64, complex128),
    "bool": (bool,),
}
TYPE_SETS["real"] = TYPE_SETS["float"] + TYPE_SETS["int"]
TYPE_SETS["numeric"] = TYPE_SETS["real"] + TYPE_SETS["complex"]
TYPE_SETS["signed"] = TYPE_SETS["float"] + TYPE_SETS["signed_int"] + TYPE_SETS["complex"]
TYPE_SETS["any"] = tuple(_BASE)
