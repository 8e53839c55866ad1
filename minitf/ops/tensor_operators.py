"""The Python operators on Tensor (``+ - * / // % ** @ & | ^ ~ < <= > >=``, unary ``-`` and
``abs``), built as TF builds them. Installed on import (by :mod:`minitf.ops.math_ops`)."""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.ops.math_ops import (
    abs,
    cast,
    floordiv,
    logical_xor,
    matmul,
    multiply,
    pow,
    subtract,
    truediv,
)

__all__: list[str] = []

# --- Python operators on Tensor ------------------------------------------------------------------
# As TF: ``x + y`` opens an ``add`` name scope and calls the dispatch function; when that fails
# the right operand's reflected operator gets a try. ``2 * x`` converts 2 to x's dtype as
# ``mul/x``. Tensor.__eq__ stays identity (TF 1.x).

def _add_operator(x: Any, y: Any, name: str | None = None) -> Tensor:
    if not isinstance(y, Tensor):
        y = convert_to_tensor(y, dtype_hint=x.dtype.base_dtype, name="y")
    op_type = "Add" if x.dtype.base_dtype == dtypes.string else "AddV2"
    return apply_op(op_type, name=name, x=x, y=y)


def _mul_operator(x: Any, y: Any, name: str | None = None) -> Tensor:
    if (isinstance(x, Tensor) and x.dtype.base_dtype == dtypes.bool) or (
            isinstance(y, Tensor) and y.dtype.base_dtype == dtypes.bool):
        product = multiply(cast(x, dtypes.int32), cast(y, dtypes.int32), name=name)
        return cast(product, dtypes.bool)
    return multiply(x, y, name=name)


def _mod_operator(x: Any, y: Any, name: str | None = None) -> Tensor:
    with name_scope(name, "mod", [x, y]) as scope:
        return apply_op("FloorMod", name=scope, x=x, y=y)


def _bitwise_or_logical(logical: str, bitwise: str) -> Any:
    def fn(x: Any, y: Any, name: str | None = None) -> Tensor:
        if x.dtype.base_dtype == dtypes.bool:
            if logical == "xor":
                return logical_xor(x, y, name=name)
            return apply_op(logical, name=name, x=x, y=y)
        return apply_op(bitwise, x=x, y=y)

    return fn


def _binary_operator(fn: Any, op_name: str) -> tuple[Any, Any]:
    def forward(x: Tensor, y: Any) -> Any:
        with name_scope(None, op_name, [x, y]) as scope:
            try:
                return fn(x, y, name=scope)
            except (TypeError, ValueError) as e:
                r_op = getattr(type(y), f"__r{op_name}__", None)
                if r_op is None:
                    raise
                try:
                    out = r_op(y, x)
                except (TypeError, ValueError):
                    raise e from None
                if out is NotImplemented:
                    raise
                return out

    def reflected(y: Tensor, x: Any) -> Any:
        with name_scope(None, op_name, [x, y]) as scope:
            x = convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x")
            return fn(x, y, name=scope)

    forward.__name__, reflected.__name__ = f"__{op_name}__", f"__r{op_name}__"
    return forward, reflected


def _invert_operator(x: Tensor) -> Tensor:
    if x.dtype.base_dtype == dtypes.bool:
        return apply_op("LogicalNot", x=x)
    return apply_op("Invert", x=x)


def _install_operators() -> None:
    table = [("add", _add_operator), ("sub", subtract), ("mul", _mul_operator),
             ("truediv", truediv), ("floordiv", floordiv), ("mod", _mod_operator),
             ("pow", pow), ("matmul", matmul),
             ("and", _bitwise_or_logical("LogicalAnd", "BitwiseAnd")),
             ("or", _bitwise_or_logical("LogicalOr", "BitwiseOr")),
             ("xor", _bitwise_or_logical("xor", "BitwiseXor"))]
    for op_name, fn in table:
        forward, reflected = _binary_operator(fn, op_name)
        setattr(Tensor, f"__{op_name}__", forward)
        setattr(Tensor, f"__r{op_name}__", reflected)
    Tensor.__neg__ = lambda self: apply_op("Neg", x=self)  # type: ignore[method-assign]
    Tensor.__abs__ = lambda self: abs(self)  # type: ignore[method-assign]
    Tensor.__invert__ = _invert_operator  # type: ignore[method-assign]
    for dunder, op_type in (("lt", "Less"), ("le", "LessEqual"), ("gt", "Greater"),
                            ("ge", "GreaterEqual")):
        setattr(Tensor, f"__{dunder}__", _comparison_operator(op_type))


def _comparison_operator(op_type: str) -> Any:
    def compare(self: Tensor, y: Any) -> Tensor:
        return apply_op(op_type, x=self, y=y)

    return compare


_install_operators()
