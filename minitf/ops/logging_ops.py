"""``tf.Assert`` and ``tf.Print``: run-time checks and printing, formatted as TF formats tensor
summaries (``[1 2 3...]``, rows in brackets, floats with 6 or 15 significant digits)."""

from __future__ import annotations

import sys
import threading
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import get_default_graph, name_scope
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.ops import shape_fns

__all__ = ["Assert", "Print", "summarize_value"]


# --- TF's tensor summaries (Tensor::SummarizeValue) ---------------------------------------------

def _element(v: Any) -> str:
    if isinstance(v, (bytes, np.bytes_)):
        return bytes(v).decode("utf-8", "backslashreplace")
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, np.floating) or isinstance(v, float):
        double = isinstance(v, (float, np.float64))
        digits, more = (15, 17) if double else (6, 9)
        s = f"{v:.{digits}g}"
        try:
            same = (float(s) if double else np.float32(s)) == v
        except ValueError:
            same = True
        return s if same or not np.isfinite(v) else f"{v:.{more}g}"
    if isinstance(v, (complex, np.complexfloating)):
        return f"({_element(np.float64(v.real))},{_element(np.float64(v.imag))})"
    return str(v)


def summarize_value(value: Any, max_entries: int = 3) -> str:
    """TF's summary of a tensor value: the first ``max_entries`` elements (all when < 0)."""
    arr = np.asarray(value)
    flat = arr.reshape(-1)
    n = flat.size
    limit = n if max_entries < 0 else min(max_entries, n)
    if arr.ndim == 0:
        out = " ".join(_element(flat[i]) for i in range(limit))
        return out + ("..." if n > limit else "")
    parts: list[str] = []
    index = [0]
    shape = arr.shape

    def one_dim(d: int) -> None:
        if index[0] >= limit:
            return
        if d == len(shape) - 1:
            for i in range(shape[d]):
                if index[0] >= limit:
                    if d != 0:
                        parts.append("...")
                    return
                if i > 0:
                    parts.append(" ")
                parts.append(_element(flat[index[0]]))
                index[0] += 1
            return
        for _ in range(shape[d]):
            opened = index[0] < limit
            if opened:
                parts.append("[")
            one_dim(d + 1)
            if index[0] < limit or opened:
                parts.append("]")

    one_dim(0)
    return "".join(parts) + ("..." if n > limit else "")


# --- Assert ----------------------------------------------------------------------------------

def _assert_kernel(op: Operation, state: Any) -> Any:
    del state
    summarize = int(op._attrs.get("summarize", 3))

    def assert_(condition: Any, *data: Any) -> None:
        if not np.all(condition):
            text = " ".join(f"[{summarize_value(d, summarize)}]" for d in data)
            raise errors.InvalidArgumentError(None, op, f"assertion failed: {text}")

    return assert_


register_op("Assert", inputs=["condition: bool", "data: T"], attrs=["T: list(type)",
                                                                     "summarize: int = 3"],
            shape=shape_fns.no_outputs, make_kernel=_assert_kernel, stateful=True,
            doc="Raises InvalidArgumentError with the data summarized when condition is false.")
NotDifferentiable("Assert")


def _convert_data(data: Any) -> list[Tensor]:
    out = []
    for i, d in enumerate(data):
        out.append(convert_to_tensor(d, name=f"data_{i}"))
    return out


def Assert(condition: Any, data: Any, summarize: int | None = None,  # noqa: N802 - TF's name
           name: str | None = None) -> Operation:
    """An op raising InvalidArgumentError ("assertion failed: [...]") when ``condition`` is
    false at run time (``tf.Assert``). As in TF, data other than strings and int32 is only
    summarized when needed: the check is guarded by a cond (``Assert/AssertGuard``)."""
    if not isinstance(data, (list, tuple)):
        raise TypeError(f"data must be a list of tensors, got {type(data).__name__}")
    with name_scope(name, "Assert", [condition] + [d for d in data if isinstance(d, Tensor)]):
        g = get_default_graph()
        # (TF converts the data once here only to look at the dtypes: Python values leave
        # unused Const ops, which minitf makes too so that op names match)
        kinds = [convert_to_tensor(d).dtype.base_dtype for d in data]
        attrs = {"summarize": 3 if summarize is None else int(summarize)}

        def true_assert() -> Operation:
            with g.name_scope("Assert") as scope:
                cond_t = convert_to_tensor(condition, dtype=dtypes.bool, name="condition")
                xs = _convert_data(data)
                return g._create_op_internal("Assert", [cond_t] + xs,
                                             dict(attrs, T=[x.dtype.base_dtype for x in xs]),
                                             scope[:-1])

        if all(k in (dtypes.string, dtypes.int32) for k in kinds):
            return true_assert()
        from minitf.ops.control_flow_cond import cond
        from minitf.ops.control_flow_ops import no_op

        condition = convert_to_tensor(condition, dtype=dtypes.bool, name="Condition")
        guarded = cond(condition, no_op, true_assert, name="AssertGuard")
        return guarded.op


# --- Print ----------------------------------------------------------------------------------

def _print_kernel(op: Operation, state: Any) -> Any:
    del state
    message = op._attrs.get("message", "")
    first_n = int(op._attrs.get("first_n", -1))
    summarize = int(op._attrs.get("summarize", 3))
    count = [0]
    lock = threading.Lock()

    def print_(value: Any, *data: Any) -> Any:
        with lock:
            if first_n >= 0 and count[0] >= first_n:
                return value
            count[0] += 1
        text = "".join(f"[{summarize_value(d, summarize)}]" for d in data)
        print(f"{message}{text}", file=sys.stderr, flush=True)
        return value

    return print_


register_op("Print", inputs=["input: T", "data: U"], outputs=["output: T"],
            attrs=["T: type", "U: list(type)", "message: string = ''", "first_n: int = -1",
                   "summarize: int = 3"],
            shape=shape_fns.unchanged, make_kernel=_print_kernel, stateful=True,
            aliases_input=True, doc="Passes input through, printing data to stderr.")


@RegisterGradient("Print")
def _print_grad(op: Operation, grad: Any, *rest: Any) -> list[Any]:
    return [grad] + [None] * (len(op._inputs) - 1)


def Print(input_: Any, data: Any, message: str | None = None,  # noqa: N802 - TF's name
          first_n: int | None = None, summarize: int | None = None,
          name: str | None = None) -> Tensor:
    """``input_``, printing ``message`` and a summary of each of ``data`` to stderr whenever
    it is computed (``tf.Print``; the first ``first_n`` times when given)."""
    g = get_default_graph()
    with g.name_scope(name or "Print") as scope:
        x = convert_to_tensor(input_, name="input")
        xs = _convert_data(list(data or []))
        attrs = {"T": x.dtype.base_dtype, "U": [d.dtype.base_dtype for d in xs],
                 "message": message or "", "first_n": -1 if first_n is None else int(first_n),
                 "summarize": 3 if summarize is None else int(summarize)}
        return g._create_op_internal("Print", [x] + xs, attrs, scope[:-1])._outputs[0]
