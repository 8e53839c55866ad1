"""Shape checks shared by the ``tf.image`` functions (TF's ``_CheckAtLeast3DImage`` family):
static checks raise ValueError at build time; unknown dims add an Assert op instead."""

from __future__ import annotations

from typing import Any

from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape


def is_tensor(x: Any) -> bool:
    from minitf.ops.variables import Variable

    return isinstance(x, (Tensor, Variable))


def assert_(cond: Any, ex_type: type, msg: str) -> list[Any]:
    """An Assert op for a tensor ``cond``; else raises ``ex_type(msg)`` when ``cond`` is false."""
    if is_tensor(cond):
        from minitf.ops.logging_ops import Assert

        return [Assert(cond, [msg])]
    if not cond:
        raise ex_type(msg)
    return []


def _assert_all(cond: Tensor, msg: str) -> Any:
    from minitf.ops import math_ops
    from minitf.ops.logging_ops import Assert

    return Assert(math_ops.reduce_all(cond), [msg])


def image_dimensions(image: Tensor, rank: int) -> list[Any]:
    """Static dims as ints where known, else scalar int32 tensors (``_ImageDimensions``)."""
    from minitf.ops import array_ops

    if image.get_shape().is_fully_defined():
        return image.get_shape().as_list()
    static = image.get_shape().with_rank(rank).as_list()
    dynamic = array_ops.unstack(array_ops.shape(image), rank)
    return [s if s is not None else d for s, d in zip(static, dynamic)]


def check_at_least_3d(image: Tensor, require_static: bool = True) -> list[Any]:
    """TF's ``_CheckAtLeast3DImage``."""
    from minitf.ops import array_ops, math_ops

    shape = image.get_shape()
    try:
        shape = shape.with_rank(3) if shape.ndims is None else shape.with_rank_at_least(3)
    except ValueError:
        raise ValueError(f"'image' (shape {image.get_shape()}) must be at least "
                         "three-dimensional.") from None
    if require_static and not shape.is_fully_defined():
        raise ValueError("'image' must be fully defined.")
    inner = TensorShape(shape.as_list()[-3:])
    if any(d == 0 for d in inner.as_list()):
        raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {shape}")
    if inner.is_fully_defined():
        return []
    dims = array_ops.shape(image)[-3:]
    return [_assert_all(math_ops.greater(dims, 0), "inner 3 dims of 'image.shape' must be > 0."),
            _assert_all(math_ops.greater_equal(array_ops.rank(image), 3),
                        "'image' must be at least three-dimensional.")]


def assert_at_least_3d(image: Tensor) -> Tensor:
    from minitf.ops.control_flow_ops import with_dependencies

    return with_dependencies(check_at_least_3d(image, require_static=False), image)


def check_grayscale(image: Tensor) -> list[Any]:
    """TF's ``_CheckGrayscaleImage`` (require_static=False)."""
    from minitf.ops import array_ops, math_ops

    shape = image.get_shape()
    try:
        shape = shape.with_rank(2) if shape.ndims is None else shape.with_rank_at_least(2)
    except ValueError:
        raise ValueError(f"A grayscale image (shape {image.get_shape()}) must be at least "
                         "two-dimensional.") from None
    if shape.is_fully_defined():
        if shape.as_list()[-1] != 1:
            raise ValueError("Last dimension of a grayscale image should be size 1.")
        return []
    return [_assert_all(math_ops.equal(array_ops.shape(image)[-1], 1),
                        "Last dimension of a grayscale image should be size 1."),
            _assert_all(math_ops.greater_equal(array_ops.rank(image), 3),
                        "A grayscale image must be at least two-dimensional.")]


def fix_image_flip_shape(image: Tensor, result: Tensor) -> Tensor:
    shape = image.get_shape()
    result.set_shape([None, None, None] if shape.ndims is None else shape)
    return result


def to_batch(image: Tensor) -> tuple[Tensor, bool]:
    """``image`` as a 4-D batch and whether it was one (3-D or unknown rank: expand_dims)."""
    from minitf.ops import array_ops

    ndims = image.get_shape().ndims
    if ndims == 4:
        return image, True
    if ndims not in (3, None):
        raise ValueError(f"'image' (shape {image.get_shape()}) must have either 3 or 4 "
                         "dimensions.")
    image = array_ops.expand_dims(image, 0)
    if ndims is None:
        image.set_shape([None] * 4)
    return image, False
