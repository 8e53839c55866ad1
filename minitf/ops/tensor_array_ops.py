"""``tf.TensorArray`` (TF 1.x): a fixed- or dynamic-size list of same-dtype tensors written once
per index, for hand-written ``tf.while_loop`` bodies (``ta = ta.write(i, x)``).

Design (pure values, no session state): a TensorArray is carried by two tensors, its ``flow``,
a dense buffer ``[size, *element_shape]`` of the TensorArray's dtype, and a bool mask
``[size]`` of the indices written. Every write/scatter/unstack is an op that returns a new
buffer and mask (the old ones are untouched), so a TensorArray is an ordinary pair of loop
variables and its gradient is an ordinary tensor gradient: through ``tf.while_loop`` it flows
like any other float loop variable. Until the element shape is known (``element_shape`` not
fully defined and nothing written yet) the buffer is ``[size, 0]``; the first write allocates
it. Deviations from TF: elements must all have one shape (no ragged ``concat``/``split``),
``clear_after_read`` is not enforced (a read has no effect on the value) and ``handle`` is the
creation op's buffer, not a resource.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, as_shape, unknown_shape

__all__ = ["TensorArray"]

NEW = "MinitfTensorArrayNew"
SCATTER = "MinitfTensorArrayScatter"
SCATTER_GRAD = "MinitfTensorArrayScatterGrad"
GATHER = "MinitfTensorArrayGather"
GATHER_GRAD = "MinitfTensorArrayGatherGrad"


def _shape_text(shape: tuple[int, ...]) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def _new_ref(size: Any, dtype: Any = None, element_shape: Any = None) -> tuple[Any, Any]:
    n = int(size)
    if n < 0:
        raise errors.InvalidArgumentError(None, None, f"Size should be >= 0, got: {n}")
    es = as_shape(element_shape) if element_shape is not None else unknown_shape()
    dims = es.as_list() if es.is_fully_defined() else [0]
    return (np.zeros([n] + dims, dtype=dtypes.as_dtype(dtype).as_numpy_dtype),
            np.zeros([n], dtype=bool))


def _scatter_ref(buffer: Any, mask: Any, indices: Any, value: Any,
                 dynamic_size: bool = False) -> tuple[Any, Any]:
    idx = np.asarray(indices)
    value = np.asarray(value, dtype=buffer.dtype)
    if idx.ndim == 0:
        idx, value = idx.reshape(1), value[None]
    elif value.ndim == 0 or value.shape[0] != idx.shape[0]:
        got = value.shape[0] if value.ndim else 0
        raise errors.InvalidArgumentError(
            None, None, f"Expected len(indices) == values.shape[0], but saw: {idx.shape[0]} "
            f"vs. {got}")
    n = buffer.shape[0]
    elem = tuple(value.shape[1:])
    for i in idx.tolist():
        if i < 0 or (i >= n and not dynamic_size):
            raise errors.InvalidArgumentError(
                None, None, f"Tried to write to index {i} but array is not resizeable and size "
                f"is: {n}")
    allocated = bool(mask.any()) or buffer.ndim != 2 or buffer.shape[1] != 0 or elem == (0,)
    if not allocated:
        buffer = np.zeros((n,) + elem, dtype=buffer.dtype)
    elif tuple(buffer.shape[1:]) != elem:
        raise errors.InvalidArgumentError(
            None, None, f"Could not write to TensorArray index {int(idx[0])} because the value "
            f"shape is {_shape_text(elem)} which is incompatible with the TensorArray's inferred "
            f"element shape: {_shape_text(tuple(buffer.shape[1:]))} (consider setting "
            "infer_shape=False).")
    top = int(idx.max()) + 1 if idx.size else 0
    if top > n:
        buffer = np.concatenate([buffer, np.zeros((top - n,) + elem, dtype=buffer.dtype)])
        mask = np.concatenate([mask, np.zeros(top - n, dtype=bool)])
    else:
        buffer = buffer.copy()
        mask = mask.copy()
    for k, i in enumerate(idx.tolist()):
        if mask[i]:
            raise errors.InvalidArgumentError(
                None, None, f"Could not write to TensorArray index {i} because it has already "
                "been written to.")
        mask[i] = True
        buffer[i] = value[k]
    return buffer, mask


def _scatter_grad_ref(buffer: Any, indices: Any, grad: Any) -> tuple[Any, Any]:
    idx = np.asarray(indices)
    grad_value = grad[idx]
    n = buffer.shape[0]
    if tuple(grad.shape[1:]) != tuple(buffer.shape[1:]):  # the write allocated the buffer
        return np.zeros_like(buffer), grad_value
    grad_buffer = grad[:n].copy()
    flat = idx.reshape(-1)
    grad_buffer[flat[flat < n]] = 0
    return grad_buffer, grad_value


def _gather_ref(buffer: Any, mask: Any, indices: Any, element_shape: Any = None) -> Any:
    idx = np.asarray(indices)
    n = buffer.shape[0]
    es = as_shape(element_shape) if element_shape is not None else unknown_shape()
    allocated = bool(mask.any()) or es.is_fully_defined()
    for i in idx.reshape(-1).tolist():
        if i < 0 or i >= n:
            raise errors.InvalidArgumentError(
                None, None, f"Tried to read from index {i} but array size is: {n}")
        if not allocated:
            raise errors.InvalidArgumentError(
                None, None, f"Could not read from TensorArray index {i}.  Furthermore, the "
                "element shape is not fully defined: <unknown>.  It is possible you are working "
                "with a resizeable TensorArray and stop_gradients is not allowing the gradients "
                "to be written.  If you set the full element_shape property on the forward "
                "TensorArray, the proper all-zeros tensor will be returned instead of incurring "
                "this error.")
    if idx.size == 0 and not allocated:
        raise errors.UnimplementedError(
            None, None, "TensorArray has size zero, but element shape <unknown> is not fully "
            "defined. Currently only static shapes are supported when packing zero-size "
            "TensorArrays.")
    return buffer[idx]


def _gather_grad_ref(buffer: Any, indices: Any, grad: Any) -> Any:
    out = np.zeros_like(buffer)
    np.add.at(out, np.asarray(indices), grad)
    return out


def _shape_new(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value

    size = op.inputs[0]
    n = None if op._attrs.get("dynamic_size") or size.op.type != "Const" else \
        constant_value(size)
    lead = TensorShape([None if n is None else int(n)])
    es = op._attrs.get("element_shape")
    es = as_shape(es) if es is not None else unknown_shape()
    buf = lead.concatenate(es) if es.is_fully_defined() else unknown_shape()
    return [buf, lead]


def _shape_scatter(op: Any) -> list[TensorShape]:
    buf, mask = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    idx, value = op.inputs[2].get_shape(), op.inputs[3].get_shape()
    if op._attrs.get("dynamic_size"):
        mask = TensorShape([None])
    elem = value if idx.ndims == 0 else (value[1:] if value.ndims is not None else value)
    if elem.is_fully_defined():
        buf = mask.concatenate(elem)
    elif buf.ndims is not None:
        buf = mask.concatenate(buf[1:])
    return [buf, mask]


def _shape_gather(op: Any) -> list[TensorShape]:
    buf, idx = op.inputs[0].get_shape(), op.inputs[2].get_shape()
    if buf.ndims is None or idx.ndims is None or not op._attrs.get("infer_shape", True):
        return [unknown_shape()]
    lead = TensorShape([]) if idx.ndims == 0 else TensorShape([None])
    return [lead.concatenate(buf[1:])]


register_op(NEW, inputs=["size: int32"], outputs=["buffer: dtype", "mask: bool"],
            attrs=["dtype: type", "element_shape: shape = unknown", "dynamic_size: bool = false"],
            shape=_shape_new,
            reference=_new_ref, kernel_attrs=("dtype", "element_shape"),
            doc="A TensorArray's empty buffer and mask.")
register_op(SCATTER, inputs=["buffer: T", "mask: bool", "indices: int32", "value: T"],
            outputs=["out_buffer: T", "out_mask: bool"],
            attrs=["T: type", "dynamic_size: bool = false"], shape=_shape_scatter,
            reference=_scatter_ref, kernel_attrs=("dynamic_size",),
            doc="TensorArray write (scalar index) / scatter (vector of indices).")
register_op(SCATTER_GRAD, inputs=["buffer: T", "indices: int32", "grad: T"],
            outputs=["grad_buffer: T", "grad_value: T"], attrs=["T: type"],
            shape=lambda op: [op.inputs[0].get_shape(), unknown_shape()],
            reference=_scatter_grad_ref, doc="Gradient of a TensorArray scatter.")
register_op(GATHER, inputs=["buffer: T", "mask: bool", "indices: int32"], outputs=["value: T"],
            attrs=["T: type", "element_shape: shape = unknown", "infer_shape: bool = true"],
            shape=_shape_gather,
            reference=_gather_ref, kernel_attrs=("element_shape",),
            doc="TensorArray read (scalar index) / gather (vector of indices).")
register_op(GATHER_GRAD, inputs=["buffer: T", "indices: int32", "grad: T"],
            outputs=["grad_buffer: T"], attrs=["T: type"],
            shape=lambda op: [op.inputs[0].get_shape()],
            reference=_gather_grad_ref, doc="Gradient of a TensorArray gather.")
NotDifferentiable(NEW)
NotDifferentiable(SCATTER_GRAD)
NotDifferentiable(GATHER_GRAD)


@RegisterGradient(SCATTER)
def _scatter_grad(op: Any, grad_buffer: Any, grad_mask: Any) -> list[Any]:
    del grad_mask
    if grad_buffer is None:
        return [None] * 4
    gb, gv = apply_op(SCATTER_GRAD, buffer=op.inputs[0], indices=op.inputs[2],
                      grad=convert_to_tensor(grad_buffer))
    gv.set_shape(op.inputs[3].get_shape())
    return [gb, None, None, gv]


@RegisterGradient(GATHER)
def _gather_grad(op: Any, grad: Any) -> list[Any]:
    gb = apply_op(GATHER_GRAD, buffer=op.inputs[0], indices=op.inputs[2],
                  grad=convert_to_tensor(grad))
    return [gb, None, None]


class _Meta:
    """What the TensorArrays derived from one creation share (TF shares the element shape
    between a TensorArray and the ones its writes return)."""

    def __init__(self, dtype: dtypes.DType, static_size: int | None, dynamic_size: bool,
                 clear_after_read: bool, infer_shape: bool, element_shape: TensorShape,
                 handle: Tensor | None) -> None:
        self.dtype = dtype
        self.static_size = static_size
        self.dynamic_size = dynamic_size
        self.clear_after_read = clear_after_read
        self.infer_shape = infer_shape
        self.element_shape = element_shape
        self.handle = handle


class TensorArray:
    """``tf.TensorArray``: writes return a new TensorArray carrying the update."""

    def __init__(self, dtype: Any, size: Any = None, dynamic_size: bool | None = None,
                 clear_after_read: bool | None = None, tensor_array_name: str | None = None,
                 handle: Any = None, flow: Any = None, infer_shape: bool = True,
                 element_shape: Any = None, colocate_with_first_write_call: bool = True,
                 name: str | None = None, _parts: Any = None) -> None:
        del colocate_with_first_write_call
        if _parts is not None:
            self._meta, self._flow, self._mask = _parts
            return
        if handle is not None and tensor_array_name:
            raise ValueError("Cannot construct with both handle and tensor_array_name")
        if handle is not None:
            raise NotImplementedError("minitf's TensorArray cannot be rebuilt from a handle; "
                                      "pass the TensorArray object itself")
        if flow is not None:
            raise ValueError("flow is only meaningful with a handle")
        if size is None:
            raise ValueError("Argument `size` must be provided if handle is not provided.")
        dt = dtypes.as_dtype(dtype).base_dtype
        es = as_shape(element_shape) if element_shape is not None else unknown_shape()
        with name_scope(name, "TensorArray", [size]) as scope:
            size_t = convert_to_tensor(size, dtype=dtypes.int32, name="size")
            buf, mask = apply_op(NEW, name=tensor_array_name or scope, size=size_t, dtype=dt,
                                 element_shape=es if es.is_fully_defined() else None,
                                 dynamic_size=bool(dynamic_size))
        from minitf.framework.constant_value import constant_value

        n = constant_value(size_t) if size_t.op.type == "Const" else None  # (as TF)
        dyn = bool(dynamic_size)
        self._meta = _Meta(dt, None if n is None or dyn else int(n), dyn,
                           True if clear_after_read is None else bool(clear_after_read),
                           bool(infer_shape), es, buf)
        self._flow, self._mask = buf, mask

    # --- nest protocol (while_loop / cond carry the buffer and the mask) -------------------
    def _minitf_components(self) -> list[Tensor]:
        return [self._flow, self._mask]

    def _minitf_from_components(self, parts: list[Tensor]) -> TensorArray:
        return TensorArray(None, _parts=(self._meta, parts[0], parts[1]))

    def _derive(self, buf: Tensor, mask: Tensor) -> TensorArray:
        return TensorArray(None, _parts=(self._meta, buf, mask))

    # --- properties --------------------------------------------------------------------------
    @property
    def dtype(self) -> dtypes.DType:
        return self._meta.dtype

    @property
    def flow(self) -> Tensor:
        return self._flow

    @property
    def handle(self) -> Tensor:
        return self._meta.handle

    @property
    def element_shape(self) -> TensorShape:
        return self._meta.element_shape

    @property
    def dynamic_size(self) -> bool:
        return self._meta.dynamic_size

    # --- shapes ------------------------------------------------------------------------------
    def _merge_element_shape(self, shape: TensorShape) -> None:
        if not self._meta.infer_shape:
            return
        try:
            self._meta.element_shape = self._meta.element_shape.merge_with(shape)
        except ValueError:
            raise ValueError(f"Inconsistent shapes: saw {shape} but expected "
                             f"{self._meta.element_shape} ") from None

    def _element_static(self) -> TensorShape:
        return self._meta.element_shape if self._meta.infer_shape else unknown_shape()

    # --- writing -----------------------------------------------------------------------------
    def _scatter(self, indices: Tensor, value: Tensor, scope: str) -> TensorArray:
        buf, mask = apply_op(SCATTER, name=scope, buffer=self._flow, mask=self._mask,
                             indices=indices, value=value,
                             dynamic_size=self._meta.dynamic_size)
        return self._derive(buf, mask)

    def _value(self, value: Any) -> Tensor:
        v = value if isinstance(value, Tensor) else \
            convert_to_tensor(value, dtype=self._meta.dtype, name="value")
        if v.dtype.base_dtype != self._meta.dtype:  # (TF logs an error, "undefined behavior")
            raise TypeError(f"TensorArray dtype is {self._meta.dtype.name} but Op is trying to "
                            f"write dtype {v.dtype.base_dtype.name}")
        return v

    def write(self, index: Any, value: Any, name: str | None = None) -> TensorArray:
        """Writes ``value`` at ``index``; returns the TensorArray holding the write."""
        with name_scope(name, "TensorArrayWrite", [self._flow, index, value]) as scope:
            v = self._value(value)
            self._merge_element_shape(v.get_shape())
            idx = convert_to_tensor(index, dtype=dtypes.int32, name="index")
            return self._scatter(idx, v, scope)

    def scatter(self, indices: Any, value: Any, name: str | None = None) -> TensorArray:
        """Writes the rows of ``value`` at ``indices``."""
        with name_scope(name, "TensorArrayScatter", [self._flow, indices, value]) as scope:
            v = self._value(value)
            if v.get_shape().ndims:
                self._merge_element_shape(v.get_shape()[1:])
            idx = convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
            return self._scatter(idx, v, scope)

    def unstack(self, value: Any, name: str | None = None) -> TensorArray:
        """Writes the rows of ``value`` at 0, 1, ..."""
        from minitf.ops import array_ops, math_ops

        with name_scope(name, "TensorArrayUnstack", [self._flow, value]) as scope:
            v = self._value(value)
            n = array_ops.shape(v)[0]
            return self.scatter(math_ops.range_(n), v, name=scope)

    def split(self, value: Any, lengths: Any, name: str | None = None) -> TensorArray:
        """Splits ``value`` along dimension 0 into pieces of ``lengths`` (all equal here:
        minitf's TensorArray holds elements of one shape)."""
        from minitf.framework.graph import get_default_graph
        from minitf.ops import array_ops, math_ops
        from minitf.ops.logging_ops import Assert

        with name_scope(name, "TensorArraySplit", [self._flow, value, lengths]):
            v = self._value(value)
            lens = math_ops.cast(convert_to_tensor(lengths, name="lengths"), dtypes.int32)
            k = array_ops.shape(lens)[0]
            ok = math_ops.logical_and(
                math_ops.reduce_all(math_ops.equal(lens, lens[0])),
                math_ops.equal(math_ops.reduce_sum(lens), array_ops.shape(v)[0]))
            check = Assert(ok, ["minitf's TensorArray.split needs equal lengths summing to "
                                "the value's first dimension; lengths:", lens])
            with get_default_graph().control_dependencies([check]):
                rows = array_ops.reshape(v, array_ops.concat(
                    [[k, -1], array_ops.shape(v)[1:]], 0))
            return self.unstack(rows)

    # --- reading -----------------------------------------------------------------------------
    def _gather(self, indices: Tensor, scope: str) -> Tensor:
        es = self._meta.element_shape
        return apply_op(GATHER, name=scope, buffer=self._flow, mask=self._mask,
                        indices=indices, element_shape=es if es.is_fully_defined() else None,
                        infer_shape=self._meta.infer_shape)

    def read(self, index: Any, name: str | None = None) -> Tensor:
        """The element at ``index``."""
        with name_scope(name, "TensorArrayReadV3", [self._flow, index]) as scope:
            idx = convert_to_tensor(index, dtype=dtypes.int32, name="index")
            out = self._gather(idx, scope)
            out.set_shape(self._element_static())
            return out

    def gather(self, indices: Any, name: str | None = None) -> Tensor:
        """The elements at ``indices``, stacked."""
        with name_scope(name, "TensorArrayGather", [self._flow, indices]) as scope:
            idx = convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
            out = self._gather(idx, scope)
            if idx.get_shape().ndims == 1:
                out.set_shape(TensorShape([None]).concatenate(self._element_static()))
            return out

    def stack(self, name: str | None = None) -> Tensor:
        """All elements, stacked along a new dimension 0."""
        from minitf.ops import math_ops

        with name_scope(name, "TensorArrayStack", [self._flow]):
            out = self.gather(math_ops.range_(self.size()), name="TensorArrayGatherV3")
            out.set_shape(TensorShape([self._meta.static_size]).concatenate(
                self._element_static()))
            return out

    def concat(self, name: str | None = None) -> Tensor:
        """All elements concatenated along dimension 0."""
        from minitf.ops import array_ops

        with name_scope(name, "TensorArrayConcat", [self._flow]):
            s = self.stack()
            out = array_ops.reshape(s, array_ops.concat([[-1], array_ops.shape(s)[2:]], 0))
            es = self._element_static()
            if es.ndims is not None and es.ndims >= 1:
                n = self._meta.static_size
                lead = n * es[0].value if n is not None and es[0].value is not None else None
                out.set_shape(TensorShape([lead]).concatenate(es[1:]))
            return out

    def size(self, name: str | None = None) -> Tensor:
        """The number of elements (a constant when the size is static)."""
        from minitf.ops import array_ops

        if self._meta.static_size is not None:
            return convert_to_tensor(self._meta.static_size, dtype=dtypes.int32,
                                     name=name or "Const")
        with name_scope(name, "TensorArraySizeV3", [self._mask]):
            return array_ops.shape(self._mask, out_type=dtypes.int32)[0]

    def identity(self) -> TensorArray:
        from minitf.ops import array_ops

        return self._derive(array_ops.identity(self._flow), array_ops.identity(self._mask))

    def close(self, name: str | None = None) -> Any:
        """A no-op (the TensorArray holds no session resources)."""
        from minitf.ops.control_flow_ops import no_op

        return no_op(name=name or "TensorArrayCloseV3")

    def __repr__(self) -> str:
        return f"<minitf.TensorArray dtype={self.dtype.name} flow={self._flow.name}>"
