"""minitf-graph: every output format, every kind of source, run profiles, and its errors."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys

import pytest

from minitf.viz import cli
from minitf.viz.dot import dot_available
from tests.viz.svgparse import parse_svg

needs_dot = pytest.mark.skipif(not dot_available(), reason="Graphviz's dot is not installed")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_cli(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@needs_dot
def test_svg_shows_scopes_series_annotations_aux_and_shapes(model_files, tmp_path, capsys):
    out = tmp_path / "g.svg"
    code, _, err = run_cli(capsys, model_files.logs, "-o", out, "--run", "run1")
    assert code == 0, err
    d = parse_svg(out.read_text())
    # collapsed: scopes are metanodes with op counts; init/done set aside; x is an op
    assert d.metanodes() == {"layer1", "layer2", "objective"}
    assert d.ops() == {"x", "init", "done"}
    assert d.labels["layer1"] == ["layer1", "9 ops"]
    assert {n for n, c in d.nodes.items() if "aux" in c} == {"init", "done"}
    assert d.edges[("x", "layer1")]["label"] == "?×4"
    assert d.edges[("layer1", "layer2")]["label"] == "?×3"
    assert set(d.edges) == {("x", "layer1"), ("layer1", "layer2"), ("layer2", "objective")}
    # the edges to auxiliary nodes became annotations
    assert ("out", "shortcut", "init") in d.annotations["layer1"]
    assert ("out", "shortcut", "done") in d.annotations["objective"]

    out2 = tmp_path / "g2.svg"
    code, _, err = run_cli(capsys, model_files.logs, "-o", out2, "--run", "run1",
                           "--expand", "layer2", "--expand", "objective")
    assert code == 0, err
    d = parse_svg(out2.read_text())
    assert set(d.clusters) == {"layer2", "objective"}
    assert "series" in d.nodes["layer2/Add_[1-6]"]
    assert d.labels["layer2/Add_[1-6]"] == ["Add_[1-6]", "6 × AddV2"]
    assert ("in", "const", "y") in d.annotations["layer2/Add"]
    assert ("out", "summary", "loss") in d.annotations["objective/mean"]
    assert d.edges[("layer2/Add", "layer2/Add_[1-6]")]["label"] == "?×3"
    assert ("layer1", "layer2/Add") in d.edges

    out3 = tmp_path / "g3.svg"
    assert run_cli(capsys, model_files.logs, "-o", out3, "--expand-all")[0] == 0
    d = parse_svg(out3.read_text())
    assert {"layer1", "layer1/w", "layer2", "layer2/Add_[1-6]"} <= set(d.clusters)
    assert "layer1/w/(w)" in d.ops()  # an op that is also a scope, renamed as TensorBoard does
    assert "ref" in d.edges[("layer1/w/(w)", "layer1/w/Assign")]["class"]
    assert "control" not in d.edges[("layer1/MatMul", "layer1/add")]["class"]


@pytest.mark.parametrize("src", ["event_file", "pb", "pbtxt", "meta", "run1"])
def test_every_source_kind(model_files, tmp_path, capsys, src):
    out = tmp_path / "g.dot"
    code, _, err = run_cli(capsys, getattr(model_files, src), "-o", out, "-q")
    assert code == 0, err
    assert err == ""
    text = out.read_text()
    assert text.startswith("digraph") and 'id="node:layer1"' in text


@needs_dot
def test_png_and_pdf(model_files, tmp_path, capsys):
    png, pdf = tmp_path / "g.png", tmp_path / "g.pdf"
    assert run_cli(capsys, model_files.pb, "-o", png, "--expand", "layer1")[0] == 0
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    assert 200 < w < 4000 and 200 < h < 4000
    assert run_cli(capsys, model_files.pb, "-o", pdf, "--color", "device")[0] == 0
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and b"/Page" in data and data.rstrip().endswith(b"%%EOF")


def test_dot_needs_no_graphviz_binary_and_html_is_self_contained(model_files, tmp_path, capsys,
                                                                  monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on the PATH
    dot = tmp_path / "g.dot"
    assert run_cli(capsys, model_files.pb, "-o", dot)[0] == 0
    text = dot.read_text()
    assert 'rankdir=BT' in text and 'class=meta' in text
    page = tmp_path / "g.html"
    assert run_cli(capsys, model_files.pb, "-o", page, "--expand", "layer2")[0] == 0
    html = page.read_text()
    assert html.count("<script") == 2 and "<link" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    data = json.loads(re.search(r'<script type="application/json" id="graph-data">(.*?)'
                                r"</script>", html, re.S).group(1).replace("<\\/", "</"))
    names = [n["n"] for n in data["nodes"]]
    assert {"layer1", "layer2/Add_[1-6]", "layer1/MatMul"} <= set(names)
    assert [names[i] for i in data["expanded"]] == ["layer2"]
    # other formats say how to get Graphviz, in one line
    code, _, err = run_cli(capsys, model_files.pb, "-o", tmp_path / "g.svg")
    assert code == 2 and err.count("\n") == 1 and "install Graphviz" in err
    assert not (tmp_path / "g.svg").exists()


@needs_dot
def test_compute_time_colours_and_chrome_trace(model_files, tmp_path, capsys):
    out, trace = tmp_path / "p.svg", tmp_path / "trace.json"
    code, _, err = run_cli(capsys, model_files.logs, "-o", out, "--color", "compute",
                           "--chrome-trace", trace, "--expand", "layer1")
    assert code == 0, err
    d = parse_svg(out.read_text())
    assert any("µs" in line or "ms" in line for line in d.labels["layer1/MatMul"])
    fills = re.findall(r'<g id="node:layer1/MatMul".*?fill="(#[0-9a-f]{6})"', out.read_text(),
                       re.S)
    assert fills and fills[0] != "#ffffff"
    events = json.loads(trace.read_text())["traceEvents"]
    assert any(e.get("args", {}).get("name") == "layer1/MatMul" for e in events)
    # the same from a RunMetadata file: compute is then the default colouring
    out2 = tmp_path / "p2.svg"
    code, _, err = run_cli(capsys, model_files.pb, "-o", out2, "--run-metadata",
                           model_files.run_metadata)
    assert code == 0, err
    assert "#ffffff" not in re.findall(r'<g id="node:layer1".*?fill="(#[0-9a-f]{6})"',
                                       out2.read_text(), re.S)[:1]


def _one_line_error(code, err, *needles):
    assert code == 2
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("minitf-graph: error: ")
    assert "Traceback" not in err
    for n in needles:
        assert n in err, err


def test_bad_inputs_are_one_line_errors(model_files, tmp_path, capsys):
    out = tmp_path / "g.dot"
    _one_line_error(*run_cli(capsys, tmp_path / "missing.pb", "-o", out)[::2], "no such file")
    _one_line_error(*run_cli(capsys, model_files.pb, "-o", tmp_path / "g.jpeg")[::2],
                    "unknown output extension '.jpeg'")
    _one_line_error(*run_cli(capsys, model_files.pb, "-o", tmp_path / "nodir" / "g.svg")[::2],
                    "does not exist")
    garbage = tmp_path / "garbage.pb"
    garbage.write_bytes(b"\xff\xfe not a protobuf \x00\x01")
    _one_line_error(*run_cli(capsys, garbage, "-o", out)[::2], "not a readable GraphDef")
    broken = tmp_path / "logs" / "events.out.tfevents.1.host"
    broken.parent.mkdir()
    data = open(model_files.event_file, "rb").read()
    broken.write_bytes(data[:len(data) // 2])
    _one_line_error(*run_cli(capsys, broken, "-o", out)[::2], "truncated record", "offset")
    _one_line_error(*run_cli(capsys, broken.parent, "-o", out)[::2], "truncated record")
    empty = tmp_path / "empty"
    empty.mkdir()
    _one_line_error(*run_cli(capsys, empty, "-o", out)[::2], "no event files")
    _one_line_error(*run_cli(capsys, model_files.logs, "-o", out, "--run", "nope")[::2],
                    "no run 'nope'")
    _one_line_error(*run_cli(capsys, model_files.pb, "-o", out, "--expand", "nope")[::2],
                    "no scope named 'nope'")
    _one_line_error(*run_cli(capsys, model_files.pb, "-o", out, "--color", "compute")[::2],
                    "--run-metadata")
    _one_line_error(*run_cli(capsys, model_files.logs, "-o", out, "--run-tag", "x")[::2],
                    "no run metadata tagged 'x'")
    with pytest.raises(SystemExit) as e:
        cli.main([str(model_files.pb)])
    _one_line_error(e.value.code, capsys.readouterr().err, "-o/--output")
    with pytest.raises(SystemExit) as e:
        cli.main([str(model_files.pb), "-o", str(out), "--color", "rainbow"])
    _one_line_error(e.value.code, capsys.readouterr().err, "invalid choice")


def test_logdir_with_several_runs_notes_the_choice(model_files, tmp_path, capsys):
    out = tmp_path / "g.dot"
    code, _, err = run_cli(capsys, model_files.logs, "-o", out)
    assert code == 0
    assert "drawing run 'run1' (others: run2" in err
    code, _, err = run_cli(capsys, model_files.logs, "-o", out, "--run", "run2")
    assert code == 0 and 'id="node:Add"' in out.read_text()


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    for action in cli.build_parser()._actions:
        for opt in action.option_strings:
            assert opt in text
        assert action.help, action.dest
    for ext in (".svg", ".png", ".pdf", ".dot", ".html"):
        assert ext in text


def test_python_dash_m_and_console_entry_point(model_files, tmp_path):
    out = tmp_path / "g.html"
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    r = subprocess.run([sys.executable, "-m", "minitf.viz", str(model_files.pb), "-o", str(out)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")
    r = subprocess.run([sys.executable, "-m", "minitf.viz", str(tmp_path / "none.pb"), "-o",
                        str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    import tomllib

    with open(os.path.join(REPO, "pyproject.toml"), "rb") as f:
        scripts = tomllib.load(f)["project"]["scripts"]
    assert scripts["minitf-graph"] == "minitf.viz.cli:main"
