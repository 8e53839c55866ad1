"""Scalar math for generated numba kernels, written so that LLVM vectorizes loops calling it.

numba lowers ``math.exp`` & co. to scalar libm calls, which stop a loop from being vectorized
(``tanhf`` costs ~15 ns a value here; numpy's SIMD tanh 0.4 ns). The float32 functions below
are branch-free range reduction + polynomial (Cephes coefficients) in float32 arithmetic, within
1 ulp of the correctly rounded result and within 3 ulp of numpy's own SIMD functions. Each
reference formula that is more than one libm call (sigmoid, softplus ...) is spelled out with
the same float32 rounding steps as the numpy reference it stands for.

This module imports numba at module level: only generated kernel modules import it, never
``import minitf``. Edit it with care: numba's disk cache does not track it, so
:mod:`minitf.kernels.cpu.jit_cache` hashes this file into every cache key.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

f32 = np.float32
i32 = np.int32
_inline = {"inline": "always", "error_model": "numpy"}


@intrinsic
def _i32_as_f32(typingctx, x):  # type: ignore[no-untyped-def]
    if not isinstance(x, types.Integer):
        return None
    sig = types.float32(types.int32)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], ir.FloatType())

    return sig, codegen


@intrinsic
def _f32_as_i32(typingctx, x):  # type: ignore[no-untyped-def]
    if not isinstance(x, types.Float):
        return None
    sig = types.int32(types.float32)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], ir.IntType(32))

    return sig, codegen


@intrinsic
def _i64_as_f64(typingctx, x):  # type: ignore[no-untyped-def]
    if not isinstance(x, types.Integer):
        return None
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


# --- exp ------------------------------------------------------------------------------------------

@njit(**_inline)
def exp32(x):  # type: ignore[no-untyped-def]
    """exp for float32 (Cephes expf): |error| <= 1 ulp."""
    xc = min(max(x, f32(-104.0)), f32(89.0))
    kf = np.floor(xc * f32(1.44269504088896341) + f32(0.5))
    r = xc - kf * f32(0.693359375) - kf * f32(-2.12194440e-4)
    z = r * r
    p = ((((f32(1.9875691500e-4) * r + f32(1.3981999507e-3)) * r + f32(8.3334519073e-3)) * r
          + f32(4.1665795894e-2)) * r + f32(1.6666665459e-1)) * r + f32(5.0000001201e-1)
    p = p * z + r + f32(1.0)
    k = i32(kf)
    k1 = k >> i32(1)  # two factors: 2**k alone overflows/underflows float32's exponent
    s1 = _i32_as_f32((k1 + i32(127)) << i32(23))
    s2 = _i32_as_f32((k - k1 + i32(127)) << i32(23))
    res = p * s1 * s2
    return res if x == x else x


@njit(**_inline)
def exp64(x):  # type: ignore[no-untyped-def]
    """exp for float64: Cody-Waite reduction and a degree-13 Taylor polynomial (~1 ulp)."""
    xc = min(max(x, -746.0), 710.0)
    kf = np.floor(xc * 1.4426950408889634 + 0.5)
    r = xc - kf * 6.93147180369123816490e-01 - kf * 1.90821492927058770002e-10
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = (p * r) * r + r + 1.0
    k = np.int64(kf)
    k1 = k >> 1
    s1 = _i64_as_f64((k1 + 1023) << 52)
    s2 = _i64_as_f64((k - k1 + 1023) << 52)
    res = p * s1 * s2
    return res if x == x else x


# --- log ------------------------------------------------------------------------------------------

@njit(**_inline)
def log32(x):  # type: ignore[no-untyped-def]
    """log for float32 (Cephes logf): |error| <= 1 ulp; log(0) = -inf, log(<0) = nan."""
    tiny = x < f32(1.17549435e-38)
    xs = x * f32(33554432.0) if tiny else x  # subnormals: scale by 2**25 first
    bits = _f32_as_i32(xs)
    e = ((bits >> i32(23)) & i32(0xFF)) - i32(126) - (i32(25) if tiny else i32(0))
    m = _i32_as_f32((bits & i32(0x807FFFFF)) | i32(0x3F000000))  # in [0.5, 1)
    low = m < f32(0.707106781186547524)
    ef = f32(e - i32(1)) if low else f32(e)
    m = (m + m - f32(1.0)) if low else (m - f32(1.0))
    z = m * m
    y = ((((((((f32(7.0376836292e-2) * m - f32(1.1514610310e-1)) * m + f32(1.1676998740e-1)) * m
               - f32(1.2420140846e-1)) * m + f32(1.4249322787e-1)) * m
             - f32(1.6668057665e-1)) * m + f32(2.0000714765e-1)) * m
           - f32(2.4999993993e-1)) * m + f32(3.3333331174e-1)) * m * z
    y = y + f32(-2.12194440e-4) * ef
    y = y - f32(0.5) * z
    r = m + y
    r = r + f32(0.693359375) * ef
    r = r if x < f32(np.inf) else x
    r = r if x > f32(0.0) else (f32(-np.inf) if x == f32(0.0) else f32(np.nan))
    return r if x == x else x


# --- tanh, sigmoid --------------------------------------------------------------------------------

@njit(**_inline)
def tanh32(x):  # type: ignore[no-untyped-def]
    """tanh for float32 (Cephes tanhf): |error| <= 1 ulp; keeps the sign of zero."""
    a = abs(x)
    z = x * x
    small = ((((f32(-5.70498872745e-3) * z + f32(2.06390887954e-2)) * z
               - f32(5.37397155531e-2)) * z + f32(1.33314422036e-1)) * z
             - f32(3.33332819422e-1)) * z * x + x
    e = exp32(f32(2.0) * min(a, f32(10.0)))
    big = f32(1.0) - f32(2.0) / (e + f32(1.0))
    big = big if x > f32(0.0) else -big
    r = small if a < f32(0.625) else big
    return r if (x == x and x != f32(0.0)) else x  # nan, and zeros keep their sign


@njit(**_inline)
def sigmoid32(x):  # type: ignore[no-untyped-def]
    """The Sigmoid reference's steps, 1 / (1 + exp(-x)), each rounded to float32."""
    return f32(1.0) / (f32(1.0) + exp32(-x))


@njit(**_inline)
def sigmoid64(x):  # type: ignore[no-untyped-def]
    return 1.0 / (1.0 + exp64(-x))


@njit(**_inline)
def expm1_32(x):  # type: ignore[no-untyped-def]
    """expm1 for float32, in float64: a Taylor polynomial near 0, exp(x) - 1 elsewhere."""
    d = np.float64(x)
    small = d * (1.0 + d * (0.5 + d * (1.0 / 6.0 + d * (1.0 / 24.0 + d * (1.0 / 120.0)))))
    big = exp64(min(d, 100.0)) - 1.0
    return f32(small if abs(d) < 1e-2 else big)  # nan and +-inf come out right


@njit(**_inline)
def _log1p_01(t):  # type: ignore[no-untyped-def]
    """log1p for float64 t in [0, 1]: 2 atanh(t / (2 + t)), |error| < 1e-15 relative."""
    s = t / (2.0 + t)
    z = s * s
    p = 1.0 / 23.0
    p = p * z + 1.0 / 21.0
    p = p * z + 1.0 / 19.0
    p = p * z + 1.0 / 17.0
    p = p * z + 1.0 / 15.0
    p = p * z + 1.0 / 13.0
    p = p * z + 1.0 / 11.0
    p = p * z + 1.0 / 9.0
    p = p * z + 1.0 / 7.0
    p = p * z + 1.0 / 5.0
    p = p * z + 1.0 / 3.0
    return 2.0 * s + 2.0 * s * z * p


@njit(**_inline)
def softplus32(x):  # type: ignore[no-untyped-def]
    """log(1 + exp(x)) (numpy's logaddexp(0, x), the Softplus reference) for float32, as
    max(x, 0) + log1p(exp(-|x|)) in float64."""
    d = np.float64(x)
    r = max(d, 0.0) + _log1p_01(exp64(-abs(d)))
    return f32(r) if x == x else x


@njit(**_inline)
def softplus64(x):  # type: ignore[no-untyped-def]
    if x == 0.0:
        return 0.6931471805599453
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    if x < 0.0:
        return math.log1p(math.exp(x))
    return x
