"""Cases for the random ops (seeded, so the kernel and reference runs draw the same values)."""

import numpy as np

import minitf as tf
from tests.ops.cases import case, rand


@case("RandomStandardNormal", grad=False)
def random_standard_normal():
    return tf.random_normal([3, 4], seed=1, dtype=tf.float64), {}


@case("RandomUniform", grad=False)
def random_uniform():
    return tf.random_uniform([2, 5], -1.0, 2.0, seed=2), {}


@case("RandomUniformInt", grad=False)
def random_uniform_int():
    return tf.random_uniform([6], -5, 5, dtype=tf.int64, seed=3), {}


@case("TruncatedNormal", grad=False)
def truncated_normal():
    return tf.truncated_normal([100], stddev=2.0, seed=4), {}


@case("RandomShuffle", grad=False)
def random_shuffle():
    x = tf.placeholder(tf.float64, [5, 2])
    return tf.random_shuffle(x, seed=5), {x: rand(5, 2)}


@case("Multinomial", grad=False)
def multinomial():
    logits = tf.placeholder(tf.float32, [2, 3])
    return tf.multinomial(logits, 10, seed=6), {logits: np.log([[0.2, 0.3, 0.5],
                                                               [0.6, 0.2, 0.2]])}
