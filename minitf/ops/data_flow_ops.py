"""TF 1.x queues: ``tf.FIFOQueue``, ``tf.RandomShuffleQueue``, ``tf.PaddingFIFOQueue`` and
their ``QueueV2`` ops. The queue op outputs a handle to a per-session
:class:`~minitf.ops.queue_runtime.QueueResource`; enqueue and dequeue ops block on it."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes as dtypes_lib
from minitf.framework.constant_value import constant_value
from minitf.framework.graph import get_default_graph, name_scope
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import Dimension, TensorShape, as_shape, unknown_shape
from minitf.ops import shape_fns
from minitf.ops.queue_runtime import QueueResource

__all__ = ["QueueBase", "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue"]

_QUEUE_ATTRS = ["component_types: list(type)", "shapes: list(shape) = []",
                "capacity: int = -1", "container: string = ''", "shared_name: string = ''"]
_KINDS = {"FIFOQueueV2": "FIFOQueue", "RandomShuffleQueueV2": "RandomShuffleQueue",
          "PaddingFIFOQueueV2": "PaddingFIFOQueue"}


def _queue_kernel(op: Operation, state: Any) -> Any:
    a = op._attrs
    key = "queue:" + (a.get("shared_name") or op.name)
    shapes = [tuple(as_shape(s).as_tuple() or ()) for s in a.get("shapes") or []]

    def make() -> QueueResource:
        rng = None
        if op.type == "RandomShuffleQueueV2":
            seed, seed2 = int(a.get("seed", 0)), int(a.get("seed2", 0))
            rng = np.random.default_rng(None if seed == 0 and seed2 == 0 else [seed, seed2])
        timeout = int(getattr(state.config, "operation_timeout_in_ms", 0) or 0) \
            if state.config is not None else 0
        return QueueResource(op.name, _KINDS[op.type], list(a["component_types"]), shapes,
                             int(a.get("capacity", -1)), int(a.get("min_after_dequeue", 0)),
                             rng, timeout)

    res = state.resource(key, make)
    return lambda: res


for _type, _extra in (("FIFOQueueV2", []), ("PaddingFIFOQueueV2", []),
                      ("RandomShuffleQueueV2", ["min_after_dequeue: int = 0", "seed: int = 0",
                                                "seed2: int = 0"])):
    register_op(_type, outputs=["handle: resource"], attrs=_QUEUE_ATTRS + _extra,
                shape=shape_fns.scalar, make_kernel=_queue_kernel, stateful=True,
                doc="A queue's handle (its elements live in the session).")
    NotDifferentiable(_type)


def _enqueue_kernel(op: Operation, state: Any) -> Any:
    del state
    many = op.type == "QueueEnqueueManyV2"

    def enqueue(q: QueueResource, *comps: np.ndarray) -> None:
        (q.enqueue_many if many else q.enqueue)([np.asarray(c) for c in comps])

    return enqueue


def _dequeue_kernel(op: Operation, state: Any) -> Any:
    del state
    if op.type == "QueueDequeueV2":
        return lambda q: q.dequeue()
    up_to = op.type == "QueueDequeueUpToV2"
    return lambda q, n: q.dequeue_many(int(n), up_to)


def _dequeue_shapes(op: Any) -> list[TensorShape]:
    """The queue's component shapes when the handle comes straight from a queue op (as TF's
    shape functions read the handle's shapes), with the batch dimension of DequeueMany/UpTo."""
    n = len(op._attrs["component_types"])
    queue = op.inputs[0].op
    shapes = queue._attrs.get("shapes") if queue.type in _KINDS else None
    if not shapes or len(shapes) != n:
        return [unknown_shape()] * n
    if op.type == "QueueDequeueV2":
        return [as_shape(s) for s in shapes]
    batch = None
    if op.type == "QueueDequeueManyV2":
        value = constant_value(op.inputs[1])
        batch = None if value is None else int(value)
    return [TensorShape([batch]).concatenate(as_shape(s)) for s in shapes]


_TIMEOUT = "timeout_ms: int = -1"
for _type in ("QueueEnqueueV2", "QueueEnqueueManyV2"):
    register_op(_type, inputs=["handle: resource", "components: Tcomponents"],
                attrs=["Tcomponents: list(type)", _TIMEOUT], shape=shape_fns.no_outputs,
                make_kernel=_enqueue_kernel, stateful=True,
                doc="Enqueues one element (or a batch's rows); blocks while the queue is full.")
    NotDifferentiable(_type)
register_op("QueueDequeueV2", inputs=["handle: resource"], outputs=["components: component_types"],
            attrs=["component_types: list(type)", _TIMEOUT], shape=_dequeue_shapes,
            make_kernel=_dequeue_kernel, stateful=True,
            doc="Dequeues one element; blocks while the queue is empty.")
for _type in ("QueueDequeueManyV2", "QueueDequeueUpToV2"):
    register_op(_type, inputs=["handle: resource", "n: int32"],
                outputs=["components: component_types"],
                attrs=["component_types: list(type)", _TIMEOUT], shape=_dequeue_shapes,
                make_kernel=_dequeue_kernel, stateful=True,
                doc="Dequeues n elements stacked (UpTo: fewer once the queue is closed).")
for _type in ("QueueDequeueV2", "QueueDequeueManyV2", "QueueDequeueUpToV2"):
    NotDifferentiable(_type)


def _close_kernel(op: Operation, state: Any) -> Any:
    cancel = bool(op._attrs.get("cancel_pending_enqueues", False))
    return lambda q: q.close(cancel)


register_op("QueueCloseV2", inputs=["handle: resource"],
            attrs=["cancel_pending_enqueues: bool = false"], shape=shape_fns.no_outputs,
            make_kernel=_close_kernel, stateful=True, doc="Closes the queue.")
register_op("QueueSizeV2", inputs=["handle: resource"], outputs=["size: int32"],
            shape=shape_fns.scalar, make_kernel=lambda op, state: lambda q: np.int32(q.size()),
            stateful=True, doc="The number of elements in the queue.")
register_op("QueueIsClosedV2", inputs=["handle: resource"], outputs=["is_closed: bool"],
            shape=shape_fns.scalar, make_kernel=lambda op, state: lambda q: np.bool_(q.closed),
            stateful=True, doc="Whether the queue is closed.")
for _type in ("QueueCloseV2", "QueueSizeV2", "QueueIsClosedV2"):
    NotDifferentiable(_type)


# --- the Python API ----------------------------------------------------------------------------

def _as_type_list(dts: Any) -> list[Any]:
    if isinstance(dts, (list, tuple)):
        return [dtypes_lib.as_dtype(d) for d in dts]
    return [dtypes_lib.as_dtype(dts)]


def _as_shape_list(shapes: Any, unknown_dim_allowed: bool = False) -> list[TensorShape] | None:
    if shapes is None:
        return None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    if not isinstance(shapes, (tuple, list)):
        raise TypeError("shapes must be a TensorShape or a list or tuple of TensorShapes.")
    if all(s is None or isinstance(s, (int, Dimension)) for s in shapes):
        shapes = [shapes]
    out = [as_shape(s) for s in shapes]
    if not unknown_dim_allowed and any(not s.is_fully_defined() for s in out):
        raise ValueError(f"All shapes must be fully defined: {out}")
    if unknown_dim_allowed and any(s.ndims is None for s in out):
        raise ValueError(f"All shapes must have a defined rank: {out}")
    return out


def _as_name_list(names: Any, dts: list[Any]) -> list[str] | None:
    if names is None:
        return None
    if not isinstance(names, (list, tuple)):
        names = [names]
    if len(names) != len(dts):
        raise ValueError("List of names must have the same length as the list of dtypes")
    return list(names)


class QueueBase:
    """``tf.QueueBase``: the methods every queue shares; each makes one op of TF's type and
    name (``<queue>_enqueue``, ``<queue>_Dequeue``, ``<queue>_DequeueMany`` ...)."""

    def __init__(self, dtypes: list[Any], shapes: list[TensorShape] | None,
                 names: list[str] | None, queue_ref: Tensor) -> None:
        self._dtypes = dtypes
        if shapes is not None:
            if len(shapes) != len(dtypes):
                raise ValueError("Queue shapes must have the same length as dtypes")
            self._shapes = [as_shape(s) for s in shapes]
        else:
            self._shapes = [unknown_shape() for _ in dtypes]
        if names is not None and len(names) != len(dtypes):
            raise ValueError("Queue names must have the same length as dtypes")
        self._names = names
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    @property
    def queue_ref(self) -> Tensor:
        return self._queue_ref

    @property
    def name(self) -> str:
        return self._queue_ref.op.name

    @property
    def dtypes(self) -> list[Any]:
        return self._dtypes

    @property
    def shapes(self) -> list[TensorShape]:
        return self._shapes

    @property
    def names(self) -> list[str] | None:
        return self._names

    def _check_enqueue_dtypes(self, vals: Any) -> list[Tensor]:
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names, key=str) != sorted(vals.keys(), key=str):
                raise ValueError("Keys in dictionary to enqueue do not match names of Queue.  "
                                 f"Dictionary: ({sorted(vals.keys())}), Queue: "
                                 f"({sorted(self._names)})")
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        return [convert_to_tensor(v, dtype=d, name=f"component_{i}")
                for i, (v, d) in enumerate(zip(vals, self._dtypes))]

    def _scope_vals(self, vals: Any) -> list[Any]:
        if isinstance(vals, (list, tuple)):
            return list(vals)
        if isinstance(vals, dict):
            return list(vals.values())
        return [vals]

    def enqueue(self, vals: Any, name: str | None = None) -> Operation:
        """Enqueues one element (a tensor, a list/tuple of them, or a dict by names)."""
        with name_scope(name, f"{self._name}_enqueue", self._scope_vals(vals)) as scope:
            vals = self._check_enqueue_dtypes(vals)
            for val, shape in zip(vals, self._shapes):
                val.get_shape().assert_is_compatible_with(shape)
            return self._make("QueueEnqueueV2", vals, scope[:-1])

    def enqueue_many(self, vals: Any, name: str | None = None) -> Operation:
        """Enqueues the rows (dimension 0) of each component as separate elements."""
        with name_scope(name, f"{self._name}_EnqueueMany", self._scope_vals(vals)) as scope:
            vals = self._check_enqueue_dtypes(vals)
            batch_dim = Dimension(None)
            for val in vals:
                batch_dim = batch_dim.merge_with(val.get_shape().with_rank_at_least(1)[0])
            for val, shape in zip(vals, self._shapes):
                val.get_shape()[1:].assert_is_compatible_with(shape)
            return self._make("QueueEnqueueManyV2", vals, scope[:-1])

    def _make(self, op_type: str, vals: list[Tensor], name: str) -> Operation:
        g = get_default_graph()
        attrs = {"Tcomponents": [v.dtype.base_dtype for v in vals], "timeout_ms": -1}
        return g._create_op_internal(op_type, [self._queue_ref, *vals], attrs, name)

    def _dequeue_op(self, op_type: str, default: str, name: str | None,
                    n: Any = None) -> Operation:
        g = get_default_graph()
        attrs = {"component_types": list(self._dtypes), "timeout_ms": -1}
        with name_scope(None if name is None else name, default) as scope:
            inputs = [self._queue_ref]
            if n is not None:
                inputs.append(convert_to_tensor(n, dtype=dtypes_lib.int32, name="n"))
            return g._create_op_internal(op_type, inputs, attrs, scope[:-1])

    def _ret(self, op: Operation) -> Any:
        outs = list(op._outputs)
        if self._names:
            return {n: outs[i] for i, n in enumerate(self._names)}
        if len(outs) == 1:
            return outs[0]
        return outs

    def dequeue(self, name: str | None = None) -> Any:
        """Dequeues one element; blocks while the queue is empty (OutOfRangeError once it is
        closed and empty)."""
        op = self._dequeue_op("QueueDequeueV2", f"{self._name}_Dequeue", name)
        for out, shape in zip(op._outputs, self._shapes):
            out.set_shape(shape)
        return self._ret(op)

    def dequeue_many(self, n: Any, name: str | None = None) -> Any:
        """Dequeues ``n`` elements, stacked along a new dimension 0."""
        op = self._dequeue_op("QueueDequeueManyV2", f"{self._name}_DequeueMany", name, n)
        value = constant_value(op.inputs[1])
        batch = Dimension(None if value is None else int(value))
        for out, shape in zip(op._outputs, self._shapes):
            out.set_shape(TensorShape([batch]).concatenate(shape))
        return self._ret(op)

    def dequeue_up_to(self, n: Any, name: str | None = None) -> Any:
        """Like dequeue_many, but once the queue is closed returns what is left (< n)."""
        op = self._dequeue_op("QueueDequeueUpToV2", f"{self._name}_DequeueUpTo", name, n)
        for out, shape in zip(op._outputs, self._shapes):
            out.set_shape(TensorShape([None]).concatenate(shape))
        return self._ret(op)

    def close(self, cancel_pending_enqueues: bool = False, name: str | None = None
              ) -> Operation:
        """Closes the queue: later enqueues fail, dequeues drain what is left."""
        g = get_default_graph()
        with name_scope(name, f"{self._name}_Close") as scope:
            return g._create_op_internal("QueueCloseV2", [self._queue_ref], {
                "cancel_pending_enqueues": bool(cancel_pending_enqueues)}, scope[:-1])

    def is_closed(self, name: str | None = None) -> Tensor:
        g = get_default_graph()
        with name_scope(name, f"{self._name}_Is_Closed") as scope:
            return g._create_op_internal("QueueIsClosedV2", [self._queue_ref], {},
                                         scope[:-1])._outputs[0]

    def size(self, name: str | None = None) -> Tensor:
        g = get_default_graph()
        with name_scope(name, f"{self._name}_Size") as scope:
            return g._create_op_internal("QueueSizeV2", [self._queue_ref], {},
                                         scope[:-1])._outputs[0]


def _make_queue(op_type: str, name: str, attrs: dict[str, Any]) -> Tensor:
    from minitf.ops.variables import init_scope

    with init_scope():
        g = get_default_graph()
        # a name ending in "/" is a scope's name, taken as is (TF's name_from_scope_name)
        op_name = name[:-1] if name.endswith("/") else g.unique_name(name)
        return g._create_op_internal(op_type, [], attrs, op_name)._outputs[0]


def _queue_attrs(dts: list[Any], shapes: list[TensorShape] | None, capacity: int,
                 shared_name: str | None) -> dict[str, Any]:
    return {"component_types": dts, "shapes": list(shapes or []), "capacity": int(capacity),
            "container": "", "shared_name": shared_name or ""}


class FIFOQueue(QueueBase):
    """``tf.FIFOQueue``: first in, first out (dequeue_many needs fully defined shapes)."""

    def __init__(self, capacity: int, dtypes: Any, shapes: Any = None, names: Any = None,
                 shared_name: str | None = None, name: str = "fifo_queue") -> None:
        dts = _as_type_list(dtypes)
        shp = _as_shape_list(shapes)
        nms = _as_name_list(names, dts)
        ref = _make_queue("FIFOQueueV2", name, _queue_attrs(dts, shp, capacity, shared_name))
        super().__init__(dts, shp, nms, ref)


class PaddingFIFOQueue(QueueBase):
    """``tf.PaddingFIFOQueue``: a FIFO queue whose dequeue_many pads unknown dimensions."""

    def __init__(self, capacity: int, dtypes: Any, shapes: Any, names: Any = None,
                 shared_name: str | None = None, name: str = "padding_fifo_queue") -> None:
        dts = _as_type_list(dtypes)
        shp = _as_shape_list(shapes, unknown_dim_allowed=True)
        nms = _as_name_list(names, dts)
        if shp is None or len(dts) != len(shp):
            raise ValueError("Shapes must be provided for all components, but received "
                             f"{len(dts)} dtypes and {0 if shp is None else len(shp)} shapes.")
        ref = _make_queue("PaddingFIFOQueueV2", name,
                          _queue_attrs(dts, shp, capacity, shared_name))
        super().__init__(dts, shp, nms, ref)


class RandomShuffleQueue(QueueBase):
    """``tf.RandomShuffleQueue``: dequeues a random element, keeping at least
    ``min_after_dequeue`` elements until it is closed."""

    def __init__(self, capacity: int, min_after_dequeue: int, dtypes: Any, shapes: Any = None,
                 names: Any = None, seed: int | None = None, shared_name: str | None = None,
                 name: str = "random_shuffle_queue") -> None:
        from minitf.ops.random_ops import get_seed

        dts = _as_type_list(dtypes)
        shp = _as_shape_list(shapes)
        nms = _as_name_list(names, dts)
        seed1, seed2 = get_seed(seed)
        attrs = _queue_attrs(dts, shp, capacity, shared_name)
        attrs.update(min_after_dequeue=int(min_after_dequeue), seed=int(seed1 or 0),
                     seed2=int(seed2 or 0))
        ref = _make_queue("RandomShuffleQueueV2", name, attrs)
        super().__init__(dts, shp, nms, ref)
