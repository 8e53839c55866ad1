"""Math ops: elementwise arithmetic, comparisons, logical and bitwise ops, casts and add_n; and
the Python operators on Tensor.

Each op type is declared once (signature, shape function, numpy reference); gradients live in
:mod:`minitf.ops.math_grad`. Matrix products, einsum and tensordot are declared in
:mod:`minitf.ops.math_linalg_ops`; reductions, arg max/min, scans, segment sums and Range in
:mod:`minitf.ops.math_reduce_ops`. This module imports both (so importing it registers every
math op type) and re-exports their names, so ``math_ops.X`` keeps working for all of them.
Wrappers follow TF 1.x: same signatures, defaults, op names and name scopes (``tf.add`` makes
``Add`` of type AddV2, ``x + y`` makes ``add``).

References return exactly the declared dtype. Integer division by zero raises
InvalidArgumentError like TF; float division by zero gives inf/nan silently (the executor
suppresses numpy's warnings).
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
from minitf.ops import shape_fns

__all__ = [
    # arithmetic
    "add", "subtract", "multiply", "divide", "truediv", "realdiv", "div", "floordiv",
    "floor_div", "mod", "floormod", "truncatediv", "truncatemod", "div_no_nan", "pow",
    "negative", "abs", "sign", "square", "sqrt", "rsqrt", "exp", "expm1", "log", "log1p", "sin",
    "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "sigmoid", "maximum",
    "minimum", "reciprocal", "round", "rint", "floor", "ceil", "add_n", "accumulate_n",
    "squared_difference", "scalar_mul", "is_finite", "is_nan", "is_inf", "conj",
    # comparisons and logic
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_not", "logical_xor",
    # casts
    "cast", "saturate_cast", "to_float", "to_double", "to_int32", "to_int64",
    # products
    "matmul", "tensordot", "einsum", "trace", "norm",
    # reductions and scans
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
    "reduce_all", "reduce_logsumexp", "argmax", "argmin", "arg_max", "arg_min", "cumsum",
    "cumprod", "count_nonzero", "unsorted_segment_sum", "segment_sum",
    # TF 0.x aliases kept by TF1 scripts
    "sub", "mul", "neg",
]

_FLOAT = "{bfloat16, float16, float32, float64}"
_FLOAT_COMPLEX = "{bfloat16, float16, float32, float64, complex64, complex128}"
_ABS_TYPES = "{bfloat16, float16, float32, float64, int8, int16, int32, int64}"
_POW_TYPES = "{bfloat16, float16, float32, float64, int8, int16, int32, int64, complex64, " \
             "complex128}"


# --- registration helpers ------------------------------------------------------------------------

def register_cwise_binary(op_type: str, reference: Any, types: str = "numeric",
                          out_type: str | None = None, attrs: tuple[str, ...] = (),
                          **extra: Any) -> None:
    """Declares an elementwise binary op with numpy broadcasting."""
    out = f"z: {out_type}" if out_type else "z: T"
    register_op(op_type, inputs=["x: T", "y: T"], outputs=[out], attrs=[f"T: {types}", *attrs],
                shape=shape_fns.broadcast, reference=reference, elementwise=True, **extra)


def register_cwise_unary(op_type: str, reference: Any, types: str = "numeric",
                         out_type: str | None = None, **extra: Any) -> None:
    """Declares an elementwise unary op."""
    out = f"y: {out_type}" if out_type else "y: T"
    register_op(op_type, inputs=["x: T"], outputs=[out], attrs=[f"T: {types}"],
                shape=shape_fns.unchanged, reference=reference, elementwise=True, **extra)


def _merge_shape(op: Any) -> list[TensorShape]:
    """Output shaped like both inputs (TF's MergeBothInputsShapeFn, used by the *Grad ops)."""
    a, b = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    try:
        return [a.merge_with(b)]
    except ValueError:
        raise ValueError(f"Dimensions must be equal, but shapes are {a} and {b}") from None


# --- elementwise references ----------------------------------------------------------------------

def _check_int_divisor(y: Any) -> None:
    if not (y.all() if isinstance(y, np.ndarray) else np.all(y)):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero")


def _floordiv_ref(x: Any, y: Any) -> Any:
    if x.dtype.kind in "iu":
        _check_int_divisor(y)
        return np.floor_divide(x, y)
    # TF computes floor(x / y); numpy's floor_divide differs (floor_divide(1, 0.1) == 9).
    return np.floor(np.true_divide(x, y))


def _floormod_ref(x: Any, y: Any) -> Any:
    if x.dtype.kind in "iu":
        _check_int_divisor(y)
    return np.mod(x, y)


def _truncatediv_ref(x: Any, y: Any) -> Any:
    if x.dtype.kind in "iu":
        _check_int_divisor(y)
        return np.floor_divide(np.subtract(x, np.fmod(x, y)), y)
    return np.trunc(np.true_divide(x, y))


def _truncatemod_ref(x: Any, y: Any) -> Any:
    if x.dtype.kind in "iu":
        _check_int_divisor(y)
    return np.fmod(x, y)


def _realdiv_ref(x: Any, y: Any) -> Any:
    if x.dtype.kind in "iu":  # C semantics: truncate towards zero
        return _truncatediv_ref(x, y)
    return np.true_divide(x, y)


def _div_no_nan_ref(x: Any, y: Any) -> Any:
    out = np.true_divide(x, y)
    zero = y == 0
    if np.any(zero):
        out = np.where(zero, out.dtype.type(0), out)
    return out


def _pow_ref(x: Any, y: Any) -> Any:
    if x.dtype.kind in "iu" and np.any(y < 0):
        raise errors.InvalidArgumentError(None, None,
                                          "Integers to negative integer powers are not allowed")
    return np.power(x, y)


def _squared_difference_ref(x: Any, y: Any) -> Any:
    d = np.subtract(x, y)
    return d * np.conj(d) if d.dtype.kind == "c" else np.multiply(d, d)


def _reciprocal_ref(x: Any) -> Any:
    if x.dtype.kind in "iu":
        _check_int_divisor(x)
    return np.reciprocal(x)


def _rsqrt_ref(x: Any) -> Any:
    return 1 / np.sqrt(x)


def _sigmoid_ref(x: Any) -> Any:
    # exp(-x) overflows to inf for very negative x, which gives the right limit 0.
    return 1 / (1 + np.exp(-x))


def _round_ref(x: Any) -> Any:
    return np.round(x)  # half to even, as TF; a copy for integers too (no aliasing)


register_cwise_binary("AddV2", np.add)
register_cwise_binary("Add", np.add, types="{bfloat16, float16, float32, float64, uint8, int8, "
                                           "int16, int32, int64, complex64, complex128, string}")
register_cwise_binary("Sub", np.subtract)
register_cwise_binary("Mul", np.multiply)
register_cwise_binary("RealDiv", _realdiv_ref)
register_cwise_binary("DivNoNan", _div_no_nan_ref, types=_FLOAT_COMPLEX)
register_cwise_binary("FloorDiv", _floordiv_ref, types="real")
register_cwise_binary("FloorMod", _floormod_ref, types="real")
register_cwise_binary("TruncateDiv", _truncatediv_ref, types="real")
register_cwise_binary("TruncateMod", _truncatemod_ref, types="real")
register_cwise_binary("Pow", _pow_ref, types=_POW_TYPES)
register_cwise_binary("Maximum", np.maximum, types="real")
register_cwise_binary("Minimum", np.minimum, types="real")
register_cwise_binary("SquaredDifference", _squared_difference_ref,
                      types="{bfloat16, float16, float32, float64, int32, int64, complex64, "
                            "complex128}")
register_cwise_binary("Atan2", np.arctan2, types=_FLOAT)

register_cwise_unary("Neg", np.negative, types="signed")
register_cwise_unary("Abs", np.abs, types=_ABS_TYPES)
register_cwise_unary("Sign", np.sign, types="signed")
register_cwise_unary("Square", np.square)
register_cwise_unary("Reciprocal", _reciprocal_ref, types="signed")
register_cwise_unary("Round", _round_ref, types=_ABS_TYPES)
for _op_type, _fn in (("Sqrt", np.sqrt), ("Rsqrt", _rsqrt_ref), ("Exp", np.exp),
                      ("Expm1", np.expm1), ("Log", np.log), ("Log1p", np.log1p),
                      ("Sin", np.sin), ("Cos", np.cos), ("Tan", np.tan), ("Asin", np.arcsin),
                      ("Acos", np.arccos), ("Atan", np.arctan), ("Sinh", np.sinh),
                      ("Cosh", np.cosh), ("Tanh", np.tanh), ("Asinh", np.arcsinh),
                      ("Acosh", np.arccosh), ("Atanh", np.arctanh), ("Sigmoid", _sigmoid_ref)):
    register_cwise_unary(_op_type, _fn, types=_FLOAT_COMPLEX)
register_op("Conj", inputs=["input: T"], outputs=["output: T"],
            attrs=["T: {complex64, complex128} = complex64"], shape=shape_fns.unchanged,
            reference=np.conj, elementwise=True)
for _op_type, _fn in (("Floor", np.floor), ("Ceil", np.ceil), ("Rint", np.rint)):
    register_cwise_unary(_op_type, _fn, types=_FLOAT)
for _op_type, _fn in (("IsFinite", np.isfinite), ("IsNan", np.isnan), ("IsInf", np.isinf)):
    register_cwise_unary(_op_type, _fn, types=_FLOAT, out_type="bool")
    NotDifferentiable(_op_type)


def _tanh_grad_ref(y: Any, dy: Any) -> Any:
    return dy * (1 - y * y)


def _sigmoid_grad_ref(y: Any, dy: Any) -> Any:
    return dy * (y * (1 - y))


def _sqrt_grad_ref(y: Any, dy: Any) -> Any:
    # as TF's functor: a zero incoming gradient gives 0 even where y is 0 (not 0/0 = NaN)
    y, dy = np.asarray(y), np.asarray(dy)
    return np.where(dy == 0, np.zeros((), dy.dtype), dy * 0.5 / y).astype(dy.dtype, copy=False)


def _rsqrt_grad_ref(y: Any, dy: Any) -> Any:
    return dy * (-0.5 * y * y * y)


def _reciprocal_grad_ref(y: Any, dy: Any) -> Any:
    return -dy * (y * y)


# The backward ops of unary functions take the forward output y (as TF's *Grad ops do).
for _op_type, _fn in (("TanhGrad", _tanh_grad_ref), ("SigmoidGrad", _sigmoid_grad_ref),
                      ("SqrtGrad", _sqrt_grad_ref), ("RsqrtGrad", _rsqrt_grad_ref),
                      ("ReciprocalGrad", _reciprocal_grad_ref)):
    register_op(_op_type, inputs=["y: T", "dy: T"], outputs=["z: T"],
                attrs=[f"T: {_FLOAT_COMPLEX}"], shape=_merge_shape, reference=_fn,
                elementwise=True)

# --- comparisons, logic, bitwise ----------------------------------------------------------------

for _op_type, _fn in (("Less", np.less), ("LessEqual", np.less_equal), ("Greater", np.greater),
                      ("GreaterEqual", np.greater_equal)):
    register_cwise_binary(_op_type, _fn, types="real", out_type="bool")
for _op_type, _fn in (("Equal", np.equal), ("NotEqual", np.not_equal)):
    register_cwise_binary(_op_type, _fn, types="type", out_type="bool",
                          attrs=("incompatible_shape_error: bool = true",))
register_op("LogicalAnd", inputs=["x: bool", "y: bool"], outputs=["z: bool"],
            shape=shape_fns.broadcast, reference=np.logical_and, elementwise=True)
register_op("LogicalOr", inputs=["x: bool", "y: bool"], outputs=["z: bool"],
            shape=shape_fns.broadcast, reference=np.logical_or, elementwise=True)
register_op("LogicalNot", inputs=["x: bool"], outputs=["y: bool"],
            shape=shape_fns.unchanged, reference=np.logical_not, elementwise=True)
for _op_type, _fn in (("BitwiseAnd", np.bitwise_and), ("BitwiseOr", np.bitwise_or),
                      ("BitwiseXor", np.bitwise_xor)):
    register_cwise_binary(_op_type, _fn, types="int")
register_cwise_unary("Invert", np.invert, types="int")
for _op_type in ("Less", "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual",
                 "LogicalAnd", "LogicalOr", "LogicalNot", "BitwiseAnd", "BitwiseOr",
                 "BitwiseXor", "Invert"):
    NotDifferentiable(_op_type)


# --- wrappers: elementwise -----------------------------------------------------------------------

def add(x: Any, y: Any, name: str | None = None) -> Tensor:
    """x + y elementwise, with broadcasting (``tf.add``; op AddV2, or Add for strings)."""
    with name_scope(name, "Add", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype_hint=x.dtype.base_dtype, name="y")
        op_type = "Add" if x.dtype.base_dtype == dtypes.string else "AddV2"
        return apply_op(op_type, name=scope, x=x, y=y)


def _gen_binary(op_type: str, doc: str) -> Any:
    def fn(x: Any, y: Any, name: str | None = None) -> Tensor:
        return apply_op(op_type, name=name, x=x, y=y)

    fn.__doc__ = doc
    return fn


def _gen_unary(op_type: str, doc: str) -> Any:
    def fn(x: Any, name: str | None = None) -> Tensor:
        return apply_op(op_type, name=name, x=x)

    fn.__doc__ = doc
    return fn


subtract = _gen_binary("Sub", "x - y elementwise (``tf.subtract``).")
multiply = _gen_binary("Mul", "x * y elementwise (``tf.multiply``).")
realdiv = _gen_binary("RealDiv", "x / y for same-typed inputs; integers truncate (``tf.realdiv``).")
floor_div = _gen_binary("FloorDiv", "floor(x / y) elementwise (``tf.floor_div``).")
floormod = _gen_binary("FloorMod", "x - floor(x / y) * y, the sign of y (``tf.floormod``).")
mod = floormod
truncatediv = _gen_binary("TruncateDiv", "x / y rounded towards zero (``tf.truncatediv``).")
truncatemod = _gen_binary("TruncateMod", "C-style remainder, the sign of x (``tf.truncatemod``).")
maximum = _gen_binary("Maximum", "max(x, y) elementwise; NaN propagates (``tf.maximum``).")
minimum = _gen_binary("Minimum", "min(x, y) elementwise; NaN propagates (``tf.minimum``).")
squared_difference = _gen_binary("SquaredDifference", "(x - y)^2 (``tf.squared_difference``).")
atan2 = _gen_binary("Atan2", "atan(y / x) with the quadrant of (x, y) (``tf.atan2(y, x)``).")
negative = _gen_unary("Neg", "-x (``tf.negative``).")
square = _gen_unary("Square", "x * x (``tf.square``).")
sqrt = _gen_unary("Sqrt", "Square root (``tf.sqrt``).")
rsqrt = _gen_unary("Rsqrt", "1 / sqrt(x) (``tf.rsqrt``).")
exp = _gen_unary("Exp", "e^x (``tf.exp``).")
expm1 = _gen_unary("Expm1", "e^x - 1 (``tf.expm1``).")
log = _gen_unary("Log", "Natural logarithm (``tf.log``).")
log1p = _gen_unary("Log1p", "log(1 + x) (``tf.log1p``).")
sin = _gen_unary("Sin", "Sine (``tf.sin``).")
cos = _gen_unary("Cos", "Cosine (``tf.cos``).")
tan = _gen_unary("Tan", "Tangent (``tf.tan``).")
asin = _gen_unary("Asin", "Inverse sine (``tf.asin``).")
acos = _gen_unary("Acos", "Inverse cosine (``tf.acos``).")
atan = _gen_unary("Atan", "Inverse tangent (``tf.atan``).")
sinh = _gen_unary("Sinh", "Hyperbolic sine (``tf.sinh``).")
cosh = _gen_unary("Cosh", "Hyperbolic cosine (``tf.cosh``).")
tanh = _gen_unary("Tanh", "Hyperbolic tangent (``tf.tanh``).")
asinh = _gen_unary("Asinh", "Inverse hyperbolic sine (``tf.asinh``).")
acosh = _gen_unary("Acosh", "Inverse hyperbolic cosine (``tf.acosh``).")
atanh = _gen_unary("Atanh", "Inverse hyperbolic tangent (``tf.atanh``).")
reciprocal = _gen_unary("Reciprocal", "1 / x (``tf.reciprocal``).")
floor = _gen_unary("Floor", "Largest integer not greater than x (``tf.floor``).")
ceil = _gen_unary("Ceil", "Smallest integer not less than x (``tf.ceil``).")
rint = _gen_unary("Rint", "Nearest integer, halves to even (``tf.rint``).")
is_finite = _gen_unary("IsFinite", "True where x is neither inf nor NaN (``tf.is_finite``).")
is_nan = _gen_unary("IsNan", "True where x is NaN (``tf.is_nan``).")
is_inf = _gen_unary("IsInf", "True where x is +-inf (``tf.is_inf``).")
less = _gen_binary("Less", "x < y elementwise (``tf.less``).")
less_equal = _gen_binary("LessEqual", "x <= y elementwise (``tf.less_equal``).")
greater = _gen_binary("Greater", "x > y elementwise (``tf.greater``).")
greater_equal = _gen_binary("GreaterEqual", "x >= y elementwise (``tf.greater_equal``).")
logical_and = _gen_binary("LogicalAnd", "x AND y for bool tensors (``tf.logical_and``).")
logical_or = _gen_binary("LogicalOr", "x OR y for bool tensors (``tf.logical_or``).")
logical_not = _gen_unary("LogicalNot", "NOT x for a bool tensor (``tf.logical_not``).")
sub, mul, neg = subtract, multiply, negative


def equal(x: Any, y: Any, name: str | None = None) -> Tensor:
    """x == y elementwise (``tf.equal``); incompatible static shapes raise ValueError."""
    return apply_op("Equal", name=name, x=x, y=y, incompatible_shape_error=True)


def not_equal(x: Any, y: Any, name: str | None = None) -> Tensor:
    """x != y elementwise (``tf.not_equal``)."""
    return apply_op("NotEqual", name=name, x=x, y=y, incompatible_shape_error=True)


def sign(x: Any, name: str | None = None) -> Tensor:
    """-1, 0 or 1 by the sign of x; NaN stays NaN (``tf.sign``)."""
    return apply_op("Sign", name=name, x=convert_to_tensor(x))


def abs(x: Any, name: str | None = None) -> Tensor:  # noqa: A001 - TF's name
    """|x| elementwise (``tf.abs``)."""
    with name_scope(name, "Abs", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return apply_op("Abs", name=scope, x=x)


def pow(x: Any, y: Any, name: str | None = None) -> Tensor:  # noqa: A001 - TF's name
    """x ** y elementwise (``tf.pow``); integers to negative powers fail at run time."""
    with name_scope(name, "Pow", [x]) as scope:
        return apply_op("Pow", name=scope, x=x, y=y)


def sigmoid(x: Any, name: str | None = None) -> Tensor:
    """1 / (1 + exp(-x)) (``tf.sigmoid``)."""
    with name_scope(name, "Sigmoid", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return apply_op("Sigmoid", name=scope, x=x)


def round(x: Any, name: str | None = None) -> Tensor:  # noqa: A001 - TF's name
    """Rounds half to even (``tf.round``); integer tensors are returned unchanged."""
    x = convert_to_tensor(x, name="x")
    if x.dtype.base_dtype.is_integer:
        return x
    return apply_op("Round", name=name, x=x)


def conj(x: Any, name: str | None = None) -> Tensor:
    """Complex conjugate; real tensors are returned unchanged (``tf.conj``)."""
    with name_scope(name, "Conj", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype.is_complex:
            return apply_op("Conj", name=scope, input=x)
        if x.dtype.base_dtype.is_floating or x.dtype.base_dtype.is_integer:
            return x
        raise TypeError(f"Expected numeric or variant tensor, got dtype {x.dtype!r}")


def scalar_mul(scalar: Any, x: Any, name: str | None = None) -> Tensor:
    """``scalar * x`` for a scalar (``tf.scalar_mul``)."""
    with name_scope(name, "scalar_mul", [x]) as scope:
        scalar = convert_to_tensor(scalar, dtype=convert_to_tensor(x).dtype.base_dtype,
                                   name="scalar")
        if scalar.get_shape().ndims not in (0, None):
            raise ValueError(f"Only scalar multiply works, got shape {scalar.get_shape()}")
        return apply_op("Mul", name=scope, x=scalar, y=x)


def logical_xor(x: Any, y: Any, name: str = "LogicalXor") -> Tensor:
    """(x | y) & ~(x & y), built from three ops as TF does (the last one is named ``name``)."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


# --- division -----------------------------------------------------------------------------------

_TRUEDIV_CAST = {dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32,
                 dtypes.int16: dtypes.float32, dtypes.uint16: dtypes.float32,
                 dtypes.int32: dtypes.float64, dtypes.uint32: dtypes.float64,
                 dtypes.int64: dtypes.float64, dtypes.uint64: dtypes.float64}


def truediv(x: Any, y: Any, name: str | None = None) -> Tensor:
    """x / y with Python 3 semantics: integers are cast to floats first (int32 -> float64)."""
    with name_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype_hint=x.dtype.base_dtype, name="y")
        xd, yd = x.dtype.base_dtype, y.dtype.base_dtype
        if xd != yd:
            raise TypeError(f"`x` and `y` must have the same dtype, got {xd!r} != {yd!r}.")
        if xd in (dtypes.bool, dtypes.string):
            raise TypeError(f"Invalid dtype {xd!r} in __truediv__.")
        target = _TRUEDIV_CAST.get(xd)
        if target is not None:
            x = cast(x, target)
            y = cast(y, target)
        return apply_op("RealDiv", name=scope, x=x, y=y)


def div_no_nan(x: Any, y: Any, name: str | None = None) -> Tensor:
    """x / y, and 0 where y == 0; integers are cast like truediv (``tf.div_no_nan``)."""
    with name_scope(name, "div_no_nan", [x, y]) as scope:
        if not isinstance(x, Tensor) and isinstance(y, Tensor):
            y = convert_to_tensor(y, name="y")
            x = convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x")
        else:
            x = convert_to_tensor(x, name="x")
            y = convert_to_tensor(y, dtype_hint=x.dtype.base_dtype, name="y")
        xd, yd = x.dtype.base_dtype, y.dtype.base_dtype
        if xd != yd:
            raise TypeError(f"`x` and `y` must have the same dtype, got {xd!r} != {yd!r}.")
        target = _TRUEDIV_CAST.get(xd)
        if target is not None:
            x = cast(x, target)
            y = cast(y, target)
        return apply_op("DivNoNan", name=scope, x=x, y=y)


def divide(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``tf.divide``: x / y (true division, through the ``/`` operator when unnamed)."""
    if name is not None:
        return truediv(x, y, name=name)
    if not isinstance(x, Tensor):
        x = convert_to_tensor(x, dtype=y.dtype.base_dtype if isinstance(y, Tensor) else None)
    return x / y


def floordiv(x: Any, y: Any, name: str | None = None) -> Tensor:
    """floor(x / y) elementwise (``tf.floordiv``), in a ``floordiv`` name scope."""
    with name_scope(name, "floordiv", [x, y]) as scope:
        return apply_op("FloorDiv", name=scope, x=x, y=y)


def div(x: Any, y: Any, name: str | None = None) -> Tensor:
    """TF 1.x ``tf.div``: floor division for integers, true division for floats."""
    with name_scope(name, "div", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype)
        if x.dtype.base_dtype.is_floating or x.dtype.base_dtype.is_complex:
            return apply_op("RealDiv", name=scope, x=x, y=y)
        return apply_op("FloorDiv", name=scope, x=x, y=y)


# --- add_n ---------------------------------------------------------------------------------------

def _add_n_shape(op: Any) -> list[TensorShape]:
    out = TensorShape(None)
    for t in op.inputs:
        s = t.get_shape()
        if out.ndims is not None and s.ndims is not None and out.ndims != s.ndims:
            raise ValueError(f"Shapes must be equal rank, but are {out.ndims} and {s.ndims}")
        try:
            out = out.merge_with(s)
        except ValueError:
            raise ValueError(f"Dimensions must be equal, but shapes are {out} and {s}") from None
    return [out]


def _add_n_ref(*xs: Any) -> Any:
    first = xs[0]
    for i, x in enumerate(xs[1:], 1):
        if x.shape != first.shape:
            raise errors.InvalidArgumentError(
                None, None, f"Inputs to operation AddN must have the same size and shape.  "
                            f"Input 0: {list(first.shape)} != input {i}: {list(x.shape)}")
    if len(xs) == 1:
        return np.array(first, copy=True)
    out = np.add(xs[0], xs[1])
    for x in xs[2:]:
        if isinstance(out, np.ndarray):
            np.add(out, x, out=out)  # accumulate in place: no temporary per input
        else:  # 0-d inputs give numpy scalars
            out = out + x
    return out


register_op("AddN", inputs=["inputs: N * T"], outputs=["sum: T"],
            attrs=["N: int >= 1", "T: numeric"], shape=_add_n_shape, reference=_add_n_ref)


def add_n(inputs: Any, name: str | None = None) -> Tensor:
    """Sums a list of tensors of the same shape and dtype (``tf.add_n``)."""
    from minitf.framework.indexed_slices import IndexedSlices

    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices with "
                         "the same dtype and shape.")
    inputs = [v if isinstance(v, (Tensor, IndexedSlices)) else convert_to_tensor(v)
              for v in inputs]
    if len(inputs) == 1:
        values = inputs[0]
        if isinstance(values, IndexedSlices):
            values = convert_to_tensor(values)
        if name:
            from minitf.ops.array_ops import identity

            return identity(values, name=name)
        return values
    inputs = [convert_to_tensor(v) if isinstance(v, IndexedSlices) else v for v in inputs]
    return apply_op("AddN", name=name, inputs=inputs)


accumulate_n = add_n


# --- casts ---------------------------------------------------------------------------------------

def _cast_ref(x: Any, DstT: dtypes.DType) -> Any:  # noqa: N803 - TF's attr name
    if DstT is dtypes.string or x.dtype.kind in "OSU":
        raise errors.UnimplementedError(None, None, "Cast string to/from numbers is not "
                                                    "supported")
    return x.astype(DstT.as_numpy_dtype)


register_op("Cast", inputs=["x: SrcT"], outputs=["y: DstT"],
            attrs=["SrcT: type", "DstT: type", "Truncate: bool = false"],
            shape=shape_fns.unchanged, reference=_cast_ref, kernel_attrs=("DstT",),
            elementwise=True)


def cast(x: Any, dtype: Any, name: str | None = None) -> Any:
    """Casts ``x`` to ``dtype``; no op is added when it already has that dtype (``tf.cast``)."""
    from minitf.framework.indexed_slices import IndexedSlices

    base = dtypes.as_dtype(dtype).base_dtype
    if isinstance(x, IndexedSlices):
        return IndexedSlices(cast(x.values, base, name=name), x.indices, x.dense_shape)
    if isinstance(x, Tensor) and x.dtype == base:
        return x  # before the name scope: TF consumes no "Cast" name here
    with name_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype == base:
            return x
        return apply_op("Cast", name=scope, x=x, DstT=base)


def _cast_fn(dtype: dtypes.DType, default_name: str) -> Any:
    def fn(x: Any, name: str = default_name) -> Any:
        return cast(x, dtype, name=name)

    fn.__doc__ = f"Casts to {dtype.name} (TF 1.x; op named ``{default_name}``)."
    return fn


to_float = _cast_fn(dtypes.float32, "ToFloat")
to_double = _cast_fn(dtypes.float64, "ToDouble")
to_int32 = _cast_fn(dtypes.int32, "ToInt32")
to_int64 = _cast_fn(dtypes.int64, "ToInt64")


def _saturate_limits(src: dtypes.DType, dst: dtypes.DType) -> tuple[Any, Any]:
    """Clamp bounds in ``src``'s type that cast into ``dst``'s range (TF's nudging)."""
    np_src = src.as_numpy_dtype
    lo, hi = builtins.max(src.min, dst.min), builtins.min(src.max, dst.max)
    if src.is_floating:
        lo_v, hi_v = np_src(lo), np_src(hi)
        if float(lo_v) < dst.min:
            lo_v = np.nextafter(lo_v, np_src(0))
        if float(hi_v) > dst.max:
            hi_v = np.nextafter(hi_v, np_src(0))
        return lo_v, hi_v
    return np_src(lo), np_src(hi)


def saturate_cast(value: Any, dtype: Any, name: str | None = None) -> Tensor:
    """Casts with clamping to the target's range instead of wrapping (``tf.saturate_cast``)."""
    with name_scope(name, "saturate_cast", [value]) as scope:
        value = convert_to_tensor(value, name="value")
        dst = dtypes.as_dtype(dtype).base_dtype
        src = value.dtype.base_dtype
        if src.is_complex or dst.is_complex:
            raise NotImplementedError("saturate_cast of complex tensors is not supported")
        if src is not dtypes.bool and dst is not dtypes.bool:  # TF clamps even when src == dst
            lo, hi = _saturate_limits(src, dst)
            with name_scope(None, "clamp") as clamp:
                value = minimum(maximum(value, lo), hi, name=clamp)
        return cast(value, dst, name=scope)


# --- bitwise (the ``tf.bitwise`` namespace, :mod:`minitf.api.bitwise`) --------------------------

# Not in __all__: TF 1.x has them only under tf.bitwise, not at the top level.
bitwise_and = _gen_binary("BitwiseAnd", "x & y for integer tensors (``tf.bitwise.bitwise_and``).")
bitwise_or = _gen_binary("BitwiseOr", "x | y for integer tensors (``tf.bitwise.bitwise_or``).")
bitwise_xor = _gen_binary("BitwiseXor", "x ^ y for integer tensors (``tf.bitwise.bitwise_xor``).")
invert = _gen_unary("Invert", "~x for an integer tensor (``tf.bitwise.invert``).")


# --- linear algebra, reductions (declared in their own modules, re-exported here) ---------------
# Imported after the elementwise ops so the op types register in the same order as before; the
# helpers other modules reach through math_ops are re-exported too ("name as name").

from minitf.ops.math_linalg_ops import _join as _join  # noqa: E402
from minitf.ops.math_linalg_ops import _matmul_ref as _matmul_ref  # noqa: E402
from minitf.ops.math_linalg_ops import einsum, matmul, norm, tensordot, trace  # noqa: E402
from minitf.ops.math_linalg_ops import parse_equation as parse_equation  # noqa: E402
from minitf.ops.math_reduce_ops import (  # noqa: E402
    arg_max,
    arg_min,
    argmax,
    argmin,
    count_nonzero,
    cumprod,
    cumsum,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
    segment_sum,
    unsorted_segment_sum,
)
from minitf.ops.math_reduce_ops import range_ as range_  # noqa: E402
from minitf.ops.math_reduce_ops import reduction_axes as reduction_axes  # noqa: E402
from minitf.ops.math_reduce_ops import reduction_shape as reduction_shape  # noqa: E402

# Last, because they use the names above: the gradients of these ops, and Tensor's operators.
# isort: off
from minitf.ops import math_grad, tensor_operators  # noqa: E402, F401
