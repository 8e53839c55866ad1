"""Differential tests of convolution, pooling and bias_add against TensorFlow (``tfv1``):
values, gradients (Conv2DBackpropInput / Conv2DBackpropFilter, MaxPoolGrad ...), static
shapes with unknown batch, op names, SAME padding splits and build/run-time errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from minitf.framework import errors
from tests.ops.test_nn_ops import check_both, r

pytestmark = pytest.mark.tf

F32 = dict(rtol=1e-4, atol=1e-4, grad_rtol=1e-4, grad_atol=2e-4)
F64 = dict(rtol=1e-10, atol=1e-10)

CONV_CASES = [
    # x shape, filter shape, strides, padding, dilations
    ((2, 7, 7, 3), (3, 3, 3, 4), [1, 1, 1, 1], "SAME", [1, 1, 1, 1]),
    ((2, 8, 9, 2), (4, 2, 2, 3), [1, 2, 3, 1], "SAME", [1, 1, 1, 1]),
    ((1, 9, 8, 2), (3, 3, 2, 2), [1, 2, 2, 1], "VALID", [1, 1, 1, 1]),
    ((1, 9, 9, 2), (3, 2, 2, 3), [1, 1, 1, 1], "SAME", [1, 2, 2, 1]),
    ((3, 6, 5, 1), (5, 5, 1, 2), [1, 1, 1, 1], "SAME", [1, 1, 1, 1]),
    ((2, 5, 5, 3), (1, 1, 3, 4), [1, 2, 2, 1], "VALID", [1, 1, 1, 1]),
]


@pytest.mark.parametrize("xs,ws,strides,padding,dilations", CONV_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d(tfv1, xs, ws, strides, padding, dilations, dtype):
    x, w = r(*xs, dtype=dtype), r(*ws, seed=1, dtype=dtype)
    # TF's CPU kernels have no float64 dilated backprop (checked numerically in the registry)
    grads = dtype == np.float32 or dilations == [1, 1, 1, 1]
    check_both(tfv1, lambda m, a, b: m.nn.conv2d(a, b, strides, padding, dilations=dilations),
               x, w, shapes=[[None, *xs[1:]], None], grads=grads,
               **(F32 if dtype == np.float32 else F64))


def test_conv2d_lenet_shapes(tfv1):
    x, w1, w2 = r(8, 28, 28, 1), r(5, 5, 1, 32, seed=1) * 0.2, r(5, 5, 32, 64, seed=2) * 0.05

    def build(m, a, b, c):
        h = m.nn.relu(m.nn.conv2d(a, b, [1, 1, 1, 1], "SAME"))
        h = m.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        return m.nn.conv2d(h, c, [1, 1, 1, 1], "SAME", name="conv2")

    check_both(tfv1, build, x, w1, w2, shapes=[[None, 28, 28, 1], None, None], rtol=2e-4,
               atol=2e-4, grad_rtol=1e-3, grad_atol=1e-3)


def test_conv2d_int_strides_explicit_padding_and_name(tfv1):
    x, w = r(2, 6, 7, 2), r(3, 3, 2, 3, seed=1)
    check_both(tfv1, lambda m, a, b: m.nn.conv2d(a, b, 2, [[0, 0], [1, 2], [0, 1], [0, 0]],
                                                 name="c"), x, w, **F32)


def test_conv2d_nchw_matches_nhwc(tfv1):
    """TF's CPU kernels do not run NCHW: compare minitf NCHW with TF NHWC, transposed."""
    x, w = r(2, 3, 7, 6, seed=3), r(3, 3, 3, 4, seed=4)
    mine, _ = check_both(
        tfv1, lambda m, a, b: m.transpose(m.nn.conv2d(
            m.transpose(a, [0, 2, 3, 1]) if m is not mtf else a, b, [1, 1, 2, 2] if m is mtf
            else [1, 2, 2, 1], "SAME", data_format="NCHW" if m is mtf else "NHWC"),
            [0, 1, 2, 3] if m is mtf else [0, 3, 1, 2]), x, w, names=False, **F32)
    assert mine.outs[0].get_shape().as_list() == [2, 4, 4, 3]


def test_conv2d_transpose(tfv1):
    x, w = r(2, 4, 4, 3), r(3, 3, 5, 3, seed=1)
    check_both(tfv1, lambda m, a, b: m.nn.conv2d_transpose(a, b, [2, 8, 8, 5], [1, 2, 2, 1]),
               x, w, **F32)
    check_both(tfv1, lambda m, a, b: m.nn.conv2d_transpose(a, b, [2, 9, 9, 5], [1, 2, 2, 1],
                                                           padding="VALID", name="up"),
               x, w, **F32)


def test_conv2d_transpose_errors(tfv1):
    for mod in (mtf, tfv1):
        with mod.Graph().as_default():
            x, w = mod.ones([1, 4, 4, 3]), mod.ones([3, 3, 5, 2])
            with pytest.raises(ValueError, match="input channels|3 and 2"):
                mod.nn.conv2d_transpose(x, w, [1, 8, 8, 5], [1, 2, 2, 1])
    # TF 1.x also checks output_shape against the filter (TF 2.x's compat.v1 no longer does)
    with mtf.Graph().as_default(), pytest.raises(ValueError, match="output channels"):
        mtf.nn.conv2d_transpose(mtf.ones([1, 4, 4, 3]), mtf.ones([3, 3, 5, 3]), [1, 8, 8, 4],
                                [1, 2, 2, 1])


def test_conv2d_transpose_bad_out_backprop_size_is_a_run_time_error():
    with mtf.Graph().as_default():
        y = mtf.nn.conv2d_transpose(mtf.ones([1, 4, 4, 3]), mtf.ones([3, 3, 5, 3]),
                                    [1, 12, 12, 5], [1, 2, 2, 1])
        with mtf.Session() as sess, pytest.raises(errors.InvalidArgumentError,
                                                  match="out_backprop"):
            sess.run(y)


@pytest.mark.parametrize("strides,padding,rate", [([1, 1, 1, 1], "SAME", None),
                                                  ([1, 2, 2, 1], "VALID", None),
                                                  ([1, 1, 1, 1], "SAME", [2, 2])])
def test_depthwise_conv2d(tfv1, strides, padding, rate):
    x, w = r(2, 7, 7, 3), r(3, 3, 3, 2, seed=1)
    check_both(tfv1, lambda m, a, b: m.nn.depthwise_conv2d(a, b, strides, padding, rate=rate),
               x, w, shapes=[[None, 7, 7, 3], None], names=rate is None, **F32)


def test_conv2d_second_derivatives(tfv1):
    x, w = r(1, 5, 5, 2, dtype=np.float64), r(3, 3, 2, 2, seed=1, dtype=np.float64)

    def build(m, a, b):
        y = m.nn.conv2d(a, b, [1, 2, 2, 1], "SAME")
        gx, gw = m.gradients(m.reduce_sum(y * y), [a, b])
        return [gx, gw]

    check_both(tfv1, build, x, w, names=False, **F64)


def test_conv2d_build_errors(tfv1):
    cases = [
        (lambda m: m.nn.conv2d(m.placeholder(m.float32, [None, 8, 8, 3]), m.ones([3, 3, 4, 2]),
                               [1, 1, 1, 1], "SAME"), "Depth of input"),
        (lambda m: m.nn.conv2d(m.ones([1, 3, 3, 3]), m.ones([5, 5, 3, 2]), [1, 1, 1, 1],
                               "VALID"), "Negative dimension size caused by subtracting 5 "
                                         "from 3"),
        (lambda m: m.nn.conv2d(m.ones([1, 3, 3, 3]), m.ones([3, 3, 3, 2]), [1, 1, 1],
                               "SAME"), "strides should be of length 1, 2 or 4"),
        (lambda m: m.nn.conv2d(m.ones([1, 3, 3]), m.ones([3, 3, 3, 2]), 1, "SAME"), "rank"),
        (lambda m: m.nn.conv2d(m.ones([1, 3, 3, 3]), m.ones([3, 3, 3, 2]), 1, "FOO"),
         "FOO"),
    ]
    for build, msg in cases:
        for mod in (mtf, tfv1):
            with mod.Graph().as_default(), pytest.raises(ValueError, match=msg):
                build(mod)
    with mtf.Graph().as_default():
        try:
            mtf.nn.conv2d(mtf.ones([1, 3, 3, 3]), mtf.ones([5, 5, 3, 2]), 1, "VALID")
        except ValueError as e:
            assert "'Conv2D'" in str(e) and "[1,3,3,3], [5,5,3,2]" in str(e)


def test_conv2d_batch_stride_is_a_run_time_error():
    with mtf.Graph().as_default():
        y = mtf.nn.conv2d(mtf.ones([2, 4, 4, 1]), mtf.ones([2, 2, 1, 1]), [2, 1, 1, 1], "SAME")
        with mtf.Session() as sess, pytest.raises(errors.InvalidArgumentError,
                                                  match="batch and depth"):
            sess.run(y)


def test_conv2d_depth_mismatch_at_run_time():
    with mtf.Graph().as_default():
        x = mtf.placeholder(mtf.float32, [None, None, None, None])
        y = mtf.nn.conv2d(x, mtf.ones([2, 2, 3, 1]), 1, "SAME")
        with mtf.Session() as sess, pytest.raises(errors.InvalidArgumentError, match="depth"):
            sess.run(y, {x: np.ones((1, 4, 4, 2), np.float32)})


# --- bias ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 5, 3), (2, 2, 2, 2, 3)])
def test_bias_add(tfv1, shape):
    check_both(tfv1, lambda m, a, b: m.nn.bias_add(a, b), r(*shape), r(3, seed=1))


def test_bias_add_nchw(tfv1):
    check_both(tfv1, lambda m, a, b: m.nn.bias_add(a, b, data_format="NCHW", name="b"),
               r(2, 3, 4, 5), r(3, seed=1))


def test_bias_add_second_derivative(tfv1):
    x, b = r(2, 3, 4, dtype=np.float64), r(4, seed=1, dtype=np.float64)

    def build(m, a, c):
        (gb,) = m.gradients(m.reduce_sum(m.nn.bias_add(a, c) ** 2), c)
        return m.gradients(m.reduce_sum(gb * gb), [a, c])

    check_both(tfv1, build, x, b, names=False, **F64)


def test_bias_add_errors(tfv1):
    for mod in (mtf, tfv1):
        with mod.Graph().as_default(), pytest.raises(ValueError, match="3 and 4"):
            mod.nn.bias_add(mod.placeholder(mod.float32, [None, 8, 8, 3]), mod.ones([4]))
    with pytest.raises(ValueError, match="data_format"):
        mtf.nn.bias_add(mtf.ones([2, 3]), mtf.ones([3]), data_format="HWCN")


# --- pooling -------------------------------------------------------------------------------------

POOL_CASES = [([1, 2, 2, 1], [1, 2, 2, 1], "SAME"), ([1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
              ([1, 3, 2, 1], [1, 1, 2, 1], "VALID"), (2, 2, "VALID"), ([3, 3], [2, 1], "SAME")]


@pytest.mark.parametrize("ksize,strides,padding", POOL_CASES)
@pytest.mark.parametrize("kind", ["max_pool", "avg_pool"])
def test_pooling(tfv1, kind, ksize, strides, padding):
    x = np.random.default_rng(0).permutation(2 * 7 * 6 * 3).reshape(2, 7, 6, 3)
    x = (x / x.size).astype(np.float32)
    check_both(tfv1, lambda m, a: getattr(m.nn, kind)(a, ksize, strides, padding), x,
               shapes=[[None, 7, 6, 3]])


def test_max_pool_ties_route_to_first_maximum(tfv1):
    x = np.round(r(1, 6, 6, 2) * 1.5).astype(np.float32)
    check_both(tfv1, lambda m, a: m.nn.max_pool(a, 3, 2, "SAME", name="mp"), x)


def test_pooling_second_derivatives(tfv1):
    x = np.random.default_rng(1).permutation(50).reshape(1, 5, 5, 2).astype(np.float64) / 50

    def build(m, a):
        outs = []
        for fn in (m.nn.max_pool, m.nn.avg_pool):
            (g,) = m.gradients(m.reduce_sum(fn(a, 2, 2, "SAME") ** 2), a)
            outs.append(g)
            outs.extend(m.gradients(m.reduce_sum(g * g * a), a))
        return outs

    check_both(tfv1, build, x, names=False, **F64)


def test_pooling_nchw_matches_nhwc():
    x = r(2, 3, 7, 6)
    with mtf.Graph().as_default():
        a = mtf.placeholder(mtf.float32, [None, 3, 7, 6])
        outs = [mtf.nn.max_pool(a, [1, 1, 3, 3], [1, 1, 2, 2], "SAME", data_format="NCHW"),
                mtf.nn.avg_pool(a, [1, 1, 3, 3], [1, 1, 2, 2], "SAME", data_format="NCHW")]
        grads = [mtf.gradients(mtf.reduce_sum(o * o), a)[0] for o in outs]
        b = mtf.placeholder(mtf.float32, [None, 7, 6, 3])
        refs = [mtf.nn.max_pool(b, 3, 2, "SAME"), mtf.nn.avg_pool(b, 3, 2, "SAME")]
        rgrads = [mtf.gradients(mtf.reduce_sum(o * o), b)[0] for o in refs]
        assert outs[0].get_shape().as_list() == [None, 3, 4, 3]
        with mtf.Session() as sess:
            got = sess.run(outs + grads, {a: x})
            want = sess.run(refs + rgrads, {b: x.transpose(0, 2, 3, 1)})
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w.transpose(0, 3, 1, 2), rtol=1e-6, atol=1e-6)


def test_pooling_errors(tfv1):
    for mod in (mtf, tfv1):
        with mod.Graph().as_default(), pytest.raises(ValueError):
            mod.nn.max_pool(mod.ones([1, 4, 4, 1]), [1, 2, 2], [1, 2, 2, 1], "SAME")
        with mod.Graph().as_default(), pytest.raises(ValueError):
            mod.nn.avg_pool(mod.ones([1, 2, 2, 1]), 3, 1, "VALID")
    with mtf.Graph().as_default():
        y = mtf.nn.max_pool(mtf.ones([2, 4, 4, 1]), [2, 2, 2, 1], [1, 2, 2, 1], "VALID")
        with mtf.Session() as sess, pytest.raises(errors.InvalidArgumentError,
                                                  match="batch dimension"):
            sess.run(y)


# --- composites ----------------------------------------------------------------------------------

@pytest.mark.parametrize("stride,padding", [(1, "SAME"), (2, "VALID")])
def test_conv1d(tfv1, stride, padding):
    x, w = r(2, 9, 3), r(3, 3, 4, seed=1)
    check_both(tfv1, lambda m, a, b: m.nn.conv1d(a, b, stride, padding), x, w,
               shapes=[[None, 9, 3], None], **F32)


def test_atrous_conv2d(tfv1):
    x, w = r(2, 9, 9, 2), r(3, 3, 2, 3, seed=1)
    check_both(tfv1, lambda m, a, b: m.nn.atrous_conv2d(a, b, 2, "SAME"), x, w, names=False,
               **F32)


def test_separable_conv2d(tfv1):
    x, dw, pw = r(2, 7, 7, 3), r(3, 3, 3, 2, seed=1), r(1, 1, 6, 4, seed=2)
    check_both(tfv1, lambda m, a, b, c: m.nn.separable_conv2d(a, b, c, [1, 1, 1, 1], "SAME"),
               x, dw, pw, **F32)


def test_crelu_relu_layer_swish_zero_fraction(tfv1):
    x, w, b = r(3, 4), r(4, 5, seed=1), r(5, seed=2)
    check_both(tfv1, lambda m, a: [m.nn.crelu(a), m.nn.zero_fraction(m.nn.relu(a))], x,
               names=False)
    check_both(tfv1, lambda m, a, c, d: m.nn.relu_layer(a, c, d), x, w, b)
    check_both(tfv1, lambda m, a: m.nn.swish(a), x, names=False)
