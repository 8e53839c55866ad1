"""Differential tests of the elementwise math ops, casts, add_n and the Tensor operators
against TensorFlow (``tfv1``): values, dtypes, static shapes, op names/types and errors.

``run_both`` (also used by the other test_math_* modules) builds the same graph with minitf
and with TF, feeding the given numpy values through placeholders, and runs both.
"""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf

pytestmark = pytest.mark.tf


# --- helpers -------------------------------------------------------------------------------------

class Run:
    """One framework's graph, fetches and fetched values."""

    def __init__(self, graph, fetch, value):
        self.graph, self.fetch, self.value = graph, fetch, value

    @property
    def ops(self):
        return [(op.name, op.type) for op in self.graph.get_operations()]


def _build(mod, build, values, shapes, feed):
    g = mod.Graph()
    with g.as_default():
        phs = [mod.placeholder(mod.as_dtype(np.asarray(v).dtype),
                               np.shape(v) if shapes is None else shapes[i])
               for i, v in enumerate(values)]
        fetch = build(mod, *phs)
        value = None
        if feed:
            with mod.Session() as sess:
                value = sess.run(fetch, dict(zip(phs, values)))
    return Run(g, fetch, value)


def run_both(tfv1, build, *values, shapes=None, feed=True):
    """(minitf Run, TF Run) for ``build(module, *placeholders)`` fed with ``values``."""
    values = [np.asarray(v) for v in values]
    return (_build(mtf, build, values, shapes, feed), _build(tfv1, build, values, shapes, feed))


def _tolerance(dtype):
    return {np.float16: 2e-3, np.float32: 2e-6, np.complex64: 2e-6}.get(np.dtype(dtype).type,
                                                                       1e-12)


def assert_values(actual, expected):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    if actual.dtype.kind in "fc":
        np.testing.assert_allclose(actual, expected, rtol=_tolerance(actual.dtype),
                                   atol=_tolerance(actual.dtype))
    else:
        np.testing.assert_array_equal(actual, expected)


def _flat(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def assert_same(mine, theirs, ops=True, values=True):
    """Same values, dtypes, static shapes and names (and graph ops when ``ops``)."""
    for a, b in zip(_flat(mine.fetch), _flat(theirs.fetch)):
        assert a.dtype.name == b.dtype.name
        assert str(a.shape) == str(b.shape), (a.shape, b.shape)
        assert a.name == b.name
    if values:
        for a, b in zip(_flat(mine.value), _flat(theirs.value)):
            assert_values(a, b)
    if ops:
        assert mine.ops == theirs.ops


def check(tfv1, build, *values, shapes=None, ops=True):
    mine, theirs = run_both(tfv1, build, *values, shapes=shapes)
    assert_same(mine, theirs, ops=ops)
    return mine, theirs


def raises_both(tfv1, build, *values, shapes=None, feed=True):
    """Both frameworks raise; returns (minitf error, TF error)."""
    out = []
    for mod in (mtf, tfv1):
        with pytest.raises(Exception) as info:
            _build(mod, build, [np.asarray(v) for v in values], shapes, feed)
        out.append(info.value)
    return out


_rng = np.random.default_rng(0)


def values_of(dtype, shape, low=-3.0, high=3.0, nonzero=False):
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return _rng.random(shape) > 0.5
    if dt.kind in "iu":
        lo = 0 if dt.kind == "u" else int(low)
        v = _rng.integers(lo, int(high) + 1, size=shape).astype(dt)
    else:
        v = _rng.uniform(low, high, size=shape).astype(dt)
    if nonzero:
        v = np.where(v == 0, dt.type(1), v).astype(dt)
    return v


# --- elementwise binary ops ----------------------------------------------------------------------

SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (4,)), ((3, 1, 2), (4, 1))]
INTS = ["int32", "int64"]
FLOATS = ["float32", "float64"]

BINARY = {
    # name: (dtypes, needs a nonzero divisor)
    "add": (FLOATS + INTS + ["float16", "int8", "uint8"], False),
    "subtract": (FLOATS + INTS + ["int16"], False),
    "multiply": (FLOATS + INTS + ["uint8"], False),
    "divide": (FLOATS + INTS + ["int8", "uint8"], True),
    "truediv": (FLOATS + INTS + ["int16"], True),
    "div": (FLOATS + INTS, True),
    "realdiv": (FLOATS, True),
    "floordiv": (FLOATS + INTS, True),
    "floor_div": (FLOATS + INTS, True),
    "floormod": (FLOATS + INTS, True),
    "mod": (FLOATS + INTS, True),
    "truncatediv": (INTS, True),
    "truncatemod": (FLOATS + INTS, True),
    "div_no_nan": (FLOATS, False),
    "maximum": (FLOATS + INTS + ["uint8"], False),
    "minimum": (FLOATS + INTS, False),
    "squared_difference": (FLOATS + INTS, False),
    "pow": (FLOATS, False),
    "atan2": (FLOATS, False),
}


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name,dtype", [(n, d) for n, (ds, _) in BINARY.items() for d in ds])
def test_binary(tfv1, name, dtype, shapes):
    nonzero = BINARY[name][1]
    x = values_of(dtype, shapes[0])
    y = values_of(dtype, shapes[1], nonzero=nonzero)
    if name == "pow":
        x = np.abs(x) + np.asarray(0.5, dtype)
    if name == "div_no_nan" and y.size:
        y.flat[0] = 0
    check(tfv1, lambda t, a, b: getattr(t, name)(a, b), x, y)


def test_binary_special_float_values(tfv1):
    v = np.array([0.0, -0.0, 1.0, -1.5, np.inf, -np.inf, np.nan, 7.0], np.float32)
    x, y = np.meshgrid(v, v)
    for name in ["add", "multiply", "divide", "floordiv", "floormod", "maximum", "minimum",
                 "pow", "squared_difference", "truncatemod", "div_no_nan"]:
        check(tfv1, lambda t, a, b, n=name: getattr(t, n)(a, b), x, y)


def test_floordiv_uses_floor_of_quotient(tfv1):
    # numpy's floor_divide(1, 0.1) is 9; TF computes floor(1 / 0.1) == 10
    check(tfv1, lambda t, a, b: t.floordiv(a, b), np.array([1.0, -1.0, 0.7]),
          np.array([0.1, 0.1, 0.1]))


def test_integer_wraparound(tfv1):
    big = np.array([2**31 - 1, -2**31], np.int32)
    check(tfv1, lambda t, a, b: [a + b, a * b, a - b, -a, t.abs(a)], big, np.array([1, 3],
                                                                                     np.int32))


def test_integer_pow(tfv1):
    check(tfv1, lambda t, a, b: t.pow(a, b), np.array([2, -3, 5], np.int32),
          np.array([0, 3, 2], np.int32))


def test_python_values_become_consts(tfv1):
    check(tfv1, lambda t: [t.add(3, 5), t.subtract(2.5, 1.0), t.multiply([1, 2], 3),
                           t.maximum(2, [1, 4]), t.truediv(7, 2), t.pow(2.0, 3.0),
                           t.floordiv(7, 2), t.mod(7, 3), t.squared_difference(1.0, 4.0)])


def test_named_ops(tfv1):
    check(tfv1, lambda t, a, b: [t.add(a, b, name="plus"), t.subtract(a, b, name="minus"),
                                 t.divide(a, b, name="quot"), t.floordiv(a, b, name="fq"),
                                 t.pow(a, b, name="p"), t.maximum(a, b, name="mx"),
                                 t.multiply(a, b, name="scope/m")],
          values_of("float32", (2,)), values_of("float32", (2,), nonzero=True))


def test_string_add(tfv1):
    mine, theirs = run_both(tfv1, lambda t: [t.add(t.constant(["a", "b"]), "c"),
                                             t.constant(["x"]) + "y"])
    assert_same(mine, theirs, values=False)
    assert [list(v) for v in mine.value] == [list(v) for v in theirs.value]


# --- elementwise unary ops -----------------------------------------------------------------------

UNARY = {
    "negative": FLOATS + INTS + ["int8"], "abs": FLOATS + INTS,
    "sign": FLOATS + INTS, "square": FLOATS + INTS + ["uint8"], "sqrt": FLOATS,
    "rsqrt": FLOATS, "exp": FLOATS + ["float16"], "expm1": FLOATS, "log": FLOATS,
    "log1p": FLOATS, "sin": FLOATS, "cos": FLOATS, "tan": FLOATS, "asin": FLOATS,
    "acos": FLOATS, "atan": FLOATS, "sinh": FLOATS, "cosh": FLOATS, "tanh": FLOATS,
    "asinh": FLOATS, "acosh": FLOATS, "atanh": FLOATS,
    "sigmoid": FLOATS + ["float16"], "reciprocal": FLOATS, "round": FLOATS + INTS,
    "rint": FLOATS, "floor": FLOATS, "ceil": FLOATS, "is_finite": FLOATS,
    "is_nan": FLOATS, "is_inf": FLOATS,
}
_SPECIAL = [0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -2.5, 1e-8, 0.999, -0.999, 3.7, -40.0, 40.0,
            1e30, -1e30, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("name,dtype", [(n, d) for n, ds in UNARY.items() for d in ds])
def test_unary(tfv1, name, dtype):
    if np.dtype(dtype).kind == "f":
        x = np.array(_SPECIAL, dtype=dtype).reshape(3, 6)
    else:
        x = values_of(dtype, (3, 4), low=-5, high=5)
    mine, theirs = run_both(tfv1, lambda t, a: getattr(t, name)(a), x)
    assert_same(mine, theirs, values=False)
    a, b = np.asarray(mine.value), np.asarray(theirs.value)
    assert a.dtype == b.dtype
    if a.dtype.kind == "f":
        # libm and Eigen differ by an ulp or two on transcendental functions
        np.testing.assert_allclose(a, b, rtol=4 * _tolerance(a.dtype), atol=1e-30)
    else:
        np.testing.assert_array_equal(a, b)


def test_tf0_aliases():
    assert (mtf.sub, mtf.mul, mtf.neg) == (mtf.subtract, mtf.multiply, mtf.negative)
    x = mtf.constant([1.0, 2.0])
    assert mtf.neg(x).op.type == "Neg" and mtf.sub(x, x).op.type == "Sub"
    assert mtf.mul(x, x).op.type == "Mul"


def test_round_is_banker_rounding_and_keeps_ints(tfv1):
    mine, theirs = check(tfv1, lambda t, a, b: [t.round(a), t.round(b)],
                         np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6], np.float32),
                         np.array([1, -2], np.int32))
    assert mine.fetch[1].op.type == "Placeholder"


def test_unary_python_values(tfv1):
    check(tfv1, lambda t: [t.abs(-2.0), t.sigmoid(0.0), t.round(2.5), t.negative(3),
                           t.square(3), t.sign(-4.0)])


# --- comparisons and logic -----------------------------------------------------------------------

COMPARE = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]


@pytest.mark.parametrize("shapes", SHAPES[:4], ids=str)
@pytest.mark.parametrize("dtype", FLOATS + INTS + ["uint8"])
@pytest.mark.parametrize("name", COMPARE)
def test_comparison(tfv1, name, dtype, shapes):
    x = values_of(dtype, shapes[0], low=-2, high=2)
    y = values_of(dtype, shapes[1], low=-2, high=2)
    check(tfv1, lambda t, a, b: getattr(t, name)(a, b), x, y)


def test_equal_on_bool_and_string(tfv1):
    check(tfv1, lambda t, a, b: [t.equal(a, b), t.not_equal(a, True),
                                 t.equal(t.constant(["a", "b"]), "a")],
          np.array([True, False]), np.array([True, True]))


def test_comparison_with_nan(tfv1):
    v = np.array([1.0, np.nan, np.inf])
    for name in COMPARE:
        check(tfv1, lambda t, a, b, n=name: getattr(t, n)(a, b), v, v[::-1].copy())


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_binary(tfv1, name):
    x = np.array([[True, False], [True, False]])
    y = np.array([True, False])
    check(tfv1, lambda t, a, b: [getattr(t, name)(a, b), getattr(t, name)(a, b, name="nm")],
          x, y)


def test_logical_not(tfv1):
    check(tfv1, lambda t, a: t.logical_not(a), np.array([True, False]))


# --- casts ---------------------------------------------------------------------------------------

CAST_DTYPES = ["float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64",
               "bool"]


@pytest.mark.parametrize("src", CAST_DTYPES)
@pytest.mark.parametrize("dst", CAST_DTYPES)
def test_cast(tfv1, src, dst):
    if src == "bool":
        x = np.array([True, False, True])
    elif np.dtype(src).kind == "f":
        x = np.array([0.0, 1.7, -1.7, 100.4, -0.4], dtype=src)
    else:
        x = values_of(src, (5,), low=-100, high=100)
    check(tfv1, lambda t, a: [t.cast(a, dst), t.cast(a, dst, name="named")], x)


def test_cast_same_dtype_adds_no_op(tfv1):
    mine, _ = check(tfv1, lambda t, a: [t.cast(a, t.float32), t.to_float(a)],
                    np.ones(2, np.float32))
    assert mine.fetch[0].op.type == "Placeholder"


@pytest.mark.parametrize("fn", ["to_float", "to_double", "to_int32", "to_int64"])
def test_tf1_casts(tfv1, fn):
    check(tfv1, lambda t, a: [getattr(t, fn)(a), getattr(t, fn)(a, name="c")],
          np.array([1.5, -2.5, 3.0], np.float32))


@pytest.mark.parametrize("src,dst", [("float32", "uint8"), ("float32", "int8"),
                                     ("float64", "int32"), ("int32", "int8"),
                                     ("int64", "uint8"), ("float32", "int64"),
                                     ("int32", "float16"), ("float64", "float32"),
                                     ("int32", "int32")])
def test_saturate_cast(tfv1, src, dst):
    if np.dtype(src).kind == "f":
        x = np.array([-1e10, -300.0, -1.5, 0.0, 3.7, 255.5, 300.0, 1e10], dtype=src)
    else:
        info = np.iinfo(src)
        x = np.array([info.min, -300, -1, 0, 3, 255, 300, info.max], dtype=src)
    mine, theirs = run_both(tfv1, lambda t, a: t.saturate_cast(a, dst), x)
    assert_same(mine, theirs, ops=False)


def test_cast_string_fails_at_run_time():
    x = mtf.constant(["1"])
    y = mtf.cast(x, mtf.float32)
    with mtf.Session() as sess, pytest.raises(mtf.errors.UnimplementedError):
        sess.run(y)


# --- add_n ---------------------------------------------------------------------------------------

def test_add_n(tfv1):
    x = values_of("float32", (2, 3))
    check(tfv1, lambda t, a, b, c: [t.add_n([a, b, c]), t.add_n([a, b], name="s"),
                                    t.add_n([a]), t.add_n([a], name="one")],
          x, x * 2, x * 3)


def test_add_n_int_and_python_values(tfv1):
    check(tfv1, lambda t, a: [t.add_n([a, a, a]), t.add_n([a, [1, 2]])],
          np.array([1, 2], np.int32))


def test_add_n_errors(tfv1):
    for build in (lambda t, a, b: t.add_n([a, b]), lambda t, a, b: t.add_n([])):
        errs = raises_both(tfv1, build, np.ones((2, 3), np.float32), np.ones(3, np.float32))
        assert type(errs[0]) is type(errs[1]) is ValueError


def test_add_n_runtime_shape_mismatch():
    a = mtf.placeholder(mtf.float32, [None])
    b = mtf.placeholder(mtf.float32, [None])
    s = mtf.add_n([a, b])
    with mtf.Session() as sess, pytest.raises(mtf.errors.InvalidArgumentError,
                                              match="must have the same size and shape"):
        sess.run(s, {a: np.ones(3), b: np.ones(1)})


# --- operators -----------------------------------------------------------------------------------

OPERATORS = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "//": lambda a, b: a // b, "%": lambda a, b: a % b,
    "**": lambda a, b: a ** b,
}


@pytest.mark.parametrize("form", ["tensor", "scalar", "reflected", "numpy", "numpy_reflected"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
@pytest.mark.parametrize("sym", list(OPERATORS))
def test_binary_operators(tfv1, sym, dtype, form):
    fn = OPERATORS[sym]
    x = values_of(dtype, (2, 3), low=1, high=4, nonzero=True)
    y = values_of(dtype, (3,), low=1, high=3, nonzero=True)
    scalar = np.dtype(dtype).type(2).item()

    def build(t, a, b):
        if form == "tensor":
            return fn(a, b)
        if form == "scalar":
            return fn(a, scalar)
        if form == "reflected":
            return fn(scalar, a)
        if form == "numpy":
            return fn(a, y)
        return fn(y, a)

    check(tfv1, build, x, y)


def test_matmul_operator(tfv1):
    x = values_of("float32", (2, 3))
    check(tfv1, lambda t, a, b: [a @ b, a @ [[1.0], [2.0], [3.0]],
                                 [[1.0, 2.0]] @ a], x, values_of("float32", (3, 2)))


def test_bool_operators(tfv1):
    x = np.array([[True, False], [False, False]])
    y = np.array([True, False])
    check(tfv1, lambda t, a, b: [a & b, a | b, a ^ b, ~a, a & True, False | a, True ^ a, a * b],
          x, y)


def test_int_bitwise_operators(tfv1):
    x = np.array([[5, 3], [-2, 0]], np.int32)
    check(tfv1, lambda t, a, b: [a & b, a | b, a ^ b, ~a, a & 6, 6 | a], x,
          np.array([6, 1], np.int32))


def test_unary_and_comparison_operators(tfv1):
    x = values_of("float32", (2, 3))
    check(tfv1, lambda t, a, b: [-a, abs(a), a < b, a <= b, a > b, a >= b, a < 1, 1 < a,
                                 a >= 0.5, -b], x, values_of("float32", (3,)))


def test_operator_scalar_dtype_follows_tensor(tfv1):
    mine, _ = check(tfv1, lambda t, a, b: [a * 2, 2 * a, b + 1, 1.5 + b, a - 1, 3 - a],
                    np.ones(2, np.int64), np.ones(2, np.float64))
    assert [f.dtype.name for f in mine.fetch] == ["int64", "int64", "float64", "float64",
                                                  "int64", "int64"]


def test_operator_dtype_errors(tfv1):
    cases = [lambda t, a: a + 1.5, lambda t, a: 1.5 + a, lambda t, a: a / 2.5,
             lambda t, a: a * t.constant(1.0), lambda t, a: a < 1.5]
    for build in cases:
        errs = raises_both(tfv1, build, np.ones(2, np.int32))
        assert type(errs[0]) is type(errs[1]) is TypeError, errs


def test_operator_names_after_failed_operator(tfv1):
    # TF consumes the name scope of a failed operator; later names match
    def build(t, a):
        with pytest.raises(TypeError):
            _ = a + 1.5
        return a + 1

    check(tfv1, build, np.ones(2, np.int32))


# --- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "maximum", "equal", "less",
                                  "floordiv", "squared_difference", "truediv"])
def test_incompatible_static_shapes_raise_value_error(tfv1, name):
    errs = raises_both(tfv1, lambda t, a, b: getattr(t, name)(a, b), np.ones((2, 3)),
                       np.ones(4), feed=False)
    assert type(errs[0]) is type(errs[1]) is ValueError
    assert "Dimensions must be equal, but are 3 and 4" in str(errs[0])


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "maximum", "equal", "pow",
                                  "floordiv", "truediv", "less"])
def test_dtype_mismatch_raises_type_error(tfv1, name):
    errs = raises_both(tfv1, lambda t, a, b: getattr(t, name)(a, b), np.ones(2, np.float32),
                       np.ones(2, np.int32), feed=False)
    assert type(errs[0]) is type(errs[1]) is TypeError


@pytest.mark.parametrize("build", [lambda t, a: t.sigmoid(a), lambda t, a: t.sqrt(a),
                                   lambda t, a: t.logical_not(a), lambda t, a: t.floor(a)])
def test_unsupported_dtype_raises_type_error(tfv1, build):
    errs = raises_both(tfv1, build, np.ones(2, np.int32), feed=False)
    assert type(errs[0]) is type(errs[1]) is TypeError


@pytest.mark.parametrize("name", ["floordiv", "floormod", "truncatediv", "truncatemod", "div"])
def test_integer_division_by_zero(tfv1, name):
    errs = raises_both(tfv1, lambda t, a, b: getattr(t, name)(a, b), np.array([1, 2], np.int32),
                       np.array([1, 0], np.int32))
    assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
    assert "Integer division by zero" in str(errs[0])
    # TF raises InternalError ("Unexpected error in binary operator") for the truncating ones
    assert isinstance(errs[1], tfv1.errors.InvalidArgumentError if "truncate" not in name
                      else tfv1.errors.OpError)


def test_integer_negative_power_fails_at_run_time(tfv1):
    errs = raises_both(tfv1, lambda t, a, b: t.pow(a, b), np.array([2], np.int32),
                       np.array([-1], np.int32))
    assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
    assert isinstance(errs[1], tfv1.errors.InvalidArgumentError)


def test_float_division_by_zero_is_silent(tfv1):
    check(tfv1, lambda t, a, b: [a / b, t.floordiv(a, b), t.floormod(a, b)],
          np.array([1.0, -1.0, 0.0]), np.zeros(3))


@pytest.mark.parametrize("name", ["add", "multiply", "equal", "maximum"])
def test_runtime_shape_mismatch(tfv1, name):
    errs = raises_both(tfv1, lambda t, a, b: getattr(t, name)(a, b),
                       np.ones(3, np.float32), np.ones(2, np.float32), shapes=[None, None])
    assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
    assert isinstance(errs[1], tfv1.errors.InvalidArgumentError)
    assert errs[0].op is not None and errs[0].op.type in ("AddV2", "Mul", "Equal", "Maximum")
