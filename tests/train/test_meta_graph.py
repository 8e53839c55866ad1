"""export_meta_graph / import_meta_graph: the graph, SaverDef and collections survive, and a
fresh graph can restore and keep training."""

from __future__ import annotations

import os

import numpy as np
import pytest

import minitf as tf
from minitf.framework.proto import MetaGraphDef
from minitf.train.meta_graph import VariableDef


def _train_graph():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.get_variable("w", [3, 2], initializer=tf.constant_initializer(0.5))
    b = tf.Variable(tf.zeros([2]), name="b")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - 1.0), name="loss")
    step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.1).minimize(loss, global_step=step)
    tf.add_to_collection("losses", loss)
    tf.add_to_collection("my_ints", 7)
    tf.add_to_collection("my_floats", 2.5)
    tf.add_to_collection("my_strings", "hello")
    return x, loss, train, step


XS = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)


def _scalar_const_survives_graph_def() -> bool:
    g = tf.Graph()
    with g.as_default():
        tf.constant(0, tf.int64, name="c")
    h = tf.Graph()
    with h.as_default():
        tf.import_graph_def(g.as_graph_def(), name="")
        return h.get_tensor_by_name("c:0").get_shape().as_list() == []


def test_graph_def_round_trip_keeps_scalar_constants():
    """A scalar variable (the global step) imports only if 0-d constants stay 0-d."""
    assert _scalar_const_survives_graph_def()


def test_import_meta_graph_restores_and_continues_training(tmp_path):
    x, loss, train, step = _train_graph()
    saver = tf.train.Saver()
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        for _ in range(3):
            s.run(train, {x: XS})
        path = saver.save(s, str(tmp_path / "model.ckpt"), global_step=step)
        before = s.run({v.op.name: v for v in tf.global_variables()})
        s.run(train, {x: XS})
        after_one_more = s.run({v.op.name: v for v in tf.global_variables()})
    assert os.path.exists(path + ".meta")

    tf.reset_default_graph()
    saver2 = tf.train.import_meta_graph(path + ".meta")
    g = tf.get_default_graph()
    gvars = tf.global_variables()
    assert all(isinstance(v, tf.Variable) for v in gvars)
    assert [v.op.name for v in gvars] == list(before)
    assert [v.op.name for v in tf.trainable_variables()] == ["w", "b"]
    assert [t.name for t in tf.get_collection("losses")] == ["loss:0"]
    assert tf.get_collection("my_ints") == [7]
    assert tf.get_collection("my_floats") == [2.5]
    assert tf.get_collection("my_strings") == ["hello"]
    assert tf.train.get_global_step().op.name == "global_step"
    train2 = tf.get_collection(tf.GraphKeys.TRAIN_OP)[0]
    assert train2.name == "Adam"
    with tf.Session() as s:
        saver2.restore(s, tf.train.latest_checkpoint(str(tmp_path)))
        got = s.run({v.op.name: v for v in tf.global_variables()})
        for k in before:
            np.testing.assert_array_equal(got[k], before[k])
        s.run(train2, {g.get_tensor_by_name("x:0"): XS})
        got = s.run({v.op.name: v for v in tf.global_variables()})
        for k in after_one_more:
            np.testing.assert_allclose(got[k], after_one_more[k], rtol=1e-6)


def test_initializers_of_imported_variables_work(tmp_path):
    _train_graph()
    meta = str(tmp_path / "g.meta")
    tf.train.export_meta_graph(meta)
    tf.reset_default_graph()
    tf.train.import_meta_graph(meta)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        w = [v for v in tf.global_variables() if v.op.name == "w"][0]
        np.testing.assert_array_equal(s.run(w), np.full((3, 2), 0.5))
        assert s.run(tf.report_uninitialized_variables()).size == 0


def test_variable_collections_hold_variable_defs():
    _train_graph()
    meta = tf.train.export_meta_graph()
    assert isinstance(meta, MetaGraphDef)
    col = meta.collection_def[tf.GraphKeys.GLOBAL_VARIABLES]
    defs = [VariableDef.FromString(b) for b in col.bytes_list.value]
    w = [d for d in defs if d.variable_name == "w:0"][0]
    assert w.initializer_name == "w/Assign" and w.snapshot_name == "w/read:0"
    assert w.initial_value_name.startswith("w/Initializer") and w.trainable
    assert list(meta.collection_def["train_op"].node_list.value) == ["Adam"]
    assert meta.collection_def["my_ints"].int64_list.value == [7]
    assert meta.saver_def.restore_op_name == ""  # no saver was given
    assert meta.meta_info_def.tensorflow_version


@pytest.mark.tf
def test_meta_graph_is_tf_compatible_protobuf(tmp_path, tfv1):
    """TF parses our .meta file; its collections and SaverDef are those TF writes."""
    from tensorflow.core.protobuf import meta_graph_pb2

    def export(t, path):
        with t.Graph().as_default():
            x = t.placeholder(t.float32, [None, 3], name="x")
            w = t.get_variable("w", [3, 2], initializer=t.zeros_initializer())
            loss = t.reduce_sum(t.matmul(x, w))
            t.train.GradientDescentOptimizer(0.1).minimize(
                loss, global_step=t.train.get_or_create_global_step())
            t.add_to_collection("losses", loss)
            saver = t.train.Saver()
            saver.export_meta_graph(path)
            return

    export(tf, str(tmp_path / "ours.meta"))
    export(tfv1, str(tmp_path / "theirs.meta"))
    ours = meta_graph_pb2.MetaGraphDef.FromString((tmp_path / "ours.meta").read_bytes())
    theirs = meta_graph_pb2.MetaGraphDef.FromString((tmp_path / "theirs.meta").read_bytes())
    assert sorted(ours.collection_def) == sorted(theirs.collection_def)
    for key in ours.collection_def:
        a, b = ours.collection_def[key], theirs.collection_def[key]
        assert a.WhichOneof("kind") == b.WhichOneof("kind"), key
        if a.WhichOneof("kind") == "bytes_list":
            from tensorflow.core.framework import variable_pb2

            va = [variable_pb2.VariableDef.FromString(v) for v in a.bytes_list.value]
            vb = [variable_pb2.VariableDef.FromString(v) for v in b.bytes_list.value]
            assert [(v.variable_name, v.initializer_name, v.snapshot_name, v.trainable)
                    for v in va] == \
                [(v.variable_name, v.initializer_name, v.snapshot_name, v.trainable) for v in vb]
        else:
            assert list(getattr(a, a.WhichOneof("kind")).value) == \
                list(getattr(b, b.WhichOneof("kind")).value)
    assert ours.saver_def == theirs.saver_def
    ours_nodes = {n.name: n.op for n in ours.graph_def.node if not n.name.startswith("gradients")}
    theirs_nodes = {n.name: n.op for n in theirs.graph_def.node
                    if not n.name.startswith("gradients")}
    assert ours_nodes == theirs_nodes


def test_text_meta_graph_and_import_scope(tmp_path):
    _train_graph()
    saver = tf.train.Saver()
    meta_path = str(tmp_path / "g.pbtxt")
    saver.export_meta_graph(meta_path, as_text=True)
    assert open(meta_path).read().lstrip().startswith("meta_info_def")
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        ckpt = saver.save(s, str(tmp_path / "m"), write_meta_graph=False)
    tf.reset_default_graph()
    saver2 = tf.train.import_meta_graph(meta_path, import_scope="imported")
    names = [v.op.name for v in tf.global_variables()]
    assert names[0] == "imported/w"
    assert saver2.saver_def.restore_op_name == "imported/save/restore_all"
    with tf.Session() as s:
        saver2.restore(s, ckpt)
        w = tf.get_default_graph().get_tensor_by_name("imported/w:0")
        np.testing.assert_array_equal(s.run(w), np.full((3, 2), 0.5))


def test_imported_saver_reports_variable_shape_and_file(tmp_path):
    from minitf.framework import errors

    tf.Variable(np.zeros((2, 2), np.float32), name="w")
    tf.train.get_or_create_global_step()
    saver = tf.train.Saver()
    meta = str(tmp_path / "m.meta")
    saver.export_meta_graph(meta)
    tf.reset_default_graph()
    tf.Variable(np.zeros((3, 2), np.float32), name="w")
    tf.train.get_or_create_global_step()
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        ckpt = tf.train.Saver().save(s, str(tmp_path / "c"), write_meta_graph=False)
    tf.reset_default_graph()
    imported = tf.train.import_meta_graph(meta)
    with tf.Session() as s:
        with pytest.raises(errors.InvalidArgumentError) as e:
            imported.restore(s, ckpt)
    msg = str(e.value)
    assert "variable w" in msg and "[3, 2]" in msg and "[2, 2]" in msg and ckpt in msg


def test_import_without_saver_def_builds_a_saver(tmp_path):
    v = tf.Variable([1.0, 2.0], name="v")
    meta_path = str(tmp_path / "nosaver.meta")
    tf.train.export_meta_graph(meta_path)
    with tf.Session() as s:
        s.run(v.initializer)
        ckpt = tf.train.Saver().save(s, str(tmp_path / "c"), write_meta_graph=False)
    tf.reset_default_graph()
    saver = tf.train.import_meta_graph(meta_path)
    assert saver is not None
    with tf.Session() as s:
        saver.restore(s, ckpt)
        np.testing.assert_array_equal(s.run(tf.global_variables()[0]), [1.0, 2.0])
    tf.reset_default_graph()
    tf.constant(1.0)
    empty = str(tmp_path / "empty.meta")
    tf.train.export_meta_graph(empty)
    tf.reset_default_graph()
    assert tf.train.import_meta_graph(empty) is None


def test_clear_devices_and_missing_file(tmp_path):
    with tf.device("/cpu:0"):
        tf.Variable(1.0, name="v")
    meta = tf.train.export_meta_graph(clear_devices=True)
    assert all(not n.device for n in meta.graph_def.node)
    with pytest.raises(OSError):
        tf.train.import_meta_graph(str(tmp_path / "nope.meta"))
