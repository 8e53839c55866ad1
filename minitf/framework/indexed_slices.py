"""``tf.IndexedSlices``: a sparse gradient (rows ``indices`` of a dense tensor), as produced by
the gradients of gather and embedding_lookup."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import register_tensor_conversion_function

__all__ = ["IndexedSlices", "IndexedSlicesValue", "convert_to_dense"]

IndexedSlicesValue = namedtuple("IndexedSlicesValue", ["values", "indices", "dense_shape"])


class IndexedSlices:
    """Rows ``indices`` of a tensor of shape ``dense_shape`` with the given ``values``."""

    def __init__(self, values: Tensor, indices: Tensor, dense_shape: Tensor | None = None) -> None:
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def values(self) -> Tensor:
        return self._values

    @property
    def indices(self) -> Tensor:
        return self._indices

    @property
    def dense_shape(self) -> Tensor | None:
        return self._dense_shape

    @property
    def name(self) -> str:
        return self._values.name

    @property
    def device(self) -> str:
        return self._values.device

    @property
    def op(self) -> Any:
        return self._values.op

    @property
    def dtype(self) -> Any:
        return self._values.dtype

    @property
    def graph(self) -> Any:
        return self._values.graph

    def get_shape(self) -> Any:
        from minitf.framework.constant_value import constant_value_as_shape

        if self._dense_shape is None:
            from minitf.framework.tensor_shape import TensorShape

            return TensorShape(None)
        return constant_value_as_shape(self._dense_shape)

    @property
    def shape(self) -> Any:
        return self.get_shape()

    def _fetch_components(self) -> tuple[list[Any], Any]:
        parts = [self._values, self._indices]
        if self._dense_shape is not None:
            parts.append(self._dense_shape)

        def rebuild(values: list[Any]) -> IndexedSlicesValue:
            return IndexedSlicesValue(values[0], values[1],
                                      values[2] if len(values) > 2 else None)

        return parts, rebuild

    def __neg__(self) -> IndexedSlices:
        from minitf.ops.math_ops import negative

        return IndexedSlices(negative(self._values), self._indices, self._dense_shape)

    def __repr__(self) -> str:
        return (f"IndexedSlices(indices={self._indices}, values={self._values}"
                + (f", dense_shape={self._dense_shape})" if self._dense_shape is not None
                   else ")"))


def convert_to_dense(value: IndexedSlices, dtype: Any = None, name: str | None = None,
                     as_ref: bool = False) -> Tensor:
    """Scatters the slices into a dense tensor (rows with repeated indices are summed)."""
    if value.dense_shape is None:
        raise ValueError(f"Tensor conversion requested for IndexedSlices without dense_shape: "
                         f"{value!r}")
    from minitf.ops import math_ops

    return math_ops.unsorted_segment_sum(value.values, value.indices,
                                         value.dense_shape[0], name=name)


register_tensor_conversion_function(IndexedSlices, convert_to_dense)
