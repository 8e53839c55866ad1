"""Losses: the fused softmax cross-entropy ops (loss and backprop in one op), L2Loss, and the
composite sigmoid / weighted cross-entropies built from math ops as TF builds them."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import Dimension, TensorShape
from minitf.ops import shape_fns

__all__ = ["softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
           "sparse_softmax_cross_entropy_with_logits", "sigmoid_cross_entropy_with_logits",
           "weighted_cross_entropy_with_logits", "l2_loss"]

FLOATS = "{float16, float32, float64}"


def _math() -> Any:
    from minitf.ops import math_ops

    return math_ops


def _array() -> Any:
    from minitf.ops import array_ops

    return array_ops


# --- fused softmax cross-entropy ----------------------------------------------------------------

def _dims_str(shape: Any) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


def xent_ref(logits: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """(loss, backprop) = (sum(labels * -log_softmax), softmax - labels), rows of [batch, k]."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    try:
        shape = np.broadcast_shapes(logits.shape, labels.shape)
    except ValueError:
        raise errors.InvalidArgumentError(
            None, None, f"logits and labels must be broadcastable: logits_size="
                        f"{_dims_str(logits.shape)} labels_size={_dims_str(labels.shape)}"
        ) from None
    if len(shape) != 2:
        raise errors.InvalidArgumentError(None, None, f"logits and labels must be 2-dimensional,"
                                                      f" got {_dims_str(shape)}")
    ct = np.float32 if logits.dtype == np.float16 else logits.dtype
    x = np.broadcast_to(logits, shape).astype(ct, copy=False)
    z = np.broadcast_to(labels, shape).astype(ct, copy=False)
    if not x.size:
        return np.zeros(shape[0], logits.dtype), np.zeros(shape, logits.dtype)
    shifted = x - np.max(x, axis=1, keepdims=True)
    e = np.exp(shifted)
    sum_e = np.sum(e, axis=1, keepdims=True)
    loss = np.sum(z * (np.log(sum_e) - shifted), axis=1)
    backprop = e / sum_e - z
    return loss.astype(logits.dtype, copy=False), backprop.astype(logits.dtype, copy=False)


def check_sparse_labels(labels: np.ndarray, classes: int) -> None:
    """TF's InvalidArgumentError for a label outside [0, classes)."""
    bad = (labels < 0) | (labels >= classes)
    if np.any(bad):
        first = labels[np.argmax(bad)]
        values = " ".join(str(v) for v in labels.reshape(-1)[:1000])
        raise errors.InvalidArgumentError(
            None, None, f"Received a label value of {first} which is outside the valid range of "
                        f"[0, {classes}).  Label values: {values}")


def sparse_xent_ref(logits: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """(loss, backprop) with integer class labels: loss = -log_softmax[label]."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.ndim != 2 or labels.ndim != 1 or labels.shape[0] != logits.shape[0]:
        raise errors.InvalidArgumentError(
            None, None, f"logits and labels must have the same first dimension, got logits "
                        f"shape {_dims_str(logits.shape)} and labels shape "
                        f"{_dims_str(labels.shape)}")
    batch, classes = logits.shape
    if batch and not classes:
        raise errors.InvalidArgumentError(None, None, f"Must have at least one class, but got "
                                                      f"logits shape {_dims_str(logits.shape)}")
    check_sparse_labels(labels, classes)
    ct = np.float32 if logits.dtype == np.float16 else logits.dtype
    x = logits.astype(ct, copy=False)
    if not x.size:
        return np.zeros(batch, logits.dtype), np.zeros(logits.shape, logits.dtype)
    shifted = x - np.max(x, axis=1, keepdims=True)
    e = np.exp(shifted)
    sum_e = np.sum(e, axis=1, keepdims=True)
    rows = np.arange(batch)
    loss = np.log(sum_e[:, 0]) - shifted[rows, labels]
    backprop = e / sum_e
    backprop[rows, labels] -= 1
    return loss.astype(logits.dtype, copy=False), backprop.astype(logits.dtype, copy=False)


def _broadcast_dim(a: Dimension, b: Dimension) -> Any:
    if a.value is None or b.value is None:
        if a.value == 1:
            return b.value
        if b.value == 1:
            return a.value
        return a.value if a.value is not None else b.value
    if a.value == b.value or b.value == 1:
        return a.value
    if a.value == 1:
        return b.value
    raise ValueError(f"Dimensions must be equal, but are {a.value} and {b.value}")


def _xent_shape(op: Any) -> list[TensorShape]:
    x = op.inputs[0].get_shape().with_rank(2)
    z = op.inputs[1].get_shape().with_rank(2)
    dims = [_broadcast_dim(a, b) for a, b in zip(x.dims or [Dimension(None)] * 2,
                                                 z.dims or [Dimension(None)] * 2)]
    return [TensorShape(dims[:1]), TensorShape(dims)]


def _sparse_xent_shape(op: Any) -> list[TensorShape]:
    x = op.inputs[0].get_shape().with_rank(2)
    z = op.inputs[1].get_shape().with_rank(1)
    batch = x.dims[0].merge_with(z.dims[0]) if x.dims and z.dims else \
        (x.dims[0] if x.dims else (z.dims[0] if z.dims else Dimension(None)))
    return [TensorShape([batch]), TensorShape([batch, x.dims[1] if x.dims else None])]


register_op("SoftmaxCrossEntropyWithLogits", inputs=["features: T", "labels: T"],
            outputs=["loss: T", "backprop: T"], attrs=[f"T: {FLOATS}"], shape=_xent_shape,
            reference=xent_ref)
register_op("SparseSoftmaxCrossEntropyWithLogits",
            inputs=["features: T", "labels: Tlabels"], outputs=["loss: T", "backprop: T"],
            attrs=[f"T: {FLOATS}", "Tlabels: {int32, int64} = int64"],
            shape=_sparse_xent_shape, reference=sparse_xent_ref)


def _is_zeros(t: Any) -> bool:
    return t is None or (isinstance(t, Tensor) and t.op.type == "ZerosLike")


def _broadcast_mul(vec: Tensor, mat: Tensor) -> Tensor:
    """vec[:, None] * mat."""
    return _math().multiply(_array().reshape(vec, np.array([-1, 1], dtype=np.int32)), mat)


def _second_order(logits: Tensor, grad_grad: Tensor) -> Tensor:
    """The gradient through the backprop output: (gg - sum(gg * p)) * p, p = softmax."""
    from minitf.ops.nn_activation_ops import softmax

    m = _math()
    p = softmax(logits)
    return m.multiply(m.subtract(grad_grad, m.reduce_sum(m.multiply(grad_grad, p), 1,
                                                         keepdims=True)), p)


@RegisterGradient("SoftmaxCrossEntropyWithLogits")
def _xent_grad(op: Any, grad_loss: Tensor, grad_grad: Tensor) -> Any:
    from minitf.ops.grad_util import sum_to_shape
    from minitf.ops.nn_activation_ops import log_softmax

    m = _math()
    logits, labels = op.inputs
    grad = _broadcast_mul(grad_loss, op.outputs[1])
    glabels = _broadcast_mul(grad_loss, m.negative(log_softmax(logits)))
    if not _is_zeros(grad_grad):
        grad = m.add(grad, _second_order(logits, grad_grad))
        glabels = m.subtract(glabels, grad_grad)
    return [sum_to_shape(grad, logits), sum_to_shape(glabels, labels)]


@RegisterGradient("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_xent_grad(op: Any, grad_loss: Tensor, grad_grad: Tensor) -> Any:
    grad = _broadcast_mul(grad_loss, op.outputs[1])
    if not _is_zeros(grad_grad):
        grad = _math().add(grad, _second_order(op.inputs[0], grad_grad))
    return [grad, None]


# --- L2Loss --------------------------------------------------------------------------------------

def _l2_loss_ref(t: Any) -> np.ndarray:
    t = np.asarray(t)
    ct = np.float32 if t.dtype == np.float16 else t.dtype
    tc = t.astype(ct, copy=False).reshape(-1)
    return np.asarray(np.dot(tc, tc) / 2, dtype=t.dtype)


register_op("L2Loss", inputs=["t: T"], outputs=["output: T"], attrs=[f"T: {FLOATS}"],
            shape=shape_fns.scalar, reference=_l2_loss_ref)


@RegisterGradient("L2Loss")
def _l2_loss_grad(op: Any, grad: Tensor) -> Any:
    return [_math().multiply(op.inputs[0], grad)]


def l2_loss(t: Any, name: str | None = None) -> Tensor:
    """sum(t ** 2) / 2 (``tf.nn.l2_loss``)."""
    return apply_op("L2Loss", name=name or "L2Loss", t=t)


# --- wrappers ------------------------------------------------------------------------------------

def _ensure_xent_args(name: str, sentinel: Any, labels: Any, logits: Any) -> None:
    if sentinel is not None:
        raise ValueError(f"Only call `{name}` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def _static_or_none(shape: TensorShape) -> list[int | None] | None:
    return None if shape.ndims is None else shape.as_list()


def _flatten_outer(x: Tensor) -> Tensor:
    """Reshapes x to [-1, last dim] (TF's ``_flatten_outer_dims``)."""
    a = _array()
    dims = _static_or_none(x.get_shape())
    if dims is not None and dims[-1] is not None:
        target: Any = np.array([-1, dims[-1]], dtype=np.int32)
    else:
        shape = a.shape(x)
        last = a.slice(shape, a.expand_dims(_math().subtract(a.rank(x), 1), 0), [1])
        target = a.concat([[-1], last], 0)
    out = a.reshape(x, target)
    if dims is not None and all(d is not None for d in dims[:-1]):
        out.set_shape([int(np.prod(dims[:-1], dtype=np.int64)), dims[-1]])
    return out


def _outer_shape(x: Tensor) -> Any:
    """shape(x)[:-1], a constant when the static shape allows it."""
    dims = _static_or_none(x.get_shape())
    if dims is not None and sum(d is None for d in dims[:-1]) <= 1:
        return np.array([-1 if d is None else d for d in dims[:-1]], dtype=np.int32)
    a = _array()
    return a.slice(a.shape(x), [0], a.expand_dims(_math().subtract(a.rank(x), 1), 0))


def _move_axis_to_end(x: Tensor, axis: int) -> Tensor:
    rank = x.get_shape().ndims
    if rank is None:
        raise ValueError("softmax_cross_entropy_with_logits along an axis other than -1 needs "
                         "inputs of known rank")
    axis %= rank
    perm = [i for i in range(rank) if i != axis] + [axis]
    return _array().transpose(x, np.array(perm, dtype=np.int32))


def softmax_cross_entropy_with_logits_v2(labels: Any, logits: Any, axis: Any = None,
                                         name: str | None = None, dim: Any = None) -> Tensor:
    """Softmax cross-entropy of ``logits`` against a distribution ``labels`` along ``axis``;
    gradients flow into both (``tf.nn.softmax_cross_entropy_with_logits_v2``)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    axis = -1 if axis is None and dim is None else (axis if axis is not None else dim)
    m = _math()
    with name_scope(name, "softmax_cross_entropy_with_logits", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        precise = m.cast(logits, dtypes.float32) if logits.dtype.base_dtype == dtypes.float16 \
            else logits
        labels = m.cast(labels, precise.dtype.base_dtype)
        shape = logits.get_shape()
        if axis != -1 and not (shape.ndims is not None and axis == shape.ndims - 1):
            precise = _move_axis_to_end(precise, axis)
            labels = _move_axis_to_end(labels, axis)
        out_shape = _outer_shape(precise)
        cost, _ = apply_op("SoftmaxCrossEntropyWithLogits", name=scope,
                           features=_flatten_outer(precise), labels=_flatten_outer(labels))
        cost = _array().reshape(cost, out_shape)
        if shape.ndims is not None:
            dims = shape.as_list()
            del dims[axis]
            cost.set_shape(dims)
        if logits.dtype.base_dtype == dtypes.float16:
            cost = m.cast(cost, dtypes.float16)
        return cost


def softmax_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None,
                                      logits: Any = None, dim: int = -1,
                                      name: str | None = None, axis: Any = None) -> Tensor:
    """TF 1.x softmax cross-entropy: keyword arguments only, and no gradient into ``labels``."""
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    from minitf.ops.gradients_impl import stop_gradient

    with name_scope(name, "softmax_cross_entropy_with_logits_sg", [logits, labels]) as scope:
        labels = stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits,
                                                axis=dim if axis is None else axis, name=scope)


def sparse_softmax_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None,
                                             logits: Any = None,
                                             name: str | None = None) -> Tensor:
    """Softmax cross-entropy against integer class ``labels`` (shape = logits.shape[:-1])."""
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    m, a = _math(), _array()
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits", [labels, logits]):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        half = logits.dtype.base_dtype == dtypes.float16
        precise = m.cast(logits, dtypes.float32) if half else logits
        lshape, xshape = labels.get_shape(), logits.get_shape()
        if xshape.ndims == 0:
            raise ValueError(f"Logits cannot be scalars - received shape {xshape}.")
        if xshape.ndims is not None and lshape.ndims is not None and \
                lshape.ndims != xshape.ndims - 1:
            raise ValueError(f"Rank mismatch: Rank of labels (received {lshape.ndims}) should "
                             f"equal rank of logits minus 1 (received {xshape.ndims}).")
        if lshape.ndims is not None and xshape.ndims is not None and \
                not lshape.is_compatible_with(xshape[:-1]):
            raise ValueError(f"Shape mismatch: The shape of labels (received {lshape}) should "
                             f"equal the shape of logits except for the last dimension "
                             f"(received {xshape}).")
        op_name = name or "SparseSoftmaxCrossEntropyWithLogits"
        if xshape.ndims == 2:
            cost, _ = apply_op("SparseSoftmaxCrossEntropyWithLogits", name=op_name,
                               features=precise, labels=labels)
        else:
            labels_shape = a.shape(labels)
            flat = apply_op("SparseSoftmaxCrossEntropyWithLogits", name=op_name,
                            features=_flatten_outer(precise),
                            labels=a.reshape(labels, np.array([-1], dtype=np.int32)))[0]
            cost = a.reshape(flat, labels_shape)
            cost.set_shape(lshape)
        return m.cast(cost, dtypes.float16) if half else cost


def sigmoid_cross_entropy_with_logits(_sentinel: Any = None, labels: Any = None,
                                      logits: Any = None, name: str | None = None) -> Tensor:
    """max(x, 0) - x * z + log(1 + exp(-|x|)): the logistic loss, without overflow."""
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    m, a = _math(), _array()
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        try:
            labels.get_shape().merge_with(logits.get_shape())
        except ValueError:
            raise ValueError(f"logits and labels must have the same shape ({logits.get_shape()}"
                             f" vs {labels.get_shape()})") from None
        zeros = a.zeros_like(logits, dtype=logits.dtype)
        cond = logits >= zeros
        relu_logits = a.where(cond, logits, zeros)
        neg_abs_logits = a.where(cond, -logits, logits)
        return m.add(relu_logits - logits * labels, m.log1p(m.exp(neg_abs_logits)), name=scope)


def weighted_cross_entropy_with_logits(targets: Any = None, logits: Any = None,
                                       pos_weight: Any = None, name: str | None = None,
                                       labels: Any = None) -> Tensor:
    """Logistic loss with positive examples weighted by ``pos_weight``:
    (1 - z) x + (1 + (q - 1) z) (log(1 + exp(-|x|)) + max(-x, 0))."""
    from minitf.ops.nn_activation_ops import relu

    if targets is None:
        targets = labels
    if targets is None or logits is None or pos_weight is None:
        raise ValueError("weighted_cross_entropy_with_logits needs targets, logits and "
                         "pos_weight")
    m = _math()
    with name_scope(name, "logistic_loss", [logits, targets]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        targets = convert_to_tensor(targets, name="targets")
        try:
            targets.get_shape().merge_with(logits.get_shape())
        except ValueError:
            raise ValueError(f"logits and targets must have the same shape "
                             f"({logits.get_shape()} vs {targets.get_shape()})") from None
        log_weight = 1 + (pos_weight - 1) * targets
        return m.add((1 - targets) * logits,
                     log_weight * (m.log1p(m.exp(-m.abs(logits))) + relu(-logits)), name=scope)
