"""The array op family (``tf.reshape``, ``tf.concat``, ``tf.gather``, ``x[...]`` ...).

The ops live in focused modules, each op with its signature, shape function, numpy reference
and gradient side by side:

* :mod:`minitf.ops.array_basic` — placeholders, identity, Shape/ShapeN/Size/Rank, Reshape,
  ExpandDims/Squeeze, and the family's shared helpers (autopacking, dense gradients).
* :mod:`minitf.ops.array_fill` — Fill, zeros/ones/*_like, BroadcastTo and broadcasting helpers.
* :mod:`minitf.ops.array_manip` — Transpose, InvertPermutation, ConcatV2, Pack/Unpack,
  Split/SplitV.
* :mod:`minitf.ops.array_pad` — Tile, Pad/PadV2/MirrorPad, ReverseV2, ReverseSequence.
* :mod:`minitf.ops.array_slicing` — Slice, StridedSlice (and ``Tensor.__getitem__``).
* :mod:`minitf.ops.array_gather` — GatherV2, GatherNd, ScatterNd, DynamicStitch,
  DynamicPartition, Unique, Where/Select, boolean_mask.
* :mod:`minitf.ops.array_construct` — LinSpace, OneHot, Diag/DiagPart, matrix diagonals, eye,
  sequence_mask.

This module re-exports their public names (``minitf`` star-imports it).
"""

from __future__ import annotations

from minitf.ops import array_basic as _basic
from minitf.ops import array_construct as _construct
from minitf.ops import array_fill as _fill
from minitf.ops import array_gather as _gather
from minitf.ops import array_manip as _manip
from minitf.ops import array_pad as _pad
from minitf.ops import array_slicing as _slicing
from minitf.ops.array_basic import *  # noqa: F403
from minitf.ops.array_basic import (  # noqa: F401 - used by other modules through array_ops
    apply_op_packed,
    autopack,
    dense,
    shape_internal,
)
from minitf.ops.array_construct import *  # noqa: F403
from minitf.ops.array_fill import *  # noqa: F403
from minitf.ops.array_fill import broadcast_gradient_args  # noqa: F401
from minitf.ops.array_gather import *  # noqa: F403
from minitf.ops.array_manip import *  # noqa: F403
from minitf.ops.array_pad import *  # noqa: F403
from minitf.ops.array_slicing import *  # noqa: F403
from minitf.ops.array_slicing import slice_helper  # noqa: F401

__all__ = (list(_basic.__all__) + list(_fill.__all__) + list(_manip.__all__)
           + list(_pad.__all__) + list(_slicing.__all__) + list(_gather.__all__)
           + list(_construct.__all__))
