"""Dataset ops: each outputs a ``variant`` scalar whose run-time value is a
:class:`~minitf.data.values.DatasetValue` (TF's op types and input names).

Every dataset op is stateful: it makes a new dataset value each time it runs (each iterator
initialization), so placeholders, captured values and seeds are read then, and constant
folding never shares a value (and its cache) between runs.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.data import values as V
from minitf.data.functions import FN_ATTRS, FN_NAME_ATTRS, function_runner
from minitf.framework import errors
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.operation import Operation
from minitf.ops import shape_fns

__all__ = ["register_generator", "STRUCTURE_ATTRS"]

STRUCTURE_ATTRS = ["output_types: list(type) = []", "output_shapes: list(shape) = []"]
_OUT = ["handle: variant"]


def _register(op_type: str, inputs: list[str], make_kernel: Callable[[Any, Any], Any],
              attrs: list[str] | None = None, doc: str = "", **extra: Any) -> None:
    if any("Toutput_types" in i for i in inputs):
        attrs = ["Toutput_types: list(type)"] + (attrs or [])
    register_op(op_type, inputs=inputs, outputs=_OUT, attrs=STRUCTURE_ATTRS + (attrs or []),
                shape=shape_fns.scalar, make_kernel=make_kernel, stateful=True, doc=doc, **extra)
    NotDifferentiable(op_type)


def _simple(make: Callable[..., V.DatasetValue]) -> Callable[[Any, Any], Any]:
    """A kernel factory whose kernel is ``make(*inputs)``."""
    def factory(op: Operation, state: Any) -> Any:
        del op, state
        return make

    return factory


# --- sources -------------------------------------------------------------------------------------

_register("TensorDataset", ["components: Toutput_types"],
          _simple(lambda *c: V.TensorValue(c)),
          doc="from_tensors: a dataset of one element.")
_register("TensorSliceDataset", ["components: Toutput_types"],
          _simple(lambda *c: V.SliceValue(c)),
          doc="from_tensor_slices: the slices of the components along their first dimension.")
_register("RangeDataset", ["start: int64", "stop: int64", "step: int64"],
          _simple(lambda a, b, c: V.RangeValue(int(a), int(b), int(c))),
          doc="Dataset.range: int64 scalars as Python's range.")

_GENERATORS: dict[str, tuple[Callable[..., Any], Callable[[Any], Any]]] = {}
_COUNTER = itertools.count()
_LOCK = threading.Lock()


def register_generator(make: Callable[..., Any], convert: Callable[[Any], Any]) -> str:
    """Keeps a from_generator callable in this process; returns the token naming it."""
    with _LOCK:
        token = f"generator_{next(_COUNTER)}"
        _GENERATORS[token] = (make, convert)
    return token


def _generator_kernel(op: Operation, state: Any) -> Any:
    del state
    token = op._attrs["token"]

    def generator_dataset(*args: Any) -> V.GeneratorValue:
        entry = _GENERATORS.get(token)
        if entry is None:
            raise errors.InvalidArgumentError(
                None, op, f"The generator of {op.name} ({token}) is not registered in this "
                          "process.")
        return V.GeneratorValue(entry[0], entry[1], args)

    return generator_dataset


_register("GeneratorDataset", ["args: Targs"], _generator_kernel,
          ["token: string", "Targs: list(type) = []"],
          doc="from_generator: calls a Python generator registered in this process (TF builds "
              "this from FlatMapDataset and PyFunc).")


# --- combining ---------------------------------------------------------------------------------

_register("ZipDataset", ["input_datasets: N * variant"],
          _simple(lambda *ds: V.ZipValue(list(ds))), doc="Dataset.zip.")
_register("ConcatenateDataset", ["input_dataset: variant", "another_dataset: variant"],
          _simple(V.ConcatValue), doc="Dataset.concatenate.")


# --- functions ---------------------------------------------------------------------------------

def _fn_kernel(value: Callable[[Any, Any], V.DatasetValue], skip: int = 0) -> Any:
    def factory(op: Operation, state: Any) -> Any:
        bind = function_runner(op, state)

        def fn_dataset(inp: Any, *rest: Any) -> V.DatasetValue:
            return value(inp, bind(list(rest[:len(rest) - skip] if skip else rest)))

        return fn_dataset

    return factory


_FN_EXTRA = {"graph_element_attrs": FN_NAME_ATTRS}
_register("MapDataset", ["input_dataset: variant", "other_arguments: Targuments"],
          _fn_kernel(V.MapValue), FN_ATTRS, doc="Dataset.map: a traced function per element.",
          **_FN_EXTRA)
_register("ParallelMapDataset", ["input_dataset: variant", "other_arguments: Targuments",
                                 "num_parallel_calls: int32"],
          _fn_kernel(V.MapValue, skip=1), FN_ATTRS,
          doc="Dataset.map with num_parallel_calls (run in order, one element at a time).",
          **_FN_EXTRA)
_register("FilterDataset", ["input_dataset: variant", "other_arguments: Targuments"],
          _fn_kernel(V.FilterValue), FN_ATTRS, doc="Dataset.filter.", **_FN_EXTRA)
_register("FlatMapDataset", ["input_dataset: variant", "other_arguments: Targuments"],
          _fn_kernel(V.FlatMapValue), FN_ATTRS, doc="Dataset.flat_map.", **_FN_EXTRA)


# --- batching, shuffling, counting -------------------------------------------------------------

_register("BatchDatasetV2", ["input_dataset: variant", "batch_size: int64",
                             "drop_remainder: bool"],
          _simple(lambda d, n, drop: V.BatchValue(d, int(n), bool(drop))), doc="Dataset.batch.")


def _padded_kernel(op: Operation, state: Any) -> Any:
    del state
    n = int(op._attrs["N"])

    def padded_batch(d: Any, size: Any, *rest: Any) -> V.DatasetValue:
        shapes = [np.asarray(s).reshape(-1) for s in rest[:n]]
        return V.PaddedBatchValue(d, int(size), shapes, rest[n:2 * n], bool(rest[2 * n]))

    return padded_batch


_register("PaddedBatchDatasetV2", ["input_dataset: variant", "batch_size: int64",
                                   "padded_shapes: N * int64", "padding_values: Toutput_types",
                                   "drop_remainder: bool"],
          _padded_kernel, doc="Dataset.padded_batch (-1 in a padded shape: the batch's longest).")
_register("ShuffleDataset", ["input_dataset: variant", "buffer_size: int64", "seed: int64",
                             "seed2: int64"],
          lambda op, state: lambda d, n, s, s2: V.ShuffleValue(
              d, int(n), int(s), int(s2), bool(op._attrs["reshuffle_each_iteration"])),
          ["reshuffle_each_iteration: bool = true"], doc="Dataset.shuffle.")
_register("RepeatDataset", ["input_dataset: variant", "count: int64"],
          _simple(lambda d, n: V.RepeatValue(d, int(n))), doc="Dataset.repeat (-1: forever).")
_register("TakeDataset", ["input_dataset: variant", "count: int64"],
          _simple(lambda d, n: V.TakeValue(d, int(n))), doc="Dataset.take (-1: all).")
_register("SkipDataset", ["input_dataset: variant", "count: int64"],
          _simple(lambda d, n: V.SkipValue(d, int(n))), doc="Dataset.skip (-1: all).")
_register("PrefetchDataset", ["input_dataset: variant", "buffer_size: int64"],
          _simple(lambda d, n: V.PassValue(d)), doc="Dataset.prefetch (a pass-through here).")


def _cache(d: Any, filename: Any) -> V.DatasetValue:
    name = filename.item() if isinstance(filename, np.ndarray) else filename
    if name not in (b"", ""):
        raise errors.UnimplementedError(None, None, "minitf's Dataset.cache keeps elements in "
                                                    "memory only; pass no filename.")
    return V.CacheValue(d)


_register("CacheDataset", ["input_dataset: variant", "filename: string"], _simple(_cache),
          doc="Dataset.cache in memory (filename '').")

