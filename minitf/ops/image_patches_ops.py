"""ExtractImagePatches (``tf.extract_image_patches``): every ksize window of an NHWC image,
flattened into the depth axis; its gradient is TF's composite (scatter-add of the patches back
to the pixels they came from)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops.nn_conv_utils import output_size as _conv_output_size

__all__ = ["extract_image_patches"]

ATTRS = ["ksizes: list(int) >= 4", "strides: list(int) >= 4", "rates: list(int) >= 4",
         "T: {float16, bfloat16, float32, float64, int8, int16, int32, int64, uint8, uint16, "
         "uint32, uint64, bool}", "padding: string"]
KERNEL_ATTRS = ("ksizes", "strides", "rates", "padding")


def output_size(size: int | None, k: int, stride: int, rate: int,
                padding: str) -> tuple[int | None, int, int]:
    """(size, pad before, pad after); a VALID window larger than the image gives size 0."""
    eff = (k - 1) * rate + 1
    if padding == "VALID" and size is not None and size < eff:
        out = (size - eff + stride) // stride
        if out < 0:
            raise ValueError(f"Computed output size would be negative: {out} [input_size: "
                             f"{size}, effective_filter_size: {eff}, stride: {stride}]")
        return out, 0, 0
    return _conv_output_size(size, k, stride, rate, padding)


def _check(op_type: str, ksizes: Any, strides: Any, rates: Any) -> None:
    for key, v in (("ksizes", ksizes), ("strides", strides), ("rates", rates)):
        if len(v) != 4:
            raise ValueError(f"{op_type} requires the {key} attribute to contain 4 values, "
                             f"but got: {len(v)}")


def _shape(op: Any) -> list[TensorShape]:
    a = op._attrs
    ks, st, rt = (list(a[k]) for k in ("ksizes", "strides", "rates"))
    _check(op.type, ks, st, rt)
    if a["padding"] not in ("SAME", "VALID"):
        raise ValueError(f"Attr 'padding' of '{op.type}' Op passed string '{a['padding']}' "
                         "not in: 'SAME', 'VALID'")
    dims = op.inputs[0].get_shape().with_rank(4).as_list() \
        if op.inputs[0].get_shape().ndims is not None else [None] * 4
    n, h, w, c = dims
    oh = output_size(h, ks[1], st[1], rt[1], a["padding"])[0]
    ow = output_size(w, ks[2], st[2], rt[2], a["padding"])[0]
    return [TensorShape([n, oh, ow, None if c is None else ks[1] * ks[2] * c])]


def _reference(images: np.ndarray, ksizes: Any, strides: Any, rates: Any,
               padding: str) -> np.ndarray:
    if ksizes[0] != 1 or ksizes[3] != 1:
        raise errors.UnimplementedError(None, None, "Only support ksizes across space.")
    if strides[0] != 1 or strides[3] != 1:
        raise errors.UnimplementedError(None, None, "Only support strides across space.")
    if rates[0] != 1 or rates[3] != 1:
        raise errors.UnimplementedError(None, None, "Only support rates across space.")
    n, h, w, c = images.shape
    (oh, pt, _), (ow, pl, _) = (output_size(s, ksizes[i], strides[i], rates[i], padding)
                                for s, i in ((h, 1), (w, 2)))
    out = np.zeros((n, oh, ow, ksizes[1], ksizes[2], c), dtype=images.dtype)
    for i in range(ksizes[1]):
        rows = np.arange(oh) * strides[1] + i * rates[1] - pt
        for j in range(ksizes[2]):
            cols = np.arange(ow) * strides[2] + j * rates[2] - pl
            ok = ((rows >= 0) & (rows < h))[:, None] & ((cols >= 0) & (cols < w))[None, :]
            vals = images[:, np.clip(rows, 0, h - 1)][:, :, np.clip(cols, 0, w - 1)]
            out[:, :, :, i, j] = np.where(ok[None, :, :, None], vals, 0)
    return out.reshape(n, oh, ow, ksizes[1] * ksizes[2] * c)


register_op("ExtractImagePatches", inputs=["images: T"], outputs=["patches: T"], attrs=ATTRS,
            shape=_shape, reference=_reference, kernel_attrs=KERNEL_ATTRS,
            doc="Patches of `ksizes` every `strides`, sampled every `rates`, depth-flattened.")


@RegisterGradient("ExtractImagePatches")
def _extract_image_patches_grad(op: Any, grad: Tensor) -> list[Any]:
    """Scatter-adds each patch entry onto its source pixel (padding entries dropped)."""
    from minitf.ops import array_ops, math_ops

    a = {k: op.get_attr(k) for k in KERNEL_ATTRS}
    shape = array_ops.shape(op.inputs[0])
    batch, rows, cols, channels = (shape[i] for i in range(4))
    pixels = rows * cols
    idx = array_ops.reshape(math_ops.range_(1, pixels + 1, dtype=dtypes.int64),
                            array_ops.stack([1, rows, cols, 1]))
    ids = array_ops.reshape(apply_op("ExtractImagePatches", images=idx, **a), [-1])
    kr, kc = a["ksizes"][1], a["ksizes"][2]
    gshape = array_ops.shape(grad)
    g = array_ops.reshape(grad, array_ops.stack([batch, gshape[1], gshape[2], kr * kc,
                                                 channels]))
    g = array_ops.reshape(array_ops.transpose(g, [1, 2, 3, 0, 4]),
                          array_ops.stack([-1, batch * channels]))
    summed = math_ops.unsorted_segment_sum(g, ids, math_ops.cast(pixels + 1, dtypes.int64))
    summed = array_ops.reshape(summed[1:], array_ops.stack([rows, cols, batch, channels]))
    return [array_ops.transpose(summed, [2, 0, 1, 3])]


def extract_image_patches(images: Any, ksizes: Any = None, strides: Any = None,
                          rates: Any = None, padding: str | None = None,
                          name: str | None = None, sizes: Any = None) -> Tensor:
    """``tf.extract_image_patches`` / ``tf.image.extract_image_patches`` (TF 1.x names;
    ``sizes`` is an alias of ``ksizes``)."""
    ksizes = sizes if ksizes is None else ksizes
    if ksizes is None or strides is None or rates is None or padding is None:
        raise TypeError("extract_image_patches() needs ksizes, strides, rates and padding")
    with name_scope(name, "ExtractImagePatches", [images]) as scope:
        return apply_op("ExtractImagePatches", name=scope, images=images,
                        ksizes=list(ksizes), strides=list(strides), rates=list(rates),
                        padding=padding)
