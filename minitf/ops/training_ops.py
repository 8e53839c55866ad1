"""TF 1.x training update ops on reference variables: ApplyGradientDescent, ApplyMomentum,
ApplyAdagrad, ApplyRMSProp, ApplyCenteredRMSProp, ApplyAdadelta, ApplyAdam, and the Sparse*
variants that update only the rows named by ``indices`` (for IndexedSlices gradients).

Each op updates its ``Ref(T)`` inputs in place and returns the variable (``out: Ref(T)``). The
numpy kernels here are the references: they follow TF's Eigen expressions term by term in the
variable's dtype, so trajectories match TF to float rounding. Fused numba kernels live in
:mod:`minitf.kernels.cpu.training_kernels`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape

__all__ = ["apply_gradient_descent", "apply_momentum", "apply_adagrad", "apply_rms_prop",
           "apply_centered_rms_prop", "apply_adadelta", "apply_adam", "sparse_apply_momentum",
           "sparse_apply_adagrad", "sparse_apply_rms_prop", "sparse_apply_centered_rms_prop",
           "sparse_apply_adadelta", "TRAINING_OP_SIGNATURES"]

_FLOAT_KINDS = "fc"


# --- signatures --------------------------------------------------------------------------------
# name -> (inputs, extra attrs). Ref inputs first-class; "grad" (and "indices" for sparse ops)
# name the gradient inputs; every other non-ref input is a scalar hyper-parameter.

TRAINING_OP_SIGNATURES: dict[str, tuple[list[str], list[str]]] = {
    "ApplyGradientDescent": (["var: Ref(T)", "alpha: T", "delta: T"], []),
    "ApplyMomentum": (["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T", "momentum: T"],
                      ["use_nesterov: bool = false"]),
    "ApplyAdagrad": (["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T"],
                     ["update_slots: bool = true"]),
    "ApplyRMSProp": (["var: Ref(T)", "ms: Ref(T)", "mom: Ref(T)", "lr: T", "rho: T",
                      "momentum: T", "epsilon: T", "grad: T"], []),
    "ApplyCenteredRMSProp": (["var: Ref(T)", "mg: Ref(T)", "ms: Ref(T)", "mom: Ref(T)", "lr: T",
                              "rho: T", "momentum: T", "epsilon: T", "grad: T"], []),
    "ApplyAdadelta": (["var: Ref(T)", "accum: Ref(T)", "accum_update: Ref(T)", "lr: T",
                       "rho: T", "epsilon: T", "grad: T"], []),
    "ApplyAdam": (["var: Ref(T)", "m: Ref(T)", "v: Ref(T)", "beta1_power: T", "beta2_power: T",
                   "lr: T", "beta1: T", "beta2: T", "epsilon: T", "grad: T"],
                  ["use_nesterov: bool = false"]),
    "SparseApplyMomentum": (["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T",
                             "indices: Tindices", "momentum: T"],
                            ["use_nesterov: bool = false"]),
    "SparseApplyAdagrad": (["var: Ref(T)", "accum: Ref(T)", "lr: T", "grad: T",
                            "indices: Tindices"], ["update_slots: bool = true"]),
    "SparseApplyRMSProp": (["var: Ref(T)", "ms: Ref(T)", "mom: Ref(T)", "lr: T", "rho: T",
                            "momentum: T", "epsilon: T", "grad: T", "indices: Tindices"], []),
    "SparseApplyCenteredRMSProp": (["var: Ref(T)", "mg: Ref(T)", "ms: Ref(T)", "mom: Ref(T)",
                                    "lr: T", "rho: T", "momentum: T", "epsilon: T", "grad: T",
                                    "indices: Tindices"], []),
    "SparseApplyAdadelta": (["var: Ref(T)", "accum: Ref(T)", "accum_update: Ref(T)", "lr: T",
                             "rho: T", "epsilon: T", "grad: T", "indices: Tindices"], []),
}


def arg_names(op_type: str) -> list[str]:
    return [s.split(":")[0].strip() for s in TRAINING_OP_SIGNATURES[op_type][0]]


def ref_names(op_type: str) -> list[str]:
    return [s.split(":")[0].strip() for s in TRAINING_OP_SIGNATURES[op_type][0] if "Ref(" in s]


def value_names(op_type: str) -> list[str]:
    """Names of the inputs a kernel receives, in order (reference inputs are not passed)."""
    return [s.split(":")[0].strip() for s in TRAINING_OP_SIGNATURES[op_type][0]
            if "Ref(" not in s]


# --- static shapes -----------------------------------------------------------------------------

def _dims(shape: TensorShape) -> str:
    d = shape.as_tuple()
    return "?" if d is None else "[" + ",".join("?" if x is None else str(x) for x in d) + "]"


def _merge(a: TensorShape, b: TensorShape) -> TensorShape:
    try:
        return a.merge_with(b)
    except ValueError:
        pass
    da, db = a.as_tuple(), b.as_tuple()
    if da is not None and db is not None and len(da) == len(db):
        for i, (x, y) in enumerate(zip(da, db)):
            if x is not None and y is not None and x != y:
                raise ValueError(f"Dimension {i} in both shapes must be equal, but are {x} and "
                                 f"{y}. Shapes are {_dims(a)} and {_dims(b)}.")
    raise ValueError(f"Shapes must be equal rank, but are {len(da or ())} and {len(db or ())}")


def _training_shape(op: Any) -> list[TensorShape]:
    names = arg_names(op.type)
    sparse = "indices" in names
    shapes = {n: t.get_shape() for n, t in zip(names, op.inputs)}
    s = shapes["var"]
    for n in ref_names(op.type)[1:]:
        s = _merge(s, shapes[n])
    for n in value_names(op.type):
        if n in ("grad", "delta", "indices"):
            continue
        r = shapes[n].ndims
        if r is not None and r != 0:
            raise ValueError(f"Shape must be rank 0 but is rank {r}")
    grad = shapes["delta" if "delta" in shapes else "grad"]
    if not sparse:
        return [_merge(s, grad)]
    ind = shapes["indices"]
    if ind.ndims is not None and ind.ndims != 1:
        raise ValueError(f"Shape must be rank 1 but is rank {ind.ndims}")
    if grad.ndims is None:
        return [s]
    if grad.ndims == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0")
    gd = grad.as_tuple()
    idim = ind.as_tuple()[0] if ind.ndims == 1 else None
    if idim is not None and gd[0] is not None and idim != gd[0]:
        raise ValueError(f"Dimensions must be equal, but are {idim} and {gd[0]}")
    return [_merge(s, TensorShape([None] + list(gd[1:])))]


# --- runtime checks ---------------------------------------------------------------------------

def _shape_str(a: np.ndarray) -> str:
    return "[" + ",".join(str(d) for d in a.shape) + "]"


def check_dense(op: Any, refs: dict[str, np.ndarray], vals: dict[str, Any]) -> None:
    """TF's run-time checks: scalar hyper-parameters, equal shapes of var, slots and grad."""
    var = refs["var"]
    for n, a in vals.items():
        if n in ("grad", "delta", "indices"):
            continue
        if np.ndim(a) != 0:
            raise errors.InvalidArgumentError(
                None, op, f"{n} is not a scalar: {_shape_str(np.asarray(a))}")
    for n, a in refs.items():
        if n != "var" and a.shape != var.shape:
            raise errors.InvalidArgumentError(
                None, op, f"var and {n} do not have the same shape{_shape_str(var)} "
                          f"{_shape_str(a)}")
    g = vals.get("grad", vals.get("delta"))
    if "indices" not in vals:
        if np.shape(g) != var.shape:
            raise errors.InvalidArgumentError(
                None, op, f"var and {'delta' if 'delta' in vals else 'grad'} do not have the "
                          f"same shape{_shape_str(var)} {_shape_str(np.asarray(g))}")
        return
    idx = np.asarray(vals["indices"])
    if var.ndim < 1:
        raise errors.InvalidArgumentError(None, op, "var must be at least 1 dimensional")
    if idx.ndim != 1:
        raise errors.InvalidArgumentError(None, op, "indices must be one-dimensional")
    g = np.asarray(g)
    if g.ndim != var.ndim or g.shape[1:] != var.shape[1:]:
        raise errors.InvalidArgumentError(
            None, op, f"var and grad must match in dimension 1 and up{_shape_str(var)} "
                      f"{_shape_str(g)}")
    if g.shape[0] != idx.shape[0]:
        raise errors.InvalidArgumentError(
            None, op, "grad must be the same size as indices in the first dimension.")
    n = var.shape[0]
    bad = np.flatnonzero((idx < 0) | (idx >= n))
    if bad.size:
        i = int(bad[0])
        raise errors.InvalidArgumentError(
            None, op, f"Index {int(idx[i])} at offset {i} in indices is out of range")


# --- numpy update rules (TF's Eigen expressions, in the variable's dtype) ---------------------

def _gd(var: Any, alpha: Any, delta: Any) -> None:
    var -= delta * alpha


def _momentum(var: Any, accum: Any, lr: Any, grad: Any, momentum: Any,
              use_nesterov: bool = False) -> None:
    accum *= momentum
    accum += grad
    if use_nesterov:
        var -= grad * lr + accum * momentum * lr
    else:
        var -= accum * lr


def _adagrad(var: Any, accum: Any, lr: Any, grad: Any, update_slots: bool = True) -> None:
    if update_slots:
        accum += np.square(grad)
    var -= grad * lr * (var.dtype.type(1) / np.sqrt(accum))


def _rms_prop(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any, epsilon: Any,
              grad: Any) -> None:
    one = var.dtype.type(1)
    ms += (np.square(grad) - ms) * (one - rho)
    mom *= momentum
    mom += (grad * lr) / np.sqrt(ms + epsilon)
    var -= mom


def _centered_rms_prop(var: Any, mg: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any,
                       epsilon: Any, grad: Any) -> None:
    one_minus_rho = var.dtype.type(1) - rho
    ms += (np.square(grad) - ms) * one_minus_rho
    mg += (grad - mg) * one_minus_rho
    denom = (ms - np.square(mg)) + epsilon
    mom *= momentum
    mom += (grad * lr) / np.sqrt(denom)
    var -= mom


def _adadelta(var: Any, accum: Any, accum_update: Any, lr: Any, rho: Any, epsilon: Any,
              grad: Any) -> None:
    one = var.dtype.type(1)
    accum *= rho
    accum += np.square(grad) * (one - rho)
    update = np.sqrt(accum_update + epsilon) * (one / np.sqrt(accum + epsilon)) * grad
    var -= update * lr
    accum_update *= rho
    accum_update += np.square(update) * (one - rho)


def _adam(var: Any, m: Any, v: Any, beta1_power: Any, beta2_power: Any, lr: Any, beta1: Any,
          beta2: Any, epsilon: Any, grad: Any, use_nesterov: bool = False) -> None:
    one = var.dtype.type(1)
    alpha = lr * np.sqrt(one - beta2_power) / (one - beta1_power)
    m += (grad - m) * (one - beta1)
    v += (np.square(grad) - v) * (one - beta2)
    if use_nesterov:
        var -= ((grad * (one - beta1) + beta1 * m) * alpha) / (np.sqrt(v) + epsilon)
    else:
        var -= (m * alpha) / (np.sqrt(v) + epsilon)


# Sparse rules: applied row by row, in index order (duplicates apply twice, as in TF's loop).

def _sparse_momentum(var: Any, accum: Any, lr: Any, grad: Any, indices: Any, momentum: Any,
                     use_nesterov: bool = False) -> None:
    for i, k in enumerate(indices):
        g = grad[i]
        a = accum[k] * momentum + g
        accum[k] = a
        if use_nesterov:
            var[k] -= lr * g + lr * momentum * a
        else:
            var[k] -= lr * a


def _sparse_adagrad(var: Any, accum: Any, lr: Any, grad: Any, indices: Any,
                    update_slots: bool = True) -> None:
    for i, k in enumerate(indices):
        g = grad[i]
        if update_slots:
            accum[k] += np.square(g)
        var[k] -= lr * g * (var.dtype.type(1) / np.sqrt(accum[k]))


def _sparse_rms_prop(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any,
                     epsilon: Any, grad: Any, indices: Any) -> None:
    one = var.dtype.type(1)
    for i, k in enumerate(indices):
        g = grad[i]
        ms[k] = ms[k] * rho + np.square(g) * (one - rho)
        mom[k] = mom[k] * momentum + (one / np.sqrt(ms[k] + epsilon)) * lr * g
        var[k] -= mom[k]


def _sparse_centered_rms_prop(var: Any, mg: Any, ms: Any, mom: Any, lr: Any, rho: Any,
                              momentum: Any, epsilon: Any, grad: Any, indices: Any) -> None:
    one = var.dtype.type(1)
    for i, k in enumerate(indices):
        g = grad[i]
        ms[k] = ms[k] * rho + np.square(g) * (one - rho)
        mg[k] = mg[k] * rho + g * (one - rho)
        denom = ms[k] - np.square(mg[k]) + epsilon
        mom[k] = mom[k] * momentum + lr * g * (one / np.sqrt(denom))
        var[k] -= mom[k]


def _sparse_adadelta(var: Any, accum: Any, accum_update: Any, lr: Any, rho: Any, epsilon: Any,
                     grad: Any, indices: Any) -> None:
    one = var.dtype.type(1)
    for i, k in enumerate(indices):
        g = grad[i]
        accum[k] = accum[k] * rho + np.square(g) * (one - rho)
        update = np.sqrt(accum_update[k] + epsilon) * (one / np.sqrt(accum[k] + epsilon)) * g
        var[k] -= update * lr
        accum_update[k] = accum_update[k] * rho + np.square(update) * (one - rho)


UPDATE_RULES: dict[str, Callable[..., None]] = {
    "ApplyGradientDescent": _gd, "ApplyMomentum": _momentum, "ApplyAdagrad": _adagrad,
    "ApplyRMSProp": _rms_prop, "ApplyCenteredRMSProp": _centered_rms_prop,
    "ApplyAdadelta": _adadelta, "ApplyAdam": _adam,
    "SparseApplyMomentum": _sparse_momentum, "SparseApplyAdagrad": _sparse_adagrad,
    "SparseApplyRMSProp": _sparse_rms_prop,
    "SparseApplyCenteredRMSProp": _sparse_centered_rms_prop,
    "SparseApplyAdadelta": _sparse_adadelta,
}


# --- kernels ----------------------------------------------------------------------------------

class TrainingKernelContext:
    """What a kernel of one training op needs: its storage slots, argument names and flags."""

    def __init__(self, op: Any, state: Any) -> None:
        self.op = op
        self.refs = ref_names(op.type)
        self.values = value_names(op.type)
        names = arg_names(op.type)
        self.slots = [state.variable_for_ref(op.inputs[names.index(n)]) for n in self.refs]
        self.dtype = np.dtype(op._attrs["T"].as_numpy_dtype)
        self.flags = {k: bool(op._attrs[k]) for k in ("use_nesterov", "update_slots")
                      if k in op._attrs}
        self.use_locking = bool(op._attrs.get("use_locking", False))
        if self.dtype.kind not in _FLOAT_KINDS:
            raise errors.NotFoundError(
                None, op, f"No registered '{op.type}' OpKernel for 'CPU' devices compatible "
                          f"with node {op.name} (T={op._attrs['T'].name})")

    def read(self, vals: tuple[Any, ...]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        refs = {}
        for n, s in zip(self.refs, self.slots):
            a = s.read()
            if not a.flags.c_contiguous or not a.flags.writeable:
                a = s.value = np.array(a, order="C")  # updates below must land in the slot
            refs[n] = a
        named = dict(zip(self.values, vals))
        check_dense(self.op, refs, named)
        return refs, named


def _make_training_kernel(op: Any, state: Any) -> Callable[..., np.ndarray]:
    ctx = TrainingKernelContext(op, state)
    rule = UPDATE_RULES[op.type]
    scalar = ctx.dtype.type
    arg_order = arg_names(op.type)
    flags = ctx.flags

    def kernel(*vals: Any) -> np.ndarray:
        refs, named = ctx.read(vals)
        args = []
        for n in arg_order:
            if n in refs:
                args.append(refs[n])
            elif n == "indices":
                args.append(np.asarray(named[n]).astype(np.int64))
            elif n in ("grad", "delta"):
                args.append(np.asarray(named[n], dtype=ctx.dtype))
            else:
                args.append(scalar(named[n]))
        if ctx.use_locking:
            with ctx.slots[0].lock:
                rule(*args, **flags)
        else:
            rule(*args, **flags)
        return refs["var"]

    return kernel


def _register(op_type: str) -> None:
    inputs, extra = TRAINING_OP_SIGNATURES[op_type]
    attrs = ["T: numeric", "use_locking: bool = false", *extra]
    if any(s.startswith("indices") for s in inputs):
        attrs.insert(1, "Tindices: {int32, int64}")
    register_op(op_type, inputs=inputs, outputs=["out: Ref(T)"], attrs=attrs,
                shape=_training_shape, make_kernel=_make_training_kernel, stateful=True,
                doc=f"TF's {op_type}: updates the variable in place; returns it.")
    NotDifferentiable(op_type)


for _op_type in TRAINING_OP_SIGNATURES:
    _register(_op_type)

# --- Python wrappers (gen_training_ops) ------------------------------------------------------

def _apply(op_type: str, name: str | None, use_locking: bool, **kwargs: Any) -> Tensor:
    return apply_op(op_type, name=name, use_locking=bool(use_locking), **kwargs)


def apply_gradient_descent(var: Any, alpha: Any, delta: Any, use_locking: bool = False,
                           name: str | None = None) -> Tensor:
    """``var -= alpha * delta``."""
    return _apply("ApplyGradientDescent", name, use_locking, var=var, alpha=alpha, delta=delta)


def apply_momentum(var: Any, accum: Any, lr: Any, grad: Any, momentum: Any,
                   use_locking: bool = False, use_nesterov: bool = False,
                   name: str | None = None) -> Tensor:
    """``accum = accum * momentum + grad; var -= lr * accum`` (Nesterov: see TF)."""
    return _apply("ApplyMomentum", name, use_locking, var=var, accum=accum, lr=lr, grad=grad,
                  momentum=momentum, use_nesterov=bool(use_nesterov))


def apply_adagrad(var: Any, accum: Any, lr: Any, grad: Any, use_locking: bool = False,
                  update_slots: bool = True, name: str | None = None) -> Tensor:
    """``accum += grad ** 2; var -= lr * grad / sqrt(accum)``."""
    return _apply("ApplyAdagrad", name, use_locking, var=var, accum=accum, lr=lr, grad=grad,
                  update_slots=bool(update_slots))


def apply_rms_prop(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any,
                   epsilon: Any, grad: Any, use_locking: bool = False,
                   name: str | None = None) -> Tensor:
    return _apply("ApplyRMSProp", name, use_locking, var=var, ms=ms, mom=mom, lr=lr, rho=rho,
                  momentum=momentum, epsilon=epsilon, grad=grad)


def apply_centered_rms_prop(var: Any, mg: Any, ms: Any, mom: Any, lr: Any, rho: Any,
                            momentum: Any, epsilon: Any, grad: Any, use_locking: bool = False,
                            name: str | None = None) -> Tensor:
    return _apply("ApplyCenteredRMSProp", name, use_locking, var=var, mg=mg, ms=ms, mom=mom,
                  lr=lr, rho=rho, momentum=momentum, epsilon=epsilon, grad=grad)


def apply_adadelta(var: Any, accum: Any, accum_update: Any, lr: Any, rho: Any, epsilon: Any,
                   grad: Any, use_locking: bool = False, name: str | None = None) -> Tensor:
    return _apply("ApplyAdadelta", name, use_locking, var=var, accum=accum,
                  accum_update=accum_update, lr=lr, rho=rho, epsilon=epsilon, grad=grad)


def apply_adam(var: Any, m: Any, v: Any, beta1_power: Any, beta2_power: Any, lr: Any,
               beta1: Any, beta2: Any, epsilon: Any, grad: Any, use_locking: bool = False,
               use_nesterov: bool = False, name: str | None = None) -> Tensor:
    return _apply("ApplyAdam", name, use_locking, var=var, m=m, v=v, beta1_power=beta1_power,
                  beta2_power=beta2_power, lr=lr, beta1=beta1, beta2=beta2, epsilon=epsilon,
                  grad=grad, use_nesterov=bool(use_nesterov))


def sparse_apply_momentum(var: Any, accum: Any, lr: Any, grad: Any, indices: Any,
                          momentum: Any, use_locking: bool = False, use_nesterov: bool = False,
                          name: str | None = None) -> Tensor:
    return _apply("SparseApplyMomentum", name, use_locking, var=var, accum=accum, lr=lr,
                  grad=grad, indices=indices, momentum=momentum,
                  use_nesterov=bool(use_nesterov))


def sparse_apply_adagrad(var: Any, accum: Any, lr: Any, grad: Any, indices: Any,
                         use_locking: bool = False, update_slots: bool = True,
                         name: str | None = None) -> Tensor:
    return _apply("SparseApplyAdagrad", name, use_locking, var=var, accum=accum, lr=lr,
                  grad=grad, indices=indices, update_slots=bool(update_slots))


def sparse_apply_rms_prop(var: Any, ms: Any, mom: Any, lr: Any, rho: Any, momentum: Any,
                          epsilon: Any, grad: Any, indices: Any, use_locking: bool = False,
                          name: str | None = None) -> Tensor:
    return _apply("SparseApplyRMSProp", name, use_locking, var=var, ms=ms, mom=mom, lr=lr,
                  rho=rho, momentum=momentum, epsilon=epsilon, grad=grad, indices=indices)


def sparse_apply_centered_rms_prop(var: Any, mg: Any, ms: Any, mom: Any, lr: Any, rho: Any,
                                   momentum: Any, epsilon: Any, grad: Any, indices: Any,
                                   use_locking: bool = False,
                                   name: str | None = None) -> Tensor:
    return _apply("SparseApplyCenteredRMSProp", name, use_locking, var=var, mg=mg, ms=ms,
                  mom=mom, lr=lr, rho=rho, momentum=momentum, epsilon=epsilon, grad=grad,
                  indices=indices)


def sparse_apply_adadelta(var: Any, accum: Any, accum_update: Any, lr: Any, rho: Any,
                          epsilon: Any, grad: Any, indices: Any, use_locking: bool = False,
                          name: str | None = None) -> Tensor:
    return _apply("SparseApplyAdadelta", name, use_locking, var=var, accum=accum,
                  accum_update=accum_update, lr=lr, rho=rho, epsilon=epsilon, grad=grad,
                  indices=indices)


_ = unknown_shape
