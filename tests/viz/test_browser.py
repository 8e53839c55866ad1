"""The HTML viewer in a real headless Chromium (driven over WebDriver on 127.0.0.1): it loads
without console errors, scopes open on a click, nodes show details, search reveals nodes,
zoom works, and a screenshot is taken. Skipped where chromium/chromedriver are absent."""

from __future__ import annotations

import struct

import pytest

from minitf.viz import GraphView
from tests.viz.conftest import build_model_graph
from tests.viz.webdriver import Browser, find_browser

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    found = find_browser()
    if found is None:
        pytest.skip("chromium and chromedriver are not installed")
    with Browser(*found) as b:
        yield b


def _state(b):
    return b.execute("return window.minitfViewer.state()")


def test_viewer_in_headless_chromium(browser, tmp_path):
    g, _ = build_model_graph()
    page = tmp_path / "graph.html"
    page.write_text(GraphView(g).to_html(title="model"))
    b = browser
    b.get(page.as_uri())
    assert b.execute("return document.title") == "model"
    s = _state(b)
    assert s["expanded"] == []
    assert {"x", "layer1", "layer2", "objective", "init", "done"} == set(s["visible"])
    assert s["edges"] == 3
    assert b.execute("return document.querySelectorAll('#viewport .node.meta').length") == 3

    # a click on a collapsed scope opens it
    b.click("[id='node:layer1']")
    s = _state(b)
    assert s["expanded"] == ["layer1"]
    assert b.execute("return !!document.getElementById('cluster:layer1')")
    assert {"layer1/MatMul", "layer1/add", "layer1/Relu", "layer1/w", "layer1/b"} <= \
        set(s["visible"])
    assert "Add_[1-6]" not in " ".join(s["visible"])

    # a click on an op shows its details
    b.click("[id='node:layer1/MatMul']")
    details = b.execute("return document.getElementById('details').innerText")
    assert "layer1/MatMul" in details and "MatMul" in details
    assert "layer1/w/read" in details and "[?,3]" in details and "transpose_a" in details

    # search by name reveals a node inside a collapsed series
    b.type_text("#search", "Add_3\ue007")
    s = _state(b)
    assert s["selected"] == "layer2/Add_3"
    assert {"layer2", "layer2/Add_[1-6]"} <= set(s["expanded"])
    assert "layer2/Add_3" in s["visible"]

    # zoom
    before = b.execute("return document.getElementById('viewport').getAttribute('transform')")
    b.click("#zoomin")
    after = b.execute("return document.getElementById('viewport').getAttribute('transform')")
    assert before != after and "scale(" in after

    # clicking an open scope's header closes it (and what is inside it)
    b.execute("window.minitfViewer.fit()")
    b.click("[id='cluster:layer2'] > .head")
    assert "layer2" not in _state(b)["expanded"]
    assert "layer2/Add_[1-6]" not in _state(b)["expanded"]

    b.execute("window.minitfViewer.setColor('type')")
    b.execute("window.minitfViewer.expand('layer1')")
    b.execute("window.minitfViewer.fit()")
    shot = tmp_path / "viewer.png"
    data = b.screenshot(str(shot))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 800 and height >= 500
    assert len(data) > 10_000
    assert b.console_errors() == []


def test_viewer_compute_colours_and_expand_all(browser, tmp_path, model_files):
    from minitf.framework.proto import RunMetadata

    md = RunMetadata.FromString(model_files.run_metadata.read_bytes())
    page = tmp_path / "profile.html"
    page.write_text(GraphView(model_files.graph_def, md).to_html(expand_all=True,
                                                                   color="compute"))
    b = browser
    b.get(page.as_uri())
    s = _state(b)
    assert "layer2/Add_[1-6]" in s["expanded"] and "layer2/Add_4" in s["visible"]
    modes = b.execute("return Array.from(document.querySelectorAll('#color option'))"
                      ".map(o => o.value)")
    assert modes == ["structure", "device", "type", "compute"]
    fill = b.execute("return document.querySelector(\"[id='node:layer1/MatMul'] .shape\")"
                     ".getAttribute('fill')")
    assert fill.startswith("#") and fill.lower() != "#ffffff"
    b.execute("window.minitfViewer.select('layer1/MatMul')")
    assert "compute time" in b.execute("return document.getElementById('details').innerText")
    assert b.console_errors() == []
