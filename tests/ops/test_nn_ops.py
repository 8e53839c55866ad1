"""Differential tests of the tf.nn activations, losses and small ops against TensorFlow
(``tfv1``): forward values, dtypes, static shapes, output op names/types, gradients w.r.t. every
floating-point input (tf.gradients in both), and TF's error classes.

:func:`check_both` (shared by the other test_nn_* modules) builds the same graph with minitf
and with TF from placeholders fed with the same values, and compares everything.
"""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from minitf.framework import errors

pytestmark = pytest.mark.tf


# --- the differential helper ---------------------------------------------------------------------

def _dense(v):
    """A gradient value: dense array, or IndexedSlicesValue scattered to dense."""
    if hasattr(v, "indices") and hasattr(v, "values"):
        out = np.zeros(tuple(v.dense_shape), dtype=v.values.dtype)
        np.add.at(out, v.indices, v.values)
        return out
    return np.asarray(v)


def _shape(t):
    s = t.get_shape()
    return None if s.ndims is None else s.as_list()


class Side:
    def __init__(self, mod, build, values, shapes, grads, weights):
        self.graph = g = mod.Graph()
        with g.as_default():
            phs = [mod.placeholder(mod.as_dtype(v.dtype), v.shape if s is None else s)
                   for v, s in zip(values, shapes)]
            out = build(mod, *phs)
            self.outs = list(out) if isinstance(out, (list, tuple)) else [out]
            feed = dict(zip(phs, values))
            with mod.Session(graph=g) as sess:
                self.values = sess.run(self.outs, feed)
                self.grads = []
                floats = [i for i, v in enumerate(values) if v.dtype.kind == "f"]
                diff = [o for o in self.outs if o.dtype.base_dtype.is_floating]
                if grads and floats and diff:
                    ws = weights(self.values, self.outs)
                    y = mod.add_n([mod.reduce_sum(o * w) for o, w in zip(self.outs, ws)
                                   if w is not None])
                    gs = mod.gradients(y, [phs[i] for i in floats])
                    self.grad_none = [gr is None for gr in gs]
                    self.grads = sess.run([gr for gr in gs if gr is not None], feed)


def check_both(tfv1, build, *values, shapes=None, grads=True, rtol=1e-5, atol=1e-6,
               grad_rtol=None, grad_atol=None, names=True, compare=None):
    """Builds ``build(module, *placeholders)`` in minitf and TF, and compares outputs (values,
    dtypes, static shapes, names, op types) and the gradients of a weighted sum of the float
    outputs w.r.t. the float inputs. Returns (minitf side, TF side)."""
    values = [np.asarray(v) for v in values]
    shapes = shapes or [None] * len(values)
    rng = np.random.default_rng(42)
    cache = {}

    def weights(vals, outs):
        if "w" not in cache:
            cache["w"] = [rng.uniform(0.5, 1.5, np.shape(v)).astype(v.dtype)
                          if np.asarray(v).dtype.kind == "f" else None for v in vals]
        return cache["w"]

    mine = Side(mtf, build, values, shapes, grads, weights)
    theirs = Side(tfv1, build, values, shapes, grads, weights)
    assert len(mine.outs) == len(theirs.outs)
    for i, (a, b, va, vb) in enumerate(zip(mine.outs, theirs.outs, mine.values, theirs.values)):
        assert a.dtype.name == b.dtype.name, (i, a.dtype, b.dtype)
        assert _shape(a) == _shape(b), (i, a.get_shape(), b.get_shape())
        if names:
            assert a.name == b.name, (a.name, b.name)
            assert a.op.type == b.op.type, (a.op.type, b.op.type)
        va, vb = np.asarray(va), np.asarray(vb)
        assert va.dtype == vb.dtype and va.shape == vb.shape, (i, va.dtype, vb.dtype, va.shape,
                                                                vb.shape)
        if compare is not None:
            compare(i, va, vb)
        elif va.dtype.kind in "fc":
            np.testing.assert_allclose(va, vb, rtol=rtol, atol=atol, err_msg=f"output {i}")
        else:
            np.testing.assert_array_equal(va, vb, err_msg=f"output {i}")
    if grads:
        assert mine.grad_none == theirs.grad_none, (mine.grad_none, theirs.grad_none)
        for i, (ga, gb) in enumerate(zip(mine.grads, theirs.grads)):
            ga, gb = _dense(ga), _dense(gb)
            assert ga.shape == gb.shape and ga.dtype == gb.dtype, (i, ga.shape, gb.shape)
            np.testing.assert_allclose(ga, gb, rtol=grad_rtol or rtol * 10,
                                       atol=grad_atol or atol * 10, err_msg=f"gradient {i}")
    return mine, theirs


def r(*shape, scale=1.0, dtype=np.float32, seed=0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(dtype)


# --- activations ---------------------------------------------------------------------------------

ACTIVATIONS = ["relu", "relu6", "elu", "selu", "softplus", "softsign", "sigmoid", "tanh",
               "leaky_relu"]


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation(tfv1, name, dtype):
    x = r(4, 7, scale=4, dtype=dtype)
    x[0, :4] = [0.5, -0.5, 6.5, 5.5]
    # TF rounds float attrs (leaky_relu's alpha) to float32; minitf keeps them exact
    t = 1e-6 if dtype == np.float32 else (1e-7 if name == "leaky_relu" else 1e-12)
    check_both(tfv1, lambda m, a: getattr(m.nn, name)(a), x, rtol=t, atol=t)


def test_activation_unknown_shape_and_names(tfv1):
    x = r(2, 3)
    check_both(tfv1, lambda m, a: [m.nn.relu(a, name="act"), m.nn.leaky_relu(a, 0.1),
                                   m.nn.relu6(a, name="r6")], x, shapes=[[None, 3]])


def test_leaky_relu_int_input_is_cast(tfv1):
    check_both(tfv1, lambda m, a: m.nn.leaky_relu(a), np.array([-2, 3], np.int32), grads=False)


def test_activation_second_derivatives(tfv1):
    x = r(3, 4, scale=3, dtype=np.float64)

    def build(m, a):
        outs = []
        for fn in (m.nn.relu, m.nn.elu, m.nn.selu, m.nn.softplus, m.nn.leaky_relu, m.nn.relu6):
            (g,) = m.gradients(m.reduce_sum(fn(a) * a), a)
            outs.append(g)
        return outs

    check_both(tfv1, build, x, names=False, rtol=1e-7, atol=1e-7)  # leaky_relu: float32 alpha


@pytest.mark.parametrize("axis", [-1, 0, 1, 2])
def test_softmax_axis(tfv1, axis):
    x = r(2, 3, 4, scale=5)
    check_both(tfv1, lambda m, a: [m.nn.softmax(a, axis=axis), m.nn.log_softmax(a, axis=axis)],
               x, names=axis in (-1, 2))


def test_softmax_dim_and_names(tfv1):
    x = r(5, 6, scale=3)
    check_both(tfv1, lambda m, a: [m.nn.softmax(a, dim=-1), m.nn.softmax(a, name="probs"),
                                   m.nn.log_softmax(a, name="lp")], x, shapes=[[None, 6]])


def test_softmax_is_stable(tfv1):
    x = np.array([[1000.0, 1001.0, -1000.0], [-80.0, 0.0, 3.0]], np.float32)
    check_both(tfv1, lambda m, a: [m.nn.softmax(a), m.nn.log_softmax(a)], x)


def test_softmax_rank0_is_a_build_error():
    with pytest.raises(ValueError):
        mtf.nn.softmax(mtf.constant(1.0))


# --- losses --------------------------------------------------------------------------------------

def _probs(*shape, seed=1):
    p = np.random.default_rng(seed).uniform(0.1, 1, shape).astype(np.float32)
    return p / p.sum(-1, keepdims=True)


def test_softmax_xent_v1_stops_label_gradient(tfv1):
    x, z = r(6, 10, scale=3), _probs(6, 10)
    mine, _ = check_both(tfv1, lambda m, a, b:
                         m.nn.softmax_cross_entropy_with_logits(labels=b, logits=a), x, z)
    assert mine.grad_none == [False, True]


def test_softmax_xent_v2_gradients_into_labels(tfv1):
    x, z = r(6, 10, scale=3), _probs(6, 10)
    mine, _ = check_both(tfv1, lambda m, a, b:
                         m.nn.softmax_cross_entropy_with_logits_v2(labels=b, logits=a), x, z,
                         shapes=[[None, 10], [None, 10]])
    assert mine.grad_none == [False, False]


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_xent_rank3_axis(tfv1, axis):
    x, z = r(3, 4, 5, scale=2, dtype=np.float64), np.random.default_rng(0).uniform(
        0, 1, (3, 4, 5))
    check_both(tfv1, lambda m, a, b: m.nn.softmax_cross_entropy_with_logits_v2(
        labels=b, logits=a, axis=axis), x, z, names=axis != 0, rtol=1e-10, atol=1e-10)


def test_softmax_xent_named(tfv1):
    x, z = r(2, 3), _probs(2, 3)
    check_both(tfv1, lambda m, a, b: m.nn.softmax_cross_entropy_with_logits(
        labels=b, logits=a, name="loss"), x, z)


def test_softmax_xent_sentinel_guard():
    x = mtf.constant(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="named arguments"):
        mtf.nn.softmax_cross_entropy_with_logits(x, x)
    with pytest.raises(ValueError, match="Both labels and logits"):
        mtf.nn.softmax_cross_entropy_with_logits(labels=x)
    with pytest.raises(ValueError, match="named arguments"):
        mtf.nn.sparse_softmax_cross_entropy_with_logits(x, x)
    with pytest.raises(ValueError, match="named arguments"):
        mtf.nn.sigmoid_cross_entropy_with_logits(x, x)


def test_softmax_xent_shape_mismatch_is_a_build_error(tfv1):
    for mod in (mtf, tfv1):
        with mod.Graph().as_default(), pytest.raises(ValueError):
            mod.nn.softmax_cross_entropy_with_logits_v2(labels=mod.ones([2, 3]),
                                                        logits=mod.ones([2, 4]))


@pytest.mark.parametrize("ldtype", [np.int32, np.int64])
def test_sparse_softmax_xent(tfv1, ldtype):
    x = r(8, 10, scale=3)
    labels = np.array([0, 9, 3, 3, 2, 1, 8, 5], ldtype)
    check_both(tfv1, lambda m, a, b: m.nn.sparse_softmax_cross_entropy_with_logits(
        labels=b, logits=a), x, labels)
    check_both(tfv1, lambda m, a, b: m.nn.sparse_softmax_cross_entropy_with_logits(
        labels=b, logits=a, name="xent"), x, labels, shapes=[[None, 10], [None]])


def test_sparse_softmax_xent_rank3(tfv1):
    x = r(2, 3, 4, scale=2)
    labels = np.array([[0, 1, 3], [2, 2, 0]], np.int32)
    check_both(tfv1, lambda m, a, b: m.nn.sparse_softmax_cross_entropy_with_logits(
        labels=b, logits=a), x, labels, names=False)


def test_sparse_softmax_xent_out_of_range_label_is_a_run_time_error(tfv1):
    msg = (r"Received a label value of 10 which is outside the valid range of \[0, 10\)\.  "
           r"Label values: 1 10 3")
    for mod, err in ((mtf, errors.InvalidArgumentError), (tfv1, tfv1.errors.InvalidArgumentError)):
        with mod.Graph().as_default():
            lab = mod.placeholder(mod.int32, [None])
            log = mod.placeholder(mod.float32, [None, 10])
            y = mod.nn.sparse_softmax_cross_entropy_with_logits(labels=lab, logits=log)
            with mod.Session() as sess, pytest.raises(err, match=msg) as info:
                sess.run(y, {lab: [1, 10, 3], log: np.zeros((3, 10), np.float32)})
            if mod is mtf:
                assert "SparseSoftmaxCrossEntropyWithLogits" in str(info.value)


def test_sparse_softmax_xent_rank_errors(tfv1):
    for mod in (mtf, tfv1):
        with mod.Graph().as_default():
            with pytest.raises(ValueError):
                mod.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=mod.ones([2, 3], mod.int32), logits=mod.ones([2, 4]))
            with pytest.raises(ValueError):
                mod.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=mod.ones([3], mod.int32), logits=mod.ones([2, 4]))


def test_sigmoid_xent(tfv1):
    x = r(5, 4, scale=30)
    z = np.random.default_rng(3).uniform(0, 1, (5, 4)).astype(np.float32)
    mine, _ = check_both(tfv1, lambda m, a, b: m.nn.sigmoid_cross_entropy_with_logits(
        labels=b, logits=a), x, z)
    assert np.all(np.isfinite(mine.values[0]))


def test_sigmoid_xent_shape_mismatch(tfv1):
    for mod in (mtf, tfv1):
        with mod.Graph().as_default(), pytest.raises(ValueError, match="same shape"):
            mod.nn.sigmoid_cross_entropy_with_logits(labels=mod.ones([2, 3]),
                                                     logits=mod.ones([3, 2]))


def test_weighted_xent(tfv1):
    x = r(5, 4, scale=10)
    z = np.random.default_rng(3).uniform(0, 1, (5, 4)).astype(np.float32)
    check_both(tfv1, lambda m, a, b: m.nn.weighted_cross_entropy_with_logits(
        targets=b, logits=a, pos_weight=2.5), x, z)
    check_both(tfv1, lambda m, a, b: m.nn.weighted_cross_entropy_with_logits(
        b, a, 0.5, name="wx"), x, z)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_l2_loss_and_normalize(tfv1, dtype):
    x = r(4, 6, dtype=dtype)
    check_both(tfv1, lambda m, a: [m.nn.l2_loss(a), m.nn.l2_normalize(a, 1),
                                   m.nn.l2_normalize(a, dim=0, epsilon=1e-3, name="n0")], x)


# --- top_k, in_top_k, xw_plus_b, dropout, maxout -------------------------------------------------

def test_top_k(tfv1):
    x = np.array([[1.0, 2.0, 2.0, 0.0, -1.0], [np.nan, 1, 2, 3, np.inf]], np.float32)
    check_both(tfv1, lambda m, a: list(m.nn.top_k(a, 3)), x, grads=False)
    y = r(3, 6)
    mine, _ = check_both(tfv1, lambda m, a: list(m.nn.top_k(a, 2, name="best")), y)
    assert mine.outs[0].name == "best:0"

    def same_set(i, va, vb):  # sorted=False: any order of the same k entries
        np.testing.assert_array_equal(np.sort(va, -1), np.sort(vb, -1))

    check_both(tfv1, lambda m, a: list(m.nn.top_k(a, 4, sorted=False)), y, shapes=[[None, 6]],
               compare=same_set, grads=False)


def test_top_k_result_fields():
    v = mtf.nn.top_k(mtf.constant([[3.0, 1.0]]), 1)
    assert v.values is v[0] and v.indices is v[1]


def test_top_k_k_too_large(tfv1):
    for mod in (mtf, tfv1):
        with mod.Graph().as_default(), pytest.raises(ValueError, match="k = 5"):
            mod.nn.top_k(mod.ones([4, 3]), 5)


def test_in_top_k(tfv1):
    p = np.array([[1.0, 2.0, 2.0, 0.0], [np.nan, 1, 2, 3], [0, 1, 2, 3], [4, 3, 2, 1]],
                 np.float32)
    t = np.array([2, 3, 1, 7], np.int32)
    for k in (1, 2, 3):
        check_both(tfv1, lambda m, a, b, k=k: m.nn.in_top_k(a, b, k), p, t, grads=False)
    check_both(tfv1, lambda m, a, b: m.nn.in_top_k(a, b, 2), p, t.astype(np.int64),
               grads=False)


def test_xw_plus_b(tfv1):
    check_both(tfv1, lambda m, x, w, b: m.nn.xw_plus_b(x, w, b), r(3, 4), r(4, 5, seed=1),
               r(5, seed=2))


@pytest.mark.parametrize("keep_prob", [0.5, 0.8])
def test_dropout_statistics(keep_prob):
    x = np.ones((200, 300), np.float32)
    with mtf.Graph().as_default():
        a = mtf.placeholder(mtf.float32, [None, 300])
        y = mtf.nn.dropout(a, keep_prob=keep_prob, seed=7)
        assert y.get_shape().as_list() == [None, 300]
        assert y.dtype == mtf.float32
        with mtf.Session() as sess:
            v1 = sess.run(y, {a: x})
            v2 = sess.run(y, {a: x})
    kept = v1 != 0
    np.testing.assert_allclose(v1[kept], 1 / keep_prob, rtol=1e-6)
    assert abs(kept.mean() - keep_prob) < 0.01
    assert abs(v1.mean() - 1) < 0.02
    assert not np.array_equal(v1, v2)  # new mask every run


def test_dropout_rate_noise_shape_and_seed():
    x = np.ones((50, 8), np.float32)
    outs = []
    for _ in range(2):
        with mtf.Graph().as_default():
            mtf.set_random_seed(3)
            y = mtf.nn.dropout(mtf.constant(x), rate=0.25, noise_shape=[50, 1])
            with mtf.Session() as sess:
                outs.append(sess.run(y))
    np.testing.assert_array_equal(outs[0], outs[1])  # same graph seed, same mask
    assert np.all((outs[0] == 0).all(1) | (outs[0] != 0).all(1))  # rows dropped together


def test_dropout_keep_prob_placeholder_and_identity():
    with mtf.Graph().as_default():
        x = mtf.placeholder(mtf.float32, [4])
        kp = mtf.placeholder(mtf.float32)
        y = mtf.nn.dropout(x, kp)
        assert y.name.startswith("dropout/")
        assert mtf.nn.dropout(x, keep_prob=1.0) is x
        with mtf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y, {x: np.ones(4), kp: 1.0}), np.ones(4))


def test_dropout_errors():
    x = mtf.constant([1.0, 2.0])
    with pytest.raises(ValueError):
        mtf.nn.dropout(x, keep_prob=1.5)
    with pytest.raises(ValueError):
        mtf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError):
        mtf.nn.dropout(x)
    with pytest.raises(ValueError, match="floating point"):
        mtf.nn.dropout(mtf.constant([1, 2]), keep_prob=0.5)


def test_dropout_gradient_is_mask_over_keep_prob():
    with mtf.Graph().as_default():
        x = mtf.placeholder(mtf.float32, [1000])
        y = mtf.nn.dropout(x, keep_prob=0.25, seed=1)
        (g,) = mtf.gradients(y, x)
        with mtf.Session() as sess:
            yv, gv = sess.run([y, g], {x: np.full(1000, 2.0, np.float32)})
    np.testing.assert_allclose(gv, np.where(yv != 0, 4.0, 0.0))


def test_maxout():
    from minitf.ops.nn_ops import maxout

    x = r(4, 6)
    with mtf.Graph().as_default():
        a = mtf.placeholder(mtf.float32, [None, 6])
        y = maxout(a, 3)
        assert y.get_shape().as_list() == [None, 3]
        (g,) = mtf.gradients(mtf.reduce_sum(y), a)
        with mtf.Session() as sess:
            yv, gv = sess.run([y, g], {a: x})
    want = x.reshape(4, 3, 2).max(-1)
    np.testing.assert_array_equal(yv, want)
    mask = (x.reshape(4, 3, 2) == want[..., None]).reshape(4, 6)
    np.testing.assert_array_equal(gv, mask.astype(np.float32))
    with pytest.raises(ValueError, match="multiple of num_units"):
        maxout(mtf.constant(x), 4)


def test_maxout_axis_and_unknown_dims():
    from minitf.ops.nn_ops import maxout

    x = r(2, 4, 3, 5)
    with mtf.Graph().as_default():
        a = mtf.placeholder(mtf.float32, [None, 4, None, 5])
        y = maxout(a, 2, axis=1)
        with mtf.Session() as sess:
            yv = sess.run(y, {a: x})
    # TF contrib's reshape: axis gets num_units and a new last axis of size channels / units
    np.testing.assert_array_equal(yv, x.reshape(2, 2, 3, 5, 2).max(-1))
