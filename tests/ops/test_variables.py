"""tf.Variable (TF 1.x reference variables): graph structure, properties, collections, running,
errors — differential against TensorFlow where TF exposes the same thing."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.framework.indexed_slices import IndexedSlices


def graph_ops(mod):
    return [(op.name, op.type, tuple(t.name for t in op.inputs))
            for op in mod.get_default_graph().get_operations()]


def same_graph(build, tfv1):
    """Builds the same model code with minitf and TF; returns both op lists."""
    build(tf)
    build(tfv1)
    return graph_ops(tf), graph_ops(tfv1)


def _model(t):
    t.Variable(1.0)
    t.Variable([1, 2], name="w")
    t.Variable(np.zeros((2, 3), np.float64), name="w")
    t.Variable(t.constant([[1.0, 2.0]]), name="from_tensor")
    with t.name_scope("s"):
        t.Variable(3, name="c", trainable=False)
        t.Variable(lambda: t.constant([1.0, 2.0]))
    t.Variable(lambda: t.random_normal_initializer(seed=1)([2, 2]), name="fn")
    t.Variable(t.random_uniform([3], seed=2), dtype=t.float32)
    t.Variable(2.5, dtype=t.float64, name="f64")
    with t.control_dependencies([t.no_op(name="dep")]):
        t.Variable(1.0, name="in_ctrl")
    t.Variable(1.0, name="noshape", validate_shape=False)


@pytest.mark.tf
def test_variable_ops_match_tf(tfv1):
    mine, theirs = same_graph(_model, tfv1)
    assert mine == theirs


@pytest.mark.tf
def test_variable_properties_match_tf(tfv1):
    for t in (tf, tfv1):
        t.Variable(0.0)
        with t.name_scope("outer"):
            v = t.Variable([[1.0, 2.0], [3.0, 4.0]], name="v")
        out = (v.name, v.op.name, v.dtype.name, str(v.shape), v.get_shape().as_list(),
               v.initializer.name, v.initializer.type, v.initial_value.name, v.value().name,
               v.read_value().name, v.read_value().name, v._ref().name, v.graph is
               t.get_default_graph(), v.trainable, repr(v), str(v.value()),
               v._as_graph_element().name)
        if t is tf:
            mine = out
        else:
            theirs = out
    assert mine == theirs


@pytest.mark.tf
def test_assign_ops_match_tf(tfv1):
    def build(t):
        v = t.Variable([1.0, 2.0], name="v")
        outs = [v.assign([3.0, 4.0]), v.assign_add([1.0, 1.0]), v.assign_sub([1.0, 1.0]),
                v.assign([0.0, 0.0], read_value=False), t.assign(v, [5.0, 6.0]),
                t.assign_add(v, [1.0, 1.0], name="inc"), t.assign_sub(v, [1.0, 1.0]),
                t.assign(v, [1.0], validate_shape=False, name="reshape"),
                v.assign(7.0 * np.ones(2, np.float32), use_locking=True, name="locked")]
        return outs

    build(tf)
    build(tfv1)
    assert graph_ops(tf) == graph_ops(tfv1)
    for n in ("Assign", "inc", "reshape", "locked", "v/Assign"):
        for attr in ("use_locking", "validate_shape"):
            try:
                theirs = tfv1.get_default_graph().get_operation_by_name(n).get_attr(attr)
            except ValueError:
                continue
            assert tf.get_default_graph().get_operation_by_name(n).get_attr(attr) == theirs
    a = tf.get_default_graph().get_operation_by_name("Assign_1")
    assert isinstance(a, tf.Operation)


def test_assign_results_and_return_types():
    v = tf.Variable([1.0, 2.0])
    a = v.assign([3.0, 4.0])
    assert isinstance(a, tf.Tensor) and a.dtype == tf.float32._as_ref
    op = v.assign([0.0, 0.0], read_value=False)
    assert isinstance(op, tf.Operation)
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(a), [3.0, 4.0])
        np.testing.assert_array_equal(sess.run(v.assign_add([1.0, 1.0])), [4.0, 5.0])
        np.testing.assert_array_equal(sess.run(v.assign_sub([0.5, 0.5])), [3.5, 4.5])
        assert sess.run(op) is None
        np.testing.assert_array_equal(sess.run(v), [0.0, 0.0])
        np.testing.assert_array_equal(sess.run(tf.assign(v, [9.0, 8.0])), [9.0, 8.0])
        np.testing.assert_array_equal(v.eval(), [9.0, 8.0])


@pytest.mark.tf
def test_collections_match_tf(tfv1):
    def build(t):
        t.Variable(1.0, name="a")
        t.Variable(1.0, name="b", trainable=False)
        t.Variable(1.0, name="c", collections=[t.GraphKeys.LOCAL_VARIABLES])
        t.Variable(1.0, name="d", collections=["mine"], trainable=True)
        with t.name_scope("scope"):
            t.Variable(1.0, name="e")
        return {
            "global": [v.name for v in t.global_variables()],
            "all": [v.name for v in t.all_variables()],
            "trainable": [v.name for v in t.trainable_variables()],
            "local": [v.name for v in t.local_variables()],
            "model": [v.name for v in t.model_variables()],
            "mine": [v.name for v in t.get_collection("mine")],
            "scoped": [v.name for v in t.global_variables("scope")],
            "moving": [v.name for v in t.moving_average_variables()],
        }

    assert build(tf) == build(tfv1)


def test_fetching_a_variable_and_uninitialized_errors():
    v = tf.Variable([1.0, 2.0], name="weights")
    w = tf.Variable(3.0, name="other")
    y = v * 2.0
    with tf.Session() as sess:
        for fetch in (v, y, v.value(), "weights:0"):
            with pytest.raises(tf.errors.FailedPreconditionError,
                               match="Attempting to use uninitialized value weights"):
                sess.run(fetch)
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(y), [2.0, 4.0])
        with pytest.raises(tf.errors.FailedPreconditionError, match="value other"):
            sess.run(w)
    with tf.Session() as sess:  # values live in the session: a new one starts uninitialized
        with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
            sess.run(v)


def test_fetched_values_are_copies():
    v = tf.Variable([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        got = sess.run(v)
        got[0] = 100.0
        sess.run(v.assign_add([1.0, 1.0]))
        np.testing.assert_array_equal(got, [100.0, 2.0])
        np.testing.assert_array_equal(sess.run(v), [2.0, 3.0])


@pytest.mark.tf
def test_initializer_ops_match_tf(tfv1):
    def build(t):
        a = t.Variable(1.0, name="a")
        b = t.Variable(2.0, name="b", collections=[t.GraphKeys.LOCAL_VARIABLES])
        ops = [t.global_variables_initializer(), t.initialize_all_variables(),
               t.variables_initializer([a], name="just_a"), t.variables_initializer([]),
               t.local_variables_initializer(), t.initialize_local_variables(),
               t.initialize_variables([a, b])]
        return [(o.name, o.type, sorted(c.name for c in o.control_inputs)) for o in ops]

    mine, theirs = build(tf), build(tfv1)
    assert mine == theirs
    assert mine[0][0] == "init"


def test_global_variables_initializer_runs_all():
    a = tf.Variable(tf.random_normal([3], seed=1), name="a")
    b = tf.Variable(lambda: tf.zeros_initializer()([2], tf.int32), name="b")
    c = tf.Variable(5.0, name="c", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        sess.run(init)
        assert sess.run(a).shape == (3,)
        np.testing.assert_array_equal(sess.run(b), [0, 0])
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(c)
        sess.run(tf.local_variables_initializer())
        assert sess.run(c) == 5.0


@pytest.mark.tf
def test_operators_on_variables_match_tf(tfv1):
    def build(t):
        v = t.Variable([[1.0, 2.0], [3.0, 4.0]], name="v")
        w = t.Variable([[0.5, 1.0], [1.5, 2.0]], name="w")
        outs = [v + 1.0, 1.0 + v, v - w, 2.0 - v, v * w, v / 2.0, 3.0 / v, -v, abs(v), v ** 2.0,
                v @ w, v < w, v >= 2.0, v // 2.0, v % 2.0,
                np.ones((2, 2), np.float32) + v, t.matmul(v, w), t.identity(v)]
        return outs

    mine = build(tf)
    theirs = build(tfv1)
    assert graph_ops(tf) == graph_ops(tfv1)
    with tf.Session() as s1, tfv1.Session() as s2:
        s1.run(tf.global_variables_initializer())
        s2.run(tfv1.global_variables_initializer())
        for a, b in zip(s1.run(mine), s2.run(theirs)):
            np.testing.assert_allclose(a, b, rtol=1e-6)


def test_getitem_uses_the_read_value():
    if getattr(tf.Tensor, "__getitem__", None) is None:
        pytest.skip("Tensor.__getitem__ (strided_slice) is not available yet")
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v[0]), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(v[:, 1]), [2.0, 4.0])


def test_conversion_and_identity_semantics():
    v = tf.Variable([1.0, 2.0])
    w = tf.Variable([1.0, 2.0])
    assert tf.convert_to_tensor(v) is v.value()
    assert tf.is_tensor(v)
    assert v != w and v == v and hash(v) != hash(w)
    assert len({v, w}) == 2
    with pytest.raises(ValueError, match="Incompatible type conversion requested to type 'int32'"):
        tf.convert_to_tensor(v, dtype=tf.int32)
    with pytest.raises(NotImplementedError):
        np.asarray(v)
    with pytest.raises(TypeError):
        bool(v)


def test_gradient_with_respect_to_a_variable():
    v = tf.Variable([1.0, 2.0])
    loss = tf.reduce_sum(v * v * 3.0)
    (g,) = tf.gradients(loss, [v])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_allclose(sess.run(g), [6.0, 12.0])


def test_eval_load_and_default_session():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="No default session"):
        v.eval()
    with tf.Session() as sess:
        v.load([5.0, 6.0], sess)
        np.testing.assert_array_equal(v.eval(sess), [5.0, 6.0])
        v.load([7.0, 8.0])
        np.testing.assert_array_equal(v.eval(), [7.0, 8.0])
    with pytest.raises(ValueError, match="session"):
        v.load([1.0, 1.0])


@pytest.mark.tf
def test_variable_from_variable_is_guarded_like_tf(tfv1):
    def build(t):
        w = t.Variable(t.constant([1.0, 2.0]), name="w")
        w2 = t.Variable(w * 2.0, name="w2")
        w3 = t.Variable(w.initialized_value() + 1.0, name="w3")
        return w, w2, w3

    mine, theirs = build(tf), build(tfv1)
    names = [n for n, _, _ in graph_ops(tf)]
    assert "mul_w2" in names and "w/read_w2" in names
    # the copies of the ops reading ``w`` are named as TF names them
    cond_free = [x for x in graph_ops(tfv1) if "cond" not in x[0] and
                 "IsVariableInitialized" not in x[0]]
    assert [n for n, _, _ in cond_free if n.endswith("_w2")] == \
        [n for n in names if n.endswith("_w2")]
    with tf.Session() as s1, tfv1.Session() as s2:
        s1.run(tf.global_variables_initializer())
        s2.run(tfv1.global_variables_initializer())
        np.testing.assert_array_equal(s1.run(list(mine)), s2.run(list(theirs)))


def test_initialized_value_equals_the_variable_after_init():
    w = tf.Variable(tf.random_normal([4], seed=3), name="w")
    copy = tf.Variable(w.initialized_value(), name="copy")
    twice = tf.Variable(w.initialized_value() * 2.0, name="twice")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b, c = sess.run([w, copy, twice])
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(c, 2 * a)


def test_validate_shape_false_allows_new_shapes():
    v = tf.Variable([1.0, 2.0], validate_shape=False)
    assert v.get_shape().ndims is None
    grow = tf.assign(v, [1.0, 2.0, 3.0], validate_shape=False)
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(grow), [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0, 3.0])


def test_assign_shape_mismatch_errors():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="Shapes"):
        v.assign([1.0, 2.0, 3.0])
    p = tf.placeholder(tf.float32, [None])
    a = v.assign(p)
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match="shapes of both tensors"):
            sess.run(a, {p: [1.0, 2.0, 3.0]})


@pytest.mark.tf
def test_constructor_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        with pytest.raises(ValueError, match="initial_value must be specified"):
            t.Variable()
        with pytest.raises(ValueError, match="collections argument to Variable constructor must "
                                             "be a list, tuple, or set"):
            t.Variable(1.0, collections="x")
        with pytest.raises(ValueError, match="initial_value must have a shape specified"):
            t.Variable(t.placeholder(t.float32, [None]))
        with pytest.raises(ValueError, match="The `constraint` argument must be a callable"):
            t.Variable(1.0, constraint=3)


def test_constraint_and_synchronization_properties():
    def clip(x):
        return x

    v = tf.Variable(1.0, constraint=clip,
                    synchronization=tf.VariableSynchronization.ON_READ)
    assert v.constraint is clip
    assert v.synchronization is tf.VariableSynchronization.ON_READ
    assert not v.trainable  # ON_READ variables default to non-trainable, as in TF
    assert v.aggregation is tf.VariableAggregation.NONE


@pytest.mark.tf
def test_is_variable_initialized_matches_tf(tfv1):
    def build(t):
        a = t.Variable(1.0, name="a")
        b = t.Variable(2.0, name="b")
        return [t.is_variable_initialized(a), t.is_variable_initialized(a),
                t.is_variable_initialized(b)]

    mine = build(tf)
    build(tfv1)
    assert graph_ops(tf) == graph_ops(tfv1)
    mine.append(tf.global_variables()[0].is_initialized())  # TF 1.x's Variable.is_initialized
    with tf.Session() as sess:
        assert sess.run(mine) == [False, False, False, False]
        sess.run(tf.get_default_graph().get_operation_by_name("a/Assign"))
        assert sess.run(mine) == [True, True, False, True]


def _has_report_ops():
    from minitf.ops import array_ops

    return hasattr(array_ops, "stack") and hasattr(array_ops, "boolean_mask")


@pytest.mark.tf
def test_report_uninitialized_variables_matches_tf(tfv1):
    if not _has_report_ops():
        pytest.skip("needs tf.stack and tf.boolean_mask from array_ops")

    def build(t):
        a = t.Variable(1.0, name="a")
        t.Variable(2.0, name="b")
        c = t.Variable(3.0, name="c", collections=[t.GraphKeys.LOCAL_VARIABLES])
        return a, c, t.report_uninitialized_variables()

    (a, c, r), (ta, tc, tr) = build(tf), build(tfv1)
    assert r.dtype == tf.string and r.name == tr.name
    with tf.Session() as s1, tfv1.Session() as s2:
        assert list(s1.run(r)) == list(s2.run(tr)) == [b"a", b"b", b"c"]
        s1.run([a.initializer, c.initializer])
        s2.run([ta.initializer, tc.initializer])
        assert list(s1.run(r)) == list(s2.run(tr)) == [b"b"]
        s1.run(tf.global_variables_initializer())
        assert list(s1.run(r)) == []


def test_report_uninitialized_variables_without_variables():
    r = tf.report_uninitialized_variables()
    assert r.dtype == tf.string and r.get_shape().as_list() == [0]
    with tf.Session() as sess:
        assert list(sess.run(r)) == []


# --- sparse updates and count_up_to ---------------------------------------------------------------

@pytest.mark.tf
def test_scatter_updates_match_tf(tfv1):
    def build(t):
        v = t.Variable(np.arange(12, dtype=np.float32).reshape(4, 3), name="v")
        w = t.Variable(np.arange(1, 5, dtype=np.int32), name="w")
        return v, w, [
            t.scatter_update(v, [1, 3], [[10.0, 11.0, 12.0], [13.0, 14.0, 15.0]]),
            t.scatter_add(v, [0, 0, 2], np.ones((3, 3), np.float32)),
            t.scatter_sub(v, 1, [1.0, 2.0, 3.0], name="sub1"),
            t.scatter_mul(v, [3], [[2.0, 2.0, 2.0]]),
            t.scatter_div(v, [2], [[4.0, 4.0, 4.0]]),
            t.scatter_div(w, [0, 2], [-2, 2]),
            t.scatter_add(w, np.array([1, 1], np.int64), [5, 5]),
        ]

    (v, w, ups), (tv, tw, tups) = build(tf), build(tfv1)
    assert graph_ops(tf) == graph_ops(tfv1)
    for a, b in zip(ups, tups):
        assert a.dtype.name == b.dtype.name and a.get_shape().as_list() == b.get_shape().as_list()
        assert a.op.get_attr("use_locking") == b.op.get_attr("use_locking")
    with tf.Session() as s1, tfv1.Session() as s2:
        for a, b in zip(ups, tups):  # one at a time: each sees the previous updates
            s1.run([v.initializer, w.initializer])
            s2.run([tv.initializer, tw.initializer])
            np.testing.assert_allclose(s1.run(a), s2.run(b))


def test_variable_scatter_methods_take_indexed_slices():
    v = tf.Variable([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    delta = IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([2]))
    ops = [v.scatter_update(delta), v.scatter_add(delta), v.scatter_sub(delta),
           v.scatter_mul(delta), v.scatter_div(delta)]
    with tf.Session() as sess:
        got = []
        for op in ops:
            sess.run(v.initializer)
            got.append(sess.run(op)[2].tolist())
        assert got == [[1.0, 2.0], [4.0, 5.0], [2.0, 1.0], [3.0, 6.0], [3.0, 1.5]]
    with pytest.raises(TypeError, match="sparse_delta is not IndexedSlices"):
        v.scatter_update([1.0])


def test_scatter_errors():
    v = tf.Variable([1.0, 2.0, 3.0])
    bad = tf.scatter_update(v, [5], [1.0])
    with pytest.raises(ValueError):
        tf.scatter_update(v, [0, 1], [1.0, 2.0, 3.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 5 is not in"):
            sess.run(bad)


@pytest.mark.tf
def test_count_up_to_matches_tf(tfv1):
    def build(t):
        v = t.Variable(0, name="counter")
        return v, v.count_up_to(2), t.count_up_to(v, 2, name="c2")

    (v, c, c2), (tv, tc, tc2) = build(tf), build(tfv1)
    assert graph_ops(tf) == graph_ops(tfv1)
    with tf.Session() as s1, tfv1.Session() as s2:
        s1.run(v.initializer)
        s2.run(tv.initializer)
        assert [s1.run(c), s1.run(c2)] == [s2.run(tc), s2.run(tc2)] == [0, 1]
        for sess, op in ((s1, c), (s2, tc)):
            err = tf.errors.OutOfRangeError if sess is s1 else tfv1.errors.OutOfRangeError
            with pytest.raises(err, match="Reached limit of 2"):
                sess.run(op)


@pytest.mark.tf
def test_read_after_assign_under_control_dependency_matches_tf(tfv1):
    def run(t):
        v = t.Variable([1.0, 2.0])
        a = t.assign(v, [5.0, 6.0])
        with t.control_dependencies([a]):
            r = v * 1.0
        swap = t.assign(v, v[::-1])  # the value reads the variable it overwrites
        with t.Session() as s:
            s.run(v.initializer)
            first = s.run(r)
            fetched = s.run(v)
            return first, s.run(swap), fetched, s.run(v)

    got, want = run(tf), run(tfv1)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
