"""tf.while_loop against TF 1.x: names, values, structures, shape invariants, maximum_iterations,
errors, side effects, gradients (through nested loops and conds) and training."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from tests.ops.test_control_flow_cond import assert_nested_close, build_both, kind, user_ops


@pytest.mark.tf
def test_names_and_values_match_tf(tfv1):
    def build(t):
        x = t.placeholder(t.float32, [3], name="x")
        w = t.placeholder(t.float32, [3], name="w")
        r = t.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * w), [t.constant(0), x])
        return x, w, r

    (x, w, r), (x2, w2, r2) = build_both(tfv1, build)
    assert [t.name for t in r] == [t.name for t in r2] == ["while/Exit:0", "while/Exit_1:0"]
    assert user_ops(tf) == user_ops(tfv1)
    names = {op.name for op in tf.get_default_graph().get_operations()}
    assert {"while/Identity", "while/Identity_1", "while/Merge", "while/mul/Enter"} <= names
    xv = np.array([1.0, 2.0, 3.0], np.float32)
    wv = np.array([0.5, 2.0, -1.0], np.float32)
    with tf.Session() as s1, tfv1.Session() as s2:
        assert_nested_close(s1.run(r, {x: xv, w: wv}), s2.run(r2, {x2: xv, w2: wv}))


@pytest.mark.tf
def test_result_structures_match_tf(tfv1):
    def build(t):
        x = t.constant([1.0, 2.0])
        return [
            t.while_loop(lambda a: a[0] < 10, lambda a: a * 2, [x]),
            t.while_loop(lambda a: a[0] < 10, lambda a: [a * 2], (x,)),
            t.while_loop(lambda a: a[0] < 10, lambda a: [a * 2], (x,), return_same_structure=True),
            t.while_loop(lambda a, b: a[0] < 10, lambda a, b: [a * 2, b + 1], (x, x)),
            t.while_loop(lambda a, p: a[0] < 10, lambda a, p: (a * 2, (p[0] + 1, p[1] * 3)),
                         (x, (t.constant(0), t.constant(1.0)))),
            t.while_loop(lambda a: a[0] < 100, lambda a: a * 2, [x], maximum_iterations=3),
            t.while_loop(lambda a: a[0] < 100, lambda a: a * 2, [x], maximum_iterations=0),
        ]

    mine, theirs = build_both(tfv1, build)
    assert [kind(a) for a in mine] == [kind(b) for b in theirs]
    with tf.Session() as s1, tfv1.Session() as s2:
        assert_nested_close(s1.run(mine), s2.run(theirs))


@pytest.mark.tf
def test_shape_invariants_match_tf(tfv1):
    def build(t):
        n = t.placeholder(t.int32, [], name="n")
        r = t.while_loop(lambda a: t.size(a) < n, lambda a: t.concat([a, a + 1], 0),
                         [t.constant([1])], shape_invariants=[t.TensorShape([None])])
        return n, r

    (n, r), (n2, r2) = build_both(tfv1, build)
    assert r.get_shape().as_list() == r2.get_shape().as_list() == [None]
    with tf.Session() as s1, tfv1.Session() as s2:
        for nv in (1, 5, 9):
            np.testing.assert_array_equal(s1.run(r, {n: nv}), s2.run(r2, {n2: nv}))


@pytest.mark.tf
def test_build_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        _while_build_errors(t)
    with pytest.raises(TypeError, match="enters the loop with type int32"):
        tf.while_loop(lambda a: a < 10, lambda a: tf.cast(a, tf.float32), [tf.constant(1)])


def _while_build_errors(t):
    x = t.constant([1.0, 2.0])
    with pytest.raises(ValueError, match="enters the loop with shape \\(2,\\), but has shape "
                                         "\\(4,\\) after one iteration"):
        t.while_loop(lambda a: a[0] < 10, lambda a: t.concat([a, a], 0), [x])
    with pytest.raises(ValueError, match="shape invariant specified for .* is not compatible"):
        t.while_loop(lambda a: a[0] < 10, lambda a: a * 2, [x],
                     shape_invariants=[t.TensorShape([3])])
    with pytest.raises(ValueError, match="'maximum_iterations' must be a scalar"):
        t.while_loop(lambda a: a[0] < 10, lambda a: a * 2, [x], maximum_iterations=[3, 4])
    with pytest.raises(ValueError, match="'loop_vars' must be provided"):
        t.while_loop(lambda a: a[0] < 10, lambda a: a * 2, [])
    with pytest.raises(ValueError, match="same nested structure"):
        t.while_loop(lambda a: a < 10, lambda a: (a, a), [t.constant(1)])
    with pytest.raises(TypeError, match="'cond' must be callable"):
        t.while_loop(None, lambda a: a, [x])


def test_body_side_effects_run_once_per_iteration():
    v = tf.Variable(0.0)
    n = tf.placeholder(tf.int32, [])

    def body(i):
        with tf.control_dependencies([tf.assign_add(v, 1.0)]):
            return i + 1

    r = tf.while_loop(lambda i: i < n, body, [0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(r, {n: 4}) == 4 and sess.run(v) == 4.0
        assert sess.run(r, {n: 0}) == 0 and sess.run(v) == 4.0


def test_reading_a_loop_value_from_outside_is_refused():
    inside = []

    def body(a):
        inside.append(a * 2.0)
        return inside[-1]

    tf.while_loop(lambda a: a < 10.0, body, [1.0])
    with pytest.raises(ValueError, match="is in a while loop"):
        tf.identity(inside[0])


@pytest.mark.tf
@pytest.mark.parametrize("case", ["simple", "captured", "max_iter", "zero_iter", "nested",
                                  "cond_inside", "int_and_unused"])
def test_gradients_match_tf(tfv1, case):
    def build(t):
        x = t.placeholder(t.float64, [3], name="x")
        w = t.placeholder(t.float64, [3], name="w")
        if case == "simple":
            r = t.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * a * 0.5), [0, x])[1]
        elif case == "captured":
            r = t.while_loop(lambda i, a: i < 4, lambda i, a: (i + 1, t.sin(a) * w + a),
                             [0, x])[1]
        elif case == "max_iter":
            r = t.while_loop(lambda a: t.reduce_sum(a) < 1e9, lambda a: a * w + 1.0, [x],
                             maximum_iterations=5)
        elif case == "zero_iter":
            r = t.while_loop(lambda a: t.reduce_sum(a) > 1e9, lambda a: a * w, [x])
        elif case == "nested":
            def outer(j, a):
                inner = t.while_loop(lambda k, b: k < j, lambda k, b: (k + 1, b * w + 0.1),
                                     [0, a])[1]
                return j + 1, t.tanh(inner)
            r = t.while_loop(lambda j, a: j < 3, outer, [1, x])[1]
        elif case == "cond_inside":
            def body(i, a):
                return i + 1, t.cond(t.equal(i % 2, 0), lambda: a * w, lambda: t.sin(a) + w)
            r = t.while_loop(lambda i, a: i < 4, body, [0, x])[1]
        else:
            r = t.while_loop(lambda i, a, b: i < 3, lambda i, a, b: (i + 1, a * w, b),
                             [0, x, w])[1]
        loss = t.reduce_sum(r * r)
        return x, w, t.gradients(loss, [x, w])

    (x, w, g), (x2, w2, g2) = build_both(tfv1, build)
    assert [v is None for v in g] == [v is None for v in g2]
    g, g2 = [v for v in g if v is not None], [v for v in g2 if v is not None]
    xv = np.array([0.3, -0.7, 1.1])
    wv = np.array([0.9, 1.2, -0.4])
    with tf.Session() as s1, tfv1.Session() as s2:
        assert_nested_close(s1.run(g, {x: xv, w: wv}), s2.run(g2, {x2: xv, w2: wv}), rtol=1e-9)


@pytest.mark.tf
def test_back_prop_false_and_integer_outputs_give_no_gradient(tfv1):
    for t in (tf, tfv1):
        x = t.constant([1.0, 2.0])
        r = t.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * 2), [0, x], back_prop=False)
        assert t.gradients(r[1], x) == [None]
        r = t.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * 2), [0, x])
        assert t.gradients(r[0], x) == [None]


@pytest.mark.tf
def test_rnn_training_through_a_loop_matches_tf(tfv1):
    rng = np.random.RandomState(0)
    xv = rng.randn(5, 4, 3).astype(np.float32)
    w0, u0 = rng.randn(3, 6).astype(np.float32) * 0.5, rng.randn(6, 6).astype(np.float32) * 0.5

    def build(t):
        xs = t.placeholder(t.float32, [None, 4, 3], name="xs")
        W = t.Variable(w0, name="W")
        U = t.Variable(u0, name="U")
        steps = t.shape(xs)[0]

        def body(i, h):
            return i + 1, t.tanh(t.matmul(xs[i], W) + t.matmul(h, U))

        _, h = t.while_loop(lambda i, h: i < steps, body, [0, t.zeros([4, 6])])
        loss = t.reduce_mean(t.square(h - 0.5))
        train = t.train.GradientDescentOptimizer(0.5).minimize(loss)
        return xs, loss, train

    (xs, loss, train), (xs2, loss2, train2) = build_both(tfv1, build)
    with tf.Session() as s1, tfv1.Session() as s2:
        s1.run(tf.global_variables_initializer())
        s2.run(tfv1.global_variables_initializer())
        for _ in range(5):
            a, _ = s1.run([loss, train], {xs: xv})
            b, _ = s2.run([loss2, train2], {xs2: xv})
            np.testing.assert_allclose(a, b, rtol=2e-5)


def test_graph_def_round_trip_runs_and_differentiates():
    x = tf.placeholder(tf.float32, [3], name="x")
    r = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * a + 1.0), [0, x])[1]
    (g,) = tf.gradients(tf.reduce_sum(r), x)
    gd = tf.get_default_graph().as_graph_def()
    xv = np.array([0.1, -0.2, 0.3], np.float32)
    with tf.Session() as sess:
        want_r, want_g = sess.run([r, g], {x: xv})
    g2 = tf.Graph()
    with g2.as_default():
        tf.import_graph_def(gd, name="imp")
        xi = g2.get_tensor_by_name("imp/x:0")
        ri = g2.get_tensor_by_name("imp/" + r.name)
        gi = g2.get_tensor_by_name("imp/" + g.name)
        (g_new,) = tf.gradients(tf.reduce_sum(ri), xi)
        with tf.Session() as sess:
            got = sess.run([ri, gi, g_new], {xi: xv})
    np.testing.assert_allclose(got[0], want_r, rtol=1e-6)
    np.testing.assert_allclose(got[1], want_g, rtol=1e-6)
    np.testing.assert_allclose(got[2], want_g, rtol=1e-6)
