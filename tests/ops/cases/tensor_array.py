"""Cases for the TensorArray ops (minitf/ops/tensor_array_ops.py)."""

import minitf as tf
from tests.ops.cases import case, placeholder64, rand


def _loop_written():
    x = placeholder64([4, 3])

    def body(i, ta, h):
        h = tf.tanh(h * x[i] + 0.5)
        return i + 1, ta.write(i, h), h

    _, ta, _ = tf.while_loop(lambda i, *_: i < 4, body,
                             [0, tf.TensorArray(tf.float64, size=4), tf.ones([3], tf.float64)])
    return ta.stack(), {x: rand(4, 3)}


@case("MinitfTensorArrayScatter")
def tensor_array_write_in_loop():
    return _loop_written()


@case("MinitfTensorArrayScatter")
def tensor_array_scatter():
    x = placeholder64([2, 3])
    ta = tf.TensorArray(tf.float64, size=4, element_shape=[3]).scatter([3, 1], x * x)
    return ta.stack(), {x: rand(2, 3)}


@case("MinitfTensorArrayGather")
def tensor_array_read_gather():
    x = placeholder64([4, 2])
    ta = tf.TensorArray(tf.float64, size=4).unstack(tf.sin(x))
    return ta.read(2) * ta.gather([0, 2, 2]), {x: rand(4, 2)}


@case("MinitfTensorArrayNew", grad=False)
def tensor_array_new():
    return tf.TensorArray(tf.float32, size=3, element_shape=[2]).stack(), {}


@case("MinitfTensorArrayScatterGrad", grad=False)
def tensor_array_scatter_grad():
    out, feeds = _loop_written()
    (x,) = feeds
    return tf.gradients(tf.reduce_sum(out * out), x)[0], feeds


@case("MinitfTensorArrayGatherGrad", grad=False)
def tensor_array_gather_grad():
    x = placeholder64([4, 2])
    ta = tf.TensorArray(tf.float64, size=4).unstack(x)
    y = tf.reduce_sum(ta.gather([1, 1, 3]) * ta.read(0))
    return tf.gradients(y, x)[0], {x: rand(4, 2)}
