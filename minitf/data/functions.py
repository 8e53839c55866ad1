"""User functions of ``map``, ``filter`` and ``flat_map``, traced once into the graph.

The function is called once with placeholder-like *arg* ops (``MinitfFnArg``, TF's function
``args_0`` ...) standing for an element's components, inside a control-flow context (see
minitf/ops/control_flow_context.py): ops it builds belong to that context and run only through
the dataset op; tensors of the outer graph it reads come in through ``MinitfArg`` ops and become
inputs of the dataset op (TF's ``other_arguments``), so their values are taken when the dataset
op runs (when the iterator is initialized), as in TF. At run time the dataset op's kernel builds
one sub-plan (the args fed, the results fetched) and runs it for each element.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.data import structure
from minitf.framework import errors
from minitf.framework.graph import get_default_graph
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape
from minitf.ops.control_flow_context import ControlFlowContext, tensors_named

__all__ = ["TracedFunction", "FN_ARG", "function_runner"]

FN_ARG = "MinitfFnArg"


def _arg_shape(op: Any) -> list[TensorShape]:
    s = op._attrs.get("shape")
    return [s if s is not None else unknown_shape()]


def _arg_kernel(op: Any, state: Any) -> Any:
    del state

    def arg() -> Any:
        raise errors.InvalidArgumentError(
            None, op, f"'{op.name}' is an argument of a tf.data function (map, filter, "
                      "flat_map): it has a value only while the dataset runs that function; "
                      "fetch the iterator's get_next() instead.")

    return arg


register_op(FN_ARG, outputs=["output: T"], attrs=["T: type", "shape: shape"], shape=_arg_shape,
            make_kernel=_arg_kernel, stateful=True,
            doc="An element component inside a tf.data function (fed per element).")
NotDifferentiable(FN_ARG)


def _scope_name(kind: str, fn: Callable[..., Any]) -> str:
    name = re.sub(r"[^A-Za-z0-9_.\-]", "", getattr(fn, "__name__", "fn")) or "fn"
    return f"Dataset_{kind}_{name}"


class TracedFunction:
    """``fn`` traced over elements of ``types``/``shapes`` (``kind``: map, filter, flat_map).

    ``outputs`` are the result's flat tensors (the dataset variant for flat_map), ``result``
    the structure fn returned, ``captured`` the outer tensors it reads (the dataset op's extra
    inputs), and ``attrs`` the names the op records (args, capture args, outputs).
    """

    def __init__(self, fn: Callable[..., Any], types: Any, shapes: Any, kind: str,
                 method: str) -> None:
        if not callable(fn):
            raise ValueError(f"{method}: the function must be a callable, got "
                             f"{type(fn).__name__}.")
        g = get_default_graph()
        ctx = ControlFlowContext("dataset_fn", g, g._control_flow_context, "Capture")
        self.ctx = ctx
        with g.name_scope(_scope_name(kind, fn)) as scope:
            flat = [ctx._new_op(FN_ARG, [], {"T": t, "shape": s}, f"{scope}args_{i}")
                    for i, (t, s) in enumerate(zip(structure.flatten(types),
                                                   structure.flatten(shapes)))]
            element = structure.pack_as(types, flat)
            with ctx:
                ret = fn(*element) if type(element) is tuple else fn(element)
                self.result, self.outputs = self._outputs(ret, kind, method)
        self.args = flat
        self.captured = list(ctx.captured)
        self.control = list(ctx.external_control)

    def _outputs(self, ret: Any, kind: str, method: str) -> tuple[Any, list[Tensor]]:
        from minitf.data.dataset import Dataset

        if kind == "flat_map":
            if not isinstance(ret, Dataset):
                raise TypeError(f"{method}: `map_func` must return a `Dataset` object, got "
                                f"{type(ret).__name__}.")
            v = ret._variant
            return ret, [v if v._op._control_flow_context is self.ctx else self.ctx.capture(v)]
        if ret is None:
            raise ValueError(f"{method}: the function must return a value (got None).")
        if isinstance(ret, list):
            ret = tuple(ret)  # as TF 1.x: a returned list is a tuple of components
        flat = []
        for v in structure.flatten(ret):
            if isinstance(v, Operation):
                raise TypeError(f"{method}: the function returned an Operation ({v.name}); "
                                "return tensors.")
            try:
                t = convert_to_tensor(v)
            except (TypeError, ValueError) as e:
                raise TypeError(f"{method}: the function returned {v!r}, which is not "
                                f"convertible to a tensor: {e}") from None
            if t._op._control_flow_context is not self.ctx:
                t = self.ctx.capture(t, None)
            flat.append(t)
        return structure.pack_as(ret, flat), flat

    def attrs(self) -> dict[str, Any]:
        return {"Targuments": [c.dtype.base_dtype for c in self.captured],
                "f_args": [a.name for a in self.args],
                "f_captures": self.ctx.arg_names_for(self.captured),
                "f_outputs": [t.name for t in self.outputs]}


FN_ATTRS = ["Targuments: list(type) = []", "f_args: list(string) = []",
            "f_captures: list(string) = []", "f_outputs: list(string) = []"]
FN_NAME_ATTRS = ("f_args", "f_captures", "f_outputs")


def function_runner(op: Operation, state: Any) -> Callable[[list[Any]], Callable[..., Any]]:
    """For a dataset op made from a traced function: ``bind(captured values)`` gives the
    per-element callable ``element -> tuple of results`` (its sub-plan is built once here)."""
    from minitf.runtime.executor import run_plan
    from minitf.runtime.plan import build_plan

    g = op._graph
    args = tensors_named(g, list(op._attrs["f_args"]))
    caps = list(op._attrs["f_captures"])
    positions = [i for i, n in enumerate(caps) if n]
    feeds = args + tensors_named(g, [caps[i] for i in positions])
    fetches = tensors_named(g, list(op._attrs["f_outputs"]))
    plan = build_plan(fetches, [], feeds, state, getattr(state, "config", None), 0)  # type: ignore[arg-type]

    def bind(captured: list[Any]) -> Callable[..., Any]:
        # values as of the iterator's initialization: a copy, since a variable's buffer may be
        # assigned in place later (TF reads captured values when the iterator starts too)
        extra = [c.copy() if isinstance(c, np.ndarray) else c
                 for c in (captured[i] for i in positions)]

        def call(element: tuple[Any, ...]) -> tuple[Any, ...]:
            return tuple(run_plan(plan, [*element, *extra]))

        return call

    return bind
