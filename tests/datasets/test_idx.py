"""The IDX reader: round trips, and clear errors (naming the file) for every kind of damage."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from minitf.datasets import mnist
from minitf.datasets.idx import (
    CorruptDatasetError,
    encode_idx,
    parse_idx,
    read_idx,
    write_idx,
)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip(tmp_path, dtype, suffix):
    array = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    path = tmp_path / f"x-idx3{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    np.testing.assert_array_equal(back, array)


def test_header_layout():
    data = encode_idx(np.zeros((3, 2), np.uint8))
    assert data[:4] == b"\x00\x00\x08\x02"
    assert int.from_bytes(data[4:8], "big") == 3 and int.from_bytes(data[8:12], "big") == 2
    assert len(data) == 12 + 6


def test_labels_magic_is_2049_and_images_2051():
    assert int.from_bytes(encode_idx(np.zeros(5, np.uint8))[:4], "big") == mnist.LABELS_MAGIC
    assert int.from_bytes(encode_idx(np.zeros((5, 2, 2), np.uint8))[:4], "big") == \
        mnist.IMAGES_MAGIC


def test_unsupported_dtype():
    with pytest.raises(TypeError, match="IDX cannot store"):
        encode_idx(np.zeros(3, np.complex64))


@pytest.mark.parametrize("data, message", [
    (b"\x00\x00", "too short"),
    (b"\x01\x02\x08\x01\x00\x00\x00\x01\x00", "invalid IDX magic"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "invalid IDX magic"),
    (b"\x00\x00\x08\x02\x00\x00\x00\x01", "truncated IDX header"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", "truncated"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x01\x02", "unexpected bytes"),
])
def test_parse_errors_name_the_file(data, message):
    with pytest.raises(CorruptDatasetError, match=message) as info:
        parse_idx(data, "some-file")
    assert "some-file" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    write_idx(path, np.ones((10, 28, 28), np.uint8))
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(CorruptDatasetError, match="truncated") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_damaged_gzip_crc(tmp_path):
    path = tmp_path / "x.gz"
    raw = bytearray(gzip.compress(encode_idx(np.arange(100, dtype=np.uint8)), mtime=0))
    raw[-6] ^= 0xFF  # CRC32 trailer
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptDatasetError, match=r"x\.gz"):
        read_idx(path)


def test_gz_name_without_gzip_data(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(encode_idx(np.zeros(3, np.uint8)))
    with pytest.raises(CorruptDatasetError, match="not a gzip file"):
        read_idx(path)


def test_gzip_whose_contents_are_truncated(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(encode_idx(np.zeros(10, np.uint8))[:-3]))
    with pytest.raises(CorruptDatasetError, match="truncated.*10"):
        mnist.read_labels(path)


def test_mnist_magic_checks(tmp_path):
    labels = tmp_path / "labels.gz"
    write_idx(labels, np.zeros(4, np.uint8))
    with pytest.raises(CorruptDatasetError, match="Invalid magic number 2049 in MNIST image"):
        mnist.read_images(labels)
    images = tmp_path / "images.gz"
    write_idx(images, np.zeros((4, 2, 2), np.uint8))
    with pytest.raises(CorruptDatasetError, match="Invalid magic number 2051 in MNIST label"):
        mnist.read_labels(images)


def test_label_out_of_range(tmp_path):
    path = tmp_path / "labels.gz"
    write_idx(path, np.array([1, 2, 10], np.uint8))
    with pytest.raises(CorruptDatasetError, match="label 10 out of range"):
        mnist.read_labels(path)


def test_mismatched_pair(tmp_path):
    write_idx(tmp_path / mnist.TEST_IMAGES, np.zeros((5, 28, 28), np.uint8))
    write_idx(tmp_path / mnist.TEST_LABELS, np.zeros(4, np.uint8))
    with pytest.raises(CorruptDatasetError, match="5 images but .*4 labels"):
        mnist.read_pair(tmp_path, mnist.TEST_IMAGES, mnist.TEST_LABELS)


def test_real_t10k_files(mnist_dir):
    images = mnist.read_images(mnist_dir / mnist.TEST_IMAGES)
    labels = mnist.read_labels(mnist_dir / mnist.TEST_LABELS)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974,
                                            1009]
    mnist.verify_file(mnist_dir / mnist.TEST_IMAGES)
    mnist.verify_file(mnist_dir / mnist.TEST_LABELS)
