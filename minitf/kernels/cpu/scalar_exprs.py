"""Per-op scalar expressions, the building blocks of generated (fused) elementwise kernels.

An entry turns the source of an op's scalar arguments (names of float32/float64 locals in the
generated loop body) into the source of its result, following the op's numpy reference step by
step so that each result is rounded as the reference rounds it: +, -, *, /, sqrt, abs, min/max,
floor/ceil and float casts give bit-identical values (``exact=True``); transcendental functions
come from :mod:`minitf.kernels.cpu.vmath` (vectorizable, within a few ulp of numpy's) or libm,
and numpy's own SIMD versions differ from libm by an ulp or so: those entries are not exact.

Adding an op (an elementwise op of yours that should fuse)::

    @scalar_expr("Softsign", exact=True)
    def _(a, dt, attrs):
        return f"({a[0]} / ({lit(1, dt)} + abs({a[0]})))"

Arguments: ``a`` the argument sources, ``dt`` the op's output dtype name ("float32" or
"float64"), ``attrs`` the op attributes named in ``attrs=`` (they become part of the kernel's
cache key). Names available in the generated module: ``np``, ``math``, ``_vm`` (vmath).
This module is pure Python: importing it compiles nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

__all__ = ["ScalarExpr", "scalar_expr", "lookup", "lit", "FLOAT_DTYPES", "supported_ops"]

FLOAT_DTYPES = ("float32", "float64")

Builder = Callable[[Sequence[str], str, Mapping[str, Any]], str]


class ScalarExpr(NamedTuple):
    build: Builder
    attrs: tuple[str, ...] = ()
    exact: bool = False  # bit-identical to the reference (IEEE +-*/ sqrt, selects, casts)


_EXPRS: dict[str, ScalarExpr] = {}


def scalar_expr(*op_types: str, attrs: Sequence[str] = (),
                exact: bool = False) -> Callable[[Builder], Builder]:
    """Registers the scalar expression builder of one or more op types. ``exact``: its results
    are bit-identical to the op's reference (then a plan may switch between the two freely)."""

    def deco(fn: Builder) -> Builder:
        for t in op_types:
            _EXPRS[t] = ScalarExpr(fn, tuple(attrs), exact)
        return fn

    return deco


def lookup(op_type: str) -> ScalarExpr | None:
    return _EXPRS.get(op_type)


def supported_ops() -> list[str]:
    return sorted(_EXPRS)


def lit(value: float, dt: str) -> str:
    """A literal of dtype ``dt`` (a bare Python float would make numba compute in float64)."""
    v = float(value)
    text = repr(v) if v == v and v not in (float("inf"), float("-inf")) else f"float('{v}')"
    return f"np.float32({text})" if dt == "float32" else f"np.float64({text})"


def _f(name32: str, name64: str) -> Builder:
    """A one-argument function: ``name32`` for float32, ``name64`` for float64."""

    def build(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
        return f"{name32 if dt == 'float32' else name64}({a[0]})"

    return build


def _binary(sym: str) -> Builder:
    def build(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
        return f"({a[0]} {sym} {a[1]})"

    return build


# --- arithmetic (bit-identical to numpy) ---------------------------------------------------------

for _t, _sym in (("AddV2", "+"), ("Add", "+"), ("Sub", "-"), ("Mul", "*"), ("RealDiv", "/")):
    scalar_expr(_t, exact=True)(_binary(_sym))


@scalar_expr("Neg", exact=True)
def _neg(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"(-{a[0]})"


@scalar_expr("Abs", exact=True)
def _abs(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"abs({a[0]})"


@scalar_expr("Square", exact=True)
def _square(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"({a[0]} * {a[0]})"


@scalar_expr("SquaredDifference", exact=True)
def _sqdiff(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"(({a[0]} - {a[1]}) * ({a[0]} - {a[1]}))"


@scalar_expr("Sqrt", exact=True)
def _sqrt(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"np.sqrt({a[0]})"


@scalar_expr("Rsqrt", exact=True)
def _rsqrt(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"({lit(1, dt)} / np.sqrt({a[0]}))"


@scalar_expr("Reciprocal", "Inv", exact=True)
def _reciprocal(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"({lit(1, dt)} / {a[0]})"


@scalar_expr("Maximum", exact=True)
def _maximum(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    x, y = a
    return f"({x} if ({x} >= {y} or {x} != {x}) else {y})"  # nan propagates, as np.maximum


@scalar_expr("Minimum", exact=True)
def _minimum(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    x, y = a
    return f"({x} if ({x} <= {y} or {x} != {x}) else {y})"


@scalar_expr("Sign", exact=True)
def _sign(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    x = a[0]
    one, zero = lit(1, dt), lit(0, dt)
    rest = f"({x} if {x} != {x} else {zero})"  # nan stays nan, -0.0 becomes 0.0 (np.sign)
    return f"({one} if {x} > {zero} else (-{one} if {x} < {zero} else {rest}))"


@scalar_expr("Floor", exact=True)
def _floor(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"np.floor({a[0]})"


@scalar_expr("Ceil", exact=True)
def _ceil(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"np.ceil({a[0]})"


@scalar_expr("Pow")
def _pow(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"({a[0]} ** {a[1]})"


@scalar_expr("Cast", attrs=("DstT",), exact=True)
def _cast(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"np.{dt}({a[0]})"


# --- transcendental ------------------------------------------------------------------------------

scalar_expr("Exp")(_f("_vm.exp32", "_vm.exp64"))
scalar_expr("Log")(_f("_vm.log32", "math.log"))
scalar_expr("Tanh")(_f("_vm.tanh32", "math.tanh"))
scalar_expr("Sigmoid")(_f("_vm.sigmoid32", "_vm.sigmoid64"))
scalar_expr("Softplus")(_f("_vm.softplus32", "_vm.softplus64"))
scalar_expr("Expm1")(_f("_vm.expm1_32", "math.expm1"))
for _t, _fn in (("Log1p", "log1p"), ("Sin", "sin"), ("Cos", "cos"),
                ("Tan", "tan"), ("Asin", "asin"), ("Acos", "acos"), ("Atan", "atan"),
                ("Sinh", "sinh"), ("Cosh", "cosh")):
    scalar_expr(_t)(_f(f"math.{_fn}", f"math.{_fn}"))  # libm, as numpy's scalar loops


@scalar_expr("Atan2")
def _atan2(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"math.atan2({a[0]}, {a[1]})"


@scalar_expr("Round", "Rint", exact=True)
def _rint(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"np.rint({a[0]})"  # half to even


@scalar_expr("DivNoNan", exact=True)
def _div_no_nan(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    x, y = a
    return f"({lit(0, dt)} if {y} == {lit(0, dt)} else ({x} / {y}))"


@scalar_expr("TruncateDiv", exact=True)
def _truncatediv(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"np.trunc({a[0]} / {a[1]})"


@scalar_expr("TruncateMod", exact=True)
def _truncatemod(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"np.fmod({a[0]}, {a[1]})"


# --- backward ops of unary functions (inputs: y, dy) ---------------------------------------------

@scalar_expr("TanhGrad", exact=True)
def _tanh_grad(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    y, dy = a
    return f"({dy} * ({lit(1, dt)} - {y} * {y}))"


@scalar_expr("SigmoidGrad", exact=True)
def _sigmoid_grad(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    y, dy = a
    return f"({dy} * ({y} * ({lit(1, dt)} - {y})))"


@scalar_expr("SqrtGrad", exact=True)
def _sqrt_grad(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    y, dy = a
    zero = lit(0, dt)
    return f"({zero} if {dy} == {zero} else (({dy} * {lit(0.5, dt)}) / {y}))"


@scalar_expr("RsqrtGrad", exact=True)
def _rsqrt_grad(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    y, dy = a
    return f"({dy} * ((({lit(-0.5, dt)} * {y}) * {y}) * {y}))"


@scalar_expr("ReciprocalGrad", exact=True)
def _reciprocal_grad(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    y, dy = a
    return f"((-{dy}) * ({y} * {y}))"


# --- activations (minitf/ops/nn_activation_ops.py references) ------------------------------------

@scalar_expr("Relu", exact=True)
def _relu(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    x, zero = a[0], lit(0, dt)
    return f"({x} if ({x} >= {zero} or {x} != {x}) else {zero})"


@scalar_expr("Relu6", exact=True)
def _relu6(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    x, zero, six = a[0], lit(0, dt), lit(6, dt)
    m = f"({x} if ({x} >= {zero} or {x} != {x}) else {zero})"
    return f"({m} if ({m} <= {six} or {m} != {m}) else {six})"


def _expm1(x: str, dt: str) -> str:
    return f"_vm.expm1_32({x})" if dt == "float32" else f"math.expm1({x})"


@scalar_expr("Elu")
def _elu(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    x = a[0]
    return f"({_expm1(x, dt)} if {x} < {lit(0, dt)} else {x})"


_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


@scalar_expr("Selu")
def _selu(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    x = a[0]
    neg = f"({lit(_SELU_SCALE * _SELU_ALPHA, dt)} * {_expm1(x, dt)})"
    return f"({neg} if {x} < {lit(0, dt)} else ({lit(_SELU_SCALE, dt)} * {x}))"


@scalar_expr("LeakyRelu", attrs=("alpha",), exact=True)
def _leaky_relu(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    x = a[0]
    return f"({x} if {x} > {lit(0, dt)} else ({x} * {lit(attrs['alpha'], dt)}))"


@scalar_expr("Softsign", exact=True)
def _softsign(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    return f"({a[0]} / ({lit(1, dt)} + abs({a[0]})))"


@scalar_expr("ReluGrad", exact=True)
def _relu_grad(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    g, x = a
    return f"({g} if {x} > {lit(0, dt)} else {lit(0, dt)})"


@scalar_expr("Relu6Grad", exact=True)
def _relu6_grad(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    g, x = a
    return f"({g} if ({x} > {lit(0, dt)} and {x} < {lit(6, dt)}) else {lit(0, dt)})"


@scalar_expr("EluGrad", exact=True)
def _elu_grad(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    g, y = a
    return f"(({g} * ({y} + {lit(1, dt)})) if {y} < {lit(0, dt)} else {g})"


@scalar_expr("LeakyReluGrad", attrs=("alpha",), exact=True)
def _leaky_relu_grad(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    g, x = a
    return f"({g} if {x} > {lit(0, dt)} else ({g} * {lit(attrs['alpha'], dt)}))"


@scalar_expr("SoftsignGrad", exact=True)
def _softsign_grad(a: Sequence[str], dt: str, attrs: Mapping[str, Any]) -> str:
    g, x = a
    d = f"({lit(1, dt)} + abs({x}))"
    return f"({g} / ({d} * {d}))"
