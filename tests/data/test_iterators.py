"""Iterators against TF 1.x: one-shot, initializable (placeholders fed to the initializer),
reinitializable (from_structure + make_initializer), OutOfRangeError, FailedPreconditionError,
one advance per run, op names and types in the graph, compat.v1 functions."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from tests.data.util import assert_same_elements, drain

pytestmark = pytest.mark.tf


def _ops(mod):
    return [(op.name, op.type) for op in mod.get_default_graph().get_operations()]


def test_op_names_and_types_match_tf(tfv1):
    def build(t):
        x = t.placeholder(t.float32, [None, 3])
        ds = t.data.Dataset.from_tensor_slices(x).shuffle(10, seed=1).repeat(2).batch(2)
        ds = ds.take(3).skip(1).prefetch(1).cache()
        it = ds.make_initializable_iterator()
        it.get_next()
        return it

    build(tf)
    build(tfv1)
    # TF computes seed2 with a few ops (seed2/...); minitf makes one constant
    theirs = [(n, "Const" if n == "seed2" else t) for n, t in _ops(tfv1)
              if not n.startswith("seed2/") and t != "IteratorToStringHandle"]
    # (TF 2.x's make_initializable_iterator adds an unused IteratorToStringHandle)
    assert _ops(tf) == theirs, (_ops(tf), theirs)


def test_one_shot_iterator_names(tfv1):
    for t in (tf, tfv1):
        it = t.data.Dataset.range(3).make_one_shot_iterator()
        assert it.get_next().name == "IteratorGetNext:0"
        assert it.get_next().name == "IteratorGetNext_1:0"
        with pytest.raises(ValueError, match="does not have an initializer"):
            it.initializer  # noqa: B018


def test_initializable_iterator_with_placeholders(tfv1):
    data = np.arange(12, dtype=np.float32).reshape(6, 2)

    def run(t):
        x = t.placeholder(t.float32, [None, 2])
        n = t.placeholder(t.int64, [])
        it = t.data.Dataset.from_tensor_slices(x).batch(n).make_initializable_iterator()
        nxt = it.get_next()
        with t.Session() as sess:
            sess.run(it.initializer, {x: data, n: 4})
            first = drain(t, sess, nxt)
            sess.run(it.initializer, {x: data[:3] * 2, n: 2})
            second = drain(t, sess, nxt)
        return first + second, nxt.get_shape().as_list()

    mine, theirs = run(tf), run(tfv1)
    assert mine[1] == theirs[1] == [None, 2]
    assert_same_elements(mine[0], theirs[0])


def test_reinitializable_iterator(tfv1):
    def run(t):
        train = t.data.Dataset.range(10).map(lambda v: v * 2).batch(4)
        test = t.data.Dataset.range(3).batch(4)
        it = t.data.Iterator.from_structure(train.output_types, train.output_shapes)
        nxt = it.get_next()
        init_train, init_test = it.make_initializer(train), it.make_initializer(test)
        out = []
        with t.Session() as sess:
            for init in (init_train, init_test, init_train):
                sess.run(init)
                out.extend(drain(t, sess, nxt))
        return out, (init_train.name, init_test.name, init_train.type), nxt.get_shape().as_list()

    mine, theirs = run(tf), run(tfv1)
    assert_same_elements(mine[0], theirs[0])
    assert mine[1:] == theirs[1:]


def test_from_structure_with_nested_types(tfv1):
    def run(t):
        it = t.data.Iterator.from_structure({"a": t.int64, "b": (t.float32, t.int32)},
                                            {"a": [], "b": ([2], [None])})
        nxt = it.get_next()
        ds = t.data.Dataset.from_tensors({"a": np.int64(1),
                                          "b": (np.ones(2, np.float32), np.arange(3, dtype=np.int32))})
        init = it.make_initializer(ds)
        with t.Session() as sess:
            sess.run(init)
            return [sess.run(nxt)], {k: str(v) for k, v in sorted(
                {"a": nxt["a"].get_shape(), "b0": nxt["b"][0].get_shape(),
                 "b1": nxt["b"][1].get_shape()}.items())}

    mine, theirs = run(tf), run(tfv1)
    assert_same_elements(mine[0], theirs[0])
    assert mine[1] == theirs[1]


def test_make_initializer_rejects_other_types(tfv1):
    for t in (tf, tfv1):
        it = t.data.Iterator.from_structure(t.int64, [])
        with pytest.raises(TypeError):
            it.make_initializer(t.data.Dataset.from_tensors(1.0))
        with pytest.raises(ValueError, match="structure"):
            it.make_initializer(t.data.Dataset.from_tensors((np.int64(1), np.int64(2))))


def test_get_next_before_initializer_names_the_iterator():
    it = tf.data.Dataset.range(3).make_initializable_iterator()
    nxt = it.get_next()
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError,
                           match="not been initialized.*IteratorV2") as e:
            sess.run(nxt)
        assert e.value.op.name == "IteratorGetNext"
        sess.run(it.initializer)
        assert sess.run(nxt) == 0


def test_out_of_range_repeats_and_classic_loop(tfv1):
    for t in (tf, tfv1):
        nxt = t.data.Dataset.range(3).make_one_shot_iterator().get_next()
        with t.Session() as sess:
            got = []
            while True:
                try:
                    got.append(int(sess.run(nxt)))
                except t.errors.OutOfRangeError:
                    break
            assert got == [0, 1, 2]
            for _ in range(2):
                with pytest.raises(t.errors.OutOfRangeError):
                    sess.run(nxt)


def test_each_run_advances_once_whatever_is_fetched(tfv1):
    def run(t):
        a, b = t.data.Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 10)) \
            .make_one_shot_iterator().get_next()
        with t.Session() as sess:
            return [sess.run([a, b]), sess.run(a), sess.run(b), sess.run((b, a, a + b))]

    mine, theirs = run(tf), run(tfv1)
    assert [np.asarray(x).tolist() for x in mine] == [np.asarray(x).tolist() for x in theirs]
    assert np.asarray(mine[-1]).tolist() == [30, 3, 33]


def test_iterator_state_is_per_session():
    nxt = tf.data.Dataset.range(4).make_one_shot_iterator().get_next()
    with tf.Session() as s1, tf.Session() as s2:
        assert [s1.run(nxt), s1.run(nxt)] == [0, 1]
        assert s2.run(nxt) == 0
        assert s1.run(nxt) == 2


def test_one_shot_iterator_rejects_placeholders(tfv1):
    for t in (tf, tfv1):
        x = t.placeholder(t.int64, [])
        with pytest.raises(ValueError, match="Cannot capture a placeholder"):
            t.data.Dataset.range(3).map(lambda a, x=x: a + x).make_one_shot_iterator()


def test_compat_v1_functions():
    ds = tf.data.Dataset.range(3)
    it = tf.compat.v1.data.make_one_shot_iterator(ds)
    it2 = tf.compat.v1.data.make_initializable_iterator(ds)
    assert tf.compat.v1.data.get_output_types(ds) == tf.int64
    assert tf.data.get_output_shapes(it2).as_list() == []
    with tf.Session() as sess:
        assert sess.run(it.get_next()) == 0
        sess.run(it2.initializer)
        assert sess.run(it2.get_next()) == 0


def test_dataset_is_not_iterable_in_graph_mode():
    with pytest.raises(RuntimeError, match="__iter__"):
        iter(tf.data.Dataset.range(3))


def test_shared_name_shares_position_between_iterators():
    ds = tf.data.Dataset.range(5)
    a = ds.make_initializable_iterator(shared_name="shared")
    b = tf.data.Iterator.from_structure(tf.int64, [], shared_name="shared")
    na, nb = a.get_next(), b.get_next()
    with tf.Session() as sess:
        sess.run(a.initializer)
        assert [sess.run(na), sess.run(nb), sess.run(na)] == [0, 1, 2]


def test_feedable_iterator_switches_by_string_handle(tfv1):
    def run(t):
        train = t.data.Dataset.range(100).repeat()
        val = t.data.Dataset.range(50, 53)
        handle = t.placeholder(t.string, shape=[])
        it = t.data.Iterator.from_string_handle(handle, train.output_types, train.output_shapes)
        nxt = it.get_next()
        train_it = train.make_one_shot_iterator()
        val_it = val.make_initializable_iterator()
        with t.Session() as sess:
            th, vh = sess.run([train_it.string_handle(), val_it.string_handle()])
            out = [sess.run(nxt, {handle: th}) for _ in range(3)]
            sess.run(val_it.initializer)
            out += [sess.run(nxt, {handle: vh}) for _ in range(3)]
            with pytest.raises(t.errors.OutOfRangeError):
                sess.run(nxt, {handle: vh})
            out.append(sess.run(nxt, {handle: th}))
        return [int(v) for v in out], nxt.get_shape().as_list()

    assert run(tf) == run(tfv1) == ([0, 1, 2, 50, 51, 52, 3], [])


def test_feedable_iterator_checks_types():
    handle = tf.placeholder(tf.string, [])
    nxt = tf.data.Iterator.from_string_handle(handle, tf.float32, []).get_next()
    it = tf.data.Dataset.range(3).make_one_shot_iterator()
    with tf.Session() as sess:
        h = sess.run(it.string_handle())
        with pytest.raises(tf.errors.InvalidArgumentError, match="Expected types"):
            sess.run(nxt, {handle: h})
        with pytest.raises(tf.errors.InvalidArgumentError, match="No iterator"):
            sess.run(nxt, {handle: b"nope"})


def test_autotune_is_accepted():
    ds = tf.data.Dataset.range(4).map(lambda v: v + 1,
                                      num_parallel_calls=tf.data.experimental.AUTOTUNE)
    ds = ds.prefetch(tf.data.experimental.AUTOTUNE)
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert [int(v) for v in drain(tf, sess, nxt)] == [1, 2, 3, 4]
