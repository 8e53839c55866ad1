"""Random ops (RandomStandardNormal, RandomUniform, RandomUniformInt, TruncatedNormal,
RandomShuffle, Multinomial) and TF 1.x's seed rules (``tf.set_random_seed``, ``get_seed``).

Every random op is stateful: its kernel draws from the session's per-op stream
(``state.random_generator(op)``), seeded by the op's ``seed``/``seed2`` attrs, so the same seeds
give the same sequence in a new Session and repeated runs in one Session give new values.
The streams are numpy's Philox generator, not TF's Philox kernels: numbers differ from TF's
(TF only promises its own numbers per version); distributions, shapes, dtypes, bounds and seed
attrs match.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.constant_value import constant_value, constant_value_as_shape
from minitf.framework.graph import Graph, get_default_graph, name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import NotDifferentiable, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape, dimension_value, unknown_shape
from minitf.ops import shape_fns

__all__ = ["random_normal", "random_uniform", "truncated_normal", "random_shuffle",
           "multinomial", "random_crop", "set_random_seed", "get_seed"]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1
# Per-graph counter of ops seeded from the graph seed alone (TF 2.x's random_seed module; TF 1.x
# used the graph's last op id instead — both are deterministic for the same program).
_graph_to_seed_dict: weakref.WeakKeyDictionary[Graph, int] = weakref.WeakKeyDictionary()


# --- seeds ---------------------------------------------------------------------------------------

def _truncate_seed(seed: int) -> int:
    return int(seed) % _MAXINT32


def get_seed(op_seed: int | None) -> tuple[int | None, int | None]:
    """The (graph seed, op seed) pair an op should use (``tf.get_seed``).

    Graph seed set, op seed None: the op seed comes from a per-graph counter. Only the op seed
    set: the graph seed is ``DEFAULT_GRAPH_SEED``. Neither: ``(None, None)`` (nondeterministic).
    """
    graph = get_default_graph()
    global_seed = graph.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = _graph_to_seed_dict.setdefault(graph, 0)
            _graph_to_seed_dict[graph] += 1
        seeds: tuple[int | None, int | None] = (_truncate_seed(global_seed),
                                                _truncate_seed(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, _truncate_seed(op_seed))
    else:
        seeds = (None, None)
    # (0, 0) means "nondeterministic" to the kernels; Python's (None, None) already says that.
    if seeds == (0, 0):
        return (0, _MAXINT32)
    return seeds


def set_random_seed(seed: int | None) -> None:
    """Sets the graph-level random seed of the default graph (``tf.set_random_seed``)."""
    get_default_graph().seed = seed


# --- op registrations ----------------------------------------------------------------------------

_SEED_ATTRS = ["seed: int = 0", "seed2: int = 0"]


def _shape_from_input(op: Any) -> list[TensorShape]:
    shape = op.inputs[0]
    shape.get_shape().with_rank(1)
    return [constant_value_as_shape(shape)]


def _dims(op: Any, shape: Any) -> tuple[int, ...]:
    dims = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    for d in dims:
        if d < 0:
            raise errors.InvalidArgumentError(None, op, f"Dimension {d} must be >= 0")
    return dims


def _float_sampler(draw: Any) -> Any:
    """Kernel factory for a float op drawing ``draw(gen, dims, np_dtype)`` per run."""

    def factory(op: Any, state: Any) -> Any:
        gen = state.random_generator(op)
        out = np.dtype(op.outputs[0].dtype.base_dtype.as_numpy_dtype)
        work = out if out in (np.float32, np.float64) else np.dtype(np.float32)

        def kernel(shape: Any) -> np.ndarray:
            return draw(gen, _dims(op, shape), work).astype(out, copy=False)

        return kernel

    return factory


def _standard_normal(gen: np.random.Generator, dims: tuple[int, ...], dt: Any) -> np.ndarray:
    return gen.standard_normal(dims, dtype=dt)


_U24 = np.float32(2.0 ** -24)
_U53 = 2.0 ** -53


def _uniform(gen: np.random.Generator, dims: tuple[int, ...], dt: Any) -> np.ndarray:
    """U[0, 1) from the op's Philox stream: each 64-bit output gives two float32 (low half
    first: the top 24 bits of each half, as numpy's ``Generator.random`` — the same numbers
    when the count is even) or one float64 (top 53 bits); ~25 % faster than ``gen.random``.
    An odd float32 count drops the last half-word instead of keeping it for the next draw."""
    n = int(np.prod(dims, dtype=np.int64))
    bits = gen.bit_generator
    if np.dtype(dt) == np.float32:
        raw = bits.random_raw(-(-n // 2)).view(np.uint32)[:n]
        out32 = (raw >> np.uint32(8)).astype(np.float32)
        out32 *= _U24
        return out32.reshape(dims)
    out = (bits.random_raw(n) >> np.uint64(11)).astype(np.float64)
    out *= _U53
    return out.reshape(dims)


def _truncated(gen: np.random.Generator, dims: tuple[int, ...], dt: Any) -> np.ndarray:
    """Standard normal samples with every value of magnitude >= 2 re-drawn (as TF does)."""
    x = gen.standard_normal(dims, dtype=dt)
    flat = x.reshape(-1)
    bad = np.flatnonzero(np.abs(flat) >= 2.0)
    while bad.size:
        flat[bad] = gen.standard_normal(bad.size, dtype=dt)
        bad = bad[np.abs(flat[bad]) >= 2.0]
    return x


_FLOAT_OUT = "dtype: {float16, bfloat16, float32, float64}"
for _type, _draw, _doc in (
        ("RandomStandardNormal", _standard_normal, "Samples of N(0, 1)."),
        ("RandomUniform", _uniform, "Samples of U[0, 1)."),
        ("TruncatedNormal", _truncated, "Samples of N(0, 1) re-drawn beyond 2 stddev.")):
    register_op(_type, inputs=["shape: T"], outputs=["output: dtype"],
                attrs=_SEED_ATTRS + [_FLOAT_OUT, "T: {int32, int64}"],
                shape=_shape_from_input, make_kernel=_float_sampler(_draw), stateful=True,
                doc=_doc)
    NotDifferentiable(_type)


def _uniform_int_shape(op: Any) -> list[TensorShape]:
    for t in op.inputs[1:]:
        if t.get_shape().ndims not in (None, 0):
            raise ValueError(f"Shape must be rank 0 but is rank {t.get_shape().ndims}")
    return _shape_from_input(op)


def _uniform_int_kernel(op: Any, state: Any) -> Any:
    gen = state.random_generator(op)
    out = op.outputs[0].dtype.base_dtype.as_numpy_dtype

    def kernel(shape: Any, minval: Any, maxval: Any) -> np.ndarray:
        lo, hi = int(minval), int(maxval)
        dims = _dims(op, shape)
        if int(np.prod(dims, dtype=np.int64)) > 0 and lo >= hi:
            raise errors.InvalidArgumentError(None, op, f"Need minval < maxval: {lo} >= {hi}")
        if lo >= hi:
            return np.zeros(dims, dtype=out)
        return gen.integers(lo, hi, size=dims, dtype=out)

    return kernel


register_op("RandomUniformInt", inputs=["shape: T", "minval: Tout", "maxval: Tout"],
            outputs=["output: Tout"], attrs=_SEED_ATTRS + ["Tout: {int32, int64}",
                                                           "T: {int32, int64}"],
            shape=_uniform_int_shape, make_kernel=_uniform_int_kernel, stateful=True,
            doc="Integers uniform in [minval, maxval).")
NotDifferentiable("RandomUniformInt")


def _shuffle_kernel(op: Any, state: Any) -> Any:
    gen = state.random_generator(op)

    def kernel(value: Any) -> np.ndarray:
        value = np.asarray(value)
        if value.ndim == 0 or value.shape[0] <= 1:
            return value.copy()
        return value[gen.permutation(value.shape[0])]

    return kernel


register_op("RandomShuffle", inputs=["value: T"], outputs=["output: T"],
            attrs=_SEED_ATTRS + ["T: type"], shape=shape_fns.unchanged,
            make_kernel=_shuffle_kernel, stateful=True,
            doc="Shuffles a tensor along its first dimension.")
NotDifferentiable("RandomShuffle")


def _multinomial_shape(op: Any) -> list[TensorShape]:
    logits = op.inputs[0].get_shape().with_rank(2)
    n = op.inputs[1].get_shape()
    if n.ndims not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {n.ndims}")
    value = constant_value(op.inputs[1])
    samples = None if value is None else int(value)
    dims = logits.as_tuple()
    return [TensorShape([dims[0], samples]) if dims is not None else unknown_shape(2)]


def _multinomial_kernel(op: Any, state: Any) -> Any:
    gen = state.random_generator(op)
    out = op.outputs[0].dtype.base_dtype.as_numpy_dtype

    def kernel(logits: Any, num_samples: Any) -> np.ndarray:
        logits = np.asarray(logits, dtype=np.float64)
        n = int(num_samples)
        if n < 0:
            raise errors.InvalidArgumentError(None, op,
                                              f"num_samples should be nonnegative, got {n}")
        batch, classes = logits.shape
        if classes == 0 and batch > 0 and n > 0:
            raise errors.InvalidArgumentError(None, op, "num_classes should be positive, got 0")
        if batch == 0 or n == 0:
            return np.zeros((batch, n), dtype=out)
        finite = np.where(np.isneginf(logits), -np.inf, logits)
        shifted = finite - np.max(finite, axis=1, keepdims=True)
        probs = np.exp(shifted)
        cdf = np.cumsum(probs, axis=1)
        cdf /= cdf[:, -1:]
        u = gen.random((batch, n))
        idx = np.empty((batch, n), dtype=np.int64)
        for row in range(batch):
            idx[row] = np.searchsorted(cdf[row], u[row], side="right")
        return np.minimum(idx, classes - 1).astype(out)

    return kernel


register_op("Multinomial", inputs=["logits: T", "num_samples: int32"],
            outputs=["output: output_dtype"],
            attrs=_SEED_ATTRS + ["T: real", "output_dtype: {int32, int64} = int64"],
            shape=_multinomial_shape, make_kernel=_multinomial_kernel, stateful=True,
            doc="Draws class indices from the categorical distributions given by logits.")
NotDifferentiable("Multinomial")


# --- Python wrappers -----------------------------------------------------------------------------

def shape_tensor(shape: Any) -> Tensor:
    """TF's ``shape_util.shape_tensor``: a 1-D int tensor named ``shape`` from a list, tuple,
    TensorShape or tensor."""
    if isinstance(shape, Tensor):
        return shape
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a "
                             "Tensor.")
        shape = shape.as_list()
    dtype = None
    if isinstance(shape, (tuple, list)):
        if not shape:
            dtype = dtypes.int32
        else:
            shape = [dimension_value(d) if not isinstance(d, Tensor) else d for d in shape]
            if any(isinstance(d, Tensor) for d in shape):
                from minitf.ops import array_ops

                return array_ops.stack(shape, name="shape")  # type: ignore[attr-defined]
    return convert_to_tensor(shape, dtype=dtype, name="shape")


def _scaled(op_type: str, scope_name: str, shape: Any, mean: Any, stddev: Any, dtype: Any,
            seed: int | None, name: str | None) -> Tensor:
    from minitf.ops import math_ops

    with name_scope(name, scope_name, [shape, mean, stddev]) as scope:
        shape_t = shape_tensor(shape)
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        seed1, seed2 = get_seed(seed)
        rnd = apply_op(op_type, shape=shape_t, dtype=dtype, seed=seed1, seed2=seed2)
        mul = rnd * stddev_t
        return math_ops.add(mul, mean_t, name=scope)


def random_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = dtypes.float32,
                  seed: int | None = None, name: str | None = None) -> Tensor:
    """Samples of N(mean, stddev²) (``tf.random_normal``): ``mean + stddev * N(0, 1)``."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    return _scaled("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed,
                   name)


def truncated_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0,
                     dtype: Any = dtypes.float32, seed: int | None = None,
                     name: str | None = None) -> Tensor:
    """Normal samples more than 2 stddev from the mean re-drawn (``tf.truncated_normal``)."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    return _scaled("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed, name)


_UNIFORM_DTYPES = (dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64,
                   dtypes.int32, dtypes.int64)


def random_uniform(shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = dtypes.float32,
                   seed: int | None = None, name: str | None = None) -> Tensor:
    """Samples uniform in [minval, maxval) (``tf.random_uniform``); an integer dtype builds
    RandomUniformInt and needs ``maxval``."""
    from minitf.ops import math_ops

    dtype = dtypes.as_dtype(dtype)
    if dtype not in _UNIFORM_DTYPES:
        raise ValueError(f"Argument `dtype` got invalid value {dtype!r}. Accepted dtypes are "
                         f"{tuple(_UNIFORM_DTYPES)}.")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    with name_scope(name, "random_uniform", [shape, minval, maxval]) as scope:
        shape_t = shape_tensor(shape)
        minval_is_zero = isinstance(minval, int) and not isinstance(minval, bool) and minval == 0
        maxval_is_one = isinstance(maxval, int) and not isinstance(maxval, bool) and maxval == 1
        if not minval_is_zero or not maxval_is_one or dtype.is_integer:
            minval = convert_to_tensor(minval, dtype=dtype, name="min")
            maxval = convert_to_tensor(maxval, dtype=dtype, name="max")
        seed1, seed2 = get_seed(seed)
        if dtype.is_integer:
            return apply_op("RandomUniformInt", name=scope, shape=shape_t, minval=minval,
                            maxval=maxval, seed=seed1, seed2=seed2)
        result = apply_op("RandomUniform", shape=shape_t, dtype=dtype, seed=seed1, seed2=seed2)
        if minval_is_zero:
            if not maxval_is_one:
                result = math_ops.multiply(result, maxval)
            return result
        return math_ops.add(result * (maxval - minval), minval, name=scope)


def random_shuffle(value: Any, seed: int | None = None, name: str | None = None) -> Tensor:
    """Shuffles ``value`` along its first dimension (``tf.random_shuffle``)."""
    seed1, seed2 = get_seed(seed)
    return apply_op("RandomShuffle", name=name, value=value, seed=seed1, seed2=seed2)


def _multinomial_impl(logits: Any, num_samples: Any, dtype: Any, seed: int | None) -> Tensor:
    logits = convert_to_tensor(logits, name="logits")
    dtype = dtypes.as_dtype(dtype) if dtype else dtypes.int64
    if dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError(f"Argument `dtype` got invalid value {dtype!r}. Accepted dtypes are "
                         f"({dtypes.int32!r}, {dtypes.int64!r}).")
    seed1, seed2 = get_seed(seed)
    return apply_op("Multinomial", logits=logits, num_samples=num_samples, seed=seed1,
                    seed2=seed2, output_dtype=dtype)


def multinomial(logits: Any, num_samples: Any, seed: int | None = None, name: str | None = None,
                output_dtype: Any = None) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` (``tf.multinomial``)."""
    with name_scope(name, "multinomial", [logits]):
        return _multinomial_impl(logits, num_samples, output_dtype, seed)


def categorical(logits: Any, num_samples: Any, dtype: Any = None, seed: int | None = None,
                name: str | None = None) -> Tensor:
    """``tf.random.categorical``: as :func:`multinomial`, under the scope ``categorical``."""
    with name_scope(name, "categorical", [logits]):
        return _multinomial_impl(logits, num_samples, dtype, seed)


def random_crop(value: Any, size: Any, seed: int | None = None, name: str | None = None) -> Tensor:
    """A random ``size`` slice of ``value`` (``tf.random_crop``), offsets drawn uniformly.

    TF first asserts ``shape(value) >= size``; minitf adds that check once a ``tf.Assert`` op
    exists (until then an oversized crop fails in the Slice kernel)."""
    from minitf.ops import array_ops, control_flow_ops, math_ops

    with name_scope(name, "random_crop", [value, size]) as scope:
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
        shape = array_ops.shape(value)
        check = getattr(control_flow_ops, "Assert", None)
        with_deps = getattr(control_flow_ops, "with_dependencies", None)
        if check is not None and with_deps is not None:
            ok = check(math_ops.reduce_all(shape >= size),
                       ["Need value.shape >= size, got ", shape, size], summarize=1000)
            shape = with_deps([ok], shape)
        limit = shape - size + 1
        offset = random_uniform(array_ops.shape(shape), dtype=size.dtype,
                                maxval=size.dtype.max, seed=seed) % limit
        return array_ops.slice(value, offset, size, name=scope)  # type: ignore[attr-defined]
