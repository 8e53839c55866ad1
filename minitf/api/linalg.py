"""``tf.linalg``: matrix products and norms from the math family; the matrix construction ops
(``diag``, ``eye``, ``transpose`` ...) come from the array family and the decompositions and
solvers (``inv``, ``det``, ``cholesky``, ``qr``, ``svd``, ``solve``, ``band_part`` ...) from
:mod:`minitf.ops.linalg_ops` on first use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework.graph import name_scope
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.ops import math_ops
from minitf.ops.math_ops import einsum, matmul, tensordot, trace

# tf.linalg name -> array_ops function
_FROM_ARRAY = {"transpose": "matrix_transpose", "diag": "matrix_diag",
               "diag_part": "matrix_diag_part", "set_diag": "matrix_set_diag",
               "eye": "eye"}
# tf.linalg name -> linalg_ops function
_FROM_LINALG = {"inv": "matrix_inverse", "det": "matrix_determinant", "slogdet": "slogdet",
                "cholesky": "cholesky", "qr": "qr", "svd": "svd", "solve": "matrix_solve",
                "triangular_solve": "matrix_triangular_solve", "band_part": "matrix_band_part"}

__all__ = ["adjoint", "einsum", "matmul", "matvec", "norm", "tensordot", "trace",
           *_FROM_ARRAY, *_FROM_LINALG]


def matvec(a: Any, b: Any, transpose_a: bool = False, adjoint_a: bool = False,
           a_is_sparse: bool = False, b_is_sparse: bool = False,
           name: str | None = None) -> Tensor:
    """Matrix-vector product over the last dimensions (``tf.linalg.matvec``)."""
    from minitf.ops import array_ops

    with name_scope(name, "MatVec", [a, b]):
        product = matmul(a, array_ops.expand_dims(b, -1), transpose_a=transpose_a,
                         adjoint_a=adjoint_a)
        return array_ops.squeeze(product, axis=-1)


def adjoint(matrix: Any, name: str = "adjoint") -> Tensor:
    """Conjugate transpose of the innermost matrices (``tf.linalg.adjoint``)."""
    from minitf.ops import array_ops

    with name_scope(name, "adjoint", [matrix]):
        return array_ops.matrix_transpose(convert_to_tensor(matrix, name="matrix"),
                                          conjugate=True)


def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None,  # noqa: A002 - TF's name
         keepdims: Any = None, name: str | None = None, keep_dims: Any = None) -> Tensor:
    """Vector norms (``ord`` 'euclidean', 1, 2, inf, p > 0) over ``axis`` (all entries when
    None) and matrix norms ('fro'/'euclidean', 1, inf) over a pair of axes (``tf.norm``).
    The matrix 2-norm (SVD) is not supported."""
    from minitf.ops import array_ops

    keep = keepdims if keepdims is not None else keep_dims
    keep = bool(keep) if keep is not None else False
    is_matrix = isinstance(axis, (list, tuple)) and len(axis) == 2
    if is_matrix:
        if ord not in ("euclidean", "fro", 1, 2, np.inf):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, "
                             f"2, inf], got {ord}")
        if not (isinstance(axis[0], int) and isinstance(axis[1], int) and axis[0] != axis[1]):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique "
                             f"integers, got {axis}")
        if ord == 2:
            raise NotImplementedError("the matrix 2-norm needs an SVD (not supported)")
    else:
        if not (isinstance(axis, int) or axis is None):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique "
                             f"integers, got {axis}")
        if ord not in ("euclidean", 1, 2, np.inf) and (
                isinstance(ord, str) or not np.isreal(ord) or ord <= 0):
            raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
        if axis is not None:
            axis = (axis,)
    with name_scope(name, "norm", [tensor]):
        x = convert_to_tensor(tensor)
        if ord in ("fro", "euclidean", 2, 2.0):
            result = math_ops.sqrt(math_ops.reduce_sum(x * x, axis, keepdims=True))
        else:
            result = math_ops.abs(x)
            if ord == 1:
                result = math_ops.reduce_sum(result, None if axis is None else axis[0],
                                             keepdims=True)
                if is_matrix:
                    result = math_ops.reduce_max(result, axis[-1], keepdims=True)
            elif ord == np.inf:
                if is_matrix:
                    result = math_ops.reduce_sum(result, axis[1], keepdims=True)
                result = math_ops.reduce_max(result, None if axis is None else axis[0],
                                             keepdims=True)
            else:
                result = math_ops.pow(
                    math_ops.reduce_sum(math_ops.pow(result, float(ord)), axis, keepdims=True),
                    1.0 / ord)
        if not keep:
            result = array_ops.squeeze(result, None if axis is None else list(axis))
        return result


def __getattr__(name: str) -> Any:
    if name in _FROM_ARRAY:
        from minitf.ops import array_ops

        return getattr(array_ops, _FROM_ARRAY[name])
    if name in _FROM_LINALG:
        from minitf.ops import linalg_ops

        return getattr(linalg_ops, _FROM_LINALG[name])
    raise AttributeError(f"module 'minitf.linalg' has no attribute '{name}'")


_ = (einsum, tensordot, trace)
