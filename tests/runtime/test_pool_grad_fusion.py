"""The MaxPoolGrad + ReluGrad fusion (``runtime/rewrites/pool_grad.py``) and its kernel
(``nn_pool.fused_max_pool_grad_relu``): the same bits as the two ops' kernels, including NaN,
-inf, -0.0, ties and uncovered rows; the op-by-op fallback; the rewrite's conditions."""

from __future__ import annotations

import types

import numpy as np
import pytest

import minitf as tf
from minitf.framework import dtypes
from minitf.kernels.cpu import nn_activation, nn_pool
from minitf.kernels.cpu.parallel import blas_limiter
from minitf.ops import nn_activation_ops
from minitf.ops import nn_conv_reference as ref

L0 = tf.ConfigProto(graph_options=tf.GraphOptions(
    optimizer_options=tf.OptimizerOptions(opt_level=tf.OptimizerOptions.L0)))


def _pool_op(dt=dtypes.float32, ksize=(1, 2, 2, 1), strides=(1, 2, 2, 1), padding="VALID",
             fmt="NHWC"):
    return types.SimpleNamespace(_attrs=dict(T=dt, ksize=list(ksize), strides=list(strides),
                                             padding=padding, data_format=fmt))


def _op_by_op(x, y, g, op):
    grad = nn_pool._max_pool_grad_factory(op, None)(x, y, g)
    relu_grad = nn_activation._binary("relu_grad_flat", nn_activation_ops._relu_grad_ref)(
        types.SimpleNamespace(_attrs=dict(T=op._attrs["T"])), None)
    return relu_grad(grad, x)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("shape,padding", [((3, 8, 6, 5), "VALID"), ((2, 7, 9, 3), "VALID"),
                                           ((33, 28, 28, 32), "SAME"), ((1, 2, 2, 1), "SAME")])
def test_fused_kernel_matches_the_two_kernels_bit_for_bit(dt, shape, padding):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dt)
    x[x < 0.2] = 0                          # relu output: zeros, ties of zeros
    x.reshape(-1)[::11] = np.nan
    x.reshape(-1)[::13] = -np.inf
    flat = x.reshape(-1)
    flat[4:-1:17] = flat[5::17][:flat[4:-1:17].size]  # equal maxima side by side
    op = _pool_op(dtypes.as_dtype(dt), padding=padding)
    y = ref.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding=padding,
                     data_format="NHWC")
    g = rng.standard_normal(y.shape).astype(dt)
    g.reshape(-1)[::7] = -0.0
    fast = nn_pool.fused_max_pool_grad_relu(op, None)
    with blas_limiter:
        got = fast(x, y, g).copy()
        want = _op_by_op(x, y, g, op)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got.view(f"i{got.itemsize}"), want.view(f"i{want.itemsize}"))


def test_fast_path_declines_what_it_does_not_handle():
    x = np.ones((1, 7, 7, 2), np.float32)
    y = ref.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME",
                     data_format="NHWC")
    fast = nn_pool.fused_max_pool_grad_relu(_pool_op(padding="SAME"), None)
    assert fast(x, y, np.ones_like(y)) is None                # a window past the edge
    assert fast(x.astype(np.float64), y, np.ones_like(y)) is None
    assert fast(x, y, np.ones((1, 3, 3, 2), np.float32)) is None
    assert nn_pool.fused_max_pool_grad_relu(_pool_op(ksize=(1, 3, 3, 1)), None) is None
    assert nn_pool.fused_max_pool_grad_relu(_pool_op(fmt="NCHW"), None) is None


def _lenet_like(side):
    x = tf.placeholder(tf.float32, [None, side, side, 1])
    h = tf.layers.conv2d(x, 3, 3, padding="same", activation=tf.nn.relu,
                         kernel_initializer=tf.constant_initializer(0.3),
                         bias_initializer=tf.constant_initializer(-0.1))
    h = tf.layers.max_pooling2d(h, 2, 2, padding="same")
    loss = tf.reduce_sum(h * h)
    return x, loss, tf.gradients(loss, tf.trainable_variables())


@pytest.mark.parametrize("side", [8, 7])  # 7: SAME windows past the edge, the fallback runs
def test_session_fuses_and_matches_op_by_op(side):
    xv = np.random.default_rng(1).standard_normal((4, side, side, 1)).astype(np.float32)
    x, _, grads = _lenet_like(side)
    outs = []
    for config in (None, L0):
        with tf.Session(config=config) as sess:
            sess.run(tf.global_variables_initializer())
            outs.append(sess.run(grads, {x: xv}))
            labels = {s.label for s in list(sess._cache.values())[-1].plan.steps}
            assert ("FusedMaxPoolGradReluGrad" in labels) == (config is None)
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)


def test_not_fused_when_the_pool_gradient_is_fetched():
    xv = np.random.default_rng(2).standard_normal((2, 8, 8, 1)).astype(np.float32)
    x, loss, grads = _lenet_like(8)
    pool_grad = [op for op in tf.get_default_graph().get_operations()
                 if op.type == "MaxPoolGrad"][0].outputs[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(grads + [pool_grad], {x: xv})
        labels = {s.label for s in list(sess._cache.values())[-1].plan.steps}
    assert "FusedMaxPoolGradReluGrad" not in labels
