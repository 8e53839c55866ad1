"""GraphDef export/import and write_graph, including round trips through real TensorFlow."""

from __future__ import annotations

import os

import numpy as np
import pytest

import minitf as tf
from minitf.framework.graph_io import write_graph
from minitf.framework.proto import GraphDef, text_format


def _model(t):
    x = t.placeholder(t.float32, [None, 3], name="x")
    w = t.constant([[1.0], [2.0], [3.0]], name="w")
    with t.name_scope("layer"):
        y = t.sigmoid(t.matmul(x, w) + 0.5)
    c0 = t.constant(0.0, name="c0")
    with t.control_dependencies([c0]):
        z = t.identity(y, name="z")
    return x, z


def test_graph_def_structure():
    x, z = _model(tf)
    gd = tf.get_default_graph().as_graph_def()
    names = [n.name for n in gd.node]
    assert names == [op.name for op in tf.get_default_graph().get_operations()]
    zn = gd.node[names.index("z")]
    assert list(zn.input) == ["layer/Sigmoid", "^c0"]
    xn = gd.node[0]
    assert xn.op == "Placeholder" and xn.attr["dtype"].type == tf.float32.as_datatype_enum
    assert [d.size for d in xn.attr["shape"].shape.dim] == [-1, 3]
    wn = gd.node[names.index("w")]
    np.testing.assert_array_equal(
        np.frombuffer(wn.attr["value"].tensor.tensor_content, np.float32), [1, 2, 3])
    shaped = tf.get_default_graph().as_graph_def(add_shapes=True)
    assert len(shaped.node[names.index("z")].attr["_output_shapes"].list.shape) == 1


def test_import_round_trip_with_input_map_and_prefix():
    x, z = _model(tf)
    gd = tf.get_default_graph().as_graph_def()
    data = gd.SerializeToString()
    g2 = tf.Graph()
    with g2.as_default():
        feed = tf.placeholder(tf.float32, [2, 3], name="feed")
        (out,) = tf.import_graph_def(GraphDef.FromString(data), input_map={"x:0": feed},
                                     return_elements=["z:0"], name="m")
        assert out.name == "m/z:0"
        assert g2.get_operation_by_name("m/z").control_inputs[0].name == "m/c0"
        with tf.Session() as sess:
            got = sess.run(out, {feed: [[1, 0, 0], [0, 0, 1]]})
    np.testing.assert_allclose(got.ravel(), 1 / (1 + np.exp(-np.array([1.5, 3.5]))), rtol=1e-6)
    g3 = tf.Graph()
    with g3.as_default():
        tf.import_graph_def(gd)
        tf.import_graph_def(gd)
        assert "import_1/z" in [op.name for op in g3.get_operations()]


def test_import_errors():
    x, z = _model(tf)
    gd = tf.get_default_graph().as_graph_def()
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="not found in graph_def"):
            tf.import_graph_def(gd, input_map={"nope:0": tf.constant(1.0)})
        bad = GraphDef()
        bad.node.add(name="a", op="NoSuchOp")
        with pytest.raises(ValueError, match="NoSuchOp"):
            tf.import_graph_def(bad)
        dangling = GraphDef()
        dangling.node.add(name="b", op="Identity", input=["missing"])
        with pytest.raises(ValueError, match="Unknown input node"):
            tf.import_graph_def(dangling)
        with pytest.raises(TypeError):
            tf.import_graph_def(b"not a graph def")


def test_write_graph_text_and_binary(tmp_path):
    _model(tf)
    p1 = write_graph(tf.get_default_graph(), str(tmp_path / "d"), "g.pbtxt")
    p2 = write_graph(tf.get_default_graph().as_graph_def(), str(tmp_path / "d"), "g.pb",
                     as_text=False)
    parsed = text_format.Parse(open(p1).read(), GraphDef())
    assert parsed == GraphDef.FromString(open(p2, "rb").read())
    assert not [f for f in os.listdir(tmp_path / "d") if f.endswith(".tmp")]


@pytest.mark.tf
def test_our_graph_def_imports_into_tensorflow(tfv1):
    _model(tf)
    data = tf.get_default_graph().as_graph_def().SerializeToString()
    gd = tfv1.GraphDef.FromString(data)
    with tfv1.Graph().as_default() as g:
        (z,) = tfv1.import_graph_def(gd, return_elements=["z:0"], name="")
        x = g.get_tensor_by_name("x:0")
        with tfv1.Session(graph=g) as sess:
            theirs = sess.run(z, {x: [[1, 2, 3]]})
    x_, z_ = tf.get_default_graph().get_tensor_by_name("x:0"), \
        tf.get_default_graph().get_tensor_by_name("z:0")
    with tf.Session() as sess:
        ours = sess.run(z_, {x_: [[1, 2, 3]]})
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.tf
def test_tensorflow_graph_def_imports_into_minitf(tfv1):
    _model(tfv1)
    data = tfv1.get_default_graph().as_graph_def().SerializeToString()
    with tf.Graph().as_default() as g:
        (z,) = tf.import_graph_def(GraphDef.FromString(data), return_elements=["z:0"], name="")
        x = g.get_tensor_by_name("x:0")
        with tf.Session() as sess:
            got = sess.run(z, {x: [[1, 0, 1]]})
    np.testing.assert_allclose(got.ravel(), [1 / (1 + np.exp(-4.5))], rtol=1e-6)


@pytest.mark.tf
def test_text_format_identical_to_tensorflow(tfv1):
    def build(t):
        a = t.constant([[1.5, -2.0]], name="a")
        b = t.placeholder(t.float32, [None, 2], name="b")
        return t.identity(a * b, name="out")

    build(tf)
    build(tfv1)
    ours = tf.get_default_graph().as_graph_def()
    theirs = tfv1.get_default_graph().as_graph_def()
    for n_ours, n_theirs in zip(ours.node, theirs.node):
        assert n_ours.name == n_theirs.name
        assert n_ours.op == n_theirs.op or (n_ours.op, n_theirs.op) == ("Mul", "Mul")
        assert list(n_ours.input) == list(n_theirs.input)
        assert set(n_ours.attr) == set(n_theirs.attr), n_ours.name
