"""MatMul / BatchMatMulV2 kernels and the fused MatMul + BiasAdd (+ Relu) fast path against numpy:
odd and empty shapes, transposes, float32/float64, split over the pool or not, run to run
determinism."""

from __future__ import annotations

import types

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minitf as tf
from minitf.framework import dtypes, errors
from minitf.kernels.cpu import matmul
from minitf.kernels.cpu.parallel import blas_limiter
from minitf.kernels.registry import reference_kernels_only

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fake_op(t=dtypes.float32, **attrs):
    attrs.setdefault("transpose_a", False)
    attrs.setdefault("transpose_b", False)
    return types.SimpleNamespace(_attrs=dict(T=t, **attrs))


def tol(dt):
    return dict(rtol=2e-5, atol=2e-5) if dt == np.float32 else dict(rtol=1e-11, atol=1e-11)


@pytest.fixture
def split_everything(monkeypatch):
    """Every GEMM large enough to split, and a run in progress (BLAS on one thread)."""
    monkeypatch.setattr(matmul, "_PARALLEL_MIN_FLOPS", 0.0)
    with blas_limiter:
        yield


dims = st.integers(0, 70)


@SETTINGS
@given(m=dims, k=dims, n=dims, ta=st.booleans(), tb=st.booleans(),
       dt=st.sampled_from([np.float32, np.float64]), threads=st.sampled_from([1, 2, 3]),
       seed=st.integers(0, 2**16))
def test_matmul_kernel_matches_numpy(m, k, n, ta, tb, dt, threads, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(dt)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(dt)
    want = (a.T if ta else a) @ (b.T if tb else b)
    state = types.SimpleNamespace(config=tf.ConfigProto(intra_op_parallelism_threads=threads))
    kernel = matmul._matmul_factory(fake_op(dtypes.as_dtype(dt), transpose_a=ta,
                                            transpose_b=tb), state)
    saved = matmul._PARALLEL_MIN_FLOPS
    matmul._PARALLEL_MIN_FLOPS = 0.0
    try:
        with blas_limiter:
            got = kernel(a, b)
            again = kernel(a, b)
    finally:
        matmul._PARALLEL_MIN_FLOPS = saved
    assert got.dtype == dt and got.shape == want.shape
    np.testing.assert_allclose(got, want, **tol(dt))
    np.testing.assert_array_equal(got, again)  # deterministic


def test_split_gemm_is_deterministic_and_matches(split_everything):
    rng = np.random.default_rng(0)
    for m, k, n in [(129, 67, 33), (17, 300, 513), (1, 5, 7), (64, 784, 256)]:
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        runs = [matmul.gemm(a, b, 2) for _ in range(3)]
        np.testing.assert_allclose(runs[0], a @ b, rtol=2e-5, atol=2e-5)
        for r in runs[1:]:
            np.testing.assert_array_equal(r, runs[0])


def test_matmul_kernel_declines_other_dtypes_and_raises_tf_errors():
    assert matmul._matmul_factory(fake_op(dtypes.int32), None) is None
    kernel = matmul._matmul_factory(fake_op(), None)
    with pytest.raises(errors.InvalidArgumentError, match="Matrix size-incompatible"):
        kernel(np.ones((2, 3), np.float32), np.ones((4, 5), np.float32))
    # another dtype at run time: the reference
    out = kernel(np.ones((2, 3)), np.ones((3, 2)))
    assert out.dtype == np.float64


def test_output_buffer_never_overwrites_a_result_still_in_use(split_everything):
    kernel = matmul._matmul_factory(fake_op(), None)
    a = np.ones((128, 256), np.float32)
    first = kernel(a, np.ones((256, 128), np.float32))
    second = kernel(a, 2 * np.ones((256, 128), np.float32))
    assert first is not second
    np.testing.assert_array_equal(first, 256)
    np.testing.assert_array_equal(second, 512)
    del first
    third = kernel(a, 3 * np.ones((256, 128), np.float32))
    np.testing.assert_array_equal(second, 512)
    np.testing.assert_array_equal(third, 768)


@SETTINGS
@given(batch=st.sampled_from([(), (3,), (2, 3), (0,)]), m=st.integers(0, 9),
       k=st.integers(0, 9), n=st.integers(0, 9), adj_x=st.booleans(), adj_y=st.booleans(),
       seed=st.integers(0, 2**16))
def test_batch_matmul_kernel_matches_numpy(batch, m, k, n, adj_x, adj_y, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(batch + ((k, m) if adj_x else (m, k))).astype(np.float32)
    y = rng.standard_normal(batch + ((n, k) if adj_y else (k, n))).astype(np.float32)
    want = np.matmul(np.swapaxes(x, -1, -2) if adj_x else x,
                     np.swapaxes(y, -1, -2) if adj_y else y)
    op = types.SimpleNamespace(_attrs=dict(T=dtypes.float32, adj_x=adj_x, adj_y=adj_y))
    kernel = matmul._batch_matmul_factory(op, None)
    saved = matmul._PARALLEL_MIN_FLOPS
    matmul._PARALLEL_MIN_FLOPS = 0.0
    try:
        with blas_limiter:
            got = kernel(x, y)
    finally:
        matmul._PARALLEL_MIN_FLOPS = saved
    assert got.shape == want.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5)


def test_batch_matmul_broadcasting_uses_the_reference():
    op = types.SimpleNamespace(_attrs=dict(T=dtypes.float32, adj_x=False, adj_y=False))
    kernel = matmul._batch_matmul_factory(op, None)
    x = np.ones((2, 3, 4), np.float32)
    y = np.ones((1, 4, 5), np.float32)
    np.testing.assert_array_equal(kernel(x, y), np.matmul(x, y))
    with pytest.raises(errors.InvalidArgumentError):
        kernel(x, np.ones((3, 4, 5), np.float32))


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("shape", [(0, 5, 3), (1, 1, 1), (7, 13, 5), (64, 300, 257),
                                   (33, 200, 700)])
@pytest.mark.parametrize("split", [False, True])
def test_fused_matmul_bias_matches_op_by_op_kernels(relu, shape, split, monkeypatch):
    """The fused step gives the bits of MatMul, BiasAdd, Relu run one after another."""
    from minitf.kernels.cpu import nn_activation, nn_bias

    m, k, n = shape
    rng = np.random.default_rng(1)
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    bias = rng.standard_normal(n).astype(np.float32)
    if split:
        monkeypatch.setattr(matmul, "_PARALLEL_MIN_FLOPS", 0.0)
    with blas_limiter:
        fast = matmul.fused_matmul_bias(fake_op(), None, relu)
        got = fast(a, b, bias)
        mm = matmul._matmul_factory(fake_op(), None)(a, b)
    want = nn_bias._bias_add_factory(
        types.SimpleNamespace(_attrs=dict(T=dtypes.float32, data_format="NHWC")), None)(mm, bias)
    if relu:
        want = nn_activation._unary("relu_flat", None)(
            types.SimpleNamespace(_attrs=dict(T=dtypes.float32)), None)(want)
    np.testing.assert_array_equal(got, want)
    assert fast(a, b.astype(np.float64), bias) is None  # op by op for the others


def _dense_graph(relu):
    x = tf.placeholder(tf.float32, [None, 6], name="x")
    w = tf.constant(np.linspace(-1, 1, 24, dtype=np.float32).reshape(6, 4))
    b = tf.constant(np.array([0.5, -0.5, 0.0, 1.0], np.float32))
    h = tf.nn.bias_add(tf.matmul(x, w), b)
    return x, (tf.nn.relu(h) if relu else h)


@pytest.mark.parametrize("relu", [False, True])
def test_session_fuses_matmul_bias_relu(relu):
    x, y = _dense_graph(relu)
    xv = np.random.default_rng(2).standard_normal((5, 6)).astype(np.float32)
    with tf.Session() as sess:
        got = sess.run(y, {x: xv})
        plan = list(sess._cache.values())[-1].plan
        assert "FusedMatMul" in {s.type for s in plan.steps}
        bad = np.ones((5, 7), np.float32)
        with pytest.raises(ValueError):
            sess.run(y, {x: bad})
    with reference_kernels_only(), tf.Session() as sess:
        want = sess.run(y, {x: xv})
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_fused_step_falls_back_and_names_the_failing_op():
    x = tf.placeholder(tf.float32, [None, None], name="x")
    w = tf.placeholder(tf.float32, [None, None], name="w")
    h = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w), tf.constant([1.0, 2.0])))
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="MatMul"):
            sess.run(h, {x: np.ones((2, 3), np.float32), w: np.ones((4, 2), np.float32)})
        np.testing.assert_array_equal(
            sess.run(h, {x: np.ones((2, 3), np.float32), w: np.ones((3, 2), np.float32)}),
            [[4, 5], [4, 5]])


def test_fetched_intermediate_is_not_fused():
    x, _ = _dense_graph(False)
    mm = tf.get_default_graph().get_operation_by_name("MatMul").outputs[0]
    with tf.Session() as sess:
        sess.run([mm, tf.nn.relu(tf.nn.bias_add(mm, tf.zeros([4])))],
                 {x: np.ones((2, 6), np.float32)})
        plan = list(sess._cache.values())[-1].plan
        assert "FusedMatMul" not in {s.type for s in plan.steps}
