"""minitf.datasets.mnist: verified downloads, offline errors, load_data, the evaluation split."""

from __future__ import annotations

import shutil
import sys

import numpy as np
import pytest

from minitf.datasets import mnist
from minitf.datasets.idx import CorruptDatasetError

from .conftest import write_mnist_dir


def test_offline_error_names_file_and_place(tmp_path, offline):
    target = tmp_path / "data"
    with pytest.raises(mnist.MnistUnavailableError) as info:
        mnist.maybe_download(mnist.TRAIN_IMAGES, target)
    message = str(info.value)
    assert mnist.TRAIN_IMAGES in message
    assert str(target / mnist.TRAIN_IMAGES) in message
    assert "could not be downloaded" in message
    assert offline == [mnist.DEFAULT_SOURCE_URL + mnist.TRAIN_IMAGES]
    assert not target.exists()  # nothing written when the server never answered
    assert isinstance(info.value, OSError)


def test_existing_file_is_not_downloaded(fake_mnist, offline):
    directory, _ = fake_mnist
    path = mnist.maybe_download(mnist.TEST_IMAGES, directory)
    assert path == str(directory / mnist.TEST_IMAGES) and offline == []


def test_download_verified_and_renamed(tmp_path, mnist_dir):
    target = tmp_path / "cache"
    for name in (mnist.TEST_IMAGES, mnist.TEST_LABELS):
        path = mnist.maybe_download(name, target, mnist_dir.as_uri() + "/", quiet=True)
        assert (target / name).read_bytes() == (mnist_dir / name).read_bytes()
        assert path == str(target / name)
    assert sorted(p.name for p in target.iterdir()) == [mnist.TEST_IMAGES, mnist.TEST_LABELS]


def test_download_with_wrong_checksum_is_discarded(tmp_path, mnist_dir):
    source = tmp_path / "mirror"
    source.mkdir()
    write_mnist_dir(source, train=False)  # valid IDX files, but not the standard ones
    target = tmp_path / "cache"
    with pytest.raises(mnist.MnistUnavailableError, match="SHA-256 does not match"):
        mnist.maybe_download(mnist.TEST_LABELS, target, source.as_uri())
    assert list(target.iterdir()) == []  # the temporary file is gone, nothing renamed


def test_recompressed_standard_file_is_accepted(tmp_path, mnist_dir):
    import gzip

    mirror = tmp_path / "mirror"
    mirror.mkdir()
    payload = gzip.decompress((mnist_dir / mnist.TEST_LABELS).read_bytes())
    (mirror / mnist.TEST_LABELS).write_bytes(gzip.compress(payload, compresslevel=1))
    mnist.maybe_download(mnist.TEST_LABELS, tmp_path / "cache", mirror.as_uri() + "/",
                         quiet=True)
    assert (tmp_path / "cache" / mnist.TEST_LABELS).exists()


def test_verify_file_rejects_changed_bytes(tmp_path, mnist_dir):
    import gzip

    payload = bytearray(gzip.decompress((mnist_dir / mnist.TEST_LABELS).read_bytes()))
    payload[100] = (payload[100] + 1) % 10
    path = tmp_path / mnist.TEST_LABELS
    path.write_bytes(gzip.compress(bytes(payload)))
    with pytest.raises(CorruptDatasetError, match="SHA-256"):
        mnist.verify_file(path)


def test_load_data_full_directory(fake_mnist, offline):
    directory, arrays = fake_mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data(directory)
    np.testing.assert_array_equal(x_train, arrays[mnist.TRAIN_IMAGES])
    np.testing.assert_array_equal(y_train, arrays[mnist.TRAIN_LABELS])
    np.testing.assert_array_equal(x_test, arrays[mnist.TEST_IMAGES])
    np.testing.assert_array_equal(y_test, arrays[mnist.TEST_LABELS])
    assert x_train.dtype == y_train.dtype == np.uint8 and x_train.shape == (40, 28, 28)


def test_load_data_missing_offline(tmp_path, offline):
    with pytest.raises(mnist.MnistUnavailableError, match="train-images-idx3-ubyte.gz"):
        mnist.load_data(tmp_path / "nothing")


def test_load_data_npz(tmp_path):
    path = tmp_path / "mnist.npz"
    x = np.zeros((3, 28, 28), np.uint8)
    np.savez(path, x_train=x, y_train=np.arange(3, dtype=np.uint8), x_test=x[:1],
             y_test=np.zeros(1, np.uint8))
    (x_train, y_train), (x_test, _) = mnist.load_data(path)
    assert x_train.shape == (3, 28, 28) and y_train.tolist() == [0, 1, 2] and len(x_test) == 1


def test_load_split_protocol(mnist_dir):
    (x_train, y_train), (x_test, y_test) = mnist.load_split(mnist_dir)
    assert x_train.shape == (8000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert y_train.shape == (8000,) and y_test.shape == (2000,)
    everything = mnist.read_images(mnist_dir / mnist.TEST_IMAGES)
    np.testing.assert_array_equal(x_train, everything[:8000])
    np.testing.assert_array_equal(x_test, everything[8000:])
    # load_data on a directory with only the t10k files is the same split
    (a, _), (b, _) = mnist.load_data(mnist_dir)
    np.testing.assert_array_equal(a, x_train)
    np.testing.assert_array_equal(b, x_test)


def test_load_split_sizes(fake_mnist):
    directory, arrays = fake_mnist
    (x_train, _), (x_test, _) = mnist.load_split(directory, num_train=5, num_test=4)
    np.testing.assert_array_equal(x_train, arrays[mnist.TEST_IMAGES][:5])
    np.testing.assert_array_equal(x_test, arrays[mnist.TEST_IMAGES][-4:])
    with pytest.raises(ValueError, match="disjoint"):
        mnist.load_split(directory, num_train=10, num_test=5)


def test_find_shared_data_dir(mnist_dir):
    assert mnist.find_shared_data_dir() == mnist_dir


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("MINITF_DATASETS", str(tmp_path))
    assert mnist.default_data_dir() == tmp_path / "mnist"
    monkeypatch.delenv("MINITF_DATASETS")
    assert mnist.default_data_dir().parts[-3:] == (".minitf", "datasets", "mnist")


def test_load_digits():
    pytest.importorskip("sklearn")
    (x_train, y_train), (x_test, y_test) = mnist.load_digits()
    assert x_train.shape[1:] == (8, 8) and x_train.dtype == np.uint8
    assert len(x_train) + len(x_test) == 1797 and len(x_test) == 359
    assert x_train.max() == 255 and set(np.unique(y_train)) == set(range(10))


def test_load_digits_without_sklearn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r'pip install -e "\.\[demo\]"'):
        mnist.load_digits()


def test_describe(fake_mnist):
    directory, _ = fake_mnist
    assert mnist.describe(mnist.load_data(directory)) == "40 train / 12 test images of 28x28"


def test_copy_of_real_files_reads_identically(tmp_path, mnist_dir):
    for name in (mnist.TEST_IMAGES, mnist.TEST_LABELS):
        shutil.copy(mnist_dir / name, tmp_path / name)
    (a, b), _ = mnist.load_split(tmp_path, num_train=10, num_test=0)
    assert b.tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert a.shape == (10, 28, 28)
