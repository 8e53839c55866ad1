"""Basic array ops: placeholders, identity, shapes (Shape/ShapeN/Size/Rank), Reshape,
ExpandDims/Squeeze; and the helpers the array family shares (autopacking of lists holding
tensors, dense gradients).

Part of the array family; :mod:`minitf.ops.array_ops` re-exports the public names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import name_scope
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, RegisterGradient, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, as_shape, unknown_shape
from minitf.ops import array_shape_util as su
from minitf.ops import shape_fns

__all__ = ["placeholder", "placeholder_with_default", "identity", "shape", "shape_n", "size",
           "rank", "reshape", "expand_dims", "squeeze", "newaxis"]

newaxis = None


# --- helpers shared by the array family --------------------------------------------------------

def has_tensor(value: Any) -> bool:
    """True when a (nested) list/tuple contains a Tensor."""
    if isinstance(value, Tensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(has_tensor(v) for v in value)
    return False


def autopack(values: Any, dtype: Any = None, name: str = "packed") -> Any:
    """TF's autopacking: a (nested) list mixing tensors and Python values becomes a Pack op
    named ``name`` (Python entries become constants ``name/<i>``); lists without tensors are
    returned unchanged."""
    if not isinstance(values, (list, tuple)) or not has_tensor(values):
        return values
    if dtype is None:
        dtype = _first_tensor_dtype(values)
    return _autopacking_helper(values, dtypes.as_dtype(dtype).base_dtype, name)


def _autopacking_helper(values: Any, dtype: Any, name: str) -> Any:
    """TF's ``_autopacking_helper`` (every nested list opens its own name scope)."""
    from minitf.ops.constant_op import constant

    must_pack = False
    converted: list[Any] = []
    with name_scope(name) as scope:
        for i, elem in enumerate(values):
            if isinstance(elem, Tensor):
                if elem.dtype.base_dtype != dtype:
                    raise TypeError(f"Cannot convert a list containing a tensor of dtype "
                                    f"{elem.dtype.name} to {dtype.name} (Tensor is: {elem!r})")
                converted.append(elem)
                must_pack = True
            elif isinstance(elem, (list, tuple)):
                c = _autopacking_helper(elem, dtype, str(i))
                must_pack = must_pack or isinstance(c, Tensor)
                converted.append(c)
            else:
                converted.append(elem)
        if not must_pack:
            return converted
        elems = [e if isinstance(e, Tensor) else constant(e, dtype=dtype, name=str(i))
                 for i, e in enumerate(converted)]
        return apply_op("Pack", name=scope, values=elems, axis=0)


def _first_tensor_dtype(values: Any) -> Any:
    for v in values:
        if isinstance(v, Tensor):
            return v.dtype.base_dtype
        if isinstance(v, (list, tuple)):
            d = _first_tensor_dtype(v)
            if d is not None:
                return d
    return None


def apply_op_packed(op_type: str, name: str | None = None, **kwargs: Any) -> Any:
    """``apply_op`` that first autopacks list inputs containing tensors (named after the input,
    inside the op's name scope, as TF's conversion does; list inputs' elements are named
    ``<input>_<i>``)."""
    from minitf.framework.op_registry import get_op_def

    op_def = get_op_def(op_type)
    single = [a.name for a in op_def.inputs if a.number_attr is None
              and isinstance(kwargs.get(a.name), (list, tuple)) and has_tensor(kwargs[a.name])]
    multi = [a.name for a in op_def.inputs if a.number_attr is not None
             and isinstance(kwargs.get(a.name), (list, tuple))
             and any(isinstance(v, (list, tuple)) and has_tensor(v) for v in kwargs[a.name])]
    if not single and not multi:
        return apply_op(op_type, name=name, **kwargs)
    tensors = [t for v in kwargs.values() for t in _flat_tensors(v)]
    with name_scope(name, op_type, tensors) as scope:
        if single:
            _convert_in_order(op_def, op_type, kwargs, set(single))
        for arg in multi:
            kwargs[arg] = [autopack(v, None, f"{arg}_{i}") for i, v in enumerate(kwargs[arg])]
        return apply_op(op_type, name=scope, **kwargs)


def _convert_in_order(op_def: Any, op_type: str, kwargs: dict[str, Any],
                      packable: set[str]) -> None:
    """Converts the single (non-list) inputs in signature order, as TF does, autopacking the
    ones in ``packable``; stops after the last packable one (apply_op converts the rest)."""
    from minitf.framework.op_def_library import _convert_input

    attrs: dict[str, Any] = {}
    inferred: dict[str, str] = {}
    last = max(i for i, a in enumerate(op_def.inputs) if a.name in packable)
    for arg in op_def.inputs[:last + 1]:
        if arg.number_attr is not None or arg.name not in kwargs:
            continue
        v = kwargs[arg.name]
        if arg.name in packable:
            t = autopack(v, attrs.get(arg.type_attr) if arg.type_attr else arg.fixed_type,
                         arg.name)
        elif isinstance(v, Tensor):
            t = v
        else:
            t = _convert_input(op_type, arg, v, attrs, op_def.attrs, inferred)
        if arg.type_attr is not None and arg.type_attr not in attrs:
            attrs[arg.type_attr] = t.dtype.base_dtype
            inferred[arg.type_attr] = arg.name
        kwargs[arg.name] = t


def _flat_tensors(value: Any) -> list[Tensor]:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _flat_tensors(v)]
    return []


def dense(grad: Any) -> Any:
    """A dense tensor from a gradient that may be IndexedSlices (rows summed by ScatterNd)."""
    if not isinstance(grad, IndexedSlices):
        return grad
    from minitf.framework.indexed_slices import convert_to_dense

    return convert_to_dense(grad)


def shape_as_tensor(s: TensorShape, name: str = "shape_as_tensor") -> Tensor:
    """A fully defined static shape as a constant (int64 when a dimension needs it)."""
    from minitf.ops.constant_op import constant

    dims = s.as_list()
    dt = dtypes.int64 if any(d >= 2 ** 31 for d in dims) else dtypes.int32  # type: ignore[operator]
    return constant(dims, dtype=dt, name=name)


# --- placeholders ------------------------------------------------------------------------------

def _placeholder_kernel(op: Any, state: Any) -> Any:
    dtype = op.get_attr("dtype")
    shape = op._attrs.get("shape")
    dims = "<unknown>" if shape is None or shape.ndims is None else \
        "[" + ",".join("?" if d is None else str(d) for d in shape.as_tuple()) + "]"

    def unfed() -> Any:
        raise errors.InvalidArgumentError(
            None, op, f"You must feed a value for placeholder tensor '{op.name}' with dtype "
                      f"{_tf_type_name(dtype)} and shape {dims}")

    return unfed


def _tf_type_name(d: dtypes.DType) -> str:
    return {"float32": "float", "float64": "double"}.get(d.name, d.name)


register_op("Placeholder", outputs=["output: dtype"], attrs=["dtype: type", "shape: shape = None"],
            shape=shape_fns.attr_shape("shape"), make_kernel=_placeholder_kernel,
            doc="A value that must be fed.")
NotDifferentiable("Placeholder")


def placeholder(dtype: Any, shape: Any = None, name: str | None = None) -> Tensor:
    """A tensor that must be fed at run time (``tf.placeholder``)."""
    shape = None if shape is None else as_shape(shape)
    return apply_op("Placeholder", name=name, dtype=dtype, shape=shape)


def _pwd_shape(op: Any) -> list[TensorShape]:
    s = op._attrs.get("shape")
    s = s if s is not None else unknown_shape()
    s.assert_is_compatible_with(op.inputs[0].get_shape()) if s.ndims is not None else None
    return [s]


register_op("PlaceholderWithDefault", inputs=["input: dtype"], outputs=["output: dtype"],
            attrs=["dtype: type", "shape: shape"], shape=_pwd_shape,
            reference=lambda x: x, aliases_input=True,
            doc="Passes its input through unless a value is fed.")


@RegisterGradient("PlaceholderWithDefault")
def _pwd_grad(op: Any, grad: Any) -> Any:
    return [grad]


def placeholder_with_default(input: Any, shape: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """A placeholder that yields ``input`` when not fed."""
    t = convert_to_tensor(input)
    return apply_op("PlaceholderWithDefault", name=name, input=t, dtype=t.dtype,
                    shape=as_shape(shape))


# --- identity ---------------------------------------------------------------------------------

register_op("Identity", inputs=["input: T"], outputs=["output: T"], attrs=["T: type"],
            shape=shape_fns.unchanged, reference=lambda x: x, aliases_input=True,
            doc="Returns its input.")


@RegisterGradient("Identity")
def _identity_grad(op: Any, grad: Any) -> Any:
    return [grad]


def identity(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Returns a tensor with the same value as ``input`` (``tf.identity``)."""
    return apply_op("Identity", name=name, input=input)


register_op("StopGradient", inputs=["input: T"], outputs=["output: T"], attrs=["T: type"],
            shape=shape_fns.unchanged, reference=lambda x: x, aliases_input=True)
NotDifferentiable("StopGradient")


# --- shapes -----------------------------------------------------------------------------------

def _shape_ref(x: Any, out_type: Any) -> Any:
    return np.asarray(np.shape(x), dtype=out_type.as_numpy_dtype)


def _shape_shape(op: Any) -> list[TensorShape]:
    return [TensorShape([op.inputs[0].get_shape().ndims])]


register_op("Shape", inputs=["input: T"], outputs=["output: out_type"],
            attrs=["T: type", "out_type: {int32, int64} = int32"], shape=_shape_shape,
            reference=_shape_ref, kernel_attrs=("out_type",))
NotDifferentiable("Shape")


def shape(input: Any, name: str | None = None, out_type: Any = None) -> Tensor:  # noqa: A002
    """The shape of ``input`` as a 1-D int tensor: a constant when it is statically known."""
    return shape_internal(input, name, optimize=True,
                          out_type=dtypes.int32 if out_type is None else out_type)


def shape_internal(input: Any, name: str | None = None, optimize: bool = True,  # noqa: A002
                   out_type: Any = None) -> Tensor:
    """TF's ``shape_internal``: ``out_type=None`` names a static result ``shape_as_tensor``."""
    from minitf.ops.constant_op import constant

    with name_scope(name, "Shape", [input]) as scope:
        t = convert_to_tensor(input)
        s = t.get_shape()
        if optimize and s.is_fully_defined():
            if out_type is None:
                return shape_as_tensor(s)
            return constant(s.as_list(), dtype=out_type, name=scope)
        return apply_op("Shape", name=scope, input=t,
                        out_type=dtypes.int32 if out_type is None else out_type)


def _shape_n_ref(*xs: Any, out_type: Any) -> Any:
    return [np.asarray(np.shape(x), dtype=out_type.as_numpy_dtype) for x in xs]


register_op("ShapeN", inputs=["input: N * T"], outputs=["output: N * out_type"],
            attrs=["N: int >= 1", "T: type", "out_type: {int32, int64} = int32"],
            shape=lambda op: [TensorShape([t.get_shape().ndims]) for t in op.inputs],
            reference=_shape_n_ref, kernel_attrs=("out_type",))
NotDifferentiable("ShapeN")


def shape_n(input: Any, out_type: Any = dtypes.int32, name: str | None = None) -> list[Tensor]:  # noqa: A002
    """The shapes of several tensors (``tf.shape_n``)."""
    return apply_op("ShapeN", name=name, input=list(input), out_type=out_type)


register_op("Size", inputs=["input: T"], outputs=["output: out_type"],
            attrs=["T: type", "out_type: {int32, int64} = int32"], shape=shape_fns.scalar,
            reference=lambda x, out_type: np.asarray(np.size(x), dtype=out_type.as_numpy_dtype),
            kernel_attrs=("out_type",))
NotDifferentiable("Size")


def size(input: Any, name: str | None = None, out_type: Any = dtypes.int32) -> Tensor:  # noqa: A002
    """The number of elements of ``input`` (a constant when statically known)."""
    from minitf.ops.constant_op import constant

    out_type = dtypes.int32 if out_type is None else out_type
    with name_scope(name, "Size", [input]) as scope:
        t = convert_to_tensor(input)
        s = t.get_shape()
        if s.is_fully_defined():
            return constant(s.num_elements(), dtype=out_type, name=scope)
        if s.ndims is not None and any(d == 0 for d in s.as_tuple()):  # type: ignore[union-attr]
            return constant(0, dtype=out_type, name=scope)
        return apply_op("Size", name=scope, input=t, out_type=out_type)


register_op("Rank", inputs=["input: T"], outputs=["output: int32"], attrs=["T: type"],
            shape=shape_fns.scalar, reference=lambda x: np.int32(np.ndim(x)))
NotDifferentiable("Rank")


def rank(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """The rank of ``input`` (a constant when statically known)."""
    from minitf.ops.constant_op import constant

    with name_scope(name, "Rank", [input]) as scope:
        t = convert_to_tensor(input)
        if t.get_shape().ndims is not None:
            return constant(t.get_shape().ndims, dtype=dtypes.int32, name=scope)
        return apply_op("Rank", name=scope, input=t)


# --- reshape ----------------------------------------------------------------------------------

def _reshape_shape(op: Any) -> list[TensorShape]:
    """TF's Reshape shape function: infers one unknown dimension from the element counts."""
    in_dims = su.dims_of(op.inputs[0])
    out = su.shape_from_tensor(op.inputs[1])
    if out is None or in_dims is None:
        return [su.shape(out)]
    out = list(out)
    out_unknown = [i for i, d in enumerate(out) if d is None]
    in_unknown = [i for i, d in enumerate(in_dims) if d is None]
    if len(out_unknown) > 1 or len(in_unknown) > 1:
        return [su.shape(tuple(out))]
    known_out = int(np.prod([d for d in out if d is not None], dtype=np.int64))
    known_in = int(np.prod([d for d in in_dims if d is not None], dtype=np.int64))
    if not in_unknown and not out_unknown:
        if known_in != known_out:
            raise ValueError(f"Cannot reshape a tensor with {known_in} elements to shape "
                             f"{su.shape_str(tuple(out))} ({known_out} elements)")
    elif not in_unknown and known_out > 0:
        if known_in % known_out:
            raise ValueError(f"Dimension size must be evenly divisible by {known_out} but is "
                             f"{known_in}")
        out[out_unknown[0]] = known_in // known_out
    elif in_unknown and out_unknown and known_in == known_out:
        out[out_unknown[0]] = None
    elif in_unknown and not out_unknown and known_in != 0 and known_out % known_in:
        raise ValueError(f"Dimension size must be evenly divisible by {known_in} but is "
                         f"{known_out}")
    return [TensorShape(out)]


def _reshape_ref(x: Any, shape: Any) -> Any:
    """TF's Reshape kernel, including its handling of zero-sized dimensions with -1."""
    x = np.asarray(x)
    if np.ndim(shape) > 1:
        raise errors.InvalidArgumentError(None, None, f"sizes input must be 1-D, not "
                                                      f"{list(np.shape(shape))}")
    dims = su.int_list(shape)
    unknown = [i for i, d in enumerate(dims) if d == -1]
    if len(unknown) > 1:
        raise errors.InvalidArgumentError(None, None, f"Only one input size may be -1, not "
                                                      f"both {unknown[0]} and {unknown[1]}")
    if any(d < -1 for d in dims):
        bad = next(i for i, d in enumerate(dims) if d < -1)
        raise errors.InvalidArgumentError(None, None, f"Size {bad} must be non-negative, not "
                                                      f"{dims[bad]}")
    has_zero = 0 in dims
    product = int(np.prod([d for d in dims if d > 0], dtype=np.int64))
    if unknown:
        n_in = int(np.prod([d for d in x.shape if d > 0 or not has_zero], dtype=np.int64))
        in_zero = has_zero and 0 in x.shape
        missing = n_in // product
        if not in_zero and product * missing != n_in:
            raise errors.InvalidArgumentError(
                None, None, f"Input to reshape is a tensor with {n_in} values, but the "
                            f"requested shape requires a multiple of {product}")
        dims[unknown[0]] = missing
    n_out = int(np.prod(dims, dtype=np.int64))
    if n_out != x.size:
        raise errors.InvalidArgumentError(
            None, None, f"Input to reshape is a tensor with {x.size} values, but the requested "
                        f"shape has {n_out}")
    return x.reshape(dims)


register_op("Reshape", inputs=["tensor: T", "shape: Tshape"], outputs=["output: T"],
            attrs=["T: type", "Tshape: {int32, int64} = int32"], shape=_reshape_shape,
            reference=_reshape_ref, aliases_input=True)


def reshape_to_input(op: Any, grad: Any) -> Tensor:
    """``grad`` reshaped to the shape of ``op.inputs[0]`` (one unknown dimension becomes -1)."""
    x_shape = op.inputs[0].get_shape()
    if x_shape.ndims is not None and not x_shape.is_fully_defined():
        dims = x_shape.as_list()
        undefined = [i for i, d in enumerate(dims) if d is None]
        if len(undefined) == 1 and 0 not in dims:
            dims[undefined[0]] = -1
            return reshape(dense(grad), dims)
    return reshape(dense(grad), shape(op.inputs[0]))


@RegisterGradient("Reshape")
def _reshape_grad(op: Any, grad: Any) -> Any:
    return [reshape_to_input(op, grad), None]


def reshape(tensor: Any, shape: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Reshapes ``tensor``; one dimension of ``shape`` may be -1."""
    return apply_op_packed("Reshape", name=name, tensor=tensor, shape=shape)


# --- expand_dims / squeeze --------------------------------------------------------------------

def _expand_dims_shape(op: Any) -> list[TensorShape]:
    v = su.const_ints(op.inputs[1])
    if v is not None and len(v) != 1:
        raise ValueError("'dim' input must be a tensor with a single value")
    in_dims = su.dims_of(op.inputs[0])
    if v is None or in_dims is None:
        return [unknown_shape()]
    d, r = v[0], len(in_dims)
    if d < -r - 1 or d > r:
        raise ValueError(f"dim {d} not in the interval [{-r - 1}, {r}].")
    if d < 0:
        d += r + 1
    return [TensorShape(in_dims[:d] + (1,) + in_dims[d:])]


def _expand_dims_ref(x: Any, dim: Any) -> Any:
    x = np.asarray(x)
    if np.size(dim) != 1:
        raise errors.InvalidArgumentError(None, None, f"'dim' must be a tensor with a single "
                                                      f"value, got {np.size(dim)} values")
    d = int(np.asarray(dim).reshape(-1)[0])
    if d < -x.ndim - 1 or d > x.ndim:
        raise errors.InvalidArgumentError(None, None, f"Tried to expand dim index {d} for "
                                                      f"tensor with {x.ndim} dimensions.")
    return np.expand_dims(x, d)


register_op("ExpandDims", inputs=["input: T", "dim: Tdim"], outputs=["output: T"],
            attrs=["T: type", "Tdim: {int32, int64} = int32"], shape=_expand_dims_shape,
            reference=_expand_dims_ref, aliases_input=True)


@RegisterGradient("ExpandDims")
def _expand_dims_grad(op: Any, grad: Any) -> Any:
    return [reshape_to_input(op, grad), None]


def expand_dims(input: Any, axis: Any = None, name: str | None = None,  # noqa: A002
                dim: Any = None) -> Tensor:
    """Inserts a dimension of size 1 at ``axis`` (``dim`` is its deprecated name)."""
    if axis is not None and dim is not None:
        raise ValueError("Cannot specify both 'axis' and 'dim'")
    axis = dim if axis is None else axis
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return apply_op("ExpandDims", name=name, input=input, dim=axis)


def _squeeze_shape(op: Any) -> list[TensorShape]:
    in_dims = su.dims_of(op.inputs[0])
    if in_dims is None:
        return [unknown_shape()]
    r = len(in_dims)
    axes = []
    for i, a in enumerate(op._attrs["squeeze_dims"]):
        if a < -r or a >= r:
            raise ValueError(f"squeeze_dims[{i}] not in [{-r},{r}).")
        axes.append(a + r if a < 0 else a)
    out = []
    for i, d in enumerate(in_dims):
        explicit = i in axes
        if d is None:
            if explicit:
                continue
            if not axes:
                return [unknown_shape()]
        elif d == 1:
            if explicit or not axes:
                continue
        elif explicit:
            raise ValueError(f"Can not squeeze dim[{i}], expected a dimension of 1, got {d}")
        out.append(d)
    return [TensorShape(out)]


def _squeeze_ref(x: Any, squeeze_dims: list[int]) -> Any:
    x = np.asarray(x)
    r = x.ndim
    if not squeeze_dims:
        return x.reshape([d for d in x.shape if d != 1])
    axes = set()
    for a in squeeze_dims:
        if a < -r or a >= r:
            raise errors.InvalidArgumentError(None, None, f"Tried to squeeze dim index {a} for "
                                                          f"tensor with {r} dimensions.")
        a = a + r if a < 0 else a
        if x.shape[a] != 1:
            raise errors.InvalidArgumentError(None, None, f"Can not squeeze dim[{a}], expected "
                                                          f"a dimension of 1, got {x.shape[a]}")
        axes.add(a)
    return x.reshape([d for i, d in enumerate(x.shape) if i not in axes])


register_op("Squeeze", inputs=["input: T"], outputs=["output: T"],
            attrs=["T: type", "squeeze_dims: list(int) = []"], shape=_squeeze_shape,
            reference=_squeeze_ref, kernel_attrs=("squeeze_dims",), aliases_input=True)


@RegisterGradient("Squeeze")
def _squeeze_grad(op: Any, grad: Any) -> Any:
    return [reshape_to_input(op, grad)]


def squeeze(input: Any, axis: Any = None, name: str | None = None,  # noqa: A002
            squeeze_dims: Any = None) -> Tensor:
    """Removes dimensions of size 1 (all of them, or those in ``axis``)."""
    if axis is not None and squeeze_dims is not None:
        raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'")
    axis = squeeze_dims if axis is None else axis
    if axis is not None and np.isscalar(axis):
        axis = [axis]
    return apply_op("Squeeze", name=name, input=input,
                    squeeze_dims=[] if axis is None else [int(a) for a in axis])
