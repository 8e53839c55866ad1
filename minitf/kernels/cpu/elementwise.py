"""Generated single-op kernels for elementwise ops whose numpy reference makes several passes
over memory (Sigmoid: negative, exp, add, divide; Elu: minimum, expm1, less, where) or runs
scalar libm code (Softplus: logaddexp), and the factory other op families reuse for theirs::

    from minitf.kernels.cpu.elementwise import elementwise_kernel
    register_kernel("MyOp", "CPU")(elementwise_kernel)   # needs a scalar_exprs entry

Ops with a one-ufunc reference (Add, Exp, Relu ...) keep numpy: a numba call cannot beat a
single SIMD ufunc. All ops with a scalar expression fuse with their neighbours regardless (see
minitf/runtime/rewrites/fusion.py). Nothing here imports numba: kernels compile when hot.
"""

from __future__ import annotations

from typing import Any

from minitf.kernels.cpu.codegen import FusedKernel, GroupSpec, InputSpec, Node, fusable_op
from minitf.kernels.cpu.scalar_exprs import lookup
from minitf.kernels.registry import reference_kernel, register_kernel

__all__ = ["elementwise_kernel", "MULTI_PASS_OPS"]

# Measured faster than their references on large float32 inputs (docs/notes/kernels.md).
# (Relu6, Elu and their gradients have kernels in nn_activation.py; those fuse all the same.)
MULTI_PASS_OPS = ("Sigmoid", "Selu", "Softsign", "LeakyRelu", "Softplus")


def _attr(v: Any) -> Any:
    return v.name if hasattr(v, "as_numpy_dtype") else v


def elementwise_kernel(op: Any, state: Any) -> Any:
    """A generated kernel for one elementwise op (None, i.e. the reference, when the op has no
    scalar expression or is not float32/float64)."""
    if not fusable_op(op):
        return None
    expr = lookup(op.type)
    assert expr is not None
    ins = op._inputs
    spec = GroupSpec(tuple(InputSpec(t.dtype.base_dtype.name) for t in ins),
                     (Node(op.type, op._outputs[0].dtype.base_dtype.name,
                           tuple(range(len(ins))),
                           tuple((a, _attr(op._attrs.get(a))) for a in expr.attrs)),))
    # No prepare(): the op may still be fused away by the plan rewrite; compile on first use.
    k = FusedKernel(spec, len(ins), (), (), (), reference_kernel(op, state), label=op.name)
    k._static = ([t.get_shape().as_tuple() for t in ins], op._outputs[0].get_shape().as_tuple())
    return k.entry  # k.entry.fused is k


for _t in MULTI_PASS_OPS:
    register_kernel(_t, "CPU")(elementwise_kernel)
