"""DType and TensorShape: names, conversions, printing and algebra, checked against TF."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from minitf.framework import dtypes
from minitf.framework.tensor_shape import broadcast_static_shapes

ALL = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
       "string", "complex64", "complex128", "uint16", "uint32", "uint64"]


@pytest.mark.parametrize("name", ALL)
def test_dtype_names_enums_and_numpy(name):
    d = tf.as_dtype(name)
    assert d.name == name and getattr(tf, name) is d
    assert str(d) == f"<dtype: '{name}'>" and repr(d) == f"tf.{name}"
    assert d._as_ref.name == name + "_ref" and d._as_ref.base_dtype is d
    assert tf.as_dtype(d.as_datatype_enum) is d


@pytest.mark.tf
@pytest.mark.parametrize("name", ALL)
def test_dtype_matches_tf(tfv1, name):
    ours, theirs = tf.as_dtype(name), tfv1.as_dtype(name)
    assert ours.as_datatype_enum == theirs.as_datatype_enum
    for attr in ("is_floating", "is_integer", "is_complex", "is_bool", "is_unsigned", "size"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    if ours.is_floating or ours.is_integer:
        assert ours.min == theirs.min and ours.max == theirs.max


def test_as_dtype_conversions():
    assert tf.as_dtype(np.float32) is tf.float32
    assert tf.as_dtype(np.dtype("int64")) is tf.int64
    assert tf.as_dtype(float) is tf.float32
    assert tf.as_dtype(bool) is tf.bool
    assert tf.as_dtype("half") is tf.float16 and tf.as_dtype("double") is tf.float64
    assert tf.as_dtype("float") is tf.float32  # tf.placeholder("float", ...) in TF1 tutorials
    assert tf.placeholder("float", [None, 2]).dtype is tf.float32
    assert tf.float32 == "float32" and tf.float32 != tf.float64 and tf.float32 != None  # noqa: E711
    with pytest.raises(TypeError):
        tf.as_dtype("float33")
    with pytest.raises(TypeError):
        tf.as_dtype(int)


def test_shape_printing_tf1_style():
    assert str(tf.TensorShape([None, 3])) == "(?, 3)"
    assert str(tf.TensorShape([2])) == "(2,)"
    assert str(tf.TensorShape([])) == "()"
    assert str(tf.TensorShape(None)) == "<unknown>"
    assert repr(tf.TensorShape([2, None])) == "TensorShape([Dimension(2), Dimension(None)])"
    assert str(tf.Dimension(None)) == "?" and repr(tf.Dimension(3)) == "Dimension(3)"


@pytest.mark.tf
def test_shape_printing_matches_tf(tfv1):
    for dims in ([None, 3], [2], [], None, [None], [1, 2, None]):
        assert str(tf.TensorShape(dims)) == str(tfv1.TensorShape(dims))
        assert repr(tf.TensorShape(dims)) == repr(tfv1.TensorShape(dims))


def test_shape_algebra():
    s = tf.TensorShape([1, None])
    assert s.merge_with([None, 2]).as_list() == [1, 2]
    assert tf.TensorShape([1, 2]).is_compatible_with([1, None])
    assert not tf.TensorShape([1, 2]).is_compatible_with([1, 2, 3])
    with pytest.raises(ValueError, match="not compatible"):
        tf.TensorShape([1, 2]).merge_with([3, 2])
    assert tf.TensorShape([2, 3]).num_elements() == 6
    assert tf.TensorShape([None, 3]).num_elements() is None
    assert tf.TensorShape(None).ndims is None
    assert tf.TensorShape([1, 2, 3])[1:] == tf.TensorShape([2, 3])
    assert tf.TensorShape([3])[0].value == 3
    assert (tf.Dimension(3) + 1).value == 4 and (tf.Dimension(None) * 2).value is None
    assert tf.TensorShape([1]).concatenate([2, None]).as_list() == [1, 2, None]
    with pytest.raises(ValueError):
        tf.TensorShape(None).as_list()
    with pytest.raises(ValueError):
        tf.Dimension(-1)


dims_st = st.lists(st.sampled_from([1, 2, 3, None]), max_size=4)


@given(dims_st, dims_st)
def test_broadcast_static_shapes_agrees_with_numpy(a, b):
    """Where both shapes are known, static broadcasting matches numpy's rule."""
    sa, sb = tf.TensorShape(a), tf.TensorShape(b)
    fa = [1 if d is None else d for d in a]
    fb = [1 if d is None else d for d in b]
    try:
        expected = np.broadcast_shapes(tuple(fa), tuple(fb))
    except ValueError:
        expected = None
    try:
        got = broadcast_static_shapes(sa, sb)
    except ValueError:
        got = None
    if None not in a and None not in b:
        assert (got is None) == (expected is None)
        if got is not None:
            assert tuple(got.as_list()) == expected
    elif got is not None:
        # unknown dims may be anything compatible: every known dim must agree with numpy's
        # result for the 1-filled shapes or be the other side's size
        assert got.ndims == max(len(a), len(b))


def test_dtype_size_and_limits():
    assert dtypes.int8.min == -128 and dtypes.uint8.max == 255
    assert dtypes.float16.size == 2 and dtypes.float64.size == 8
    assert dtypes.bool.min is False and dtypes.bool.max is True
