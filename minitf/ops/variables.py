"""``tf.Variable`` (TF 1.x reference variables), variable collections and initializer ops.

A Variable is four ops, named as TF names them: ``<name>/initial_value`` (when the initial value
is not a tensor already), ``<name>`` (VariableV2), ``<name>/Assign`` (its initializer) and
``<name>/read`` (Identity, the value other ops consume). Values live in the Session: a new
Session starts with every variable uninitialized, and reading one raises FailedPreconditionError
"Attempting to use uninitialized value <name>".
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import Graph, GraphKeys, get_collection, get_default_graph, name_scope
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import (
    convert_to_tensor,
    register_tensor_conversion_function,
)
from minitf.framework.tensor_shape import TensorShape, as_shape, unknown_shape
from minitf.ops import state_ops

__all__ = ["Variable", "VariableSynchronization", "VariableAggregation",
           "global_variables", "all_variables", "local_variables", "model_variables",
           "trainable_variables", "moving_average_variables", "variables_initializer",
           "initialize_variables", "global_variables_initializer", "initialize_all_variables",
           "local_variables_initializer", "initialize_local_variables",
           "report_uninitialized_variables", "assert_variables_initialized"]


class VariableSynchronization(enum.Enum):
    """When a distributed variable is synchronized (``tf.VariableSynchronization``)."""

    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    """How a distributed variable is aggregated (``tf.VariableAggregation``)."""

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3
    ONLY_FIRST_TOWER = 3


def _validate_sync_aggregation_trainable(synchronization: Any, aggregation: Any,
                                         trainable: bool | None, name: Any) -> tuple[Any, ...]:
    aggregation = aggregation or VariableAggregation.NONE
    if not isinstance(aggregation, VariableAggregation):
        try:
            aggregation = VariableAggregation(aggregation)
        except ValueError:
            raise ValueError(f"Invalid variable aggregation mode: {aggregation} for variable: "
                             f"{name}") from None
    if synchronization is None:
        synchronization = VariableSynchronization.AUTO
    else:
        try:
            synchronization = VariableSynchronization(synchronization)
        except ValueError:
            raise ValueError(f"Invalid variable synchronization mode: {synchronization} for "
                             f"variable: {name}") from None
    if trainable is None:
        trainable = synchronization != VariableSynchronization.ON_READ
    return synchronization, aggregation, trainable


@contextlib.contextmanager
def init_scope(graph: Graph | None = None) -> Iterator[None]:
    """TF's ``ops.init_scope`` in graph mode: ops made inside escape outer control
    dependencies (variable initializers must not wait for the ops around them)."""
    g = graph if graph is not None else get_default_graph()
    with g.as_default(), g.control_dependencies(None):
        yield


class Variable:
    """A TF 1.x reference variable (``tf.Variable``): a mutable tensor kept by the Session.

    Accepted anywhere a tensor is (it converts to its ``read`` snapshot), supports Python
    operators through that snapshot, and is fetched by ``sess.run(v)``.
    ``use_resource=True`` still builds a reference variable (minitf has no resource variables).
    """

    __array_priority__ = 100  # numpy defers to our reflected operators

    def __init__(self, initial_value: Any = None, trainable: bool | None = None,
                 collections: Any = None, validate_shape: bool = True,
                 caching_device: Any = None, name: str | None = None,
                 variable_def: Any = None, dtype: Any = None, expected_shape: Any = None,
                 import_scope: str | None = None, constraint: Any = None,
                 use_resource: bool | None = None,
                 synchronization: Any = VariableSynchronization.AUTO,
                 aggregation: Any = VariableAggregation.NONE, shape: Any = None) -> None:
        del expected_shape, use_resource
        if variable_def is not None:
            if initial_value is not None:
                raise ValueError(f"variable_def and initial_value are mutually exclusive. "
                                 f"Received: variable_def={variable_def} and "
                                 f"initial_value={initial_value}.")
            self._init_from_proto(variable_def, import_scope)
            return
        self._init_from_args(initial_value, trainable, collections, validate_shape,
                             caching_device, name, dtype, constraint, synchronization,
                             aggregation, shape)

    def _init_from_args(self, initial_value: Any, trainable: bool | None, collections: Any,
                        validate_shape: bool, caching_device: Any, name: str | None,
                        dtype: Any, constraint: Any, synchronization: Any, aggregation: Any,
                        shape: Any) -> None:
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        init_from_fn = callable(initial_value)
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if not isinstance(collections, (list, tuple, set)):
            raise ValueError(f"collections argument to Variable constructor must be a list, "
                             f"tuple, or set. Got {collections} of type {type(collections)}")
        if constraint is not None and not callable(constraint):
            raise ValueError("The `constraint` argument must be a callable.")
        self._synchronization, self._aggregation, trainable = \
            _validate_sync_aggregation_trainable(synchronization, aggregation, trainable, name)
        self._trainable = trainable
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections = list(collections) + [GraphKeys.TRAINABLE_VARIABLES]
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
        if shape is not None:
            shape = as_shape(shape)
        with init_scope(), name_scope(name, "Variable",
                                      [] if init_from_fn else [initial_value]) as scope:
            g = get_default_graph()
            if init_from_fn:
                with g.name_scope("Initializer"), g.device(None):
                    self._initial_value = convert_to_tensor(initial_value(),
                                                            name="initial_value", dtype=dtype)
            else:
                self._initial_value = convert_to_tensor(initial_value, name="initial_value",
                                                        dtype=dtype)
            if shape is None:
                shape = self._initial_value.get_shape() if validate_shape else unknown_shape()
            self._variable = state_ops.variable_op_v2(
                shape, self._initial_value.dtype.base_dtype, name=scope)
            self._name = self._variable.name
            if validate_shape and not self._initial_value.get_shape().is_fully_defined():
                raise ValueError(f"initial_value must have a shape specified: "
                                 f"{self._initial_value}")
            # An initial value computed from other variables reads their initialized values,
            # so one initializer run initializes them all in any order (as TF does).
            self._initializer_op = state_ops.assign(
                self._variable, _guard_uninitialized_dependencies(scope, self._initial_value),
                validate_shape=validate_shape).op
            from minitf.ops.array_ops import identity

            if caching_device is not None:
                with g.device(caching_device):
                    self._snapshot = identity(self._variable, name="read")
            else:
                with g.colocate_with(self._variable.op):
                    self._snapshot = identity(self._variable, name="read")
            g.add_to_collections(collections, self)
        self._caching_device = caching_device
        self._save_slice_info = None
        self._constraint = constraint

    def _init_from_proto(self, variable_def: Any, import_scope: str | None) -> None:
        """Rebinds to existing ops named by a VariableDef (or any object with its fields)."""
        g = get_default_graph()

        def lookup(field: str) -> Any:
            value = getattr(variable_def, field, "") or ""
            if not value:
                return None
            if import_scope:
                value = f"{import_scope}/{value}"
            return g.as_graph_element(value)

        self._variable = lookup("variable_name")
        self._name = self._variable.name
        self._initial_value = lookup("initial_value_name")
        self._initializer_op = lookup("initializer_name")
        self._snapshot = lookup("snapshot_name")
        self._trainable = bool(getattr(variable_def, "trainable", True))
        self._synchronization = VariableSynchronization.AUTO
        self._aggregation = VariableAggregation.NONE
        self._caching_device = None
        self._save_slice_info = None
        self._constraint = None

    # --- identity ---------------------------------------------------------------------------
    name = property(lambda self: self._name, doc="``<op name>:0``")
    _shared_name = property(lambda self: self._name[:self._name.index(":")])
    op = property(lambda self: self._variable.op, doc="The VariableV2 op.")
    dtype = property(lambda self: self._variable.dtype, doc="The reference dtype (float32_ref).")
    shape = property(lambda self: self._variable.get_shape())
    graph = property(lambda self: self._variable.graph)
    device = property(lambda self: self._variable.device)
    initializer = property(lambda self: self._initializer_op, doc="Its Assign op.")
    initial_value = property(lambda self: self._initial_value)
    trainable = property(lambda self: self._trainable)
    constraint = property(lambda self: self._constraint)
    synchronization = property(lambda self: self._synchronization)
    aggregation = property(lambda self: self._aggregation)

    def get_shape(self) -> TensorShape:
        return self._variable.get_shape()

    def set_shape(self, shape: Any) -> None:
        self._ref().set_shape(shape)
        self.value().set_shape(shape)

    # --- reading ----------------------------------------------------------------------------
    def value(self) -> Tensor:
        """The ``read`` snapshot (Identity of the variable)."""
        return self._snapshot

    def read_value(self) -> Tensor:
        """A new Identity reading the variable where it is created (``read``, ``read_1`` ...)."""
        from minitf.ops.array_ops import identity

        return identity(self._variable, name="read")

    def _ref(self) -> Tensor:
        """The reference tensor (``v:0``, dtype ``float32_ref``) that Assign ops take."""
        return self._variable

    def _as_graph_element(self) -> Tensor:
        return self._variable

    def eval(self, session: Any = None) -> Any:
        """Its value in ``session`` (default: the default session)."""
        return self._variable.eval(session=session)

    def initialized_value(self) -> Tensor:
        """Its value, or its initial value while uninitialized (a ``tf.cond`` on
        ``is_variable_initialized``, as in TF)."""
        with init_scope():
            from minitf.ops import control_flow_ops

            cond = getattr(control_flow_ops, "cond", None)
            if cond is None:
                return self._initial_value
            return cond(state_ops.is_variable_initialized(self), self.read_value,
                        lambda: self.initial_value)

    def is_initialized(self, name: str | None = None) -> Tensor:
        return state_ops.is_variable_initialized(self._variable, name=name)

    def load(self, value: Any, session: Any = None) -> None:
        """Writes ``value`` into the variable by feeding its initializer (``Variable.load``)."""
        if session is None:
            from minitf.client.session import get_default_session

            session = get_default_session()
            if session is None:
                raise ValueError("Either session argument should be provided or default "
                                 "session should be established")
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    # --- writing ----------------------------------------------------------------------------
    def assign(self, value: Any, use_locking: bool = False, name: str | None = None,
               read_value: bool = True) -> Any:
        """``Assign`` op; returns its (reference) output, or the op when ``read_value=False``."""
        out = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def assign_add(self, delta: Any, use_locking: bool = False, name: str | None = None,
                   read_value: bool = True) -> Any:
        out = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def assign_sub(self, delta: Any, use_locking: bool = False, name: str | None = None,
                   read_value: bool = True) -> Any:
        out = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def count_up_to(self, limit: int) -> Tensor:
        return state_ops.count_up_to(self._variable, limit=limit)

    # --- checkpoint slices (used by savers) -------------------------------------------------
    def _get_save_slice_info(self) -> Any:
        return self._save_slice_info

    def _set_save_slice_info(self, save_slice_info: Any) -> None:
        self._save_slice_info = save_slice_info

    # --- serialization ----------------------------------------------------------------------
    def to_proto(self, export_scope: str | None = None) -> Any:
        """A VariableDef message (needs ``minitf.framework.proto`` to define VariableDef)."""
        from minitf.framework.proto import meta_graph_pb

        cls = getattr(meta_graph_pb, "VariableDef", None)
        if cls is None:
            raise NotImplementedError("VariableDef is not available in minitf.framework.proto")
        if export_scope is not None and not self._variable.name.startswith(export_scope):
            return None

        def strip(n: str) -> str:
            if export_scope and n.startswith(export_scope + "/"):
                return n[len(export_scope) + 1:]
            return n

        return cls(variable_name=strip(self._variable.name),
                   initial_value_name=strip(self._initial_value.name),
                   initializer_name=strip(self._initializer_op.name),
                   snapshot_name=strip(self._snapshot.name), trainable=self._trainable)

    @staticmethod
    def from_proto(variable_def: Any, import_scope: str | None = None) -> Variable:
        return Variable(variable_def=variable_def, import_scope=import_scope)

    # --- python protocol --------------------------------------------------------------------
    def __repr__(self) -> str:
        return (f"<tf.Variable '{self.name}' shape={self.get_shape()} "
                f"dtype={self.dtype.name}>")

    def __hash__(self) -> int:
        return id(self)

    # TF 1.x: == compares identity, as for tensors.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __bool__(self) -> bool:
        return bool(self._snapshot)

    def __iter__(self) -> Any:
        return iter(self.value())

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise NotImplementedError(f"Cannot convert a symbolic Variable ({self.name}) to a numpy "
                                  "array. Run it in a Session (sess.run / .eval()) to get its "
                                  "value.")

    def __reduce__(self) -> Any:
        raise TypeError("Variables cannot be pickled; save them with tf.train.Saver.")


VariableV1 = Variable

# Operators act on the ``read`` snapshot, through whatever Tensor defines (looked up at call time
# so operators installed later by the math/array modules are used too).
_OVERLOADED = ("add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv", "floordiv",
               "rfloordiv", "mod", "rmod", "pow", "rpow", "matmul", "rmatmul", "and", "rand",
               "or", "ror", "xor", "rxor", "lt", "le", "gt", "ge", "getitem", "neg", "abs",
               "invert")


def _make_operator(dunder: str) -> Any:
    def operator(self: Variable, *args: Any) -> Any:
        fn = getattr(Tensor, dunder, None)
        if fn is None:
            if dunder == "__getitem__":
                raise TypeError("'Variable' object is not subscriptable")
            return NotImplemented
        return fn(self.value(), *args)

    operator.__name__ = dunder
    return operator


for _op in _OVERLOADED:
    setattr(Variable, f"__{_op}__", _make_operator(f"__{_op}__"))


def _make_scatter(kind: str) -> Any:
    fn = getattr(state_ops, f"scatter_{kind}")

    def scatter(self: Variable, sparse_delta: IndexedSlices, use_locking: bool = False,
                name: str | None = None) -> Tensor:
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta}")
        return fn(self._variable, sparse_delta.indices, sparse_delta.values,
                  use_locking=use_locking, name=name)

    scatter.__name__ = f"scatter_{kind}"
    scatter.__doc__ = f"Sparse ``scatter_{kind}`` of an IndexedSlices into this variable."
    return scatter


for _kind in ("update", "add", "sub", "mul", "div"):
    setattr(Variable, f"scatter_{_kind}", _make_scatter(_kind))


def _variable_to_tensor(v: Variable, dtype: Any = None, name: str | None = None,
                        as_ref: bool = False) -> Tensor:
    if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(v.dtype):
        raise ValueError(f"Incompatible type conversion requested to type '{dtype.name}' for "
                         f"variable of type '{v.dtype.name}'")
    return v._ref() if as_ref else v.value()


register_tensor_conversion_function(Variable, _variable_to_tensor)


# --- guarding initial values that read other variables -------------------------------------------

_UNCHANGED_TYPES = ("IsVariableInitialized", "VarIsInitializedOp", "ReadVariableOp", "If",
                    "MinitfCond", "MinitfWhile")  # (functional control flow: as TF's If)


def _has_cycle(root: Operation) -> bool:
    """Whether the ops feeding ``root`` (data and control edges) contain a cycle."""
    started, finished = set(), set()
    stack: list[tuple[Operation, bool]] = [(root, False)]
    while stack:
        op, done = stack.pop()
        if done:
            started.discard(id(op))
            finished.add(id(op))
            continue
        if id(op) in finished:
            continue
        if id(op) in started:
            return True
        started.add(id(op))
        stack.append((op, True))
        for dep in [t.op for t in op.inputs] + list(op.control_inputs):
            if id(dep) in started:
                return True
            if id(dep) not in finished:
                stack.append((dep, False))
    return False


def _initialized_value_of(var_op: Operation) -> Tensor | None:
    names = (var_op.name, var_op.name + ":0")
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for var in var_op.graph.get_collection(key):
            if getattr(var, "name", None) in names and hasattr(var, "initialized_value"):
                return var.initialized_value()
    return None


def _guard_uninitialized_dependencies(scope: str, initial_value: Tensor) -> Tensor:
    """TF's ``_try_guard_against_uninitialized_dependencies``: copies the ops between
    ``initial_value`` and any variable it reads (as ``<op>_<variable name>``), reading that
    variable's ``initialized_value()`` instead."""
    if _has_cycle(initial_value.op):
        return initial_value
    suffix = scope[:-1] if scope.endswith("/") else scope
    replaced: dict[int, list[Tensor]] = {}
    order: list[Operation] = []
    seen: set[int] = set()
    stack: list[tuple[Operation, bool]] = [(initial_value.op, False)]
    while stack:  # post-order over data inputs
        op, done = stack.pop()
        if done:
            order.append(op)
            continue
        if id(op) in seen:
            continue
        seen.add(id(op))
        stack.append((op, True))
        if op.type not in _UNCHANGED_TYPES and op.type != "VariableV2":
            stack.extend((t.op, False) for t in reversed(op.inputs) if id(t.op) not in seen)
    for op in order:
        if op.type in _UNCHANGED_TYPES:
            continue
        if op.type == "VariableV2":
            value = _initialized_value_of(op)
            if value is not None:
                replaced[id(op)] = [value]
            continue
        inputs = [replaced[id(t.op)][t.value_index] if id(t.op) in replaced else t
                  for t in op.inputs]
        if all(a is b for a, b in zip(inputs, op.inputs)) or op.op_def.ref_input_indices:
            continue
        attrs = {k: v for k, v in op._attrs.items()}
        new_op = op.graph._create_op_internal(op.type, inputs, attrs,
                                              f"{op.name}_{suffix}".replace(":", "_"))
        replaced[id(op)] = list(new_op.outputs)
    out = replaced.get(id(initial_value.op))
    return out[initial_value.value_index] if out is not None else initial_value


# --- collections -----------------------------------------------------------------------------

def global_variables(scope: str | None = None) -> list[Any]:
    """Variables in GLOBAL_VARIABLES (``tf.global_variables``), filtered by name regex."""
    return get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables() -> list[Any]:
    return global_variables()


def local_variables(scope: str | None = None) -> list[Any]:
    return get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope: str | None = None) -> list[Any]:
    return get_collection(GraphKeys.MODEL_VARIABLES, scope)


def trainable_variables(scope: str | None = None) -> list[Any]:
    return get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def moving_average_variables(scope: str | None = None) -> list[Any]:
    return get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


# --- initializer ops -------------------------------------------------------------------------

def variables_initializer(var_list: Any, name: str = "init") -> Operation:
    """One op running the initializers of ``var_list`` (a NoOp when it is empty)."""
    from minitf.ops import control_flow_ops

    if var_list:
        return control_flow_ops.group(*[v.initializer for v in var_list], name=name)
    return control_flow_ops.no_op(name=name)


def initialize_variables(var_list: Any, name: str = "init") -> Operation:
    return variables_initializer(var_list, name=name)


def global_variables_initializer() -> Operation:
    """The op ``init`` initializing every global variable (``tf.global_variables_initializer``)."""
    return variables_initializer(global_variables())


def initialize_all_variables() -> Operation:
    return global_variables_initializer()


def local_variables_initializer() -> Operation:
    return variables_initializer(local_variables())


def initialize_local_variables() -> Operation:
    return local_variables_initializer()


def _default_var_list() -> list[Any]:
    var_list = global_variables() + local_variables()
    if not var_list:
        var_list = [op.outputs[0] for op in get_default_graph().get_operations()
                    if op.type in ("Variable", "VariableV2", "AutoReloadVariable")]
    return var_list


def assert_variables_initialized(var_list: Any = None) -> Tensor | None:
    """An op failing with FailedPreconditionError while a variable is uninitialized (by reading
    the variables' ranks, as TF does); None when there are no variables."""
    from minitf.ops import array_ops

    var_list = _default_var_list() if var_list is None else var_list
    if not var_list:
        return None
    g = get_default_graph()
    ranks = []
    for var in var_list:
        with g.colocate_with(var.op):
            ranks.append(array_ops.rank(var))
    return ranks[0] if len(ranks) == 1 else array_ops.stack(ranks)  # type: ignore[attr-defined]


def report_uninitialized_variables(var_list: Any = None,
                                   name: str = "report_uninitialized_variables") -> Tensor:
    """A 1-D string tensor: the names of the uninitialized variables (empty when none)."""
    from minitf.ops import array_ops, math_ops
    from minitf.ops.constant_op import constant

    var_list = _default_var_list() if var_list is None else var_list
    g = get_default_graph()
    with g.name_scope(name):
        if var_list:
            init_vars = [state_ops.is_variable_initialized(v) for v in var_list]
        with g.device("/cpu:0"):
            if not var_list:
                return constant([], dtype=dtypes.string)
            mask = math_ops.logical_not(array_ops.stack(init_vars))  # type: ignore[attr-defined]
            names = constant([v.op.name for v in var_list])
            return array_ops.boolean_mask(names, mask)  # type: ignore[attr-defined]
