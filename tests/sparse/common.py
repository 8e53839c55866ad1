"""Running one builder in minitf and in TF and comparing what comes out, SparseTensors
included (flattened to indices, values, dense_shape)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import minitf

Builder = Callable[[Any], Any]


def _flat(mod: Any, out: Any) -> list[Any]:
    if isinstance(out, (list, tuple)):
        return [t for o in out for t in _flat(mod, o)]
    if isinstance(out, mod.SparseTensor):
        return [out.indices, out.values, out.dense_shape]
    return [out]


def _leaves(out: Any) -> list[Any]:
    if isinstance(out, (list, tuple)):
        return [t for o in out for t in _leaves(o)]
    return [out]


def _static(mod: Any, out: Any) -> list[Any]:
    if isinstance(out, (list, tuple)):
        return [s for o in out for s in _static(mod, o)]
    shape = out.get_shape()
    return [None if shape.ndims is None else tuple(shape.as_list())]


def run(mod: Any, fn: Builder) -> dict[str, Any]:
    g = mod.Graph()
    with g.as_default():
        built = fn(mod)
        out, feeds = built if isinstance(built, tuple) and len(built) == 2 and isinstance(
            built[1], dict) else (built, {})
        flat = _flat(mod, out)
        with mod.Session() as sess:
            values = sess.run(flat, feeds)
    shape_parts = {id(o.dense_shape) for o in _leaves(out) if isinstance(o, mod.SparseTensor)}
    return {"values": values, "static": _static(mod, out),
            "names": [t.name for t in flat if id(t) not in shape_parts],
            "dtypes": [t.dtype.name for t in flat],
            "shapes": [None if t.get_shape().ndims is None else tuple(t.get_shape().as_list())
                       for t in flat]}


def compare(tfv1: Any, fn: Builder, names: bool = True, rtol: float = 1e-6,
            atol: float = 1e-6) -> dict[str, Any]:
    """minitf and TF agree on values, dtypes, static shapes (of SparseTensors too) and, when
    ``names``, output tensor names."""
    mine, theirs = run(minitf, fn), run(tfv1, fn)
    assert mine["dtypes"] == theirs["dtypes"]
    assert mine["static"] == theirs["static"], (mine["static"], theirs["static"])
    assert mine["shapes"] == theirs["shapes"], (mine["shapes"], theirs["shapes"])
    if names:  # the dense_shape of a result may be another (constant) tensor in TF
        assert mine["names"] == theirs["names"]
    for a, b in zip(mine["values"], theirs["values"]):
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, (a, b)
        if a.dtype.kind in "fc":
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(a, b)
    return mine


def run_error(mod: Any, fn: Builder) -> BaseException | None:
    g = mod.Graph()
    with g.as_default():
        try:
            out = fn(mod)
            with mod.Session() as sess:
                sess.run(_flat(mod, out))
        except Exception as e:  # noqa: BLE001 - compared by class by the caller
            return e
    return None
