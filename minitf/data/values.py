"""Run-time values of dataset ops: what a ``variant`` dataset tensor holds in a session.

A dataset value describes a pipeline and makes iterators over it; an element is a flat tuple of
numpy arrays. Values are made when their op runs (an iterator's initializer, or the first run of
a one-shot iterator), so placeholders and variables are read then. Iteration is plain Python
generators, so one ``get_next`` costs a few generator steps per element.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from minitf.framework import errors

__all__ = ["DatasetValue", "Element"]

Element = tuple[Any, ...]
_END = object()


def _invalid(msg: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, msg)


def _shape_str(shape: tuple[int, ...]) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


class DatasetValue:
    """A dataset in a session: ``iterate()`` starts a new pass over its elements."""

    def iterate(self) -> Iterator[Element]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class TensorValue(DatasetValue):
    """``from_tensors``: one element."""

    def __init__(self, components: Element) -> None:
        self.components = components

    def iterate(self) -> Iterator[Element]:
        yield self.components


class SliceValue(DatasetValue):
    """``from_tensor_slices``: the rows of each component."""

    def __init__(self, components: Element) -> None:
        arrays = tuple(np.asarray(c) for c in components)
        for a in arrays:
            if a.ndim == 0:
                raise _invalid("Input for TensorSliceDataset must have at least rank 1.")
        n = {a.shape[0] for a in arrays}
        if len(n) > 1:
            raise _invalid("All components must have the same size in the 0th dimension, got "
                           + ", ".join(str(a.shape[0]) for a in arrays))
        self.components = arrays

    def iterate(self) -> Iterator[Element]:
        return zip(*self.components)

    def batches(self, size: int, drop: bool) -> Iterator[Element]:
        """Consecutive row blocks (the batch of a slice dataset without copying elements)."""
        comps = self.components
        n = comps[0].shape[0]
        stop = n - n % size if drop else n
        for i in range(0, stop, size):
            yield tuple(c[i:i + size].copy() for c in comps)


class RangeValue(DatasetValue):
    def __init__(self, start: int, stop: int, step: int) -> None:
        if step == 0:
            raise _invalid("step must be a non-zero integer.")
        self.args = (start, stop, step)

    def iterate(self) -> Iterator[Element]:
        i64 = np.int64
        return ((i64(v),) for v in range(*self.args))


class GeneratorValue(DatasetValue):
    """``from_generator``: calls the generator anew for every pass."""

    def __init__(self, make: Callable[..., Any], convert: Callable[[Any], Element],
                 args: Element) -> None:
        self.make, self.convert, self.args = make, convert, args

    def iterate(self) -> Iterator[Element]:
        convert = self.convert
        for item in self.make(*self.args):
            yield convert(item)


class ZipValue(DatasetValue):
    def __init__(self, inputs: list[DatasetValue]) -> None:
        self.inputs = inputs

    def iterate(self) -> Iterator[Element]:
        chain = itertools.chain.from_iterable
        for parts in zip(*[d.iterate() for d in self.inputs]):
            yield tuple(chain(parts))


class ConcatValue(DatasetValue):
    def __init__(self, first: DatasetValue, second: DatasetValue) -> None:
        self.first, self.second = first, second

    def iterate(self) -> Iterator[Element]:
        yield from self.first.iterate()
        yield from self.second.iterate()


class MapValue(DatasetValue):
    """``map``: ``fn(element)`` (a traced sub-graph run per element)."""

    def __init__(self, inp: DatasetValue, fn: Callable[[Element], Element]) -> None:
        self.inp, self.fn = inp, fn

    def iterate(self) -> Iterator[Element]:
        return map(self.fn, self.inp.iterate())


class FilterValue(DatasetValue):
    def __init__(self, inp: DatasetValue, fn: Callable[[Element], Element]) -> None:
        self.inp, self.fn = inp, fn

    def iterate(self) -> Iterator[Element]:
        fn = self.fn
        return (x for x in self.inp.iterate() if fn(x)[0])


class FlatMapValue(DatasetValue):
    def __init__(self, inp: DatasetValue, fn: Callable[[Element], Element]) -> None:
        self.inp, self.fn = inp, fn

    def iterate(self) -> Iterator[Element]:
        for x in self.inp.iterate():
            yield from self.fn(x)[0].iterate()


def stack_batch(chunk: list[Element]) -> Element:
    """The components of ``chunk`` stacked along a new first axis."""
    try:
        out = tuple(np.stack(col) for col in zip(*chunk))
    except ValueError:
        for k, col in enumerate(zip(*chunk)):
            first = np.shape(col[0])
            for i, v in enumerate(col):
                if np.shape(v) != first:
                    raise _invalid(f"Cannot batch tensors with different shapes in component "
                                   f"{k}. First element had shape {_shape_str(first)} and "
                                   f"element {i} had shape {_shape_str(np.shape(v))}.") from None
        raise
    if any(a.dtype.kind == "S" for a in out):  # strings stay object arrays of bytes
        out = tuple(a.astype(object) if a.dtype.kind == "S" else a for a in out)
    return out


class BatchValue(DatasetValue):
    def __init__(self, inp: DatasetValue, size: int, drop: bool) -> None:
        if size <= 0:
            raise _invalid("Batch size must be greater than zero.")
        self.inp, self.size, self.drop = inp, size, drop

    def iterate(self) -> Iterator[Element]:
        if isinstance(self.inp, SliceValue):
            yield from self.inp.batches(self.size, self.drop)
            return
        it, size, drop = self.inp.iterate(), self.size, self.drop
        islice = itertools.islice
        while True:
            chunk = list(islice(it, size))
            if not chunk or (drop and len(chunk) < size):
                return
            yield stack_batch(chunk)


class PaddedBatchValue(DatasetValue):
    def __init__(self, inp: DatasetValue, size: int, shapes: list[np.ndarray],
                 pads: Element, drop: bool) -> None:
        if size <= 0:
            raise _invalid("Batch size must be greater than zero.")
        self.inp, self.size, self.shapes, self.pads, self.drop = inp, size, shapes, pads, drop

    def _pad(self, k: int, col: tuple[Any, ...]) -> np.ndarray:
        want = self.shapes[k]
        arrays = [np.asarray(v) for v in col]
        rank = arrays[0].ndim
        if any(a.ndim != rank for a in arrays) or len(want) != rank:
            raise _invalid(f"Cannot batch tensors of different ranks in component {k}; "
                           f"padded shape has rank {len(want)}.")
        dims = []
        for d in range(rank):
            longest = max(a.shape[d] for a in arrays)
            w = int(want[d])
            if w >= 0 and longest > w:
                raise _invalid("Attempted to pad to a smaller size than the input element.")
            dims.append(w if w >= 0 else longest)
        pad = np.asarray(self.pads[k])
        out = np.full((len(arrays), *dims), pad, dtype=arrays[0].dtype)
        for i, a in enumerate(arrays):
            out[(i, *(slice(0, s) for s in a.shape))] = a
        return out

    def iterate(self) -> Iterator[Element]:
        it = self.inp.iterate()
        while True:
            chunk = list(itertools.islice(it, self.size))
            if not chunk or (self.drop and len(chunk) < self.size):
                return
            yield tuple(self._pad(k, col) for k, col in enumerate(zip(*chunk)))


class ShuffleValue(DatasetValue):
    """TF's shuffle buffer: a random element of the buffer is emitted and replaced by the next
    input element. Each pass (epoch) is seeded by (seed, seed2, pass number) when reshuffling,
    by (seed, seed2) alone otherwise; seeds (0, 0) are drawn at random once per dataset value."""

    def __init__(self, inp: DatasetValue, size: int, seed: int, seed2: int,
                 reshuffle: bool) -> None:
        if size <= 0:
            raise _invalid("buffer_size must be greater than zero.")
        if seed == 0 and seed2 == 0:
            seed, seed2 = (int(v) for v in np.random.SeedSequence().generate_state(2))
        self.inp, self.size, self.seeds, self.reshuffle = inp, size, (seed, seed2), reshuffle
        self.passes = 0

    def iterate(self) -> Iterator[Element]:
        epoch = self.passes if self.reshuffle else 0
        self.passes += 1
        rng = np.random.default_rng([*self.seeds, epoch])
        it = self.inp.iterate()
        buf = list(itertools.islice(it, self.size))
        draws: list[float] = []
        while buf:
            if not draws:
                draws = rng.random(1024).tolist()
                draws.reverse()
            j = int(draws.pop() * len(buf))
            out = buf[j]
            nxt = next(it, _END)
            if nxt is _END:
                buf[j] = buf[-1]
                buf.pop()
            else:
                buf[j] = nxt
            yield out


class RepeatValue(DatasetValue):
    def __init__(self, inp: DatasetValue, count: int) -> None:
        self.inp, self.count = inp, count

    def iterate(self) -> Iterator[Element]:
        done = 0
        while self.count < 0 or done < self.count:
            empty = True
            for x in self.inp.iterate():
                empty = False
                yield x
            if empty:
                return
            done += 1


class TakeValue(DatasetValue):
    def __init__(self, inp: DatasetValue, count: int) -> None:
        self.inp, self.count = inp, count

    def iterate(self) -> Iterator[Element]:
        it = self.inp.iterate()
        return it if self.count < 0 else itertools.islice(it, self.count)


class SkipValue(DatasetValue):
    def __init__(self, inp: DatasetValue, count: int) -> None:
        self.inp, self.count = inp, count

    def iterate(self) -> Iterator[Element]:
        if self.count < 0:
            return iter(())
        return itertools.islice(self.inp.iterate(), self.count, None)


class PassValue(DatasetValue):
    """``prefetch``: the input's elements (minitf computes elements when asked)."""

    def __init__(self, inp: DatasetValue) -> None:
        self.inp = inp

    def iterate(self) -> Iterator[Element]:
        return self.inp.iterate()


class CacheValue(DatasetValue):
    """``cache()`` in memory: the first complete pass is kept and replayed by later passes."""

    def __init__(self, inp: DatasetValue) -> None:
        self.inp = inp
        self.cached: list[Element] | None = None

    def iterate(self) -> Iterator[Element]:
        if self.cached is not None:
            yield from self.cached
            return
        seen = []
        for x in self.inp.iterate():
            seen.append(x)
            yield x
        self.cached = seen
