"""Differential tests vs TF: gather, gather_nd, scatter_nd, unique, where/select,
boolean_mask, dynamic_stitch/partition, and their gradients (IndexedSlices included)."""

import numpy as np
import pytest

import minitf
from tests.ops.test_array_common import compare, same_build_error, same_grads, same_run_error

pytestmark = pytest.mark.tf

R = np.random.default_rng(11)
P = R.standard_normal((5, 3, 4)).astype(np.float32)


def ph(tf, shape, dtype=None, name="x"):
    return tf.placeholder(dtype or tf.float32, shape, name=name)


# --- gather ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [[5, 3, 4], [None, 3, None], None])
@pytest.mark.parametrize("indices,axis", [([1, 4, 1], None), ([[0, 2], [4, 3]], 0), (2, 0),
                                          ([2, 0], 1), ([[3], [0]], 2), ([1], -1), ([0, 1], -2),
                                          (np.array([1, 0], np.int64), 1)])
def test_gather(tfv1, shape, indices, axis):
    def f(tf):
        x = ph(tf, shape)
        return tf.gather(x, indices, axis=axis), {x: P}

    compare(tfv1, f, graph=True)


def test_gather_dynamic_axis_indices_and_batch_dims(tfv1):
    def f(tf):
        x = ph(tf, [5, 3, 4])
        a = tf.placeholder(tf.int32, [], name="a")
        i = tf.placeholder(tf.int64, [None], name="i")
        b = tf.placeholder(tf.int32, [5, 2], name="b")
        return [tf.gather(x, i, axis=a), tf.gather(x, i), tf.gather(x, b, axis=1, batch_dims=1),
                tf.gather(x, b, batch_dims=1)], \
            {x: P, a: 2, i: np.array([1, 0, 3], np.int64),
             b: np.array([[0, 2], [1, 1], [2, 0], [0, 0], [1, 2]], np.int32)}

    compare(tfv1, f, graph=True)


def test_gather_errors(tfv1):
    def f(tf):
        x, i = ph(tf, [5, 3]), tf.placeholder(tf.int32, [None], name="i")
        return tf.gather(x, i), {x: P[:, :, 0], i: np.array([0, 7], np.int32)}

    same_run_error(tfv1, f, match="indices[1] = 7 is not in [0, 5)")

    def g(tf):
        x, i = ph(tf, [5, 3]), tf.placeholder(tf.int32, [None, 2], name="i")
        return tf.gather(x, i, axis=1), {x: P[:, :, 0], i: np.array([[0, 1], [-1, 2]], np.int32)}

    same_run_error(tfv1, g, match="indices[1,0] = -1 is not in [0, 3)")
    same_build_error(tfv1, lambda tf: tf.gather(ph(tf, [5, 3]), [0], axis=2),
                     match="Shape must be at least rank 3 but is rank 2")


# --- gather_nd / scatter_nd ------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [[5, 3, 4], [None, 3, None], None])
@pytest.mark.parametrize("indices", [[[0, 1], [4, 2]], [[1], [3]], [[[0, 1, 2]], [[4, 2, 3]]],
                                     [0, 1]])
def test_gather_nd(tfv1, shape, indices):
    def f(tf):
        x = ph(tf, shape)
        return tf.gather_nd(x, indices), {x: P}

    compare(tfv1, f, graph=True)


def test_gather_nd_errors(tfv1):
    same_build_error(tfv1, lambda tf: tf.gather_nd(ph(tf, [5, 3]), [[0, 1, 2]]),
                     match="indices.shape[-1] must be <= params.rank")

    def f(tf):
        x, i = ph(tf, [5, 3]), tf.placeholder(tf.int32, [None, 2], name="i")
        return tf.gather_nd(x, i), {x: P[:, :, 0], i: np.array([[0, 1], [0, 5]], np.int32)}

    same_run_error(tfv1, f, match="indices[1] = [0, 5] does not index into param shape [5,3]")


def test_scatter_nd(tfv1):
    def f(tf):
        u = ph(tf, [3, 4])
        v = ph(tf, [None], name="v")
        s = tf.placeholder(tf.int32, [2], name="s")
        return [tf.scatter_nd([[1], [0], [1]], u, [3, 4]),
                tf.scatter_nd([[0, 1], [2, 3]], v, [3, 4]),
                tf.scatter_nd(tf.constant([[2], [0]], tf.int64), u[:2], tf.constant([4, 4],
                                                                                   tf.int64)),
                tf.scatter_nd([[1]], u[:1], s)], \
            {u: P[:3, 0, :].copy(), v: np.array([1.5, -2.0], np.float32),
             s: np.array([2, 4], np.int32)}

    compare(tfv1, f, graph=True)
    same_build_error(tfv1, lambda tf: tf.scatter_nd([[0]], ph(tf, [2, 4]), [3, 4]))

    def g(tf):
        u = ph(tf, [1, 4])
        return tf.scatter_nd(tf.placeholder_with_default([[3]], [None, 1]), u, [3, 4]), \
            {u: np.ones((1, 4), np.float32)}

    same_run_error(tfv1, g, match="indices[0] = [3] does not index into shape [3,4]")


# --- unique, where, select, boolean_mask ------------------------------------------------------------

def test_unique(tfv1):
    def f(tf):
        x = ph(tf, [None], tf.int32)
        y = ph(tf, [6], name="y")
        a, b = tf.unique(x)
        c, d = tf.unique(y, out_idx=tf.int64)
        return [a, b, c, d], {x: np.array([4, 1, 4, 0, 1], np.int32),
                              y: np.array([2.0, 2.0, -1.0, 3.0, -1.0, 5.0], np.float32)}

    compare(tfv1, f, graph=True)

    def g(tf):
        x = ph(tf, None)
        return tf.unique(x)[0], {x: P[0]}

    same_run_error(tfv1, g)


@pytest.mark.parametrize("cond_shape", [[3], [3, 2], [], [None], None])
def test_where_select(tfv1, cond_shape):
    c = {3: np.array([True, False, True]), 6: np.array([[1, 0], [0, 0], [1, 1]], bool)}
    cv = c[6] if cond_shape == [3, 2] else (np.array(True) if cond_shape == [] else c[3])

    def f(tf):
        cond = tf.placeholder(tf.bool, cond_shape, name="c")
        x, y = ph(tf, [3, 2]), ph(tf, [None, 2], name="y")
        return [tf.where(cond, x, y), tf.where(cond, y, x)], \
            {cond: cv, x: P[:3, :2, 0], y: P[:3, :2, 1]}

    compare(tfv1, f, graph=True)


def test_select_is_the_tf1_alias_of_where():
    assert minitf.select is minitf.where


def test_where_coordinates(tfv1):
    def f(tf):
        c = tf.placeholder(tf.bool, [2, 3], name="c")
        x = ph(tf, [None])
        return [tf.where(c), tf.where(x), tf.where([True, False, True])], \
            {c: np.array([[1, 0, 1], [0, 1, 0]], bool), x: np.array([0.0, 2.0, 0.0], np.float32)}

    compare(tfv1, f, graph=True)


def test_where_errors(tfv1):
    with pytest.raises(ValueError, match="x and y must both be non-None"):
        minitf.where([True], [1])
    same_build_error(tfv1, lambda tf: tf.where([True, False], [[1, 2]] * 3, [[1, 2]] * 3),
                     match="Dimension 0 in both shapes must be equal, but are 2 and 3")

    def f(tf):
        c = tf.placeholder(tf.bool, None, name="c")
        x = ph(tf, None)
        return tf.where(c, x, x), {c: np.array([True, False]), x: P[:3, 0, 0]}

    same_run_error(tfv1, f)


@pytest.mark.parametrize("mask_shape,axis", [([5], None), ([5, 3], None), ([3], 1),
                                             ([None], None), ([3, 4], 1)])
def test_boolean_mask(tfv1, mask_shape, axis):
    m = R.uniform(size=[d or 5 for d in mask_shape]) > 0.4

    def f(tf):
        x = ph(tf, [5, 3, 4])
        mask = tf.placeholder(tf.bool, mask_shape, name="m")
        return tf.boolean_mask(x, mask, axis=axis), {x: P, mask: m}

    compare(tfv1, f)
    same_build_error(tfv1, lambda tf: tf.boolean_mask(ph(tf, [5, 3]), True),
                     match="mask cannot be scalar.")
    same_build_error(tfv1, lambda tf: tf.boolean_mask(ph(tf, [5, 3]), [True, False]))


# --- dynamic_stitch / dynamic_partition -----------------------------------------------------------

def test_dynamic_stitch_and_partition(tfv1):
    def f(tf):
        d = ph(tf, [5, 3])
        p = tf.placeholder(tf.int32, [5], name="p")
        parts = tf.dynamic_partition(d, p, 3)
        return parts + [tf.dynamic_stitch([[0, 2], [1]], [d[:2], d[2:3]])], \
            {d: P[:, :, 0], p: np.array([2, 0, 2, 1, 0], np.int32)}

    compare(tfv1, f, names=False)


# --- gradients ------------------------------------------------------------------------------------

def test_gather_gradient_is_indexed_slices(tfv1):
    def f(tf):
        x = tf.placeholder(tf.float64, [5, 3], name="x")
        return tf.gather(x, [[4, 0], [4, 2]]), {x: P[:, :, 0].astype(np.float64)}

    kinds = same_grads(tfv1, f)
    assert kinds[0][0] == "IndexedSlices"


def test_gather_gradients(tfv1):
    v = P.astype(np.float64)

    def f(tf):
        x = tf.placeholder(tf.float64, [5, 3, 4], name="x")
        y = tf.placeholder(tf.float64, [None, 3, None], name="y")
        a = tf.placeholder(tf.int32, [], name="a")
        return [tf.gather(x, [2, 0, 2], axis=1), tf.gather(y, [[3], [1]], axis=-1),
                tf.gather(x, [1, 1], axis=a), tf.gather(y, [4, 4, 0]) * 2.0,
                tf.gather_nd(x, [[0, 1], [4, 2], [0, 1]]), tf.gather_nd(y, [[1, 2, 3]]),
                tf.gather_nd(x, [[3], [3]]), tf.scatter_nd([[1], [0], [1]], x[:3], [2, 3, 4]),
                tf.where([True, False, True, True, False], x, y),
                tf.boolean_mask(x, [True, False, True, True, False])], \
            {x: v, y: v * 2, a: 2}

    same_grads(tfv1, f)


def test_stitch_partition_gradients(tfv1):
    def f(tf):
        d = tf.placeholder(tf.float64, [5, 3], name="d")
        p = tf.placeholder(tf.int32, [5], name="p")
        parts = tf.dynamic_partition(d, p, 2)
        return [parts[0] * 3.0, parts[1], tf.dynamic_stitch([[1, 0], [2]], [d[:2], d[2:3]])], \
            {d: P[:, :, 0].astype(np.float64), p: np.array([1, 0, 1, 1, 0], np.int32)}

    same_grads(tfv1, f)
