"""Differential tests of normalization, embeddings and candidate sampling against TensorFlow
(``tfv1``): moments, batch_normalization, fused_batch_norm, lrn, embedding_lookup (sharded,
max_norm, IndexedSlices gradients), nce_loss / sampled_softmax_loss with fixed samples, the
log-uniform sampler's expected counts and accidental hits."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as mtf
from minitf.framework.indexed_slices import IndexedSlices
from tests.ops.test_nn_ops import check_both, r

pytestmark = pytest.mark.tf


# --- moments / batch normalization ---------------------------------------------------------------

@pytest.mark.parametrize("axes,keep", [([0], False), ([0, 1, 2], False), ([0, 1, 2], True),
                                       ([1], True)])
def test_moments(tfv1, axes, keep):
    x = r(4, 3, 5, 2, scale=3) + 1
    check_both(tfv1, lambda m, a: list(m.nn.moments(a, axes, keep_dims=keep)), x,
               rtol=1e-5, atol=1e-5)


def test_moments_unknown_batch_and_keepdims(tfv1):
    x = r(6, 4)
    check_both(tfv1, lambda m, a: list(m.nn.moments(a, [0], keepdims=True, name="stats")), x,
               shapes=[[None, 4]], rtol=1e-5, atol=1e-5)


def test_batch_normalization(tfv1):
    x, mean, var, off, sc = r(4, 3), r(3, seed=1), np.abs(r(3, seed=2)) + 0.5, r(3, seed=3), \
        r(3, seed=4)
    check_both(tfv1, lambda m, a, b, c, d, e: m.nn.batch_normalization(a, b, c, d, e, 1e-3),
               x, mean, var, off, sc)
    check_both(tfv1, lambda m, a, b, c: m.nn.batch_normalization(a, b, c, None, None, 1e-3,
                                                                 name="bn"), x, mean, var)


@pytest.mark.parametrize("training", [True, False])
def test_fused_batch_norm(tfv1, training):
    x = r(4, 5, 5, 3, scale=2) + 1
    sc, off = r(3, seed=1) + 1, r(3, seed=2)
    mean, var = r(3, seed=3), np.abs(r(3, seed=4)) + 0.5

    def build(m, a, b, c):
        if training:
            return list(m.nn.fused_batch_norm(a, b, c, epsilon=1e-3))
        # (minitf also differentiates w.r.t. mean and variance, where TF gives None)
        return list(m.nn.fused_batch_norm(a, b, c, m.constant(mean), m.constant(var),
                                          epsilon=1e-3, is_training=False))

    mine, _ = check_both(tfv1, build, x, sc, off, shapes=[[None, 5, 5, 3], None, None],
                         rtol=1e-4, atol=1e-4, grad_rtol=1e-3, grad_atol=1e-3)
    assert mine.outs[0].op.type == "FusedBatchNormV3"


def test_fused_batch_norm_inference_needs_statistics():
    with pytest.raises(ValueError, match="mean"):
        mtf.nn.fused_batch_norm(mtf.ones([1, 2, 2, 3]), mtf.ones([3]), mtf.ones([3]),
                                is_training=False)


def test_fused_batch_norm_exponential_average(tfv1):
    x = r(2, 3, 3, 2)
    sc, off, mean, var = np.ones(2, np.float32), np.zeros(2, np.float32), r(2, seed=5), \
        np.ones(2, np.float32)
    check_both(tfv1, lambda m, a, b, c, d, e: list(m.nn.fused_batch_norm(
        a, b, c, d, e, exponential_avg_factor=0.3)), x, sc, off, mean, var, rtol=1e-5,
        atol=1e-5, grads=False)


def test_fused_batch_norm_matches_moments_path():
    x = r(8, 4, 4, 3, scale=2, dtype=np.float64)
    with mtf.Graph().as_default():
        a = mtf.constant(x)
        y, bm, bv = mtf.nn.fused_batch_norm(a, mtf.ones([3], mtf.float64),
                                            mtf.zeros([3], mtf.float64), epsilon=1e-3)
        mean, var = mtf.nn.moments(a, [0, 1, 2])
        y2 = mtf.nn.batch_normalization(a, mean, var, None, None, 1e-3)
        with mtf.Session() as sess:
            yv, y2v, bvv, vv = sess.run([y, y2, bv, var])
    np.testing.assert_allclose(yv, y2v, rtol=1e-10, atol=1e-12)
    n = 8 * 4 * 4
    np.testing.assert_allclose(bvv, vv * n / (n - 1), rtol=1e-12)  # Bessel-corrected


def test_fused_batch_norm_nchw_matches_nhwc():
    x = r(2, 3, 4, 5)
    with mtf.Graph().as_default():
        a = mtf.placeholder(mtf.float32, [2, 3, 4, 5])
        sc, off = mtf.constant([1.0, 2.0, 0.5]), mtf.constant([0.0, 1.0, -1.0])
        y, m1, v1 = mtf.nn.fused_batch_norm(a, sc, off, data_format="NCHW")
        b = mtf.transpose(a, [0, 2, 3, 1])
        y2, m2, v2 = mtf.nn.fused_batch_norm(b, sc, off)
        g1 = mtf.gradients(mtf.reduce_sum(y * y), [a, sc, off])
        g2 = mtf.gradients(mtf.reduce_sum(y2 * y2), [a, sc, off])
        with mtf.Session() as sess:
            got = sess.run([mtf.transpose(y, [0, 2, 3, 1]), m1, v1] + g1, {a: x})
            want = sess.run([y2, m2, v2] + g2, {a: x})
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)


def test_fused_batch_norm_second_derivative(tfv1):
    x, sc, off = r(2, 3, 3, 2, dtype=np.float64) + 1, r(2, seed=1, dtype=np.float64) + 1, \
        r(2, seed=2, dtype=np.float64)

    def build(m, a, b, c):
        y = m.nn.fused_batch_norm(a, b, c, epsilon=1e-3)[0]
        gx = m.gradients(m.reduce_sum(y * y * y), a)[0]
        return m.gradients(m.reduce_sum(gx * gx), [a, b])

    # TF only has float32 fused batch norm on CPU: compare against the ops-built formula
    def build_ref(m, a, b, c):
        mean, var = m.nn.moments(a, [0, 1, 2])
        y = m.nn.batch_normalization(a, mean, var, c, b, 1e-3)
        gx = m.gradients(m.reduce_sum(y * y * y), a)[0]
        return m.gradients(m.reduce_sum(gx * gx), [a, b])

    with mtf.Graph().as_default():
        phs = [mtf.placeholder(mtf.float64, v.shape) for v in (x, sc, off)]
        outs, refs = build(mtf, *phs), build_ref(mtf, *phs)
        with mtf.Session() as sess:
            got, want = sess.run([outs, refs], dict(zip(phs, (x, sc, off))))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-8)


# --- LRN -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [{}, {"depth_radius": 2, "bias": 2.0, "alpha": 1e-1,
                                      "beta": 0.75}, {"depth_radius": 0, "beta": 1.0}])
def test_lrn(tfv1, kw):
    x = r(2, 3, 3, 7)
    check_both(tfv1, lambda m, a: m.nn.lrn(a, **kw), x, rtol=1e-5, atol=1e-5)
    check_both(tfv1, lambda m, a: m.nn.local_response_normalization(a, name="norm", **kw), x,
               rtol=1e-5, atol=1e-5)


def test_lrn_second_derivative():
    x = r(1, 2, 2, 5, dtype=np.float64)
    from minitf.testing import compute_gradient_error

    with mtf.Graph().as_default():
        a = mtf.placeholder(mtf.float64, [1, 2, 2, 5])
        y = mtf.nn.lrn(a, depth_radius=1, alpha=0.5, beta=0.75)
        g = mtf.gradients(mtf.reduce_sum(y * y * a), a)[0]
        err = compute_gradient_error(a, [1, 2, 2, 5], mtf.reduce_sum(g * g), [], x_init_value=x,
                                     delta=1e-6)
    assert err < 1e-5


# --- embeddings ----------------------------------------------------------------------------------

def test_embedding_lookup_single(tfv1):
    p = r(10, 4)
    ids = np.array([[1, 9], [0, 1]], np.int32)
    mine, _ = check_both(tfv1, lambda m, a, b: m.nn.embedding_lookup(a, b), p, ids)
    assert mine.outs[0].name == "embedding_lookup/Identity:0"


def test_embedding_lookup_gradient_is_indexed_slices():
    with mtf.Graph().as_default():
        p = mtf.placeholder(mtf.float32, [10, 4])
        y = mtf.nn.embedding_lookup(p, [3, 3, 7])
        (g,) = mtf.gradients(mtf.reduce_sum(y), p)
        assert isinstance(g, IndexedSlices)
        with mtf.Session() as sess:
            dense = sess.run(mtf.convert_to_tensor(g), {p: r(10, 4)})
    want = np.zeros((10, 4), np.float32)
    want[3], want[7] = 2, 1
    np.testing.assert_array_equal(dense, want)


@pytest.mark.parametrize("strategy", ["mod", "div"])
@pytest.mark.parametrize("sizes", [(4, 4, 4), (5, 4, 4), (3, 2)])
def test_embedding_lookup_sharded(tfv1, strategy, sizes):
    total = sum(sizes)
    shards = [r(s, 3, seed=i) for i, s in enumerate(sizes)]
    ids = np.array([[0, total - 1, 3], [2, 2, total // 2]], np.int32)

    def build(m, b, *ps):
        return m.nn.embedding_lookup(list(ps), b, partition_strategy=strategy)

    check_both(tfv1, build, ids, *shards)


def test_embedding_lookup_sharded_int64_ids_unknown_shapes(tfv1):
    shards = [r(3, 2), r(3, 2, seed=1)]
    ids = np.array([5, 0, 4, 4], np.int64)
    check_both(tfv1, lambda m, b, p0, p1: m.nn.embedding_lookup([p0, p1], b), ids, *shards,
               shapes=[[None], [None, 2], [None, 2]], grads=False)


@pytest.mark.parametrize("sharded", [False, True])
def test_embedding_lookup_max_norm(tfv1, sharded):
    p = r(6, 3, scale=2)
    ids = np.array([0, 5, 2], np.int32)

    def build(m, b, a):
        params = [a[:3], a[3:]] if sharded else a
        return m.nn.embedding_lookup(params, b, max_norm=1.5)

    mine, _ = check_both(tfv1, build, ids, p, names=not sharded)
    assert np.all(np.linalg.norm(mine.values[0], axis=1) <= 1.5 + 1e-5)


def test_embedding_lookup_errors():
    with pytest.raises(ValueError):
        mtf.nn.embedding_lookup([], [0])
    with pytest.raises(ValueError, match="partition strategy"):
        mtf.nn.embedding_lookup([mtf.ones([2, 2]), mtf.ones([2, 2])], [0],
                                partition_strategy="foo")


# --- candidate sampling and sampled losses -------------------------------------------------------

def test_log_uniform_sampler_expected_counts_match_tf(tfv1):
    """Non-unique sampling: expected counts depend only on the classes (TF's formula)."""
    labels = np.array([[0], [3], [99]], np.int64)
    got = {}
    for mod in (mtf, tfv1):
        with mod.Graph().as_default():
            s, t, e = mod.nn.log_uniform_candidate_sampler(labels, 1, 6, False, 100, seed=1)
            assert s.get_shape().as_list() == [6] and t.get_shape().as_list() == [3, 1]
            assert s.dtype == mod.int64 and t.dtype == mod.float32
            with mod.Session() as sess:
                sv, tv, ev = sess.run([s, t, e])
        p = (np.log(sv + 2.0) - np.log(sv + 1.0)) / np.log(101)
        np.testing.assert_allclose(ev, p * 6, rtol=1e-5)
        got[mod] = tv
    np.testing.assert_allclose(got[mtf], got[tfv1], rtol=1e-6)


def test_log_uniform_sampler_unique_and_distribution():
    with mtf.Graph().as_default():
        s, t, e = mtf.nn.log_uniform_candidate_sampler(np.array([[1]], np.int64), 1, 20, True,
                                                       50, seed=4)
        s2, _, _ = mtf.nn.log_uniform_candidate_sampler(np.array([[1]], np.int64), 1, 1000,
                                                        False, 10, seed=5)
        with mtf.Session() as sess:
            sv, tv, ev = sess.run([s, t, e])
            many = sess.run(s2)
            sv_again = sess.run(s)
    assert len(set(sv.tolist())) == 20 and sv.min() >= 0 and sv.max() < 50
    assert np.all((ev > 0) & (ev <= 1)) and 0 < tv[0, 0] <= 1
    assert not np.array_equal(sv, sv_again)  # a new draw every run
    freq = np.bincount(many, minlength=10) / 1000
    p = (np.log(np.arange(10) + 2.0) - np.log(np.arange(10) + 1.0)) / np.log(11)
    np.testing.assert_allclose(freq, p, atol=0.05)


def test_log_uniform_sampler_seeded_runs_repeat():
    vals = []
    for _ in range(2):
        with mtf.Graph().as_default():
            mtf.set_random_seed(11)
            s, _, _ = mtf.nn.log_uniform_candidate_sampler(np.array([[1]], np.int64), 1, 8,
                                                           True, 100)
            with mtf.Session() as sess:
                vals.append(sess.run(s))
    np.testing.assert_array_equal(vals[0], vals[1])


def test_compute_accidental_hits(tfv1):
    true = np.array([[1, 2], [5, 7], [4, 4]], np.int64)
    sampled = np.array([2, 5, 1, 9, 7, 4], np.int64)
    check_both(tfv1, lambda m, a, b: list(m.nn.compute_accidental_hits(a, b, 2)), true,
               sampled, grads=False)


def _fixed_samples(m):
    sampled = m.constant([3, 7, 0, 11], m.int64)
    return (sampled, m.constant([[0.9], [0.5], [0.2]]), m.constant([0.3, 0.2, 0.8, 0.1]))


@pytest.mark.parametrize("loss", ["nce_loss", "sampled_softmax_loss"])
@pytest.mark.parametrize("hits", [False, True])
def test_sampled_losses_with_fixed_samples(tfv1, loss, hits):
    w, b, x = r(12, 5, seed=1), r(12, seed=2), r(3, 5, seed=3)
    labels = np.array([[3], [5], [11]], np.int64)

    def build(m, lw, lb, lx, lab):
        return getattr(m.nn, loss)(lw, lb, lab, lx, num_sampled=4, num_classes=12,
                                   sampled_values=_fixed_samples(m), remove_accidental_hits=hits)

    check_both(tfv1, build, w, b, x, labels, names=False, rtol=1e-5, atol=1e-5)


def test_sampled_losses_sharded_weights(tfv1):
    w, b, x = r(12, 5, seed=1), r(12, seed=2), r(3, 5, seed=3)
    labels = np.array([[3, 1], [5, 0], [11, 2]], np.int64)

    def build(m, w0, w1, lb, lx, lab):
        sampled = m.constant([3, 7, 0, 11], m.int64)
        values = (sampled, m.constant([[0.9, 0.1]] * 3), m.constant([0.3, 0.2, 0.8, 0.1]))
        return m.nn.nce_loss([w0, w1], lb, lab, lx, 4, 12, num_true=2,
                             sampled_values=values, partition_strategy="div")

    check_both(tfv1, build, w[:6], w[6:], b, x, labels, names=False, rtol=1e-5, atol=1e-5)


def test_sampled_losses_train_with_sampler():
    """With the default sampler the losses are finite, positive and differentiable."""
    with mtf.Graph().as_default():
        mtf.set_random_seed(0)
        w, b = mtf.constant(r(50, 8) * 0.1), mtf.constant(np.zeros(50, np.float32))
        x = mtf.constant(r(16, 8))
        labels = mtf.constant(np.arange(16, dtype=np.int64).reshape(16, 1))
        losses = [mtf.nn.nce_loss(w, b, labels, x, 10, 50),
                  mtf.nn.sampled_softmax_loss(w, b, labels, x, 10, 50)]
        grads = mtf.gradients(mtf.add_n([mtf.reduce_mean(v) for v in losses]), [w, x])
        with mtf.Session() as sess:
            lv, gv = sess.run([losses, [mtf.convert_to_tensor(g) for g in grads]])
    for v in lv:
        assert v.shape == (16,) and np.all(np.isfinite(v)) and np.all(v > 0)
    assert all(np.all(np.isfinite(g)) for g in gv)
