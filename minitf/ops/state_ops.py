"""Variable ops (TF 1.x reference variables): VariableV2, Assign, AssignAdd, AssignSub,
IsVariableInitialized.

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

__all__ = ["variable_op_v2", "assign", "assign_add", "assign_sub", "is_variable_initialized"]


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
        new = np.array(value, dtype=np_dtype, copy=True)
        old = slot.value
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


def assign(ref: Any, value: Any, validate_shape: bool | None = None,
           use_locking: bool | None = None, name: str | None = None) -> Tensor:
    """Stores ``value`` in variable ``ref``; returns the reference (``tf.assign``)."""
    if hasattr(ref, "assign") and not isinstance(ref, Tensor):
        return ref.assign(value, use_locking=use_locking, name=name)
    kwargs: dict[str, Any] = {}
    if validate_shape is not None:
        kwargs["validate_shape"] = validate_shape
    if use_locking is not None:
        kwargs["use_locking"] = use_locking
    return apply_op("Assign", name=name, ref=ref, value=value, **kwargs)


def assign_add(ref: Any, value: Any, use_locking: bool | None = None,
               name: str | None = None) -> Tensor:
    if hasattr(ref, "assign_add") and not isinstance(ref, Tensor):
        return ref.assign_add(value, use_locking=use_locking, name=name)
    return apply_op("AssignAdd", name=name, ref=ref, value=value,
                    use_locking=bool(use_locking))


def assign_sub(ref: Any, value: Any, use_locking: bool | None = None,
               name: str | None = None) -> Tensor:
    if hasattr(ref, "assign_sub") and not isinstance(ref, Tensor):
        return ref.assign_sub(value, use_locking=use_locking, name=name)
    return apply_op("AssignSub", name=name, ref=ref, value=value,
                    use_locking=bool(use_locking))


def is_variable_initialized(ref: Any, name: str | None = None) -> Tensor:
    if hasattr(ref, "is_initialized") and not isinstance(ref, Tensor):
        return ref.is_initialized(name=name)
    return apply_op("IsVariableInitialized", name=name, ref=ref, dtype=ref.dtype.base_dtype)
