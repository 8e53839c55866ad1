"""Gradients of the linear-algebra ops (TF's ``linalg_grad.py``): MatrixInverse,
MatrixDeterminant, LogMatrixDeterminant, Cholesky, MatrixSolve, MatrixTriangularSolve,
MatrixBandPart, Qr (real, static shapes, not for full_matrices with more rows than columns) and
Svd
(singular values only: the gradient through ``u``/``v`` raises NotImplementedError)."""

from __future__ import annotations

from typing import Any

from minitf.framework.op_registry import RegisterGradient
from minitf.framework.operation import Operation


def _ops() -> tuple[Any, Any, Any]:
    from minitf.ops import array_ops, linalg_ops, math_ops

    return array_ops, linalg_ops, math_ops


def _adjoint(x: Any) -> Any:
    from minitf.ops.array_ops import matrix_transpose

    return matrix_transpose(x, conjugate=True)


@RegisterGradient("MatrixInverse")
def _matrix_inverse_grad(op: Operation, grad: Any) -> Any:
    _, _, math_ops = _ops()
    ainv = op.outputs[0]
    adj = op.get_attr("adjoint")
    return -math_ops.matmul(ainv, math_ops.matmul(grad, ainv, adjoint_a=adj, adjoint_b=not adj),
                            adjoint_a=not adj)


def _det_multipliers(scale: Any) -> Any:
    array_ops, _, _ = _ops()
    return array_ops.reshape(scale, array_ops.concat([array_ops.shape(scale), [1, 1]], 0))


@RegisterGradient("MatrixDeterminant")
def _matrix_determinant_grad(op: Operation, grad: Any) -> Any:
    _, linalg_ops, _ = _ops()
    a_adj_inv = linalg_ops.matrix_inverse(op.inputs[0], adjoint=True)
    return _det_multipliers(grad * op.outputs[0]) * a_adj_inv


@RegisterGradient("LogMatrixDeterminant")
def _log_matrix_determinant_grad(op: Operation, _: Any, grad_b: Any) -> Any:
    _, linalg_ops, _ = _ops()
    a_adj_inv = linalg_ops.matrix_inverse(op.inputs[0], adjoint=True)
    return _det_multipliers(grad_b) * a_adj_inv


@RegisterGradient("Cholesky")
def _cholesky_grad(op: Operation, grad: Any) -> Any:
    array_ops, linalg_ops, math_ops = _ops()
    lower = op.outputs[0]
    shape = array_ops.shape(lower)
    l_inverse = linalg_ops.matrix_triangular_solve(
        lower, array_ops.eye(shape[-1], batch_shape=shape[:-2], dtype=lower.dtype))
    middle = math_ops.matmul(lower, grad, adjoint_a=True)
    middle = array_ops.matrix_set_diag(middle, 0.5 * array_ops.matrix_diag_part(middle))
    middle = linalg_ops.matrix_band_part(middle, -1, 0)
    grad_a = math_ops.matmul(math_ops.matmul(l_inverse, middle, adjoint_a=True), l_inverse)
    grad_a += _adjoint(grad_a)
    return grad_a * 0.5


def _solve_grads(op: Operation, grad_b: Any) -> Any:
    _, _, math_ops = _ops()
    c = op.outputs[0]
    if op.get_attr("adjoint"):
        return -math_ops.matmul(c, grad_b, adjoint_b=True)
    return -math_ops.matmul(grad_b, c, adjoint_b=True)


@RegisterGradient("MatrixSolve")
def _matrix_solve_grad(op: Operation, grad: Any) -> Any:
    _, linalg_ops, _ = _ops()
    grad_b = linalg_ops.matrix_solve(op.inputs[0], grad, adjoint=not op.get_attr("adjoint"))
    return _solve_grads(op, grad_b), grad_b


@RegisterGradient("MatrixTriangularSolve")
def _matrix_triangular_solve_grad(op: Operation, grad: Any) -> Any:
    from minitf.ops.grad_util import sum_to_shape

    _, linalg_ops, _ = _ops()
    a, b = op.inputs
    lower = op.get_attr("lower")
    grad_b = linalg_ops.matrix_triangular_solve(a, grad, lower=lower,
                                                adjoint=not op.get_attr("adjoint"))
    grad_a = _solve_grads(op, grad_b)
    grad_a = linalg_ops.matrix_band_part(grad_a, -1, 0) if lower else \
        linalg_ops.matrix_band_part(grad_a, 0, -1)
    if a.get_shape().is_fully_defined() and b.get_shape().is_fully_defined() and \
            a.get_shape()[:-2] == b.get_shape()[:-2]:
        return grad_a, grad_b
    return sum_to_shape(grad_a, a), sum_to_shape(grad_b, b)


@RegisterGradient("MatrixBandPart")
def _matrix_band_part_grad(op: Operation, grad: Any) -> Any:
    _, linalg_ops, _ = _ops()
    return linalg_ops.matrix_band_part(grad, op.inputs[1], op.inputs[2]), None, None


def _triangular_solve_right(x: Any, r: Any) -> Any:
    """``x @ inv(r)`` for upper-triangular ``r``."""
    _, linalg_ops, _ = _ops()
    return _adjoint(linalg_ops.matrix_triangular_solve(r, _adjoint(x), lower=False,
                                                       adjoint=False))


def _qr_grad_square_and_deep(q: Any, r: Any, dq: Any, dr: Any) -> Any:
    _, linalg_ops, math_ops = _ops()
    qdq = math_ops.matmul(q, dq, adjoint_a=True)
    qdq_ = qdq - _adjoint(qdq)
    rdr = math_ops.matmul(r, dr, adjoint_b=True)
    rdr_ = rdr - _adjoint(rdr)
    tril = linalg_ops.matrix_band_part(qdq_ + rdr_, -1, 0)
    grad_a = math_ops.matmul(q, dr + _triangular_solve_right(tril, r))
    grad_b = _triangular_solve_right(dq - math_ops.matmul(q, qdq), r)
    ret = grad_a + grad_b
    if q.dtype.is_complex:
        raise NotImplementedError("minitf: the Qr gradient of complex matrices is not "
                                  "implemented")
    return ret


@RegisterGradient("Qr")
def _qr_grad(op: Operation, dq: Any, dr: Any) -> Any:
    array_ops, _, math_ops = _ops()
    q, r = op.outputs
    if dq is None:
        dq = array_ops.zeros_like(q)
    if dr is None:
        dr = array_ops.zeros_like(r)
    rs, qs = r.get_shape(), q.get_shape()
    if rs.ndims is None or rs[-2].value is None or rs[-1].value is None:
        raise NotImplementedError("QrGrad not implemented with dynamic shapes. Received r.shape: "
                                  f"{rs}")
    if rs[-2].value > rs[-1].value and qs[-2].value == qs[-1].value:
        raise NotImplementedError("QrGrad not implemented when nrows > ncols and full_matrices "
                                  f"is true. Received r.shape={rs} with nrows={rs[-2]}and "
                                  f"ncols={rs[-1]}.")
    num_rows, num_cols = qs[-2].value, rs[-1].value
    if num_rows >= num_cols:
        return _qr_grad_square_and_deep(q, r, dq, dr)
    a = op.inputs[0]
    y = a[..., :, num_rows:]
    u = r[..., :, :num_rows]
    dv = dr[..., :, num_rows:]
    du = dr[..., :, :num_rows]
    dy = math_ops.matmul(q, dv)
    dx = _qr_grad_square_and_deep(q, u, dq + math_ops.matmul(y, dv, adjoint_b=True), du)
    return array_ops.concat([dx, dy], axis=-1)


def _safe_reciprocal(x: Any, epsilon: float = 1e-20) -> Any:
    _, _, math_ops = _ops()
    return x * math_ops.reciprocal(x * x + epsilon)


@RegisterGradient("Svd")
def _svd_grad(op: Operation, grad_s: Any, grad_u: Any, grad_v: Any) -> Any:
    array_ops, linalg_ops, math_ops = _ops()
    a = op.inputs[0]
    a_shape = a.get_shape().with_rank_at_least(2)
    grad_s_mat = array_ops.matrix_diag(math_ops.cast(grad_s, a.dtype))
    if not op.get_attr("compute_uv"):
        _, u, v = linalg_ops.svd(a, compute_uv=True)
        grad_a = math_ops.matmul(u, math_ops.matmul(grad_s_mat, v, adjoint_b=True))
        grad_a.set_shape(a_shape)
        return grad_a
    if a.dtype.is_complex:
        raise NotImplementedError("minitf: the Svd gradient of complex matrices (with u, v) is "
                                  "not implemented")
    full_matrices = op.get_attr("full_matrices")
    m, n = a_shape[-2].value, a_shape[-1].value
    if m is None or n is None:
        raise NotImplementedError("SVD gradient has not been implemented for input with "
                                  "unknown inner matrix shape.")
    s, u, v = op.outputs
    use_adjoint = m > n
    if use_adjoint:
        m, n, u, v, grad_u, grad_v = n, m, v, u, grad_v, grad_u
    if full_matrices and abs(m - n) > 1:
        raise NotImplementedError("svd gradient is not implemented for abs(m - n) > 1 when "
                                  f"full_matrices is True. Received: m={m} and n={n}.")
    s_mat = array_ops.matrix_diag(s)
    s2 = math_ops.square(s)
    f = array_ops.matrix_set_diag(
        _safe_reciprocal(array_ops.expand_dims(s2, -2) - array_ops.expand_dims(s2, -1)),
        array_ops.zeros_like(s))
    s_inv_mat = array_ops.matrix_diag(_safe_reciprocal(s))
    v1 = v[..., :, :m]
    grad_v1 = grad_v[..., :, :m]
    f_u = f * math_ops.matmul(u, grad_u, adjoint_a=True)
    f_v = f * math_ops.matmul(v1, grad_v1, adjoint_a=True)
    term1_nouv = (grad_s_mat + math_ops.matmul(f_u + _adjoint(f_u), s_mat)
                  + math_ops.matmul(s_mat, f_v + _adjoint(f_v)))
    grad_a = math_ops.matmul(u, math_ops.matmul(term1_nouv, v1, adjoint_b=True))
    if m != n:
        gv1t = _adjoint(grad_v1)
        term2_nous = gv1t - math_ops.matmul(math_ops.matmul(gv1t, v1), v1, adjoint_b=True)
        if full_matrices:
            v2 = v[..., :, m:n]
            v1t_gv2 = math_ops.matmul(v1, grad_v[..., :, m:n], adjoint_a=True)
            term2_nous -= math_ops.matmul(v1t_gv2, v2, adjoint_b=True)
        grad_a = grad_a + math_ops.matmul(math_ops.matmul(u, s_inv_mat), term2_nous)
    if use_adjoint:
        grad_a = _adjoint(grad_a)
    grad_a.set_shape(a_shape)
    return grad_a
