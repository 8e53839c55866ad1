"""A small training-like graph written every way minitf-graph reads graphs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import minitf as tf


def build_model_graph():
    """x -> layer1 (matmul + bias + relu, variables) -> layer2 (a chain of 7 adds: a series)
    -> loss; summaries; a control dependency; init."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        with tf.name_scope("layer1"):
            w = tf.Variable(tf.ones([4, 3]), name="w")
            b = tf.Variable(tf.zeros([3]), name="b")
            h = tf.nn.relu(tf.matmul(x, w) + b)
        with tf.name_scope("layer2"):
            t = h
            for _ in range(7):
                t = tf.add(t, 1.0)
        with tf.name_scope("objective"):
            loss = tf.reduce_mean(t, name="mean")
        tf.summary.scalar("loss", loss)
        tf.summary.histogram("h", h)
        with tf.control_dependencies([loss]):
            tf.no_op(name="done")
        init = tf.global_variables_initializer()
        merged = tf.summary.merge_all()
    return g, SimpleNamespace(x=x, loss=loss, init=init, merged=merged)


@pytest.fixture(scope="session")
def model_files(tmp_path_factory):
    """The model graph as a logdir (graph + a traced run), an event file, .pb, .pbtxt, .meta
    and a RunMetadata file."""
    from minitf.framework.proto import MetaGraphDef, text_format

    root = tmp_path_factory.mktemp("model")
    g, t = build_model_graph()
    logdir = root / "logs" / "run1"
    with tf.Session(graph=g) as sess, tf.summary.FileWriter(str(logdir), g) as writer:
        sess.run(t.init)
        md = tf.RunMetadata()
        s = sess.run(t.merged, {t.x: np.ones((2, 4), np.float32)},
                     options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE), run_metadata=md)
        writer.add_summary(s, 0)
        writer.add_run_metadata(md, "step0", 0)
        path = writer.event_writer.path
    gd = g.as_graph_def(add_shapes=True)
    (root / "graph.pb").write_bytes(gd.SerializeToString())
    (root / "graph.pbtxt").write_text(text_format.MessageToString(gd))
    mgd = MetaGraphDef()
    mgd.graph_def.CopyFrom(gd)
    (root / "model.meta").write_bytes(mgd.SerializeToString())
    (root / "run.md").write_bytes(md.SerializeToString())
    # a second run without a graph, and one with a different graph
    other = tf.Graph()
    with other.as_default():
        tf.add(3, 5)
    tf.summary.FileWriter(str(root / "logs" / "run2"), other).close()
    return SimpleNamespace(root=root, logs=root / "logs", run1=logdir, event_file=path,
                           pb=root / "graph.pb", pbtxt=root / "graph.pbtxt",
                           meta=root / "model.meta", run_metadata=root / "run.md", graph_def=gd)
