"""Graphs in Jupyter: Graph._repr_svg_, graph_html for _repr_html_, show_graph."""

from __future__ import annotations

import html
import sys

import pytest

import minitf as tf
from minitf.viz import notebook
from minitf.viz.dot import dot_available
from tests.viz.svgparse import parse_svg

needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")


@needs_dot
def test_graph_repr_svg_is_its_picture():
    tf.add(3, 5)
    svg = tf.get_default_graph()._repr_svg_()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:400]
    d = parse_svg(svg)
    assert d.ops() == {"Add"}
    assert notebook.graph_svg(tf.get_default_graph().as_graph_def()) is not None


def test_repr_svg_falls_back_when_dot_is_missing(monkeypatch):
    monkeypatch.setattr("minitf.viz.dot.dot_available", lambda: False)
    tf.add(3, 5)
    assert notebook.graph_svg(tf.get_default_graph()) is None
    assert tf.get_default_graph()._repr_svg_() is None


def test_graph_html_is_an_iframe_with_the_whole_viewer():
    with tf.name_scope("scope"):
        tf.add(3, 5)
    snippet = notebook.graph_html(tf.get_default_graph(), height=400)
    assert snippet.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in snippet
    assert "height:400px" in snippet
    page = html.unescape(snippet.split('srcdoc="', 1)[1].split('" sandbox', 1)[0])
    assert page.startswith("<!DOCTYPE html>") and "minitfViewer" in page


@needs_dot
def test_show_graph_without_ipython_returns_svg(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)
    tf.multiply(2, 3)
    out = notebook.show_graph()
    assert isinstance(out, str) and parse_svg(out).ops() == {"Mul"}


def test_show_graph_with_ipython(monkeypatch):
    class _Display:
        class HTML:
            def __init__(self, data):
                self.data = data

        class SVG(HTML):
            pass

    module = type(sys)("IPython")
    module.display = _Display
    monkeypatch.setitem(sys.modules, "IPython", module)
    monkeypatch.setitem(sys.modules, "IPython.display", _Display)
    tf.add(1, 2)
    out = notebook.show_graph(tf.get_default_graph())
    assert isinstance(out, _Display.HTML) and out.data.startswith("<iframe")
    if dot_available():
        svg = notebook.show_graph(tf.get_default_graph(), interactive=False)
        assert isinstance(svg, _Display.SVG) and "<svg" in svg.data
