"""Helpers of the tf.data tests: drain an iterator, compare elements of minitf and TF."""

from __future__ import annotations

from typing import Any

import numpy as np

import minitf as tf


def drain(mod: Any, sess: Any, nxt: Any, limit: int = 10_000) -> list[Any]:
    """Every element until OutOfRangeError (the classic TF1 loop)."""
    out = []
    while len(out) < limit:
        try:
            out.append(sess.run(nxt))
        except mod.errors.OutOfRangeError:
            return out
    raise AssertionError("iterator did not end")


def elements(mod: Any, build: Any, feeds: Any = None) -> list[Any]:
    """All elements of the dataset ``build(mod)`` through an initializable iterator."""
    ds = build(mod)
    it = ds.make_initializable_iterator()
    nxt = it.get_next()
    with mod.Session() as sess:
        sess.run(it.initializer, feeds(mod) if feeds else None)
        return drain(mod, sess, nxt)


def assert_same_elements(a: list[Any], b: list[Any]) -> None:
    assert len(a) == len(b), f"{len(a)} elements against TF's {len(b)}"
    for i, (x, y) in enumerate(zip(a, b)):
        assert_same_value(x, y, f"element {i}")


def assert_same_value(x: Any, y: Any, where: str) -> None:
    if isinstance(y, dict):
        assert isinstance(x, dict) and sorted(x) == sorted(y), where
        for k in y:
            assert_same_value(x[k], y[k], f"{where}[{k!r}]")
        return
    if isinstance(y, tuple):
        assert isinstance(x, tuple) and len(x) == len(y), where
        for k, (u, v) in enumerate(zip(x, y)):
            assert_same_value(u, v, f"{where}[{k}]")
        return
    xa, ya = np.asarray(x), np.asarray(y)
    assert xa.dtype == ya.dtype, f"{where}: dtype {xa.dtype} against TF's {ya.dtype}"
    assert xa.shape == ya.shape, f"{where}: shape {xa.shape} against TF's {ya.shape}"
    if xa.dtype.kind == "f":
        np.testing.assert_allclose(xa, ya, rtol=1e-6, atol=1e-6, err_msg=where)
    else:
        np.testing.assert_array_equal(xa, ya, err_msg=where)


def structure_of(mod: Any, ds: Any) -> tuple[str, str, str]:
    """output_types / output_shapes / output_classes as comparable strings."""
    def show(x: Any, leaf: Any) -> str:
        if isinstance(x, dict):
            return "{" + ", ".join(f"{k!r}: {show(x[k], leaf)}" for k in sorted(x)) + "}"
        if isinstance(x, tuple):
            return "(" + ", ".join(show(v, leaf) for v in x) + ")"
        return leaf(x)

    return (show(ds.output_types, lambda t: t.name),
            show(ds.output_shapes, lambda s: str(s.as_list() if s.ndims is not None else None)),
            show(ds.output_classes, lambda c: "Tensor" if c.__name__ in ("Tensor",) else
                 c.__name__))


__all__ = ["drain", "elements", "assert_same_elements", "assert_same_value", "structure_of", "tf"]
