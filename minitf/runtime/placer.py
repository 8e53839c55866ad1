"""Placement: each op of a plan gets a concrete local device."""

from __future__ import annotations

import sys
from typing import Any

from minitf.framework import errors
from minitf.framework.device_spec import DeviceSpec
from minitf.framework.operation import Operation
from minitf.kernels.registry import has_kernel
from minitf.runtime.devices import CPU0, available_devices, full_device_name

__all__ = ["place_ops"]


def _requested(op: Operation, placed: dict[int, str]) -> str:
    groups = op._attrs.get("_class")
    if groups:
        target = groups[0][len("loc:@"):]
        other = op._graph._ops_by_name.get(target)
        if other is not None:
            return placed.get(id(other)) or other.device
    return op.device


def place_ops(ops: list[Operation], config: Any, logged: set[str] | None = None) -> dict[int, str]:
    """Maps id(op) to a full device name, honouring device scopes, colocation and soft
    placement; raises InvalidArgumentError for an unavailable device."""
    soft = bool(getattr(config, "allow_soft_placement", False)) if config is not None else False
    log = bool(getattr(config, "log_device_placement", False)) if config is not None else False
    want_gpu = any("GPU" in (op.device or "").upper() for op in ops)
    devices = available_devices(config, want_gpu)
    placed: dict[int, str] = {}
    for op in ops:
        req = _requested(op, placed)
        if not req:
            placed[id(op)] = CPU0
        else:
            placed[id(op)] = _resolve(op, req, devices, soft)
        if log and logged is not None and op.name not in logged:
            logged.add(op.name)
            print(f"{op.name}: ({op.type}): {placed[id(op)]}", file=sys.stderr)
    return placed


def _resolve(op: Operation, req: str, devices: list[str], soft: bool) -> str:
    spec = DeviceSpec.from_string(req)
    ok_host = spec.job in (None, "localhost") and spec.replica in (None, 0) and \
        spec.task in (None, 0)
    dtype = spec.device_type or "CPU"
    name = full_device_name(dtype, spec.device_index or 0)
    if ok_host and name in devices and has_kernel(op.type, dtype):
        return name
    if soft:
        return CPU0
    if ok_host and name in devices:
        raise errors.InvalidArgumentError(
            None, op, f"Cannot assign a device for operation '{op.name}': Could not satisfy "
                      f"explicit device specification '{req}' because no supported kernel for "
                      f"{dtype} devices is available.")
    raise errors.InvalidArgumentError(
        None, op, f"Cannot assign a device for operation '{op.name}': Operation was explicitly "
                  f"assigned to {req} but available devices are [ {', '.join(devices)} ]. Make "
                  "sure the device specification refers to a valid device.")
