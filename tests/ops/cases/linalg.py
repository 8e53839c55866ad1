"""Cases for the linear-algebra ops (inverse, determinants, Cholesky, solves, QR, SVD,
band part); inputs are kept well conditioned for the numeric gradient checks."""

import numpy as np

import minitf as tf
from tests.ops.cases import case, placeholder64, rand


def _well_conditioned(*batch: int, n: int = 3):
    return rand(*batch, n, n) + 3.0 * np.eye(n)


@case("MatrixInverse")
def matrix_inverse():
    x = placeholder64([2, 3, 3])
    return tf.matrix_inverse(x), {x: _well_conditioned(2)}


@case("MatrixInverse")
def matrix_inverse_adjoint():
    x = placeholder64([3, 3])
    return tf.matrix_inverse(x, adjoint=True), {x: _well_conditioned()}


@case("MatrixDeterminant")
def matrix_determinant():
    x = placeholder64([2, 3, 3])
    return tf.matrix_determinant(x), {x: _well_conditioned(2)}


@case("LogMatrixDeterminant")
def log_matrix_determinant():
    x = placeholder64([2, 3, 3])
    return tf.linalg.slogdet(x * -1.0)[1], {x: _well_conditioned(2)}


@case("Cholesky")
def cholesky():
    x = placeholder64([2, 3, 3])
    spd = tf.matmul(x, x, transpose_b=True) + 0.5 * np.eye(3)
    return tf.cholesky(spd), {x: _well_conditioned(2)}


@case("MatrixSolve")
def matrix_solve():
    a, b = placeholder64([2, 3, 3]), placeholder64([2, 3, 2])
    return tf.matrix_solve(a, b), {a: _well_conditioned(2), b: rand(2, 3, 2)}


@case("MatrixSolve")
def matrix_solve_adjoint():
    a, b = placeholder64([3, 3]), placeholder64([3, 1])
    return tf.matrix_solve(a, b, adjoint=True), {a: _well_conditioned(), b: rand(3, 1)}


@case("MatrixTriangularSolve")
def matrix_triangular_solve():
    a, b = placeholder64([2, 3, 3]), placeholder64([2, 3, 2])
    return tf.matrix_triangular_solve(a, b), {a: _well_conditioned(2), b: rand(2, 3, 2)}


@case("MatrixTriangularSolve")
def matrix_triangular_solve_upper_adjoint_broadcast():
    a, b = placeholder64([3, 3]), placeholder64([2, 3, 2])
    out = tf.matrix_triangular_solve(a, b, lower=False, adjoint=True)
    return out, {a: _well_conditioned(), b: rand(2, 3, 2)}


@case("Qr")
def qr_q():
    x = placeholder64([2, 4, 3])
    return tf.qr(x).q, {x: rand(2, 4, 3)}


@case("Qr")
def qr_r():
    x = placeholder64([4, 3])
    return tf.qr(x).r, {x: rand(4, 3)}


@case("Qr")
def qr_wide():
    x = placeholder64([2, 4])
    q, r = tf.qr(x)
    return tf.concat([q, r], axis=1), {x: rand(2, 4)}


@case("Qr", grad=False)
def qr_full():
    x = placeholder64([4, 2])
    return tf.qr(x, full_matrices=True).q, {x: rand(4, 2)}


@case("Svd")
def svd_values():
    x = placeholder64([2, 3, 4])
    return tf.svd(x, compute_uv=False), {x: rand(2, 3, 4)}


@case("Svd")
def svd_values_with_uv():
    x = placeholder64([4, 3])
    return tf.svd(x, full_matrices=True)[0], {x: rand(4, 3)}


@case("Svd")
def svd_uv():
    x = placeholder64([3, 4])
    s, u, v = tf.svd(x)
    # u and v are unique up to signs: use sign-invariant products
    return tf.concat([tf.matmul(u * s[None, :], v, transpose_b=True),
                      tf.matmul(u * u[:, :1], u, transpose_b=True)], 1), {x: rand(3, 4)}


@case("Svd")
def svd_full_tall():
    x = placeholder64([2, 4, 3])
    s, u, v = tf.svd(x, full_matrices=True)
    return tf.matmul(v * s[:, None, :], v, transpose_b=True), {x: rand(2, 4, 3)}


@case("MatrixBandPart")
def matrix_band_part():
    x = placeholder64([2, 3, 4])
    return tf.matrix_band_part(x, 1, 0), {x: rand(2, 3, 4)}


@case("MatrixBandPart")
def matrix_band_part_upper():
    x = placeholder64([4, 3])
    return tf.linalg.band_part(x, 0, -1), {x: rand(4, 3)}
