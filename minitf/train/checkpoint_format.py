"""minitf's checkpoint files: ``<prefix>.index`` + ``<prefix>.data-00000-of-00001``.

The names are TF's (V2 checkpoints); the contents are ours, and TF cannot read them.
Never pickle, never eval: arrays are raw little-endian bytes, the index is JSON.

``.data-00000-of-00001``::

    8 bytes   magic  b"\\x89MTFDATA"
    16 bytes  generation id (random; the index names it, so a data file and an index from
              different saves are never mistaken for a pair)
    ...       the tensors' bytes back to back (no padding: every byte of the file is checked):
              numeric tensors in C order, little-endian; string tensors as, per element,
              a uint64 length then the bytes

``.index``::

    8 bytes   magic  b"\\x89MTFCKPT"
    4 bytes   format version (uint32 LE, 1)
    4 bytes   flags (0)
    8 bytes   body length (uint64 LE)
    4 bytes   CRC32C of the body
    4 bytes   CRC32C of the 28 header bytes before it
    body      UTF-8 JSON: {"version": 1, "generation": hex, "num_shards": 1,
              "data_sizes": [bytes], "tensors": {name: {"dtype", "shape", "shard",
              "offset", "length", "crc32c"}}}

Saving is atomic: both files are written under temporary names (``*.tempstate<hex>``),
fsynced, then renamed — data first, index last — and the directory is fsynced. The index is
what makes a checkpoint exist, so a save that dies before its last rename leaves any previous
checkpoint untouched. When a save overwrites the same prefix, the old data file is kept
(hard-linked as ``<data>.gen-<old generation>``) until the new index is in place, so the old
index still finds its data if the save dies between the two renames.

Errors: a missing checkpoint is NotFoundError, a missing key NotFoundError("Key <name> not
found in checkpoint <prefix>"), a corrupt or truncated file DataLossError naming the file
(and the tensor).
"""

from __future__ import annotations

import errno
import glob
import json
import os
import struct
import sys
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.train.crc32c import crc32c

__all__ = ["write_checkpoint", "CheckpointReader", "data_filename", "index_filename",
           "checkpoint_files", "FAULT_ENV"]

INDEX_MAGIC = b"\x89MTFCKPT"
DATA_MAGIC = b"\x89MTFDATA"
FORMAT_VERSION = 1
_HEADER = struct.Struct("<8sIIQII")  # magic, version, flags, body length, body crc, header crc
_DATA_HEADER_BYTES = 24
FAULT_ENV = "MINITF_CHECKPOINT_FAULT"


def data_filename(prefix: str, shard: int = 0, num_shards: int = 1) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


def index_filename(prefix: str) -> str:
    return prefix + ".index"


def checkpoint_files(prefix: str) -> list[str]:
    """The files of the checkpoint ``prefix`` that exist."""
    files = glob.glob(glob.escape(prefix) + ".data-?????-of-?????")
    idx = index_filename(prefix)
    return sorted(files + ([idx] if os.path.exists(idx) else []))


# --- fault injection (tests): MINITF_CHECKPOINT_FAULT="stage:action[,stage:action]" ----------
# stages: data_written, index_written, data_renamed, index_renamed
# actions: exit (os._exit(86)), sleep (announce on stderr, then sleep), enospc (a full disk)

def _fault_point(stage: str) -> None:
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    for item in spec.split(","):
        name, _, action = item.partition(":")
        if name.strip() != stage:
            continue
        action = action.strip() or "exit"
        if action == "exit":
            os._exit(86)
        if action == "sleep":
            sys.stderr.write(f"minitf-checkpoint-fault {stage}\n")
            sys.stderr.flush()
            time.sleep(3600)
        if action == "enospc":
            raise OSError(errno.ENOSPC, "No space left on device (injected)")


def _write_bytes(f: Any, data: Any) -> None:
    """All writes go through here (tests patch it to simulate a full disk)."""
    f.write(data)


# --- encoding ------------------------------------------------------------------------------------

def _dtype_name(arr: np.ndarray, dtype: Any = None) -> str:
    if dtype is not None:
        return dtypes.as_dtype(dtype).base_dtype.name
    if arr.dtype.kind in "OSU":
        return "string"
    return dtypes.as_dtype(arr.dtype).name


def _np_dtype(name: str) -> np.dtype:
    return np.dtype(dtypes.as_dtype(name).as_numpy_dtype).newbyteorder("<")


def _encode(arr: np.ndarray, dtype_name: str) -> bytes | np.ndarray:
    if dtype_name == "string":
        parts = []
        for x in np.asarray(arr, dtype=object).reshape(-1):
            b = x.encode() if isinstance(x, str) else bytes(x)
            parts.append(struct.pack("<Q", len(b)))
            parts.append(b)
        return b"".join(parts)
    a = np.ascontiguousarray(arr, dtype=_np_dtype(dtype_name))
    return a.reshape(-1).view(np.uint8)


def _decode(buf: Any, dtype_name: str, shape: list[int], where: str) -> np.ndarray:
    if dtype_name == "string":
        n = int(np.prod(shape)) if shape else 1
        out = np.empty(n, dtype=object)
        mv = memoryview(buf)
        pos = 0
        for i in range(n):
            if pos + 8 > len(mv):
                raise errors.DataLossError(None, None, f"Corrupt string tensor {where}")
            (ln,) = struct.unpack_from("<Q", mv, pos)
            pos += 8
            if pos + ln > len(mv):
                raise errors.DataLossError(None, None, f"Corrupt string tensor {where}")
            out[i] = bytes(mv[pos:pos + ln])
            pos += ln
        return out.reshape(shape)
    dt = _np_dtype(dtype_name)
    arr = np.frombuffer(buf, dtype=dt).reshape(shape)
    native = dt.newbyteorder("=")
    return arr.astype(native, copy=False) if arr.dtype != native else arr


# --- writing ------------------------------------------------------------------------------------

def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path or ".", os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _os_error(e: OSError, path: str) -> errors.OpError:
    msg = f"{path}; {e.strerror or e}"
    if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return errors.ResourceExhaustedError(None, None, f"Failed to write checkpoint: {msg}")
    if e.errno == errno.ENOENT:
        return errors.NotFoundError(None, None, f"Failed to write checkpoint: {msg}")
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return errors.PermissionDeniedError(None, None, f"Failed to write checkpoint: {msg}")
    return errors.UnknownError(None, None, f"Failed to write checkpoint: {msg}")


def write_checkpoint(prefix: str, tensors: Iterable[tuple[str, Any]] | dict[str, Any],
                     dtypes_: dict[str, Any] | None = None) -> str:
    """Writes ``{name: array}`` as the checkpoint ``prefix`` (atomically); returns prefix."""
    items = list(tensors.items()) if isinstance(tensors, dict) else list(tensors)
    prefix = os.fspath(prefix)
    directory = os.path.dirname(prefix)
    data_path, index_path = data_filename(prefix), index_filename(prefix)
    generation = os.urandom(16)
    suffix = ".tempstate" + os.urandom(8).hex()
    tmp_data, tmp_index = data_path + suffix, index_path + suffix
    entries: dict[str, Any] = {}
    current = None
    try:
        current = tmp_data
        with open(tmp_data, "wb") as f:
            _write_bytes(f, DATA_MAGIC + generation)
            pos = _DATA_HEADER_BYTES
            for name, value in items:
                if name in entries:
                    raise ValueError(f"Duplicate tensor name in checkpoint: {name}")
                arr = value if isinstance(value, np.ndarray) else np.asarray(value)
                dname = _dtype_name(arr, (dtypes_ or {}).get(name))
                payload = _encode(arr, dname)
                length = len(payload) if isinstance(payload, bytes) else payload.nbytes
                entries[name] = {"dtype": dname, "shape": [int(d) for d in arr.shape],
                                 "shard": 0, "offset": pos, "length": length,
                                 "crc32c": crc32c(payload)}
                _write_bytes(f, payload if isinstance(payload, bytes) else memoryview(payload))
                pos += length
            f.flush()
            os.fsync(f.fileno())
        _fault_point("data_written")
        body = json.dumps({"version": FORMAT_VERSION, "generation": generation.hex(),
                           "num_shards": 1, "data_sizes": [pos], "tensors": entries},
                          sort_keys=True, separators=(",", ":")).encode()
        head = struct.pack("<8sIIQI", INDEX_MAGIC, FORMAT_VERSION, 0, len(body), crc32c(body))
        current = tmp_index
        with open(tmp_index, "wb") as f:
            _write_bytes(f, head + struct.pack("<I", crc32c(head)))
            _write_bytes(f, body)
            f.flush()
            os.fsync(f.fileno())
        _fault_point("index_written")
        backup = _keep_previous_data(index_path, data_path)
        current = data_path
        os.replace(tmp_data, data_path)
        _fault_point("data_renamed")
        current = index_path
        os.replace(tmp_index, index_path)
        _fsync_dir(directory)
        _fault_point("index_renamed")
        if backup:
            _remove_quietly(backup)
        for old in glob.glob(glob.escape(data_path) + ".gen-*"):
            _remove_quietly(old)
    except OSError as e:
        _remove_quietly(tmp_data)
        _remove_quietly(tmp_index)
        raise _os_error(e, current or prefix) from None
    except BaseException:
        _remove_quietly(tmp_data)
        _remove_quietly(tmp_index)
        raise
    return prefix


def _keep_previous_data(index_path: str, data_path: str) -> str | None:
    """Hard-links the data file an existing index refers to under its generation's name."""
    if not os.path.exists(index_path) or not os.path.exists(data_path):
        return None
    try:
        gen = _read_index(index_path)["generation"]
    except (errors.OpError, KeyError, OSError):
        return None
    backup = f"{data_path}.gen-{gen}"
    try:
        if not os.path.exists(backup):
            os.link(data_path, backup)
    except OSError:  # no hard links here: the overwrite window stays unprotected
        return None
    return backup


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# --- reading ------------------------------------------------------------------------------------

def _read_index(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise errors.NotFoundError(
            None, None, f"Unsuccessful TensorSliceReader constructor: Failed to find any "
                        f"matching files for {path[:-len('.index')]}") from None
    except OSError as e:
        raise errors.UnknownError(None, None, f"Cannot read checkpoint index {path}: "
                                              f"{e.strerror or e}") from None
    if len(raw) < _HEADER.size:
        raise errors.DataLossError(None, None, f"Checkpoint index {path} is truncated "
                                               f"({len(raw)} bytes)")
    magic, version, _flags, body_len, body_crc, head_crc = _HEADER.unpack_from(raw)
    if magic != INDEX_MAGIC:
        raise errors.DataLossError(None, None, f"{path} is not a minitf checkpoint index "
                                               "(bad magic)")
    if crc32c(raw[:_HEADER.size - 4]) != head_crc:
        raise errors.DataLossError(None, None, f"Checkpoint index {path} is corrupt: header "
                                               "checksum mismatch")
    if version != FORMAT_VERSION:
        raise errors.DataLossError(None, None, f"Checkpoint index {path} has format version "
                                               f"{version}; this minitf reads {FORMAT_VERSION}")
    body = raw[_HEADER.size:]
    if len(body) != body_len:
        raise errors.DataLossError(None, None, f"Checkpoint index {path} is truncated: "
                                               f"{len(body)} of {body_len} body bytes")
    if crc32c(body) != body_crc:
        raise errors.DataLossError(None, None, f"Checkpoint index {path} is corrupt: "
                                               "checksum mismatch")
    try:
        meta = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise errors.DataLossError(None, None, f"Checkpoint index {path} is corrupt: "
                                               "unreadable body") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("tensors"), dict):
        raise errors.DataLossError(None, None, f"Checkpoint index {path} is corrupt")
    return meta


class CheckpointReader:
    """Reads one checkpoint (``tf.train.NewCheckpointReader``): names, shapes, dtypes and
    verified tensor values."""

    def __init__(self, prefix: str) -> None:
        prefix = os.fspath(prefix)
        if prefix.endswith(".index"):
            prefix = prefix[:-len(".index")]
        self._prefix = prefix
        self._index_path = index_filename(prefix)
        meta = _read_index(self._index_path)
        self._tensors: dict[str, dict[str, Any]] = meta["tensors"]
        self._generation = str(meta.get("generation", ""))
        self._num_shards = int(meta.get("num_shards", 1))
        self._sizes = [int(s) for s in meta.get("data_sizes", [])]
        self._data_paths: list[str] | None = None

    @property
    def prefix(self) -> str:
        return self._prefix

    def _data_path(self, shard: int) -> str:
        if self._data_paths is None:
            paths = []
            for s in range(self._num_shards):
                p = data_filename(self._prefix, s, self._num_shards)
                paths.append(self._matching_data(p, s))
            self._data_paths = paths
        return self._data_paths[shard]

    def _matching_data(self, path: str, shard: int) -> str:
        """The data file whose generation matches the index (the kept copy of an overwritten
        checkpoint's data when a save died between its renames)."""
        for candidate in (path, f"{path}.gen-{self._generation}"):
            try:
                with open(candidate, "rb") as f:
                    head = f.read(24)
            except FileNotFoundError:
                continue
            except OSError as e:
                raise errors.DataLossError(None, None, f"Cannot read checkpoint data file "
                                                       f"{candidate}: {e}") from None
            if len(head) < 24 or head[:8] != DATA_MAGIC:
                raise errors.DataLossError(None, None, f"Checkpoint data file {candidate} is "
                                                       "corrupt or truncated (bad header)")
            if head[8:24].hex() == self._generation:
                return candidate
        if not os.path.exists(path):
            raise errors.DataLossError(None, None, f"Checkpoint data file {path} is missing "
                                                   f"(index {self._index_path})")
        raise errors.DataLossError(None, None, f"Checkpoint data file {path} does not belong "
                                               f"to index {self._index_path} (an interrupted "
                                               "save?)")

    def _check_size(self, path: str, shard: int, name: str) -> None:
        if shard >= len(self._sizes):
            return
        try:
            size = os.path.getsize(path)
        except OSError as e:
            raise errors.DataLossError(None, None, f"Cannot read checkpoint data file {path}: "
                                                   f"{e}") from None
        if size != self._sizes[shard]:
            what = "truncated" if size < self._sizes[shard] else "corrupt (trailing bytes)"
            raise errors.DataLossError(
                None, None, f"Checkpoint data file {path} is {what}: it has {size} bytes, the "
                            f"index expects {self._sizes[shard]} (reading tensor '{name}')")

    # --- TF's CheckpointReader API ---------------------------------------------------------
    def has_tensor(self, name: str) -> bool:
        return name in self._tensors

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        return {k: list(v["shape"]) for k, v in self._tensors.items()}

    def get_variable_to_dtype_map(self) -> dict[str, Any]:
        return {k: dtypes.as_dtype(v["dtype"]) for k, v in self._tensors.items()}

    def debug_string(self) -> bytes:
        lines = [f"{k} ({v['dtype']}) {v['shape']}" for k, v in sorted(self._tensors.items())]
        return ("\n".join(lines) + "\n").encode()

    def entry(self, name: str) -> dict[str, Any]:
        e = self._tensors.get(name)
        if e is None:
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint "
                                                   f"{self._prefix}")
        return e

    def get_tensor(self, name: str) -> np.ndarray:
        """The value of tensor ``name``, its checksum verified (DataLossError if corrupt)."""
        e = self.entry(name)
        try:
            shard, offset, length = int(e["shard"]), int(e["offset"]), int(e["length"])
            shape = [int(d) for d in e["shape"]]
            dname = str(e["dtype"])
            crc = int(e["crc32c"])
        except (KeyError, TypeError, ValueError):
            raise errors.DataLossError(None, None, f"Checkpoint index {self._index_path} has a "
                                                   f"corrupt entry for tensor '{name}'") from None
        path = self._data_path(shard)
        self._check_size(path, shard, name)
        buf = bytearray(length)
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                got = f.readinto(buf)
        except OSError as err:
            raise errors.DataLossError(None, None, f"Cannot read tensor '{name}' from "
                                                   f"{path}: {err}") from None
        if got != length:
            raise errors.DataLossError(
                None, None, f"Checkpoint data file {path} is truncated: tensor '{name}' needs "
                            f"bytes [{offset}, {offset + length}), the file ends at "
                            f"{offset + max(got, 0)}")
        actual = crc32c(buf)
        if actual != crc:
            raise errors.DataLossError(
                None, None, f"Checksum does not match for tensor '{name}' in {path}: stored "
                            f"{crc} vs. calculated {actual} (the file is corrupt)")
        try:
            if dname != "string":
                expected = int(np.prod(shape)) * _np_dtype(dname).itemsize if shape else \
                    _np_dtype(dname).itemsize
                if expected != length:
                    raise ValueError
            return _decode(buf, dname, shape, f"'{name}' in {path}")
        except (ValueError, TypeError):
            raise errors.DataLossError(None, None, f"Checkpoint entry for tensor '{name}' in "
                                                   f"{self._index_path} is inconsistent") \
                from None

    def read_all(self, names: list[str]) -> list[np.ndarray]:
        return [self.get_tensor(n) for n in names]
