"""Array ops that repeat, pad or reverse: Tile, Pad/PadV2/MirrorPad (and MirrorPadGrad),
ReverseV2, ReverseSequence.

Part of the array family; :mod:`minitf.ops.array_ops` re-exports the public names.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape
from minitf.ops import array_shape_util as su
from minitf.ops.array_basic import apply_op_packed, dense, rank, reshape, shape, size
from minitf.ops.array_manip import stack, transpose

__all__ = ["tile", "pad", "reverse", "reverse_v2", "reverse_sequence"]


# --- tile -------------------------------------------------------------------------------------

def _tile_shape(op: Any) -> list[TensorShape]:
    in_dims = su.dims_of(op.inputs[0])
    mult = su.shape_from_tensor(op.inputs[1])
    if in_dims is not None:
        mult = su.with_rank(mult, len(in_dims))
        su.merge(su.dims_of(op.inputs[1]), (len(in_dims),))
    if mult is None:
        return [unknown_shape()]
    in_dims = su.with_rank(in_dims, len(mult))
    return [TensorShape([su.multiply_dim(a, b) for a, b in zip(in_dims, mult)])]


def _tile_ref(x: Any, multiples: Any) -> Any:
    x = np.asarray(x)
    m = su.int_list(multiples)
    if np.ndim(multiples) != 1 or len(m) != x.ndim:
        raise errors.InvalidArgumentError(
            None, None, f"Expected multiples argument to be a vector of length {x.ndim} but got "
                        f"length {len(m)}")
    if any(v < 0 for v in m):
        raise errors.InvalidArgumentError(None, None, f"Expected multiples[{m.index(min(m))}] "
                                                      f">= 0, but got {min(m)}")
    return np.tile(x, m) if x.ndim else x.copy()


register_op("Tile", inputs=["input: T", "multiples: Tmultiples"], outputs=["output: T"],
            attrs=["T: type", "Tmultiples: {int32, int64} = int32"], shape=_tile_shape,
            reference=_tile_ref)


@RegisterGradient("Tile")
def _tile_grad(op: Any, grad: Any) -> Any:
    """Sums the gradient over the tiled copies: reshape to interleaved (multiple, dim) pairs
    and reduce the multiples' axes."""
    from minitf.ops import math_ops

    input_shape = shape(op.inputs[0], out_type=op.inputs[1].dtype)
    split_shape = reshape(transpose(stack([op.inputs[1], input_shape])), [-1])
    axes = math_ops.range_(0, size(split_shape), 2)
    input_grad = math_ops.reduce_sum(reshape(dense(grad), split_shape), axes)
    input_grad.set_shape(op.inputs[0].get_shape())
    return [input_grad, None]


def tile(input: Any, multiples: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Repeats ``input`` ``multiples[i]`` times along each dimension i."""
    return apply_op_packed("Tile", name=name, input=input, multiples=multiples)


# --- pad --------------------------------------------------------------------------------------

def _pad_shape_common(op: Any, mirror: str | None = None) -> list[TensorShape]:
    pd = su.with_rank(su.dims_of(op.inputs[1]), 2)
    if pd[1] is not None and pd[1] != 2:
        raise ValueError(f"Dimension must be 2 but is {pd[1]}")
    in_dims = su.dims_of(op.inputs[0])
    n = pd[0]
    if n is not None:
        in_dims = su.with_rank(in_dims, n)
    elif in_dims is not None:
        n = len(in_dims)
    if len(op.inputs) == 3:
        su.with_rank(su.dims_of(op.inputs[2]), 0)
    p = su.const_value(op.inputs[1])
    if p is None:
        return [unknown_shape(n)]
    p = np.asarray(p).reshape(-1, 2)
    in_dims = su.with_rank(in_dims, p.shape[0])
    out = []
    for i in range(p.shape[0]):
        a, b = int(p[i, 0]), int(p[i, 1])
        if a < 0 or b < 0:
            raise ValueError("Paddings must be non-negative")
        out.append(su.add_dim(in_dims[i], a + b))
    return [TensorShape(out)]


def _check_paddings(x: Any, paddings: Any) -> np.ndarray:
    p = np.asarray(paddings)
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] != np.ndim(x):
        raise errors.InvalidArgumentError(
            None, None, f"The first dimension of paddings must be the rank of inputs"
                        f"{su.shape_str(p.shape)}, {su.shape_str(np.shape(x))}")
    if np.any(p < 0):
        raise errors.InvalidArgumentError(None, None, "Paddings must be non-negative: "
                                                      f"{p.min()}")
    return p.astype(np.int64)


def _pad_ref(x: Any, paddings: Any) -> Any:
    x = np.asarray(x)
    return np.pad(x, _check_paddings(x, paddings), mode="constant")


def _pad_v2_ref(x: Any, paddings: Any, constant_values: Any) -> Any:
    x = np.asarray(x)
    if np.ndim(constant_values) != 0:
        got = su.shape_str(np.shape(constant_values))
        raise errors.InvalidArgumentError(None, None, f"constant_values must be a scalar. Got "
                                                      f"shape {got}")
    return np.pad(x, _check_paddings(x, paddings), mode="constant",
                  constant_values=constant_values)


def _mirror_check(x: np.ndarray, p: np.ndarray, mode: str) -> None:
    off = 0 if mode == "SYMMETRIC" else 1
    for i in range(x.ndim):
        for v in p[i]:
            if v > x.shape[i] - off:
                rel = "less than or equal to" if off == 0 else "less than"
                raise errors.InvalidArgumentError(
                    None, None, f"paddings must be {rel} the dimension size: {p[i, 0]}, "
                                f"{p[i, 1]} greater than {x.shape[i] - off}")


def _mirror_pad_ref(x: Any, paddings: Any, mode: str) -> Any:
    x = np.asarray(x)
    p = _check_paddings(x, paddings)
    _mirror_check(x, p, mode)
    return np.pad(x, p, mode="reflect" if mode == "REFLECT" else "symmetric")


def _mirror_pad_grad_ref(g: Any, paddings: Any, mode: str) -> Any:
    g = np.asarray(g)
    p = np.asarray(paddings).astype(np.int64)
    out = g
    for axis in range(g.ndim):
        a, b = int(p[axis, 0]), int(p[axis, 1])
        n = out.shape[axis] - a - b
        idx = np.pad(np.arange(n), (a, b), mode="reflect" if mode == "REFLECT" else "symmetric")
        moved = np.moveaxis(out, axis, 0)
        acc = np.zeros((n,) + moved.shape[1:], dtype=g.dtype)
        np.add.at(acc, idx, moved)
        out = np.moveaxis(acc, 0, axis)
    return np.ascontiguousarray(out)


def _mirror_pad_grad_shape(op: Any) -> list[TensorShape]:
    in_dims = su.dims_of(op.inputs[0])
    p = su.const_value(op.inputs[1])
    if p is None or in_dims is None:
        return [unknown_shape(None if in_dims is None else len(in_dims))]
    p = np.asarray(p).reshape(-1, 2)
    return [TensorShape([None if d is None else d - int(p[i].sum())
                         for i, d in enumerate(su.with_rank(in_dims, p.shape[0]))])]


_PAD_ATTRS = ["T: type", "Tpaddings: {int32, int64} = int32"]
register_op("Pad", inputs=["input: T", "paddings: Tpaddings"], outputs=["output: T"],
            attrs=_PAD_ATTRS, shape=_pad_shape_common, reference=_pad_ref)
register_op("PadV2", inputs=["input: T", "paddings: Tpaddings", "constant_values: T"],
            outputs=["output: T"], attrs=_PAD_ATTRS, shape=_pad_shape_common,
            reference=_pad_v2_ref)
register_op("MirrorPad", inputs=["input: T", "paddings: Tpaddings"], outputs=["output: T"],
            attrs=_PAD_ATTRS + ["mode: string"], shape=_pad_shape_common,
            reference=_mirror_pad_ref, kernel_attrs=("mode",))
register_op("MirrorPadGrad", inputs=["input: T", "paddings: Tpaddings"], outputs=["output: T"],
            attrs=_PAD_ATTRS + ["mode: string"], shape=_mirror_pad_grad_shape,
            reference=_mirror_pad_grad_ref, kernel_attrs=("mode",))


@RegisterGradient("Pad")
def _pad_grad(op: Any, grad: Any) -> Any:
    """Slices the original region out of the gradient."""
    from minitf.ops.array_slicing import slice as slice_

    x, a = op.inputs[0], op.inputs[1]
    pad_before = slice_(a, [0, 0], stack([rank(x), 1]))
    begin = reshape(pad_before, [-1])
    sizes = shape(x, out_type=begin.dtype)
    x_grad = slice_(dense(grad), begin, sizes)
    return [x_grad, None] + ([None] if len(op.inputs) == 3 else [])


RegisterGradient("PadV2")(_pad_grad)


@RegisterGradient("MirrorPad")
def _mirror_pad_grad(op: Any, grad: Any) -> Any:
    mode = op.get_attr("mode").decode()
    return [apply_op("MirrorPadGrad", input=dense(grad), paddings=op.inputs[1], mode=mode),
            None]


@RegisterGradient("MirrorPadGrad")
def _mirror_pad_grad_grad(op: Any, grad: Any) -> Any:
    mode = op.get_attr("mode").decode()
    return [apply_op("MirrorPad", input=dense(grad), paddings=op.inputs[1], mode=mode), None]


def pad(tensor: Any, paddings: Any, mode: str = "CONSTANT", name: str | None = None,
        constant_values: Any = 0) -> Tensor:
    """Pads ``tensor``: CONSTANT (Pad, or PadV2 for a non-zero value), REFLECT or SYMMETRIC
    (MirrorPad)."""
    mode = mode.upper()
    if mode == "CONSTANT":
        if not isinstance(constant_values, Tensor) and np.ndim(constant_values) == 0 and \
                constant_values == np.zeros_like(constant_values):
            result = apply_op_packed("Pad", name=name, input=tensor, paddings=paddings)
        else:
            result = apply_op_packed("PadV2", name=name, input=tensor, paddings=paddings,
                                     constant_values=constant_values)
    elif mode in ("REFLECT", "SYMMETRIC"):
        result = apply_op_packed("MirrorPad", name=name, input=tensor, paddings=paddings,
                                 mode=mode)
    else:
        raise ValueError(f'Value of argument `mode` expected to be one of "CONSTANT", '
                         f'"REFLECT", or "SYMMETRIC". Received `mode` = {mode}')
    _refine_pad_shape(result, paddings)
    return result


def _refine_pad_shape(result: Tensor, paddings: Any) -> None:
    """TF's Python-side refinement: per-dimension sizes from a partially constant paddings."""
    if isinstance(paddings, Tensor) or not isinstance(paddings, (list, tuple)):
        return
    in_shape = result.op.inputs[0].get_shape()
    if in_shape.ndims is None or result.get_shape().is_fully_defined():
        return
    new = []
    for p, d in zip(paddings, in_shape.as_tuple()):  # type: ignore[arg-type]
        if d is None or not isinstance(p, (list, tuple)) or \
                any(not isinstance(v, numbers.Integral) for v in p):
            new.append(None)
        else:
            new.append(d + sum(int(v) for v in p))
    if len(new) == in_shape.ndims:
        result.set_shape(new)


# --- reverse ----------------------------------------------------------------------------------

def _reverse_shape(op: Any) -> list[TensorShape]:
    d = su.dims_of(op.inputs[0])
    su.with_rank(su.dims_of(op.inputs[1]), 1)
    if d is not None and len(d) > 8:
        raise ValueError("reverse does not work on tensors with more than 8 dimensions")
    axes = su.const_ints(op.inputs[1])
    if axes is not None and d is not None:
        r = len(d)
        seen = set()
        for i, a in enumerate(axes):
            c = a + r if a < 0 else a
            if c < 0 or c >= r:
                raise ValueError(f"'axis'[{i}] = {a} is out of valid range [0, {r - 1}")
            if c in seen:
                raise ValueError(f"axis {c} specified more than once.")
            seen.add(c)
    return [su.shape(d)]


def _reverse_ref(x: Any, axis: Any) -> Any:
    x = np.asarray(x)
    r = x.ndim
    seen = set()
    for i, a in enumerate(su.int_list(axis)):
        c = a + r if a < 0 else a
        if c < 0 or c >= r:
            raise errors.InvalidArgumentError(None, None, f"'axis'[{i}] = {a} is out of valid "
                                                          f"range [0, {r - 1}")
        if c in seen:
            raise errors.InvalidArgumentError(None, None, f"axis {c} specified more than once.")
        seen.add(c)
    return np.flip(x, tuple(sorted(seen))) if seen else x


register_op("ReverseV2", inputs=["tensor: T", "axis: Tidx"], outputs=["output: T"],
            attrs=["Tidx: {int32, int64} = int32", "T: type"], shape=_reverse_shape,
            reference=_reverse_ref, aliases_input=True)


@RegisterGradient("ReverseV2")
def _reverse_grad(op: Any, grad: Any) -> Any:
    return [reverse(dense(grad), op.inputs[1]), None]


def reverse(tensor: Any, axis: Any, name: str | None = None) -> Tensor:
    """Reverses ``tensor`` along the dimensions in ``axis`` (ReverseV2)."""
    return apply_op_packed("ReverseV2", name=name, tensor=tensor, axis=axis)


reverse_v2 = reverse


def _reverse_sequence_shape(op: Any) -> list[TensorShape]:
    d = su.dims_of(op.inputs[0])
    lens = su.with_rank(su.dims_of(op.inputs[1]), 1)
    seq_dim, batch_dim = op._attrs["seq_dim"], op._attrs["batch_dim"]
    if d is None:
        return [unknown_shape()]
    r = len(d)
    if batch_dim >= r:
        raise ValueError(f"batch_dim must be < input rank: {batch_dim} vs. {r}")
    if seq_dim >= r:
        raise ValueError(f"seq_dim must be < input rank: {seq_dim} vs. {r}")
    b = su.merge_dim(d[batch_dim], lens[0])
    return [TensorShape(d[:batch_dim] + (b,) + d[batch_dim + 1:])]


def _reverse_sequence_ref(x: Any, seq_lengths: Any, seq_dim: int, batch_dim: int) -> Any:
    x = np.asarray(x)
    lens = su.int_list(seq_lengths)
    if seq_dim == batch_dim:
        raise errors.InvalidArgumentError(None, None, f"seq_dim ({seq_dim}) == batch_dim "
                                                      f"({batch_dim})")
    if len(lens) != x.shape[batch_dim]:
        raise errors.InvalidArgumentError(
            None, None, f"Length of seq_lengths != input.dims({batch_dim}), ({len(lens)} vs. "
                        f"{x.shape[batch_dim]})")
    out = x.copy()
    for b, n in enumerate(lens):
        if n < 0:
            raise errors.InvalidArgumentError(None, None, f"seq_lens({b}) < 0")
        if n > x.shape[seq_dim]:
            raise errors.InvalidArgumentError(None, None, f"seq_lens({b}) > input.dims("
                                                          f"{seq_dim})")
        idx: list[Any] = [slice(None)] * x.ndim
        idx[batch_dim] = b
        idx[seq_dim] = slice(0, n)
        out[tuple(idx)] = np.flip(x[tuple(idx)], axis=_axis_after(seq_dim, batch_dim))
    return out


def _axis_after(seq_dim: int, batch_dim: int) -> int:
    """Position of ``seq_dim`` once ``batch_dim`` was indexed away."""
    return seq_dim - 1 if seq_dim > batch_dim else seq_dim


register_op("ReverseSequence", inputs=["input: T", "seq_lengths: Tlen"], outputs=["output: T"],
            attrs=["seq_dim: int", "batch_dim: int = 0", "T: type",
                   "Tlen: {int32, int64} = int64"],
            shape=_reverse_sequence_shape, reference=_reverse_sequence_ref,
            kernel_attrs=("seq_dim", "batch_dim"))


@RegisterGradient("ReverseSequence")
def _reverse_sequence_grad(op: Any, grad: Any) -> Any:
    return [apply_op("ReverseSequence", input=dense(grad), seq_lengths=op.inputs[1],
                     seq_dim=op.get_attr("seq_dim"), batch_dim=op.get_attr("batch_dim")), None]


def reverse_sequence(input: Any, seq_lengths: Any, seq_axis: int | None = None,  # noqa: A002
                     batch_axis: int | None = None, name: str | None = None,
                     seq_dim: int | None = None, batch_dim: int | None = None) -> Tensor:
    """Reverses the first ``seq_lengths[i]`` entries of each batch row along ``seq_axis``."""
    if seq_axis is not None and seq_dim is not None:
        raise ValueError("Cannot specify both 'seq_axis' and 'seq_dim'")
    if batch_axis is not None and batch_dim is not None:
        raise ValueError("Cannot specify both 'batch_axis' and 'batch_dim'")
    seq_axis = seq_dim if seq_axis is None else seq_axis
    batch_axis = batch_dim if batch_axis is None else batch_axis
    return apply_op("ReverseSequence", name=name, input=input, seq_lengths=seq_lengths,
                    seq_dim=seq_axis, batch_dim=0 if batch_axis is None else batch_axis)

