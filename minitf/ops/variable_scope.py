"""``tf.variable_scope`` and ``tf.get_variable``: named, shareable variables (TF 1.x).

Variable names depend only on the variable scope (``foo/bar/v``); the name scope opened next to
each variable scope (``foo``, ``foo_1`` on re-entry) names the other ops. The store of named
variables and the scope stack live in graph collections, so ``tf.reset_default_graph()`` starts
afresh, as in TF.
"""

from __future__ import annotations

import copy
import enum
import functools
import inspect
import threading
from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import GraphKeys, get_collection, get_default_graph
from minitf.framework.op_def_library import graph_of_inputs
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import as_shape
from minitf.ops import init_ops
from minitf.ops.variables import (
    Variable,
    VariableAggregation,
    VariableSynchronization,
    _validate_sync_aggregation_trainable,
)

__all__ = ["AUTO_REUSE", "VariableScope", "variable_scope", "variable_op_scope", "get_variable",
           "get_local_variable", "get_variable_scope", "no_regularizer"]


class _ReuseMode(enum.Enum):
    """Mode for variable access within a variable scope."""

    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


def no_regularizer(_: Any) -> None:
    """Use this function to prevent regularization of variables (``tf.no_regularizer``)."""
    return None


def _needs_no_arguments(fn: Any) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in params)


def _accepts(fn: Any, arg: str) -> bool:
    try:
        return arg in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class _VariableStore:
    """The variables created by ``get_variable``, by full name."""

    def __init__(self) -> None:
        self._vars: dict[str, Variable] = {}

    def get_variable(self, name: str, shape: Any = None, dtype: Any = dtypes.float32,
                     initializer: Any = None, regularizer: Any = None, reuse: Any = None,
                     trainable: bool | None = None, collections: Any = None,
                     caching_device: Any = None, partitioner: Any = None,
                     validate_shape: bool = True, use_resource: bool | None = None,
                     custom_getter: Any = None, constraint: Any = None,
                     synchronization: Any = VariableSynchronization.AUTO,
                     aggregation: Any = VariableAggregation.NONE) -> Variable:
        dtype = getattr(dtype, "base_dtype", dtype)

        def _true_getter(name: str, shape: Any = None, dtype: Any = dtypes.float32,
                         initializer: Any = None, regularizer: Any = None, reuse: Any = None,
                         trainable: bool | None = None, collections: Any = None,
                         caching_device: Any = None, partitioner: Any = None,
                         validate_shape: bool = True, use_resource: bool | None = None,
                         constraint: Any = None, synchronization: Any = None,
                         aggregation: Any = None) -> Variable:
            is_scalar = shape is not None and isinstance(shape, (list, tuple)) and not shape
            if partitioner is not None and not is_scalar:
                raise NotImplementedError(f"minitf does not support partitioned variables "
                                          f"(partitioner given for {name})")
            return self._get_single_variable(
                name, shape=shape, dtype=dtype, initializer=initializer,
                regularizer=regularizer, reuse=reuse, trainable=trainable,
                collections=collections, caching_device=caching_device,
                validate_shape=validate_shape, constraint=constraint,
                synchronization=synchronization, aggregation=aggregation)

        synchronization, aggregation, trainable = _validate_sync_aggregation_trainable(
            synchronization, aggregation, trainable, name)
        kwargs = {"name": name, "shape": shape, "dtype": dtype, "initializer": initializer,
                  "regularizer": regularizer, "reuse": reuse, "trainable": trainable,
                  "collections": collections, "caching_device": caching_device,
                  "partitioner": partitioner, "validate_shape": validate_shape,
                  "use_resource": use_resource, "synchronization": synchronization,
                  "aggregation": aggregation}
        if custom_getter is not None:
            if not callable(custom_getter):
                raise ValueError(f"Passed a custom_getter which is not callable: "
                                 f"{custom_getter}")
            if _accepts(custom_getter, "constraint") or _accepts_kwargs(custom_getter):
                kwargs["constraint"] = constraint
            return custom_getter(getter=_true_getter, **kwargs)
        return _true_getter(constraint=constraint, **kwargs)

    def _get_single_variable(self, name: str, shape: Any = None, dtype: Any = dtypes.float32,
                             initializer: Any = None, regularizer: Any = None,
                             reuse: Any = None, trainable: bool | None = None,
                             collections: Any = None, caching_device: Any = None,
                             validate_shape: bool = True, constraint: Any = None,
                             synchronization: Any = None, aggregation: Any = None) -> Variable:
        initializing_from_value = initializer is not None and not callable(initializer)
        if shape is not None and initializing_from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        dtype = dtypes.as_dtype(dtype)
        if shape is not None:
            shape = as_shape(shape)
        if name in self._vars:
            found = self._vars[name]
            if reuse is False:
                msg = (f"Variable {name} already exists, disallowed. Did you mean to set "
                       "reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
                where = found.op.traceback
                raise ValueError(f"{msg} Originally defined at:\n\n  {where}\n" if where
                                 else msg)
            if shape is not None and not shape.is_compatible_with(found.get_shape()):
                raise ValueError(f"Trying to share variable {name}, but specified shape {shape}"
                                 f" and found shape {found.get_shape()}.")
            if not dtype.is_compatible_with(found.dtype):
                raise ValueError(f"Trying to share variable {name}, but specified dtype "
                                 f"{dtype.name} and found dtype {found.dtype.name}.")
            return found
        if reuse is True:
            raise ValueError(f"Variable {name} does not exist, or was not created with "
                             "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
                             "VarScope?")
        if initializer is None:
            if shape is None:
                raise ValueError(f"Variable {name} did not get an initializer, so its `shape` "
                                 "argument must be specified.")
            initializer = _default_initializer(name, dtype)
        if initializing_from_value:
            init_val, variable_dtype = initializer, None
        else:
            if inspect.isclass(initializer):
                initializer = initializer()
            if shape is not None and shape.is_fully_defined():
                extra = {"partition_info": None} if _accepts(initializer, "partition_info") \
                    else {}
                init_val = functools.partial(initializer, shape.as_list(), dtype=dtype, **extra)
                variable_dtype = dtype.base_dtype
            elif _needs_no_arguments(initializer):
                init_val, variable_dtype = initializer, None
            else:
                raise ValueError("The initializer passed is not valid. It should be a callable "
                                 "with no arguments and the shape should not be provided or an "
                                 "instance of `tf.keras.initializers.*' and `shape` should be "
                                 "fully defined.")
        v = Variable(initial_value=init_val, name=name, trainable=trainable,
                     collections=collections, caching_device=caching_device,
                     dtype=variable_dtype, validate_shape=validate_shape, constraint=constraint,
                     synchronization=synchronization, aggregation=aggregation, shape=shape)
        self._vars[name] = v
        if regularizer:
            g = get_default_graph()
            with g.colocate_with(v.op), g.name_scope(name + "/Regularizer/"), \
                    g.control_dependencies(None):
                loss = regularizer(v)
            if loss is not None:
                g.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return v


def _accepts_kwargs(fn: Any) -> bool:
    try:
        return any(p.kind is p.VAR_KEYWORD for p in inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False


def _default_initializer(name: str, dtype: dtypes.DType) -> Any:
    """glorot_uniform for floating point, zeros for integers, bools and strings (TF's rule)."""
    if dtype.is_floating:
        return init_ops.glorot_uniform_initializer()
    if dtype.is_integer or dtype.is_unsigned or dtype.is_bool or dtype == dtypes.string:
        return init_ops.zeros_initializer()
    raise ValueError(f"An initializer for variable {name} of {dtype.base_dtype!r} is required")


class VariableScope:
    """A variable scope: its name and the defaults of the variables made inside
    (``tf.VariableScope``)."""

    def __init__(self, reuse: Any, name: str = "", initializer: Any = None,
                 regularizer: Any = None, caching_device: Any = None, partitioner: Any = None,
                 custom_getter: Any = None, name_scope: str = "", dtype: Any = dtypes.float32,
                 use_resource: bool | None = None, constraint: Any = None) -> None:
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    dtype = property(lambda self: self._dtype)
    use_resource = property(lambda self: self._use_resource)
    regularizer = property(lambda self: self._regularizer)
    caching_device = property(lambda self: self._caching_device)
    partitioner = property(lambda self: self._partitioner)
    custom_getter = property(lambda self: self._custom_getter)
    constraint = property(lambda self: self._constraint)

    def reuse_variables(self) -> None:
        """Variables requested in this scope from now on are reused."""
        self._reuse = True

    def set_initializer(self, initializer: Any) -> None:
        self._initializer = initializer

    def set_dtype(self, dtype: Any) -> None:
        self._dtype = dtype

    def set_use_resource(self, use_resource: bool | None) -> None:
        self._use_resource = use_resource

    def set_regularizer(self, regularizer: Any) -> None:
        self._regularizer = regularizer

    def set_caching_device(self, caching_device: Any) -> None:
        self._caching_device = caching_device

    def set_partitioner(self, partitioner: Any) -> None:
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter: Any) -> None:
        self._custom_getter = custom_getter

    def get_collection(self, name: str) -> list[Any]:
        """This scope's members of collection ``name``."""
        return get_collection(name, self._name + "/" if self._name else "")

    def trainable_variables(self) -> list[Any]:
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self) -> list[Any]:
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self) -> list[Any]:
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(self, var_store: _VariableStore, name: str, shape: Any = None,
                     dtype: Any = None, initializer: Any = None, regularizer: Any = None,
                     reuse: Any = None, trainable: bool | None = None, collections: Any = None,
                     caching_device: Any = None, partitioner: Any = None,
                     validate_shape: bool = True, use_resource: bool | None = None,
                     custom_getter: Any = None, constraint: Any = None,
                     synchronization: Any = VariableSynchronization.AUTO,
                     aggregation: Any = VariableAggregation.NONE) -> Variable:
        """Gets an existing variable ``<scope>/<name>`` or creates it with this scope's
        defaults."""
        regularizer = self._regularizer if regularizer is None else regularizer
        caching_device = self._caching_device if caching_device is None else caching_device
        partitioner = self._partitioner if partitioner is None else partitioner
        custom_getter = self._custom_getter if custom_getter is None else custom_getter
        reuse = self._reuse if reuse is None else reuse
        full_name = self.name + "/" + name if self.name else name
        g = get_default_graph()
        # Variable names depend only on the variable scope: reset the name scope meanwhile.
        with g.name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                init_dtype = convert_to_tensor(initializer).dtype.base_dtype
                if init_dtype != dtypes.as_dtype(dtype):
                    raise ValueError(f"Initializer type '{init_dtype!r}' and explicit dtype "
                                     f"'{dtypes.as_dtype(dtype)!r}' don't match.")
            initializer = self._initializer if initializer is None else initializer
            constraint = self._constraint if constraint is None else constraint
            dtype = self._dtype if dtype is None else dtype
            return var_store.get_variable(
                full_name, shape=shape, dtype=dtype, initializer=initializer,
                regularizer=regularizer, reuse=reuse, trainable=trainable,
                collections=collections, caching_device=caching_device,
                partitioner=partitioner, validate_shape=validate_shape,
                use_resource=use_resource, custom_getter=custom_getter, constraint=constraint,
                synchronization=synchronization, aggregation=aggregation)

    def __repr__(self) -> str:
        return f"<VariableScope name={self._name!r} reuse={self._reuse!r}>"


_VARSTORE_KEY = ("__variable_store",)
_VARSCOPESTORE_KEY = ("__varscope",)


class _VariableScopeStore(threading.local):
    """The current variable scope and how often each scope name was opened (per thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.current_scope = VariableScope(False)
        self.variable_scopes_count: dict[str, int] = {}

    def open_variable_scope(self, scope_name: str) -> None:
        self.variable_scopes_count[scope_name] = self.variable_scopes_count.get(scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name: str | None) -> None:
        prefix = None if scope_name is None else scope_name + "/"
        for k in self.variable_scopes_count:
            if prefix is None or k.startswith(prefix):
                self.variable_scopes_count[k] = 0

    def variable_scope_count(self, scope_name: str) -> int:
        return self.variable_scopes_count.get(scope_name, 0)


def _get_variable_scope_store() -> _VariableScopeStore:
    g = get_default_graph()
    stores = g.get_collection(_VARSCOPESTORE_KEY)
    if stores:
        return stores[0]
    store = _VariableScopeStore()
    g.add_to_collection(_VARSCOPESTORE_KEY, store)
    return store


def get_variable_scope() -> VariableScope:
    """The current variable scope (``tf.get_variable_scope``)."""
    return _get_variable_scope_store().current_scope


def _get_default_variable_store() -> _VariableStore:
    g = get_default_graph()
    stores = g.get_collection(_VARSTORE_KEY)
    if stores:
        return stores[0]
    store = _VariableStore()
    g.add_to_collection(_VARSTORE_KEY, store)
    return store


def get_variable(name: str, shape: Any = None, dtype: Any = None, initializer: Any = None,
                 regularizer: Any = None, trainable: bool | None = None, collections: Any = None,
                 caching_device: Any = None, partitioner: Any = None,
                 validate_shape: bool = True, use_resource: bool | None = None,
                 custom_getter: Any = None, constraint: Any = None,
                 synchronization: Any = VariableSynchronization.AUTO,
                 aggregation: Any = VariableAggregation.NONE) -> Variable:
    """Gets the variable ``<current variable scope>/<name>`` or creates it
    (``tf.get_variable``): reuse rules, default initializers (glorot_uniform for floats, zeros
    for integers), regularizer losses into REGULARIZATION_LOSSES."""
    return get_variable_scope().get_variable(
        _get_default_variable_store(), name, shape=shape, dtype=dtype, initializer=initializer,
        regularizer=regularizer, trainable=trainable, collections=collections,
        caching_device=caching_device, partitioner=partitioner, validate_shape=validate_shape,
        use_resource=use_resource, custom_getter=custom_getter, constraint=constraint,
        synchronization=synchronization, aggregation=aggregation)


def get_local_variable(name: str, shape: Any = None, dtype: Any = None,
                       initializer: Any = None, regularizer: Any = None,
                       trainable: bool = False, collections: Any = None,
                       caching_device: Any = None, partitioner: Any = None,
                       validate_shape: bool = True, use_resource: bool | None = None,
                       custom_getter: Any = None, constraint: Any = None,
                       synchronization: Any = VariableSynchronization.AUTO,
                       aggregation: Any = VariableAggregation.NONE) -> Variable:
    """As :func:`get_variable`, in LOCAL_VARIABLES and not trainable."""
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                        regularizer=regularizer, trainable=False, collections=collections,
                        caching_device=caching_device, partitioner=partitioner,
                        validate_shape=validate_shape, use_resource=use_resource,
                        custom_getter=custom_getter, constraint=constraint,
                        synchronization=synchronization, aggregation=aggregation)


def _maybe_wrap_custom_getter(custom_getter: Any, old_getter: Any) -> Any:
    if old_getter is None:
        return custom_getter

    def wrapped_custom_getter(getter: Any, *args: Any, **kwargs: Any) -> Any:
        return custom_getter(functools.partial(old_getter, getter), *args, **kwargs)

    return wrapped_custom_getter


class _pure_variable_scope:  # noqa: N801 - TF's name
    """Enters a variable scope without opening a name scope."""

    def __init__(self, name_or_scope: Any, reuse: Any = None, initializer: Any = None,
                 regularizer: Any = None, caching_device: Any = None, partitioner: Any = None,
                 custom_getter: Any = None, old_name_scope: str | None = None,
                 dtype: Any = dtypes.float32, use_resource: bool | None = None,
                 constraint: Any = None) -> None:
        self._name_or_scope = name_or_scope
        self._reuse = reuse
        self._overrides = {"initializer": initializer, "regularizer": regularizer,
                           "caching_device": caching_device, "partitioner": partitioner,
                           "dtype": dtype, "use_resource": use_resource}
        self._custom_getter = custom_getter
        self._old_name_scope = old_name_scope
        self._constraint = constraint
        self._var_scope_store = _get_variable_scope_store()
        self._last_variable_scope_object: VariableScope | None = None
        if isinstance(name_or_scope, VariableScope):
            self._new_name = name_or_scope.name
            self._cached = self._derive(name_or_scope, name_or_scope.reuse if not reuse
                                        else reuse, name_or_scope._name_scope)

    def _derive(self, parent: VariableScope, reuse: Any, name_scope: str) -> VariableScope:
        scope = VariableScope(reuse, name=self._new_name, initializer=parent.initializer,
                              regularizer=parent.regularizer,
                              caching_device=parent.caching_device,
                              partitioner=parent.partitioner, dtype=parent.dtype,
                              custom_getter=parent.custom_getter, name_scope=name_scope,
                              use_resource=parent.use_resource, constraint=self._constraint)
        for key, value in self._overrides.items():
            if value is not None:
                getattr(scope, f"set_{key}")(value)
        if self._custom_getter is not None:
            scope.set_custom_getter(_maybe_wrap_custom_getter(self._custom_getter,
                                                              parent.custom_getter))
        return scope

    def __enter__(self) -> VariableScope:
        store = self._var_scope_store
        self._old = store.current_scope
        if isinstance(self._name_or_scope, VariableScope):
            store.open_variable_scope(self._new_name)
            self._old_subscopes = copy.copy(store.variable_scopes_count)
            scope = self._cached
        else:
            old = self._old
            self._new_name = (old.name + "/" + self._name_or_scope if old.name
                              else self._name_or_scope)
            self._reuse = self._reuse or old.reuse  # reuse is inherited by sub-scopes
            name_scope = self._name_or_scope if self._old_name_scope is None \
                else self._old_name_scope
            scope = self._derive(old, self._reuse, name_scope)
            store.open_variable_scope(self._new_name)
        store.current_scope = scope
        self._last_variable_scope_object = scope
        return scope

    def __exit__(self, *exc: Any) -> None:
        store = self._var_scope_store
        if store.current_scope is not self._last_variable_scope_object:
            raise RuntimeError("Improper nesting of variable_scope.")
        if isinstance(self._name_or_scope, VariableScope):
            store.variable_scopes_count = self._old_subscopes
        else:
            store.close_variable_subscopes(self._new_name)
        store.current_scope = self._old


def _get_unique_variable_scope(prefix: str) -> str:
    store = _get_variable_scope_store()
    current = get_variable_scope()
    name = current.name + "/" + prefix if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    idx = 1
    while store.variable_scope_count(f"{name}_{idx}") > 0:
        idx += 1
    return f"{prefix}_{idx}"


class variable_scope:  # noqa: N801 - TF's name
    """Opens a variable scope (and a name scope beside it) (``tf.variable_scope``).

    ``reuse=True`` reuses existing variables, ``tf.AUTO_REUSE`` creates or reuses, None
    inherits. Re-entering a scope object reuses its name and defaults and opens a new name
    scope (``foo_1/``)."""

    def __init__(self, name_or_scope: Any, default_name: str | None = None, values: Any = None,
                 initializer: Any = None, regularizer: Any = None, caching_device: Any = None,
                 partitioner: Any = None, custom_getter: Any = None, reuse: Any = None,
                 dtype: Any = None, use_resource: bool | None = None, constraint: Any = None,
                 auxiliary_name_scope: bool = True) -> None:
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._kwargs = {"initializer": initializer, "regularizer": regularizer,
                        "caching_device": caching_device, "partitioner": partitioner,
                        "custom_getter": custom_getter, "dtype": dtype,
                        "use_resource": use_resource, "constraint": constraint}
        self._reuse = None if reuse is False else reuse
        if default_name is None and name_or_scope is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if not (self._reuse is True or self._reuse is None or self._reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        self._graph = graph_of_inputs(list(values or []))
        self._cached_pure_variable_scope: _pure_variable_scope | None = None
        self._current_name_scope: Any = None
        self._name_scope_arg: str | None = None
        if not isinstance(auxiliary_name_scope, bool):
            raise TypeError(f"The auxiliary_name_scope must be `True` or `False`, while get "
                            f"{auxiliary_name_scope}")
        self._auxiliary_name_scope = auxiliary_name_scope

    def __enter__(self) -> VariableScope:
        self._graph_context_manager = self._graph.as_default()
        self._graph_context_manager.__enter__()
        if self._cached_pure_variable_scope is not None:
            if self._name_scope_arg is not None:
                # Re-entering the same object opens its name scope again (uniquified).
                self._current_name_scope = self._graph.name_scope(self._name_scope_arg)
                self._current_name_scope.__enter__()
            return self._cached_pure_variable_scope.__enter__()
        try:
            return self._enter_scope_uncached()
        except BaseException:
            self._graph_context_manager.__exit__(None, None, None)
            raise

    def _enter_scope_uncached(self) -> VariableScope:
        g = self._graph
        scope_arg: str | None = None
        if not self._auxiliary_name_scope:
            # Re-enter the current name scope instead of opening a new one.
            ns = g.get_name_scope()
            scope_arg = ns + "/" if ns else ns
        if self._name_or_scope is not None:
            if not isinstance(self._name_or_scope, (VariableScope, str)):
                raise TypeError("VariableScope: name_or_scope must be a string or "
                                "VariableScope.")
            if isinstance(self._name_or_scope, str):
                ns_name = self._name_or_scope
            else:
                ns_name = self._name_or_scope.name.split("/")[-1]
            old_name_scope = None
            if ns_name or scope_arg is not None:
                entered = self._open_name_scope(ns_name if scope_arg is None else scope_arg)
                old_name_scope = entered if isinstance(self._name_or_scope, str) \
                    else self._name_or_scope.original_name_scope
            pure = _pure_variable_scope(self._name_or_scope, reuse=self._reuse,
                                        old_name_scope=old_name_scope, **self._pure_kwargs())
        else:
            if self._reuse:
                raise ValueError("reuse=True cannot be used without a name_or_scope")
            entered = self._open_name_scope(self._default_name if scope_arg is None
                                            else scope_arg)
            unique = _get_unique_variable_scope(self._default_name)  # type: ignore[arg-type]
            pure = _pure_variable_scope(unique, old_name_scope=entered, **self._pure_kwargs())
        try:
            scope = pure.__enter__()
        except BaseException:
            if self._current_name_scope is not None:
                self._current_name_scope.__exit__(None, None, None)
            raise
        self._cached_pure_variable_scope = pure
        return scope

    def _open_name_scope(self, name: Any) -> str:
        self._name_scope_arg = name
        self._current_name_scope = self._graph.name_scope(name)
        return self._current_name_scope.__enter__()

    def _pure_kwargs(self) -> dict[str, Any]:
        return dict(self._kwargs)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if self._cached_pure_variable_scope is not None:
                self._cached_pure_variable_scope.__exit__(exc_type, exc, tb)
        finally:
            try:
                if self._current_name_scope is not None:
                    self._current_name_scope.__exit__(exc_type, exc, tb)
            finally:
                self._graph_context_manager.__exit__(exc_type, exc, tb)


def variable_op_scope(values: Any, name_or_scope: Any, default_name: str | None = None,
                      **kwargs: Any) -> variable_scope:
    """Deprecated form of ``variable_scope(name_or_scope, default_name, values)``."""
    return variable_scope(name_or_scope, default_name=default_name, values=values, **kwargs)

