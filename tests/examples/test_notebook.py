"""notebooks/mnist_tutorial.ipynb runs top to bottom (one epoch)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "mnist_tutorial.ipynb"


def test_notebook_runs(tmp_path, monkeypatch):
    from minitf.datasets import mnist

    if mnist.find_shared_data_dir() is None:
        pytest.importorskip("sklearn")
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert "EPOCHS, BATCH, SEED = 3, 64, 0" in sources[0]
    sources[0] = sources[0].replace("EPOCHS, BATCH, SEED = 3, 64, 0", "EPOCHS, BATCH, SEED = 1, 64, 0")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for source in sources:
        exec(compile(source, str(NOTEBOOK), "exec"), namespace)  # noqa: S102 - our own notebook
    assert namespace["test_acc"] > 0.8
    assert list((tmp_path / "runs" / "notebook").glob("events.out.tfevents.*"))
    namespace["sess"].close()
