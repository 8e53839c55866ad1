"""Queues (FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue) against tensorflow.compat.v1, and
their blocking behaviour across threads. Sessions get an operation timeout so that a bug fails
with DeadlineExceededError instead of hanging the suite."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import minitf as tf

TIMEOUT_MS = 10_000


def _session(mod):
    return mod.Session(config=mod.ConfigProto(operation_timeout_in_ms=TIMEOUT_MS))


def _err(mod, sess, fetch):
    with pytest.raises(mod.errors.OpError) as info:
        sess.run(fetch)
    return type(info.value).__name__, _last_line(info.value.message)


def _last_line(msg):
    lines = [s for s in msg.splitlines() if s.strip() and not s.strip().startswith("[[")]
    return lines[-1].strip()


def _fifo_graph(mod):
    q = mod.FIFOQueue(3, [mod.int32, mod.float32], shapes=[[], [2]])
    ops = {"enqueue": q.enqueue([1, [2.0, 3.0]]),
           "enqueue_many": q.enqueue_many([[4, 5], [[1.0, 2.0], [3.0, 4.0]]]),
           "dequeue": q.dequeue(), "dequeue_many": q.dequeue_many(2),
           "dequeue_up_to": q.dequeue_up_to(2), "close": q.close(),
           "cancel": q.close(cancel_pending_enqueues=True), "size": q.size(),
           "is_closed": q.is_closed()}
    return q, ops


def _describe(x):
    if isinstance(x, (list, tuple)):
        return [_describe(t) for t in x]
    if hasattr(x, "dtype"):  # a tensor
        return (x.name, x.op.type, str(x.get_shape()), x.dtype.name)
    return (x.name, x.type, [i.name for i in x.inputs])


@pytest.mark.tf
def test_fifo_queue_graph_matches_tf(tfv1):
    mq, mops = _fifo_graph(tf)
    tq, tops = _fifo_graph(tfv1)
    assert mq.name == tq.name == "fifo_queue"
    assert [d.name for d in mq.dtypes] == [d.name for d in tq.dtypes]
    assert [s.as_list() for s in mq.shapes] == [s.as_list() for s in tq.shapes]
    assert mq.names is None and tq.names is None
    for k in mops:
        assert _describe(mops[k]) == _describe(tops[k]), k
    assert mq.queue_ref.op.type == tq.queue_ref.op.type == "FIFOQueueV2"
    assert mq.queue_ref.op.get_attr("capacity") == tq.queue_ref.op.get_attr("capacity") == 3
    assert [d.name for d in mq.queue_ref.op.get_attr("component_types")] == \
        [d.name for d in tq.queue_ref.op.get_attr("component_types")]


@pytest.mark.tf
def test_fifo_values_and_errors_match_tf(tfv1):
    def run(mod):
        _, o = _fifo_graph(mod)
        out = []
        with _session(mod) as sess:
            sess.run(o["enqueue_many"])
            sess.run(o["enqueue"])
            out.append(sess.run([o["size"], o["is_closed"]]))
            out.append(sess.run(o["dequeue"]))
            out.append(sess.run(o["dequeue_many"]))
            sess.run(o["enqueue"])
            sess.run(o["close"])
            out.append(sess.run(o["is_closed"]))
            out.append(_err(mod, sess, o["enqueue"])[0])
            out.append(_err(mod, sess, o["close"])[0])
            sess.run(o["cancel"])  # cancelling close on a closed queue is fine
            out.append(_err(mod, sess, o["dequeue_many"]))
            out.append(sess.run(o["dequeue_up_to"]))
            out.append(_err(mod, sess, o["dequeue"]))
            out.append(_err(mod, sess, o["dequeue_up_to"])[0])
        return out

    m, t = run(tf), run(tfv1)
    assert len(m) == len(t)
    for a, b in zip(m, t):
        if isinstance(a, tuple) and isinstance(a[0], str):
            assert a[0] == b[0]
            assert a[1].split("'")[0] == b[1].split("'")[0]
            assert a[1].split("'")[-1] == b[1].split("'")[-1]
        elif isinstance(a, list):
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y)
                assert np.asarray(x).dtype == np.asarray(y).dtype
        else:
            assert a == b


@pytest.mark.tf
def test_shape_errors_match_tf(tfv1):
    for mod in (tf, tfv1):
        q = mod.FIFOQueue(5, mod.int32, shapes=[[2]])
        with pytest.raises(ValueError, match="incompatible"):
            q.enqueue([[1, 2, 3]])
        with pytest.raises(ValueError, match="All shapes must be fully defined"):
            mod.FIFOQueue(5, mod.int32, shapes=[[None]])
        with pytest.raises(ValueError, match="Queue must have names"):
            q.enqueue({"a": 1})
        bad = q.enqueue(mod.placeholder_with_default([1, 2, 3], [None]))
        shapeless = mod.FIFOQueue(5, mod.int32)
        many = shapeless.dequeue_many(2)
        with _session(mod) as sess:
            name, msg = _err(mod, sess, bad)
            assert name == "InvalidArgumentError"
            assert msg == "Shape mismatch in tuple component 0. Expected [2], got [3]"
            name, msg = _err(mod, sess, many)
            assert name == "InvalidArgumentError"
            assert "require the components to have specified shapes" in msg


@pytest.mark.tf
def test_names_dict_and_single_component(tfv1):
    def build(mod):
        qn = mod.FIFOQueue(5, [mod.int32, mod.string], names=["a", "b"])
        enq = qn.enqueue({"a": 1, "b": "x"})
        d = qn.dequeue()
        q1 = mod.FIFOQueue(2, mod.int32, shapes=[[]])
        d1 = q1.dequeue()
        with _session(mod) as sess:
            sess.run(enq)
            sess.run(q1.enqueue(7))
            return ({k: _describe(v) for k, v in d.items()}, enq.name, _describe(d1),
                    sess.run(d), sess.run(d1))

    m, t = build(tf), build(tfv1)
    assert m[:3] == t[:3]
    assert m[3] == t[3] and m[4] == t[4]


@pytest.mark.tf
def test_padding_fifo_queue_matches_tf(tfv1):
    def build(mod):
        q = mod.PaddingFIFOQueue(10, [mod.int32, mod.string], shapes=[[None], []])
        x = mod.placeholder(mod.int32, [None])
        enq = q.enqueue([x, "s"])
        dm = q.dequeue_many(2)
        with _session(mod) as sess:
            sess.run(enq, {x: [1, 2, 3]})
            sess.run(enq, {x: [4]})
            return q.queue_ref.op.type, _describe(dm), sess.run(dm)

    m, t = build(tf), build(tfv1)
    assert m[:2] == t[:2]
    np.testing.assert_array_equal(m[2][0], t[2][0])
    np.testing.assert_array_equal(m[2][1], t[2][1])


@pytest.mark.tf
def test_random_shuffle_queue_graph_and_permutation(tfv1):
    for mod in (tf, tfv1):
        mod.set_random_seed(3)
        q = mod.RandomShuffleQueue(20, 5, mod.int64, shapes=[[]], seed=7)
        assert q.queue_ref.op.type == "RandomShuffleQueueV2"
        assert q.queue_ref.op.get_attr("min_after_dequeue") == 5
        assert q.queue_ref.op.get_attr("seed") == 3
        assert q.queue_ref.op.get_attr("seed2") == 7
    q = tf.RandomShuffleQueue(20, 5, tf.int64, shapes=[[]], seed=7)
    with _session(tf) as sess:
        sess.run(q.enqueue_many([np.arange(12)]))
        got = list(sess.run(q.dequeue_many(7)))  # leaves min_after_dequeue = 5
        assert sess.run(q.size()) == 5
        sess.run(q.close())
        got += list(sess.run(q.dequeue_up_to(10)))
    assert sorted(got) == list(range(12)) and got != list(range(12))
    assert tf.queue.RandomShuffleQueue is tf.RandomShuffleQueue


def test_random_shuffle_queue_waits_above_min_after_dequeue():
    q = tf.RandomShuffleQueue(10, 3, tf.int32, shapes=[[]], seed=1)
    enq = q.enqueue_many([[1, 2, 3]])
    with _session(tf) as sess:
        sess.run(enq)
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(q.dequeue(), options=tf.RunOptions(timeout_in_ms=50))
        sess.run(q.enqueue(4))
        assert sess.run(q.dequeue()) in (1, 2, 3, 4)


# --- blocking across threads -------------------------------------------------------------------

def test_dequeue_blocks_until_another_thread_enqueues():
    q = tf.FIFOQueue(2, tf.int32, shapes=[[]])
    deq, enq = q.dequeue(), q.enqueue(41)
    with _session(tf) as sess:
        t = threading.Thread(target=lambda: (time.sleep(0.1), sess.run(enq)), daemon=True)
        t.start()
        assert sess.run(deq) == 41
        t.join(5)
        assert not t.is_alive()


def test_enqueue_blocks_while_full():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    enq, deq = q.enqueue(1), q.dequeue()
    with _session(tf) as sess:
        sess.run(enq)
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(enq, options=tf.RunOptions(timeout_in_ms=50))
        done = threading.Event()
        t = threading.Thread(target=lambda: (sess.run(enq), done.set()), daemon=True)
        t.start()
        assert not done.wait(0.1)
        assert sess.run(deq) == 1
        assert done.wait(5)
        assert sess.run(deq) == 1


def test_close_unblocks_waiting_dequeue_and_cancel_unblocks_enqueue():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    deq, enq = q.dequeue(), q.enqueue(1)
    results = []

    def wait(fetch):
        try:
            sess.run(fetch)
            results.append("ok")
        except tf.errors.OpError as e:
            results.append(type(e).__name__)

    with _session(tf) as sess:
        t = threading.Thread(target=wait, args=(deq,), daemon=True)
        t.start()
        time.sleep(0.1)
        sess.run(q.close())
        t.join(5)
        assert results == ["OutOfRangeError"]
    q2 = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    enq2 = q2.enqueue(1)
    with _session(tf) as sess:
        sess.run(enq2)
        t = threading.Thread(target=wait, args=(enq2,), daemon=True)
        t.start()
        time.sleep(0.1)
        sess.run(q2.close(cancel_pending_enqueues=True))
        t.join(5)
        assert results[-1] == "CancelledError"
    del enq


def test_session_close_cancels_blocked_ops():
    q = tf.FIFOQueue(1, tf.int32, shapes=[[]])
    deq = q.dequeue()
    sess = _session(tf)
    results = []

    def wait():
        try:
            sess.run(deq)
        except tf.errors.OpError as e:
            results.append(type(e).__name__)

    t = threading.Thread(target=wait, daemon=True)
    t.start()
    time.sleep(0.1)
    sess.close()
    t.join(5)
    assert not t.is_alive() and results == ["CancelledError"]


@pytest.mark.tf
def test_run_timeout_raises_deadline_exceeded(tfv1):
    for mod in (tf, tfv1):
        q = mod.FIFOQueue(2, mod.int32)
        with mod.Session() as sess:
            t0 = time.monotonic()
            with pytest.raises(mod.errors.DeadlineExceededError):
                sess.run(q.dequeue(), options=mod.RunOptions(timeout_in_ms=50))
            assert time.monotonic() - t0 < 5


def test_queue_state_is_per_session():
    q = tf.FIFOQueue(3, tf.int32, shapes=[[]])
    enq, size = q.enqueue(1), q.size()
    with _session(tf) as s1, _session(tf) as s2:
        s1.run(enq)
        assert s1.run(size) == 1 and s2.run(size) == 0


def test_many_threads_producer_consumer():
    q = tf.FIFOQueue(4, tf.int32, shapes=[[]])
    x = tf.placeholder(tf.int32, [])
    enq, deq = q.enqueue(x), q.dequeue()
    with _session(tf) as sess:
        def produce(base):
            for i in range(50):
                sess.run(enq, {x: base + i})

        ts = [threading.Thread(target=produce, args=(k * 100,), daemon=True) for k in range(3)]
        for t in ts:
            t.start()
        got = [sess.run(deq) for _ in range(150)]
        for t in ts:
            t.join(5)
    assert sorted(got) == sorted(k * 100 + i for k in range(3) for i in range(50))


def test_dequeue_many_larger_than_capacity_and_restore_on_close():
    q = tf.FIFOQueue(2, tf.int32, shapes=[[]])
    x = tf.placeholder(tf.int32, [])
    enq, many, up_to = q.enqueue(x), q.dequeue_many(5), q.dequeue_up_to(5)
    with _session(tf) as sess:
        def produce():
            for i in range(7):
                sess.run(enq, {x: i})

        t = threading.Thread(target=produce, daemon=True)
        t.start()
        assert sess.run(many).tolist() == [0, 1, 2, 3, 4]
        t.join(5)
        sess.run(q.close())
        with pytest.raises(tf.errors.OutOfRangeError, match="requested 5, current size 2"):
            sess.run(many)
        assert sess.run(up_to).tolist() == [5, 6]  # a failed dequeue_many puts them back


def test_queue_namespace_and_graph_def_round_trip():
    assert tf.queue.FIFOQueue is tf.FIFOQueue and tf.queue.QueueBase is tf.QueueBase
    assert tf.queue.PaddingFIFOQueue is tf.PaddingFIFOQueue
    q = tf.FIFOQueue(4, [tf.int32, tf.float32], shapes=[[], [2]])
    q.dequeue_many(3, name="deq")
    graph_def = tf.get_default_graph().as_graph_def()
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(graph_def, name="")
        assert g.get_tensor_by_name("deq:1").get_shape().as_list() == [3, 2]


def test_blocking_runs_with_an_inter_op_pool():
    """Plans with queue ops run on the calling thread, not on the session's shared pool."""
    q = tf.FIFOQueue(1, tf.float32, shapes=[[]])
    x = tf.placeholder(tf.float32, [])
    enq = q.enqueue(x * 2.0 + 1.0 - 1.0)
    d = q.dequeue()
    y = tf.add_n([d * float(i) for i in range(10)])
    config = tf.ConfigProto(inter_op_parallelism_threads=2, operation_timeout_in_ms=TIMEOUT_MS)
    with tf.Session(config=config) as sess:
        results = []
        consumers = [threading.Thread(target=lambda: results.append(sess.run(y)), daemon=True)
                     for _ in range(3)]
        for t in consumers:
            t.start()
        time.sleep(0.1)
        for _ in range(3):
            sess.run(enq, {x: 1.0})
        for t in consumers:
            t.join(5)
        assert results == [90.0] * 3
