"""Cases for the sparse variable updates and CountUpTo (Variable, Assign ... are exempted in
core.py). Each case initializes its variable through a control dependency, so the case runs in a
fresh session."""

import numpy as np

import minitf as tf
from tests.ops.cases import case, rand


def _initialized(value):
    v = tf.Variable(value)
    return v, tf.control_dependencies([v.initializer])


def _scatter(fn, value, indices, updates):
    v, deps = _initialized(value)
    u = tf.placeholder(tf.float64, np.shape(updates))
    with deps:
        return fn(v, indices, u), {u: updates}


@case("ScatterUpdate", grad=False)
def scatter_update():
    return _scatter(tf.scatter_update, rand(4, 3), [3, 0], rand(2, 3))


@case("ScatterAdd", grad=False)
def scatter_add():
    return _scatter(tf.scatter_add, rand(4, 3), np.array([1, 1, 2], np.int64), rand(3, 3))


@case("ScatterSub", grad=False)
def scatter_sub():
    return _scatter(tf.scatter_sub, rand(4, 3), [2, 2], rand(2, 3))


@case("ScatterMul", grad=False)
def scatter_mul():
    return _scatter(tf.scatter_mul, rand(4), [0, 3, 0], rand(3))


@case("ScatterDiv", grad=False)
def scatter_div():
    return _scatter(tf.scatter_div, rand(4), [1], rand(1, low=0.5, high=1.0))


@case("CountUpTo", grad=False)
def count_up_to():
    v, deps = _initialized(np.int64(3))
    with deps:
        return tf.count_up_to(v, 10), {}
