"""Encoders behind the summary ops, following TensorFlow's kernels (logging_ops, summary_*_op):
histograms with TF's default buckets, PNG images, 16-bit PCM WAV audio, tensor protos."""

from __future__ import annotations

import struct
import sys
import zlib
from typing import Any

import numpy as np

__all__ = ["default_bucket_limits", "histogram_proto", "encode_png", "image_to_uint8",
           "encode_wav", "tensor_proto_for_summary"]

_DBL_MAX = sys.float_info.max


def _default_limits() -> np.ndarray:
    # tensorflow/core/lib/histogram/histogram.cc: buckets growing by 10% from 1e-12 to 1e20,
    # mirrored for negatives, with 0 and +-DBL_MAX.
    pos = []
    v = 1.0e-12
    while v < 1.0e20:
        pos.append(v)
        v *= 1.1
    pos.append(_DBL_MAX)
    neg = [-x for x in reversed(pos)]
    return np.array(neg + [0.0] + pos, dtype=np.float64)


_LIMITS = _default_limits()


def default_bucket_limits() -> np.ndarray:
    """TensorFlow's default histogram bucket limits (a copy)."""
    return _LIMITS.copy()


def histogram_proto(values: Any) -> Any:
    """A ``HistogramProto`` of ``values`` exactly as TF's ``HistogramSummary`` kernel builds it
    (bucket i counts values v with limit[i-1] <= v < limit[i]; runs of empty buckets merged).

    Non-finite values raise ValueError (the kernel turns it into InvalidArgumentError)."""
    from minitf.framework.proto import HistogramProto

    v = np.asarray(values).astype(np.float64, copy=False).ravel()
    proto = HistogramProto()
    limits = _LIMITS
    if v.size:
        if not np.isfinite(v).all():
            raise ValueError("nan" if np.isnan(v).any() else "inf")
        idx = np.searchsorted(limits, v, side="right")
        np.minimum(idx, len(limits) - 1, out=idx)
        counts = np.bincount(idx, minlength=len(limits)).astype(np.float64)
        # TF accumulates in order, one double at a time: np.add.accumulate is sequential too.
        total = float(np.add.accumulate(v)[-1])
        squares = float(np.add.accumulate(v * v)[-1])
        lo, hi = float(v.min()), float(v.max())
    else:
        counts = np.zeros(len(limits))
        total = squares = 0.0
        lo, hi = _DBL_MAX, -_DBL_MAX
    proto.min = lo
    proto.max = hi
    proto.num = float(v.size)
    proto.sum = total
    proto.sum_squares = squares
    nz = np.flatnonzero(counts > 0)
    out_limits: list[float] = []
    out_counts: list[float] = []
    # Each non-empty bucket is emitted; each run of empty buckets collapses into one entry
    # carrying the limit of the run's last bucket.
    prev = -1
    for i in nz.tolist():
        if i > prev + 1:
            out_limits.append(float(limits[i - 1]))
            out_counts.append(0.0)
        out_limits.append(float(limits[i]))
        out_counts.append(float(counts[i]))
        prev = i
    if prev < len(limits) - 1:
        out_limits.append(float(limits[-1]))
        out_counts.append(0.0)
    proto.bucket_limit.extend(out_limits)
    proto.bucket.extend(out_counts)
    return proto


# --- images ------------------------------------------------------------------------------------

def image_to_uint8(image: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    """One [h, w, c] image as uint8, as TF's ImageSummary normalizes float images: scaled by
    255/max when all values are >= 0, else by 127/max|v| around 128; pixels with a non-finite
    channel get ``bad_color``."""
    if image.dtype == np.uint8:
        return image
    work = np.float32 if image.dtype in (np.float32, np.float16) else np.float64
    img = image.astype(work)
    h, w, c = img.shape
    flat = img.reshape(h * w, c)
    finite = np.isfinite(flat).all(axis=1)
    good = flat[finite].astype(np.float32)
    image_min = float(good.min()) if good.size else float("inf")
    image_max = float(good.max()) if good.size else float("-inf")
    zero = 1e-6
    if image_min < 0:
        max_val = np.float32(max(abs(image_min), abs(image_max)))
        scale = work(0.0 if max_val < zero else np.float32(127.0) / max_val)
        offset = work(128.0)
    else:
        scale = work(0.0 if image_max < zero else np.float32(255.0) / np.float32(image_max))
        offset = work(0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = flat * scale + offset
    out = np.empty((h * w, c), dtype=np.uint8)
    out[finite] = np.trunc(scaled[finite]).clip(0, 255).astype(np.uint8)
    out[~finite] = np.asarray(bad_color, dtype=np.uint8)[:c]
    return out.reshape(h, w, c)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png(image: np.ndarray, compression: int = 6) -> bytes:
    """A PNG file of a uint8 [h, w, c] image (c = 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA)."""
    img = np.asarray(image)
    if img.ndim == 2:
        img = img[:, :, None]
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] not in (1, 2, 3, 4):
        raise ValueError(f"encode_png needs a uint8 [h, w, 1|2|3|4] image, got {img.dtype} "
                         f"{list(img.shape)}")
    h, w, c = img.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = np.zeros((h, 1 + w * c), dtype=np.uint8)  # filter byte 0 (None) on every row
    rows[:, 1:] = img.reshape(h, w * c)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return b"".join((b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", ihdr),
                     _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), compression)),
                     _png_chunk(b"IEND", b"")))


# --- audio -------------------------------------------------------------------------------------

def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """A 16-bit PCM WAV file of float samples [frames, channels] in [-1, 1] (TF's
    EncodeAudioAsS16LEWav: round(x * 32768) clamped to int16)."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 1:
        x = x[:, None]
    frames, channels = x.shape
    with np.errstate(invalid="ignore"):
        pcm = np.clip(np.round(x * np.float32(32768.0)), -32768, 32767)
    pcm = np.nan_to_num(pcm, nan=0.0).astype("<i2")
    data = pcm.tobytes()
    block = channels * 2
    header = b"".join((
        b"RIFF", struct.pack("<I", 36 + len(data)), b"WAVE",
        b"fmt ", struct.pack("<IHHIIHH", 16, 1, channels, int(sample_rate),
                             int(sample_rate) * block, block, 16),
        b"data", struct.pack("<I", len(data))))
    return header + data


# --- tensors -----------------------------------------------------------------------------------

def tensor_proto_for_summary(value: Any, dtype: Any) -> Any:
    """The TensorProto TF's TensorSummaryV2 kernel stores: strings in ``string_val``, everything
    else as little-endian ``tensor_content`` (even scalars), shape always present."""
    from minitf.framework.proto import TensorProto

    arr = np.asarray(value)
    proto = TensorProto(dtype=int(dtype.as_datatype_enum))
    proto.tensor_shape.SetInParent()
    for d in arr.shape:
        proto.tensor_shape.dim.add(size=int(d))
    if dtype.base_dtype.name == "string":
        proto.string_val.extend(
            v if isinstance(v, bytes) else str(v).encode() for v in arr.ravel().tolist())
    else:
        np_dtype = np.dtype(dtype.as_numpy_dtype)
        proto.tensor_content = np.ascontiguousarray(arr, dtype=np_dtype.newbyteorder("<")) \
            .tobytes()
    return proto
