"""Array ops that rearrange data: Transpose, InvertPermutation, ConcatV2 (and ConcatOffset for
its gradient), Pack/Unpack, Split/SplitV.

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
from minitf.framework.tensor_shape import Dimension, TensorShape, unknown_shape
from minitf.ops import array_shape_util as su
from minitf.ops.array_basic import (
    apply_op_packed,
    autopack,
    dense,
    has_tensor,
    identity,
    rank,
    shape_n,
)

__all__ = ["transpose", "matrix_transpose", "concat", "stack", "unstack", "split",
           "invert_permutation"]


def _axis_error(axis: int, rank: int) -> ValueError:
    return ValueError(f"Invalid axis: {axis}; must be in [{-rank},{rank})")


# --- transpose --------------------------------------------------------------------------------

def _transpose_shape(op: Any) -> list[TensorShape]:
    in_dims = su.dims_of(op.inputs[0])
    perm_dims = su.dims_of(op.inputs[1])
    perm = su.const_ints(op.inputs[1])
    n_perm = perm_dims[0] if perm_dims is not None and len(perm_dims) == 1 else None
    if in_dims is None and n_perm is None and perm is None:
        return [unknown_shape()]
    r = len(in_dims) if in_dims is not None else (n_perm if n_perm is not None else len(perm))
    if in_dims is None and r < 2:
        return [unknown_shape()]
    in_dims = su.with_rank(in_dims, r)
    su.with_rank(perm_dims, 1)
    if n_perm is not None and n_perm != r:
        raise ValueError(f"Dimension must be {r} but is {n_perm}")
    if perm is None:
        return [unknown_shape(r)]
    out = []
    for p in perm:
        if p >= r or p < -r:
            raise ValueError(f"perm dim {p} is out of range of input rank {r}")
        out.append(in_dims[p])
    return [TensorShape(out)]


def _check_perm(x: Any, perm: Any) -> list[int]:
    p = su.int_list(perm)
    if np.ndim(perm) != 1:
        raise errors.InvalidArgumentError(None, None, f"perm must be rank 1, got shape "
                                                      f"{list(np.shape(perm))}")
    if len(p) != np.ndim(x):
        raise errors.InvalidArgumentError(None, None, f"transpose expects a vector of size "
                                                      f"{np.ndim(x)}. But input(1) is a vector "
                                                      f"of size {len(p)}")
    seen = [False] * len(p)
    for d in p:
        if not 0 <= d < len(p):
            raise errors.InvalidArgumentError(None, None,
                                              f"{d} is out of range [0 .. {len(p)})")
        seen[d] = True
    for i, s in enumerate(seen):
        if not s:
            raise errors.InvalidArgumentError(None, None, f"{i} is missing from "
                                                          f"{{{','.join(map(str, p))}}}.")
    return p


def _transpose_ref(x: Any, perm: Any) -> Any:
    return np.transpose(x, _check_perm(x, perm))


def _conj_transpose_ref(x: Any, perm: Any) -> Any:
    return np.conj(np.transpose(x, _check_perm(x, perm)))


register_op("Transpose", inputs=["x: T", "perm: Tperm"], outputs=["y: T"],
            attrs=["T: type", "Tperm: {int32, int64} = int32"], shape=_transpose_shape,
            reference=_transpose_ref, aliases_input=True)
register_op("ConjugateTranspose", inputs=["x: T", "perm: Tperm"], outputs=["y: T"],
            attrs=["T: type", "Tperm: {int32, int64} = int32"], shape=_transpose_shape,
            reference=_conj_transpose_ref)


@RegisterGradient("Transpose")
def _transpose_grad(op: Any, grad: Any) -> Any:
    return [transpose(dense(grad), invert_permutation(op.inputs[1])), None]


@RegisterGradient("ConjugateTranspose")
def _conj_transpose_grad(op: Any, grad: Any) -> Any:
    return [transpose(dense(grad), invert_permutation(op.inputs[1]), conjugate=True), None]


def transpose(a: Any, perm: Any = None, name: str = "transpose",
              conjugate: bool = False) -> Tensor:
    """Permutes the dimensions of ``a`` (reversed when ``perm`` is None)."""
    with name_scope(name, "transpose", [a]) as scope:
        a = convert_to_tensor(a, name="a")
        op_type = "ConjugateTranspose" if conjugate and a.dtype.is_complex else "Transpose"
        if perm is None:
            r = a.get_shape().ndims
            if r is None:
                perm = apply_op("Range", name="Range", start=rank(a) - 1, limit=-1, delta=-1)
            else:
                perm = np.arange(r - 1, -1, -1, dtype=np.int32)
        return apply_op_packed(op_type, name=scope, x=a, perm=perm)


def matrix_transpose(a: Any, name: str = "matrix_transpose", conjugate: bool = False) -> Tensor:
    """Transposes the last two dimensions of ``a``."""
    with name_scope(name, values=[a]):
        a = convert_to_tensor(a, name="a")
        r = a.get_shape().ndims
        if r is None:
            raise ValueError("matrix_transpose needs an input of known rank (minitf)")
        if r < 2:
            raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  "
                             f"Received `a` = {a} with shape: {a.get_shape()}")
        perm = list(range(r - 2)) + [r - 1, r - 2]
        return transpose(a, perm=perm, conjugate=conjugate)


def _invert_permutation_ref(x: Any) -> Any:
    x = np.asarray(x)
    if x.ndim != 1:
        raise errors.InvalidArgumentError(None, None, "invert_permutation expects a 1D "
                                                      "vector.")
    n = x.size
    out = np.full(n, -1, dtype=x.dtype)
    for i, d in enumerate(x.tolist()):
        if not 0 <= d < n:
            raise errors.InvalidArgumentError(None, None, f"{d} is not between 0 and {n}")
        if out[d] != -1:
            raise errors.InvalidArgumentError(None, None, f"{d} is duplicated in the input.")
        out[d] = i
    return out


register_op("InvertPermutation", inputs=["x: T"], outputs=["y: T"],
            attrs=["T: {int32, int64} = int32"],
            shape=lambda op: [su.shape(su.with_rank(su.dims_of(op.inputs[0]), 1))],
            reference=_invert_permutation_ref)
NotDifferentiable("InvertPermutation")


def invert_permutation(x: Any, name: str | None = None) -> Tensor:
    """The inverse permutation of ``x``."""
    return apply_op("InvertPermutation", name=name, x=x)


# --- concat -----------------------------------------------------------------------------------

def _concat_shape(op: Any) -> list[TensorShape]:
    values = op.inputs[:-1]
    su.with_rank(su.dims_of(op.inputs[-1]), 0)
    axis = su.const_ints(op.inputs[-1])
    r = next((len(d) for d in (su.dims_of(v) for v in values) if d is not None), None)
    if r is not None:
        for v in values:
            su.with_rank(su.dims_of(v), r)
    if axis is None:
        if r is None:
            return [unknown_shape()]
        if r == 0:
            raise ValueError("Can't concatenate scalars (use tf.stack instead)")
        return [unknown_shape(r)]
    ax = axis[0]
    min_rank = -ax if ax < 0 else ax + 1

    def parts(t: Any) -> tuple[Any, Any, Any]:
        d = su.with_rank_at_least(su.dims_of(t), min_rank)
        if d is None:
            return None, None, None
        after = d[ax + 1:] if ax != -1 else ()
        return d[:ax], d[ax], after

    before, middle, after = parts(values[-1])
    for v in reversed(values[:-1]):
        b, m, a = parts(v)
        before = su.merge(b, before)
        middle = None if m is None or middle is None else m + middle
        after = su.merge(a, after)
    if before is None or after is None:
        return [unknown_shape()]
    return [TensorShape(before + (middle,) + after)]


def _concat_ref(*args: Any) -> Any:
    values, axis = args[:-1], int(np.asarray(args[-1]))
    r = np.ndim(values[0])
    if not -r <= axis < r:
        raise errors.InvalidArgumentError(None, None, f"ConcatOp : Expected concatenating "
                                                      f"dimensions in the range [{-r}, {r}), "
                                                      f"but got {axis}")
    ax = axis % r
    s0 = np.shape(values[0])
    for i, v in enumerate(values[1:], 1):
        s = np.shape(v)
        if len(s) != r:
            raise errors.InvalidArgumentError(
                None, None, f"ConcatOp : Ranks of all input tensors should match: shape[0] = "
                            f"{su.shape_str(s0)} vs. shape[{i}] = {su.shape_str(s)}")
        for j in range(r):
            if j != ax and s[j] != s0[j]:
                raise errors.InvalidArgumentError(
                    None, None, f"ConcatOp : Dimension {j} in both shapes must be equal: "
                                f"shape[0] = {su.shape_str(s0)} vs. shape[{i}] = "
                                f"{su.shape_str(s)}")
    return np.concatenate(values, axis=ax)


register_op("ConcatV2", inputs=["values: N * T", "axis: Tidx"], outputs=["output: T"],
            attrs=["N: int >= 2", "T: type", "Tidx: {int32, int64} = int32"],
            shape=_concat_shape, reference=_concat_ref)


def _concat_offset_ref(*args: Any) -> Any:
    dim, shapes = int(np.asarray(args[0])), [np.asarray(s) for s in args[1:]]
    n = shapes[0].size
    if not 0 <= dim < n:
        raise errors.InvalidArgumentError(None, None, f"Concat dim is out of range: {dim} vs. "
                                                      f"{n}")
    out, offset = [], 0
    for i, s in enumerate(shapes):
        if s.size != n:
            raise errors.InvalidArgumentError(None, None, f"input {i} should contain {n} "
                                                          f"elements, but got {s.size}")
        o = np.zeros(n, dtype=s.dtype)
        o[dim] = offset
        out.append(o)
        offset += int(s[dim])
    return out


register_op("ConcatOffset", inputs=["concat_dim: int32", "shape: N * shape_type"],
            outputs=["offset: N * shape_type"],
            attrs=["N: int >= 2", "shape_type: {int32, int64} = int32"],
            shape=lambda op: [t.get_shape() for t in op.inputs[1:]],
            reference=_concat_offset_ref)
NotDifferentiable("ConcatOffset")


@RegisterGradient("ConcatV2")
def _concat_grad(op: Any, grad: Any) -> Any:
    """Slices the gradient back into the pieces (static offsets when shapes are known)."""
    from minitf.ops import math_ops
    from minitf.ops.array_slicing import slice as slice_

    grad = dense(grad)
    values = op.inputs[:-1]
    axis = su.const_ints(op.inputs[-1])
    static = [su.dims_of(v) for v in values]
    if axis is not None and all(d is not None and None not in d for d in static):
        ax = axis[0] % len(static[0])  # type: ignore[arg-type]
        out, offset = [], 0
        for d in static:
            begin = [0] * len(d)  # type: ignore[arg-type]
            begin[ax] = offset
            out.append(slice_(grad, begin, list(d)))  # type: ignore[arg-type]
            offset += d[ax]  # type: ignore[index,operator]
        return out + [None]
    non_neg = math_ops.floormod(op.inputs[-1], rank(values[0]))
    sizes = shape_n(list(values))
    offsets = apply_op("ConcatOffset", concat_dim=non_neg, shape=sizes)
    return [slice_(grad, b, s) for b, s in zip(offsets, sizes)] + [None]


def concat(values: Any, axis: Any, name: str = "concat") -> Tensor:
    """Concatenates tensors along ``axis`` (one tensor: an Identity, as in TF)."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        with name_scope(name):
            a = convert_to_tensor(axis, name="concat_dim", dtype=dtypes.int32)
            a.get_shape().assert_has_rank(0)
            return identity(values[0], name=name)
    return apply_op_packed("ConcatV2", name=name, values=list(values), axis=axis)


# --- stack / unstack ----------------------------------------------------------------------------

def _pack_shape(op: Any) -> list[TensorShape]:
    cur = su.dims_of(op.inputs[-1])
    for i in range(len(op.inputs) - 2, -1, -1):
        try:
            cur = su.merge(su.dims_of(op.inputs[i]), cur)
        except ValueError as e:
            raise ValueError(f"{e}\n\tFrom merging shape {i} with other shapes.") from None
    if cur is None:
        return [unknown_shape()]
    r = len(cur) + 1
    axis = op._attrs["axis"]
    if not -r <= axis < r:
        raise _axis_error(axis, r)
    axis = axis % r
    return [TensorShape(cur[:axis] + (len(op.inputs),) + cur[axis:])]


def _pack_ref(*values: Any, axis: int) -> Any:
    s0 = np.shape(values[0])
    for i, v in enumerate(values[1:], 1):
        if np.shape(v) != s0:
            raise errors.InvalidArgumentError(
                None, None, f"Shapes of all inputs must match: values[0].shape = "
                            f"{su.shape_str(s0)} != values[{i}].shape = "
                            f"{su.shape_str(np.shape(v))}")
    r = len(s0) + 1
    if not -r <= axis < r:
        raise errors.InvalidArgumentError(None, None, f"axis = {axis} not in [{-r}, {r})")
    return np.stack(values, axis=axis)


register_op("Pack", inputs=["values: N * T"], outputs=["output: T"],
            attrs=["N: int >= 1", "T: type", "axis: int = 0"], shape=_pack_shape,
            reference=_pack_ref, kernel_attrs=("axis",))


@RegisterGradient("Pack")
def _pack_grad(op: Any, grad: Any) -> Any:
    return unstack(dense(grad), num=op.get_attr("N"), axis=op.get_attr("axis"))


def _unpack_shape(op: Any) -> list[TensorShape]:
    d = su.dims_of(op.inputs[0])
    num = op._attrs["num"]
    if d is None:
        return [unknown_shape()] * num
    r = len(d)
    axis = op._attrs["axis"]
    if not -r <= axis < r:
        raise _axis_error(axis, r)
    axis = axis % r
    if d[axis] is not None and d[axis] != num:
        raise ValueError(f"Dimension must be {num} but is {d[axis]}")
    return [TensorShape(d[:axis] + d[axis + 1:])] * num


def _unpack_ref(x: Any, num: int, axis: int) -> Any:
    x = np.asarray(x)
    r = x.ndim
    if not -r <= axis < r:
        raise errors.InvalidArgumentError(None, None, f"axis = {axis} not in [{-r}, {r})")
    if x.shape[axis] != num:
        raise errors.InvalidArgumentError(None, None, f"Input shape axis {axis % r} must equal "
                                                      f"{num}, got shape {su.shape_str(x.shape)}")
    return [_index_axis(x, i, axis % r) for i in range(num)]


def _index_axis(x: np.ndarray, i: int, axis: int) -> np.ndarray:
    return x[(slice(None),) * axis + (i,)]


register_op("Unpack", inputs=["value: T"], outputs=["output: num * T"],
            attrs=["num: int >= 0", "T: type", "axis: int = 0"], shape=_unpack_shape,
            reference=_unpack_ref, kernel_attrs=("num", "axis"), aliases_input=True)


@RegisterGradient("Unpack")
def _unpack_grad(op: Any, *grads: Any) -> Any:
    return stack([dense(g) for g in grads], axis=op.get_attr("axis"))


def stack(values: Any, axis: int = 0, name: str = "stack") -> Tensor:
    """Stacks tensors along a new ``axis`` (``tf.stack``; Python values become a Const)."""
    if axis == 0:
        if isinstance(values, (list, tuple)) and has_tensor(values):
            try:
                return autopack(values, None, name)
            except (TypeError, ValueError):
                pass
        elif not isinstance(values, Tensor):
            try:
                return convert_to_tensor(values, name=name)
            except (TypeError, ValueError):
                pass
    value_shape = convert_to_tensor(values[0], name=name).get_shape().as_tuple()
    if value_shape is not None:
        n = len(value_shape) + 1
        if axis < -n or axis >= n:
            raise ValueError(f"Argument `axis` = {axis} not in range [{-n}, {n})")
    return apply_op_packed("Pack", name=name, values=list(values), axis=axis)


def unstack(value: Any, num: int | None = None, axis: int = 0,
            name: str = "unstack") -> list[Tensor]:
    """Splits ``value`` along ``axis`` into a list of tensors (``num`` inferred when static)."""
    if num is None:
        value = convert_to_tensor(value)
        s = value.get_shape()
        if s.ndims is not None:
            if axis < -s.ndims or axis >= s.ndims:
                raise ValueError(f"Argument `axis` = {axis} not in range [{-s.ndims}, "
                                 f"{s.ndims})")
            num = s.as_tuple()[axis]  # type: ignore[index]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {s}")
    return apply_op("Unpack", name=name, value=value, num=num, axis=axis)


# --- split ------------------------------------------------------------------------------------

def _split_dim(t: Any, r: int | None) -> int | None:
    v = su.const_ints(t)
    su.with_rank(su.dims_of(t), 0)
    if v is None:
        return None
    d = v[0]
    if r is not None:
        if not -r <= d < r:
            raise ValueError(f"Dimension size, given by scalar input {d} must be in range "
                             f"[{-r}, {r})")
        d %= r
    elif d < 0:
        return None
    return d


def _split_shape(op: Any) -> list[TensorShape]:
    d = su.dims_of(op.inputs[1])
    n = op._attrs["num_split"]
    ax = _split_dim(op.inputs[0], None if d is None else len(d))
    if ax is None:
        return [unknown_shape(None if d is None else len(d))] * n
    d = su.with_rank_at_least(d, ax + 1)
    if d is None:
        return [unknown_shape()] * n
    size_ = d[ax]
    if size_ is not None:
        if size_ % n:
            raise ValueError(f"Dimension size must be evenly divisible by {n} but is {size_}"
                             f"\n\tNumber of ways to split should evenly divide the split "
                             f"dimension")
        size_ //= n
    return [TensorShape(d[:ax] + (size_,) + d[ax + 1:])] * n


def _split_axis_ref(split_dim: Any, r: int) -> int:
    """The split axis of Split/SplitV at run time, checked against the input rank ``r``."""
    d = int(np.asarray(split_dim))
    if not -r <= d < r:
        raise errors.InvalidArgumentError(None, None, f"-input rank(-{r}) <= split_dim < input "
                                                      f"rank ({r}), but got {d}")
    return d % r


def _split_ref(split_dim: Any, value: Any, num_split: int) -> Any:
    value = np.asarray(value)
    d = _split_axis_ref(split_dim, value.ndim)
    if value.shape[d] % num_split:
        raise errors.InvalidArgumentError(
            None, None, f"Number of ways to split should evenly divide the split dimension, "
                        f"but got split_dim {d} (size = {value.shape[d]}) and num_split "
                        f"{num_split}")
    return np.split(value, num_split, axis=d)


register_op("Split", inputs=["split_dim: int32", "value: T"], outputs=["output: num_split * T"],
            attrs=["num_split: int >= 1", "T: type"], shape=_split_shape,
            reference=_split_ref, kernel_attrs=("num_split",), aliases_input=True)


@RegisterGradient("Split")
def _split_grad(op: Any, *grads: Any) -> Any:
    return [None, concat([dense(g) for g in grads], op.inputs[0])]


def _splitv_shape(op: Any) -> list[TensorShape]:
    d = su.dims_of(op.inputs[0])
    n = op._attrs["num_split"]
    r = None if d is None else len(d)
    ax = _split_dim(op.inputs[2], r)
    sizes = su.const_ints(op.inputs[1])
    if d is None:
        return [unknown_shape()] * n
    if r == 0:
        raise ValueError("Can't split scalars")
    if sizes is None:
        if ax is None:
            return [unknown_shape(r)] * n
        return [TensorShape(d[:ax] + (None,) + d[ax + 1:])] * n
    if ax is None:
        return [unknown_shape(r)] * n
    if len(sizes) != n:
        raise ValueError("Length of size_splits should be equal to num_outputs")
    if sizes.count(-1) > 1:
        raise ValueError("size_splits can only have one -1")
    total = sum(s for s in sizes if s != -1)
    dim = d[ax]
    out = []
    for i, s in enumerate(sizes):
        if s == -1 and dim is not None:
            s = dim - total
        if s < -1 or (s == -1 and dim is not None):
            raise ValueError(f"Split size at index {i} must be >= 0. Got: {s}")
        out.append(TensorShape(d[:ax] + (None if s == -1 else s,) + d[ax + 1:]))
    if dim is not None and (total > dim if -1 in sizes else total != dim):
        raise ValueError(f"can't split axis of size {dim} into pieces of size "
                         f"[{','.join(map(str, sizes))}]")
    return out


def _splitv_ref(value: Any, size_splits: Any, split_dim: Any) -> Any:
    value = np.asarray(value)
    d = _split_axis_ref(split_dim, value.ndim)
    sizes = su.int_list(size_splits)
    n = value.shape[d]
    if sizes.count(-1) > 1:
        raise errors.InvalidArgumentError(None, None, "There can only be one -1 in the input.")
    total = sum(s for s in sizes if s != -1)
    if -1 in sizes:
        if total > n:
            raise errors.InvalidArgumentError(
                None, None, f"Determined shape must either match input shape along split_dim "
                            f"exactly if fully specified, or be less than the size of the input "
                            f"along split_dim if not fully specified.  Got: {total}")
        sizes[sizes.index(-1)] = n - total
    elif total != n:
        raise errors.InvalidArgumentError(
            None, None, f"Determined shape must either match input shape along split_dim "
                        f"exactly if fully specified, or be less than the size of the input "
                        f"along split_dim if not fully specified.  Got: {total}")
    bad = [i for i, s in enumerate(sizes) if s < 0]
    if bad:
        raise errors.InvalidArgumentError(None, None, f"Split size at index {bad[0]} must be "
                                                      f">= 0. Got: {sizes[bad[0]]}")
    return np.split(value, np.cumsum(sizes)[:-1], axis=d)


register_op("SplitV", inputs=["value: T", "size_splits: Tlen", "split_dim: int32"],
            outputs=["output: num_split * T"],
            attrs=["num_split: int >= 1", "T: type", "Tlen: {int8, int32, int64} = int64"],
            shape=_splitv_shape, reference=_splitv_ref, aliases_input=True)


@RegisterGradient("SplitV")
def _splitv_grad(op: Any, *grads: Any) -> Any:
    return [concat([dense(g) for g in grads], op.inputs[2]), None, None]


def split(value: Any, num_or_size_splits: Any, axis: Any = 0, num: int | None = None,
          name: str = "split") -> list[Tensor]:
    """Splits ``value`` into ``num_or_size_splits`` equal pieces (an int: Split) or pieces of
    the given sizes (a list/tensor, one entry may be -1: SplitV)."""
    if isinstance(num_or_size_splits, (numbers.Integral, Dimension)):
        return apply_op("Split", name=name, split_dim=axis, value=value,
                        num_split=int(num_or_size_splits))
    size_splits = convert_to_tensor(autopack(num_or_size_splits))
    if size_splits.get_shape().ndims == 0:
        raise ValueError(f"Rank-0 tensors are not supported as the num_or_size_splits argument "
                         f"to split. Argument provided: {num_or_size_splits}")
    if num is None:
        s = size_splits.get_shape().as_tuple()
        if s:
            num = s[0]
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {num_or_size_splits}")
    return apply_op("SplitV", name=name, value=value, size_splits=size_splits, split_dim=axis,
                    num_split=num)
