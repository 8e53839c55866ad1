"""Functions of map / filter / flat_map against TF 1.x: captures of constants, placeholders
and variables (their values when the iterator is initialized), nested functions, control flow
and stateful ops inside, and the function's ops in the graph."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from tests.data.util import assert_same_elements, drain, elements

pytestmark = pytest.mark.tf


def test_map_and_filter_capture_outer_tensors(tfv1):
    def build(t):
        scale = t.constant(3, dtype=t.int64)
        table = t.constant([5, 6, 7, 8], dtype=t.int64)
        return t.data.Dataset.range(8).map(lambda v: v * scale + t.gather(table, v % 4)) \
            .filter(lambda v: v > scale * 4)

    assert_same_elements(elements(tf, build), elements(tfv1, build))


def test_captured_placeholder_is_fed_with_the_initializer(tfv1):
    def run(t):
        k = t.placeholder(t.float32, [])
        it = t.data.Dataset.from_tensor_slices(np.arange(4, dtype=np.float32)) \
            .map(lambda v: v * k).filter(lambda v: v < k * 2.5).make_initializable_iterator()
        nxt = it.get_next()
        with t.Session() as sess:
            sess.run(it.initializer, {k: 2.0})
            a = drain(t, sess, nxt)
            sess.run(it.initializer, {k: -1.0})
            return a + drain(t, sess, nxt)

    assert_same_elements(run(tf), run(tfv1))


def test_captured_variable_is_read_when_the_iterator_starts(tfv1):
    def run(t):
        v = t.Variable(10, dtype=t.int64)
        it = t.data.Dataset.range(4).map(lambda x: x + v).make_initializable_iterator()
        nxt = it.get_next()
        assign = v.assign(100)
        with t.Session() as sess:
            sess.run(v.initializer)
            sess.run(it.initializer)
            a = [sess.run(nxt)]
            sess.run(assign)
            a.append(sess.run(nxt))
            sess.run(it.initializer)
            a.append(sess.run(nxt))
        return a

    mine, theirs = run(tf), run(tfv1)
    assert_same_elements(mine, theirs)
    assert [int(x) for x in mine] == [10, 11, 100]


def test_flat_map_with_inner_map_capturing_the_element(tfv1):
    def build(t):
        return t.data.Dataset.range(1, 4).flat_map(
            lambda n: t.data.Dataset.range(n).map(lambda i: (n, i * n)))

    assert_same_elements(elements(tf, build), elements(tfv1, build))


def test_cond_and_while_inside_map(tfv1):
    def build(t):
        def fn(v):
            a = t.cond(v > 2, lambda: v * 10, lambda: v - 1)
            b = t.while_loop(lambda i, s: i < v, lambda i, s: (i + 1, s + i),
                             [t.constant(0, t.int64), t.constant(0, t.int64)])[1]
            return a, b
        return t.data.Dataset.range(6).map(fn)

    assert_same_elements(elements(tf, build), elements(tfv1, build))


def test_random_op_in_map_differs_per_element():
    ds = tf.data.Dataset.range(50).map(lambda v: tf.random_uniform([], seed=3))
    got = elements(tf, lambda t: ds)
    assert len(set(float(x) for x in got)) == 50
    tf.reset_default_graph()
    ds = tf.data.Dataset.range(50).map(lambda v: tf.random_uniform([], seed=3))
    again = elements(tf, lambda t: ds)
    np.testing.assert_array_equal(got, again)


def test_function_ops_are_in_the_graph_but_not_fetchable():
    ds = tf.data.Dataset.range(3).map(lambda v: v * 2)
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert "Dataset_map_lambda/mul" in names
    arg = tf.get_default_graph().get_tensor_by_name("Dataset_map_lambda/args_0:0")
    assert arg.get_shape().as_list() == [] and arg.dtype == tf.int64
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="argument of a tf.data"):
            sess.run(arg)
        assert sess.run(nxt) == 0
    with pytest.raises(ValueError, match="Cannot use"):
        tf.identity(tf.get_default_graph().get_tensor_by_name("Dataset_map_lambda/mul:0"))


def test_map_returning_the_element_and_outer_values(tfv1):
    def build(t):
        c = t.constant([1.5, 2.5])
        return t.data.Dataset.range(3).map(lambda v: (v, c, 7))

    assert_same_elements(elements(tf, build), elements(tfv1, build))


def test_map_function_shapes_follow_static_inference(tfv1):
    def shapes(t):
        ds = t.data.Dataset.from_tensor_slices(np.zeros((5, 3, 4), np.float32))
        ds = ds.map(lambda a: (t.reshape(a, [-1]), t.reduce_sum(a, axis=0), t.shape(a)))
        return [s.as_list() for s in ds.output_shapes], [d.name for d in ds.output_types]

    assert shapes(tf) == shapes(tfv1)


def test_error_in_map_function_surfaces_from_get_next():
    ds = tf.data.Dataset.range(3).map(lambda v: tf.reshape(tf.fill([v], v), [2]))
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError):
        sess.run(nxt)


def test_flat_map_returning_an_outer_dataset(tfv1):
    def build(t):
        inner = t.data.Dataset.range(2)
        return t.data.Dataset.range(3).flat_map(lambda v: inner)

    assert_same_elements(elements(tf, build), elements(tfv1, build))
