"""``tf.gradients`` behaviour that is not specific to one op family, and gradients of
composite models against TF."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.framework.indexed_slices import IndexedSlices


def _run(fetches, feeds=None):
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        return s.run(fetches, feeds)


def test_several_ys_are_summed():
    x = tf.constant([1.0, 2.0])
    y1 = x * 3.0
    y2 = tf.reduce_sum(x * x)
    g = tf.gradients([y1, y2], x)[0]
    np.testing.assert_allclose(_run(g), [3 + 2, 3 + 4])


def test_unconnected_xs_give_none():
    x = tf.constant(1.0)
    z = tf.constant(2.0)
    y = x * 2.0
    assert tf.gradients(y, [x, z])[1] is None
    assert tf.gradients(y, z) == [None]


def test_integer_tensors_are_not_differentiated():
    x = tf.constant(3.0)
    i = tf.cast(x, tf.int32)
    y = tf.cast(i * 2, tf.float32) + x
    assert tf.gradients(y, i) == [None]
    np.testing.assert_allclose(_run(tf.gradients(y, x)[0]), 1.0)


def test_integer_y_gives_none_as_in_tf():
    """TF returns [None] for an integer y (only complex ys need grad_ys). Fails until
    ops/gradients_impl.py:_default_grad_ys raises only for complex ys."""
    x = tf.constant(3.0)
    i = tf.cast(x, tf.int32)
    assert tf.gradients(i * 2, x) == [None]
    c = tf.complex(x, x) if hasattr(tf, "complex") else None
    if c is not None:
        with pytest.raises(TypeError, match="must set grad_ys"):
            tf.gradients(c, x)


def test_stop_gradient_and_stop_gradients_argument():
    a = tf.constant(2.0)
    b = a * a
    c = tf.stop_gradient(b) * a
    np.testing.assert_allclose(_run(tf.gradients(c, a)[0]), 4.0)  # only d(a)/da * b
    y = b + a
    np.testing.assert_allclose(_run(tf.gradients(y, a, stop_gradients=[b])[0]), 1.0)
    np.testing.assert_allclose(_run(tf.gradients(y, a)[0]), 5.0)


def test_grad_ys():
    x = tf.constant([1.0, 2.0, 3.0])
    y = x * x
    g = tf.gradients(y, x, grad_ys=tf.constant([1.0, 0.5, -1.0]))[0]
    np.testing.assert_allclose(_run(g), [2.0, 2.0, -6.0])
    g2 = tf.gradients([y, x], x, grad_ys=[[1.0, 1.0, 1.0], [10.0, 10.0, 10.0]])[0]
    np.testing.assert_allclose(_run(g2), [12.0, 14.0, 16.0])
    with pytest.raises(ValueError):
        tf.gradients([y], x, grad_ys=[None, None])


def test_second_derivative():
    x = tf.constant(1.5)
    y = x * x * x
    dy = tf.gradients(y, x)[0]
    d2y = tf.gradients(dy, x)[0]
    d3y = tf.gradients(d2y, x)[0]
    np.testing.assert_allclose(_run([dy, d2y, d3y]), [3 * 1.5 ** 2, 6 * 1.5, 6.0], rtol=1e-6)


def test_hessians():
    x = tf.constant([1.0, 2.0])
    y = x[0] * x[0] * x[1] + tf.reduce_sum(x * x * x)
    h = tf.hessians(y, x)[0]
    assert h.get_shape().as_list() == [2, 2]
    # y = x0^2 x1 + x0^3 + x1^3 -> H = [[2 x1 + 6 x0, 2 x0], [2 x0, 6 x1]]
    np.testing.assert_allclose(_run(h), [[4 + 6, 2], [2, 12]], rtol=1e-6)


def test_register_gradient_and_override_map():
    name = f"MinitfTestDoubleGrad{np.random.default_rng().integers(1 << 30)}"

    @tf.RegisterGradient(name)
    def _double(op, grad):
        return [grad * 2.0]

    g = tf.get_default_graph()
    x = tf.constant(3.0)
    with g.gradient_override_map({"Identity": name}):
        y = tf.identity(x)
    z = tf.identity(x)
    np.testing.assert_allclose(_run(tf.gradients(y, x)[0]), 2.0)
    np.testing.assert_allclose(_run(tf.gradients(z, x)[0]), 1.0)
    with pytest.raises(KeyError):
        tf.RegisterGradient(name)(_double)


def test_not_differentiable_gives_none():
    name = "Identity"
    x = tf.constant(3.0)
    with tf.get_default_graph().gradient_override_map({name: "StopGradient"}):
        y = tf.identity(x)
    assert tf.gradients(y, x) == [None]


def test_op_without_gradient_raises_lookup_error():
    from minitf.framework.op_registry import _GRADIENTS

    x = tf.constant(3.0)
    with tf.get_default_graph().gradient_override_map({"Identity": "NoSuchGradientType"}):
        y = tf.identity(x)
    assert "NoSuchGradientType" not in _GRADIENTS
    with pytest.raises(LookupError, match="No gradient defined"):
        tf.gradients(y, x)


def test_gather_gives_indexed_slices_converted_to_dense_where_needed():
    params = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3))
    rows = tf.gather(params, [0, 2, 0])
    g = tf.gradients(tf.reduce_sum(rows * 2.0), params)[0]
    assert isinstance(g, IndexedSlices)
    dense = tf.convert_to_tensor(g)
    expected = np.zeros((4, 3), np.float32)
    expected[0] = 4.0
    expected[2] = 2.0
    np.testing.assert_allclose(_run(dense), expected)
    # a consumer needing a dense gradient (params also used densely): summed to a dense tensor
    y = tf.reduce_sum(tf.gather(params, [1])) + tf.reduce_sum(params * 1.0)
    g2 = tf.gradients(y, params)[0]
    assert isinstance(g2, tf.Tensor)
    expected2 = np.ones((4, 3), np.float32)
    expected2[1] += 1.0
    np.testing.assert_allclose(_run(g2), expected2)
    # two sparse contributions stay sparse and sum correctly when densified
    y3 = tf.reduce_sum(tf.gather(params, [1, 3])) + tf.reduce_sum(tf.gather(params, [3]))
    g3 = tf.gradients(y3, params)[0]
    assert isinstance(g3, IndexedSlices)
    d3 = _run(tf.convert_to_tensor(g3))
    np.testing.assert_allclose(d3.sum(axis=1), [0, 3, 0, 6])


def _mlp(t, x_v, y_v, params):
    x = t.constant(x_v)
    labels = t.constant(y_v)
    ws = [t.Variable(p, name=f"w{i}") for i, p in enumerate(params)]
    h = t.nn.relu(t.matmul(x, ws[0]) + ws[1])
    h = t.nn.sigmoid(t.matmul(h, ws[2]) + ws[3])
    logits = t.matmul(h, ws[4]) + ws[5]
    loss = t.reduce_mean(t.nn.softmax_cross_entropy_with_logits_v2(labels=labels,
                                                                   logits=logits))
    loss = loss + 0.01 * t.add_n([t.nn.l2_loss(w) for w in ws[::2]])
    grads = t.gradients(loss, ws)
    hess = t.gradients(t.gradients(loss, ws[5])[0], ws[4])  # a mixed second derivative
    with t.Session() as s:
        s.run(t.global_variables_initializer())
        return s.run([loss] + grads + hess)


@pytest.mark.tf
def test_mlp_softmax_xent_gradients_match_tf(tfv1):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 5)).astype(np.float32)
    y = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 8)]
    params = [rng.standard_normal(s).astype(np.float32) * 0.5
              for s in [(5, 6), (6,), (6, 7), (7,), (7, 4), (4,)]]
    ours = _mlp(tf, x, y, params)
    theirs = _mlp(tfv1, x, y, params)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)


def _embedding_model(t, ids, params):
    emb = t.Variable(params[0], name="emb")
    w = t.Variable(params[1], name="w")
    e = t.nn.embedding_lookup(emb, ids)
    logits = t.matmul(t.reduce_mean(e, axis=1), w)
    loss = t.reduce_mean(t.nn.sparse_softmax_cross_entropy_with_logits(
        labels=t.constant([0, 2, 1]), logits=logits))
    g_emb, g_w = t.gradients(loss, [emb, w])
    with t.Session() as s:
        s.run(t.global_variables_initializer())
        return s.run([t.convert_to_tensor(g_emb), g_w, loss])


@pytest.mark.tf
def test_embedding_sparse_xent_gradients_match_tf(tfv1):
    rng = np.random.default_rng(4)
    ids = np.array([[0, 3], [3, 3], [5, 1]], np.int32)
    params = [rng.standard_normal((6, 4)).astype(np.float32),
              rng.standard_normal((4, 3)).astype(np.float32)]
    for a, b in zip(_embedding_model(tf, ids, params), _embedding_model(tfv1, ids, params)):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)


@pytest.mark.tf
def test_hessians_match_tf(tfv1):
    def run(t):
        x = t.constant(np.array([0.3, -0.7, 1.1], np.float32))
        y = t.reduce_sum(t.tanh(x) * x * x) + x[0] * x[2]
        with t.Session() as s:
            return s.run(t.hessians(y, x)[0])

    np.testing.assert_allclose(run(tf), run(tfv1), rtol=1e-5, atol=1e-6)


def test_gradients_to_variable_refs_match_reads():
    """Optimizers differentiate w.r.t. the variable's reference tensor (w:0)."""
    w = tf.Variable([1.0, 2.0], name="w")
    y = tf.reduce_sum(w * w)
    g_ref = tf.gradients(y, w._ref())[0]
    g_var = tf.gradients(y, w)[0]
    np.testing.assert_allclose(_run(g_ref), [2.0, 4.0])
    np.testing.assert_allclose(_run(g_var), [2.0, 4.0])
