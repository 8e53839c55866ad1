"""The lecture's "Visualized by TensorBoard" graphs: TensorBoard (its EventAccumulator reading
our event file) and TensorFlow (the same code) see the graph minitf-graph draws."""

from __future__ import annotations

import pytest

import minitf as tf
from minitf.viz import GraphView, build_hierarchy, build_scene
from minitf.viz.dot import dot_available
from minitf.viz.sources import as_graph_def
from tests.viz.svgparse import parse_svg


def lecture_add(t):
    return t.add(3, 5)


def lecture_subgraphs(t):
    x, y = 2, 3
    add_op = t.add(x, y)
    mul_op = t.multiply(x, y)
    useless = t.multiply(x, add_op)
    pow_op = t.pow(add_op, mul_op)
    return pow_op, useless


LECTURE = {
    # op nodes, their constant annotations, edges (with TensorBoard's shape labels)
    "add": (lecture_add, {"Add": ["x", "y"]}, {}),
    "subgraphs": (lecture_subgraphs,
                  {"Add": ["x", "y"], "Mul": ["x", "y"], "Mul_1": ["x"], "Pow": []},
                  {("Add", "Mul_1"): "scalar", ("Add", "Pow"): "scalar",
                   ("Mul", "Pow"): "scalar"}),
}


def _structure(scene):
    nodes = {n: [a.label for a in s.in_annotations] for n, s in scene.nodes.items()}
    edges = {(e.src, e.dst): e.label for e in scene.edges}
    return nodes, edges, set(scene.clusters)


@pytest.mark.parametrize("name", sorted(LECTURE))
def test_minitf_graph_draws_the_lecture_graphs(name, tmp_path):
    build, want_nodes, want_edges = LECTURE[name]
    build(tf)
    view = GraphView(tf.get_default_graph())
    nodes, edges, clusters = _structure(view.scene())
    assert nodes == want_nodes and edges == want_edges and clusters == set()
    assert all(not n.aux for n in view.scene().nodes.values())
    if dot_available():
        d = parse_svg(view.to_svg())
        assert d.ops() == set(want_nodes) and d.metanodes() == set()
        assert {k: v["label"] for k, v in d.edges.items()} == want_edges
        for op, consts in want_nodes.items():
            assert sorted(t for side, kind, t in d.annotations.get(op, []) if kind == "const") \
                == sorted(consts)


@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(LECTURE))
def test_tensorflow_builds_the_same_picture(tfv1, name):
    build, _, _ = LECTURE[name]
    build(tfv1)
    theirs = as_graph_def(tfv1.get_default_graph().as_graph_def(add_shapes=True))
    build(tf)
    ours = tf.get_default_graph().as_graph_def(add_shapes=True)
    assert _structure(build_scene(build_hierarchy(theirs))) == \
        _structure(build_scene(build_hierarchy(ours)))


@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(LECTURE))
def test_tensorboard_reads_the_structure_minitf_graph_draws(name, tmp_path):
    ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    build, want_nodes, want_edges = LECTURE[name]
    build(tf)
    logdir = tmp_path / "logs"
    tf.summary.FileWriter(str(logdir), tf.get_default_graph()).close()
    acc = ea.EventAccumulator(str(logdir), size_guidance={ea.GRAPH: 1})
    acc.Reload()
    tb_graph = acc.Graph()  # TensorBoard's own GraphDef class
    tb_nodes = {n.name: (n.op, list(n.input)) for n in tb_graph.node}
    ours = {n.name: (n.op, list(n.input)) for n in tf.get_default_graph().as_graph_def().node}
    assert tb_nodes == ours
    # the picture of what TensorBoard read is the picture minitf-graph draws from the logdir
    from_tb = _structure(build_scene(build_hierarchy(as_graph_def(tb_graph))))
    assert from_tb == (want_nodes, want_edges, set())
    if dot_available():
        from minitf.viz import cli

        out = tmp_path / "g.svg"
        assert cli.main([str(logdir), "-o", str(out), "-q"]) == 0
        d = parse_svg(out.read_text())
        assert d.ops() == set(want_nodes)
        assert {k: v["label"] for k, v in d.edges.items()} == want_edges
