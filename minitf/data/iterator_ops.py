"""Iterator ops and ``tf.data.Iterator`` (TF 1.x): the iterator's position lives in the
Session (a per-session resource keyed by the iterator op), never in the graph.

* ``IteratorV2`` outputs the handle of its session resource; ``MakeIterator(dataset, iterator)``
  starts a new pass over the dataset value (the initializer);
* ``OneShotIterator`` starts its pass the first time it runs in a session; its dataset ops sit
  in the graph and run through a sub-plan (TF keeps them in a ``dataset_factory`` function);
* ``IteratorGetNext`` advances once per run, whatever outputs are fetched; at the end it raises
  OutOfRangeError, before initialization FailedPreconditionError.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from minitf.data import structure
from minitf.data.dataset_ops import STRUCTURE_ATTRS
from minitf.framework import dtypes, errors
from minitf.framework.graph import get_default_graph, name_scope
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape
from minitf.ops import shape_fns

__all__ = ["Iterator", "IteratorResource", "make_one_shot_iterator",
           "make_initializable_iterator"]


class IteratorResource:
    """One iterator's position in one session."""

    __slots__ = ("name", "key", "types", "elements", "started", "lock")

    def __init__(self, name: str, key: str, types: list[Any]) -> None:
        self.name = name
        self.key = key  # the session's resource key, also the iterator's string handle
        self.types = types
        self.elements: Any = None
        self.started = False
        self.lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<IteratorResource {self.name}>"


def _resource(op: Operation, state: Any) -> IteratorResource:
    key = _PREFIX + (op._attrs.get("shared_name") or op.name)
    types = list(op._attrs.get("output_types") or [])
    return state.resource(key, lambda: IteratorResource(op.name, key, types))


_PREFIX = "iterator:"


def _iterator_kernel(op: Operation, state: Any) -> Any:
    res = _resource(op, state)
    return lambda: res


register_op("IteratorV2", outputs=["handle: resource"],
            attrs=["shared_name: string = ''", "container: string = ''"] + STRUCTURE_ATTRS,
            shape=shape_fns.scalar, make_kernel=_iterator_kernel, stateful=True,
            doc="An iterator's handle (its position lives in the session).")
NotDifferentiable("IteratorV2")


def _make_iterator_kernel(op: Operation, state: Any) -> Any:
    del op, state

    def make_iterator(dataset: Any, res: IteratorResource) -> None:
        with res.lock:
            res.elements = dataset.iterate()
            res.started = True

    return make_iterator


register_op("MakeIterator", inputs=["dataset: variant", "iterator: resource"], outputs=[],
            shape=shape_fns.scalar, make_kernel=_make_iterator_kernel, stateful=True,
            doc="Starts the iterator over the dataset (an initializer).")
NotDifferentiable("MakeIterator")


def _one_shot_kernel(op: Operation, state: Any) -> Any:
    from minitf.ops.control_flow_context import tensors_named
    from minitf.runtime.executor import run_plan
    from minitf.runtime.plan import build_plan

    res = _resource(op, state)
    dataset = tensors_named(op._graph, [op._attrs["dataset"]])
    plan = build_plan(dataset, [], [], state, getattr(state, "config", None), 0)  # type: ignore[arg-type]

    def one_shot() -> IteratorResource:
        if not res.started:
            with res.lock:
                if not res.started:
                    res.elements = run_plan(plan, [])[0].iterate()
                    res.started = True
        return res

    return one_shot


register_op("OneShotIterator", outputs=["handle: resource"],
            attrs=["dataset: string", "shared_name: string = ''", "container: string = ''"]
            + STRUCTURE_ATTRS,
            shape=shape_fns.scalar, make_kernel=_one_shot_kernel, stateful=True,
            graph_element_attrs=("dataset",),
            doc="An iterator that starts itself over the dataset the first time it runs "
                "(attribute `dataset` names the dataset tensor; TF: a dataset_factory).")
NotDifferentiable("OneShotIterator")

# --- feedable iterators: string handles ----------------------------------------------------------

def _to_handle_kernel(op: Operation, state: Any) -> Any:
    del op, state
    return lambda res: np.array(res.key.encode(), dtype=object)


register_op("IteratorToStringHandle", inputs=["resource_handle: resource"],
            outputs=["string_handle: string"], shape=shape_fns.scalar,
            make_kernel=_to_handle_kernel, stateful=True,
            doc="The string naming an iterator in its session (feedable iterators).")
NotDifferentiable("IteratorToStringHandle")


def _from_handle_kernel(op: Operation, state: Any) -> Any:
    want = list(op._attrs["output_types"])

    def from_handle(handle: Any) -> IteratorResource:
        key = handle.item() if isinstance(handle, np.ndarray) else handle
        key = key.decode() if isinstance(key, bytes) else str(key)
        res = state.resource(key, lambda: None) if key.startswith(_PREFIX) else None
        if res is None:
            raise errors.InvalidArgumentError(None, None, f"No iterator with handle {key!r} in "
                                                          "this session.")
        if res.types != want:
            raise errors.InvalidArgumentError(
                None, None, f"Expected types {[t.name for t in want]} but the iterator "
                            f"{res.name} yields {[t.name for t in res.types]}.")
        return res

    return from_handle


register_op("IteratorFromStringHandleV2", inputs=["string_handle: string"],
            outputs=["resource_handle: resource"], attrs=STRUCTURE_ATTRS,
            shape=shape_fns.scalar, make_kernel=_from_handle_kernel, stateful=True,
            doc="The iterator a string handle names (feedable iterators).")
NotDifferentiable("IteratorFromStringHandleV2")

_NOT_INITIALIZED = ("GetNext() failed because the iterator has not been initialized. Ensure that "
                    "you have run the initializer operation for this iterator before getting "
                    "the next element.")


def _get_next_kernel(op: Operation, state: Any) -> Any:
    del state
    iterator_name = op.inputs[0].op.name

    def get_next(res: IteratorResource) -> tuple[Any, ...]:
        elements = res.elements
        if elements is None:
            raise errors.FailedPreconditionError(
                None, None, f"{_NOT_INITIALIZED} (iterator: '{iterator_name}')")
        with res.lock:
            value = next(elements, None)
        if value is None:
            raise errors.OutOfRangeError(None, None, "End of sequence")
        return value

    return get_next


def _get_next_shape(op: Any) -> list[TensorShape]:
    shapes = list(op._attrs.get("output_shapes") or [])
    if len(shapes) != len(op._attrs["output_types"]):
        return [unknown_shape()] * len(op._attrs["output_types"])
    return [s if s is not None else unknown_shape() for s in shapes]


register_op("IteratorGetNext", inputs=["iterator: resource"], outputs=["components: output_types"],
            attrs=["output_types: list(type)", "output_shapes: list(shape) = []"],
            shape=_get_next_shape, make_kernel=_get_next_kernel, stateful=True,
            doc="The iterator's next element (OutOfRangeError at the end).")
NotDifferentiable("IteratorGetNext")


# --- the Python API ----------------------------------------------------------------------------

def _structure_attrs(types: Any, shapes: Any) -> dict[str, Any]:
    return {"output_types": structure.flatten(types), "output_shapes": structure.flatten(shapes)}


class Iterator:
    """``tf.data.Iterator``: a handle on a session-side position over a dataset."""

    def __init__(self, handle: Tensor, initializer: Operation | None, types: Any, shapes: Any
                 ) -> None:
        self._handle = handle
        self._initializer = initializer
        self._types = types
        self._shapes = shapes

    @staticmethod
    def from_structure(output_types: Any, output_shapes: Any = None, shared_name: str | None = None,
                       output_classes: Any = None) -> Iterator:
        """A reinitializable iterator for datasets of this structure (``make_initializer``)."""
        del output_classes
        try:
            types = structure.normalize_types(output_types)
        except TypeError as e:
            raise TypeError(f"Iterator.from_structure: bad output_types: {e}") from None
        shapes = structure.normalize_shapes(types, output_shapes)
        g = get_default_graph()
        op = g._create_op_internal("IteratorV2", [], {"shared_name": shared_name or "",
                                                      **_structure_attrs(types, shapes)},
                                   g.unique_name("IteratorV2"))
        return Iterator(op._outputs[0], None, types, shapes)

    @property
    def initializer(self) -> Operation:
        if self._initializer is None:
            raise ValueError("The iterator does not have an initializer. This means it was "
                             "likely created using `tf.data.Dataset.make_one_shot_iterator()`. "
                             "For an initializable iterator, use "
                             "`tf.data.Dataset.make_initializable_iterator()` instead.")
        return self._initializer

    def make_initializer(self, dataset: Any, name: str | None = None) -> Operation:
        """The op that (re)starts this iterator over ``dataset``."""
        from minitf.data.dataset import Dataset

        if not isinstance(dataset, Dataset):
            raise TypeError(f"make_initializer: expected a Dataset, got "
                            f"{type(dataset).__name__}")
        if not structure.same_structure(self._types, dataset.output_types):
            raise ValueError("The two structures don't have the same nested structure: "
                             f"expected {structure.structure_str(self._types)}, got a dataset "
                             f"with {structure.structure_str(dataset.output_types)}.")
        for a, b in zip(structure.flatten(self._types), structure.flatten(dataset.output_types)):
            if a != b:
                raise TypeError(f"Expected output types {structure.structure_str(self._types)} "
                                f"but got dataset with output types "
                                f"{structure.structure_str(dataset.output_types)}.")
        for a, b in zip(structure.flatten(self._shapes),
                        structure.flatten(dataset.output_shapes)):
            if not a.is_compatible_with(b):
                raise TypeError(f"Expected output shapes compatible with "
                                f"{structure.structure_str(self._shapes, str)} but got dataset "
                                f"with output shapes "
                                f"{structure.structure_str(dataset.output_shapes, str)}.")
        g = get_default_graph()
        with name_scope(name, "make_initializer") as scope:
            return g._create_op_internal("MakeIterator", [dataset._variant, self._handle], {},
                                         scope[:-1] if scope else g.unique_name("MakeIterator"))

    def get_next(self, name: str | None = None) -> Any:
        """The next element as tensors (one IteratorGetNext op: each run advances once)."""
        g = get_default_graph()
        op = g._create_op_internal("IteratorGetNext", [self._handle],
                                   _structure_attrs(self._types, self._shapes),
                                   g.unique_name(name or "IteratorGetNext"))
        return structure.pack_as(self._types, list(op._outputs))

    @staticmethod
    def from_string_handle(string_handle: Any, output_types: Any, output_shapes: Any = None,
                           output_classes: Any = None) -> Iterator:
        """A feedable iterator: reads whichever iterator the fed ``string_handle`` names."""
        del output_classes
        try:
            types = structure.normalize_types(output_types)
        except TypeError as e:
            raise TypeError(f"Iterator.from_string_handle: bad output_types: {e}") from None
        shapes = structure.normalize_shapes(types, output_shapes)
        handle = convert_to_tensor(string_handle, dtype=dtypes.string)
        g = get_default_graph()
        op = g._create_op_internal("IteratorFromStringHandleV2", [handle],
                                   _structure_attrs(types, shapes),
                                   g.unique_name("IteratorFromStringHandleV2"))
        return Iterator(op._outputs[0], None, types, shapes)

    def string_handle(self, name: str | None = None) -> Tensor:
        """A string tensor naming this iterator in the session (feed it to a feedable one)."""
        g = get_default_graph()
        op = g._create_op_internal("IteratorToStringHandle", [self._handle], {},
                                   g.unique_name(name or "IteratorToStringHandle"))
        return op._outputs[0]

    @property
    def output_types(self) -> Any:
        return self._types

    @property
    def output_shapes(self) -> Any:
        return self._shapes

    @property
    def output_classes(self) -> Any:
        return structure.classes_of(self._types)


def make_initializable_iterator(dataset: Any, shared_name: str | None = None) -> Iterator:
    """``tf.compat.v1.data.make_initializable_iterator``: run ``.initializer`` first (feeds of
    the dataset's placeholders go with that run)."""
    it = Iterator.from_structure(dataset.output_types, dataset.output_shapes, shared_name)
    g = get_default_graph()
    init = g._create_op_internal("MakeIterator", [dataset._variant, it._handle], {},
                                 g.unique_name("MakeIterator"))
    it._initializer = init
    return it


def make_one_shot_iterator(dataset: Any) -> Iterator:
    """``tf.compat.v1.data.make_one_shot_iterator``: starts itself on first use; the dataset
    may not read placeholders (ValueError, as TF)."""
    _check_no_placeholders(dataset._variant)
    g = get_default_graph()
    op = g._create_op_internal("OneShotIterator", [],
                               {"dataset": dataset._variant.name,
                                **_structure_attrs(dataset.output_types, dataset.output_shapes)},
                               g.unique_name("OneShotIterator"))
    return Iterator(op._outputs[0], None, dataset.output_types, dataset.output_shapes)


def _check_no_placeholders(t: Tensor) -> None:
    seen: set[int] = set()
    stack = [t.op]
    while stack:
        op = stack.pop()
        if id(op) in seen:
            continue
        seen.add(id(op))
        if op.type in ("Placeholder", "PlaceholderV2"):
            raise ValueError(f"Cannot capture a placeholder (name:{op.name}, type:{op.type}) by "
                             "value.")
        stack.extend(x.op for x in op.inputs)
        stack.extend(op.control_inputs)


