"""``tf.math``: TF 1.x's math namespace.

Everything in :mod:`minitf.ops.math_ops` under TF's ``tf.math.*`` names, a few composites that
exist only here (``reduce_variance``, ``reduce_std``, ``reduce_euclidean_norm``, ``polyval``),
and the activation-style functions TF also lists here, resolved lazily from ``tf.nn``.
"""

from __future__ import annotations

from typing import Any

from minitf.framework.graph import name_scope
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.ops.math_ops import (
    abs,
    accumulate_n,
    acos,
    acosh,
    add,
    add_n,
    argmax,
    argmin,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    ceil,
    conj,
    cos,
    cosh,
    count_nonzero,
    cumprod,
    cumsum,
    div_no_nan,
    divide,
    equal,
    exp,
    expm1,
    floor,
    floordiv,
    floormod,
    greater,
    greater_equal,
    is_finite,
    is_inf,
    is_nan,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    mod,
    multiply,
    negative,
    not_equal,
    pow,
    reciprocal,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
    rint,
    round,
    rsqrt,
    scalar_mul,
    segment_sum,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    squared_difference,
    subtract,
    tan,
    tanh,
    truediv,
    unsorted_segment_sum,
)

divide_no_nan = div_no_nan

# Listed in tf.math by TF but implemented by the nn family.
_FROM_NN = ("softplus", "softsign", "softmax", "log_softmax", "log_sigmoid", "l2_normalize",
            "top_k", "in_top_k")

__all__ = [
    "abs", "accumulate_n", "acos", "acosh", "add", "add_n", "argmax", "argmin", "asin", "asinh",
    "atan", "atan2", "atanh",
    "ceil", "conj", "cos", "cosh", "count_nonzero", "cumprod", "cumsum", "divide",
    "divide_no_nan", "equal", "exp", "expm1", "floor", "floordiv", "floormod",
    "greater", "greater_equal", "is_finite", "is_inf", "is_nan", "less", "less_equal", "log",
    "log1p", "logical_and", "logical_not", "logical_or", "logical_xor", "maximum", "minimum",
    "mod", "multiply", "negative", "not_equal", "polyval", "pow", "reciprocal",
    "reduce_all", "reduce_any", "reduce_euclidean_norm", "reduce_logsumexp", "reduce_max",
    "reduce_mean", "reduce_min", "reduce_prod", "reduce_std", "reduce_sum", "reduce_variance",
    "rint", "round", "rsqrt", "scalar_mul", "segment_sum", "sigmoid", "sign", "sin", "sinh",
    "sqrt", "square", "squared_difference", "subtract", "tan", "tanh", "truediv",
    "unsorted_segment_sum", *_FROM_NN,
]


def reduce_variance(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                    name: str | None = None) -> Tensor:
    """Variance over ``axis`` (mean of squared deviations, as ``tf.math.reduce_variance``)."""
    with name_scope(name or "reduce_variance"):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        means = reduce_mean(x, axis=axis, keepdims=True)
        return reduce_mean(square(subtract(x, means)), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor: Any, axis: Any = None, keepdims: bool = False,
               name: str | None = None) -> Tensor:
    """Standard deviation over ``axis`` (``tf.math.reduce_std``)."""
    with name_scope(name or "reduce_std"):
        return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def reduce_euclidean_norm(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                          name: str | None = None) -> Tensor:
    """sqrt(sum(x^2)) over ``axis``; floating point only (TF has an EuclideanNorm op)."""
    with name_scope(name, "EuclideanNorm", [input_tensor]) as scope:
        x = convert_to_tensor(input_tensor, name="input_tensor")
        return sqrt(reduce_sum(square(x), axis=axis, keepdims=keepdims), name=scope)


def polyval(coeffs: Any, x: Any, name: str | None = None) -> Tensor:
    """coeffs[0] * x^(n-1) + ... + coeffs[n-1], by Horner's method (``tf.math.polyval``)."""
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError(f"Argument coeffs must be list type found {type(coeffs)}.")
    with name_scope(name, "polyval", [*coeffs, x]):
        x = convert_to_tensor(x, name="x")
        if not coeffs:
            from minitf.ops import array_ops

            return array_ops.zeros_like(x, name=name)
        coeffs = [convert_to_tensor(c, name=f"coeff_{i}") for i, c in enumerate(coeffs)]
        p = coeffs[0]
        for c in coeffs[1:]:
            p = c + p * x
        return p


def __getattr__(name: str) -> Any:
    if name in _FROM_NN:
        import minitf.nn

        return getattr(minitf.nn, name)
    raise AttributeError(f"module 'minitf.math' has no attribute '{name}'")
