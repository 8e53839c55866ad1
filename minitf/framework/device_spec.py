"""Device names: parsing, merging and TF's canonical string forms (``tf.DeviceSpec``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["DeviceSpec", "canonical_name", "merge_device"]

_PART = re.compile(r"^(job|replica|task|device|cpu|gpu|CPU|GPU):(.*)$")


@dataclass(frozen=True)
class DeviceSpec:
    """A (possibly partial) device specification."""

    job: str | None = None
    replica: int | None = None
    task: int | None = None
    device_type: str | None = None
    device_index: int | None = None

    @staticmethod
    def from_string(spec: str) -> DeviceSpec:
        job = replica = task = dtype = index = None
        for part in spec.split("/"):
            if not part:
                continue
            m = _PART.match(part)
            if not m:
                if part in ("cpu", "gpu", "CPU", "GPU"):
                    dtype = part.upper()
                    continue
                raise ValueError(f"Unknown attribute: '{part}' in '{spec}'")
            key, val = m.groups()
            if key == "job":
                job = val
            elif key == "replica":
                replica = int(val)
            elif key == "task":
                task = int(val)
            elif key == "device":
                sub = val.split(":")
                dtype = sub[0].upper()
                if len(sub) > 1 and sub[1] != "*":
                    index = int(sub[1])
            else:
                dtype = key.upper()
                if val != "*":
                    index = int(val)
        return DeviceSpec(job, replica, task, dtype, index)

    def to_string(self) -> str:
        out = ""
        if self.job is not None:
            out += f"/job:{self.job}"
        if self.replica is not None:
            out += f"/replica:{self.replica}"
        if self.task is not None:
            out += f"/task:{self.task}"
        if self.device_type is not None:
            idx = "*" if self.device_index is None else str(self.device_index)
            out += f"/device:{self.device_type}:{idx}"
        return out

    def make_merged_spec(self, other: DeviceSpec) -> DeviceSpec:
        """Fields set in ``other`` override those of ``self``."""
        return replace(
            self,
            job=other.job if other.job is not None else self.job,
            replica=other.replica if other.replica is not None else self.replica,
            task=other.task if other.task is not None else self.task,
            device_type=other.device_type if other.device_type is not None else self.device_type,
            device_index=(other.device_index if other.device_type is not None
                          else self.device_index),
        )


def canonical_name(spec: Any) -> str:
    if spec is None:
        return ""
    if isinstance(spec, DeviceSpec):
        return spec.to_string()
    return DeviceSpec.from_string(str(spec)).to_string()


def merge_device(outer: str, inner: str) -> str:
    """The device an op gets when scope ``inner`` is nested in ``outer``."""
    if not outer:
        return canonical_name(inner)
    return DeviceSpec.from_string(outer).make_merged_spec(DeviceSpec.from_string(inner)).to_string()
