"""``tf.py_func``: a Python function as a graph op.

The function stays in this process: the op holds a token (``pyfunc_0`` ...) naming it in a
registry, as TF's FuncRegistry does; nothing is pickled or evaluated. A GraphDef with a PyFunc
node runs only in the process that registered its function.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import get_default_graph
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.operation import Operation
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.ops import shape_fns

__all__ = ["py_func"]

_FUNCS: dict[str, Callable[..., Any]] = {}
_COUNTER = itertools.count()
_LOCK = threading.Lock()


def _convert_result(op: Operation, i: int, value: Any, want: dtypes.DType) -> np.ndarray:
    np_dtype = np.dtype(want.as_numpy_dtype)
    if want == dtypes.string:
        from minitf.framework.tensor_conversion import to_numpy

        return to_numpy(value)[0]
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.asarray(value)
        if arr.dtype != np_dtype:
            raise errors.InvalidArgumentError(
                None, op, f"{i}-th value returned by {op._attrs['token']} is "
                          f"{dtypes.as_dtype(arr.dtype).name}, but expects {want.name}")
        return arr
    return np.asarray(value, dtype=np_dtype)


def _py_func_kernel(op: Operation, state: Any) -> Any:
    del state
    token = op._attrs["token"]
    tout = [dtypes.as_dtype(t) for t in op._attrs["Tout"]]
    def run(*args: Any) -> Any:
        fn = _FUNCS.get(token)
        if fn is None:
            raise errors.InvalidArgumentError(
                None, op, f"The Python function of {op.name} ({token}) is not registered in "
                          "this process.")
        result = fn(*args)
        if not tout:
            return None
        # as TF: a returned list or tuple holds the outputs, anything else is the one output
        values = list(result) if isinstance(result, (list, tuple)) else [result]
        if len(values) != len(tout):
            raise errors.InvalidArgumentError(
                None, op, f"pyfunc {token} returned {len(values)} values, but expects "
                          f"{len(tout)} values")
        out = [_convert_result(op, i, v, t) for i, (v, t) in enumerate(zip(values, tout))]
        return tuple(out)

    return run


for _type in ("PyFunc", "PyFuncStateless"):
    register_op(_type, inputs=["input: Tin"], outputs=["output: Tout"],
                attrs=["token: string", "Tin: list(type)", "Tout: list(type)"],
                shape=shape_fns.unknown, make_kernel=_py_func_kernel,
                stateful=_type == "PyFunc",
                doc="Calls a Python function registered in this process (tf.py_func).")
    NotDifferentiable(_type)


def py_func(func: Callable[..., Any], inp: Any, Tout: Any, stateful: bool = True,  # noqa: N803
            name: str | None = None) -> Any:
    """Wraps ``func`` (numpy arrays in, numpy arrays out) as an op (``tf.py_func``).

    ``Tout`` is a dtype or a list of dtypes; returns a tensor or a list of tensors. Outputs have
    unknown static shapes (use ``set_shape``); the op has no gradient.
    """
    if not callable(func):
        raise TypeError(f"Expected func to be callable, got func of type {type(func)}")
    single = not isinstance(Tout, (list, tuple))
    tout = [dtypes.as_dtype(t).base_dtype for t in ([Tout] if single else Tout)]
    with _LOCK:
        token = f"pyfunc_{next(_COUNTER)}"
        _FUNCS[token] = func
    g = get_default_graph()
    op_type = "PyFunc" if stateful else "PyFuncStateless"
    with g.name_scope(name or op_type) as scope:
        xs: list[Tensor] = [convert_to_tensor(x, name=f"input_{i}")
                            for i, x in enumerate(inp or [])]
        op = g._create_op_internal(op_type, xs, {"token": token,
                                                 "Tin": [x.dtype.base_dtype for x in xs],
                                                 "Tout": tout}, scope[:-1])
    if single:
        return op._outputs[0] if op._outputs else op
    return list(op._outputs)
