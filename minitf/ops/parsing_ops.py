"""``tf.decode_raw`` and ``tf.decode_csv`` (``DecodeRaw``, ``DecodeCSV``), as the TF 1.x input
pipelines use them on reader output."""

from __future__ import annotations

import csv
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import get_default_graph, name_scope
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape

__all__ = ["decode_raw", "decode_csv"]

_RAW_TYPES = ("half", "float32", "float64", "int32", "uint16", "uint8", "int16", "int8",
              "int64", "complex64", "complex128", "bool")


def _decode_raw_shape(op: Any) -> list[TensorShape]:
    return [op.inputs[0].get_shape().concatenate([None])]


def _decode_raw_kernel(op: Any, state: Any) -> Any:
    del state
    out = op._attrs["out_type"]
    np_dtype = np.dtype(out.as_numpy_dtype)
    if not op._attrs.get("little_endian", True):
        np_dtype = np_dtype.newbyteorder(">")
    size = np_dtype.itemsize

    def decode(data: np.ndarray) -> np.ndarray:
        flat = [b if isinstance(b, bytes) else str(b).encode() for b in np.asarray(
            data, dtype=object).reshape(-1)]
        width = len(flat[0]) if flat else 0
        for i, b in enumerate(flat):
            if len(b) != width:
                raise errors.InvalidArgumentError(
                    None, None, "DecodeRaw requires input strings to all be the same size, but "
                                f"element {i} has size {width} != {len(b)}")
        if width % size:
            raise errors.InvalidArgumentError(
                None, None, f"Input to DecodeRaw has length {width} that is not a multiple of "
                            f"{size}, the size of {out.name}")
        arr = np.frombuffer(b"".join(flat), dtype=np_dtype).astype(np_dtype.newbyteorder("="))
        return arr.reshape(np.shape(data) + (width // size,))

    return decode


register_op("DecodeRaw", inputs=["bytes: string"], outputs=["output: out_type"],
            attrs=[f"out_type: {{{', '.join(_RAW_TYPES)}}}", "little_endian: bool = true"],
            shape=_decode_raw_shape, make_kernel=_decode_raw_kernel,
            doc="Reinterprets the bytes of each string as a vector of out_type.")
NotDifferentiable("DecodeRaw")


def decode_raw(input_bytes: Any = None, out_type: Any = None, little_endian: bool = True,
               name: str | None = None, bytes: Any = None) -> Tensor:  # noqa: A002 - TF's name
    """The bytes of each string of ``input_bytes`` as a vector of ``out_type``."""
    if input_bytes is None:
        input_bytes = bytes
    if out_type is None:
        raise TypeError("decode_raw() missing required argument 'out_type'")
    g = get_default_graph()
    with name_scope(name, "DecodeRaw") as scope:
        x = convert_to_tensor(input_bytes, dtype=dtypes.string, name="bytes")
        return g._create_op_internal("DecodeRaw", [x], {
            "out_type": dtypes.as_dtype(out_type), "little_endian": bool(little_endian)},
            scope[:-1])._outputs[0]


# --- DecodeCSV ---------------------------------------------------------------------------------

def _decode_csv_kernel(op: Any, state: Any) -> Any:
    del state
    a = op._attrs
    delim = a.get("field_delim", ",")
    quote = bool(a.get("use_quote_delim", True))
    na = a.get("na_value", "")
    cols = list(a.get("select_cols") or [])
    types = list(a["OUT_TYPE"])

    def decode(records: np.ndarray, *defaults: np.ndarray) -> tuple[np.ndarray, ...]:
        flat = np.asarray(records, dtype=object).reshape(-1)
        outs = [np.empty(flat.shape, dtype=np.dtype(t.as_numpy_dtype)) for t in types]
        for r, rec in enumerate(flat):
            text = rec.decode() if isinstance(rec, bytes) else str(rec)
            fields = _split(text, delim, quote)
            if cols:
                if len(fields) <= cols[-1]:
                    raise errors.InvalidArgumentError(
                        None, None, f"Expect {cols[-1] + 1} fields but have {len(fields)} in "
                                    f"record {r}")
                fields = [fields[c] for c in cols]
            elif len(fields) != len(types):
                raise errors.InvalidArgumentError(
                    None, None, f"Expect {len(types)} fields but have {len(fields)} in record "
                                f"{r}")
            for f, (field, t, d) in enumerate(zip(fields, types, defaults)):
                outs[f][r] = _parse(field, t, d, f, r, na)
        return tuple(o.reshape(np.shape(records)) for o in outs)

    return decode


def _split(text: str, delim: str, quote: bool) -> list[str]:
    if not quote:
        return text.split(delim)
    try:
        rows = list(csv.reader([text], delimiter=delim, quotechar='"', doublequote=True,
                               strict=True))
    except csv.Error as e:
        raise errors.InvalidArgumentError(None, None, f"Quoted field is malformed: {e}") from None
    return rows[0] if rows else [""]


def _parse(field: str, t: Any, default: np.ndarray, f: int, r: int, na: str) -> Any:
    if field == "" or (na and field == na):
        if np.size(default) == 0:
            raise errors.InvalidArgumentError(
                None, None, f"Field {f} is required but missing in record {r}!")
        value = np.asarray(default).reshape(-1)[0]
        return value
    if t.name == "string":
        return field.encode()
    try:
        if t.is_integer:
            v = int(field.strip())
            info = np.iinfo(t.as_numpy_dtype)
            if not info.min <= v <= info.max:
                raise ValueError(field)
            return v
        return float(field.strip())
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"Field {f} in record {r} is not a valid {t.name}: {field}") from None


def _decode_csv_shape(op: Any) -> list[TensorShape]:
    return [op.inputs[0].get_shape()] * len(op._attrs["OUT_TYPE"])


register_op("DecodeCSV", inputs=["records: string", "record_defaults: OUT_TYPE"],
            outputs=["output: OUT_TYPE"],
            attrs=["OUT_TYPE: list(type)",
                   "field_delim: string = ','", "use_quote_delim: bool = true",
                   "na_value: string = ''", "select_cols: list(int) = []"],
            shape=_decode_csv_shape, make_kernel=_decode_csv_kernel,
            doc="Parses CSV records into one tensor per column.")
NotDifferentiable("DecodeCSV")


def decode_csv(records: Any, record_defaults: list[Any], field_delim: str = ",",
               use_quote_delim: bool = True, name: str | None = None, na_value: str = "",
               select_cols: list[int] | None = None) -> list[Tensor]:
    """One tensor per column of the CSV strings ``records``; ``record_defaults`` gives each
    column's type and the value of an empty field (an empty default: the field is
    required)."""
    if select_cols is not None and any(
            select_cols[i] >= select_cols[i + 1] for i in range(len(select_cols) - 1)):
        raise ValueError("select_cols is not strictly increasing.")
    if select_cols is not None and select_cols and select_cols[0] < 0:
        raise ValueError("select_cols contains negative values.")
    if select_cols is not None and len(select_cols) != len(record_defaults):
        raise ValueError("Length of select_cols and record_defaults do not match.")
    g = get_default_graph()
    with name_scope(name, "DecodeCSV") as scope:
        recs = convert_to_tensor(records, dtype=dtypes.string, name="records")
        defaults = [convert_to_tensor(d, name=f"record_defaults_{i}")
                    for i, d in enumerate(record_defaults)]
        attrs = {"OUT_TYPE": [d.dtype.base_dtype for d in defaults],
                 "field_delim": field_delim, "use_quote_delim": bool(use_quote_delim),
                 "na_value": na_value, "select_cols": list(select_cols or [])}
        return list(g._create_op_internal("DecodeCSV", [recs, *defaults], attrs,
                                          scope[:-1])._outputs)
