"""The numba nn kernels against their numpy references: random shapes, strides, dilations,
paddings (SAME / VALID / EXPLICIT), NHWC and NCHW, float32 and float64, odd and empty sizes."""

from __future__ import annotations

import types

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minitf.framework import dtypes, errors
from minitf.kernels.cpu import nn_activation, nn_bias, nn_conv, nn_pool, nn_softmax
from minitf.ops import nn_activation_ops as act
from minitf.ops import nn_conv_reference as ref
from minitf.ops.nn_conv_ops import bias_add_grad_ref, bias_add_ref
from minitf.ops.nn_loss_ops import sparse_xent_ref, xent_ref

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
FLOATS = [np.float32, np.float64]


def fake_op(**attrs):
    attrs.setdefault("T", dtypes.float32)
    return types.SimpleNamespace(_attrs=attrs)


def kernel(module, name, op):
    factory = getattr(module, name)
    k = factory(op, None)
    assert k is not None
    return k


def tol(dt):
    return dict(rtol=2e-5, atol=2e-5) if dt == np.float32 else dict(rtol=1e-10, atol=1e-10)


def rand(rng, shape, dt):
    return rng.standard_normal(shape).astype(dt)


def to_fmt(shape_nhwc, fmt):
    n, h, w, c = shape_nhwc
    return (n, c, h, w) if fmt == "NCHW" else (n, h, w, c)


def attr4(fmt, h, w):
    return [1, 1, h, w] if fmt == "NCHW" else [1, h, w, 1]


def explicit(fmt, pt, pb, pl, pr):
    return [0, 0, 0, 0, pt, pb, pl, pr] if fmt == "NCHW" else [0, 0, pt, pb, pl, pr, 0, 0]


conv_cases = st.fixed_dictionaries({
    "n": st.integers(0, 3), "h": st.integers(1, 9), "w": st.integers(1, 9),
    "c": st.sampled_from([1, 2, 3, 8, 11]), "o": st.integers(1, 4), "kh": st.integers(1, 4),
    "kw": st.integers(1, 4), "sh": st.integers(1, 3), "sw": st.integers(1, 3),
    "dh": st.integers(1, 2), "dw": st.integers(1, 2),
    "padding": st.sampled_from(["SAME", "VALID", "EXPLICIT"]),
    "pads": st.tuples(*[st.integers(0, 2)] * 4),
    "fmt": st.sampled_from(["NHWC", "NCHW"]), "dt": st.sampled_from(FLOATS),
    "seed": st.integers(0, 2**16),
})


def _conv_attrs(p):
    return {"T": dtypes.as_dtype(p["dt"]), "strides": attr4(p["fmt"], p["sh"], p["sw"]),
            "dilations": attr4(p["fmt"], p["dh"], p["dw"]), "padding": p["padding"],
            "explicit_paddings": explicit(p["fmt"], *p["pads"])
            if p["padding"] == "EXPLICIT" else [], "data_format": p["fmt"]}


def _same_result(fast, slow):
    """Runs both; they must agree, or raise the same error class."""
    try:
        want = slow()
    except errors.OpError as e:
        with pytest.raises(type(e)):
            fast()
        return None, None
    return fast(), want


@SETTINGS
@given(conv_cases)
def test_conv2d_kernels_match_reference(p):
    rng = np.random.default_rng(p["seed"])
    attrs = _conv_attrs(p)
    kw_ = {k: v for k, v in attrs.items() if k != "T"}
    x = rand(rng, to_fmt((p["n"], p["h"], p["w"], p["c"]), p["fmt"]), p["dt"])
    w = rand(rng, (p["kh"], p["kw"], p["c"], p["o"]), p["dt"])
    op = fake_op(**attrs)
    fwd = kernel(nn_conv, "_conv2d_factory", op)
    got, want = _same_result(lambda: fwd(x, w), lambda: ref.conv2d(x, w, **kw_))
    if want is None:
        return
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, **tol(p["dt"]))
    dy = rand(rng, want.shape, p["dt"])
    sizes = np.array(x.shape, dtype=np.int32)
    bi = kernel(nn_conv, "_conv2d_backprop_input_factory", op)
    got = bi(sizes, w, dy)
    want = ref.conv2d_backprop_input(sizes, w, dy, **kw_)
    assert got.shape == x.shape and got.dtype == x.dtype
    np.testing.assert_allclose(got, want, **tol(p["dt"]))
    bf = kernel(nn_conv, "_conv2d_backprop_filter_factory", op)
    fsizes = np.array(w.shape, dtype=np.int32)
    got = bf(x, fsizes, dy)
    want = ref.conv2d_backprop_filter(x, fsizes, dy, **kw_)
    assert got.shape == w.shape and got.dtype == w.dtype
    np.testing.assert_allclose(got, want, **tol(p["dt"]))


def test_conv2d_reference_is_a_correlation():
    """The reference itself against a naive 7-loop definition (SAME, stride 2, dilation 2)."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 7, 6, 3)), rng.standard_normal((3, 2, 3, 4))
    got = ref.conv2d(x, w, [1, 2, 2, 1], "SAME", dilations=[1, 2, 2, 1])
    oh, ow = 4, 3
    # effective kernel 5 x 3; padding needed rows (4-1)*2+5-7 = 4 (2 / 2), cols (3-1)*2+3-6 = 1
    pt, pl = 2, 0
    want = np.zeros((2, oh, ow, 4))
    for n in range(2):
        for i in range(oh):
            for j in range(ow):
                for a in range(3):
                    for b in range(2):
                        y, xx = i * 2 + a * 2 - pt, j * 2 + b * 2 - pl
                        if 0 <= y < 7 and 0 <= xx < 6:
                            want[n, i, j] += x[n, y, xx] @ w[a, b]
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("winograd", ["1", "0"])
def test_conv2d_kernel_lenet_shapes(winograd, monkeypatch):
    """With unit-normal weights conv2's outputs reach ~140: its Winograd product (float32
    F(2x2, 5x5)) is checked against Winograd's error bound, 4e-5 of the largest output
    (docs/notes/performance.md); im2col (MINITF_WINOGRAD=0) at 1e-4."""
    monkeypatch.setenv("MINITF_WINOGRAD", winograd)
    rng = np.random.default_rng(1)
    for xs, ws in [((64, 28, 28, 1), (5, 5, 1, 32)), ((64, 14, 14, 32), (5, 5, 32, 64))]:
        x, w = rand(rng, xs, np.float32), rand(rng, ws, np.float32)
        op = fake_op(strides=[1, 1, 1, 1], dilations=[1, 1, 1, 1], padding="SAME",
                     explicit_paddings=[], data_format="NHWC")
        got = kernel(nn_conv, "_conv2d_factory", op)(x, w)
        want = ref.conv2d(x, w, [1, 1, 1, 1], "SAME")
        atol = 1e-4 if winograd == "0" or ws[2] < 16 else 4e-5 * np.abs(want).max()
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=atol)


def test_conv2d_kernel_declines_other_dtypes_and_batch_strides():
    op = fake_op(T=dtypes.float16, strides=[1, 1, 1, 1], dilations=[1, 1, 1, 1],
                 padding="SAME", explicit_paddings=[], data_format="NHWC")
    assert nn_conv._conv2d_factory(op, None) is None
    op = fake_op(strides=[2, 1, 1, 1], dilations=[1, 1, 1, 1], padding="SAME",
                 explicit_paddings=[], data_format="NHWC")
    assert nn_conv._conv2d_factory(op, None) is None


def test_conv2d_kernel_depth_mismatch_raises_like_reference():
    op = fake_op(strides=[1, 1, 1, 1], dilations=[1, 1, 1, 1], padding="SAME",
                 explicit_paddings=[], data_format="NHWC")
    k = kernel(nn_conv, "_conv2d_factory", op)
    with pytest.raises(errors.InvalidArgumentError, match="depth"):
        k(np.zeros((1, 3, 3, 2), np.float32), np.zeros((2, 2, 3, 1), np.float32))


pool_cases = st.fixed_dictionaries({
    "n": st.integers(0, 3), "h": st.integers(1, 9), "w": st.integers(1, 9),
    "c": st.integers(1, 5), "kh": st.integers(1, 4), "kw": st.integers(1, 4),
    "sh": st.integers(1, 3), "sw": st.integers(1, 3),
    "padding": st.sampled_from(["SAME", "VALID"]), "fmt": st.sampled_from(["NHWC", "NCHW"]),
    "dt": st.sampled_from(FLOATS), "seed": st.integers(0, 2**16),
    "ties": st.booleans(),
})


@SETTINGS
@given(pool_cases)
def test_pool_kernels_match_reference(p):
    rng = np.random.default_rng(p["seed"])
    shape = to_fmt((p["n"], p["h"], p["w"], p["c"]), p["fmt"])
    x = rand(rng, shape, p["dt"])
    if p["ties"]:
        x = np.round(x).astype(p["dt"])  # many equal values: the first maximum must win
    kw_ = {"ksize": attr4(p["fmt"], p["kh"], p["kw"]),
           "strides": attr4(p["fmt"], p["sh"], p["sw"]), "padding": p["padding"],
           "data_format": p["fmt"]}
    op = fake_op(T=dtypes.as_dtype(p["dt"]), explicit_paddings=[], **kw_)
    mp = kernel(nn_pool, "_max_pool_factory", op)
    got, want = _same_result(lambda: mp(x), lambda: ref.max_pool(x, **kw_))
    if want is None:
        return
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    g = rand(rng, want.shape, p["dt"])
    got = kernel(nn_pool, "_max_pool_grad_factory", op)(x, want, g)
    np.testing.assert_allclose(got, ref.max_pool_grad(x, want, g, **kw_), **tol(p["dt"]))
    got = kernel(nn_pool, "_avg_pool_factory", op)(x)
    want = ref.avg_pool(x, **kw_)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, **tol(p["dt"]))
    sizes = np.array(x.shape, dtype=np.int32)
    got = kernel(nn_pool, "_avg_pool_grad_factory", op)(sizes, g)
    np.testing.assert_allclose(got, ref.avg_pool_grad(sizes, g, **kw_), **tol(p["dt"]))


def test_avg_pool_same_counts_only_real_positions():
    x = np.ones((1, 3, 3, 1), np.float32)
    got = ref.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    np.testing.assert_array_equal(got, np.ones((1, 2, 2, 1), np.float32))


def test_max_pool_grad_routes_to_first_maximum():
    x = np.array([[1, 3], [3, 0]], np.float32).reshape(1, 2, 2, 1)
    g = np.ones((1, 1, 1, 1), np.float32)
    want = np.array([[0, 1], [0, 0]], np.float32).reshape(1, 2, 2, 1)
    np.testing.assert_array_equal(ref.max_pool_grad(x, None, g, [1, 2, 2, 1], [1, 2, 2, 1],
                                                    "VALID"), want)
    op = fake_op(ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID", data_format="NHWC",
                 explicit_paddings=[])
    np.testing.assert_array_equal(kernel(nn_pool, "_max_pool_grad_factory", op)(x, None, g),
                                  want)


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("shape", [(0, 5), (3, 0), (1, 1), (4, 7), (2, 3, 10), (300, 1000)])
def test_softmax_kernels(dt, shape):
    rng = np.random.default_rng(0)
    x = (rand(rng, shape, dt) * 30).astype(dt)
    op = fake_op(T=dtypes.as_dtype(dt))
    for name, reference in (("_softmax_factory", act.softmax_ref),
                            ("_log_softmax_factory", act.log_softmax_ref)):
        got = kernel(nn_softmax, name, op)(x)
        want = reference(x)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-5 if dt == np.float32 else 1e-12,
                                   atol=1e-6 if dt == np.float32 else 1e-12)


def test_softmax_kernel_is_stable_for_huge_logits():
    x = np.array([[1000.0, 1001.0, -1000.0], [-1e30, 0.0, 3.0]], np.float32)
    op = fake_op()
    got = kernel(nn_softmax, "_softmax_factory", op)(x)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got.sum(axis=1), 1.0, rtol=1e-6)
    got = kernel(nn_softmax, "_log_softmax_factory", op)(x)
    assert np.all(np.isfinite(got))


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("shape", [(0, 4), (1, 1), (5, 3), (64, 10), (128, 1000)])
def test_xent_kernels(dt, shape):
    rng = np.random.default_rng(1)
    x = (rand(rng, shape, dt) * 10).astype(dt)
    z = rng.dirichlet(np.ones(shape[1]), size=shape[0]).astype(dt) if shape[1] else \
        np.zeros(shape, dt)
    op = fake_op(T=dtypes.as_dtype(dt))
    loss, bp = kernel(nn_softmax, "_xent_factory", op)(x, z)
    wl, wb = xent_ref(x, z)
    assert loss.dtype == wl.dtype and bp.shape == wb.shape
    t = dict(rtol=1e-5, atol=1e-5) if dt == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(loss, wl, **t)
    np.testing.assert_allclose(bp, wb, **t)
    if not shape[1]:
        return
    labels = rng.integers(0, shape[1], size=shape[0]).astype(np.int64)
    loss, bp = kernel(nn_softmax, "_sparse_xent_factory", op)(x, labels)
    wl, wb = sparse_xent_ref(x, labels)
    np.testing.assert_allclose(loss, wl, **t)
    np.testing.assert_allclose(bp, wb, **t)


def test_xent_kernel_broadcast_labels_fall_back():
    op = fake_op()
    x = np.zeros((2, 3), np.float32)
    z = np.ones((1, 3), np.float32) / 3
    loss, bp = kernel(nn_softmax, "_xent_factory", op)(x, z)
    np.testing.assert_allclose(loss, [np.log(3)] * 2, rtol=1e-6)
    assert bp.shape == (2, 3)


def test_sparse_xent_kernel_out_of_range_label():
    op = fake_op()
    k = kernel(nn_softmax, "_sparse_xent_factory", op)
    with pytest.raises(errors.InvalidArgumentError, match=r"Received a label value of 10 which "
                                                          r"is outside the valid range of "
                                                          r"\[0, 10\)\.  Label values: 1 10 3"):
        k(np.zeros((3, 10), np.float32), np.array([1, 10, 3], np.int32))
    with pytest.raises(errors.InvalidArgumentError, match="label value of -1"):
        k(np.zeros((3, 10), np.float32), np.array([1, -1, 3], np.int64))


SPECIALS = np.array([0.0, -0.0, 1e-30, -1e-30, 5.9, 6.0, 6.1, -3.0, 40.0, -40.0, np.inf,
                     -np.inf, np.nan])


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("shape", [(0,), (7,), (3, 4, 5), (1000,)])
def test_activation_kernels(dt, shape):
    rng = np.random.default_rng(2)
    x = (rand(rng, shape, dt) * 8).astype(dt)
    if x.size >= SPECIALS.size:
        x.reshape(-1)[:SPECIALS.size] = SPECIALS
    g = rand(rng, shape, dt)
    op = fake_op(T=dtypes.as_dtype(dt))
    pairs = [("Relu", act._relu_ref), ("Relu6", act._relu6_ref), ("Elu", act._elu_ref)]
    for name, reference in pairs:
        k = _registered(name)(op, None)
        np.testing.assert_allclose(k(x), reference(x), rtol=1e-6 if dt == np.float32 else 1e-14)
        assert k(x).dtype == x.dtype
    y = act._elu_ref(x)
    for name, reference, second in [("ReluGrad", act._relu_grad_ref, x),
                                    ("Relu6Grad", act._relu6_grad_ref, x),
                                    ("EluGrad", act._elu_grad_ref, y)]:
        k = _registered(name)(op, None)
        np.testing.assert_allclose(k(g, second), reference(g, second),
                                   rtol=1e-6 if dt == np.float32 else 1e-14)


def _registered(op_type):
    from minitf.kernels.registry import _KERNELS

    assert nn_activation.__name__  # imported above: it registers these kernels
    return _KERNELS[(op_type, "CPU")]


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("fmt,shape", [("NHWC", (4, 3)), ("NHWC", (2, 3, 4, 5)),
                                       ("NHWC", (0, 3)), ("NCHW", (2, 3, 4)),
                                       ("NCHW", (2, 5, 3, 4)), ("NCHW", (2, 3, 2, 2, 2)),
                                       ("NHWC", (64, 28, 28, 32))])
def test_bias_kernels(dt, fmt, shape):
    rng = np.random.default_rng(3)
    x = rand(rng, shape, dt)
    c = shape[1] if fmt == "NCHW" else shape[-1]
    b = rand(rng, (c,), dt)
    op = fake_op(T=dtypes.as_dtype(dt), data_format=fmt)
    got = kernel(nn_bias, "_bias_add_factory", op)(x, b)
    np.testing.assert_array_equal(got, bias_add_ref(x, b, fmt))
    got = kernel(nn_bias, "_bias_add_grad_factory", op)(x)
    want = bias_add_grad_ref(x, fmt)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-4 if dt == np.float32 else 1e-12,
                               atol=1e-3 if dt == np.float32 else 1e-12)


def test_bias_kernel_bad_shape_raises():
    op = fake_op(data_format="NHWC")
    with pytest.raises(errors.InvalidArgumentError, match="Must provide as many biases"):
        kernel(nn_bias, "_bias_add_factory", op)(np.zeros((2, 3), np.float32),
                                                 np.zeros(4, np.float32))
