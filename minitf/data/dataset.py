"""``tf.data.Dataset`` (TF 1.x API): each method adds one dataset op to the graph and returns
a new Dataset holding its ``variant`` tensor and the element structure (``output_types``,
``output_shapes``, ``output_classes``). Nothing runs until an iterator's initializer (or a
one-shot iterator's first get_next) runs in a session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.data import dataset_ops, structure
from minitf.data.functions import TracedFunction
from minitf.framework import dtypes, errors
from minitf.framework.constant_value import constant_value
from minitf.framework.graph import get_default_graph
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor, to_numpy
from minitf.framework.tensor_shape import TensorShape, unknown_shape

__all__ = ["Dataset", "AUTOTUNE"]

AUTOTUNE = -1
_TYPED_COMPONENTS = ("TensorDataset", "TensorSliceDataset", "PaddedBatchDatasetV2")


def _op(op_type: str, inputs: list[Tensor], types: Any, shapes: Any,
        attrs: dict[str, Any] | None = None, control: list[Any] | None = None) -> Dataset:
    g = get_default_graph()
    full = {"output_types": structure.flatten(types), "output_shapes": structure.flatten(shapes),
            **(attrs or {})}
    if op_type in _TYPED_COMPONENTS:
        full["Toutput_types"] = full["output_types"]
    op = g._create_op_internal(op_type, inputs, full, g.unique_name(op_type),
                               control_inputs=control)
    return Dataset(op._outputs[0], types, shapes)


def _int64(value: Any, name: str, method: str) -> Tensor:
    try:
        return convert_to_tensor(value, dtype=dtypes.int64, name=name)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{method}: `{name}` must be an int64 scalar: {e}") from None


def _components(tensors: Any, method: str) -> tuple[Any, list[Tensor]]:
    if tensors is None or (structure.is_nested(tensors) and not structure.flatten(tensors)):
        raise ValueError(f"{method}: the element must have at least one component.")
    flat = []
    for i, v in enumerate(structure.flatten(tensors)):
        try:
            flat.append(convert_to_tensor(v, name=f"component_{i}"))
        except (TypeError, ValueError) as e:
            raise type(e)(f"{method}: component {i} is not convertible to a tensor: {e}"
                          ) from None
    return structure.pack_as(tensors, flat), flat


def _dtype_of(t: Tensor) -> dtypes.DType:
    return t.dtype.base_dtype


class Dataset:
    """A pipeline of elements (``tf.data.Dataset``); build it with the static constructors."""

    def __init__(self, variant: Tensor, types: Any, shapes: Any) -> None:
        self._variant = variant
        self._types = types
        self._shapes = shapes

    # --- structure ------------------------------------------------------------------------------
    @property
    def output_types(self) -> Any:
        return self._types

    @property
    def output_shapes(self) -> Any:
        return self._shapes

    @property
    def output_classes(self) -> Any:
        return structure.classes_of(self._types)

    def __repr__(self) -> str:
        shapes = structure.structure_str(self._shapes, str)
        types = structure.structure_str(self._types, lambda t: f"tf.{t.name}")
        return f"<Dataset shapes: {shapes}, types: {types}>"

    def __iter__(self) -> Any:
        raise RuntimeError("__iter__() is only supported inside of tf.function or when eager "
                           "execution is enabled; use make_one_shot_iterator() or "
                           "make_initializable_iterator() and sess.run(get_next()).")

    # --- sources --------------------------------------------------------------------------------
    @staticmethod
    def from_tensors(tensors: Any) -> Dataset:
        """A dataset of one element, ``tensors``."""
        nested, flat = _components(tensors, "Dataset.from_tensors")
        return _op("TensorDataset", flat, structure.map_structure(_dtype_of, nested),
                   structure.map_structure(lambda t: t.get_shape(), nested))

    @staticmethod
    def from_tensor_slices(tensors: Any) -> Dataset:
        """The slices of ``tensors`` along their first dimension (all the same length)."""
        nested, flat = _components(tensors, "Dataset.from_tensor_slices")
        first = TensorShape([None])
        for t in flat:
            s = t.get_shape()
            if s.ndims == 0:
                raise ValueError(f"Dataset.from_tensor_slices: component {t.name} is a scalar; "
                                 "slicing needs rank >= 1.")
            if s.ndims is not None:
                if not first[0].is_compatible_with(s[0]):
                    raise ValueError(f"Dataset.from_tensor_slices: components have different "
                                     f"first dimensions ({first[0]} and {s[0]}).")
                first = first.merge_with(TensorShape([s[0]]))
        shapes = structure.map_structure(
            lambda t: t.get_shape()[1:] if t.get_shape().ndims is not None else unknown_shape(),
            nested)
        return _op("TensorSliceDataset", flat, structure.map_structure(_dtype_of, nested), shapes)

    @staticmethod
    def range(*args: Any) -> Dataset:
        """int64 scalars as Python's ``range(stop)``, ``range(start, stop[, step])``."""
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range: invalid arguments {args} (RangeDataset takes 1 "
                             "to 3: stop, or start, stop[, step]).")
        start, stop, step = (0, args[0], 1) if len(args) == 1 else (
            (args[0], args[1], 1) if len(args) == 2 else args)
        ins = [_int64(v, n, "Dataset.range") for v, n in ((start, "start"), (stop, "stop"),
                                                           (step, "step"))]
        return _op("RangeDataset", ins, dtypes.int64, TensorShape([]))

    @staticmethod
    def from_generator(generator: Callable[..., Any], output_types: Any,
                       output_shapes: Any = None, args: Any = None) -> Dataset:
        """The elements a Python generator yields (``generator(*args)`` anew for every pass),
        converted to ``output_types`` and checked against ``output_shapes``."""
        if not callable(generator):
            raise TypeError("Dataset.from_generator: `generator` must be callable.")
        try:
            types = structure.normalize_types(output_types)
        except TypeError as e:
            raise TypeError(f"Dataset.from_generator: bad output_types: {e}") from None
        shapes = structure.normalize_shapes(types, output_shapes)
        ins = [convert_to_tensor(a, name=f"args_{i}") for i, a in enumerate(args or ())]
        token = dataset_ops.register_generator(generator, _converter(types, shapes))
        return _op("GeneratorDataset", ins, types, shapes,
                   {"token": token, "Targs": [_dtype_of(t) for t in ins]})

    @staticmethod
    def zip(datasets: Any) -> Dataset:
        """Elements of several datasets side by side (a tuple or dict of datasets)."""
        leaves = structure.flatten(datasets)
        if not structure.is_nested(datasets) and not isinstance(datasets, Dataset) or \
                not all(isinstance(d, Dataset) for d in leaves):
            raise TypeError("Dataset.zip: the argument must be a (nested) tuple or dict of "
                            f"Dataset objects, got {type(datasets).__name__}.")
        types = structure.map_structure(lambda d: d.output_types, datasets)
        shapes = structure.map_structure(lambda d: d.output_shapes, datasets)
        return _op("ZipDataset", [d._variant for d in leaves], types, shapes)

    # --- transformations ------------------------------------------------------------------------
    def concatenate(self, dataset: Dataset) -> Dataset:
        """This dataset's elements, then ``dataset``'s (same structure and types)."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"Dataset.concatenate: expected a Dataset, got "
                            f"{type(dataset).__name__}.")
        a, b = self._types, dataset._types
        if not structure.same_structure(a, b) or structure.flatten(a) != structure.flatten(b):
            show = lambda t: f"tf.{t.name}"  # noqa: E731
            raise TypeError(f"Two datasets to concatenate have different types "
                            f"{structure.structure_str(a, show)} and "
                            f"{structure.structure_str(b, show)}")
        shapes = structure.pack_as(a, [x.most_specific_compatible_shape(y) for x, y in zip(
            structure.flatten(self._shapes), structure.flatten(dataset._shapes))])
        return _op("ConcatenateDataset", [self._variant, dataset._variant], a, shapes)

    def map(self, map_func: Callable[..., Any], num_parallel_calls: Any = None) -> Dataset:
        """``map_func`` applied to each element (a tuple element is passed as arguments)."""
        fn = TracedFunction(map_func, self._types, self._shapes, "map", "Dataset.map")
        types = structure.map_structure(_dtype_of, fn.result)
        shapes = structure.map_structure(lambda t: t.get_shape(), fn.result)
        ins = [self._variant, *fn.captured]
        op_type = "MapDataset"
        if num_parallel_calls is not None:
            ins.append(convert_to_tensor(num_parallel_calls, dtype=dtypes.int32,
                                         name="num_parallel_calls"))
            op_type = "ParallelMapDataset"
        return _op(op_type, ins, types, shapes, fn.attrs(), fn.control)

    def filter(self, predicate: Callable[..., Any]) -> Dataset:
        """The elements for which ``predicate`` (a scalar bool tensor) is true."""
        fn = TracedFunction(predicate, self._types, self._shapes, "filter", "Dataset.filter")
        out = fn.outputs
        if len(out) != 1 or out[0].dtype.base_dtype != dtypes.bool or \
                not out[0].get_shape().is_compatible_with(TensorShape([])):
            got = ", ".join(f"{t.dtype.base_dtype.name}{t.get_shape()}" for t in out)
            raise ValueError(f"Dataset.filter: `predicate` return type must be convertible to "
                             f"a scalar boolean tensor. Was {got}.")
        return _op("FilterDataset", [self._variant, *fn.captured], self._types, self._shapes,
                   fn.attrs(), fn.control)

    def flat_map(self, map_func: Callable[..., Any]) -> Dataset:
        """The elements of the datasets ``map_func`` returns, one after another."""
        fn = TracedFunction(map_func, self._types, self._shapes, "flat_map", "Dataset.flat_map")
        inner = fn.result
        return _op("FlatMapDataset", [self._variant, *fn.captured], inner.output_types,
                   inner.output_shapes, fn.attrs(), fn.control)

    def batch(self, batch_size: Any, drop_remainder: Any = False) -> Dataset:
        """Consecutive elements stacked; the last batch may be smaller unless
        ``drop_remainder`` (static batch dimension None unless it is dropped)."""
        size = _int64(batch_size, "batch_size", "Dataset.batch")
        drop = convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder")
        dim = _static_batch(size, drop)
        shapes = structure.map_structure(lambda s: TensorShape([dim]).concatenate(s),
                                         self._shapes)
        return _op("BatchDatasetV2", [self._variant, size, drop], self._types, shapes)

    def padded_batch(self, batch_size: Any, padded_shapes: Any = None,
                     padding_values: Any = None, drop_remainder: Any = False) -> Dataset:
        """Batches of elements padded to ``padded_shapes`` (None/-1: the batch's longest)."""
        method = "Dataset.padded_batch"
        size = _int64(batch_size, "batch_size", method)
        if padded_shapes is None:
            padded_shapes = structure.map_structure(lambda s: s, self._shapes)
        if structure.is_nested(self._types) and not structure.same_structure(self._types,
                                                                             padded_shapes):
            raise ValueError(f"{method}: `padded_shapes` must have the structure of the "
                             f"elements, {structure.structure_str(self._shapes, str)}.")
        flat_pad = structure.flatten(padded_shapes) if structure.is_nested(self._types) \
            else [padded_shapes]
        shape_tensors, static = [], []
        for i, (want, have) in enumerate(zip(flat_pad, structure.flatten(self._shapes))):
            t, s = _padded_shape(want, have, method, i)
            shape_tensors.append(t)
            static.append(s)
        pads = _padding_values(padding_values, self._types, method)
        drop = convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder")
        dim = _static_batch(size, drop)
        shapes = structure.pack_as(self._types, [TensorShape([dim]).concatenate(s)
                                                 for s in static])
        return _op("PaddedBatchDatasetV2", [self._variant, size, *shape_tensors, *pads, drop],
                   self._types, shapes, {"N": len(shape_tensors)})

    def shuffle(self, buffer_size: Any, seed: int | None = None,
                reshuffle_each_iteration: bool | None = None) -> Dataset:
        """Elements in random order through a buffer of ``buffer_size`` (TF's seed rules:
        the graph seed and ``seed`` fix the orders; each pass reshuffles by default)."""
        from minitf.ops.random_ops import get_seed

        size = _int64(buffer_size, "buffer_size", "Dataset.shuffle")
        s1, s2 = get_seed(seed)
        ins = [self._variant, size, _int64(s1 or 0, "seed", "Dataset.shuffle"),
               _int64(s2 or 0, "seed2", "Dataset.shuffle")]
        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        return _op("ShuffleDataset", ins, self._types, self._shapes,
                   {"reshuffle_each_iteration": reshuffle})

    def repeat(self, count: Any = None) -> Dataset:
        """The elements ``count`` times (None or -1: forever)."""
        n = _int64(-1 if count is None else count, "count", "Dataset.repeat")
        return _op("RepeatDataset", [self._variant, n], self._types, self._shapes)

    def take(self, count: Any) -> Dataset:
        """At most ``count`` elements (-1: all)."""
        n = _int64(count, "count", "Dataset.take")
        return _op("TakeDataset", [self._variant, n], self._types, self._shapes)

    def skip(self, count: Any) -> Dataset:
        """All but the first ``count`` elements (-1: none)."""
        n = _int64(count, "count", "Dataset.skip")
        return _op("SkipDataset", [self._variant, n], self._types, self._shapes)

    def prefetch(self, buffer_size: Any) -> Dataset:
        """The same elements (minitf computes each when asked: a pass-through)."""
        n = _int64(buffer_size, "buffer_size", "Dataset.prefetch")
        return _op("PrefetchDataset", [self._variant, n], self._types, self._shapes)

    def cache(self, filename: str = "") -> Dataset:
        """The elements, kept in memory after the first complete pass."""
        if filename:
            raise NotImplementedError("Dataset.cache: minitf caches in memory only; pass no "
                                      "filename.")
        f = convert_to_tensor("", dtype=dtypes.string, name="filename")
        return _op("CacheDataset", [self._variant, f], self._types, self._shapes)

    def apply(self, transformation_func: Callable[[Dataset], Dataset]) -> Dataset:
        """``transformation_func(self)``, which must return a Dataset."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError("Dataset.apply: `transformation_func` must return a Dataset.")
        return result

    # --- iterators ------------------------------------------------------------------------------
    def make_one_shot_iterator(self) -> Any:
        """An iterator that needs no initialization (the dataset may not use placeholders)."""
        from minitf.data.iterator_ops import make_one_shot_iterator

        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name: str | None = None) -> Any:
        """An iterator to start with ``sess.run(iterator.initializer, feed_dict)``."""
        from minitf.data.iterator_ops import make_initializable_iterator

        return make_initializable_iterator(self, shared_name)


# --- helpers -------------------------------------------------------------------------------------

def _static_batch(size: Tensor, drop: Tensor) -> int | None:
    d, n = constant_value(drop), constant_value(size)
    if d is not None and bool(d) and n is not None:
        return int(n)
    return None


def _padded_shape(want: Any, have: TensorShape, method: str, i: int) -> tuple[Tensor, TensorShape]:
    if isinstance(want, Tensor):
        t = convert_to_tensor(want, dtype=dtypes.int64, name="padded_shape")
        value = constant_value(t)
        static = TensorShape([None if v < 0 else int(v) for v in value]) \
            if value is not None else unknown_shape(have.ndims)
    else:
        dims = want.as_list() if isinstance(want, TensorShape) and want.ndims is not None \
            else list(want)
        dims = [-1 if d is None else int(d) for d in dims]
        static = TensorShape([None if d < 0 else d for d in dims])
        t = convert_to_tensor(np.array(dims, dtype=np.int64), name="padded_shapes")
    if not static.is_compatible_with(unknown_shape(have.ndims)) or any(
            a is not None and b is not None and a < b
            for a, b in zip(static.as_list() if static.ndims is not None else [],
                            have.as_list() if have.ndims is not None else [])):
        raise ValueError(f"{method}: the padded shape {static} is not compatible with the "
                         f"shape {have} of component {i}.")
    return t, static


def _padding_values(values: Any, types: Any, method: str) -> list[Tensor]:
    flat_types = structure.flatten(types)
    if values is None:
        flat = [b"" if t == dtypes.string else np.zeros((), t.as_numpy_dtype)
                for t in flat_types]
    else:
        flat = structure.flatten(values) if structure.is_nested(types) else [values]
        if len(flat) != len(flat_types):
            raise ValueError(f"{method}: `padding_values` must have the structure of the "
                             "elements.")
    out = []
    for v, t in zip(flat, flat_types):
        try:
            pv = convert_to_tensor(v, dtype=t, name="padding_value")
        except (TypeError, ValueError) as e:
            raise TypeError(f"{method}: padding value {v!r} does not match the element type "
                            f"{t.name}: {e}") from None
        if pv.get_shape().ndims not in (None, 0):
            raise ValueError(f"{method}: padding value should be a scalar, got shape "
                             f"{pv.get_shape()}.")
        out.append(pv)
    return out


def _converter(types: Any, shapes: Any) -> Callable[[Any], tuple[Any, ...]]:
    """Checks and converts one generator item to the element's flat arrays."""
    flat_types = structure.flatten(types)
    flat_shapes = structure.flatten(shapes)
    nested = structure.is_nested(types)

    def leaves(item: Any) -> list[Any]:
        if not nested:
            return [item]
        if isinstance(types, tuple) and isinstance(item, list):
            item = tuple(item)
        if not structure.same_structure(types, item):
            raise errors.InvalidArgumentError(
                None, None, f"TypeError: `generator` yielded an element that did not match the "
                            f"expected structure. The expected structure was "
                            f"{structure.structure_str(types, lambda t: f'tf.{t.name}')}, but "
                            f"the yielded element was {item!r}.")
        return structure.flatten(item)

    def convert(item: Any) -> tuple[Any, ...]:
        out = []
        for v, t, s in zip(leaves(item), flat_types, flat_shapes):
            try:
                arr = to_numpy(v, t)[0] if t == dtypes.string else np.asarray(
                    v, dtype=t.as_numpy_dtype)
            except (TypeError, ValueError):
                raise errors.InvalidArgumentError(
                    None, None, f"TypeError: `generator` yielded an element that could not be "
                                f"converted to the expected type. The expected type was "
                                f"{t.name}, but the yielded element was {v!r}.") from None
            if not s.is_compatible_with(arr.shape):
                raise errors.InvalidArgumentError(
                    None, None, f"`generator` yielded an element of shape {arr.shape} where an "
                                f"element of shape {tuple(s.as_list())} was expected.")
            out.append(arr)
        return tuple(out)

    return convert
