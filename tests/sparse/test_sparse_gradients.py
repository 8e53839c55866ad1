"""Gradients through SparseTensors: tf.gradients against TF, and numeric checks of the
gradient w.r.t. a tensor that a SparseTensor's values are built from."""

import numpy as np
import pytest

import minitf

IND = [[0, 1], [1, 0], [1, 3], [2, 2]]
X0 = np.array([0.7, -1.2, 2.0, 0.4])
M0 = np.linspace(-1.0, 1.0, 8).reshape(4, 2)


def _sp(tf, x):
    return tf.SparseTensor(IND, x * 2.0, [3, 4])


def _loss(tf, y):
    return tf.reduce_sum(y * y + y)


GRAD_BUILDERS = {
    "to_dense": lambda tf, x, m: tf.sparse.to_dense(_sp(tf, x)),
    "matmul": lambda tf, x, m: tf.sparse_tensor_dense_matmul(_sp(tf, x), m),
    "matmul_adj_a": lambda tf, x, m: tf.sparse_tensor_dense_matmul(
        _sp(tf, x), tf.reshape(m[:3], [3, 2]), adjoint_a=True),
    "matmul_adj_b": lambda tf, x, m: tf.sparse_tensor_dense_matmul(
        _sp(tf, x), tf.transpose(m), adjoint_b=True),
    "matmul_adj_ab": lambda tf, x, m: tf.sparse_tensor_dense_matmul(
        _sp(tf, x), tf.transpose(m[:3]), adjoint_a=True, adjoint_b=True),
    "add_dense": lambda tf, x, m: tf.sparse_add(_sp(tf, x), tf.reshape(
        tf.concat([m, m[:2]], 0), [3, 4])),
    "add_sparse": lambda tf, x, m: tf.sparse.to_dense(tf.sparse_add(
        _sp(tf, x), tf.SparseTensor([[0, 1], [2, 3]], m[0], [3, 4]))),
    "reduce_sum": lambda tf, x, m: tf.sparse_reduce_sum(_sp(tf, x), axis=1),
    "reduce_sum_keep": lambda tf, x, m: tf.sparse_reduce_sum(_sp(tf, x), 0, keepdims=True),
    "softmax": lambda tf, x, m: tf.sparse.to_dense(tf.sparse_softmax(_sp(tf, x))),
    "reorder": lambda tf, x, m: tf.sparse_reorder(
        tf.SparseTensor([[2, 2], [0, 1], [1, 3], [1, 0]], x, [3, 4])).values,
    "fill_empty_rows": lambda tf, x, m: tf.sparse_fill_empty_rows(
        tf.SparseTensor([[1, 0], [1, 2], [3, 1], [3, 3]], x, [5, 4]), m[0, 0])[0].values,
    "reshape_transpose": lambda tf, x, m: tf.sparse.to_dense(
        tf.sparse_transpose(tf.sparse_reshape(_sp(tf, x), [4, 3]))),
    "retain_concat": lambda tf, x, m: tf.sparse.to_dense(tf.sparse_concat(
        0, [tf.sparse_retain(_sp(tf, x), [True, False, True, True]), _sp(tf, x)])),
    "segment_mean": lambda tf, x, m: tf.sparse_segment_mean(m, [0, 2, 2, 3], [0, 0, 1, 1]),
    "segment_sqrt_n": lambda tf, x, m: tf.sparse_segment_sqrt_n(m, [0, 2, 3], [0, 0, 2]),
    "segment_sum": lambda tf, x, m: tf.sparse_segment_sum(m, [0, 2, 3], [0, 0, 2]),
}


def _grads(tf, name):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float64, [4])
        m = tf.placeholder(tf.float64, [4, 2])
        y = GRAD_BUILDERS[name](tf, x, m)
        loss = _loss(tf, y)
        grads = [gr for gr in tf.gradients(loss, [x, m]) if gr is not None]
        with tf.Session() as sess:
            return sess.run([tf.convert_to_tensor(gr) for gr in grads], {x: X0, m: M0})


@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(GRAD_BUILDERS))
def test_gradients_match_tf(tfv1, name):
    mine, theirs = _grads(minitf, name), _grads(tfv1, name)
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(GRAD_BUILDERS))
def test_gradients_numeric(name):
    tf = minitf
    x = tf.placeholder(tf.float64, [4])
    m = tf.placeholder(tf.float64, [4, 2])
    y = GRAD_BUILDERS[name](tf, x, m)
    loss = _loss(tf, y)
    with tf.Session():
        for var, val, other in ((x, X0, {m: M0}), (m, M0, {x: X0})):
            if tf.gradients(loss, var)[0] is None:
                continue
            err = tf.test.compute_gradient_error(var, list(val.shape), loss, [],
                                                 x_init_value=val, delta=1e-6,
                                                 extra_feed_dict=other)
            assert err < 1e-5, (name, var.name, err)


@pytest.mark.tf
@pytest.mark.parametrize("combiner", ["sum", "mean", "sqrtn"])
@pytest.mark.parametrize("weighted", [False, True])
def test_embedding_lookup_sparse_gradients(tfv1, combiner, weighted):
    def fn(tf):
        g = tf.Graph()
        with g.as_default():
            params = tf.Variable(np.arange(30.0).reshape(10, 3) / 10.0)
            ids = tf.SparseTensor([[0, 0], [0, 1], [0, 2], [2, 0], [3, 1]],
                                  tf.constant([1, 3, 1, 4, 9], tf.int64), [4, 3])
            wv = tf.constant([1.0, 2.0, 0.5, 3.0, -1.0], tf.float64)
            w = tf.SparseTensor(ids.indices, wv, ids.dense_shape) if weighted else None
            out = tf.nn.embedding_lookup_sparse(params, ids, w, combiner=combiner)
            loss = tf.reduce_sum(out * out)
            gp, gw = tf.gradients(loss, [params, wv])
            fetch = [tf.convert_to_tensor(gp)] + ([gw] if weighted else [])
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                return sess.run(fetch)

    for a, b in zip(fn(minitf), fn(tfv1)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


def test_embedding_lookup_sparse_trains():
    tf = minitf
    params = tf.Variable(np.ones((6, 2)), dtype=tf.float64)
    ids = tf.sparse_placeholder(tf.int64)
    out = tf.nn.embedding_lookup_sparse(params, ids, None, combiner="sum")
    loss = tf.reduce_sum(tf.square(out - 3.0))
    step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    feed = {ids: ([[0, 0], [0, 1], [1, 0]], [1, 2, 5], [2, 2])}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss, feed)
        for _ in range(20):
            sess.run(step, feed)
        assert sess.run(loss, feed) < first * 1e-3
        p = sess.run(params)
    np.testing.assert_array_equal(p[[0, 3, 4]], np.ones((3, 2)))
