"""The ``checkpoint`` state file and checkpoint file management (TF's checkpoint_management):
``latest_checkpoint``, ``get_checkpoint_state``, ``update_checkpoint_state``,
``checkpoint_exists``, ``get_checkpoint_mtimes``, ``remove_checkpoint``,
``meta_graph_filename``.

The state file is TF's CheckpointState message in text format, written atomically::

    model_checkpoint_path: "model.ckpt-1000"
    all_model_checkpoint_paths: "model.ckpt-900"
    all_model_checkpoint_paths: "model.ckpt-1000"
"""

from __future__ import annotations

import glob
import logging
import os
import re
from typing import Any

from minitf.framework import errors
from minitf.framework.graph_io import atomic_write
from minitf.framework.proto import text_format
from minitf.framework.proto.fields import Double, String
from minitf.framework.proto.message import Message

__all__ = ["CheckpointState", "generate_checkpoint_state_proto", "update_checkpoint_state",
           "update_checkpoint_state_internal", "get_checkpoint_state", "latest_checkpoint",
           "checkpoint_exists", "get_checkpoint_mtimes", "remove_checkpoint",
           "meta_graph_filename", "atomic_write"]

_log = logging.getLogger("minitf")


class CheckpointState(Message):
    """tensorflow/python/training/checkpoint_state.proto."""

    _full_name = "tensorflow.CheckpointState"
    model_checkpoint_path = String(1)
    all_model_checkpoint_paths = String(2, repeated=True)
    all_model_checkpoint_timestamps = Double(3, repeated=True)
    last_preserved_timestamp = Double(4)


def _checkpoint_filename(save_dir: str, latest_filename: str | None) -> str:
    return os.path.join(save_dir, latest_filename or "checkpoint")


def generate_checkpoint_state_proto(save_dir: str, model_checkpoint_path: str,
                                    all_model_checkpoint_paths: list[str] | None = None,
                                    all_model_checkpoint_timestamps: list[float] | None = None,
                                    last_preserved_timestamp: float | None = None
                                    ) -> CheckpointState:
    """A CheckpointState; relative paths are made relative to a relative ``save_dir``."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths.append(model_checkpoint_path)
    if all_model_checkpoint_timestamps and len(all_model_checkpoint_timestamps) != len(paths):
        raise ValueError(f"Checkpoint timestamps, if provided, must match checkpoint paths (got "
                         f"paths {paths} and timestamps {all_model_checkpoint_timestamps})")
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else os.path.relpath(p, save_dir) for p in paths]
    state = CheckpointState(model_checkpoint_path=model_checkpoint_path,
                            all_model_checkpoint_paths=paths)
    if all_model_checkpoint_timestamps:
        state.all_model_checkpoint_timestamps.extend(all_model_checkpoint_timestamps)
    if last_preserved_timestamp is not None:
        state.last_preserved_timestamp = last_preserved_timestamp
    return state


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths: list[str] | None = None,
                            latest_filename: str | None = None,
                            all_model_checkpoint_timestamps: list[float] | None = None,
                            last_preserved_timestamp: float | None = None) -> None:
    """Writes the ``checkpoint`` state file of ``save_dir``."""
    update_checkpoint_state_internal(save_dir, model_checkpoint_path,
                                     all_model_checkpoint_paths, latest_filename, False,
                                     all_model_checkpoint_timestamps, last_preserved_timestamp)


def update_checkpoint_state_internal(save_dir: str, model_checkpoint_path: str,
                                     all_model_checkpoint_paths: list[str] | None = None,
                                     latest_filename: str | None = None,
                                     save_relative_paths: bool = False,
                                     all_model_checkpoint_timestamps: Any = None,
                                     last_preserved_timestamp: Any = None) -> None:
    coord = _checkpoint_filename(save_dir, latest_filename)
    paths = list(all_model_checkpoint_paths or [])
    if save_relative_paths:
        if os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [os.path.relpath(p, save_dir) if os.path.isabs(p) else p for p in paths]
    state = generate_checkpoint_state_proto(save_dir, model_checkpoint_path, paths,
                                            all_model_checkpoint_timestamps,
                                            last_preserved_timestamp)
    if coord == state.model_checkpoint_path:
        raise RuntimeError(f"Save path '{model_checkpoint_path}' conflicts with path used for "
                           "checkpoint state.  Please use a different save path.")
    atomic_write(coord, text_format.MessageToString(state).encode())


def get_checkpoint_state(checkpoint_dir: Any, latest_filename: str | None = None
                         ) -> CheckpointState | None:
    """The CheckpointState of ``checkpoint_dir`` (relative paths joined to it), or None."""
    checkpoint_dir = os.fspath(checkpoint_dir)
    coord = _checkpoint_filename(checkpoint_dir, latest_filename)
    if not os.path.exists(coord):
        return None
    try:
        with open(coord, "rb") as f:
            content = f.read()
        state = CheckpointState()
        text_format.Merge(content, state)
    except (OSError, text_format.ParseError, UnicodeDecodeError) as e:
        _log.warning("%s: %s", type(e).__name__, e)
        _log.warning("%s: Checkpoint ignored", coord)
        return None
    if not state.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from " + checkpoint_dir)
    if not os.path.isabs(state.model_checkpoint_path):
        state.model_checkpoint_path = os.path.join(checkpoint_dir, state.model_checkpoint_path)
    for i, p in enumerate(list(state.all_model_checkpoint_paths)):
        if not os.path.isabs(p):
            state.all_model_checkpoint_paths[i] = os.path.join(checkpoint_dir, p)
    return state


def latest_checkpoint(checkpoint_dir: Any, latest_filename: str | None = None) -> str | None:
    """The prefix of the newest checkpoint named by the state file, if its files exist."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and state.model_checkpoint_path:
        prefix = state.model_checkpoint_path
        if glob.glob(glob.escape(prefix) + ".index") or glob.glob(glob.escape(prefix)):
            return prefix
        _log.error("Couldn't match files for checkpoint %s", prefix)
    return None


def checkpoint_exists(checkpoint_prefix: Any) -> bool:
    """Whether a checkpoint with this prefix exists (its ``.index`` file)."""
    prefix = os.fspath(checkpoint_prefix)
    return bool(glob.glob(prefix + ".index") or glob.glob(prefix))


checkpoint_exists_internal = checkpoint_exists


def get_checkpoint_mtimes(checkpoint_prefixes: list[str]) -> list[float]:
    """Modification times (seconds) of the checkpoints that exist."""
    mtimes = []
    for prefix in checkpoint_prefixes:
        for pattern in (prefix + ".index", prefix):
            found = glob.glob(pattern)
            if found:
                mtimes.append(os.stat(found[0]).st_mtime_ns / 1e9)
                break
    return mtimes


def remove_checkpoint(checkpoint_prefix: str, checkpoint_format_version: int = 2,
                      meta_graph_suffix: str = "meta") -> None:
    """Deletes the checkpoint's files (index first, so it stops existing at once)."""
    prefix = os.fspath(checkpoint_prefix)
    patterns = [meta_graph_filename(prefix, meta_graph_suffix)]
    if checkpoint_format_version == 2:
        patterns += [glob.escape(prefix) + ".index",
                     glob.escape(prefix) + ".data-?????-of-?????",
                     glob.escape(prefix) + ".data-?????-of-?????.gen-*"]
    else:
        patterns.append(glob.escape(prefix))
    for pattern in patterns:
        for path in glob.glob(pattern):
            try:
                os.unlink(path)
            except FileNotFoundError:
                _log.warning("Hit NotFoundError when deleting '%s'", path)
            except OSError as e:
                raise errors.UnknownError(None, None, f"Cannot delete {path}: {e}") from None


def meta_graph_filename(checkpoint_filename: str, meta_graph_suffix: str = "meta") -> str:
    """``model.ckpt-1000`` → ``model.ckpt-1000.meta``."""
    basename = re.sub(r"-[\d\?]+-of-\d+$", "", checkpoint_filename)
    return ".".join([basename, meta_graph_suffix])
