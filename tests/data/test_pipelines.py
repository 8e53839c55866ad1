"""Dataset pipelines against TF 1.x: element values, dtypes, shapes and order (no shuffle),
and static output_types / output_shapes / output_classes."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from tests.data.util import assert_same_elements, elements, structure_of

pytestmark = pytest.mark.tf

X = np.arange(24, dtype=np.float32).reshape(6, 4)
Y = np.arange(6, dtype=np.int64) * 10

PIPELINES = {
    "slices": lambda t: t.data.Dataset.from_tensor_slices(X),
    "slices_tuple": lambda t: t.data.Dataset.from_tensor_slices((X, Y)),
    "slices_dict": lambda t: t.data.Dataset.from_tensor_slices({"x": X, "y": Y}),
    "slices_nested": lambda t: t.data.Dataset.from_tensor_slices((X, {"a": Y, "b": (Y, X)})),
    "slices_list_is_tensor": lambda t: t.data.Dataset.from_tensor_slices([[1, 2], [3, 4]]),
    "slices_strings": lambda t: t.data.Dataset.from_tensor_slices(["a", "bc", "d"]),
    "strings_batch": lambda t: t.data.Dataset.from_tensor_slices(
        (["a", "bc", "d"], [[b"x", b"yy"]] * 3)).map(lambda a, b: (a, b)).batch(2),
    "from_tensors": lambda t: t.data.Dataset.from_tensors((X, Y)),
    "range1": lambda t: t.data.Dataset.range(5),
    "range2": lambda t: t.data.Dataset.range(2, 7),
    "range3": lambda t: t.data.Dataset.range(10, 1, -3),
    "batch": lambda t: t.data.Dataset.range(10).batch(3),
    "batch_drop": lambda t: t.data.Dataset.range(10).batch(3, drop_remainder=True),
    "batch_tuple": lambda t: t.data.Dataset.from_tensor_slices((X, Y)).batch(4),
    "batch_tuple_drop": lambda t: t.data.Dataset.from_tensor_slices((X, Y)).batch(
        4, drop_remainder=True),
    "batch_of_batch": lambda t: t.data.Dataset.range(12).batch(2).batch(3),
    "repeat": lambda t: t.data.Dataset.range(3).repeat(3),
    "repeat_batch": lambda t: t.data.Dataset.range(5).repeat(2).batch(4),
    "batch_repeat": lambda t: t.data.Dataset.range(5).batch(4).repeat(2),
    "take": lambda t: t.data.Dataset.range(10).take(4),
    "take_all": lambda t: t.data.Dataset.range(4).take(-1),
    "take_more": lambda t: t.data.Dataset.range(4).take(10),
    "skip": lambda t: t.data.Dataset.range(10).skip(7),
    "skip_all": lambda t: t.data.Dataset.range(10).skip(-1),
    "repeat_take": lambda t: t.data.Dataset.range(3).repeat().take(7),
    "skip_take_batch": lambda t: t.data.Dataset.range(20).skip(3).take(9).batch(4),
    "zip": lambda t: t.data.Dataset.zip((t.data.Dataset.range(5),
                                        t.data.Dataset.from_tensor_slices(X))),
    "zip_dict": lambda t: t.data.Dataset.zip({"a": t.data.Dataset.range(3),
                                              "b": t.data.Dataset.range(10, 20)}),
    "zip_nested": lambda t: t.data.Dataset.zip((t.data.Dataset.from_tensor_slices((X, Y)),
                                                t.data.Dataset.range(4))),
    "concatenate": lambda t: t.data.Dataset.range(3).concatenate(t.data.Dataset.range(5, 7)),
    "map": lambda t: t.data.Dataset.range(5).map(lambda v: v * 2),
    "map_tuple_args": lambda t: t.data.Dataset.from_tensor_slices((X, Y)).map(
        lambda a, b: (t.reduce_sum(a), b + 1)),
    "map_dict_arg": lambda t: t.data.Dataset.from_tensor_slices({"x": X, "y": Y}).map(
        lambda d: {"s": d["x"] * 2.0, "y": d["y"]}),
    "map_list_result": lambda t: t.data.Dataset.range(3).map(lambda v: [v, v * v]),
    "map_cast": lambda t: t.data.Dataset.range(4).map(lambda v: t.cast(v, t.float32) / 2),
    "map_parallel": lambda t: t.data.Dataset.range(6).map(lambda v: v + 1, num_parallel_calls=4),
    "map_then_batch": lambda t: t.data.Dataset.from_tensor_slices(X).map(
        lambda a: a[:2] * 3.0).batch(4),
    "filter": lambda t: t.data.Dataset.range(10).filter(lambda v: t.equal(v % 3, 0)),
    "filter_tuple": lambda t: t.data.Dataset.from_tensor_slices((X, Y)).filter(
        lambda a, b: a[0] > 5.0),
    "flat_map": lambda t: t.data.Dataset.range(4).flat_map(
        lambda v: t.data.Dataset.range(v)),
    "flat_map_slices": lambda t: t.data.Dataset.from_tensor_slices(X).flat_map(
        lambda row: t.data.Dataset.from_tensor_slices(row)),
    "padded_batch": lambda t: t.data.Dataset.range(5).map(
        lambda v: t.fill([v], v)).padded_batch(2, padded_shapes=[None]),
    "padded_batch_fixed": lambda t: t.data.Dataset.range(4).map(
        lambda v: t.fill([v], v)).padded_batch(3, padded_shapes=[5], padding_values=np.int64(-1)),
    "padded_batch_tuple": lambda t: t.data.Dataset.range(4).map(
        lambda v: (t.fill([v], v), v)).padded_batch(
        2, padded_shapes=([None], []), drop_remainder=True),
    "prefetch": lambda t: t.data.Dataset.range(4).prefetch(2),
    "cache_repeat": lambda t: t.data.Dataset.range(4).map(lambda v: v * 3).cache().repeat(2),
    "apply": lambda t: t.data.Dataset.range(6).apply(lambda d: d.batch(4)),
    "generator": lambda t: t.data.Dataset.from_generator(
        lambda: iter([(1, [1.0, 2.0]), (2, [3.0, 4.0])]), (t.int64, t.float32),
        (t.TensorShape([]), t.TensorShape([2]))),
    "generator_unknown_shape": lambda t: t.data.Dataset.from_generator(
        lambda: (np.arange(i) for i in range(4)), t.int32).repeat(2),
    "generator_args": lambda t: t.data.Dataset.from_generator(
        lambda n: iter(range(int(n))), t.int64, t.TensorShape([]), args=(3,)),
}


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_values_and_structure_match_tf(tfv1, name):
    build = PIPELINES[name]
    mine = elements(tf, build)
    theirs = elements(tfv1, build)
    assert_same_elements(mine, theirs)
    tf.reset_default_graph()
    tfv1.reset_default_graph()
    assert structure_of(tf, build(tf)) == structure_of(tfv1, build(tfv1))


@pytest.mark.parametrize("name", ["batch", "batch_drop", "batch_tuple_drop", "padded_batch",
                                  "padded_batch_tuple", "map_then_batch", "slices_nested"])
def test_get_next_static_shapes_match_tf(tfv1, name):
    def shapes(t):
        nxt = PIPELINES[name](t).make_one_shot_iterator().get_next()
        flat = [nxt] if not isinstance(nxt, (tuple, dict)) else _flat(nxt)
        return [(str(x.dtype.name), x.get_shape().as_list()) for x in flat]

    assert shapes(tf) == shapes(tfv1)


def _flat(x):
    if isinstance(x, dict):
        return [v for k in sorted(x) for v in _flat(x[k])]
    if isinstance(x, tuple):
        return [v for e in x for v in _flat(e)]
    return [x]


def test_batch_static_dim_with_drop_remainder():
    ds = tf.data.Dataset.from_tensor_slices(X).batch(4, drop_remainder=True)
    assert ds.output_shapes.as_list() == [4, 4]
    assert tf.data.Dataset.from_tensor_slices(X).batch(4).output_shapes.as_list() == [None, 4]


def test_batch_of_ragged_elements_fails_at_run_time():
    ds = tf.data.Dataset.range(3).map(lambda v: tf.fill([v], v)).batch(3)
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="Cannot batch tensors with different shapes"):
        sess.run(nxt)


def test_repeat_of_empty_dataset_ends():
    nxt = tf.data.Dataset.range(0).repeat().make_one_shot_iterator().get_next()
    with tf.Session() as sess, pytest.raises(tf.errors.OutOfRangeError):
        sess.run(nxt)


def test_cache_replays_the_first_pass():
    v = tf.Variable(0, dtype=tf.int64)
    bump = v.assign_add(1)
    with tf.control_dependencies([bump]):
        read = tf.identity(v)
    del read
    counter = []
    ds = tf.data.Dataset.range(3).map(
        lambda x: tf.py_func(lambda a: counter.append(1) or a, [x], tf.int64)).cache().repeat(3)
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        got = [int(sess.run(nxt)) for _ in range(9)]
    assert got == [0, 1, 2] * 3
    assert len(counter) == 3


def test_generator_errors_at_run_time():
    ds = tf.data.Dataset.from_generator(lambda: iter([[1, 2], [1, 2, 3]]), tf.int64,
                                        tf.TensorShape([2]))
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run(nxt).tolist() == [1, 2]
        with pytest.raises(tf.errors.InvalidArgumentError, match="shape"):
            sess.run(nxt)
    ds = tf.data.Dataset.from_generator(lambda: iter(["x"]), tf.float32)
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="expected type"):
        sess.run(nxt)
