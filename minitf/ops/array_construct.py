"""Ops that build arrays: LinSpace, OneHot, Diag/DiagPart, the matrix diagonal ops
(MatrixDiagV3, MatrixSetDiagV3, MatrixDiagPartV3, used by ``tf.eye``), and sequence_mask.

The matrix diagonal ops support one diagonal (a scalar ``k``); bands (``k = [lo, hi]`` with
lo != hi) raise NotImplementedError.

Part of the array family; :mod:`minitf.ops.array_ops` re-exports the public names.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape
from minitf.ops import array_shape_util as su
from minitf.ops.array_basic import dense, expand_dims, rank
from minitf.ops.array_fill import ones, zeros, zeros_like

__all__ = ["linspace", "lin_space", "one_hot", "diag", "diag_part", "matrix_diag",
           "matrix_set_diag", "matrix_diag_part", "eye", "sequence_mask"]


# --- LinSpace ---------------------------------------------------------------------------------

def _linspace_shape(op: Any) -> list[TensorShape]:
    for i, what in ((0, "start"), (1, "stop"), (2, "num")):
        d = su.dims_of(op.inputs[i])
        if d is not None and len(d) != 0:
            raise ValueError(f"Shape must be rank 0 but is rank {len(d)}")
        del what
    n = su.const_ints(op.inputs[2])
    if n is None:
        return [TensorShape([None])]
    if n[0] <= 0:
        raise ValueError(f"Requires num > 0: {n[0]}")
    return [TensorShape([n[0]])]


def _linspace_ref(start: Any, stop: Any, num: Any) -> Any:
    for name, v in (("start", start), ("stop", stop), ("num", num)):
        if np.ndim(v) != 0:
            raise errors.InvalidArgumentError(None, None, f"{name} must be a scalar, not shape "
                                                          f"{su.shape_str(np.shape(v))}")
    n = int(num)
    if n <= 0:
        raise errors.InvalidArgumentError(None, None, f"Requires num > 0: {n}")
    dt = np.asarray(start).dtype
    start, stop = dt.type(start), dt.type(stop)
    if n == 1:
        return np.array([start], dtype=dt)
    step = dt.type((stop - start) / dt.type(n - 1))
    out = (start + step * np.arange(n, dtype=dt)).astype(dt)
    out[-1] = stop
    return out


register_op("LinSpace", inputs=["start: T", "stop: T", "num: Tidx"], outputs=["output: T"],
            attrs=["T: {bfloat16, float16, float32, float64}", "Tidx: {int32, int64} = int32"],
            shape=_linspace_shape, reference=_linspace_ref)


@RegisterGradient("LinSpace")
def _linspace_grad(op: Any, grad: Any) -> Any:
    """output[i] = start * (1 - t_i) + stop * t_i with t = linspace(0, 1, num)."""
    from minitf.ops import math_ops
    from minitf.ops.constant_op import constant

    g = dense(grad)
    dt = op.inputs[0].dtype.base_dtype
    t = apply_op("LinSpace", start=constant(0, dtype=dt), stop=constant(1, dtype=dt),
                 num=op.inputs[2])
    g_stop = math_ops.reduce_sum(math_ops.multiply(g, t))
    g_start = math_ops.subtract(math_ops.reduce_sum(g), g_stop)
    return [g_start, g_stop, None]


def linspace(start: Any, stop: Any, num: Any, name: str | None = None, axis: int = 0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (the LinSpace op)."""
    if axis != 0:
        raise NotImplementedError("minitf: tf.linspace supports scalar start/stop only (axis=0)")
    return apply_op("LinSpace", name=name, start=start, stop=stop, num=num)


lin_space = linspace


# --- OneHot -----------------------------------------------------------------------------------

def _one_hot_shape(op: Any) -> list[TensorShape]:
    axis = op._attrs["axis"]
    if axis < -1:
        raise ValueError("axis must be >= -1")
    su.with_rank(su.dims_of(op.inputs[1]), 0)
    depth_v = su.const_ints(op.inputs[1])
    depth = None if depth_v is None else depth_v[0]
    if depth is not None and depth < 0:
        raise ValueError(f"Dimension size, given by scalar input 1, must be non-negative but is "
                         f"{depth}")
    ind = su.dims_of(op.inputs[0])
    if ind is None:
        return [unknown_shape()]
    new_rank = len(ind) + 1
    at = (axis + new_rank) % new_rank
    return [TensorShape(ind[:at] + (depth,) + ind[at:])]


def _one_hot_ref(indices: Any, depth: Any, on_value: Any, off_value: Any, axis: int) -> Any:
    indices = np.asarray(indices)
    d = int(depth)
    if np.ndim(depth) != 0 or d < 0:
        raise errors.InvalidArgumentError(None, None, f"depth must be a non-negative scalar, "
                                                      f"got: {depth}")
    if np.ndim(on_value) != 0 or np.ndim(off_value) != 0:
        raise errors.InvalidArgumentError(None, None, "on_value and off_value must be scalars")
    if not -1 <= axis <= indices.ndim:
        raise errors.InvalidArgumentError(None, None, f"Expected axis to be -1 or between [0, "
                                                      f"{indices.ndim + 1}).  But received: "
                                                      f"{axis}")
    dt = np.asarray(on_value).dtype
    hot = indices[..., None] == np.arange(d, dtype=indices.dtype)
    out = np.where(hot, np.asarray(on_value), np.asarray(off_value)).astype(dt)
    return np.moveaxis(out, -1, axis) if axis != -1 else out


register_op("OneHot", inputs=["indices: TI", "depth: int32", "on_value: T", "off_value: T"],
            outputs=["output: T"],
            attrs=["axis: int = -1", "T: type", "TI: {uint8, int8, int32, int64} = int64"],
            shape=_one_hot_shape, reference=_one_hot_ref, kernel_attrs=("axis",))
NotDifferentiable("OneHot")


def one_hot(indices: Any, depth: Any, on_value: Any = None, off_value: Any = None,
            axis: int | None = None, dtype: Any = None, name: str | None = None) -> Tensor:
    """One-hot vectors: ``on_value`` where ``indices`` points, ``off_value`` elsewhere."""
    with name_scope(name, "one_hot", [indices, depth, on_value, off_value, axis, dtype]) as scope:
        want = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        on_exists, off_exists = on_value is not None, off_value is not None
        if on_exists:
            on_value = convert_to_tensor(on_value, dtype_hint=want)
        if off_exists:
            off_value = convert_to_tensor(off_value, dtype_hint=want)
        on_dtype = on_value.dtype.base_dtype if on_exists else None
        off_dtype = off_value.dtype.base_dtype if off_exists else None
        if on_exists or off_exists:
            if want is not None:
                if on_exists and on_dtype != want:
                    raise TypeError(f"dtype {on_dtype!r} of on_value does not match dtype "
                                    f"parameter {want!r}")
                if off_exists and off_dtype != want:
                    raise TypeError(f"dtype {off_dtype!r} of off_value does not match dtype "
                                    f"parameter {want!r}")
            else:
                want = on_dtype if on_exists else off_dtype
        elif want is None:
            want = dtypes.float32
        if not on_exists:
            on_value = convert_to_tensor(1, dtype=want, name="on_value")
            on_dtype = want
        if not off_exists:
            off_value = convert_to_tensor(0, dtype=want, name="off_value")
            off_dtype = want
        if on_dtype != off_dtype:
            raise TypeError(f"dtype {on_dtype!r} of on_value does not match dtype {off_dtype!r} "
                            f"of off_value")
        return apply_op("OneHot", name=scope, indices=indices, depth=depth, on_value=on_value,
                        off_value=off_value, axis=-1 if axis is None else axis)


# --- Diag / DiagPart ----------------------------------------------------------------------------

_DIAG_TYPES = "T: {bfloat16, float16, float32, float64, int32, int64, complex64, complex128}"


def _diag_shape(op: Any) -> list[TensorShape]:
    d = su.with_rank_at_least(su.dims_of(op.inputs[0]), 1)
    return [su.shape(None if d is None else d + d)]


def _diag_ref(x: Any) -> Any:
    x = np.asarray(x)
    if x.ndim < 1:
        raise errors.InvalidArgumentError(None, None, "Input must be at least rank 1, got 0")
    n = x.size
    out = np.zeros((n, n), dtype=x.dtype)
    out[np.arange(n), np.arange(n)] = x.reshape(-1)
    return out.reshape(x.shape + x.shape)


def _diag_part_shape(op: Any) -> list[TensorShape]:
    d = su.dims_of(op.inputs[0])
    if d is None:
        return [unknown_shape()]
    if len(d) % 2:
        raise ValueError(f"Input must have even rank <= 6, input rank is {len(d)}")
    half = len(d) // 2
    return [TensorShape([su.merge_dim(a, b) for a, b in zip(d[:half], d[half:])])]


def _diag_part_ref(x: Any) -> Any:
    x = np.asarray(x)
    if x.ndim % 2 or x.ndim == 0:
        raise errors.InvalidArgumentError(None, None, f"The rank of the tensor should be even "
                                                      f"and positive, got shape "
                                                      f"{su.shape_str(x.shape)}")
    half = x.ndim // 2
    for i in range(half):
        if x.shape[i] != x.shape[i + half]:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid shape {su.shape_str(x.shape)}: dimensions {i} and "
                            f"{i + half} do not match.")
    n = int(np.prod(x.shape[:half], dtype=np.int64))
    return x.reshape(n, n)[np.arange(n), np.arange(n)].reshape(x.shape[:half])


register_op("Diag", inputs=["diagonal: T"], outputs=["output: T"], attrs=[_DIAG_TYPES],
            shape=_diag_shape, reference=_diag_ref)
register_op("DiagPart", inputs=["input: T"], outputs=["diagonal: T"], attrs=[_DIAG_TYPES],
            shape=_diag_part_shape, reference=_diag_part_ref)


@RegisterGradient("Diag")
def _diag_grad(op: Any, grad: Any) -> Any:
    return [diag_part(dense(grad))]


@RegisterGradient("DiagPart")
def _diag_part_grad(op: Any, grad: Any) -> Any:
    return [diag(dense(grad))]


def diag(diagonal: Any, name: str | None = None) -> Tensor:
    """A tensor with ``diagonal`` on its diagonal (shape ``d + d``)."""
    return apply_op("Diag", name=name, diagonal=diagonal)


def diag_part(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """The diagonal of a tensor of shape ``d + d``."""
    return apply_op("DiagPart", name=name, input=input)


# --- matrix diagonals (one diagonal k) ----------------------------------------------------------

def _scalar_k(k: Any, err: Any = ValueError) -> int | None:
    v = su.const_ints(k) if isinstance(k, Tensor) else su.int_list(k)
    if v is None:
        return None
    if len(v) == 2 and v[0] == v[1]:
        v = v[:1]
    if len(v) != 1:
        raise NotImplementedError("minitf: matrix diagonal ops support a single diagonal k, "
                                  f"got k = {v}")
    return v[0]


def _diag_len(m: int, n: int, k: int) -> int:
    return max(0, min(m + min(k, 0), n - max(k, 0)))


def _matrix_diag_dims(n: int | None, k: int, rows: int, cols: int) -> tuple[Any, Any]:
    if n is None:
        if rows != -1 and cols != -1:  # TF's check, with -1 for the unknown length
            raise ValueError(f"num_rows and num_cols are not consistent with lower_diag_index, "
                             f"upper_diag_index, and the length of the given diagonals.\n"
                             f"num_rows = {rows} != min_num_rows = {-1 + max(-k, 0)}, "
                             f"num_cols = {cols} != min_num_cols = {-1 + max(k, 0)}")
        return (None if rows == -1 else rows), (None if cols == -1 else cols)
    min_rows, min_cols = n + max(-k, 0), n + max(k, 0)
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    elif rows == -1:
        rows = min_rows
    elif cols == -1:
        cols = min_cols
    if rows != min_rows and cols != min_cols:
        raise ValueError("The number of rows or columns is not consistent with the specified "
                         "d_lower, d_upper, and diagonal.")
    return rows, cols


def _matrix_diag_shape(op: Any) -> list[TensorShape]:
    d = su.with_rank_at_least(su.dims_of(op.inputs[0]), 1)
    k = _scalar_k(op.inputs[1])
    rows, cols = su.const_ints(op.inputs[2]), su.const_ints(op.inputs[3])
    su.with_rank(su.dims_of(op.inputs[4]), 0)
    if d is None or k is None or rows is None or cols is None:
        return [unknown_shape()]
    r, c = _matrix_diag_dims(d[-1], k, rows[0], cols[0])
    return [TensorShape(d[:-1] + (r, c))]


def _diag_coords(m: int, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(_diag_len(m, n, k))
    return i + max(-k, 0), i + max(k, 0)


def _matrix_diag_ref(diagonal: Any, k: Any, num_rows: Any, num_cols: Any,
                     padding_value: Any) -> Any:
    diagonal = np.asarray(diagonal)
    kk = _scalar_k(k)
    try:
        r, c = _matrix_diag_dims(diagonal.shape[-1], kk, int(num_rows), int(num_cols))  # type: ignore[arg-type]
    except ValueError as e:
        raise errors.InvalidArgumentError(None, None, str(e)) from None
    out = np.full(diagonal.shape[:-1] + (r, c), padding_value, dtype=diagonal.dtype)
    rows, cols = _diag_coords(r, c, kk)  # type: ignore[arg-type]
    out[..., rows, cols] = diagonal[..., :rows.size]
    return out


def _set_diag_shape(op: Any) -> list[TensorShape]:
    x = su.with_rank_at_least(su.dims_of(op.inputs[0]), 2)
    d = su.with_rank_at_least(su.dims_of(op.inputs[1]), 1)
    _scalar_k(op.inputs[2])
    if x is not None and d is not None:
        su.with_rank(d, len(x) - 1)
        batch = su.merge(x[:-2], d[:-1])
        return [TensorShape(batch + x[-2:])]  # type: ignore[operator]
    return [su.shape(x)]


def _set_diag_ref(x: Any, diagonal: Any, k: Any) -> Any:
    x, diagonal = np.asarray(x), np.asarray(diagonal)
    kk = _scalar_k(k)
    rows, cols = _diag_coords(x.shape[-2], x.shape[-1], kk)  # type: ignore[arg-type]
    want = x.shape[:-2] + (rows.size,)
    if diagonal.shape != want:
        raise errors.InvalidArgumentError(
            None, None, f"Either first dimensions of diagonal don't match input.shape[:-2], or "
                        f"diagonal.shape[:-1] is not equal to the longests diagonal in range "
                        f"[lower_diag_index:upper_diag_index].\nInput shape: "
                        f"{su.shape_str(x.shape)}\nDiagonal shape: "
                        f"{su.shape_str(diagonal.shape)}\nExpected diagonal shape: "
                        f"{su.shape_str(want)}")
    out = x.copy()
    out[..., rows, cols] = diagonal
    return out


def _diag_part_v3_shape(op: Any) -> list[TensorShape]:
    x = su.with_rank_at_least(su.dims_of(op.inputs[0]), 2)
    k = _scalar_k(op.inputs[1])
    su.with_rank(su.dims_of(op.inputs[2]), 0)
    if x is None:
        return [unknown_shape()]
    m, n = x[-2], x[-1]
    length = None if m is None or n is None or k is None else _diag_len(m, n, k)
    return [TensorShape(x[:-2] + (length,))]


def _diag_part_v3_ref(x: Any, k: Any, padding_value: Any) -> Any:
    x = np.asarray(x)
    rows, cols = _diag_coords(x.shape[-2], x.shape[-1], _scalar_k(k))  # type: ignore[arg-type]
    return np.ascontiguousarray(x[..., rows, cols])


_ALIGN = 'align: string = "RIGHT_LEFT"'
register_op("MatrixDiagV3", inputs=["diagonal: T", "k: int32", "num_rows: int32",
                                    "num_cols: int32", "padding_value: T"],
            outputs=["output: T"], attrs=["T: type", _ALIGN], shape=_matrix_diag_shape,
            reference=_matrix_diag_ref)
register_op("MatrixSetDiagV3", inputs=["input: T", "diagonal: T", "k: int32"],
            outputs=["output: T"], attrs=["T: type", _ALIGN], shape=_set_diag_shape,
            reference=_set_diag_ref)
register_op("MatrixDiagPartV3", inputs=["input: T", "k: int32", "padding_value: T"],
            outputs=["diagonal: T"], attrs=["T: type", _ALIGN], shape=_diag_part_v3_shape,
            reference=_diag_part_v3_ref)


def _align(op: Any) -> str:
    return op.get_attr("align").decode()


@RegisterGradient("MatrixDiagV3")
def _matrix_diag_grad(op: Any, grad: Any) -> Any:
    return [matrix_diag_part(dense(grad), k=op.inputs[1], align=_align(op)),
            None, None, None, None]


@RegisterGradient("MatrixSetDiagV3")
def _set_diag_grad(op: Any, grad: Any) -> Any:
    g = dense(grad)
    d = op.inputs[1]
    zero_diag = zeros_like(d) if not d.get_shape().is_fully_defined() else \
        zeros(d.get_shape(), dtype=g.dtype.base_dtype)
    return [matrix_set_diag(g, zero_diag, k=op.inputs[2], align=_align(op)),
            matrix_diag_part(g, k=op.inputs[2], align=_align(op)), None]


@RegisterGradient("MatrixDiagPartV3")
def _diag_part_v3_grad(op: Any, grad: Any) -> Any:
    return [matrix_set_diag(zeros_like(op.inputs[0]), dense(grad), k=op.inputs[1],
                            align=_align(op)), None, None]


def matrix_diag(diagonal: Any, name: str = "diag", k: Any = 0, num_rows: Any = -1,
                num_cols: Any = -1, padding_value: Any = 0,
                align: str = "RIGHT_LEFT") -> Tensor:
    """Batched diagonal matrices with ``diagonal`` on diagonal ``k`` (MatrixDiagV3)."""
    if getattr(diagonal, "dtype", None) == dtypes.bool:
        padding_value = bool(padding_value)
    return apply_op("MatrixDiagV3", name=name, diagonal=diagonal, k=k, num_rows=num_rows,
                    num_cols=num_cols, padding_value=padding_value, align=align)


def matrix_set_diag(input: Any, diagonal: Any, name: str = "set_diag", k: Any = 0,  # noqa: A002
                    align: str = "RIGHT_LEFT") -> Tensor:
    """``input`` with its diagonal ``k`` replaced by ``diagonal`` (MatrixSetDiagV3)."""
    return apply_op("MatrixSetDiagV3", name=name, input=input, diagonal=diagonal, k=k,
                    align=align)


def matrix_diag_part(input: Any, name: str = "diag_part", k: Any = 0,  # noqa: A002
                     padding_value: Any = 0, align: str = "RIGHT_LEFT") -> Tensor:
    """Diagonal ``k`` of each matrix in ``input`` (MatrixDiagPartV3)."""
    if getattr(input, "dtype", None) == dtypes.bool:
        padding_value = bool(padding_value)
    return apply_op("MatrixDiagPartV3", name=name, input=input, k=k,
                    padding_value=padding_value, align=align)


def eye(num_rows: Any, num_columns: Any = None, batch_shape: Any = None,
        dtype: Any = dtypes.float32, name: str | None = None) -> Tensor:
    """Identity matrices (batched with ``batch_shape``), built as TF builds them."""
    from minitf.ops import math_ops
    from minitf.ops.array_manip import concat

    with name_scope(name, "eye", [num_rows, num_columns, batch_shape]):
        is_square = num_columns is None
        batch_shape = [] if batch_shape is None else batch_shape
        num_columns = num_rows if num_columns is None else num_columns
        if isinstance(num_rows, Tensor) or isinstance(num_columns, Tensor):
            diag_size: Any = math_ops.minimum(num_rows, num_columns)
        else:
            if not isinstance(num_rows, numbers.Integral) or \
                    not isinstance(num_columns, numbers.Integral):
                raise TypeError(f"Arguments `num_rows` and `num_columns` must be positive "
                                f"integer values. Received: num_rows={num_rows}, "
                                f"num_columns={num_columns}")
            is_square = num_rows == num_columns
            diag_size = min(int(num_rows), int(num_columns))
        if isinstance(batch_shape, Tensor) or isinstance(diag_size, Tensor):
            batch_shape = convert_to_tensor(batch_shape, name="shape", dtype=dtypes.int32)
            diag_shape: Any = concat((batch_shape, [diag_size]), axis=0)
            if not is_square:
                shape_: Any = concat((batch_shape, [num_rows, num_columns]), axis=0)
        else:
            batch_shape = list(batch_shape)
            diag_shape = batch_shape + [diag_size]
            if not is_square:
                shape_ = batch_shape + [num_rows, num_columns]
        diag_ones = ones(diag_shape, dtype=dtype)
        if is_square:
            return matrix_diag(diag_ones)
        return matrix_set_diag(zeros(shape_, dtype=dtype), diag_ones)


# --- sequence_mask ----------------------------------------------------------------------------

def sequence_mask(lengths: Any, maxlen: Any = None, dtype: Any = dtypes.bool,
                  name: str | None = None) -> Tensor:
    """``mask[i..., j] = j < lengths[i...]`` for j in [0, maxlen) (maxlen: max of lengths)."""
    from minitf.ops import math_ops
    from minitf.ops.constant_op import constant

    with name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            nd = lengths.get_shape().ndims
            axes = constant(np.arange(nd), dtype=dtypes.int32) if nd is not None else \
                apply_op("Range", start=0, limit=rank(lengths), delta=1)
            maxlen = apply_op("Max", input=lengths, reduction_indices=axes)
            maxlen = apply_op("Maximum", x=constant(0, dtype=maxlen.dtype), y=maxlen)
        else:
            maxlen = convert_to_tensor(maxlen)
        nd = maxlen.get_shape().ndims
        if nd is not None and nd != 0:
            raise ValueError(f"Argument `maxlen` must be scalar for sequence_mask, received "
                             f"`maxlen` = {maxlen} with shape '{maxlen.get_shape()}' instead")
        row_vector = apply_op("Range", start=constant(0, dtype=maxlen.dtype), limit=maxlen,
                              delta=constant(1, dtype=maxlen.dtype))
        matrix = apply_op("Cast", x=expand_dims(lengths, -1), DstT=maxlen.dtype.base_dtype)
        result = math_ops.less(row_vector, matrix)
        if dtype is None or dtypes.as_dtype(dtype).base_dtype == dtypes.bool:
            return result
        return apply_op("Cast", x=result, DstT=dtypes.as_dtype(dtype).base_dtype)
