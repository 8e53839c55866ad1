"""Winograd F(2x2, r x r) convolution (``nn_conv_winograd``): the transform matrices, the three
products against a float64 reference, fused bias / Relu, the gate and ``MINITF_WINOGRAD=0``,
determinism, chunk and thread counts, a training run against the im2col path, and real TF.

Tolerances come from the error analysis (docs/notes/performance.md): against a float64
convolution, float32 Winograd's largest error is ~4-6e-6 of the largest |output| for r = 5
forward / input gradient, ~1.1e-5 for the r = 5 filter gradient (im2col: ~3-7e-7), and the same
as im2col for r = 3. The checks allow about 3x that: ``err <= TOL[r] * max|want|``.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

import minitf as tf
from minitf.framework import dtypes
from minitf.kernels.cpu import nn_conv, parallel
from minitf.kernels.cpu import nn_conv_jit as jit
from minitf.kernels.cpu import nn_conv_winograd as wino
from minitf.kernels.cpu.parallel import blas_limiter
from minitf.ops import nn_conv_reference as ref
from minitf.ops.nn_conv_utils import window_2d

TOL = {3: 3e-6, 5: 4e-5}

CASES = [  # x shape (NHWC), r, out channels, padding, explicit paddings (top, bottom, left, right)
    ((3, 9, 7, 16), 3, 24, "SAME", ()),              # odd output sizes
    ((2, 11, 9, 20), 5, 17, "SAME", ()),             # channel counts not multiples of 16
    ((1, 14, 14, 32), 5, 64, "SAME", ()),            # LeNet's conv2, batch 1
    ((4, 10, 13, 16), 5, 16, "VALID", ()),           # 6 x 9 outputs
    ((2, 9, 8, 16), 3, 32, "VALID", ()),             # 7 x 6
    ((3, 8, 9, 17), 3, 16, "EXPLICIT", (3, 0, 1, 2)),  # top padding > r - 1, none at the bottom
    ((2, 7, 7, 16), 5, 18, "EXPLICIT", (0, 4, 2, 1)),
]


def _kw(padding, pads):
    return dict(strides=[1, 1, 1, 1], padding=padding, data_format="NHWC",
                dilations=[1, 1, 1, 1],
                explicit_paddings=[0, 0, *pads, 0, 0] if padding == "EXPLICIT" else [])


def _win(xs, r, kw_, strides=(1, 1, 1, 1), dilations=(1, 1, 1, 1)):
    return window_2d(xs[1], xs[2], r, r, list(strides), list(dilations), kw_["padding"], "NHWC",
                     kw_["explicit_paddings"])


def _data(xs, r, k, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs).astype(np.float32)
    w = (rng.standard_normal((r, r, xs[3], k)) / np.sqrt(r * r * xs[3])).astype(np.float32)
    return x, w, rng


def _close(got, want, r, what=""):
    assert got.dtype == np.float32 and got.shape == want.shape, what
    err = np.abs(got.astype(np.float64) - want).max()
    scale = np.abs(want).max()
    assert err <= TOL[r] * scale, f"{what}: error {err:.3g} at scale {scale:.3g}"


def _three(x, w, dy, win, threads):
    with blas_limiter:
        return (wino.conv2d(x, w, win, threads).copy(),
                wino.conv2d_backprop_input(x.shape, w, dy, win, threads).copy(),
                wino.conv2d_backprop_filter(x, dy, win, threads))


@pytest.fixture
def split_everything(monkeypatch):
    """The pool splits whatever the shapes and this machine's load."""
    monkeypatch.setattr(parallel, "free_cores", lambda: 64.0)
    monkeypatch.setattr(wino, "_PARALLEL_MIN_FLOPS", 0.0)


# --- the transforms -------------------------------------------------------------------------------

@pytest.mark.parametrize("r", [3, 5])
def test_transform_matrices_compute_a_correlation(r):
    at, g, bt = wino.transform_matrices(r)
    rng = np.random.default_rng(r)
    for _ in range(5):
        f, d = rng.standard_normal(r), rng.standard_normal(r + 1)
        np.testing.assert_allclose(at @ ((g @ f) * (bt @ d)),
                                   [f @ d[i:i + r] for i in range(2)], rtol=1e-12, atol=1e-12)
        f2, d2 = rng.standard_normal((r, r)), rng.standard_normal((r + 1, r + 1))
        y = at @ ((g @ f2 @ g.T) * (bt @ d2 @ bt.T)) @ at.T
        want = [[np.sum(f2 * d2[i:i + r, j:j + r]) for j in range(2)] for i in range(2)]
        np.testing.assert_allclose(y, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("r", [3, 5])
def test_hand_written_1d_transforms_match_the_matrices(r):
    at, g, bt = wino.transform_matrices(r)
    bt_, at_, a_, g_, gt_ = ((wino._bt6, wino._at6, wino._a6, wino._g5, wino._gt6) if r == 5
                             else (wino._bt4, wino._at4, wino._a4, wino._g3, wino._gt4))
    rng = np.random.default_rng(7)
    d = rng.standard_normal(r + 1).astype(np.float32)
    np.testing.assert_allclose(bt_(*d), bt @ d, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(at_(*d), at @ d, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(a_(*d[:2]), at.T @ d[:2], rtol=1e-6, atol=1e-6)
    f = rng.standard_normal(r)
    np.testing.assert_allclose(g_(*f), g @ f, rtol=1e-13)
    np.testing.assert_allclose(gt_(*d.astype(np.float64)), g.T @ d, rtol=1e-13, atol=1e-15)


# --- the three products against float64 ----------------------------------------------------------

@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("chunk", ["one tile", "three tiles", "default"])
@pytest.mark.parametrize("case", CASES)
def test_products_match_float64_reference(case, chunk, threads, split_everything, monkeypatch):
    xs, r, k, padding, pads = case
    if chunk != "default":
        monkeypatch.setattr(wino, "_MIN_CHUNK_TILES", 1 if chunk == "one tile" else 3)
        monkeypatch.setattr(wino, "_CHUNK_BYTES", 1)
        monkeypatch.setattr(wino, "_FILTER_CHUNK_BYTES", 1)
    kw_ = _kw(padding, pads)
    x, w, rng = _data(xs, r, k)
    win = _win(xs, r, kw_)
    dy = rng.standard_normal((xs[0], win.out_h, win.out_w, k)).astype(np.float32)
    y, dx, dw = _three(x, w, dy, win, threads)
    x64, w64, dy64 = x.astype(np.float64), w.astype(np.float64), dy.astype(np.float64)
    _close(y, ref.conv2d(x64, w64, **kw_), r, "forward")
    _close(dx, ref.conv2d_backprop_input(np.array(xs), w64, dy64, **kw_), r, "input gradient")
    _close(dw, ref.conv2d_backprop_filter(x64, np.array(w.shape), dy64, **kw_), r,
           "filter gradient")


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("case", [CASES[0], CASES[1], CASES[3]])
def test_fused_bias_and_relu(case, relu):
    """The epilogue adds the bias in float32 and applies Relu: the same bits as adding them to
    the plain product afterwards."""
    xs, r, k, padding, pads = case
    kw_ = _kw(padding, pads)
    x, w, rng = _data(xs, r, k)
    b = rng.standard_normal(k).astype(np.float32)
    win = _win(xs, r, kw_)
    with blas_limiter:
        plain = wino.conv2d(x, w, win, 2).copy()
        fused = wino.conv2d(x, w, win, 2, bias=b, relu=relu)
    want = plain + b
    if relu:
        want = np.maximum(want, np.float32(0))
    np.testing.assert_array_equal(fused, want)
    ref_y = ref.conv2d(x.astype(np.float64), w.astype(np.float64), **kw_) + b
    _close(fused, np.maximum(ref_y, 0) if relu else ref_y, r, "fused")


def test_relu_keeps_nan_like_the_relu_kernel():
    x, w, _ = _data((1, 6, 6, 16), 3, 16)
    x[0, 2, 2, 0] = np.nan
    win = _win(x.shape, 3, _kw("SAME", ()))
    y = wino.conv2d(x, w, win, 1, bias=np.zeros(16, np.float32), relu=True)
    assert np.isnan(y[0, 1:4, 1:4]).all() and np.isfinite(y[0, 4:]).all()


@pytest.mark.parametrize("r", [3, 5])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_inputs_stay_in_their_window(r, value):
    """A NaN or Inf input makes the same outputs non-finite as im2col does (those whose window
    covers it); an Inf gives NaN there where a direct sum gives +-Inf (inf - inf inside the
    transforms)."""
    x, w, _ = _data((1, 9, 9, 16), r, 16)
    x[0, 4, 4, 0] = value
    win = _win(x.shape, r, _kw("SAME", ()))
    got, want = wino.conv2d(x, w, win, 1), jit.conv2d_nhwc(x, w, win, 1)
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want))


def test_read_only_inputs():
    x, w, rng = _data((2, 8, 8, 16), 3, 16)
    win = _win(x.shape, 3, _kw("SAME", ()))
    dy = rng.standard_normal((2, 8, 8, 16)).astype(np.float32)
    want = _three(x, w, dy, win, 1)
    for a in (x, w, dy):
        a.setflags(write=False)
    for a, b in zip(_three(x, w, dy, win, 1), want):
        np.testing.assert_array_equal(a, b)


# --- determinism -----------------------------------------------------------------------------------

@pytest.mark.parametrize("threads", [1, 2])
def test_same_bits_run_to_run(threads, split_everything):
    x, w, rng = _data((16, 14, 14, 32), 5, 64)
    win = _win(x.shape, 5, _kw("SAME", ()))
    dy = rng.standard_normal((16, 14, 14, 64)).astype(np.float32)
    first = _three(x, w, dy, win, threads)
    for _ in range(3):
        for a, b in zip(first, _three(x, w, dy, win, threads)):
            np.testing.assert_array_equal(a, b)


def test_thread_counts_agree(split_everything):
    """Other thread counts split the tiles (and the filter gradient's sums) otherwise: the
    results differ by rounding, within Winograd's own error."""
    x, w, rng = _data((8, 12, 11, 16), 5, 32)
    win = _win(x.shape, 5, _kw("SAME", ()))
    dy = rng.standard_normal((8, 12, 11, 32)).astype(np.float32)
    one = _three(x, w, dy, win, 1)
    for threads in (2, 3):
        for a, b in zip(one, _three(x, w, dy, win, threads)):
            _close(b, a.astype(np.float64), 5)


def test_spans_depend_only_on_shapes_and_threads():
    assert wino._spans(100, 30, 1e9, 1) == [(0, 25), (25, 50), (50, 75), (75, 100)]
    spans = wino._spans(3136, 75, 1e9, 2)
    assert len(spans) == 42 and spans[0] == (0, 75) and spans[-1][1] == 3136
    assert wino._spans(3136, 303, 1e9, 2, max_tasks=4) == [(0, 784), (784, 1568),
                                                           (1568, 2352), (2352, 3136)]
    assert wino._spans(5, 30, 1e9, 8) == [(i, i + 1) for i in range(5)]
    assert wino._spans(50, 30, 1e3, 2) == [(0, 25), (25, 50)]   # small: one thread's chunks


# --- the gate ---------------------------------------------------------------------------------------

def _applies(xs=(64, 14, 14, 32), ws=(5, 5, 32, 64), dtype=np.float32, strides=(1, 1, 1, 1),
             dilations=(1, 1, 1, 1), padding="SAME"):
    win = window_2d(xs[1], xs[2], ws[0], ws[1], list(strides), list(dilations), padding, "NHWC")
    return wino.applies(dtype, xs, ws, win)


def test_gate(monkeypatch):
    monkeypatch.delenv("MINITF_WINOGRAD", raising=False)
    assert _applies()
    assert _applies(ws=(3, 3, 32, 64), padding="VALID")
    assert not _applies(strides=(1, 2, 2, 1))
    assert not _applies(strides=(1, 1, 2, 1))
    assert not _applies(dilations=(1, 2, 2, 1))
    assert not _applies(dtype=np.float64)
    assert not _applies(dtype=np.float16)
    assert not _applies(xs=(64, 14, 14, 8), ws=(5, 5, 8, 64))     # few input channels
    assert not _applies(ws=(5, 5, 32, 8))                         # few output channels
    assert not _applies(xs=(64, 28, 28, 1), ws=(5, 5, 1, 32))     # LeNet's conv1
    assert not _applies(ws=(4, 4, 32, 64))
    assert not _applies(ws=(3, 5, 32, 64))
    assert not _applies(ws=(1, 1, 32, 64))
    assert not _applies(xs=(1, 4, 4, 16), ws=(3, 3, 16, 16))      # too little work
    monkeypatch.setenv("MINITF_WINOGRAD", "0")
    assert not _applies()
    assert not wino.enabled()


def test_drivers_refuse_few_channels():
    x, w, _ = _data((2, 8, 8, 8), 3, 16)
    with pytest.raises(ValueError, match="16 channels"):
        wino.conv2d(x, w, _win(x.shape, 3, _kw("SAME", ())))


def _fake_op(**attrs):
    a = dict(T=dtypes.float32, strides=[1, 1, 1, 1], dilations=[1, 1, 1, 1], padding="SAME",
             explicit_paddings=[], data_format="NHWC")
    a.update(attrs)
    return types.SimpleNamespace(_attrs=a)


def _kernels(op):
    return (nn_conv._conv2d_factory(op, None), nn_conv._conv2d_backprop_input_factory(op, None),
            nn_conv._conv2d_backprop_filter_factory(op, None))


def _kernel_run(op, x, w, dy):
    fwd, bi, bf = _kernels(op)
    with blas_limiter:
        return (fwd(x, w).copy(), bi(np.array(x.shape, np.int32), w, dy).copy(),
                bf(x, np.array(w.shape, np.int32), dy))


@pytest.mark.parametrize("attrs,used", [
    ({}, True),
    ({"strides": [1, 2, 2, 1]}, False),
    ({"dilations": [1, 2, 2, 1]}, False),
])
def test_kernels_route_by_the_gate(attrs, used, monkeypatch):
    monkeypatch.delenv("MINITF_WINOGRAD", raising=False)
    x, w, rng = _data((8, 14, 14, 32), 5, 32)
    op = _fake_op(**attrs)
    kw_ = {k: op._attrs[k] for k in ("strides", "padding", "dilations", "explicit_paddings")}
    win = _win(x.shape, 5, kw_, op._attrs["strides"], op._attrs["dilations"])
    dy = rng.standard_normal((8, win.out_h, win.out_w, 32)).astype(np.float32)
    before = dict(wino.calls)
    got = _kernel_run(op, x, w, dy)
    assert all((wino.calls[k] - before[k]) == int(used) for k in before), (wino.calls, before)
    kw_["data_format"] = "NHWC"
    want = (ref.conv2d(x, w, **kw_), ref.conv2d_backprop_input(np.array(x.shape), w, dy, **kw_),
            ref.conv2d_backprop_filter(x, np.array(w.shape), dy, **kw_))
    for g, r_ in zip(got, want):
        np.testing.assert_allclose(g, r_, rtol=1e-4, atol=TOL[5] * np.abs(r_).max())


def test_nchw_kernels_take_winograd(monkeypatch):
    monkeypatch.delenv("MINITF_WINOGRAD", raising=False)
    x, w, rng = _data((4, 12, 10, 16), 3, 32)
    dy = rng.standard_normal((4, 12, 10, 32)).astype(np.float32)
    want = _kernel_run(_fake_op(), x, w, dy)
    op = _fake_op(data_format="NCHW")
    fwd, bi, bf = _kernels(op)
    before = dict(wino.calls)
    xc, dyc = x.transpose(0, 3, 1, 2), dy.transpose(0, 3, 1, 2)
    with blas_limiter:
        got = (fwd(xc, w).transpose(0, 2, 3, 1),
               bi(np.array(xc.shape, np.int32), w, dyc).transpose(0, 2, 3, 1),
               bf(xc, np.array(w.shape, np.int32), dyc))
    assert all(wino.calls[k] == before[k] + 1 for k in before)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_kernels_float64_and_few_channels_take_im2col():
    before = dict(wino.calls)
    x, w, rng = _data((8, 14, 14, 32), 5, 32)
    dy = rng.standard_normal((8, 14, 14, 32))
    _kernel_run(_fake_op(T=dtypes.float64), x.astype(np.float64), w.astype(np.float64), dy)
    x8, w8, _ = _data((8, 14, 14, 8), 5, 32)
    _kernel_run(_fake_op(), x8, w8, dy.astype(np.float32))
    assert wino.calls == before


def test_winograd_off_gives_the_im2col_bits(monkeypatch):
    x, w, rng = _data((8, 14, 14, 32), 5, 32)
    dy = rng.standard_normal((8, 14, 14, 32)).astype(np.float32)
    win = _win(x.shape, 5, _kw("SAME", ()))
    monkeypatch.setenv("MINITF_WINOGRAD", "0")
    before = dict(wino.calls)
    got = _kernel_run(_fake_op(), x, w, dy)
    assert wino.calls == before
    threads = parallel.default_threads()
    with blas_limiter:
        want = (jit.conv2d_nhwc(x, w, win, threads),
                jit.conv2d_backprop_input_nhwc(x.shape, w, dy, win, threads),
                jit.conv2d_backprop_filter_nhwc(x, dy, 5, 5, win, threads))
    for g, r_ in zip(got, want):
        np.testing.assert_array_equal(g, r_)


# --- sessions ---------------------------------------------------------------------------------------

def _train(steps=6):
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(3)
        rng = np.random.default_rng(0)
        x = tf.constant(rng.standard_normal((16, 16, 16, 1)), tf.float32)
        labels = tf.constant(np.arange(16) % 5)
        h = tf.layers.conv2d(x, 16, 5, padding="same", activation=tf.nn.relu)
        h = tf.layers.conv2d(h, 24, 5, padding="same", activation=tf.nn.relu)
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.layers.conv2d(h, 16, 3, padding="valid", activation=tf.nn.relu)
        logits = tf.layers.dense(tf.layers.flatten(h), 5)
        loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([train, loss])[1] for _ in range(steps)]
            return losses, sess.run(tf.trainable_variables())


def test_training_matches_im2col(monkeypatch):
    """A small LeNet-like net: conv2 (16 -> 24, 5x5) and conv3 (24 -> 16, 3x3) take Winograd
    (all three products), conv1 (1 channel) im2col; losses and weights stay close to the run
    with MINITF_WINOGRAD=0."""
    monkeypatch.delenv("MINITF_WINOGRAD", raising=False)
    before = dict(wino.calls)
    losses, weights = _train()
    used = {k: wino.calls[k] - before[k] for k in before}
    assert used["forward"] >= 12 and used["input"] >= 12 and used["filter"] >= 12, used
    monkeypatch.setenv("MINITF_WINOGRAD", "0")
    before = dict(wino.calls)
    want_losses, want_weights = _train()
    assert wino.calls == before
    assert losses[-1] < losses[0]
    np.testing.assert_allclose(losses, want_losses, rtol=1e-4)
    for a, b in zip(weights, want_weights):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


# --- real TensorFlow --------------------------------------------------------------------------------

@pytest.mark.tf
@pytest.mark.parametrize("r,padding", [(5, "SAME"), (3, "VALID")])
def test_conv2d_and_gradients_match_tensorflow(tfv1, r, padding):
    x, w, rng = _data((8, 13, 14, 32), r, 48)
    dy = rng.standard_normal((8, 13 if padding == "SAME" else 13 - r + 1,
                              14 if padding == "SAME" else 14 - r + 1, 48)).astype(np.float32)

    def run(m):
        xp, wp = m.placeholder(m.float32, x.shape), m.placeholder(m.float32, w.shape)
        y = m.nn.conv2d(xp, wp, [1, 1, 1, 1], padding)
        gx, gw = m.gradients(y, [xp, wp], grad_ys=m.constant(dy))
        with m.Session() as sess:
            return sess.run([y, gx, gw], {xp: x, wp: w})

    before = dict(wino.calls)
    mine = run(tf)
    assert all(wino.calls[k] > before[k] for k in before)
    theirs = run(tfv1)
    for a, b, what in zip(mine, theirs, ("forward", "input gradient", "filter gradient")):
        _close(a, b.astype(np.float64), r, what)
