"""``tf.train.Saver``: round trips, TF's file names and state file, SaverDef and graph op
names, max_to_keep, keep_checkpoint_every_n_hours, errors."""

from __future__ import annotations

import os

import numpy as np
import pytest

import minitf as tf
from minitf.framework import errors


def _model(t, init=0.0):
    w = t.Variable(np.arange(6, dtype=np.float32).reshape(3, 2) + init, name="w")
    with t.variable_scope("layer"):
        b = t.get_variable("b", [2], initializer=t.constant_initializer(init + 0.5))
    n = t.Variable(np.array([1, 2, 3], np.int64) + int(init), name="counts")
    words = t.Variable(np.array([b"a", b"bc"], dtype=object), name="words")
    step = t.train.get_or_create_global_step()
    return {"w": w, "b": b, "n": n, "words": words, "step": step}


def _save_w(prefix):
    """Builds :func:`_model` and saves only its ``w`` to ``prefix``; returns the path."""
    m = _model(tf)
    saver = tf.train.Saver([m["w"]])
    with tf.Session() as s:
        s.run(m["w"].initializer)
        return saver.save(s, str(prefix))


def test_round_trip_restores_every_variable(tmp_path):
    m = _model(tf)
    saver = tf.train.Saver()
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(tf.assign_add(m["step"], 41))
        s.run(m["w"].assign(m["w"] * 2.0))
        path = saver.save(s, str(tmp_path / "model.ckpt"), global_step=m["step"])
        assert path == str(tmp_path / "model.ckpt-41")
        expected = s.run(list(m.values()))
    with tf.Session() as s:  # a new session: every variable uninitialized
        saver.restore(s, path)
        got = s.run(list(m.values()))
    for a, b in zip(expected, got):
        if isinstance(a, np.ndarray) and a.dtype == object:
            assert list(a) == list(b)
        else:
            np.testing.assert_array_equal(a, b)
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint", "model.ckpt-41.data-00000-of-00001", "model.ckpt-41.index",
        "model.ckpt-41.meta"]


def test_checkpoint_state_file_is_tf_text_format(tmp_path):
    m = _model(tf)
    saver = tf.train.Saver(max_to_keep=2)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        for step in (10, 20, 30):
            saver.save(s, str(tmp_path / "model.ckpt"), global_step=step)
    text = (tmp_path / "checkpoint").read_text()
    assert text == (f'model_checkpoint_path: "{tmp_path}/model.ckpt-30"\n'
                    f'all_model_checkpoint_paths: "{tmp_path}/model.ckpt-20"\n'
                    f'all_model_checkpoint_paths: "{tmp_path}/model.ckpt-30"\n')
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == str(tmp_path / "model.ckpt-30")
    assert list(state.all_model_checkpoint_paths) == [str(tmp_path / "model.ckpt-20"),
                                                      str(tmp_path / "model.ckpt-30")]
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt-30")
    assert not tf.train.checkpoint_exists(str(tmp_path / "model.ckpt-10"))
    assert tf.train.checkpoint_exists(str(tmp_path / "model.ckpt-20"))
    assert saver.last_checkpoints == [str(tmp_path / "model.ckpt-20"),
                                      str(tmp_path / "model.ckpt-30")]
    del m


def _save_sequence(t, directory, steps, **saver_kwargs):
    with t.Graph().as_default():
        _model(t)
        saver = t.train.Saver(**saver_kwargs)
        with t.Session() as s:
            s.run(t.global_variables_initializer())
            for step in steps:
                saver.save(s, os.path.join(directory, "model.ckpt"), global_step=step)
        return saver


@pytest.mark.tf
@pytest.mark.parametrize("kwargs", [{}, {"max_to_keep": 2}, {"max_to_keep": None},
                                    {"pad_step_number": True, "max_to_keep": 3},
                                    {"save_relative_paths": True}])
def test_file_names_and_state_file_match_tf(tmp_path, tfv1, kwargs):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    steps = [0, 5, 10, 15, 20, 25, 30]
    a = _save_sequence(tf, str(ours), steps, **kwargs)
    b = _save_sequence(tfv1, str(theirs), steps, **kwargs)
    assert sorted(os.listdir(ours)) == sorted(os.listdir(theirs))
    assert (ours / "checkpoint").read_text().replace(str(ours), "D") == \
        (theirs / "checkpoint").read_text().replace(str(theirs), "D")
    assert [p.replace(str(ours), "D") for p in a.last_checkpoints] == \
        [p.replace(str(theirs), "D") for p in b.last_checkpoints]
    assert tf.train.latest_checkpoint(str(theirs)) == tfv1.train.latest_checkpoint(str(theirs))
    assert tfv1.train.latest_checkpoint(str(ours)).replace(str(ours), "D") == \
        tf.train.latest_checkpoint(str(ours)).replace(str(ours), "D")


@pytest.mark.tf
def test_saver_def_and_graph_names_match_tf(tfv1):
    def build(t):
        with t.Graph().as_default() as g:
            _model(t)
            first = t.train.Saver()
            second = t.train.Saver([v for v in t.global_variables()][:2], max_to_keep=3,
                                   keep_checkpoint_every_n_hours=2.0)
            names = sorted(op.name for op in g.get_operations()
                           if op.name.startswith("save"))
            def fields(sd):
                return (sd.filename_tensor_name, sd.save_tensor_name, sd.restore_op_name,
                        sd.max_to_keep, sd.sharded, sd.keep_checkpoint_every_n_hours,
                        int(sd.version))

            return fields(first.as_saver_def()), fields(second.saver_def), names

    ours, theirs = build(tf), build(tfv1)
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]
    assert ours[2] == theirs[2]


def test_run_save_and_restore_through_saver_def_names(tmp_path):
    m = _model(tf)
    saver = tf.train.Saver()
    sd = saver.saver_def
    path = str(tmp_path / "direct")
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        out = s.run(sd.save_tensor_name, {sd.filename_tensor_name: path})
        assert out == path.encode()
        s.run(m["w"].assign(tf.zeros([3, 2])))
        s.run(sd.restore_op_name, {sd.filename_tensor_name: path})
        np.testing.assert_array_equal(s.run(m["w"]), np.arange(6).reshape(3, 2))
    assert tf.train.checkpoint_exists(path)


def test_var_list_dict_renames_and_list_subsets(tmp_path):
    m = _model(tf)
    saver = tf.train.Saver({"weights": m["w"], "bias": m["b"]})
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        path = saver.save(s, str(tmp_path / "renamed"), write_meta_graph=False)
    names = dict(tf.train.list_variables(path))
    assert names == {"weights": [3, 2], "bias": [2]}
    np.testing.assert_array_equal(tf.train.load_variable(path, "weights"),
                                  np.arange(6).reshape(3, 2))
    reader = tf.train.NewCheckpointReader(path)
    assert reader.has_tensor("bias") and not reader.has_tensor("w")
    assert reader.get_variable_to_shape_map() == {"weights": [3, 2], "bias": [2]}
    # restore the renamed tensors into other variables
    tf.reset_default_graph()
    x = tf.Variable(np.zeros((3, 2), np.float32), name="x")
    saver2 = tf.train.Saver({"weights": x})
    with tf.Session() as s:
        saver2.restore(s, path)
        np.testing.assert_array_equal(s.run(x), np.arange(6).reshape(3, 2))


def test_restore_missing_variable_is_not_found_naming_variable_and_file(tmp_path):
    path = _save_w(tmp_path / "only_w")
    full = tf.train.Saver()
    with tf.Session() as s:
        with pytest.raises(errors.NotFoundError) as e:
            full.restore(s, path)
    msg = str(e.value)
    assert "Key counts not found in checkpoint" in msg and path in msg
    assert "Restoring from checkpoint failed" in msg


def test_restore_wrong_shape_is_invalid_argument_naming_both_shapes(tmp_path):
    path = _save_w(tmp_path / "w32")
    tf.reset_default_graph()
    w = tf.Variable(np.zeros((2, 2), np.float32), name="w")
    saver = tf.train.Saver([w])
    with tf.Session() as s:
        with pytest.raises(errors.InvalidArgumentError) as e:
            saver.restore(s, path)
    msg = str(e.value)
    assert "w" in msg and "[3, 2]" in msg and "[2, 2]" in msg and path in msg


def test_restore_through_graph_op_reports_missing_key_and_shape(tmp_path):
    """Without the Python pre-check: the RestoreV2 and Assign kernels' own errors."""
    path = _save_w(tmp_path / "w")
    tf.reset_default_graph()
    w = tf.Variable(np.zeros((3, 3), np.float32), name="w")
    v = tf.Variable(np.zeros(1, np.float32), name="v")
    sd = tf.train.Saver([w]).saver_def
    sd2 = tf.train.Saver([v]).saver_def
    with tf.Session() as s:
        with pytest.raises(errors.InvalidArgumentError, match=r"\[3,3\].*\[3,2\]"):
            s.run(sd.restore_op_name, {sd.filename_tensor_name: path})
        with pytest.raises(errors.NotFoundError, match=f"Key v not found in checkpoint {path}"):
            s.run(sd2.restore_op_name, {sd2.filename_tensor_name: path})


def test_restore_wrong_dtype(tmp_path):
    path = _save_w(tmp_path / "w")
    tf.reset_default_graph()
    w = tf.Variable(np.zeros((3, 2), np.float64), name="w")
    with tf.Session() as s:
        with pytest.raises(errors.InvalidArgumentError, match="expected dtype float64"):
            tf.train.Saver([w]).restore(s, path)


def test_restore_corrupt_file_is_data_loss(tmp_path):
    m = _model(tf)
    saver = tf.train.Saver()
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        path = saver.save(s, str(tmp_path / "m"))
    data = path + ".data-00000-of-00001"
    raw = bytearray(open(data, "rb").read())
    raw[100] ^= 0xFF
    open(data, "wb").write(bytes(raw))
    with tf.Session() as s:
        with pytest.raises(errors.DataLossError, match="m.data-00000-of-00001"):
            saver.restore(s, path)
    del m


def test_restore_invalid_paths(tmp_path):
    _model(tf)
    saver = tf.train.Saver()
    with tf.Session() as s:
        with pytest.raises(ValueError, match="not a valid checkpoint"):
            saver.restore(s, str(tmp_path / "nothing"))
        with pytest.raises(ValueError, match="Can't load save_path when it is None"):
            saver.restore(s, None)
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None


def test_save_errors(tmp_path):
    _model(tf)
    saver = tf.train.Saver()
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        with pytest.raises(ValueError, match="Parent directory of .* doesn't exist"):
            saver.save(s, str(tmp_path / "missing" / "model"))
        with pytest.raises(ValueError, match="'latest_filename' collides with 'save_path'"):
            saver.save(s, str(tmp_path / "checkpoint"))
        with pytest.raises(ValueError, match="must not contain path components"):
            saver.save(s, str(tmp_path / "m"), latest_filename="a/b")
        with pytest.raises(TypeError, match="'sess' must be a Session"):
            saver.save("not a session", str(tmp_path / "m"))


def test_constructor_errors():
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    assert tf.train.Saver(allow_empty=True).saver_def is None
    a = tf.Variable(1.0, name="a")
    for twice in ([a, a], [a, a._ref()]):
        with pytest.raises(ValueError, match="At least two variables have the same name: a"):
            tf.train.Saver(twice)
    with pytest.raises(TypeError, match="Not a variable"):
        tf.train.Saver({"x": 1})
    with pytest.raises(TypeError, match="not a Variable"):
        tf.train.Saver([tf.constant(1.0)])
    with pytest.raises(TypeError, match="dict or a list"):
        tf.train.Saver(a)
    with pytest.raises(ValueError, match="build cannot be deferred"):
        tf.train.Saver([a], defer_build=True)


def test_duplicate_variable_names():
    v1 = tf.Variable(1.0, name="v")
    tf.reset_default_graph()
    v2 = tf.Variable(2.0, name="v")
    with pytest.raises(ValueError, match="At least two variables have the same name: v"):
        tf.train.Saver([v1, v2])


def test_empty_saver_saves_nothing(tmp_path):
    saver = tf.train.Saver(allow_empty=True)
    with tf.Session() as s:
        assert saver.save(s, str(tmp_path / "m"), write_meta_graph=False) is None
        saver.restore(s, str(tmp_path / "m"))
    assert os.listdir(tmp_path) == []


def test_max_to_keep_none_keeps_everything(tmp_path):
    saver = _save_sequence(tf, str(tmp_path), [1, 2, 3, 4, 5, 6, 7], max_to_keep=None)
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".index")]) == 7
    assert saver.last_checkpoints == []


def _kept_every_n_hours(t, directory, monkeypatch, time_module):
    clock = {"t": 1000.0}
    monkeypatch.setattr(time_module, "time", lambda: clock["t"])
    with t.Graph().as_default():
        _model(t)
        saver = t.train.Saver(max_to_keep=2, keep_checkpoint_every_n_hours=1.0)
        with t.Session() as s:
            s.run(t.global_variables_initializer())
            for step in range(9):
                clock["t"] += 1800.0  # half an hour per save
                saver.save(s, os.path.join(directory, "m"), global_step=step,
                           write_meta_graph=False)
    monkeypatch.undo()
    return sorted(int(f.split("-")[1].split(".")[0]) for f in os.listdir(directory)
                  if f.endswith(".index"))


def test_keep_checkpoint_every_n_hours(tmp_path, monkeypatch):
    import minitf.train.saver as saver_mod

    kept = _kept_every_n_hours(tf, str(tmp_path), monkeypatch, saver_mod.time)
    # the last 2, plus the first checkpoint older than each hour since the saver was built
    assert kept == [2, 4, 6, 7, 8]


@pytest.mark.tf
def test_keep_checkpoint_every_n_hours_matches_tf(tmp_path, monkeypatch, tfv1):
    import time as time_module

    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    a = _kept_every_n_hours(tf, str(ours), monkeypatch, time_module)
    b = _kept_every_n_hours(tfv1, str(theirs), monkeypatch, time_module)
    assert a == b


def test_last_checkpoints_api(tmp_path):
    saver = _save_sequence(tf, str(tmp_path), [1, 2], max_to_keep=5)
    paths = saver.last_checkpoints
    saver.set_last_checkpoints([paths[1]])
    assert saver.last_checkpoints == [paths[1]]
    saver.set_last_checkpoints_with_time([(paths[0], 5.0)])
    assert saver.last_checkpoints == [paths[0]]
    saver.recover_last_checkpoints(paths + [str(tmp_path / "gone")])
    assert saver.last_checkpoints == paths
    mtimes = tf.train.get_checkpoint_mtimes(paths)
    assert len(mtimes) == 2 and all(t > 0 for t in mtimes)


def test_write_state_and_meta_graph_flags(tmp_path):
    _model(tf)
    saver = tf.train.Saver()
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        saver.save(s, str(tmp_path / "a"), write_state=False, write_meta_graph=False)
        saver.save(s, str(tmp_path / "b"), latest_filename="mystate", meta_graph_suffix="mg")
    assert sorted(os.listdir(tmp_path)) == [
        "a.data-00000-of-00001", "a.index", "b.data-00000-of-00001", "b.index", "b.mg",
        "mystate"]
    assert tf.train.latest_checkpoint(str(tmp_path), "mystate") == str(tmp_path / "b")
    assert tf.train.latest_checkpoint(str(tmp_path)) is None


def test_relative_save_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("ckpts")
    _model(tf)
    saver = tf.train.Saver()
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        path = saver.save(s, "ckpts/model", global_step=3)
    assert path == "ckpts/model-3"
    assert (tmp_path / "ckpts" / "checkpoint").read_text().startswith(
        'model_checkpoint_path: "model-3"')
    assert tf.train.latest_checkpoint("ckpts") == "ckpts/model-3"


def test_reshape_restore(tmp_path):
    w = tf.Variable(np.arange(6, dtype=np.float32), name="w")
    saver = tf.train.Saver()
    with tf.Session() as s:
        s.run(w.initializer)
        path = saver.save(s, str(tmp_path / "flat"))
    tf.reset_default_graph()
    w = tf.Variable(np.zeros((2, 3), np.float32), name="w")
    saver = tf.train.Saver(reshape=True)
    with tf.Session() as s:
        saver.restore(s, path)
        np.testing.assert_array_equal(s.run(w), np.arange(6).reshape(2, 3))


def test_two_savers_and_sharded_flag(tmp_path):
    m = _model(tf)
    s1 = tf.train.Saver([m["w"]])
    s2 = tf.train.Saver([m["b"]], sharded=True, name="other")
    assert s1.saver_def.restore_op_name == "save/restore_all"
    assert s2.saver_def.restore_op_name == "other/restore_all"
    assert s2.saver_def.sharded
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        p = s2.save(s, str(tmp_path / "sh"), global_step=1)
    assert os.path.exists(p + ".data-00000-of-00001")


def test_to_proto_and_from_proto(tmp_path):
    m = _model(tf)
    saver = tf.train.Saver()
    proto = saver.to_proto()
    assert proto is saver.as_saver_def()
    assert saver.to_proto(export_scope="nothing") is None
    stripped = saver.to_proto(export_scope="save")
    assert stripped.restore_op_name == "restore_all"
    again = tf.train.Saver.from_proto(stripped, import_scope="save")
    assert again.saver_def.restore_op_name == "save/restore_all"
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        path = saver.save(s, str(tmp_path / "m"))
        s.run(m["w"].assign(tf.zeros([3, 2])))
        again.restore(s, path)
        np.testing.assert_array_equal(s.run(m["w"]), np.arange(6).reshape(3, 2))
    with pytest.raises(ValueError, match="saver_def must be"):
        tf.train.Saver(saver_def="nope")


def test_update_checkpoint_state_helpers(tmp_path):
    d = str(tmp_path)
    tf.train.update_checkpoint_state(d, os.path.join(d, "m-2"), [os.path.join(d, "m-1")])
    state = tf.train.get_checkpoint_state(d)
    assert list(state.all_model_checkpoint_paths) == [os.path.join(d, "m-1"),
                                                      os.path.join(d, "m-2")]
    assert tf.train.latest_checkpoint(d) is None  # no files behind it
    proto = tf.train.generate_checkpoint_state_proto(d, os.path.join(d, "x"))
    assert proto.model_checkpoint_path == os.path.join(d, "x")
    with pytest.raises(RuntimeError, match="conflicts with path used for checkpoint state"):
        tf.train.update_checkpoint_state(d, os.path.join(d, "checkpoint"))
    (tmp_path / "checkpoint").write_text("this is { not text format")
    assert tf.train.get_checkpoint_state(d) is None


def test_defer_build_and_default_filename(tmp_path):
    saver = tf.train.Saver(defer_build=True, filename=str(tmp_path / "default"))
    v = tf.Variable([1.0, 2.0], name="v")
    with tf.Session() as s:
        s.run(v.initializer)
        with pytest.raises(RuntimeError, match="should be called before save"):
            saver.save(s, str(tmp_path / "x"))
        saver.build()
        s.run(saver.saver_def.save_tensor_name)  # no feed: the filename given at build time
    assert tf.train.checkpoint_exists(str(tmp_path / "default"))
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path / "default"), "v:0"),
                                  [1.0, 2.0])
    assert [n for n, _ in tf.train.list_variables(str(tmp_path / "default"))] == ["v"]
