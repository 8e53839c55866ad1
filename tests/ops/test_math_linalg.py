"""Differential tests of matmul (MatMul / BatchMatMulV2), einsum, tensordot and trace against
TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from tests.ops.test_math_ops import assert_same, check, raises_both, run_both, values_of

pytestmark = pytest.mark.tf


# --- matmul --------------------------------------------------------------------------------------

@pytest.mark.parametrize("flags", [{}, {"transpose_a": True}, {"transpose_b": True},
                                   {"transpose_a": True, "transpose_b": True},
                                   {"adjoint_a": True}, {"adjoint_b": True}], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_matmul_2d(tfv1, dtype, flags):
    a_shape = (3, 2) if flags.get("transpose_a") or flags.get("adjoint_a") else (2, 3)
    b_shape = (4, 3) if flags.get("transpose_b") or flags.get("adjoint_b") else (3, 4)
    check(tfv1, lambda t, a, b: [t.matmul(a, b, **flags), t.matmul(a, b, name="mm", **flags)],
          values_of(dtype, a_shape), values_of(dtype, b_shape))


@pytest.mark.parametrize("shapes", [((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (3, 4)),
                                    ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)),
                                    ((1, 2, 3), (6, 3, 2))], ids=str)
@pytest.mark.parametrize("adj", [(False, False), (True, False), (False, True), (True, True)])
def test_batch_matmul(tfv1, shapes, adj):
    a_shape, b_shape = list(shapes[0]), list(shapes[1])
    if adj[0]:
        a_shape[-2:] = a_shape[-1], a_shape[-2]
    if adj[1]:
        b_shape[-2:] = b_shape[-1], b_shape[-2]
    check(tfv1, lambda t, a, b: [t.matmul(a, b, adjoint_a=adj[0], adjoint_b=adj[1]),
                                 t.matmul(a, b, transpose_a=adj[0], transpose_b=adj[1])],
          values_of("float32", a_shape), values_of("float32", b_shape))


def test_matmul_unknown_shapes(tfv1):
    a, b = values_of("float32", (2, 3)), values_of("float32", (3, 4))
    check(tfv1, lambda t, x, y: [t.matmul(x, y), t.matmul(x, y, transpose_b=False)],
          a, b, shapes=[[None, 3], [3, None]])
    check(tfv1, lambda t, x, y: t.matmul(x, y), a, b, shapes=[None, [3, 4]])
    check(tfv1, lambda t, x, y: t.matmul(x, y), values_of("float32", (5, 2, 3)), b,
          shapes=[[None, None, 3], None])


def test_matmul_python_values(tfv1):
    check(tfv1, lambda t: [t.matmul([[1.0, 2.0]], [[3.0], [4.0]]),
                           t.matmul([[1, 2], [3, 4]], [[1, 0], [0, 1]])])


def test_matmul_build_errors(tfv1):
    for a, b in [((2, 3), (2, 3)), ((3,), (3, 2)), ((5, 2, 3), (5, 4, 2)),
                 ((2, 2, 3), (3, 3, 4))]:
        errs = raises_both(tfv1, lambda t, x, y: t.matmul(x, y),
                           np.ones(a, np.float32), np.ones(b, np.float32), feed=False)
        assert type(errs[0]) is type(errs[1]) is ValueError, (a, b, errs)
    errs = raises_both(tfv1, lambda t, x, y: t.matmul(x, y), np.ones((2, 3), np.float32),
                       np.ones((3, 2), np.float64), feed=False)
    assert type(errs[0]) is type(errs[1]) is TypeError
    errs = raises_both(tfv1, lambda t, x, y: t.matmul(x, y, transpose_a=True, adjoint_a=True),
                       np.ones((2, 2), np.float32), np.ones((2, 2), np.float32), feed=False)
    assert type(errs[0]) is type(errs[1]) is ValueError
    errs = raises_both(tfv1, lambda t, x, y: t.matmul(x, y), np.ones((2, 3), np.float32),
                       np.ones((2, 3), np.float32), feed=False)
    assert "Dimensions must be equal, but are 3 and 2" in str(errs[0])


def test_matmul_run_time_errors(tfv1):
    for a, b, shapes in [((2, 3), (2, 3), [[None, None], [None, None]]),
                         ((2, 2, 3), (3, 3, 4), [None, None])]:
        errs = raises_both(tfv1, lambda t, x, y: t.matmul(x, y), np.ones(a, np.float32),
                           np.ones(b, np.float32), shapes=shapes)
        assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
        assert isinstance(errs[1], tfv1.errors.InvalidArgumentError)


# --- einsum --------------------------------------------------------------------------------------

EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 5)]),
    ("ij->ji", [(2, 3)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("bii->bi", [(2, 3, 3)]),
    ("i,j->ij", [(3,), (4,)]),
    ("i,i->", [(3,), (3,)]),
    ("i,i", [(3,), (3,)]),
    ("ij->", [(2, 3)]),
    ("ijk->j", [(2, 3, 4)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ab,cd->", [(2, 3), (4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("a,ab,bc,c->", [(2,), (2, 3), (3, 4), (4,)]),
    ("i j , j k -> i k", [(2, 3), (3, 4)]),
    ("iJ,Jk->ik", [(2, 3), (3, 4)]),
    ("...i->...", [(2, 3, 4)]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("equation,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum(tfv1, equation, shapes, dtype):
    values = [values_of(dtype, s) for s in shapes]
    check(tfv1, lambda t, *xs: [t.einsum(equation, *xs), t.einsum(equation, *xs, name="es")],
          *values)


def test_einsum_unknown_dims(tfv1):
    a, b = values_of("float32", (2, 3)), values_of("float32", (3, 4))
    check(tfv1, lambda t, x, y: t.einsum("ij,jk->ik", x, y), a, b,
          shapes=[[None, 3], [None, None]])
    check(tfv1, lambda t, x, y: t.einsum("...ij,jk->...ik", x, y),
          values_of("float32", (5, 2, 3)), b, shapes=[None, [3, 4]])


@pytest.mark.parametrize("equation,shapes", [
    ("ij,jk->ik", [(2, 3), (4, 4)]),
    ("ij,ij->ij", [(1, 3), (2, 3)]),
    ("ij->jj", [(2, 3)]),
    ("ij->k", [(2, 3)]),
    ("ij,jk->ik", [(2, 3)]),
    ("ij->i", [(2, 3, 4)]),
    ("...ij->ij", [(5, 2, 3)]),
    ("ij.k->ik", [(2, 3)]),
])
def test_einsum_errors(tfv1, equation, shapes):
    errs = raises_both(tfv1, lambda t, *xs: t.einsum(equation, *xs),
                       *[np.ones(s, np.float32) for s in shapes], feed=False)
    assert type(errs[0]) is type(errs[1]) is ValueError, errs


def test_einsum_label_size_mismatch_at_run_time():
    a = mtf.placeholder(mtf.float32, [None, 3])
    b = mtf.placeholder(mtf.float32, [None, 3])
    y = mtf.einsum("ij,ij->ij", a, b)
    with mtf.Session() as sess, pytest.raises(mtf.errors.InvalidArgumentError):
        sess.run(y, {a: np.ones((1, 3)), b: np.ones((2, 3))})


def test_einsum_untrace_op(tfv1):
    def build(t, a):
        if t is mtf:
            from minitf.framework.op_def_library import apply_op

            return apply_op("Einsum", inputs=[a], equation="i->ii")
        return t.raw_ops.Einsum(inputs=[a], equation="i->ii")

    mine, theirs = run_both(tfv1, build, values_of("float32", (3,)))
    assert_same(mine, theirs, ops=False)


# --- tensordot, trace ----------------------------------------------------------------------------

TENSORDOT = [
    ((2, 3), (3, 4), 1), ((2, 3), (3, 4), [[1], [0]]), ((2, 3, 4), (4, 5), [[2], [0]]),
    ((2, 3, 4), (3, 5), [[1], [0]]), ((2, 3, 4), (4, 3, 5), [[1, 2], [1, 0]]),
    ((2,), (3,), 0), ((2, 3), (2, 3), 2), ((2, 3), (3, 2), [[0, 1], [1, 0]]),
    ((2, 3, 4), (4, 5), -0 + 1), ((3, 4), (2, 3), ([0], [1])),
]


@pytest.mark.parametrize("a_shape,b_shape,axes", TENSORDOT, ids=str)
def test_tensordot(tfv1, a_shape, b_shape, axes):
    # A scalar result reshapes to []: TF's op_def_library then leaves an orphan Const
    scalar = axes in (2, [[0, 1], [1, 0]])
    check(tfv1, lambda t, a, b: t.tensordot(a, b, axes), values_of("float32", a_shape),
          values_of("float32", b_shape), ops=not scalar)


def test_tensordot_partially_known_shapes(tfv1):
    mine, theirs = run_both(tfv1, lambda t, a, b: [t.tensordot(a, b, 1),
                                                   t.tensordot(a, b, [[1], [0]])],
                            values_of("float32", (5, 3)), values_of("float32", (3, 4)),
                            shapes=[[None, 3], [3, 4]])
    assert_same(mine, theirs, ops=False)


def test_tensordot_errors(tfv1):
    for axes in (3, -1, [[0], [0, 1]], [1, 2, 3]):
        errs = raises_both(tfv1, lambda t, a, b, ax=axes: t.tensordot(a, b, ax),
                           np.ones((2, 3), np.float32), np.ones((3, 2), np.float32), feed=False)
        assert type(errs[0]) is type(errs[1]) is ValueError, (axes, errs)


def test_trace(tfv1):
    check(tfv1, lambda t, a, b: [t.trace(a), t.trace(b), t.trace(a, name="tr")],
          values_of("float32", (3, 3)), values_of("int32", (2, 4, 4)))


def test_complex_matmul_and_conj(tfv1):
    a = (values_of("float64", (2, 3)) + 1j * values_of("float64", (2, 3))).astype(np.complex128)
    b = (values_of("float64", (3, 2)) + 1j * values_of("float64", (3, 2))).astype(np.complex128)
    check(tfv1, lambda t, x, y: [t.conj(x), t.matmul(x, y), t.matmul(x, x, adjoint_b=True),
                                 t.matmul(y, y, transpose_a=True),
                                 t.matmul(t.reshape(x, [1, 2, 3]), y, adjoint_a=False)], a, b)
    check(tfv1, lambda t, x: [t.conj(x), t.conj(t.cast(x, t.int32))],
          np.array([1.5, -2.0], np.float32))
