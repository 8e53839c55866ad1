"""The Apply*/SparseApply* ops against TF's raw ops: values (fused kernels and numpy
references), static shapes, and TF's errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.framework import errors
from minitf.kernels.registry import reference_kernels_only
from minitf.ops import training_ops as T

# op -> (number of refs, hyper-parameters)
DENSE = {
    "ApplyGradientDescent": (1, [0.1]),
    "ApplyMomentum": (2, [0.1, "grad", 0.9]),
    "ApplyAdagrad": (2, [0.1]),
    "ApplyRMSProp": (3, [0.01, 0.9, 0.5, 1e-10]),
    "ApplyCenteredRMSProp": (4, [0.01, 0.9, 0.5, 1e-10]),
    "ApplyAdadelta": (3, [1.0, 0.95, 1e-8]),
    "ApplyAdam": (3, [0.9, 0.999, 0.01, 0.9, 0.999, 1e-8]),
}
SPARSE = {
    "SparseApplyMomentum": (2, [0.1, "grad", "indices", 0.9]),
    "SparseApplyAdagrad": (2, [0.1]),
    "SparseApplyRMSProp": (3, [0.01, 0.9, 0.5, 1e-10]),
    "SparseApplyCenteredRMSProp": (4, [0.01, 0.9, 0.5, 1e-10]),
    "SparseApplyAdadelta": (3, [1.0, 0.95, 1e-8]),
}


def _snake(name: str) -> str:
    out = ""
    for i, c in enumerate(name):
        if c.isupper() and i and not name[i - 1].isupper():
            out += "_"
        out += c.lower()
    return out.replace("r_m_s", "rms").replace("rmsprop", "rms_prop")


def _run_op(t, raw, op_type, nrefs, hyper, sparse, dtype, steps, nesterov=False):
    """Runs ``steps`` updates of one raw op (minitf's or TF's wrapper); returns the refs."""
    import inspect

    rng = np.random.default_rng(7)
    shape = (5, 3)
    g = t.Graph()
    with g.as_default():
        refs = [t.Variable(rng.uniform(0.1, 1.0, shape).astype(dtype), name=f"r{i}")
                for i in range(nrefs)]
        grad = t.placeholder(dtype, (4, 3) if sparse else shape)
        idx = t.constant(np.array([4, 0, 2, 1], np.int32))
        fn = raw(op_type)
        params = [p for p in inspect.signature(fn).parameters
                  if p not in ("use_locking", "name", "use_nesterov", "update_slots")]
        scalars = [h for h in hyper if not isinstance(h, str)]
        kwargs = {p: r._ref() for p, r in zip(params, refs)}
        for p in params[nrefs:]:
            if p in ("grad", "delta"):
                kwargs[p] = grad
            elif p == "indices":
                kwargs[p] = idx
            else:
                kwargs[p] = t.constant(dtype(scalars.pop(0)))
        if nesterov:
            kwargs["use_nesterov"] = True
        out = fn(**kwargs)
        with t.Session() as s:
            s.run(t.global_variables_initializer())
            vals = []
            for _ in range(steps):
                s.run(out, {grad: rng.standard_normal(grad.shape.as_list()).astype(dtype)})
                vals.append(s.run(refs))
    return vals


def _mt_raw(op_type):
    return getattr(T, _snake(op_type))


def _tf_raw(tfv1):
    from tensorflow.python.ops import gen_training_ops

    return lambda op_type: getattr(gen_training_ops, _snake(op_type))


CASES = [(k, v, False) for k, v in DENSE.items()] + [(k, v, True) for k, v in SPARSE.items()]


@pytest.mark.tf
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op_type,spec,sparse", CASES, ids=[c[0] for c in CASES])
def test_update_op_matches_tf(tfv1, op_type, spec, sparse, dtype):
    nrefs, hyper = spec
    ours = _run_op(tf, _mt_raw, op_type, nrefs, hyper, sparse, dtype, 3)
    theirs = _run_op(tfv1, _tf_raw(tfv1), op_type, nrefs, hyper, sparse, dtype, 3)
    rtol = 2e-6 if dtype == np.float32 else 1e-13
    for a, b in zip(ours, theirs):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=rtol)


@pytest.mark.tf
@pytest.mark.parametrize("op_type", ["ApplyMomentum", "ApplyAdam", "SparseApplyMomentum"])
def test_nesterov_matches_tf(tfv1, op_type):
    spec = DENSE.get(op_type) or SPARSE[op_type]
    sparse = op_type.startswith("Sparse")
    ours = _run_op(tf, _mt_raw, op_type, *spec, sparse, np.float32, 3, nesterov=True)
    theirs = _run_op(tfv1, _tf_raw(tfv1), op_type, *spec, sparse, np.float32, 3,
                     nesterov=True)
    for a, b in zip(ours, theirs):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("op_type,spec,sparse", CASES, ids=[c[0] for c in CASES])
def test_fused_kernel_matches_reference(op_type, spec, sparse):
    nrefs, hyper = spec
    fast = _run_op(tf, _mt_raw, op_type, nrefs, hyper, sparse, np.float32, 3)
    with reference_kernels_only():
        ref = _run_op(tf, _mt_raw, op_type, nrefs, hyper, sparse, np.float32, 3)
    for a, b in zip(fast, ref):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)


def test_sparse_duplicate_indices_apply_sequentially():
    """The raw sparse op applies a repeated index twice (TF's loop), unlike the optimizer."""
    v = tf.Variable(np.ones((2, 1), np.float32))
    a = tf.Variable(np.zeros((2, 1), np.float32))
    op = T.sparse_apply_momentum(v, a, 1.0, tf.constant([[1.0], [1.0]]), tf.constant([0, 0]),
                                 0.5)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(op)
        # accum: 0*0.5+1 = 1, var 1-1 = 0; accum 1*0.5+1 = 1.5, var 0-1.5 = -1.5
        np.testing.assert_allclose(s.run(v), [[-1.5], [1.0]])
        np.testing.assert_allclose(s.run(a), [[1.5], [0.0]])


def test_static_shape_checks():
    v = tf.Variable(np.zeros((3, 2), np.float32))
    m = tf.Variable(np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal"):
        T.apply_momentum(v, m, 0.1, tf.zeros([3, 2]), 0.9)
    with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
        T.apply_gradient_descent(v, tf.constant([0.1, 0.2]), tf.zeros([3, 2]))
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal"):
        T.apply_gradient_descent(v, 0.1, tf.zeros([3, 3]))
    with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
        T.sparse_apply_adagrad(v, v, 0.1, tf.zeros([1, 2]), tf.constant([[0]]))
    out = T.apply_adam(v, v, v, 0.9, 0.9, 0.1, 0.9, 0.9, 1e-8, tf.zeros([3, 2]))
    assert out.get_shape().as_list() == [3, 2] and out.dtype == tf.float32._as_ref
    with pytest.raises(TypeError, match="requires that input 'var' be a mutable tensor"):
        T.apply_gradient_descent(tf.zeros([2]), 0.1, tf.zeros([2]))
    with pytest.raises(TypeError):
        T.apply_gradient_descent(v, 0.1, tf.zeros([3, 2], tf.float64))


@pytest.mark.tf
def test_static_shape_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        from_tf = t is tfv1
        if from_tf:
            from tensorflow.python.ops import gen_training_ops as ops
        else:
            ops = T
        with t.Graph().as_default():
            v = t.Variable(np.zeros((3, 2), np.float32))
            m = t.Variable(np.zeros((2, 2), np.float32))
            with pytest.raises(ValueError) as e:
                ops.apply_momentum(v, m, 0.1, t.zeros([3, 2]), 0.9)
            assert "Dimension 0 in both shapes must be equal, but are 3 and 2" in str(e.value)


def test_runtime_errors():
    x = tf.placeholder(tf.float32)
    lr = tf.placeholder(tf.float32)
    v = tf.Variable(np.zeros((3, 2), np.float32), name="v")
    op = T.apply_gradient_descent(v, lr, x)
    idx = tf.placeholder(tf.int32)
    acc = tf.Variable(np.ones((3, 2), np.float32), name="acc")
    sp = T.sparse_apply_adagrad(v, acc, 0.1, x, idx)
    with tf.Session() as s:
        with pytest.raises(errors.FailedPreconditionError, match="uninitialized value v"):
            s.run(op, {x: np.zeros((3, 2)), lr: 0.1})
        s.run(tf.global_variables_initializer())
        with pytest.raises(errors.InvalidArgumentError,
                           match=r"var and delta do not have the same shape\[3,2\] \[2,2\]"):
            s.run(op, {x: np.zeros((2, 2)), lr: 0.1})
        with pytest.raises(errors.InvalidArgumentError, match=r"alpha is not a scalar: \[2\]"):
            s.run(op, {x: np.zeros((3, 2)), lr: [0.1, 0.2]})
        with pytest.raises(errors.InvalidArgumentError,
                           match="Index 3 at offset 1 in indices is out of range"):
            s.run(sp, {x: np.zeros((2, 2)), idx: [0, 3]})
        with pytest.raises(errors.InvalidArgumentError,
                           match="grad must be the same size as indices"):
            s.run(sp, {x: np.zeros((1, 2)), idx: [0, 1]})
        # nothing was changed by the failed runs
        np.testing.assert_array_equal(s.run(v), np.zeros((3, 2)))


def test_int_variable_has_no_kernel():
    v = tf.Variable(np.zeros(3, np.int32))
    op = T.apply_gradient_descent(v, 1, tf.constant([1, 2, 3]))
    with tf.Session() as s:
        s.run(v.initializer)
        with pytest.raises(errors.NotFoundError, match="No registered 'ApplyGradientDescent'"):
            s.run(op)


def test_not_differentiable():
    v = tf.Variable(np.ones(3, np.float32))
    g = tf.placeholder(tf.float32, [3])
    out = T.apply_gradient_descent(v, 0.5, g)
    assert tf.gradients(out, g)[0] is None


def test_use_locking_runs():
    v = tf.Variable(np.ones(3, np.float32))
    op = T.apply_gradient_descent(v, 0.5, tf.ones([3]), use_locking=True)
    with tf.Session() as s:
        s.run(v.initializer)
        np.testing.assert_allclose(s.run(op), [0.5] * 3)
