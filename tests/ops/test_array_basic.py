"""Differential tests vs TF: shapes, reshape, expand_dims/squeeze, fills, broadcasting."""

import numpy as np
import pytest

import minitf
from tests.ops.test_array_common import compare, same_build_error, same_grads, same_run_error

pytestmark = pytest.mark.tf

X23 = np.arange(6, dtype=np.float32).reshape(2, 3)


def ph(tf, shape, dtype=None):
    return tf.placeholder(dtype or tf.float32, shape, name="x")


# --- shape / size / rank ----------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [[2, 3], [None, 3], None, [2, 0]])
@pytest.mark.parametrize("fn", ["shape", "size", "rank"])
def test_shape_size_rank(tfv1, shape, fn):
    def f(tf):
        x = ph(tf, shape)
        return getattr(tf, fn)(x), {x: X23 if shape != [2, 0] else np.zeros((2, 0), np.float32)}

    compare(tfv1, f, graph=True)


@pytest.mark.parametrize("out_type", ["int32", "int64"])
def test_shape_out_type(tfv1, out_type):
    def f(tf):
        x, y = ph(tf, [2, 3]), ph(tf, [None, 3], tf.float64)
        return [tf.shape(x, out_type=out_type), tf.shape(y, out_type=out_type),
                tf.size(y, out_type=out_type)], {x: X23, y: X23.astype(np.float64)}

    compare(tfv1, f, graph=True)


def test_shape_n(tfv1):
    def f(tf):
        x, y = ph(tf, [2, 3]), ph(tf, [None])
        return tf.shape_n([x, y]), {x: X23, y: np.ones(4, np.float32)}

    compare(tfv1, f, graph=True)


def test_identity_and_placeholder_with_default(tfv1):
    def f(tf):
        x = ph(tf, [2, 3])
        d = tf.placeholder_with_default(tf.constant([1.0, 2.0]), [None])
        return [tf.identity(x), tf.identity(x, name="named"), d], {x: X23}

    compare(tfv1, f, graph=True)


# --- reshape -------------------------------------------------------------------------------------

@pytest.mark.parametrize("in_shape,value_shape,target", [
    ([2, 3], (2, 3), [-1]), ([2, 3], (2, 3), [3, -1]), ([None, 3], (2, 3), [-1]),
    ([None, 6], (1, 6), [-1, 2, 3]), ([None, 3], (2, 3), [3, -1]), ([2, None], (2, 3), [-1, 2]),
    ([None, None], (2, 3), [-1, 3]), (None, (2, 3), [3, 2]), ([1, 1], (1, 1), []),
    ([2, 0], (2, 0), [0, -1, 5]), ([0, 3], (0, 3), [-1, 3]), ([6], (6,), [1, 1, 6, 1]),
    ([None, 2], (3, 2), [3, -1])])
def test_reshape_static_shapes(tfv1, in_shape, value_shape, target):
    value = np.arange(int(np.prod(value_shape)), dtype=np.float32).reshape(value_shape)

    def f(tf):
        x = ph(tf, in_shape)
        return tf.reshape(x, target), {x: value}

    compare(tfv1, f, graph=target != [])  # TF leaves a dead float Const for an empty list


def test_reshape_with_shape_tensors(tfv1):
    def f(tf):
        x = ph(tf, [None, 2, 3])
        a = tf.reshape(x, [tf.shape(x)[0], -1])
        b = tf.reshape(x, tf.shape(x)[1:])
        c = tf.reshape(x, tf.stack([-1, tf.shape(x)[2]]))
        d = tf.reshape(x, tf.concat([tf.shape(x)[:1], [6]], 0))
        return [a, b, c, d], {x: np.arange(6, dtype=np.float32).reshape(1, 2, 3)}

    compare(tfv1, f)


def test_reshape_build_errors(tfv1):
    same_build_error(tfv1, lambda tf: tf.reshape(ph(tf, [2, 3]), [4]),
                     match="Cannot reshape a tensor with 6 elements to shape [4] (4 elements)")
    same_build_error(tfv1, lambda tf: tf.reshape(ph(tf, [2, 3]), [4, -1]),
                     match="Dimension size must be evenly divisible by 4 but is 6")


def test_reshape_run_errors(tfv1):
    def f(tf):
        x, s = ph(tf, None), tf.placeholder(tf.int32, [None])
        return tf.reshape(x, s), {x: X23, s: np.array([4], np.int32)}

    same_run_error(tfv1, f, match="Input to reshape is a tensor with 6 values, but the requested "
                                  "shape has 4")

    def g(tf):
        x, s = ph(tf, None), tf.placeholder(tf.int32, [None])
        return tf.reshape(x, s), {x: X23, s: np.array([4, -1], np.int32)}

    same_run_error(tfv1, g, match="requires a multiple of 4")


# --- expand_dims / squeeze -------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_expand_dims(tfv1, axis):
    def f(tf):
        x, y = ph(tf, [2, 3]), ph(tf, [None, 3])
        return [tf.expand_dims(x, axis), tf.expand_dims(y, axis=axis)], {x: X23, y: X23}

    compare(tfv1, f, graph=True)


def test_expand_dims_dim_and_errors(tfv1):
    def f(tf):
        x = ph(tf, [2, 3])
        return tf.expand_dims(x, dim=1), {x: X23}

    compare(tfv1, f, graph=True)
    same_build_error(tfv1, lambda tf: tf.expand_dims(ph(tf, [2, 3]), 3),
                     match="not in the interval [-3, 2]")
    same_build_error(tfv1, lambda tf: tf.expand_dims(ph(tf, [2, 3])), cls=ValueError)
    with pytest.raises(ValueError):
        minitf.expand_dims(minitf.constant([1]), axis=0, dim=0)


@pytest.mark.parametrize("axis", [None, [0], [2], [0, -1], 0])
def test_squeeze(tfv1, axis):
    v = np.arange(3, dtype=np.float32).reshape(1, 3, 1)

    def f(tf):
        x = ph(tf, [1, 3, 1])
        return tf.squeeze(x, axis), {x: v}

    compare(tfv1, f, graph=True)


@pytest.mark.parametrize("shape,axis", [([None, 3, 1], None), ([None, 3, 1], [0]),
                                        ([None, 3, 1], [2]), (None, [1])])
def test_squeeze_partial_shapes(tfv1, shape, axis):
    v = np.arange(3, dtype=np.float32).reshape(1, 3, 1) if axis != [1] else \
        np.zeros((2, 1, 3), np.float32)

    def f(tf):
        x = ph(tf, shape)
        return tf.squeeze(x, axis), {x: v}

    compare(tfv1, f)


def test_squeeze_errors(tfv1):
    same_build_error(tfv1, lambda tf: tf.squeeze(ph(tf, [1, 3]), [1]),
                     match="Can not squeeze dim[1], expected a dimension of 1, got 3")
    same_build_error(tfv1, lambda tf: tf.squeeze(ph(tf, [1, 3]), [2]), match="not in [-2,2)")

    def f(tf):
        x = ph(tf, [None, 3])
        return tf.squeeze(x, [0]), {x: X23}

    same_run_error(tfv1, f, match="Can not squeeze dim[0], expected a dimension of 1, got 2")
    m = minitf.squeeze(minitf.placeholder(minitf.float32, [1, 2]), squeeze_dims=[0])
    assert m.get_shape().as_list() == [2]


# --- fills -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["zeros", "ones"])
@pytest.mark.parametrize("shape", [[2, 3], (4,), [], [2000, 3000], [0, 5]])
@pytest.mark.parametrize("dtype", ["float32", "int32", "bool", "float64"])
def test_zeros_ones_static(tfv1, fn, shape, dtype):
    if shape == [2000, 3000] and dtype != "float32":
        shape = [50, 30]

    def f(tf):
        return getattr(tf, fn)(shape, dtype=getattr(tf, dtype)), {}

    compare(tfv1, f, graph=True)


@pytest.mark.parametrize("fn", ["zeros", "ones"])
def test_zeros_ones_dynamic(tfv1, fn):
    def f(tf):
        n = tf.placeholder(tf.int32, [], name="n")
        s = tf.placeholder(tf.int32, [2], name="s")
        x = ph(tf, [None, 3])
        return [getattr(tf, fn)([2, n]), getattr(tf, fn)(n), getattr(tf, fn)(s),
                getattr(tf, fn)(tf.shape(x), tf.int64)], \
            {n: 3, s: np.array([2, 2], np.int32), x: X23}

    compare(tfv1, f, graph=True)


@pytest.mark.parametrize("fn", ["zeros_like", "ones_like"])
@pytest.mark.parametrize("shape", [[2, 3], [None, 3]])
@pytest.mark.parametrize("dtype", [None, "int32", "float32"])
def test_like(tfv1, fn, shape, dtype):
    def f(tf):
        x = ph(tf, shape)
        return getattr(tf, fn)(x, dtype=None if dtype is None else getattr(tf, dtype)), {x: X23}

    compare(tfv1, f, graph=True)


def test_like_of_python_values(tfv1):
    compare(tfv1, lambda tf: ([tf.zeros_like([1, 2]), tf.ones_like([[1.0], [2.0]])], {}),
            graph=True)


def test_fill(tfv1):
    def f(tf):
        n = tf.placeholder(tf.int32, [], name="n")
        return [tf.fill([2, 3], 7), tf.fill([n, 2], 1.5)], {n: 3}

    compare(tfv1, f, graph=True)
    compare(tfv1, lambda tf: (tf.fill((), True), {}))
    same_build_error(tfv1, lambda tf: tf.fill([2], [1, 2]), match="Shape must be rank 0")


# --- broadcasting ------------------------------------------------------------------------------------

def test_broadcast_to(tfv1):
    def f(tf):
        x, y = ph(tf, [3, 1]), ph(tf, [None, 1])
        s = tf.placeholder(tf.int32, [3], name="s")
        return [tf.broadcast_to(x, [2, 3, 4]), tf.broadcast_to(y, [3, 2]),
                tf.broadcast_to(x, s)], \
            {x: X23[:1].T, y: X23[:1].T, s: np.array([2, 3, 2], np.int32)}

    compare(tfv1, f, graph=True)
    same_build_error(tfv1, lambda tf: tf.broadcast_to(ph(tf, [3, 2]), [3, 3]))
    same_build_error(tfv1, lambda tf: tf.broadcast_to(ph(tf, [1, 3, 2]), [3, 2]))


def test_broadcast_shapes(tfv1):
    def f(tf):
        a = tf.placeholder(tf.int32, [None], name="a")
        return tf.broadcast_dynamic_shape(a, [4, 1, 1]), {a: np.array([3, 1], np.int32)}

    compare(tfv1, f)
    for mod in (minitf, tfv1):
        assert mod.broadcast_static_shape(mod.TensorShape([2, 1]),
                                          mod.TensorShape([3])).as_list() == [2, 3]
        with pytest.raises(ValueError):
            mod.broadcast_static_shape(mod.TensorShape([2]), mod.TensorShape([3]))


# --- gradients ----------------------------------------------------------------------------------------

def test_basic_gradients(tfv1):
    def f(tf):
        x = tf.placeholder(tf.float64, [2, 3], name="x")
        y = tf.placeholder(tf.float64, [None, 3], name="y")
        v = tf.placeholder(tf.float64, [], name="v")
        return [tf.reshape(x, [3, 2]), tf.expand_dims(y, 1), tf.squeeze(tf.expand_dims(x, 0)),
                tf.fill([2, 2], v), tf.broadcast_to(y[:1], [4, 3]),
                tf.reshape(y, [-1])], \
            {x: X23.astype(np.float64), y: X23.astype(np.float64) + 1, v: 0.5}

    same_grads(tfv1, f)
