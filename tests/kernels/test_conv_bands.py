"""Row-banded convolution products (``nn_conv_jit._row_bands``, Conv2D and its input gradient):
output rows whose filter taps fall on padding rows skip those taps. Checked against the numpy
reference and against the unbanded path, for chunks of one and of several images, on one
thread and on the pool (the filter gradient is checked alongside)."""

from __future__ import annotations

import numpy as np
import pytest

from minitf.kernels.cpu import nn_conv_jit as jit
from minitf.kernels.cpu.parallel import blas_limiter
from minitf.ops import nn_conv_reference as ref
from minitf.ops.nn_conv_utils import window_2d

CASES = [  # x shape (NHWC), filter shape, strides, padding, explicit paddings, dilations
    ((64, 14, 14, 32), (5, 5, 32, 16), (1, 1), "SAME", (), (1, 1)),
    ((13, 9, 7, 8), (3, 3, 8, 5), (1, 1), "SAME", (), (1, 1)),
    ((5, 11, 10, 9), (4, 3, 9, 3), (2, 1), "SAME", (), (1, 1)),
    ((6, 10, 10, 8), (3, 2, 8, 4), (1, 2), "SAME", (), (2, 1)),
    ((3, 6, 6, 8), (3, 3, 8, 2), (1, 1), "EXPLICIT", (4, 1, 0, 2), (1, 1)),  # zero-tap rows
]


def _attrs(strides, padding, pads, dil):
    return dict(strides=[1, *strides, 1], padding=padding, data_format="NHWC",
                dilations=[1, *dil, 1],
                explicit_paddings=[0, 0, *pads, 0, 0] if padding == "EXPLICIT" else [])


def _win(xs, ws, kw_):
    return window_2d(xs[1], xs[2], ws[0], ws[1], kw_["strides"], kw_["dilations"],
                     kw_["padding"], "NHWC", kw_["explicit_paddings"])


def _run_all(x, w, dy, win, threads):
    with blas_limiter:
        y = jit.conv2d_nhwc(x, w, win, threads).copy()
        dx = jit.conv2d_backprop_input_nhwc(x.shape, w, dy, win, threads).copy()
        dw = jit.conv2d_backprop_filter_nhwc(x, dy, w.shape[0], w.shape[1], win, threads)
    return y, dx, dw


def test_row_bands_of_a_same_5x5_conv():
    win = window_2d(14, 14, 5, 5, [1, 1, 1, 1], [1, 1, 1, 1], "SAME", "NHWC")
    assert jit._row_bands(win, 14, 160) == ((0, 1, 320, 800), (1, 2, 160, 800),
                                            (2, 12, 0, 800), (12, 13, 0, 640),
                                            (13, 14, 0, 480))
    valid = window_2d(14, 14, 5, 5, [1, 1, 1, 1], [1, 1, 1, 1], "VALID", "NHWC")
    assert jit._row_bands(valid, 14, 160) is None


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("chunk", [1, 1 << 20])
@pytest.mark.parametrize("case", CASES)
def test_banded_conv_matches_reference_and_unbanded(case, chunk, threads, monkeypatch):
    xs, ws, strides, padding, pads, dil = case
    kw_ = _attrs(strides, padding, pads, dil)
    rng = np.random.default_rng(11)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    win = _win(xs, ws, kw_)
    assert jit._row_bands(win, xs[1], ws[1] * ws[2]) is not None
    dy = rng.standard_normal((xs[0], win.out_h, win.out_w, ws[3])).astype(np.float32)
    monkeypatch.setattr(jit, "_BAND_CHUNK_ELEMS", chunk)
    got = _run_all(x, w, dy, win, threads)
    assert all(np.array_equal(a, b) for a, b in zip(got, _run_all(x, w, dy, win, threads)))
    want = (ref.conv2d(x, w, **kw_),
            ref.conv2d_backprop_input(np.array(xs, np.int32), w, dy, **kw_),
            ref.conv2d_backprop_filter(x, np.array(ws, np.int32), dy, **kw_))
    for g, r in zip(got, want):
        np.testing.assert_allclose(g, r, rtol=2e-4, atol=2e-4)
    monkeypatch.setattr(jit, "_row_bands", lambda *a: None)
    for g, u in zip(got, _run_all(x, w, dy, win, threads)):
        np.testing.assert_allclose(g, u, rtol=2e-4, atol=2e-4)


def test_banded_forward_with_bias_and_relu_matches_reference():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((7, 14, 14, 32)).astype(np.float32)
    w = rng.standard_normal((5, 5, 32, 8)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    kw_ = _attrs((1, 1), "SAME", (), (1, 1))
    win = _win(x.shape, w.shape, kw_)
    with blas_limiter:
        got = jit.conv2d_nhwc(x, w, win, 2, bias=b, relu=True)
    want = np.maximum(ref.conv2d(x, w, **kw_) + b, 0)
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-4)
