"""Normalization: FusedBatchNorm / FusedBatchNormV3 and their gradient ops, LRN / LRNGrad, and
the composites moments, batch_normalization, l2_normalize built from math ops as TF does."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import shape_fns

__all__ = ["fused_batch_norm", "batch_normalization", "moments", "weighted_moments",
           "l2_normalize", "local_response_normalization", "lrn"]

FLOATS = "{float16, float32, float64}"
FBN_ATTRS = ["epsilon: float = 0.0001", "data_format: string = NHWC", "is_training: bool = true"]


def _math() -> Any:
    from minitf.ops import math_ops

    return math_ops


def _array() -> Any:
    from minitf.ops import array_ops

    return array_ops


def _stop_gradient(x: Any) -> Tensor:
    from minitf.ops.gradients_impl import stop_gradient

    return stop_gradient(x)


# --- FusedBatchNorm ------------------------------------------------------------------------------

def _channels_last(x: np.ndarray, data_format: str) -> np.ndarray:
    if data_format.startswith("NC"):
        return np.moveaxis(x, 1, -1)
    return x


def _channels_back(x: np.ndarray, data_format: str) -> np.ndarray:
    if data_format.startswith("NC"):
        return np.ascontiguousarray(np.moveaxis(x, -1, 1))
    return x


def fused_batch_norm_ref(x: Any, scale: Any, offset: Any, mean: Any, variance: Any,
                         epsilon: float = 1e-4, exponential_avg_factor: float = 1.0,
                         data_format: str = "NHWC", is_training: bool = True,
                         v3: bool = True) -> tuple[np.ndarray, ...]:
    """y, batch_mean, batch_variance (Bessel-corrected), reserve_space_1 (mean),
    reserve_space_2 (biased variance)[, reserve_space_3 (empty)]."""
    x = np.asarray(x)
    u = np.asarray(scale).dtype
    ct = np.float32 if x.dtype == np.float16 else x.dtype.type
    xl = _channels_last(x, data_format).astype(ct, copy=False)
    c = xl.shape[-1]
    flat = xl.reshape(-1, c)
    if is_training:
        n = flat.shape[0]
        bm = flat.mean(axis=0) if n else np.full(c, np.nan, ct)
        bv = flat.var(axis=0) if n else np.full(c, np.nan, ct)
        corrected = bv * (n / max(n - 1, 1))
        f = exponential_avg_factor
        if f != 1.0:
            out_mean = (1 - f) * np.asarray(mean, ct) + f * bm
            out_var = (1 - f) * np.asarray(variance, ct) + f * corrected
        else:
            out_mean, out_var = bm, corrected
        use_m, use_v = bm, bv
        r1, r2 = bm, bv
    else:
        use_m, use_v = np.asarray(mean, ct), np.asarray(variance, ct)
        if use_m.shape != (c,) or use_v.shape != (c,):
            raise errors.InvalidArgumentError(
                None, None, f"mean and variance must have shape [{c}], got {list(use_m.shape)} "
                            f"and {list(use_v.shape)}")
        out_mean, out_var, r1, r2 = use_m, use_v, use_m, use_v
    inv = 1 / np.sqrt(use_v + ct(epsilon))
    y = (xl - use_m) * (inv * np.asarray(scale, ct)) + np.asarray(offset, ct)
    y = _channels_back(y, data_format).astype(x.dtype, copy=False)
    outs = (y, *(np.asarray(v, dtype=u) for v in (out_mean, out_var, r1, r2)))
    return outs + (np.zeros(0, dtype=u),) if v3 else outs


def fused_batch_norm_grad_ref(dy: Any, x: Any, scale: Any, r1: Any, r2: Any, r3: Any = None,
                              epsilon: float = 1e-4, data_format: str = "NHWC",
                              is_training: bool = True) -> tuple[np.ndarray, ...]:
    """x_backprop, scale_backprop, offset_backprop and two empty reserve outputs."""
    x, dy = np.asarray(x), np.asarray(dy)
    u = np.asarray(scale).dtype
    ct = np.float32 if x.dtype == np.float16 else x.dtype.type
    xl = _channels_last(x, data_format).astype(ct, copy=False)
    dyl = _channels_last(dy, data_format).astype(ct, copy=False)
    c = xl.shape[-1]
    xf, dyf = xl.reshape(-1, c), dyl.reshape(-1, c)
    mean, var = np.asarray(r1, ct), np.asarray(r2, ct)
    rstd = 1 / np.sqrt(var + ct(epsilon))
    xhat = (xf - mean) * rstd
    doffset = dyf.sum(axis=0)
    dscale = (dyf * xhat).sum(axis=0)
    s = np.asarray(scale, ct)
    if is_training and xf.shape[0]:
        dx = s * rstd * (dyf - dyf.mean(axis=0) - xhat * (dyf * xhat).mean(axis=0))
    else:
        dx = dyf * (s * rstd)
    dx = _channels_back(dx.reshape(xl.shape), data_format).astype(x.dtype, copy=False)
    empty = np.zeros(0, dtype=u)
    return dx, dscale.astype(u), doffset.astype(u), empty, empty


def _fbn_shape(op: Any) -> list[TensorShape]:
    fmt = op._attrs["data_format"]
    if fmt not in ("NHWC", "NCHW", "NDHWC", "NCDHW"):
        raise ValueError(f"Invalid data format: {fmt}")
    rank = 5 if "D" in fmt else 4
    x = op.inputs[0].get_shape().with_rank(rank)
    axis = 1 if fmt.startswith("NC") else rank - 1
    c = x.dims[axis] if x.dims is not None else None
    c_val = c.value if c is not None else None
    training = op._attrs["is_training"]
    for i, what in ((1, "scale"), (2, "offset"), (3, "mean"), (4, "variance")):
        s = op.inputs[i].get_shape().with_rank(1)
        if i >= 3 and training and op._attrs.get("exponential_avg_factor", 1.0) == 1.0:
            continue
        v = s.as_list()[0] if s.ndims else None
        if c_val is not None and v is not None and v != c_val:
            raise ValueError(f"Dimensions must be equal, but are {c_val} and {v} ({what})")
        c_val = c_val if c_val is not None else v
    vec = TensorShape([c_val])
    outs = [x if x.ndims is not None else TensorShape(None), vec, vec, vec, vec]
    return outs + [TensorShape(None)] if op.type == "FusedBatchNormV3" else outs


def _fbn_grad_shape(op: Any) -> list[TensorShape]:
    dy = op.inputs[0].get_shape()
    x = op.inputs[1].get_shape().merge_with(dy)
    c = op.inputs[2].get_shape().with_rank(1)
    return [x, c, c, TensorShape([0]), TensorShape([0])]


register_op("FusedBatchNorm", inputs=["x: T", "scale: T", "offset: T", "mean: T", "variance: T"],
            outputs=["y: T", "batch_mean: T", "batch_variance: T", "reserve_space_1: T",
                     "reserve_space_2: T"],
            attrs=["T: {float32, float64}", "exponential_avg_factor: float = 1.0"] + FBN_ATTRS,
            shape=_fbn_shape,
            reference=lambda *a, **k: fused_batch_norm_ref(*a, v3=False, **k),
            kernel_attrs=("epsilon", "exponential_avg_factor", "data_format", "is_training"))
register_op("FusedBatchNormV3",
            inputs=["x: T", "scale: U", "offset: U", "mean: U", "variance: U"],
            outputs=["y: T", "batch_mean: U", "batch_variance: U", "reserve_space_1: U",
                     "reserve_space_2: U", "reserve_space_3: U"],
            attrs=[f"T: {FLOATS}", "U: {float32, float64}",
                   "exponential_avg_factor: float = 1.0"] + FBN_ATTRS,
            shape=_fbn_shape, reference=fused_batch_norm_ref,
            kernel_attrs=("epsilon", "exponential_avg_factor", "data_format", "is_training"))
register_op("FusedBatchNormGrad",
            inputs=["y_backprop: T", "x: T", "scale: T", "reserve_space_1: T",
                    "reserve_space_2: T"],
            outputs=["x_backprop: T", "scale_backprop: T", "offset_backprop: T",
                     "reserve_space_3: T", "reserve_space_4: T"],
            attrs=["T: {float32, float64}"] + FBN_ATTRS, shape=_fbn_grad_shape,
            reference=fused_batch_norm_grad_ref,
            kernel_attrs=("epsilon", "data_format", "is_training"))
register_op("FusedBatchNormGradV3",
            inputs=["y_backprop: T", "x: T", "scale: U", "reserve_space_1: U",
                    "reserve_space_2: U", "reserve_space_3: U"],
            outputs=["x_backprop: T", "scale_backprop: U", "offset_backprop: U",
                     "reserve_space_4: U", "reserve_space_5: U"],
            attrs=[f"T: {FLOATS}", "U: {float32, float64}"] + FBN_ATTRS,
            shape=_fbn_grad_shape, reference=fused_batch_norm_grad_ref,
            kernel_attrs=("epsilon", "data_format", "is_training"))


def _fbn_grad(op: Any, *grads: Any) -> Any:
    """Gradient of y only; the statistics outputs get none (as in TF)."""
    a = op._attrs
    x, scale = op.inputs[0], op.inputs[1]
    training = a["is_training"]
    if training:
        r1, r2 = op.outputs[3], op.outputs[4]
    else:
        r1, r2 = op.inputs[3], op.inputs[4]
    kw = {"epsilon": a["epsilon"], "data_format": a["data_format"], "is_training": training}
    if op.type == "FusedBatchNormV3":
        r3 = op.outputs[5]
        dx, dscale, doffset, _, _ = apply_op("FusedBatchNormGradV3", y_backprop=grads[0], x=x,
                                             scale=scale, reserve_space_1=r1,
                                             reserve_space_2=r2, reserve_space_3=r3, **kw)
    else:
        dx, dscale, doffset, _, _ = apply_op("FusedBatchNormGrad", y_backprop=grads[0], x=x,
                                             scale=scale, reserve_space_1=r1,
                                             reserve_space_2=r2, **kw)
    if training:
        return [dx, dscale, doffset, None, None]
    return [dx, dscale, doffset, *_inference_stat_grads(op, grads[0])]


def _inference_stat_grads(op: Any, dy: Tensor) -> list[Tensor]:
    """d/dmean and d/dvariance of y = (x - mean) * scale * (var + eps)^-1/2 + offset (TF
    returns None for these; they are cheap and exact)."""
    m, a = _math(), _array()
    x, scale, mean, var = op.inputs[0], op.inputs[1], op.inputs[3], op.inputs[4]
    fmt = op._attrs["data_format"]
    rank = x.get_shape().ndims or 4
    nc = fmt.startswith("NC")
    axes = np.array([0] + list(range(2, rank)) if nc else list(range(rank - 1)), np.int32)
    u = scale.dtype.base_dtype
    if x.dtype.base_dtype != u:
        x, dy = m.cast(x, u), m.cast(dy, u)
    shape = np.array([1, -1] + [1] * (rank - 2) if nc else [-1], np.int32)
    rstd = m.rsqrt(var + convert_to_tensor(op._attrs["epsilon"], dtype=u))
    k = scale * rstd
    dmean = -m.reduce_sum(dy, axes) * k
    centered = x - a.reshape(mean, shape)
    dvar = m.reduce_sum(dy * centered, axes) * k * rstd * rstd * convert_to_tensor(-0.5, dtype=u)
    return [dmean, dvar]


RegisterGradient("FusedBatchNorm")(_fbn_grad)
RegisterGradient("FusedBatchNormV3")(_fbn_grad)


def _batch_norm_grad_graph(dy: Tensor, x: Tensor, scale: Tensor, pop_mean: Tensor,
                           pop_var: Tensor, epsilon: float, data_format: str,
                           is_training: bool) -> tuple[Tensor, Tensor, Tensor]:
    """FusedBatchNormGrad's computation as ordinary ops (TF's ``_BatchNormGrad``), so that its
    own gradient follows by differentiating it."""
    m, a = _math(), _array()
    x_dtype = x.dtype.base_dtype
    if x_dtype == dtypes.float16:
        x, dy = m.cast(x, dtypes.float32), m.cast(dy, dtypes.float32)
    nc = data_format.startswith("NC")
    rank = x.get_shape().ndims or 4
    axes = [0] + list(range(2, rank)) if nc else list(range(rank - 1))
    ax = np.array(axes, dtype=np.int32)
    eps = convert_to_tensor(epsilon, dtype=x.dtype.base_dtype)
    if nc:
        shape = np.array([1, -1] + [1] * (rank - 2), dtype=np.int32)
        scale = a.reshape(scale, shape)
    if is_training:
        mean_dy = m.reduce_mean(dy, ax, keepdims=True)
        mean_x = m.reduce_mean(x, ax, keepdims=True)
        var_x = m.reduce_mean(m.squared_difference(x, _stop_gradient(mean_x)), ax,
                              keepdims=True)
        x_off = x - mean_x
        mean = m.reduce_mean(dy * x_off, ax, keepdims=True)
        rstd = m.rsqrt(var_x + eps)
        dx = scale * rstd * ((dy - mean_dy) - m.reciprocal(var_x + eps) * mean * x_off)
        dscale = a.reshape(rstd, [-1]) * m.reduce_sum(dy * x_off, ax)
    else:
        if nc:
            shape = np.array([1, -1] + [1] * (rank - 2), dtype=np.int32)
            pop_mean, pop_var = a.reshape(pop_mean, shape), a.reshape(pop_var, shape)
        rstd = m.rsqrt(pop_var + eps)
        dscale = m.reduce_sum(dy * (x - pop_mean) * rstd, ax)
        dx = dy * scale * rstd
    return m.cast(dx, x_dtype), dscale, m.reduce_sum(dy, ax)


def _fbn_grad_grad(op: Any, *grads: Any) -> Any:
    from minitf.ops.gradients_impl import gradients

    a = op._attrs
    # Differentiate a copy whose inputs are leaves: dy may itself depend on x upstream, and
    # only the partial derivatives of this op belong here (TF uses a GradientTape).
    dy, x, scale = (_stop_gradient(t) for t in op.inputs[:3])
    pop_mean, pop_var = op.inputs[3:5]
    outs = _batch_norm_grad_graph(dy, x, scale, pop_mean, pop_var, a["epsilon"],
                                  a["data_format"], a["is_training"])
    ys = [o for o, g in zip(outs, grads[:3]) if g is not None]
    gys = [g for g in grads[:3] if g is not None]
    ddy, dx, dscale = gradients(ys, [dy, x, scale], grad_ys=gys)
    return [ddy, dx, dscale] + [None] * (len(op.inputs) - 3)


RegisterGradient("FusedBatchNormGrad")(_fbn_grad_grad)
RegisterGradient("FusedBatchNormGradV3")(_fbn_grad_grad)


def fused_batch_norm(x: Any, scale: Any, offset: Any, mean: Any = None, variance: Any = None,
                     epsilon: float = 0.001, data_format: str = "NHWC", is_training: bool = True,
                     name: str | None = None,
                     exponential_avg_factor: float = 1.0) -> tuple[Tensor, Tensor, Tensor]:
    """Batch normalization in one op (FusedBatchNormV3): returns (y, mean, variance); in
    training the batch statistics (variance Bessel-corrected), else the given ones."""
    if (not is_training or exponential_avg_factor != 1.0) and (mean is None or variance is None):
        raise ValueError("Both 'mean' and 'variance' must be a 1D tensor when is_training is "
                         "False or exponential_avg_factor != 1.0.")
    x = convert_to_tensor(x, name="input")
    scale = convert_to_tensor(scale, name="scale")
    offset = convert_to_tensor(offset, name="offset")
    from minitf.ops.constant_op import constant

    u = scale.dtype.base_dtype
    if mean is None:
        mean = constant([], dtype=u)
    if variance is None:
        variance = constant([], dtype=u)
    epsilon = max(float(epsilon), 1.001e-5)
    y, bm, bv, _, _, _ = apply_op("FusedBatchNormV3", name=name or "FusedBatchNormV3", x=x,
                                  scale=scale, offset=offset, mean=mean, variance=variance,
                                  epsilon=epsilon, exponential_avg_factor=exponential_avg_factor,
                                  data_format=data_format, is_training=is_training)
    return y, bm, bv


# --- LRN -----------------------------------------------------------------------------------------

def _window_sum(v: np.ndarray, r: int) -> np.ndarray:
    """Sum over channels c - r .. c + r of the last axis."""
    c = v.shape[-1]
    pad = np.zeros(v.shape[:-1] + (1,), v.dtype)
    cs = np.concatenate([pad, np.cumsum(v, axis=-1)], axis=-1)
    hi = np.minimum(np.arange(c) + r + 1, c)
    lo = np.maximum(np.arange(c) - r, 0)
    return cs[..., hi] - cs[..., lo]


def lrn_ref(x: Any, depth_radius: int = 5, bias: float = 1.0, alpha: float = 1.0,
            beta: float = 0.5) -> np.ndarray:
    """x / (bias + alpha * sum of x^2 over depth_radius neighbouring channels) ** beta."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise errors.InvalidArgumentError(None, None, f"input must be 4-dimensional, got "
                                                      f"{x.ndim}")
    xf = x.astype(np.float64)
    norm = bias + alpha * _window_sum(xf * xf, depth_radius)
    return (xf * norm ** -beta).astype(x.dtype)


def lrn_grad_ref(g: Any, x: Any, y: Any, depth_radius: int = 5, bias: float = 1.0,
                 alpha: float = 1.0, beta: float = 0.5) -> np.ndarray:
    """dx_j = g_j N_j^-b - 2ab x_j sum_{d near j} g_d x_d N_d^(-b-1) (recomputed from x)."""
    g, x = np.asarray(g), np.asarray(x)
    gf, xf = g.astype(np.float64), x.astype(np.float64)
    norm = bias + alpha * _window_sum(xf * xf, depth_radius)
    inner = _window_sum(gf * xf * norm ** (-beta - 1), depth_radius)
    return (gf * norm ** -beta - 2 * alpha * beta * xf * inner).astype(g.dtype)


LRN_ATTRS = [f"T: {FLOATS} = float32", "depth_radius: int = 5", "bias: float = 1.0",
             "alpha: float = 1.0", "beta: float = 0.5"]
LRN_KERNEL_ATTRS = ("depth_radius", "bias", "alpha", "beta")


def _lrn_shape(op: Any) -> list[TensorShape]:
    return [op.inputs[0].get_shape().with_rank(4)]


def _lrn_grad_shape(op: Any) -> list[TensorShape]:
    s = op.inputs[0].get_shape().with_rank(4)
    for t in op.inputs[1:]:
        s = s.merge_with(t.get_shape())
    return [s]


register_op("LRN", inputs=["input: T"], outputs=["output: T"], attrs=LRN_ATTRS,
            shape=_lrn_shape, reference=lrn_ref, kernel_attrs=LRN_KERNEL_ATTRS)
register_op("LRNGrad", inputs=["input_grads: T", "input_image: T", "output_image: T"],
            outputs=["output: T"], attrs=LRN_ATTRS, shape=_lrn_grad_shape,
            reference=lrn_grad_ref, kernel_attrs=LRN_KERNEL_ATTRS)


def _lrn_attrs(op: Any) -> dict[str, Any]:
    return {k: op._attrs[k] for k in LRN_KERNEL_ATTRS}


@RegisterGradient("LRN")
def _lrn_grad(op: Any, grad: Tensor) -> Any:
    return [apply_op("LRNGrad", input_grads=grad, input_image=op.inputs[0],
                     output_image=op.outputs[0], **_lrn_attrs(op))]


def _lrn_grad_graph(g: Tensor, x: Tensor, depth_radius: int, bias: float, alpha: float,
                    beta: float) -> Tensor:
    """LRNGrad as ordinary ops: channel-window sums are a matmul with a band matrix."""
    m, a = _math(), _array()
    c = x.get_shape().as_list()[-1] if x.get_shape().ndims else None
    if c is None:
        raise ValueError("the gradient of LRNGrad needs a known channel count")
    idx = np.arange(c)
    band = (np.abs(idx[:, None] - idx[None, :]) <= depth_radius).astype(
        x.dtype.base_dtype.as_numpy_dtype)

    def window(v: Tensor) -> Tensor:
        flat = a.reshape(v, np.array([-1, c], dtype=np.int32))
        return a.reshape(m.matmul(flat, band), a.shape(v))

    dt = x.dtype.base_dtype
    norm = convert_to_tensor(bias, dtype=dt) + convert_to_tensor(alpha, dtype=dt) * \
        window(x * x)
    first = g * m.pow(norm, convert_to_tensor(-beta, dtype=dt))
    inner = window(g * x * m.pow(norm, convert_to_tensor(-beta - 1, dtype=dt)))
    return first - convert_to_tensor(2 * alpha * beta, dtype=dt) * x * inner


@RegisterGradient("LRNGrad")
def _lrn_grad_grad(op: Any, grad: Tensor) -> Any:
    from minitf.ops.gradients_impl import gradients

    g, x = (_stop_gradient(t) for t in op.inputs[:2])  # leaves: partial derivatives only
    dx = _lrn_grad_graph(g, x, **_lrn_attrs(op))
    gg, gx = gradients(dx, [g, x], grad_ys=grad)
    return [gg, gx, None]


def local_response_normalization(input: Any, depth_radius: int = 5, bias: float = 1,  # noqa: A002
                                 alpha: float = 1, beta: float = 0.5,
                                 name: str | None = None) -> Tensor:
    """Local response normalization across channels (``tf.nn.lrn``)."""
    return apply_op("LRN", name=name or "LRN", input=input, depth_radius=depth_radius,
                    bias=float(bias), alpha=float(alpha), beta=float(beta))


lrn = local_response_normalization


# --- composites ----------------------------------------------------------------------------------

def moments(x: Any, axes: Any, shift: Any = None, name: str | None = None,
            keep_dims: Any = None, keepdims: Any = None) -> tuple[Tensor, Tensor]:
    """Mean and (biased) variance of ``x`` over ``axes`` (``tf.nn.moments``; ``shift`` is
    unused, as in TF)."""
    if keep_dims is not None and keepdims is not None:
        raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'.")
    keep = bool(keepdims if keepdims is not None else keep_dims)
    m, a = _math(), _array()
    with name_scope(name, "moments", [x, axes]):
        x = convert_to_tensor(x, name="x")
        half = x.dtype.base_dtype == dtypes.float16
        y = m.cast(x, dtypes.float32) if half else x
        mean = m.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = m.reduce_mean(m.squared_difference(y, _stop_gradient(mean)), axes,
                                 keepdims=True, name="variance")
        if not keep:
            mean = a.squeeze(mean, axes)
            variance = a.squeeze(variance, axes)
        if half:
            return m.cast(mean, dtypes.float16), m.cast(variance, dtypes.float16)
        return mean, variance


def weighted_moments(x: Any, axes: Any, frequency_weights: Any, name: str | None = None,
                     keep_dims: Any = None, keepdims: Any = None) -> tuple[Tensor, Tensor]:
    """Frequency-weighted mean and variance of ``x`` over ``axes`` (``tf.nn.weighted_moments``;
    weights broadcast against ``x``; a zero total weight gives 0, as TF's div_no_nan)."""
    if keep_dims is not None and keepdims is not None:
        raise ValueError("Cannot specify both 'keep_dims' and 'keepdims'.")
    keep = bool(keepdims if keepdims is not None else keep_dims)
    m, a = _math(), _array()
    with name_scope(name, "weighted_moments", [x, frequency_weights, axes]):
        x = convert_to_tensor(x, name="x")
        weights = convert_to_tensor(frequency_weights, name="frequency_weights")
        half = x.dtype.base_dtype == dtypes.float16
        if half:
            x = m.cast(x, dtypes.float32)
        if weights.dtype.base_dtype != x.dtype.base_dtype:
            weights = m.cast(weights, x.dtype.base_dtype)
        weighted_sum = m.reduce_sum(weights * x, axes, name="weighted_input_sum", keepdims=True)
        broadcast_weights = weights + a.zeros_like(x)
        sum_of_weights = m.reduce_sum(broadcast_weights, axes, name="sum_of_weights",
                                      keepdims=True)
        mean = m.div_no_nan(weighted_sum, sum_of_weights)
        distsq = m.reduce_sum(weights * m.squared_difference(x, mean), axes,
                              name="weighted_distsq", keepdims=True)
        variance = m.div_no_nan(distsq, sum_of_weights)
        if not keep:
            mean = a.squeeze(mean, axis=axes)
            variance = a.squeeze(variance, axis=axes)
        if half:
            return m.cast(mean, dtypes.float16), m.cast(variance, dtypes.float16)
        return mean, variance


def batch_normalization(x: Any, mean: Any, variance: Any, offset: Any, scale: Any,
                        variance_epsilon: float, name: str | None = None) -> Tensor:
    """(x - mean) * scale / sqrt(variance + eps) + offset, as x * inv + (offset - mean * inv)."""
    m = _math()
    with name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = convert_to_tensor(x, name="x")
        inv = m.rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv *= scale
        scaled = x * m.cast(inv, x.dtype.base_dtype)
        shift = offset - mean * inv if offset is not None else -mean * inv
        return scaled + m.cast(shift, x.dtype.base_dtype)


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: str | None = None,
                 dim: Any = None) -> Tensor:
    """x / sqrt(max(sum(x ** 2, axis), epsilon)) (``tf.nn.l2_normalize``)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'.")
    axis = dim if axis is None else axis
    m = _math()
    with name_scope(name, "l2_normalize", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        square_sum = m.reduce_sum(m.square(x), axis, keepdims=True)
        x_inv_norm = m.rsqrt(m.maximum(square_sum, epsilon))
        return m.multiply(x, x_inv_norm, name=scope)


_ = shape_fns
