"""TF 1.x assertions (``tf.assert_equal`` ... ``tf.assert_scalar``, also in ``tf.debugging``)
and numerics checks (the ``CheckNumerics`` op, ``tf.check_numerics``,
``tf.add_check_numerics_ops``).

As in TF's graph mode: comparisons of two constants are decided at build time
(InvalidArgumentError), rank/type/scalar checks raise ValueError/TypeError when the static shape
or dtype decides them, everything else builds an ``Assert`` op (guarded by ``AssertGuard``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.constant_value import constant_value
from minitf.framework.graph import control_dependencies, get_default_graph, name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.ops import shape_fns

__all__ = ["assert_equal", "assert_none_equal", "assert_less", "assert_less_equal",
           "assert_greater", "assert_greater_equal", "assert_positive", "assert_negative",
           "assert_non_negative", "assert_non_positive", "assert_rank", "assert_rank_at_least",
           "assert_type", "assert_integer", "assert_scalar", "check_numerics",
           "add_check_numerics_ops"]


# --- CheckNumerics -------------------------------------------------------------------------------

def _check_numerics_ref(x: Any, message: str = "") -> Any:
    nan, inf = bool(np.isnan(x).any()), bool(np.isinf(x).any())
    if nan or inf:
        what = "Inf and NaN" if nan and inf else ("NaN" if nan else "Inf")
        raise errors.InvalidArgumentError(None, None, f"{message} : Tensor had {what} values")
    return x


register_op("CheckNumerics", inputs=["tensor: T"], outputs=["output: T"],
            attrs=["T: {bfloat16, half, float, double}", "message: string"],
            shape=shape_fns.unchanged, reference=_check_numerics_ref, stateful=True,
            kernel_attrs=("message",), doc="Raises InvalidArgumentError on NaN or Inf values.")


@RegisterGradient("CheckNumerics")
def _check_numerics_grad(op: Operation, grad: Any) -> Any:
    return check_numerics(grad, "Not a number (NaN) or infinity (Inf) values detected in "
                                f"gradient. {op.get_attr('message')}")


def check_numerics(tensor: Any, message: str, name: str | None = None) -> Tensor:
    """``tensor``, raising InvalidArgumentError at run time if it has NaN or Inf values."""
    return apply_op("CheckNumerics", name=name, tensor=tensor, message=message)


def add_check_numerics_ops() -> Operation:
    """One ``CheckNumerics`` per float16/32/64 output in the default graph, chained by control
    dependencies; returns the group of the last one (raises ValueError inside control flow)."""
    from minitf.ops.control_flow_ops import group

    checks: list[Tensor] = []
    for op in get_default_graph().get_operations():
        for output in op.outputs:
            if output.dtype not in (dtypes.float16, dtypes.float32, dtypes.float64):
                continue
            if op._control_flow_context is not None:
                raise ValueError("`tf.add_check_numerics_ops() is not compatible with "
                                 "TensorFlow control flow operations such as `tf.cond()` or "
                                 "`tf.while_loop()`.")
            with control_dependencies(checks):
                checks = [check_numerics(output, message=f"{op.name}:{output.value_index}")]
    return group(*checks)


# --- assertions --------------------------------------------------------------------------------

def _message_prefix(message: str | None) -> str:
    return f"{message}.  " if message else ""


def _static_string(t: Any) -> Any:
    if not isinstance(t, Tensor):
        return str(t)
    value = constant_value(t)
    return str(value) if value is not None else t


def _assert_static(condition: Any, data: list[Any]) -> None:
    if not condition:
        raise errors.InvalidArgumentError(
            None, None, "\n".join(str(_static_string(x)) for x in data))


def _binary_assert(sym: str, opname: str, op_func: Callable[..., Any], static_func: Any,
                   x: Any, y: Any, data: Any, summarize: Any, message: Any,
                   name: str | None) -> Any:
    from minitf.ops.logging_ops import Assert
    from minitf.ops.math_ops import reduce_all

    with name_scope(name, opname, [x, y, data]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y")
        if data is None:
            data = [f"Condition x {sym} y did not hold element-wise:", f"x ({x.name}) = ", x,
                    f"y ({y.name}) = ", y]
        if message is not None:
            data = [message] + list(data)
        condition = reduce_all(op_func(x, y))
        x_static, y_static = constant_value(x), constant_value(y)
        if x_static is not None and y_static is not None:
            _assert_static(np.all(static_func(x_static, y_static)), data)
        return Assert(condition, data, summarize=summarize)


def _math(name: str) -> Callable[..., Any]:
    def fn(x: Any, y: Any) -> Any:
        from minitf.ops import math_ops

        return getattr(math_ops, name)(x, y)

    return fn


def _make_binary(sym: str, opname: str, op_name: str, static_func: Any) -> Any:
    def assert_fn(x: Any, y: Any, data: Any = None, summarize: int | None = None,
                  message: str | None = None, name: str | None = None) -> Any:
        return _binary_assert(sym, opname, _math(op_name), static_func, x, y, data, summarize,
                              message, name)

    assert_fn.__name__ = assert_fn.__qualname__ = opname
    assert_fn.__doc__ = f"Asserts ``x {sym} y`` element-wise (``tf.{opname}``)."
    return assert_fn


_assert_equal = _make_binary("==", "assert_equal", "equal", np.equal)


def assert_equal(x: Any, y: Any, data: Any = None, summarize: int | None = None,
                 message: str | None = None, name: str | None = None) -> Any:
    """Asserts ``x == y`` element-wise (``tf.assert_equal``); a no-op when ``x is y``. As in
    TF the scope is opened twice (the ops land in ``assert_equal_1``)."""
    from minitf.ops.control_flow_ops import no_op

    with name_scope(name, "assert_equal", [x, y, data]):
        if x is y:
            return no_op()
    return _assert_equal(x, y, data, summarize, message, name)


assert_none_equal = _make_binary("!=", "assert_none_equal", "not_equal", np.not_equal)
assert_less = _make_binary("<", "assert_less", "less", np.less)
assert_less_equal = _make_binary("<=", "assert_less_equal", "less_equal", np.less_equal)
assert_greater = _make_binary(">", "assert_greater", "greater", np.greater)
assert_greater_equal = _make_binary(">=", "assert_greater_equal", "greater_equal",
                                    np.greater_equal)


def _make_unary(sym: str, opname: str, word: str, zero_first: bool, strict: bool) -> Any:
    def assert_fn(x: Any, data: Any = None, summarize: int | None = None,
                  message: str | None = None, name: str | None = None) -> Any:
        prefix = _message_prefix(message)
        with name_scope(name, opname, [x, data]):
            x = convert_to_tensor(x, name="x")
            if data is None:
                data = [prefix, f"Condition x {sym} 0 did not hold element-wise:",
                        f"x ({x.name}) = ", x]
                if opname == "assert_non_positive":  # TF's message lacks a comma here
                    data = [prefix, data[1] + data[2], x]
            zero = convert_to_tensor(0, dtype=x.dtype)
            check = assert_less if strict else assert_less_equal
            a, b = (zero, x) if zero_first else (x, zero)
            return check(a, b, data=data, summarize=summarize)

    assert_fn.__name__ = assert_fn.__qualname__ = opname
    assert_fn.__doc__ = f"Asserts ``x {sym} 0`` element-wise ({word}; ``tf.{opname}``)."
    return assert_fn


assert_positive = _make_unary(">", "assert_positive", "positive", True, True)
assert_negative = _make_unary("<", "assert_negative", "negative", False, True)
assert_non_negative = _make_unary(">=", "assert_non_negative", "non-negative", True, False)
assert_non_positive = _make_unary("<=", "assert_non_positive", "non-positive", False, False)


def _rank_assert(x: Any, rank: Any, data: Any, summarize: Any, message: Any, name: Any,
                 opname: str, word: str, static_ok: Callable[[int, int], bool],
                 dynamic: str) -> Any:
    from minitf.ops import array_ops, math_ops
    from minitf.ops.control_flow_ops import no_op, with_dependencies
    from minitf.ops.logging_ops import Assert

    with name_scope(name, opname, (x, rank) + tuple(data or [])):
        x = convert_to_tensor(x, name="x")
        rank = convert_to_tensor(rank, name="rank")
        message = _message_prefix(message)
        if data is None:
            data = [message, f"Tensor {x.name} must have {word}", rank, "Received shape: ",
                    array_ops.shape(x)]
        assert_type(rank, dtypes.int32)
        rank_static = constant_value(rank)
        if rank_static is not None:
            if np.ndim(rank_static) != 0:
                raise ValueError("Rank must be a scalar.")
            x_rank = x.get_shape().ndims
            if x_rank is not None:
                if not static_ok(x_rank, int(rank_static)):
                    raise ValueError(f"{message}Tensor {x.name} must have {word} "
                                     f"{int(rank_static)}.  Received rank {x_rank}, shape "
                                     f"{x.get_shape()}")
                return no_op(name="static_checks_determined_all_ok")
        condition = getattr(math_ops, dynamic)(array_ops.rank(x), rank)
        if rank_static is None:
            rank_check = assert_rank(rank, 0, data=["Rank must be a scalar. Received rank: ",
                                                    rank])
            condition = with_dependencies([rank_check], condition)
        return Assert(condition, data, summarize=summarize)


def assert_rank(x: Any, rank: Any, data: Any = None, summarize: int | None = None,
                message: str | None = None, name: str | None = None) -> Any:
    """Asserts ``x`` has rank ``rank``: ValueError when the static rank is wrong, a no-op when
    it is right, an Assert op when it is unknown."""
    return _rank_assert(x, rank, data, summarize, message, name, "assert_rank", "rank",
                        lambda a, r: a == r, "equal")


def assert_rank_at_least(x: Any, rank: Any, data: Any = None, summarize: int | None = None,
                         message: str | None = None, name: str | None = None) -> Any:
    """Asserts ``x`` has rank ``rank`` or more (see :func:`assert_rank`)."""
    return _rank_assert(x, rank, data, summarize, message, name, "assert_rank_at_least",
                        "rank at least", lambda a, r: a >= r, "greater_equal")


def assert_type(tensor: Any, tf_type: Any, message: str | None = None,
                name: str | None = None) -> Operation:
    """TypeError unless ``tensor`` has dtype ``tf_type``; else a no-op."""
    from minitf.ops.control_flow_ops import no_op

    tf_type = dtypes.as_dtype(tf_type)
    with name_scope(name, "assert_type", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor")
        if tensor.dtype != tf_type:
            raise TypeError(f"{_message_prefix(message)}{tensor.name} must be of type "
                            f"{tf_type!r}; got {tensor.dtype!r}")
        return no_op("statically_determined_correct_type")


def assert_integer(x: Any, message: str | None = None, name: str | None = None) -> Operation:
    """TypeError unless ``x`` has an integer dtype; else a no-op."""
    from minitf.ops.control_flow_ops import no_op

    with name_scope(name, "assert_integer", [x]):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_integer:
            raise TypeError(f'{_message_prefix(message)}Expected "x" to be integer type.  '
                            f"Found: {x.name} of dtype {x.dtype}")
        return no_op("statically_determined_was_integer")


def assert_scalar(tensor: Any, name: str | None = None, message: str | None = None) -> Tensor:
    """``tensor`` (converted), ValueError unless its static shape is known to be scalar."""
    with name_scope(name, "assert_scalar", [tensor]) as scope:
        tensor = convert_to_tensor(tensor, name=scope)
        shape = tensor.get_shape()
        if shape.ndims != 0:
            raise ValueError(f"{_message_prefix(message)}Expected scalar shape for "
                             f"{tensor.name}, saw shape: {shape}.")
        return tensor
