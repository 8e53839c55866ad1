"""tf.variable_scope / tf.get_variable: names, reuse, scope objects, defaults and TF's errors,
differential against TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf


def graph_ops(mod):
    return [(op.name, op.type, tuple(t.name for t in op.inputs))
            for op in mod.get_default_graph().get_operations()]


def _model(t):
    with t.variable_scope("foo"):
        v = t.get_variable("v", [2, 3])
        t.get_variable("b", [3], initializer=t.zeros_initializer())
        t.get_variable("i", [2], dtype=t.int32)
        t.get_variable("flag", [2], dtype=t.bool)
        with t.variable_scope("bar"):
            t.get_variable("c", [2], initializer=t.constant_initializer(3.0))
        t.add(v, 1.0)
    with t.variable_scope("foo", reuse=True):
        t.identity(t.get_variable("v"))
    with t.variable_scope("foo") as sc:
        t.get_variable("d", [4], initializer=t.random_normal_initializer(seed=3))
        t.get_variable("e", [5], initializer=t.truncated_normal_initializer())
        t.get_variable("f", [2, 2], initializer=t.random_uniform_initializer(-1, 1))
        t.get_variable("g", [1500], initializer=t.zeros_initializer())
        t.get_variable("h", [3], initializer=t.ones_initializer())
        t.get_variable("k", initializer=t.constant([1.0, 2.0]))
        t.get_variable("l", initializer=np.ones((2, 2), np.float32))
        t.get_variable("m", [3, 4, 5, 6], initializer=t.glorot_normal_initializer(seed=4))
        t.get_variable("n", [2, 3], initializer=t.variance_scaling_initializer(
            2.0, mode="fan_out", distribution="uniform"))
        t.get_variable("scalar", [], initializer=t.constant_initializer(2))
        t.get_variable("lam", initializer=lambda: t.constant(3.0))
    with t.variable_scope(sc):
        t.identity(v)
        t.get_variable("reenter", [1])
    with t.variable_scope(sc, reuse=True):
        t.identity(v)
    with t.variable_scope(None, default_name="dflt"):
        t.get_variable("q", [1])
    with t.variable_scope(None, default_name="dflt"):
        t.get_variable("q", [1])
        with t.variable_scope(None, default_name="inner"):
            t.get_variable("q", [1])
    with t.variable_scope("aux", auxiliary_name_scope=False):
        t.get_variable("r", [1])
        t.identity(v)
    with t.name_scope("ns"):
        with t.variable_scope("vs"):
            t.get_variable("s", [1])
            t.identity(v)
    with t.variable_scope("init_scope", initializer=t.constant_initializer(0.5),
                          dtype=t.float64):
        t.get_variable("x", [2])
        with t.variable_scope("nested"):
            t.get_variable("y", [2])
            t.get_variable("z", [2], dtype=t.float32, initializer=t.ones_initializer())
    with t.control_dependencies([t.no_op(name="dep")]):
        t.get_variable("free_of_deps", [1])
    return sc


@pytest.mark.tf
def test_get_variable_ops_match_tf(tfv1):
    sc, tsc = _model(tf), _model(tfv1)
    assert graph_ops(tf) == graph_ops(tfv1)
    for t in (tf, tfv1):
        for op in t.get_default_graph().get_operations():
            assert not op.control_inputs or op.name.startswith("init"), op.name
    assert (sc.name, sc.original_name_scope) == (tsc.name, tsc.original_name_scope)


@pytest.mark.tf
def test_variables_and_collections_match_tf(tfv1):
    def summary(t):
        return {"global": [(v.name, v.dtype.name, v.get_shape().as_list())
                           for v in t.global_variables()],
                "trainable": [v.name for v in t.trainable_variables()],
                "local": [v.name for v in t.local_variables()]}

    for t in (tf, tfv1):
        _model(t)
        t.get_local_variable("loc", [2])
        t.get_variable("untrained", [2], trainable=False)
        t.get_variable("extra", [2], collections=["mine", t.GraphKeys.GLOBAL_VARIABLES])
    assert summary(tf) == summary(tfv1)
    assert [v.name for v in tf.get_collection("mine")] == ["extra:0"]


@pytest.mark.tf
def test_scope_objects_match_tf(tfv1):
    def build(t):
        out = []
        out.append((t.get_variable_scope().name, t.get_variable_scope().reuse))
        with t.variable_scope("a") as a:
            out.append((a.name, a.original_name_scope, a.reuse, t.get_variable_scope() is a))
            with t.variable_scope("b", reuse=True) as b:
                out.append((b.name, b.original_name_scope, b.reuse))
                with t.variable_scope("c") as c:
                    out.append((c.name, c.original_name_scope, c.reuse))
            with t.variable_scope(None, default_name="d") as d:
                out.append((d.name, d.original_name_scope))
        with t.variable_scope(a) as a2:
            out.append((a2.name, a2.original_name_scope, a2.reuse, t.get_default_graph().get_name_scope()))
            with t.variable_scope("b") as b2:
                out.append((b2.name, b2.original_name_scope))
        with t.variable_scope("a", reuse=t.AUTO_REUSE) as a3:
            out.append((a3.name, a3.original_name_scope, a3.reuse is t.AUTO_REUSE))
        with t.variable_scope("x"):
            with t.variable_scope(a) as a4:
                out.append((a4.name, a4.original_name_scope, t.get_default_graph().get_name_scope()))
        vs = t.variable_scope("cached")
        with vs as s1:
            out.append((s1.name, s1.original_name_scope, t.get_default_graph().get_name_scope()))
        with vs as s2:
            out.append((s2.name, s2.original_name_scope, t.get_default_graph().get_name_scope()))
        with t.variable_scope(t.get_variable_scope()) as root:
            out.append((root.name, t.get_default_graph().get_name_scope()))
        return out

    assert build(tf) == build(tfv1)


def test_reuse_returns_the_same_variable():
    with tf.variable_scope("foo"):
        v = tf.get_variable("v", [1])
    with tf.variable_scope("foo", reuse=True):
        assert tf.get_variable("v") is v
        assert tf.get_variable("v", [1]) is v
    with tf.variable_scope("foo") as scope:
        scope.reuse_variables()
        assert scope.reuse is True
        assert tf.get_variable("v") is v
    with tf.variable_scope("foo", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("v") is v
        w = tf.get_variable("w", [2])
        assert tf.get_variable("w") is w
    with tf.variable_scope("foo", reuse=True):
        with tf.variable_scope("inner"):  # reuse is inherited
            assert tf.get_variable_scope().reuse is True
    assert len(tf.global_variables()) == 2


@pytest.mark.tf
def test_reuse_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        with t.variable_scope("foo"):
            t.get_variable("v", [2])
        with pytest.raises(ValueError, match=r"Variable foo/v already exists, disallowed\. Did "
                                             r"you mean to set reuse=True or "
                                             r"reuse=tf\.AUTO_REUSE in VarScope\?"):
            with t.variable_scope("foo"):
                t.get_variable("v", [2])
        with pytest.raises(ValueError, match=r"Variable foo/w does not exist, or was not "
                                             r"created with tf\.get_variable\(\)\. Did you mean "
                                             r"to set reuse=tf\.AUTO_REUSE in VarScope\?"):
            with t.variable_scope("foo", reuse=True):
                t.get_variable("w", [2])
        with pytest.raises(ValueError, match=r"Trying to share variable foo/v, but specified "
                                             r"shape \(3,\) and found shape \(2,\)\."):
            with t.variable_scope("foo", reuse=True):
                t.get_variable("v", [3])
        with pytest.raises(ValueError, match="Trying to share variable foo/v, but specified "
                                             "dtype int32 and found dtype float32_ref"):
            with t.variable_scope("foo", reuse=True):
                t.get_variable("v", [2], dtype=t.int32)
        with pytest.raises(ValueError, match="If initializer is a constant, do not specify "
                                             "shape"):
            t.get_variable("c", [2], initializer=t.constant([1.0, 2.0]))
        with pytest.raises(ValueError, match="reuse=True cannot be used without a "
                                             "name_or_scope"):
            with t.variable_scope(None, default_name="x", reuse=True):
                pass
        with pytest.raises(TypeError, match="If default_name is None then name_or_scope is "
                                            "required"):
            t.variable_scope(None)
        with pytest.raises(ValueError, match="did not get an initializer, so its `shape`"):
            t.get_variable("noshape")
        with pytest.raises(ValueError, match="The initializer passed is not valid"):
            t.get_variable("partial", [None, 2])
        with pytest.raises(ValueError, match="don't match"):
            t.get_variable("mismatch", initializer=t.constant(1), dtype=t.float32)
        with pytest.raises(ValueError, match="The reuse parameter must be True or False or "
                                             "None"):
            t.variable_scope("bad", reuse=1)


def test_existing_variable_error_names_where_it_was_defined():
    tf.get_variable("v", [1])
    with pytest.raises(ValueError, match=r"Originally defined at:[\s\S]*test_variable_scope"):
        tf.get_variable("v", [1])


def test_partitioner_is_not_supported():
    with pytest.raises(NotImplementedError, match="partitioned"):
        tf.get_variable("p", [4, 2], partitioner=lambda shape, dtype: [2, 1])


def test_initializer_and_dtype_inheritance_values():
    with tf.variable_scope("s", initializer=tf.constant_initializer(0.5), dtype=tf.float64):
        x = tf.get_variable("x", [2])
        with tf.variable_scope("n"):
            y = tf.get_variable("y", [2])
            z = tf.get_variable("z", [2], dtype=tf.float32, initializer=tf.ones_initializer())
            i = tf.get_variable("i", [2], dtype=tf.int32, initializer=tf.zeros_initializer())
    assert x.dtype == tf.float64._as_ref and y.dtype == tf.float64._as_ref
    assert z.dtype == tf.float32._as_ref and i.dtype == tf.int32._as_ref
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run([x, y, z, i]),
                                      [[0.5, 0.5], [0.5, 0.5], [1.0, 1.0], [0, 0]])


def test_default_initializers():
    big = tf.get_variable("big", [200, 300])
    ints = tf.get_variable("ints", [3], dtype=tf.int64)
    flags = tf.get_variable("flags", [2], dtype=tf.bool)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        b = sess.run(big)
        limit = np.sqrt(6.0 / (200 + 300))
        assert b.dtype == np.float32 and np.abs(b).max() <= limit
        assert np.abs(b).max() > 0.9 * limit
        assert abs(b.std() - limit / np.sqrt(3)) < 0.01 * limit
        np.testing.assert_array_equal(sess.run(ints), [0, 0, 0])
        np.testing.assert_array_equal(sess.run(flags), [False, False])
    with pytest.raises(ValueError, match="An initializer for variable s of"):
        tf.get_variable("s", [1], dtype=tf.complex64)


@pytest.mark.tf
def test_regularizer_adds_losses(tfv1):
    for t in (tf, tfv1):
        def reg(v, t=t):
            return t.reduce_sum(v) * 0.5

        with t.variable_scope("r", regularizer=reg):
            a = t.get_variable("a", [2], initializer=t.ones_initializer())
            t.get_variable("b", [2], initializer=t.ones_initializer(),
                           regularizer=t.no_regularizer)
        t.get_variable("c", [3], initializer=t.ones_initializer(), regularizer=reg)
        losses = t.get_collection(t.GraphKeys.REGULARIZATION_LOSSES)
        assert len(losses) == 2
        with t.Session() as sess:
            sess.run(t.global_variables_initializer())
            assert sess.run(list(losses)) == [1.0, 1.5]
        del a
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert any(n.startswith("r/a/Regularizer/") for n in names)


def test_custom_getter():
    calls = []

    def getter(getter, name, *args, **kwargs):
        calls.append(name)
        kwargs["trainable"] = False
        return getter(name, *args, **kwargs)

    def outer(getter, name, *args, **kwargs):
        calls.append("outer:" + name)
        return getter(name, *args, **kwargs)

    with tf.variable_scope("g", custom_getter=getter):
        with tf.variable_scope("h", custom_getter=outer):
            v = tf.get_variable("v", [1])
        w = tf.get_variable("w", [1], custom_getter=outer)
    assert calls == ["outer:g/h/v", "g/h/v", "outer:g/w"]
    assert not v.trainable and w.trainable
    with pytest.raises(ValueError, match="not callable"):
        tf.get_variable("x", [1], custom_getter=3)


def test_scope_collection_helpers():
    with tf.variable_scope("m") as m:
        a = tf.get_variable("a", [1])
        b = tf.get_variable("b", [1], trainable=False)
        c = tf.get_local_variable("c", [1])
    tf.get_variable("mm", [1])
    assert m.global_variables() == [a, b]
    assert m.trainable_variables() == [a]
    assert m.local_variables() == [c]
    assert not c.trainable


def test_improper_nesting_raises():
    outer = tf.variable_scope("outer")
    inner = tf.variable_scope("inner")
    outer.__enter__()
    inner.__enter__()
    with pytest.raises(RuntimeError, match="Improper nesting of variable_scope"):
        outer.__exit__(None, None, None)


def test_variable_op_scope_and_values_graph():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(1.0)
    with tf.variable_op_scope([x], None, default_name="op") as scope:
        assert scope.name == "op"
        assert tf.get_default_graph() is g
        v = tf.get_variable("v", [1])
    assert v.graph is g and v.name == "op/v:0"


def test_get_variable_in_new_graph_starts_fresh():
    tf.get_variable("v", [1])
    with tf.Graph().as_default():
        tf.get_variable("v", [1])  # no "already exists": the store lives in the graph
        assert tf.get_variable_scope().name == ""
