"""TF1's input_data: read_data_sets and DataSet.next_batch, against the behaviour of TF1's
``tensorflow/contrib/learn/python/learn/datasets/mnist.py`` (re-derived here as an oracle of
index sequences: TF 2.21 no longer ships input_data)."""

from __future__ import annotations

import io

import numpy as np
import pytest

import minitf as tf
from minitf.datasets import mnist
from minitf.datasets.idx import CorruptDatasetError, encode_idx, write_idx
from minitf.examples.tutorials.mnist import input_data

from .conftest import write_mnist_dir


class OracleDataSet:
    """TF1's next_batch expressed on example indices: seeds numpy's legacy RandomState once,
    shuffles the whole order before the first batch (when shuffling) and after every epoch."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = np.random.RandomState(seed)
        self.order = np.arange(n)
        self.index = 0
        self.epochs = 0

    def next_batch(self, batch_size: int, shuffle: bool = True) -> np.ndarray:
        start = self.index
        if self.epochs == 0 and start == 0 and shuffle:
            perm0 = np.arange(self.n)
            self.rng.shuffle(perm0)
            self.order = self.order[perm0]
        if start + batch_size > self.n:
            self.epochs += 1
            rest = self.order[start:]
            if shuffle:
                perm = np.arange(self.n)
                self.rng.shuffle(perm)
                self.order = self.order[perm]
            self.index = batch_size - len(rest)
            return np.concatenate([rest, self.order[: self.index]])
        self.index += batch_size
        return self.order[start: self.index]


def _dataset(n: int = 10, seed: int = 3, **kw) -> tuple[input_data.DataSet, np.ndarray]:
    images = np.arange(n, dtype=np.uint8).repeat(4).reshape(n, 2, 2, 1)
    labels = np.arange(n, dtype=np.uint8)
    return input_data.DataSet(images, labels, seed=seed, **kw), images


@pytest.mark.parametrize("batch_size", [1, 3, 4, 7, 10, 13])
@pytest.mark.parametrize("shuffle", [True, False])
def test_next_batch_matches_tf1(batch_size, shuffle):
    ds, _ = _dataset(seed=11)
    oracle = OracleDataSet(10, seed=11)
    for step in range(12):
        images, labels = ds.next_batch(batch_size, shuffle=shuffle)
        expected = oracle.next_batch(batch_size, shuffle=shuffle)
        assert labels.tolist() == expected.tolist(), step
        # images travel with their labels; float32 scaled to [0, 1]
        np.testing.assert_allclose(images[:, 0] * 255.0, labels.astype(np.float32), rtol=1e-6)
        assert ds.epochs_completed == oracle.epochs


def test_partial_batch_completed_from_next_epoch():
    ds, _ = _dataset(n=10, seed=0)
    first = ds.next_batch(8)[1]
    second = ds.next_batch(8)[1]
    assert sorted(first.tolist() + second[:2].tolist()) == list(range(10))  # rest of epoch 1
    assert len(set(second[2:].tolist())) == 6  # start of epoch 2, no repeats
    assert ds.epochs_completed == 1


def test_exact_epoch_end_counts_on_next_call():
    # TF1 quirk: a batch that ends exactly at the epoch end does not complete the epoch; the next
    # call does (with an empty rest part).
    ds, _ = _dataset(n=10, seed=0)
    ds.next_batch(5)
    ds.next_batch(5)
    assert ds.epochs_completed == 0
    ds.next_batch(5)
    assert ds.epochs_completed == 1


def test_no_shuffle_is_sequential_and_wraps():
    ds, _ = _dataset(n=5)
    got = [ds.next_batch(3, shuffle=False)[1].tolist() for _ in range(3)]
    assert got == [[0, 1, 2], [3, 4, 0], [1, 2, 3]]


def test_seed_from_graph_seed():
    tf.set_random_seed(5)
    a = _dataset(seed=None)[0].next_batch(10)[1]
    b = OracleDataSet(10, seed=5).next_batch(10)
    assert a.tolist() == b.tolist()


def test_explicit_seed_is_deterministic():
    a = [_dataset(seed=42)[0].next_batch(4)[1].tolist() for _ in range(2)]
    assert a[0] == a[1]
    assert _dataset(seed=43)[0].next_batch(10)[1].tolist() != \
        _dataset(seed=42)[0].next_batch(10)[1].tolist()


def test_dataset_dtypes_and_reshape():
    ds, images = _dataset(dtype=tf.uint8)
    assert ds.images.dtype == np.uint8 and ds.images.shape == (10, 4)
    ds, _ = _dataset(reshape=False)
    assert ds.images.shape == (10, 2, 2, 1) and ds.images.dtype == np.float32
    assert ds.images.max() == pytest.approx(9 / 255.0)
    assert ds.num_examples == 10 and ds.epochs_completed == 0
    with pytest.raises(TypeError, match="Invalid image dtype"):
        _dataset(dtype=tf.float64)
    with pytest.raises(ValueError, match="labels.shape"):
        input_data.DataSet(images, np.zeros(3), seed=1)


def test_fake_data():
    data = input_data.read_data_sets("unused", fake_data=True, one_hot=True)
    assert data.train.num_examples == 10000
    xs, ys = data.train.next_batch(3, fake_data=True)
    assert len(xs) == 3 and len(xs[0]) == 784 and ys[0] == [1] + [0] * 9
    data = input_data.read_data_sets("unused", fake_data=True)
    assert data.validation.next_batch(2, fake_data=True)[1] == [0, 0]


def test_dense_to_one_hot():
    one_hot = input_data.dense_to_one_hot(np.array([0, 3, 9], np.uint8), 10)
    assert one_hot.dtype == np.float64 and one_hot.shape == (3, 10)
    assert one_hot.argmax(1).tolist() == [0, 3, 9] and one_hot.sum() == 3


def test_read_data_sets(fake_mnist, offline, capsys):
    directory, arrays = fake_mnist
    data = input_data.read_data_sets(str(directory), one_hot=True, validation_size=10, seed=1)
    assert isinstance(data, input_data.Datasets)
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == \
        (30, 10, 12)
    assert data.train.images.shape == (30, 784) and data.train.images.dtype == np.float32
    assert data.train.labels.shape == (30, 10) and data.train.labels.dtype == np.float64
    np.testing.assert_allclose(data.validation.images * 255.0,
                               arrays[mnist.TRAIN_IMAGES][:10].reshape(10, 784), atol=1e-4)
    np.testing.assert_array_equal(data.test.labels.argmax(1), arrays[mnist.TEST_LABELS])
    assert offline == []
    assert "Extracting" in capsys.readouterr().out  # TF1 prints the files it extracts


def test_read_data_sets_validation_size(fake_mnist, offline):
    directory, _ = fake_mnist
    with pytest.raises(ValueError, match="Validation size should be between 0 and 40"):
        input_data.read_data_sets(str(directory), validation_size=41)
    data = input_data.read_data_sets(str(directory), validation_size=0, dtype=tf.uint8,
                                     reshape=False)
    assert data.train.images.shape == (40, 28, 28, 1) and data.train.images.dtype == np.uint8
    assert data.train.labels.dtype == np.uint8


def test_read_data_sets_offline_error(tmp_path, offline):
    with pytest.raises(mnist.MnistUnavailableError) as info:
        input_data.read_data_sets(str(tmp_path / "MNIST_data"))
    assert "train-images-idx3-ubyte.gz" in str(info.value)
    assert str(tmp_path / "MNIST_data" / "train-images-idx3-ubyte.gz") in str(info.value)


def test_read_data_sets_corrupt_file(fake_mnist, offline):
    directory, _ = fake_mnist
    write_idx(directory / mnist.TRAIN_LABELS, np.zeros(39, np.uint8))
    with pytest.raises(CorruptDatasetError, match="40 images but .*39 labels"):
        input_data.read_data_sets(str(directory))
    raw = (directory / mnist.TEST_IMAGES).read_bytes()
    (directory / mnist.TEST_IMAGES).write_bytes(raw[:-20])
    with pytest.raises(CorruptDatasetError, match="t10k-images-idx3-ubyte.gz"):
        input_data.read_data_sets(str(directory))


def test_only_t10k_falls_back_to_split(mnist_dir, offline, capsys):
    data = input_data.read_data_sets(str(mnist_dir), one_hot=True, validation_size=1000)
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == \
        (7000, 1000, 2000)
    err = capsys.readouterr().err
    assert "evaluation split" in err and "train-images-idx3-ubyte.gz" in err


def test_read_split_data_sets(fake_mnist):
    directory, arrays = fake_mnist
    data = input_data.read_split_data_sets(str(directory), num_train=8, num_test=4, seed=0)
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == \
        (8, 0, 4)
    np.testing.assert_array_equal(data.test.labels, arrays[mnist.TEST_LABELS][-4:])


def test_extract_from_streams():
    images = encode_idx(np.full((2, 3, 3), 7, np.uint8))
    import gzip

    stream = io.BytesIO(gzip.compress(images))
    out = input_data.extract_images(stream)
    assert out.shape == (2, 3, 3, 1) and out.dtype == np.uint8
    stream = io.BytesIO(gzip.compress(encode_idx(np.array([1, 2], np.uint8))))
    assert input_data.extract_labels(stream, one_hot=True).argmax(1).tolist() == [1, 2]
    with pytest.raises(CorruptDatasetError, match="Invalid magic number 2049"):
        input_data.extract_images(io.BytesIO(gzip.compress(encode_idx(np.zeros(2, np.uint8)))))


def test_extract_from_open_file(tmp_path):
    directory = tmp_path / "m"
    write_mnist_dir(directory)
    with open(directory / mnist.TRAIN_IMAGES, "rb") as f:
        assert input_data.extract_images(f).shape == (40, 28, 28, 1)
