"""tf.cond and tf.case against TF 1.x: names, values, structures, errors, laziness (side effects
and errors of the branch not taken), gradients, GraphDef round trips."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

TF_PLUMBING = {"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond"}


def user_ops(mod):
    """(name, type) of the ops that are not TF's control-flow plumbing."""
    out = []
    for op in mod.get_default_graph().get_operations():
        if op.type in TF_PLUMBING or op.type.startswith("Minitf"):
            continue
        last = op.name.rsplit("/", 1)[-1]
        if last in ("switch_t", "switch_f", "pred_id") or last.startswith(("Merge", "Exit")):
            continue
        if op.type == "Identity" and op.inputs and op.inputs[0].op.type == "Switch":
            continue  # a while loop's body input (while/Identity)
        out.append((op.name, op.type))
    return out


def build_both(tfv1, fn):
    mine = fn(tf)
    tfv1.reset_default_graph()
    theirs = fn(tfv1)
    return mine, theirs


def run_both(tfv1, fn, feeds=None):
    mine, theirs = build_both(tfv1, fn)
    with tf.Session() as s1, tfv1.Session() as s2:
        return s1.run(mine, feeds(mine) if feeds else None), \
            s2.run(theirs, feeds(theirs) if feeds else None)


def kind(x):
    """list / tuple / dict / tensor, the same for minitf's and TF's results."""
    return type(x).__name__ if isinstance(x, (list, tuple, dict)) else "tensor"


def assert_nested_close(a, b, **kw):
    if isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            assert_nested_close(x, y, **kw)
    elif isinstance(a, dict):
        assert sorted(a) == sorted(b)
        for k in a:
            assert_nested_close(a[k], b[k], **kw)
    else:
        np.testing.assert_allclose(a, b, **kw)
        assert np.asarray(a).dtype == np.asarray(b).dtype


@pytest.mark.tf
def test_cond_names_values_and_shapes_match_tf(tfv1):
    def build(t):
        x = t.placeholder(t.float32, [None, 3], name="x")
        y = t.placeholder(t.float32, [3], name="y")
        c = t.cond(t.reduce_sum(x) > 0, lambda: x * 2.0 + y, lambda: t.zeros([4, 3]) - y)
        return x, y, c

    (x, y, c), (x2, y2, c2) = build_both(tfv1, build)
    assert c.name == c2.name == "cond/Merge:0"
    assert c.get_shape().as_list() == c2.get_shape().as_list() == [None, 3]
    assert user_ops(tf) == user_ops(tfv1)
    names = {op.name for op in tf.get_default_graph().get_operations()}
    assert {"cond/mul/Switch", "cond/add/Switch", "cond/sub/Switch"} <= names
    xv = np.arange(12, dtype=np.float32).reshape(4, 3) - 3
    yv = np.array([1.0, -2.0, 0.5], np.float32)
    with tf.Session() as s1, tfv1.Session() as s2:
        for sign in (1, -1):
            np.testing.assert_allclose(s1.run(c, {x: sign * xv, y: yv}),
                                       s2.run(c2, {x2: sign * xv, y2: yv}))


@pytest.mark.tf
@pytest.mark.parametrize("strict", [False, True])
def test_cond_structures_match_tf(tfv1, strict):
    def build(t):
        p = t.constant(False)
        one = t.cond(p, lambda: [t.constant(1.0)], lambda: [t.constant(2.0)], strict=strict)
        nested = t.cond(p, lambda: {"a": (t.constant(1), t.constant([1.0, 2.0])), "b": 3.0},
                        lambda: {"a": (t.constant(4), t.constant([5.0, 6.0])), "b": 7.0},
                        strict=strict)
        pair = t.cond(p, lambda: (t.constant(1), t.constant(2)),
                      lambda: (t.constant(3), t.constant(4)), strict=strict)
        return [one, nested, pair]

    (mine, theirs) = build_both(tfv1, build)
    assert isinstance(mine[0], list) == isinstance(theirs[0], list)
    with tf.Session() as s1, tfv1.Session() as s2:
        assert_nested_close(s1.run(mine), s2.run(theirs))


@pytest.mark.tf
def test_cond_with_operation_results_gives_the_predicate(tfv1):
    def build(t):
        v = t.Variable(1.0, name="v")
        p = t.placeholder(t.bool, [], name="p")
        c = t.cond(p, lambda: t.assign_add(v, 1.0).op, lambda: t.no_op())
        return v, p, c

    (v, p, c), (v2, p2, c2) = build_both(tfv1, build)
    assert c.dtype == tf.bool and c2.dtype.name == "bool"
    with tf.Session() as s1, tfv1.Session() as s2:
        s1.run(v.initializer)
        s2.run(v2.initializer)
        for flag in (True, False, True):
            assert s1.run(c, {p: flag}) == s2.run(c2, {p2: flag}) == flag
        assert s1.run(v) == s2.run(v2) == 3.0


@pytest.mark.tf
def test_cond_build_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        _cond_build_errors(t)


def _cond_build_errors(t):
    x = t.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="'pred' must not be a Python bool"):
        t.cond(True, lambda: x, lambda: x)
    with pytest.raises(TypeError, match="'true_fn' must be callable"):
        t.cond(t.constant(True), x, lambda: x)
    with pytest.raises(ValueError, match="must have the same type"):
        t.cond(t.constant(True), lambda: x, lambda: t.constant([1, 2]))
    with pytest.raises(ValueError, match="same nested structure"):
        t.cond(t.constant(True), lambda: (x, x), lambda: x)
    with pytest.raises(ValueError, match="rank 0"):
        t.cond(t.constant([True, False]), lambda: x, lambda: x)
    with pytest.raises(TypeError, match="argument required"):
        t.cond(t.constant(True), lambda: x)


def test_only_the_taken_branch_runs():
    v = tf.Variable(0.0)
    p = tf.placeholder(tf.bool, [])
    c = tf.cond(p, lambda: tf.assign_add(v, 1.0), lambda: tf.identity(v))
    bad = tf.cond(p, lambda: tf.constant(1.0),
                  lambda: tf.reduce_sum(tf.gather([1.0, 2.0], 5)))
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert [sess.run(c, {p: f}) for f in (True, False, True, False)] == [1, 1, 2, 2]
        assert sess.run(bad, {p: True}) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(bad, {p: False})
        assert info.value.op.name == "cond_1/GatherV2"


def test_unreturned_ops_in_a_branch_do_not_run_as_in_tf():
    v = tf.Variable(0.0)

    def true_fn():
        tf.assign(v, 5.0)  # not returned, not a dependency: never runs (TF 1.x behaviour)
        return tf.constant(1.0)

    c = tf.cond(tf.constant(True), true_fn, lambda: tf.constant(0.0))
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(c) == 1.0 and sess.run(v) == 0.0


def test_outside_control_dependencies_run_before_the_cond():
    v = tf.Variable(1.0)
    p = tf.placeholder(tf.bool, [])
    inc = tf.assign_add(v, 10.0)
    with tf.control_dependencies([inc]):
        c = tf.cond(p, lambda: v.read_value() * 2.0, lambda: v.read_value())
    assert inc.op in tf.get_default_graph().get_operation_by_name("cond/If").control_inputs
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(c, {p: True}) == 22.0
        assert sess.run(c, {p: False}) == 21.0


def test_variables_made_in_a_branch_live_outside_it():
    def branch():
        w = tf.get_variable("w", [2], initializer=tf.ones_initializer())
        return w * 3.0

    c = tf.cond(tf.constant(True), branch, lambda: tf.zeros([2]))
    w = tf.global_variables()[0]
    assert w.op._control_flow_context is None
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(c), [3.0, 3.0])


def test_reading_a_branch_value_outside_the_cond_works_when_the_branch_ran():
    x = tf.placeholder(tf.float32, [2])
    p = tf.placeholder(tf.bool, [])
    inside = []

    def true_fn():
        inside.append(x * 2.0)
        return inside[-1] + 1.0

    tf.cond(p, true_fn, lambda: x)
    outside = inside[0] * 10.0
    assert outside.op.inputs[0].op.type == "MinitfEnvGet"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(outside, {x: [1.0, 2.0], p: True}), [20.0, 40.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="branch that did not run"):
            sess.run(outside, {x: [1.0, 2.0], p: False})


def test_fetching_a_tensor_inside_a_branch_is_a_clear_error():
    x = tf.placeholder(tf.float32, [2])
    tf.cond(tf.constant(True), lambda: x * 2.0, lambda: x)
    inner = tf.get_default_graph().get_tensor_by_name("cond/mul:0")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="fetch the outputs"):
            sess.run(inner, {x: [1.0, 2.0]})


@pytest.mark.tf
def test_nested_conds_match_tf(tfv1):
    def build(t):
        x = t.placeholder(t.float32, [3], name="x")
        c = t.cond(t.reduce_sum(x) > 0,
                   lambda: t.cond(x[0] > 0, lambda: x * 2.0, lambda: x * 3.0),
                   lambda: t.cond(x[1] > 0, lambda: -x, lambda: x + 1.0))
        return x, c, t.gradients(t.reduce_sum(c * c), x)[0]

    (x, c, g), (x2, c2, g2) = build_both(tfv1, build)
    assert user_ops(tf)[:10] == user_ops(tfv1)[:10]
    with tf.Session() as s1, tfv1.Session() as s2:
        for xv in ([1.0, 2.0, 3.0], [-1.0, 2.0, 3.0], [-1.0, 2.0, -3.0], [-1.0, -2.0, -3.0]):
            a = s1.run([c, g], {x: xv})
            b = s2.run([c2, g2], {x2: xv})
            assert_nested_close(a, b, rtol=1e-6)


@pytest.mark.tf
def test_cond_gradients_match_tf(tfv1):
    def build(t):
        x = t.placeholder(t.float64, [2, 3], name="x")
        w = t.Variable(np.arange(3.0) - 1.0, name="w")
        p = t.placeholder(t.bool, [], name="p")
        c = t.cond(p, lambda: t.matmul(t.sin(x), t.reshape(w, [3, 1])) + 1.0,
                   lambda: t.reduce_sum(x * w, axis=1, keepdims=True))
        loss = t.reduce_sum(c * c)
        return x, w, p, t.gradients(loss, [x, w, p]), loss

    (x, w, p, g, _), (x2, w2, p2, g2, _) = build_both(tfv1, build)
    assert g[2] is None and g2[2] is None
    xv = np.random.RandomState(0).randn(2, 3)
    with tf.Session() as s1, tfv1.Session() as s2:
        s1.run(w.initializer)
        s2.run(w2.initializer)
        for flag in (True, False):
            assert_nested_close(s1.run(g[:2], {x: xv, p: flag}),
                                s2.run(g2[:2], {x2: xv, p2: flag}), rtol=1e-10)


def test_cond_gradient_of_an_unused_input_is_none_and_second_order_is_refused():
    x = tf.placeholder(tf.float32, [2])
    y = tf.placeholder(tf.float32, [2])
    c = tf.cond(tf.constant(True), lambda: x * 2.0, lambda: x + tf.cast(tf.size(y), tf.float32))
    gx, gy = tf.gradients(c, [x, y])
    assert gy is None
    with pytest.raises(LookupError, match="second-order"):
        tf.gradients(tf.gradients(tf.reduce_sum(c * c), x)[0], x)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(gx, {x: [1.0, 2.0]}), [2.0, 2.0])


@pytest.mark.tf
def test_case_matches_tf(tfv1):
    def build(t):
        x = t.placeholder(t.int32, [], name="x")
        r = t.case([(t.less(x, 0), lambda: t.constant(-1)), (t.equal(x, 0), lambda: t.constant(0))],
                   default=lambda: t.constant(1))
        r2 = t.case({t.less(x, 5): lambda: t.constant(10), t.less(x, 10): lambda: t.constant(20)})
        r3 = t.case([(t.less(x, 5), lambda: t.constant(7)), (t.less(x, 3), lambda: t.constant(8))],
                    default=lambda: t.constant(9), exclusive=True)
        return x, r, r2, r3

    (x, r, r2, r3), (x2, q, q2, q3) = build_both(tfv1, build)
    assert r.name == q.name
    with tf.Session() as s1, tfv1.Session() as s2:
        for xv in (-3, 0, 4, 7):
            assert s1.run([r, r2], {x: xv}) == s2.run([q, q2], {x2: xv})
        assert s1.run(r, {x: 12}) == s2.run(q, {x2: 12})
        msg = "None of conditions evaluated as True"
        with pytest.raises(tf.errors.InvalidArgumentError, match=msg):
            s1.run(r2, {x: 12})
        with pytest.raises(tfv1.errors.InvalidArgumentError, match=msg):
            s2.run(q2, {x2: 12})
        for xv in (4, 8):
            assert s1.run(r3, {x: xv}) == s2.run(q3, {x2: xv})
        with pytest.raises(tf.errors.InvalidArgumentError, match="exclusive=True"):
            s1.run(r3, {x: 1})


def test_graph_def_round_trip_runs_and_differentiates():
    x = tf.placeholder(tf.float32, [3], name="x")
    c = tf.cond(tf.reduce_sum(x) > 0, lambda: x * x, lambda: tf.sin(x))
    gd = tf.get_default_graph().as_graph_def()
    assert any(n.op == "MinitfCond" for n in gd.node)
    g2 = tf.Graph()
    with g2.as_default():
        tf.import_graph_def(gd, name="imp")
        xi = g2.get_tensor_by_name("imp/x:0")
        ci = g2.get_tensor_by_name("imp/" + c.name)
        assert g2.get_operation_by_name("imp/cond/If").get_attr("then_outputs") == \
            [b"imp/cond/mul:0"]
        (gi,) = tf.gradients(tf.reduce_sum(ci), xi)
        with tf.Session() as sess:
            for xv in ([1.0, 2.0, 3.0], [-1.0, -2.0, 0.5]):
                xv = np.array(xv, np.float32)
                want_c = xv * xv if xv.sum() > 0 else np.sin(xv)
                want_g = 2 * xv if xv.sum() > 0 else np.cos(xv)
                got_c, got_g = sess.run([ci, gi], {xi: xv})
                np.testing.assert_allclose(got_c, want_c, rtol=1e-6)
                np.testing.assert_allclose(got_g, want_g, rtol=1e-6)


def test_initialized_value_uses_cond():
    w = tf.Variable([1.0, 2.0], name="w")
    iv = w.initialized_value()
    assert iv.op.type == "Identity" and iv.name.startswith("cond")
    twice = tf.Variable(w.initialized_value() * 2.0, name="twice")
    with tf.Session() as sess:
        sess.run(twice.initializer)  # w is still uninitialized: reads its initial value
        np.testing.assert_array_equal(sess.run(twice), [2.0, 4.0])
        sess.run(w.assign([5.0, 5.0]))
        np.testing.assert_array_equal(sess.run(iv), [5.0, 5.0])


def test_meta_graph_round_trip_with_cond_and_while(tmp_path):
    x = tf.placeholder(tf.float32, [3], name="x")
    v = tf.Variable([1.0, 2.0, 3.0], name="v")
    c = tf.cond(tf.reduce_sum(x) > 0, lambda: x * v, lambda: x - v)
    r = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a + c), [0, x])[1]
    tf.add_to_collection("out", r)
    path = str(tmp_path / "model")
    with tf.Session(config=tf.ConfigProto(inter_op_parallelism_threads=4)) as sess:
        sess.run(tf.global_variables_initializer())
        want = sess.run(r, {x: [1.0, 2.0, 3.0]})
        tf.train.Saver().save(sess, path)
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(path + ".meta")
    r2 = tf.get_collection("out")[0]
    (g,) = tf.gradients(tf.reduce_sum(r2), tf.get_default_graph().get_tensor_by_name("x:0"))
    with tf.Session() as sess:
        saver.restore(sess, path)
        np.testing.assert_array_equal(sess.run(r2, {"x:0": [1.0, 2.0, 3.0]}), want)
        np.testing.assert_array_equal(sess.run(g, {"x:0": [1.0, 2.0, 3.0]}), [4.0, 7.0, 10.0])


@pytest.mark.tf
def test_importing_tf_switch_merge_control_flow_is_a_clear_error(tfv1):
    g = tfv1.Graph()
    with g.as_default():
        x = tfv1.placeholder(tfv1.float32, [], name="x")
        tfv1.cond(x > 0, lambda: x, lambda: -x)
    gd = tf.GraphDef.FromString(g.as_graph_def().SerializeToString())
    with pytest.raises(ValueError, match="op type minitf does not know: 'Switch'"):
        tf.import_graph_def(gd)
