"""Slicing: Slice, StridedSlice (full TF semantics: begin/end/ellipsis/new-axis/shrink masks,
negative strides), StridedSliceGrad, and ``Tensor.__getitem__`` built exactly as TF builds it.

The strided-slice resolution follows TF's ``ValidateStridedSliceOp``: the sparse spec (one entry
per index in ``x[...]``) is expanded to a dense spec (one per input dimension), each dimension's
begin/end are made canonical, and the final shape drops shrunk axes and inserts new ones. The
same code gives the static shape (with unknown dims and values) and the run-time slice.

Part of the array family; :mod:`minitf.ops.array_ops` re-exports the public names.
"""

from __future__ import annotations

import builtins
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import Dimension, TensorShape, unknown_shape
from minitf.ops import array_shape_util as su
from minitf.ops.array_basic import apply_op_packed, dense, rank, reshape, shape
from minitf.ops.array_fill import ones_like

__all__ = ["slice", "strided_slice"]

_pyslice = builtins.slice
_NEW_AXIS = -1
_SHRINK = -2


@dataclass
class _DenseSlice:
    """The resolved slice of one input dimension."""

    begin: int
    end: int
    stride: int
    size: int | None
    shrink: bool


def _resolve(in_dims: tuple[int | None, ...], begin: list[int] | None, end: list[int] | None,
             strides: list[int], begin_mask: int, end_mask: int, ellipsis_mask: int,
             new_axis_mask: int, shrink_axis_mask: int,
             err: Callable[[str], Exception]) -> tuple[list[_DenseSlice], list[int | None]]:
    """TF's ValidateStridedSliceOp: per-dimension slices and the final shape."""
    n = len(strides)
    if (begin is not None and len(begin) != n) or (end is not None and len(end) != n) \
            or n >= 32:
        raise err(f"Expected begin, end, and strides to be 1D equal size tensors, but got "
                  f"shapes [{n if begin is None else len(begin)}], "
                  f"[{n if end is None else len(end)}], and [{n}] instead.")
    if ellipsis_mask & (ellipsis_mask - 1):
        raise err("Multiple ellipses in slice spec not allowed")
    # Step 1: count new axes after the ellipsis; add an implicit trailing ellipsis.
    seen, add_after = False, 0
    for i in range(n):
        if seen and (1 << i) & new_axis_mask:
            add_after += 1
        if (1 << i) & ellipsis_mask:
            seen = True
    sparse_dims = n
    if not seen:
        ellipsis_mask |= 1 << n
        sparse_dims += 1
    # Step 2: the dense spec, one entry per input dimension.
    dims = len(in_dims)
    d_begin, d_end, d_strides = [0] * dims, [0] * dims, [1] * dims
    d_bmask = d_emask = d_smask = 0
    gather: list[int] = []
    full = 0
    for i in range(sparse_dims):
        bit = 1 << i
        if bit & ellipsis_mask:
            nxt = min(dims - (sparse_dims - i) + 1 + add_after, dims)
            while full < nxt:
                d_bmask |= 1 << full
                d_emask |= 1 << full
                gather.append(full)
                full += 1
        elif bit & new_axis_mask:
            gather.append(_NEW_AXIS)
        else:
            if full == dims:
                raise err(f"Index out of range using input dim {full}; input has only {dims} "
                          f"dims")
            if begin is not None:
                d_begin[full] = begin[i]
            if end is not None:
                d_end[full] = end[i]
            d_strides[full] = strides[i]
            if begin_mask & bit:
                d_bmask |= 1 << full
            if end_mask & bit:
                d_emask |= 1 << full
            if shrink_axis_mask & bit:
                gather.append(_SHRINK)
                d_smask |= 1 << full
            else:
                gather.append(full)
            full += 1
    # Step 3: canonical begin/end and the size of each dimension.
    valid = begin is not None and end is not None
    out: list[_DenseSlice] = []
    for i in range(dims):
        b, e, s, dim = d_begin[i], d_end[i], d_strides[i], in_dims[i]
        if s == 0:
            raise err(f"strides[{i}] must be non-zero")
        shrink = bool(d_smask & (1 << i))
        if dim is None:
            out.append(_DenseSlice(b, e, s, 1 if shrink else None, shrink))
            continue
        masks = (bool(d_bmask & (1 << i)), bool(d_emask & (1 << i)))
        lo, hi = (0, dim) if s > 0 else (-1, dim - 1)

        if shrink and s <= 0:
            raise err("only stride 1 allowed on non-range indexing.")
        if valid:
            if shrink:
                b = dim + b if b < 0 else b
                e = b + 1
                if b < 0 or b >= dim:
                    raise err(f"slice index {b} of dimension {i} out of bounds.")
            else:
                b = _canonical(b, masks[0], s > 0, lo, hi, dim, 0)
                e = _canonical(e, masks[1], s > 0, lo, hi, dim, 1)
            interval: int | None = e - b
        elif shrink:
            interval = 1
        elif masks[0] and masks[1]:
            interval = -dim if s < 0 else dim
        else:
            interval = None
        size = None
        if interval is not None:
            if interval == 0 or (interval < 0) != (s < 0):
                size = 0
            else:
                size = interval // s + (1 if interval % s else 0)
        out.append(_DenseSlice(b, e, s, size, shrink))
    # Step 4: the final shape.
    final: list[int | None] = []
    for g in gather:
        if g >= 0:
            final.append(out[g].size)
        elif g == _NEW_AXIS:
            final.append(1)
    return out, final


def _canonical(x: int, masked: bool, forward: bool, lo: int, hi: int, dim: int, c: int) -> int:
    """A begin (c=0) or end (c=1) index made canonical: masked ends take the full range,
    negative indices count from the end, and everything is clamped to [lo, hi]."""
    if masked:
        return (lo, hi)[c] if forward else (lo, hi)[(c + 1) & 1]
    x_fwd = dim + x if x < 0 else x
    return lo if x_fwd < lo else hi if x_fwd > hi else x_fwd


def _masks(op: Any) -> tuple[int, int, int, int, int]:
    a = op._attrs
    return (a["begin_mask"], a["end_mask"], a["ellipsis_mask"], a["new_axis_mask"],
            a["shrink_axis_mask"])


def _strided_slice_shape(op: Any) -> list[TensorShape]:
    in_dims = su.dims_of(op.inputs[0])
    spec = [su.with_rank(su.dims_of(t), 1) for t in op.inputs[1:4]]
    n = su.merge(su.merge(spec[0], spec[1]), spec[2])[0]  # type: ignore[index]
    strides = su.const_ints(op.inputs[3])
    if in_dims is None or n is None or strides is None:
        return [unknown_shape()]
    _, final = _resolve(in_dims, su.const_ints(op.inputs[1]), su.const_ints(op.inputs[2]),
                        strides, *_masks(op), err=ValueError)
    return [TensorShape(final)]


def _run_error(msg: str) -> Exception:
    return errors.InvalidArgumentError(None, None, msg)


def _numpy_index(slices: list[_DenseSlice]) -> tuple[Any, ...]:
    idx: list[Any] = []
    for d in slices:
        if d.shrink:
            idx.append(d.begin)
        elif d.size == 0:
            idx.append(_pyslice(0, 0))
        else:
            idx.append(_pyslice(d.begin, None if d.end < 0 else d.end, d.stride))
    return tuple(idx)


def _spec_args(begin: Any, end: Any, strides: Any) -> tuple[list[int], list[int], list[int]]:
    for name, v in (("begin", begin), ("end", end), ("strides", strides)):
        if np.ndim(v) != 1:
            raise _run_error(f"Expected begin, end, and strides to be 1D equal size tensors, "
                             f"but got {name} of shape {su.shape_str(np.shape(v))}")
    return su.int_list(begin), su.int_list(end), su.int_list(strides)


def _strided_slice_ref(x: Any, begin: Any, end: Any, strides: Any, begin_mask: int,
                       end_mask: int, ellipsis_mask: int, new_axis_mask: int,
                       shrink_axis_mask: int) -> Any:
    x = np.asarray(x)
    b, e, s = _spec_args(begin, end, strides)
    slices, final = _resolve(x.shape, b, e, s, begin_mask, end_mask, ellipsis_mask,
                             new_axis_mask, shrink_axis_mask, err=_run_error)
    return x[_numpy_index(slices)].reshape(final)


_MASK_ATTRS = ["begin_mask: int = 0", "end_mask: int = 0", "ellipsis_mask: int = 0",
               "new_axis_mask: int = 0", "shrink_axis_mask: int = 0"]
_MASK_NAMES = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")

register_op("StridedSlice", inputs=["input: T", "begin: Index", "end: Index", "strides: Index"],
            outputs=["output: T"], attrs=["T: type", "Index: {int16, int32, int64}"] +
            _MASK_ATTRS, shape=_strided_slice_shape, reference=_strided_slice_ref,
            kernel_attrs=_MASK_NAMES, aliases_input=True)


def _strided_slice_grad_ref(shape_: Any, begin: Any, end: Any, strides: Any, dy: Any,
                            begin_mask: int, end_mask: int, ellipsis_mask: int,
                            new_axis_mask: int, shrink_axis_mask: int) -> Any:
    dims = tuple(su.int_list(shape_))
    b, e, s = _spec_args(begin, end, strides)
    slices, final = _resolve(dims, b, e, s, begin_mask, end_mask, ellipsis_mask,
                             new_axis_mask, shrink_axis_mask, err=_run_error)
    dy = np.asarray(dy)
    if tuple(final) != dy.shape:
        raise _run_error(f"shape of dy was {su.shape_str(dy.shape)} instead of "
                         f"{su.shape_str(tuple(final))}")
    out = np.zeros(dims, dtype=dy.dtype)
    idx = _numpy_index(slices)
    out[idx] = dy.reshape(out[idx].shape)
    return out


register_op("StridedSliceGrad",
            inputs=["shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"],
            outputs=["output: T"], attrs=["T: type", "Index: {int32, int64}"] + _MASK_ATTRS,
            shape=lambda op: [su.shape(su.shape_from_tensor(op.inputs[0]))],
            reference=_strided_slice_grad_ref, kernel_attrs=_MASK_NAMES)


def _mask_kwargs(op: Any) -> dict[str, int]:
    return {m: op.get_attr(m) for m in _MASK_NAMES}


def _static_or(t: Tensor) -> Any:
    v = su.const_value(t)
    return v if v is not None else t


@RegisterGradient("StridedSlice")
def _strided_slice_grad(op: Any, grad: Any) -> Any:
    begin, end, strides = op.inputs[1:4]
    x = _static_or(shape(op.inputs[0], out_type=begin.dtype))
    out = apply_op_packed("StridedSliceGrad", shape=x, begin=_static_or(begin),
                          end=_static_or(end), strides=_static_or(strides), dy=dense(grad),
                          **_mask_kwargs(op))
    return [out, None, None, None]


@RegisterGradient("StridedSliceGrad")
def _strided_slice_grad_grad(op: Any, grad: Any) -> Any:
    begin, end, strides = op.inputs[1:4]
    return [None, None, None, None,
            strided_slice(dense(grad), begin, end, strides, **_mask_kwargs(op))]


def strided_slice(input_: Any, begin: Any, end: Any, strides: Any = None, begin_mask: int = 0,
                  end_mask: int = 0, ellipsis_mask: int = 0, new_axis_mask: int = 0,
                  shrink_axis_mask: int = 0, var: Any = None, name: str | None = None) -> Tensor:
    """Extracts a strided slice (``tf.strided_slice``; strides default to ones)."""
    if strides is None:
        strides = ones_like(begin)
    out = apply_op_packed("StridedSlice", name=name, input=input_, begin=begin, end=end,
                          strides=strides, begin_mask=begin_mask, end_mask=end_mask,
                          ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask,
                          shrink_axis_mask=shrink_axis_mask)
    if var is not None and hasattr(var, "_strided_slice_assign"):
        parent = name

        def assign(val: Any, name: str | None = None) -> Any:
            return var._strided_slice_assign(
                begin=begin, end=end, strides=strides, value=val,
                name=name if name is not None else f"{parent}_assign", begin_mask=begin_mask,
                end_mask=end_mask, ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask,
                shrink_axis_mask=shrink_axis_mask)

        out.assign = assign  # type: ignore[attr-defined]
    return out


# --- Tensor.__getitem__ -------------------------------------------------------------------------

_SLICE_TYPE_ERROR = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                     "scalar tf.int32/tf.int64 tensors are valid indices")
_SLICE_DTYPES = (dtypes.int16, dtypes.int32, dtypes.int64)


def _check_index(idx: Any) -> None:
    if isinstance(idx, (numbers.Integral, Dimension)):
        return
    dtype = getattr(idx, "dtype", None)
    ok = dtype is not None
    if ok:
        try:
            ok = dtypes.as_dtype(dtype).base_dtype in _SLICE_DTYPES
        except TypeError:
            ok = False
    shape_ = getattr(idx, "shape", None)
    if ok and shape_ is not None:
        dims = shape_.as_tuple() if isinstance(shape_, TensorShape) else tuple(shape_)
        ok = dims is None or len(dims) != 1
    if not ok:
        raise TypeError(f"{_SLICE_TYPE_ERROR}, got {idx!r}")


def _undefined_dim(d: Any) -> bool:
    return isinstance(d, Dimension) and d.value is None


def _slice_field(v: Any, default: int, dtype: Any) -> tuple[Any, int]:
    """A slice's start, stop or step as a strided-slice entry, and 1 where it is unset (then
    the entry is ``default``, a constant of ``dtype`` when the slice holds tensors)."""
    from minitf.ops.constant_op import constant

    if v is not None and not _undefined_dim(v):
        _check_index(v)
        return _plain(v), 0
    return (default if dtype is None else constant(default, dtype=dtype)), 1


def _plain(v: Any) -> Any:
    return int(v) if isinstance(v, Dimension) else v


def slice_helper(tensor: Any, slice_spec: Any, var: Any = None) -> Tensor:
    """``tensor[slice_spec]`` as TF builds it: one StridedSlice named ``strided_slice`` (or a
    boolean_mask for a boolean index)."""
    from minitf.ops import math_ops
    from minitf.ops.array_manip import stack
    from minitf.ops.constant_op import constant

    tensor = convert_to_tensor(tensor)
    if isinstance(slice_spec, bool) or \
            (isinstance(slice_spec, Tensor) and slice_spec.dtype.base_dtype == dtypes.bool) or \
            (isinstance(slice_spec, np.ndarray) and slice_spec.dtype == bool):
        from minitf.ops.array_gather import boolean_mask

        return boolean_mask(tensor=tensor, mask=slice_spec)
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin: list[Any] = []
    end: list[Any] = []
    strides: list[Any] = []
    new_axis_mask = shrink_axis_mask = begin_mask = end_mask = ellipsis_mask = 0
    for index, s in enumerate(slice_spec):
        if isinstance(s, _pyslice):
            dtype = None
            for t in (s.start, s.stop, s.step):
                if isinstance(t, Tensor):
                    d = t.dtype.base_dtype
                    if d == dtypes.int64:
                        dtype = dtypes.int64
                    elif d == dtypes.int32 and dtype != dtypes.int64:
                        dtype = dtypes.int32
                    elif d == dtypes.int16 and dtype is None:
                        dtype = dtypes.int16
            value, unset = _slice_field(s.start, 0, dtype)
            begin.append(value)
            begin_mask |= unset << index
            value, unset = _slice_field(s.stop, 0, dtype)
            end.append(value)
            end_mask |= unset << index
            strides.append(_slice_field(s.step, 1, dtype)[0])
        elif s is Ellipsis:
            begin.append(0)
            end.append(0)
            strides.append(1)
            ellipsis_mask |= 1 << index
        elif s is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            new_axis_mask |= 1 << index
        else:
            _check_index(s)
            s = _plain(s)
            begin.append(s)
            end.append(s + 1)
            if isinstance(s, Tensor) and s.dtype.base_dtype in (dtypes.int16, dtypes.int64):
                strides.append(constant(1, dtype=s.dtype.base_dtype))
            else:
                strides.append(1)
            shrink_axis_mask |= 1 << index
    with name_scope(None, "strided_slice", [tensor] + [v for v in begin + end + strides
                                                        if isinstance(v, Tensor)]) as name:
        if begin:
            packed = [stack(begin), stack(end), stack(strides)]
            kinds = [p.dtype.base_dtype for p in packed]
            if dtypes.int64 in kinds:
                packed = [p if p.dtype.base_dtype == dtypes.int64 else
                          math_ops.cast(p, dtypes.int64) for p in packed]
        else:
            empty = constant([], dtype=dtypes.int32)
            packed = [empty, empty, empty]
        return strided_slice(tensor, packed[0], packed[1], packed[2], begin_mask=begin_mask,
                             end_mask=end_mask, shrink_axis_mask=shrink_axis_mask,
                             new_axis_mask=new_axis_mask, ellipsis_mask=ellipsis_mask,
                             var=var, name=name)


Tensor.__getitem__ = slice_helper  # type: ignore[attr-defined]


# --- Slice ------------------------------------------------------------------------------------

def _slice_shape(op: Any) -> list[TensorShape]:
    """TF's Slice shape function: exact sizes when ``size`` is constant (``-1`` resolved from a
    partially known ``begin``), else the partially known ``size``; no bounds checks."""
    in_dims = su.dims_of(op.inputs[0])
    b_dims = su.with_rank(su.dims_of(op.inputs[1]), 1)
    s_dims = su.with_rank(su.dims_of(op.inputs[2]), 1)
    n = su.merge(b_dims, s_dims)[0]  # type: ignore[index]
    if n is not None:
        in_dims = su.with_rank(in_dims, n)
    begin = su.shape_from_tensor(op.inputs[1])
    sizes = su.const_ints(op.inputs[2])
    if sizes is not None:
        begin = su.with_rank(begin, len(sizes))
        dims = su.with_rank(in_dims, len(sizes)) if in_dims is None else in_dims
        out: list[int | None] = []
        for i, sz in enumerate(sizes):
            if sz != -1:
                if sz < 0:
                    raise ValueError(f"Invalid value in tensor used for shape: {sz}")
                out.append(sz)
                continue
            d, b = dims[i], begin[i]
            if d is None or b is None:
                out.append(None)
            elif d - b < 0:
                raise ValueError(f"Negative dimension size caused by subtracting {b} from {d}")
            else:
                out.append(d - b)
        return [TensorShape(out)]
    partial = su.shape_from_tensor(op.inputs[2])
    if partial is not None:
        su.with_rank(begin, len(partial))
        return [TensorShape(partial)]
    return [unknown_shape(None if in_dims is None else len(in_dims))]


def _slice_ref(x: Any, begin: Any, size: Any) -> Any:
    x = np.asarray(x)
    b, s = su.int_list(begin), su.int_list(size)
    if np.ndim(begin) != 1 or np.ndim(size) != 1 or len(b) != x.ndim or len(s) != x.ndim:
        raise _run_error(f"Expected begin and size arguments to be 1-D tensors of size "
                         f"{x.ndim}, but got shapes {su.shape_str(np.shape(begin))} and "
                         f"{su.shape_str(np.shape(size))} instead.")
    idx = []
    for i, (bi, si, dim) in enumerate(zip(b, s, x.shape)):
        if si == -1:
            si = dim - bi
        if not 0 <= bi <= dim:
            raise _run_error(f"Expected begin[{i}] in [0, {dim}], but got {bi}")
        if not 0 <= si <= dim - bi:
            raise _run_error(f"Expected size[{i}] in [0, {dim - bi}], but got {si}")
        idx.append(np.s_[bi:bi + si])
    return x[tuple(idx)]


register_op("Slice", inputs=["input: T", "begin: Index", "size: Index"], outputs=["output: T"],
            attrs=["T: type", "Index: {int32, int64}"], shape=_slice_shape,
            reference=_slice_ref, aliases_input=True)


@RegisterGradient("Slice")
def _slice_grad(op: Any, grad: Any) -> Any:
    """Pads the gradient back to the input's shape with zeros."""
    from minitf.ops import math_ops
    from minitf.ops.array_manip import concat, stack
    from minitf.ops.array_pad import pad

    x, begin_vec = op.inputs[0], op.inputs[1]
    index_dtype = begin_vec.dtype
    slice_size = shape(op.outputs[0], out_type=index_dtype)
    shape_ = stack([rank(x), 1])
    before_pad = reshape(begin_vec, shape_)
    after = math_ops.subtract(math_ops.subtract(shape(x, out_type=index_dtype), slice_size),
                              begin_vec)
    paddings = concat([before_pad, reshape(after, shape_)], 1)
    return [pad(dense(grad), paddings), None, None]


def slice(input_: Any, begin: Any, size: Any, name: str | None = None) -> Tensor:  # noqa: A001
    """``input_[begin[i]:begin[i] + size[i]]`` per dimension (size -1: to the end)."""
    return apply_op_packed("Slice", name=name, input=input_, begin=begin, size=size)
