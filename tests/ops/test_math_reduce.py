"""Differential tests of reductions, arg max/min, scans, segment sums, count_nonzero,
reduce_logsumexp and range against TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from tests.ops.test_math_ops import assert_same, check, raises_both, run_both, values_of

pytestmark = pytest.mark.tf

REDUCE = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"]
AXES = [None, 0, 1, -1, [0, 2], [-1, 0], [], (1,), np.array([2, 1], np.int64)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
@pytest.mark.parametrize("name", REDUCE)
def test_reduction(tfv1, name, dtype, axis, keepdims):
    x = values_of(dtype, (2, 3, 4), low=-5, high=5)
    if name == "reduce_prod" and x.dtype.kind == "f":
        x = (x / 4).astype(dtype)
    # TF's op_def_library leaves an orphan float Const behind when converting axis=[]
    check(tfv1, lambda t, a: getattr(t, name)(a, axis, keepdims=keepdims), x,
          ops=not isinstance(axis, list) or axis != [])


@pytest.mark.parametrize("name", REDUCE + ["reduce_any", "reduce_all", "reduce_logsumexp",
                                           "count_nonzero"])
def test_reduction_static_shapes(tfv1, name):
    dtype = "bool" if name in ("reduce_any", "reduce_all") else "float32"

    def build(t, a, b):
        fn = getattr(t, name)
        return [fn(a, 1), fn(a, 0), fn(a, 1, keepdims=True), fn(a), fn(b), fn(b, 1),
                fn(b, [0, 1], keepdims=True), fn(a, -1, keep_dims=True),
                fn(a, reduction_indices=[0])]

    x = values_of(dtype, (4, 3))
    mine, theirs = run_both(tfv1, build, x, x, shapes=[[None, 3], None])
    assert_same(mine, theirs, ops=name not in ("reduce_logsumexp",))


def test_reduction_axis_as_tensor(tfv1):
    def build(t, a, ax):
        return [t.reduce_sum(a, ax), t.reduce_max(a, ax, keepdims=True),
                t.reduce_mean(a, t.constant([0, 1]))]

    check(tfv1, build, values_of("float32", (3, 4)), np.array(1, np.int32))


def test_integer_mean_truncates_like_tf(tfv1):
    check(tfv1, lambda t, a: [t.reduce_mean(a), t.reduce_mean(a, 1), t.reduce_mean(a, 0)],
          np.array([[-1, -2, -4], [3, 5, 8], [-7, 1, 1]], np.int32))


def test_integer_sum_wraps(tfv1):
    check(tfv1, lambda t, a: [t.reduce_sum(a), t.reduce_prod(a)],
          np.array([2**30, 2**30, 2**30], np.int32))


def test_nan_propagates_through_max_and_min(tfv1):
    v = np.array([[1.0, np.nan, 2.0], [np.nan, 3.0, 1.0], [1.0, 2.0, 3.0]], np.float32)
    check(tfv1, lambda t, a: [t.reduce_max(a, 1), t.reduce_min(a, 0), t.reduce_sum(a, 1)], v)


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64", "bool"])
def test_empty_reductions(tfv1, dtype):
    x = np.zeros((0, 3), dtype)

    def build(t, a):
        if dtype == "bool":
            return [t.reduce_any(a, 0), t.reduce_all(a, 0), t.reduce_any(a)]
        out = [t.reduce_sum(a, 0), t.reduce_prod(a, 0), t.reduce_max(a, 0), t.reduce_min(a, 0),
               t.reduce_max(a, 1), t.reduce_sum(a)]
        return out + ([t.reduce_mean(a, 0)] if dtype != "float32" else [])

    check(tfv1, build, x)


def test_float_mean_of_empty_is_nan(tfv1):
    check(tfv1, lambda t, a: t.reduce_mean(a, 0), np.zeros((0, 3), np.float32))


@pytest.mark.parametrize("axis", [None, 0, [0, 1], -1])
def test_any_all(tfv1, axis):
    x = np.array([[True, False, False], [True, True, False]])
    check(tfv1, lambda t, a: [t.reduce_any(a, axis), t.reduce_all(a, axis),
                              t.reduce_all(a, axis, keepdims=True)], x)


def test_reduction_of_scalar_and_python_values(tfv1):
    check(tfv1, lambda t, a: [t.reduce_sum(a), t.reduce_mean([1.0, 2.0]),
                              t.reduce_max([[1, 5], [3, 2]], 1), t.reduce_sum(a, [0][:0])],
          np.array(3.0, np.float32), ops=False)
    check(tfv1, lambda t, a: [t.reduce_sum(a), t.reduce_mean([1.0, 2.0]),
                              t.reduce_max([[1, 5], [3, 2]], 1)], np.array(3.0, np.float32))


def test_reduction_unknown_rank_builds_range(tfv1):
    mine, theirs = run_both(tfv1, lambda t, a: [t.reduce_sum(a), t.reduce_mean(a, 1)],
                            values_of("float32", (2, 3)), shapes=[None])
    assert_same(mine, theirs)


def test_reduction_errors(tfv1):
    x = np.ones((2, 3), np.float32)
    for build in (lambda t, a: t.reduce_sum(a, 2), lambda t, a: t.reduce_max(a, -3),
                  lambda t, a: t.reduce_sum(a, 0, reduction_indices=0),
                  lambda t, a: t.reduce_sum(a, keepdims=True, keep_dims=True),
                  lambda t, a: t.reduce_sum(t.constant(1.0), 0)):
        errs = raises_both(tfv1, build, x, feed=False)
        assert type(errs[0]) is type(errs[1]) is ValueError, errs
    errs = raises_both(tfv1, lambda t, a: t.reduce_sum(a, 2), x, feed=False)
    assert "Invalid reduction dimension 2 for input with 2 dimensions" in str(errs[0])


@pytest.mark.parametrize("axes", [[1, 1], [1, -1]])
def test_duplicate_axes_fail_at_run_time(tfv1, axes):
    errs = raises_both(tfv1, lambda t, a: t.reduce_sum(a, axes), np.ones((2, 3), np.float32))
    assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
    assert isinstance(errs[1], tfv1.errors.InvalidArgumentError)
    assert "duplicate dimension: 1" in str(errs[0])


def test_invalid_axis_fed_at_run_time(tfv1):
    errs = raises_both(tfv1, lambda t, a, ax: t.reduce_sum(a, ax), np.ones((2, 3), np.float32),
                       np.array(5, np.int32))
    assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
    assert isinstance(errs[1], tfv1.errors.InvalidArgumentError)


def test_bool_sum_is_a_type_error(tfv1):
    errs = raises_both(tfv1, lambda t, a: t.reduce_sum(a), np.ones(2, bool), feed=False)
    assert type(errs[0]) is type(errs[1]) is TypeError


# --- reduce_logsumexp, count_nonzero -------------------------------------------------------------

@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, 1, [0, 1], -1])
def test_reduce_logsumexp(tfv1, keepdims, axis):
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0], [-np.inf, -np.inf, -np.inf]],
                 np.float32)
    mine, theirs = run_both(tfv1, lambda t, a: t.reduce_logsumexp(a, axis, keepdims=keepdims), x)
    assert_same(mine, theirs, ops=False)


@pytest.mark.parametrize("dtype", ["float32", "int32", "bool", "int64"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_count_nonzero(tfv1, dtype, axis):
    x = values_of(dtype, (3, 4), low=-1, high=1)
    check(tfv1, lambda t, a: [t.count_nonzero(a, axis),
                              t.count_nonzero(a, axis, keepdims=True, dtype=t.int32),
                              t.count_nonzero(input_tensor=a, reduction_indices=axis)], x)


# --- argmax / argmin -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg_reductions(tfv1, name, dtype):
    x = values_of(dtype, (3, 4, 2), low=-3, high=3)

    def build(t, a):
        fn = getattr(t, name)
        return [fn(a), fn(a, 1), fn(a, -1, output_type=t.int32), fn(a, dimension=2),
                fn(a, 0, name="idx")]

    check(tfv1, build, x)


def test_arg_reductions_ties_and_nan(tfv1):
    x = np.array([[2.0, 1.0, 2.0], [np.nan, 1.0, 2.0], [1.0, np.nan, 0.5], [np.nan] * 3],
                 np.float32)
    check(tfv1, lambda t, a: [t.argmax(a, 1), t.argmin(a, 1), t.arg_max(a, 1),
                              t.arg_min(a, 0)], x)


def test_arg_reduction_shapes(tfv1):
    mine, theirs = run_both(tfv1, lambda t, a, ax: [t.argmax(a, 1), t.argmax(a, ax),
                                                    t.argmin(a, 0)],
                            values_of("float32", (2, 3)), np.array(0, np.int32),
                            shapes=[[None, 3], []])
    assert_same(mine, theirs)


def test_arg_reduction_errors(tfv1):
    errs = raises_both(tfv1, lambda t, a: t.argmax(a, 2), np.ones((2, 3), np.float32),
                       feed=False)
    assert type(errs[0]) is type(errs[1]) is ValueError
    errs = raises_both(tfv1, lambda t, a: t.argmax(a, 0), np.ones((0, 3), np.float32))
    assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
    assert isinstance(errs[1], tfv1.errors.InvalidArgumentError)
    assert "Reduction axis 0 is empty in shape [0,3]" in str(errs[0])


# --- scans ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_scans(tfv1, name, dtype, axis, exclusive, reverse):
    x = values_of(dtype, (3, 4), low=-3, high=3)
    check(tfv1, lambda t, a: getattr(t, name)(a, axis, exclusive=exclusive, reverse=reverse), x)


def test_scan_python_values_and_names(tfv1):
    check(tfv1, lambda t: [t.cumsum([1, 2, 3]), t.cumprod([1.0, 2.0], name="cp"),
                           t.cumsum([[1, 2], [3, 4]], axis=1, exclusive=True)])


def test_scan_bad_axis_fails_at_run_time(tfv1):
    errs = raises_both(tfv1, lambda t, a: t.cumsum(a, 1), np.ones(3, np.int32))
    assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
    assert isinstance(errs[1], tfv1.errors.InvalidArgumentError)
    assert "Expected scan axis in the range [-1, 1), but got 1" in str(errs[0])


# --- segment sums --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_unsorted_segment_sum(tfv1, dtype):
    data = values_of(dtype, (6, 3))
    ids = np.array([0, 3, -1, 0, 2, 3], np.int32)
    check(tfv1, lambda t, d, i: [t.unsorted_segment_sum(d, i, 5),
                                 t.unsorted_segment_sum(d, i, t.constant(4, t.int64)),
                                 t.unsorted_segment_sum(d[:, 0], i, 4, name="u")],
          data, ids)


def test_unsorted_segment_sum_multidim_ids_and_unknown_shapes(tfv1):
    data = values_of("float32", (4, 2, 3))
    ids = np.array([[0, 1], [1, 6], [2, 0], [-1, 5]], np.int64)
    check(tfv1, lambda t, d, i, n: [t.unsorted_segment_sum(d, i, 7),
                                    t.unsorted_segment_sum(d, i, n)],
          data, ids, np.array(7, np.int32), shapes=[[None, 2, 3], [None, 2], []])


def test_unsorted_segment_sum_errors(tfv1):
    errs = raises_both(tfv1, lambda t, d, i: t.unsorted_segment_sum(d, i, 3),
                       np.ones((3, 2), np.float32), np.array([0, 5, 1], np.int32))
    assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
    assert isinstance(errs[1], tfv1.errors.InvalidArgumentError)
    assert "segment_ids[1] = 5 is out of range [0, 3)" in str(errs[0])
    errs = raises_both(tfv1, lambda t, d, i: t.unsorted_segment_sum(d, i, 3),
                       np.ones((4, 2, 3), np.float32), np.array([0, 1, 1], np.int32), feed=False)
    assert type(errs[0]) is type(errs[1]) is ValueError


@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_segment_sum(tfv1, dtype):
    data = values_of(dtype, (6, 2))
    check(tfv1, lambda t, d, i: [t.segment_sum(d, i), t.segment_sum(d[:, 0], i)],
          data, np.array([0, 0, 1, 3, 3, 3], np.int32))
    check(tfv1, lambda t, d, i: t.segment_sum(d, i), data, np.array([2] * 6, np.int64),
          shapes=[[None, 2], [None]])


@pytest.mark.parametrize("ids,message", [([0, 2, 1], "segment ids are not increasing"),
                                         ([-1, 2, 2], "Segment id -1 out of range [0, 3)")])
def test_segment_sum_errors(tfv1, ids, message):
    errs = raises_both(tfv1, lambda t, d, i: t.segment_sum(d, i), np.ones(3, np.float32),
                       np.array(ids, np.int32))
    assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
    assert isinstance(errs[1], tfv1.errors.InvalidArgumentError)
    assert message in str(errs[0])


# --- range ---------------------------------------------------------------------------------------

def test_range(tfv1):
    check(tfv1, lambda t: [t.range(5), t.range(1, 7, 2), t.range(5, 1, -1), t.range(0.5, 2.0),
                           t.range(3, dtype=t.float32), t.range(0, 1, 0.3),
                           t.range(2, 2), t.range(4, name="r")])


def test_range_with_tensor_limit(tfv1):
    check(tfv1, lambda t, n: [t.range(n), t.range(1, n, 2)], np.array(6, np.int32))


def test_range_errors(tfv1):
    errs = raises_both(tfv1, lambda t: t.range(5, 1), feed=False)
    assert type(errs[0]) is type(errs[1]) is ValueError
    errs = raises_both(tfv1, lambda t, d: t.range(0, 4, d), np.array(0, np.int32))
    assert isinstance(errs[0], mtf.errors.InvalidArgumentError)
    assert isinstance(errs[1], tfv1.errors.InvalidArgumentError)
