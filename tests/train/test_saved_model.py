"""tf.saved_model (TF 1.x API): SavedModelBuilder / simple_save / loader.load round trips in
minitf; saved_model.pb is TF's SavedModel protobuf (real TF parses ours, minitf parses TF's)."""

from __future__ import annotations

import os

import numpy as np
import pytest

import minitf as tf
from minitf.framework import errors
from minitf.framework.proto import SavedModel

XS = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)


def _model():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.get_variable("w", [3, 2], initializer=tf.random_normal_initializer(seed=1))
    b = tf.Variable(tf.zeros([2]), name="b")
    y = tf.nn.relu(tf.matmul(x, w) + b, name="y")
    return x, w, b, y


def _trained_session(x, b, y):
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    sess.run(tf.assign(b, [0.5, -0.25]))  # a value the initializer would not give back
    return sess, sess.run(y, {x: XS})


def test_simple_save_round_trip(tmp_path):
    export = str(tmp_path / "model")
    x, _, b, y = _model()
    sess, before = _trained_session(x, b, y)
    tf.saved_model.simple_save(sess, export, {"x": x}, {"y": y})
    sess.close()
    assert sorted(os.listdir(export)) == ["saved_model.pb", "variables"]
    assert sorted(os.listdir(os.path.join(export, "variables"))) == [
        "variables.data-00000-of-00001", "variables.index"]

    with tf.Graph().as_default() as g, tf.Session(graph=g) as sess:
        meta = tf.saved_model.loader.load(sess, [tf.saved_model.tag_constants.SERVING],
                                          export)
        sig = meta.signature_def[
            tf.saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
        assert sig.method_name == tf.saved_model.signature_constants.PREDICT_METHOD_NAME
        assert sig.inputs["x"].name == "x:0" and sig.outputs["y"].name == "y:0"
        assert [d.size for d in sig.inputs["x"].tensor_shape.dim] == [-1, 3]
        after = sess.run(sig.outputs["y"].name, {sig.inputs["x"].name: XS})
        np.testing.assert_array_equal(after, before)
        out = tf.saved_model.utils.get_tensor_from_tensor_info(sig.outputs["y"])
        assert out is g.get_tensor_by_name("y:0")


def test_builder_tags_main_op_and_text(tmp_path):
    export = str(tmp_path / "m")
    x, _, b, y = _model()
    counter = tf.Variable(0, name="counter", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    init_local = tf.group(tf.assign(counter, 41), name="my_main_op")
    sess, before = _trained_session(x, b, y)
    builder = tf.saved_model.builder.SavedModelBuilder(export)
    with pytest.raises(AssertionError, match="has not been saved yet"):
        builder.add_meta_graph(["x"])
    sig = tf.saved_model.signature_def_utils.build_signature_def(
        inputs={"in": tf.saved_model.utils.build_tensor_info(x)},
        outputs={"out": tf.saved_model.utils.build_tensor_info(y)},
        method_name=tf.saved_model.signature_constants.PREDICT_METHOD_NAME)
    builder.add_meta_graph_and_variables(sess, [tf.saved_model.tag_constants.TRAINING],
                                         signature_def_map={"train_sig": sig},
                                         legacy_init_op=init_local)
    with pytest.raises(AssertionError, match="already been saved"):
        builder.add_meta_graph_and_variables(sess, ["y"])
    builder.add_meta_graph([tf.saved_model.tag_constants.SERVING, "gpu"],
                           signature_def_map={"serving_default": sig}, clear_devices=True)
    path = builder.save(as_text=True)
    sess.close()
    assert path == os.path.join(export, "saved_model.pbtxt").encode()

    for tags, key in ((["train"], "train_sig"), (["gpu", "serve"], "serving_default")):
        with tf.Graph().as_default() as g, tf.Session(graph=g) as sess:
            meta = tf.saved_model.loader.load(sess, tags, export)
            assert set(meta.meta_info_def.tags) == set(tags)
            s = meta.signature_def[key]
            np.testing.assert_array_equal(sess.run(s.outputs["out"].name,
                                                   {s.inputs["in"].name: XS}), before)
            assert sess.run("counter:0") == 41  # the main op ran after the restore

    with tf.Graph().as_default() as g, tf.Session(graph=g) as sess:
        with pytest.raises(RuntimeError, match="could not be found in SavedModel"):
            tf.saved_model.loader.load(sess, ["serve"], export)


def test_refuses_existing_dir_and_bad_signatures(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "f").write_text("x")
    with pytest.raises(AssertionError, match="already exists, and isn't empty"):
        tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "full"))
    (tmp_path / "empty").mkdir()
    tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "empty"))  # an empty dir is fine
    with pytest.raises(ValueError, match="cannot be None or empty"):
        tf.saved_model.signature_def_utils.predict_signature_def({}, {"a": tf.constant(1)})
    x, _, b, y = _model()
    sess, _ = _trained_session(x, b, y)
    builder = tf.saved_model.Builder(str(tmp_path / "new" / "nested"))
    bad = tf.saved_model.signature_def_utils.build_signature_def(
        {"x": tf.saved_model.utils.build_tensor_info(x)},
        {"y": tf.saved_model.utils.build_tensor_info_from_op(y.op)}, "m")
    with pytest.raises(AssertionError, match="dtype field set"):
        builder.add_meta_graph_and_variables(sess, ["serve"], {"k": bad})
    with pytest.raises(KeyError, match="reserved"):
        good = tf.saved_model.signature_def_utils.predict_signature_def({"x": x}, {"y": y})
        builder.add_meta_graph_and_variables(sess, ["serve"], {"__saved_model_init_op": good})
    sess.close()
    with pytest.raises(OSError, match="SavedModel file does not exist"):
        with tf.Session(graph=tf.Graph()) as s:
            tf.saved_model.loader.load(s, ["serve"], str(tmp_path / "empty"))


def test_assets_are_copied_and_fed(tmp_path):
    src = tmp_path / "vocab.txt"
    src.write_text("a\nb\n")
    export = str(tmp_path / "m")
    x, _, b, y = _model()
    asset = tf.constant(str(src), name="asset_path")
    tf.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, asset)
    sess, before = _trained_session(x, b, y)
    tf.saved_model.simple_save(sess, export, {"x": x}, {"y": y})
    sess.close()
    assert (tmp_path / "m" / "assets" / "vocab.txt").read_text() == "a\nb\n"
    with tf.Graph().as_default() as g, tf.Session(graph=g) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], export)
        feed = tf.saved_model.loader.get_asset_tensors(export, meta)
        assert feed == {"asset_path:0": os.path.join(export, "assets", "vocab.txt")}
        np.testing.assert_array_equal(sess.run("y:0", {"x:0": XS}), before)


def test_tf_parses_minitf_saved_model(tmp_path, tfv1):
    from tensorflow.core.protobuf import saved_model_pb2

    export = str(tmp_path / "m")
    x, _, b, y = _model()
    sess, _ = _trained_session(x, b, y)
    tf.saved_model.simple_save(sess, export, {"x": x}, {"y": y})
    names = sorted(n.name for n in sess.graph.as_graph_def().node)
    sess.close()
    sm = saved_model_pb2.SavedModel()
    with open(os.path.join(export, "saved_model.pb"), "rb") as f:
        sm.ParseFromString(f.read())
    assert sm.saved_model_schema_version == 1 and len(sm.meta_graphs) == 1
    meta = sm.meta_graphs[0]
    assert list(meta.meta_info_def.tags) == ["serve"]
    sig = meta.signature_def["serving_default"]
    assert sig.method_name == "tensorflow/serving/predict"
    assert sig.inputs["x"].name == "x:0" and sig.inputs["x"].dtype == tfv1.float32.as_datatype_enum
    assert [d.size for d in sig.outputs["y"].tensor_shape.dim] == [-1, 2]
    assert sorted(n.name for n in meta.graph_def.node) == names
    assert meta.saver_def.restore_op_name
    node_names = {n.name for n in meta.graph_def.node}
    assert meta.saver_def.restore_op_name in node_names
    assert "w" in node_names and "b" in node_names
    assert len(meta.collection_def["variables"].bytes_list.value) == 2


def test_minitf_parses_tf_saved_model(tmp_path, tfv1):
    export = str(tmp_path / "tfmodel")
    x = tfv1.placeholder(tfv1.float32, [None, 3], name="x")
    w = tfv1.get_variable("w", [3, 2])
    y = tfv1.identity(tfv1.matmul(x, w), name="y")
    with tfv1.Session() as s:
        s.run(tfv1.global_variables_initializer())
        tfv1.saved_model.simple_save(s, export, {"x": x}, {"y": y})
    with open(os.path.join(export, "saved_model.pb"), "rb") as f:
        data = f.read()
    sm = SavedModel.FromString(data)
    meta = sm.meta_graphs[0]
    assert list(meta.meta_info_def.tags) == ["serve"]
    sig = meta.signature_def["serving_default"]
    assert sig.inputs["x"].name == "x:0" and sig.outputs["y"].name == "y:0"
    assert sig.method_name == "tensorflow/serving/predict"
    assert {"x", "w", "y"} <= {n.name for n in meta.graph_def.node}
    # re-serialized, TF reads back the same message (unknown fields kept)
    from tensorflow.core.protobuf import saved_model_pb2

    assert saved_model_pb2.SavedModel.FromString(sm.SerializeToString()) == \
        saved_model_pb2.SavedModel.FromString(data)
    # the variables are in TF's checkpoint format: a clear error, not a corrupt-file one
    with tf.Graph().as_default() as g, tf.Session(graph=g) as sess:
        with pytest.raises(errors.UnimplementedError, match="not in minitf's checkpoint format"):
            tf.saved_model.loader.load(sess, ["serve"], export)
