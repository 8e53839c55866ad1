"""The ``tf.math`` / ``tf.linalg`` namespaces and TF1 top-level math names, against TF."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from minitf.api import linalg as mt_linalg
from minitf.api import math as mt_math
from minitf.ops import math_ops
from tests.ops.test_math_ops import assert_same, raises_both, run_both, values_of

pytestmark = pytest.mark.tf

TF0_ALIASES = {"sub", "mul", "neg"}  # removed before TF 1.0, kept for old scripts


def test_top_level_names_exist_in_tf(tfv1):
    missing = [n for n in math_ops.__all__ if n not in TF0_ALIASES and not hasattr(tfv1, n)]
    assert not missing
    assert all(hasattr(mtf, n) for n in math_ops.__all__)
    assert mtf.range is math_ops.range_


def test_namespace_names_exist_in_tf(tfv1):
    assert not [n for n in mt_math.__all__ if not hasattr(tfv1.math, n)]
    assert not [n for n in mt_linalg.__all__ if not hasattr(tfv1.linalg, n)]
    assert mtf.math.reduce_sum is mtf.reduce_sum and mtf.linalg.matmul is mtf.matmul


def test_namespaces_resolve_other_families():
    for name in mt_math._FROM_NN:
        assert callable(getattr(mtf.math, name, None)) or name in ("log_sigmoid",)
    from minitf.ops import array_ops

    for name, target in mt_linalg._FROM_ARRAY.items():
        if hasattr(array_ops, target):  # the array family adds these
            assert getattr(mtf.linalg, name) is getattr(array_ops, target)


@pytest.mark.parametrize("axis", [None, 0, 1, [0, 1]], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_variance_std_euclidean_norm(tfv1, axis, keepdims):
    x = values_of("float64", (3, 4))
    mine, theirs = run_both(tfv1, lambda t, a: [t.math.reduce_variance(a, axis, keepdims),
                                                t.math.reduce_std(a, axis, keepdims),
                                                t.math.reduce_euclidean_norm(a, axis, keepdims)],
                            x)
    assert_same(mine, theirs, ops=False)


def test_polyval(tfv1):
    mine, theirs = run_both(tfv1, lambda t, a: [t.math.polyval([1.0, 2.5, -4.2], a),
                                                t.math.polyval([3.0], a)],
                            values_of("float32", (5,)))
    assert_same(mine, theirs, ops=False)


NORMS = [("euclidean", None), ("euclidean", 1), (1, 0), (2, -1), (np.inf, 1), (3, 0),
         (0.5, None), ("fro", (0, 1)), ("euclidean", (0, 1)), (1, (0, 1)), (np.inf, (0, 1)),
         (1, (1, 0)), (np.inf, (-1, -2))]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("order,axis", NORMS, ids=str)
def test_norm(tfv1, order, axis, keepdims):
    x = values_of("float64", (3, 4))
    mine, theirs = run_both(tfv1, lambda t, a: [t.norm(a, order, axis, keepdims),
                                                t.linalg.norm(a, order, axis, keepdims)], x)
    assert_same(mine, theirs, ops=False)


@pytest.mark.parametrize("order,axis", [(-1, 0), (3, (0, 1)), ("nuc", (0, 1)), (1, (0, 1, 2)),
                                        (1, [1]), (1, (1, 1))], ids=str)
def test_norm_errors(tfv1, order, axis):
    errs = raises_both(tfv1, lambda t, a: t.norm(a, order, axis), np.ones((3, 4, 2)), feed=False)
    assert type(errs[0]) is type(errs[1]) is ValueError


def test_matvec_and_adjoint(tfv1):
    mine, theirs = run_both(tfv1, lambda t, a, b: [t.linalg.matvec(a, b),
                                                   t.linalg.matvec(a, b[:3], transpose_a=True),
                                                   t.linalg.adjoint(a)],
                            values_of("float32", (3, 4)), values_of("float32", (4,)))
    assert_same(mine, theirs, ops=False)
