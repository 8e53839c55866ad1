"""Cases of the queue ops: each fills a queue (control dependencies) and fetches one result."""

import numpy as np

import minitf as tf
from tests.ops.cases import case, placeholder64, rand


def _filled(queue_cls, *args, **kwargs):
    x = placeholder64([4, 3])
    q = queue_cls(*args, dtypes=[tf.float64], shapes=[[3]], **kwargs)
    return q, q.enqueue_many([x]), {x: rand(4, 3)}


@case("FIFOQueueV2", grad=False)
@case("QueueEnqueueManyV2", grad=False)
@case("QueueDequeueManyV2", grad=False)
def _():
    q, enq, feeds = _filled(tf.FIFOQueue, 5)
    with tf.control_dependencies([enq]):
        return q.dequeue_many(3), feeds


@case("PaddingFIFOQueueV2", grad=False)
@case("QueueEnqueueV2", grad=False)
def _():
    x = placeholder64([None])
    q = tf.PaddingFIFOQueue(5, [tf.float64], shapes=[[None]])
    with tf.control_dependencies([q.enqueue([x])]):
        with tf.control_dependencies([q.enqueue([x[:2]])]):
            return q.dequeue_many(2), {x: rand(4)}


@case("RandomShuffleQueueV2", grad=False)
@case("QueueCloseV2", grad=False)
@case("QueueDequeueUpToV2", grad=False)
def _():
    q, enq, feeds = _filled(tf.RandomShuffleQueue, 8, 0, seed=3)
    with tf.control_dependencies([enq]), tf.control_dependencies([q.close()]):
        return tf.reduce_sum(q.dequeue_up_to(6), 0), feeds  # a permutation's sum is fixed


@case("QueueDequeueV2", grad=False)
def _():
    q, enq, feeds = _filled(tf.FIFOQueue, 5)
    with tf.control_dependencies([enq]):
        return q.dequeue(), feeds


@case("QueueSizeV2", grad=False)
@case("QueueIsClosedV2", grad=False)
def _():
    q, enq, feeds = _filled(tf.FIFOQueue, 5)
    with tf.control_dependencies([enq]):
        return tf.cast(q.size(), tf.float64) + tf.cast(q.is_closed(), tf.float64) \
            + np.float64(0), feeds
