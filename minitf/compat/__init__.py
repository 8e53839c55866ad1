"""``tf.compat``: ``tf.compat.v1`` is the ``minitf`` module itself (minitf implements the TF 1.x
API), so ``import minitf.compat.v1 as tf`` and ``tf.compat.v1.placeholder`` both work; plus
TF's string helpers (``as_bytes``, ``as_text``, ``as_str_any``, ``path_to_str``)."""

from __future__ import annotations

import numbers
import os
import sys
from typing import Any

import numpy as np

import minitf as _minitf

__all__ = ["v1", "as_bytes", "as_text", "as_str", "as_str_any", "path_to_str",
           "integral_types", "real_types", "complex_types", "bytes_or_text_types"]

v1 = _minitf
sys.modules[__name__ + ".v1"] = _minitf

integral_types = (numbers.Integral, np.integer)
real_types = (numbers.Real, np.integer, np.floating)
complex_types = (numbers.Complex, np.number)
bytes_or_text_types = (bytes, str)


def as_bytes(bytes_or_text: Any, encoding: str = "utf-8") -> bytes:
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text: Any, encoding: str = "utf-8") -> str:
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text.decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text


def as_str_any(value: Any, encoding: str = "utf-8") -> str:
    if isinstance(value, bytes):
        return as_str(value, encoding=encoding)
    return str(value)


def path_to_str(path: Any) -> Any:
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    return path
