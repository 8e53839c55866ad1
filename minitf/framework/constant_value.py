"""Static evaluation of tensors whose value is known when the graph is built
(TF's ``tensor_util.constant_value``), used by shape functions such as Reshape's.

Ops with a rule registered here are evaluated by that rule. Any other op that is stateless and
has a numpy reference is evaluated by running its reference on the constant values of its
inputs, when those are known and small (TF's C++ shape inference does the same with its
kernels, so e.g. ``tf.reshape(x, tf.shape(y) * 2)`` gets a static shape).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape

__all__ = ["constant_value", "constant_value_as_shape", "register_constant_value"]

_RULES: dict[str, Callable[[Any], np.ndarray | None]] = {}
# Op types never evaluated statically even though they have a reference.
_NEVER_FOLD = {"PlaceholderWithDefault", "Placeholder"}
# Limits of the generic evaluation: elements per input/output, and recursion depth.
_MAX_ELEMENTS = 1000
_MAX_DEPTH = 64
_cache: weakref.WeakKeyDictionary[Any, tuple[int, Any]] = weakref.WeakKeyDictionary()
_depth = [0]


def register_constant_value(op_type: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Registers how to compute an op's output statically (``fn(op) -> ndarray | None``)."""

    def deco(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _RULES[op_type] = fn
        return fn

    return deco


def constant_value(tensor: Any) -> np.ndarray | None:
    """The value of ``tensor`` if it can be computed without running the graph, else None."""
    if not isinstance(tensor, Tensor):
        return np.asarray(tensor) if tensor is not None else None
    op = tensor.op
    if op.type == "Const":
        return op._attrs["value"]
    version = op._graph._mutation_version
    hit = _cache.get(op)
    if hit is not None and hit[0] == version:
        out = hit[1]
    else:
        if _depth[0] >= _MAX_DEPTH:
            return None
        _depth[0] += 1
        try:
            out = _evaluate(op)
        finally:
            _depth[0] -= 1
        _cache[op] = (version, out)
    if out is None:
        return None
    if isinstance(out, (list, tuple)):
        out = out[tensor.value_index]
        if out is None:
            return None
    return np.asarray(out)


def _evaluate(op: Any) -> Any:
    fn = _RULES.get(op.type)
    try:
        if fn is not None:
            return fn(op)
        return _evaluate_with_reference(op)
    except (ValueError, TypeError, IndexError, ArithmeticError):
        return None
    except Exception as e:  # noqa: BLE001 - a reference's runtime error means "not constant"
        from minitf.framework import errors

        if isinstance(e, errors.OpError):
            return None
        raise


def _evaluate_with_reference(op: Any) -> Any:
    op_def = op.op_def
    if (op_def.reference is None or op_def.make_kernel is not None or op_def.stateful
            or op.type in _NEVER_FOLD or not op._outputs or op_def.ref_input_indices):
        return None
    for t in op._outputs:
        n = t.get_shape().num_elements()
        if n is None or n > _MAX_ELEMENTS:
            return None
    for t in op._inputs:
        n = t.get_shape().num_elements()
        if n is None or n > _MAX_ELEMENTS:
            return None
    values = []
    for t in op._inputs:
        v = constant_value(t)
        if v is None:
            return None
        values.append(v)
    kwargs = {a: op._attrs[a] for a in op_def.kernel_attrs}
    with np.errstate(all="ignore"):
        out = op_def.reference(*values, **kwargs)
    if isinstance(out, (list, tuple)):
        return [np.array(o) for o in out]
    return np.array(out)


def constant_value_as_shape(tensor: Tensor) -> TensorShape:
    """A TensorShape from a 1-D int tensor describing a shape; unknown entries stay unknown."""
    shape = tensor.get_shape().with_rank(1)
    if shape.as_tuple() == (0,):
        return TensorShape([])
    op = tensor.op
    if op.type == "Shape":
        return op.inputs[0].get_shape()
    if op.type == "ShapeN":
        return op.inputs[tensor.value_index].get_shape()
    if op.type == "Pack" and int(op._attrs.get("axis", 0)) == 0:
        dims: list[int | None] = []
        for inp in op.inputs:
            v = constant_value(inp)
            dims.append(None if v is None or int(v) < 0 else int(v))
        return TensorShape(dims)
    if op.type == "ConcatV2":
        out = TensorShape([])
        for inp in op.inputs[:-1]:
            out = out.concatenate(constant_value_as_shape(inp))
        return out
    if op.type == "Cast":
        pre = constant_value_as_shape(op.inputs[0])
        if pre.ndims is None:
            return pre
        if op.get_attr("DstT").name not in ("int32", "int64"):
            return unknown_shape(shape.as_tuple()[0])
        return pre
    if op.type == "StridedSlice":
        sliced = _strided_slice_of_shape(op)
        if sliced is not None:
            return sliced
    n = shape.as_tuple()[0] if shape.as_tuple() else None
    value = constant_value(tensor)
    if value is not None:
        return TensorShape([None if int(d) < 0 else int(d) for d in value.reshape(-1)])
    return unknown_shape(n)


def _strided_slice_of_shape(op: Any) -> TensorShape | None:
    """``shape_tensor[begin:end:stride]`` (a 1-D slice without masks other than begin/end)."""
    begin, end, strides = (constant_value(t) for t in op.inputs[1:])
    if begin is None or end is None or strides is None:
        return None
    if begin.size != 1 or end.size != 1 or strides.size != 1:
        return None
    if op.get_attr("ellipsis_mask") or op.get_attr("new_axis_mask") or \
            op.get_attr("shrink_axis_mask"):
        return None
    begin_mask, end_mask = op.get_attr("begin_mask"), op.get_attr("end_mask")
    if begin_mask not in (0, 1) or end_mask not in (0, 1):
        return None
    b = None if begin_mask else int(begin.reshape(-1)[0])
    e = None if end_mask else int(end.reshape(-1)[0])
    s = int(strides.reshape(-1)[0])
    prev = constant_value_as_shape(op.inputs[0])
    if prev.ndims is None:
        return None
    return TensorShape(list(prev.as_tuple())[b:e:s])  # type: ignore[index]


@register_constant_value("Identity")
def _identity(op: Any) -> Any:
    return constant_value(op.inputs[0])


@register_constant_value("StopGradient")
def _stop_gradient(op: Any) -> Any:
    return constant_value(op.inputs[0])


@register_constant_value("Shape")
def _shape(op: Any) -> Any:
    s = op.inputs[0].get_shape()
    if not s.is_fully_defined():
        return None
    return np.array(s.as_list(), dtype=op.get_attr("out_type").as_numpy_dtype)


@register_constant_value("ShapeN")
def _shape_n(op: Any) -> Any:
    out = []
    for t in op.inputs:
        s = t.get_shape()
        if not s.is_fully_defined():
            out.append(None)
        else:
            out.append(np.array(s.as_list(), dtype=op.get_attr("out_type").as_numpy_dtype))
    return out  # entries are None where that input's shape is not fully known


@register_constant_value("Size")
def _size(op: Any) -> Any:
    n = op.inputs[0].get_shape().num_elements()
    return None if n is None else np.array(n, dtype=op.get_attr("out_type").as_numpy_dtype)


@register_constant_value("Rank")
def _rank(op: Any) -> Any:
    r = op.inputs[0].get_shape().ndims
    return None if r is None else np.array(r, dtype=np.int32)


@register_constant_value("Cast")
def _cast(op: Any) -> Any:
    v = constant_value(op.inputs[0])
    return None if v is None else v.astype(op.get_attr("DstT").as_numpy_dtype)


@register_constant_value("Pack")
def _pack(op: Any) -> Any:
    vals = [constant_value(t) for t in op.inputs]
    if any(v is None for v in vals):
        return None
    return np.stack(vals, axis=int(op.get_attr("axis")))


@register_constant_value("ConcatV2")
def _concat(op: Any) -> Any:
    vals = [constant_value(t) for t in op.inputs]
    if any(v is None for v in vals):
        return None
    return np.concatenate(vals[:-1], axis=int(vals[-1]))


@register_constant_value("StridedSlice")
def _strided_slice(op: Any) -> Any:
    """Also the known entries of a partially known shape: ``tf.shape(x)[1]`` with x [?, 3]."""
    out = _evaluate_with_reference(op)
    if out is not None:
        return out
    src = op.inputs[0]
    if src.op.type not in ("Shape", "ShapeN"):
        return None
    partial = constant_value_as_shape(src).as_tuple()
    spec = [constant_value(t) for t in op.inputs[1:]]
    if partial is None or any(v is None for v in spec):
        return None
    from minitf.ops.array_slicing import _strided_slice_ref

    dims = np.array([-1 if d is None else d for d in partial],
                    dtype=src.dtype.base_dtype.as_numpy_dtype)
    masks = {m: op._attrs[m] for m in op.op_def.kernel_attrs}
    res = np.asarray(_strided_slice_ref(dims, *spec, **masks))
    return None if np.any(res < 0) else np.array(res)
