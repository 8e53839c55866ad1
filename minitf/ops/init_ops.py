"""Variable initializers (TF 1.x ``init_ops``): callables ``init(shape, dtype=None,
partition_info=None)`` that build the ops computing an initial value.

``tf.zeros_initializer()``, ``tf.glorot_uniform_initializer()`` ... are usable in
``tf.get_variable(initializer=...)`` and in ``tf.Variable(lambda: init(shape))``; they build the
same ops, with the same names, as TF (``zeros``, ``random_uniform/RandomUniform`` ...).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.graph import name_scope
from minitf.framework.op_def_library import apply_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import random_ops
from minitf.ops.constant_op import constant

# Top-level names only (``tf.zeros_initializer`` ...); the classes and the lecun/he helpers are
# reached through ``tf.initializers``.
__all__ = ["zeros_initializer", "ones_initializer", "constant_initializer",
           "random_uniform_initializer", "random_normal_initializer",
           "truncated_normal_initializer", "uniform_unit_scaling_initializer",
           "variance_scaling_initializer", "glorot_uniform_initializer",
           "glorot_normal_initializer", "orthogonal_initializer"]

# TF builds a Const below this many elements and a Fill above (keeps GraphDefs small).
_CONSTANT_IF_SMALL_LIMIT = 1000


def _shape_list(shape: Any) -> Any:
    if isinstance(shape, TensorShape):
        return shape.as_list()
    return shape


def _filled(shape: Any, value: Any, dtype: dtypes.DType, scope_name: str) -> Tensor:
    """TF's ``array_ops.zeros``/``ones``: a Const named ``zeros`` for small static shapes, else
    ``Fill(zeros/shape_as_tensor, zeros/Const)``."""
    shape = _shape_list(shape)
    with name_scope(None, scope_name, [shape]) as scope:
        if not isinstance(shape, Tensor):
            dims = [int(d) for d in np.atleast_1d(np.asarray(shape, dtype=np.int64))]
            if int(np.prod(dims, dtype=np.int64)) < _CONSTANT_IF_SMALL_LIMIT:
                return constant(value, dtype=dtype, shape=dims, name=scope)
            index = dtypes.int64 if any(d >= 2**31 for d in dims) else dtypes.int32
            shape_t = constant(np.asarray(dims, dtype=index.as_numpy_dtype),
                               name="shape_as_tensor")
        else:
            shape_t = shape
        return apply_op("Fill", name=scope, dims=shape_t,
                        value=constant(value, dtype=dtype))


def _zero_of(dtype: dtypes.DType) -> Any:
    if dtype.base_dtype == dtypes.bool:
        return False
    if dtype.base_dtype == dtypes.string:
        return ""
    return 0


def _assert_float_dtype(dtype: Any) -> dtypes.DType:
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"Argument `dtype` is expected to be floating point. Received: "
                         f"{dtype!r}.")
    return dtype


class Initializer:
    """Base class of the initializers: ``init(shape, dtype=None, partition_info=None)``."""

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        return cls(**config)


class Zeros(Initializer):
    """All zeros (``tf.zeros_initializer``)."""

    def __init__(self, dtype: Any = dtypes.float32) -> None:
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = dtypes.as_dtype(dtype if dtype is not None else self.dtype).base_dtype
        return _filled(shape, _zero_of(dtype), dtype, "zeros")

    def get_config(self) -> dict[str, Any]:
        return {"dtype": self.dtype.name}


class Ones(Initializer):
    """All ones (``tf.ones_initializer``)."""

    def __init__(self, dtype: Any = dtypes.float32) -> None:
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = dtypes.as_dtype(dtype if dtype is not None else self.dtype).base_dtype
        one = True if dtype == dtypes.bool else 1
        return _filled(shape, one, dtype, "ones")

    def get_config(self) -> dict[str, Any]:
        return {"dtype": self.dtype.name}


class Constant(Initializer):
    """A constant value, broadcast or padded to the shape as ``tf.constant`` does
    (``tf.constant_initializer``)."""

    def __init__(self, value: Any = 0, dtype: Any = dtypes.float32,
                 verify_shape: bool = False) -> None:
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError(f"Invalid type for initial value={value} of type: "
                            f"{type(value).__name__}. Expected Python scalar, list or tuple of "
                            "values, or numpy.ndarray.")
        self.value = value
        self.dtype = dtypes.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None,
                 verify_shape: bool | None = None) -> Tensor:
        dtype = dtype if dtype is not None else self.dtype
        if verify_shape is None:
            verify_shape = self._verify_shape
        return constant(self.value, dtype=dtype, shape=_shape_list(shape),
                        verify_shape=verify_shape)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value, "dtype": self.dtype.name}


class RandomUniform(Initializer):
    """Uniform in [minval, maxval) (``tf.random_uniform_initializer``)."""

    def __init__(self, minval: Any = 0.0, maxval: Any = None, seed: int | None = None,
                 dtype: Any = dtypes.float32) -> None:
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = dtype if dtype is not None else self.dtype
        return random_ops.random_uniform(_shape_list(shape), self.minval, self.maxval, dtype,
                                         seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed,
                "dtype": self.dtype.name}


class _MeanStddevInitializer(Initializer):
    """Shared body of RandomNormal and TruncatedNormal: samples of ``random_ops.<_sampler>``
    with a mean and a stddev."""

    _sampler = ""

    def __init__(self, mean: Any = 0.0, stddev: Any = 1.0, seed: int | None = None,
                 dtype: Any = dtypes.float32) -> None:
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = dtype if dtype is not None else self.dtype
        return getattr(random_ops, self._sampler)(_shape_list(shape), self.mean, self.stddev,
                                                  dtype, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed,
                "dtype": self.dtype.name}


class RandomNormal(_MeanStddevInitializer):
    """Normal samples (``tf.random_normal_initializer``)."""

    _sampler = "random_normal"


class TruncatedNormal(_MeanStddevInitializer):
    """Normal samples re-drawn beyond 2 stddev (``tf.truncated_normal_initializer``)."""

    _sampler = "truncated_normal"


class UniformUnitScaling(Initializer):
    """Uniform in ±sqrt(3 / fan_in) * factor (``tf.uniform_unit_scaling_initializer``)."""

    def __init__(self, factor: float = 1.0, seed: int | None = None,
                 dtype: Any = dtypes.float32) -> None:
        self.factor = factor
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = dtype if dtype is not None else self.dtype
        shape = _shape_list(shape)
        scale_shape = partition_info.full_shape if partition_info is not None else shape
        input_size = 1.0
        for dim in scale_shape[:-1]:
            input_size *= float(dim)
        input_size = max(input_size, 1.0)
        max_val = math.sqrt(3 / input_size) * self.factor
        return random_ops.random_uniform(shape, -max_val, max_val, dtype, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


def _compute_fans(shape: Any) -> tuple[int, int]:
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape[0], shape[1]
    else:
        receptive_field_size = 1
        for dim in shape[:-2]:
            receptive_field_size *= dim
        fan_in = shape[-2] * receptive_field_size
        fan_out = shape[-1] * receptive_field_size
    return int(fan_in), int(fan_out)


# scipy.stats.truncnorm.std(a=-2, b=2, loc=0., scale=1.): the stddev of N(0, 1) cut at ±2.
_TRUNCATED_STDDEV = 0.87962566103423978


class VarianceScaling(Initializer):
    """Samples with variance ``scale / n`` (n = fan_in, fan_out or their mean)
    (``tf.variance_scaling_initializer``). ``distribution`` "truncated_normal" (or TF 1.x's
    "normal", which means the same) divides the stddev by 0.8796... so the truncated samples
    keep the target variance; "untruncated_normal" is a plain normal, "uniform" a uniform."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None,
                 dtype: Any = dtypes.float32) -> None:
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be a positive float. Received: {scale}")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError("Argument `mode` should be one of ('fan_in', 'fan_out', "
                             f"'fan_avg'). Received: {mode}")
        distribution = distribution.lower()
        if distribution not in {"normal", "uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError("Argument `distribution` should be one of ('normal', uniform', "
                             f"'truncated_normal', 'untruncated_normal'). Received: "
                             f"{distribution}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = dtype if dtype is not None else self.dtype
        shape = _shape_list(shape)
        scale = self.scale
        scale_shape = partition_info.full_shape if partition_info is not None else shape
        fan_in, fan_out = _compute_fans(scale_shape)
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV
            return random_ops.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed, "dtype": self.dtype.name}


class _Glorot(VarianceScaling):
    """Shared body of the Glorot initializers: fan_avg variance scaling with scale 1 and the
    class's ``_distribution``."""

    _distribution = ""

    def __init__(self, seed: int | None = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(scale=1.0, mode="fan_avg", distribution=self._distribution, seed=seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed, "dtype": self.dtype.name}


class GlorotUniform(_Glorot):
    """Uniform in ±sqrt(6 / (fan_in + fan_out)) (``tf.glorot_uniform_initializer``), the
    default initializer of ``tf.get_variable`` for floating-point variables."""

    _distribution = "uniform"


class GlorotNormal(_Glorot):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out))
    (``tf.glorot_normal_initializer``)."""

    _distribution = "truncated_normal"


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix (``tf.orthogonal_initializer``).

    Deviation: TF builds RandomStandardNormal → Qr → DiagPart/Sign ops; minitf has no Qr op,
    so the matrix is computed once, at graph-build time, from numpy's QR of a normal sample
    seeded by the op seeds, and stored as a Const (random per graph, not per session run).
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None,
                 dtype: Any = dtypes.float32) -> None:
        self.gain = gain
        self.dtype = _assert_float_dtype(dtype)
        self.seed = seed

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dtype = dtypes.as_dtype(dtype if dtype is not None else self.dtype)
        shape = [int(d) for d in _shape_list(shape)]
        if len(shape) < 2:
            raise ValueError("The tensor to initialize, specified by argument `shape` must be "
                             f"at least two-dimensional. Received shape={shape}")
        num_rows = int(np.prod(shape[:-1]))
        num_cols = shape[-1]
        flat = (num_cols, num_rows) if num_rows < num_cols else (num_rows, num_cols)
        seed1, seed2 = random_ops.get_seed(self.seed)
        gen = np.random.default_rng(None if seed1 is None else [seed1, seed2])
        q, r = np.linalg.qr(gen.standard_normal(flat))
        q *= np.sign(np.diag(r))
        if num_rows < num_cols:
            q = q.T
        value = (self.gain * q.reshape(shape)).astype(dtype.as_numpy_dtype)
        return constant(value, dtype=dtype, name="orthogonal")

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


class Identity(Initializer):
    """``gain`` times the identity matrix (``tf.identity_initializer``), 2-D shapes only."""

    def __init__(self, gain: float = 1.0, dtype: Any = dtypes.float32) -> None:
        self.gain = gain
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        full_shape = _shape_list(shape) if partition_info is None else partition_info.full_shape
        if len(full_shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        dtype = dtypes.as_dtype(dtype if dtype is not None else self.dtype)
        value = self.gain * np.eye(int(full_shape[0]), int(full_shape[1]))
        return constant(value.astype(dtype.as_numpy_dtype), dtype=dtype, name="identity")

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "dtype": self.dtype.name}


zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
uniform_unit_scaling_initializer = UniformUnitScaling
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
orthogonal_initializer = Orthogonal
identity_initializer = Identity


def lecun_normal(seed: int | None = None) -> VarianceScaling:
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal", seed=seed)


def lecun_uniform(seed: int | None = None) -> VarianceScaling:
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)


def he_normal(seed: int | None = None) -> VarianceScaling:
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal", seed=seed)


def he_uniform(seed: int | None = None) -> VarianceScaling:
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)
