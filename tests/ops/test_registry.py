"""Registry-driven checks: every op is complete, has a case, matches its reference, and has a
correct gradient (numerically checked)."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.framework.op_registry import get_op_def, has_gradient_entry, registered_ops
from minitf.kernels.registry import reference_kernels_only
from minitf.ops.gradients_impl import gradients
from tests.ops.cases import CASES, EXEMPT, load_all, reseed

load_all()


def test_every_op_has_shape_reference_and_gradient_entry():
    missing = []
    for name, op_def in registered_ops().items():
        if op_def.shape is None:
            missing.append(f"{name}: no shape function")
        if op_def.reference is None and op_def.make_kernel is None:
            missing.append(f"{name}: no reference")
        if not has_gradient_entry(name):
            missing.append(f"{name}: no gradient and no NotDifferentiable")
    assert not missing, "\n".join(missing)


def test_every_op_has_a_case():
    covered = {c.op_type for c in CASES} | set(EXEMPT)
    missing = sorted(set(registered_ops()) - covered)
    assert not missing, f"ops without a test case in tests/ops/cases/: {missing}"


def _run(c):
    tf.reset_default_graph()
    reseed()
    out, feeds = c.build()
    with tf.Session() as sess:
        return sess.run(out, feeds)


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_kernel_matches_reference(c):
    fast = _run(c)
    with reference_kernels_only():
        ref = _run(c)
    if np.asarray(fast).dtype.kind in "fiubc":
        np.testing.assert_allclose(np.asarray(fast), ref, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_array_equal(np.asarray(fast), np.asarray(ref))


GRAD_CASES = [c for c in CASES if c.grad]


@pytest.mark.parametrize("c", GRAD_CASES, ids=lambda c: c.name)
def test_gradient_matches_numeric(c):
    tf.reset_default_graph()
    reseed()
    out, feeds = c.build()
    op_def = get_op_def(c.op_type)
    assert has_gradient_entry(op_def.type)
    floats = [(t, v) for t, v in feeds.items()
              if isinstance(t, tf.Tensor) and t.dtype.base_dtype.is_floating]
    assert floats, f"case {c.name} feeds no floating-point input to differentiate"
    y = tf.reduce_sum(out * np.asarray(np.linspace(0.5, 1.5, num=max(1, int(np.prod(
        out.get_shape().as_list() or [1]))))).reshape(out.get_shape().as_list()).astype(
        out.dtype.as_numpy_dtype)) if out.get_shape().is_fully_defined() else tf.reduce_sum(out)
    with tf.Session() as sess:
        for x, xv in floats:
            others = {t: v for t, v in feeds.items() if t is not x}
            err = tf.test.compute_gradient_error(x, list(np.shape(xv)), y, [], x_init_value=xv,
                                                 delta=1e-6, extra_feed_dict=others) \
                if _has_path(y, x) else 0.0
            assert err < c.tol, f"{c.name}: d/d{x.name} differs from numeric by {err}"
    del sess


def _has_path(y, x):
    return gradients(y, x)[0] is not None
