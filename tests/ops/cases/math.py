"""Cases for the math ops (every op type registered in minitf/ops/math_ops.py)."""

import numpy as np

import minitf as tf
from minitf.framework.op_def_library import apply_op
from minitf.ops import array_ops
from tests.ops.cases import away_from_zero, case, placeholder64, rand


def _binary(op_type, shapes=((2, 3), (3,)), x=None, y=None):
    a, b = placeholder64(shapes[0]), placeholder64(shapes[1])
    xv = rand(*shapes[0]) if x is None else x(*shapes[0])
    yv = rand(*shapes[1]) if y is None else y(*shapes[1])
    return apply_op(op_type, x=a, y=b), {a: xv, b: yv}


def _unary(fn, shape=(2, 3), value=None):
    a = placeholder64(shape)
    return fn(a), {a: rand(*shape) if value is None else value(*shape)}


def _positive(*shape):
    return rand(*shape, low=0.3, high=2.0)


def _ints(*shape, low=-5, high=6):
    return np.random.default_rng(7).integers(low, high, size=shape).astype(np.int32)


# --- binary arithmetic ---------------------------------------------------------------------------

@case("AddV2")
def add_v2():
    return _binary("AddV2")


@case("AddV2")
def add_broadcast_both():
    return _binary("AddV2", ((2, 1), (1, 3)))


@case("Add")
def add_legacy():
    return _binary("Add")


@case("Sub")
def sub():
    return _binary("Sub", ((3,), (2, 3)))


@case("Mul")
def mul():
    return _binary("Mul", ((2, 1, 3), (4, 1)))


@case("RealDiv")
def realdiv():
    return _binary("RealDiv", y=away_from_zero)


@case("DivNoNan")
def div_no_nan():
    return _binary("DivNoNan", y=away_from_zero)


@case("FloorDiv", grad=False)
def floordiv():
    return _binary("FloorDiv", y=away_from_zero)


@case("FloorMod")
def floormod():
    return _binary("FloorMod", y=away_from_zero)


@case("TruncateDiv", grad=False)
def truncatediv():
    return _binary("TruncateDiv", y=away_from_zero)


@case("TruncateMod", grad=False)
def truncatemod():
    return _binary("TruncateMod", y=away_from_zero)


@case("Pow")
def pow_():
    return _binary("Pow", x=_positive)


@case("Maximum")
def maximum():
    return _binary("Maximum", ((2, 3), (2, 3)))


@case("Maximum")
def maximum_broadcast():
    return _binary("Maximum", ((2, 3), ()))


@case("Minimum")
def minimum():
    return _binary("Minimum", ((3,), (2, 3)))


@case("SquaredDifference")
def squared_difference():
    return _binary("SquaredDifference")


@case("Atan2")
def atan2():
    a, b = placeholder64([2, 3]), placeholder64([3])
    return tf.atan2(a, b), {a: away_from_zero(2, 3), b: away_from_zero(3)}


@case("AddN")
def add_n():
    a, b, c = placeholder64([2, 3]), placeholder64([2, 3]), placeholder64([2, 3])
    return tf.add_n([a, b, c]), {a: rand(2, 3), b: rand(2, 3), c: rand(2, 3)}


# --- unary functions -----------------------------------------------------------------------------

@case("Neg")
def neg():
    return _unary(tf.negative)


@case("Abs")
def abs_():
    return _unary(tf.abs, value=away_from_zero)


@case("Sign")
def sign():
    return _unary(tf.sign, value=away_from_zero)


@case("Square")
def square():
    return _unary(tf.square)


@case("Reciprocal")
def reciprocal():
    return _unary(tf.reciprocal, value=away_from_zero)


@case("Round", grad=False)
def round_():
    return _unary(tf.round, value=lambda *s: rand(*s, low=-3, high=3))


@case("Sqrt")
def sqrt():
    return _unary(tf.sqrt, value=_positive)


@case("Rsqrt")
def rsqrt():
    return _unary(tf.rsqrt, value=_positive)


@case("Exp")
def exp():
    return _unary(tf.exp)


@case("Expm1")
def expm1():
    return _unary(tf.expm1)


@case("Log")
def log():
    return _unary(tf.log, value=_positive)


@case("Log1p")
def log1p():
    return _unary(tf.log1p, value=lambda *s: rand(*s, low=-0.5, high=2.0))


@case("Sin")
def sin():
    return _unary(tf.sin)


@case("Cos")
def cos():
    return _unary(tf.cos)


@case("Tan")
def tan():
    return _unary(tf.tan)


@case("Asin")
def asin():
    return _unary(tf.asin, value=lambda *s: rand(*s, low=-0.8, high=0.8))


@case("Acos")
def acos():
    return _unary(tf.acos, value=lambda *s: rand(*s, low=-0.8, high=0.8))


@case("Atan")
def atan():
    return _unary(tf.atan)


@case("Sinh")
def sinh():
    return _unary(tf.sinh)


@case("Cosh")
def cosh():
    return _unary(tf.cosh)


@case("Asinh")
def asinh():
    return _unary(tf.asinh)


@case("Acosh")
def acosh():
    return _unary(tf.acosh, value=lambda *s: rand(*s, low=1.2, high=3.0))


@case("Atanh")
def atanh():
    return _unary(tf.atanh, value=lambda *s: rand(*s, low=-0.8, high=0.8))


@case("Tanh")
def tanh():
    return _unary(tf.tanh)


@case("Sigmoid")
def sigmoid():
    return _unary(tf.sigmoid, value=lambda *s: rand(*s, low=-4, high=4))


@case("Floor", grad=False)
def floor():
    return _unary(tf.floor, value=lambda *s: rand(*s, low=-3, high=3))


@case("Ceil", grad=False)
def ceil():
    return _unary(tf.ceil, value=lambda *s: rand(*s, low=-3, high=3))


@case("Rint", grad=False)
def rint():
    return _unary(tf.rint, value=lambda *s: rand(*s, low=-3, high=3))


@case("IsFinite", grad=False)
def is_finite():
    a = placeholder64([4])
    return tf.is_finite(a), {a: np.array([1.0, np.inf, -np.inf, np.nan])}


@case("IsNan", grad=False)
def is_nan():
    a = placeholder64([4])
    return tf.is_nan(a), {a: np.array([1.0, np.inf, -np.inf, np.nan])}


@case("IsInf", grad=False)
def is_inf():
    a = placeholder64([4])
    return tf.is_inf(a), {a: np.array([1.0, np.inf, -np.inf, np.nan])}


@case("Conj", grad=False)
def conj():
    a = tf.placeholder(tf.complex128, [2, 3])
    return tf.conj(a), {a: rand(2, 3) + 1j * rand(2, 3)}


def _backward(op_type, y_value=rand):
    y, dy = placeholder64([2, 3]), placeholder64([2, 3])
    return apply_op(op_type, y=y, dy=dy), {y: y_value(2, 3), dy: rand(2, 3)}


@case("TanhGrad")
def tanh_grad():
    return _backward("TanhGrad")


@case("SigmoidGrad")
def sigmoid_grad():
    return _backward("SigmoidGrad")


@case("SqrtGrad")
def sqrt_grad():
    return _backward("SqrtGrad", _positive)


@case("RsqrtGrad")
def rsqrt_grad():
    return _backward("RsqrtGrad")


@case("ReciprocalGrad")
def reciprocal_grad():
    return _backward("ReciprocalGrad")


@case("Tanh", tol=1e-3)
def tanh_second_derivative():
    a = placeholder64([5])
    return tf.gradients(tf.tanh(a) * a, a)[0], {a: rand(5)}


@case("Sigmoid", tol=1e-3)
def sigmoid_second_derivative():
    a = placeholder64([5])
    return tf.gradients(tf.sigmoid(a) * a, a)[0], {a: rand(5)}


# --- comparisons, logic, bitwise -----------------------------------------------------------------

for _name, _op in (("Less", tf.less), ("LessEqual", tf.less_equal), ("Greater", tf.greater),
                   ("GreaterEqual", tf.greater_equal), ("Equal", tf.equal),
                   ("NotEqual", tf.not_equal)):
    def _cmp(op=_op):
        a, b = placeholder64([2, 3]), placeholder64([3])
        av = np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])
        return op(a, b), {a: av, b: np.array([1.0, 1.0, 1.0])}

    _cmp.__name__ = _name.lower()
    case(_name, grad=False)(_cmp)


def _bools(*shape, seed=3):
    return np.random.default_rng(seed).random(shape) > 0.5


@case("LogicalAnd", grad=False)
def logical_and():
    a, b = tf.placeholder(tf.bool, [2, 3]), tf.placeholder(tf.bool, [3])
    return tf.logical_and(a, b), {a: _bools(2, 3), b: _bools(3, seed=4)}


@case("LogicalOr", grad=False)
def logical_or():
    a, b = tf.placeholder(tf.bool, [2, 3]), tf.placeholder(tf.bool, [2, 3])
    return tf.logical_or(a, b), {a: _bools(2, 3), b: _bools(2, 3, seed=4)}


@case("LogicalNot", grad=False)
def logical_not():
    a = tf.placeholder(tf.bool, [2, 3])
    return ~a, {a: _bools(2, 3)}


@case("BitwiseAnd", grad=False)
def bitwise_and():
    a, b = tf.placeholder(tf.int32, [2, 3]), tf.placeholder(tf.int32, [3])
    return a & b, {a: _ints(2, 3), b: _ints(3, low=0)}


@case("BitwiseOr", grad=False)
def bitwise_or():
    a, b = tf.placeholder(tf.int32, [2, 3]), tf.placeholder(tf.int32, [2, 3])
    return a | b, {a: _ints(2, 3), b: _ints(2, 3, low=0)}


@case("BitwiseXor", grad=False)
def bitwise_xor():
    a, b = tf.placeholder(tf.int32, [2, 3]), tf.placeholder(tf.int32, [2, 3])
    return a ^ b, {a: _ints(2, 3), b: _ints(2, 3, low=0)}


@case("Invert", grad=False)
def invert():
    a = tf.placeholder(tf.int32, [2, 3])
    return ~a, {a: _ints(2, 3)}


# --- casts and products --------------------------------------------------------------------------

@case("Cast", tol=1e-3)
def cast_roundtrip():
    # small values: float32 resolves the numeric-gradient step (1e-6) well near 1e-3
    a = placeholder64([2, 3])
    return tf.cast(tf.cast(a, tf.float32), tf.float64), {a: rand(2, 3) * 1e-3}


@case("Cast", grad=False)
def cast_to_int():
    a = placeholder64([2, 3])
    return tf.cast(a * 3.0, tf.int32), {a: rand(2, 3)}


@case("MatMul")
def matmul():
    a, b = placeholder64([2, 3]), placeholder64([3, 4])
    return tf.matmul(a, b), {a: rand(2, 3), b: rand(3, 4)}


@case("MatMul")
def matmul_transposed():
    a, b = placeholder64([3, 2]), placeholder64([4, 3])
    return tf.matmul(a, b, transpose_a=True, transpose_b=True), {a: rand(3, 2), b: rand(4, 3)}


@case("MatMul")
def matmul_transpose_a():
    a, b = placeholder64([3, 2]), placeholder64([3, 4])
    return tf.matmul(a, b, transpose_a=True), {a: rand(3, 2), b: rand(3, 4)}


@case("MatMul")
def matmul_transpose_b():
    a, b = placeholder64([2, 3]), placeholder64([4, 3])
    return tf.matmul(a, b, transpose_b=True), {a: rand(2, 3), b: rand(4, 3)}


@case("BatchMatMulV2")
def batch_matmul_broadcast():
    a, b = placeholder64([2, 1, 3, 4]), placeholder64([5, 4, 2])
    return tf.matmul(a, b), {a: rand(2, 1, 3, 4), b: rand(5, 4, 2)}


@case("BatchMatMulV2")
def batch_matmul_adjoint():
    a, b = placeholder64([2, 4, 3]), placeholder64([3, 4])
    return tf.matmul(a, b, adjoint_a=True, adjoint_b=True), {a: rand(2, 4, 3), b: rand(3, 4)}


@case("BatchMatMulV2")
def batch_matmul_adj_y():
    a, b = placeholder64([2, 3, 4]), placeholder64([2, 5, 4])
    return tf.matmul(a, b, transpose_b=True), {a: rand(2, 3, 4), b: rand(2, 5, 4)}


@case("Einsum")
def einsum_matmul():
    a, b = placeholder64([2, 3]), placeholder64([3, 4])
    return tf.einsum("ij,jk->ik", a, b), {a: rand(2, 3), b: rand(3, 4)}


@case("Einsum")
def einsum_batch_broadcast():
    a, b = placeholder64([2, 1, 2, 3]), placeholder64([4, 3, 5])
    return tf.einsum("...ij,...jk->...ik", a, b), {a: rand(2, 1, 2, 3), b: rand(4, 3, 5)}


@case("Einsum")
def einsum_trace():
    a = placeholder64([3, 3])
    return tf.einsum("ii", a), {a: rand(3, 3)}


@case("Einsum")
def einsum_diag():
    a = placeholder64([3, 3])
    return tf.einsum("ii->i", a), {a: rand(3, 3)}


@case("Einsum")
def einsum_untrace():
    a = placeholder64([3])
    return apply_op("Einsum", inputs=[a], equation="i->ii"), {a: rand(3)}


@case("Einsum")
def einsum_reduce_and_transpose():
    a, b = placeholder64([2, 3, 4]), placeholder64([5])
    return tf.einsum("ijk,l->lki", a, b), {a: rand(2, 3, 4), b: rand(5)}


@case("Einsum")
def einsum_three_operands():
    a, b, c = placeholder64([2, 3]), placeholder64([3, 4]), placeholder64([4])
    return tf.einsum("ij,jk,k->i", a, b, c), {a: rand(2, 3), b: rand(3, 4), c: rand(4)}


# --- reductions, scans, segments -----------------------------------------------------------------

@case("Sum")
def reduce_sum():
    a = placeholder64([2, 3, 4])
    return tf.reduce_sum(a, [0, -1], keepdims=True), {a: rand(2, 3, 4)}


@case("Mean")
def reduce_mean():
    a = placeholder64([2, 3, 4])
    return tf.reduce_mean(a, 1), {a: rand(2, 3, 4)}


@case("Mean")
def reduce_mean_unknown_shape():
    a = tf.placeholder(tf.float64, [None, 3])
    return tf.reduce_mean(a, 0), {a: rand(4, 3)}


@case("Max")
def reduce_max():
    a = placeholder64([3, 4])
    return tf.reduce_max(a, 1), {a: rand(3, 4)}


@case("Min")
def reduce_min():
    a = placeholder64([3, 4])
    return tf.reduce_min(a), {a: rand(3, 4)}


@case("Prod")
def reduce_prod():
    a = placeholder64([3, 4])
    return tf.reduce_prod(a, 1), {a: away_from_zero(3, 4)}


@case("Prod")
def reduce_prod_with_zeros():
    a = placeholder64([3, 4])
    value = away_from_zero(3, 4)
    value[1, 2] = 0.0
    value[2, 0] = value[2, 3] = 0.0
    return tf.reduce_prod(a, -1, keepdims=True), {a: value}


@case("Any", grad=False)
def reduce_any():
    a = tf.placeholder(tf.bool, [3, 4])
    return tf.reduce_any(a, 0), {a: _bools(3, 4)}


@case("All", grad=False)
def reduce_all():
    a = tf.placeholder(tf.bool, [3, 4])
    return tf.reduce_all(a, keepdims=True), {a: _bools(3, 4)}


@case("ArgMax", grad=False)
def argmax():
    a = placeholder64([3, 4])
    return tf.argmax(a, 1), {a: rand(3, 4)}


@case("ArgMin", grad=False)
def argmin():
    a = placeholder64([3, 4])
    return tf.argmin(a, 0, output_type=tf.int32), {a: rand(3, 4)}


@case("Cumsum")
def cumsum():
    a = placeholder64([3, 4])
    return tf.cumsum(a, 1), {a: rand(3, 4)}


@case("Cumsum")
def cumsum_exclusive_reverse():
    a = placeholder64([3, 4])
    return tf.cumsum(a, 0, exclusive=True, reverse=True), {a: rand(3, 4)}


@case("Cumprod")
def cumprod():
    a = placeholder64([3, 4])
    return tf.cumprod(a, 1, exclusive=True), {a: away_from_zero(3, 4)}


_HAS_GATHER = hasattr(array_ops, "gather")  # the gradients of segment sums gather


@case("UnsortedSegmentSum", grad=_HAS_GATHER)
def unsorted_segment_sum():
    a = placeholder64([5, 3])
    return tf.unsorted_segment_sum(a, [0, 2, -1, 0, 3], 4), {a: rand(5, 3)}


@case("SegmentSum", grad=_HAS_GATHER)
def segment_sum():
    a = placeholder64([5, 3])
    return tf.segment_sum(a, [0, 0, 1, 3, 3]), {a: rand(5, 3)}


@case("Range", grad=False)
def range_():
    a = placeholder64([5])
    return tf.cast(tf.range(0, 10, 2), tf.float64) * a, {a: rand(5)}
