"""``tf.while_loop`` as one functional op, ``MinitfWhile``.

The loop's condition and body are built once, under the ``while/`` name scope as TF builds them:
the condition reads the loop variables as ``while/Merge``, ``while/Merge_1`` ..., the body as
``while/Identity``, ``while/Identity_1`` ..., outside values through ``<op>/Enter`` args; the
results are Identities named ``while/Exit``, ``while/Exit_1`` .... The ``while/While`` op runs
the condition's plan and the body's plan until the condition is false (or
``maximum_iterations`` is reached).

Gradient: a reverse loop (a MinitfWhile with ``reverse_env_index``) runs the gradient of the
body once per forward iteration, last first. The forward loop records, per iteration, the body
values the gradient reads (its ``env`` output); the reverse loop feeds iteration i's record to
the gradient body. Gradients of outside values the body reads are summed over iterations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import get_default_graph, name_scope
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, as_shape, unknown_shape
from minitf.ops import control_flow_util as nest
from minitf.ops.control_flow_context import (
    ControlFlowContext,
    LoopEnv,
    is_float,
    mark_members,
    register_restorer,
    set_spec,
    spec_of,
    tensors_named,
    union_of_captures,
)

__all__ = ["while_loop"]

WHILE = "MinitfWhile"
_NAME_ATTRS = ("cond_inputs", "cond_output", "body_inputs", "body_outputs", "body_exports")


class WhileSpec:
    """The condition and body contexts of a MinitfWhile op."""

    def __init__(self, cond_ctx: ControlFlowContext | None, body_ctx: ControlFlowContext,
                 num_vars: int) -> None:
        self.cond_ctx = cond_ctx
        self.body_ctx = body_ctx
        self.num_vars = num_vars


# --- the op ------------------------------------------------------------------------------------

def _while_shape(op: Any) -> list[TensorShape]:
    shapes = list(op._attrs.get("output_shapes") or [])
    n = len(op._attrs["T"])
    if len(shapes) != n:
        shapes = [unknown_shape()] * n
    return [s if s is not None else unknown_shape() for s in shapes] + [TensorShape([])]


def _sub_plan(op: Operation, state: Any, fetch_names: list[str], arg_names: list[str]
              ) -> tuple[Any, list[int]]:
    from minitf.runtime.plan import build_plan

    g = op._graph
    positions = [i for i, n in enumerate(arg_names) if n]
    feeds = tensors_named(g, [arg_names[i] for i in positions])
    plan = build_plan(tensors_named(g, fetch_names), [], feeds, state,  # type: ignore[arg-type]
                      getattr(state, "config", None), 0)
    return plan, positions


def _while_kernel(op: Operation, state: Any) -> Callable[..., Any]:
    from minitf.runtime.executor import run_plan

    a = op._attrs
    k = len(a["T"])
    exports = list(a.get("body_exports") or [])
    body, body_pos = _sub_plan(op, state, list(a["body_outputs"]) + exports,
                               list(a["body_inputs"]))
    reverse = int(a.get("reverse_env_index", -1))
    max_index = int(a.get("maximum_iterations_index", -1))
    plans = [body]
    if reverse < 0:
        cond_plan, cond_pos = _sub_plan(op, state, [a["cond_output"]], list(a["cond_inputs"]))
        plans.append(cond_plan)

    def run_reverse(*args: Any) -> Any:
        values = list(args)
        env = values[k + reverse]
        records = env.iterations if env is not None else None
        for i in range(env.count - 1 if env is not None else -1, -1, -1):
            values[k + reverse] = records[i] if records is not None else None
            out = run_plan(body, [values[j] for j in body_pos])
            values[:k] = out[:k]
        return (*values[:k], None)

    def run_while(*args: Any) -> Any:
        values = list(args)
        limit = int(values[k + max_index]) if max_index >= 0 else None
        records: list[dict[str, Any]] | None = [] if exports else None
        n = 0
        while limit is None or n < limit:
            if not run_plan(cond_plan, [values[j] for j in cond_pos])[0]:
                break
            out = run_plan(body, [values[j] for j in body_pos])
            if records is not None:
                records.append(dict(zip(exports, out[k:])))
            values[:k] = out[:k]
            n += 1
        return (*values[:k], LoopEnv(n, records))

    fn = run_reverse if reverse >= 0 else run_while
    # a plan holding BLAS to one thread enters that once, not once per iteration
    fn.uses_blas = any(getattr(p, "blas_limiter", None) is not None  # type: ignore[attr-defined]
                       for p in plans)
    return fn


register_op(WHILE, inputs=["input: T", "captured: Tcaptured"],
            outputs=["output: T", "env: variant"],
            attrs=["T: list(type)", "Tcaptured: list(type)", "cond_inputs: list(string) = []",
                   "cond_output: string = ''", "body_inputs: list(string) = []",
                   "body_outputs: list(string) = []", "body_exports: list(string) = []",
                   "output_shapes: list(shape) = []", "maximum_iterations_index: int = -1",
                   "reverse_env_index: int = -1", "parallel_iterations: int = 10",
                   "back_prop: bool = true", "swap_memory: bool = false"],
            shape=_while_shape, make_kernel=_while_kernel, stateful=True,
            graph_element_attrs=_NAME_ATTRS,
            doc="tf.while_loop: runs the body's plan while the condition's plan gives true.")


def _restore_ctx(op: Operation, kind: str, prefix: str, k: int) -> ControlFlowContext:
    g = op._graph
    ctx = ControlFlowContext(kind, g, op._control_flow_context, "Enter",
                             "body_exports" if kind == "loop_body" else "")
    args = tensors_named(g, list(op._attrs[f"{prefix}_inputs"]))
    ctx.loop_args = [t for t in args[:k] if t is not None]
    for c, arg in zip(op._inputs[k:], args[k:]):
        if arg is not None:
            ctx.captured.append(c)
            ctx.capture_args.append(arg)
            ctx._arg_of[id(c)] = arg
    if kind == "loop_body":
        ctx.outputs = [t for t in tensors_named(g, list(op._attrs["body_outputs"]))
                       if t is not None]
        ctx.exports = list(op._attrs.get("body_exports") or [])
        roots = ctx.outputs + [t for t in tensors_named(g, ctx.exports) if t is not None]
    else:
        ctx.outputs = [t for t in tensors_named(g, [op._attrs["cond_output"]]) if t is not None]
        roots = ctx.outputs
    ctx.owner = op
    mark_members(ctx, roots, [t for t in args if t is not None])
    return ctx


def _restore(op: Operation) -> WhileSpec:
    """The contexts of a MinitfWhile read from a GraphDef."""
    k = len(op._attrs["T"])
    reverse = int(op._attrs.get("reverse_env_index", -1))
    cond_ctx = _restore_ctx(op, "loop_cond", "cond", k) if reverse < 0 else None
    body_ctx = _restore_ctx(op, "loop_body", "body", k)
    if reverse >= 0:
        env = op._inputs[k + reverse]
        body_ctx.env_arg = body_ctx._arg_of.get(id(env))
        src = env
        while src.op.type == "MinitfArg":  # the forward loop's env, through enclosing args
            src = src.op._inputs[0]
        body_ctx.forward_op = src.op
    return WhileSpec(cond_ctx, body_ctx, k)


register_restorer(WHILE, _restore)


# --- building ----------------------------------------------------------------------------------

def _shape_str(s: TensorShape) -> str:
    dims = s.as_tuple()
    if dims is None:
        return "<unknown>"
    return "(" + ", ".join("None" if d is None else str(d) for d in dims) + \
        ("," if len(dims) == 1 else "") + ")"


def _check_invariant(var: Tensor, invariant: TensorShape) -> None:
    if not _more_general(invariant, var.get_shape()):
        raise ValueError(f"The shape invariant specified for {var.name} is not compatible with "
                         f"the initial shape of the loop variable. It enters the loop with "
                         f"shape {_shape_str(var.get_shape())}, but the specified shape "
                         f"invariant is {_shape_str(invariant)}.")


def _more_general(general: TensorShape, specific: TensorShape) -> bool:
    """Whether every shape ``specific`` allows is allowed by ``general``."""
    if general.ndims is None:
        return True
    if specific.ndims is None or general.ndims != specific.ndims:
        return False
    return all(g is None or g == s for g, s in zip(general.as_list(), specific.as_list()))


def build_loop(cond_fn: Callable[..., Any] | None, body_fn: Callable[..., Any],
               loop_vars: list[Tensor], invariants: list[TensorShape],
               structure: Any = None, maximum_iterations: Tensor | None = None,
               forward_op: Operation | None = None, attrs: dict[str, Any] | None = None
               ) -> tuple[list[Tensor], Any]:
    """Builds the contexts and the MinitfWhile op in the current name scope; returns the
    loop's result tensors and the body's result structure. With ``forward_op`` the loop is
    that loop's gradient: no condition, one iteration per forward iteration, reversed."""
    g = get_default_graph()
    outer = g._control_flow_context
    if outer is not None:  # initial values as the enclosing context reads them
        loop_vars = [outer.capture(v, None) for v in loop_vars]
    scope = g.get_name_scope()
    k = len(loop_vars)
    pack = (lambda vs: nest.pack_sequence_as(structure, vs)) if structure is not None \
        else (lambda vs: vs)
    cond_ctx = None
    cond_out = None
    if cond_fn is not None:
        cond_ctx = ControlFlowContext("loop_cond", g, outer, "Enter")
        for v, s in zip(loop_vars, invariants):
            cond_ctx.new_loop_arg(v, s, f"{scope}/Merge")
        with cond_ctx:
            c = cond_fn(*pack(cond_ctx.loop_args))
            cond_out = convert_to_tensor(c)
            if cond_out._op._control_flow_context is not cond_ctx:
                cond_out = cond_ctx.capture(cond_out, None)
        if cond_out.dtype.base_dtype != dtypes.bool:
            raise TypeError(f"The loop condition must return a bool tensor, got "
                            f"{cond_out.dtype.base_dtype.name}")
        if cond_out.get_shape().ndims not in (None, 0):
            raise ValueError(f"Shape must be rank 0 but is rank {cond_out.get_shape().ndims} "
                             f"for '{scope}/LoopCond' (op: 'LoopCond') with input shapes: "
                             f"{_shape_str(cond_out.get_shape())}.")
    body_ctx = ControlFlowContext("loop_body", g, outer, "Enter", "body_exports")
    if forward_op is not None:
        env = forward_op._outputs[-1]
        body_ctx.set_env_arg(forward_op, outer.capture(env, None) if outer is not None else env)
    for v, s in zip(loop_vars, invariants):
        body_ctx.new_loop_arg(v, s, f"{scope}/Identity")
    with body_ctx:
        result = body_fn(*pack(body_ctx.loop_args))
        if not nest.is_sequence(result) or nest.is_composite(result):
            result = [result]
        flat_out = []
        for v in nest.flatten(result):
            t = convert_to_tensor(v)
            if t._op._control_flow_context is not body_ctx:
                t = body_ctx.capture(t, None)
            flat_out.append(t)
    if structure is not None:
        try:
            nest.assert_same_structure(structure, result, check_types=False)
        except ValueError as e:
            raise ValueError(str(e)) from None
    if len(flat_out) != k:
        raise ValueError(f"The body of the while loop returned {len(flat_out)} values for "
                         f"{k} loop variables.")
    for v, out, s in zip(loop_vars, flat_out, invariants):
        if out.dtype.base_dtype != v.dtype.base_dtype:
            raise TypeError(f"Loop variable {v.name} enters the loop with type "
                            f"{v.dtype.base_dtype.name}, but the body returns "
                            f"{out.dtype.base_dtype.name} for it.")
        if not _more_general(s, out.get_shape()):
            raise ValueError(f"Input tensor '{v.name}' enters the loop with shape "
                             f"{_shape_str(s)}, but has shape {_shape_str(out.get_shape())} "
                             "after one iteration. To allow the shape to vary across "
                             "iterations, use the `shape_invariants` argument of "
                             "tf.while_loop to specify a less-specific shape.")
    body_ctx.outputs = flat_out
    if cond_ctx is not None and cond_out is not None:
        cond_ctx.outputs = [cond_out]
    contexts = [c for c in (body_ctx, cond_ctx) if c is not None]
    captured = union_of_captures(*contexts)
    max_index = -1
    if maximum_iterations is not None:
        ids = [id(c) for c in captured]
        if id(maximum_iterations) in ids:
            max_index = ids.index(id(maximum_iterations))
        else:
            captured.append(maximum_iterations)
            max_index = len(captured) - 1
    all_attrs = {
        "T": [v.dtype.base_dtype for v in loop_vars],
        "Tcaptured": [c.dtype.base_dtype for c in captured],
        "cond_inputs": ([a.name for a in cond_ctx.loop_args] + cond_ctx.arg_names_for(captured)
                        if cond_ctx is not None else []),
        "cond_output": cond_out.name if cond_out is not None else "",
        "body_inputs": [a.name for a in body_ctx.loop_args] + body_ctx.arg_names_for(captured),
        "body_outputs": [t.name for t in flat_out],
        "body_exports": [],
        "output_shapes": list(invariants),
        "maximum_iterations_index": max_index,
        "reverse_env_index": 0 if forward_op is not None else -1,
    }
    all_attrs.update(attrs or {})
    control = []
    for c in contexts:
        control.extend(x for x in c.external_control if x not in control)
    op = g._create_op_internal(WHILE, list(loop_vars) + captured, all_attrs,
                               g.unique_name("While"), control_inputs=control)
    for c in contexts:
        c.owner = op
    set_spec(op, WhileSpec(cond_ctx, body_ctx, k))
    from minitf.ops.array_ops import identity

    exits = [identity(t, name="Exit") for t in op._outputs[:-1]]
    return exits, result


def while_loop(cond: Callable[..., Any], body: Callable[..., Any], loop_vars: Any,
               shape_invariants: Any = None, parallel_iterations: int = 10,
               back_prop: bool = True, swap_memory: bool = False, name: str | None = None,
               maximum_iterations: Any = None, return_same_structure: bool = False) -> Any:
    """Repeats ``body`` while ``cond`` is true (``tf.while_loop``).

    ``loop_vars`` is a (nested) list/tuple/dict of tensors; ``body`` returns the same
    structure. A single loop variable comes back as a tensor unless ``return_same_structure``.
    ``shape_invariants`` allow shapes to change across iterations (checked when the loop is
    built); ``parallel_iterations`` and ``swap_memory`` are accepted and ignored (iterations
    run one after another, in memory).
    """
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if not isinstance(parallel_iterations, int) or parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    flat_in = nest.flatten(loop_vars)
    with name_scope(name, "while", [v for v in flat_in if isinstance(v, Tensor)]):
        if not flat_in or (nest.is_sequence(loop_vars) and not loop_vars):
            raise ValueError("'loop_vars' must be provided.")
        flat = [convert_to_tensor(v) for v in flat_in]
        if shape_invariants is not None:
            inv_flat = nest.flatten(shape_invariants) if nest.is_sequence(shape_invariants) \
                and not isinstance(shape_invariants, TensorShape) else [shape_invariants]
            if len(inv_flat) != len(flat):
                raise ValueError("'shape_invariants' must have the same structure as "
                                 "'loop_vars'")
            invariants = [as_shape(s) for s in inv_flat]
            for v, s in zip(flat, invariants):
                _check_invariant(v, s)
        else:
            invariants = [v.get_shape() for v in flat]
        max_t = None
        if maximum_iterations is not None:
            max_t = convert_to_tensor(maximum_iterations, name="maximum_iterations")
            if max_t.get_shape().ndims not in (None, 0):
                raise ValueError(f"'maximum_iterations' must be a scalar. Received shape: "
                                 f"{_shape_str(max_t.get_shape())}")
            if not max_t.dtype.base_dtype.is_integer:
                raise TypeError(f"'maximum_iterations' must be an integer tensor, got "
                                f"{max_t.dtype.base_dtype.name}")
        single = not nest.is_sequence(loop_vars) or nest.is_composite(loop_vars)
        structure = [loop_vars] if single else loop_vars
        exits, body_result = build_loop(
            cond, body, flat, invariants, structure, max_t,
            attrs={"parallel_iterations": parallel_iterations, "back_prop": bool(back_prop),
                   "swap_memory": bool(swap_memory)})
        packed = nest.pack_sequence_as(body_result, exits)
        if return_same_structure:
            return packed
        if len(exits) == 1 or (isinstance(packed, (list, tuple)) and len(packed) == 1 and
                               nest.is_composite(packed[0])):
            return packed[0]
        return packed


# --- gradient ----------------------------------------------------------------------------------

def _dense(g: Any) -> Any:
    from minitf.framework.indexed_slices import IndexedSlices

    return convert_to_tensor(g) if isinstance(g, IndexedSlices) else g


@RegisterGradient(WHILE)
def _while_grad(op: Operation, *grads: Any) -> list[Any]:
    from minitf.ops import math_ops
    from minitf.ops.array_ops import zeros_like
    from minitf.ops.gradients_impl import gradients

    result: list[Any] = [None] * len(op._inputs)
    if not op._attrs.get("back_prop", True):
        return result
    if int(op._attrs.get("reverse_env_index", -1)) >= 0 or any(
            c.dtype.base_dtype == dtypes.variant for c in op._inputs):
        raise LookupError(f"No gradient through '{op.name}': minitf does not compute "
                          "second-order gradients through tf.cond or tf.while_loop.")
    spec = spec_of(op)
    body = spec.body_ctx
    k = spec.num_vars
    captured = list(op._inputs[k:])
    var_idx = [j for j in range(k) if is_float(op._inputs[j]) and grads[j] is not None]
    if not var_idx:
        return result
    cap_idx = [i for i, c in enumerate(captured) if is_float(c) and body.arg_for(c) is not None]
    ys = [body.outputs[j] for j in var_idx]
    xs_vars = [body.loop_args[j] for j in var_idx]
    xs_caps = [body.arg_for(captured[i]) for i in cap_idx]
    init = [_dense(grads[j]) for j in var_idx] + [zeros_like(captured[i]) for i in cap_idx]
    nv = len(var_idx)

    def grad_body(*state: Tensor) -> list[Tensor]:
        dv, acc = list(state[:nv]), list(state[nv:])
        gs = gradients(ys, xs_vars + xs_caps, grad_ys=dv)  # type: ignore[arg-type]
        new_dv = [_dense(g) if g is not None else zeros_like(x)
                  for g, x in zip(gs[:nv], xs_vars)]
        new_acc = [math_ops.add(a, _dense(g)) if g is not None else a
                   for a, g in zip(acc, gs[nv:])]
        return new_dv + new_acc

    invariants = [op._outputs[j].get_shape() for j in var_idx] + \
        [captured[i].get_shape() for i in cap_idx]
    with name_scope(None, "while_grad", []):
        exits, _ = build_loop(None, grad_body, init, invariants, forward_op=op,
                              attrs={"parallel_iterations":
                                     int(op._attrs.get("parallel_iterations", 10))})
    for j, e in zip(var_idx, exits[:nv]):
        result[j] = e
    for i, e in zip(cap_idx, exits[nv:]):
        result[k + i] = e
    return result
