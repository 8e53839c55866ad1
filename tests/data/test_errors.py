"""Bad arguments raise at build time: TF's error class (ValueError / TypeError), a message
naming the Dataset method."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

D = tf.data.Dataset

CASES = {
    "range0": (lambda t: t.data.Dataset.range(), ValueError, "Dataset.range"),
    "range4": (lambda t: t.data.Dataset.range(1, 2, 3, 4), ValueError, "Dataset.range"),
    "batch_float": (lambda t: t.data.Dataset.range(3).batch(1.5), TypeError, "batch"),
    "shuffle_str": (lambda t: t.data.Dataset.range(3).shuffle("a"), TypeError, "shuffle"),
    "take_float": (lambda t: t.data.Dataset.range(3).take(2.5), TypeError, "take"),
    "map_not_callable": (lambda t: t.data.Dataset.range(3).map(3), ValueError, "map"),
    "map_returns_none": (lambda t: t.data.Dataset.range(3).map(lambda v: None), ValueError,
                         "map"),
    "map_returns_op": (lambda t: t.data.Dataset.range(3).map(lambda v: t.no_op()), TypeError,
                       "map"),
    "filter_int": (lambda t: t.data.Dataset.range(3).filter(lambda v: v), ValueError,
                   "filter"),
    "filter_vector": (lambda t: t.data.Dataset.range(3).filter(
        lambda v: t.stack([v > 0, v > 1])), ValueError, "filter"),
    "zip_list": (lambda t: t.data.Dataset.zip([t.data.Dataset.range(3)]), TypeError, "zip"),
    "zip_int": (lambda t: t.data.Dataset.zip(3), TypeError, "zip"),
    "concatenate_types": (lambda t: t.data.Dataset.range(3).concatenate(
        t.data.Dataset.from_tensors(1.0)), TypeError, "concatenate"),
    "generator_not_callable": (lambda t: t.data.Dataset.from_generator(3, t.int64), TypeError,
                               "from_generator"),
    "generator_bad_type": (lambda t: t.data.Dataset.from_generator(lambda: iter([]), "nope"),
                           TypeError, "from_generator"),
    "slices_dims": (lambda t: t.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(4))),
                    ValueError, "from_tensor_slices"),
    "slices_scalar": (lambda t: t.data.Dataset.from_tensor_slices(3), ValueError,
                      "from_tensor_slices"),
    "padded_too_small": (lambda t: t.data.Dataset.from_tensors(np.zeros(5)).padded_batch(
        2, padded_shapes=[3]), ValueError, "padded_batch"),
    "padded_rank": (lambda t: t.data.Dataset.from_tensors(np.zeros(5)).padded_batch(
        2, padded_shapes=[3, 3]), ValueError, "padded_batch"),
    "padding_value_type": (lambda t: t.data.Dataset.from_tensors(np.zeros(5)).padded_batch(
        2, padded_shapes=[None], padding_values="x"), TypeError, "padded_batch"),
    "apply_not_dataset": (lambda t: t.data.Dataset.range(3).apply(lambda d: 3), TypeError,
                          "apply"),
    "from_structure_bad_type": (lambda t: t.data.Iterator.from_structure("nope"), TypeError,
                                "from_structure"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_build_time_errors(name):
    build, cls, where = CASES[name]
    with pytest.raises(cls, match=where):
        build(tf)


@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(CASES))
def test_error_classes_match_tf(tfv1, name):
    build, cls, _ = CASES[name]
    with pytest.raises(cls):
        build(tfv1)


def test_flat_map_must_return_a_dataset():
    with pytest.raises(TypeError, match="flat_map.*Dataset"):
        D.range(3).flat_map(lambda v: v)


def test_map_with_wrong_arity_raises_the_python_error():
    with pytest.raises(TypeError):
        D.from_tensor_slices((np.zeros(3), np.zeros(3))).map(lambda a: a)


def test_make_initializer_needs_a_dataset():
    it = tf.data.Iterator.from_structure(tf.int64, [])
    with pytest.raises(TypeError, match="make_initializer"):
        it.make_initializer(3)


def test_cache_to_a_file_is_not_implemented():
    with pytest.raises(NotImplementedError, match="cache"):
        D.range(3).cache("/tmp/x")


def test_run_time_errors():
    x = tf.placeholder(tf.int64, [])
    it = D.range(5).batch(x).make_initializable_iterator()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="Batch size must be greater than zero"):
        sess.run(it.initializer, {x: 0})
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None])
    y = tf.placeholder(tf.float32, [None])
    it = D.from_tensor_slices((x, y)).make_initializable_iterator()
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="same size in the 0th dimension"):
        sess.run(it.initializer, {x: [1, 2], y: [1, 2, 3]})
