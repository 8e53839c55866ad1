"""Reductions and scans: Sum/Mean/Max/Min/Prod/Any/All, ArgMax/ArgMin, Cumsum/Cumprod,
UnsortedSegmentSum/SegmentSum and Range (signature, shape function, numpy reference), their
wrappers, and the composites ``reduce_logsumexp`` and ``count_nonzero``.

Split out of :mod:`minitf.ops.math_ops`, which imports this module (so the op types are
registered whenever math_ops is) and re-exports its names, the helpers ``reduction_shape``,
``reduction_axes`` and ``range_`` included; gradients live in :mod:`minitf.ops.math_grad`.
References return exactly the declared dtype (numpy would widen int32 sums to int64, so they
pass ``dtype=``). Nothing from math_ops is imported at load time (the composites import the
elementwise ops they build on when called), so there is no import cycle.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops.math_linalg_ops import _rank_error

__all__ = [
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
    "reduce_all", "reduce_logsumexp", "argmax", "argmin", "arg_max", "arg_min", "cumsum",
    "cumprod", "count_nonzero", "unsorted_segment_sum", "segment_sum",
]


# --- reductions ----------------------------------------------------------------------------------

def reduction_shape(op: Any) -> list[TensorShape]:
    """Static shape of a reduction over constant axes (input 1), honouring keep_dims."""
    from minitf.framework.constant_value import constant_value

    x = op.inputs[0].get_shape()
    keep = op._attrs.get("keep_dims", False)
    axes = constant_value(op.inputs[1])
    if x.ndims is None:
        return [TensorShape(None)]
    if axes is None:
        return [TensorShape([None] * x.ndims) if keep else TensorShape(None)]
    rank = x.ndims
    reduced = set()
    for a in np.asarray(axes).reshape(-1).tolist():
        if not -rank <= a < rank:
            raise ValueError(f"Invalid reduction dimension {a} for input with {rank} "
                             "dimensions.")
        reduced.add(a % rank)
    dims = x.as_tuple()
    if keep:
        return [TensorShape([1 if i in reduced else d for i, d in enumerate(dims)])]
    return [TensorShape([d for i, d in enumerate(dims) if i not in reduced])]


def reduction_axes(x: Any, axes: Any) -> tuple[int, ...]:
    """Validated, non-negative reduction axes (run-time errors as TF's)."""
    nd = x.ndim
    out: list[int] = []
    for a in axes.reshape(-1).tolist():
        if not -nd <= a < nd:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction dimension ({a} for input with {nd} "
                            "dimension(s)")
        a %= nd
        if a in out:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction arguments: Axes contains duplicate dimension: "
                            f"{a}")
        out.append(a)
    return tuple(out)


def _sum_ref(x: Any, axes: Any, keep_dims: bool = False) -> Any:
    ax = reduction_axes(x, axes)
    if x.dtype == np.float16:  # accumulate half floats in float32, as TF does
        return np.add.reduce(x, axis=ax, dtype=np.float32, keepdims=keep_dims).astype(x.dtype)
    return np.add.reduce(x, axis=ax, dtype=x.dtype, keepdims=keep_dims)


def _prod_ref(x: Any, axes: Any, keep_dims: bool = False) -> Any:
    ax = reduction_axes(x, axes)
    if x.dtype == np.float16:
        return np.multiply.reduce(x, axis=ax, dtype=np.float32,
                                  keepdims=keep_dims).astype(x.dtype)
    return np.multiply.reduce(x, axis=ax, dtype=x.dtype, keepdims=keep_dims)


def _mean_ref(x: Any, axes: Any, keep_dims: bool = False) -> Any:
    ax = reduction_axes(x, axes)
    count = 1
    for a in ax:
        count *= x.shape[a]
    if x.dtype.kind not in "iu":
        if x.dtype == np.float16:
            total = np.add.reduce(x, axis=ax, dtype=np.float32, keepdims=keep_dims)
            return (total / count).astype(x.dtype)
        return np.add.reduce(x, axis=ax, dtype=x.dtype, keepdims=keep_dims) / count
    # Integers: the wrapped sum divided by the count, truncating towards zero (C division).
    total = np.add.reduce(x, axis=ax, dtype=x.dtype, keepdims=keep_dims)
    if count == 0:
        return np.zeros_like(total)
    n = np.asarray(count).astype(x.dtype)
    return (total - np.fmod(total, n)) // n


def _extreme_ref(ufunc: Any, lowest: bool) -> Any:
    def ref(x: Any, axes: Any, keep_dims: bool = False) -> Any:
        ax = reduction_axes(x, axes)
        if x.size == 0:  # TF returns the reduction's identity (-inf / lowest int for Max)
            if x.dtype.kind == "f":
                init = -np.inf if lowest else np.inf
            else:
                info = np.iinfo(x.dtype)
                init = info.min if lowest else info.max
            return ufunc.reduce(x, axis=ax, keepdims=keep_dims, initial=init)
        return ufunc.reduce(x, axis=ax, keepdims=keep_dims)

    return ref


def _any_ref(x: Any, axes: Any, keep_dims: bool = False) -> Any:
    return np.logical_or.reduce(x, axis=reduction_axes(x, axes), keepdims=keep_dims)


def _all_ref(x: Any, axes: Any, keep_dims: bool = False) -> Any:
    return np.logical_and.reduce(x, axis=reduction_axes(x, axes), keepdims=keep_dims)


for _op_type, _ref, _types in (("Sum", _sum_ref, "numeric"), ("Mean", _mean_ref, "numeric"),
                               ("Prod", _prod_ref, "numeric"),
                               ("Max", _extreme_ref(np.maximum, True), "real"),
                               ("Min", _extreme_ref(np.minimum, False), "real")):
    register_op(_op_type, inputs=["input: T", "reduction_indices: Tidx"], outputs=["output: T"],
                attrs=["keep_dims: bool = false", f"T: {_types}", "Tidx: {int32, int64} = int32"],
                shape=reduction_shape, reference=_ref, kernel_attrs=("keep_dims",))
for _op_type, _ref in (("Any", _any_ref), ("All", _all_ref)):
    register_op(_op_type, inputs=["input: bool", "reduction_indices: Tidx"],
                outputs=["output: bool"],
                attrs=["keep_dims: bool = false", "Tidx: {int32, int64} = int32"],
                shape=reduction_shape, reference=_ref, kernel_attrs=("keep_dims",))
    NotDifferentiable(_op_type)


def _lookup(new_name: str, new_value: Any, old_name: str, old_value: Any) -> Any:
    """TF's deprecated_argument_lookup."""
    if old_value is not None:
        if new_value is not None:
            raise ValueError(f"Cannot specify both '{old_name}' and '{new_name}'.")
        return old_value
    return new_value


def _reduction_dims(x: Any, axis: Any) -> Any:
    """``axis``, or all dimensions: a Const when the rank is known, else range(rank(x))."""
    if axis is not None:
        return axis
    rank = getattr(getattr(x, "shape", None), "rank", None)
    if rank:
        from minitf.ops.constant_op import constant

        return constant(np.arange(rank, dtype=np.int32))
    from minitf.ops import array_ops

    return range_(0, array_ops.rank(x))


def _reduce(op_type: str, input_tensor: Any, axis: Any, keepdims: Any, name: str | None,
            reduction_indices: Any, keep_dims: Any) -> Tensor:
    axis = _lookup("axis", axis, "reduction_indices", reduction_indices)
    keep = _lookup("keepdims", keepdims, "keep_dims", keep_dims)
    keep = False if keep is None else bool(keep)
    out = apply_op(op_type, name=name, input=input_tensor,
                   reduction_indices=_reduction_dims(input_tensor, axis), keep_dims=keep)
    if not keep and axis is None and not out.get_shape().is_fully_defined():
        out.set_shape(())
    return out


def _reduction(op_type: str, doc: str) -> Any:
    def fn(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
           reduction_indices: Any = None, keep_dims: Any = None) -> Tensor:
        return _reduce(op_type, input_tensor, axis, keepdims, name, reduction_indices, keep_dims)

    fn.__doc__ = doc + " over ``axis`` (all axes when None); ``keepdims`` keeps them as 1s."
    return fn


reduce_sum = _reduction("Sum", "Sum (``tf.reduce_sum``)")
reduce_mean = _reduction("Mean", "Mean; integer means truncate like TF (``tf.reduce_mean``)")
reduce_max = _reduction("Max", "Maximum; NaN propagates (``tf.reduce_max``)")
reduce_min = _reduction("Min", "Minimum; NaN propagates (``tf.reduce_min``)")
reduce_prod = _reduction("Prod", "Product (``tf.reduce_prod``)")
reduce_any = _reduction("Any", "Logical OR (``tf.reduce_any``)")
reduce_all = _reduction("All", "Logical AND (``tf.reduce_all``)")


def reduce_logsumexp(input_tensor: Any, axis: Any = None, keepdims: Any = None,
                     name: str | None = None, reduction_indices: Any = None,
                     keep_dims: Any = None) -> Tensor:
    """log(sum(exp(x))) computed stably by subtracting the (finite) max (``tf.reduce_logsumexp``).
    """
    from minitf.ops import array_ops
    from minitf.ops.gradients_impl import stop_gradient
    from minitf.ops.math_ops import exp, is_finite, log, subtract

    axis = _lookup("axis", axis, "reduction_indices", reduction_indices)
    keep = _lookup("keepdims", keepdims, "keep_dims", keep_dims)
    keep = False if keep is None else bool(keep)
    with name_scope(name, "ReduceLogSumExp", [input_tensor]) as scope:
        x = convert_to_tensor(input_tensor, name="input_tensor")
        raw_max = reduce_max(x, axis=axis, keepdims=True)
        my_max = stop_gradient(array_ops.where(is_finite(raw_max), raw_max,
                                               array_ops.zeros_like(raw_max)))
        result = log(reduce_sum(exp(subtract(x, my_max)), axis=axis, keepdims=keep))
        if not keep:
            my_max = array_ops.reshape(my_max, array_ops.shape(result))
        result = apply_op("AddV2", name=scope, x=result, y=my_max)
        if not keep and axis is None and not result.get_shape().is_fully_defined():
            result.set_shape(())
        return result


def count_nonzero(input_tensor: Any = None, axis: Any = None, keepdims: Any = None,
                  dtype: Any = dtypes.int64, name: str | None = None,
                  reduction_indices: Any = None, keep_dims: Any = None,
                  input: Any = None) -> Tensor:  # noqa: A002 - TF's name
    """Number of non-zero entries over ``axis`` (``tf.count_nonzero``)."""
    from minitf.ops.constant_op import constant
    from minitf.ops.math_ops import cast, not_equal

    input_tensor = _lookup("input", input, "input_tensor", input_tensor)
    axis = _lookup("axis", axis, "reduction_indices", reduction_indices)
    keep = _lookup("keepdims", keepdims, "keep_dims", keep_dims)
    with name_scope(name, "count_nonzero", [input_tensor]):
        x = convert_to_tensor(input_tensor, name="input")
        if x.dtype.base_dtype == dtypes.bool:
            predicate = x
        else:
            base = x.dtype.base_dtype
            zero = np.array(b"", dtype=object) if base == dtypes.string else \
                np.zeros((), dtype=base.as_numpy_dtype)
            predicate = not_equal(x, constant(zero, dtype=base, name="zeros"))
        counts = reduce_sum(cast(predicate, dtypes.int64), axis=axis,
                            keepdims=False if keep is None else keep)
        return cast(counts, dtype)


# --- arg max / min -------------------------------------------------------------------------------

def _arg_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value

    x = op.inputs[0].get_shape()
    op.inputs[1].get_shape().with_rank(0) if op.inputs[1].get_shape().ndims else None
    if x.ndims is None:
        return [TensorShape(None)]
    if x.ndims == 0:
        return [TensorShape([])]
    dim = constant_value(op.inputs[1])
    if dim is None:
        return [TensorShape([None] * (x.ndims - 1))]
    d = int(dim)
    if not -x.ndims <= d < x.ndims:
        raise ValueError(f"Expected dimension in the range [{-x.ndims}, {x.ndims}), but got {d}")
    dims = list(x.as_tuple())
    del dims[d % x.ndims]
    return [TensorShape(dims)]


def _arg_ref(largest: bool) -> Any:
    def ref(x: Any, dimension: Any, output_type: dtypes.DType) -> Any:
        axis, nd = int(dimension), x.ndim
        if not -nd <= axis < nd:
            raise errors.InvalidArgumentError(
                None, None, f"Expected dimension in the range [{-nd}, {nd}), but got {axis}")
        if x.shape[axis] == 0:
            raise errors.InvalidArgumentError(
                None, None, f"Reduction axis {axis} is empty in shape "
                            f"[{','.join(map(str, x.shape))}]")
        if x.dtype.kind == "f":
            nan = np.isnan(x)
            if nan.any():  # TF's comparisons never pick a NaN
                x = np.where(nan, x.dtype.type(-np.inf if largest else np.inf), x)
        idx = np.argmax(x, axis=axis) if largest else np.argmin(x, axis=axis)
        return idx.astype(output_type.as_numpy_dtype, copy=False)

    return ref


for _op_type, _largest in (("ArgMax", True), ("ArgMin", False)):
    register_op(_op_type, inputs=["input: T", "dimension: Tidx"], outputs=["output: output_type"],
                attrs=["T: {bool, float16, bfloat16, float32, float64, int8, int16, int32, "
                       "int64, uint8, uint16, uint32, uint64}",
                       "Tidx: {int16, int32, int64} = int32",
                       "output_type: {int16, uint16, int32, int64} = int64"],
                shape=_arg_shape, reference=_arg_ref(_largest), kernel_attrs=("output_type",))
    NotDifferentiable(_op_type)


def argmax(input: Any, axis: Any = None, name: str | None = None,  # noqa: A002 - TF's name
           dimension: Any = None, output_type: Any = dtypes.int64) -> Tensor:
    """Index of the largest value along ``axis`` (default 0); ties go to the first."""
    axis = _lookup("axis", axis, "dimension", dimension)
    return apply_op("ArgMax", name=name, input=input, dimension=0 if axis is None else axis,
                    output_type=output_type)


def argmin(input: Any, axis: Any = None, name: str | None = None,  # noqa: A002 - TF's name
           dimension: Any = None, output_type: Any = dtypes.int64) -> Tensor:
    """Index of the smallest value along ``axis`` (default 0); ties go to the first."""
    axis = _lookup("axis", axis, "dimension", dimension)
    return apply_op("ArgMin", name=name, input=input, dimension=0 if axis is None else axis,
                    output_type=output_type)


def arg_max(input: Any, dimension: Any, output_type: Any = dtypes.int64,  # noqa: A002
            name: str | None = None) -> Tensor:
    """TF 1.x ``tf.arg_max`` (the raw op)."""
    return apply_op("ArgMax", name=name, input=input, dimension=dimension,
                    output_type=output_type)


def arg_min(input: Any, dimension: Any, output_type: Any = dtypes.int64,  # noqa: A002
            name: str | None = None) -> Tensor:
    """TF 1.x ``tf.arg_min`` (the raw op)."""
    return apply_op("ArgMin", name=name, input=input, dimension=dimension,
                    output_type=output_type)


# --- scans ---------------------------------------------------------------------------------------

def _scan_shape(op: Any) -> list[TensorShape]:
    a = op.inputs[1].get_shape()
    if a.ndims not in (None, 0):
        raise _rank_error(a, "rank 0")
    return [op.inputs[0].get_shape()]


def _scan_ref(accumulate: Any, identity: int) -> Any:
    def ref(x: Any, axis: Any, exclusive: bool = False, reverse: bool = False) -> Any:
        a, nd = int(axis), x.ndim
        if not -nd <= a < nd:
            raise errors.InvalidArgumentError(
                None, None, f"ScanOp: Expected scan axis in the range [{-nd}, {nd}), but got {a}")
        a %= nd
        if reverse:
            x = np.flip(x, a)
        out = accumulate(x, axis=a, dtype=x.dtype)
        if exclusive:
            shifted = np.empty_like(out)
            head = [slice(None)] * nd
            head[a] = slice(0, 1)
            shifted[tuple(head)] = identity
            dst, src = list(head), list(head)
            dst[a], src[a] = slice(1, None), slice(None, -1)
            shifted[tuple(dst)] = out[tuple(src)]
            out = shifted
        return np.flip(out, a) if reverse else out

    return ref


for _op_type, _acc, _ident in (("Cumsum", np.cumsum, 0), ("Cumprod", np.cumprod, 1)):
    register_op(_op_type, inputs=["x: T", "axis: Tidx"], outputs=["out: T"],
                attrs=["exclusive: bool = false", "reverse: bool = false", "T: numeric",
                       "Tidx: {int32, int64} = int32"],
                shape=_scan_shape, reference=_scan_ref(_acc, _ident),
                kernel_attrs=("exclusive", "reverse"))


def cumsum(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False,
           name: str | None = None) -> Tensor:
    """Cumulative sum along ``axis`` (``tf.cumsum``)."""
    with name_scope(name, "Cumsum", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return apply_op("Cumsum", name=scope, x=x, axis=axis, exclusive=exclusive,
                        reverse=reverse)


def cumprod(x: Any, axis: Any = 0, exclusive: bool = False, reverse: bool = False,
            name: str | None = None) -> Tensor:
    """Cumulative product along ``axis`` (``tf.cumprod``)."""
    with name_scope(name, "Cumprod", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return apply_op("Cumprod", name=scope, x=x, axis=axis, exclusive=exclusive,
                        reverse=reverse)


# --- segment sums --------------------------------------------------------------------------------

def _index_str(shape: tuple[int, ...], flat_index: int) -> str:
    return "[" + ",".join(str(int(i)) for i in np.unravel_index(flat_index, shape)) + "]"


def _unsorted_segment_sum_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value

    data, ids, num = (t.get_shape() for t in op.inputs)
    if num.ndims not in (None, 0):
        raise _rank_error(num, "rank 0")
    if data.ndims is None or ids.ndims is None:
        return [TensorShape(None)]
    if ids.ndims > data.ndims:
        raise _rank_error(data, f"at least rank {ids.ndims}")
    for d, s in zip(data.as_tuple(), ids.as_tuple()):
        if d is not None and s is not None and d != s:
            raise ValueError(f"Dimensions must be equal, but are {d} and {s}")
    n = constant_value(op.inputs[2])
    if n is not None and int(n) < 0:
        raise ValueError(f"num_segments must be non-negative, got {int(n)}")
    return [TensorShape([None if n is None else int(n), *data.as_tuple()[ids.ndims:]])]


def _unsorted_segment_sum_ref(data: Any, segment_ids: Any, num_segments: Any) -> Any:
    n = int(num_segments)
    ids = segment_ids
    if n < 0:
        raise errors.InvalidArgumentError(None, None, f"Input num_segments == {n} must be "
                                                      "positive.")
    if data.shape[:ids.ndim] != ids.shape:
        raise errors.InvalidArgumentError(
            None, None, f"data.shape = {list(data.shape)} does not start with segment_ids.shape"
                        f" = {list(ids.shape)}")
    tail = data.shape[ids.ndim:]
    out = np.zeros((n, *tail), dtype=data.dtype)
    flat = ids.reshape(-1)
    if flat.size:
        bad = flat >= n
        if bad.any():
            i = int(np.argmax(bad))
            raise errors.InvalidArgumentError(
                None, None, f"segment_ids{_index_str(ids.shape, i)} = {flat[i]} is out of range "
                            f"[0, {n})")
        values = data.reshape((flat.size, *tail))
        keep = flat >= 0  # negative ids are dropped, as in TF
        if not keep.all():
            flat, values = flat[keep], values[keep]
        np.add.at(out, flat, values)
    return out


register_op("UnsortedSegmentSum",
            inputs=["data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"],
            outputs=["output: T"],
            attrs=["T: numeric", "Tindices: {int32, int64}",
                   "Tnumsegments: {int32, int64} = int32"],
            shape=_unsorted_segment_sum_shape, reference=_unsorted_segment_sum_ref)


def _segment_sum_shape(op: Any) -> list[TensorShape]:
    data, ids = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    if ids.ndims not in (None, 1):
        raise _rank_error(ids, "rank 1")
    if data.ndims is None:
        return [TensorShape(None)]
    if data.ndims < 1:
        raise _rank_error(data, "at least rank 1")
    d0, s0 = data.as_tuple()[0], (ids.as_tuple() or (None,))[0]
    if d0 is not None and s0 is not None and d0 != s0:
        raise ValueError(f"Dimensions must be equal, but are {d0} and {s0}")
    return [TensorShape([None, *data.as_tuple()[1:]])]


def _segment_sum_ref(data: Any, segment_ids: Any) -> Any:
    ids = segment_ids
    if ids.ndim != 1:
        raise errors.InvalidArgumentError(None, None, "segment_ids should be a vector.")
    if data.ndim < 1 or ids.shape[0] != data.shape[0]:
        raise errors.InvalidArgumentError(None, None, "segment_ids should be the same size as "
                                                      "dimension 0 of input.")
    n = int(ids[-1]) + 1 if ids.size else 0
    out = np.zeros((builtins.max(n, 0), *data.shape[1:]), dtype=data.dtype)
    if ids.size:
        if ids[0] < 0:
            raise errors.InvalidArgumentError(
                None, None, f"Segment id {ids[0]} out of range [0, {n}), possibly because "
                            "'segment_ids' input is not sorted.")
        step = np.diff(ids)
        if (step < 0).any():
            raise errors.InvalidArgumentError(None, None, "segment ids are not increasing")
        starts = np.concatenate(([0], np.flatnonzero(step) + 1))
        out[ids[starts]] = np.add.reduceat(data, starts, axis=0, dtype=data.dtype)
    return out


register_op("SegmentSum", inputs=["data: T", "segment_ids: Tindices"], outputs=["output: T"],
            attrs=["T: numeric", "Tindices: {int32, int64}"], shape=_segment_sum_shape,
            reference=_segment_sum_ref)


def unsorted_segment_sum(data: Any, segment_ids: Any, num_segments: Any,
                         name: str | None = None) -> Tensor:
    """Sums rows of ``data`` into ``num_segments`` buckets by ``segment_ids``; negative ids are
    dropped (``tf.unsorted_segment_sum``)."""
    return apply_op("UnsortedSegmentSum", name=name, data=data, segment_ids=segment_ids,
                    num_segments=num_segments)


def segment_sum(data: Any, segment_ids: Any, name: str | None = None) -> Tensor:
    """Sums rows of ``data`` by sorted ``segment_ids`` (``tf.segment_sum``)."""
    return apply_op("SegmentSum", name=name, data=data, segment_ids=segment_ids)


# --- range ---------------------------------------------------------------------------------------

def _range_check(start: Any, limit: Any, delta: Any, error: Any) -> None:
    if delta == 0:
        raise error(f"Requires delta != 0: {delta}")
    if delta > 0 and start > limit:
        raise error(f"Requires start <= limit when delta > 0: {start}/{limit}")
    if delta < 0 and start < limit:
        raise error(f"Requires start >= limit when delta < 0: {start}/{limit}")


def _range_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value

    vals = [constant_value(t) for t in op.inputs]
    if any(v is None for v in vals):
        return [TensorShape([None])]
    start, limit, delta = (v.item() for v in vals)
    _range_check(start, limit, delta, ValueError)
    return [TensorShape([int(np.ceil(builtins.abs((limit - start) / delta)))])]


def _range_ref(start: Any, limit: Any, delta: Any) -> Any:
    _range_check(start, limit, delta,
                 lambda msg: errors.InvalidArgumentError(None, None, msg))
    return np.arange(start, limit, delta, dtype=start.dtype)


register_op("Range", inputs=["start: Tidx", "limit: Tidx", "delta: Tidx"],
            outputs=["output: Tidx"],
            attrs=["Tidx: {bfloat16, float16, float32, float64, int8, int16, int32, int64, "
                   "uint16, uint32} = int32"],
            shape=_range_shape, reference=_range_ref)
NotDifferentiable("Range")


_RANGE_TYPES = [dtypes.int32, dtypes.int64, dtypes.float16, dtypes.bfloat16, dtypes.float32,
                dtypes.float64]


def range_(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None,
           name: str = "range") -> Tensor:
    """``tf.range``: like Python's range, as a tensor (exported as ``tf.range``).

    As TF: Python values become consts of their own dtype (or ``dtype``), then all three are
    cast to the widest of them.
    """
    from minitf.ops.math_ops import cast

    if limit is None:
        start, limit = 0, start
    with name_scope(name, "Range", [start, limit, delta]) as scope:
        args = [v if isinstance(v, Tensor) else convert_to_tensor(v, dtype=dtype, name=n)
                for v, n in ((start, "start"), (limit, "limit"), (delta, "delta"))]
        if dtype is None:
            for a in args:
                if a.dtype.base_dtype not in _RANGE_TYPES:
                    raise TypeError(f"range() does not support dtype {a.dtype.name}")
            dtype = builtins.max((a.dtype.base_dtype for a in args), key=_RANGE_TYPES.index)
        start, limit, delta = (cast(a, dtype) for a in args)
        return apply_op("Range", name=scope, start=start, limit=limit, delta=delta)
