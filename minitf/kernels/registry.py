"""Kernels keyed by (op type, device type), with the op's numpy reference as the fallback.

A kernel factory is ``factory(op, state) -> callable | None``: it sees the op's attributes and
static shapes once, when a plan is built, and returns the function the executor calls with the
input values (or None to decline, e.g. for a dtype it does not handle). Factories must not
compile anything at import time: numba is imported inside them, on first use.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["register_kernel", "kernel_for", "reference_kernel", "has_kernel",
           "reference_kernels_only", "registered_kernels", "kernels_enabled",
           "register_device_copy", "device_copy"]

KernelFactory = Callable[[Any, Any], Callable[..., Any] | None]

_KERNELS: dict[tuple[str, str], KernelFactory] = {}
_COPIES: dict[tuple[str, str], Callable[[Any], Any]] = {}
_reference_only = os.environ.get("MINITF_KERNELS", "").lower() == "reference"
_loaded_cpu = False


def register_kernel(op_type: str, device_type: str = "CPU") -> Callable[[KernelFactory],
                                                                       KernelFactory]:
    """Decorator registering a kernel factory for ``op_type`` on ``device_type``."""

    def deco(factory: KernelFactory) -> KernelFactory:
        _KERNELS[(op_type, device_type.upper())] = factory
        return factory

    return deco


def register_device_copy(src_type: str, dst_type: str) -> Callable[[Callable[[Any], Any]],
                                                                 Callable[[Any], Any]]:
    """Decorator registering ``fn(value) -> value`` that moves a value from a ``src_type``
    device's memory to a ``dst_type`` device's. Plans insert a copy step wherever a value made
    on one device is read by a kernel running on another and such a function is registered."""

    def deco(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _COPIES[(src_type.upper(), dst_type.upper())] = fn
        return fn

    return deco


def device_copy(src_type: str, dst_type: str) -> Callable[[Any], Any] | None:
    """The registered copy from ``src_type`` to ``dst_type`` memory, or None (same memory)."""
    if src_type.upper() == dst_type.upper():
        return None
    return _COPIES.get((src_type.upper(), dst_type.upper()))


def registered_kernels() -> dict[tuple[str, str], KernelFactory]:
    _load_cpu_kernels()
    return dict(_KERNELS)


def kernels_enabled() -> bool:
    """False inside ``reference_kernels_only()`` or with MINITF_KERNELS=reference; plan
    rewrites that replace kernels (elementwise fusion) check it too."""
    return not _reference_only


def has_kernel(op_type: str, device_type: str) -> bool:
    """True when ops of this type can run on this device type (CPU always can)."""
    if device_type.upper() == "CPU":
        return True
    _load_cpu_kernels()
    return (op_type, device_type.upper()) in _KERNELS


def reference_kernel(op: Any, state: Any) -> Callable[..., Any]:
    """The op's own kernel: its make_kernel, or its numpy reference bound to its attrs."""
    op_def = op.op_def
    if op_def.make_kernel is not None:
        return op_def.make_kernel(op, state)
    ref = op_def.reference
    if op_def.kernel_attrs:
        return functools.partial(ref, **{a: op._attrs[a] for a in op_def.kernel_attrs})
    return ref  # type: ignore[return-value]


def kernel_for(op: Any, device_type: str, state: Any) -> Callable[..., Any] | None:
    """The fastest kernel available for ``op`` on ``device_type``; None if the device has none."""
    device_type = device_type.upper()
    if not _reference_only:
        _load_cpu_kernels()
        factory = _KERNELS.get((op.type, device_type))
        if factory is not None:
            k = factory(op, state)
            if k is not None:
                return k
    if device_type != "CPU":
        return None
    return reference_kernel(op, state)


@contextlib.contextmanager
def reference_kernels_only(enabled: bool = True) -> Iterator[None]:
    """Within the block, newly built plans use only numpy references (for testing kernels)."""
    global _reference_only
    saved = _reference_only
    _reference_only = enabled
    try:
        yield
    finally:
        _reference_only = saved


def _load_cpu_kernels() -> None:
    """Imports the kernel modules so that they register (they compile nothing on import)."""
    global _loaded_cpu
    if _loaded_cpu:
        return
    _loaded_cpu = True
    try:
        import minitf.kernels.cpu  # noqa: F401
    except ImportError:  # pragma: no cover - a broken optional kernel module must not kill runs
        pass
