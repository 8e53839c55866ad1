"""Attributes of the top-level ``minitf`` namespace that are imported on first use."""

from __future__ import annotations

import importlib
from typing import Any

# name -> (module, attribute or None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {}


def register(name: str, module: str, attr: str | None = None) -> None:
    _LAZY[name] = (module, attr)


def resolve(name: str) -> Any:
    entry = _LAZY.get(name)
    if entry is None:
        raise AttributeError(f"module 'minitf' has no attribute '{name}'")
    module = importlib.import_module(entry[0])
    value = module if entry[1] is None else getattr(module, entry[1])
    import minitf

    setattr(minitf, name, value)
    return value
