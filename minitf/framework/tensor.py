"""The symbolic ``tf.Tensor``: one output of an :class:`~minitf.framework.operation.Operation`.

Python operators (``+``, ``*``, ``@``, ``[]`` ...) are attached by :mod:`minitf.ops.math_ops`
and :mod:`minitf.ops.array_ops`, which own the ops they build.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minitf.framework import dtypes
from minitf.framework.tensor_shape import TensorShape, as_shape

if TYPE_CHECKING:
    from minitf.framework.graph import Graph
    from minitf.framework.operation import Operation

__all__ = ["Tensor"]


class Tensor:
    """A symbolic handle to one output of an operation; its value exists only inside a Session."""

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_consumers", "__weakref__")
    __array_priority__ = 100  # numpy defers to our reflected operators

    def __init__(self, op: Operation, value_index: int, dtype: dtypes.DType) -> None:
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = TensorShape(None)
        self._consumers: list[Operation] = []

    # --- identity -------------------------------------------------------------------------
    @property
    def op(self) -> Operation:
        return self._op

    @property
    def value_index(self) -> int:
        return self._value_index

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def graph(self) -> Graph:
        return self._op._graph

    @property
    def name(self) -> str:
        return f"{self._op._name}:{self._value_index}"

    @property
    def device(self) -> str:
        return self._op.device

    # --- shapes ---------------------------------------------------------------------------
    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape: Any) -> None:
        """Refines the static shape; raises ValueError when ``shape`` is incompatible."""
        self._shape = self._shape.merge_with(as_shape(shape))

    @property
    def ndim(self) -> int | None:
        return self._shape.ndims

    def _shape_tuple(self) -> tuple[int | None, ...] | None:
        return self._shape.as_tuple()

    # --- graph relations ------------------------------------------------------------------
    def consumers(self) -> list[Operation]:
        return list(self._consumers)

    def _as_node_def_input(self) -> str:
        return self._op._name if self._value_index == 0 else self.name

    def _as_graph_element(self) -> Tensor:
        return self

    def eval(self, feed_dict: dict[Any, Any] | None = None, session: Any = None) -> Any:
        """Runs the graph up to this tensor in ``session`` (default: the default session)."""
        from minitf.client.session import _run_using_default_session

        return _run_using_default_session(self, feed_dict, self.graph, session)

    # --- python protocol ------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self) -> str:
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'

    def __hash__(self) -> int:
        return id(self)

    # TF 1.x: == compares identity (Tensor equality is not elementwise in graph mode).
    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __bool__(self) -> bool:
        raise TypeError("Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not "
                        "None:` instead of `if t:` to test if a tensor is defined, and use "
                        "TensorFlow ops such as tf.cond to execute subgraphs conditioned on the "
                        "value of a tensor.")

    __nonzero__ = __bool__

    def __iter__(self) -> Any:
        dims = self._shape.as_tuple()
        if dims is None:
            raise TypeError("Cannot iterate over a tensor with unknown shape.")
        if not dims:
            raise TypeError("Cannot iterate over a scalar tensor.")
        if dims[0] is None:
            raise TypeError("Cannot iterate over a tensor with unknown first dimension.")
        return (self[i] for i in range(dims[0]))

    def __len__(self) -> int:
        raise TypeError(f"len is not well defined for symbolic Tensors. ({self.name}) Please "
                        "call `x.shape` rather than `len(x)` for shape information.")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise NotImplementedError(f"Cannot convert a symbolic Tensor ({self.name}) to a numpy "
                                  "array. Run it in a Session (sess.run / .eval()) to get its "
                                  "value.")

    def __reduce__(self) -> Any:
        raise TypeError("Tensors cannot be pickled; serialize the graph with as_graph_def().")
