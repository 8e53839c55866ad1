"""Differential tests vs TF: transpose, concat, stack/unstack, split, tile, pad, reverse."""

import numpy as np
import pytest

import minitf
from tests.ops.test_array_common import compare, same_build_error, same_grads, same_run_error

pytestmark = pytest.mark.tf

R = np.random.default_rng(7)
X234 = R.standard_normal((2, 3, 4)).astype(np.float32)
X23 = X234[:, :, 0].copy()


def ph(tf, shape, dtype=None, name="x"):
    return tf.placeholder(dtype or tf.float32, shape, name=name)


# --- transpose -----------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [[2, 3, 4], [None, 3, None], None])
@pytest.mark.parametrize("perm", [None, [1, 2, 0], [0, 2, 1]])
def test_transpose(tfv1, shape, perm):
    def f(tf):
        x = ph(tf, shape)
        return tf.transpose(x, perm), {x: X234}

    compare(tfv1, f, graph=True)


def test_transpose_perm_tensor_and_conjugate(tfv1):
    def f(tf):
        x = ph(tf, [2, 3, 4])
        p = tf.placeholder(tf.int32, [3], name="p")
        c = tf.constant(np.array([[1 + 2j, 3 - 1j]], np.complex64))
        return [tf.transpose(x, p), tf.transpose(c, conjugate=True),
                tf.transpose(x, [2, 0, 1], conjugate=True), tf.matrix_transpose(x)], \
            {x: X234, p: np.array([2, 1, 0], np.int32)}

    compare(tfv1, f, graph=True)


def test_transpose_errors(tfv1):
    same_build_error(tfv1, lambda tf: tf.transpose(ph(tf, [2, 3]), [0, 1, 2]),
                     match="Dimension must be 2 but is 3")
    same_build_error(tfv1, lambda tf: tf.transpose(ph(tf, [2, 3]), [0, 2]),
                     match="perm dim 2 is out of range of input rank 2")

    def f(tf):
        x, p = ph(tf, [2, 3]), tf.placeholder(tf.int32, [2], name="p")
        return tf.transpose(x, p), {x: X23, p: np.array([0, 0], np.int32)}

    same_run_error(tfv1, f, match="1 is missing from {0,0}")


def test_invert_permutation(tfv1):
    def f(tf):
        p = tf.placeholder(tf.int32, [None], name="p")
        return [tf.invert_permutation(p), tf.invert_permutation([2, 0, 1])], \
            {p: np.array([3, 1, 0, 2], np.int32)}

    compare(tfv1, f, graph=True)

    def g(tf):
        p = tf.placeholder(tf.int32, [None], name="p")
        return tf.invert_permutation(p), {p: np.array([0, 0], np.int32)}

    same_run_error(tfv1, g)


# --- concat ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1, -1, -2])
def test_concat(tfv1, axis):
    def f(tf):
        x, y = ph(tf, [2, 3]), ph(tf, [None, 3], name="y")
        z = ph(tf, None, name="z")
        return [tf.concat([x, x], axis), tf.concat([x, y], axis), tf.concat([x, z, y], axis),
                tf.concat([x], axis), tf.concat([X23, x], axis)], {x: X23, y: X23, z: X23}

    compare(tfv1, f, graph=True)


def test_concat_dynamic_axis_and_lists(tfv1):
    def f(tf):
        x, a = ph(tf, [2, 3]), tf.placeholder(tf.int32, [], name="a")
        n = tf.placeholder(tf.int32, [], name="n")
        return [tf.concat([x, x], a), tf.concat([[n, 3], [4]], 0),
                tf.concat([tf.shape(x), [n]], 0)], {x: X23, a: 1, n: 5}

    compare(tfv1, f, graph=True)


def test_concat_errors(tfv1):
    same_build_error(tfv1, lambda tf: tf.concat([ph(tf, [2, 3]), ph(tf, [2, 3, 4])], 0),
                     match="Shape must be rank 2 but is rank 3")
    same_build_error(tfv1, lambda tf: tf.concat([ph(tf, None), ph(tf, [2, 3, 4]),
                                                 ph(tf, [2, 3])], 0),
                     match="Shape must be rank 3 but is rank 2")
    same_build_error(tfv1, lambda tf: tf.concat([ph(tf, [2, 3]), ph(tf, [2, 4])], 0),
                     match="Dimension 0 in both shapes must be equal, but are 3 and 4")
    same_build_error(tfv1, lambda tf: tf.concat([ph(tf, [2, 3]), ph(tf, [2, 3])], 2),
                     match="Shape must be at least rank 3 but is rank 2")
    same_build_error(tfv1, lambda tf: tf.concat([1, 2], tf.placeholder(tf.int32, [])),
                     match="Can't concatenate scalars (use tf.stack instead)")

    def f(tf):
        x, y = ph(tf, None), ph(tf, None, name="y")
        return tf.concat([x, y], 0), {x: X23, y: X234}

    same_run_error(tfv1, f, match="ConcatOp : Ranks of all input tensors should match")

    def g(tf):
        x, y = ph(tf, None), ph(tf, None, name="y")
        return tf.concat([x, y], 0), {x: X23, y: X23.T}

    same_run_error(tfv1, g, match="ConcatOp : Dimension 1 in both shapes must be equal")


# --- stack / unstack ------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_stack_unstack(tfv1, axis):
    def f(tf):
        x, y = ph(tf, [2, 3]), ph(tf, [None, 3], name="y")
        return [tf.stack([x, y], axis=axis), tf.unstack(x, axis=axis % 2 if axis < 2 else 1)], \
            {x: X23, y: X23 + 1}

    compare(tfv1, f, graph=True)


def test_stack_python_values(tfv1):
    def f(tf):
        n = tf.placeholder(tf.int32, [], name="n")
        return [tf.stack([1, 2]), tf.stack([n, 3]), tf.stack([[n, 1], [2, 3]]),
                tf.stack([1.0, 2.0], axis=0), tf.stack([n, n], axis=0)], {n: 4}

    compare(tfv1, f, graph=True)


def test_stack_unstack_errors(tfv1):
    same_build_error(tfv1, lambda tf: tf.stack([ph(tf, [2]), ph(tf, [3], name="y")]),
                     match="Dimension 0 in both shapes must be equal")
    same_build_error(tfv1, lambda tf: tf.stack([ph(tf, [2]), ph(tf, [2], name="y")], axis=3),
                     match="not in range [-2, 2)")
    same_build_error(tfv1, lambda tf: tf.unstack(ph(tf, [None, 3])),
                     match="Cannot infer argument `num` from shape (?, 3)")
    same_build_error(tfv1, lambda tf: tf.unstack(ph(tf, None)), match="Cannot infer argument")
    same_build_error(tfv1, lambda tf: tf.unstack(ph(tf, [2, 3]), axis=2),
                     match="not in range [-2, 2)")
    same_build_error(tfv1, lambda tf: tf.unstack(ph(tf, [2, 3]), num=3), match="must be 3")

    def f(tf):
        x, y = ph(tf, None), ph(tf, None, name="y")
        return tf.stack([x, y]), {x: X23, y: X23.T}

    same_run_error(tfv1, f, match="Shapes of all inputs must match")


def test_unstack_num_given(tfv1):
    def f(tf):
        x = ph(tf, [None, 3])
        return tf.unstack(x, num=2), {x: X23}

    compare(tfv1, f, graph=True)


# --- split ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [[2, 4, 6], [None, 4, 6], None])
@pytest.mark.parametrize("spec,axis", [(2, 1), (3, -1), ([1, 3], 1), ([2, -1, 1], 2),
                                       ([0, 4], -2), (np.array([1, 1]), 0)])
def test_split(tfv1, shape, spec, axis):
    v = R.standard_normal((2, 4, 6)).astype(np.float32)

    def f(tf):
        x = ph(tf, shape)
        return tf.split(x, spec, axis=axis), {x: v}

    compare(tfv1, f, graph=True)


def test_split_dynamic(tfv1):
    def f(tf):
        x = ph(tf, [4, 6])
        a = tf.placeholder(tf.int32, [], name="a")
        s = tf.placeholder(tf.int32, [2], name="s")
        return [tf.split(x, 2, axis=a), tf.split(x, s, axis=1),
                tf.split(x, s, axis=a, num=2)], {x: np.ones((4, 6), np.float32), a: 1,
                                                  s: np.array([2, 4], np.int32)}

    compare(tfv1, f, graph=True)


def test_split_errors(tfv1):
    same_build_error(tfv1, lambda tf: tf.split(ph(tf, [2, 5]), 2, 1),
                     match="Dimension size must be evenly divisible by 2 but is 5")
    same_build_error(tfv1, lambda tf: tf.split(ph(tf, [2, 5]), [2, 2], 1),
                     match="can't split axis of size 5 into pieces of size [2,2]")
    same_build_error(tfv1, lambda tf: tf.split(ph(tf, [2, 5]), [-1, -1], 1),
                     match="size_splits can only have one -1")
    same_build_error(tfv1, lambda tf: tf.split(ph(tf, [2, 5]), 2, 2))
    same_build_error(tfv1, lambda tf: tf.split(ph(tf, [2, 5]), tf.placeholder(tf.int32, None)),
                     match="Cannot infer argument `num`")

    def f(tf):
        x = ph(tf, None)
        return tf.split(x, 2, 1), {x: np.ones((2, 5), np.float32)}

    same_run_error(tfv1, f, match="Number of ways to split should evenly divide the split "
                                  "dimension")


# --- tile ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [[2, 3], [None, 3], None])
@pytest.mark.parametrize("multiples", [[2, 3], [1, 1], [0, 2]])
def test_tile(tfv1, shape, multiples):
    def f(tf):
        x = ph(tf, shape)
        return tf.tile(x, multiples), {x: X23}

    compare(tfv1, f, graph=True)


def test_tile_partial_multiples_and_errors(tfv1):
    def f(tf):
        x, n = ph(tf, [2, 3]), tf.placeholder(tf.int32, [], name="n")
        return [tf.tile(x, [n, 2]), tf.tile(x, tf.shape(x))], {x: X23, n: 2}

    compare(tfv1, f, graph=True)
    same_build_error(tfv1, lambda tf: tf.tile(ph(tf, [2, 3]), [2]),
                     match="Shape must be rank 2 but is rank 1")


# --- pad ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["CONSTANT", "REFLECT", "SYMMETRIC", "constant"])
@pytest.mark.parametrize("shape", [[3, 4], [None, 4], None])
def test_pad(tfv1, mode, shape):
    v = R.standard_normal((3, 4)).astype(np.float32)

    def f(tf):
        x = ph(tf, shape)
        return [tf.pad(x, [[1, 2], [2, 0]], mode=mode),
                tf.pad(x, np.array([[0, 0], [3, 1]], np.int64), mode=mode)], {x: v}

    compare(tfv1, f, graph=True)


def test_pad_constant_values_and_dynamic_paddings(tfv1):
    def f(tf):
        x, n = ph(tf, [2, 3]), tf.placeholder(tf.int32, [], name="n")
        p = tf.placeholder(tf.int32, [2, 2], name="p")
        xi = tf.placeholder(tf.int32, [2, None], name="xi")
        return [tf.pad(x, [[1, 1], [0, 2]], constant_values=3.5),
                tf.pad(xi, [[1, 1], [0, 2]], constant_values=-1), tf.pad(x, p),
                tf.pad(x, [[n, 1], [0, 2]]), tf.pad(xi, [[0, 1], [n, 2]])], \
            {x: X23, n: 2, p: np.array([[0, 1], [2, 0]], np.int32),
             xi: np.arange(6, dtype=np.int32).reshape(2, 3)}

    compare(tfv1, f, graph=True)


def test_pad_errors(tfv1):
    same_build_error(tfv1, lambda tf: tf.pad(ph(tf, [2, 3]), [[1, 1]]),
                     match="Shape must be rank 1 but is rank 2")
    same_build_error(tfv1, lambda tf: tf.pad(ph(tf, [2, 3]), [[1, 1], [-1, 0]]),
                     match="Paddings must be non-negative")
    with pytest.raises(ValueError):
        minitf.pad(minitf.constant([1.0]), [[1, 1]], mode="WRAP")

    def f(tf):
        x = ph(tf, None)
        return tf.pad(x, [[3, 0], [0, 0]], mode="REFLECT"), {x: X23}

    same_run_error(tfv1, f, match="paddings must be less than the dimension size")


# --- reverse ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [[0], [-1], [0, 2], []])
def test_reverse(tfv1, axis):
    def f(tf):
        x, y = ph(tf, [2, 3, 4]), ph(tf, [None, 3, None], name="y")
        return [tf.reverse(x, axis), tf.reverse_v2(y, axis)], {x: X234, y: X234}

    compare(tfv1, f, graph=axis != [])  # TF leaves a dead float Const for an empty list


def test_reverse_errors(tfv1):
    same_build_error(tfv1, lambda tf: tf.reverse(ph(tf, [2, 3]), [2]),
                     match="'axis'[0] = 2 is out of valid range [0, 1")
    same_build_error(tfv1, lambda tf: tf.reverse(ph(tf, [2, 3]), [0, -2]),
                     match="axis 0 specified more than once.")


def test_reverse_sequence(tfv1):
    v = R.standard_normal((3, 4)).astype(np.float32)

    def f(tf):
        x = ph(tf, [2, 3, 4])
        y = ph(tf, [None, 4], name="y")
        return [tf.reverse_sequence(x, [2, 3], seq_axis=2, batch_axis=0),
                tf.reverse_sequence(x, [1, 3, 0, 2], seq_dim=1, batch_dim=2),
                tf.reverse_sequence(y, [3, 1, 0], 1)], \
            {x: X234, y: v}

    compare(tfv1, f, graph=True)
    same_build_error(tfv1, lambda tf: tf.reverse_sequence(ph(tf, [2, 3]), [1, 2, 3], 1),
                     match="Dimensions must be equal, but are 2 and 3")


# --- gradients -----------------------------------------------------------------------------------

def test_manip_gradients(tfv1):
    v = R.standard_normal((2, 3, 4))

    def f(tf):
        x = tf.placeholder(tf.float64, [2, 3, 4], name="x")
        y = tf.placeholder(tf.float64, [None, 3, 4], name="y")
        s0, s1, s2 = tf.split(x, [1, -1, 2], axis=2)
        u = tf.unstack(y, axis=1)
        return [tf.transpose(x, [2, 0, 1]), tf.concat([x, y, x], 1), tf.stack([x, y], 1),
                s1 * 2.0, s2, u[0] * u[2], tf.split(y, 2, 2)[0], tf.tile(x, [2, 1, 3]),
                tf.pad(x, [[1, 0], [0, 2], [1, 1]]),
                tf.pad(y, [[1, 0], [0, 2], [1, 1]], mode="REFLECT"),
                tf.pad(x, [[1, 0], [0, 2], [3, 1]], mode="SYMMETRIC", constant_values=2.0),
                tf.pad(x, [[1, 0], [0, 0], [0, 1]], constant_values=2.0),
                tf.reverse(y, [0, 2]), tf.reverse_sequence(x, [2, 3], 2, 0)], \
            {x: v, y: v * 2}

    same_grads(tfv1, f)


def test_concat_gradient_with_dynamic_shapes(tfv1):
    def f(tf):
        x = tf.placeholder(tf.float64, [None, 3], name="x")
        y = tf.placeholder(tf.float64, None, name="y")
        a = tf.placeholder(tf.int32, [], name="a")
        return [tf.concat([x, y], 0), tf.concat([x, y, x], a), tf.tile(y, [2, 1])], \
            {x: np.ones((2, 3)), y: np.arange(3.0).reshape(1, 3), a: 0}

    same_grads(tfv1, f)
