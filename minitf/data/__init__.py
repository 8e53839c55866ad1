"""``tf.data`` (TF 1.x): input pipelines as graph ops whose state lives in the Session.

``Dataset`` builds dataset ops (``TensorSliceDataset``, ``BatchDatasetV2``, ...); iterators
(``make_one_shot_iterator``, ``make_initializable_iterator``, ``Iterator.from_structure``) read
them with ``IteratorGetNext``. See docs/notes/data.md.
"""

from __future__ import annotations

from typing import Any

from minitf.data import experimental
from minitf.data.dataset import AUTOTUNE, Dataset
from minitf.data.iterator_ops import Iterator, make_initializable_iterator, make_one_shot_iterator

__all__ = ["Dataset", "Iterator", "make_one_shot_iterator", "make_initializable_iterator",
           "get_output_types", "get_output_shapes", "get_output_classes", "AUTOTUNE",
           "experimental"]


def get_output_types(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator: Any) -> Any:
    return dataset_or_iterator.output_classes
