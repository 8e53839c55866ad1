"""Linear-algebra math ops: MatMul, BatchMatMulV2 and Einsum (signature, shape function, numpy
reference), and the ``tf.matmul``, ``tf.einsum``, ``tf.tensordot``, ``tf.trace`` and ``tf.norm``
wrappers.

Split out of :mod:`minitf.ops.math_ops`, which imports this module (so the op types are
registered whenever math_ops is) and re-exports its names; gradients live in
:mod:`minitf.ops.math_grad`. Nothing from math_ops is imported at load time: the wrappers that
need an elementwise op or a reduction import it when called, so there is no import cycle.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, broadcast_static_shapes

__all__ = ["matmul", "tensordot", "einsum", "trace", "norm"]


# --- matmul --------------------------------------------------------------------------------------

def _rank_error(shape: TensorShape, want: str) -> ValueError:
    return ValueError(f"Shape must be {want} but is rank {shape.ndims}")


def _matmul_shape(op: Any) -> list[TensorShape]:
    a, b = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    for s in (a, b):
        if s.ndims is not None and s.ndims != 2:
            raise _rank_error(s, "rank 2")
    ad = a.as_tuple() or (None, None)
    bd = b.as_tuple() or (None, None)
    m, k1 = (ad[1], ad[0]) if op._attrs["transpose_a"] else ad
    k2, n = (bd[1], bd[0]) if op._attrs["transpose_b"] else bd
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"Dimensions must be equal, but are {k1} and {k2}")
    return [TensorShape([m, n])]


def _matmul_ref(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False) -> Any:
    if transpose_a:
        a = a.T
    if transpose_b:
        b = b.T
    if a.shape[1] != b.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, f"Matrix size-incompatible: In[0]: [{a.shape[0]},{a.shape[1]}], "
                        f"In[1]: [{b.shape[0]},{b.shape[1]}]")
    return np.matmul(a, b)


_MATMUL_TYPES = "{bfloat16, float16, float32, float64, int8, int16, int32, int64, uint8, " \
                "uint16, uint32, uint64, complex64, complex128}"
register_op("MatMul", inputs=["a: T", "b: T"], outputs=["product: T"],
            attrs=["transpose_a: bool = false", "transpose_b: bool = false",
                   "grad_a: bool = false", "grad_b: bool = false", f"T: {_MATMUL_TYPES}"],
            shape=_matmul_shape, reference=_matmul_ref,
            kernel_attrs=("transpose_a", "transpose_b"))


def _batch_matmul_shape(op: Any) -> list[TensorShape]:
    a, b = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    for s in (a, b):
        if s.ndims is not None and s.ndims < 2:
            raise _rank_error(s, "at least rank 2")
    if a.ndims is None or b.ndims is None:
        return [TensorShape(None)]
    ad, bd = a.as_tuple(), b.as_tuple()
    m, k1 = (ad[-1], ad[-2]) if op._attrs["adj_x"] else (ad[-2], ad[-1])
    k2, n = (bd[-1], bd[-2]) if op._attrs["adj_y"] else (bd[-2], bd[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"Dimensions must be equal, but are {k1} and {k2}")
    batch = broadcast_static_shapes(TensorShape(ad[:-2]), TensorShape(bd[:-2]))
    return [batch.concatenate([m, n])]


def _adjoint(x: Any) -> Any:
    x = np.swapaxes(x, -1, -2)
    return np.conj(x) if x.dtype.kind == "c" else x


def _batch_matmul_ref(x: Any, y: Any, adj_x: bool = False, adj_y: bool = False) -> Any:
    if x.ndim < 2 or y.ndim < 2:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] and In[1] must have rank >= 2: {list(x.shape)} vs "
                        f"{list(y.shape)}")
    if adj_x:
        x = _adjoint(x)
    if adj_y:
        y = _adjoint(y)
    if x.shape[-1] != y.shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Matrix size-incompatible: In[0]: {list(x.shape)}, In[1]: "
                        f"{list(y.shape)}")
    try:
        return np.matmul(x, y)
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] and In[1] must have compatible batch dimensions: "
                        f"{list(x.shape)} vs. {list(y.shape)}") from None


register_op("BatchMatMulV2", inputs=["x: T", "y: T"], outputs=["output: T"],
            attrs=[f"T: {_MATMUL_TYPES}", "adj_x: bool = false", "adj_y: bool = false",
                   "grad_x: bool = false", "grad_y: bool = false"],
            shape=_batch_matmul_shape, reference=_batch_matmul_ref,
            kernel_attrs=("adj_x", "adj_y"))


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, output_type: Any = None, grad_a: bool = False,
           grad_b: bool = False, name: str | None = None) -> Tensor:
    """Matrix product (``tf.matmul``): MatMul for rank 2, BatchMatMulV2 (batch dimensions
    broadcast) when either input has another or unknown rank."""
    from minitf.ops.math_ops import conj

    with name_scope(name, "MatMul", [a, b]) as scope:
        if transpose_a and adjoint_a:
            raise ValueError(f"Only one of `transpose_a` and `adjoint_a` can be True. Received "
                             f"`transpose_a`={transpose_a}, `adjoint_a`={adjoint_a}.")
        if transpose_b and adjoint_b:
            raise ValueError(f"Only one of `transpose_b` and `adjoint_b` can be True. Received "
                             f"`transpose_b`={transpose_b}, `adjoint_b`={adjoint_b}.")
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, dtype_hint=a.dtype.base_dtype, name="b")
        if output_type is not None and (dtypes.as_dtype(output_type) != a.dtype.base_dtype
                                        or dtypes.as_dtype(output_type) != b.dtype.base_dtype):
            raise NotImplementedError("matmul with an output_type different from the inputs' "
                                      "(BatchMatMulV3) is not supported")
        ra, rb = a.get_shape().ndims, b.get_shape().ndims
        if ra is None or rb is None or ra > 2 or rb > 2:
            # BatchMatMulV2 only adjoints: transpose = adjoint of the conjugate (no-op if real)
            if transpose_a:
                a, adjoint_a = conj(a), True
            if transpose_b:
                b, adjoint_b = conj(b), True
            return apply_op("BatchMatMulV2", name=scope, x=a, y=b, adj_x=bool(adjoint_a),
                            adj_y=bool(adjoint_b))
        if adjoint_a:
            a, transpose_a = conj(a), True
        if adjoint_b:
            b, transpose_b = conj(b), True
        return apply_op("MatMul", name=scope, a=a, b=b, transpose_a=bool(transpose_a),
                        transpose_b=bool(transpose_b))


# --- einsum --------------------------------------------------------------------------------------
# Equations are kept in TF's resolved form ("ij,jk->ik", "..." for broadcast dimensions).
# Internally a subscript is a tuple of tokens, "." standing for the ellipsis.

_EINSUM_TYPES = "{bfloat16, float16, float32, float64, int32, int64, complex64, complex128}"
_EQUATION_CACHE: dict[str, tuple[list[tuple[str, ...]], tuple[str, ...]]] = {}


def _tokens(subscript: str) -> tuple[str, ...]:
    return tuple(subscript.replace("...", "."))


def _join(tokens: Any) -> str:
    return "".join("..." if t == "." else t for t in tokens)


def _dedupe(tokens: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tokens))


def parse_equation(equation: str) -> tuple[list[tuple[str, ...]], tuple[str, ...]]:
    """A resolved equation as (input subscripts, output subscript), each a token tuple."""
    parsed = _EQUATION_CACHE.get(equation)
    if parsed is None:
        lhs, out = equation.split("->")
        parsed = ([_tokens(s) for s in lhs.split(",")], _tokens(out))
        _EQUATION_CACHE[equation] = parsed
    return parsed


def _resolve_equation(equation: str, num_inputs: int) -> str:
    """TF's einsum equation validation; adds the implicit output ("ij,jk" -> "ij,jk->ik")."""
    import re
    from collections import Counter

    eq = equation.replace(" ", "")
    if "..." in eq and "0" in eq:
        raise ValueError(f'Invalid character "0" in equation: {equation}.')
    eq = eq.replace("...", "0")
    m = re.match(r"^([a-zA-Z0,]*)(->[a-zA-Z0]*)?$", eq)
    if not m:
        raise ValueError(f"Subscripts have incorrect format: {eq}")
    inputs = m.group(1).split(",")
    if len(inputs) != num_inputs:
        raise ValueError(f'Got {num_inputs} inputs for equation "{equation}", expecting '
                         f"{len(inputs)}")
    if m.group(2) is None:
        counts = Counter(m.group(1))
        eq += "->" + "".join(c for c in sorted(counts) if c != "," and counts[c] == 1)
    out = eq.split("->")[1]
    if len(set(out)) != len(out):
        raise ValueError("Output subscripts contain a label appearing more than once: "
                         f"{equation}")
    for c in out:
        if c != "0" and c not in m.group(1):
            raise ValueError(f"Output subscripts contain the label {c} not present in the input "
                             "subscripts.")
    for s in inputs:
        if s.count("0") > 1:
            raise ValueError(f"Too many ellipses in input label {s.replace('0', '...')}.")
    return eq.replace("0", "...")


def _einsum_shape(op: Any) -> list[TensorShape]:
    ins, out = parse_equation(op._attrs["equation"])
    if len(ins) != len(op.inputs):
        raise ValueError(f"Expecting {len(ins)} inputs but got {len(op.inputs)}")
    dims: dict[str, int | None] = {}
    ellipsis = TensorShape([])
    ellipsis_known = True
    for i, (toks, t) in enumerate(zip(ins, op.inputs)):
        s = t.get_shape()
        labels = [c for c in toks if c != "."]
        if s.ndims is None:
            ellipsis_known = ellipsis_known and "." not in toks
            continue
        sd = s.as_tuple()
        if "." in toks:
            if s.ndims < len(labels):
                raise ValueError(f"Expected input {i} to have rank at least {len(labels)} but "
                                 f"got: {s.ndims}")
            k = toks.index(".")
            n_ell = s.ndims - len(labels)
            ellipsis = broadcast_static_shapes(ellipsis, TensorShape(sd[k:k + n_ell]))
            sd = sd[:k] + sd[k + n_ell:]
        elif s.ndims != len(labels):
            raise ValueError(f"Expected input {i} to have rank {len(labels)} but got: "
                             f"{s.ndims}")
        for c, d in zip(labels, sd):
            prev = dims.get(c)
            if prev is None:
                dims[c] = d
            elif d is not None and d != prev:
                raise ValueError(f"Dimensions must be equal, but are {prev} and {d}")
    if "." not in out and ellipsis_known and ellipsis.ndims:
        raise ValueError(f"Shape must be at most rank 0 but is rank {ellipsis.ndims}")
    out_dims: list[int | None] = []
    for c in out:
        if c == ".":
            if not ellipsis_known:
                return [TensorShape(None)]
            out_dims.extend(ellipsis.as_tuple() or ())
        else:
            out_dims.append(dims.get(c))
    return [TensorShape(out_dims)]


def _einsum_sizes(ins: list[tuple[str, ...]], inputs: tuple[Any, ...]
                  ) -> tuple[dict[str, int], tuple[int, ...]]:
    """Label sizes and the broadcast ellipsis shape; numpy would silently broadcast size-1
    labels, TF does not."""
    sizes: dict[str, int] = {}
    ellipsis: tuple[int, ...] = ()
    for i, (toks, x) in enumerate(zip(ins, inputs)):
        shape = x.shape
        n_labels = len(toks) - ("." in toks)
        if "." in toks:
            if len(shape) < n_labels:
                raise errors.InvalidArgumentError(
                    None, None, f"Expected input {i} to have rank at least {n_labels} but got: "
                                f"{len(shape)}")
            k = toks.index(".")
            n_ell = len(shape) - n_labels
            try:
                ellipsis = np.broadcast_shapes(ellipsis, shape[k:k + n_ell])
            except ValueError:
                raise errors.InvalidArgumentError(
                    None, None, f"Incompatible broadcast dimensions in einsum input {i}: "
                                f"{list(shape)}") from None
            shape = shape[:k] + shape[k + n_ell:]
        elif len(shape) != n_labels:
            raise errors.InvalidArgumentError(
                None, None, f"Expected input {i} to have rank {n_labels} but got: {len(shape)}")
        for c, d in zip((c for c in toks if c != "."), shape):
            if sizes.setdefault(c, d) != d:
                raise errors.InvalidArgumentError(
                    None, None, f"Expected dimension {sizes[c]} for label {c} of input {i} "
                                f"but got {d}")
    return sizes, ellipsis


def _einsum_ref(*inputs: Any, equation: str) -> Any:
    ins, out = parse_equation(equation)
    sizes, ellipsis = _einsum_sizes(ins, inputs)
    if "." not in out and ellipsis:
        raise errors.InvalidArgumentError(None, None, f"Output subscripts of {equation} have no "
                                                      f"ellipsis for broadcast dims {ellipsis}")
    optimize = len(inputs) > 1 and builtins.max(x.size for x in inputs) >= 4096
    unique = _dedupe(out)
    lhs = equation.split("->")[0]
    if len(unique) == len(out):
        r = np.einsum(equation, *inputs, optimize=optimize)
        if len(inputs) == 1 and np.may_share_memory(r, inputs[0]):
            r = r.copy()  # "ij->ji" and "ii->i" are views; outputs must not alias inputs
    else:  # a repeated output label writes a diagonal ("i->ii"), TF's "un-trace"
        diag = np.einsum(f"{lhs}->{_join(unique)}", *inputs, optimize=optimize)
        full_shape: list[int] = []
        for c in out:
            full_shape.extend(ellipsis if c == "." else (sizes[c],))
        r = np.zeros(full_shape, dtype=diag.dtype)
        np.einsum(f"{_join(out)}->{_join(unique)}", r)[...] = diag
    dtype = inputs[0].dtype
    return r if r.dtype == dtype else r.astype(dtype)


register_op("Einsum", inputs=["inputs: N * T"], outputs=["output: T"],
            attrs=["equation: string", "N: int >= 1", f"T: {_EINSUM_TYPES}"],
            shape=_einsum_shape, reference=_einsum_ref, kernel_attrs=("equation",))


def einsum(equation: str, *inputs: Any, **kwargs: Any) -> Tensor:
    """Einstein summation (``tf.einsum``): one Einsum op for one or two operands, a chain of
    binary Einsum ops (left to right) for more."""
    name = kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for einsum: {', '.join(kwargs)}. Valid "
                        "arguments: name, optimize, greedy.")
    with name_scope(name, "einsum", list(inputs)):
        resolved = _resolve_equation(equation, len(inputs))
        if len(inputs) <= 2:
            return apply_op("Einsum", inputs=list(inputs), equation=resolved)
        ins, out = parse_equation(resolved)
        cur, cur_spec = inputs[0], ins[0]
        for i in builtins.range(1, len(inputs)):
            if i == len(inputs) - 1:
                keep = out
            else:
                later = set(out).union(*ins[i + 1:])
                keep = tuple(c for c in _dedupe(cur_spec + ins[i]) if c in later)
            eq = f"{_join(cur_spec)},{_join(ins[i])}->{_join(keep)}"
            cur, cur_spec = apply_op("Einsum", inputs=[cur, inputs[i]], equation=eq), keep
        return cur


# --- tensordot, trace ----------------------------------------------------------------------------

def _tensordot_axes(a: Tensor, axes: Any) -> tuple[list[int], list[int]]:
    if isinstance(axes, Tensor):
        from minitf.framework.constant_value import constant_value

        value = constant_value(axes)
        if value is None:
            raise NotImplementedError("tensordot with axes computed at run time is not "
                                      "supported")
        axes = value.tolist()
    if isinstance(axes, (int, np.integer)):
        axes = int(axes)
        if axes < 0:
            raise ValueError(f"`axes` must be at least 0. Received: {axes}.")
        rank = a.get_shape().ndims
        if rank is None:
            raise NotImplementedError("tensordot with an integer `axes` needs the rank of `a`")
        if axes > rank:
            raise ValueError(f"`axes` must not be larger than the number of dimensions of "
                             f"tensor {a}.  Received {axes}, vs tensor dimensions {rank}.")
        return list(builtins.range(rank - axes, rank)), list(builtins.range(axes))
    if isinstance(axes, (list, tuple, np.ndarray)):
        if len(axes) != 2:
            raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
        a_axes, b_axes = axes[0], axes[1]
        if isinstance(a_axes, (int, np.integer)) and isinstance(b_axes, (int, np.integer)):
            a_axes, b_axes = [a_axes], [b_axes]
        a_axes, b_axes = [int(v) for v in a_axes], [int(v) for v in b_axes]
        if len(a_axes) != len(b_axes):
            raise ValueError(f"Different number of contraction axes `a` and `b`, "
                             f"{len(a_axes)} != {len(b_axes)}.")
        return a_axes, b_axes
    raise TypeError(f"`axes` must be an integer, a pair of lists or a Tensor, got {axes!r}")


def _tensordot_reshape(a: Tensor, axes: list[int], flipped: bool = False
                       ) -> tuple[Tensor, list[int]]:
    from minitf.ops import array_ops

    shape_a = a.get_shape().as_list()
    axes = [i if i >= 0 else i + len(shape_a) for i in axes]
    free = [i for i in builtins.range(len(shape_a)) if i not in axes]
    free_dims = [shape_a[i] for i in free]
    prod_free = int(np.prod([shape_a[i] for i in free]))
    prod_axes = int(np.prod([shape_a[i] for i in axes]))
    perm = axes + free if flipped else free + axes
    new_shape = [prod_axes, prod_free] if flipped else [prod_free, prod_axes]
    a_trans = a
    if perm != list(builtins.range(len(shape_a))):
        a_trans = array_ops.transpose(a, perm)
    if a_trans.get_shape().as_list() != new_shape:
        a_trans = array_ops.reshape(a_trans, new_shape)
    return a_trans, free_dims


def tensordot(a: Any, b: Any, axes: Any, name: str | None = None) -> Tensor:
    """Sums products over ``axes`` of ``a`` and ``b`` (``tf.tensordot``).

    Static shapes take TF's route (transpose, reshape, MatMul, reshape); partially known
    shapes become one Einsum op (TF gathers the dimensions in the graph instead).
    """
    with name_scope(name, "Tensordot", [a, b, axes]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        a_axes, b_axes = _tensordot_axes(a, axes)
        sa, sb = a.get_shape(), b.get_shape()
        if sa.is_fully_defined() and sb.is_fully_defined():
            from minitf.ops import array_ops

            a_mat, a_free = _tensordot_reshape(a, a_axes)
            b_mat, b_free = _tensordot_reshape(b, b_axes, True)
            product = matmul(a_mat, b_mat)
            if product.get_shape().as_list() == a_free + b_free:
                return product
            return array_ops.reshape(product, a_free + b_free, name=scope)
        if sa.ndims is None or sb.ndims is None:
            raise NotImplementedError("tensordot needs the ranks of both inputs")
        letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        a_sub = [next(letters) for _ in builtins.range(sa.ndims)]
        b_sub = [next(letters) for _ in builtins.range(sb.ndims)]
        for i, j in zip(a_axes, b_axes):
            b_sub[j] = a_sub[i]
        contracted = {a_sub[i] for i in a_axes}
        out = [c for c in a_sub if c not in contracted] + [c for c in b_sub if c not in contracted]
        eq = f"{''.join(a_sub)},{''.join(b_sub)}->{''.join(out)}"
        return apply_op("Einsum", name=scope, inputs=[a, b], equation=eq)


def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None,  # noqa: A002 - TF's name
         keepdims: Any = None, name: str | None = None, keep_dims: Any = None) -> Tensor:
    """Vector and matrix norms (``tf.norm``); see :func:`minitf.api.linalg.norm`."""
    from minitf.api.linalg import norm as linalg_norm

    return linalg_norm(tensor, ord=ord, axis=axis, keepdims=keepdims, name=name,
                       keep_dims=keep_dims)


def trace(x: Any, name: str | None = None) -> Tensor:
    """Sum of the main diagonal of the innermost matrices (``tf.trace``)."""
    from minitf.ops import array_ops
    from minitf.ops.math_reduce_ops import reduce_sum

    with name_scope(name, "Trace", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return reduce_sum(array_ops.matrix_diag_part(x), [-1], name=scope)
