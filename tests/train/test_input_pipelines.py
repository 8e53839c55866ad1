"""Queue-based input pipelines (producers, batch, shuffle_batch, QueueRunner, Coordinator)
against tensorflow.compat.v1 where the outcome is deterministic, and behavioural tests of the
threads. Sessions get an operation timeout and threads are joined with timeouts, so a bug fails
instead of hanging."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import minitf as tf

TIMEOUT_MS = 10_000


def _drain(mod, build, init_locals=True, limit=1000):
    """Runs the pipeline ``build(mod)`` with queue runners until OutOfRangeError."""
    fetch = build(mod)
    out = []
    with mod.Session(config=mod.ConfigProto(operation_timeout_in_ms=TIMEOUT_MS)) as sess:
        sess.run(mod.global_variables_initializer())
        if init_locals:
            sess.run(mod.local_variables_initializer())
        coord = mod.train.Coordinator()
        threads = mod.train.start_queue_runners(sess, coord)
        try:
            while len(out) < limit:
                out.append(sess.run(fetch))
        except mod.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    return out


def _assert_same(m, t):
    assert len(m) == len(t)
    for a, b in zip(m, t):
        if isinstance(b, (list, tuple)):
            assert len(a) == len(b)
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y)
                assert np.asarray(x).dtype == np.asarray(y).dtype
        else:
            np.testing.assert_array_equal(a, b)
            assert np.asarray(a).dtype == np.asarray(b).dtype


def _slices_batch(mod):
    data = np.arange(10, dtype=np.int64)
    x, y = mod.train.slice_input_producer([mod.constant(data), mod.constant(data * 0.5)],
                                          num_epochs=2, shuffle=False)
    return mod.train.batch([x, y], 3, allow_smaller_final_batch=True)


@pytest.mark.tf
def test_slice_producer_batch_values_match_tf(tfv1):
    m, t = _drain(tf, _slices_batch), _drain(tfv1, _slices_batch)
    _assert_same(m, t)
    assert [len(b[0]) for b in m] == [3] * 6 + [2]


@pytest.mark.tf
def test_string_producer_epochs_match_tf(tfv1):
    def build(mod):
        q = mod.train.string_input_producer(["a", "b", "c"], num_epochs=3, shuffle=False)
        return q.dequeue()

    m, t = _drain(tf, build), _drain(tfv1, build)
    assert m == t == [b"a", b"b", b"c"] * 3


@pytest.mark.tf
def test_range_producer_and_batch_without_smaller_final_batch(tfv1):
    def build(mod):
        i = mod.train.range_input_producer(7, num_epochs=1, shuffle=False).dequeue()
        return mod.train.batch([i * 2], 2, num_threads=1)

    m, t = _drain(tf, build), _drain(tfv1, build)
    _assert_same(m, t)
    assert len(m) == 3  # the seventh element is dropped


@pytest.mark.tf
def test_enqueue_many_and_dict_batches_match_tf(tfv1):
    def build(mod):
        x = mod.train.limit_epochs(mod.constant(np.arange(12.0).reshape(6, 2)), num_epochs=1)
        b = mod.train.batch({"x": x, "n": mod.reduce_sum(x, 1)}, 4, enqueue_many=True,
                            allow_smaller_final_batch=True)
        return b

    m, t = _drain(tf, build), _drain(tfv1, build)
    assert [sorted(d) for d in m] == [sorted(d) for d in t]
    for a, b in zip(m, t):
        for k in b:
            np.testing.assert_array_equal(a[k], b[k])


@pytest.mark.tf
def test_dynamic_pad_batch_matches_tf(tfv1):
    def build(mod):
        i = mod.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue()
        return mod.train.batch([mod.range(i + 1)], 2, dynamic_pad=True)

    m, t = _drain(tf, build), _drain(tfv1, build)
    _assert_same(m, t)


@pytest.mark.tf
def test_graph_names_shapes_and_collections_match_tf(tfv1):
    def build(mod):
        x = mod.constant([1.0, 2.0])
        y = mod.constant(3)
        outs = [mod.train.batch([x], 4), mod.train.batch((x, y), 4),
                mod.train.batch({"b": x, "a": y}, 4),
                mod.train.batch([x], 4, enqueue_many=True, allow_smaller_final_batch=True),
                mod.train.shuffle_batch([x, y], 5, 20, 10),
                mod.train.batch_join([[x, y], [x, y]], 3),
                mod.train.batch([mod.placeholder(mod.int32, [None])], 3, dynamic_pad=True)]
        mod.train.string_input_producer(["a", "b"], num_epochs=2)
        mod.train.range_input_producer(5)
        outs.append(mod.train.slice_input_producer([mod.constant([1, 2, 3]),
                                                    mod.constant([[1.0], [2.0], [3.0]])],
                                                   num_epochs=1, shuffle=False))
        g = mod.get_default_graph()
        ops = sorted((o.name, o.type) for o in g.get_operations())
        runners = [qr.name for qr in mod.get_collection(mod.GraphKeys.QUEUE_RUNNERS)]
        local = [v.name for v in mod.local_variables()]
        summaries = [s.name for s in mod.get_collection(mod.GraphKeys.SUMMARIES)]
        return _struct(outs), ops, runners, local, summaries

    m, t = build(tf), build(tfv1)
    assert m[0] == t[0]
    assert m[2:] == t[2:]
    assert m[1] == t[1]


def _struct(x):
    if isinstance(x, dict):
        return {k: _struct(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_struct(v) for v in x]
    return (x.name, str(x.get_shape()), x.dtype.name)


@pytest.mark.tf
def test_build_errors_match_tf(tfv1):
    for mod in (tf, tfv1):
        x = mod.constant([1.0])
        with pytest.raises(ValueError, match="All shapes must be fully defined"):
            mod.train.batch([mod.placeholder(mod.int32, [None])], 3)
        with pytest.raises(ValueError, match=r"Expected at least one tensor in batch\(\)"):
            mod.train.batch([], 3)
        with pytest.raises(ValueError, match="capacity 10 must be bigger than"):
            mod.train.shuffle_batch([x], 2, 10, 10)
        with pytest.raises(ValueError, match="requires a non-null input tensor"):
            mod.train.string_input_producer([])
        with pytest.raises(ValueError, match="Cannot infer Tensor's rank"):
            mod.train.batch([mod.placeholder(mod.int32)], 3)
        with pytest.raises(ValueError, match="must have a fully defined shape"):
            mod.train.input_producer(mod.placeholder(mod.int32, [None, None]))
        with pytest.raises(ValueError, match="num_epochs must be > 0"):
            mod.train.limit_epochs(x, 0)


def test_shuffle_batch_yields_a_permutation_per_epoch():
    def build(mod):
        i = mod.train.range_input_producer(50, num_epochs=1, shuffle=True, seed=4).dequeue()
        return mod.train.shuffle_batch([i], 8, capacity=30, min_after_dequeue=10, seed=5,
                                       num_threads=2, allow_smaller_final_batch=True)

    got = np.concatenate(_drain(tf, build))
    assert sorted(got.tolist()) == list(range(50))
    assert got.tolist() != list(range(50))


def test_shuffle_batch_join_yields_every_element_once():
    def build(mod):
        a = mod.train.range_input_producer(10, num_epochs=1, shuffle=False).dequeue()
        b = mod.train.range_input_producer(10, num_epochs=1, shuffle=False).dequeue() + 100
        return mod.train.shuffle_batch_join([[a], [b]], 4, capacity=12, min_after_dequeue=2,
                                            allow_smaller_final_batch=True)

    got = np.concatenate(_drain(tf, build))
    assert sorted(got.tolist()) == list(range(10)) + list(range(100, 110))


def test_string_producer_seeded_shuffle_repeats():
    def build(mod):
        return mod.train.string_input_producer([str(i) for i in range(8)], num_epochs=2,
                                               seed=3).dequeue()

    a, b = _drain(tf, build), _drain(tf, build)
    assert a == b and sorted(a) == sorted([str(i).encode() for i in range(8)] * 2)


# --- Coordinator and QueueRunner ------------------------------------------------------------------

def test_coordinator_join_reraises_the_first_exception():
    coord = tf.train.Coordinator()

    def worker(fail):
        with coord.stop_on_exception():
            if fail:
                raise ValueError("boom")
            while not coord.should_stop():
                time.sleep(0.01)

    ts = [threading.Thread(target=worker, args=(f,), daemon=True) for f in (False, True)]
    for t in ts:
        t.start()
    with pytest.raises(ValueError, match="boom"):
        coord.join(ts, stop_grace_period_secs=5)
    assert coord.joined and coord.should_stop()
    coord.clear_stop()
    assert not coord.should_stop()


def test_coordinator_clean_stop_and_stragglers():
    coord = tf.train.Coordinator()
    coord.request_stop(tf.errors.OutOfRangeError(None, None, "end"))
    coord.join([])  # OutOfRangeError is a clean stop
    coord = tf.train.Coordinator()
    ev = threading.Event()
    t = threading.Thread(target=ev.wait, args=(5,), daemon=True)
    coord.register_thread(t)
    t.start()
    coord.request_stop()
    with pytest.raises(RuntimeError, match="threads still running"):
        coord.join(stop_grace_period_secs=0.05)
    ev.set()
    t.join(5)


def test_coordinator_loop():
    coord = tf.train.Coordinator()
    calls = []
    looper = coord.loop(0.01, lambda: calls.append(1))
    time.sleep(0.1)
    coord.request_stop()
    coord.join([looper], stop_grace_period_secs=5)
    assert calls


def test_queue_runner_reports_errors_to_the_coordinator():
    q = tf.FIFOQueue(4, tf.float32, shapes=[[]])
    bad = q.enqueue(tf.debugging.check_numerics(tf.constant(np.nan, tf.float32), "bad"))
    qr = tf.train.QueueRunner(q, [bad])
    assert qr.name == q.name and qr.enqueue_ops == [bad]
    assert qr.close_op.type == qr.cancel_op.type == "QueueCloseV2"
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = qr.create_threads(sess, coord=coord, daemon=True, start=True)
        assert len(threads) == 2
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad"):
            coord.join(threads, stop_grace_period_secs=5)


def test_queue_runner_stops_on_request_and_closes_queue():
    q = tf.FIFOQueue(2, tf.int32, shapes=[[]])
    tf.train.add_queue_runner(tf.train.QueueRunner(q, [q.enqueue(1)] * 2))
    with tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=TIMEOUT_MS)) as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        assert len(threads) == 3 and all(t.daemon for t in threads)
        assert tf.train.start_queue_runners(sess, coord) == []  # already running
        assert sess.run(q.dequeue_many(5)).tolist() == [1] * 5
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
        assert sess.run(q.is_closed())


def test_start_queue_runners_needs_a_session():
    with pytest.raises(ValueError, match="No default session"):
        tf.train.start_queue_runners()
    with tf.Session() as sess:
        assert tf.train.start_queue_runners(sess, start=False) == []


def test_training_loop_consumes_a_pipeline():
    data = np.linspace(-1, 1, 64).astype(np.float32)
    x = tf.train.slice_input_producer([tf.constant(data)], num_epochs=5, shuffle=True,
                                      seed=1)[0]
    xb = tf.train.shuffle_batch([x, 3 * x + 1], 16, 100, 20, seed=2)
    w = tf.Variable(0.0)
    b = tf.Variable(0.0)
    loss = tf.reduce_mean(tf.square(w * xb[0] + b - xb[1]))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    steps = 0
    with tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=TIMEOUT_MS)) as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        try:
            while not coord.should_stop():
                sess.run(train)
                steps += 1
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
        wv, bv = sess.run([w, b])
    assert steps == 20  # 5 epochs of 64 / 16 (min_after_dequeue drained after the close)
    assert abs(wv - 3) < 0.2 and abs(bv - 1) < 0.2
