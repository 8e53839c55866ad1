"""Shared fixtures: a fresh default graph per test, kernel output checks, the TF oracle."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import minitf
from minitf.runtime.executor import set_output_checks

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
MNIST_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"


@pytest.fixture(autouse=True)
def _fresh_graph():
    """Each test starts with an empty default graph and checked kernel outputs."""
    minitf.reset_default_graph()
    set_output_checks(True)
    yield
    set_output_checks(False)


@pytest.fixture(scope="session")
def _tf_module():
    tf = pytest.importorskip("tensorflow.compat.v1")
    tf.disable_v2_behavior()
    return tf


@pytest.fixture
def tfv1(_tf_module):
    """Real ``tensorflow.compat.v1`` in TF 1.x mode (graph, ref variables), with a fresh
    default graph; skipped where TensorFlow is not installed."""
    _tf_module.reset_default_graph()
    return _tf_module


@pytest.fixture
def mnist_dir():
    if not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip("../shared/data/mnist is not present")
    return MNIST_DIR
