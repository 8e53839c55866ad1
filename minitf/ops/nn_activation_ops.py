"""Activation ops of ``tf.nn``: relu, relu6, elu, selu, leaky_relu, softplus, softsign, softmax,
log_softmax; each with its gradient op (ReluGrad ...) and the gradient of that gradient op.

``sigmoid`` and ``tanh`` are the math ops, re-exported by ``tf.nn``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import shape_fns

__all__ = ["relu", "relu6", "elu", "selu", "leaky_relu", "softplus", "softsign", "softmax",
           "log_softmax", "relu_grad", "relu6_grad", "elu_grad", "selu_grad",
           "leaky_relu_grad", "softplus_grad", "softsign_grad"]

FLOATS = "{float16, float32, float64}"
REALS = "{float16, float32, float64, int8, int16, int32, int64, uint8, uint16}"
SELU_SCALE = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def _math() -> Any:
    from minitf.ops import math_ops

    return math_ops


def _array() -> Any:
    from minitf.ops import array_ops

    return array_ops


# --- numpy references --------------------------------------------------------------------------

def _as(x: Any, like: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=like.dtype)


def _relu_ref(x: Any) -> np.ndarray:
    x = np.asarray(x)
    return np.maximum(x, x.dtype.type(0))


def _relu6_ref(x: Any) -> np.ndarray:
    x = np.asarray(x)
    return np.minimum(np.maximum(x, x.dtype.type(0)), x.dtype.type(6))


def _elu_ref(x: Any) -> np.ndarray:
    x = np.asarray(x)
    return _as(np.where(x < 0, np.expm1(np.minimum(x, 0)), x), x)


def _selu_ref(x: Any) -> np.ndarray:
    x = np.asarray(x)
    neg = SELU_SCALE * SELU_ALPHA * np.expm1(np.minimum(x, 0))
    return _as(np.where(x < 0, neg, SELU_SCALE * x), x)


def _leaky_relu_ref(x: Any, alpha: float = 0.2) -> np.ndarray:
    x = np.asarray(x)
    return _as(np.where(x > 0, x, x * x.dtype.type(alpha)), x)


def _softplus_ref(x: Any) -> np.ndarray:
    x = np.asarray(x)
    return _as(np.logaddexp(x.dtype.type(0), x), x)


def _softsign_ref(x: Any) -> np.ndarray:
    x = np.asarray(x)
    return _as(x / (1 + np.abs(x)), x)


def _relu_grad_ref(g: Any, x: Any) -> np.ndarray:
    g = np.asarray(g)
    return _as(np.where(np.asarray(x) > 0, g, 0), g)


def _relu6_grad_ref(g: Any, x: Any) -> np.ndarray:
    g, x = np.asarray(g), np.asarray(x)
    return _as(np.where((x > 0) & (x < 6), g, 0), g)


def _elu_grad_ref(g: Any, y: Any) -> np.ndarray:
    g, y = np.asarray(g), np.asarray(y)
    return _as(np.where(y < 0, g * (y + 1), g), g)


def _selu_grad_ref(g: Any, y: Any) -> np.ndarray:
    g, y = np.asarray(g), np.asarray(y)
    return _as(np.where(y < 0, g * (y + SELU_SCALE * SELU_ALPHA), g * SELU_SCALE), g)


def _leaky_relu_grad_ref(g: Any, x: Any, alpha: float = 0.2) -> np.ndarray:
    g = np.asarray(g)
    return _as(np.where(np.asarray(x) > 0, g, g * g.dtype.type(alpha)), g)


def _softplus_grad_ref(g: Any, x: Any) -> np.ndarray:
    g, x = np.asarray(g), np.asarray(x)
    e = np.exp(-np.abs(x))
    sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return _as(g * sig, g)


def _softsign_grad_ref(g: Any, x: Any) -> np.ndarray:
    g, x = np.asarray(g), np.asarray(x)
    return _as(g / np.square(1 + np.abs(x)), g)


def softmax_ref(x: Any) -> np.ndarray:
    """Softmax over the last axis, computed with the row maximum subtracted."""
    x = np.asarray(x)
    if x.ndim < 1:
        raise errors.InvalidArgumentError(None, None, "logits must have >= 1 dimension, got []")
    xc = x.astype(np.float32) if x.dtype == np.float16 else x
    e = np.exp(xc - np.max(xc, axis=-1, keepdims=True)) if x.size else xc
    return _as(e / np.sum(e, axis=-1, keepdims=True) if x.size else e, x)


def log_softmax_ref(x: Any) -> np.ndarray:
    """log(softmax(x)) as (x - max) - log(sum(exp(x - max)))."""
    x = np.asarray(x)
    if x.ndim < 1:
        raise errors.InvalidArgumentError(None, None, "logits must have >= 1 dimension, got []")
    if not x.size:
        return x.copy()
    xc = x.astype(np.float32) if x.dtype == np.float16 else x
    shifted = xc - np.max(xc, axis=-1, keepdims=True)
    return _as(shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True)), x)


# --- registrations -----------------------------------------------------------------------------

def _unary(op_type: str, ref: Any, types: str = FLOATS, alpha: bool = False) -> None:
    attrs = [f"T: {types} = float32"] + (["alpha: float = 0.2"] if alpha else [])
    register_op(op_type, inputs=["features: T"], outputs=["activations: T"], attrs=attrs,
                shape=shape_fns.unchanged, reference=ref, elementwise=True,
                kernel_attrs=("alpha",) if alpha else ())


def _binary_grad(op_type: str, ref: Any, second: str, types: str = FLOATS,
                 alpha: bool = False) -> None:
    attrs = [f"T: {types} = float32"] + (["alpha: float = 0.2"] if alpha else [])
    register_op(op_type, inputs=["gradients: T", f"{second}: T"], outputs=["backprops: T"],
                attrs=attrs, shape=_same_shape2, reference=ref, elementwise=True,
                kernel_attrs=("alpha",) if alpha else ())


def _same_shape2(op: Any) -> list[TensorShape]:
    return [op.inputs[0].get_shape().merge_with(op.inputs[1].get_shape())]


def _softmax_shape(op: Any) -> list[TensorShape]:
    return [op.inputs[0].get_shape().with_rank_at_least(1)]


_unary("Relu", _relu_ref, REALS)
_unary("Relu6", _relu6_ref, REALS)
_unary("Elu", _elu_ref)
_unary("Selu", _selu_ref)
_unary("LeakyRelu", _leaky_relu_ref, alpha=True)
_unary("Softplus", _softplus_ref)
_unary("Softsign", _softsign_ref)
_binary_grad("ReluGrad", _relu_grad_ref, "features", REALS)
_binary_grad("Relu6Grad", _relu6_grad_ref, "features", REALS)
_binary_grad("EluGrad", _elu_grad_ref, "outputs")
_binary_grad("SeluGrad", _selu_grad_ref, "outputs")
_binary_grad("LeakyReluGrad", _leaky_relu_grad_ref, "features", alpha=True)
_binary_grad("SoftplusGrad", _softplus_grad_ref, "features")
_binary_grad("SoftsignGrad", _softsign_grad_ref, "features")
register_op("Softmax", inputs=["logits: T"], outputs=["softmax: T"],
            attrs=[f"T: {FLOATS}"], shape=_softmax_shape, reference=softmax_ref)
register_op("LogSoftmax", inputs=["logits: T"], outputs=["logsoftmax: T"],
            attrs=[f"T: {FLOATS}"], shape=_softmax_shape, reference=log_softmax_ref)


# --- gradients ---------------------------------------------------------------------------------

@RegisterGradient("Relu")
def _relu_grad(op: Any, grad: Tensor) -> Any:
    return [relu_grad(grad, op.outputs[0])]


@RegisterGradient("Relu6")
def _relu6_grad(op: Any, grad: Tensor) -> Any:
    return [relu6_grad(grad, op.outputs[0])]


@RegisterGradient("Elu")
def _elu_grad(op: Any, grad: Tensor) -> Any:
    return [elu_grad(grad, op.outputs[0])]


@RegisterGradient("Selu")
def _selu_grad(op: Any, grad: Tensor) -> Any:
    return [selu_grad(grad, op.outputs[0])]


@RegisterGradient("LeakyRelu")
def _leaky_relu_grad(op: Any, grad: Tensor) -> Any:
    return [leaky_relu_grad(grad, op.inputs[0], alpha=op.get_attr("alpha"))]


@RegisterGradient("Softplus")
def _softplus_grad(op: Any, grad: Tensor) -> Any:
    return [softplus_grad(grad, op.inputs[0])]


@RegisterGradient("Softsign")
def _softsign_grad(op: Any, grad: Tensor) -> Any:
    return [softsign_grad(grad, op.inputs[0])]


@RegisterGradient("ReluGrad")
def _relu_grad_grad(op: Any, grad: Tensor) -> Any:
    x = op.inputs[1]
    return [relu_grad(grad, x), _array().zeros_like(x)]


@RegisterGradient("Relu6Grad")
def _relu6_grad_grad(op: Any, grad: Tensor) -> Any:
    x = op.inputs[1]
    return [relu6_grad(grad, x), _array().zeros_like(x)]


@RegisterGradient("LeakyReluGrad")
def _leaky_relu_grad_grad(op: Any, grad: Tensor) -> Any:
    x = op.inputs[1]
    return [leaky_relu_grad(grad, x, alpha=op.get_attr("alpha")), _array().zeros_like(x)]


@RegisterGradient("EluGrad")
def _elu_grad_grad(op: Any, grad: Tensor) -> Any:
    m, a = _math(), _array()
    y = op.inputs[1]
    neg = m.less(y, convert_to_tensor(0, dtype=y.dtype.base_dtype))
    return [elu_grad(grad, y), a.where(neg, m.multiply(grad, op.inputs[0]), a.zeros_like(y))]


@RegisterGradient("SeluGrad")
def _selu_grad_grad(op: Any, grad: Tensor) -> Any:
    m, a = _math(), _array()
    y = op.inputs[1]
    neg = m.less(y, convert_to_tensor(0, dtype=y.dtype.base_dtype))
    return [selu_grad(grad, y), a.where(neg, m.multiply(grad, op.inputs[0]), a.zeros_like(y))]


@RegisterGradient("SoftplusGrad")
def _softplus_grad_grad(op: Any, grad: Tensor) -> Any:
    # d/dx [dy * sigmoid(x)] = dy * sigmoid'(x) = dy / (exp(-x) + 2 + exp(x))
    m = _math()
    dy, x = op.inputs
    two = convert_to_tensor(2, dtype=x.dtype.base_dtype)
    denom = m.add(m.add(m.exp(m.negative(x)), two), m.exp(x))
    return [softplus_grad(grad, x), m.realdiv(m.multiply(grad, dy), denom)]


@RegisterGradient("SoftsignGrad")
def _softsign_grad_grad(op: Any, grad: Tensor) -> Any:
    # backprops = dy / (1 + |x|)^2; d/dx = -2 dy sign(x) / (1 + |x|)^3
    m = _math()
    dy, x = op.inputs
    one = convert_to_tensor(1, dtype=x.dtype.base_dtype)
    minus_two = convert_to_tensor(-2, dtype=x.dtype.base_dtype)
    den = m.add(one, m.abs(x))
    d2x = m.realdiv(m.multiply(m.multiply(grad, dy), m.multiply(minus_two, m.sign(x))),
                    m.multiply(den, m.multiply(den, den)))
    return [softsign_grad(grad, x), d2x]


@RegisterGradient("Softmax")
def _softmax_grad(op: Any, grad: Tensor) -> Any:
    m = _math()
    y = op.outputs[0]
    s = m.reduce_sum(m.multiply(grad, y), -1, keepdims=True)
    return [m.multiply(m.subtract(grad, s), y)]


@RegisterGradient("LogSoftmax")
def _log_softmax_grad(op: Any, grad: Tensor) -> Any:
    m = _math()
    sm = m.exp(op.outputs[0])
    return [m.subtract(grad, m.multiply(m.reduce_sum(grad, -1, keepdims=True), sm))]


# --- wrappers ----------------------------------------------------------------------------------

def relu(features: Any, name: str | None = None) -> Tensor:
    """max(features, 0) (``tf.nn.relu``)."""
    return apply_op("Relu", name=name or "Relu", features=features)


def relu6(features: Any, name: str | None = None) -> Tensor:
    """min(max(features, 0), 6)."""
    with name_scope(name, "Relu6", [features]) as scope:
        features = convert_to_tensor(features, name="features")
        return apply_op("Relu6", name=scope, features=features)


def elu(features: Any, name: str | None = None) -> Tensor:
    """exp(features) - 1 where features < 0, else features."""
    return apply_op("Elu", name=name or "Elu", features=features)


def selu(features: Any, name: str | None = None) -> Tensor:
    """scale * elu with SELU's alpha (Klambauer et al. 2017)."""
    return apply_op("Selu", name=name or "Selu", features=features)


def leaky_relu(features: Any, alpha: float = 0.2, name: str | None = None) -> Tensor:
    """features where positive, alpha * features otherwise (integers are cast to float32)."""
    with name_scope(name, "LeakyRelu", [features, alpha]) as scope:
        features = convert_to_tensor(features, name="features")
        if features.dtype.is_integer:
            features = _math().cast(features, "float32")
        if isinstance(alpha, np.ndarray):
            alpha = alpha.item()
        return apply_op("LeakyRelu", name=scope, features=features, alpha=alpha)


def softplus(features: Any, name: str | None = None) -> Tensor:
    """log(exp(features) + 1), without overflow."""
    return apply_op("Softplus", name=name or "Softplus", features=features)


def softsign(features: Any, name: str | None = None) -> Tensor:
    """features / (abs(features) + 1)."""
    return apply_op("Softsign", name=name or "Softsign", features=features)


def relu_grad(gradients: Any, features: Any, name: str | None = None) -> Tensor:
    return apply_op("ReluGrad", name=name or "ReluGrad", gradients=gradients, features=features)


def relu6_grad(gradients: Any, features: Any, name: str | None = None) -> Tensor:
    return apply_op("Relu6Grad", name=name or "Relu6Grad", gradients=gradients,
                    features=features)


def elu_grad(gradients: Any, outputs: Any, name: str | None = None) -> Tensor:
    return apply_op("EluGrad", name=name or "EluGrad", gradients=gradients, outputs=outputs)


def selu_grad(gradients: Any, outputs: Any, name: str | None = None) -> Tensor:
    return apply_op("SeluGrad", name=name or "SeluGrad", gradients=gradients, outputs=outputs)


def leaky_relu_grad(gradients: Any, features: Any, alpha: float = 0.2,
                    name: str | None = None) -> Tensor:
    return apply_op("LeakyReluGrad", name=name or "LeakyReluGrad", gradients=gradients,
                    features=features, alpha=alpha)


def softplus_grad(gradients: Any, features: Any, name: str | None = None) -> Tensor:
    return apply_op("SoftplusGrad", name=name or "SoftplusGrad", gradients=gradients,
                    features=features)


def softsign_grad(gradients: Any, features: Any, name: str | None = None) -> Tensor:
    return apply_op("SoftsignGrad", name=name or "SoftsignGrad", gradients=gradients,
                    features=features)


def _resolve_axis(axis: Any, dim: Any) -> Any:
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    axis = dim if axis is None else axis
    return -1 if axis is None else axis


def _wrap_2d(op_type: str, logits: Any, axis: Any, name: str | None) -> Tensor:
    """Applies a last-axis op along ``axis`` by swapping that axis with the last (as TF)."""
    logits = convert_to_tensor(logits)
    shape = logits.get_shape()
    ndims = shape.ndims
    if isinstance(axis, Tensor):
        from minitf.framework.constant_value import constant_value

        value = constant_value(axis)
        if value is None:
            raise ValueError(f"{op_type}: a tensor axis must have a value known when the graph "
                             "is built")
        axis = int(value)
    axis = int(axis)
    if axis == -1 or (ndims is not None and axis == ndims - 1):
        return apply_op(op_type, name=name or op_type, logits=logits)
    if ndims is None:
        raise ValueError(f"{op_type} along axis {axis} needs an input of known rank")
    if not -ndims <= axis < ndims:
        raise errors.InvalidArgumentError(
            None, None, f"`dim` must be in the range [{-ndims}, {ndims}) where {ndims} is the "
                        f"number of dimensions in the input. Received: dim={axis}")
    axis %= ndims
    perm = list(range(ndims))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    a = _array()
    perm_arr = np.array(perm, dtype=np.int32)
    out = apply_op(op_type, logits=a.transpose(logits, perm_arr))
    out = a.transpose(out, perm_arr, name=name)
    out.set_shape(shape)
    return out


def softmax(logits: Any, axis: Any = None, name: str | None = None, dim: Any = None) -> Tensor:
    """exp(logits) / sum(exp(logits), axis), computed with the maximum subtracted."""
    return _wrap_2d("Softmax", logits, _resolve_axis(axis, dim), name)


def log_softmax(logits: Any, axis: Any = None, name: str | None = None,
                dim: Any = None) -> Tensor:
    """logits - log(sum(exp(logits), axis)), computed stably."""
    return _wrap_2d("LogSoftmax", logits, _resolve_axis(axis, dim), name)
