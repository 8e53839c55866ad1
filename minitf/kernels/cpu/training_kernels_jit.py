"""The numba-compiled part of :mod:`minitf.kernels.cpu.training_kernels` (imported by its kernel
factories on first use, so that registering the kernels does not import numba).

Every function updates flat (dense) or row-major 2-D (sparse) arrays in place in one pass over
memory. All scalars arrive already converted to the arrays' dtype, so float32 stays float32 and
each expression rounds as TF's Eigen expression does.

``error_model="numpy"``: numba's default ("python") checks every division for a zero divisor
and raises, which keeps LLVM from vectorizing the loops (5x slower here); IEEE semantics
(inf/NaN) are also what TF's kernels give.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["gradient_descent", "momentum", "momentum_nesterov", "adagrad", "rms_prop",
           "centered_rms_prop", "adadelta", "adam", "adam_nesterov", "sparse_momentum",
           "sparse_adagrad", "sparse_rms_prop", "sparse_centered_rms_prop", "sparse_adadelta"]

# ruff: noqa: ANN001, ANN201 - numba functions, typed by their call


@njit(cache=True, nogil=True, error_model="numpy")
def gradient_descent(var, alpha, delta):
    for i in range(var.size):
        var[i] -= delta[i] * alpha


@njit(cache=True, nogil=True, error_model="numpy")
def momentum(var, accum, lr, grad, mom):
    for i in range(var.size):
        a = accum[i] * mom + grad[i]
        accum[i] = a
        var[i] -= a * lr


@njit(cache=True, nogil=True, error_model="numpy")
def momentum_nesterov(var, accum, lr, grad, mom):
    for i in range(var.size):
        g = grad[i]
        a = accum[i] * mom + g
        accum[i] = a
        var[i] -= g * lr + a * mom * lr


@njit(cache=True, nogil=True, error_model="numpy")
def adagrad(var, accum, lr, grad, update_slots, one):
    for i in range(var.size):
        g = grad[i]
        a = accum[i]
        if update_slots:
            a = a + g * g
            accum[i] = a
        var[i] -= g * lr * (one / np.sqrt(a))


@njit(cache=True, nogil=True, error_model="numpy")
def rms_prop(var, ms, mom, lr, one_minus_rho, momentum_, epsilon, grad):
    for i in range(var.size):
        g = grad[i]
        s = ms[i]
        s = s + (g * g - s) * one_minus_rho
        ms[i] = s
        m = mom[i] * momentum_ + (g * lr) / np.sqrt(s + epsilon)
        mom[i] = m
        var[i] -= m


@njit(cache=True, nogil=True, error_model="numpy")
def centered_rms_prop(var, mg, ms, mom, lr, one_minus_rho, momentum_, epsilon, grad):
    for i in range(var.size):
        g = grad[i]
        s = ms[i]
        s = s + (g * g - s) * one_minus_rho
        ms[i] = s
        a = mg[i]
        a = a + (g - a) * one_minus_rho
        mg[i] = a
        denom = (s - a * a) + epsilon
        m = mom[i] * momentum_ + (g * lr) / np.sqrt(denom)
        mom[i] = m
        var[i] -= m


@njit(cache=True, nogil=True, error_model="numpy")
def adadelta(var, accum, accum_update, lr, rho, one_minus_rho, epsilon, grad, one):
    for i in range(var.size):
        g = grad[i]
        a = accum[i] * rho + g * g * one_minus_rho
        accum[i] = a
        u = accum_update[i]
        update = np.sqrt(u + epsilon) * (one / np.sqrt(a + epsilon)) * g
        var[i] -= update * lr
        accum_update[i] = u * rho + update * update * one_minus_rho


@njit(cache=True, nogil=True, error_model="numpy")
def adam(var, m, v, grad, alpha, one_minus_beta1, one_minus_beta2, epsilon):
    # all loads before the stores: ~15 % faster than storing m before loading v (same bits)
    for i in range(var.size):
        g = grad[i]
        a = m[i]
        b = v[i]
        a = a + (g - a) * one_minus_beta1
        b = b + (g * g - b) * one_minus_beta2
        m[i] = a
        v[i] = b
        var[i] = var[i] - (a * alpha) / (np.sqrt(b) + epsilon)


@njit(cache=True, nogil=True, error_model="numpy")
def adam_nesterov(var, m, v, grad, alpha, one_minus_beta1, one_minus_beta2, epsilon, beta1):
    for i in range(var.size):
        g = grad[i]
        a = m[i]
        b = v[i]
        a = a + (g - a) * one_minus_beta1
        b = b + (g * g - b) * one_minus_beta2
        m[i] = a
        v[i] = b
        var[i] = var[i] - ((g * one_minus_beta1 + beta1 * a) * alpha) / (np.sqrt(b) + epsilon)


# --- sparse: var/slots are (rows, inner), grad is (len(indices), inner) -----------------------

@njit(cache=True, nogil=True, error_model="numpy")
def sparse_momentum(var, accum, lr, grad, indices, mom, nesterov):
    for i in range(indices.shape[0]):
        k = indices[i]
        for j in range(var.shape[1]):
            g = grad[i, j]
            a = accum[k, j] * mom + g
            accum[k, j] = a
            if nesterov:
                var[k, j] -= lr * g + lr * mom * a
            else:
                var[k, j] -= lr * a


@njit(cache=True, nogil=True, error_model="numpy")
def sparse_adagrad(var, accum, lr, grad, indices, update_slots, one):
    for i in range(indices.shape[0]):
        k = indices[i]
        for j in range(var.shape[1]):
            g = grad[i, j]
            a = accum[k, j]
            if update_slots:
                a = a + g * g
                accum[k, j] = a
            var[k, j] -= lr * g * (one / np.sqrt(a))


@njit(cache=True, nogil=True, error_model="numpy")
def sparse_rms_prop(var, ms, mom, lr, rho, one_minus_rho, momentum_, epsilon, grad, indices,
                    one):
    for i in range(indices.shape[0]):
        k = indices[i]
        for j in range(var.shape[1]):
            g = grad[i, j]
            s = ms[k, j] * rho + g * g * one_minus_rho
            ms[k, j] = s
            m = mom[k, j] * momentum_ + (one / np.sqrt(s + epsilon)) * lr * g
            mom[k, j] = m
            var[k, j] -= m


@njit(cache=True, nogil=True, error_model="numpy")
def sparse_centered_rms_prop(var, mg, ms, mom, lr, rho, one_minus_rho, momentum_, epsilon,
                             grad, indices, one):
    for i in range(indices.shape[0]):
        k = indices[i]
        for j in range(var.shape[1]):
            g = grad[i, j]
            s = ms[k, j] * rho + g * g * one_minus_rho
            ms[k, j] = s
            a = mg[k, j] * rho + g * one_minus_rho
            mg[k, j] = a
            denom = s - a * a + epsilon
            m = mom[k, j] * momentum_ + lr * g * (one / np.sqrt(denom))
            mom[k, j] = m
            var[k, j] -= m


@njit(cache=True, nogil=True, error_model="numpy")
def sparse_adadelta(var, accum, accum_update, lr, rho, one_minus_rho, epsilon, grad, indices,
                    one):
    for i in range(indices.shape[0]):
        k = indices[i]
        for j in range(var.shape[1]):
            g = grad[i, j]
            a = accum[k, j] * rho + g * g * one_minus_rho
            accum[k, j] = a
            u = accum_update[k, j]
            update = np.sqrt(u + epsilon) * (one / np.sqrt(a + epsilon)) * g
            var[k, j] -= update * lr
            accum_update[k, j] = u * rho + update * update * one_minus_rho
