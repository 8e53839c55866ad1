"""Batched linear-algebra ops (TF 1.x ``linalg_ops``): MatrixInverse, MatrixDeterminant,
LogMatrixDeterminant, Cholesky, MatrixSolve, MatrixTriangularSolve, Qr, Svd and MatrixBandPart,
with numpy (LAPACK) references and the ``tf.matrix_*`` / ``tf.linalg.*`` wrappers. Gradients
live in :mod:`minitf.ops.linalg_grad`. float16 inputs are computed in float32."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from minitf.framework import errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, broadcast_static_shapes

__all__ = ["matrix_inverse", "matrix_determinant", "cholesky",
           "matrix_solve", "matrix_triangular_solve", "qr", "svd", "matrix_band_part"]

_FLOATS = "{double, float, half, complex64, complex128}"


# --- shape helpers -------------------------------------------------------------------------------

def _matrix_dims(shape: TensorShape, square: bool = False) -> tuple[Any, Any, Any]:
    """(batch shape, rows, cols) of a rank >= 2 static shape, or Nones when unknown."""
    if shape.ndims is None:
        return None, None, None
    if shape.ndims < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {shape.ndims}")
    dims = shape.as_tuple()
    m, n = dims[-2], dims[-1]
    if square and m is not None and n is not None and m != n:
        raise ValueError(f"Dimensions must be equal, but are {m} and {n}")
    return TensorShape(dims[:-2]), m if m is not None else n, n if n is not None else m


def _square_shape(op: Any) -> list[TensorShape]:
    shape = op.inputs[0].get_shape()
    batch, m, _ = _matrix_dims(shape, square=True)
    if batch is None:
        return [TensorShape(None)]
    return [batch.concatenate([m, m])]


def _batch_shape(op: Any) -> list[TensorShape]:
    batch, _, _ = _matrix_dims(op.inputs[0].get_shape(), square=True)
    out = batch if batch is not None else TensorShape(None)
    return [out] * len(op.outputs)


def _solve_shape(op: Any) -> list[TensorShape]:
    a, b = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    batch_a, m, _ = _matrix_dims(a, square=True)
    batch_b, mb, k = _matrix_dims(b)
    if m is not None and mb is not None and m != mb:
        raise ValueError(f"Dimensions must be equal, but are {m} and {mb}")
    if batch_a is None or batch_b is None:
        return [TensorShape(None)]
    if op.type == "MatrixTriangularSolve":
        batch = broadcast_static_shapes(batch_a, batch_b)
    else:
        batch = batch_a.merge_with(batch_b)
    return [batch.concatenate([m if m is not None else mb, k])]


# --- references ----------------------------------------------------------------------------------

def _compute(x: Any) -> Any:
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _check_square(x: Any) -> None:
    if x.ndim < 2:
        raise errors.InvalidArgumentError(None, None, f"Input must have rank >= 2, got {x.ndim}")
    if x.shape[-1] != x.shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Input matrices must be squares, got {x.shape[-2]} != {x.shape[-1]}")


def _adj(x: Any) -> Any:
    x = np.swapaxes(x, -1, -2)
    return np.conj(x) if x.dtype.kind == "c" else x


def _inverse_ref(x: Any, adjoint: bool = False) -> Any:
    _check_square(x)
    a = _compute(x)
    if a.shape[-1] == 0:
        return x.copy()
    try:
        inv = np.linalg.inv(_adj(a) if adjoint else a)
    except np.linalg.LinAlgError:
        raise errors.InvalidArgumentError(None, None, "Input is not invertible.") from None
    if not np.all(np.isfinite(inv)) and np.all(np.isfinite(a)):
        raise errors.InvalidArgumentError(None, None, "Input is not invertible.")
    return inv.astype(x.dtype)


def _det_ref(x: Any) -> Any:
    _check_square(x)
    return np.asarray(np.linalg.det(_compute(x))).astype(x.dtype)


def _slogdet_ref(x: Any) -> tuple[Any, Any]:
    _check_square(x)
    sign, logdet = np.linalg.slogdet(_compute(x))
    return np.asarray(sign).astype(x.dtype), np.asarray(logdet).astype(x.dtype)


def _cholesky_ref(x: Any) -> Any:
    """As TF's CPU kernel (2.x): a matrix that is not positive definite gives NaNs in the lower
    triangle (TF logs a warning) instead of an error."""
    _check_square(x)
    a = _compute(x)
    try:
        return np.linalg.cholesky(a).astype(x.dtype)
    except np.linalg.LinAlgError:
        pass
    flat = a.reshape((-1,) + a.shape[-2:])
    out = np.zeros_like(flat)
    failed = np.tril(np.full(a.shape[-2:], np.nan, dtype=a.dtype))
    for i, m in enumerate(flat):
        try:
            out[i] = np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            out[i] = failed
    return out.reshape(a.shape).astype(x.dtype)


def _solve_ref(a: Any, b: Any, adjoint: bool = False) -> Any:
    _check_square(a)
    if a.shape[-1] != b.shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Input matrix and right-hand side must have the same number of rows: "
                        f"{a.shape[-2]} vs. {b.shape[-2]}")
    ac = _compute(a)
    try:
        return np.linalg.solve(_adj(ac) if adjoint else ac, _compute(b)).astype(a.dtype)
    except np.linalg.LinAlgError:
        raise errors.InvalidArgumentError(None, None, "Input matrix is not invertible.") \
            from None


def _triangular_solve_ref(a: Any, b: Any, lower: bool = True, adjoint: bool = False) -> Any:
    _check_square(a)
    if a.shape[-1] != b.shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Input matrix and right-hand side must have the same number of rows: "
                        f"{a.shape[-2]} vs. {b.shape[-2]}")
    ac = _compute(a)
    ac = np.tril(ac) if lower else np.triu(ac)
    if adjoint:
        ac = _adj(ac)
    with np.errstate(all="ignore"):
        try:
            out = np.linalg.solve(ac, _compute(b))
        except np.linalg.LinAlgError:  # singular: TF divides by the zero pivot
            out = np.full(np.broadcast_shapes(ac.shape[:-2], b.shape[:-2]) + b.shape[-2:],
                          np.nan, dtype=ac.dtype)
    return out.astype(a.dtype)


def _qr_ref(x: Any, full_matrices: bool = False) -> tuple[Any, Any]:
    q, r = np.linalg.qr(_compute(x), mode="complete" if full_matrices else "reduced")
    return q.astype(x.dtype), r.astype(x.dtype)


def _svd_ref(x: Any, compute_uv: bool = True, full_matrices: bool = False) -> tuple[Any, ...]:
    a = _compute(x)
    real = np.float32 if x.dtype == np.complex64 else (
        np.float64 if x.dtype == np.complex128 else x.dtype)
    if not compute_uv:
        s = np.linalg.svd(a, compute_uv=False)
        empty = np.zeros((0,), dtype=x.dtype)
        return s.astype(x.dtype if x.dtype.kind != "c" else real).astype(x.dtype), empty, empty
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    return s.astype(x.dtype), u.astype(x.dtype), _adj(vh).astype(x.dtype)


def _band_part_ref(x: Any, num_lower: Any, num_upper: Any) -> Any:
    m, n = x.shape[-2], x.shape[-1]
    lo, up = int(num_lower), int(num_upper)
    if lo > m or up > n:
        raise errors.InvalidArgumentError(
            None, None, f"num_lower must be negative or less or equal to number of rows ({m}) "
                        f"got: {lo}" if lo > m else
                        f"num_upper must be negative or less or equal to number of columns "
                        f"({n}) got: {up}")
    i = np.arange(m)[:, None]
    j = np.arange(n)[None, :]
    keep = np.ones((m, n), dtype=bool)
    if lo >= 0:
        keep &= (i - j) <= lo
    if up >= 0:
        keep &= (j - i) <= up
    return np.where(keep, x, np.zeros((), dtype=x.dtype))


# --- registrations -------------------------------------------------------------------------------

def _qr_shape(op: Any) -> list[TensorShape]:
    batch, m, n = _matrix_dims(op.inputs[0].get_shape())
    if batch is None:
        return [TensorShape(None)] * 2
    full = op._attrs["full_matrices"]
    p = None if m is None or n is None else min(m, n)
    return [batch.concatenate([m, m if full else p]), batch.concatenate([m if full else p, n])]


def _svd_shape(op: Any) -> list[TensorShape]:
    batch, m, n = _matrix_dims(op.inputs[0].get_shape())
    if batch is None:
        return [TensorShape(None)] * 3
    p = None if m is None or n is None else min(m, n)
    if not op._attrs["compute_uv"]:
        return [batch.concatenate([p]), TensorShape([0]), TensorShape([0])]
    full = op._attrs["full_matrices"]
    return [batch.concatenate([p]), batch.concatenate([m, m if full else p]),
            batch.concatenate([n, n if full else p])]


def _band_part_shape(op: Any) -> list[TensorShape]:
    shape = op.inputs[0].get_shape()
    if shape.ndims is not None and shape.ndims < 2:
        raise ValueError(f"Shape must be at least rank 2 but is rank {shape.ndims}")
    for t in op.inputs[1:]:
        if t.get_shape().ndims not in (None, 0):
            raise ValueError(f"Shape must be rank 0 but is rank {t.get_shape().ndims}")
    return [shape]


register_op("MatrixInverse", inputs=["input: T"], outputs=["output: T"],
            attrs=["adjoint: bool = false", f"T: {_FLOATS}"], shape=_square_shape,
            reference=_inverse_ref, kernel_attrs=("adjoint",))
register_op("MatrixDeterminant", inputs=["input: T"], outputs=["output: T"],
            attrs=["T: {half, float, double, complex64, complex128}"], shape=_batch_shape,
            reference=_det_ref)
register_op("LogMatrixDeterminant", inputs=["input: T"],
            outputs=["sign: T", "log_abs_determinant: T"],
            attrs=["T: {half, float, double, complex64, complex128}"], shape=_batch_shape,
            reference=_slogdet_ref)
register_op("Cholesky", inputs=["input: T"], outputs=["output: T"], attrs=[f"T: {_FLOATS}"],
            shape=_square_shape, reference=_cholesky_ref)
register_op("MatrixSolve", inputs=["matrix: T", "rhs: T"], outputs=["output: T"],
            attrs=["adjoint: bool = false", f"T: {_FLOATS}"], shape=_solve_shape,
            reference=_solve_ref, kernel_attrs=("adjoint",))
register_op("MatrixTriangularSolve", inputs=["matrix: T", "rhs: T"], outputs=["output: T"],
            attrs=["lower: bool = true", "adjoint: bool = false",
                   "T: {bfloat16, double, float, half, complex64, complex128}"],
            shape=_solve_shape, reference=_triangular_solve_ref,
            kernel_attrs=("lower", "adjoint"))
register_op("Qr", inputs=["input: T"], outputs=["q: T", "r: T"],
            attrs=["full_matrices: bool = false", f"T: {_FLOATS}"], shape=_qr_shape,
            reference=_qr_ref, kernel_attrs=("full_matrices",))
register_op("Svd", inputs=["input: T"], outputs=["s: T", "u: T", "v: T"],
            attrs=["compute_uv: bool = true", "full_matrices: bool = false", f"T: {_FLOATS}"],
            shape=_svd_shape, reference=_svd_ref, kernel_attrs=("compute_uv", "full_matrices"))
register_op("MatrixBandPart", inputs=["input: T", "num_lower: Tindex", "num_upper: Tindex"],
            outputs=["band: T"], attrs=["T: type", "Tindex: {int32, int64} = int64"],
            shape=_band_part_shape, reference=_band_part_ref)


# --- wrappers ------------------------------------------------------------------------------------

def matrix_inverse(input: Any, adjoint: bool = False,  # noqa: A002 - TF's name
                   name: str | None = None) -> Tensor:
    """Inverses of the innermost square matrices (``tf.matrix_inverse``, ``tf.linalg.inv``)."""
    return apply_op("MatrixInverse", name=name, input=input, adjoint=bool(adjoint))


def matrix_determinant(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Determinants of the innermost square matrices (``tf.linalg.det``)."""
    return apply_op("MatrixDeterminant", name=name, input=input)


def log_matrix_determinant(input: Any, name: str | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
    """(sign, log |det|) of the innermost square matrices (``tf.linalg.slogdet``)."""
    op = apply_op("LogMatrixDeterminant", name=name, input=input)
    return op[0], op[1]


slogdet = log_matrix_determinant


def cholesky(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Lower Cholesky factors (only the lower triangle of ``input`` is read)."""
    return apply_op("Cholesky", name=name, input=input)


def matrix_solve(matrix: Any, rhs: Any, adjoint: bool = False,
                 name: str | None = None) -> Tensor:
    """Solves ``matrix @ x = rhs`` (or ``adjoint(matrix) @ x = rhs``) (``tf.linalg.solve``)."""
    return apply_op("MatrixSolve", name=name, matrix=matrix, rhs=rhs, adjoint=bool(adjoint))


def matrix_triangular_solve(matrix: Any, rhs: Any, lower: bool = True, adjoint: bool = False,
                            name: str | None = None) -> Tensor:
    """Solves with the lower (or upper) triangle of ``matrix``; batch dimensions broadcast
    (``tf.linalg.triangular_solve``)."""
    with name_scope(name, "triangular_solve", [matrix, rhs]):
        return apply_op("MatrixTriangularSolve", matrix=matrix, rhs=rhs, lower=bool(lower),
                        adjoint=bool(adjoint))


class QR(NamedTuple):
    q: Tensor
    r: Tensor


def qr(input: Any, full_matrices: bool = False, name: str | None = None) -> QR:  # noqa: A002
    """QR decompositions ``(q, r)`` of the innermost matrices (``tf.linalg.qr``)."""
    op = apply_op("Qr", name=name, input=input, full_matrices=bool(full_matrices))
    return QR(op[0], op[1])


def svd(tensor: Any, full_matrices: bool = False, compute_uv: bool = True,
        name: str | None = None) -> Any:
    """Singular values ``s`` (and ``u``, ``v`` with ``a = u diag(s) adjoint(v)`` when
    ``compute_uv``) of the innermost matrices (``tf.linalg.svd``). For complex input ``s``
    keeps the complex dtype (minitf has no Real op; TF returns its real part)."""
    s, u, v = apply_op("Svd", name=name, input=tensor, compute_uv=bool(compute_uv),
                       full_matrices=bool(full_matrices))
    return (s, u, v) if compute_uv else s


def matrix_band_part(input: Any, num_lower: Any, num_upper: Any,  # noqa: A002
                     name: str | None = None) -> Tensor:
    """Keeps ``num_lower`` sub- and ``num_upper`` super-diagonals (all when negative) of the
    innermost matrices, zeroing the rest (``tf.linalg.band_part``)."""
    return apply_op("MatrixBandPart", name=name, input=input, num_lower=num_lower,
                    num_upper=num_upper)


from minitf.ops import linalg_grad as _linalg_grad  # noqa: E402,F401 - registers gradients
