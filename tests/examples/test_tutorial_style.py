"""Scripts written the way TF1 tutorials were (``tf.placeholder("float", ...)``, static_rnn from
tf.contrib, nce_loss, GAN variable scopes with batch norm UPDATE_OPS, Saver) run unchanged under
``import minitf as tf``: each trains something and asserts its own result."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

import minitf as tf

SCRIPTS = sorted((Path(__file__).parent / "tutorial_style").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_runs(script: Path, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    tf.reset_default_graph()
    runpy.run_path(str(script), run_name="__main__")
    tf.reset_default_graph()


def test_scripts_exist() -> None:
    assert len(SCRIPTS) >= 4
