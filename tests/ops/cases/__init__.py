"""A table of example inputs for every registered op, used by the registry-driven tests.

Each op family adds its cases in ``tests/ops/cases/<family>.py`` with :func:`case`::

    @case("MatMul")
    def _():
        a = placeholder64([2, 3]); b = placeholder64([3, 4])
        return tf.matmul(a, b), {a: rand(2, 3), b: rand(3, 4)}

A case function builds a graph in the (fresh) default graph and returns ``(output, feeds)``:
the tensor to compute and a feed dict mapping float placeholders to values. The registry tests
then (1) check that every registered op type has at least one case, (2) run each case with the
fast kernels and with numpy references only and compare, and (3) for differentiable ops, check
the symbolic gradient of the output w.r.t. every floating-point placeholder numerically.
Use float64 placeholders where the op allows it, and inputs away from kinks (|x| > 0.1 for abs,
relu, max ...). ``grad=False`` skips the gradient check (state ops, random ops); ``tol`` is the
largest allowed |symbolic - numeric| entry.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import minitf as tf


@dataclass
class OpCase:
    op_type: str
    build: Callable[[], tuple[Any, dict[Any, Any]]]
    grad: bool = True
    tol: float = 1e-4
    name: str = ""


CASES: list[OpCase] = []
# Op types that need no case (internal helpers exercised elsewhere), with the reason.
EXEMPT: dict[str, str] = {}


def case(op_type: str, grad: bool = True, tol: float = 1e-4) -> Callable[[Any], Any]:
    def deco(fn: Callable[[], tuple[Any, dict[Any, Any]]]) -> Any:
        CASES.append(OpCase(op_type, fn, grad, tol, f"{op_type}:{fn.__name__}"))
        return fn

    return deco


def exempt(op_type: str, why: str) -> None:
    EXEMPT[op_type] = why


_rng = np.random.default_rng(1234)


def reseed(seed: int = 1234) -> None:
    """Makes the next case build draw the same inputs (called before every build)."""
    global _rng
    _rng = np.random.default_rng(seed)


def rand(*shape: int, low: float = -1.0, high: float = 1.0, dtype: Any = np.float64) -> Any:
    return _rng.uniform(low, high, size=shape).astype(dtype)


def away_from_zero(*shape: int, margin: float = 0.2, dtype: Any = np.float64) -> Any:
    x = _rng.uniform(margin, 1.0, size=shape) * _rng.choice([-1.0, 1.0], size=shape)
    return x.astype(dtype)


def placeholder64(shape: Any, name: str | None = None) -> Any:
    return tf.placeholder(tf.float64, shape, name=name)


def load_all() -> list[OpCase]:
    """Imports every case module in this package."""
    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")
    return CASES
