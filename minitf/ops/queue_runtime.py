"""The run-time side of TF 1.x queues: one :class:`QueueResource` per queue op per session
(``SessionState.resource``), guarded by a condition variable so that ops of several threads'
``sess.run`` calls block on each other (dequeue on empty, enqueue on full) as in TF.

A blocked op wakes up on every change of the queue, on ``close`` and on ``cancel`` (the
session closes: CancelledError); a run deadline (``RunOptions.timeout_in_ms``,
``ConfigProto.operation_timeout_in_ms``) raises DeadlineExceededError.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Any

import numpy as np

from minitf.framework import errors

__all__ = ["QueueResource", "run_deadline", "set_run_deadline", "BLOCKING_OP_TYPES"]

# Ops that may wait on another thread: the session runs plans with them on the calling thread.
BLOCKING_OP_TYPES = frozenset({
    "QueueEnqueueV2", "QueueEnqueueManyV2", "QueueDequeueV2", "QueueDequeueManyV2",
    "QueueDequeueUpToV2", "ReaderReadV2", "ReaderReadUpToV2"})

_run_local = threading.local()


def set_run_deadline(deadline: float | None) -> float | None:
    """Sets this thread's run deadline (time.monotonic() seconds); returns the previous one."""
    old = getattr(_run_local, "deadline", None)
    _run_local.deadline = deadline
    return old


def run_deadline() -> float | None:
    return getattr(_run_local, "deadline", None)


def _shape_str(shape: Any) -> str:
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


class QueueResource:
    """A bounded queue of tuples of numpy arrays (FIFO, random-shuffle or padding FIFO)."""

    def __init__(self, name: str, kind: str, dtypes: list[Any], shapes: list[Any],
                 capacity: int, min_after_dequeue: int = 0,
                 rng: np.random.Generator | None = None, timeout_ms: int = 0) -> None:
        self.name = name
        self.kind = kind  # "FIFOQueue", "RandomShuffleQueue" or "PaddingFIFOQueue"
        self.dtypes = dtypes
        self.shapes = shapes  # tuples of dims (None: unknown), or [] when unspecified
        self.capacity = capacity if capacity >= 0 else 2**62
        self.min_after_dequeue = min_after_dequeue
        self.rng = rng
        self.timeout_ms = timeout_ms
        self.items: Any = collections.deque() if rng is None else []
        self.closed = False
        self.cancelled = False
        self.cond = threading.Condition()

    # --- waiting ----------------------------------------------------------------------------
    def _wait(self, ready: Any, what: str) -> None:
        """Waits (holding ``cond``) until ``ready()``; raises when cancelled or past the run's
        deadline."""
        deadline = run_deadline()
        if deadline is None and self.timeout_ms > 0:
            deadline = time.monotonic() + self.timeout_ms / 1000.0
        while not ready():
            if self.cancelled:
                raise errors.CancelledError(None, None, f"{what} operation was cancelled")
            if deadline is None:
                self.cond.wait()
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise errors.DeadlineExceededError(
                        None, None, "Timed out waiting for notification")
                self.cond.wait(left)
        if self.cancelled:
            raise errors.CancelledError(None, None, f"{what} operation was cancelled")

    def cancel(self) -> None:
        """The session closed: every blocked op raises CancelledError."""
        with self.cond:
            self.cancelled = True
            self.cond.notify_all()

    def close(self, cancel_pending_enqueues: bool) -> None:
        with self.cond:
            if self.closed and not cancel_pending_enqueues:
                raise errors.CancelledError(None, None,
                                            f"Queue '{self.name}' is already closed.")
            self.closed = True
            self.cond.notify_all()

    def size(self) -> int:
        return len(self.items)

    # --- checks -----------------------------------------------------------------------------
    def _check(self, comps: list[np.ndarray], many: bool) -> None:
        if len(comps) != len(self.dtypes):
            raise errors.InvalidArgumentError(
                None, None, f"Wrong number of components in tuple. Expected "
                            f"{len(self.dtypes)}, got {len(comps)}")
        for i, c in enumerate(comps):
            shape = c.shape[1:] if many else c.shape
            if many and c.ndim == 0:
                raise errors.InvalidArgumentError(
                    None, None, f"Expected batched tuple component {i} to have rank >= 1")
            if self.shapes and not _compatible(self.shapes[i], shape):
                raise errors.InvalidArgumentError(
                    None, None, f"Shape mismatch in tuple component {i}. Expected "
                                f"{_shape_str(self.shapes[i])}, got {_shape_str(shape)}")
        if many and len({c.shape[0] for c in comps}) > 1:
            raise errors.InvalidArgumentError(
                None, None, "Batched tuple components must have the same size in dimension 0")

    # --- enqueue ----------------------------------------------------------------------------
    def enqueue(self, comps: list[np.ndarray]) -> None:
        self._check(comps, many=False)
        self._put([tuple(np.array(c, copy=True) for c in comps)])

    def enqueue_many(self, comps: list[np.ndarray]) -> None:
        self._check(comps, many=True)
        n = comps[0].shape[0] if comps else 0
        self._put([tuple(np.array(c[i], copy=True) for c in comps) for i in range(n)])

    def _put(self, elements: list[tuple[np.ndarray, ...]]) -> None:
        with self.cond:
            for element in elements:
                if not self.closed:
                    self._wait(lambda: self.closed or len(self.items) < self.capacity,
                               "Enqueue")
                if self.closed:
                    raise errors.CancelledError(None, None,
                                                f"{self.kind} '{self.name}' is closed.")
                self.items.append(element)
                self.cond.notify_all()

    # --- dequeue ----------------------------------------------------------------------------
    def dequeue(self) -> tuple[np.ndarray, ...]:
        with self.cond:
            self._wait(lambda: self.closed or len(self.items) > self.min_after_dequeue,
                       "Dequeue")
            if not self.items:
                raise self._insufficient(1)
            element = self._take_one()
            self.cond.notify_all()
            return element

    def dequeue_many(self, n: int, up_to: bool) -> tuple[np.ndarray, ...]:
        if n < 0:
            raise errors.InvalidArgumentError(None, None,
                                              f"DequeueMany requested {n} < 0 elements")
        if self.kind == "FIFOQueue" and not self.shapes:
            raise errors.InvalidArgumentError(
                None, None, "FIFOQueue's DequeueMany and DequeueUpTo require the components "
                            "to have specified shapes.")
        if self.kind == "RandomShuffleQueue" and not self.shapes:
            raise errors.InvalidArgumentError(
                None, None, "RandomShuffleQueue's DequeueMany and DequeueUpTo require the "
                            "components to have specified shapes.")
        taken: list[tuple[np.ndarray, ...]] = []
        with self.cond:
            # take elements as they come (n may exceed the capacity), as TF does
            while len(taken) < n:
                self._wait(lambda: self.closed or len(self.items) > self.min_after_dequeue,
                           "Dequeue")
                while len(taken) < n and len(self.items) > self.min_after_dequeue:
                    taken.append(self._take_one())
                self.cond.notify_all()
                if len(taken) < n and self.closed:
                    need = n - len(taken)
                    if len(self.items) >= need:  # closed: min_after_dequeue no longer holds
                        taken.extend(self._take_one() for _ in range(need))
                        break
                    self._restore(taken)
                    if not up_to or not self.items:
                        raise self._insufficient(n)
                    taken = [self._take_one() for _ in range(len(self.items))]
                    break
        return self._stack(taken)

    def _restore(self, taken: list[tuple[np.ndarray, ...]]) -> None:
        """Puts elements of a failed dequeue_many back (at the front of a FIFO queue)."""
        if self.rng is None:
            self.items.extendleft(reversed(taken))
        else:
            self.items.extend(taken)

    def _take_one(self) -> tuple[np.ndarray, ...]:
        if self.rng is None:
            return self.items.popleft()
        i = int(self.rng.integers(len(self.items)))
        items = self.items
        items[i], items[-1] = items[-1], items[i]
        return items.pop()

    def _insufficient(self, n: int) -> errors.OpError:
        return errors.OutOfRangeError(
            None, None, f"{self.kind} '{self.name}' is closed and has insufficient elements "
                        f"(requested {n}, current size {len(self.items)})")

    def _stack(self, elements: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
        out = []
        for i, dtype in enumerate(self.dtypes):
            np_dtype = np.dtype(dtype.as_numpy_dtype)
            parts = [e[i] for e in elements]
            if not parts:
                dims = tuple(0 if d is None else d for d in self.shapes[i])
                out.append(np.zeros((0, *dims), np_dtype))
                continue
            if self.kind == "PaddingFIFOQueue":
                parts = _pad(parts, np_dtype)
            out.append(np.stack(parts).astype(np_dtype, copy=False))
        return tuple(out)


def _compatible(want: Any, got: tuple[int, ...]) -> bool:
    return len(want) == len(got) and all(w is None or w == g for w, g in zip(want, got))


def _pad(parts: list[np.ndarray], np_dtype: np.dtype) -> list[np.ndarray]:
    """Pads arrays of one rank to their largest shape (zeros; b"" for strings)."""
    target = tuple(max(p.shape[d] for p in parts) for d in range(parts[0].ndim))
    fill: Any = b"" if np_dtype == np.object_ else 0
    out = []
    for p in parts:
        if p.shape == target:
            out.append(p)
            continue
        q = np.full(target, fill, dtype=np_dtype)
        q[tuple(slice(0, s) for s in p.shape)] = p
        out.append(q)
    return out
