"""``tf.cond`` and ``tf.case`` as one functional op, ``MinitfCond``.

``cond(pred, true_fn, false_fn)`` builds each branch under the ``cond/`` name scope as TF does
(``cond/mul``, ``cond/mul/Switch`` for an outside input), then one ``cond/If`` op of type
``MinitfCond`` whose inputs are the predicate and the outside values the branches read, and one
Identity per result named as TF's Merge ops (``cond/Merge``, ``cond/Merge_1``). Its kernel runs
the plan of the branch the predicate selects, so ops of the other branch never run (their side
effects do not happen, their errors are not raised). The gradient is a cond of the branches'
gradients, which read the forward branch's values through the op's ``env`` output.
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
from minitf.framework.tensor_shape import TensorShape, unknown_shape
from minitf.ops import control_flow_util as nest
from minitf.ops.control_flow_context import (
    ControlFlowContext,
    is_float,
    mark_members,
    register_restorer,
    set_spec,
    spec_of,
    tensors_named,
    union_of_captures,
)

__all__ = ["cond", "case"]

COND = "MinitfCond"
_NAME_ATTRS = ("then_inputs", "else_inputs", "then_outputs", "else_outputs", "then_exports",
               "else_exports")


class CondSpec:
    """The two branch contexts of a MinitfCond op (index 1: true, 0: false)."""

    def __init__(self, then_ctx: ControlFlowContext, else_ctx: ControlFlowContext) -> None:
        self.branches = (else_ctx, then_ctx)


# --- the op ------------------------------------------------------------------------------------

def _cond_shape(op: Any) -> list[TensorShape]:
    shapes = list(op._attrs.get("output_shapes") or [])
    n = len(op._attrs["Tout"])
    if len(shapes) != n:
        shapes = [unknown_shape()] * n
    return [s if s is not None else unknown_shape() for s in shapes] + [TensorShape([])]


def _branch_plan(op: Operation, state: Any, prefix: str) -> tuple[Any, list[int], list[str]]:
    from minitf.runtime.plan import build_plan

    g = op._graph
    args = op._attrs[f"{prefix}_inputs"]
    exports = list(op._attrs.get(f"{prefix}_exports") or [])
    fetches = tensors_named(g, list(op._attrs[f"{prefix}_outputs"]) + exports)
    positions = [i for i, n in enumerate(args) if n]
    feeds = tensors_named(g, [args[i] for i in positions])
    plan = build_plan(fetches, [], feeds, state, getattr(state, "config", None), 0)  # type: ignore[arg-type]
    return plan, positions, exports


def _cond_kernel(op: Operation, state: Any) -> Callable[..., Any]:
    from minitf.runtime.executor import run_plan

    branches = [_branch_plan(op, state, "else"), _branch_plan(op, state, "then")]
    n_out = len(op._attrs["Tout"])

    def run_cond(pred: Any, *captured: Any) -> Any:
        plan, positions, exports = branches[1 if pred else 0]
        values = run_plan(plan, [captured[i] for i in positions])
        env = dict(zip(exports, values[n_out:])) if exports else None
        return (*values[:n_out], env)

    # a plan holding BLAS to one thread enters that once, not once per branch run
    run_cond.uses_blas = any(getattr(b[0], "blas_limiter", None) is not None  # type: ignore[attr-defined]
                             for b in branches)
    return run_cond


register_op(COND, inputs=["pred: bool", "input: Tin"], outputs=["output: Tout", "env: variant"],
            attrs=["Tin: list(type)", "Tout: list(type)", "then_inputs: list(string) = []",
                   "else_inputs: list(string) = []", "then_outputs: list(string) = []",
                   "else_outputs: list(string) = []", "then_exports: list(string) = []",
                   "else_exports: list(string) = []", "output_shapes: list(shape) = []"],
            shape=_cond_shape, make_kernel=_cond_kernel, stateful=True,
            graph_element_attrs=_NAME_ATTRS,
            doc="tf.cond: runs the branch the predicate selects (branch ops are graph nodes; "
                "attributes name each branch's inputs, outputs and exported values).")


def _restore(op: Operation) -> CondSpec:
    """The branch contexts of a MinitfCond read from a GraphDef."""
    g = op._graph
    outer = op._control_flow_context
    captured = list(op._inputs[1:])
    ctxs = []
    for prefix in ("then", "else"):
        ctx = ControlFlowContext("cond_branch", g, outer, "Switch", f"{prefix}_exports")
        args = tensors_named(g, list(op._attrs[f"{prefix}_inputs"]))
        for c, a in zip(captured, args):
            if a is not None:
                ctx.captured.append(c)
                ctx.capture_args.append(a)
                ctx._arg_of[id(c)] = a
        ctx.outputs = [t for t in tensors_named(g, list(op._attrs[f"{prefix}_outputs"]))
                       if t is not None]
        ctx.exports = list(op._attrs.get(f"{prefix}_exports") or [])
        ctx.owner = op
        roots = ctx.outputs + [t for t in tensors_named(g, ctx.exports) if t is not None]
        mark_members(ctx, roots, [a for a in args if a is not None])
        ctxs.append(ctx)
    return CondSpec(ctxs[0], ctxs[1])


register_restorer(COND, _restore)


# --- building ----------------------------------------------------------------------------------

def _branch_results(ctx: ControlFlowContext, result: Any, fn_name: str) -> tuple[Any, list[Any]]:
    """Converts a branch function's result to tensors of the branch (inside ``ctx``)."""
    from minitf.ops.constant_op import constant
    from minitf.ops.control_flow_ops import with_dependencies

    if result is None:
        raise ValueError(f"'{fn_name}' must have a return value.")
    flat = []
    for v in nest.flatten(result):
        if isinstance(v, Operation):
            is_then = ctx.export_attr == "then_exports"
            pivot = constant(is_then, name="switch_t" if is_then else "switch_f")
            t = with_dependencies([v], pivot)
        else:
            t = convert_to_tensor(v)
            if t._op._control_flow_context is not ctx:
                t = ctx.capture(t, None)
        flat.append(t)
    return result, flat


def _merged_shape(a: TensorShape, b: TensorShape) -> TensorShape:
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return unknown_shape()
    return TensorShape([x if x == y else None for x, y in zip(a.as_list(), b.as_list())])


def _unpack_if_singleton(x: Any) -> Any:
    return x[0] if isinstance(x, (list, tuple)) and len(x) == 1 else x


def cond(pred: Any, true_fn: Callable[[], Any] | None = None,
         false_fn: Callable[[], Any] | None = None, strict: bool = False,
         name: str | None = None, fn1: Callable[[], Any] | None = None,
         fn2: Callable[[], Any] | None = None) -> Any:
    """``true_fn()`` if ``pred`` is true else ``false_fn()`` (``tf.cond``).

    Only the selected branch's ops run. Both functions must return the same structure of
    tensors with the same dtypes; singleton lists are unpacked unless ``strict``.
    """
    if fn1 is not None:
        if true_fn is not None:
            raise TypeError("cond(): 'true_fn' and 'fn1' may not be set simultaneously.")
        true_fn = fn1
    elif true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if fn2 is not None:
        if false_fn is not None:
            raise TypeError("cond(): 'false_fn' and 'fn2' may not be set simultaneously.")
        false_fn = fn2
    elif false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    with name_scope(name, "cond", [pred]) as scope:
        if isinstance(pred, bool):
            raise TypeError("'pred' must not be a Python bool.")
        g = get_default_graph()
        pred = convert_to_tensor(pred)
        if pred.dtype.base_dtype != dtypes.bool:
            raise TypeError(f"Input 'pred' of 'Switch' Op has type {pred.dtype.base_dtype.name}"
                            " that does not match expected type of bool.")
        rank = pred.get_shape().ndims
        if rank not in (None, 0):
            raise ValueError(f"Shape must be rank 0 but is rank {rank} for '{scope}Switch' "
                             f"(op: 'Switch') with input shapes: {pred.get_shape()}.")
        outer = g._control_flow_context
        then_ctx = ControlFlowContext("cond_branch", g, outer, "Switch", "then_exports")
        else_ctx = ControlFlowContext("cond_branch", g, outer, "Switch", "else_exports")
        with then_ctx:
            orig_t, flat_t = _branch_results(then_ctx, true_fn(), "true_fn")
        with else_ctx:
            orig_f, flat_f = _branch_results(else_ctx, false_fn(), "false_fn")
        if not strict:
            orig_t, orig_f = _unpack_if_singleton(orig_t), _unpack_if_singleton(orig_f)
        try:
            nest.assert_same_structure(orig_t, orig_f)
        except ValueError as e:
            raise ValueError(f"Incompatible return values of 'true_fn' and 'false_fn': {e}"
                             ) from None
        if not flat_t:
            raise ValueError("'true_fn' and 'false_fn' must return at least one result.")
        for x, y in zip(flat_t, flat_f):
            if x.dtype.base_dtype != y.dtype.base_dtype:
                raise ValueError("Outputs of 'true_fn' and 'false_fn' must have the same "
                                 f"type(s). Received {x.dtype.base_dtype.name} from 'true_fn' "
                                 f"and {y.dtype.base_dtype.name} from 'false_fn'.")
        then_ctx.outputs, else_ctx.outputs = flat_t, flat_f
        captured = union_of_captures(then_ctx, else_ctx)
        attrs = {
            "Tin": [c.dtype.base_dtype for c in captured],
            "Tout": [t.dtype.base_dtype for t in flat_t],
            "then_inputs": then_ctx.arg_names_for(captured),
            "else_inputs": else_ctx.arg_names_for(captured),
            "then_outputs": [t.name for t in flat_t],
            "else_outputs": [t.name for t in flat_f],
            "then_exports": [], "else_exports": [],
            "output_shapes": [_merged_shape(a.get_shape(), b.get_shape())
                              for a, b in zip(flat_t, flat_f)],
        }
        control = then_ctx.external_control + [c for c in else_ctx.external_control
                                               if c not in then_ctx.external_control]
        op = g._create_op_internal(COND, [pred] + captured, attrs, g.unique_name("If"),
                                   control_inputs=control)
        then_ctx.owner = else_ctx.owner = op
        set_spec(op, CondSpec(then_ctx, else_ctx))
        from minitf.ops.array_ops import identity

        merges = [identity(t, name="Merge") for t in op._outputs[:-1]]
        result = nest.pack_sequence_as(orig_t, merges)
        if not strict:
            result = _unpack_if_singleton(result)
        return result


# --- case ----------------------------------------------------------------------------------------

def _assert_at_most_n_true(predicates: list[Tensor], n: int, msg: str) -> Operation:
    from minitf.ops import array_ops, math_ops
    from minitf.ops.constant_op import constant
    from minitf.ops.logging_ops import Assert

    preds_c = array_ops.stack(predicates, name="preds_c")  # type: ignore[attr-defined]
    num_true = math_ops.reduce_sum(math_ops.cast(preds_c, dtypes.int32), name="num_true_conds")
    condition = math_ops.less_equal(num_true, constant(n, name="n_true_conds"))
    names = ", ".join(getattr(p, "name", "?") for p in predicates)
    error_msg = [f"{msg}: more than {n} conditions ({names}) evaluated as True:", preds_c]
    return Assert(condition, data=error_msg, summarize=len(predicates))


def _default_action(predicates: list[Tensor], actions: list[Callable[[], Any]]
                    ) -> tuple[Callable[[], Any], list[Tensor], list[Callable[[], Any]]]:
    """With no default, the last pair acts as the default, checked to be the one true."""
    from minitf.framework.graph import control_dependencies
    from minitf.ops import array_ops
    from minitf.ops.logging_ops import Assert

    k = len(predicates) - 1
    predicate, action = predicates[k], actions[k]
    others, other_actions = predicates[:k], actions[:k]

    def default_action() -> Any:
        others_msg = (f"Implementation error: selected default action #{k} was called, but "
                      "some of other predicates are True: ")
        default_msg = ["Input error: None of conditions evaluated as True:",
                       array_ops.stack(predicates, name="preds_c")]  # type: ignore[attr-defined]
        with control_dependencies([_assert_at_most_n_true(others, 0, others_msg),
                                   Assert(predicate, data=default_msg)]):
            return action()

    return default_action, others, other_actions


def case(pred_fn_pairs: Any, default: Callable[[], Any] | None = None, exclusive: bool = False,
         strict: bool = False, name: str = "case") -> Any:
    """The result of the first ``fn`` whose ``pred`` is true (``tf.case``), built as TF builds
    it: nested conds tested in order (a dict is ordered by predicate name); with no
    ``default`` the last pair is the default and must be the one true predicate."""
    if not isinstance(pred_fn_pairs, (list, tuple, dict)):
        raise TypeError("'pred_fn_pairs' must be a list, tuple, or dict. "
                        f"Received: {type(pred_fn_pairs)}")
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = sorted(pred_fn_pairs.items(), key=lambda item: item[0].name)
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in 'pred_fn_pairs' must be a 2-tuple. Received {pair}.")
        pred, fn = pair
        if isinstance(pred, Tensor):
            if pred.dtype.base_dtype != dtypes.bool:
                raise TypeError(f"pred must be Tensor of type bool: {pred.name}")
        else:
            raise TypeError(f"pred must be a Tensor, got: {pred}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
    predicates = [p for p, _ in pred_fn_pairs]
    actions = [f for _, f in pred_fn_pairs]
    with name_scope(name, "case", predicates):
        if default is None:
            default, predicates, actions = _default_action(predicates, actions)
        fn: Callable[[], Any] = default

        def chain(p: Tensor, a: Callable[[], Any], rest: Callable[[], Any]) -> Callable[[], Any]:
            return lambda: cond(p, a, rest, strict=strict)

        for p, a in reversed(list(zip(predicates, actions))):
            fn = chain(p, a, fn)
        if exclusive:
            from minitf.framework.graph import control_dependencies

            with control_dependencies([_assert_at_most_n_true(
                    predicates, 1, "Input error: exclusive=True")]):
                return fn()
        return fn()


# --- gradient ----------------------------------------------------------------------------------

def _reaches(src: Tensor, targets: list[Tensor]) -> bool:
    """Whether a value of ``targets`` depends on ``src`` (through data edges)."""
    want = {id(t._op) for t in targets}
    seen: set[int] = set()
    stack = [src._op]
    while stack:
        op = stack.pop()
        if id(op) in seen:
            continue
        seen.add(id(op))
        if id(op) in want:
            return True
        for t in op._outputs:
            stack.extend(t._consumers)
    return False


def _dense(g: Any) -> Any:
    from minitf.framework.indexed_slices import IndexedSlices

    return convert_to_tensor(g) if isinstance(g, IndexedSlices) else g


@RegisterGradient(COND)
def _cond_grad(op: Operation, *grads: Any) -> list[Any]:
    from minitf.ops.array_ops import zeros_like
    from minitf.ops.gradients_impl import gradients

    captured = list(op._inputs[1:])
    if any(c.dtype.base_dtype == dtypes.variant for c in captured):
        raise LookupError(f"No gradient through '{op.name}': minitf does not compute "
                          "second-order gradients through tf.cond or tf.while_loop.")
    spec = spec_of(op)
    out_grads = list(grads[:-1])
    wanted: list[int] = []
    for i, c in enumerate(captured):
        if not is_float(c):
            continue
        for ctx in spec.branches:
            arg = ctx.arg_for(c)
            ys = [t for t, gy in zip(ctx.outputs, out_grads) if gy is not None and is_float(t)]
            if arg is not None and ys and _reaches(arg, ys):
                wanted.append(i)
                break
    result: list[Any] = [None] * len(op._inputs)
    if not wanted:
        return result

    def branch_grads(ctx: ControlFlowContext) -> Callable[[], list[Any]]:
        def fn() -> list[Any]:
            pairs = [(t, gy) for t, gy in zip(ctx.outputs, out_grads)
                     if gy is not None and is_float(t)]
            xs = [ctx.arg_for(captured[i]) for i in wanted]
            used = [j for j, x in enumerate(xs) if x is not None]
            gs: list[Any] = [None] * len(wanted)
            if pairs and used:
                found = gradients([t for t, _ in pairs], [xs[j] for j in used],
                                  grad_ys=[gy for _, gy in pairs])
                for j, g in zip(used, found):
                    gs[j] = g
            return [_dense(g) if g is not None else zeros_like(captured[wanted[j]])
                    for j, g in enumerate(gs)]
        return fn

    then_ctx, else_ctx = spec.branches[1], spec.branches[0]
    outs = cond(op._inputs[0], branch_grads(then_ctx), branch_grads(else_ctx), strict=True,
                name="cond_grad")
    for i, g in zip(wanted, outs):
        result[1 + i] = g
    return result

