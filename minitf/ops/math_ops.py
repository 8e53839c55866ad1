"""Math ops: elementwise arithmetic, comparisons, casts, matmul, reductions; and the Python
operators on Tensor.

Each op is declared once (signature, shape function, numpy reference) with its gradient next
to it. Broadcasting in gradients is undone centrally by :func:`minitf.ops.grad_util.unbroadcast`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import shape_fns
from minitf.ops.grad_util import unbroadcast

__all__ = ["add", "subtract", "multiply", "divide", "truediv", "realdiv", "floordiv", "floor_div",
           "mod", "floormod", "pow", "negative", "abs", "sigmoid", "cast", "matmul", "less",
           "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_not",
           "logical_xor", "reduce_sum", "add_n", "sign", "log", "div"]

# --- registration helpers ------------------------------------------------------------------------


def register_cwise_binary(op_type: str, reference: Any, types: str = "numeric",
                          out_type: str | None = None, **extra: Any) -> None:
    """Declares an elementwise binary op with numpy broadcasting."""
    out = f"z: {out_type}" if out_type else "z: T"
    register_op(op_type, inputs=["x: T", "y: T"], outputs=[out], attrs=[f"T: {types}"],
                shape=shape_fns.broadcast, reference=reference, elementwise=True, **extra)


def register_cwise_unary(op_type: str, reference: Any, types: str = "numeric",
                         out_type: str | None = None, **extra: Any) -> None:
    """Declares an elementwise unary op."""
    out = f"y: {out_type}" if out_type else "y: T"
    register_op(op_type, inputs=["x: T"], outputs=[out], attrs=[f"T: {types}"],
                shape=shape_fns.unchanged, reference=reference, elementwise=True, **extra)


def _int_div_check(y: Any) -> None:
    if np.any(np.asarray(y) == 0):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero")


def _floordiv_ref(x: Any, y: Any) -> Any:
    if np.asarray(x).dtype.kind in "iu":
        _int_div_check(y)
    return np.floor_divide(x, y)


def _floormod_ref(x: Any, y: Any) -> Any:
    if np.asarray(x).dtype.kind in "iu":
        _int_div_check(y)
    return np.mod(x, y)


def _realdiv_ref(x: Any, y: Any) -> Any:
    if np.asarray(x).dtype.kind in "iu":
        _int_div_check(y)
        return (x // y).astype(np.asarray(x).dtype)
    return np.true_divide(x, y)


def _pow_ref(x: Any, y: Any) -> Any:
    xa = np.asarray(x)
    if xa.dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise errors.InvalidArgumentError(None, None,
                                          "Integers to negative integer powers are not allowed")
    return np.power(x, y)


def _sigmoid_ref(x: Any) -> Any:
    x = np.asarray(x)
    # exp(-|x|) never overflows; the two branches are the same function.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


register_cwise_binary("AddV2", np.add)
register_cwise_binary("Add", np.add, types="{float16, float32, float64, int8, int16, int32, "
                                           "int64, uint8, complex64, complex128, string}")
register_cwise_binary("Sub", np.subtract)
register_cwise_binary("Mul", np.multiply)
register_cwise_binary("RealDiv", _realdiv_ref)
register_cwise_binary("FloorDiv", _floordiv_ref, types="real")
register_cwise_binary("FloorMod", _floormod_ref, types="real")
register_cwise_binary("Pow", _pow_ref)
register_cwise_binary("Less", np.less, types="real", out_type="bool")
register_cwise_binary("LessEqual", np.less_equal, types="real", out_type="bool")
register_cwise_binary("Greater", np.greater, types="real", out_type="bool")
register_cwise_binary("GreaterEqual", np.greater_equal, types="real", out_type="bool")
register_op("LogicalAnd", inputs=["x: bool", "y: bool"], outputs=["z: bool"],
            shape=shape_fns.broadcast, reference=np.logical_and, elementwise=True)
register_op("LogicalOr", inputs=["x: bool", "y: bool"], outputs=["z: bool"],
            shape=shape_fns.broadcast, reference=np.logical_or, elementwise=True)
register_op("LogicalNot", inputs=["x: bool"], outputs=["y: bool"],
            shape=shape_fns.unchanged, reference=np.logical_not, elementwise=True)
register_cwise_unary("Neg", np.negative, types="signed")
register_cwise_unary("Abs", np.abs, types="signed")
register_cwise_unary("Sign", np.sign)
register_cwise_unary("Log", np.log, types="{float16, float32, float64, complex64, complex128}")
register_cwise_unary("Sigmoid", _sigmoid_ref, types="{float16, float32, float64, complex64, "
                                                   "complex128}")

for _t in ("Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr",
           "LogicalNot", "FloorDiv", "FloorMod"):
    NotDifferentiable(_t)


@RegisterGradient("AddV2")
def _add_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    return unbroadcast(grad, x, grad, y)


RegisterGradient("Add")(_add_grad)


@RegisterGradient("Sub")
def _sub_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    return unbroadcast(grad, x, negative(grad), y)


@RegisterGradient("Mul")
def _mul_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    return unbroadcast(multiply(grad, y), x, multiply(x, grad), y)


@RegisterGradient("RealDiv")
def _realdiv_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    gx = realdiv(grad, y)
    gy = multiply(grad, realdiv(realdiv(negative(x), y), y))
    return unbroadcast(gx, x, gy, y)


@RegisterGradient("Pow")
def _pow_grad(op: Any, grad: Tensor) -> Any:
    x, y = op.inputs
    z = op.outputs[0]
    gx = multiply(grad, multiply(y, pow(x, subtract(y, _one_like(y)))))
    # d/dy x^y = x^y log x, defined as 0 where x <= 0 (as TF does)
    safe = _log_or_zero(x)
    gy = multiply(grad, multiply(z, safe))
    return unbroadcast(gx, x, gy, y)


def _one_like(t: Tensor) -> Tensor:
    return convert_to_tensor(1, dtype=t.dtype.base_dtype)


def _log_or_zero(x: Tensor) -> Tensor:
    from minitf.ops import array_ops

    positive = greater(x, _zero_like(x))
    safe_x = array_ops.where(positive, x, array_ops.ones_like(x))
    return array_ops.where(positive, log(safe_x), array_ops.zeros_like(x))


def _zero_like(t: Tensor) -> Tensor:
    return convert_to_tensor(0, dtype=t.dtype.base_dtype)


@RegisterGradient("Neg")
def _neg_grad(op: Any, grad: Tensor) -> Any:
    return [negative(grad)]


@RegisterGradient("Abs")
def _abs_grad(op: Any, grad: Tensor) -> Any:
    return [multiply(grad, sign(op.inputs[0]))]


NotDifferentiable("Sign")


@RegisterGradient("Log")
def _log_grad(op: Any, grad: Tensor) -> Any:
    return [realdiv(grad, op.inputs[0])]


@RegisterGradient("Sigmoid")
def _sigmoid_grad(op: Any, grad: Tensor) -> Any:
    y = op.outputs[0]
    return [multiply(grad, multiply(y, subtract(_one_like(y), y)))]


# --- python wrappers -----------------------------------------------------------------------------

def add(x: Any, y: Any, name: str | None = None) -> Tensor:
    """x + y elementwise, with broadcasting (``tf.add``)."""
    return apply_op("AddV2", name=name or "Add", x=x, y=y)


def subtract(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("Sub", name=name or "Sub", x=x, y=y)


def multiply(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("Mul", name=name or "Mul", x=x, y=y)


def realdiv(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("RealDiv", name=name or "RealDiv", x=x, y=y)


def floor_div(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("FloorDiv", name=name or "FloorDiv", x=x, y=y)


def floormod(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("FloorMod", name=name or "FloorMod", x=x, y=y)


mod = floormod


def pow(x: Any, y: Any, name: str | None = None) -> Tensor:  # noqa: A001 - TF's name
    return apply_op("Pow", name=name or "Pow", x=x, y=y)


def negative(x: Any, name: str | None = None) -> Tensor:
    return apply_op("Neg", name=name or "Neg", x=x)


def abs(x: Any, name: str | None = None) -> Tensor:  # noqa: A001 - TF's name
    return apply_op("Abs", name=name or "Abs", x=x)


def sign(x: Any, name: str | None = None) -> Tensor:
    return apply_op("Sign", name=name or "Sign", x=x)


def log(x: Any, name: str | None = None) -> Tensor:
    return apply_op("Log", name=name or "Log", x=x)


def sigmoid(x: Any, name: str | None = None) -> Tensor:
    """1 / (1 + exp(-x)), computed without overflow."""
    return apply_op("Sigmoid", name=name or "Sigmoid", x=x)


def less(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("Less", name=name or "Less", x=x, y=y)


def less_equal(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("LessEqual", name=name or "LessEqual", x=x, y=y)


def greater(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("Greater", name=name or "Greater", x=x, y=y)


def greater_equal(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("GreaterEqual", name=name or "GreaterEqual", x=x, y=y)


def logical_and(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("LogicalAnd", name=name or "LogicalAnd", x=x, y=y)


def logical_or(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("LogicalOr", name=name or "LogicalOr", x=x, y=y)


def logical_not(x: Any, name: str | None = None) -> Tensor:
    return apply_op("LogicalNot", name=name or "LogicalNot", x=x)


def logical_xor(x: Any, y: Any, name: str = "LogicalXor") -> Tensor:
    """(x | y) & ~(x & y), built from three ops as TF does."""
    with name_scope(name, "LogicalXor", [x, y]) as scope:
        return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=scope)


# --- casts ---------------------------------------------------------------------------------------

def _cast_kernel(op: Any, state: Any) -> Any:
    dst = op.get_attr("DstT").as_numpy_dtype
    src = op.get_attr("SrcT")
    if src is dtypes.string or op.get_attr("DstT") is dtypes.string:
        def bad(x: Any) -> Any:
            raise errors.UnimplementedError(None, op, "Cast string to/from numbers is not "
                                                      "supported")
        return bad

    def cast_(x: Any) -> Any:
        return np.asarray(x).astype(dst)

    return cast_


register_op("Cast", inputs=["x: SrcT"], outputs=["y: DstT"],
            attrs=["SrcT: type", "DstT: type", "Truncate: bool = false"],
            shape=shape_fns.unchanged, make_kernel=_cast_kernel, elementwise=True,
            reference=lambda x, DstT: np.asarray(x).astype(DstT.as_numpy_dtype),
            kernel_attrs=("DstT",))


@RegisterGradient("Cast")
def _cast_grad(op: Any, grad: Tensor) -> Any:
    src = op.get_attr("SrcT")
    dst = op.get_attr("DstT")
    if (src.is_floating or src.is_complex) and (dst.is_floating or dst.is_complex):
        return [cast(grad, src)]
    return [None]


def cast(x: Any, dtype: Any, name: str | None = None) -> Tensor:
    """Casts ``x`` to ``dtype`` (no op is added when it already has that dtype)."""
    base = dtypes.as_dtype(dtype).base_dtype
    with name_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype == base:
            return x
        return apply_op("Cast", name=scope, x=x, DstT=base)


# --- matmul --------------------------------------------------------------------------------------

def _matmul_shape(op: Any) -> list[TensorShape]:
    a = op.inputs[0].get_shape().with_rank(2)
    b = op.inputs[1].get_shape().with_rank(2)
    ta, tb = op._attrs["transpose_a"], op._attrs["transpose_b"]
    ad = a.as_tuple() or (None, None)
    bd = b.as_tuple() or (None, None)
    m, k1 = (ad[1], ad[0]) if ta else ad
    k2, n = (bd[1], bd[0]) if tb else bd
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


register_op("MatMul", inputs=["a: T", "b: T"], outputs=["product: T"],
            attrs=["transpose_a: bool = false", "transpose_b: bool = false",
                   "T: {float16, float32, float64, int32, int64, complex64, complex128}"],
            shape=_matmul_shape, reference=_matmul_ref,
            kernel_attrs=("transpose_a", "transpose_b"))


@RegisterGradient("MatMul")
def _matmul_grad(op: Any, grad: Tensor) -> Any:
    a, b = op.inputs
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    if not ta and not tb:
        return [matmul(grad, b, transpose_b=True), matmul(a, grad, transpose_a=True)]
    if not ta and tb:
        return [matmul(grad, b), matmul(grad, a, transpose_a=True)]
    if ta and not tb:
        return [matmul(b, grad, transpose_b=True), matmul(a, grad)]
    return [matmul(b, grad, transpose_a=True, transpose_b=True),
            matmul(grad, a, transpose_a=True, transpose_b=True)]


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, name: str | None = None) -> Tensor:
    """Matrix product of 2-D tensors (``tf.matmul``); batched inputs use BatchMatMulV2."""
    with name_scope(name, "MatMul", [a, b]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b", dtype=a.dtype.base_dtype)
        ta = transpose_a or adjoint_a
        tb = transpose_b or adjoint_b
        ra, rb = a.get_shape().ndims, b.get_shape().ndims
        if (ra is not None and ra > 2) or (rb is not None and rb > 2):
            return apply_op("BatchMatMulV2", name=scope, x=a, y=b, adj_x=ta, adj_y=tb)
        return apply_op("MatMul", name=scope, a=a, b=b, transpose_a=ta, transpose_b=tb)


def _batch_matmul_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.tensor_shape import broadcast_static_shapes

    a, b = op.inputs[0].get_shape(), op.inputs[1].get_shape()
    if a.ndims is None or b.ndims is None:
        return [TensorShape(None)]
    a.with_rank_at_least(2)
    b.with_rank_at_least(2)
    ad, bd = a.as_tuple(), b.as_tuple()
    m, k1 = (ad[-1], ad[-2]) if op._attrs["adj_x"] else (ad[-2], ad[-1])
    k2, n = (bd[-1], bd[-2]) if op._attrs["adj_y"] else (bd[-2], bd[-1])
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"Dimensions must be equal, but are {k1} and {k2}")
    batch = broadcast_static_shapes(TensorShape(ad[:-2]), TensorShape(bd[:-2]))
    return [batch.concatenate([m, n])]


def _batch_matmul_ref(x: Any, y: Any, adj_x: bool = False, adj_y: bool = False) -> Any:
    if adj_x:
        x = np.conj(np.swapaxes(x, -1, -2))
    if adj_y:
        y = np.conj(np.swapaxes(y, -1, -2))
    if x.shape[-1] != y.shape[-2]:
        raise errors.InvalidArgumentError(
            None, None, f"Matrix size-incompatible: In[0]: {list(x.shape)}, In[1]: "
                        f"{list(y.shape)}")
    return np.matmul(x, y)


register_op("BatchMatMulV2", inputs=["x: T", "y: T"], outputs=["output: T"],
            attrs=["T: {float16, float32, float64, int32, int64, complex64, complex128}",
                   "adj_x: bool = false", "adj_y: bool = false"],
            shape=_batch_matmul_shape, reference=_batch_matmul_ref,
            kernel_attrs=("adj_x", "adj_y"))


@RegisterGradient("BatchMatMulV2")
def _batch_matmul_grad(op: Any, grad: Tensor) -> Any:
    from minitf.ops.grad_util import unbroadcast_batch

    x, y = op.inputs
    ax, ay = op.get_attr("adj_x"), op.get_attr("adj_y")

    def mm(a: Tensor, b: Tensor, ta: bool, tb: bool) -> Tensor:
        return apply_op("BatchMatMulV2", x=a, y=b, adj_x=ta, adj_y=tb)

    if not ax and not ay:
        gx, gy = mm(grad, y, False, True), mm(x, grad, True, False)
    elif not ax and ay:
        gx, gy = mm(grad, y, False, False), mm(grad, x, True, False)
    elif ax and not ay:
        gx, gy = mm(y, grad, False, True), mm(x, grad, False, False)
    else:
        gx, gy = mm(y, grad, True, True), mm(grad, x, True, True)
    return unbroadcast_batch(gx, x, gy, y)


# --- range -------------------------------------------------------------------------------------

def _range_shape(op: Any) -> list[TensorShape]:
    from minitf.framework.constant_value import constant_value

    vals = [constant_value(t) for t in op.inputs]
    if any(v is None for v in vals):
        return [TensorShape([None])]
    start, limit, delta = (v.item() for v in vals)
    if delta == 0:
        raise ValueError("Requires delta != 0")
    n = int(np.ceil((limit - start) / delta))
    return [TensorShape([max(n, 0)])]


def _range_ref(start: Any, limit: Any, delta: Any) -> Any:
    if delta == 0:
        raise errors.InvalidArgumentError(None, None, "Requires delta != 0: 0")
    dtype = np.result_type(np.asarray(start), np.asarray(limit), np.asarray(delta))
    return np.arange(start, limit, delta).astype(dtype)


register_op("Range", inputs=["start: Tidx", "limit: Tidx", "delta: Tidx"],
            outputs=["output: Tidx"],
            attrs=["Tidx: {float32, float64, int32, int64} = int32"],
            shape=_range_shape, reference=_range_ref)
NotDifferentiable("Range")


def range_(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None,
           name: str = "range") -> Tensor:
    """``tf.range``: like Python's range, as a tensor."""
    if limit is None:
        start, limit = 0, start
    with name_scope(name, "Range", [start, limit, delta]) as scope:
        vals = [start, limit, delta]
        if dtype is None:
            from minitf.framework.tensor_conversion import to_numpy

            inferred = [to_numpy(v)[1] if not isinstance(v, Tensor) else v.dtype.base_dtype
                        for v in vals]
            order = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]
            dtype = max(inferred, key=order.index)
        tensors = [cast(convert_to_tensor(v), dtype) if isinstance(v, Tensor) else
                   convert_to_tensor(v, dtype=dtype, name=n)
                   for v, n in zip(vals, ("start", "limit", "delta"))]
        return apply_op("Range", name=scope, start=tensors[0], limit=tensors[1],
                        delta=tensors[2])


# --- reductions ----------------------------------------------------------------------------------

def reduction_shape(op: Any) -> list[TensorShape]:
    """Static shape of a reduction over constant axes (input 1), honouring keep_dims."""
    from minitf.framework.constant_value import constant_value

    x = op.inputs[0].get_shape()
    keep = op._attrs.get("keep_dims", False)
    axes = constant_value(op.inputs[1])
    if x.ndims is None:
        return [TensorShape(None)]
    if axes is None:
        return [TensorShape([None] * x.ndims) if keep else TensorShape(None)]
    rank = x.ndims
    ax = set()
    for a in np.asarray(axes).reshape(-1).tolist():
        if not -rank <= a < max(rank, 1):
            raise ValueError(f"Invalid reduction dimension {a} for input with {rank} dimensions.")
        ax.add(a % rank if rank else 0)
    dims = x.as_tuple()
    if keep:
        return [TensorShape([1 if i in ax else d for i, d in enumerate(dims)])]
    return [TensorShape([d for i, d in enumerate(dims) if i not in ax])]


def reduction_axes(x: Any, axes: Any) -> tuple[int, ...]:
    axes = np.asarray(axes).reshape(-1)
    nd = np.ndim(x)
    for a in axes.tolist():
        if not -nd <= a < max(nd, 1):
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction dimension ({a} for input with {nd} dimension(s)")
    return tuple(sorted({int(a) % nd for a in axes.tolist()})) if nd else ()


def _sum_ref(x: Any, axes: Any, keep_dims: bool = False) -> Any:
    x = np.asarray(x)
    out = np.sum(x, axis=reduction_axes(x, axes), keepdims=keep_dims)
    return np.asarray(out, dtype=x.dtype)


register_op("Sum", inputs=["input: T", "reduction_indices: Tidx"], outputs=["output: T"],
            attrs=["keep_dims: bool = false", "T: numeric", "Tidx: {int32, int64} = int32"],
            shape=reduction_shape, reference=_sum_ref, kernel_attrs=("keep_dims",))


@RegisterGradient("Sum")
def _sum_grad(op: Any, grad: Tensor) -> Any:
    from minitf.ops.grad_util import reduction_grad_broadcast

    return [reduction_grad_broadcast(op, grad), None]


def _resolve_axis(axis: Any, reduction_indices: Any, keep_dims: Any, keepdims: Any,
                  x: Tensor) -> tuple[Any, bool]:
    if axis is not None and reduction_indices is not None:
        raise ValueError("Can not specify both 'axis' and 'reduction_indices'.")
    if keep_dims is not None and keepdims is not None:
        raise ValueError("Can not specify both 'keep_dims' and 'keepdims'.")
    axis = axis if axis is not None else reduction_indices
    keep = bool(keepdims if keepdims is not None else (keep_dims or False))
    if axis is None:
        rank = x.get_shape().ndims
        if rank is not None:
            axis = np.arange(rank, dtype=np.int32)
        else:
            from minitf.ops import array_ops

            axis = range_(0, array_ops.rank(x), 1)
    return axis, keep


def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: Any = None, name: str | None = None,
               reduction_indices: Any = None, keep_dims: Any = None) -> Tensor:
    """Sum over ``axis`` (all axes when None)."""
    with name_scope(name, "Sum", [input_tensor]) as scope:
        x = convert_to_tensor(input_tensor, name="input")
        ax, keep = _resolve_axis(axis, reduction_indices, keep_dims, keepdims, x)
        return apply_op("Sum", name=scope, input=x, reduction_indices=ax, keep_dims=keep)


# --- division helpers ----------------------------------------------------------------------------

_TRUEDIV_CAST = {dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32,
                 dtypes.int16: dtypes.float32, dtypes.uint16: dtypes.float32,
                 dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64}


def truediv(x: Any, y: Any, name: str | None = None) -> Tensor:
    """x / y with Python 3 semantics: integers are cast to floats first."""
    with name_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype)
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(f"x and y must have the same dtype, got {x.dtype!r} != {y.dtype!r}.")
        target = _TRUEDIV_CAST.get(x.dtype.base_dtype)
        if target is not None:
            x = cast(x, target)
            y = cast(y, target)
        return apply_op("RealDiv", name=scope, x=x, y=y)


def divide(x: Any, y: Any, name: str | None = None) -> Tensor:
    """``tf.divide``: x / y (true division)."""
    if name is not None:
        return truediv(x, y, name=name)
    return truediv(x, y)


def floordiv(x: Any, y: Any, name: str | None = None) -> Tensor:
    with name_scope(name, "floordiv", [x, y]) as scope:
        return apply_op("FloorDiv", name=scope, x=x, y=y)


def div(x: Any, y: Any, name: str | None = None) -> Tensor:
    """TF 1.x ``tf.div``: floor division for integers, true division for floats."""
    with name_scope(name, "div", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype)
        if x.dtype.base_dtype.is_floating or x.dtype.base_dtype.is_complex:
            return apply_op("RealDiv", name=scope, x=x, y=y)
        return apply_op("FloorDiv", name=scope, x=x, y=y)


# --- Python operators on Tensor ------------------------------------------------------------------

def _binary_operator(fn: Any, op_name: str) -> tuple[Any, Any]:
    def forward(x: Tensor, y: Any) -> Any:
        with name_scope(None, op_name, [x, y]) as scope:
            if not isinstance(y, Tensor):
                try:
                    y = convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y")
                except TypeError:
                    if hasattr(y, "__array_priority__") or not _is_convertible(y):
                        return NotImplemented
                    raise
            return fn(x, y, name=scope)

    def reflected(y: Tensor, x: Any) -> Any:
        with name_scope(None, op_name, [x, y]) as scope:
            x = convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x")
            return fn(x, y, name=scope)

    return forward, reflected


def _is_convertible(v: Any) -> bool:
    return isinstance(v, (int, float, bool, complex, list, tuple, np.ndarray, np.generic, str,
                          bytes))


def _add_dispatch(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("AddV2", name=name, x=x, y=y)


def _mul_dispatch(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("Mul", name=name, x=x, y=y)


def _sub_dispatch(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("Sub", name=name, x=x, y=y)


def _mod_dispatch(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("FloorMod", name=name, x=x, y=y)


def _pow_dispatch(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("Pow", name=name, x=x, y=y)


def _matmul_dispatch(x: Any, y: Any, name: str | None = None) -> Tensor:
    return matmul(x, y, name=name)


def _and_dispatch(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("LogicalAnd", name=name, x=x, y=y)


def _or_dispatch(x: Any, y: Any, name: str | None = None) -> Tensor:
    return apply_op("LogicalOr", name=name, x=x, y=y)


def _xor_dispatch(x: Any, y: Any, name: str | None = None) -> Tensor:
    return logical_xor(x, y, name=name)


def _install_operators() -> None:
    table = [("add", _add_dispatch, "add"), ("sub", _sub_dispatch, "sub"),
             ("mul", _mul_dispatch, "mul"), ("truediv", truediv, "truediv"),
             ("floordiv", floordiv, "floordiv"), ("mod", _mod_dispatch, "mod"),
             ("pow", _pow_dispatch, "pow"), ("matmul", _matmul_dispatch, "matmul"),
             ("and", _and_dispatch, "and"), ("or", _or_dispatch, "or"),
             ("xor", _xor_dispatch, "xor")]
    for dunder, fn, op_name in table:
        fwd, rev = _binary_operator(fn, op_name)
        setattr(Tensor, f"__{dunder}__", fwd)
        setattr(Tensor, f"__r{dunder}__", rev)
    Tensor.__neg__ = lambda self: negative(self)  # type: ignore[method-assign]
    Tensor.__abs__ = lambda self: abs(self)  # type: ignore[method-assign]
    Tensor.__invert__ = lambda self: logical_not(self)  # type: ignore[method-assign]
    Tensor.__lt__ = lambda self, other: less(self, other)  # type: ignore[method-assign,assignment]
    Tensor.__le__ = lambda self, o: less_equal(self, o)  # type: ignore[method-assign,assignment]
    Tensor.__gt__ = lambda self, o: greater(self, o)  # type: ignore[method-assign,assignment]
    Tensor.__ge__ = lambda self, o: greater_equal(self, o)  # type: ignore[method-assign,assignment]


_install_operators()


# --- add_n ---------------------------------------------------------------------------------------

def _add_n_shape(op: Any) -> list[TensorShape]:
    out = TensorShape(None)
    for t in op.inputs:
        out = out.merge_with(t.get_shape())
    return [out]


def _add_n_ref(*xs: Any) -> Any:
    out = np.array(xs[0], copy=True)
    for x in xs[1:]:
        out += x
    return out


register_op("AddN", inputs=["inputs: N * T"], outputs=["sum: T"],
            attrs=["N: int >= 1", "T: numeric"], shape=_add_n_shape, reference=_add_n_ref)


@RegisterGradient("AddN")
def _add_n_grad(op: Any, grad: Tensor) -> Any:
    return [grad] * len(op.inputs)


def add_n(inputs: Any, name: str | None = None) -> Tensor:
    """Sums a list of tensors of the same shape and dtype (``tf.add_n``)."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor/IndexedSlices with the "
                         "same dtype and shape")
    if len(inputs) == 1:
        from minitf.ops.array_ops import identity

        x = convert_to_tensor(inputs[0])
        return identity(x, name=name) if name else x
    return apply_op("AddN", name=name or "AddN", inputs=list(inputs))
