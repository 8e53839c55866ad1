"""Gradients of the math ops compared with TensorFlow's tf.gradients (float64), including ties,
zeros, broadcasting, unknown static shapes and second derivatives."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from tests.ops.test_math_ops import assert_values, values_of

pytestmark = pytest.mark.tf


def _grads(mod, build, values, shapes, order):
    g = mod.Graph()
    with g.as_default():
        phs = [mod.placeholder(mod.as_dtype(v.dtype), v.shape if shapes is None else shapes[i])
               for i, v in enumerate(values)]
        y = build(mod, *phs)
        xs = [p for p in phs if p.dtype.is_floating]
        feed = dict(zip(phs, values))
        ys = y if isinstance(y, list) else [y]
        with mod.Session() as sess:
            weights = [np.linspace(0.5, 1.5, num=max(np.size(v), 1)).reshape(
                np.shape(v)).astype(v.dtype) for v in sess.run(ys, feed)]
            grads = mod.gradients(ys, xs, grad_ys=[mod.constant(w) for w in weights])
            for _ in range(order - 1):
                grads = mod.gradients([gr for gr in grads if gr is not None], xs)
            fetch = [gr for gr in grads if gr is not None]
            out = sess.run(fetch, feed)
    it = iter(out)
    return [None if gr is None else next(it) for gr in grads]


def check_grads(tfv1, build, *values, shapes=None, order=1):
    values = [np.asarray(v) for v in values]
    mine = _grads(mtf, build, values, shapes, order)
    theirs = _grads(tfv1, build, values, shapes, order)
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        assert (a is None) == (b is None), (a, b)
        if a is not None:
            assert_values(np.asarray(a), np.asarray(b))


def f64(*shape, low=-2.0, high=2.0):
    return values_of("float64", shape, low=low, high=high)


SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (4,)), ((4, 1, 3), (2, 1))]
BINARY = ["add", "subtract", "multiply", "divide", "realdiv", "maximum", "minimum",
          "squared_difference", "floormod", "div_no_nan", "atan2", "pow"]


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_grads(tfv1, name, shapes):
    x, y = f64(*shapes[0]), f64(*shapes[1])
    if name in ("divide", "realdiv", "floormod", "atan2"):
        y = np.where(np.abs(y) < 0.3, 0.7, y)
    if name == "pow":
        x = np.abs(x) + 0.2
    check_grads(tfv1, lambda t, a, b: getattr(t, name)(a, b), x, y)


def test_pow_grad_at_nonpositive_base(tfv1):
    check_grads(tfv1, lambda t, a, b: t.pow(a, b), np.array([-2.0, 0.0, 0.0, 1.5, -1.0]),
                np.array([2.0, 2.0, 0.5, 1.5, 3.0]))


def test_maximum_minimum_ties_go_to_x(tfv1):
    x = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    y = np.array([1.0, 0.5, 3.0])
    for name in ("maximum", "minimum"):
        check_grads(tfv1, lambda t, a, b, n=name: getattr(t, n)(a, b), x, y)


def test_div_no_nan_grad_with_zero_divisor(tfv1):
    check_grads(tfv1, lambda t, a, b: t.div_no_nan(a, b), f64(2, 3),
                np.array([0.0, 2.0, -0.5]))


UNARY = {
    "negative": None, "abs": "nonzero", "sign": "nonzero", "square": None, "sqrt": "positive",
    "rsqrt": "positive", "exp": None, "expm1": None, "log": "positive", "log1p": "positive",
    "sin": None, "cos": None, "tan": "small", "asin": "small", "acos": "small", "atan": None,
    "sinh": None, "cosh": None, "tanh": None, "sigmoid": None, "reciprocal": "nonzero",
    "asinh": None, "acosh": "above_one", "atanh": "small",
    "round": None, "floor": None, "ceil": None, "rint": None,
}


def _unary_input(kind):
    x = f64(3, 4)
    if kind == "positive":
        return np.abs(x) + 0.1
    if kind == "nonzero":
        return np.where(np.abs(x) < 0.2, 0.5, x)
    if kind == "small":
        return x * 0.4
    if kind == "above_one":
        return np.abs(x) + 1.2
    return x


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_grads(tfv1, name):
    check_grads(tfv1, lambda t, a: getattr(t, name)(a) * a, _unary_input(UNARY[name]))


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "sqrt", "rsqrt", "reciprocal", "exp",
                                  "log", "square", "sin", "abs", "atan"])
def test_second_derivatives(tfv1, name):
    x = _unary_input("positive")
    check_grads(tfv1, lambda t, a: getattr(t, name)(a), x, order=2)
    check_grads(tfv1, lambda t, a: getattr(t, name)(a) * a, x, order=2)


def test_second_derivative_of_pow_and_div(tfv1):
    check_grads(tfv1, lambda t, a, b: t.pow(a, b) + a / b, np.abs(f64(3)) + 0.5,
                np.array([1.5, 2.0, 0.5]), order=2)


def test_add_n_and_cast_grads(tfv1):
    check_grads(tfv1, lambda t, a, b: t.add_n([a, b, a * b]) + t.cast(t.cast(a, t.float32),
                                                                       t.float64),
                f64(2, 3), f64(2, 3))
    check_grads(tfv1, lambda t, a: t.cast(t.cast(a, t.int32), t.float64) + a, f64(3))


# --- reductions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, [0, 2], []], ids=str)
@pytest.mark.parametrize("name", ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min",
                                  "reduce_prod", "reduce_logsumexp"])
def test_reduction_grads(tfv1, name, axis, keepdims):
    x = f64(2, 3, 4)
    check_grads(tfv1, lambda t, a: getattr(t, name)(a, axis, keepdims=keepdims), x)


@pytest.mark.parametrize("name", ["reduce_sum", "reduce_mean", "reduce_max", "reduce_prod",
                                  "reduce_logsumexp"])
def test_reduction_grads_unknown_shapes(tfv1, name):
    x = f64(4, 3)
    for shape in ([None, 3], [None, None], None):
        check_grads(tfv1, lambda t, a: [getattr(t, name)(a, 1), getattr(t, name)(a)], x,
                    shapes=[shape])


def test_reduction_grad_with_axis_fed(tfv1):
    check_grads(tfv1, lambda t, a, ax: [t.reduce_sum(a, ax), t.reduce_mean(a, ax),
                                        t.reduce_max(a, ax, keepdims=True)],
                f64(3, 4), np.array(1, np.int32))


def test_max_min_grads_split_ties_equally(tfv1):
    x = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, -5.0, -5.0, 4.0]])
    for name in ("reduce_max", "reduce_min"):
        for axis in (None, 0, 1):
            check_grads(tfv1, lambda t, a, n=name, ax=axis: getattr(t, n)(a, ax), x)


def test_prod_grad_with_zeros(tfv1):
    x = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 3.0, 0.0, 2.0], [1.0, 2.0, -3.0, 0.5],
                  [0.0, 0.0, 0.0, 0.0]])
    for axis in (None, 0, 1):
        check_grads(tfv1, lambda t, a, ax=axis: t.reduce_prod(a, ax), x)


def test_logsumexp_grad_with_large_values(tfv1):
    x = np.array([[1000.0, 1000.0, -1000.0], [1.0, 2.0, 3.0]])
    check_grads(tfv1, lambda t, a: t.reduce_logsumexp(a, 1), x)


# --- products ------------------------------------------------------------------------------------

@pytest.mark.parametrize("flags", [{}, {"transpose_a": True}, {"transpose_b": True},
                                   {"transpose_a": True, "transpose_b": True}], ids=str)
def test_matmul_grads(tfv1, flags):
    a_shape = (3, 2) if flags.get("transpose_a") else (2, 3)
    b_shape = (4, 3) if flags.get("transpose_b") else (3, 4)
    check_grads(tfv1, lambda t, a, b: t.matmul(a, b, **flags), f64(*a_shape), f64(*b_shape))


@pytest.mark.parametrize("shapes", [((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (3, 4)),
                                    ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2))], ids=str)
@pytest.mark.parametrize("adj", [(False, False), (True, False), (False, True), (True, True)])
def test_batch_matmul_grads(tfv1, shapes, adj):
    a_shape, b_shape = list(shapes[0]), list(shapes[1])
    if adj[0]:
        a_shape[-2:] = a_shape[-1], a_shape[-2]
    if adj[1]:
        b_shape[-2:] = b_shape[-1], b_shape[-2]
    check_grads(tfv1, lambda t, a, b: t.matmul(a, b, adjoint_a=adj[0], adjoint_b=adj[1]),
                f64(*a_shape), f64(*b_shape))


def test_batch_matmul_grads_unknown_shapes(tfv1):
    check_grads(tfv1, lambda t, a, b: t.matmul(a, b), f64(5, 2, 3), f64(3, 4),
                shapes=[[None, 2, 3], [None, 4]])


EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]), ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 5)]),
    ("ij->ji", [(2, 3)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("i,j->ij", [(3,), (4,)]),
    ("i,i->", [(3,), (3,)]), ("ij->", [(2, 3)]), ("ijk->j", [(2, 3, 4)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]), ("ab,cd->", [(2, 3), (4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("ijk,l->lki", [(2, 3, 4), (5,)]),
    ("bii->b", [(2, 3, 3)]), ("...i->...", [(2, 3, 4)]),
]


@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_grads(tfv1, equation, shapes):
    check_grads(tfv1, lambda t, *xs: t.einsum(equation, *xs), *[f64(*s) for s in shapes])


def test_einsum_second_derivative(tfv1):
    check_grads(tfv1, lambda t, a, b: t.einsum("ij,jk->ik", a * a, b), f64(2, 3), f64(3, 4),
                order=2)


@pytest.mark.parametrize("a_shape,b_shape,axes", [((2, 3), (3, 4), 1),
                                                  ((2, 3, 4), (4, 3, 5), [[1, 2], [1, 0]]),
                                                  ((2,), (3,), 0)], ids=str)
def test_tensordot_grads(tfv1, a_shape, b_shape, axes):
    check_grads(tfv1, lambda t, a, b: t.tensordot(a, b, axes), f64(*a_shape), f64(*b_shape))


def test_trace_grad(tfv1):
    check_grads(tfv1, lambda t, a: t.trace(a), f64(2, 3, 3))


# --- scans and segments --------------------------------------------------------------------------

@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_scan_grads(tfv1, name, exclusive, reverse):
    x = np.where(np.abs(f64(3, 4)) < 0.2, 0.5, f64(3, 4))
    for axis in (0, 1, -1):
        check_grads(tfv1, lambda t, a, ax=axis: getattr(t, name)(a, ax, exclusive=exclusive,
                                                                reverse=reverse), x)


def test_segment_sum_grads(tfv1):
    check_grads(tfv1, lambda t, d: t.unsorted_segment_sum(d, [0, 3, -1, 0, 2], 4) * 1.0,
                f64(5, 3))
    check_grads(tfv1, lambda t, d: t.unsorted_segment_sum(d, [[0, 1], [-1, 2]], 3), f64(2, 2, 3))
    check_grads(tfv1, lambda t, d: t.segment_sum(d, [0, 0, 1, 3, 3]), f64(5, 3))


def test_non_differentiable_ops_give_none(tfv1):
    x = f64(3, 4)
    for build in (lambda t, a: t.cast(t.argmax(a, 1), t.float64),
                  lambda t, a: t.cast(t.equal(a, a), t.float64),
                  lambda t, a: t.floordiv(a, 0.3) + t.cast(t.less(a, 0.0), t.float64)):
        check_grads(tfv1, build, x)


def test_sqrt_grad_zero_incoming_gradient_is_zero_at_zero() -> None:
    """TF's SqrtGrad returns 0 where dy is 0, also where y is 0 (not 0/0 = NaN)."""
    from minitf.framework.op_def_library import apply_op

    y = mtf.constant([0.0, 0.0, 4.0, 4.0])
    dy = mtf.constant([0.0, 1.0, 0.0, 2.0])
    g = apply_op("SqrtGrad", y=y, dy=dy)
    x = mtf.constant([0.0, 4.0])
    grad = mtf.gradients(mtf.sqrt(x) * mtf.constant([0.0, 2.0]), x)[0]
    with mtf.Session() as s:
        np.testing.assert_array_equal(s.run(g), [0.0, np.inf, 0.0, 0.25])
        np.testing.assert_array_equal(s.run(grad), [0.0, 0.5])
