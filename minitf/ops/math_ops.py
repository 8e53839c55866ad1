"""Math ops: elementwise arithmetic, comparisons, casts, matmul/einsum, reductions, scans and
segment sums; and the Python operators on Tensor.

Each op type is declared once here (signature, shape function, numpy reference); gradients
live in :mod:`minitf.ops.math_grad`. Wrappers follow TF 1.x: same signatures, defaults, op
names and name scopes (``tf.add`` makes ``Add`` of type AddV2, ``x + y`` makes ``add``).

References return exactly the declared dtype (numpy would widen int32 sums to int64, so
reductions pass ``dtype=``). Integer division by zero raises InvalidArgumentError like TF;
float division by zero gives inf/nan silently (the executor suppresses numpy's warnings).
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
from minitf.framework.tensor_shape import TensorShape, broadcast_static_shapes
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
    if not np.all(y):
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
    return dy * 0.5 / y


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


# --- matmul --------------------------------------------------------------------------------------

def _rank_error(shape: TensorShape, want: str) -> ValueError:
    return ValueError(f"Shape must be {want} but is rank {shape.ndims}")


def _matmul_shape(op: Any) -> list[TensorShape]:
    a, b = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    for s in (a, b):
        if s.ndims is not None and s.ndims != 2:
            raise _rank_error(s, "rank 2")
    ad = a.as_tuple() or (None, None)
    bd = b.as_tuple() or (None, None)
    m, k1 = (ad[1], ad[0]) if op._attrs["transpose_a"] else ad
    k2, n = (bd[1], bd[0]) if op._attrs["transpose_b"] else bd
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"Dimensions must be equal, but are {k1} and {k2}")
    return [TensorShape([m, n])]


def _matmul_ref(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False) -> Any:
    if transpose_a:
        a = a.T
    if transpose_b:
        b = b.T
    if a.shape[1] != b.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, f"Matrix size-incompatible: In[0]: [{a.shape[0]},{a.shape[1]}], "
                        f"In[1]: [{b.shape[0]},{b.shape[1]}]")
    return np.matmul(a, b)


_MATMUL_TYPES = "{bfloat16, float16, float32, float64, int8, int16, int32, int64, uint8, " \
                "uint16, uint32, uint64, complex64, complex128}"
register_op("MatMul", inputs=["a: T", "b: T"], outputs=["product: T"],
            attrs=["transpose_a: bool = false", "transpose_b: bool = false",
                   "grad_a: bool = false", "grad_b: bool = false", f"T: {_MATMUL_TYPES}"],
            shape=_matmul_shape, reference=_matmul_ref,
            kernel_attrs=("transpose_a", "transpose_b"))


def _batch_matmul_shape(op: Any) -> list[TensorShape]:
    a, b = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    for s in (a, b):
        if s.ndims is not None and s.ndims < 2:
            raise _rank_error(s, "at least rank 2")
    if a.ndims is None or b.ndims is None:
        return [TensorShape(None)]
    ad, bd = a.as_tuple(), b.as_tuple()
    m, k1 = (ad[-1], ad[-2]) if op._attrs["adj_x"] else (ad[-2], ad[-1])
    k2, n = (bd[-1], bd[-2]) if op._attrs["adj_y"] else (bd[-2], bd[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"Dimensions must be equal, but are {k1} and {k2}")
    batch = broadcast_static_shapes(TensorShape(ad[:-2]), TensorShape(bd[:-2]))
    return [batch.concatenate([m, n])]


def _adjoint(x: Any) -> Any:
    x = np.swapaxes(x, -1, -2)
    return np.conj(x) if x.dtype.kind == "c" else x


def _batch_matmul_ref(x: Any, y: Any, adj_x: bool = False, adj_y: bool = False) -> Any:
    if x.ndim < 2 or y.ndim < 2:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] and In[1] must have rank >= 2: {list(x.shape)} vs "
                        f"{list(y.shape)}")
    if adj_x:
        x = _adjoint(x)
    if adj_y:
        y = _adjoint(y)
    if x.shape[-1] != y.shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Matrix size-incompatible: In[0]: {list(x.shape)}, In[1]: "
                        f"{list(y.shape)}")
    try:
        return np.matmul(x, y)
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] and In[1] must have compatible batch dimensions: "
                        f"{list(x.shape)} vs. {list(y.shape)}") from None


register_op("BatchMatMulV2", inputs=["x: T", "y: T"], outputs=["output: T"],
            attrs=[f"T: {_MATMUL_TYPES}", "adj_x: bool = false", "adj_y: bool = false",
                   "grad_x: bool = false", "grad_y: bool = false"],
            shape=_batch_matmul_shape, reference=_batch_matmul_ref,
            kernel_attrs=("adj_x", "adj_y"))


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, output_type: Any = None, grad_a: bool = False,
           grad_b: bool = False, name: str | None = None) -> Tensor:
    """Matrix product (``tf.matmul``): MatMul for rank 2, BatchMatMulV2 (batch dimensions
    broadcast) when either input has another or unknown rank."""
    with name_scope(name, "MatMul", [a, b]) as scope:
        if transpose_a and adjoint_a:
            raise ValueError(f"Only one of `transpose_a` and `adjoint_a` can be True. Received "
                             f"`transpose_a`={transpose_a}, `adjoint_a`={adjoint_a}.")
        if transpose_b and adjoint_b:
            raise ValueError(f"Only one of `transpose_b` and `adjoint_b` can be True. Received "
                             f"`transpose_b`={transpose_b}, `adjoint_b`={adjoint_b}.")
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, dtype_hint=a.dtype.base_dtype, name="b")
        if output_type is not None and (dtypes.as_dtype(output_type) != a.dtype.base_dtype
                                        or dtypes.as_dtype(output_type) != b.dtype.base_dtype):
            raise NotImplementedError("matmul with an output_type different from the inputs' "
                                      "(BatchMatMulV3) is not supported")
        ra, rb = a.get_shape().ndims, b.get_shape().ndims
        if ra is None or rb is None or ra > 2 or rb > 2:
            # BatchMatMulV2 only adjoints: transpose = adjoint of the conjugate (no-op if real)
            if transpose_a:
                a, adjoint_a = conj(a), True
            if transpose_b:
                b, adjoint_b = conj(b), True
            return apply_op("BatchMatMulV2", name=scope, x=a, y=b, adj_x=bool(adjoint_a),
                            adj_y=bool(adjoint_b))
        if adjoint_a:
            a, transpose_a = conj(a), True
        if adjoint_b:
            b, transpose_b = conj(b), True
        return apply_op("MatMul", name=scope, a=a, b=b, transpose_a=bool(transpose_a),
                        transpose_b=bool(transpose_b))


# --- einsum --------------------------------------------------------------------------------------
# Equations are kept in TF's resolved form ("ij,jk->ik", "..." for broadcast dimensions).
# Internally a subscript is a tuple of tokens, "." standing for the ellipsis.

_EINSUM_TYPES = "{bfloat16, float16, float32, float64, int32, int64, complex64, complex128}"
_EQUATION_CACHE: dict[str, tuple[list[tuple[str, ...]], tuple[str, ...]]] = {}


def _tokens(subscript: str) -> tuple[str, ...]:
    return tuple(subscript.replace("...", "."))


def _join(tokens: Any) -> str:
    return "".join("..." if t == "." else t for t in tokens)


def _dedupe(tokens: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tokens))


def parse_equation(equation: str) -> tuple[list[tuple[str, ...]], tuple[str, ...]]:
    """A resolved equation as (input subscripts, output subscript), each a token tuple."""
    parsed = _EQUATION_CACHE.get(equation)
    if parsed is None:
        lhs, out = equation.split("->")
        parsed = ([_tokens(s) for s in lhs.split(",")], _tokens(out))
        _EQUATION_CACHE[equation] = parsed
    return parsed


def _resolve_equation(equation: str, num_inputs: int) -> str:
    """TF's einsum equation validation; adds the implicit output ("ij,jk" -> "ij,jk->ik")."""
    import re
    from collections import Counter

    eq = equation.replace(" ", "")
    if "..." in eq and "0" in eq:
        raise ValueError(f'Invalid character "0" in equation: {equation}.')
    eq = eq.replace("...", "0")
    m = re.match(r"^([a-zA-Z0,]*)(->[a-zA-Z0]*)?$", eq)
    if not m:
        raise ValueError(f"Subscripts have incorrect format: {eq}")
    inputs = m.group(1).split(",")
    if len(inputs) != num_inputs:
        raise ValueError(f'Got {num_inputs} inputs for equation "{equation}", expecting '
                         f"{len(inputs)}")
    if m.group(2) is None:
        counts = Counter(m.group(1))
        eq += "->" + "".join(c for c in sorted(counts) if c != "," and counts[c] == 1)
    out = eq.split("->")[1]
    if len(set(out)) != len(out):
        raise ValueError("Output subscripts contain a label appearing more than once: "
                         f"{equation}")
    for c in out:
        if c != "0" and c not in m.group(1):
            raise ValueError(f"Output subscripts contain the label {c} not present in the input "
                             "subscripts.")
    for s in inputs:
        if s.count("0") > 1:
            raise ValueError(f"Too many ellipses in input label {s.replace('0', '...')}.")
    return eq.replace("0", "...")


def _einsum_shape(op: Any) -> list[TensorShape]:
    ins, out = parse_equation(op._attrs["equation"])
    if len(ins) != len(op.inputs):
        raise ValueError(f"Expecting {len(ins)} inputs but got {len(op.inputs)}")
    dims: dict[str, int | None] = {}
    ellipsis = TensorShape([])
    ellipsis_known = True
    for i, (toks, t) in enumerate(zip(ins, op.inputs)):
        s = t.get_shape()
        labels = [c for c in toks if c != "."]
        if s.ndims is None:
            ellipsis_known = ellipsis_known and "." not in toks
            continue
        sd = s.as_tuple()
        if "." in toks:
            if s.ndims < len(labels):
                raise ValueError(f"Expected input {i} to have rank at least {len(labels)} but "
                                 f"got: {s.ndims}")
            k = toks.index(".")
            n_ell = s.ndims - len(labels)
            ellipsis = broadcast_static_shapes(ellipsis, TensorShape(sd[k:k + n_ell]))
            sd = sd[:k] + sd[k + n_ell:]
        elif s.ndims != len(labels):
            raise ValueError(f"Expected input {i} to have rank {len(labels)} but got: "
                             f"{s.ndims}")
        for c, d in zip(labels, sd):
            prev = dims.get(c)
            if prev is None:
                dims[c] = d
            elif d is not None and d != prev:
                raise ValueError(f"Dimensions must be equal, but are {prev} and {d}")
    if "." not in out and ellipsis_known and ellipsis.ndims:
        raise ValueError(f"Shape must be at most rank 0 but is rank {ellipsis.ndims}")
    out_dims: list[int | None] = []
    for c in out:
        if c == ".":
            if not ellipsis_known:
                return [TensorShape(None)]
            out_dims.extend(ellipsis.as_tuple() or ())
        else:
            out_dims.append(dims.get(c))
    return [TensorShape(out_dims)]


def _einsum_sizes(ins: list[tuple[str, ...]], inputs: tuple[Any, ...]
                  ) -> tuple[dict[str, int], tuple[int, ...]]:
    """Label sizes and the broadcast ellipsis shape; numpy would silently broadcast size-1
    labels, TF does not."""
    sizes: dict[str, int] = {}
    ellipsis: tuple[int, ...] = ()
    for i, (toks, x) in enumerate(zip(ins, inputs)):
        shape = x.shape
        n_labels = len(toks) - ("." in toks)
        if "." in toks:
            if len(shape) < n_labels:
                raise errors.InvalidArgumentError(
                    None, None, f"Expected input {i} to have rank at least {n_labels} but got: "
                                f"{len(shape)}")
            k = toks.index(".")
            n_ell = len(shape) - n_labels
            try:
                ellipsis = np.broadcast_shapes(ellipsis, shape[k:k + n_ell])
            except ValueError:
                raise errors.InvalidArgumentError(
                    None, None, f"Incompatible broadcast dimensions in einsum input {i}: "
                                f"{list(shape)}") from None
            shape = shape[:k] + shape[k + n_ell:]
        elif len(shape) != n_labels:
            raise errors.InvalidArgumentError(
                None, None, f"Expected input {i} to have rank {n_labels} but got: {len(shape)}")
        for c, d in zip((c for c in toks if c != "."), shape):
            if sizes.setdefault(c, d) != d:
                raise errors.InvalidArgumentError(
                    None, None, f"Expected dimension {sizes[c]} for label {c} of input {i} "
                                f"but got {d}")
    return sizes, ellipsis


def _einsum_ref(*inputs: Any, equation: str) -> Any:
    ins, out = parse_equation(equation)
    sizes, ellipsis = _einsum_sizes(ins, inputs)
    if "." not in out and ellipsis:
        raise errors.InvalidArgumentError(None, None, f"Output subscripts of {equation} have no "
                                                      f"ellipsis for broadcast dims {ellipsis}")
    optimize = len(inputs) > 1 and builtins.max(x.size for x in inputs) >= 4096
    unique = _dedupe(out)
    lhs = equation.split("->")[0]
    if len(unique) == len(out):
        r = np.einsum(equation, *inputs, optimize=optimize)
        if len(inputs) == 1 and np.may_share_memory(r, inputs[0]):
            r = r.copy()  # "ij->ji" and "ii->i" are views; outputs must not alias inputs
    else:  # a repeated output label writes a diagonal ("i->ii"), TF's "un-trace"
        diag = np.einsum(f"{lhs}->{_join(unique)}", *inputs, optimize=optimize)
        full_shape: list[int] = []
        for c in out:
            full_shape.extend(ellipsis if c == "." else (sizes[c],))
        r = np.zeros(full_shape, dtype=diag.dtype)
        np.einsum(f"{_join(out)}->{_join(unique)}", r)[...] = diag
    dtype = inputs[0].dtype
    return r if r.dtype == dtype else r.astype(dtype)


register_op("Einsum", inputs=["inputs: N * T"], outputs=["output: T"],
            attrs=["equation: string", "N: int >= 1", f"T: {_EINSUM_TYPES}"],
            shape=_einsum_shape, reference=_einsum_ref, kernel_attrs=("equation",))


def einsum(equation: str, *inputs: Any, **kwargs: Any) -> Tensor:
    """Einstein summation (``tf.einsum``): one Einsum op for one or two operands, a chain of
    binary Einsum ops (left to right) for more."""
    name = kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for einsum: {', '.join(kwargs)}. Valid "
                        "arguments: name, optimize, greedy.")
    with name_scope(name, "einsum", list(inputs)):
        resolved = _resolve_equation(equation, len(inputs))
        if len(inputs) <= 2:
            return apply_op("Einsum", inputs=list(inputs), equation=resolved)
        ins, out = parse_equation(resolved)
        cur, cur_spec = inputs[0], ins[0]
        for i in builtins.range(1, len(inputs)):
            if i == len(inputs) - 1:
                keep = out
            else:
                later = set(out).union(*ins[i + 1:])
                keep = tuple(c for c in _dedupe(cur_spec + ins[i]) if c in later)
            eq = f"{_join(cur_spec)},{_join(ins[i])}->{_join(keep)}"
            cur, cur_spec = apply_op("Einsum", inputs=[cur, inputs[i]], equation=eq), keep
        return cur


# --- tensordot, trace ----------------------------------------------------------------------------

def _tensordot_axes(a: Tensor, axes: Any) -> tuple[list[int], list[int]]:
    if isinstance(axes, Tensor):
        from minitf.framework.constant_value import constant_value

        value = constant_value(axes)
        if value is None:
            raise NotImplementedError("tensordot with axes computed at run time is not "
                                      "supported")
        axes = value.tolist()
    if isinstance(axes, (int, np.integer)):
        axes = int(axes)
        if axes < 0:
            raise ValueError(f"`axes` must be at least 0. Received: {axes}.")
        rank = a.get_shape().ndims
        if rank is None:
            raise NotImplementedError("tensordot with an integer `axes` needs the rank of `a`")
        if axes > rank:
            raise ValueError(f"`axes` must not be larger than the number of dimensions of "
                             f"tensor {a}.  Received {axes}, vs tensor dimensions {rank}.")
        return list(builtins.range(rank - axes, rank)), list(builtins.range(axes))
    if isinstance(axes, (list, tuple, np.ndarray)):
        if len(axes) != 2:
            raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
        a_axes, b_axes = axes[0], axes[1]
        if isinstance(a_axes, (int, np.integer)) and isinstance(b_axes, (int, np.integer)):
            a_axes, b_axes = [a_axes], [b_axes]
        a_axes, b_axes = [int(v) for v in a_axes], [int(v) for v in b_axes]
        if len(a_axes) != len(b_axes):
            raise ValueError(f"Different number of contraction axes `a` and `b`, "
                             f"{len(a_axes)} != {len(b_axes)}.")
        return a_axes, b_axes
    raise TypeError(f"`axes` must be an integer, a pair of lists or a Tensor, got {axes!r}")


def _tensordot_reshape(a: Tensor, axes: list[int], flipped: bool = False
                       ) -> tuple[Tensor, list[int]]:
    from minitf.ops import array_ops

    shape_a = a.get_shape().as_list()
    axes = [i if i >= 0 else i + len(shape_a) for i in axes]
    free = [i for i in builtins.range(len(shape_a)) if i not in axes]
    free_dims = [shape_a[i] for i in free]
    prod_free = int(np.prod([shape_a[i] for i in free]))
    prod_axes = int(np.prod([shape_a[i] for i in axes]))
    perm = axes + free if flipped else free + axes
    new_shape = [prod_axes, prod_free] if flipped else [prod_free, prod_axes]
    a_trans = a
    if perm != list(builtins.range(len(shape_a))):
        a_trans = array_ops.transpose(a, perm)
    if a_trans.get_shape().as_list() != new_shape:
        a_trans = array_ops.reshape(a_trans, new_shape)
    return a_trans, free_dims


def tensordot(a: Any, b: Any, axes: Any, name: str | None = None) -> Tensor:
    """Sums products over ``axes`` of ``a`` and ``b`` (``tf.tensordot``).

    Static shapes take TF's route (transpose, reshape, MatMul, reshape); partially known
    shapes become one Einsum op (TF gathers the dimensions in the graph instead).
    """
    with name_scope(name, "Tensordot", [a, b, axes]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        a_axes, b_axes = _tensordot_axes(a, axes)
        sa, sb = a.get_shape(), b.get_shape()
        if sa.is_fully_defined() and sb.is_fully_defined():
            from minitf.ops import array_ops

            a_mat, a_free = _tensordot_reshape(a, a_axes)
            b_mat, b_free = _tensordot_reshape(b, b_axes, True)
            product = matmul(a_mat, b_mat)
            if product.get_shape().as_list() == a_free + b_free:
                return product
            return array_ops.reshape(product, a_free + b_free, name=scope)
        if sa.ndims is None or sb.ndims is None:
            raise NotImplementedError("tensordot needs the ranks of both inputs")
        letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        a_sub = [next(letters) for _ in builtins.range(sa.ndims)]
        b_sub = [next(letters) for _ in builtins.range(sb.ndims)]
        for i, j in zip(a_axes, b_axes):
            b_sub[j] = a_sub[i]
        contracted = {a_sub[i] for i in a_axes}
        out = [c for c in a_sub if c not in contracted] + [c for c in b_sub if c not in contracted]
        eq = f"{''.join(a_sub)},{''.join(b_sub)}->{''.join(out)}"
        return apply_op("Einsum", name=scope, inputs=[a, b], equation=eq)


def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None,  # noqa: A002 - TF's name
         keepdims: Any = None, name: str | None = None, keep_dims: Any = None) -> Tensor:
    """Vector and matrix norms (``tf.norm``); see :func:`minitf.api.linalg.norm`."""
    from minitf.api.linalg import norm as linalg_norm

    return linalg_norm(tensor, ord=ord, axis=axis, keepdims=keepdims, name=name,
                       keep_dims=keep_dims)


def trace(x: Any, name: str | None = None) -> Tensor:
    """Sum of the main diagonal of the innermost matrices (``tf.trace``)."""
    from minitf.ops import array_ops

    with name_scope(name, "Trace", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return reduce_sum(array_ops.matrix_diag_part(x), [-1], name=scope)


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


# --- Python operators on Tensor ------------------------------------------------------------------
# As TF: ``x + y`` opens an ``add`` name scope and calls the dispatch function; when that fails
# the right operand's reflected operator gets a try. ``2 * x`` converts 2 to x's dtype as
# ``mul/x``. Tensor.__eq__ stays identity (TF 1.x).

def _add_operator(x: Any, y: Any, name: str | None = None) -> Tensor:
    if not isinstance(y, Tensor):
        y = convert_to_tensor(y, dtype_hint=x.dtype.base_dtype, name="y")
    op_type = "Add" if x.dtype.base_dtype == dtypes.string else "AddV2"
    return apply_op(op_type, name=name, x=x, y=y)


def _mul_operator(x: Any, y: Any, name: str | None = None) -> Tensor:
    if (isinstance(x, Tensor) and x.dtype.base_dtype == dtypes.bool) or (
            isinstance(y, Tensor) and y.dtype.base_dtype == dtypes.bool):
        product = multiply(cast(x, dtypes.int32), cast(y, dtypes.int32), name=name)
        return cast(product, dtypes.bool)
    return multiply(x, y, name=name)


def _mod_operator(x: Any, y: Any, name: str | None = None) -> Tensor:
    with name_scope(name, "mod", [x, y]) as scope:
        return apply_op("FloorMod", name=scope, x=x, y=y)


def _bitwise_or_logical(logical: str, bitwise: str) -> Any:
    def fn(x: Any, y: Any, name: str | None = None) -> Tensor:
        if x.dtype.base_dtype == dtypes.bool:
            if logical == "xor":
                return logical_xor(x, y, name=name)
            return apply_op(logical, name=name, x=x, y=y)
        return apply_op(bitwise, x=x, y=y)

    return fn


def _binary_operator(fn: Any, op_name: str) -> tuple[Any, Any]:
    def forward(x: Tensor, y: Any) -> Any:
        with name_scope(None, op_name, [x, y]) as scope:
            try:
                return fn(x, y, name=scope)
            except (TypeError, ValueError) as e:
                r_op = getattr(type(y), f"__r{op_name}__", None)
                if r_op is None:
                    raise
                try:
                    out = r_op(y, x)
                except (TypeError, ValueError):
                    raise e from None
                if out is NotImplemented:
                    raise
                return out

    def reflected(y: Tensor, x: Any) -> Any:
        with name_scope(None, op_name, [x, y]) as scope:
            x = convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x")
            return fn(x, y, name=scope)

    forward.__name__, reflected.__name__ = f"__{op_name}__", f"__r{op_name}__"
    return forward, reflected


def _invert_operator(x: Tensor) -> Tensor:
    if x.dtype.base_dtype == dtypes.bool:
        return apply_op("LogicalNot", x=x)
    return apply_op("Invert", x=x)


def _install_operators() -> None:
    table = [("add", _add_operator), ("sub", subtract), ("mul", _mul_operator),
             ("truediv", truediv), ("floordiv", floordiv), ("mod", _mod_operator),
             ("pow", pow), ("matmul", matmul),
             ("and", _bitwise_or_logical("LogicalAnd", "BitwiseAnd")),
             ("or", _bitwise_or_logical("LogicalOr", "BitwiseOr")),
             ("xor", _bitwise_or_logical("xor", "BitwiseXor"))]
    for op_name, fn in table:
        forward, reflected = _binary_operator(fn, op_name)
        setattr(Tensor, f"__{op_name}__", forward)
        setattr(Tensor, f"__r{op_name}__", reflected)
    Tensor.__neg__ = lambda self: apply_op("Neg", x=self)  # type: ignore[method-assign]
    Tensor.__abs__ = lambda self: abs(self)  # type: ignore[method-assign]
    Tensor.__invert__ = _invert_operator  # type: ignore[method-assign]
    for dunder, op_type in (("lt", "Less"), ("le", "LessEqual"), ("gt", "Greater"),
                            ("ge", "GreaterEqual")):
        setattr(Tensor, f"__{dunder}__", _comparison_operator(op_type))


def _comparison_operator(op_type: str) -> Any:
    def compare(self: Tensor, y: Any) -> Tensor:
        return apply_op(op_type, x=self, y=y)

    return compare


_install_operators()

from minitf.ops import math_grad  # noqa: E402, F401  (registers the gradients of these ops)
