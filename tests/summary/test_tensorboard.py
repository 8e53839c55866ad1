"""The real TensorBoard reads what minitf writes: its EventAccumulator, and a TensorBoard server
on 127.0.0.1 answering the scalars and graphs endpoints. Skipped where TensorBoard is absent."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest

import minitf as tf

pytestmark = pytest.mark.tf


def _write_run(logdir):
    """A small training-like graph: scopes, a control edge, scalars and a histogram."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.name_scope("layer1"):
        w = tf.constant(np.ones((3, 2), np.float32), name="w")
        h = tf.matmul(x, w, name="matmul")
    with tf.name_scope("objective"):
        loss = tf.reduce_mean(h, name="mean")
    with tf.control_dependencies([loss]):
        done = tf.no_op(name="done")
    tf.summary.scalar("loss", loss)
    tf.summary.histogram("activations", h)
    merged = tf.summary.merge_all()
    rng = np.random.default_rng(0)
    feeds = [rng.normal(size=(4, 3)).astype(np.float32) for _ in range(3)]
    with tf.Session() as sess, tf.summary.FileWriter(logdir, sess.graph) as writer:
        for step, xv in enumerate(feeds):
            writer.add_summary(sess.run(merged, {x: xv}), step)
        md = tf.RunMetadata()
        sess.run(done, {x: feeds[0]}, options=tf.RunOptions(trace_level=3), run_metadata=md)
        writer.add_run_metadata(md, "traced", 3)
    expected = [float(np.mean(xv @ np.ones((3, 2), np.float32))) for xv in feeds]
    acts = [xv @ np.ones((3, 2), np.float32) for xv in feeds]
    return expected, acts


def test_event_accumulator_reads_graph_scalars_histograms(tmp_path):
    ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    logdir = str(tmp_path / "run")
    expected, acts = _write_run(logdir)
    acc = ea.EventAccumulator(logdir, size_guidance={ea.GRAPH: 1, ea.SCALARS: 0,
                                                     ea.HISTOGRAMS: 0, ea.RUN_METADATA: 0})
    acc.Reload()
    tags = acc.Tags()
    assert tags["graph"] and tags["meta_graph"]
    assert "loss" in tags["scalars"] and "activations" in tags["histograms"]
    assert tags["run_metadata"] == ["traced"]
    graph = acc.Graph()
    nodes = {n.name: n for n in graph.node}
    assert {"layer1/w", "layer1/matmul", "objective/mean", "done", "loss/tags"} <= set(nodes)
    assert list(nodes["layer1/matmul"].input) == ["x", "layer1/w"]
    assert list(nodes["done"].input) == ["^objective/mean"]  # the control edge
    shape = nodes["layer1/matmul"].attr["_output_shapes"].list.shape[0]
    assert [d.size for d in shape.dim] == [-1, 2]
    scalars = acc.Scalars("loss")
    assert [s.step for s in scalars] == [0, 1, 2]
    np.testing.assert_allclose([s.value for s in scalars], expected, rtol=1e-6)
    histos = acc.Histograms("activations")
    assert [h.step for h in histos] == [0, 1, 2]
    for h, a in zip(histos, acts):
        hv = h.histogram_value
        assert hv.num == a.size and hv.min == pytest.approx(a.min()) and \
            hv.max == pytest.approx(a.max())
        assert sum(hv.bucket) == a.size
    stats = acc.RunMetadata("traced").step_stats
    assert any(ns.node_name == "objective/mean" for d in stats.dev_stats for ns in d.node_stats)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback only
        return r.read().decode()


def _tensorboard_command():
    exe = shutil.which("tensorboard") or os.path.join(os.path.dirname(sys.executable),
                                                      "tensorboard")
    if not os.path.exists(exe):
        pytest.skip("tensorboard command not installed")
    return [exe]


def test_tensorboard_server_serves_scalars_and_graph(tmp_path):
    pytest.importorskip("tensorboard")
    logdir = tmp_path / "logs"
    expected, _ = _write_run(str(logdir / "run1"))
    port = _free_port()
    cmd = _tensorboard_command() + ["--logdir", str(logdir), "--port", str(port),
                                    "--host", "127.0.0.1", "--reload_interval", "1"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    query = urllib.parse.urlencode({"tag": "loss", "run": "run1"})
    try:
        deadline = time.monotonic() + 120
        scalars = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"tensorboard exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                body = _get(f"{base}/data/plugin/scalars/scalars?{query}")
                scalars = json.loads(body)
                if len(scalars) == 3:
                    break
            except (urllib.error.URLError, ConnectionError, ValueError, TimeoutError):
                pass
            time.sleep(0.5)
        assert scalars is not None and len(scalars) == 3, "tensorboard never served the run"
        assert [s[1] for s in scalars] == [0, 1, 2]
        np.testing.assert_allclose([s[2] for s in scalars], expected, rtol=1e-6)
        graph = _get(f"{base}/data/plugin/graphs/graph?run=run1")
        assert 'name: "layer1/matmul"' in graph and 'op: "MatMul"' in graph
        assert 'input: "^objective/mean"' in graph
        assert "_output_shapes" in graph
        info = json.loads(_get(f"{base}/data/plugin/graphs/info"))
        assert info["run1"]["run_graph"] is True
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and its data-server child
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
        proc.stderr.close()
