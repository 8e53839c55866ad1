"""Kernels added for the training step's per-op cost: Reshape and BroadcastGradientArgs fast
paths, Sum over no axes, the ApplyAdam fast path, the fused Conv2D + BiasAdd (+ Relu) path, and
the pool-split paths of the activation and pooling kernels — each against its reference."""

from __future__ import annotations

import types

import numpy as np
import pytest

import minitf as tf
from minitf.framework import dtypes, errors
from minitf.kernels.cpu import array_kernels, matmul, nn_activation, nn_conv, nn_pool
from minitf.kernels.cpu.parallel import blas_limiter
from minitf.ops import array_basic, array_fill, nn_activation_ops, nn_conv_reference
from minitf.ops.nn_conv_ops import bias_add_ref


def _op(**attrs):
    return types.SimpleNamespace(_attrs=attrs, op_def=types.SimpleNamespace(
        make_kernel=None, reference=None, kernel_attrs=()))


def _reshape_kernel():
    op = tf.reshape(tf.placeholder(tf.float32), tf.placeholder(tf.int32)).op
    return array_kernels._reshape_factory(op, None)


@pytest.mark.parametrize("shape,dims", [
    ((2, 3, 4), [6, 4]), ((2, 3, 4), [-1, 4]), ((2, 3, 4), [2, -1]), ((0, 3), [3, -1]),
    ((0, 3), [-1, 0]), ((0, 3), [0, 5]), ((), [1, 1]), ((1,), []), ((5, 0), [0, -1]),
    ((4,), [-1]), ((24,), [2, 3, -1])])
def test_reshape_fast_path_matches_reference(shape, dims):
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    d = np.array(dims, np.int32)
    kernel = _reshape_kernel()
    got = kernel(x, d)
    want = array_basic._reshape_ref(x, d)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("shape,dims", [((2, 3), [4, 2]), ((2, 3), [-1, -1]), ((2, 3), [-1, 4]),
                                        ((2, 3), [-2, 3])])
def test_reshape_fast_path_raises_the_references_errors(shape, dims):
    x = np.zeros(shape, np.float32)
    d = np.array(dims, np.int32)
    with pytest.raises(errors.InvalidArgumentError) as want:
        array_basic._reshape_ref(x, d)
    with pytest.raises(errors.InvalidArgumentError) as got:
        _reshape_kernel()(x, d)
    assert str(got.value) == str(want.value)


def test_broadcast_gradient_args_memo_returns_fresh_arrays():
    op = types.SimpleNamespace(op_def=types.SimpleNamespace(
        make_kernel=None, reference=array_fill._bga_ref, kernel_attrs=()), _attrs={})
    kernel = array_kernels._bga_factory(op, None)
    for s0, s1 in [([2, 3], [3]), ([1, 3], [2, 1]), ([], [4]), ([5, 1, 2], [5, 7, 1])]:
        a0, a1 = np.array(s0, np.int32), np.array(s1, np.int32)
        want = array_fill._bga_ref(a0, a1)
        for _ in range(2):
            got = kernel(a0, a1)
            for g, w in zip(got, want):
                assert g.dtype == w.dtype
                np.testing.assert_array_equal(g, w)
            got[0][...] = 99  # the caller may write into its arrays
    with pytest.raises(errors.InvalidArgumentError, match="Incompatible shapes"):
        kernel(np.array([2, 3], np.int32), np.array([4], np.int32))


def test_sum_over_no_axes_is_a_copy():
    x = tf.placeholder(tf.float32, [None, 3])
    axes = tf.placeholder(tf.int32, [None])
    y = tf.reduce_sum(x, axes)
    xv = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session() as sess:
        out = sess.run(y, {x: xv, axes: np.zeros(0, np.int32)})
        np.testing.assert_array_equal(out, xv)
        assert not np.shares_memory(out, xv)
        np.testing.assert_array_equal(sess.run(y, {x: xv, axes: [1]}), [3, 12])


# --- ApplyAdam ------------------------------------------------------------------------------------

def _adam_graph(shape, dtype, use_nesterov=False, use_locking=False):
    rng = np.random.default_rng(3)
    w = tf.Variable(rng.standard_normal(shape).astype(dtype))
    g = tf.placeholder(dtype, shape)
    opt = tf.train.AdamOptimizer(0.01, use_locking=use_locking)
    if use_nesterov:
        from minitf.ops.training_ops import apply_adam

        m = tf.Variable(np.zeros(shape, dtype))
        v = tf.Variable(np.zeros(shape, dtype))
        c = [tf.constant(a, dtype) for a in (0.9, 0.999, 0.01, 0.9, 0.999, 1e-7)]
        train = apply_adam(w, m, v, *c, g, use_nesterov=True)
    else:
        train = opt.apply_gradients([(g, w)])
    return w, g, train


@pytest.mark.parametrize("shape", [(3,), (7, 5), (300, 1000), (0, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("nesterov", [False, True])
def test_adam_fast_path_matches_reference(shape, dtype, nesterov, monkeypatch):
    from minitf.kernels.cpu import training_kernels

    monkeypatch.setattr(training_kernels, "_PARALLEL_MIN", 1024)  # split the large case
    w, g, train = _adam_graph(shape, dtype, nesterov)
    grads = [np.random.default_rng(i).standard_normal(shape).astype(dtype) for i in range(3)]
    results = []
    for ref_only in (False, True):
        from minitf.kernels.registry import reference_kernels_only

        with reference_kernels_only(ref_only), tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            with blas_limiter:
                for gv in grads:
                    sess.run(train, {g: gv})
            results.append(sess.run(w))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6 if dtype == np.float32
                               else 1e-13, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [2, 3])
def test_adam_pool_tasks_same_bits_as_one_call(dtype, threads, monkeypatch):
    """Large updates run as GIL-free pool tasks (training_tasks_jit): the same loop per block,
    so the same bits as one call over the whole variable."""
    from minitf.kernels.cpu import parallel, training_kernels

    if not parallel.blocks_ready():
        pytest.skip("no GIL-free pool blocks here")
    calls: list[int] = []
    real = parallel.run_blocks

    def counting(blocks, n):
        calls.append(len(blocks))
        real(blocks, n)

    monkeypatch.setattr(parallel, "run_blocks", counting)
    shape = (300, 1000)
    grads = [np.random.default_rng(i).standard_normal(shape).astype(dtype) for i in range(3)]
    config = tf.ConfigProto(intra_op_parallelism_threads=threads)
    results = []
    for split in (True, False):
        if not split:
            monkeypatch.setattr(training_kernels, "_TASK_MIN", 1 << 40)
            monkeypatch.setattr(training_kernels, "_PARALLEL_MIN", 1 << 40)
        tf.reset_default_graph()
        w, g, train = _adam_graph(shape, dtype)
        with tf.Session(config=config) as sess:
            sess.run(tf.global_variables_initializer())
            with blas_limiter:
                for gv in grads:
                    sess.run(train, {g: gv})
            results.append(sess.run(w))
        if split:
            assert calls and all(2 <= c <= threads for c in calls)
    assert np.array_equal(results[0], results[1])


def test_adam_fast_path_keeps_tf_errors():
    w, g, train = _adam_graph((2, 3), np.float32)
    with tf.Session() as sess:
        with pytest.raises(errors.FailedPreconditionError):
            sess.run(train, {g: np.ones((2, 3), np.float32)})
        sess.run(tf.global_variables_initializer())
        sess.run(train, {g: np.ones((2, 3), np.float32)})
        sess.run(train, {g: np.ones((3, 2), np.float32).T})  # a non-contiguous gradient


# --- convolution, pooling, activations ------------------------------------------------------------

def _conv_op(strides=(1, 1, 1, 1), padding="SAME", dilations=(1, 1, 1, 1)):
    return types.SimpleNamespace(_attrs=dict(
        T=dtypes.float32, strides=list(strides), padding=padding, explicit_paddings=[],
        data_format="NHWC", dilations=list(dilations)))


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("case", [
    ((4, 9, 9, 3), (3, 3, 3, 5), (1, 1, 1, 1), "SAME", (1, 1, 1, 1)),
    ((3, 11, 7, 16), (5, 5, 16, 8), (1, 2, 1, 1), "VALID", (1, 1, 1, 1)),
    ((2, 10, 10, 9), (3, 2, 9, 4), (1, 1, 1, 1), "SAME", (1, 2, 2, 1)),
    ((0, 5, 5, 2), (3, 3, 2, 2), (1, 1, 1, 1), "SAME", (1, 1, 1, 1)),
    ((64, 14, 14, 32), (5, 5, 32, 8), (1, 1, 1, 1), "SAME", (1, 1, 1, 1))])
def test_fused_conv2d_bias_matches_reference(relu, case):
    xs, ws, strides, padding, dil = case
    rng = np.random.default_rng(4)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[3]).astype(np.float32)
    fast = nn_conv.fused_conv2d_bias(_conv_op(strides, padding, dil), None, relu)
    with blas_limiter:
        got = fast(x, w, b)
        again = fast(x, w, b)
    want = bias_add_ref(nn_conv_reference.conv2d(
        x, w, strides=list(strides), padding=padding, explicit_paddings=[],
        data_format="NHWC", dilations=list(dil)), b, "NHWC")
    if relu:
        want = nn_activation_ops._relu_ref(want)
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-4)
    np.testing.assert_array_equal(got, again)
    assert fast(x.astype(np.float64), w, b) is None


def test_session_fuses_conv_bias_relu_and_matches_reference():
    from minitf.kernels.registry import reference_kernels_only

    rng = np.random.default_rng(5)
    xv = rng.standard_normal((3, 8, 8, 2)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 8, 8, 2])
    h = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu,
                         kernel_initializer=tf.constant_initializer(0.1),
                         bias_initializer=tf.constant_initializer(-0.2))
    loss = tf.reduce_sum(h * h)
    grads = tf.gradients(loss, [x] + tf.trainable_variables())
    outs = []
    for ref_only in (False, True):
        with reference_kernels_only(ref_only), tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            outs.append(sess.run([h] + grads, {x: xv}))
            if not ref_only:
                types_ = {s.type for s in list(sess._cache.values())[-1].plan.steps}
                assert "FusedConv2D" in types_
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name,ref", [("relu_flat", nn_activation_ops._relu_ref)])
def test_activation_split_over_the_pool_matches(name, ref):
    x = np.random.default_rng(6).standard_normal((1 << 20) + 13).astype(np.float32)
    x[::7] = np.nan
    kernel = nn_activation._unary(name, ref)(types.SimpleNamespace(
        _attrs=dict(T=dtypes.float32)), None)
    with blas_limiter:
        got = kernel(x)
    np.testing.assert_array_equal(got, ref(x))
    g = np.random.default_rng(7).standard_normal(x.shape).astype(np.float32)
    grad = nn_activation._binary("relu_grad_flat", nn_activation_ops._relu_grad_ref)(
        types.SimpleNamespace(_attrs=dict(T=dtypes.float32)), None)
    with blas_limiter:
        np.testing.assert_array_equal(grad(g, x), nn_activation_ops._relu_grad_ref(g, x))


def test_pooling_split_over_the_pool_matches():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((33, 28, 28, 32)).astype(np.float32)
    x[0, :2, :2, 0] = -np.inf
    op = types.SimpleNamespace(_attrs=dict(T=dtypes.float32, ksize=[1, 2, 2, 1],
                                           strides=[1, 2, 2, 1], padding="SAME",
                                           data_format="NHWC"))
    kw = dict(ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME", data_format="NHWC")
    pool = nn_pool._max_pool_factory(op, None)
    pool_grad = nn_pool._max_pool_grad_factory(op, None)
    with blas_limiter:
        y = pool(x)
        g = rng.standard_normal(y.shape).astype(np.float32)
        dx = pool_grad(x, y, g)
    np.testing.assert_array_equal(y, nn_conv_reference.max_pool(x, **kw))
    np.testing.assert_array_equal(dx, nn_conv_reference.max_pool_grad(x, y, g, **kw))


def test_matmul_module_is_registered():
    from minitf.kernels.registry import registered_kernels

    ks = registered_kernels()
    assert ("MatMul", "CPU") in ks and ("BatchMatMulV2", "CPU") in ks
    assert ks[("MatMul", "CPU")] is matmul._matmul_factory
