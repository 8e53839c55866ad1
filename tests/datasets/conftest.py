"""Tiny synthetic MNIST directories written in the IDX format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from minitf.datasets import mnist
from minitf.datasets.idx import write_idx


def write_mnist_dir(directory: Path, num_train: int = 40, num_test: int = 12,
                    seed: int = 0, train: bool = True) -> dict[str, np.ndarray]:
    """Write synthetic MNIST files (uint8 28x28 images, labels 0..9); returns the arrays."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {
        mnist.TEST_IMAGES: rng.integers(0, 256, (num_test, 28, 28), dtype=np.uint8),
        mnist.TEST_LABELS: rng.integers(0, 10, num_test, dtype=np.uint8),
    }
    if train:
        arrays[mnist.TRAIN_IMAGES] = rng.integers(0, 256, (num_train, 28, 28), dtype=np.uint8)
        arrays[mnist.TRAIN_LABELS] = rng.integers(0, 10, num_train, dtype=np.uint8)
    for name, array in arrays.items():
        write_idx(directory / name, array)
    return arrays


@pytest.fixture
def fake_mnist(tmp_path):
    """(directory, arrays) of a synthetic 40-train/12-test MNIST directory."""
    directory = tmp_path / "mnist"
    return directory, write_mnist_dir(directory)


@pytest.fixture
def offline(monkeypatch):
    """Every download attempt fails as it does without a network; returns the URLs tried."""
    import urllib.error

    tried: list[str] = []

    def no_network(url, timeout=60.0):
        tried.append(url)
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(mnist, "_open_url", no_network)
    return tried
