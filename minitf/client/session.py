"""``tf.Session`` and ``tf.InteractiveSession``.

A run maps its fetches and feeds to a cached :class:`~minitf.runtime.plan.ExecutionPlan` keyed
by (fetches, feed keys); a cache hit costs a dict lookup, the feed checks and the plan's
generated function.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from minitf.client.composite_feed import expand_feed_keys, flatten_feeds
from minitf.framework import errors
from minitf.framework.graph import Graph, get_default_graph
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.runtime.executor import StepTiming, run_plan
from minitf.runtime.plan import ExecutionPlan, build_plan
from minitf.runtime.state import SessionState

__all__ = ["Session", "InteractiveSession", "get_default_session", "BaseSession"]

_PARALLEL_MIN_STEPS = 8


class _FeedSpec:
    """How to check and convert values fed to one tensor."""

    __slots__ = ("tensor", "np_dtype", "dims", "is_int", "is_string", "is_float")

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = tensor
        base = tensor.dtype.base_dtype
        self.np_dtype = np.dtype(base.as_numpy_dtype)
        self.dims = tensor.get_shape().as_tuple()
        self.is_int = base.is_integer
        self.is_float = base.is_floating
        self.is_string = base.name == "string"

    def convert(self, value: Any) -> Any:
        t = type(value)
        if t is np.ndarray and value.dtype == self.np_dtype:
            arr = value
        elif t is float and self.is_float:  # the common scalar feed: skip the generic checks
            arr = np.array(value, self.np_dtype)
        else:
            arr = self._slow_convert(value)
        dims = self.dims
        if dims is not None:
            shape = arr.shape
            if shape != dims and (len(shape) != len(dims) or any(
                    d is not None and d != s for d, s in zip(dims, shape))):
                raise ValueError(f"Cannot feed value of shape {shape!r} for Tensor "
                                 f"'{self.tensor.name}', which has shape "
                                 f"'{self.tensor.get_shape()}'")
        return arr

    def _slow_convert(self, value: Any) -> np.ndarray:
        if isinstance(value, (Tensor, Operation)) or hasattr(value, "_as_graph_element"):
            raise TypeError("The value of a feed cannot be a tf.Tensor object. Acceptable feed "
                            "values include Python scalars, strings, lists, numpy ndarrays, or "
                            f"TensorHandles. For reference, the tensor object was {value} which "
                            f"was passed to the feed with key {self.tensor}.")
        if self.is_int and isinstance(value, int) and not isinstance(value, bool):
            info = np.iinfo(self.np_dtype)
            if not info.min <= value <= info.max:
                raise TypeError(f"Type of feed value {value} with type {type(value)} is not "
                                f"compatible with Tensor type {self.np_dtype.type}. Try "
                                "explicitly setting the type of the feed tensor to a larger "
                                "type (e.g. int64).")
        if self.is_string:
            from minitf.framework.tensor_conversion import to_numpy

            return to_numpy(value)[0]
        try:
            return np.asarray(value, dtype=self.np_dtype)
        except (ValueError, TypeError, OverflowError) as e:
            raise ValueError(f"Cannot feed value {value!r} to Tensor '{self.tensor.name}' of "
                             f"dtype {self.tensor.dtype.base_dtype.name}: {e}") from None


class _RunSignature:
    """A cached run: its plan, how to convert feeds, how to rebuild fetch structures."""

    __slots__ = ("plan", "feed_specs", "mapper", "single", "mutation_version", "elem_index",
                 "composite_feeds")

    def __init__(self, plan: ExecutionPlan, feed_specs: list[_FeedSpec], mapper: Any,
                 single: bool, mutation_version: int, elem_index: list[int | None] | None,
                 composite_feeds: bool = False) -> None:
        self.plan = plan
        self.feed_specs = feed_specs
        self.composite_feeds = composite_feeds
        self.mapper = mapper
        self.single = single
        self.mutation_version = mutation_version
        self.elem_index = elem_index

    def results(self, values: list[Any]) -> Any:
        """Fetch values (plan order) → the caller's structure, scalars unwrapped, aliases
        copied."""
        copies = self.plan.copy_fetch
        if self.single:
            return _scalarize(values[0], copies[0])
        vals = [_scalarize(v, c) for v, c in zip(values, copies)]
        if self.elem_index is not None:
            vals = [None if i is None else vals[i] for i in self.elem_index]
        return self.mapper.build(vals)


def _scalarize(v: Any, copy: bool) -> Any:
    if type(v) is np.ndarray:
        if v.ndim == 0:
            return v[()]
        if copy:
            return v.copy()
    return v


class BaseSession:
    """Runs parts of one graph; owns the variable values and random streams of its runs."""

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None) -> None:
        if target:
            raise errors.UnimplementedError(
                None, None, f"minitf runs graphs in-process; the session target {target!r} "
                            "(a distributed runtime) is not supported. Use tf.Session().")
        if graph is not None and not isinstance(graph, Graph):
            raise TypeError(f"graph must be a tf.Graph, but got {type(graph)}")
        self._graph = graph if graph is not None else get_default_graph()
        self._config = config
        self._closed = False
        self._state = SessionState(self._config)
        self._cache: dict[Any, _RunSignature] = {}
        self._logged_placements: set[str] = set()
        self._lock = threading.Lock()
        threads = int(getattr(config, "inter_op_parallelism_threads", 0) or 0) if config else 0
        self._pool = ThreadPoolExecutor(max_workers=threads) if threads > 1 else None
        self._default_contexts: list[Any] = []
        if config is not None and getattr(config, "log_device_placement", False):
            import sys

            print("Device mapping: no known devices.", file=sys.stderr)

    # --- properties -----------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def graph_def(self) -> Any:
        return self._graph.as_graph_def()

    @property
    def sess_str(self) -> str:
        return ""

    def list_devices(self) -> list[Any]:
        from minitf.runtime.devices import available_devices

        return [_DeviceAttributes(d) for d in available_devices(self._config, want_gpu=True)]

    # --- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._cache.clear()
            self._state.cancel()  # blocked queue ops of other threads raise CancelledError
            self._state = SessionState(self._config)
            if self._pool is not None:
                self._pool.shutdown(wait=False)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    @contextlib.contextmanager
    def as_default(self) -> Iterator[BaseSession]:
        """Makes this the default session (for Tensor.eval / Operation.run) in a with-block."""
        stack = _session_stack()
        stack.append(self)
        try:
            with self._graph.as_default():
                yield self
        finally:
            if stack and stack[-1] is self:
                stack.pop()

    def __enter__(self) -> BaseSession:
        ctx = self.as_default()
        ctx.__enter__()
        self._default_contexts.append(ctx)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._default_contexts:
            self._default_contexts.pop().__exit__(exc_type, exc, tb)
        self.close()

    # --- running --------------------------------------------------------------------------
    def run(self, fetches: Any, feed_dict: dict[Any, Any] | None = None, options: Any = None,
            run_metadata: Any = None) -> Any:
        """Computes ``fetches`` (a tensor, op, name, or nested structure of them)."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if feed_dict:
            key = (fetches if type(fetches) in (Tensor, Operation) else _fetch_key(fetches),
                   tuple(feed_dict))
            feed_values = feed_dict.values()
        else:
            key = (fetches if type(fetches) in (Tensor, Operation) else _fetch_key(fetches), ())
            feed_values = ()
        sig = self._cache.get(key) if key[0] is not None else None
        if sig is None or sig.mutation_version != self._graph._mutation_version:
            sig = self._prepare(fetches, list(feed_dict) if feed_dict else [])
            if key[0] is not None:
                self._cache[key] = sig
        feeds = [spec.convert(v) for spec, v in zip(sig.feed_specs, feed_values)]
        if sig.composite_feeds:
            feeds = flatten_feeds(feeds, sig.feed_specs)
        trace_level = getattr(options, "trace_level", 0) if options is not None else 0
        trace: list[StepTiming] | None = [] if trace_level and run_metadata is not None else None
        plan = sig.plan
        pool = self._pool if len(plan.steps) >= _PARALLEL_MIN_STEPS else None
        if pool is not None and _has_blocking_ops(plan):
            pool = None  # a queue op blocked on a pool thread could starve the other runs
        timeout = getattr(options, "timeout_in_ms", 0) if options is not None else 0
        if timeout:  # a deadline for blocking queue ops (the config's operation timeout is
            # applied by the queues themselves)
            values = self._run_with_deadline(plan, feeds, trace, pool, timeout)
        else:
            values = run_plan(plan, feeds, trace, pool)
        if trace is not None:
            from minitf.client.step_stats import fill_step_stats

            fill_step_stats(run_metadata, trace)
        return sig.results(values)

    def _run_with_deadline(self, plan: ExecutionPlan, feeds: list[Any], trace: Any,
                           pool: Any, timeout_ms: int) -> list[Any]:
        """Runs with a deadline for blocking ops (queues): DeadlineExceededError after it."""
        from minitf.ops.queue_runtime import set_run_deadline

        old = set_run_deadline(time.monotonic() + timeout_ms / 1000.0)
        try:
            return run_plan(plan, feeds, trace, pool)
        finally:
            set_run_deadline(old)

    def _prepare(self, fetches: Any, feed_keys: list[Any]) -> _RunSignature:
        from minitf.client.fetch_mapper import FetchMapper

        with self._lock:
            specs, feed_tensors, composite = expand_feed_keys(feed_keys, self._feed_tensor,
                                                              _FeedSpec)
            single = isinstance(fetches, Tensor)
            if single:
                self._graph.as_graph_element(fetches)
                if not self._graph.is_fetchable(fetches):
                    raise ValueError(f"Operation {fetches.op.name!r} has been marked as not "
                                     "fetchable.")
                mapper = None
                elements: list[Any] = [fetches]
            else:
                mapper = FetchMapper(self._graph, fetches)
                elements = mapper.elements
            tensors = [e for e in elements if isinstance(e, Tensor)]
            targets = [e for e in elements if isinstance(e, Operation)]
            plan = build_plan(tensors, targets, feed_tensors, self._state, self._config,
                              self._graph.version, self._logged_placements)
            elem_index = None
            if targets:
                positions = {id(t): i for i, t in enumerate(tensors)}
                elem_index = [positions.get(id(e)) for e in elements]
            return _RunSignature(plan, specs, mapper, single, self._graph._mutation_version,
                                 elem_index, composite)

    def _feed_tensor(self, key: Any) -> Tensor:
        try:
            t = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (TypeError, ValueError, KeyError) as e:
            msg = e.args[0] if e.args else str(e)
            raise TypeError(f"Cannot interpret feed_dict key as Tensor: {msg}") from None
        if not self._graph.is_feedable(t):
            raise ValueError(f"Tensor {t} may not be fed.")
        return t

    def make_callable(self, fetches: Any, feed_list: list[Any] | None = None,
                      accept_options: bool = False) -> Any:
        """A function running ``fetches`` with positional feed values for ``feed_list``."""
        feed_list = list(feed_list or [])
        sig = self._prepare(fetches, feed_list)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self._closed:
                raise RuntimeError("Attempted to use a closed Session.")
            if len(args) != len(feed_list):
                raise ValueError(f"Expected {len(feed_list)} feed values, got {len(args)}")
            feeds = [spec.convert(v) for spec, v in zip(sig.feed_specs, args)]
            if sig.composite_feeds:
                feeds = flatten_feeds(feeds, sig.feed_specs)
            return sig.results(run_plan(sig.plan, feeds))

        return call

    def partial_run_setup(self, fetches: Any, feeds: Any = None) -> Any:
        raise errors.UnimplementedError(None, None, "partial_run is not supported by minitf")

    def partial_run(self, handle: Any, fetches: Any, feed_dict: Any = None) -> Any:
        raise errors.UnimplementedError(None, None, "partial_run is not supported by minitf")


def _has_blocking_ops(plan: ExecutionPlan) -> bool:
    """Whether the plan has ops that may block (queues, readers); cached on the plan."""
    flag = getattr(plan, "_blocking", None)
    if flag is None:
        from minitf.ops.queue_runtime import BLOCKING_OP_TYPES

        flag = any(op.type in BLOCKING_OP_TYPES for step in plan.steps for op in step.ops)
        plan._blocking = flag  # type: ignore[attr-defined]
    return flag


def _fetch_key(fetches: Any) -> Any:
    """A hashable key for a fetch structure; None when it cannot be cached cheaply."""
    t = type(fetches)
    if t is list or t is tuple:
        for f in fetches:
            if type(f) not in (Tensor, Operation, str):
                return None
        return (t, *fetches)
    if t is str:
        return fetches
    if t is dict:
        for f in fetches.values():
            if type(f) not in (Tensor, Operation, str):
                return None
        return (dict, *fetches.items())
    return None


class _DeviceAttributes:
    def __init__(self, name: str) -> None:
        self.name = name
        self.device_type = name.rsplit("device:", 1)[-1].split(":")[0]
        self.memory_limit_bytes = 0
        self.incarnation = 0

    def __repr__(self) -> str:
        return f"_DeviceAttributes({self.name}, {self.device_type}, {self.memory_limit_bytes})"


class Session(BaseSession):
    """``tf.Session``: use as a with-block, or call close() when done."""


class InteractiveSession(BaseSession):
    """A Session that installs itself (and its graph) as the default on construction."""

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None) -> None:
        super().__init__(target, graph, config)
        self._ctx = self.as_default()
        self._ctx.__enter__()

    def close(self) -> None:
        ctx = getattr(self, "_ctx", None)
        if ctx is not None:
            self._ctx = None
            try:
                ctx.__exit__(None, None, None)
            except (IndexError, ValueError, RuntimeError):
                pass
        super().close()


# --- default session ------------------------------------------------------------------------------

_thread_state = threading.local()


def _session_stack() -> list[BaseSession]:
    stack = getattr(_thread_state, "stack", None)
    if stack is None:
        stack = _thread_state.stack = []
    return stack


def _reset_default_session_stack() -> None:
    _thread_state.stack = []


def get_default_session() -> BaseSession | None:
    """The innermost session made default by ``with sess.as_default()`` or a with-block."""
    stack = _session_stack()
    return stack[-1] if stack else None


def _run_using_default_session(element: Any, feed_dict: Any, graph: Graph,
                               session: BaseSession | None) -> Any:
    is_op = isinstance(element, Operation)
    if session is None:
        session = get_default_session()
        if session is None:
            if is_op:
                raise ValueError("Cannot execute operation using `run()`: No default session is "
                                 "registered. Use `with sess.as_default():` or pass an explicit "
                                 "session to `run(session=sess)`")
            raise ValueError("Cannot evaluate tensor using `eval()`: No default session is "
                             "registered. Use `with sess.as_default()` or pass an explicit "
                             "session to `eval(session=sess)`")
    if session.graph is not graph:
        if is_op:
            raise ValueError("Cannot use the given session to execute operation: the "
                             "operation's graph is different from the session's graph.")
        raise ValueError("Cannot use the given session to evaluate tensor: the tensor's graph "
                         "is different from the session's graph.")
    return session.run(element, feed_dict)
