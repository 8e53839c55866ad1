"""tf.graph_util: freezing (variables to constants), sub-graph extraction, removing training
nodes; frozen graphs import in minitf and in TensorFlow and give the same outputs."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf


def _model(t):
    x = t.placeholder(t.float32, [None, 3], name="x")
    w = t.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
    b = t.Variable([0.5, -0.5], name="b")
    y = t.nn.relu(t.matmul(x, w) + b, name="y")
    t.train.GradientDescentOptimizer(0.1).minimize(t.reduce_sum(y))
    return x, w, y


def _frozen(t):
    x, w, y = _model(t)
    with t.Session() as sess:
        sess.run(t.global_variables_initializer())
        sess.run(t.assign(w, w * 2.0))
        gd = t.graph_util.convert_variables_to_constants(
            sess, sess.graph.as_graph_def(), ["y"])
    return gd


_X = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, 0.5]], np.float32)
_EXPECTED = np.maximum(_X @ (2 * np.arange(6, dtype=np.float32).reshape(3, 2)) + [0.5, -0.5], 0)


def _run_imported(t, gd):
    g = t.Graph()
    with g.as_default():
        t.import_graph_def(gd, name="")
        with t.Session(graph=g) as sess:
            return sess.run("y:0", {"x:0": _X})


def test_freeze_and_import():
    gd = _frozen(tf)
    ops = {n.name: n.op for n in gd.node}
    assert ops["w"] == "Const" and ops["b"] == "Const"
    assert not any(n.startswith("gradients") or n.startswith("GradientDescent") for n in ops)
    assert "w/Assign" not in ops
    np.testing.assert_allclose(_run_imported(tf, gd), _EXPECTED, rtol=1e-6)
    assert gd.versions.producer > 0


@pytest.mark.tf
def test_frozen_graph_matches_tf(tfv1):
    ours, theirs = _frozen(tf), _frozen(tfv1)
    assert [n.name for n in ours.node] == [n.name for n in theirs.node]
    assert [n.op for n in ours.node] == [n.op for n in theirs.node]
    # TF imports minitf's frozen graph, minitf imports TF's.
    from tensorflow.core.framework import graph_pb2

    tf_gd = graph_pb2.GraphDef.FromString(ours.SerializeToString())
    np.testing.assert_allclose(_run_imported(tfv1, tf_gd), _EXPECTED, rtol=1e-6)
    mt_gd = tf.GraphDef.FromString(theirs.SerializeToString())
    np.testing.assert_allclose(_run_imported(tf, mt_gd), _EXPECTED, rtol=1e-6)


def test_whitelist_blacklist():
    _model(tf)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gd = sess.graph.as_graph_def()
        white = tf.graph_util.convert_variables_to_constants(sess, gd, ["y"],
                                                             variable_names_whitelist=["w"])
        black = tf.graph_util.convert_variables_to_constants(sess, gd, ["y"],
                                                             variable_names_blacklist=["w"])
    assert {n.name: n.op for n in white.node if n.name in ("w", "b")} == {
        "w": "Const", "b": "VariableV2"}
    assert {n.name: n.op for n in black.node if n.name in ("w", "b")} == {
        "w": "VariableV2", "b": "Const"}


def test_extract_sub_graph():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    c = tf.add(a, b, name="c")
    with tf.control_dependencies([c]):
        tf.identity(a, name="d")
    tf.multiply(b, 3.0, name="e")
    gd = tf.get_default_graph().as_graph_def()
    sub = tf.graph_util.extract_sub_graph(gd, ["d"])
    assert [n.name for n in sub.node] == ["a", "b", "c", "d"]
    with pytest.raises(TypeError, match="iterable of strings"):
        tf.graph_util.extract_sub_graph(gd, "d")
    with pytest.raises(TypeError, match="GraphDef"):
        tf.graph_util.extract_sub_graph("gd", ["d"])
    with pytest.raises(AssertionError, match="nope is not in graph"):
        tf.graph_util.extract_sub_graph(gd, ["nope"])


def _training_graph(t):
    x = t.placeholder(t.float32, [2], name="x")
    i1 = t.identity(x, name="i1")
    c = t.check_numerics(i1, "bad", name="check")
    i2 = t.identity(c, name="i2")
    t.multiply(i2, 2.0, name="out")
    return t.get_default_graph().as_graph_def()


@pytest.mark.tf
def test_remove_training_nodes_matches_tf(tfv1):
    ours = tf.graph_util.remove_training_nodes(_training_graph(tf), protected_nodes=["i2"])
    theirs = tfv1.graph_util.remove_training_nodes(_training_graph(tfv1),
                                                   protected_nodes=["i2"])
    assert [(n.name, list(n.input)) for n in ours.node] == [
        (n.name, list(n.input)) for n in theirs.node]
    assert [n.name for n in ours.node] == ["x", "i2", "out/y", "out"]


def test_compat_namespace():
    assert tf.compat.v1.graph_util.extract_sub_graph is tf.graph_util.extract_sub_graph
