"""The devices a local Session can place ops on."""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["LOCAL_PREFIX", "CPU0", "full_device_name", "gpu_count", "available_devices"]

LOCAL_PREFIX = "/job:localhost/replica:0/task:0"
CPU0 = f"{LOCAL_PREFIX}/device:CPU:0"


def full_device_name(device_type: str, index: int) -> str:
    return f"{LOCAL_PREFIX}/device:{device_type.upper()}:{index}"


@functools.lru_cache(maxsize=1)
def gpu_count() -> int:
    """Number of CUDA GPUs numba can see (imports numba.cuda only when first asked)."""
    try:
        from numba import cuda  # noqa: PLC0415 - lazy: numba is slow to import
    except Exception:  # noqa: BLE001 - any import failure means "no GPU"
        return 0
    try:
        return len(cuda.gpus) if cuda.is_available() else 0
    except Exception:  # noqa: BLE001
        return 0


def available_devices(config: Any = None, want_gpu: bool = False) -> list[str]:
    """Full names of the local devices; GPUs are probed only when ``want_gpu``."""
    devices = [CPU0]
    if want_gpu:
        n = gpu_count()
        limit = None
        counts = getattr(config, "device_count", None) if config is not None else None
        if counts is not None and "GPU" in counts:
            limit = int(counts["GPU"])
        if limit is not None:
            n = min(n, limit)
        devices.extend(full_device_name("GPU", i) for i in range(n))
    return devices
