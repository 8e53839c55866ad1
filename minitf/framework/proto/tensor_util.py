"""Conversions between numpy arrays and ``TensorProto`` with TensorFlow's encoding rules.

``make_tensor_proto`` follows ``tf.make_tensor_proto``: dense numeric arrays with more than one
element go to ``tensor_content`` (little-endian), everything else to the per-type ``*_val``
fields; half/bfloat16 use uint16 bit patterns in ``half_val``.  ``make_ndarray`` follows
``tf.make_ndarray``, including "repeat the last value to fill the shape".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .graph_pb import DataType, TensorProto, TensorShapeProto

__all__ = [
    "make_tensor_proto", "make_ndarray", "numpy_dtype_for", "datatype_for", "as_datatype_enum",
    "make_tensor_shape_proto",
]

# DataType enum <-> numpy dtype.  bfloat16 has no numpy type here: its values are float32.
DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_STRING = 1, 2, 3, 4, 5, 6, 7
DT_COMPLEX64, DT_INT64, DT_BOOL, DT_BFLOAT16, DT_UINT16, DT_COMPLEX128 = 8, 9, 10, 14, 17, 18
DT_HALF, DT_UINT32, DT_UINT64 = 19, 22, 23

_NUMPY_BY_ENUM: dict[int, np.dtype] = {
    DT_FLOAT: np.dtype(np.float32), DT_DOUBLE: np.dtype(np.float64),
    DT_INT32: np.dtype(np.int32), DT_UINT8: np.dtype(np.uint8), DT_INT16: np.dtype(np.int16),
    DT_INT8: np.dtype(np.int8), DT_STRING: np.dtype(object),
    DT_COMPLEX64: np.dtype(np.complex64), DT_INT64: np.dtype(np.int64),
    DT_BOOL: np.dtype(np.bool_), DT_BFLOAT16: np.dtype(np.float32),
    DT_UINT16: np.dtype(np.uint16), DT_COMPLEX128: np.dtype(np.complex128),
    DT_HALF: np.dtype(np.float16), DT_UINT32: np.dtype(np.uint32),
    DT_UINT64: np.dtype(np.uint64),
}
_ENUM_BY_NUMPY: dict[np.dtype, int] = {
    v: k for k, v in _NUMPY_BY_ENUM.items() if k != DT_BFLOAT16
}
# Types whose dense arrays (more than one element) are stored in tensor_content.
_TENSOR_CONTENT_TYPES = frozenset({
    DT_HALF, DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_INT64, DT_UINT32,
    DT_UINT64, DT_BFLOAT16,
})
_INT_VAL_TYPES = frozenset({DT_INT32, DT_INT16, DT_INT8, DT_UINT8, DT_UINT16})


def numpy_dtype_for(datatype: int) -> np.dtype:
    """The numpy dtype holding values of a DataType enum (strings: object arrays of bytes)."""
    try:
        return _NUMPY_BY_ENUM[datatype % 100 if datatype > 100 else datatype]
    except KeyError:
        raise TypeError(f"Unsupported tensor type: {datatype}") from None


def datatype_for(np_dtype: Any) -> int:
    """The DataType enum of a numpy dtype (``S``/``U``/object arrays are DT_STRING)."""
    d = np.dtype(np_dtype)
    if d.kind in "SUO":
        return DT_STRING
    try:
        return _ENUM_BY_NUMPY[d.newbyteorder("=")]
    except KeyError:
        raise TypeError(f"Unrecognized data type: {d}") from None


def as_datatype_enum(dtype: Any) -> int:
    """Normalizes a DataType int, a ``DType``-like object, a name or a numpy type to an enum."""
    if hasattr(dtype, "as_datatype_enum"):
        return int(dtype.as_datatype_enum)
    if isinstance(dtype, (int, np.integer)) and not isinstance(dtype, bool):
        return int(dtype)
    if isinstance(dtype, str):
        name = dtype.upper()
        name = {"FLOAT32": "FLOAT", "FLOAT64": "DOUBLE", "FLOAT16": "HALF"}.get(name, name)
        if "DT_" + name in DataType._by_name:
            return DataType.Value("DT_" + name)
        if name in DataType._by_name:
            return DataType.Value(name)
    if dtype in (str, bytes):
        return DT_STRING
    return datatype_for(dtype)


def make_tensor_shape_proto(shape: Any) -> TensorShapeProto:
    """A ``TensorShapeProto`` for a sequence of sizes (None means unknown rank, -1 unknown)."""
    if shape is None:
        return TensorShapeProto(unknown_rank=True)
    return TensorShapeProto(dim=[{"size": -1 if d is None else int(d)} for d in shape])


# --- bfloat16 bit twiddling (round to nearest even, like TF) ---------------------------------
def _to_bfloat16_bits(a: np.ndarray) -> np.ndarray:
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    nan = np.isnan(np.asarray(a, dtype=np.float32))
    return np.where(nan, 0x7FC0, rounded).astype(np.uint16)


def _from_bfloat16_bits(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


# --- make_tensor_proto -----------------------------------------------------------------------
def _dense_dims(values: Any) -> list[int]:
    if not isinstance(values, (list, tuple)):
        return []
    if len(values) == 0:
        return [0]
    return [len(values)] + _dense_dims(values[0])


def _flatten(values: Any) -> list[Any]:
    if isinstance(values, (list, tuple)):
        out: list[Any] = []
        for v in values:
            out.extend(_flatten(v))
        return out
    return [values]


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"Failed to convert elements of {value!r} to Tensor: expected bytes or str")


def _check_compatible(values: Any, dt: int) -> None:
    """Rejects Python values that numpy would silently coerce (TF's _AssertCompatible)."""
    if dt == DT_STRING:
        ok: Any = (str, bytes, np.bytes_, np.str_)
    elif dt == DT_BOOL:
        ok = (bool, np.bool_)
    elif dt in (DT_COMPLEX64, DT_COMPLEX128):
        ok = (int, float, complex, np.number, np.bool_)
    elif dt in (DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16):
        ok = (int, float, np.integer, np.floating, np.bool_)
    else:
        ok = (int, np.integer, np.bool_)
    for v in _flatten(values):
        if not isinstance(v, ok):
            name = DataType.Name(dt)[3:].lower()
            raise TypeError(f"Expected {name}, but got {v!r} of type '{type(v).__name__}'.")


def make_tensor_proto(values: Any, dtype: Any = None, shape: Any = None,
                      verify_shape: bool = False, allow_broadcast: bool = False) -> TensorProto:
    """Encodes ``values`` (array, scalar or nested lists) as a ``TensorProto`` like TF does."""
    if isinstance(values, TensorProto):
        return values
    dt = None if dtype is None else as_datatype_enum(dtype)
    if dt is not None and dt > 100:
        dt -= 100
    np_dt = None if dt is None else numpy_dtype_for(dt)
    if isinstance(values, (np.ndarray, np.generic)):
        nparray = values.astype(np_dt) if np_dt is not None else np.asarray(values)
    else:
        if values is None:
            raise ValueError("None values not supported.")
        if shape is not None and int(np.prod(shape, dtype=np.int64)) == 0:
            nparray = np.empty(shape, dtype=np_dt)
        else:
            if dt is not None:
                _check_compatible(values, dt)
            try:
                nparray = np.array(values, dtype=np_dt)
            except OverflowError:  # e.g. -1 as uint8: wrap around like TF does
                nparray = np.array(values).astype(np_dt)
            if list(nparray.shape) != _dense_dims(values):
                raise ValueError(f"Expected values {values} to be a dense tensor with shape "
                                 f"{_dense_dims(values)}, but got shape {list(nparray.shape)}.")
        if dt is None and nparray.dtype == np.float64:
            nparray = nparray.astype(np.float32)
        elif dt is None and nparray.dtype == np.int64:
            down = nparray.astype(np.int32)
            if np.array_equal(down, nparray):
                nparray = down
    value_dt = datatype_for(nparray.dtype)
    if dt == DT_BFLOAT16 and value_dt == DT_FLOAT:
        value_dt = DT_BFLOAT16
    if dt is not None and dt != value_dt:
        raise TypeError(f"`dtype` {DataType.Name(dt)} is not compatible with {values!r} of "
                        f"dtype {nparray.dtype}.")

    if shape is None:
        shape = list(nparray.shape)
        shape_size = nparray.size
    else:
        shape = [int(d) for d in shape]
        shape_size = int(np.prod(shape, dtype=np.int64))
        if allow_broadcast:
            if nparray.shape not in ((1,), ()) and nparray.size != shape_size:
                raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got "
                                f"{nparray.shape}.")
        else:
            if verify_shape and nparray.shape != tuple(shape):
                raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got "
                                f"{nparray.shape}.")
            if nparray.size > shape_size:
                raise ValueError(f"Too many elements provided. Takes at most {shape_size:d}, "
                                 f"but got {nparray.size:d}.")
    is_same_size = shape_size == nparray.size

    proto = TensorProto(dtype=value_dt, tensor_shape=make_tensor_shape_proto(shape))
    if is_same_size and value_dt in _TENSOR_CONTENT_TYPES and shape_size > 1:
        if value_dt == DT_BFLOAT16:
            data = _to_bfloat16_bits(nparray).astype("<u2")
        else:
            data = nparray.astype(nparray.dtype.newbyteorder("<"), copy=False)
        proto.tensor_content = np.ascontiguousarray(data).tobytes()
        return proto

    if value_dt == DT_STRING:
        items = _flatten(values) if not isinstance(values, np.ndarray) else nparray.ravel()
        proto.string_val.extend([_as_bytes(x) for x in items])
        return proto
    _append_values(proto, value_dt, nparray.ravel())
    return proto


def _append_values(proto: TensorProto, dt: int, flat: np.ndarray) -> None:
    if dt == DT_HALF:
        proto.half_val.extend(flat.astype(np.float16).view(np.uint16).tolist())
    elif dt == DT_BFLOAT16:
        proto.half_val.extend(_to_bfloat16_bits(flat).tolist())
    elif dt == DT_FLOAT:
        proto.float_val.extend(flat.tolist())
    elif dt == DT_DOUBLE:
        proto.double_val.extend(flat.tolist())
    elif dt in _INT_VAL_TYPES:
        proto.int_val.extend(flat.tolist())
    elif dt == DT_INT64:
        proto.int64_val.extend(flat.tolist())
    elif dt == DT_UINT32:
        proto.uint32_val.extend(flat.tolist())
    elif dt == DT_UINT64:
        proto.uint64_val.extend(flat.tolist())
    elif dt in (DT_COMPLEX64, DT_COMPLEX128):
        pairs = np.stack([flat.real, flat.imag], axis=-1).ravel().tolist()
        (proto.scomplex_val if dt == DT_COMPLEX64 else proto.dcomplex_val).extend(pairs)
    elif dt == DT_BOOL:
        proto.bool_val.extend(flat.tolist())
    else:
        raise TypeError(f"Element type not supported in TensorProto: {DataType.Name(dt)}")


# --- make_ndarray ----------------------------------------------------------------------------
def make_ndarray(tensor: TensorProto) -> np.ndarray:
    """Decodes a ``TensorProto`` into a numpy array (strings: object array of bytes)."""
    shape = [d.size for d in tensor.tensor_shape.dim]
    num_elements = int(np.prod(shape, dtype=np.int64))
    dt = tensor.dtype
    dtype = numpy_dtype_for(dt)

    if tensor.tensor_content:
        if dt == DT_BFLOAT16:
            bits = np.frombuffer(tensor.tensor_content, dtype="<u2")
            return _from_bfloat16_bits(bits).reshape(shape)
        if dt == DT_STRING:
            raise TypeError("DT_STRING tensors cannot use tensor_content")
        raw = np.frombuffer(tensor.tensor_content, dtype=dtype.newbyteorder("<"))
        return raw.astype(dtype).reshape(shape)

    if dt == DT_STRING:
        svals = list(tensor.string_val)
        if num_elements > len(svals):
            svals.extend([svals[-1] if svals else b""] * (num_elements - len(svals)))
        out = np.empty(len(svals), dtype=object)
        out[:] = svals
        return out.reshape(shape)

    if dt in (DT_HALF, DT_BFLOAT16):
        bits = np.array(list(tensor.half_val), dtype=np.int64).astype(np.uint16)
        values = bits.view(np.float16) if dt == DT_HALF else _from_bfloat16_bits(bits)
    elif dt == DT_FLOAT:
        values = np.array(list(tensor.float_val), dtype=dtype)
    elif dt == DT_DOUBLE:
        values = np.array(list(tensor.double_val), dtype=dtype)
    elif dt in _INT_VAL_TYPES:
        values = np.array(list(tensor.int_val), dtype=np.int64).astype(dtype)
    elif dt == DT_INT64:
        values = np.array(list(tensor.int64_val), dtype=dtype)
    elif dt == DT_UINT32:
        values = np.array(list(tensor.uint32_val), dtype=dtype)
    elif dt == DT_UINT64:
        values = np.array(list(tensor.uint64_val), dtype=dtype)
    elif dt in (DT_COMPLEX64, DT_COMPLEX128):
        flat = list(tensor.scomplex_val if dt == DT_COMPLEX64 else tensor.dcomplex_val)
        values = np.array([complex(r, i) for r, i in zip(flat[0::2], flat[1::2])], dtype=dtype)
    elif dt == DT_BOOL:
        values = np.array(list(tensor.bool_val), dtype=dtype)
    else:
        raise TypeError(f"Unsupported tensor type: {dt}")

    if values.size == 0:
        return np.zeros(shape, dtype)
    if values.size != num_elements:
        if values.size > num_elements:
            raise ValueError(f"TensorProto has {values.size} values for shape {shape}")
        values = np.pad(values, (0, num_elements - values.size), "edge")
    return values.reshape(shape)
