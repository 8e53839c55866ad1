"""Plan rewrites, registered with :func:`minitf.runtime.plan.register_rewrite` on import:
constant folding (order 10), common-subexpression elimination (20), elementwise fusion (50),
dropping dead constants (90). Importing this package compiles nothing."""

from minitf.runtime.rewrites import folding, fusion

__all__ = ["folding", "fusion"]
