"""Plan rewrites, registered with :func:`minitf.runtime.plan.register_rewrite` on import:
constant folding (order 10), dropping unread pure steps (15), common-subexpression
elimination (20), Conv2D / MatMul + BiasAdd (+ Relu) fusion (45), MaxPoolGrad + ReluGrad
fusion (46), elementwise fusion (50), dropping dead constants (90). Importing this package
compiles nothing."""

from minitf.runtime.rewrites import dead_steps, folding, fusion, pool_grad, remap

__all__ = ["dead_steps", "folding", "fusion", "pool_grad", "remap"]
