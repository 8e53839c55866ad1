"""Helpers for the array-op differential tests: build the same graph with minitf and with
TensorFlow (``tensorflow.compat.v1`` in graph mode) and compare values, dtypes, static shapes,
op names/types and error classes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minitf

# ``fn(tf)`` builds a graph with the given module and returns ``(outputs, feeds)``; outputs is a
# tensor or a (nested) list of tensors, feeds maps placeholders to values.
Builder = Any


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [y for v in x for y in _flatten(v)]
    return [x]


def static_shape(t: Any) -> list[int | None] | None:
    s = t.get_shape()
    return None if s.ndims is None else [None if d is None else int(d) for d in s.as_list()]


def build(mod: Any, fn: Builder) -> dict[str, Any]:
    """Builds ``fn`` in a fresh graph of ``mod`` and runs it; returns what to compare."""
    g = mod.Graph()
    with g.as_default():
        out, feeds = fn(mod)
        outs = _flatten(out)
        info = {
            "names": [t.name for t in outs],
            "types": [t.op.type for t in outs],
            "dtypes": [t.dtype.name for t in outs],
            "shapes": [static_shape(t) for t in outs],
            "ops": [(op.name, op.type) for op in g.get_operations()],
        }
        with mod.Session(graph=g) as sess:
            info["values"] = sess.run(outs, feeds or {})
    return info


def compare(tfv1: Any, fn: Builder, graph: bool = False, names: bool = True,
            rtol: float = 1e-6, atol: float = 1e-6) -> dict[str, Any]:
    """Asserts minitf and TF agree on ``fn``'s outputs (values, dtypes, static shapes, output
    op names/types; the whole op list when ``graph``). Returns minitf's info."""
    mine = build(minitf, fn)
    theirs = build(tfv1, fn)
    assert mine["dtypes"] == theirs["dtypes"]
    assert mine["shapes"] == theirs["shapes"], (mine["shapes"], theirs["shapes"])
    if names:
        assert mine["names"] == theirs["names"]
        assert mine["types"] == theirs["types"]
    if graph:
        assert mine["ops"] == theirs["ops"]
    for a, b in zip(mine["values"], theirs["values"]):
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype, (a.dtype, b.dtype)
        assert a.shape == b.shape, (a.shape, b.shape)
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(a, b)
    return mine


def build_error(mod: Any, fn: Builder) -> BaseException | None:
    g = mod.Graph()
    with g.as_default():
        try:
            fn(mod)
        except Exception as e:  # noqa: BLE001 - compared by class below
            return e
    return None


def same_build_error(tfv1: Any, fn: Builder, cls: type = ValueError,
                     match: str | None = None) -> None:
    """Both libraries reject ``fn`` while building the graph, with ``cls``; minitf's message
    contains ``match`` (and so does TF's)."""
    mine, theirs = build_error(minitf, fn), build_error(tfv1, fn)
    assert isinstance(theirs, cls), f"TF raised {theirs!r}"
    assert isinstance(mine, cls), f"minitf raised {mine!r}, TF {theirs!r}"
    if match is not None:
        assert match in str(theirs), str(theirs)
        assert match in str(mine), str(mine)


def run_error(mod: Any, fn: Builder) -> BaseException | None:
    g = mod.Graph()
    with g.as_default():
        out, feeds = fn(mod)
        with mod.Session(graph=g) as sess:
            try:
                sess.run(out, feeds or {})
            except Exception as e:  # noqa: BLE001 - compared by class below
                return e
    return None


def same_run_error(tfv1: Any, fn: Builder, match: str | None = None) -> None:
    """Both libraries build ``fn`` but fail running it with InvalidArgumentError; minitf's
    message contains ``match`` (and so does TF's)."""
    mine, theirs = run_error(minitf, fn), run_error(tfv1, fn)
    assert isinstance(theirs, tfv1.errors.InvalidArgumentError), f"TF raised {theirs!r}"
    assert isinstance(mine, minitf.errors.InvalidArgumentError), \
        f"minitf raised {mine!r}, TF {theirs!r}"
    if match is not None:
        assert match in str(theirs), str(theirs)
        assert match in str(mine), str(mine)


def grads(mod: Any, fn: Builder, weights_seed: int = 0) -> list[Any]:
    """Gradients of ``sum(out * w)`` (w fixed random weights) w.r.t. every float placeholder
    fed by ``fn``; IndexedSlices come back as IndexedSlicesValue."""
    g = mod.Graph()
    with g.as_default():
        out, feeds = fn(mod)
        xs = [t for t in feeds if t.dtype.base_dtype.is_floating]
        rng = np.random.default_rng(weights_seed)
        total = None
        for o in _flatten(out):
            if o.get_shape().is_fully_defined():
                w = rng.uniform(0.5, 1.5, size=o.get_shape().as_list())
                term = mod.reduce_sum(o * w.astype(o.dtype.as_numpy_dtype))
            else:
                term = mod.reduce_sum(o * o)
            total = term if total is None else total + term
        gs = mod.gradients(total, xs)
        fetch = [gr for gr in gs if gr is not None]
        with mod.Session(graph=g) as sess:
            vals = sess.run(fetch, feeds)
        it = iter(vals)
        return [None if gr is None else (_kind(gr), next(it)) for gr in gs]


def _kind(g: Any) -> str:
    return "IndexedSlices" if type(g).__name__ == "IndexedSlices" else "Tensor"


def same_grads(tfv1: Any, fn: Builder, rtol: float = 1e-6, atol: float = 1e-8) -> list[Any]:
    """minitf and TF give the same gradients (and the same kind: Tensor or IndexedSlices)."""
    mine, theirs = grads(minitf, fn), grads(tfv1, fn)
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        assert (a is None) == (b is None), (a, b)
        if a is None:
            continue
        assert a[0] == b[0], (a[0], b[0])
        va, vb = a[1], b[1]
        if a[0] == "IndexedSlices":
            np.testing.assert_allclose(va.values, vb.values, rtol=rtol, atol=atol)
            np.testing.assert_array_equal(va.indices, vb.indices)
            np.testing.assert_array_equal(va.dense_shape, vb.dense_shape)
        else:
            np.testing.assert_allclose(va, vb, rtol=rtol, atol=atol)
    return mine


def test_helpers_compare_a_trivial_graph(tfv1):
    compare(tfv1, lambda tf: (tf.identity(tf.constant([1.0, 2.0])), {}), graph=True)


pytestmark = pytest.mark.tf
