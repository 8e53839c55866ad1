"""TF 1.x readers: ``tf.WholeFileReader``, ``tf.TextLineReader``,
``tf.FixedLengthRecordReader``. A reader op outputs a handle to a per-session
:class:`ReaderResource`; ``read(queue)`` takes file names from a queue of strings (blocking
like a dequeue) and yields (key, value) records."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import get_default_graph, name_scope
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import shape_fns

__all__ = ["ReaderBase", "WholeFileReader", "TextLineReader", "FixedLengthRecordReader"]

_COMMON = ["container: string = ''", "shared_name: string = ''"]


def _read_file(name: str) -> bytes:
    try:
        with open(name, "rb") as f:
            return f.read()
    except OSError as e:
        raise errors.NotFoundError(None, None, f"{name}; {e.strerror or e}") from None


def _whole_file(name: str, attrs: dict[str, Any]) -> Iterator[tuple[bytes, bytes]]:
    del attrs
    yield name.encode(), _read_file(name)


def _text_lines(name: str, attrs: dict[str, Any]) -> Iterator[tuple[bytes, bytes]]:
    lines = _read_file(name).split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    skip = int(attrs.get("skip_header_lines", 0))
    for i, line in enumerate(lines[skip:], start=skip + 1):
        yield f"{name}:{i}".encode(), line[:-1] if line.endswith(b"\r") else line


def _fixed_length(name: str, attrs: dict[str, Any]) -> Iterator[tuple[bytes, bytes]]:
    if attrs.get("encoding"):
        raise errors.UnimplementedError(None, None, "FixedLengthRecordReader: encoding "
                                                    f"{attrs['encoding']!r} is not supported")
    data = _read_file(name)
    size, hop = int(attrs["record_bytes"]), int(attrs.get("hop_bytes", 0)) or 0
    start, end = int(attrs.get("header_bytes", 0)), len(data) - int(attrs.get("footer_bytes", 0))
    step = hop if hop > 0 else size
    i = 0
    while start + i * step + size <= end:
        pos = start + i * step
        yield f"{name}:{i}".encode(), data[pos:pos + size]
        i += 1


_RECORDS = {"WholeFileReaderV2": _whole_file, "TextLineReaderV2": _text_lines,
            "FixedLengthRecordReaderV2": _fixed_length}


class ReaderResource:
    """One reader's position in one session: the current file's records and counters."""

    def __init__(self, op: Operation) -> None:
        self.records_fn = _RECORDS[op.type]
        self.attrs = dict(op._attrs)
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.current: Iterator[tuple[bytes, bytes]] | None = None
        self.produced = 0
        self.completed = 0

    def read(self, queue: Any) -> tuple[bytes, bytes]:
        with self.lock:
            return self._next(queue)

    def _next(self, queue: Any) -> tuple[bytes, bytes]:
        while True:
            if self.current is None:
                work = queue.dequeue()[0]  # blocks; OutOfRangeError once closed and empty
                name = work.item() if isinstance(work, np.ndarray) else work
                name = name.decode() if isinstance(name, bytes) else str(name)
                self.current = self.records_fn(name, self.attrs)
            record = next(self.current, None)
            if record is not None:
                self.produced += 1
                return record
            self.current = None
            self.completed += 1

    def read_up_to(self, queue: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
        keys: list[bytes] = []
        values: list[bytes] = []
        with self.lock:
            while len(keys) < n:
                try:
                    k, v = self._next(queue)
                except errors.OutOfRangeError:
                    if keys:
                        break
                    raise
                keys.append(k)
                values.append(v)
        return np.array(keys, dtype=object), np.array(values, dtype=object)


def _reader_kernel(op: Operation, state: Any) -> Any:
    key = "reader:" + (op._attrs.get("shared_name") or op.name)
    res = state.resource(key, lambda: ReaderResource(op))
    return lambda: res


register_op("WholeFileReaderV2", outputs=["reader_handle: resource"], attrs=_COMMON,
            shape=shape_fns.scalar, make_kernel=_reader_kernel, stateful=True,
            doc="A reader whose records are whole files (key: the file name).")
register_op("TextLineReaderV2", outputs=["reader_handle: resource"],
            attrs=["skip_header_lines: int = 0"] + _COMMON, shape=shape_fns.scalar,
            make_kernel=_reader_kernel, stateful=True,
            doc="A reader of lines (key: 'file:line', 1-based; newline and \\r stripped).")
register_op("FixedLengthRecordReaderV2", outputs=["reader_handle: resource"],
            attrs=["header_bytes: int = 0", "record_bytes: int", "footer_bytes: int = 0",
                   "hop_bytes: int = 0", "encoding: string = ''"] + _COMMON,
            shape=shape_fns.scalar, make_kernel=_reader_kernel, stateful=True,
            doc="A reader of fixed-size records between a header and a footer.")


def _scalar_bytes(b: bytes) -> np.ndarray:
    return np.array(b, dtype=object)


def _read_kernel(op: Operation, state: Any) -> Any:
    del op, state

    def read(reader: ReaderResource, queue: Any) -> tuple[np.ndarray, np.ndarray]:
        k, v = reader.read(queue)
        return _scalar_bytes(k), _scalar_bytes(v)

    return read


register_op("ReaderReadV2", inputs=["reader_handle: resource", "queue_handle: resource"],
            outputs=["key: string", "value: string"],
            shape=lambda op: [TensorShape([]), TensorShape([])], make_kernel=_read_kernel,
            stateful=True, doc="The next record (dequeues a file name when needed).")
register_op("ReaderReadUpToV2", inputs=["reader_handle: resource", "queue_handle: resource",
                                        "num_records: int64"],
            outputs=["keys: string", "values: string"],
            shape=lambda op: [TensorShape([None]), TensorShape([None])],
            make_kernel=lambda op, state: lambda r, q, n: r.read_up_to(q, int(n)),
            stateful=True, doc="Up to num_records records (fewer at the end of the input).")
register_op("ReaderNumRecordsProducedV2", inputs=["reader_handle: resource"],
            outputs=["records_produced: int64"], shape=shape_fns.scalar,
            make_kernel=lambda op, state: lambda r: np.int64(r.produced), stateful=True,
            doc="How many records the reader produced.")
register_op("ReaderNumWorkUnitsCompletedV2", inputs=["reader_handle: resource"],
            outputs=["units_completed: int64"], shape=shape_fns.scalar,
            make_kernel=lambda op, state: lambda r: np.int64(r.completed), stateful=True,
            doc="How many files the reader finished.")
register_op("ReaderResetV2", inputs=["reader_handle: resource"], shape=shape_fns.no_outputs,
            make_kernel=lambda op, state: lambda r: r.reset(), stateful=True,
            doc="Restarts the reader (counters and the current file).")
for _t in ("WholeFileReaderV2", "TextLineReaderV2", "FixedLengthRecordReaderV2", "ReaderReadV2",
           "ReaderReadUpToV2", "ReaderNumRecordsProducedV2", "ReaderNumWorkUnitsCompletedV2",
           "ReaderResetV2"):
    NotDifferentiable(_t)


class ReaderBase:
    """``tf.ReaderBase``: reads records of the files named in a queue of strings."""

    def __init__(self, reader_ref: Tensor, supports_serialize: bool = False) -> None:
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self) -> Tensor:
        return self._reader_ref

    @property
    def supports_serialize(self) -> bool:
        return self._supports_serialize

    def _op(self, op_type: str, inputs: list[Tensor], name: str | None) -> Operation:
        g = get_default_graph()
        with name_scope(name, op_type) as scope:
            return g._create_op_internal(op_type, [self._reader_ref, *inputs], {}, scope[:-1])

    def read(self, queue: Any, name: str | None = None) -> tuple[Tensor, Tensor]:
        """The next (key, value) record; takes a new file name from ``queue`` when the
        current file is done (OutOfRangeError once the queue is closed and empty)."""
        op = self._op("ReaderReadV2", [_queue_ref(queue)], name)
        return _ReadResult(op._outputs[0], op._outputs[1])

    def read_up_to(self, queue: Any, num_records: Any, name: str | None = None
                   ) -> tuple[Tensor, Tensor]:
        """Up to ``num_records`` (key, value) records as two vectors."""
        g = get_default_graph()
        with name_scope(name, "ReaderReadUpToV2") as scope:
            n = convert_to_tensor(num_records, dtype=dtypes.int64, name="num_records")
            op = g._create_op_internal("ReaderReadUpToV2",
                                       [self._reader_ref, _queue_ref(queue), n], {},
                                       scope[:-1])
        return _ReadUpToResult(op._outputs[0], op._outputs[1])

    def num_records_produced(self, name: str | None = None) -> Tensor:
        return self._op("ReaderNumRecordsProducedV2", [], name)._outputs[0]

    def num_work_units_completed(self, name: str | None = None) -> Tensor:
        return self._op("ReaderNumWorkUnitsCompletedV2", [], name)._outputs[0]

    def reset(self, name: str | None = None) -> Operation:
        return self._op("ReaderResetV2", [], name)


class _ReadResult(tuple):
    """``(key, value)`` with TF's field names."""

    def __new__(cls, key: Tensor, value: Tensor) -> _ReadResult:
        return super().__new__(cls, (key, value))

    key = property(lambda self: self[0])
    value = property(lambda self: self[1])


class _ReadUpToResult(tuple):
    def __new__(cls, keys: Tensor, values: Tensor) -> _ReadUpToResult:
        return super().__new__(cls, (keys, values))

    keys = property(lambda self: self[0])
    values = property(lambda self: self[1])


def _queue_ref(queue: Any) -> Tensor:
    return queue if isinstance(queue, Tensor) else queue.queue_ref


def _make_reader(op_type: str, default: str, name: str | None, attrs: dict[str, Any]) -> Tensor:
    g = get_default_graph()
    full = {"container": "", "shared_name": "", **attrs}
    return g._create_op_internal(op_type, [], full, g.unique_name(name or default))._outputs[0]


class WholeFileReader(ReaderBase):
    """``tf.WholeFileReader``: one record per file, (file name, contents)."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(_make_reader("WholeFileReaderV2", "WholeFileReaderV2", name, {}))


class TextLineReader(ReaderBase):
    """``tf.TextLineReader``: one record per line, keyed 'file:line'."""

    def __init__(self, skip_header_lines: int | None = None, name: str | None = None) -> None:
        super().__init__(_make_reader("TextLineReaderV2", "TextLineReaderV2", name,
                                      {"skip_header_lines": int(skip_header_lines or 0)}))


class FixedLengthRecordReader(ReaderBase):
    """``tf.FixedLengthRecordReader``: records of ``record_bytes`` between a header and a
    footer, keyed 'file:index'."""

    def __init__(self, record_bytes: int, header_bytes: int | None = None,
                 footer_bytes: int | None = None, hop_bytes: int | None = None,
                 name: str | None = None, encoding: str | None = None) -> None:
        super().__init__(_make_reader("FixedLengthRecordReaderV2", "FixedLengthRecordReaderV2",
                                      name, {"record_bytes": int(record_bytes),
                                             "header_bytes": int(header_bytes or 0),
                                             "footer_bytes": int(footer_bytes or 0),
                                             "hop_bytes": int(hop_bytes or 0),
                                             "encoding": encoding or ""}))
