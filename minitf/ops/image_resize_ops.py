"""Image resize ops: ResizeBilinear, ResizeNearestNeighbor, ResizeBicubic, ResizeArea and the
gradient ops ResizeBilinearGrad, ResizeNearestNeighborGrad, ResizeBicubicGrad, with the raw
``tf.image.resize_*`` wrappers (TF 1.x defaults: ``align_corners=False``,
``half_pixel_centers=False``). References: :mod:`minitf.ops.image_resize_reference`."""

from __future__ import annotations

from typing import Any

from minitf.framework.constant_value import constant_value_as_shape
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import image_resize_reference as ref

__all__ = ["resize_bilinear", "resize_nearest_neighbor", "resize_bicubic", "resize_area"]

REAL = "{int8, uint8, int16, uint16, int32, int64, float16, bfloat16, float32, float64}"
FLOATS = "{float32, bfloat16, float16, float64}"
ATTRS = ["align_corners: bool = false", "half_pixel_centers: bool = false"]
KERNEL_ATTRS = ("align_corners", "half_pixel_centers")


def _size_dims(size: Tensor) -> TensorShape:
    shape = size.get_shape().with_rank(1)
    n = shape.as_list()[0]
    if n is not None and n != 2:
        raise ValueError(f"Dimension must be 2 but is {n} for '{size.op.name}'")
    return constant_value_as_shape(size).with_rank(2) if n == 2 else TensorShape([None, None])


def _resize_shape(op: Any) -> list[TensorShape]:
    images = op.inputs[0].get_shape().with_rank(4)
    h, w = _size_dims(op.inputs[1]).as_list()
    return [TensorShape([images.dims[0].value if images.dims else None, h, w,
                         images.dims[3].value if images.dims else None])]


def _grad_shape(op: Any) -> list[TensorShape]:
    op.inputs[0].get_shape().with_rank(4)
    return [op.inputs[1].get_shape().with_rank(4)]


def _nearest_grad_shape(op: Any) -> list[TensorShape]:
    grads = op.inputs[0].get_shape().with_rank(4)
    h, w = _size_dims(op.inputs[1]).as_list()
    dims = grads.as_list() if grads.dims is not None else [None] * 4
    return [TensorShape([dims[0], h, w, dims[3]])]


register_op("ResizeBilinear", inputs=["images: T", "size: int32"],
            outputs=["resized_images: float"], attrs=[f"T: {REAL}"] + ATTRS,
            shape=_resize_shape, reference=ref.resize_bilinear, kernel_attrs=KERNEL_ATTRS,
            doc="Bilinear interpolation of NHWC images to `size`.")
register_op("ResizeNearestNeighbor", inputs=["images: T", "size: int32"],
            outputs=["resized_images: T"], attrs=[f"T: {REAL}"] + ATTRS,
            shape=_resize_shape, reference=ref.resize_nearest_neighbor,
            kernel_attrs=KERNEL_ATTRS, doc="Nearest-neighbour resize of NHWC images.")
register_op("ResizeBicubic", inputs=["images: T", "size: int32"],
            outputs=["resized_images: float"], attrs=[f"T: {REAL}"] + ATTRS,
            shape=_resize_shape, reference=ref.resize_bicubic, kernel_attrs=KERNEL_ATTRS,
            doc="Bicubic interpolation (Keys, a=-0.75; -0.5 with half-pixel centers).")
register_op("ResizeArea", inputs=["images: T", "size: int32"],
            outputs=["resized_images: float"], attrs=[f"T: {REAL}", "align_corners: bool = false"],
            shape=_resize_shape, reference=ref.resize_area, kernel_attrs=("align_corners",),
            doc="Area-weighted average of the input pixels each output pixel covers.")
register_op("ResizeBilinearGrad", inputs=["grads: float", "original_image: T"],
            outputs=["output: T"], attrs=[f"T: {FLOATS}"] + ATTRS, shape=_grad_shape,
            reference=ref.resize_bilinear_grad, kernel_attrs=KERNEL_ATTRS)
register_op("ResizeBicubicGrad", inputs=["grads: float", "original_image: T"],
            outputs=["output: T"], attrs=["T: {float32, float64}"] + ATTRS, shape=_grad_shape,
            reference=ref.resize_bicubic_grad, kernel_attrs=KERNEL_ATTRS)
register_op("ResizeNearestNeighborGrad", inputs=["grads: T", "size: int32"],
            outputs=["output: T"],
            attrs=["T: {uint8, int8, int32, float16, bfloat16, float32, float64}"] + ATTRS,
            shape=_nearest_grad_shape, reference=ref.resize_nearest_neighbor_grad,
            kernel_attrs=KERNEL_ATTRS)
NotDifferentiable("ResizeBilinearGrad")
NotDifferentiable("ResizeBicubicGrad")


@RegisterGradient("ResizeArea")
def _resize_area_grad(op: Any, grad: Tensor) -> list[Any]:
    """TF defines no gradient for ResizeArea; tf.gradients raises its LookupError."""
    raise LookupError(f"No gradient defined for operation'{op.name}' (op type: ResizeArea).")


def _attrs(op: Any) -> dict[str, Any]:
    return {k: op.get_attr(k) for k in KERNEL_ATTRS}


def _image_grad(op: Any, grad: Tensor, grad_type: str) -> list[Any]:
    if not op.inputs[0].dtype.is_floating:
        return [None, None]
    return [apply_op(grad_type, grads=grad, original_image=op.inputs[0], **_attrs(op)), None]


@RegisterGradient("ResizeBilinear")
def _resize_bilinear_grad(op: Any, grad: Tensor) -> list[Any]:
    return _image_grad(op, grad, "ResizeBilinearGrad")


@RegisterGradient("ResizeBicubic")
def _resize_bicubic_grad(op: Any, grad: Tensor) -> list[Any]:
    return _image_grad(op, grad, "ResizeBicubicGrad")


@RegisterGradient("ResizeNearestNeighbor")
def _resize_nearest_grad(op: Any, grad: Tensor) -> list[Any]:
    from minitf.ops import array_ops

    image = op.inputs[0]
    shape = image.get_shape()
    size = shape[1:3] if shape[1:3].is_fully_defined() else array_ops.shape(image)[1:3]
    if isinstance(size, TensorShape):
        size = size.as_list()
    return [apply_op("ResizeNearestNeighborGrad", grads=grad, size=size, **_attrs(op)), None]


@RegisterGradient("ResizeNearestNeighborGrad")
def _resize_nearest_grad_grad(op: Any, grad: Tensor) -> list[Any]:
    from minitf.ops import array_ops

    size = array_ops.shape(op.inputs[0])[1:3]
    return [apply_op("ResizeNearestNeighbor", images=grad, size=size, **_attrs(op)), None]


# --- raw wrappers (tf.image.resize_bilinear ...) -------------------------------------------------

def resize_bilinear(images: Any, size: Any, align_corners: bool = False, name: str | None = None,
                    half_pixel_centers: bool = False) -> Tensor:
    """``tf.image.resize_bilinear``: ResizeBilinear (float32 output)."""
    return apply_op("ResizeBilinear", name=name, images=images, size=size,
                    align_corners=align_corners, half_pixel_centers=half_pixel_centers)


def resize_nearest_neighbor(images: Any, size: Any, align_corners: bool = False,
                            name: str | None = None, half_pixel_centers: bool = False) -> Tensor:
    """``tf.image.resize_nearest_neighbor``: ResizeNearestNeighbor (keeps the dtype)."""
    return apply_op("ResizeNearestNeighbor", name=name, images=images, size=size,
                    align_corners=align_corners, half_pixel_centers=half_pixel_centers)


def resize_bicubic(images: Any, size: Any, align_corners: bool = False, name: str | None = None,
                   half_pixel_centers: bool = False) -> Tensor:
    """``tf.image.resize_bicubic``: ResizeBicubic (float32 output)."""
    return apply_op("ResizeBicubic", name=name, images=images, size=size,
                    align_corners=align_corners, half_pixel_centers=half_pixel_centers)


def resize_area(images: Any, size: Any, align_corners: bool = False,
                name: str | None = None) -> Tensor:
    """``tf.image.resize_area``: ResizeArea (float32 output)."""
    return apply_op("ResizeArea", name=name, images=images, size=size,
                    align_corners=align_corners)
