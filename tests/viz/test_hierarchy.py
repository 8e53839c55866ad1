"""The TensorBoard graph model: embedding, strict names, metanodes, series, metaedges,
auxiliary nodes, annotations and the drawn scene."""

from __future__ import annotations

import pytest

import minitf as tf
from minitf.framework.proto import GraphDef, NodeDef
from minitf.viz import GraphView, build_hierarchy, build_scene
from minitf.viz.hierarchy import GroupNode, OpNode
from minitf.viz.render import RenderOptions, render_group
from minitf.viz.scene import RenderCache


def _gd(*nodes):
    """A GraphDef from (name, op, inputs) triples."""
    gd = GraphDef()
    for name, op, inputs in nodes:
        gd.node.append(NodeDef(name=name, op=op, input=list(inputs)))
    return gd


def test_constants_and_summaries_are_embedded():
    a = tf.add(3, 5)
    s = tf.summary.scalar("sum", a)
    tf.summary.merge([s])
    h = build_hierarchy(tf.get_default_graph().as_graph_def(add_shapes=True))
    assert set(h.ops) == {"Add"}
    add = h.ops["Add"]
    assert [e.name for e in add.in_embeddings] == ["Add/x", "Add/y"]
    assert [e.name for e in add.out_embeddings] == ["sum"]
    assert isinstance(h.index["Add/x"], OpNode) and h.index["Add/x"].embedded
    assert h.edges == []  # nothing but embeddings
    # "Add" is not renamed: Add/x is embedded, so no op lives under the scope "Add"
    assert h.root.metagraph.number_of_nodes() == 1


def test_op_that_is_also_a_scope_is_renamed():
    h = build_hierarchy(_gd(("a", "Placeholder", []), ("a/b", "Identity", ["a"]),
                            ("c", "Identity", ["a/b"])))
    assert set(h.ops) == {"a/(a)", "a/b", "c"}
    assert h.renames == {"a": "a/(a)"}
    assert isinstance(h.index["a"], GroupNode)
    assert h.by_graph_name("a").name == "a/(a)"
    # the edge a -> a/b lives inside metanode a; a/b -> c at the root, as metaedge a -> c
    assert h.index["a"].metagraph.has_edge("a/(a)", "a/b")
    assert h.root.metagraph.has_edge("a", "c")


def test_metanodes_count_ops_and_edges_live_in_the_lowest_common_scope():
    with tf.name_scope("outer"):
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        with tf.name_scope("inner"):
            y = tf.identity(x, name="y")
            z = tf.negative(y, name="z")
    tf.identity(z, name="out")
    h = build_hierarchy(tf.get_default_graph().as_graph_def(add_shapes=True))
    outer, inner = h.index["outer"], h.index["outer/inner"]
    assert (outer.cardinality, inner.cardinality, h.root.cardinality) == (3, 2, 4)
    assert outer.op_histogram == {"Placeholder": 1, "Identity": 1, "Neg": 1}
    assert inner.metagraph.has_edge("outer/inner/y", "outer/inner/z")
    assert outer.metagraph.has_edge("outer/x", "outer/inner")
    me = h.root.metagraph.edges["outer", "out"]["metaedge"]
    assert [(e.v, e.w) for e in me.base_edges] == [("outer/inner/z", "out")]
    assert (h.root.depth, outer.depth, inner.depth) == (3, 2, 1)


def test_series_grouping_follows_tensorboard():
    nodes = [("x", "Placeholder", [])]
    prev = "x"
    for i in range(1, 7):
        nodes.append((f"Add_{i}", "AddV2", [prev, "x"]))
        prev = f"Add_{i}"
    nodes += [("Add", "AddV2", ["x", "x"]), ("Mul_1", "Mul", ["x", "x"]),
              ("Mul_2", "Mul", ["x", "x"])]
    nodes += [(f"Sub_{i}", "Sub", ["x", "x"]) for i in (1, 2, 3, 5, 6, 7, 8, 9)]
    h = build_hierarchy(_gd(*nodes))
    series = {g.name: g for g in h.groups() if g.kind == "series"}
    # Add_1..Add_6 (same op, consecutive numbers) -> Add_[1-6]; "Add" has another prefix;
    # two Muls are below the minimum size 5; Sub_1-3 is too short, Sub_5-9 a series.
    assert set(series) == {"Add_[1-6]", "Sub_[5-9]"}
    assert series["Add_[1-6]"].cardinality == 6 and series["Add_[1-6]"].ids == [1, 2, 3, 4, 5, 6]
    assert h.ops["Add_3"].parent is series["Add_[1-6]"]
    assert h.ops["Add_3"].owning_series == "Add_[1-6]"
    assert "Add" in h.root.metagraph and "Sub_1" in h.root.metagraph
    # edges inside the series stay inside it; x feeds the series from outside
    assert series["Add_[1-6]"].metagraph.has_edge("Add_1", "Add_2")
    assert h.root.metagraph.has_edge("x", "Add_[1-6]")
    assert [g.name for g in build_hierarchy(_gd(*nodes), group_series=False).groups()] == [""]
    assert "Mul_[1-2]" in {g.name for g in build_hierarchy(_gd(*nodes), 2).groups()}


def test_inputs_ref_and_control_edges():
    v = tf.Variable(1.0, name="v")
    with tf.control_dependencies([v.initializer]):
        tf.identity(v, name="after")
    h = build_hierarchy(tf.get_default_graph().as_graph_def())
    edges = {(e.v, e.w): e for e in h.edges}
    assert edges[("v/(v)", "v/Assign")].ref  # Assign's input 0 is a reference edge
    assert edges[("v/Assign", "after")].control
    assert not edges[("v/read", "after")].control


def test_noop_and_default_aux_scopes_are_set_aside():
    x = tf.placeholder(tf.float32, [3], name="x")
    w = tf.Variable(tf.ones([3]), name="w")
    y = tf.multiply(x, w, name="y")
    with tf.name_scope("gradients"):
        g = tf.identity(y, name="g")
    with tf.name_scope("train"):
        tf.assign_sub(w, g, name="update")
    tf.global_variables_initializer()
    view = GraphView(tf.get_default_graph())
    r = view.cache.get(view.hierarchy.root)
    assert "init" in r.aux
    assert "gradients" in r.aux  # a top-level scope minitf sets aside by name
    assert "train" in r.core and "y" in r.core
    # their edges became annotations on both sides
    ann = {a.node for a in r.out_annotations.get("y", [])}
    assert "gradients" in ann
    plain = GraphView(tf.get_default_graph(), aux=()).cache.get(view.hierarchy.root)
    assert "gradients" in plain.core and "init" in plain.out_extract
    kept = GraphView(tf.get_default_graph(), keep=["init"]).cache.get(view.hierarchy.root)
    assert "init" in kept.core


def test_high_degree_nodes_are_extracted_like_tensorboard():
    nodes = [("hub", "Placeholder", [])]
    nodes += [(f"n{i}", "Identity", ["hub"]) for i in range(20)]
    nodes += [(f"m{i}", "Neg", [f"n{i}"]) for i in range(20)]
    h = build_hierarchy(_gd(*nodes), group_series=False)
    r = render_group(h, h.root, RenderOptions(aux=()))
    assert "hub" in r.aux and r.extract_reason["hub"] == "high out-degree"
    assert all(a.kind == "shortcut" and a.node == "hub" for a in r.in_annotations["n0"])
    r2 = render_group(h, h.root, RenderOptions(auto_extract=False, aux=()))
    assert "hub" in r2.core


def test_many_control_edges_become_annotations_and_annotation_lists_are_capped():
    nodes = [("c", "Placeholder", [])] + [(f"d{i}", "Identity", ["^c"]) for i in range(6)]
    h = build_hierarchy(_gd(*nodes), group_series=False)
    r = render_group(h, h.root, RenderOptions(aux=(), auto_extract=False))
    assert r.core.number_of_edges() == 0  # > 4 control edges on c: all shortcuts
    out = r.out_annotations["c"]
    assert [a.kind for a in out] == ["shortcut"] * 5 + ["ellipsis"]
    assert out[-1].label == "1 more" and all(a.control for a in out[:5])


def test_scene_edges_follow_the_expanded_scopes():
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    with tf.name_scope("layer"):
        w = tf.constant(1.0, shape=[784, 10], name="w")
        h1 = tf.matmul(x, w, name="matmul")
        h2 = tf.nn.relu(h1, name="relu")
    tf.identity(h2, name="out")
    tf.identity(h2, name="out2")
    view = GraphView(tf.get_default_graph())
    s = view.scene()
    assert set(s.nodes) == {"x", "layer", "out", "out2"}
    assert s.nodes["layer"].kind == "meta" and s.nodes["layer"].count == 2
    assert s.edge("x", "layer").label == "?×784"
    assert s.edge("layer", "out").label == "?×10"
    s2 = view.scene(expand=["layer"])
    assert set(s2.clusters) == {"layer"}
    assert {"layer/matmul", "layer/relu"} <= set(s2.nodes)
    assert s2.edge("x", "layer/matmul").label == "?×784"
    assert s2.edge("layer/matmul", "layer/relu").label == "?×10"
    assert [a.label for a in s2.nodes["layer/matmul"].in_annotations] == ["w"]
    with pytest.raises(ValueError, match="no scope named 'nope'"):
        view.scene(expand=["nope"])
    assert view.scene(expand_all=True).clusters.keys() == {"layer"}


def test_multi_edge_label_counts_tensors_and_scalar_label():
    a = tf.placeholder(tf.float32, [], name="a")
    with tf.name_scope("s"):
        p = tf.identity(a, name="p")
        q = tf.identity(a, name="q")
    tf.add(p, q, name="sum")
    s = build_scene(build_hierarchy(tf.get_default_graph().as_graph_def(add_shapes=True)))
    assert s.edge("a", "s").label == "2 tensors" and s.edge("a", "s").count == 2
    assert s.edge("s", "sum").label == "2 tensors"
    s2 = build_scene(build_hierarchy(tf.get_default_graph().as_graph_def(add_shapes=True)),
                     {"s"})
    assert s2.edge("a", "s/p").label == "scalar"


def test_render_cache_reuses_group_renders():
    tf.add(1, 2)
    h = build_hierarchy(tf.get_default_graph().as_graph_def())
    cache = RenderCache(h)
    assert cache.get(h.root) is cache.get(h.root)
