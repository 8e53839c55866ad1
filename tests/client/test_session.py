"""Session semantics: fetch structures, feeds and their checks, errors naming ops, pruning,
plan caching, default sessions, tracing, and the thread-pool scheduler."""

from __future__ import annotations

import collections
import json
import threading

import numpy as np
import pytest

import minitf as tf
from minitf.client import timeline


def test_fetch_structures():
    a = tf.constant(3)
    b = tf.constant([1.0, 2.0])
    with tf.Session() as sess:
        assert sess.run(a) == 3
        out = sess.run({"a": a, "b": [a, (a,)]})
        assert out["a"] == 3 and out["b"][0] == 3 and out["b"][1] == (3,)
        P = collections.namedtuple("P", "x y")
        p = sess.run(P(a, b))
        assert isinstance(p, P) and p.x == 3
        np.testing.assert_array_equal(p.y, [1.0, 2.0])
        assert sess.run(tf.no_op()) is None
        assert sess.run([a, tf.no_op(), b])[1] is None
        od = sess.run(collections.OrderedDict([("z", a), ("y", b)]))
        assert list(od) == ["z", "y"] and isinstance(od, collections.OrderedDict)
        dd = sess.run(collections.defaultdict(int, {"k": a}))
        assert dd["k"] == 3 and isinstance(dd, collections.defaultdict)
        assert sess.run("Const:0") == 3
        assert sess.run(["Const:0", a]) == [3, 3]


def test_fetch_errors():
    a = tf.constant(3)
    g = tf.Graph()
    with g.as_default():
        other = tf.constant(1)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="Fetch argument None"):
            sess.run(None)
        with pytest.raises(TypeError, match="has invalid type"):
            sess.run(3)
        with pytest.raises(ValueError, match="not an element of this graph"):
            sess.run(other)
        with pytest.raises(ValueError):
            sess.run("nope:0")
        assert sess.run(a) == 3


def test_scalar_and_array_results_types():
    with tf.Session() as sess:
        v = sess.run(tf.constant(2.5))
        assert type(v) is np.float32
        arr = sess.run(tf.constant([1, 2]))
        assert arr.dtype == np.int32
        s = sess.run(tf.constant("hello"))
        assert s == b"hello"


def test_fetched_arrays_are_copies_of_constants():
    c = tf.constant([1.0, 2.0])
    with tf.Session() as sess:
        first = sess.run(c)
        first[0] = 99.0
        np.testing.assert_array_equal(sess.run(c), [1.0, 2.0])


def test_feeds_and_their_checks():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = x * 2.0
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [[1, 2, 3]]}), [[2, 4, 6]])
        np.testing.assert_array_equal(sess.run(y, {"x:0": np.ones((2, 3))}), np.full((2, 3), 2))
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(1, 1\)"):
            sess.run(y, {x: [[1.0]]})
        with pytest.raises(ValueError):
            sess.run(y, {x: [["a", "b", "c"]]})
        with pytest.raises(TypeError, match="The value of a feed cannot be a tf.Tensor"):
            sess.run(y, {x: tf.constant(np.ones((1, 3), np.float32))})
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
            sess.run(y, {3: 1})
    i = tf.placeholder(tf.int32)
    with tf.Session() as sess:
        with pytest.raises(TypeError, match="larger type"):
            sess.run(i, {i: 2 ** 40})
        assert sess.run(i, {i: 1.7}) == 1  # numpy cast, as TF


def test_missing_feed_names_placeholder_and_line():
    x = tf.placeholder(tf.float32, [None, 3], name="inputs")
    y = x + 1.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y)
    msg = str(info.value)
    assert "You must feed a value for placeholder tensor 'inputs' with dtype float and shape" \
           " [?,3]" in msg
    assert "[[node inputs (defined at" in msg and __file__ in msg
    assert info.value.op is x.op
    assert info.value.error_code == tf.errors.INVALID_ARGUMENT


def test_feeding_any_tensor_cuts_graph():
    x = tf.placeholder(tf.float32, [], name="never_fed")
    y = x * 2.0
    z = y + 1.0
    with tf.Session() as sess:
        assert sess.run(z, {y: 10.0}) == 11.0
        assert sess.run(y, {y: 4.0}) == 4.0


def test_runtime_error_names_op_and_file_line():
    x = tf.placeholder(tf.int32, [])
    y = tf.floordiv(10, x)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: 0})
    assert "Integer division by zero" in str(info.value)
    assert info.value.op is y.op
    assert f"{__file__}:" in str(info.value)


def test_pruning_only_runs_needed_ops():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    c = a + b
    bad = tf.placeholder(tf.float32, name="unfed")
    d = bad * 2.0  # would fail if run
    with tf.Session() as sess:
        assert sess.run(c) == 3.0
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        meta = tf.RunMetadata()
        sess.run(c, options=opts, run_metadata=meta)
        ran = [ns.node_name for ds in meta.step_stats.dev_stats for ns in ds.node_stats]
        assert d.op.name not in ran and bad.op.name not in ran
        assert c.op.name in ran
        ns = meta.step_stats.dev_stats[0].node_stats[0]
        assert ns.all_start_micros > 0 and ns.timeline_label
        trace = json.loads(timeline.Timeline(meta.step_stats).generate_chrome_trace_format())
        names = [e.get("args", {}).get("name") for e in trace["traceEvents"]]
        assert c.op.name in names


def test_plans_are_cached_per_signature():
    x = tf.placeholder(tf.float32, [])
    y = x + 1.0
    with tf.Session() as sess:
        sess.run(y, {x: 1.0})
        n = len(sess._cache)
        for v in range(5):
            assert sess.run(y, {x: float(v)}) == v + 1.0
        assert len(sess._cache) == n
        sess.run([y, x], {x: 1.0})
        assert len(sess._cache) == n + 1


def test_graph_mutation_invalidates_plan():
    a = tf.constant(1.0)
    b = tf.identity(a)
    with tf.Session() as sess:
        assert sess.run(b) == 1.0
        c = tf.constant(5.0)
        b.op._update_input(0, c)
        assert sess.run(b) == 5.0


def test_default_session_eval_and_run():
    a = tf.constant(4)
    with pytest.raises(ValueError, match="No default session"):
        a.eval()
    with pytest.raises(ValueError, match="No default session"):
        a.op.run()
    sess = tf.Session()
    with sess.as_default():
        assert a.eval() == 4
        assert tf.get_default_session() is sess
    assert a.eval(session=sess) == 4
    g = tf.Graph()
    with g.as_default():
        other = tf.constant(1)
    with pytest.raises(ValueError, match="graph is different"):
        other.eval(session=sess)
    sess.close()


def test_interactive_session_installs_itself():
    sess = tf.InteractiveSession()
    try:
        a = tf.constant(2) * 3
        assert a.eval() == 6
        assert tf.get_default_session() is sess
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_make_callable():
    x = tf.placeholder(tf.float32, [])
    y = x * x
    with tf.Session() as sess:
        f = sess.make_callable(y, [x])
        assert f(3.0) == 9.0
        g = sess.make_callable([y, tf.no_op()], [x])
        assert g(2.0) == [4.0, None]


def test_session_target_not_supported():
    with pytest.raises(tf.errors.UnimplementedError):
        tf.Session("grpc://localhost:2222")


def test_thread_pool_results_are_deterministic():
    x = tf.placeholder(tf.float64, [64])
    branches = []
    for i in range(16):
        h = x
        for j in range(6):
            h = tf.sigmoid(h * (1.0 + 0.01 * i) + 0.1 * j)
        branches.append(h)
    total = tf.add_n(branches)
    feed = {x: np.linspace(-1, 1, 64)}
    with tf.Session() as sess:
        expected = sess.run(total, feed)
    config = tf.ConfigProto(inter_op_parallelism_threads=4)
    with tf.Session(config=config) as sess:
        for _ in range(5):
            np.testing.assert_array_equal(sess.run(total, feed), expected)
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        meta = tf.RunMetadata()
        np.testing.assert_array_equal(sess.run(total, feed, options=opts, run_metadata=meta),
                                      expected)
        assert sum(len(d.node_stats) for d in meta.step_stats.dev_stats) >= 16 * 6


def test_thread_pool_errors_propagate():
    x = tf.placeholder(tf.int32, [])
    parts = [tf.floordiv(10 + i, x) for i in range(10)]
    s = tf.add_n(parts)
    with tf.Session(config=tf.ConfigProto(inter_op_parallelism_threads=3)) as sess:
        assert sess.run(s, {x: 1}) == sum(10 + i for i in range(10))
        with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
            sess.run(s, {x: 0})


def test_concurrent_runs_from_threads():
    x = tf.placeholder(tf.float32, [])
    y = x * 2.0 + 1.0
    sess = tf.Session()
    errors = []

    def worker(k):
        try:
            for i in range(200):
                assert sess.run(y, {x: float(i + k)}) == 2.0 * (i + k) + 1.0
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sess.close()
    assert not errors


def test_list_devices():
    with tf.Session() as sess:
        names = [d.name for d in sess.list_devices()]
    assert "/job:localhost/replica:0/task:0/device:CPU:0" in names


@pytest.mark.tf
def test_session_semantics_match_tf(tfv1):
    def build(t):
        a = t.constant(3)
        b = t.constant([1.0, 2.0])
        x = t.placeholder(t.float32, [None])
        return a, b, x, x * 2.0

    results = []
    for mod in (tf, tfv1):
        a, b, x, y = build(mod)
        with mod.Session() as sess:
            out = sess.run({"a": a, "l": [b, (a,)], "y": y}, {x: [1.0, 2.0]})
            results.append(out)
        mod.reset_default_graph()
    ours, theirs = results
    assert ours["a"] == theirs["a"] and type(ours["a"]) is type(theirs["a"])
    np.testing.assert_array_equal(ours["l"][0], theirs["l"][0])
    assert ours["l"][1] == theirs["l"][1]
    np.testing.assert_array_equal(ours["y"], theirs["y"])
    assert ours["y"].dtype == theirs["y"].dtype
