"""MNIST handwritten digits: the four standard IDX files, verified downloads, the evaluation split.

* :func:`load_data` -- Keras-style ``((x_train, y_train), (x_test, y_test))`` uint8 arrays.
* :func:`load_split` -- our evaluation protocol where only the 10,000 test images are at hand
  (as in ``../shared/data/mnist``): train on the first 8,000, evaluate on the last 2,000.
* :func:`maybe_download` -- fetch a missing file into a directory: to a temporary file, checked
  against the known SHA-256 digests of the standard files, then renamed into place.
* :func:`load_digits` -- scikit-learn's 8x8 handwritten digits, the offline fallback of the
  main job (``pip install -e ".[demo]"``).

TF1's ``input_data.read_data_sets`` (DataSet objects) is
:mod:`minitf.examples.tutorials.mnist.input_data`, built on these readers.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

from minitf.datasets.idx import CorruptDatasetError, parse_idx, read_file_bytes

__all__ = ["load_data", "load_split", "load_digits", "maybe_download", "read_images",
           "read_labels", "default_data_dir", "find_shared_data_dir", "MnistUnavailableError",
           "CorruptDatasetError", "DEFAULT_SOURCE_URL", "TRAIN_IMAGES", "TRAIN_LABELS",
           "TEST_IMAGES", "TEST_LABELS", "SPLIT_TRAIN", "SPLIT_TEST"]

DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
# The evaluation protocol on the 10,000 t10k images: train on the first 8,000, test on the rest.
SPLIT_TRAIN = 8000
SPLIT_TEST = 2000

# SHA-256 of the standard files. Mirrors re-compress (the cvdf mirror's t10k images differ from
# LeCun's .gz), so a file is accepted when either its .gz digest or the digest of the IDX bytes
# inside it is the known one.
ARCHIVE_SHA256 = {
    TRAIN_IMAGES: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    TRAIN_LABELS: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    TEST_IMAGES: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    TEST_LABELS: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
IDX_SHA256 = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


class MnistUnavailableError(OSError):
    """A needed MNIST file is neither on disk nor downloadable (offline, or a bad download)."""


# --- locations ------------------------------------------------------------------------------------

def default_data_dir() -> Path:
    """Where downloads go by default: ``$MINITF_DATASETS/mnist`` or ``~/.minitf/datasets/mnist``."""
    root = os.environ.get("MINITF_DATASETS")
    return Path(root).expanduser() / "mnist" if root else Path.home() / ".minitf/datasets/mnist"


def find_shared_data_dir() -> Path | None:
    """``../shared/data/mnist`` (next to the project) when it holds the t10k files, else None.

    Looked up from the working directory and from the project root of this package.
    """
    project = Path(__file__).resolve().parents[2]
    for base in (Path.cwd(), project):
        candidate = base.parent / "shared" / "data" / "mnist"
        if (candidate / TEST_IMAGES).is_file() and (candidate / TEST_LABELS).is_file():
            return candidate
    return None


# --- verified download ----------------------------------------------------------------------------

def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_file(path: str | os.PathLike, filename: str | None = None) -> None:
    """Raise CorruptDatasetError unless ``path`` holds the standard MNIST file ``filename``."""
    path = Path(path)
    filename = filename or path.name
    raw = path.read_bytes()
    if filename not in ARCHIVE_SHA256 or _sha256(raw) == ARCHIVE_SHA256[filename]:
        return
    payload = read_file_bytes(path)
    if _sha256(payload) != IDX_SHA256[filename]:
        raise CorruptDatasetError(
            f"{path}: SHA-256 does not match the standard {filename} "
            f"(archive {_sha256(raw)[:16]}..., contents {_sha256(payload)[:16]}...)")


def _open_url(url: str, timeout: float = 60.0) -> Any:
    """An open urllib response for ``url`` (file:// URLs work too)."""
    return urllib.request.urlopen(url, timeout=timeout)


def maybe_download(filename: str, work_directory: str | os.PathLike,
                   source_url: str = DEFAULT_SOURCE_URL, quiet: bool = False) -> str:
    """``work_directory/filename``, downloading it from ``source_url`` first when missing.

    Nothing is written unless the server answers. The download goes to a temporary file in
    ``work_directory``, is checked against the known SHA-256 of the standard file, and is
    renamed into place only when it matches. Offline (or on a bad download) raises
    :class:`MnistUnavailableError` saying which file is missing and where to put it.
    """
    directory = Path(work_directory).expanduser()
    filepath = directory / filename
    if filepath.exists():
        return str(filepath)
    url = source_url + filename if source_url.endswith("/") else f"{source_url}/{filename}"
    try:
        response = _open_url(url)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise MnistUnavailableError(
            f"MNIST file {filename} is missing from {directory} and could not be downloaded "
            f"from {url} ({getattr(e, 'reason', e)}). Put a copy of {filename} at "
            f"{filepath} (or pass the directory that holds it).") from None
    with response:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part",
                                            dir=directory)
        except OSError as e:
            raise MnistUnavailableError(f"MNIST file {filename} is missing and {directory} is "
                                        f"not writable ({e})") from None
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                try:
                    while chunk := response.read(1 << 20):
                        out.write(chunk)
                except OSError as e:
                    raise MnistUnavailableError(f"the download of {filename} from {url} "
                                                f"failed ({e})") from None
            try:
                verify_file(tmp, filename)
            except CorruptDatasetError as e:
                raise MnistUnavailableError(f"the download of {filename} from {url} is not the "
                                            f"standard file and was discarded: {e}") from None
            os.replace(tmp, filepath)
        finally:
            tmp.unlink(missing_ok=True)
    if not quiet:
        print("Successfully downloaded", filename, filepath.stat().st_size, "bytes.")
    return str(filepath)


# --- readers ------------------------------------------------------------------------------------

def _read_mnist(path: str | os.PathLike, magic: int, what: str) -> np.ndarray:
    path = os.fspath(path)
    data = read_file_bytes(path)
    found = int.from_bytes(data[:4], "big") if len(data) >= 4 else None
    if found != magic:
        raise CorruptDatasetError(f"Invalid magic number {found} in MNIST {what} file: {path} "
                                  f"(expected {magic})")
    return parse_idx(data, path)


def read_images(path: str | os.PathLike) -> np.ndarray:
    """MNIST images as uint8 ``[num, rows, cols]`` (magic number 2051 checked)."""
    images = _read_mnist(path, IMAGES_MAGIC, "image")
    if images.ndim != 3:
        raise CorruptDatasetError(f"{os.fspath(path)}: MNIST images must be rank 3, got "
                                  f"shape {images.shape}")
    return images


def read_labels(path: str | os.PathLike, num_classes: int = 10) -> np.ndarray:
    """MNIST labels as uint8 ``[num]`` (magic number 2049 and the range checked)."""
    labels = _read_mnist(path, LABELS_MAGIC, "label")
    if labels.size and int(labels.max()) >= num_classes:
        raise CorruptDatasetError(f"{os.fspath(path)}: label {int(labels.max())} out of range "
                                  f"[0, {num_classes})")
    return labels


def read_pair(directory: str | os.PathLike, images_name: str,
              labels_name: str) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels from one directory, checked to describe the same number of examples."""
    directory = Path(directory)
    images = read_images(directory / images_name)
    labels = read_labels(directory / labels_name)
    if len(images) != len(labels):
        raise CorruptDatasetError(
            f"mismatched MNIST files: {directory / images_name} holds {len(images)} images but "
            f"{directory / labels_name} holds {len(labels)} labels")
    return images, labels


def _npz(path: Path) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load_data(path: str | os.PathLike | None = None, download: bool = True,
              source_url: str = DEFAULT_SOURCE_URL) -> tuple[tuple[np.ndarray, np.ndarray],
                                                             tuple[np.ndarray, np.ndarray]]:
    """``((x_train, y_train), (x_test, y_test))``: uint8 ``[N, 28, 28]`` images, uint8 labels.

    ``path``: a directory of IDX files, a Keras ``mnist.npz``, or None for
    ``../shared/data/mnist`` when present, else :func:`default_data_dir`. With all four files (or
    downloadable ones) this is the standard 60,000/10,000 split; a directory holding only the
    t10k files gives the evaluation split of :func:`load_split` instead.
    """
    if path is not None and os.fspath(path).endswith(".npz"):
        return _npz(Path(path))
    directory = Path(path) if path is not None else (find_shared_data_dir() or default_data_dir())
    directory = directory.expanduser()
    has_train = all((directory / f).exists() for f in (TRAIN_IMAGES, TRAIN_LABELS))
    has_test = all((directory / f).exists() for f in (TEST_IMAGES, TEST_LABELS))
    if has_test and not has_train:
        return load_split(directory, download=False)
    for name in (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS):
        if not (directory / name).exists():
            if not download:
                raise MnistUnavailableError(f"MNIST file {name} is missing: put it at "
                                            f"{directory / name}")
            maybe_download(name, directory, source_url)
    return read_pair(directory, TRAIN_IMAGES, TRAIN_LABELS), read_pair(
        directory, TEST_IMAGES, TEST_LABELS)


def load_split(data_dir: str | os.PathLike | None = None, num_train: int = SPLIT_TRAIN,
               num_test: int = SPLIT_TEST, download: bool = True,
               source_url: str = DEFAULT_SOURCE_URL) -> tuple[tuple[np.ndarray, np.ndarray],
                                                              tuple[np.ndarray, np.ndarray]]:
    """The evaluation split of the 10,000 MNIST test images: the first ``num_train`` to train
    on, the last ``num_test`` to evaluate (disjoint). Same return shape as :func:`load_data`.

    ``data_dir`` defaults to ``../shared/data/mnist`` when present, else
    :func:`default_data_dir` (downloading the two t10k files when ``download``).
    """
    directory = Path(data_dir) if data_dir is not None else (find_shared_data_dir()
                                                             or default_data_dir())
    directory = directory.expanduser()
    for name in (TEST_IMAGES, TEST_LABELS):
        if not (directory / name).exists():
            if not download:
                raise MnistUnavailableError(f"MNIST file {name} is missing: put it at "
                                            f"{directory / name}")
            maybe_download(name, directory, source_url)
    images, labels = read_pair(directory, TEST_IMAGES, TEST_LABELS)
    if num_train < 0 or num_test < 0 or num_train + num_test > len(images):
        raise ValueError(f"num_train={num_train} and num_test={num_test} must be disjoint parts "
                         f"of the {len(images)} images in {directory / TEST_IMAGES}")
    test_start = len(images) - num_test
    return ((images[:num_train], labels[:num_train]),
            (images[test_start:], labels[test_start:]))


# --- the offline fallback: scikit-learn's 8x8 digits ---------------------------------------------

def load_digits(test_fraction: float = 0.2) -> tuple[tuple[np.ndarray, np.ndarray],
                                                     tuple[np.ndarray, np.ndarray]]:
    """scikit-learn's 1,797 8x8 handwritten digits as MNIST-like uint8 arrays.

    Pixels 0..16 are scaled to 0..255 (``round(v * 255 / 16)``); the last ``test_fraction`` of
    the (fixed) order is the test set. Raises ImportError naming ``pip install -e ".[demo]"``
    when scikit-learn is missing.
    """
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError:
        raise ImportError('the 8x8 digits fallback needs scikit-learn: '
                          'pip install -e ".[demo]"') from None
    digits = sk_load_digits()
    images = np.rint(digits.images * (255.0 / 16.0)).astype(np.uint8)
    labels = digits.target.astype(np.uint8)
    num_test = int(round(len(images) * test_fraction))
    split = len(images) - num_test
    return (images[:split], labels[:split]), (images[split:], labels[split:])


def describe(arrays: Any) -> str:
    """``"8000 train / 2000 test images of 28x28"`` for a load_data-style result."""
    (x_train, _), (x_test, _) = arrays
    side = "x".join(str(d) for d in x_train.shape[1:])
    return f"{len(x_train)} train / {len(x_test)} test images of {side}"
