"""``apply_op``: builds one op from Python values, as TF's generated op wrappers do.

Inputs are converted inside the op's name scope (so ``tf.add(3, 5)`` makes ``Add/x`` and
``Add/y``), type attributes are inferred from the inputs in signature order, and attributes are
checked against the signature. Errors are TF's TypeError/ValueError messages.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.graph import Graph, get_default_graph
from minitf.framework.op_registry import REQUIRED, ArgSpec, AttrSpec, get_op_def
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import as_shape

__all__ = ["apply_op", "graph_of_inputs"]


def graph_of_inputs(values: Any) -> Graph:
    """The graph of the tensors among ``values``; ValueError when they come from two graphs."""
    graph = None
    first = None
    for v in values:
        if isinstance(v, (list, tuple)):
            for w in v:
                g = _graph_attr(w)
                if g is not None:
                    if graph is None:
                        graph, first = g, w
                    elif g is not graph:
                        raise ValueError(f"{w} must be from the same graph as {first}.")
            continue
        g = _graph_attr(v)
        if g is not None:
            if graph is None:
                graph, first = g, v
            elif g is not graph:
                raise ValueError(f"{v} must be from the same graph as {first} (graphs are "
                                 f"{g} and {graph}).")
    return graph if graph is not None else get_default_graph()


def _graph_attr(v: Any) -> Graph | None:
    if isinstance(v, Tensor):
        return v._op._graph
    if isinstance(v, Operation):
        return v._graph
    g = getattr(v, "graph", None) if hasattr(v, "_as_graph_element") else None
    return g if isinstance(g, Graph) else None


def _coerce_attr(op_type: str, spec: AttrSpec, value: Any) -> Any:
    kind = spec.kind
    if value is None and kind in ("shape", "tensor", "func"):
        return None
    if kind == "type":
        d = dtypes.as_dtype(value).base_dtype
        if spec.allowed is not None and d not in spec.allowed:
            raise TypeError(f"Value passed to parameter '{spec.name}' has DataType {d.name} not "
                            f"in list of allowed values: "
                            f"{', '.join(a.name for a in spec.allowed)}")
        return d
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise TypeError(f"Expected int for argument '{spec.name}' not {value!r}.")
        value = int(value)
        if spec.minimum is not None and value < spec.minimum:
            raise ValueError(f"Attr '{spec.name}' of '{op_type}' Op passed {value} less than "
                             f"minimum {spec.minimum}.")
        return value
    if kind == "float":
        if not isinstance(value, (int, float, np.number)) or isinstance(value, bool):
            raise TypeError(f"Expected float for argument '{spec.name}' not {value!r}.")
        # TF stores float attributes as float32; kernels see the rounded value.
        return float(np.float32(value))
    if kind == "bool":
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"Expected bool for argument '{spec.name}' not {value!r}.")
        return bool(value)
    if kind == "string":
        if isinstance(value, bytes):
            return value.decode()
        if not isinstance(value, str):
            raise TypeError(f"Expected string for argument '{spec.name}' not {value!r}.")
        return value
    if kind == "shape":
        return as_shape(value)
    if kind == "tensor":
        return np.asarray(value)
    if kind.startswith("list("):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"Expected list for attr {spec.name}, obtained "
                            f"{type(value).__name__} instead.")
        inner = AttrSpec(spec.name, kind[5:-1])
        return [_coerce_attr(op_type, inner, v) for v in value]
    return value


def _convert_input(op_type: str, arg: ArgSpec, value: Any, attrs: dict[str, Any],
                   attr_specs: dict[str, AttrSpec], inferred_from: dict[str, str]) -> Tensor:
    want = arg.fixed_type if arg.fixed_type is not None else attrs.get(arg.type_attr)
    default = None
    if want is None and arg.type_attr is not None:
        spec = attr_specs.get(arg.type_attr)
        if spec is not None and spec.default is not REQUIRED:
            default = spec.default
    try:
        t = convert_to_tensor(value, dtype=None if isinstance(value, Tensor) else want,
                              name=arg.name, preferred_dtype=default, as_ref=arg.is_ref)
    except (TypeError, ValueError) as e:
        if want is None or isinstance(value, Tensor):
            raise
        try:
            t = convert_to_tensor(value, name=arg.name)
        except (TypeError, ValueError):
            raise TypeError(f"Expected {want.name} passed to parameter '{arg.name}' of op "
                            f"'{op_type}', got {value!r} of type '{type(value).__name__}' "
                            f"instead. Error: {e}") from None
    if arg.is_ref and not t.dtype._is_ref_dtype:
        raise TypeError(f"'{op_type}' Op requires that input '{arg.name}' be a mutable tensor "
                        "(e.g.: a tf.Variable)")
    if want is not None and t.dtype.base_dtype != want.base_dtype:
        if arg.type_attr is not None and arg.type_attr in inferred_from:
            raise TypeError(f"Input '{arg.name}' of '{op_type}' Op has type "
                            f"{t.dtype.base_dtype.name} that does not match type "
                            f"{want.base_dtype.name} of argument "
                            f"'{inferred_from[arg.type_attr]}'.")
        raise TypeError(f"Input '{arg.name}' of '{op_type}' Op has type "
                        f"{t.dtype.base_dtype.name} that does not match expected type of "
                        f"{want.base_dtype.name}.")
    return t


def apply_op(op_type: str, name: str | None = None, **kwargs: Any) -> Any:
    """Creates an op of ``op_type`` from keyword inputs and attrs.

    Returns the op when it has no outputs, the tensor when it has one, a list for a list
    output, and a tuple otherwise.
    """
    op_def = get_op_def(op_type)
    input_values = [kwargs.get(a.name) for a in op_def.inputs]
    g = graph_of_inputs(input_values)
    attrs: dict[str, Any] = {}
    for attr_name, spec in op_def.attrs.items():
        if attr_name in kwargs and kwargs[attr_name] is not None or (
                attr_name in kwargs and spec.kind in ("shape", "tensor", "func")):
            attrs[attr_name] = _coerce_attr(op_type, spec, kwargs.pop(attr_name))
        else:
            kwargs.pop(attr_name, None)
    inferred_from: dict[str, str] = {}
    inputs: list[Tensor] = []
    with g.as_default(), g.name_scope(name if name is not None else op_type) as scope:
        for arg in op_def.inputs:
            if arg.name not in kwargs:
                raise TypeError(f"{op_type} missing required input '{arg.name}'")
            value = kwargs.pop(arg.name)
            if arg.number_attr is not None:
                if not isinstance(value, (list, tuple)):
                    raise TypeError(f"Expected list for '{arg.name}' argument to '{op_type}' Op, "
                                    f"not {value!r}.")
                if arg.type_attr is not None and arg.type_attr not in attrs:
                    for v in value:
                        if isinstance(v, Tensor):
                            attrs[arg.type_attr] = v.dtype.base_dtype
                            inferred_from[arg.type_attr] = arg.name
                            break
                group = []
                for i, v in enumerate(value):
                    sub = ArgSpec(f"{arg.name}_{i}", arg.type_attr, arg.fixed_type, None,
                                  arg.is_ref)
                    t = _convert_input(op_type, sub, v, attrs, op_def.attrs, inferred_from)
                    if arg.type_attr is not None and arg.type_attr not in attrs:
                        attrs[arg.type_attr] = t.dtype.base_dtype
                        inferred_from[arg.type_attr] = arg.name
                    group.append(t)
                n_spec = op_def.attrs[arg.number_attr]
                attrs[arg.number_attr] = _coerce_attr(op_type, n_spec, len(group))
                inputs.extend(group)
            else:
                t = _convert_input(op_type, arg, value, attrs, op_def.attrs, inferred_from)
                if arg.type_attr is not None and arg.type_attr not in attrs:
                    attrs[arg.type_attr] = t.dtype.base_dtype
                    inferred_from[arg.type_attr] = arg.name
                inputs.append(t)
        if kwargs:
            raise TypeError(f"{op_type} got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        for attr_name, spec in op_def.attrs.items():
            if attr_name in attrs:
                if spec.kind == "type" and spec.allowed is not None and \
                        attrs[attr_name] not in spec.allowed:
                    raise TypeError(f"Value passed to parameter '{_arg_for(op_def, attr_name)}' "
                                    f"has DataType {attrs[attr_name].name} not in list of allowed"
                                    f" values: {', '.join(a.name for a in spec.allowed)}")
            elif spec.default is REQUIRED:
                raise TypeError(f"{op_type} missing required argument '{attr_name}'")
        refs = [t for t, arg in zip(inputs, _flat_args(op_def, attrs)) if arg.is_ref]
        if refs:
            # TF colocates an op that takes a variable reference with that variable.
            with g.colocate_with(refs[0].op):
                op = g._create_op_internal(op_type, inputs, attrs, scope[:-1])
        else:
            op = g._create_op_internal(op_type, inputs, attrs, scope[:-1])
    outs = op._outputs
    if not op_def.outputs:
        return op
    if len(op_def.outputs) == 1:
        return list(outs) if op_def.outputs[0].number_attr is not None else outs[0]
    result: list[Any] = []
    i = 0
    for arg in op_def.outputs:
        if arg.number_attr is not None:
            n = int(op._attrs[arg.number_attr])
            result.append(list(outs[i:i + n]))
            i += n
        else:
            result.append(outs[i])
            i += 1
    return tuple(result)


def _flat_args(op_def: Any, attrs: dict[str, Any]) -> list[ArgSpec]:
    out: list[ArgSpec] = []
    for arg in op_def.inputs:
        n = int(attrs[arg.number_attr]) if arg.number_attr else 1
        out.extend([arg] * n)
    return out


def _arg_for(op_def: Any, attr_name: str) -> str:
    for a in op_def.inputs:
        if a.type_attr == attr_name:
            return a.name
    return attr_name
