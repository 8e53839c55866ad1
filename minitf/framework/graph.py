"""``tf.Graph``: op naming, scopes (name, device, control dependencies, colocation), collections,
and the default-graph stack."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from minitf.framework import dtypes
from minitf.framework.device_spec import canonical_name, merge_device
from minitf.framework.op_registry import REQUIRED, OpDef, get_op_def
from minitf.framework.operation import Operation, output_shapes_for
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import as_shape

__all__ = ["Graph", "GraphKeys", "get_default_graph", "reset_default_graph", "name_scope",
           "control_dependencies", "device", "colocate_with", "get_collection",
           "get_collection_ref", "add_to_collection", "add_to_collections", "get_name_scope"]

_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


class GraphKeys:
    """Standard collection names (``tf.GraphKeys``)."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


class _ControlDependencies:
    """One ``control_dependencies`` block: its control inputs and the ops created inside it."""

    __slots__ = ("control_inputs", "_seen")

    def __init__(self, control_inputs: list[Operation]) -> None:
        self.control_inputs = control_inputs
        self._seen: set[int] = set()

    def add_op(self, op: Operation) -> None:
        self._seen.add(id(op))

    def op_in_group(self, op: Operation) -> bool:
        return id(op) in self._seen


class Graph:
    """A dataflow graph: operations connected by tensors (``tf.Graph``)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._ops_by_name: dict[str, Operation] = {}
        self._ops: list[Operation] = []
        self._names_in_use: dict[str, int] = {}
        self._name_stack = ""
        self._control_stack: list[_ControlDependencies] = []
        self._device_stack: list[str | Callable[[Operation], Any] | None] = []
        self._colocation_stack: list[Operation] = []
        self._gradient_override_map: dict[str, str] = {}
        self._collections: dict[str, list[Any]] = {}
        self._finalized = False
        self._mutation_version = 0
        self._seed: int | None = None
        self._unfeedable: set[int] = set()
        self._unfetchable: set[int] = set()
        self._variable_creator_stack: list[Any] = []
        self._attr_scope: dict[str, Any] = {}
        # The cond branch or loop body being built (minitf.ops.control_flow_context); ops
        # created while it is set belong to it and read outside values through it.
        self._control_flow_context: Any = None

    # --- versions -------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Number of ops created so far (TF: the id of the last op)."""
        return len(self._ops)

    @property
    def graph_def_versions(self) -> Any:
        from minitf.framework.graph_io import VersionDef

        return VersionDef(producer=27, min_consumer=0)

    def _bump_mutation_version(self) -> None:
        self._mutation_version += 1

    @property
    def seed(self) -> int | None:
        return self._seed

    @seed.setter
    def seed(self, seed: int | None) -> None:
        self._seed = seed

    @property
    def building_function(self) -> bool:
        return False

    # --- default graph --------------------------------------------------------------------
    @contextlib.contextmanager
    def as_default(self) -> Iterator[Graph]:
        """Makes this the default graph inside a with-block."""
        stack = _default_graph_stack()
        stack.append(self)
        try:
            yield self
        finally:
            # The stack may have been cleared by reset_default_graph misuse; be tolerant.
            if stack and stack[-1] is self:
                stack.pop()

    # --- finalization ---------------------------------------------------------------------
    def finalize(self) -> None:
        self._finalized = True

    @property
    def finalized(self) -> bool:
        return self._finalized

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    def _check_not_finalized(self) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    # --- names ----------------------------------------------------------------------------
    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """``name`` under the current name scope, made unique as TF makes it (``x``, ``x_1``)."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        name_key = name.lower()
        i = self._names_in_use.get(name_key, 0)
        if mark_as_used:
            self._names_in_use[name_key] = i + 1
        if i > 0:
            base_key = name_key
            while name_key in self._names_in_use:
                name_key = f"{base_key}_{i}"
                i += 1
            if mark_as_used:
                self._names_in_use[name_key] = 1
            name = f"{name}_{i - 1}"
        return name

    def get_name_scope(self) -> str:
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name: str | None) -> Iterator[str]:
        """Opens a name scope; ``"scope/"`` re-enters an absolute scope, None resets to the root."""
        if name:
            if not isinstance(name, str):
                name = name.decode() if isinstance(name, bytes) else str(name)
            regex = _VALID_SCOPE_NAME if self._name_stack else _VALID_OP_NAME
            if not regex.match(name):
                raise ValueError(f"'{name}' is not a valid scope name")
        old = self._name_stack
        if not name:
            new_stack, returned = "", ""
        elif name[-1] == "/":
            new_stack, returned = name[:-1], name
        else:
            new_stack = self.unique_name(name)
            returned = new_stack + "/"
        self._name_stack = new_stack
        try:
            yield returned
        finally:
            self._name_stack = old

    # --- control flow contexts ------------------------------------------------------------
    def _get_control_flow_context(self) -> Any:
        return self._control_flow_context

    def _set_control_flow_context(self, ctx: Any) -> None:
        self._control_flow_context = ctx

    # --- control dependencies -------------------------------------------------------------
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs: Any) -> Iterator[None]:
        """Ops created inside run only after ``control_inputs``; None clears outer blocks
        (and, as in TF, leaves any cond branch or loop body being built)."""
        if control_inputs is None:
            saved = self._control_stack
            saved_ctx = self._control_flow_context
            self._control_stack = []
            self._control_flow_context = None
            try:
                yield
            finally:
                self._control_stack = saved
                self._control_flow_context = saved_ctx
            return
        ops: list[Operation] = []
        current = {id(c) for block in self._control_stack for c in block.control_inputs}
        for c in control_inputs:
            if hasattr(c, "_as_graph_element") and not isinstance(c, (Tensor, Operation)):
                c = c._as_graph_element()
            if isinstance(c, Tensor):
                c = c.op
            if not isinstance(c, Operation):
                raise TypeError(f"Control input must be Operation or Tensor: {c}")
            if c._graph is not self:
                raise ValueError(f"Control input {c.name} is not an element of this graph.")
            if id(c) not in current:
                ops.append(c)
                current.add(id(c))
        block = _ControlDependencies(ops)
        self._control_stack.append(block)
        try:
            yield
        finally:
            self._control_stack.remove(block)

    def _control_inputs_for(self, input_ops: list[Operation]) -> list[Operation]:
        out: list[Operation] = []
        for block in self._control_stack:
            if any(block.op_in_group(op) for op in input_ops):
                continue
            out.extend(c for c in block.control_inputs if c not in input_ops and c not in out)
        return out

    # --- devices and colocation -----------------------------------------------------------
    @contextlib.contextmanager
    def device(self, device_name_or_function: Any) -> Iterator[None]:
        """Ops created inside get this device (a string, a DeviceSpec, a function, or None)."""
        spec = device_name_or_function
        if spec is not None and not callable(spec):
            spec = canonical_name(spec)
        self._device_stack.append(spec)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _device_for(self, op: Operation) -> str:
        device = ""
        for spec in self._device_stack:
            if spec is None:
                device = ""
            elif callable(spec):
                op._device = device
                device = canonical_name(spec(op) or "")
            else:
                device = merge_device(device, spec)
        return device

    @contextlib.contextmanager
    def colocate_with(self, op: Any, ignore_existing: bool = False) -> Iterator[None]:
        if op is None:
            saved = self._colocation_stack
            self._colocation_stack = []
            try:
                yield
            finally:
                self._colocation_stack = saved
            return
        if hasattr(op, "_as_graph_element") and not isinstance(op, (Tensor, Operation)):
            op = op._as_graph_element()
        if isinstance(op, Tensor):
            op = op.op
        saved = self._colocation_stack
        self._colocation_stack = ([] if ignore_existing else list(saved)) + [op]
        try:
            yield
        finally:
            self._colocation_stack = saved

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map: dict[str, str]) -> Iterator[None]:
        """Ops of the given types created inside use the mapped gradient function."""
        if not isinstance(op_type_map, dict):
            raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        saved = dict(self._gradient_override_map)
        self._gradient_override_map.update(op_type_map)
        try:
            yield
        finally:
            self._gradient_override_map = saved

    # --- op creation ----------------------------------------------------------------------
    def create_op(self, op_type: str, inputs: list[Tensor], dtypes: Any = None,
                  input_types: Any = None, name: str | None = None,
                  attrs: dict[str, Any] | None = None, op_def: Any = None,
                  compute_shapes: bool = True, compute_device: bool = True) -> Operation:
        """Adds an op of a registered type (TF's low-level ``Graph.create_op``)."""
        if name is None:
            name = op_type
        if name.endswith("/"):
            name = name[:-1]
        else:
            name = self.unique_name(name)
        return self._create_op_internal(op_type, list(inputs), dict(attrs or {}), name,
                                        compute_device=compute_device)

    def _create_op_internal(self, op_type: str, inputs: list[Tensor], attrs: dict[str, Any],
                            name: str, compute_device: bool = True,
                            control_inputs: list[Operation] | None = None) -> Operation:
        """Creates an op named exactly ``name`` (already unique) with fully typed attrs."""
        self._check_not_finalized()
        op_def = get_op_def(op_type)
        if not _VALID_OP_NAME.match(name):
            raise ValueError(f"'{name}' is not a valid node name")
        for t in inputs:
            if not isinstance(t, Tensor):
                raise TypeError(f"Input to op {name} must be a Tensor, got {type(t).__name__}")
            if t._op._graph is not self:
                raise ValueError(f"Tensor {t} must be from the same graph as the op {name} "
                                 f"(graphs are {t._op._graph} and {self}).")
        ctx = self._control_flow_context
        if ctx is not None:  # inside a cond branch or loop body: outside values come in there
            inputs = ctx.capture_inputs(inputs, name)
        elif any(t._op._control_flow_context is not None for t in inputs):
            from minitf.ops.control_flow_context import read_at_root  # a value from inside one

            inputs = read_at_root(self, inputs, name)
        _complete_attrs(op_def, inputs, attrs, name)
        if op_type in self._gradient_override_map:
            attrs["_gradient_op_type"] = self._gradient_override_map[op_type]
        if self._colocation_stack:
            attrs["_class"] = [f"loc:@{self._colocation_stack[-1].name}"]
        with self._lock:
            if name in self._ops_by_name:
                raise ValueError(f"Duplicate node name in graph: '{name}'")
            ctrl = self._control_inputs_for([t._op for t in inputs])
            if control_inputs:
                ctrl.extend(c for c in control_inputs if c not in ctrl)
            op = Operation(self, name, op_def, inputs, attrs, ctrl, "", len(self._ops) + 1)
            if compute_device:
                if self._colocation_stack:
                    op._device = self._colocation_stack[-1]._device
                elif self._device_stack:
                    op._device = self._device_for(op)
            self._ops.append(op)
            self._ops_by_name[name] = op
            self._names_in_use.setdefault(name.lower(), 1)
            for block in self._control_stack:
                block.add_op(op)
            if ctx is not None:
                ctx.add_op(op)
        try:
            shapes = output_shapes_for(op)
        except ValueError as e:
            self._remove_failed_op(op)
            raise ValueError(f"{e} for '{name}' (op: '{op_type}') with input shapes: "
                             f"{', '.join(_shape_str(t.shape) for t in inputs)}.") from None
        except Exception:
            self._remove_failed_op(op)
            raise
        for t, s in zip(op._outputs, shapes):
            t._shape = s
        return op

    def _remove_failed_op(self, op: Operation) -> None:
        """Undoes the creation of an op whose shape function rejected its inputs."""
        with self._lock:
            self._ops.remove(op)
            del self._ops_by_name[op.name]
            for t in op._inputs:
                t._consumers.remove(op)
            for c in op._control_inputs:
                c._control_outputs.remove(op)

    # --- lookup ---------------------------------------------------------------------------
    def get_operations(self) -> list[Operation]:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def _get_operation_by_name_unsafe(self, name: str) -> Operation:
        return self._ops_by_name[name]

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj: Any, allow_tensor: bool = True,
                         allow_operation: bool = True) -> Any:
        """Resolves a Tensor, Operation or name to an element of this graph (TF's rules)."""
        if allow_tensor and allow_operation:
            types_str = "Tensor or Operation"
        elif allow_tensor:
            types_str = "Tensor"
        else:
            types_str = "Operation"
        temp = obj
        if hasattr(obj, "_as_graph_element") and not isinstance(obj, (Tensor, Operation, str)):
            temp = obj._as_graph_element()
            if temp is None:
                raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")
        obj = temp
        if isinstance(obj, bytes):
            obj = obj.decode()
        if isinstance(obj, str):
            name = obj
            if ":" in name and allow_tensor:
                op_name, _, idx = name.rpartition(":")
                try:
                    out_n = int(idx)
                except ValueError:
                    raise ValueError(f"The name {name!r} looks a like a Tensor name, but is not "
                                     "a valid one. Tensor names must be of the form "
                                     '"<op_name>:<output_index>".') from None
                op = self._ops_by_name.get(op_name)
                if op is None:
                    raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. "
                                   f"The operation, {op_name!r}, does not exist in the graph.")
                if out_n >= len(op.outputs):
                    raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. "
                                   f"The operation, {op_name!r}, exists but only has "
                                   f"{len(op.outputs)} outputs.")
                return op.outputs[out_n]
            if ":" in name and not allow_tensor:
                raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a "
                                 f"{types_str}.")
            if not allow_operation:
                if name in self._ops_by_name:
                    raise ValueError(f"The name {name!r} refers to an Operation, not a "
                                     f"{types_str}. Tensor names must be of the form "
                                     '"<op_name>:<output_index>".')
                raise ValueError(f"The name {name!r} looks like an (invalid) Operation name, "
                                 f"not a {types_str}. Tensor names must be of the form "
                                 '"<op_name>:<output_index>".')
            op = self._ops_by_name.get(name)
            if op is None:
                raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
            return op
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")

    # --- feeding / fetching ---------------------------------------------------------------
    def prevent_feeding(self, tensor: Tensor) -> None:
        self._unfeedable.add(id(tensor))

    def is_feedable(self, tensor: Tensor) -> bool:
        return id(tensor) not in self._unfeedable

    def prevent_fetching(self, op: Operation) -> None:
        self._unfetchable.add(id(op))

    def is_fetchable(self, tensor_or_op: Any) -> bool:
        op = tensor_or_op.op if isinstance(tensor_or_op, Tensor) else tensor_or_op
        return id(op) not in self._unfetchable

    # --- collections ----------------------------------------------------------------------
    def add_to_collection(self, name: str, value: Any) -> None:
        self._check_not_finalized()
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names: Any, value: Any) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name: str) -> list[Any]:
        return self._collections.setdefault(name, [])

    def get_collection(self, name: str, scope: str | None = None) -> list[Any]:
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        regex = re.compile(scope)
        out = []
        for item in items:
            try:
                if regex.match(item.name):
                    out.append(item)
            except AttributeError:
                pass
        return out

    def get_all_collection_keys(self) -> list[str]:
        return [k for k, v in self._collections.items() if isinstance(v, list)]

    def clear_collection(self, name: str) -> None:
        self._check_not_finalized()
        self._collections.pop(name, None)

    # --- serialization --------------------------------------------------------------------
    def as_graph_def(self, from_version: int | None = None, add_shapes: bool = False) -> Any:
        """This graph as a GraphDef message (TF's protobuf schema)."""
        from minitf.framework.graph_io import graph_to_graph_def

        return graph_to_graph_def(self, from_version=from_version, add_shapes=add_shapes)

    def _repr_html_(self) -> str | None:
        try:
            from minitf.viz.notebook import graph_html
        except ImportError:
            return None
        return graph_html(self)

    def _repr_svg_(self) -> str | None:
        try:
            from minitf.viz.notebook import graph_svg
        except ImportError:
            return None
        return graph_svg(self)

    def __repr__(self) -> str:
        return f"<minitf.Graph object at {id(self):#x} with {len(self._ops)} ops>"


def _shape_str(shape: Any) -> str:
    dims = shape.as_tuple()
    if dims is None:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _complete_attrs(op_def: OpDef, inputs: list[Tensor], attrs: dict[str, Any],
                    name: str) -> None:
    """Infers type/number attrs from inputs, fills defaults, checks required attrs."""
    i = 0
    for k, arg in enumerate(op_def.inputs):
        if arg.type_list_attr is not None:
            given = attrs.get(arg.type_list_attr)
            n = len(given) if given is not None else len(inputs) - i - (len(op_def.inputs) - 1 - k)
            group = inputs[i:i + n]
            i += n
            if given is None:
                attrs[arg.type_list_attr] = [t.dtype.base_dtype for t in group]
            continue
        if arg.number_attr is not None:
            n = attrs.get(arg.number_attr)
            if n is None:
                n = len(inputs) - i - (len(op_def.inputs) - 1 - op_def.inputs.index(arg))
                attrs[arg.number_attr] = n
            group = inputs[i:i + n]
            i += n
        else:
            group = inputs[i:i + 1]
            i += 1
        if not group:
            continue
        if arg.type_attr is not None and arg.type_attr not in attrs:
            attrs[arg.type_attr] = group[0].dtype.base_dtype
    if i != len(inputs):
        raise ValueError(f"Op {name} of type {op_def.type} expects {i} inputs, got {len(inputs)}")
    for attr_name, spec in op_def.attrs.items():
        if attr_name not in attrs:
            if spec.default is REQUIRED:
                raise TypeError(f"Op {name} of type {op_def.type} is missing required attr "
                                f"'{attr_name}'")
            default = spec.default
            attrs[attr_name] = list(default) if isinstance(default, list) else default
        elif spec.kind == "type":
            attrs[attr_name] = dtypes.as_dtype(attrs[attr_name])
        elif spec.kind == "shape" and attrs[attr_name] is not None:
            attrs[attr_name] = as_shape(attrs[attr_name])


# --- the default graph stack --------------------------------------------------------------------

_global_default_graph: Graph | None = None
_thread_state = threading.local()


def _default_graph_stack() -> list[Graph]:
    stack = getattr(_thread_state, "stack", None)
    if stack is None:
        stack = _thread_state.stack = []
    return stack


def get_default_graph() -> Graph:
    """The innermost graph made default with ``as_default()``, else the global default graph."""
    stack = _default_graph_stack()
    if stack:
        return stack[-1]
    global _global_default_graph
    if _global_default_graph is None:
        _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph() -> None:
    """Replaces the global default graph with a new, empty one."""
    if _default_graph_stack():
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. If you "
                             "need a cleared graph, exit the nesting and create a new graph.")
    global _global_default_graph
    _global_default_graph = Graph()
    from minitf.client import session as _session

    _session._reset_default_session_stack()


def _graph_of(values: Any) -> Graph:
    """The graph holding the tensors/ops among ``values`` (else the default graph)."""
    graph = None
    for v in values or ():
        if isinstance(v, Tensor):
            g = v.op.graph
        elif isinstance(v, Operation):
            g = v.graph
        elif hasattr(v, "graph") and isinstance(getattr(v, "graph", None), Graph):
            g = v.graph
        else:
            continue
        if graph is None:
            graph = g
        elif g is not graph:
            raise ValueError(f"{v} must be from the same graph as {values[0]} (graphs are "
                             f"{g} and {graph}).")
    return graph if graph is not None else get_default_graph()


@contextlib.contextmanager
def name_scope(name: str | None, default_name: str | None = None,
               values: Any = None) -> Iterator[str]:
    """``tf.name_scope``: opens ``name`` (or a unique ``default_name``) in the graph of
    ``values``."""
    if name is None and default_name is None and values is None:
        # tf.name_scope(None) resets to the root scope
        pass
    n = default_name if name is None else name
    if values is None:
        values = []
    g = _graph_of(list(values))
    with g.as_default(), g.name_scope(n) as scope:
        yield scope


def get_name_scope() -> str:
    return get_default_graph().get_name_scope()


def control_dependencies(control_inputs: Any) -> Any:
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function: Any) -> Any:
    return get_default_graph().device(device_name_or_function)


def colocate_with(op: Any, ignore_existing: bool = False) -> Any:
    return get_default_graph().colocate_with(op, ignore_existing)


def add_to_collection(name: str, value: Any) -> None:
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names: Any, value: Any) -> None:
    get_default_graph().add_to_collections(names, value)


def get_collection(key: str, scope: str | None = None) -> list[Any]:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key: str) -> list[Any]:
    return get_default_graph().get_collection_ref(key)
