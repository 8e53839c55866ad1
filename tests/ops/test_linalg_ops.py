"""Matrix inverse, determinants, Cholesky, solves, QR, SVD and band part against
tensorflow.compat.v1: values, dtypes, static shapes, op names, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

_RNG = np.random.default_rng(7)
A = (_RNG.uniform(-1, 1, (2, 3, 3)) + 3 * np.eye(3)).astype(np.float32)
B = _RNG.uniform(-1, 1, (2, 3, 2)).astype(np.float32)
W = _RNG.uniform(-1, 1, (2, 4, 3)).astype(np.float64)


def _graph(t):
    a = t.placeholder(t.float32, [None, 3, 3], name="a")
    b = t.placeholder(t.float32, [None, 3, 2], name="b")
    w = t.placeholder(t.float64, [2, 4, 3], name="w")
    spd = t.matmul(a, a, transpose_b=True)
    sign, logdet = t.linalg.slogdet(a)
    q, r = t.qr(w)
    qf, rf = t.linalg.qr(w, full_matrices=True)
    s, u, v = t.svd(w)
    outs = {
        "inv": t.matrix_inverse(a), "inv_adj": t.linalg.inv(a, adjoint=True),
        "det": t.matrix_determinant(a), "det2": t.linalg.det(a), "sign": sign,
        "logdet": logdet, "chol": t.cholesky(spd), "chol2": t.linalg.cholesky(spd),
        "solve": t.matrix_solve(a, b), "solve_adj": t.linalg.solve(a, b, adjoint=True),
        "tri": t.matrix_triangular_solve(a, b),
        "tri_up": t.linalg.triangular_solve(a, b, lower=False, adjoint=True),
        "band": t.matrix_band_part(a, 1, 0), "band2": t.linalg.band_part(w, 0, -1),
        "q": q, "r": r, "qf": qf, "rf": rf, "s": s, "s_only": t.svd(w, compute_uv=False),
        "s_full": t.svd(w, full_matrices=True)[0],
        "recon": t.matmul(u * s[:, None, :], v, transpose_b=True),
        "uu": t.matmul(u, u, transpose_b=True),
    }
    loss32 = sum(t.reduce_sum(o * o) for k, o in outs.items()
                 if k != "sign" and o.dtype == t.float32)
    loss64 = sum(t.reduce_sum(o * o) for k, o in outs.items()
                 if o.dtype == t.float64 and k not in ("qf", "rf"))
    grads = t.gradients(loss32, [a, b]) + t.gradients(loss64, [w])
    return (a, b, w), outs, grads


def _run(t):
    (a, b, w), outs, grads = _graph(t)
    meta = {k: (o.name, o.dtype.name, o.shape.as_list()) for k, o in outs.items()}
    with t.Session() as sess:
        values = sess.run([outs, grads], {a: A, b: B, w: W})
    return meta, values


@pytest.mark.tf
def test_linalg_matches_tf(tfv1):
    ours_meta, (ours, ours_g) = _run(tf)
    theirs_meta, (theirs, theirs_g) = _run(tfv1)
    assert ours_meta == theirs_meta
    for k in ours:
        got, want = ours[k], theirs[k]
        if k in ("q", "qf", "r", "rf"):  # Householder QR: signs agree with LAPACK's
            np.testing.assert_allclose(np.abs(got), np.abs(want), rtol=1e-4, atol=1e-5,
                                       err_msg=k)
        np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-5, err_msg=k)
    for g1, g2 in zip(ours_g, theirs_g):
        np.testing.assert_allclose(g1, g2, rtol=1e-3, atol=1e-3)


@pytest.mark.tf
def test_static_shape_errors_match_tf(tfv1):
    def errors_of(t):
        out = []
        for fn in (lambda: t.matrix_inverse(t.zeros([2, 3])),
                   lambda: t.matrix_determinant(t.zeros([3])),
                   lambda: t.cholesky(t.zeros([4, 2, 3])),
                   lambda: t.matrix_solve(t.zeros([3, 3]), t.zeros([2, 1])),
                   lambda: t.matrix_inverse(t.zeros([2, 2], t.int32))):
            try:
                fn()
                out.append(None)
            except (ValueError, TypeError) as e:
                out.append(type(e).__name__)
        return out

    assert errors_of(tf) == errors_of(tfv1)


@pytest.mark.tf
def test_runtime_errors_match_tf(tfv1):
    def messages(t):
        x = t.placeholder(t.float64, [None, None])
        out = []
        singular = np.array([[1.0, 2.0], [2.0, 4.0]])
        for op, feed in ((t.matrix_inverse(x), singular),
                         (t.matrix_solve(x, t.ones([2, 1], t.float64)), singular),
                         (t.matrix_inverse(x), np.ones((2, 3)))):
            with t.Session() as sess:
                try:
                    sess.run(op, {x: feed})
                    out.append(None)
                except t.errors.InvalidArgumentError as e:
                    out.append(type(e).__name__)
        return out

    assert messages(tf) == messages(tfv1)


def test_singular_messages():
    x = tf.placeholder(tf.float64, [2, 2])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
            sess.run(tf.matrix_inverse(x), {x: np.ones((2, 2))})
        # TF 2.x's CPU kernel: NaNs in the lower triangle, no error
        np.testing.assert_array_equal(sess.run(tf.cholesky(x), {x: -np.eye(2)}),
                                      [[np.nan, 0], [np.nan, np.nan]])
        sign, logdet = sess.run(tf.linalg.slogdet(x), {x: np.ones((2, 2))})
        assert sign == 0 and logdet == -np.inf


def test_band_part_index_dtype_and_float16():
    x = tf.constant(np.arange(9, dtype=np.float16).reshape(3, 3))
    band = tf.matrix_band_part(x, 0, 0)
    assert band.op.get_attr("Tindex") == tf.int64
    assert tf.matrix_inverse(x + 5.0 * np.eye(3, dtype=np.float16)).dtype == tf.float16
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(band), np.diag([0, 4, 8]))


@pytest.mark.tf
def test_unsupported_gradients_match_tf(tfv1):
    for t in (tf, tfv1):
        w = t.placeholder(t.float64, [4, 3])
        with pytest.raises(NotImplementedError, match="nrows > ncols"):
            t.gradients(t.reduce_sum(t.qr(w, full_matrices=True).q), w)
        with pytest.raises(NotImplementedError, match="abs\\(m - n\\) > 1"):
            x = t.placeholder(t.float64, [5, 2])
            t.gradients(t.reduce_sum(t.svd(x, full_matrices=True)[1]), x)
