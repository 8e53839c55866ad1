"""Variable ops (TF 1.x reference variables): VariableV2, Assign, AssignAdd, AssignSub,
IsVariableInitialized, the sparse updates ScatterUpdate/ScatterAdd/ScatterSub/ScatterMul/
ScatterDiv, and CountUpTo.

A reference input (``Ref(T)``) is not passed to the kernel as a value: the kernel factory
finds the variable's storage in the session state. Reading a variable (any non-reference use of
its output) raises FailedPreconditionError while it is uninitialized.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import shape_fns

__all__ = ["variable_op_v2", "assign", "assign_add", "assign_sub", "is_variable_initialized",
           "scatter_update", "scatter_add", "scatter_sub", "scatter_mul", "scatter_div",
           "count_up_to"]


def _variable_kernel(op: Any, state: Any) -> Any:
    return state.variable(op).read


register_op("VariableV2", outputs=["ref: Ref(dtype)"],
            attrs=["shape: shape", "dtype: type", "container: string = ''",
                   "shared_name: string = ''"],
            shape=shape_fns.attr_shape("shape"), make_kernel=_variable_kernel, stateful=True,
            doc="A mutable tensor that persists across runs of a session.")
NotDifferentiable("VariableV2")


def variable_op_v2(shape: Any, dtype: Any, name: str = "Variable", container: str = "",
                   shared_name: str = "") -> Tensor:
    return apply_op("VariableV2", name=name, shape=shape, dtype=dtype, container=container,
                    shared_name=shared_name)


def _assign_shape(op: Any) -> list[TensorShape]:
    ref, value = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    if op._attrs.get("validate_shape", True):
        return [ref.merge_with(value)]
    return [value]


def _shape_mismatch(op: Any, kind: str, lhs: Any, rhs: Any) -> errors.OpError:
    return errors.InvalidArgumentError(
        None, op, f"{kind} requires shapes of both tensors to match. lhs shape= "
                  f"[{','.join(map(str, lhs))}] rhs shape= [{','.join(map(str, rhs))}]")


def _assign_kernel(op: Any, state: Any) -> Any:
    slot = state.variable_for_ref(op.inputs[0])
    np_dtype = op.inputs[0].dtype.base_dtype.as_numpy_dtype
    validate = op._attrs.get("validate_shape", True)
    declared = slot.op._attrs.get("shape")
    declared_dims = declared.as_tuple() if declared is not None else None

    def assign_(value: Any) -> np.ndarray:
        old = slot.value
        if old is not None and np.shape(value) == old.shape:
            # in place, as TF's Assign: ops that read the variable after it (control
            # dependencies) see the new value, like those after AssignAdd and the optimizers
            np.copyto(old, value, casting="unsafe")
            return old
        new = np.array(value, dtype=np_dtype, copy=True)
        if validate:
            if old is not None and old.shape != new.shape:
                raise _shape_mismatch(op, "Assign", old.shape, new.shape)
            if old is None and declared_dims is not None and (
                    len(declared_dims) != new.ndim or any(
                        d is not None and d != s for d, s in zip(declared_dims, new.shape))):
                raise _shape_mismatch(op, "Assign", declared_dims, new.shape)
        slot.value = new
        return new

    return assign_


def _update_kernel(kind: str, fn: Any) -> Any:
    def factory(op: Any, state: Any) -> Any:
        slot = state.variable_for_ref(op.inputs[0])

        def update(value: Any) -> np.ndarray:
            v = slot.read()
            value = np.asarray(value)
            if value.shape != v.shape:
                raise _shape_mismatch(op, kind, v.shape, value.shape)
            fn(v, value, out=v)
            return v

        return update

    return factory


for _name, _fn in (("AssignAdd", np.add), ("AssignSub", np.subtract)):
    register_op(_name, inputs=["ref: Ref(T)", "value: T"], outputs=["output_ref: Ref(T)"],
                attrs=["T: numeric", "use_locking: bool = false"], shape=_assign_shape,
                make_kernel=_update_kernel(_name, _fn), stateful=True)
    NotDifferentiable(_name)

register_op("Assign", inputs=["ref: Ref(T)", "value: T"], outputs=["output_ref: Ref(T)"],
            attrs=["T: type", "validate_shape: bool = true", "use_locking: bool = true"],
            shape=_assign_shape, make_kernel=_assign_kernel, stateful=True)


@RegisterGradient("Assign")
def _assign_grad(op: Any, grad: Any) -> Any:
    return [None, None]


def _is_init_kernel(op: Any, state: Any) -> Any:
    slot = state.variable_for_ref(op.inputs[0])

    def is_init() -> np.bool_:
        return np.bool_(slot.value is not None)

    return is_init


register_op("IsVariableInitialized", inputs=["ref: Ref(dtype)"], outputs=["is_initialized: bool"],
            attrs=["dtype: type"], shape=shape_fns.scalar, make_kernel=_is_init_kernel,
            stateful=True)
NotDifferentiable("IsVariableInitialized")


# --- sparse updates ----------------------------------------------------------------------------

def _scatter_shape(op: Any) -> list[TensorShape]:
    ref, indices, updates = (t.get_shape() for t in op.inputs)
    if ref.ndims is not None and ref.ndims == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    if updates.ndims not in (None, 0) and indices.ndims is not None and ref.ndims is not None:
        expected = indices.concatenate(ref[1:])
        if not updates.is_compatible_with(expected):
            raise ValueError(f"Shapes must be equal rank, or updates must be a scalar; updates "
                             f"shape {updates} is not indices.shape + ref.shape[1:] = "
                             f"{expected}")
    return [ref]


def _scatter_kernel(kind: str, apply: Any) -> Any:
    def factory(op: Any, state: Any) -> Any:
        slot = state.variable_for_ref(op.inputs[0])

        def scatter(indices: Any, updates: Any) -> np.ndarray:
            v = slot.read()
            idx = np.asarray(indices)
            upd = np.asarray(updates, dtype=v.dtype)
            n = v.shape[0]
            bad = np.flatnonzero((idx < 0) | (idx >= n))
            if bad.size:
                i = int(bad[0])
                raise errors.InvalidArgumentError(
                    None, op, f"indices[{i}] = {int(idx.reshape(-1)[i])} is not in [0, {n})")
            if upd.ndim and upd.shape != idx.shape + v.shape[1:]:
                raise errors.InvalidArgumentError(
                    None, op, f"Must have updates.shape = indices.shape + params.shape[1:] or "
                              f"updates.shape = [], got updates.shape {list(upd.shape)}, "
                              f"indices.shape {list(idx.shape)}, params.shape "
                              f"{list(v.shape)}")
            if not upd.ndim:
                upd = np.broadcast_to(upd, idx.shape + v.shape[1:])
            apply(v, idx, upd)
            return v

        return scatter

    return factory


def _scatter_set(v: np.ndarray, idx: np.ndarray, upd: np.ndarray) -> None:
    v[idx] = upd


def _scatter_div(v: np.ndarray, idx: np.ndarray, upd: np.ndarray) -> None:
    if v.dtype.kind in "iu":
        if np.any(upd == 0):
            raise errors.InvalidArgumentError(None, None, "Integer division by zero")
        for i, u in zip(idx.reshape(-1), upd.reshape((-1,) + v.shape[1:])):
            q = np.abs(v[i]) // np.abs(u)  # C++ integer division truncates toward zero
            v[i] = np.where((v[i] < 0) != (u < 0), -q, q)
    else:
        np.divide.at(v, idx, upd)


for _name, _apply, _types, _locking in (
        ("ScatterUpdate", _scatter_set, "type", "true"),
        ("ScatterAdd", np.add.at, "numeric", "false"),
        ("ScatterSub", np.subtract.at, "numeric", "false"),
        ("ScatterMul", np.multiply.at, "numeric", "false"),
        ("ScatterDiv", _scatter_div, "numeric", "false")):
    register_op(_name, inputs=["ref: Ref(T)", "indices: Tindices", "updates: T"],
                outputs=["output_ref: Ref(T)"],
                attrs=[f"T: {_types}", "Tindices: {int32, int64}",
                       f"use_locking: bool = {_locking}"],
                shape=_scatter_shape, make_kernel=_scatter_kernel(_name, _apply), stateful=True)
    NotDifferentiable(_name)


def _count_up_to_shape(op: Any) -> list[TensorShape]:
    shape = op.inputs[0].get_shape()
    if shape.ndims not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {shape.ndims}")
    return [TensorShape([])]


def _count_up_to_kernel(op: Any, state: Any) -> Any:
    slot = state.variable_for_ref(op.inputs[0])
    limit = int(op._attrs["limit"])

    def count_up_to() -> np.ndarray:
        with slot.lock:
            v = slot.read()
            before = v.copy()
            if before >= limit:
                raise errors.OutOfRangeError(None, op, f"Reached limit of {limit}")
            v += 1
        return before

    return count_up_to


register_op("CountUpTo", inputs=["ref: Ref(T)"], outputs=["output: T"],
            attrs=["limit: int", "T: {int32, int64}"], shape=_count_up_to_shape,
            make_kernel=_count_up_to_kernel, stateful=True,
            doc="Increments a scalar variable until it reaches `limit`; returns the old value.")
NotDifferentiable("CountUpTo")


# --- Python wrappers -----------------------------------------------------------------------------

def _is_ref(ref: Any) -> bool:
    dtype = getattr(ref, "dtype", None)
    return dtype is not None and getattr(dtype, "_is_ref_dtype", False)


def assign(ref: Any, value: Any, validate_shape: bool | None = None,
           use_locking: bool | None = None, name: str | None = None) -> Tensor:
    """Stores ``value`` in variable ``ref``; returns the reference (``tf.assign``)."""
    if not _is_ref(ref) and hasattr(ref, "assign"):
        return ref.assign(value, name=name)
    kwargs: dict[str, Any] = {}
    if validate_shape is not None:
        kwargs["validate_shape"] = validate_shape
    if use_locking is not None:
        kwargs["use_locking"] = use_locking
    return apply_op("Assign", name=name, ref=ref, value=value, **kwargs)


def assign_add(ref: Any, value: Any, use_locking: bool | None = None,
               name: str | None = None) -> Tensor:
    """Adds ``value`` to variable ``ref``; returns the reference (``tf.assign_add``)."""
    if not _is_ref(ref) and hasattr(ref, "assign_add"):
        return ref.assign_add(value)
    return apply_op("AssignAdd", name=name, ref=ref, value=value,
                    use_locking=bool(use_locking))


def assign_sub(ref: Any, value: Any, use_locking: bool | None = None,
               name: str | None = None) -> Tensor:
    """Subtracts ``value`` from variable ``ref``; returns the reference (``tf.assign_sub``)."""
    if not _is_ref(ref) and hasattr(ref, "assign_sub"):
        return ref.assign_sub(value)
    return apply_op("AssignSub", name=name, ref=ref, value=value,
                    use_locking=bool(use_locking))


def is_variable_initialized(ref: Any, name: str | None = None) -> Tensor:
    """A bool scalar: has variable ``ref`` been initialized (``tf.is_variable_initialized``)."""
    if not _is_ref(ref) and hasattr(ref, "is_initialized"):
        return ref.is_initialized(name=name)
    return apply_op("IsVariableInitialized", name=name, ref=ref, dtype=ref.dtype.base_dtype)


def _scatter(op_type: str, ref: Any, indices: Any, updates: Any, use_locking: bool | None,
             name: str | None) -> Tensor:
    kwargs = {} if use_locking is None else {"use_locking": bool(use_locking)}
    return apply_op(op_type, name=name, ref=ref, indices=indices, updates=updates, **kwargs)


def scatter_update(ref: Any, indices: Any, updates: Any, use_locking: bool = True,
                   name: str | None = None) -> Tensor:
    """``ref[indices] = updates`` (``tf.scatter_update``); returns the reference."""
    return _scatter("ScatterUpdate", ref, indices, updates, use_locking, name)


def scatter_add(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                name: str | None = None) -> Tensor:
    """``ref[indices] += updates``, duplicates accumulating (``tf.scatter_add``)."""
    return _scatter("ScatterAdd", ref, indices, updates, use_locking, name)


def scatter_sub(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                name: str | None = None) -> Tensor:
    """``ref[indices] -= updates``, duplicates accumulating (``tf.scatter_sub``)."""
    return _scatter("ScatterSub", ref, indices, updates, use_locking, name)


def scatter_mul(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                name: str | None = None) -> Tensor:
    """``ref[indices] *= updates`` (``tf.scatter_mul``)."""
    return _scatter("ScatterMul", ref, indices, updates, use_locking, name)


def scatter_div(ref: Any, indices: Any, updates: Any, use_locking: bool = False,
                name: str | None = None) -> Tensor:
    """``ref[indices] /= updates`` (``tf.scatter_div``)."""
    return _scatter("ScatterDiv", ref, indices, updates, use_locking, name)


def count_up_to(ref: Any, limit: int, name: str | None = None) -> Tensor:
    """Increments scalar variable ``ref``; OutOfRangeError once it reached ``limit``
    (``tf.count_up_to``). Returns the value before the increment."""
    return apply_op("CountUpTo", name=name, ref=ref, limit=limit)
