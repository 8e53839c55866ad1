"""Elementwise fusion: fused plans give the reference values (random shapes, broadcasts,
dtypes, trees, shared subexpressions), keep fetched intermediates, name the failing op, and
share generated kernels through the disk cache across processes, safely under concurrency."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import minitf as tf
from minitf.framework import errors
from minitf.kernels.cpu.codegen import jit_options
from minitf.kernels.registry import reference_kernels_only

pytest.importorskip("numba")
ROOT = Path(__file__).resolve().parents[2]


def _has(*names):
    return all(hasattr(tf, n) or hasattr(tf.math, n) for n in names)


def _fn(name):
    return getattr(tf, name, None) or getattr(tf.math, name)


def _run(fetches, feeds, **opts):
    with jit_options(hot_after=0, **opts):
        with tf.Session() as sess:
            out = sess.run(fetches, feeds)
            again = sess.run(fetches, feeds)
            plan = next(iter(sess._cache.values())).plan
    return out, again, plan


def _ref(fetches, feeds):
    with reference_kernels_only():
        with tf.Session() as sess:
            out = sess.run(fetches, feeds)
            plan = next(iter(sess._cache.values())).plan
    assert not any(s.type == "FusedElementwise" for s in plan.steps)
    return out


def _fused_steps(plan):
    return [s for s in plan.steps if s.type == "FusedElementwise"]


def _close(a, b, dtype):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    rtol = 4e-6 if a.dtype == np.float32 else 1e-13
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)


def test_brief_expression_is_one_kernel():
    if not _has("tanh", "exp"):
        pytest.skip("tanh/exp are not registered yet")
    x = tf.placeholder(tf.float32, [None, 8])
    y = tf.sigmoid(x * 2 + 1) * _fn("tanh")(x) - _fn("exp")(-x * x) + tf.abs(x)
    xv = np.random.default_rng(0).standard_normal((5, 8)).astype(np.float32) * 3
    out, again, plan = _run(y, {x: xv})
    fused = _fused_steps(plan)
    assert len(plan.steps) == 1 and len(fused) == 1 and len(fused[0].ops) == 11
    _close(out, _ref(y, {x: xv}), np.float32)
    np.testing.assert_array_equal(out, again)


SHAPES = [((4, 5), (4, 5)), ((4, 5), (5,)), ((4, 1), (1, 5)), ((), (3,)), ((2, 3, 4), (3, 4)),
          ((0, 5), (5,)), ((6,), ())]


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
@pytest.mark.parametrize("xs,ys", SHAPES)
def test_random_shapes_broadcasts_dtypes(xs, ys, dtype):
    rng = np.random.default_rng(hash((xs, ys)) % 1000)
    x = tf.placeholder(dtype, [None] * len(xs))
    y = tf.placeholder(dtype, ys)
    z = tf.sigmoid(x * y + 1.5) - tf.abs(y) / (x * x + 1.0) + tf.negative(y)
    feeds = {x: rng.standard_normal(xs).astype(dtype.as_numpy_dtype),
             y: rng.standard_normal(ys).astype(dtype.as_numpy_dtype)}
    out, again, plan = _run(z, feeds)
    assert len(_fused_steps(plan)) == 1
    _close(out, _ref(z, feeds), dtype)


def test_tree_with_shared_subexpression_is_computed_once():
    x = tf.placeholder(tf.float32, [None])
    sq = x * x
    z = (sq + 1.0) * (sq - 2.0) + tf.abs(sq)
    xv = np.linspace(-3, 3, 50).astype(np.float32)
    out, _, plan = _run(z, {x: xv})
    fused = _fused_steps(plan)
    assert len(fused) == 1 and [op.type for op in fused[0].ops].count("Mul") == 2
    _close(out, _ref(z, {x: xv}), np.float32)


def test_fetched_intermediate_is_not_fused_away():
    x = tf.placeholder(tf.float32, [None])
    a = x * 3.0 + 1.0
    b = tf.abs(a) - 2.0
    c = b * b + a
    xv = np.linspace(-2, 2, 9).astype(np.float32)
    out, _, plan = _run([a, c], {x: xv})
    ref = _ref([a, c], {x: xv})
    _close(out[0], ref[0], np.float32)
    _close(out[1], ref[1], np.float32)
    produced = {s for step in plan.steps for s in step.outputs}
    assert set(plan.fetch_slots) <= produced
    names = [[op.name for op in s.ops] for s in _fused_steps(plan)]
    assert any(a.op.name in group and group[-1] == a.op.name for group in names)


def test_value_with_outside_consumer_stays_a_group_output():
    x = tf.placeholder(tf.float32, [None])
    a = x * 2.0 + 1.0
    m = tf.reduce_sum(a)  # not elementwise: a must exist
    c = a * a + m
    xv = np.arange(5, dtype=np.float32)
    out, _, _ = _run(c, {x: xv})
    _close(out, _ref(c, {x: xv}), np.float32)


def test_mixed_float_casts_fuse():
    x = tf.placeholder(tf.float32, [None])
    y = tf.cast(tf.cast(x, tf.float64) * 1e-3 + 1.0, tf.float32) * x
    xv = np.linspace(-5, 5, 33).astype(np.float32)
    out, _, plan = _run(y, {x: xv})
    assert len(_fused_steps(plan)) == 1
    _close(out, _ref(y, {x: xv}), np.float32)


def test_constants_become_parameters_and_bound_arrays():
    x = tf.placeholder(tf.float32, [3])
    w = tf.constant([1.0, 2.0, 3.0])
    y = (x + w) * tf.constant([[2.0]]) - 0.25
    xv = np.array([1, 2, 3], np.float32)
    out, _, plan = _run(y, {x: xv})
    assert out.shape == (1, 3)
    _close(out, _ref(y, {x: xv}), np.float32)
    assert [s.type for s in plan.steps] == ["FusedElementwise"]


def test_int_ops_are_not_fused():
    x = tf.placeholder(tf.int32, [None])
    y = x * 2 + 1
    out, _, plan = _run(y, {x: np.arange(4, dtype=np.int32)})
    assert not _fused_steps(plan)
    np.testing.assert_array_equal(out, np.arange(4) * 2 + 1)


def test_runtime_error_names_an_op_of_the_group():
    x = tf.placeholder(tf.float32, [None])
    y = tf.placeholder(tf.float32, [None])
    a = x * 2.0
    b = tf.add(a, y, name="the_add")
    c = tf.abs(b) + 1.0
    with jit_options(hot_after=0):
        with tf.Session() as sess:
            with pytest.raises(errors.InvalidArgumentError) as info:
                sess.run(c, {x: np.ones(3, np.float32), y: np.ones(4, np.float32)})
    assert info.value.op is not None and info.value.op.name == "the_add"


def test_reference_kernels_only_disables_fusion():
    x = tf.placeholder(tf.float32, [None])
    y = tf.abs(x * 2.0) + 1.0
    with reference_kernels_only():
        with tf.Session() as sess:
            sess.run(y, {x: np.ones(2, np.float32)})
            plan = next(iter(sess._cache.values())).plan
    assert not _fused_steps(plan)


def test_large_parallel_path_matches():
    x = tf.placeholder(tf.float32, [None, 64])
    b = tf.placeholder(tf.float32, [64])
    y = tf.sigmoid(x + b) * x - tf.abs(b)
    rng = np.random.default_rng(5)
    feeds = {x: rng.standard_normal((300, 64)).astype(np.float32),
             b: rng.standard_normal(64).astype(np.float32)}
    out, _, _ = _run(y, feeds, parallel_min_size=1024)
    _close(out, _ref(y, feeds), np.float32)


def test_default_policy_compiles_when_hot():
    x = tf.placeholder(tf.float32, [None])
    y = tf.abs(x - 1.0) * 3.0
    xv = np.arange(4, dtype=np.float32)
    with tf.Session() as sess:
        first = sess.run(y, {x: xv})
        kernel = _fused_steps(next(iter(sess._cache.values())).plan)[0].kernel.fused
        ready_after_one = kernel._ready
        second = sess.run(y, {x: xv})
    assert not ready_after_one and kernel._ready
    np.testing.assert_array_equal(first, second)


# --- the disk cache across processes ---------------------------------------------------------------

SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    import minitf as tf
    from minitf.kernels.cpu.codegen import compile_stats, jit_options
    x = tf.placeholder(tf.float32, [None])
    y = tf.abs(x * 1.5 - 0.25) * x + {extra}
    with jit_options(hot_after=0), tf.Session() as sess:
        out = sess.run(y, {{x: np.arange(6, dtype=np.float32)}})
    want = np.abs(np.arange(6, dtype=np.float32) * 1.5 - 0.25) * np.arange(6) + {extra}
    assert np.allclose(out, want), (out, want)
    s = compile_stats()
    print("STATS", s["compiled"], s["loaded"])
""")


def _spawn(cache_dir, extra="2.0"):
    env = dict(os.environ, MINITF_CACHE_DIR=str(cache_dir), PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", SCRIPT.format(extra=extra)], env=env,
                            cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _stats(proc):
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    line = [ln for ln in out.splitlines() if ln.startswith("STATS")][-1]
    compiled, loaded = map(int, line.split()[1:])
    return compiled, loaded


@pytest.mark.slow
def test_disk_cache_is_reused_by_a_new_process(tmp_path):
    assert _stats(_spawn(tmp_path)) == (1, 0)
    assert _stats(_spawn(tmp_path, extra="7.0")) == (0, 1), "a value change is the same kernel"
    sources = list((tmp_path / "fused").glob("k_*.py"))
    assert len(sources) == 1 and "7.0" not in sources[0].read_text()


@pytest.mark.slow
def test_concurrent_processes_share_a_cold_cache(tmp_path):
    procs = [_spawn(tmp_path) for _ in range(3)]
    results = [_stats(p) for p in procs]
    assert all(c + ld == 1 for c, ld in results)
    assert not list((tmp_path / "fused").glob(".tmp-*"))
    assert _stats(_spawn(tmp_path)) == (0, 1)


def test_tampered_cache_file_is_replaced_not_run(tmp_path, monkeypatch):
    from minitf.kernels.cpu import jit_cache

    monkeypatch.setattr(jit_cache, "_dir", tmp_path)
    monkeypatch.setattr(jit_cache, "_modules", {})
    src = "VALUE = 1\n"
    (tmp_path / "k_abc.py").write_text("raise SystemExit('tampered')\n")
    mod = jit_cache.load_source("abc", src)
    assert mod.VALUE == 1 and (tmp_path / "k_abc.py").read_text() == src


def test_atomic_writes_under_threads(tmp_path):
    import threading

    from minitf.kernels.cpu import jit_cache

    path = tmp_path / "k_x.py"
    texts = [f"# {i}\n" + "x = 1\n" * 5000 for i in range(8)]
    seen = []

    def writer(t):
        for _ in range(20):
            jit_cache._write_atomic(path, t)
            seen.append(path.read_text())

    threads = [threading.Thread(target=writer, args=(t,)) for t in texts]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(s in texts for s in seen)
    assert not list(tmp_path.glob(".tmp-*"))


# --- random expression DAGs (hypothesis) -----------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

_BINARY = [tf.add, tf.subtract, tf.multiply, tf.maximum, tf.minimum]
_UNARY = [tf.abs, tf.negative, tf.sigmoid, tf.square, lambda t: t * 0.5 + 1.0]
_SHAPES = [(), (4,), (3, 4), (3, 1), (1, 4), (2, 3, 4)]


@hypothesis.settings(max_examples=12, deadline=None, derandomize=True)
@hypothesis.given(st.data())
def test_random_dags_match_reference(data):
    tf.reset_default_graph()
    dtype = data.draw(st.sampled_from([tf.float32, tf.float64]))
    n_in = data.draw(st.integers(1, 3))
    shapes = [data.draw(st.sampled_from(_SHAPES)) for _ in range(n_in)]
    xs = [tf.placeholder(dtype, [None] * len(s)) for s in shapes]
    values = list(xs)
    for _ in range(data.draw(st.integers(2, 8))):
        if data.draw(st.booleans()):
            a, b = data.draw(st.sampled_from(values)), data.draw(st.sampled_from(values))
            values.append(data.draw(st.sampled_from(_BINARY))(a, b))
        else:
            values.append(data.draw(st.sampled_from(_UNARY))(data.draw(st.sampled_from(values))))
    out = values[-1]
    rng = np.random.default_rng(len(values))
    feeds = {x: (rng.standard_normal(s) * 2).astype(dtype.as_numpy_dtype)
             for x, s in zip(xs, shapes)}
    got, _, _ = _run(out, feeds)
    _close(got, _ref(out, feeds), dtype)
