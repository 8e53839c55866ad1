"""TF 1.x queue-based input pipelines (``tf.train.*_input_producer``, ``tf.train.batch``,
``shuffle_batch`` and their ``_join`` forms), built from queues and QueueRunners as TF builds
them, with TF's op names."""

from __future__ import annotations

from typing import Any

import minitf as tf
from minitf.framework.graph import GraphKeys, name_scope
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import as_shape
from minitf.ops.data_flow_ops import FIFOQueue, PaddingFIFOQueue, QueueBase, RandomShuffleQueue
from minitf.rnn import nest
from minitf.train.queue_runner import QueueRunner, add_queue_runner

__all__ = ["limit_epochs", "input_producer", "string_input_producer", "range_input_producer",
           "slice_input_producer", "batch", "shuffle_batch", "batch_join", "shuffle_batch_join"]


def limit_epochs(tensor: Any, num_epochs: int | None = None, name: str | None = None) -> Tensor:
    """``tensor``, readable ``num_epochs`` times (then OutOfRangeError); the counter is a local
    variable (``tf.local_variables_initializer()``)."""
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    with name_scope(name, "limit_epochs", [tensor]) as scope:
        zero64 = tf.constant(0, dtype=tf.int64)
        epochs = tf.Variable(zero64, name="epochs", trainable=False,
                             collections=[GraphKeys.LOCAL_VARIABLES])
        counter = epochs.count_up_to(num_epochs)
        with tf.control_dependencies([counter]):
            return tf.identity(tensor, name=scope)


def input_producer(input_tensor: Any, element_shape: Any = None, num_epochs: int | None = None,
                   shuffle: bool = True, seed: int | None = None, capacity: int = 32,
                   shared_name: str | None = None, summary_name: str | None = None,
                   name: str | None = None, cancel_op: Any = None) -> QueueBase:
    """A FIFO queue fed with the rows of ``input_tensor`` (shuffled per epoch) by a
    QueueRunner; closed after ``num_epochs`` epochs."""
    with name_scope(name, "input_producer", [input_tensor]) as scope:
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        element_shape = input_tensor.get_shape()[1:].merge_with(as_shape(element_shape)) \
            if element_shape is not None else input_tensor.get_shape()[1:]
        if not element_shape.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or "
                             "`element_shape` must be specified")
        if shuffle:
            input_tensor = tf.random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        q = FIFOQueue(capacity=capacity, dtypes=[input_tensor.dtype.base_dtype],
                      shapes=[element_shape], shared_name=shared_name, name=scope)
        enq = q.enqueue_many([input_tensor])
        add_queue_runner(QueueRunner(q, [enq], cancel_op=cancel_op))
        if summary_name is not None:
            _summary(summary_name, tf.cast(q.size(), tf.float32) * (1.0 / capacity))
        return q


def _summary(name: str, value: Tensor) -> None:
    from minitf import summary

    summary.scalar(name, value)


def string_input_producer(string_tensor: Any, num_epochs: int | None = None,
                          shuffle: bool = True, seed: int | None = None, capacity: int = 32,
                          shared_name: str | None = None, name: str | None = None,
                          cancel_op: Any = None) -> QueueBase:
    """A queue of the strings (e.g. file names) in ``string_tensor``."""
    not_null_err = "string_input_producer requires a non-null input tensor"
    if not isinstance(string_tensor, Tensor) and not len(string_tensor):
        raise ValueError(not_null_err)
    with name_scope(name, "input_producer", [string_tensor]) as scope:
        string_tensor = convert_to_tensor(string_tensor, dtype=tf.string)
        with tf.control_dependencies([tf.Assert(tf.greater(tf.size(string_tensor), 0),
                                                [not_null_err])]):
            string_tensor = tf.identity(string_tensor)
        return input_producer(string_tensor, [], num_epochs, shuffle, seed, capacity,
                              shared_name, f"fraction_of_{capacity}_full", scope, cancel_op)


def range_input_producer(limit: Any, num_epochs: int | None = None, shuffle: bool = True,
                         seed: int | None = None, capacity: int = 32,
                         shared_name: str | None = None, name: str | None = None) -> QueueBase:
    """A queue of the integers 0 .. limit-1."""
    with name_scope(name, "input_producer", [limit]) as scope:
        range_tensor = tf.range(limit)
        return input_producer(range_tensor, [], num_epochs, shuffle, seed, capacity,
                              shared_name, f"fraction_of_{capacity}_full", scope)


def slice_input_producer(tensor_list: list[Any], num_epochs: int | None = None,
                         shuffle: bool = True, seed: int | None = None, capacity: int = 32,
                         shared_name: str | None = None, name: str | None = None
                         ) -> list[Tensor]:
    """One row (the same index) of each tensor per run, from a range_input_producer."""
    with name_scope(name, "input_producer", list(tensor_list)):
        tensors = [convert_to_tensor(t) for t in tensor_list]
        if not tensors:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        range_size = tf.shape(tensors[0])[0]
        queue = range_input_producer(range_size, num_epochs=num_epochs, shuffle=shuffle,
                                     seed=seed, capacity=capacity, shared_name=shared_name)
        index = queue.dequeue()
        return [tf.gather(t, index) for t in tensors]


# --- batching ------------------------------------------------------------------------------------

def _as_tensor_list(tensors: Any) -> list[Any]:
    if isinstance(tensors, dict):
        return [tensors[k] for k in sorted(tensors, key=str)]
    if isinstance(tensors, Tensor):
        raise TypeError("tf.train.batch: tensors must be a list, tuple or dict of tensors, "
                        "not a single Tensor")
    return nest.flatten(tensors)


def _as_original_type(original: Any, dequeued: Any) -> Any:
    if isinstance(original, dict):
        if not isinstance(dequeued, list):
            dequeued = [dequeued]
        return {k: dequeued[i] for i, k in enumerate(sorted(original, key=str))}
    if not isinstance(dequeued, list):
        return dequeued  # one component: a tensor (TF 1.x)
    if any(nest.is_nested(x) for x in original):
        return nest.pack_sequence_as(list(original), dequeued)
    return dequeued


def _shapes(tensor_list_list: list[list[Tensor]], shapes: Any, enqueue_many: bool) -> Any:
    if shapes is not None:
        return shapes
    out = []
    for i in range(len(tensor_list_list[0])):
        merged = None
        for tl in tensor_list_list:
            s = tl[i].get_shape()
            if s.ndims is None:
                raise ValueError(f"Cannot infer Tensor's rank: {tl[i]}")
            if enqueue_many:
                s = s.with_rank_at_least(1)[1:]
            merged = s if merged is None else merged.merge_with(s)
        out.append(merged)
    return out


def _validate(tensor_list_list: list[list[Any]], what: str) -> list[list[Tensor]]:
    out = [[convert_to_tensor(t) for t in tl] for tl in tensor_list_list]
    if not out or not out[0]:
        raise ValueError(f"Expected at least one tensor in {what}().")
    for tl in out[1:]:
        if len(tl) != len(out[0]):
            raise ValueError(f"All lists in {what}() must have the same length")
        for a, b in zip(tl, out[0]):
            if a.dtype.base_dtype != b.dtype.base_dtype:
                raise ValueError(f"All tensors in {what}() must have matching types")
    return out


def _make_batch(tensor_lists: list[Any], original: Any, what: str, batch_size: Any,
                capacity: int, enqueue_many: bool, shapes: Any, dynamic_pad: bool,
                allow_smaller_final_batch: bool, shared_name: str | None, name: str | None,
                num_threads: int = 1, shuffle: tuple[int, int | None] | None = None) -> Any:
    flat = [t for tl in tensor_lists for t in tl]
    with name_scope(name, what, flat) as scope:
        if shuffle is not None and capacity <= shuffle[0]:
            raise ValueError(f"capacity {capacity} must be bigger than min_after_dequeue "
                             f"{shuffle[0]}.")
        lists = _validate(tensor_lists, what)
        convert_to_tensor(True)  # TF's keep_input constant (smart_cond folds it)
        types = [t.dtype.base_dtype for t in lists[0]]
        shp = _shapes(lists, shapes, enqueue_many)
        queue: QueueBase
        if shuffle is not None:
            queue = RandomShuffleQueue(capacity=capacity, min_after_dequeue=shuffle[0],
                                       seed=shuffle[1], dtypes=types, shapes=shp,
                                       shared_name=shared_name)
        elif dynamic_pad:
            queue = PaddingFIFOQueue(capacity=capacity, dtypes=types, shapes=shp,
                                     shared_name=shared_name)
        else:
            queue = FIFOQueue(capacity=capacity, dtypes=types, shapes=shp,
                              shared_name=shared_name)
        enqueue = queue.enqueue_many if enqueue_many else queue.enqueue
        if len(lists) == 1:
            ops = [enqueue(lists[0])] * num_threads
        else:
            ops = [enqueue(tl) for tl in lists]
        add_queue_runner(QueueRunner(queue, ops))
        if shuffle is not None:
            mad = shuffle[0]
            full = tf.cast(tf.maximum(0, queue.size() - mad), tf.float32) * (
                1.0 / (capacity - mad))
            _summary(f"fraction_over_{mad}_of_{capacity - mad}_full", full)
        else:
            _summary(f"fraction_of_{capacity}_full",
                     tf.cast(queue.size(), tf.float32) * (1.0 / capacity))
        if allow_smaller_final_batch:
            dequeued = queue.dequeue_up_to(batch_size, name=scope)
        else:
            dequeued = queue.dequeue_many(batch_size, name=scope)
        return _as_original_type(original, dequeued)


def batch(tensors: Any, batch_size: Any, num_threads: int = 1, capacity: int = 32,
          enqueue_many: bool = False, shapes: Any = None, dynamic_pad: bool = False,
          allow_smaller_final_batch: bool = False, shared_name: str | None = None,
          name: str | None = None) -> Any:
    """Batches of ``tensors`` (a list, tuple or dict) from a FIFO queue filled by
    ``num_threads`` threads; ``dynamic_pad`` pads unknown dimensions."""
    return _make_batch([_as_tensor_list(tensors)], tensors, "batch", batch_size, capacity,
                       enqueue_many, shapes, dynamic_pad, allow_smaller_final_batch,
                       shared_name, name, num_threads)


def shuffle_batch(tensors: Any, batch_size: Any, capacity: int, min_after_dequeue: int,
                  num_threads: int = 1, seed: int | None = None, enqueue_many: bool = False,
                  shapes: Any = None, allow_smaller_final_batch: bool = False,
                  shared_name: str | None = None, name: str | None = None) -> Any:
    """Shuffled batches from a RandomShuffleQueue holding at least ``min_after_dequeue``."""
    return _make_batch([_as_tensor_list(tensors)], tensors, "shuffle_batch", batch_size,
                       capacity, enqueue_many, shapes, False, allow_smaller_final_batch,
                       shared_name, name, num_threads, (min_after_dequeue, seed))


def batch_join(tensors_list: list[Any], batch_size: Any, capacity: int = 32,
               enqueue_many: bool = False, shapes: Any = None, dynamic_pad: bool = False,
               allow_smaller_final_batch: bool = False, shared_name: str | None = None,
               name: str | None = None) -> Any:
    """Like batch, with one enqueue thread per entry of ``tensors_list``."""
    return _make_batch([_as_tensor_list(t) for t in tensors_list], tensors_list[0],
                       "batch_join", batch_size, capacity, enqueue_many, shapes, dynamic_pad,
                       allow_smaller_final_batch, shared_name, name)


def shuffle_batch_join(tensors_list: list[Any], batch_size: Any, capacity: int,
                       min_after_dequeue: int, seed: int | None = None,
                       enqueue_many: bool = False, shapes: Any = None,
                       allow_smaller_final_batch: bool = False,
                       shared_name: str | None = None, name: str | None = None) -> Any:
    """Like shuffle_batch, with one enqueue thread per entry of ``tensors_list``."""
    return _make_batch([_as_tensor_list(t) for t in tensors_list], tensors_list[0],
                       "shuffle_batch_join", batch_size, capacity, enqueue_many, shapes, False,
                       allow_smaller_final_batch, shared_name, name, 1,
                       (min_after_dequeue, seed))
