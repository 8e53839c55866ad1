"""FileWriter: TensorBoard's event-file format, the writer thread, reading back."""

from __future__ import annotations

import glob
import os
import re
import socket
import time

import pytest

import minitf as tf
from minitf import errors
from minitf.framework import record_io
from minitf.framework.proto import (
    Event,
    GraphDef,
    MetaGraphDef,
    RunMetadata,
    SessionLog,
    Summary,
    make_tensor_proto,
)


def _events(logdir):
    files = sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*")))
    assert len(files) == 1, files
    return list(tf.summary.summary_iterator(files[0])), files[0]


def test_file_name_and_first_event(tmp_path):
    t0 = int(time.time())
    w = tf.summary.FileWriter(str(tmp_path / "run"))
    # the file exists (with its version record) as soon as the writer does
    (first,), path = _events(tmp_path / "run")
    name = os.path.basename(path)
    m = re.fullmatch(r"events\.out\.tfevents\.(\d{10})\.(.+)", name)
    assert m and m.group(2) == socket.gethostname() and int(m.group(1)) >= t0
    assert first.file_version == "brain.Event:2"
    assert first.wall_time == int(m.group(1))
    assert first.source_metadata.writer
    w.close()
    w2 = tf.summary.FileWriter(str(tmp_path / "sfx"), filename_suffix=".v2")
    assert os.path.basename(w2.event_writer.path).endswith(socket.gethostname() + ".v2")
    w2.close()
    assert w.get_logdir() == str(tmp_path / "run")


def test_summaries_graph_metadata_and_logs_round_trip(tmp_path):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.name_scope("layer"):
        y = tf.multiply(x, 2.0, name="scaled")
    loss = tf.summary.scalar("loss", tf.reduce_max(y))
    text = tf.summary.text("note", tf.constant("hi"))
    merged = tf.summary.merge_all()
    logdir = str(tmp_path)
    with tf.Session() as sess, tf.summary.FileWriter(logdir, sess.graph) as w:
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        md = tf.RunMetadata()
        for step in range(3):
            s = sess.run(merged, {x: [[1.0, 2.0, float(step)]]}, options=opts, run_metadata=md)
            w.add_summary(s, global_step=step)
        w.add_run_metadata(md, "step2", global_step=2)
        with pytest.raises(ValueError, match="already used"):
            w.add_run_metadata(md, "step2")
        w.add_session_log(SessionLog(status=SessionLog.START), 3)
        w.add_summary(Summary(value=[Summary.Value(tag="direct", simple_value=7.0)]), 4)
    events, _ = _events(logdir)
    kinds = [e.WhichOneof("what") for e in events]
    assert kinds == ["file_version", "graph_def", "meta_graph_def", "summary", "summary",
                     "summary", "tagged_run_metadata", "session_log", "summary"]
    gd = GraphDef.FromString(events[1].graph_def)
    node = {n.name: n for n in gd.node}
    assert node["layer/scaled"].input == ["x", "layer/scaled/y"]
    shape = node["layer/scaled"].attr["_output_shapes"].list.shape[0]
    assert [d.size for d in shape.dim] == [-1, 3]
    assert MetaGraphDef.FromString(events[2].meta_graph_def).graph_def == gd
    scalars = [(e.step, v.simple_value) for e in events if e.HasField("summary")
               for v in e.summary.value if v.tag == "loss"]
    assert scalars == [(0, 4.0), (1, 4.0), (2, 4.0)]
    # plugin metadata is kept on the first value of a tag only
    notes = [v for e in events if e.HasField("summary") for v in e.summary.value
             if v.tag == "note"]
    assert [n.HasField("metadata") for n in notes] == [True, False, False]
    assert notes[0].metadata.plugin_data.plugin_name == "text"
    trm = events[6].tagged_run_metadata
    assert trm.tag == "step2" and events[6].step == 2
    names = {ns.node_name for d in RunMetadata.FromString(trm.run_metadata).step_stats.dev_stats
             for ns in d.node_stats}
    assert "layer/scaled" in names
    assert events[7].session_log.status == SessionLog.START and events[7].step == 3
    assert all(e.wall_time > 0 for e in events)
    del loss, text


def test_nothing_reaches_disk_before_flush_secs_then_everything(tmp_path):
    w = tf.summary.FileWriter(str(tmp_path), flush_secs=3600)
    for i in range(5):
        w.add_summary(Summary(value=[Summary.Value(tag="a", simple_value=i)]), i)
    time.sleep(0.2)
    events, path = _events(tmp_path)
    assert len(events) == 1  # only the version record: pending events stay in memory
    w.flush()
    assert len(_events(tmp_path)[0]) == 6
    w.close()


def test_flush_secs_writes_in_the_background(tmp_path):
    w = tf.summary.FileWriter(str(tmp_path), flush_secs=0.2)
    w.add_summary(Summary(value=[Summary.Value(tag="a", simple_value=1.0)]), 1)
    deadline = time.time() + 10
    while len(_events(tmp_path)[0]) < 2:
        assert time.time() < deadline, "the writer thread never flushed"
        time.sleep(0.05)
    w.close()


def test_max_queue_bounds_the_queue(tmp_path):
    w = tf.summary.FileWriter(str(tmp_path), max_queue=3)
    assert w.event_writer._queue.maxsize == 3
    for i in range(50):  # more than max_queue: add blocks until the thread catches up
        w.add_summary(Summary(value=[Summary.Value(tag="a", simple_value=i)]), i)
    w.close()
    assert [e.step for e in _events(tmp_path)[0][1:]] == list(range(50))


def test_the_file_holds_whole_records_between_writes(tmp_path):
    """Records reach the file whole: after each flush the file parses completely. (While a
    large write is in progress a concurrent reader can see its tail arriving, as with TF's
    writer; the background flushes of flush_secs=0.01 keep running meanwhile.)"""
    w = tf.summary.FileWriter(str(tmp_path), flush_secs=0.01)
    big = Summary(value=[Summary.Value(tag="blob", tensor=make_tensor_proto(
        os.urandom(200_000)))])
    for i in range(20):
        w.add_summary(big, i)
        w.flush()
        _, path = _events(tmp_path)
        assert len(record_io.read_records(path)) == i + 2
    w.close()
    assert len(_events(tmp_path)[0]) == 21


def test_close_reopen_appends_and_warns(tmp_path):
    w = tf.summary.FileWriter(str(tmp_path))
    w.add_summary(Summary(value=[Summary.Value(tag="a", simple_value=1)]), 1)
    w.close()
    w.close()  # idempotent
    with pytest.warns(UserWarning, match="closed FileWriter"):
        w.add_summary(Summary(value=[Summary.Value(tag="a", simple_value=2)]), 2)
    w.reopen()
    w.add_summary(Summary(value=[Summary.Value(tag="a", simple_value=3)]), 3)
    w.close()
    events, _ = _events(tmp_path)
    assert [e.step for e in events] == [0, 1, 3]


def test_add_graph_accepts_graph_or_graph_def_and_rejects_others(tmp_path):
    g = tf.Graph()
    with g.as_default():
        tf.add(3, 5)
    w = tf.summary.FileWriter(str(tmp_path))
    w.add_graph(g)
    w.add_graph(None, graph_def=g.as_graph_def())
    with pytest.raises(ValueError, match="only graph"):
        w.add_graph(g, graph_def=g.as_graph_def())
    with pytest.raises(TypeError, match="instance of `Graph`"):
        w.add_graph("graph")
    with pytest.raises(TypeError, match="MetaGraphDef"):
        w.add_meta_graph(g.as_graph_def())
    w.add_event(Event(step=9, wall_time=1.0))
    w.close()
    events, _ = _events(tmp_path)
    assert [e.WhichOneof("what") for e in events] == ["file_version", "graph_def", "graph_def",
                                                        None]
    assert "_output_shapes" in GraphDef.FromString(events[1].graph_def).node[0].attr
    assert "_output_shapes" not in GraphDef.FromString(events[2].graph_def).node[0].attr


def test_file_writer_cache(tmp_path):
    a = tf.summary.FileWriterCache.get(str(tmp_path / "a"))
    assert tf.summary.FileWriterCache.get(str(tmp_path / "a")) is a
    b = tf.summary.FileWriterCache.get(str(tmp_path / "b"))
    assert b is not a
    tf.summary.FileWriterCache.clear()
    assert a._closed and b._closed
    assert tf.summary.FileWriterCache.get(str(tmp_path / "a")) is not a
    tf.summary.FileWriterCache.clear()


def test_summary_iterator_reports_corruption(tmp_path):
    w = tf.summary.FileWriter(str(tmp_path))
    for i in range(3):
        w.add_summary(Summary(value=[Summary.Value(tag="a", simple_value=i)]), i)
    w.close()
    _, path = _events(tmp_path)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:-5])
    with pytest.raises(errors.DataLossError, match=r"truncated record .*at offset \d+ in .*tfevents"):
        list(tf.summary.summary_iterator(path))
    bad = bytearray(data)
    bad[len(data) - 10] ^= 0xFF
    open(path, "wb").write(bytes(bad))
    steps = []
    with pytest.raises(errors.DataLossError, match="data checksum mismatch"):
        for e in tf.summary.summary_iterator(path):
            steps.append(e.step)
    assert steps == [0, 0, 1]


@pytest.mark.tf
def test_tensorflow_reads_our_event_files_and_we_read_theirs(tfv1, tmp_path):
    x = tf.constant(2.0, name="x")
    s = tf.summary.scalar("loss", x)
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path / "ours"), sess.graph) as w:
        w.add_summary(sess.run(s), 5)
    _, path = _events(tmp_path / "ours")
    theirs = list(tfv1.train.summary_iterator(path))
    assert theirs[0].file_version == "brain.Event:2"
    assert [(e.step, e.summary.value[0].simple_value) for e in theirs if e.HasField("summary")] \
        == [(5, 2.0)]
    assert [n.name for n in tfv1.GraphDef.FromString(theirs[1].graph_def).node] == \
        ["x", "loss/tags", "loss"]

    tx = tfv1.constant(3.0, name="x")
    ts = tfv1.summary.scalar("loss", tx)
    with tfv1.Session() as sess:
        w = tfv1.summary.FileWriter(str(tmp_path / "tf"), sess.graph)
        w.add_summary(sess.run(ts), 7)
        w.close()
    events, _ = _events(tmp_path / "tf")
    assert events[0].file_version == "brain.Event:2"
    assert [(e.step, e.summary.value[0].simple_value) for e in events if e.HasField("summary")] \
        == [(7, 3.0)]
    gd = GraphDef.FromString(next(e.graph_def for e in events if e.HasField("graph_def")))
    assert [n.name for n in gd.node] == ["x", "loss/tags", "loss"]
