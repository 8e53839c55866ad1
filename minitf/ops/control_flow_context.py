"""Control-flow contexts: a cond branch or a while loop's condition or body while it is built.

An op created while a context is the graph's current one belongs to it
(``op._control_flow_context``) and runs only when its branch is taken or its loop iterates. It
reads values made elsewhere in one of two ways, decided when the op is created:

* a value of an enclosing context (the root graph included) comes in through an *arg* op
  (``MinitfArg``, named ``<consumer>/Switch`` in a branch and ``<consumer>/Enter`` in a loop, as
  TF names its Switch/Enter ops): the arg's input is the outside value, which becomes an input of
  the context's functional op (``MinitfCond`` / ``MinitfWhile``); nested contexts chain args.
* a value computed *inside another* cond branch or loop body (what gradients read: the forward
  pass's intermediates) is *exported* by that construct: its functional op's last output, the
  variant ``env``, carries the exported values of the branch that ran (a dict) or of every
  iteration (a :class:`LoopEnv`), and a ``MinitfEnvGet`` op in the reading context takes the
  value out. A gradient loop runs its body once per forward iteration in reverse, feeding that
  iteration's dict; a gradient cond uses the same predicate, so its branch reads the values of
  the forward branch that ran.

Control inputs from outside a context move to its functional op (they run before the construct).
Reference tensors (variables) are read directly: the variable lives in the session.
"""

from __future__ import annotations

import weakref
from typing import Any

from minitf.framework import errors
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape

__all__ = ["ControlFlowContext", "LoopEnv", "spec_of", "set_spec", "context_of", "ARG",
           "ENV_GET"]

ARG = "MinitfArg"
ENV_GET = "MinitfEnvGet"


class LoopEnv:
    """The ``env`` value of a while loop: its iteration count and, when a gradient reads body
    values, one dict of exported values per iteration."""

    __slots__ = ("count", "iterations")

    def __init__(self, count: int, iterations: list[dict[str, Any]] | None) -> None:
        self.count = count
        self.iterations = iterations

    def __repr__(self) -> str:
        return f"LoopEnv(count={self.count})"


# --- the arg and env-read ops ---------------------------------------------------------------------

def _attr_shape(op: Any) -> list[TensorShape]:
    s = op._attrs.get("shape")
    return [s if s is not None else unknown_shape()]


def _arg_kernel(op: Any, state: Any) -> Any:
    del state

    def arg(_: Any) -> Any:
        raise errors.InvalidArgumentError(
            None, op, f"'{op.name}' is an input of a tf.cond branch or tf.while_loop body and has"
                      " a value only while that branch or body runs; fetch the outputs of the "
                      "cond or while_loop instead of tensors inside it.")

    return arg


register_op(ARG, inputs=["input: T"], outputs=["output: T"], attrs=["T: type", "shape: shape"],
            shape=_attr_shape, make_kernel=_arg_kernel,
            doc="The value of an outside tensor inside a cond branch or loop body (the branch's "
                "or body's functional op feeds it).")


@RegisterGradient(ARG)
def _arg_grad(op: Any, grad: Any) -> Any:
    return grad


def _env_get_kernel(op: Any, state: Any) -> Any:
    del state
    name = op._attrs["tensor_name"]

    def env_get(env: Any) -> Any:
        try:
            return env[name]
        except (KeyError, TypeError, IndexError):
            raise errors.InvalidArgumentError(
                None, op, f"Tensor {name} has no value here: it is computed inside a tf.cond "
                          "branch that did not run.") from None

    return env_get


register_op(ENV_GET, inputs=["env: variant"], outputs=["output: T"],
            attrs=["T: type", "shape: shape", "tensor_name: string"], shape=_attr_shape,
            make_kernel=_env_get_kernel, graph_element_attrs=("tensor_name",),
            doc="Reads a value exported by a cond branch or loop iteration (for gradients).")


@RegisterGradient(ENV_GET)
def _env_get_grad(op: Any, grad: Any) -> Any:
    raise LookupError(f"No gradient through '{op.name}': minitf does not compute second-order "
                      "gradients through tf.cond or tf.while_loop.")


# --- contexts -----------------------------------------------------------------------------------

def context_of(t: Tensor | Operation) -> ControlFlowContext | None:
    op = t.op if isinstance(t, Tensor) else t
    return op._control_flow_context


class ControlFlowContext:
    """One cond branch, loop condition or loop body being built (see the module docstring).

    ``kind`` is ``"cond_branch"``, ``"loop_cond"`` or ``"loop_body"``; a loop body that is the
    gradient of another loop has ``forward_op`` (that loop) and ``env_arg`` (the forward
    iteration's exported values, fed per iteration).
    """

    def __init__(self, kind: str, graph: Any, outer: ControlFlowContext | None,
                 arg_suffix: str, export_attr: str = "") -> None:
        self.kind = kind
        self.graph = graph
        self.outer = outer
        self.arg_suffix = arg_suffix
        self.export_attr = export_attr
        self.captured: list[Tensor] = []       # values of the enclosing context, in order
        self.capture_args: list[Tensor] = []   # the args standing for them here
        self.loop_args: list[Tensor] = []      # loop variables (loop contexts)
        self.outputs: list[Tensor] = []
        self.exports: list[str] = []
        self.external_control: list[Operation] = []
        self.owner: Operation | None = None
        self.forward_op: Operation | None = None
        self.env_arg: Tensor | None = None
        self._arg_of: dict[int, Tensor] = {}
        self._env_reads: dict[int, Tensor] = {}
        self._saved: list[Any] = []

    # --- entering ---------------------------------------------------------------------------
    def __enter__(self) -> ControlFlowContext:
        self._saved.append(self.graph._control_flow_context)
        self.graph._control_flow_context = self
        return self

    def __exit__(self, *exc: Any) -> None:
        self.graph._control_flow_context = self._saved.pop()

    def encloses(self, other: ControlFlowContext | None) -> bool:
        """Whether ``other`` is this context or nested in it."""
        c = other
        while c is not None:
            if c is self:
                return True
            c = c.outer
        return False

    # --- the graph's hooks ------------------------------------------------------------------
    def capture_inputs(self, inputs: list[Tensor], consumer: str) -> list[Tensor]:
        """The inputs an op created here reads (outside values replaced by args or reads)."""
        return [t if t._op._control_flow_context is self else self.capture(t, consumer)
                for t in inputs]

    def add_op(self, op: Operation) -> None:
        """Marks ``op`` as part of this context; control inputs from outside move to the
        construct's functional op, those on ops of a nested construct to that construct."""
        op._control_flow_context = self
        for c in list(op._control_inputs):
            visible = self._visible_control(c)
            if visible is c:
                continue
            op._control_inputs.remove(c)
            c._control_outputs.remove(op)
            if visible is not None and visible not in op._control_inputs:
                op._control_inputs.append(visible)
                visible._control_outputs.append(op)

    def _visible_control(self, c: Operation) -> Operation | None:
        cc = c._control_flow_context
        if cc is self:
            return c
        if self.encloses(cc):
            while cc.outer is not self:  # type: ignore[union-attr]
                cc = cc.outer  # type: ignore[union-attr]
            return cc.owner  # type: ignore[union-attr]
        # c is outside: in an enclosing context (the construct waits for it), or inside a
        # construct that does not enclose this one (the construct waits for that construct)
        target: Operation | None = c
        while cc is not None and not cc.encloses(self):
            target, cc = cc.owner, cc.outer
        if target is not None and target not in self.external_control:
            self.external_control.append(target)
        return None

    # --- reading outside values -------------------------------------------------------------
    def capture(self, t: Tensor, consumer: str | None = None) -> Tensor:
        """``t`` as a value this context can read."""
        y = t._op._control_flow_context
        if y is self or t._dtype._is_ref_dtype or (y is None and self.kind == "root"):
            return t
        hit = self._arg_of.get(id(t))
        if hit is not None:
            return hit
        if self._reaches_by_args(t, y):
            outer_t = self.outer.capture(t, consumer) if self.outer is not None else t
            arg = self._new_op(ARG, [outer_t], {"T": t.dtype.base_dtype,
                                                "shape": t.get_shape()},
                               f"{consumer}/{self.arg_suffix}" if consumer
                               else self._default_arg_name())
            self._arg_of[id(t)] = arg
            self.captured.append(outer_t)
            self.capture_args.append(arg)
            return arg
        got = self._env_reads.get(id(t))
        if got is None:
            got = self._env_reads[id(t)] = self._read_through_env(t, y, consumer)
        return got

    def _default_arg_name(self) -> str:
        scope = self.graph.get_name_scope()
        return f"{scope}/{self.arg_suffix}" if scope else self.arg_suffix

    def _reaches_by_args(self, t: Tensor, y: ControlFlowContext | None) -> bool:
        """Whether ``t`` comes in through args: it lives in an enclosing context, or it is the
        env of the forward loop whose gradient body encloses this context."""
        c: ControlFlowContext | None = self
        while c is not None:
            if c.forward_op is not None and t is c.forward_op._outputs[-1]:
                return True
            c = c.outer
            if c is y and c is not None:
                return True
        return y is None

    def _gradient_of(self, loop: Operation) -> bool:
        c: ControlFlowContext | None = self
        while c is not None:
            if c.forward_op is loop:
                return True
            c = c.outer
        return False

    def _read_through_env(self, t: Tensor, y: ControlFlowContext, consumer: str | None) -> Tensor:
        owner = y.owner
        if owner is None or y.kind == "loop_cond":
            raise ValueError(f"Cannot use '{t.name}' as input to '{consumer}' because "
                             f"'{t.name}' is in a control-flow construct ({y.kind}) that this "
                             "op cannot read from.")
        if y.kind == "loop_body" and not self._gradient_of(owner):
            raise ValueError(f"Cannot use '{t.name}' as input to '{consumer}' because "
                             f"'{t.name}' is in a while loop. (minitf reads a loop body's "
                             "values from outside the loop only in the loop's gradient.)")
        env = self.capture(owner._outputs[-1], consumer)
        y.add_export(t)
        return self._new_op(ENV_GET, [env], {"T": t.dtype.base_dtype, "shape": t.get_shape(),
                                             "tensor_name": t.name},
                            f"{consumer}/EnvGet" if consumer else self._default_arg_name())

    def add_export(self, t: Tensor) -> None:
        if t.name not in self.exports:
            self.exports.append(t.name)
            if self.owner is not None and self.export_attr:
                self.owner._set_attr(self.export_attr, list(self.exports))

    def _new_op(self, op_type: str, inputs: list[Tensor], attrs: dict[str, Any],
                base: str) -> Tensor:
        """An op of this context whose inputs are already readable here (no capture)."""
        g = self.graph
        with g.control_dependencies(None):  # no control inputs
            g._control_flow_context = _AS_GIVEN  # (restored on leaving the block)
            with g.name_scope(None):
                name = g.unique_name(base)
            op = g._create_op_internal(op_type, inputs, attrs, name)
        op._control_flow_context = None if self.kind == "root" else self
        return op._outputs[0]

    def new_loop_arg(self, value: Tensor, shape: TensorShape, name: str) -> Tensor:
        """An arg standing for a loop variable (its value changes every iteration)."""
        arg = self._new_op(ARG, [value], {"T": value.dtype.base_dtype, "shape": shape}, name)
        self.loop_args.append(arg)
        return arg

    def set_env_arg(self, forward_op: Operation, env_outside: Tensor) -> None:
        """Makes this loop body the gradient of ``forward_op``: its first capture is the
        forward env (sliced per iteration by the gradient loop)."""
        self.forward_op = forward_op
        base = f"{self.graph.get_name_scope()}/{self.arg_suffix}"
        arg = self._new_op(ARG, [env_outside], {"T": env_outside.dtype.base_dtype,
                                                "shape": TensorShape([])}, base)
        self._arg_of[id(forward_op._outputs[-1])] = arg
        self.captured.append(env_outside)
        self.capture_args.append(arg)
        self.env_arg = arg

    def arg_names_for(self, captured: list[Tensor]) -> list[str]:
        """For each of the functional op's captured inputs: the arg that reads it here, or ''."""
        mine = {id(c): a for c, a in zip(self.captured, self.capture_args)}
        return [mine[id(c)].name if id(c) in mine else "" for c in captured]

    def arg_for(self, captured: Tensor) -> Tensor | None:
        for c, a in zip(self.captured, self.capture_args):
            if c is captured:
                return a
        return None


class _AsGiven:
    """The graph's context while a context makes its own arg/read ops: inputs as given."""

    @staticmethod
    def capture_inputs(inputs: list[Tensor], consumer: str) -> list[Tensor]:
        return inputs

    @staticmethod
    def add_op(op: Operation) -> None:
        pass


_AS_GIVEN = _AsGiven()


def union_of_captures(*contexts: ControlFlowContext) -> list[Tensor]:
    seen: set[int] = set()
    out: list[Tensor] = []
    for ctx in contexts:
        for c in ctx.captured:
            if id(c) not in seen:
                seen.add(id(c))
                out.append(c)
    return out


def read_at_root(graph: Any, inputs: list[Tensor], consumer: str) -> list[Tensor]:
    """The inputs of an op created outside any context, when some were computed inside one:
    a cond branch's value is read through its cond's env (it has a value when that branch ran,
    as in TF); a while loop's value cannot be read from outside the loop (ValueError)."""
    out = []
    for t in inputs:
        y = t._op._control_flow_context
        if y is None or t._dtype._is_ref_dtype:
            out.append(t)
            continue
        root = ControlFlowContext("root", graph, None, "Switch")
        saved = graph._control_flow_context
        try:
            out.append(root._read_through_env(t, y, consumer))
        finally:
            graph._control_flow_context = saved
    return out


# --- specs: the contexts of a functional op ------------------------------------------------------

_SPECS: weakref.WeakKeyDictionary[Operation, Any] = weakref.WeakKeyDictionary()
_RESTORERS: dict[str, Any] = {}


def set_spec(op: Operation, spec: Any) -> None:
    _SPECS[op] = spec


def register_restorer(op_type: str, fn: Any) -> None:
    """``fn(op) -> spec`` rebuilds the contexts of an op read from a GraphDef."""
    _RESTORERS[op_type] = fn


def spec_of(op: Operation) -> Any:
    """The contexts of a MinitfCond/MinitfWhile op (rebuilt from its attributes when the op
    was imported from a GraphDef)."""
    spec = _SPECS.get(op)
    if spec is None:
        spec = _RESTORERS[op.type](op)
        _SPECS[op] = spec
    return spec


def tensors_named(graph: Any, names: list[str]) -> list[Tensor | None]:
    return [graph.as_graph_element(n, allow_tensor=True, allow_operation=False) if n else None
            for n in names]


def mark_members(ctx: ControlFlowContext, roots: list[Tensor], args: list[Tensor]) -> None:
    """Marks the ops computing ``roots`` from ``args`` as members of ``ctx`` (used when the
    contexts of an imported graph are rebuilt)."""
    stop = {id(a._op) for a in args}
    seen: set[int] = set()
    stack = [t._op for t in roots]
    while stack:
        op = stack.pop()
        if id(op) in seen:
            continue
        seen.add(id(op))
        op._control_flow_context = ctx
        if id(op) in stop:
            continue
        for t in op._inputs:
            if not t._dtype._is_ref_dtype:
                stack.append(t._op)
        stack.extend(op._control_inputs)


def is_float(t: Tensor) -> bool:
    base = t.dtype.base_dtype
    return base.is_floating or base.is_complex

