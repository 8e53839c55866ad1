"""Static evaluation (``constant_value``) of array-op results, used by shape functions."""

import numpy as np

import minitf as tf
from minitf.framework.constant_value import constant_value, constant_value_as_shape


def test_rules_for_shapes_of_partially_known_tensors():
    x = tf.placeholder(tf.float32, [None, 3, 4])
    s = tf.shape(x)
    assert s.op.type == "Shape" and constant_value(s) is None
    assert int(constant_value(s[1])) == 3
    np.testing.assert_array_equal(constant_value(s[1:]), [3, 4])
    assert constant_value(s[0]) is None
    assert constant_value_as_shape(s[:2]).as_list() == [None, 3]
    assert constant_value_as_shape(tf.stack([s[0], 7])).as_list() == [None, 7]
    assert constant_value_as_shape(tf.concat([s[1:], [5]], 0)).as_list() == [3, 4, 5]


def test_generic_folding_uses_the_reference_on_small_constants():
    a = tf.constant([[1, 2], [3, 4]])
    np.testing.assert_array_equal(constant_value(tf.transpose(a)), [[1, 3], [2, 4]])
    np.testing.assert_array_equal(constant_value(tf.reverse(a, [1]) * 2), [[4, 2], [8, 6]])
    np.testing.assert_array_equal(constant_value(tf.gather(a, [1])), [[3, 4]])
    assert tf.reshape(tf.zeros([36]), tf.shape(a) * 3).get_shape().as_list() == [6, 6]


def test_no_folding_of_feedable_large_or_failing_values():
    d = tf.placeholder_with_default([1, 2], [2])
    assert constant_value(tf.identity(d)) is None
    big = tf.range(0, 5000)
    assert constant_value(tf.reverse(big, [0])) is None
    bad = tf.gather(tf.placeholder_with_default([1, 2], [2]) * 0 + [1, 2], [5])
    assert constant_value(bad) is None


def test_static_shape_from_folded_shape_arithmetic():
    x = tf.placeholder(tf.float32, [2, 3])
    y = tf.reshape(tf.zeros([54]), tf.shape(x) * 3)
    assert y.get_shape().as_list() == [6, 9]
    z = tf.fill(tf.shape(x)[::-1], 1.0)
    assert z.get_shape().as_list() == [3, 2]
