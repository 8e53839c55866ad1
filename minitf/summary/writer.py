"""Event files in TensorBoard's format: ``tf.summary.FileWriter``, its background writer thread,
``tf.summary.FileWriterCache`` and ``summary_iterator``.

An event file is a TFRecord file of ``Event`` protos whose first record says
``file_version: "brain.Event:2"``; it is named ``events.out.tfevents.<seconds>.<hostname>``
(plus an optional suffix). Events are queued (``max_queue``), serialized and framed by a
daemon thread, and written to disk as whole records every ``flush_secs`` seconds or on
``flush()``/``close()``: between writes the file holds whole records only.
"""

from __future__ import annotations

import atexit
import os
import queue
import socket
import threading
import time
import warnings
import weakref
from collections.abc import Iterator
from typing import Any

from minitf.framework import record_io

__all__ = ["EventFileWriter", "FileWriter", "FileWriterCache", "summary_iterator"]

_FILE_VERSION = "brain.Event:2"
_WRITER_NAME = "minitf.summary.FileWriter"
_LIVE_WRITERS: weakref.WeakSet[EventFileWriter] = weakref.WeakSet()
_EARLY_WRITE_BYTES = 1 << 20  # hand pending records to the OS once this much is buffered


class EventFileWriter:
    """Writes ``Event`` protos to one event file in ``logdir`` from a background thread."""

    def __init__(self, logdir: str, max_queue: int = 10, flush_secs: float = 120,
                 filename_suffix: str | None = None) -> None:
        self._logdir = str(logdir)
        os.makedirs(self._logdir, exist_ok=True)
        self._max_queue = max(int(max_queue), 1)
        self._flush_secs = float(flush_secs)
        now = time.time()
        self._records = self._create_file(int(now), filename_suffix or "")
        first = _event_class()(wall_time=float(int(now)), file_version=_FILE_VERSION)
        first.source_metadata.writer = _WRITER_NAME
        self._records.write(first.SerializeToString())
        self._records.flush()
        self._closed = False
        self._lock = threading.Lock()
        self._failure: BaseException | None = None
        self._start_thread()
        _LIVE_WRITERS.add(self)

    def _create_file(self, seconds: int, suffix: str) -> record_io.RecordWriter:
        base = f"events.out.tfevents.{seconds:010d}.{socket.gethostname()}"
        for attempt in range(1000):
            extra = "" if attempt == 0 else f".{attempt}"
            path = os.path.join(self._logdir, base + extra + suffix)
            try:
                return record_io.RecordWriter(path, "xb")
            except FileExistsError:
                continue
        raise FileExistsError(f"could not create a new event file named {base}* in "
                              f"{self._logdir}")

    def _start_thread(self) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(self._max_queue)
        self._thread = threading.Thread(target=self._run, name="minitf-EventFileWriter",
                                        daemon=True)
        self._thread.start()

    # --- the writer thread ------------------------------------------------------------------
    def _run(self) -> None:
        next_flush = time.monotonic() + self._flush_secs
        try:
            while True:
                timeout = max(next_flush - time.monotonic(), 0.0)
                try:
                    item = self._queue.get(timeout=timeout)
                except queue.Empty:
                    self._records.flush()
                    next_flush = time.monotonic() + self._flush_secs
                    continue
                if isinstance(item, bytes):
                    self._records.write(item)
                    if self._records.pending_bytes >= _EARLY_WRITE_BYTES:
                        self._records.flush()
                    if time.monotonic() >= next_flush:
                        self._records.flush()
                        next_flush = time.monotonic() + self._flush_secs
                    continue
                kind, done = item
                self._records.flush()
                next_flush = time.monotonic() + self._flush_secs
                done.set()
                if kind == "close":
                    return
        except BaseException as e:  # noqa: BLE001 - reported to the caller thread
            self._failure = e
            while True:  # release waiters
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(item, tuple):
                    item[1].set()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _put(self, item: Any) -> None:
        self._raise_failure()
        while True:
            if not self._thread.is_alive():
                self._raise_failure()
                raise RuntimeError(f"event writer thread for {self._records.path} stopped")
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _request(self, kind: str) -> None:
        done = threading.Event()
        self._put((kind, done))
        while not done.wait(0.5):
            if not self._thread.is_alive():
                break
        self._raise_failure()

    # --- public API -----------------------------------------------------------------------------
    def get_logdir(self) -> str:
        return self._logdir

    @property
    def path(self) -> str:
        """The event file being written."""
        return self._records.path

    def add_event(self, event: Any) -> None:
        """Queues an Event proto (or its serialization) for writing."""
        if self._closed:
            return
        data = event if isinstance(event, bytes) else event.SerializeToString()
        self._put(data)

    def flush(self) -> None:
        """Writes every queued event to disk."""
        with self._lock:
            if not self._closed:
                self._request("flush")

    def close(self) -> None:
        """Flushes and closes the file; further events are dropped until :meth:`reopen`."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._request("close")
                self._thread.join()
            finally:
                self._records.close()

    def reopen(self) -> None:
        """Starts writing again after :meth:`close`, appending to the same file."""
        with self._lock:
            if not self._closed:
                return
            self._records = record_io.RecordWriter(self._records.path, "ab")
            self._closed = False
            self._start_thread()


def _event_class() -> Any:
    from minitf.framework.proto import Event

    return Event


@atexit.register
def _flush_live_writers() -> None:
    for w in list(_LIVE_WRITERS):
        try:
            w.close()
        except Exception:  # noqa: BLE001 - best effort at interpreter exit
            pass


class FileWriter:
    """Writes summaries, graphs and run metadata to an event file (``tf.summary.FileWriter``).

    ``FileWriter(logdir, graph)`` writes the graph (with ``_output_shapes``, so TensorBoard
    labels edges with shapes) and a MetaGraphDef right away. ``session`` is accepted for
    compatibility; events are always written by this process's writer thread.
    """

    def __init__(self, logdir: str, graph: Any = None, max_queue: int = 10,
                 flush_secs: float = 120, graph_def: Any = None,
                 filename_suffix: str | None = None, session: Any = None) -> None:
        self.event_writer = EventFileWriter(logdir, max_queue, flush_secs, filename_suffix)
        self._closed = False
        self._seen_summary_tags: set[str] = set()
        self._session_run_tags: dict[str, bool] = {}
        if graph is not None or graph_def is not None:
            self.add_graph(graph=graph, graph_def=graph_def)
            from minitf.framework.graph import Graph

            gd = graph.as_graph_def(add_shapes=True) if isinstance(graph, Graph) \
                else (graph_def if graph_def is not None else graph)
            self.add_meta_graph(_meta_graph_for(gd))

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def get_logdir(self) -> str:
        return self.event_writer.get_logdir()

    def _warn_if_closed(self) -> None:
        if self._closed:
            warnings.warn("Attempting to use a closed FileWriter. The operation will be a noop "
                          "unless the FileWriter is explicitly reopened.", stacklevel=3)

    def _add_event(self, event: Any, step: int | None) -> None:
        self._warn_if_closed()
        event.wall_time = time.time()
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_event(self, event: Any) -> None:
        """Adds an Event proto as it is."""
        self._warn_if_closed()
        self.event_writer.add_event(event)

    def add_summary(self, summary: Any, global_step: int | None = None) -> None:
        """Adds a Summary proto or its serialization (what ``sess.run(summary_op)`` returns).

        As TF does, plugin metadata is kept only on the first value with a given tag."""
        from minitf.framework.proto import Summary

        if isinstance(summary, (bytes, bytearray)):
            summary = Summary.FromString(bytes(summary))
        elif hasattr(summary, "item") and not isinstance(summary, Summary):
            summary = Summary.FromString(summary.item())  # a numpy object scalar
        elif not isinstance(summary, Summary):
            raise TypeError(f"add_summary expects a Summary proto or bytes, got "
                            f"{type(summary).__name__}")
        else:
            summary = summary.__deepcopy__()
        for value in summary.value:
            if not value.HasField("metadata"):
                continue
            if value.tag in self._seen_summary_tags:
                value.ClearField("metadata")
                continue
            self._seen_summary_tags.add(value.tag)
        self._add_event(_event_class()(summary=summary), global_step)

    def add_session_log(self, session_log: Any, global_step: int | None = None) -> None:
        """Adds a SessionLog (START/STOP/CHECKPOINT) event."""
        self._add_event(_event_class()(session_log=session_log), global_step)

    def add_graph(self, graph: Any, global_step: int | None = None, graph_def: Any = None) -> None:
        """Adds a Graph (serialized with ``_output_shapes``) or a GraphDef."""
        from minitf.framework.graph import Graph
        from minitf.framework.proto import GraphDef

        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        if isinstance(graph, Graph) or isinstance(graph_def, Graph):
            g = graph if isinstance(graph, Graph) else graph_def
            true_graph_def = g.as_graph_def(add_shapes=True)
        elif isinstance(graph, GraphDef) or isinstance(graph_def, GraphDef):
            true_graph_def = graph if isinstance(graph, GraphDef) else graph_def
        else:
            raise TypeError("The passed graph must be an instance of `Graph` or the deprecated "
                            "`GraphDef`")
        self._add_event(_event_class()(graph_def=true_graph_def.SerializeToString()),
                        global_step)

    def add_meta_graph(self, meta_graph_def: Any, global_step: int | None = None) -> None:
        """Adds a MetaGraphDef."""
        from minitf.framework.proto import MetaGraphDef

        if not isinstance(meta_graph_def, MetaGraphDef):
            raise TypeError("meta_graph_def must be type MetaGraphDef, saw type: "
                            f"{type(meta_graph_def)}")
        self._add_event(_event_class()(meta_graph_def=meta_graph_def.SerializeToString()),
                        global_step)

    def add_run_metadata(self, run_metadata: Any, tag: str,
                         global_step: int | None = None) -> None:
        """Adds the RunMetadata of a traced run under ``tag`` (TensorBoard's "Session runs")."""
        from minitf.framework.proto import TaggedRunMetadata

        if tag in self._session_run_tags:
            raise ValueError("The provided tag was already used for this event type")
        self._session_run_tags[tag] = True
        tagged = TaggedRunMetadata(tag=tag, run_metadata=run_metadata.SerializeToString())
        self._add_event(_event_class()(tagged_run_metadata=tagged), global_step)

    def flush(self) -> None:
        """Writes all pending events to disk."""
        self._warn_if_closed()
        self.event_writer.flush()

    def close(self) -> None:
        """Flushes and closes the event file."""
        self.event_writer.close()
        self._closed = True

    def reopen(self) -> None:
        """Reopens a closed writer (appending to its event file)."""
        self.event_writer.reopen()
        self._closed = False


def _meta_graph_for(graph_def: Any) -> Any:
    from minitf.framework.proto import MetaGraphDef

    try:
        from minitf import __version__ as version
    except ImportError:  # pragma: no cover - partial installs
        version = "unknown"
    mgd = MetaGraphDef()
    mgd.meta_info_def.tensorflow_version = f"minitf {version}"
    mgd.graph_def.CopyFrom(graph_def)
    return mgd


class FileWriterCache:
    """One shared FileWriter per logdir (``tf.summary.FileWriterCache``)."""

    _cache: dict[str, FileWriter] = {}
    _lock = threading.RLock()

    @staticmethod
    def clear() -> None:
        """Closes and forgets every cached writer."""
        with FileWriterCache._lock:
            for item in FileWriterCache._cache.values():
                item.close()
            FileWriterCache._cache = {}

    @staticmethod
    def get(logdir: str) -> FileWriter:
        """The cached writer for ``logdir`` (created with the default graph)."""
        from minitf.framework.graph import get_default_graph

        with FileWriterCache._lock:
            if logdir not in FileWriterCache._cache:
                FileWriterCache._cache[logdir] = FileWriter(logdir, graph=get_default_graph())
            return FileWriterCache._cache[logdir]


def summary_iterator(path: str | os.PathLike[str]) -> Iterator[Any]:
    """Yields the Event protos of an event file (``tf.train.summary_iterator``).

    A truncated or corrupted record raises ``minitf.errors.DataLossError`` naming the file and
    byte offset."""
    from minitf.framework import errors
    from minitf.framework.proto import DecodeError, Event

    offset = 0
    for data in record_io.iter_records(path):
        try:
            yield Event.FromString(data)
        except DecodeError as e:
            raise errors.DataLossError(None, None, f"record at offset {offset} in "
                                                   f"{os.fspath(path)} is not an Event: {e}") \
                from None
        offset += len(data) + 16
