"""``tf.SparseTensor``: a composite of three tensors (``indices`` [N, rank] int64, ``values`` [N],
``dense_shape`` [rank] int64), and ``tf.SparseTensorValue``, what a session returns for it."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from minitf.framework import dtypes
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import register_tensor_conversion_function
from minitf.framework.tensor_shape import TensorShape, as_shape

__all__ = ["SparseTensor", "SparseTensorValue", "convert_to_tensor_or_sparse_tensor",
           "is_sparse"]

SparseTensorValue = namedtuple("SparseTensorValue", ["indices", "values", "dense_shape"])


class SparseTensor:
    """A sparse tensor: ``values[i]`` sits at ``indices[i]`` of a ``dense_shape`` tensor."""

    @classmethod
    def from_value(cls, value: Any) -> SparseTensor:
        """A SparseTensor of constants from a SparseTensorValue (or a SparseTensor as is)."""
        if isinstance(value, SparseTensor):
            return value
        if not isinstance(value, SparseTensorValue):
            raise TypeError(f"Neither a SparseTensor nor SparseTensorValue: {value}.")
        return cls(value.indices, value.values, value.dense_shape)

    def __init__(self, indices: Any, values: Any, dense_shape: Any) -> None:
        from minitf.framework.constant_value import constant_value_as_shape
        from minitf.framework.graph import name_scope
        from minitf.framework.tensor_conversion import convert_to_tensor

        with name_scope(None, "SparseTensor", [indices, values, dense_shape]):
            indices = convert_to_tensor(indices, name="indices", dtype=dtypes.int64)
            values = convert_to_tensor(values, name="values")
            dense_shape = convert_to_tensor(dense_shape, name="dense_shape", dtype=dtypes.int64)
        self._indices = indices
        self._values = values
        self._dense_shape = dense_shape
        self._shape = constant_value_as_shape(dense_shape)
        ishape = indices.get_shape().with_rank(2)
        vshape = values.get_shape().with_rank(1)
        sshape = dense_shape.get_shape().with_rank(1)
        ishape[0].assert_is_compatible_with(vshape[0])
        ishape[1].assert_is_compatible_with(sshape[0])

    @property
    def indices(self) -> Tensor:
        return self._indices

    @property
    def values(self) -> Tensor:
        return self._values

    @property
    def dense_shape(self) -> Tensor:
        return self._dense_shape

    @property
    def dtype(self) -> dtypes.DType:
        return self._values.dtype

    @property
    def op(self) -> Any:
        return self._values.op

    @property
    def graph(self) -> Any:
        return self._indices.graph

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        """The static shape of the dense tensor this represents."""
        return self._shape

    def set_shape(self, shape: Any) -> None:
        """Refines the static dense shape (``shape`` must be compatible)."""
        self._shape = self._shape.merge_with(as_shape(shape))

    def eval(self, feed_dict: dict[Any, Any] | None = None, session: Any = None) -> Any:
        """Runs the graph in ``session`` (default: the default session): a SparseTensorValue."""
        from minitf.client.session import _run_using_default_session

        return _run_using_default_session(self, feed_dict, self.graph, session)

    def consumers(self) -> list[Any]:
        ops = {}
        for t in (self._indices, self._values, self._dense_shape):
            for op in t.consumers():
                ops[id(op)] = op
        return list(ops.values())

    def _fetch_components(self) -> tuple[list[Tensor], Any]:
        def rebuild(values: list[Any]) -> SparseTensorValue:
            return SparseTensorValue(*values)

        return [self._indices, self._values, self._dense_shape], rebuild

    def _feed_components(self) -> list[Tensor]:
        return [self._indices, self._values, self._dense_shape]

    def __repr__(self) -> str:
        return (f"SparseTensor(indices={self._indices}, values={self._values}, "
                f"dense_shape={self._dense_shape})")

    def __neg__(self) -> SparseTensor:
        from minitf.ops.math_ops import negative

        return SparseTensor(self._indices, negative(self._values), self._dense_shape)


def split_sparse_feed(value: Any) -> tuple[Any, Any, Any]:
    """(indices, values, dense_shape) from a SparseTensorValue or a 3-tuple fed to a
    SparseTensor."""
    if isinstance(value, SparseTensor):
        raise TypeError("The value of a feed cannot be a tf.Tensor object.")
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise TypeError(f"The feed value for a SparseTensor must be a SparseTensorValue or a "
                        f"tuple (indices, values, dense_shape), got {value!r}")
    return value[0], value[1], value[2]


def is_sparse(x: Any) -> bool:
    """Whether ``x`` is a SparseTensor or SparseTensorValue."""
    return isinstance(x, (SparseTensor, SparseTensorValue))


def convert_to_tensor_or_sparse_tensor(value: Any, dtype: Any = None,
                                       name: str | None = None) -> Any:
    """SparseTensors (and values) as SparseTensor; anything else through convert_to_tensor."""
    from minitf.framework.tensor_conversion import convert_to_tensor

    if isinstance(value, SparseTensorValue):
        value = SparseTensor.from_value(value)
    if isinstance(value, SparseTensor):
        if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(value.dtype):
            raise ValueError(f"Sparse dtype: requested = {dtypes.as_dtype(dtype)}, actual = "
                             f"{value.dtype}")
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)



def _no_dense_conversion(value: SparseTensor, dtype: Any = None, name: str | None = None,
                         as_ref: bool = False) -> Tensor:
    raise TypeError(f"Failed to convert elements of {value} to Tensor. Consider casting "
                    "elements to a supported type (a SparseTensor is not a dense Tensor; use "
                    "tf.sparse.to_dense).")


register_tensor_conversion_function(SparseTensor, _no_dense_conversion)
