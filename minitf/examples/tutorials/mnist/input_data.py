"""TF1's ``tensorflow.examples.tutorials.mnist.input_data``: ``read_data_sets`` and ``DataSet``.

A TF1 tutorial script runs with only its import changed::

    from minitf.examples.tutorials.mnist import input_data
    mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
    batch_xs, batch_ys = mnist.train.next_batch(100)

``DataSet.next_batch`` reproduces TF1's behaviour exactly: the numpy global RNG is seeded in
``DataSet.__init__`` (from ``seed``, or the graph seed), the first epoch is shuffled on the first
call, and a batch that crosses an epoch boundary is the rest of the old epoch followed by the
start of the next, freshly shuffled one.

Where ``train_dir`` holds only the two t10k files (``../shared/data/mnist``) and the training
files cannot be downloaded, ``read_data_sets`` says so on stderr and uses the evaluation split
(:func:`read_split_data_sets`): train on the first 8,000 test images, test on the last 2,000.
"""

from __future__ import annotations

import collections
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from minitf.datasets import mnist as _mnist
from minitf.datasets.idx import CorruptDatasetError
from minitf.framework import dtypes

__all__ = ["read_data_sets", "read_split_data_sets", "load_mnist", "DataSet", "Datasets",
           "extract_images", "extract_labels", "dense_to_one_hot", "maybe_download",
           "DEFAULT_SOURCE_URL"]

DEFAULT_SOURCE_URL = _mnist.DEFAULT_SOURCE_URL
Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])
_MAXINT32 = 2**31 - 1
_DEFAULT_GRAPH_SEED = 87654321


def _get_seed(op_seed: int | None) -> tuple[int | None, int | None]:
    """TF1's ``random_seed.get_seed`` without its side effects (graph seed from the default
    graph)."""
    from minitf.framework.graph import get_default_graph

    graph_seed = get_default_graph().seed
    if graph_seed is not None:
        seeds = (int(graph_seed) % _MAXINT32,
                 int(op_seed if op_seed is not None else 0) % _MAXINT32)
    elif op_seed is not None:
        seeds = (_DEFAULT_GRAPH_SEED, int(op_seed) % _MAXINT32)
    else:
        seeds = (None, None)
    return (0, _MAXINT32) if seeds == (0, 0) else seeds


def _name(f: Any) -> str:
    return getattr(f, "name", None) or "<stream>"


def extract_images(f: Any) -> np.ndarray:
    """Images from an open MNIST image file (.gz) as uint8 ``[index, y, x, depth]``."""
    print("Extracting", _name(f))
    images = _mnist.read_images(_name(f)) if _is_path(f) else _from_stream(f, True)
    return images.reshape(images.shape + (1,))


def extract_labels(f: Any, one_hot: bool = False, num_classes: int = 10) -> np.ndarray:
    """Labels from an open MNIST label file (.gz): uint8 ``[index]`` or one-hot float64."""
    print("Extracting", _name(f))
    labels = _mnist.read_labels(_name(f), num_classes) if _is_path(f) else _from_stream(f, False)
    return dense_to_one_hot(labels, num_classes) if one_hot else labels


def _is_path(f: Any) -> bool:
    name = getattr(f, "name", None)
    return isinstance(name, str) and os.path.isfile(name)


def _from_stream(f: Any, images: bool) -> np.ndarray:
    import gzip

    from minitf.datasets.idx import parse_idx

    name = _name(f)
    try:
        with gzip.GzipFile(fileobj=f) as stream:
            data = stream.read()
    except (EOFError, OSError) as e:
        raise CorruptDatasetError(f"{name}: damaged or truncated gzip data ({e})") from None
    magic = int.from_bytes(data[:4], "big") if len(data) >= 4 else None
    want = _mnist.IMAGES_MAGIC if images else _mnist.LABELS_MAGIC
    if magic != want:
        raise CorruptDatasetError(f"Invalid magic number {magic} in MNIST "
                                  f"{'image' if images else 'label'} file: {name}")
    return parse_idx(data, name)


def dense_to_one_hot(labels_dense: np.ndarray, num_classes: int) -> np.ndarray:
    """Class labels to one-hot vectors (float64, as TF1)."""
    num_labels = labels_dense.shape[0]
    index_offset = np.arange(num_labels) * num_classes
    labels_one_hot = np.zeros((num_labels, num_classes))
    labels_one_hot.flat[index_offset + labels_dense.ravel()] = 1
    return labels_one_hot


class DataSet:
    """TF1's MNIST ``DataSet``: images, labels, ``next_batch`` with per-epoch shuffling."""

    def __init__(self, images: Any, labels: Any, fake_data: bool = False, one_hot: bool = False,
                 dtype: Any = dtypes.float32, reshape: bool = True,
                 seed: int | None = None) -> None:
        seed1, seed2 = _get_seed(seed)
        # TF1 seeds numpy's global RNG: with no seed anywhere that is a fresh random state.
        np.random.seed(seed1 if seed is None else seed2)
        dtype = dtypes.as_dtype(dtype).base_dtype
        if dtype not in (dtypes.uint8, dtypes.float32):
            raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
        if fake_data:
            self._num_examples = 10000
            self.one_hot = one_hot
        else:
            if images.shape[0] != labels.shape[0]:
                raise ValueError(f"images.shape: {images.shape} labels.shape: {labels.shape}")
            self._num_examples = images.shape[0]
            if reshape:
                if images.ndim == 4 and images.shape[3] != 1:
                    raise ValueError(f"reshape=True needs depth 1 images, got {images.shape}")
                images = images.reshape(images.shape[0], int(np.prod(images.shape[1:3])))
            if dtype == dtypes.float32:
                # [0, 255] -> [0.0, 1.0]
                images = np.multiply(images.astype(np.float32), 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self) -> Any:
        return self._images

    @property
    def labels(self) -> Any:
        return self._labels

    @property
    def num_examples(self) -> int:
        return self._num_examples

    @property
    def epochs_completed(self) -> int:
        return self._epochs_completed

    def next_batch(self, batch_size: int, fake_data: bool = False,
                   shuffle: bool = True) -> tuple[Any, Any]:
        """The next ``batch_size`` examples; an epoch's last partial batch is completed from the
        start of the next (reshuffled) epoch."""
        if fake_data:
            fake_image = [1] * 784
            fake_label = [1] + [0] * 9 if self.one_hot else 0
            return ([fake_image for _ in range(batch_size)],
                    [fake_label for _ in range(batch_size)])
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            perm0 = np.arange(self._num_examples)
            np.random.shuffle(perm0)
            self._images = self.images[perm0]
            self._labels = self.labels[perm0]
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest_num_examples = self._num_examples - start
            images_rest_part = self._images[start:self._num_examples]
            labels_rest_part = self._labels[start:self._num_examples]
            if shuffle:
                perm = np.arange(self._num_examples)
                np.random.shuffle(perm)
                self._images = self.images[perm]
                self._labels = self.labels[perm]
            start = 0
            self._index_in_epoch = batch_size - rest_num_examples
            end = self._index_in_epoch
            images_new_part = self._images[start:end]
            labels_new_part = self._labels[start:end]
            return (np.concatenate((images_rest_part, images_new_part), axis=0),
                    np.concatenate((labels_rest_part, labels_new_part), axis=0))
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]


def maybe_download(filename: str, work_directory: str,
                   source_url: str = DEFAULT_SOURCE_URL) -> str:
    """``work_directory/filename``, downloaded (SHA-256 verified) when missing."""
    return _mnist.maybe_download(filename, work_directory, source_url)


def _fake_datasets(one_hot: bool, dtype: Any, seed: int | None) -> Datasets:
    def fake() -> DataSet:
        return DataSet([], [], fake_data=True, one_hot=one_hot, dtype=dtype, seed=seed)

    return Datasets(train=fake(), validation=fake(), test=fake())


def _labels(labels: np.ndarray, one_hot: bool) -> np.ndarray:
    return dense_to_one_hot(labels, 10) if one_hot else labels


def _split_train(train_images: np.ndarray, train_labels: np.ndarray,
                 test_images: np.ndarray, test_labels: np.ndarray, validation_size: int,
                 dtype: Any, reshape: bool, seed: int | None) -> Datasets:
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(f"Validation size should be between 0 and {len(train_images)}. "
                         f"Received: {validation_size}.")
    options = {"dtype": dtype, "reshape": reshape, "seed": seed}
    train = DataSet(train_images[validation_size:], train_labels[validation_size:], **options)
    validation = DataSet(train_images[:validation_size], train_labels[:validation_size],
                         **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)


def read_data_sets(train_dir: str, fake_data: bool = False, one_hot: bool = False,
                   dtype: Any = dtypes.float32, reshape: bool = True,
                   validation_size: int = 5000, seed: int | None = None,
                   source_url: str = DEFAULT_SOURCE_URL) -> Datasets:
    """TF1's ``read_data_sets``: ``Datasets(train, validation, test)`` from the four IDX files in
    ``train_dir`` (downloaded, SHA-256 verified, when missing); ``validation_size`` images are
    taken from the front of the training set."""
    if fake_data:
        return _fake_datasets(one_hot, dtype, seed)
    if not source_url:
        source_url = DEFAULT_SOURCE_URL
    directory = Path(train_dir).expanduser()
    train_files = (_mnist.TRAIN_IMAGES, _mnist.TRAIN_LABELS)
    test_files = (_mnist.TEST_IMAGES, _mnist.TEST_LABELS)
    if (all((directory / f).exists() for f in test_files)
            and not all((directory / f).exists() for f in train_files)):
        try:
            for name in train_files:
                _mnist.maybe_download(name, directory, source_url)
        except _mnist.MnistUnavailableError as e:
            print(f"minitf: {e}\nminitf: {directory} holds only the t10k files: using the "
                  f"evaluation split (train on the first {_mnist.SPLIT_TRAIN}, test on the last "
                  f"{_mnist.SPLIT_TEST}; validation_size={validation_size} of the training "
                  "images go to validation)", file=sys.stderr)
            return read_split_data_sets(directory, one_hot=one_hot, dtype=dtype,
                                        reshape=reshape, validation_size=validation_size,
                                        seed=seed)
    arrays = {}
    for name in train_files + test_files:
        local_file = _mnist.maybe_download(name, directory, source_url)
        with open(local_file, "rb") as f:
            if "images" in name:
                arrays[name] = extract_images(f)
            else:
                arrays[name] = extract_labels(f, one_hot=one_hot)
    for images_name, labels_name in (train_files, test_files):
        if len(arrays[images_name]) != len(arrays[labels_name]):
            raise CorruptDatasetError(
                f"mismatched MNIST files: {directory / images_name} holds "
                f"{len(arrays[images_name])} images but {directory / labels_name} holds "
                f"{len(arrays[labels_name])} labels")
    return _split_train(arrays[_mnist.TRAIN_IMAGES], arrays[_mnist.TRAIN_LABELS],
                        arrays[_mnist.TEST_IMAGES], arrays[_mnist.TEST_LABELS],
                        validation_size, dtype, reshape, seed)


def read_split_data_sets(data_dir: str | None = None, one_hot: bool = False,
                         dtype: Any = dtypes.float32, reshape: bool = True,
                         validation_size: int = 0, seed: int | None = None,
                         num_train: int = _mnist.SPLIT_TRAIN,
                         num_test: int = _mnist.SPLIT_TEST) -> Datasets:
    """Our evaluation protocol as TF1 ``Datasets``: train on the first ``num_train`` (8,000) of the
    10,000 t10k images, test on the last ``num_test`` (2,000); ``validation_size`` images come
    from the front of the training part."""
    (x_train, y_train), (x_test, y_test) = _mnist.load_split(data_dir, num_train, num_test)
    return _split_train(x_train[..., None], _labels(y_train, one_hot), x_test[..., None],
                        _labels(y_test, one_hot), validation_size, dtype, reshape, seed)


def load_mnist(train_dir: str = "MNIST-data") -> Datasets:
    """TF1's ``load_mnist``."""
    return read_data_sets(train_dir)
