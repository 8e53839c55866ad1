"""Learning-rate schedules of TF 1.x (``tf.train.exponential_decay`` ...): graph ops of the
global step, computed in the learning rate's dtype with TF's expressions (so values match TF's
float32 results)."""

from __future__ import annotations

import math
from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import name_scope
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor

__all__ = ["exponential_decay", "piecewise_constant", "polynomial_decay", "natural_exp_decay",
           "inverse_time_decay", "cosine_decay", "cosine_decay_restarts",
           "linear_cosine_decay", "noisy_linear_cosine_decay"]


def _require_step(global_step: Any, fn: str) -> None:
    if global_step is None:
        raise ValueError(f"global_step is required for {fn}.")


def _m() -> Any:
    from minitf.ops import math_ops

    return math_ops


def _start(learning_rate: Any) -> tuple[Tensor, dtypes.DType]:
    lr = convert_to_tensor(learning_rate, name="initial_learning_rate")
    return lr, lr.dtype.base_dtype


def _pi(dtype: dtypes.DType) -> Any:
    from minitf.ops.constant_op import constant

    return _m().cast(constant(math.pi), dtype)


def _rate_and_progress(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                       staircase: bool) -> tuple[Tensor, Any, Any]:
    """The learning rate, the decay rate in its dtype and ``global_step / decay_steps`` (floored
    when ``staircase``) of exponential and inverse-time decay, made in that order."""
    m = _m()
    lr, dtype = _start(learning_rate)
    steps = m.cast(decay_steps, dtype)
    rate = m.cast(decay_rate, dtype)
    p = m.cast(global_step, dtype) / steps
    if staircase:
        p = m.floor(p)
    return lr, rate, p


def exponential_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                      staircase: bool = False, name: str | None = None) -> Tensor:
    """``learning_rate * decay_rate ** (global_step / decay_steps)`` (the exponent floored
    when ``staircase``)."""
    _require_step(global_step, "exponential_decay")
    m = _m()
    with name_scope(name, "ExponentialDecay") as scope:
        lr, rate, p = _rate_and_progress(learning_rate, global_step, decay_steps, decay_rate,
                                         staircase)
        return m.multiply(lr, m.pow(rate, p), name=scope)


def natural_exp_decay(learning_rate: Any, global_step: Any, decay_steps: Any, decay_rate: Any,
                      staircase: bool = False, name: str | None = None) -> Tensor:
    """``learning_rate * exp(-decay_rate * global_step / decay_steps)`` (TF computes it as an
    exponential decay with rate ``exp(-decay_rate)``, and so does this)."""
    _require_step(global_step, "natural_exp_decay")
    m = _m()
    natural_exp_rate = m.exp(m.negative(decay_rate))
    return exponential_decay(learning_rate, global_step, decay_steps, natural_exp_rate,
                             staircase=staircase, name=name)


def inverse_time_decay(learning_rate: Any, global_step: Any, decay_steps: Any,
                       decay_rate: Any, staircase: bool = False,
                       name: str | None = None) -> Tensor:
    """``learning_rate / (1 + decay_rate * global_step / decay_steps)``."""
    _require_step(global_step, "inverse_time_decay")
    from minitf.ops.constant_op import constant

    m = _m()
    with name_scope(name, "InverseTimeDecay") as scope:
        lr, rate, p = _rate_and_progress(learning_rate, global_step, decay_steps, decay_rate,
                                         staircase)
        const = m.cast(constant(1), lr.dtype.base_dtype)
        denom = m.add(const, m.multiply(rate, p))
        return m.divide(lr, denom, name=scope)


def polynomial_decay(learning_rate: Any, global_step: Any, decay_steps: Any,
                     end_learning_rate: Any = 0.0001, power: Any = 1.0, cycle: bool = False,
                     name: str | None = None) -> Tensor:
    """``(lr - end) * (1 - step / decay_steps) ** power + end``; with ``cycle`` the decay
    restarts at every multiple of ``decay_steps``."""
    _require_step(global_step, "polynomial_decay")
    from minitf.ops import array_ops

    m = _m()
    with name_scope(name, "PolynomialDecay") as scope:
        lr, dtype = _start(learning_rate)
        end = m.cast(end_learning_rate, dtype)
        power_t = m.cast(power, dtype)
        step = m.cast(global_step, dtype)
        steps = m.cast(decay_steps, dtype)
        if cycle:
            one = convert_to_tensor(1.0, dtype=dtype)
            multiplier = array_ops.where(m.equal(step, 0), one,
                                         m.ceil(step / m.cast(decay_steps, dtype)))
            steps = m.multiply(steps, multiplier)
        else:
            step = m.minimum(step, steps)
        p = m.divide(step, steps)
        return m.add(m.multiply(lr - end, m.pow(1 - p, power_t)), end, name=scope)


def piecewise_constant(x: Any, boundaries: Any, values: Any,
                       name: str | None = None) -> Tensor:
    """``values[i]`` for the interval of ``boundaries`` holding ``x``: values[0] while
    x <= boundaries[0], values[1] while boundaries[0] < x <= boundaries[1], ..."""
    from minitf.ops import array_ops

    m = _m()
    boundaries = [convert_to_tensor(b) for b in _flat(boundaries)]
    values = [convert_to_tensor(v) for v in _flat(values)]
    x_t = convert_to_tensor(x)
    for i, b in enumerate(boundaries):
        if b.dtype.base_dtype != x_t.dtype.base_dtype:
            if b.dtype.base_dtype == dtypes.int32 and x_t.dtype.base_dtype == dtypes.int64:
                boundaries[i] = m.cast(b, x_t.dtype.base_dtype)
            else:
                raise ValueError(f"Boundaries ({b.dtype.base_dtype}) must have the same dtype "
                                 f"as x ({x_t.dtype.base_dtype}).")
    for v in values[1:]:
        if v.dtype.base_dtype != values[0].dtype.base_dtype:
            raise ValueError(f"Values must have elements all with the same dtype "
                             f"({values[0].dtype.base_dtype} vs {v.dtype.base_dtype}).")
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with name_scope(name, "PiecewiseConstant"):
        out = values[0]
        for b, v in zip(boundaries, values[1:]):
            out = array_ops.where(m.greater(x_t, b), v, out)
        return array_ops.identity(out, name="case")


def _flat(x: Any) -> list[Any]:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def cosine_decay(learning_rate: Any, global_step: Any, decay_steps: Any, alpha: float = 0.0,
                 name: str | None = None) -> Tensor:
    """Cosine decay from ``learning_rate`` to ``alpha * learning_rate`` over ``decay_steps``."""
    _require_step(global_step, "cosine_decay")
    m = _m()
    with name_scope(name, "CosineDecay"):
        lr, dtype = _start(learning_rate)
        steps = m.cast(decay_steps, dtype)
        step = m.minimum(m.cast(global_step, dtype), steps)
        completed_fraction = step / steps
        cosine_decayed = 0.5 * (1.0 + m.cos(_pi(dtype) * completed_fraction))
        decayed = (1 - alpha) * cosine_decayed + alpha
        return m.multiply(lr, decayed)


def cosine_decay_restarts(learning_rate: Any, global_step: Any, first_decay_steps: Any,
                          t_mul: Any = 2.0, m_mul: Any = 1.0, alpha: Any = 0.0,
                          name: str | None = None) -> Tensor:
    """Cosine decay with warm restarts (SGDR): period ``first_decay_steps`` growing by
    ``t_mul``, amplitude shrinking by ``m_mul`` at each restart."""
    _require_step(global_step, "cosine_decay_restarts")
    from minitf.ops import array_ops

    m = _m()
    with name_scope(name, "SGDRDecay") as scope:
        lr, dtype = _start(learning_rate)
        first = m.cast(first_decay_steps, dtype)
        alpha_t = m.cast(alpha, dtype)
        t_mul_t = m.cast(t_mul, dtype)
        m_mul_t = m.cast(m_mul, dtype)
        fraction = m.cast(global_step, dtype) / first

        def compute(geometric: bool) -> tuple[Any, Any]:
            if geometric:
                i_restart = m.floor(m.log(1.0 - fraction * (1.0 - t_mul_t)) / m.log(t_mul_t))
                sum_r = (1.0 - t_mul_t ** i_restart) / (1.0 - t_mul_t)
                return i_restart, (fraction - sum_r) / t_mul_t ** i_restart
            i_restart = m.floor(fraction)
            return i_restart, fraction - i_restart

        if isinstance(t_mul, (int, float)):
            i_restart, completed = compute(float(t_mul) != 1.0)
        else:
            is_one = m.equal(t_mul_t, 1.0)
            (ia, ca), (ib, cb) = compute(False), compute(True)
            i_restart = array_ops.where(is_one, ia, ib)
            completed = array_ops.where(is_one, ca, cb)
        m_fac = m_mul_t ** i_restart
        cosine_decayed = 0.5 * m_fac * (1.0 + m.cos(_pi(dtype) * completed))
        decayed = (1 - alpha_t) * cosine_decayed + alpha_t
        return m.multiply(lr, decayed, name=scope)


def _linear_cosine_decay(fn: str, default_name: str, learning_rate: Any, global_step: Any,
                         decay_steps: Any, num_periods: Any, alpha: Any, beta: Any,
                         name: str | None, variance: tuple[Any, Any] | None = None) -> Tensor:
    """``lr * ((alpha + linear) * cosine + beta)`` of linear-cosine decay; with ``variance``
    (initial variance, variance decay) Gaussian noise of decaying variance is added to the
    linear part (noisy linear-cosine decay)."""
    _require_step(global_step, fn)
    m = _m()
    with name_scope(name, default_name) as scope:
        lr, dtype = _start(learning_rate)
        steps = m.cast(decay_steps, dtype)
        if variance is not None:
            variance0 = m.cast(variance[0], dtype)
            vdecay = m.cast(variance[1], dtype)
        periods = m.cast(num_periods, dtype)
        alpha_t = m.cast(alpha, dtype)
        beta_t = m.cast(beta, dtype)
        step = m.minimum(m.cast(global_step, dtype), steps)
        linear_decayed = (steps - step) / steps
        if variance is not None:
            from minitf.ops import random_ops

            std = m.sqrt(variance0 / m.pow(1.0 + step, vdecay))
            linear_decayed = linear_decayed + random_ops.random_normal(
                linear_decayed.get_shape(), stddev=std, dtype=dtype)
        fraction = 2.0 * periods * (step / steps)
        cosine_decayed = 0.5 * (1.0 + m.cos(_pi(dtype) * fraction))
        return m.multiply(lr, (alpha_t + linear_decayed) * cosine_decayed + beta_t, name=scope)


def linear_cosine_decay(learning_rate: Any, global_step: Any, decay_steps: Any,
                        num_periods: Any = 0.5, alpha: Any = 0.0, beta: Any = 0.001,
                        name: str | None = None) -> Tensor:
    """Linear-cosine decay (Bello et al.): ``lr * ((alpha + linear) * cosine + beta)``."""
    return _linear_cosine_decay("linear_cosine_decay", "LinearCosineDecay", learning_rate,
                                global_step, decay_steps, num_periods, alpha, beta, name)


def noisy_linear_cosine_decay(learning_rate: Any, global_step: Any, decay_steps: Any,
                              initial_variance: Any = 1.0, variance_decay: Any = 0.55,
                              num_periods: Any = 0.5, alpha: Any = 0.0, beta: Any = 0.001,
                              name: str | None = None) -> Tensor:
    """Linear-cosine decay with Gaussian noise of decaying variance on the linear part."""
    return _linear_cosine_decay("noisy_linear_cosine_decay", "NoisyLinearCosineDecay",
                                learning_rate, global_step, decay_steps, num_periods, alpha,
                                beta, name, variance=(initial_variance, variance_decay))
