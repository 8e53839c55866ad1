"""Reading checkpoints without a graph: ``tf.train.NewCheckpointReader``,
``tf.train.load_checkpoint``, ``tf.train.list_variables``, ``tf.train.load_variable``."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from minitf.framework import errors
from minitf.train.checkpoint_format import CheckpointReader
from minitf.train.checkpoint_management import latest_checkpoint

__all__ = ["NewCheckpointReader", "load_checkpoint", "list_variables", "load_variable"]


def NewCheckpointReader(filepattern: Any) -> CheckpointReader:  # noqa: N802 - TF's name
    """A reader of the checkpoint with prefix ``filepattern``."""
    return CheckpointReader(os.fspath(filepattern))


def _checkpoint_prefix(ckpt_dir_or_file: Any) -> str:
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        found = latest_checkpoint(path)
        if found is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {path}")
        return found
    return path


def load_checkpoint(ckpt_dir_or_file: Any) -> CheckpointReader:
    """A reader of the checkpoint (a prefix, or the latest one in a directory)."""
    prefix = _checkpoint_prefix(ckpt_dir_or_file)
    try:
        return CheckpointReader(prefix)
    except errors.NotFoundError:
        raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory "
                         f"{prefix}") from None


def list_variables(ckpt_dir_or_file: Any) -> list[tuple[str, list[int]]]:
    """``[(name, shape)]`` of every tensor in the checkpoint, sorted by name."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(name, shapes[name]) for name in sorted(shapes)]


def load_variable(ckpt_dir_or_file: Any, name: str) -> np.ndarray:
    """The value of tensor ``name`` (a trailing ``:0`` is ignored)."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)
