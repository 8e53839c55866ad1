"""``tf.Operation``: a node of the graph, with its inputs, outputs, attributes and device."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from minitf.framework.op_registry import OpDef
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape

if TYPE_CHECKING:
    from minitf.framework.graph import Graph

__all__ = ["Operation", "user_call_site"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def user_call_site() -> str:
    """``file:line`` of the innermost stack frame outside the minitf package."""
    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not fn.startswith(_PACKAGE_DIR) and not fn.startswith("<frozen"):
            return f"{fn}:{f.f_lineno}"
        f = f.f_back  # type: ignore[assignment]
    return ""


class Operation:
    """A graph node. Created through op wrappers (``tf.add`` ...) or :meth:`Graph.create_op`."""

    __slots__ = ("_graph", "_name", "_type", "_op_def", "_inputs", "_outputs", "_control_inputs",
                 "_control_outputs", "_attrs", "_device", "_id", "_defined_at",
                 "_control_flow_context", "__weakref__")

    def __init__(self, graph: Graph, name: str, op_def: OpDef, inputs: list[Tensor],
                 attrs: dict[str, Any], control_inputs: list[Operation], device: str,
                 op_id: int) -> None:
        self._graph = graph
        self._name = name
        self._type = op_def.type
        self._op_def = op_def
        self._inputs = list(inputs)
        self._attrs = attrs
        self._control_inputs = list(control_inputs)
        self._control_outputs: list[Operation] = []
        self._device = device
        self._id = op_id
        self._defined_at = user_call_site()
        self._control_flow_context = None
        self._outputs = [Tensor(self, i, d) for i, d in enumerate(op_def.output_dtypes(attrs))]
        for t in self._inputs:
            t._consumers.append(self)
        for c in self._control_inputs:
            c._control_outputs.append(self)

    # --- identity -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def type(self) -> str:
        return self._type

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def op_def(self) -> OpDef:
        return self._op_def

    @property
    def device(self) -> str:
        return self._device

    def _set_device(self, device: Any) -> None:
        from minitf.framework.device_spec import canonical_name

        self._device = canonical_name(device)

    @property
    def traceback(self) -> str:
        return self._defined_at

    # --- edges ----------------------------------------------------------------------------
    @property
    def inputs(self) -> tuple[Tensor, ...]:
        return tuple(self._inputs)

    @property
    def outputs(self) -> list[Tensor]:
        return self._outputs

    def values(self) -> tuple[Tensor, ...]:
        return tuple(self._outputs)

    @property
    def control_inputs(self) -> list[Operation]:
        return list(self._control_inputs)

    def _add_control_input(self, op: Operation) -> None:
        if not isinstance(op, Operation):
            raise TypeError(f"op must be an Operation: {op}")
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            op._control_outputs.append(self)
            self._graph._bump_mutation_version()

    def _add_control_inputs(self, ops: list[Operation]) -> None:
        for op in ops:
            self._add_control_input(op)

    def _remove_all_control_inputs(self) -> None:
        for c in self._control_inputs:
            c._control_outputs.remove(self)
        self._control_inputs = []
        self._graph._bump_mutation_version()

    def _update_input(self, index: int, tensor: Tensor) -> None:
        """Rewires input ``index`` to ``tensor`` (same dtype required)."""
        old = self._inputs[index]
        if tensor.dtype.base_dtype != old.dtype.base_dtype:
            raise TypeError(f"Cannot update input {index} of {self._name}: dtype "
                            f"{tensor.dtype.name} != {old.dtype.name}")
        old._consumers.remove(self)
        self._inputs[index] = tensor
        tensor._consumers.append(self)
        self._graph._bump_mutation_version()

    # --- attributes -----------------------------------------------------------------------
    def get_attr(self, name: str) -> Any:
        """The value of attribute ``name``: DType, TensorShape, int, float, bool, bytes, list,
        or a numpy array for tensor-valued attributes."""
        try:
            value = self._attrs[name]
        except KeyError:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.") from None
        if isinstance(value, str):
            return value.encode()
        if isinstance(value, list) and value and isinstance(value[0], str):
            return [v.encode() for v in value]
        return value

    def _set_attr(self, name: str, value: Any) -> None:
        self._attrs[name] = value
        self._graph._bump_mutation_version()

    @property
    def node_def(self) -> Any:
        from minitf.framework.graph_io import node_def_of

        return node_def_of(self)

    def colocation_groups(self) -> list[bytes]:
        groups = self._attrs.get("_class")
        if groups:
            return sorted(g.encode() for g in groups)
        return [f"loc:@{self._name}".encode()]

    # --- running --------------------------------------------------------------------------
    def run(self, feed_dict: dict[Any, Any] | None = None, session: Any = None) -> None:
        """Runs this op in ``session`` (default: the default session)."""
        from minitf.client.session import _run_using_default_session

        _run_using_default_session(self, feed_dict, self._graph, session)

    def _as_graph_element(self) -> Operation:
        return self

    # --- python protocol ------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def __str__(self) -> str:
        return str(self.node_def)

    def __reduce__(self) -> Any:
        raise TypeError("Operations cannot be pickled; serialize the graph with as_graph_def().")


def output_shapes_for(op: Operation) -> list[TensorShape]:
    """Runs the op's shape function; unknown shapes when it has none."""
    fn = op._op_def.shape
    n = len(op._outputs)
    if fn is None:
        return [TensorShape(None)] * n
    shapes = list(fn(op))
    if len(shapes) != n:
        raise AssertionError(f"shape function of {op._type} returned {len(shapes)} shapes for "
                             f"{n} outputs")
    return shapes


def is_ref_tensor(t: Tensor) -> bool:
    return t._dtype._is_ref_dtype

