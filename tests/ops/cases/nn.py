"""Cases for the nn ops (every op type registered by minitf/ops/nn_*.py).

The numba kernel modules are imported here so that the registry tests compare them with the
numpy references even before minitf/kernels/cpu/__init__.py imports them.
"""

import numpy as np

import minitf as tf
from minitf.framework.op_def_library import apply_op
from minitf.kernels.cpu import (  # noqa: F401 - registers the nn kernels
    nn_activation,
    nn_bias,
    nn_conv,
    nn_pool,
    nn_softmax,
)
from minitf.ops import nn_activation_ops as act
from minitf.ops import nn_conv_ops as conv
from minitf.ops import nn_embedding_ops as emb
from minitf.ops import nn_pooling_ops as pool
from tests.ops.cases import away_from_zero, case, placeholder64, rand

# --- activations ---------------------------------------------------------------------------------


def _unary(fn, shape=(3, 4), value=None):
    x = placeholder64(shape)
    return fn(x), {x: away_from_zero(*shape) * 3 if value is None else value}


@case("Relu")
def relu():
    return _unary(tf.nn.relu)


@case("Relu6")
def relu6():
    x = placeholder64([4, 5])
    v = np.linspace(-2.05, 8.05, 20).reshape(4, 5)
    v[np.abs(v - 6) < 0.1] += 0.3
    return tf.nn.relu6(x), {x: v}


@case("Elu")
def elu():
    return _unary(tf.nn.elu)


@case("Selu")
def selu():
    return _unary(tf.nn.selu)


@case("LeakyRelu")
def leaky_relu():
    return _unary(lambda x: tf.nn.leaky_relu(x, alpha=0.3))


@case("Softplus")
def softplus():
    return _unary(tf.nn.softplus)


@case("Softsign")
def softsign():
    return _unary(tf.nn.softsign)


def _grad_op(fn, second=None):
    g, x = placeholder64([3, 4]), placeholder64([3, 4])
    xv = away_from_zero(3, 4) * 3 if second is None else second
    return fn(g, x), {g: rand(3, 4), x: xv}


@case("ReluGrad")
def relu_grad():
    return _grad_op(act.relu_grad)


@case("Relu6Grad")
def relu6_grad():
    v = np.array([[-1.0, 0.5, 2.0, 5.5], [6.5, 3.0, -0.3, 7.0], [0.4, 5.0, 1.0, -2.0]])
    return _grad_op(act.relu6_grad, v)


@case("EluGrad")
def elu_grad():
    return _grad_op(act.elu_grad)


@case("SeluGrad")
def selu_grad():
    return _grad_op(act.selu_grad)


@case("LeakyReluGrad")
def leaky_relu_grad():
    return _grad_op(lambda g, x: act.leaky_relu_grad(g, x, alpha=0.1))


@case("SoftplusGrad")
def softplus_grad():
    return _grad_op(act.softplus_grad)


@case("SoftsignGrad")
def softsign_grad():
    return _grad_op(act.softsign_grad)


@case("Softmax")
def softmax():
    return _unary(tf.nn.softmax, (3, 5), rand(3, 5) * 4)


@case("Softmax")
def softmax_axis0():
    return _unary(lambda x: tf.nn.softmax(x, axis=0), (3, 5), rand(3, 5) * 4)


@case("LogSoftmax")
def log_softmax():
    return _unary(tf.nn.log_softmax, (2, 3, 4), rand(2, 3, 4) * 4)


# --- convolution ---------------------------------------------------------------------------------

@case("Conv2D")
def conv2d_same():
    x, w = placeholder64([2, 5, 6, 3]), placeholder64([3, 2, 3, 4])
    return tf.nn.conv2d(x, w, [1, 2, 1, 1], "SAME"), {x: rand(2, 5, 6, 3), w: rand(3, 2, 3, 4)}


@case("Conv2D")
def conv2d_valid_dilated():
    x, w = placeholder64([1, 7, 7, 2]), placeholder64([2, 3, 2, 2])
    y = tf.nn.conv2d(x, w, 1, "VALID", dilations=[1, 2, 2, 1])
    return y, {x: rand(1, 7, 7, 2), w: rand(2, 3, 2, 2)}


@case("Conv2D")
def conv2d_nchw_explicit():
    x, w = placeholder64([2, 2, 4, 5]), placeholder64([3, 3, 2, 3])
    y = tf.nn.conv2d(x, w, [1, 1, 2, 2], [[0, 0], [0, 0], [1, 2], [0, 1]], data_format="NCHW")
    return y, {x: rand(2, 2, 4, 5), w: rand(3, 3, 2, 3)}


@case("Conv2DBackpropInput")
def conv2d_backprop_input():
    w, dy = placeholder64([3, 3, 2, 3]), placeholder64([2, 3, 3, 3])
    y = conv.conv2d_backprop_input(np.array([2, 5, 6, 2], np.int32), w, dy, [1, 2, 2, 1],
                                   "SAME")
    return y, {w: rand(3, 3, 2, 3), dy: rand(2, 3, 3, 3)}


@case("Conv2DBackpropInput")
def conv2d_transpose():
    x, w = placeholder64([1, 3, 3, 2]), placeholder64([3, 3, 4, 2])
    y = tf.nn.conv2d_transpose(x, w, [1, 6, 6, 4], [1, 2, 2, 1], padding="SAME")
    return y, {x: rand(1, 3, 3, 2), w: rand(3, 3, 4, 2)}


@case("Conv2DBackpropFilter")
def conv2d_backprop_filter():
    x, dy = placeholder64([2, 5, 6, 2]), placeholder64([2, 5, 3, 3])
    y = conv.conv2d_backprop_filter(x, np.array([2, 3, 2, 3], np.int32), dy, [1, 1, 2, 1],
                                    "SAME")
    return y, {x: rand(2, 5, 6, 2), dy: rand(2, 5, 3, 3)}


@case("DepthwiseConv2dNative")
def depthwise_conv2d():
    x, w = placeholder64([2, 5, 5, 3]), placeholder64([3, 3, 3, 2])
    y = tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME")
    return y, {x: rand(2, 5, 5, 3), w: rand(3, 3, 3, 2)}


@case("DepthwiseConv2dNative")
def depthwise_conv2d_nchw_rate():
    x, w = placeholder64([1, 2, 6, 6]), placeholder64([2, 2, 2, 2])
    y = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID", rate=[2, 2], data_format="NCHW")
    return y, {x: rand(1, 2, 6, 6), w: rand(2, 2, 2, 2)}


@case("DepthwiseConv2dNativeBackpropInput")
def depthwise_backprop_input():
    w, dy = placeholder64([3, 3, 2, 2]), placeholder64([1, 3, 3, 4])
    y = conv.depthwise_conv2d_native_backprop_input(np.array([1, 5, 5, 2], np.int32), w, dy,
                                                    [1, 2, 2, 1], "SAME")
    return y, {w: rand(3, 3, 2, 2), dy: rand(1, 3, 3, 4)}


@case("DepthwiseConv2dNativeBackpropFilter")
def depthwise_backprop_filter():
    x, dy = placeholder64([1, 5, 5, 2]), placeholder64([1, 3, 3, 4])
    y = conv.depthwise_conv2d_native_backprop_filter(x, np.array([3, 3, 2, 2], np.int32), dy,
                                                     [1, 2, 2, 1], "SAME")
    return y, {x: rand(1, 5, 5, 2), dy: rand(1, 3, 3, 4)}


@case("BiasAdd")
def bias_add():
    x, b = placeholder64([2, 3, 4]), placeholder64([4])
    return tf.nn.bias_add(x, b), {x: rand(2, 3, 4), b: rand(4)}


@case("BiasAdd")
def bias_add_nchw():
    x, b = placeholder64([2, 3, 2, 2]), placeholder64([3])
    return tf.nn.bias_add(x, b, data_format="NCHW"), {x: rand(2, 3, 2, 2), b: rand(3)}


@case("BiasAddGrad")
def bias_add_grad():
    g = placeholder64([2, 3, 4])
    return conv.bias_add_grad(g), {g: rand(2, 3, 4)}


@case("BiasAddGrad")
def bias_add_grad_nchw():
    g = placeholder64([2, 3, 2, 2])
    return conv.bias_add_grad(g, data_format="NCHW"), {g: rand(2, 3, 2, 2)}


# --- pooling -------------------------------------------------------------------------------------

def _distinct(*shape):
    """Values whose window maxima are unambiguous (no near-ties)."""
    n = int(np.prod(shape))
    return (np.random.default_rng(5).permutation(n) / n * 4 - 2).reshape(shape)


@case("MaxPool")
def max_pool():
    x = placeholder64([2, 5, 5, 3])
    return tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"), {x: _distinct(2, 5, 5, 3)}


@case("MaxPool")
def max_pool_nchw_overlapping():
    x = placeholder64([1, 2, 6, 5])
    y = tf.nn.max_pool(x, 3, 2, "VALID", data_format="NCHW")
    return y, {x: _distinct(1, 2, 6, 5)}


@case("MaxPoolGrad")
def max_pool_grad():
    x, g = placeholder64([2, 5, 5, 2]), placeholder64([2, 3, 3, 2])
    y = pool.max_pool_grad(x, tf.nn.max_pool(x, 3, 2, "SAME"), g, [1, 3, 3, 1], [1, 2, 2, 1],
                           "SAME")
    return y, {x: _distinct(2, 5, 5, 2), g: rand(2, 3, 3, 2)}


@case("MaxPoolGradGrad")
def max_pool_grad_grad():
    x, g = placeholder64([1, 4, 4, 2]), placeholder64([1, 4, 4, 2])
    y = pool.max_pool_grad_grad(x, tf.nn.max_pool(x, 2, 2, "VALID"), g, [1, 2, 2, 1],
                                [1, 2, 2, 1], "VALID")
    return y, {x: _distinct(1, 4, 4, 2), g: rand(1, 4, 4, 2)}


@case("AvgPool")
def avg_pool():
    x = placeholder64([2, 5, 5, 3])
    return tf.nn.avg_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"), {x: rand(2, 5, 5, 3)}


@case("AvgPool")
def avg_pool_nchw():
    x = placeholder64([1, 2, 4, 5])
    y = tf.nn.avg_pool(x, [1, 1, 2, 2], [1, 1, 1, 2], "VALID", data_format="NCHW")
    return y, {x: rand(1, 2, 4, 5)}


@case("AvgPoolGrad")
def avg_pool_grad():
    g = placeholder64([2, 3, 3, 2])
    y = pool.avg_pool_grad(np.array([2, 5, 5, 2], np.int32), g, [1, 3, 3, 1], [1, 2, 2, 1],
                           "SAME")
    return y, {g: rand(2, 3, 3, 2)}


# --- losses --------------------------------------------------------------------------------------

def _distribution(*shape):
    p = rand(*shape, low=0.1, high=1.0)
    return p / p.sum(axis=-1, keepdims=True)


@case("SoftmaxCrossEntropyWithLogits")
def softmax_xent_v2():
    x, z = placeholder64([4, 5]), placeholder64([4, 5])
    y = tf.nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=x)
    return y, {x: rand(4, 5) * 3, z: _distribution(4, 5)}


@case("SoftmaxCrossEntropyWithLogits")
def softmax_xent_backprop_output():
    x, z = placeholder64([3, 4]), placeholder64([3, 4])
    _, backprop = apply_op("SoftmaxCrossEntropyWithLogits", features=x, labels=z)
    return backprop, {x: rand(3, 4) * 3, z: _distribution(3, 4)}


@case("SoftmaxCrossEntropyWithLogits")
def softmax_xent_axis0_rank3():
    x, z = placeholder64([3, 2, 2]), placeholder64([3, 2, 2])
    y = tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x, dim=0)
    return y, {x: rand(3, 2, 2) * 3, z: np.moveaxis(_distribution(2, 2, 3), -1, 0)}


@case("SparseSoftmaxCrossEntropyWithLogits")
def sparse_softmax_xent():
    x = placeholder64([4, 5])
    y = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=np.array([0, 4, 2, 2], np.int64), logits=x)
    return y, {x: rand(4, 5) * 3}


@case("SparseSoftmaxCrossEntropyWithLogits")
def sparse_softmax_xent_backprop_rank3():
    x = placeholder64([2, 3, 4])
    y = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=np.array([[0, 3, 1], [2, 2, 0]], np.int32), logits=x)
    return y, {x: rand(2, 3, 4) * 3}


@case("SparseSoftmaxCrossEntropyWithLogits")
def sparse_softmax_xent_backprop_output():
    x = placeholder64([3, 4])
    _, backprop = apply_op("SparseSoftmaxCrossEntropyWithLogits", features=x,
                           labels=np.array([1, 0, 3], np.int32))
    return backprop, {x: rand(3, 4) * 3}


@case("L2Loss")
def l2_loss():
    x = placeholder64([3, 4])
    return tf.nn.l2_loss(x), {x: rand(3, 4)}


# --- normalization -------------------------------------------------------------------------------

def _fbn(op_type, fmt="NHWC", training=True):
    shape = (2, 3, 3, 4) if fmt == "NHWC" else (2, 4, 3, 3)
    x, s, o = placeholder64(shape), placeholder64([4]), placeholder64([4])
    feeds = {x: rand(*shape) * 2 + 0.5, s: rand(4, low=0.5, high=1.5), o: rand(4)}
    if training:
        mean = var = tf.constant(np.zeros(0))
    else:
        mean, var = placeholder64([4]), placeholder64([4])
        feeds.update({mean: rand(4), var: rand(4, low=0.5, high=1.5)})
    outs = apply_op(op_type, x=x, scale=s, offset=o, mean=mean, variance=var, epsilon=1e-3,
                    data_format=fmt, is_training=training)
    return outs, feeds


@case("FusedBatchNormV3")
def fused_batch_norm_v3_training():
    outs, feeds = _fbn("FusedBatchNormV3")
    return outs[0], feeds


@case("FusedBatchNormV3")
def fused_batch_norm_v3_inference_nchw():
    outs, feeds = _fbn("FusedBatchNormV3", "NCHW", training=False)
    return outs[0], feeds


@case("FusedBatchNorm")
def fused_batch_norm_v1():
    outs, feeds = _fbn("FusedBatchNorm")
    return outs[0], feeds


@case("FusedBatchNorm")
def fused_batch_norm_v1_inference():
    outs, feeds = _fbn("FusedBatchNorm", training=False)
    return outs[0], feeds


def _fbn_grad(op_type, fmt="NHWC", training=True):
    outs, feeds = _fbn(op_type.replace("Grad", ""), fmt, training)
    x = next(t for t in feeds if t.get_shape().ndims == 4)
    scale = outs[0].op.inputs[1]
    dy = placeholder64(x.get_shape().as_list())
    feeds[dy] = rand(*x.get_shape().as_list())
    fwd = outs[0].op
    r1, r2 = (fwd.outputs[3], fwd.outputs[4]) if training else (fwd.inputs[3], fwd.inputs[4])
    extra = {"reserve_space_3": fwd.outputs[5]} if op_type.endswith("V3") else {}
    grads = apply_op(op_type, y_backprop=dy, x=x, scale=scale, reserve_space_1=r1,
                     reserve_space_2=r2, epsilon=1e-3, data_format=fmt, is_training=training,
                     **extra)
    return grads, feeds


@case("FusedBatchNormGradV3")
def fused_batch_norm_grad_v3():
    grads, feeds = _fbn_grad("FusedBatchNormGradV3")
    return grads[0], feeds


@case("FusedBatchNormGradV3")
def fused_batch_norm_grad_v3_scale_nchw():
    grads, feeds = _fbn_grad("FusedBatchNormGradV3", "NCHW")
    return grads[1], feeds


@case("FusedBatchNormGradV3")
def fused_batch_norm_grad_v3_inference():
    grads, feeds = _fbn_grad("FusedBatchNormGradV3", training=False)
    return grads[0] + tf.reduce_sum(grads[1]), feeds


@case("FusedBatchNormGrad")
def fused_batch_norm_grad_v1():
    grads, feeds = _fbn_grad("FusedBatchNormGrad")
    return grads[0], feeds


@case("LRN")
def lrn():
    x = placeholder64([2, 2, 2, 6])
    y = tf.nn.lrn(x, depth_radius=2, bias=1.5, alpha=0.3, beta=0.75)
    return y, {x: rand(2, 2, 2, 6)}


@case("LRNGrad")
def lrn_grad():
    x, g = placeholder64([1, 2, 2, 5]), placeholder64([1, 2, 2, 5])
    kw = {"depth_radius": 1, "bias": 1.0, "alpha": 0.5, "beta": 0.75}
    y = apply_op("LRNGrad", input_grads=g, input_image=x, output_image=tf.nn.lrn(x, **kw), **kw)
    return y, {x: rand(1, 2, 2, 5), g: rand(1, 2, 2, 5)}


# --- embeddings and partitions -------------------------------------------------------------------

@case("DynamicPartition")
def dynamic_partition():
    x = placeholder64([5, 2])
    parts = emb.dynamic_partition(x, np.array([1, 0, 1, 2, 1], np.int32), 3)
    return parts[1], {x: rand(5, 2)}


@case("DynamicStitch")
def dynamic_stitch():
    a, b = placeholder64([2, 3]), placeholder64([3, 3])
    y = emb.dynamic_stitch([np.array([0, 3], np.int32), np.array([1, 2, 4], np.int32)], [a, b])
    return y, {a: rand(2, 3), b: rand(3, 3)}


@case("ParallelDynamicStitch")
def parallel_dynamic_stitch():
    p = placeholder64([6, 2])
    y = tf.nn.embedding_lookup([p[:3], p[3:]], np.array([[4, 1], [0, 5]], np.int32))
    return y, {p: rand(6, 2)}


@case("ParallelDynamicStitch")
def embedding_lookup_div_max_norm():
    p = placeholder64([5, 3])
    y = tf.nn.embedding_lookup([p[:3], p[3:]], np.array([4, 2, 0], np.int32),
                               partition_strategy="div", max_norm=0.5)
    return y, {p: rand(5, 3)}


# --- sampling, top-k -----------------------------------------------------------------------------

@case("LogUniformCandidateSampler", grad=False)
def log_uniform_candidate_sampler():
    s, t, e = tf.nn.log_uniform_candidate_sampler(np.array([[1], [7]], np.int64), 1, 5, True, 20,
                                                  seed=3)
    x = placeholder64([2])
    return tf.reduce_sum(t) + tf.cast(tf.reduce_sum(s), tf.float32) + tf.reduce_sum(e) + \
        tf.cast(tf.reduce_sum(x), tf.float32), {x: rand(2)}


@case("ComputeAccidentalHits", grad=False)
def compute_accidental_hits():
    idx, ids, w = tf.nn.compute_accidental_hits(np.array([[1, 2], [5, 7]], np.int64),
                                                np.array([2, 5, 1, 9, 7], np.int64), 2)
    return tf.cast(idx, tf.float32) * 10 + tf.cast(ids, tf.float32) + w * 0, {}


@case("TopKV2")
def top_k():
    x = placeholder64([3, 5])
    return tf.nn.top_k(x, 3).values, {x: _distinct(3, 5)}


@case("InTopKV2", grad=False)
def in_top_k():
    p = tf.placeholder(tf.float32, [3, 4])
    y = tf.nn.in_top_k(p, np.array([1, 3, 0], np.int32), 2)
    return y, {p: np.array([[0.1, 0.5, 0.4, 0.0], [1, 2, 3, 0], [np.nan, 1, 2, 3]], np.float32)}
