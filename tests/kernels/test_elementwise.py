"""Generated elementwise kernels: vectorized math against numpy, every scalar expression
against its op's reference, and the FusedKernel call paths (broadcasting, empty, 0-d,
non-contiguous, read-only, threads, fallback)."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.framework.op_def_library import apply_op
from minitf.framework.op_registry import registered_ops
from minitf.kernels.cpu import scalar_exprs
from minitf.kernels.cpu.codegen import (
    FusedKernel,
    GroupSpec,
    InputSpec,
    Node,
    fusable_op,
    jit_options,
    variant_source,
)
from minitf.kernels.cpu.elementwise import elementwise_kernel
from minitf.kernels.registry import reference_kernel

numba = pytest.importorskip("numba")

SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-38, 88.7, 89.0, -103.9,
            -104.5, 0.625, -0.625, 1.0, -1.0, 6.0, 1e30, -1e30]


def _sweep32(step: int = 4099) -> np.ndarray:
    bits = np.arange(0, 2**32, step, dtype=np.uint64).astype(np.uint32)
    return np.concatenate([bits.view(np.float32), np.array(SPECIALS, np.float32)])


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ia = a.view(np.int32).astype(np.int64)
    ib = b.view(np.int32).astype(np.int64)
    ia = np.where(ia < 0, np.int64(-2**31) - ia, ia)  # monotonic order across the sign
    ib = np.where(ib < 0, np.int64(-2**31) - ib, ib)
    return np.abs(ia - ib)


def _loop(fn):
    from numba import njit

    @njit(error_model="numpy")
    def run(x, out):
        for i in range(x.size):
            out[i] = fn(x[i])

    return run


def _sigmoid_ref(x):
    return registered_ops()["Sigmoid"].reference(x)


def _softplus_ref(x):
    return np.logaddexp(x.dtype.type(0), x)


@pytest.mark.parametrize("name,ref,max_ulp", [("exp32", np.exp, 3), ("log32", np.log, 3),
                                               ("tanh32", np.tanh, 3),
                                               ("sigmoid32", _sigmoid_ref, 4),
                                               ("expm1_32", np.expm1, 3),
                                               ("softplus32", _softplus_ref, 2)])
def test_vmath_float32_close_to_numpy(name, ref, max_ulp):
    from minitf.kernels.cpu import vmath

    x = _sweep32()
    out = np.empty_like(x)
    _loop(getattr(vmath, name))(x, out)
    with np.errstate(all="ignore"):
        want = ref(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(out), np.isnan(want))
    finite = np.isfinite(want)
    np.testing.assert_array_equal(out[~finite & ~np.isnan(want)], want[~finite & ~np.isnan(want)])
    assert _ulps(out[finite], want[finite]).max() <= max_ulp
    zeros = want == 0
    np.testing.assert_array_equal(np.signbit(out[zeros]), np.signbit(want[zeros]))


@pytest.mark.parametrize("name,ref", [("exp64", np.exp), ("sigmoid64", _sigmoid_ref)])
def test_vmath_float64_close_to_numpy(name, ref):
    from minitf.kernels.cpu import vmath

    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal(20000) * 40, np.array(SPECIALS + [709.7, 709.9,
                                                                              -745.0, -746.0])])
    out = np.empty_like(x)
    _loop(getattr(vmath, name))(x, out)
    with np.errstate(all="ignore"):
        want = ref(x)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(want))
    np.testing.assert_allclose(out, want, rtol=1e-15, atol=1e-307)  # a few ulp; subnormals: 1 ulp


# --- every scalar expression against its op's reference ----------------------------------------

def _arg_values(op_type: str, dtype: np.dtype, n_in: int, rng) -> list[np.ndarray]:
    base = np.concatenate([rng.standard_normal(400) * 3, rng.uniform(-0.01, 0.01, 40),
                           np.array([0.0, -0.0, 1.0, -1.0, 6.0, 7.5, 1e-3, np.inf, -np.inf,
                                     np.nan, 30.0, -30.0, 100.0, -100.0])])
    vals = []
    for k in range(n_in):
        v = rng.permutation(base) if k else base
        if op_type in ("Log", "Sqrt", "Rsqrt", "Log1p") and k == 0:
            v = np.concatenate([np.abs(v[:-8]), v[-8:]])
        if op_type == "Pow" and k == 1:
            v = np.round(v) / 2
        vals.append(v.astype(dtype))
    return vals


SUPPORTED = sorted(t for t, d in registered_ops().items()
                   if scalar_exprs.lookup(t) is not None and d.extra.get("elementwise"))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op_type", SUPPORTED)
def test_scalar_expr_matches_reference(op_type, dtype):
    op_def = registered_ops()[op_type]
    rng = np.random.default_rng(7)
    tdt = tf.as_dtype(dtype)
    kwargs = {a.name: tf.placeholder(tdt, [None]) for a in op_def.inputs}
    if op_type == "Cast":
        kwargs["DstT"] = tf.float64 if dtype == np.float32 else tf.float32
    try:
        out = apply_op(op_type, **kwargs)
    except (TypeError, ValueError) as e:
        pytest.skip(f"{op_type} does not take {tdt.name}: {e}")
    op = out.op
    if not fusable_op(op):
        pytest.skip(f"{op_type} is not fusable for {tdt.name}")
    values = _arg_values(op_type, dtype, len(op.inputs), rng)
    with jit_options(hot_after=0):
        k = elementwise_kernel(op, None)
        got = k(*values)
    assert k.fused._ready, "the generated kernel did not compile"
    with np.errstate(all="ignore"):
        want = np.asarray(reference_kernel(op, None)(*values))
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    if scalar_exprs.lookup(op_type).exact:
        np.testing.assert_array_equal(got, want)  # declared bit-exact
        return
    tol = 2e-6 if dtype == np.float32 else 1e-13
    if op_type in ("Pow", "Sin", "Cos"):
        tol *= 4
    np.testing.assert_allclose(got[ok], want[ok], rtol=tol, atol=0)


# --- FusedKernel call paths ------------------------------------------------------------------------

def _spec(dtype: str = "float32") -> GroupSpec:
    # (x * y + c) * x, with c a scalar parameter
    return GroupSpec((InputSpec(dtype), InputSpec(dtype), InputSpec(dtype, param=True)),
                     (Node("Mul", dtype, (0, 1)), Node("AddV2", dtype, (3, 2)),
                      Node("Mul", dtype, (4, 0))))


def _ref(x, y, c):
    return (x * y + c) * x


def _kernel(dtype="float32", c=0.5, threads=1):
    dt = np.dtype(dtype)
    return FusedKernel(_spec(dtype), 2, (), [dt.type(c)], (),
                       lambda x, y: _ref(np.asarray(x), np.asarray(y), dt.type(c)),
                       threads=threads)


@pytest.mark.parametrize("xs,ys", [((5, 3), (5, 3)), ((5, 3), (3,)), ((5, 1), (1, 3)),
                                   ((), ()), ((), (4,)), ((0,), (0,)), ((0, 3), (3,)),
                                   ((2, 3, 4), (3, 1)), ((7,), (1,)), ((1,), (7,))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_kernel_broadcasting(xs, ys, dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(xs).astype(dtype)
    y = rng.standard_normal(ys).astype(dtype)
    with jit_options(hot_after=0):
        k = _kernel(dtype)
        got = k(x, y)
    assert k._ready
    want = _ref(x, y, np.dtype(dtype).type(0.5))
    assert isinstance(got, np.ndarray) and got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_fused_kernel_non_contiguous_readonly_and_scalars():
    rng = np.random.default_rng(2)
    base = rng.standard_normal((6, 8)).astype(np.float32)
    with jit_options(hot_after=0):
        k = _kernel()
        x, y = base.T, base[::-1].T  # transposed, negative strides
        np.testing.assert_array_equal(k(x, y), _ref(x, y, np.float32(0.5)))
        ro = base.copy()
        ro.flags.writeable = False
        np.testing.assert_array_equal(k(ro, ro), _ref(ro, ro, np.float32(0.5)))
        bx = np.broadcast_to(base[0], (6, 8))
        np.testing.assert_array_equal(k(bx, base), _ref(bx, base, np.float32(0.5)))
        sx = np.float32(1.5)  # numpy scalars flow between kernels
        np.testing.assert_array_equal(k(sx, base), _ref(sx, base, np.float32(0.5)))


def test_fused_kernel_falls_back_for_other_dtypes_and_bad_shapes():
    calls = []

    def fallback(x, y):
        calls.append(1)
        return _ref(np.asarray(x), np.asarray(y), np.float32(0.5))

    with jit_options(hot_after=0):
        k = FusedKernel(_spec(), 2, (), [np.float32(0.5)], (), fallback, threads=1)
        x64 = np.ones(3)  # float64 where float32 was compiled: reference semantics
        out = k(x64, x64)
    assert calls and out.dtype == np.float64
    calls.clear()
    with pytest.raises(ValueError):
        k(np.ones(3, np.float32), np.ones(4, np.float32))
    assert calls, "a shape error is reported by the op-by-op fallback"


@pytest.mark.parametrize("shape", [(1000,), (37, 29), (3, 5, 67)])
def test_fused_kernel_threads(shape):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.standard_normal(shape[-1:]).astype(np.float32)
    with jit_options(hot_after=0, parallel_min_size=16):
        k = _kernel(threads=3)
        np.testing.assert_array_equal(k(x, x), _ref(x, x, np.float32(0.5)))
        np.testing.assert_array_equal(k(x, y), _ref(x, y, np.float32(0.5)))
        np.testing.assert_array_equal(k(x, np.float32(2)), _ref(x, np.float32(2),
                                                                 np.float32(0.5)))


def test_hot_policy_runs_reference_until_hot():
    calls = []

    def fallback(x, y):
        calls.append(1)
        return _ref(x, y, np.float32(0.5))

    x = np.ones(4, np.float32)
    with jit_options(hot_after=3, eager_min_size=1 << 30):
        k = FusedKernel(_spec(), 2, (), [np.float32(0.5)], (), fallback, threads=1)
        k.prepare([(4,), (4,)], (4,))
    assert not k._ready
    k(x, x)
    k(x, x)
    assert len(calls) == 2 and not k._ready
    np.testing.assert_array_equal(k(x, x), _ref(x, x, np.float32(0.5)))
    assert k._ready and len(calls) == 2


def test_variant_source_is_value_free_and_compiles():
    spec = _spec()
    src = variant_source(spec, ("flat", "FS"))
    assert "0.5" not in src and "cache=True" in src
    compile(src, "<test>", "exec")
    nd = variant_source(spec, ("nd", 3))
    assert "for j2 in range(n2)" in nd
    assert spec.key() == _spec().key()
    other = GroupSpec(spec.inputs, spec.nodes[:-1] + (Node("Sub", "float32", (4, 0)),))
    assert other.key() != spec.key()
