"""Flips, rotations, transposes, crops and pads of images (``[h, w, c]`` or ``[n, h, w, c]``),
built from array ops under TF's scope names (``flip_left_right/ReverseV2`` ...)."""

from __future__ import annotations

from typing import Any

from minitf.framework import dtypes
from minitf.framework.constant_value import constant_value
from minitf.framework.graph import name_scope
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.image._checks import (
    assert_,
    assert_at_least_3d,
    check_at_least_3d,
    fix_image_flip_shape,
    image_dimensions,
    is_tensor,
    to_batch,
)

__all__ = ["flip_left_right", "flip_up_down", "random_flip_left_right", "random_flip_up_down",
           "transpose_image", "transpose", "rot90", "central_crop", "pad_to_bounding_box",
           "crop_to_bounding_box", "resize_image_with_crop_or_pad", "resize_with_crop_or_pad"]


def _ops() -> Any:
    from minitf.ops import array_ops, control_flow_ops, math_ops

    return array_ops, control_flow_ops, math_ops


def _rank_error(shape: Any, space: str = " ") -> ValueError:
    return ValueError(f"'image' (shape {shape}){space}must have either 3 or 4 dimensions.")


def _by_rank(image: Tensor, f3: Any, f4: Any, space: str = " ") -> Any:
    array_ops, _, math_ops = _ops()
    from minitf.ops.control_flow_cond import cond

    ndims = image.get_shape().ndims
    if ndims is None:
        return cond(math_ops.equal(array_ops.rank(image), 3), f3, f4)
    if ndims == 3:
        return f3()
    if ndims == 4:
        return f4()
    raise _rank_error(image.get_shape(), space)


def _flip(image: Any, flip_index: int, scope_name: str) -> Tensor:
    array_ops, _, _ = _ops()
    with name_scope(None, scope_name, [image]):
        image = assert_at_least_3d(convert_to_tensor(image, name="image"))
        return _by_rank(
            image,
            lambda: fix_image_flip_shape(image, array_ops.reverse(image, [flip_index])),
            lambda: array_ops.reverse(image, [flip_index + 1]), space="")


def flip_left_right(image: Any) -> Tensor:
    """Reverses the width axis (``tf.image.flip_left_right``)."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image: Any) -> Tensor:
    """Reverses the height axis (``tf.image.flip_up_down``)."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image: Any, flip_index: int, seed: int | None, scope_name: str) -> Tensor:
    array_ops, _, math_ops = _ops()
    from minitf.ops.control_flow_cond import cond
    from minitf.ops.random_ops import random_uniform

    with name_scope(None, scope_name, [image]) as scope:
        image = assert_at_least_3d(convert_to_tensor(image, name="image"))

        def f_rank3() -> Tensor:
            uniform = random_uniform(shape=[], minval=0, maxval=1.0, seed=seed)
            result = cond(math_ops.less(uniform, 0.5),
                          lambda: array_ops.reverse(image, [flip_index]), lambda: image,
                          name=scope)
            return fix_image_flip_shape(image, result)

        def f_rank4() -> Tensor:
            batch = array_ops.shape(image)[0]
            uniform = random_uniform(shape=[batch], minval=0, maxval=1.0, seed=seed)
            flips = math_ops.round(array_ops.reshape(uniform, [batch, 1, 1, 1]))
            flips = math_ops.cast(flips, image.dtype)
            flipped = array_ops.reverse(image, [flip_index + 1])
            return flips * flipped + (1 - flips) * image

        return _by_rank(image, f_rank3, f_rank4)


def random_flip_left_right(image: Any, seed: int | None = None) -> Tensor:
    """Flips left-right with probability 1/2 (each image of a batch independently)."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image: Any, seed: int | None = None) -> Tensor:
    """Flips up-down with probability 1/2 (each image of a batch independently)."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def transpose(image: Any, name: str | None = None) -> Tensor:
    """Swaps height and width (``tf.image.transpose_image``)."""
    array_ops, _, _ = _ops()
    with name_scope(name, "transpose", [image]):
        image = assert_at_least_3d(convert_to_tensor(image, name="image"))
        return _by_rank(image, lambda: array_ops.transpose(image, [1, 0, 2], name=name),
                        lambda: array_ops.transpose(image, [0, 2, 1, 3], name=name))


transpose_image = transpose


def _rot90(image: Tensor, k: Tensor, scope: str, batch: bool) -> Tensor:
    array_ops, _, math_ops = _ops()
    from minitf.ops.control_flow_cond import case

    h, w = (1, 2) if batch else (0, 1)
    perm = [0, 2, 1, 3] if batch else [1, 0, 2]
    cases = [
        (math_ops.equal(k, 1),
         lambda: array_ops.transpose(array_ops.reverse_v2(image, [w]), perm)),
        (math_ops.equal(k, 2), lambda: array_ops.reverse_v2(image, [h, w])),
        (math_ops.equal(k, 3),
         lambda: array_ops.reverse_v2(array_ops.transpose(image, perm), [w]))]
    result = case(cases, default=lambda: image, exclusive=True, name=scope)
    if batch:
        shape = result.get_shape()
        result.set_shape([shape[0], None, None, shape[3]])
    else:
        result.set_shape([None, None, image.get_shape()[2]])
    return result


def rot90(image: Any, k: Any = 1, name: str | None = None) -> Tensor:
    """Rotates counter-clockwise by ``k`` quarter turns (``tf.image.rot90``)."""
    _, _, math_ops = _ops()
    with name_scope(name, "rot90", [image, k]) as scope:
        image = assert_at_least_3d(convert_to_tensor(image, name="image"))
        k = convert_to_tensor(k, dtype=dtypes.int32, name="k")
        k.get_shape().assert_has_rank(0)
        k = math_ops.mod(k, 4)
        return _by_rank(image, lambda: _rot90(image, k, scope, False),
                        lambda: _rot90(image, k, scope, True))


def central_crop(image: Any, central_fraction: float) -> Tensor:
    """The central ``central_fraction`` of each side (``tf.image.central_crop``)."""
    array_ops, _, math_ops = _ops()
    with name_scope(None, "central_crop", [image]):
        image = convert_to_tensor(image, name="image")
        frac = constant_value(central_fraction) if is_tensor(central_fraction) \
            else central_fraction
        if frac is None:
            raise NotImplementedError("central_crop with a non-constant central_fraction")
        frac = float(frac)
        if frac <= 0.0 or frac > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if frac == 1.0:
            return image
        assert_at_least_3d(image)
        rank = image.get_shape().ndims
        if rank not in (3, 4):
            raise ValueError("`image` should either be a Tensor with rank = 3 or rank = 4. "
                             f"Had rank = {rank}.")
        off = rank - 3
        starts, sizes, dyn = [], [], []
        for idx in (off, off + 1):
            static = image.get_shape().as_list()[idx]
            if static is None:
                size = array_ops.shape(image)[idx]
                sd = math_ops.cast(size, dtypes.float64)
                start = math_ops.cast((sd - sd * frac) / 2, dtypes.int32)
            else:
                size = static
                start = int((float(static) - float(static) * frac) / 2)
            starts.append(start)
            sizes.append(size - start * 2)
            dyn.append(static is None)
        begin = ([0] if rank == 4 else []) + starts + [0]
        size = ([-1] if rank == 4 else []) + sizes + [-1]
        out = array_ops.slice(image, array_ops.stack(begin), array_ops.stack(size))
        dims = image.get_shape().as_list()
        for i, idx in enumerate((off, off + 1)):
            dims[idx] = None if dyn[i] else sizes[i]
        out.set_shape(dims)
        return out


def _static_dims(values: list[Any]) -> list[Any]:
    return [None if is_tensor(v) else v for v in values]


def pad_to_bounding_box(image: Any, offset_height: Any, offset_width: Any, target_height: Any,
                        target_width: Any) -> Tensor:
    """Zero-pads to ``target`` size with the image at the given offset."""
    array_ops, control_flow_ops, _ = _ops()
    with name_scope(None, "pad_to_bounding_box", [image]):
        image, is_batch = to_batch(convert_to_tensor(image, name="image"))
        batch, height, width, depth = image_dimensions(image, rank=4)
        after_w = target_width - offset_width - width
        after_h = target_height - offset_height - height
        checks = check_at_least_3d(image, require_static=False)
        checks += assert_(offset_height >= 0, ValueError, "offset_height must be >= 0")
        checks += assert_(offset_width >= 0, ValueError, "offset_width must be >= 0")
        checks += assert_(after_w >= 0, ValueError, "width must be <= target - offset")
        checks += assert_(after_h >= 0, ValueError, "height must be <= target - offset")
        image = control_flow_ops.with_dependencies(checks, image)
        paddings = array_ops.reshape(array_ops.stack(
            [0, 0, offset_height, after_h, offset_width, after_w, 0, 0]), [4, 2])
        padded = array_ops.pad(image, paddings)
        padded.set_shape(_static_dims([batch, target_height, target_width, depth]))
        return padded if is_batch else array_ops.squeeze(padded, axis=[0])


def crop_to_bounding_box(image: Any, offset_height: Any, offset_width: Any, target_height: Any,
                         target_width: Any) -> Tensor:
    """The ``target`` sized box at the given offset."""
    array_ops, control_flow_ops, _ = _ops()
    with name_scope(None, "crop_to_bounding_box", [image]):
        image, is_batch = to_batch(convert_to_tensor(image, name="image"))
        checks = check_at_least_3d(image, require_static=False)
        batch, height, width, depth = image_dimensions(image, rank=4)
        checks += assert_(offset_width >= 0, ValueError, "offset_width must be >= 0.")
        checks += assert_(offset_height >= 0, ValueError, "offset_height must be >= 0.")
        checks += assert_(target_width > 0, ValueError, "target_width must be > 0.")
        checks += assert_(target_height > 0, ValueError, "target_height must be > 0.")
        checks += assert_(width >= (target_width + offset_width), ValueError,
                          "width must be >= target + offset.")
        checks += assert_(height >= (target_height + offset_height), ValueError,
                          "height must be >= target + offset.")
        image = control_flow_ops.with_dependencies(checks, image)
        cropped = array_ops.slice(
            image, array_ops.stack([0, offset_height, offset_width, 0]),
            array_ops.stack([array_ops.shape(image)[0], target_height, target_width,
                             array_ops.shape(image)[3]]))
        cropped.set_shape(_static_dims([batch, target_height, target_width, depth]))
        return cropped if is_batch else array_ops.squeeze(cropped, axis=[0])


def resize_image_with_crop_or_pad(image: Any, target_height: Any, target_width: Any) -> Tensor:
    """Centrally crops and/or zero-pads to the target size."""
    array_ops, control_flow_ops, math_ops = _ops()
    with name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image, is_batch = to_batch(convert_to_tensor(image, name="image"))
        checks = check_at_least_3d(image, require_static=False)
        checks += assert_(target_width > 0, ValueError, "target_width must be > 0.")
        checks += assert_(target_height > 0, ValueError, "target_height must be > 0.")
        image = control_flow_ops.with_dependencies(checks, image)
        if is_tensor(target_height):
            target_height = control_flow_ops.with_dependencies(checks, target_height)
        if is_tensor(target_width):
            target_width = control_flow_ops.with_dependencies(checks, target_width)

        def pick(fn: Any, py: Any) -> Any:
            return lambda x, y: fn(x, y) if is_tensor(x) or is_tensor(y) else py(x, y)

        max_ = pick(math_ops.maximum, max)
        min_ = pick(math_ops.minimum, min)
        _, height, width, _ = image_dimensions(image, rank=4)
        width_diff = target_width - width
        height_diff = target_height - height
        cropped = crop_to_bounding_box(image, max_(-height_diff // 2, 0),
                                       max_(-width_diff // 2, 0),
                                       min_(target_height, height), min_(target_width, width))
        resized = pad_to_bounding_box(cropped, max_(height_diff // 2, 0),
                                      max_(width_diff // 2, 0), target_height, target_width)
        resized = control_flow_ops.with_dependencies([], resized)
        return resized if is_batch else array_ops.squeeze(resized, axis=[0])


resize_with_crop_or_pad = resize_image_with_crop_or_pad
