"""Cases for the control-flow ops: cond, while_loop (and their gradients), Assert, Print,
IdentityN, PyFunc."""

import numpy as np

import minitf as tf
from tests.ops.cases import case, exempt, placeholder64, rand

exempt("MinitfArg", "a branch/body input: fed by its construct; tests/ops/test_control_flow*.py")
exempt("MinitfEnvGet", "reads a forward value in a gradient: every cond/while gradient case")


def _cond(flag):
    x = placeholder64([2, 3])
    w = placeholder64([3])
    p = tf.placeholder(tf.bool, [])
    out = tf.cond(p, lambda: tf.sin(x) * w + x * x, lambda: tf.exp(x) - w)
    return out, {x: rand(2, 3), w: rand(3), p: flag}


@case("MinitfCond")
def cond_true():
    return _cond(True)


@case("MinitfCond")
def cond_false():
    return _cond(False)


@case("MinitfCond")
def cond_nested():
    x = placeholder64([3])
    p = tf.placeholder(tf.bool, [])
    out = tf.cond(p, lambda: tf.cond(tf.reduce_sum(x) > 0, lambda: x * x, lambda: -x),
                  lambda: tf.tanh(x))
    return out, {x: rand(3), p: True}


@case("MinitfWhile")
def while_loop():
    x = placeholder64([2, 2])
    w = placeholder64([2, 2])
    _, out = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, tf.matmul(a, w) + tf.sin(a)),
                           [tf.constant(0), x])
    return out, {x: rand(2, 2), w: rand(2, 2)}


@case("MinitfWhile")
def while_with_cond_inside():
    x = placeholder64([3])
    w = placeholder64([3])

    def body(i, a):
        return i + 1, tf.cond(tf.equal(i % 2, 0), lambda: a * w, lambda: tf.cos(a) + w)

    _, out = tf.while_loop(lambda i, a: i < 4, body, [tf.constant(0), x],
                           maximum_iterations=3)
    return out, {x: rand(3), w: rand(3)}


@case("Assert", grad=False)
def assert_():
    x = placeholder64([3])
    check = tf.Assert(tf.reduce_all(x < 2.0), ["x too large", x])
    with tf.control_dependencies([check]):
        return tf.identity(x), {x: rand(3)}


@case("Print")
def print_():
    x = placeholder64([3])
    return tf.Print(x * 2.0, [x], "x: ", first_n=0), {x: rand(3)}


@case("IdentityN")
def identity_n():
    x = placeholder64([3])
    y = placeholder64([2])
    a, b = tf.identity_n([x, y * 3.0])
    return tf.reduce_sum(a) + b, {x: rand(3), y: rand(2)}


@case("PyFunc", grad=False)
def py_func():
    x = placeholder64([3])
    return tf.py_func(lambda v: np.square(v), [x], tf.float64), {x: rand(3)}


@case("PyFuncStateless", grad=False)
def py_func_stateless():
    x = placeholder64([3])
    y = tf.py_func(lambda v: v + 1.0, [x], [tf.float64], stateful=False)[0]
    y.set_shape([3])
    return y, {x: rand(3)}
