"""Window arithmetic shared by the convolution and pooling ops, their references and kernels.

Everything here is plain Python (no numba, no graph): TF's output-size rule
(``GetWindowedOutputSizeVerbose``), the SAME padding split (the odd pixel goes at the end),
explicit paddings, and the conversion of ``strides`` / ``ksize`` / ``dilations`` attributes
between NHWC and NCHW.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

__all__ = ["Window2D", "window_2d", "output_size", "spatial_dims", "get_sequence",
           "check_data_format", "check_padding", "format_error"]


class Window2D(NamedTuple):
    """Geometry of one 2-D windowed op, in NHWC terms."""

    out_h: int
    out_w: int
    pad_top: int
    pad_bottom: int
    pad_left: int
    pad_right: int
    stride_h: int
    stride_w: int
    dil_h: int
    dil_w: int
    k_h: int
    k_w: int


def output_size(in_size: int | None, k: int, stride: int, dilation: int, padding: str,
                explicit: tuple[int, int] = (0, 0)) -> tuple[int | None, int, int]:
    """(output size, padding before, padding after) along one spatial dimension.

    Raises ValueError (TF's build-time message) when a VALID window does not fit.
    """
    eff = (k - 1) * dilation + 1
    if in_size is None:
        return None, 0, 0
    if padding == "VALID":
        out = (in_size - eff + stride) // stride
        if out < 0 or in_size < eff:
            raise ValueError(f"Negative dimension size caused by subtracting {eff} from "
                             f"{in_size}")
        return out, 0, 0
    if padding == "SAME":
        out = (in_size + stride - 1) // stride
        needed = max((out - 1) * stride + eff - in_size, 0)
        before = needed // 2
        return out, before, needed - before
    before, after = explicit
    out = (in_size + before + after - eff + stride) // stride
    if out < 0 or in_size + before + after < eff:
        raise ValueError(f"Negative dimension size caused by subtracting {eff} from "
                         f"{in_size + before + after}")
    return out, before, after


def spatial_dims(data_format: str) -> tuple[int, int, int]:
    """(height axis, width axis, channel axis) of a 4-D tensor in ``data_format``."""
    return (2, 3, 1) if data_format.startswith("NC") else (1, 2, 3)


def window_2d(in_h: int, in_w: int, k_h: int, k_w: int, strides: Sequence[int],
              dilations: Sequence[int], padding: str, data_format: str,
              explicit_paddings: Sequence[int] = ()) -> Window2D:
    """The geometry of a 2-D window op on an input of spatial size ``in_h x in_w``.

    ``strides``, ``dilations`` and ``explicit_paddings`` are the op's attributes (4 or 8 values
    in ``data_format`` order).
    """
    h, w, _ = spatial_dims(data_format)
    sh, sw = int(strides[h]), int(strides[w])
    dh, dw = int(dilations[h]), int(dilations[w])
    eh = (int(explicit_paddings[2 * h]), int(explicit_paddings[2 * h + 1])) \
        if padding == "EXPLICIT" else (0, 0)
    ew = (int(explicit_paddings[2 * w]), int(explicit_paddings[2 * w + 1])) \
        if padding == "EXPLICIT" else (0, 0)
    oh, pt, pb = output_size(in_h, k_h, sh, dh, padding, eh)
    ow, pl, pr = output_size(in_w, k_w, sw, dw, padding, ew)
    return Window2D(oh, ow, pt, pb, pl, pr, sh, sw, dh, dw, k_h, k_w)  # type: ignore[arg-type]


def check_data_format(data_format: Any, op_name: str = "") -> str:
    if isinstance(data_format, bytes):
        data_format = data_format.decode()
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError(f"Invalid data format: {data_format}{format_error(op_name)}")
    return data_format


def check_padding(padding: Any, allow_explicit: bool = True) -> str:
    if isinstance(padding, bytes):
        padding = padding.decode()
    allowed = ("SAME", "VALID", "EXPLICIT") if allow_explicit else ("SAME", "VALID")
    if padding not in allowed:
        raise ValueError(f"padding must be one of {', '.join(allowed)}, got {padding!r}")
    return padding


def format_error(op_name: str) -> str:
    return f" for '{op_name}'" if op_name else ""


def get_sequence(value: Any, n: int, channel_index: int, name: str) -> list[int]:
    """TF's ``_get_sequence``: an int, or n values, or n + 2 values → n + 2 attribute values."""
    if value is None:
        value = 1
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    elif hasattr(value, "tolist"):
        value = value.tolist()
        if not isinstance(value, list):
            value = [value]
    value = [int(v) for v in value]
    if len(value) == n + 2:
        return value
    if len(value) == 1:
        value = value * n
    elif len(value) != n:
        raise ValueError(f"{name} should be of length 1, {n} or {n + 2}. Received: {name}="
                         f"{value} of length {len(value)}")
    if channel_index == 1:
        return [1, 1] + value
    return [1] + value + [1]
