"""Winograd F(2x2, r x r) convolution for Conv2D and its two gradients (float32, r = 3 or 5).

A 2x2 block of outputs of an r x r correlation is ``Y = AT [(G g GT) * (BT d BTT)] ATT`` with
d the (r + 1) x (r + 1) input tile, g the filter: 36 multiplies in place of 100 for r = 5 (16 in
place of 36 for r = 3). Over channels the elementwise product becomes one GEMM per "frequency"
a (36 or 16 of them): ``M[a] = V[a] @ U[a]`` with V[a, tile, c] the transformed input tiles and
U[a, c, k] the transformed filter. The matrices come from Toom-Cook with points 0, 1, -1, 2, -2,
inf (r = 5: the same 6-point input transform as F(4, 3)) and 0, 1, -1, inf (r = 3)::

    r = 5: AT = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 1]]
           G  = [[1/4, 0, 0, 0, 0], [-1/6] * 5, [-1/6, 1/6, -1/6, 1/6, -1/6],
                 [1/24, 1/12, 1/6, 1/3, 2/3], [1/24, -1/12, 1/6, -1/3, 2/3], [0, 0, 0, 0, 1]]
           BT = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
                 [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]
    r = 3: AT = [[1, 1, 1, 0], [0, 1, -1, -1]]
           G  = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]
           BT = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]

The three products (stride 1, dilation 1, any padding):

* forward: tiles of the input (padding read virtually: zeros outside the image, no padded copy)
  -> V, ``M[a] = V[a] @ U[a]``, ``Y = AT M ATT`` clipped at the output edge, with the bias
  (and Relu) of a fused Conv2D + BiasAdd applied there;
* input gradient: the forward of dy with the filter flipped in both spatial dims and its
  channels swapped, padding r - 1 - pad, output the input's size;
* filter gradient: ``dU[a] = sum over tiles of V[a]T @ Z[a]``, ``Z = ATT dy AT`` (2x2 -> tile),
  ``dw = GT dU G``.

Tiles go in chunks sized to stay in L2: transform a chunk (numba, channels innermost and
contiguous in NHWC, so the loops vectorize), one batched ``np.matmul`` over the frequencies
(BLAS, GIL released), transform back. Chunks run as tasks of the intra-op pool; which tiles a
task covers depends only on the shapes and the thread count, and the filter gradient's partial
sums are added in task order, so results do not depend on thread timing.

Error: float32 F(2, 5) rounds more than a direct sum (the transforms scale values by up to 5
and the filter transform divides by 6 and 24; the rounding of V and Z, not the GEMMs' sums,
dominates). Against a float64 convolution the largest error is ~4-6e-6 of the largest |output|
for the forward and the input gradient, ~1e-5 for the filter gradient (im2col float32: 3-7e-7);
F(2, 3) is as accurate as im2col. Figures in docs/notes/performance.md.

``MINITF_WINOGRAD=0`` (read on every call) turns it off: every convolution then takes the im2col
path of :mod:`nn_conv_jit`.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numba import njit

from minitf.kernels.cpu.buffers import OutputBuffer
from minitf.kernels.cpu.nn_conv_jit import _run, _scratch
from minitf.kernels.cpu.parallel import default_threads
from minitf.ops.nn_conv_utils import Window2D

__all__ = ["applies", "enabled", "conv2d", "conv2d_backprop_input", "conv2d_backprop_filter",
           "transform_matrices", "calls"]

_opts = {"cache": True, "nogil": True, "error_model": "numpy"}

MIN_CHANNELS = 16        # in and out channels below this: the GEMMs are too thin to pay
MIN_FLOPS = 2e6          # direct-convolution flops below this: im2col (transforms cost more)
_CHUNK_BYTES = 1 << 20   # V and M of one chunk (float32): L2, with U beside them
_FILTER_CHUNK_BYTES = 1 << 22  # V and Z of one filter-gradient chunk (longer GEMM sums pay)
_MIN_CHUNK_TILES = 16
_MAX_CHUNK_TILES = 1024
_PARALLEL_MIN_FLOPS = 4e6
_FILTER_TASKS_PER_THREAD = 2

# how many times each product took this path (tests read it)
calls = {"forward": 0, "input": 0, "filter": 0}

_F0 = np.float32(0)
_F2 = np.float32(2)
_F4 = np.float32(4)
_F5 = np.float32(5)


def enabled() -> bool:
    """False when ``MINITF_WINOGRAD=0``."""
    return os.environ.get("MINITF_WINOGRAD", "1") != "0"


def applies(dtype: Any, x_shape: tuple[int, ...], w_shape: tuple[int, ...],
            win: Window2D) -> bool:
    """Whether a convolution (NHWC input shape, filter shape [r, r, in, out]) takes the
    Winograd path: float32, square 3x3 or 5x5 filter, stride 1, dilation 1, at least
    MIN_CHANNELS in and out channels, at least MIN_FLOPS of direct work, not turned off."""
    kh, kw, c, k = (int(v) for v in w_shape)
    if np.dtype(dtype) != np.float32 or kh != kw or kh not in (3, 5) or \
            win.stride_h != 1 or win.stride_w != 1 or win.dil_h != 1 or win.dil_w != 1 or \
            c < MIN_CHANNELS or k < MIN_CHANNELS:
        return False
    flops = 2.0 * int(x_shape[0]) * win.out_h * win.out_w * kh * kw * c * k
    return flops >= MIN_FLOPS and enabled()


def transform_matrices(r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(AT, G, BT) of F(2, r) in float64 (the hand-written transforms below implement these)."""
    if r == 3:
        at = [[1, 1, 1, 0], [0, 1, -1, -1]]
        g = [[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]]
        bt = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    elif r == 5:
        at = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 1]]
        g = [[1 / 4, 0, 0, 0, 0], [-1 / 6] * 5, [-1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6],
             [1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3], [1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3],
             [0, 0, 0, 0, 1]]
        bt = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
              [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]
    else:
        raise ValueError(f"no Winograd transform for r={r}")
    return np.array(at, np.float64), np.array(g, np.float64), np.array(bt, np.float64)


# --- 1-D transforms (numba inlines them; the 2-D ones apply them to columns, then rows) --------

@njit(**_opts)
def _bt6(d0, d1, d2, d3, d4, d5):  # noqa: ANN001, ANN202
    """BT (6x6) of F(2, 5) times a 6-vector."""
    t1 = d4 - _F4 * d2
    t2 = d3 - _F4 * d1
    t3 = d4 - d2
    t4 = _F2 * (d3 - d1)
    return (_F4 * d0 - _F5 * d2 + d4, t1 + t2, t1 - t2, t3 + t4, t3 - t4,
            _F4 * d1 - _F5 * d3 + d5)


@njit(**_opts)
def _bt4(d0, d1, d2, d3):  # noqa: ANN001, ANN202
    """BT (4x4) of F(2, 3) times a 4-vector."""
    return d0 - d2, d1 + d2, d2 - d1, d1 - d3


@njit(**_opts)
def _at6(m0, m1, m2, m3, m4, m5):  # noqa: ANN001, ANN202
    """AT (2x6) of F(2, 5) times a 6-vector."""
    return m0 + (m1 + m2) + (m3 + m4), (m1 - m2) + _F2 * (m3 - m4) + m5


@njit(**_opts)
def _at4(m0, m1, m2, m3):  # noqa: ANN001, ANN202
    """AT (2x4) of F(2, 3) times a 4-vector."""
    return m0 + m1 + m2, m1 - m2 - m3


@njit(**_opts)
def _a6(y0, y1):  # noqa: ANN001, ANN202
    """ATT (6x2) of F(2, 5) times a 2-vector."""
    t = _F2 * y1
    return y0, y0 + y1, y0 - y1, y0 + t, y0 - t, y1


@njit(**_opts)
def _a4(y0, y1):  # noqa: ANN001, ANN202
    """ATT (4x2) of F(2, 3) times a 2-vector."""
    return y0, y0 + y1, y0 - y1, -y1


@njit(**_opts)
def _g5(g0, g1, g2, g3, g4):  # noqa: ANN001, ANN202
    """G (6x5) of F(2, 5) times a 5-vector (float64)."""
    g0, g1, g2, g3, g4 = (np.float64(g0), np.float64(g1), np.float64(g2), np.float64(g3),
                          np.float64(g4))
    e = g0 + g2 + g4
    o = g1 + g3
    e2 = g0 / 24.0 + g2 / 6.0 + g4 * (2.0 / 3.0)
    o2 = g1 / 12.0 + g3 / 3.0
    return g0 / 4.0, -(e + o) / 6.0, (o - e) / 6.0, e2 + o2, e2 - o2, g4


@njit(**_opts)
def _g3(g0, g1, g2):  # noqa: ANN001, ANN202
    """G (4x3) of F(2, 3) times a 3-vector (float64)."""
    g0, g1, g2 = np.float64(g0), np.float64(g1), np.float64(g2)
    e = 0.5 * (g0 + g2)
    o = 0.5 * g1
    return g0, e + o, e - o, g2


@njit(**_opts)
def _gt6(m0, m1, m2, m3, m4, m5):  # noqa: ANN001, ANN202
    """GT (5x6) of F(2, 5) times a 6-vector (float64)."""
    s12 = m1 + m2
    d12 = m2 - m1
    s34 = m3 + m4
    d34 = m3 - m4
    return (m0 / 4.0 - s12 / 6.0 + s34 / 24.0, d12 / 6.0 + d34 / 12.0, (s34 - s12) / 6.0,
            d12 / 6.0 + d34 / 3.0, s34 * (2.0 / 3.0) - s12 / 6.0 + m5)


@njit(**_opts)
def _gt4(m0, m1, m2, m3):  # noqa: ANN001, ANN202
    """GT (3x4) of F(2, 3) times a 4-vector (float64)."""
    s = 0.5 * (m1 + m2)
    return m0 + s, 0.5 * (m1 - m2), s + m3


# --- blocks of _B channels ------------------------------------------------------------------------
#
# The transforms work on blocks of _B channels of one tile, held in small flat buffers whose
# rows are _B apart. With constant offsets LLVM vectorizes the channel loop; straight from the
# rows of an image (or of V), 36 rows at run-time distances, it does not (too many possible
# overlaps to check at run time: conv2's input transforms took 3.3 ms scalar, 0.85 ms so).
# Blocks move in and out with 16 loads, then 16 stores: the SLP vectorizer makes them one
# vector load and store, no overlap check (numba's IR inlining, ``inline="always"``, defeats
# that: 1.5 ms). Every channel count is >= _B: a last partial block is the last _B channels,
# overlapping the block before it and recomputed to the same values. Offsets are unsigned (no
# wrap-around checks).

_B = 16
_U1 = np.uint64(1)
_U2 = np.uint64(2)
_U3 = np.uint64(3)
_U4 = np.uint64(4)
_U5 = np.uint64(5)
_U6 = np.uint64(6)
_U7 = np.uint64(7)
_U8 = np.uint64(8)
_U9 = np.uint64(9)
_U10 = np.uint64(10)
_U11 = np.uint64(11)
_U12 = np.uint64(12)
_U13 = np.uint64(13)
_U14 = np.uint64(14)
_U15 = np.uint64(15)


@njit(**_opts)
def _copy16(src, so, dst, do):  # noqa: ANN001, ANN202
    """dst[do:do + 16] = src[so:so + 16]."""
    (a0, a1, a2, a3, a4, a5, a6, a7,
     a8, a9, a10, a11, a12, a13, a14, a15) = (
        src[so], src[so + _U1], src[so + _U2], src[so + _U3],
        src[so + _U4], src[so + _U5], src[so + _U6], src[so + _U7],
        src[so + _U8], src[so + _U9], src[so + _U10], src[so + _U11],
        src[so + _U12], src[so + _U13], src[so + _U14], src[so + _U15])
    dst[do] = a0
    dst[do + _U1] = a1
    dst[do + _U2] = a2
    dst[do + _U3] = a3
    dst[do + _U4] = a4
    dst[do + _U5] = a5
    dst[do + _U6] = a6
    dst[do + _U7] = a7
    dst[do + _U8] = a8
    dst[do + _U9] = a9
    dst[do + _U10] = a10
    dst[do + _U11] = a11
    dst[do + _U12] = a12
    dst[do + _U13] = a13
    dst[do + _U14] = a14
    dst[do + _U15] = a15


@njit(**_opts)
def _zero(dst, do):  # noqa: ANN001, ANN202
    for i in range(np.uint64(_B)):
        dst[do + i] = 0


@njit(**_opts)
def _blk_in6(d, o):  # noqa: ANN001, ANN202
    """o = BT d BTT for a block of 6x6 tiles (row (i, j) of d and (a, b) of o at (6i+j) * _B)."""
    for k in range(_B):
        c0 = _bt6(d[k], d[6 * _B + k], d[12 * _B + k], d[18 * _B + k], d[24 * _B + k],
                  d[30 * _B + k])
        c1 = _bt6(d[_B + k], d[7 * _B + k], d[13 * _B + k], d[19 * _B + k], d[25 * _B + k],
                  d[31 * _B + k])
        c2 = _bt6(d[2 * _B + k], d[8 * _B + k], d[14 * _B + k], d[20 * _B + k],
                  d[26 * _B + k], d[32 * _B + k])
        c3 = _bt6(d[3 * _B + k], d[9 * _B + k], d[15 * _B + k], d[21 * _B + k],
                  d[27 * _B + k], d[33 * _B + k])
        c4 = _bt6(d[4 * _B + k], d[10 * _B + k], d[16 * _B + k], d[22 * _B + k],
                  d[28 * _B + k], d[34 * _B + k])
        c5 = _bt6(d[5 * _B + k], d[11 * _B + k], d[17 * _B + k], d[23 * _B + k],
                  d[29 * _B + k], d[35 * _B + k])
        for i in range(6):
            q = _bt6(c0[i], c1[i], c2[i], c3[i], c4[i], c5[i])
            for j in range(6):
                o[(6 * i + j) * _B + k] = q[j]


@njit(**_opts)
def _blk_in4(d, o):  # noqa: ANN001, ANN202
    """o = BT d BTT for a block of 4x4 tiles."""
    for k in range(_B):
        c0 = _bt4(d[k], d[4 * _B + k], d[8 * _B + k], d[12 * _B + k])
        c1 = _bt4(d[_B + k], d[5 * _B + k], d[9 * _B + k], d[13 * _B + k])
        c2 = _bt4(d[2 * _B + k], d[6 * _B + k], d[10 * _B + k], d[14 * _B + k])
        c3 = _bt4(d[3 * _B + k], d[7 * _B + k], d[11 * _B + k], d[15 * _B + k])
        for i in range(4):
            q = _bt4(c0[i], c1[i], c2[i], c3[i])
            for j in range(4):
                o[(4 * i + j) * _B + k] = q[j]


@njit(**_opts)
def _relu(v):  # noqa: ANN001, ANN202
    """Relu as the Relu kernel (NaN stays NaN, -0.0 stays)."""
    return v if (v >= 0 or v != v) else _F0


@njit(**_opts)
def _blk_out6(m, y):  # noqa: ANN001, ANN202
    """y (rows 00, 01, 10, 11) = AT m ATT for a block of 6x6 tiles."""
    for k in range(_B):
        s0 = _at6(m[k], m[6 * _B + k], m[12 * _B + k], m[18 * _B + k], m[24 * _B + k],
                  m[30 * _B + k])
        s1 = _at6(m[_B + k], m[7 * _B + k], m[13 * _B + k], m[19 * _B + k], m[25 * _B + k],
                  m[31 * _B + k])
        s2 = _at6(m[2 * _B + k], m[8 * _B + k], m[14 * _B + k], m[20 * _B + k],
                  m[26 * _B + k], m[32 * _B + k])
        s3 = _at6(m[3 * _B + k], m[9 * _B + k], m[15 * _B + k], m[21 * _B + k],
                  m[27 * _B + k], m[33 * _B + k])
        s4 = _at6(m[4 * _B + k], m[10 * _B + k], m[16 * _B + k], m[22 * _B + k],
                  m[28 * _B + k], m[34 * _B + k])
        s5 = _at6(m[5 * _B + k], m[11 * _B + k], m[17 * _B + k], m[23 * _B + k],
                  m[29 * _B + k], m[35 * _B + k])
        y00, y01 = _at6(s0[0], s1[0], s2[0], s3[0], s4[0], s5[0])
        y10, y11 = _at6(s0[1], s1[1], s2[1], s3[1], s4[1], s5[1])
        y[k] = y00
        y[_B + k] = y01
        y[2 * _B + k] = y10
        y[3 * _B + k] = y11


@njit(**_opts)
def _blk_out4(m, y):  # noqa: ANN001, ANN202
    """y (rows 00, 01, 10, 11) = AT m ATT for a block of 4x4 tiles."""
    for k in range(_B):
        s0 = _at4(m[k], m[4 * _B + k], m[8 * _B + k], m[12 * _B + k])
        s1 = _at4(m[_B + k], m[5 * _B + k], m[9 * _B + k], m[13 * _B + k])
        s2 = _at4(m[2 * _B + k], m[6 * _B + k], m[10 * _B + k], m[14 * _B + k])
        s3 = _at4(m[3 * _B + k], m[7 * _B + k], m[11 * _B + k], m[15 * _B + k])
        y00, y01 = _at4(s0[0], s1[0], s2[0], s3[0])
        y10, y11 = _at4(s0[1], s1[1], s2[1], s3[1])
        y[k] = y00
        y[_B + k] = y01
        y[2 * _B + k] = y10
        y[3 * _B + k] = y11


@njit(**_opts)
def _epilogue(y, bias, boff, has_bias, relu):  # noqa: ANN001, ANN202
    """y[i, :] += bias[boff:boff + _B] (when has_bias), then relu (when relu)."""
    for i in range(4):
        for k in range(_B):
            v = y[i * _B + k]
            if has_bias:
                v += bias[boff + k]
            if relu:
                v = _relu(v)
            y[i * _B + k] = v


@njit(**_opts)
def _blk_dy6(d, o):  # noqa: ANN001, ANN202
    """o = ATT d AT for a block of 2x2 blocks of dy (rows 00, 01, 10, 11) -> 6x6."""
    for k in range(_B):
        c0 = _a6(d[k], d[2 * _B + k])
        c1 = _a6(d[_B + k], d[3 * _B + k])
        for i in range(6):
            q = _a6(c0[i], c1[i])
            for j in range(6):
                o[(6 * i + j) * _B + k] = q[j]


@njit(**_opts)
def _blk_dy4(d, o):  # noqa: ANN001, ANN202
    """o = ATT d AT for a block of 2x2 blocks of dy -> 4x4."""
    for k in range(_B):
        c0 = _a4(d[k], d[2 * _B + k])
        c1 = _a4(d[_B + k], d[3 * _B + k])
        for i in range(4):
            q = _a4(c0[i], c1[i])
            for j in range(4):
                o[(4 * i + j) * _B + k] = q[j]


@njit(**_opts)
def _blk_g5(g, o):  # noqa: ANN001, ANN202
    """o = G g GT for a block of 5x5 filters (float64 arithmetic)."""
    for k in range(_B):
        c0 = _g5(g[k], g[5 * _B + k], g[10 * _B + k], g[15 * _B + k], g[20 * _B + k])
        c1 = _g5(g[_B + k], g[6 * _B + k], g[11 * _B + k], g[16 * _B + k], g[21 * _B + k])
        c2 = _g5(g[2 * _B + k], g[7 * _B + k], g[12 * _B + k], g[17 * _B + k], g[22 * _B + k])
        c3 = _g5(g[3 * _B + k], g[8 * _B + k], g[13 * _B + k], g[18 * _B + k], g[23 * _B + k])
        c4 = _g5(g[4 * _B + k], g[9 * _B + k], g[14 * _B + k], g[19 * _B + k], g[24 * _B + k])
        for i in range(6):
            q = _g5(c0[i], c1[i], c2[i], c3[i], c4[i])
            for j in range(6):
                o[(6 * i + j) * _B + k] = q[j]


@njit(**_opts)
def _blk_g3(g, o):  # noqa: ANN001, ANN202
    """o = G g GT for a block of 3x3 filters (float64 arithmetic)."""
    for k in range(_B):
        c0 = _g3(g[k], g[3 * _B + k], g[6 * _B + k])
        c1 = _g3(g[_B + k], g[4 * _B + k], g[7 * _B + k])
        c2 = _g3(g[2 * _B + k], g[5 * _B + k], g[8 * _B + k])
        for i in range(4):
            q = _g3(c0[i], c1[i], c2[i])
            for j in range(4):
                o[(4 * i + j) * _B + k] = q[j]


@njit(**_opts)
def _blk_gt6(m, o):  # noqa: ANN001, ANN202
    """o = GT m G for a block of 6x6 filter gradients -> 5x5 (float64 arithmetic)."""
    for k in range(_B):
        h0 = _gt6(m[k], m[6 * _B + k], m[12 * _B + k], m[18 * _B + k], m[24 * _B + k],
                  m[30 * _B + k])
        h1 = _gt6(m[_B + k], m[7 * _B + k], m[13 * _B + k], m[19 * _B + k], m[25 * _B + k],
                  m[31 * _B + k])
        h2 = _gt6(m[2 * _B + k], m[8 * _B + k], m[14 * _B + k], m[20 * _B + k],
                  m[26 * _B + k], m[32 * _B + k])
        h3 = _gt6(m[3 * _B + k], m[9 * _B + k], m[15 * _B + k], m[21 * _B + k],
                  m[27 * _B + k], m[33 * _B + k])
        h4 = _gt6(m[4 * _B + k], m[10 * _B + k], m[16 * _B + k], m[22 * _B + k],
                  m[28 * _B + k], m[34 * _B + k])
        h5 = _gt6(m[5 * _B + k], m[11 * _B + k], m[17 * _B + k], m[23 * _B + k],
                  m[29 * _B + k], m[35 * _B + k])
        for i in range(5):
            q = _gt6(h0[i], h1[i], h2[i], h3[i], h4[i], h5[i])
            for j in range(5):
                o[(5 * i + j) * _B + k] = q[j]


@njit(**_opts)
def _blk_gt4(m, o):  # noqa: ANN001, ANN202
    """o = GT m G for a block of 4x4 filter gradients -> 3x3 (float64 arithmetic)."""
    for k in range(_B):
        h0 = _gt4(m[k], m[4 * _B + k], m[8 * _B + k], m[12 * _B + k])
        h1 = _gt4(m[_B + k], m[5 * _B + k], m[9 * _B + k], m[13 * _B + k])
        h2 = _gt4(m[2 * _B + k], m[6 * _B + k], m[10 * _B + k], m[14 * _B + k])
        h3 = _gt4(m[3 * _B + k], m[7 * _B + k], m[11 * _B + k], m[15 * _B + k])
        for i in range(3):
            q = _gt4(h0[i], h1[i], h2[i], h3[i])
            for j in range(3):
                o[(3 * i + j) * _B + k] = q[j]


# --- chunks of tiles ------------------------------------------------------------------------------
#
# Arrays are flat: x and dy [N*h*w*c] (NHWC), V / M / Z [freqs, tiles of the chunk, channels].
# Tiles are numbered t = (n * th + ti) * tw + tj over the images and the th x tw grid of 2x2
# output blocks; a chunk is tiles t0..t1, at rows t - t0 of its V / M / Z.

@njit(**_opts)
def _input_chunk(x, h, w, c, s, t0, t1, th, tw, pt, pl, v):  # noqa: ANN001, ANN202
    """v = BT d BTT of the s x s input tiles d of tiles t0..t1 (pixels outside the image are
    zeros)."""
    m = t1 - t0
    d = np.empty(s * s * _B, np.float32)
    o = np.empty(s * s * _B, np.float32)
    for t in range(t0, t1):
        n = t // (th * tw)
        q = t - n * th * tw
        ti = q // tw
        y0 = 2 * ti - pt
        x0 = 2 * (q - ti * tw) - pl
        for bi in range((c + _B - 1) // _B):
            kb = min(bi * _B, c - _B)  # the last block overlaps the one before
            for i in range(s):
                yy = y0 + i
                for j in range(s):
                    xx = x0 + j
                    do = np.uint64((i * s + j) * _B)
                    if 0 <= yy < h and 0 <= xx < w:
                        _copy16(x, np.uint64(((n * h + yy) * w + xx) * c + kb), d, do)
                    else:
                        _zero(d, do)
            if s == 6:
                _blk_in6(d, o)
            else:
                _blk_in4(d, o)
            for a in range(s * s):
                _copy16(o, np.uint64(a * _B), v, np.uint64((a * m + t - t0) * c + kb))


@njit(**_opts)
def _output_chunk(mm, s, k, t0, t1, th, tw, oh, ow, bias, relu, out):  # noqa: ANN001, ANN202
    """out = AT M ATT of tiles t0..t1 (+ bias when not empty, relu), clipped at the output
    edge (out: [N*oh*ow*k])."""
    m = t1 - t0
    mb = np.empty(s * s * _B, np.float32)
    y = np.empty(4 * _B, np.float32)
    has_bias = bias.shape[0] > 0
    for t in range(t0, t1):
        n = t // (th * tw)
        q = t - n * th * tw
        ti = q // tw
        oy, ox = 2 * ti, 2 * (q - ti * tw)
        q00 = (n * oh + oy) * ow + ox
        for bi in range((k + _B - 1) // _B):
            kb = min(bi * _B, k - _B)  # the last block overlaps the one before
            for a in range(s * s):
                _copy16(mm, np.uint64((a * m + t - t0) * k + kb), mb, np.uint64(a * _B))
            if s == 6:
                _blk_out6(mb, y)
            else:
                _blk_out4(mb, y)
            if has_bias or relu:
                _epilogue(y, bias, kb, has_bias, relu)
            _copy16(y, np.uint64(0), out, np.uint64(q00 * k + kb))
            if ox + 1 < ow:
                _copy16(y, np.uint64(_B), out, np.uint64((q00 + 1) * k + kb))
            if oy + 1 < oh:
                _copy16(y, np.uint64(2 * _B), out, np.uint64((q00 + ow) * k + kb))
                if ox + 1 < ow:
                    _copy16(y, np.uint64(3 * _B), out, np.uint64((q00 + ow + 1) * k + kb))


@njit(**_opts)
def _dy_chunk(dy, s, k, t0, t1, th, tw, oh, ow, z):  # noqa: ANN001, ANN202
    """z = ATT dy AT of the 2x2 blocks of dy of tiles t0..t1 (zeros beyond the edge)."""
    m = t1 - t0
    d = np.empty(4 * _B, np.float32)
    o = np.empty(s * s * _B, np.float32)
    for t in range(t0, t1):
        n = t // (th * tw)
        q = t - n * th * tw
        ti = q // tw
        oy, ox = 2 * ti, 2 * (q - ti * tw)
        q00 = (n * oh + oy) * ow + ox
        right, down = ox + 1 < ow, oy + 1 < oh
        for bi in range((k + _B - 1) // _B):
            kb = min(bi * _B, k - _B)  # the last block overlaps the one before
            _copy16(dy, np.uint64(q00 * k + kb), d, np.uint64(0))
            if right:
                _copy16(dy, np.uint64((q00 + 1) * k + kb), d, np.uint64(_B))
            else:
                _zero(d, np.uint64(_B))
            if down:
                _copy16(dy, np.uint64((q00 + ow) * k + kb), d, np.uint64(2 * _B))
            else:
                _zero(d, np.uint64(2 * _B))
            if right and down:
                _copy16(dy, np.uint64((q00 + ow + 1) * k + kb), d, np.uint64(3 * _B))
            else:
                _zero(d, np.uint64(3 * _B))
            if s == 6:
                _blk_dy6(d, o)
            else:
                _blk_dy4(d, o)
            for a in range(s * s):
                _copy16(o, np.uint64(a * _B), z, np.uint64((a * m + t - t0) * k + kb))


# --- filter transforms (float64 arithmetic, once per call) ---------------------------------------

@njit(**_opts)
def _filter_in(w, r, c, k, u):  # noqa: ANN001, ANN202
    """u[a, ci, ki] = (G w[:, :, ci, ki] GT)[a] (w: [r, r, c, k], u: [(r+1)^2, c, k], flat)."""
    s = r + 1
    g = np.empty(r * r * _B, np.float32)
    o = np.empty(s * s * _B, np.float32)
    for ci in range(c):
        for bi in range((k + _B - 1) // _B):
            kb = min(bi * _B, k - _B)  # the last block overlaps the one before
            for ij in range(r * r):
                _copy16(w, np.uint64((ij * c + ci) * k + kb), g, np.uint64(ij * _B))
            if r == 5:
                _blk_g5(g, o)
            else:
                _blk_g3(g, o)
            for a in range(s * s):
                _copy16(o, np.uint64(a * _B), u, np.uint64((a * c + ci) * k + kb))


@njit(**_opts)
def _filter_out(du, r, c, k, dw):  # noqa: ANN001, ANN202
    """dw[:, :, ci, ki] = GT du[:, ci, ki] G (du: [(r+1)^2, c, k], dw: [r, r, c, k], flat)."""
    s = r + 1
    mb = np.empty(s * s * _B, np.float32)
    o = np.empty(r * r * _B, np.float32)
    for ci in range(c):
        for bi in range((k + _B - 1) // _B):
            kb = min(bi * _B, k - _B)  # the last block overlaps the one before
            for a in range(s * s):
                _copy16(du, np.uint64((a * c + ci) * k + kb), mb, np.uint64(a * _B))
            if r == 5:
                _blk_gt6(mb, o)
            else:
                _blk_gt4(mb, o)
            for ij in range(r * r):
                _copy16(o, np.uint64(ij * _B), dw, np.uint64((ij * c + ci) * k + kb))


# --- drivers: chunks of tiles over the intra-op pool ----------------------------------------------

def _grid(oh: int, ow: int) -> tuple[int, int]:
    """Tiles of 2x2 outputs along each dimension."""
    return (oh + 1) // 2, (ow + 1) // 2


def _chunk_tiles(freqs: int, c: int, k: int, budget: int) -> int:
    """Tiles of one chunk: its V and M (or V and Z) in about ``budget`` bytes."""
    per = budget // (4 * freqs * (c + k))
    return max(_MIN_CHUNK_TILES, min(_MAX_CHUNK_TILES, per))


def _spans(tiles: int, per: int, flops: float, threads: int,
           max_tasks: int | None = None) -> list[tuple[int, int]]:
    """Tile ranges of the tasks: chunks of at most ``per`` tiles; on the pool a multiple of the
    thread count (at least 2 per thread), sizes within one tile of each other."""
    count = -(-tiles // per)
    if threads > 1 and flops >= _PARALLEL_MIN_FLOPS and tiles > 1:
        count = max(count, 2 * threads)
        count = -(-count // threads) * threads
    if max_tasks is not None:
        count = min(count, max_tasks)
    count = max(1, min(count, tiles))
    q, r = divmod(tiles, count)
    edges = [i * q + min(i, r) for i in range(count + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _check(c: int, k: int) -> None:
    if c < _B or k < _B:  # the channel blocks would read and write out of bounds
        raise ValueError(f"Winograd convolution needs >= {_B} channels, got {c} -> {k}")


def _filter(w: np.ndarray) -> np.ndarray:
    """U = G w GT for every (in, out) channel pair: [(r+1)^2, C, K] float32."""
    r, _, c, k = w.shape
    _check(c, k)
    u = np.empty(((r + 1) ** 2, c, k), np.float32)
    _filter_in(np.ascontiguousarray(w).reshape(-1), r, c, k, u.reshape(-1))
    return u


def _forward(x: np.ndarray, u: np.ndarray, r: int, pt: int, pl: int, out: np.ndarray,
             threads: int, bias: np.ndarray, relu: bool) -> None:
    """out = the correlation of x with the r x r filter whose transform is u (padding pt / pl
    at the top / left, may be negative; the output's size taken from ``out``)."""
    n, h, w, c = x.shape
    k = u.shape[2]
    s = r + 1
    freqs = s * s
    oh, ow = out.shape[1], out.shape[2]
    th, tw = _grid(oh, ow)
    x1 = x.reshape(-1)
    out1 = out.reshape(-1)
    spans = _spans(n * th * tw, _chunk_tiles(freqs, c, k, _CHUNK_BYTES),
                   2.0 * n * oh * ow * c * k * r * r, threads)

    def job(_: int, t0: int, t1: int) -> None:
        m = t1 - t0
        v = _scratch(freqs * m, c, np.float32, 2).reshape(freqs, m, c)
        prod = _scratch(freqs * m, k, np.float32, 3).reshape(freqs, m, k)
        _input_chunk(x1, h, w, c, s, t0, t1, th, tw, pt, pl, v.reshape(-1))
        np.matmul(v, u, out=prod)
        _output_chunk(prod.reshape(-1), s, k, t0, t1, th, tw, oh, ow, bias, relu, out1)

    _run(spans, job, threads)


_NO_BIAS = np.zeros(0, np.float32)


def conv2d(x: np.ndarray, w: np.ndarray, win: Window2D, threads: int | None = None,
           bias: np.ndarray | None = None, relu: bool = False,
           buffer: OutputBuffer | None = None) -> np.ndarray:
    """Conv2D forward (NHWC float32, a window :func:`applies` accepts); with ``bias`` (and
    ``relu``) the BiasAdd (and Relu) that follow."""
    threads = default_threads() if threads is None else threads
    n = x.shape[0]
    k = w.shape[3]
    shape = (n, win.out_h, win.out_w, k)
    out = buffer.keep(buffer.empty(shape, np.float32)) if buffer is not None else \
        np.empty(shape, np.float32)
    calls["forward"] += 1
    b = _NO_BIAS if bias is None else np.ascontiguousarray(bias, np.float32)
    if not out.size:
        return out
    _forward(np.ascontiguousarray(x), _filter(w), win.k_h, win.pad_top, win.pad_left, out,
             threads, b, relu)
    return out


def conv2d_backprop_input(shape: tuple[int, int, int, int], w: np.ndarray, dy: np.ndarray,
                          win: Window2D, threads: int | None = None,
                          buffer: OutputBuffer | None = None) -> np.ndarray:
    """Conv2DBackpropInput: the forward of dy with the filter flipped in both spatial dims and
    its in / out channels swapped, padding r - 1 - pad."""
    threads = default_threads() if threads is None else threads
    r = w.shape[0]
    dx = buffer.keep(buffer.empty(tuple(shape), np.float32)) if buffer is not None else \
        np.empty(shape, np.float32)
    calls["input"] += 1
    if not dx.size:
        return dx
    wf = w[::-1, ::-1].transpose(0, 1, 3, 2)
    _forward(np.ascontiguousarray(dy), _filter(wf), r, r - 1 - win.pad_top,
             r - 1 - win.pad_left, dx, threads, _NO_BIAS, False)
    return dx


def conv2d_backprop_filter(x: np.ndarray, dy: np.ndarray, win: Window2D,
                           threads: int | None = None) -> np.ndarray:
    """Conv2DBackpropFilter: dU[a] = sum over tiles of V[a]T @ Z[a] (per-task partial sums
    added in task order), dw = GT dU G."""
    threads = default_threads() if threads is None else threads
    n, h, w, c = x.shape
    k = dy.shape[3]
    r = win.k_h
    freqs = (r + 1) ** 2
    _check(c, k)
    calls["filter"] += 1
    oh, ow = win.out_h, win.out_w
    th, tw = _grid(oh, ow)
    x1 = np.ascontiguousarray(x).reshape(-1)
    dy1 = np.ascontiguousarray(dy).reshape(-1)
    per = _chunk_tiles(freqs, c, k, _FILTER_CHUNK_BYTES)
    flops = 2.0 * n * oh * ow * c * k * r * r
    spans = _spans(n * th * tw, per, flops, threads,
                   max_tasks=max(1, _FILTER_TASKS_PER_THREAD * threads))
    parts: list[Any] = [None] * len(spans)
    pt, pl = win.pad_top, win.pad_left

    def job(i: int, t0: int, t1: int) -> None:
        acc = None
        for a in range(t0, t1, per):
            b = min(t1, a + per)
            m = b - a
            v = _scratch(freqs * m, c, np.float32, 2).reshape(freqs, m, c)
            z = _scratch(freqs * m, k, np.float32, 3).reshape(freqs, m, k)
            _input_chunk(x1, h, w, c, r + 1, a, b, th, tw, pt, pl, v.reshape(-1))
            _dy_chunk(dy1, r + 1, k, a, b, th, tw, oh, ow, z.reshape(-1))
            if acc is None:
                acc = np.matmul(v.transpose(0, 2, 1), z)
            else:
                tmp = _scratch(freqs * c, k, np.float32, 4).reshape(freqs, c, k)
                np.matmul(v.transpose(0, 2, 1), z, out=tmp)
                acc += tmp
        parts[i] = acc

    _run(spans, job, threads)
    du = parts[0]
    for p in parts[1:]:
        du += p
    dw = np.empty((r, r, c, k), np.float32)
    _filter_out(du.reshape(-1), r, c, k, dw.reshape(-1))
    return dw
