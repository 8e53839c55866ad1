"""Gradients of the math ops, with TF's math_grad semantics.

Each function takes ``(op, grad)`` and returns one gradient per input (None where an input gets
none). Broadcasting is undone only through :mod:`minitf.ops.grad_util`. Imported at the end of
:mod:`minitf.ops.math_ops`, so every op type there has its entry as soon as the module loads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient
from minitf.framework.tensor import Tensor
from minitf.ops import math_ops as m
from minitf.ops.grad_util import reduction_grad_broadcast, sum_to_shape, unbroadcast

for _op_type in ("FloorDiv", "TruncateDiv", "TruncateMod", "Round", "Floor", "Ceil", "Rint"):
    NotDifferentiable(_op_type)


def _array_ops() -> Any:
    from minitf.ops import array_ops

    return array_ops


def _const(value: float, like: Tensor) -> Tensor:
    from minitf.ops.constant_op import constant

    return constant(value, dtype=like.dtype.base_dtype)


# --- binary arithmetic ---------------------------------------------------------------------------

@RegisterGradient("AddV2")
def _add_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    return unbroadcast(grad, x, grad, y)


RegisterGradient("Add")(_add_grad)


@RegisterGradient("Sub")
def _sub_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    return unbroadcast(grad, x, m.negative(grad), y)


@RegisterGradient("Mul")
def _mul_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    return unbroadcast(m.multiply(grad, y), x, m.multiply(x, grad), y)


@RegisterGradient("RealDiv")
def _realdiv_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    gy = m.multiply(grad, m.realdiv(m.realdiv(m.negative(x), y), y))
    return unbroadcast(m.realdiv(grad, y), x, gy, y)


@RegisterGradient("DivNoNan")
def _div_no_nan_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    gy = m.multiply(grad, m.div_no_nan(m.div_no_nan(m.negative(x), y), y))
    return unbroadcast(m.div_no_nan(grad, y), x, gy, y)


@RegisterGradient("FloorMod")
def _floormod_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    return unbroadcast(grad, x, m.multiply(grad, m.negative(m.floor_div(x, y))), y)


@RegisterGradient("Pow")
def _pow_grad(op: Any, grad: Tensor) -> Any:
    """d/dx = y x^(y-1); d/dy = x^y log x, taken as 0 where x <= 0 (as TF)."""
    array_ops = _array_ops()
    x, y = op.inputs
    gx = m.multiply(grad, m.multiply(y, m.pow(x, m.subtract(y, _const(1, y)))))
    positive = m.greater(x, _const(0, x))
    safe_x = array_ops.where(positive, x, array_ops.ones_like(x))
    log_x = array_ops.where(positive, m.log(safe_x), array_ops.zeros_like(x))
    gy = m.multiply(grad, m.multiply(op.outputs[0], log_x))
    return unbroadcast(gx, x, gy, y)


def _select_grad(op: Any, grad: Tensor, x_wins: Tensor) -> Any:
    array_ops = _array_ops()
    x, y = op.inputs
    zeros = array_ops.zeros_like(grad)
    if x_wins.get_shape().as_tuple() != grad.get_shape().as_tuple():
        x_wins = array_ops.broadcast_to(x_wins, array_ops.shape(grad))
    return unbroadcast(array_ops.where(x_wins, grad, zeros), x,
                       array_ops.where(x_wins, zeros, grad), y)


@RegisterGradient("Maximum")
def _maximum_grad(op: Any, grad: Tensor) -> Any:
    """The selected side gets the gradient; ties go to x (x >= y), as in TF."""
    return _select_grad(op, grad, m.greater_equal(*op.inputs))


@RegisterGradient("Minimum")
def _minimum_grad(op: Any, grad: Tensor) -> Any:
    return _select_grad(op, grad, m.less_equal(*op.inputs))


@RegisterGradient("SquaredDifference")
def _squared_difference_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    gx = m.multiply(m.multiply(_const(2, grad), grad), m.subtract(x, y))
    return unbroadcast(gx, x, m.negative(gx), y)


@RegisterGradient("Atan2")
def _atan2_grad(op: Any, grad: Tensor) -> Any:
    y, x = op.inputs
    grad_inv = m.realdiv(grad, m.add(m.square(x), m.square(y)))
    return unbroadcast(m.multiply(x, grad_inv), y, m.multiply(m.negative(y), grad_inv), x)


@RegisterGradient("AddN")
def _add_n_grad(op: Any, grad: Tensor) -> Any:
    return [grad] * len(op.inputs)


# --- unary functions -----------------------------------------------------------------------------

def _unary(op_type: str, fn: Any) -> None:
    RegisterGradient(op_type)(lambda op, grad: [fn(op.inputs[0], op.outputs[0], grad)])


def _grad_op(op_type: str) -> Any:
    return lambda x, y, grad: apply_op(op_type, y=y, dy=grad)


_unary("Neg", lambda x, y, g: m.negative(g))
_unary("Conj", lambda x, y, g: m.conj(g))
_unary("Abs", lambda x, y, g: m.multiply(g, m.sign(x)))
_unary("Sign", lambda x, y, g: _array_ops().zeros_like(x))
_unary("Square", lambda x, y, g: m.multiply(g, m.multiply(x, _const(2, x))))
_unary("Exp", lambda x, y, g: m.multiply(g, y))
_unary("Expm1", lambda x, y, g: m.multiply(g, m.exp(x)))
_unary("Log", lambda x, y, g: m.multiply(g, m.reciprocal(x)))
_unary("Log1p", lambda x, y, g: m.multiply(g, m.reciprocal(m.add(_const(1, x), x))))
_unary("Sin", lambda x, y, g: m.multiply(g, m.cos(x)))
_unary("Cos", lambda x, y, g: m.negative(m.multiply(g, m.sin(x))))
_unary("Tan", lambda x, y, g: m.multiply(g, m.square(m.reciprocal(m.cos(x)))))
_unary("Asin", lambda x, y, g: m.multiply(g, m.rsqrt(m.subtract(_const(1, x), m.square(x)))))
_unary("Acos", lambda x, y, g: m.negative(
    m.multiply(g, m.rsqrt(m.subtract(_const(1, x), m.square(x))))))
_unary("Atan", lambda x, y, g: m.multiply(g, m.reciprocal(m.add(_const(1, x), m.square(x)))))
_unary("Sinh", lambda x, y, g: m.multiply(g, m.cosh(x)))
_unary("Cosh", lambda x, y, g: m.multiply(g, m.sinh(x)))
_unary("Asinh", lambda x, y, g: m.realdiv(g, m.cosh(y)))
_unary("Acosh", lambda x, y, g: m.realdiv(g, m.sinh(y)))
_unary("Atanh", lambda x, y, g: m.multiply(g, m.reciprocal(m.subtract(_const(1, x),
                                                                      m.square(x)))))
for _op_type in ("Tanh", "Sigmoid", "Sqrt", "Rsqrt", "Reciprocal"):
    _unary(_op_type, _grad_op(_op_type + "Grad"))


# Gradients of the backward ops (second derivatives); a = forward output, b = incoming dy.
@RegisterGradient("TanhGrad")
def _tanh_grad_grad(op: Any, grad: Tensor) -> Any:
    a, b = op.inputs  # z = b (1 - a^2)
    return [m.multiply(m.multiply(grad, _const(-2, grad)), m.multiply(b, a)),
            apply_op("TanhGrad", y=a, dy=grad)]


@RegisterGradient("SigmoidGrad")
def _sigmoid_grad_grad(op: Any, grad: Tensor) -> Any:
    a, b = op.inputs  # z = b a (1 - a)
    gb = m.multiply(grad, b)
    return [m.subtract(gb, m.multiply(m.multiply(_const(2, gb), gb), a)),
            apply_op("SigmoidGrad", y=a, dy=grad)]


@RegisterGradient("SqrtGrad")
def _sqrt_grad_grad(op: Any, grad: Tensor) -> Any:
    a = op.inputs[0]  # z = 0.5 b / a
    ga = m.realdiv(grad, a)
    return [m.negative(m.multiply(ga, op.outputs[0])), m.multiply(_const(0.5, ga), ga)]


@RegisterGradient("RsqrtGrad")
def _rsqrt_grad_grad(op: Any, grad: Tensor) -> Any:
    a, b = op.inputs  # z = -0.5 b a^3
    ga = m.multiply(m.multiply(_const(-1.5, grad), grad), m.multiply(b, m.square(a)))
    return [ga, apply_op("RsqrtGrad", y=a, dy=grad)]


@RegisterGradient("ReciprocalGrad")
def _reciprocal_grad_grad(op: Any, grad: Tensor) -> Any:
    a, b = op.inputs  # z = -b a^2
    ga = m.multiply(m.multiply(grad, _const(-2, grad)), m.multiply(b, a))
    return [ga, apply_op("ReciprocalGrad", y=a, dy=grad)]


# --- casts and products --------------------------------------------------------------------------

_CAST_DIFFERENTIABLE = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.bfloat16,
                        dtypes.complex64, dtypes.complex128)


@RegisterGradient("Cast")
def _cast_grad(op: Any, grad: Tensor) -> Any:
    src = op.inputs[0].dtype.base_dtype
    if src in _CAST_DIFFERENTIABLE and grad.dtype.base_dtype in _CAST_DIFFERENTIABLE:
        return [m.cast(grad, src)]
    return [None]


@RegisterGradient("MatMul")
def _matmul_grad(op: Any, grad: Tensor) -> Any:
    a, b = op.inputs
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    mm = m.matmul
    if not ta and not tb:
        return [mm(grad, b, transpose_b=True), mm(a, grad, transpose_a=True)]
    if not ta and tb:
        return [mm(grad, b), mm(grad, a, transpose_a=True)]
    if ta and not tb:
        return [mm(b, grad, transpose_b=True), mm(a, grad)]
    return [mm(b, grad, transpose_a=True, transpose_b=True),
            mm(grad, a, transpose_a=True, transpose_b=True)]


@RegisterGradient("BatchMatMulV2")
def _batch_matmul_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    ax, ay = op.get_attr("adj_x"), op.get_attr("adj_y")

    def mm(a: Tensor, b: Tensor, adj_a: bool, adj_b: bool) -> Tensor:
        return apply_op("BatchMatMulV2", x=a, y=b, adj_x=adj_a, adj_y=adj_b)

    if not ax and not ay:
        gx, gy = mm(grad, y, False, True), mm(x, grad, True, False)
    elif not ax and ay:
        gx, gy = mm(grad, y, False, False), mm(grad, x, True, False)
    elif ax and not ay:
        gx, gy = mm(y, grad, False, True), mm(x, grad, False, False)
    else:
        gx, gy = mm(y, grad, True, True), mm(grad, x, True, True)
    return unbroadcast(gx, x, gy, y)


@RegisterGradient("Einsum")
def _einsum_grad(op: Any, grad: Tensor) -> Any:
    """The gradient of operand k is an einsum of the output gradient and the other operands
    onto k's subscripts. Labels summed away in k alone need k's shape: a ones_like(k) operand
    supplies it; repeated labels in k ("ii") make the result a diagonal. Broadcast ellipsis
    dimensions are summed away by sum_to_shape."""
    equation = op.get_attr("equation")
    ins, out = m.parse_equation(equation.decode() if isinstance(equation, bytes) else equation)
    grads = []
    for k, x in enumerate(op.inputs):
        if not x.dtype.base_dtype.is_floating and not x.dtype.base_dtype.is_complex:
            grads.append(None)
            continue
        subs = [out] + [s for j, s in enumerate(ins) if j != k]
        operands = [grad] + [t for j, t in enumerate(op.inputs) if j != k]
        present = set().union(*subs)
        target = ins[k]
        if "." in present and "." not in target:
            target = (".",) + target  # broadcast dims of the others, summed away below
        if any(c not in present for c in target):
            subs.append(ins[k])
            operands.append(_array_ops().ones_like(x))
        eq = ",".join(m._join(s) for s in subs) + "->" + m._join(target)
        grads.append(sum_to_shape(apply_op("Einsum", inputs=operands, equation=eq), x))
    return grads


# --- reductions ----------------------------------------------------------------------------------

@RegisterGradient("Sum")
def _sum_grad(op: Any, grad: Tensor) -> Any:
    return [reduction_grad_broadcast(op, grad), None]


@RegisterGradient("Mean")
def _mean_grad(op: Any, grad: Tensor) -> Any:
    array_ops = _array_ops()
    sum_grad = reduction_grad_broadcast(op, grad)
    in_shape, out_shape = op.inputs[0].get_shape(), op.outputs[0].get_shape()
    if in_shape.is_fully_defined() and out_shape.is_fully_defined():
        count = int(np.prod(in_shape.as_list())) // max(int(np.prod(out_shape.as_list())), 1)
        factor = _const(count, sum_grad)
    else:
        in_size = m.reduce_prod(array_ops.shape(op.inputs[0]))
        out_size = m.maximum(m.reduce_prod(array_ops.shape(op.outputs[0])), 1)
        factor = m.cast(m.floor_div(in_size, out_size), sum_grad.dtype.base_dtype)
    return [m.realdiv(sum_grad, factor), None]


def _min_or_max_grad(op: Any, grad: Tensor) -> Any:
    """Split equally among the inputs equal to the extreme value (TF's tie rule)."""
    x, axes = op.inputs
    y = reduction_grad_broadcast(op, op.outputs[0])
    indicators = m.cast(m.equal(y, x), grad.dtype.base_dtype)
    num_selected = reduction_grad_broadcast(op, m.reduce_sum(indicators, axes))
    return [m.multiply(m.realdiv(indicators, num_selected),
                       reduction_grad_broadcast(op, grad)), None]


RegisterGradient("Max")(_min_or_max_grad)
RegisterGradient("Min")(_min_or_max_grad)


@RegisterGradient("Prod")
def _prod_grad(op: Any, grad: Tensor) -> Any:
    """d prod / d x_i = product of the others: prod / x_i without zeros; with exactly one zero
    in the group, the product of the rest at the zero and 0 elsewhere; with more zeros, 0."""
    array_ops = _array_ops()
    x, axes = op.inputs
    is_zero = m.equal(x, array_ops.zeros_like(x))
    num_zeros = reduction_grad_broadcast(op, m.reduce_sum(m.cast(is_zero, x.dtype), axes))
    safe_x = array_ops.where(is_zero, array_ops.ones_like(x), x)
    prod_nonzero = reduction_grad_broadcast(op, m.reduce_prod(safe_x, axes))
    zeros = array_ops.zeros_like(x)
    lone_zero = m.logical_and(is_zero, m.equal(num_zeros, _const(1, num_zeros)))
    partial = array_ops.where(m.equal(num_zeros, zeros), m.realdiv(prod_nonzero, safe_x),
                              array_ops.where(lone_zero, prod_nonzero, zeros))
    return [m.multiply(partial, reduction_grad_broadcast(op, grad)), None]


@RegisterGradient("Cumsum")
def _cumsum_grad(op: Any, grad: Tensor) -> Any:
    return [m.cumsum(grad, op.inputs[1], exclusive=op.get_attr("exclusive"),
                     reverse=not op.get_attr("reverse")), None]


@RegisterGradient("Cumprod")
def _cumprod_grad(op: Any, grad: Tensor) -> Any:
    """TF's formula (exact only without zeros in x)."""
    x, axis = op.inputs
    exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
    prod = m.cumprod(x, axis, exclusive=exclusive, reverse=reverse)
    out = m.cumsum(m.multiply(prod, grad), axis, exclusive=exclusive, reverse=not reverse)
    return [m.div_no_nan(out, x), None]


def _gather_drop_negatives(params: Tensor, ids: Tensor) -> Tensor:
    """params[ids] with zeros where ids < 0 (they were dropped in the forward pass)."""
    array_ops = _array_ops()
    gathered = array_ops.gather(params, m.maximum(ids, array_ops.zeros_like(ids)))
    keep = m.greater_equal(ids, array_ops.zeros_like(ids))
    g_rank, k_rank = gathered.get_shape().ndims, keep.get_shape().ndims
    if k_rank != 1 or g_rank is None:
        if k_rank is None or g_rank is None:
            raise NotImplementedError("UnsortedSegmentSum gradient needs known ranks")
        keep = array_ops.reshape(keep, _padded_shape(keep, g_rank - k_rank))
        keep = array_ops.broadcast_to(keep, array_ops.shape(gathered))
    return array_ops.where(keep, gathered, array_ops.zeros_like(gathered))


def _padded_shape(t: Tensor, extra: int) -> Any:
    """shape(t) followed by ``extra`` ones (static when possible)."""
    s = t.get_shape()
    if s.is_fully_defined():
        return np.array(s.as_list() + [1] * extra, dtype=np.int32)
    array_ops = _array_ops()
    return array_ops.concat([array_ops.shape(t), np.ones(extra, dtype=np.int32)], 0)


@RegisterGradient("UnsortedSegmentSum")
def _unsorted_segment_sum_grad(op: Any, grad: Tensor) -> Any:
    return [_gather_drop_negatives(grad, op.inputs[1]), None, None]


@RegisterGradient("SegmentSum")
def _segment_sum_grad(op: Any, grad: Tensor) -> Any:
    return [_array_ops().gather(grad, op.inputs[1]), None]
