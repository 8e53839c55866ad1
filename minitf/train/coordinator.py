"""``tf.train.Coordinator``: lets threads ask each other to stop and re-raises the first
exception one of them reported."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

from minitf.framework import errors

__all__ = ["Coordinator", "LooperThread"]


class Coordinator:
    """A stop flag shared by threads, with the first (non-clean) exception reported."""

    def __init__(self, clean_stop_exception_types: Iterable[type] | None = None) -> None:
        if clean_stop_exception_types is None:
            clean_stop_exception_types = (errors.OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exception: BaseException | None = None
        self._joined = False
        self._registered_threads: set[threading.Thread] = set()

    def _filter_exception(self, ex: Any) -> BaseException | None:
        if isinstance(ex, tuple):
            ex = ex[1]
        if ex is not None and not isinstance(ex, BaseException):
            raise TypeError(f"ex must be an exception or sys.exc_info(), got {ex!r}")
        if isinstance(ex, self._clean_stop_exception_types):
            return None
        return ex

    def request_stop(self, ex: Any = None) -> None:
        """Asks the threads to stop; ``ex`` (an exception or ``sys.exc_info()``) is re-raised
        by join() unless it is a clean-stop type (OutOfRangeError by default)."""
        with self._lock:
            ex = self._filter_exception(ex)
            if self._joined and ex is not None:
                raise ex
            if not self._stop_event.is_set():
                if ex is not None and self._exception is None:
                    self._exception = ex
                self._stop_event.set()

    def clear_stop(self) -> None:
        """Clears the stop flag (and the recorded exception) so the coordinator can be reused."""
        with self._lock:
            self._joined = False
            self._exception = None
            self._stop_event.clear()

    def should_stop(self) -> bool:
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self) -> Iterator[None]:
        """A with-block that reports an exception raised in it with request_stop()."""
        try:
            yield
        except:  # noqa: E722 - as TF: any exception stops the coordinator
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout: float | None = None) -> bool:
        return self._stop_event.wait(timeout)

    def register_thread(self, thread: threading.Thread) -> None:
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads: Iterable[threading.Thread] | None = None,
             stop_grace_period_secs: float = 120, ignore_live_threads: bool = False) -> None:
        """Waits until the threads end or a stop is requested (then at most the grace period
        more); re-raises the reported exception, or RuntimeError naming stragglers."""
        with self._lock:
            all_threads = set(self._registered_threads)
            if threads is not None:
                all_threads |= set(threads)
        ts = list(all_threads)
        while any(t.is_alive() for t in ts) and not self.wait_for_stop(1.0):
            pass
        deadline = time.monotonic() + stop_grace_period_secs
        for t in ts:
            t.join(max(0.0, deadline - time.monotonic()))
        stragglers = [t.name for t in ts if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            if self._exception is not None:
                raise self._exception
            if stragglers and not ignore_live_threads:
                raise RuntimeError("Coordinator stopped with threads still running: "
                                   + " ".join(stragglers))

    @property
    def joined(self) -> bool:
        return self._joined

    def raise_requested_exception(self) -> None:
        with self._lock:
            if self._exception is not None:
                raise self._exception

    def loop(self, timer_interval_secs: float, target: Any, args: Any = None,
             kwargs: Any = None) -> LooperThread:
        """Starts a thread calling ``target`` every ``timer_interval_secs`` until stopped."""
        looper = LooperThread(self, timer_interval_secs, target=target, args=args,
                              kwargs=kwargs)
        looper.start()
        return looper


class LooperThread(threading.Thread):
    """A thread that calls a function periodically until its coordinator stops."""

    def __init__(self, coord: Coordinator, timer_interval_secs: float | None,
                 target: Any = None, args: Any = None, kwargs: Any = None) -> None:
        super().__init__()
        self.daemon = True
        self._coord = coord
        self._timer_interval_secs = timer_interval_secs
        self._target_fn = target
        self._args = args or ()
        self._kwargs = kwargs or {}
        coord.register_thread(self)

    def run(self) -> None:
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                self.run_loop()
            else:
                while not self._coord.wait_for_stop(self._timer_interval_secs):
                    self.run_loop()
            self.stop_loop()

    def start_loop(self) -> None:
        """Called once before the loop."""

    def stop_loop(self) -> None:
        """Called once after the loop."""

    def run_loop(self) -> None:
        if self._target_fn is not None:
            self._target_fn(*self._args, **self._kwargs)
