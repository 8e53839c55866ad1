"""Clipping ops against tensorflow.compat.v1: values, names, IndexedSlices, NaN/inf."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.framework.indexed_slices import IndexedSlices
from minitf.ops import clip_ops

RNG = np.random.default_rng(5)
A = RNG.standard_normal((3, 4)).astype(np.float32) * 3
B = RNG.standard_normal((5,)).astype(np.float32)


def _clip(t, mod):
    a = t.constant(A)
    b = t.constant(B)
    sl = t.IndexedSlices(t.constant(A[:2]), t.constant([0, 2]), t.constant([4, 4]))
    out = {
        "value": mod.clip_by_value(a, -1.0, 1.5),
        "value_tensor_bounds": mod.clip_by_value(a, t.constant(-0.5), t.constant(0.5)),
        "norm": mod.clip_by_norm(a, 2.0),
        "norm_axes": mod.clip_by_norm(a, 1.0, axes=[1]),
        "norm_big": mod.clip_by_norm(a, 1000.0),
        "norm_negative": mod.clip_by_norm(a, -1.0),
        "norm_zero_input": mod.clip_by_norm(t.zeros([3]), 1.0),
        "global_norm": mod.global_norm([a, b, None]),
        "avg_norm": mod.clip_by_average_norm(a, 0.1),
        "norm_slices": mod.clip_by_norm(sl, 1.0).values,
    }
    clipped, norm = mod.clip_by_global_norm([a, None, b, sl], 2.0)
    out["global_clipped_0"] = clipped[0]
    out["global_clipped_2"] = clipped[2]
    out["global_clipped_3"] = clipped[3].values
    out["global_norm_out"] = norm
    assert clipped[1] is None
    assert isinstance(clipped[3], t.IndexedSlices)
    used, _ = mod.clip_by_global_norm([a, b], 1.0, use_norm=t.constant(4.0))
    out["use_norm"] = used[1]
    inf_c, inf_n = mod.clip_by_global_norm([a, t.constant([np.inf, 1.0])], 1.0)
    out["inf_clipped"] = inf_c[0]
    out["inf_norm"] = inf_n
    nan_c, _ = mod.clip_by_global_norm([a, t.constant([np.nan])], 1.0)
    out["nan_clipped"] = nan_c[0]
    with t.Session() as s:
        return s.run(out)


def _tf_clip_module(tfv1):
    from tensorflow.python.ops import clip_ops as tf_clip

    return tf_clip


@pytest.mark.tf
def test_clip_ops_match_tf(tfv1):
    ours = _clip(tf, clip_ops)
    theirs = _clip(tfv1, _tf_clip_module(tfv1))
    for k in theirs:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-6, atol=1e-7, err_msg=k)
    assert np.isnan(ours["inf_clipped"]).all() and np.isinf(ours["inf_norm"])
    assert np.isnan(ours["nan_clipped"]).all()


@pytest.mark.tf
def test_clip_op_names_match_tf(tfv1):
    def names(t, mod):
        with t.Graph().as_default() as g:
            a = t.constant(A, name="a")
            b = t.constant(B, name="b")
            mod.clip_by_value(a, -1.0, 1.0)
            mod.clip_by_norm(a, 2.0)
            mod.clip_by_global_norm([a, b], 2.0)
            return sorted(op.name for op in g.get_operations()
                          if op.type in ("Identity", "Maximum", "Sqrt", "L2Loss"))

    assert names(tf, clip_ops) == names(tfv1, _tf_clip_module(tfv1))


def test_clip_values_by_formula():
    a = tf.constant([3.0, 4.0])
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(clip_ops.clip_by_norm(a, 1.0)), [0.6, 0.8], rtol=1e-6)
        (c,), n = clip_ops.clip_by_global_norm([a], 10.0)
        np.testing.assert_allclose(s.run([c, n])[0], [3.0, 4.0], rtol=1e-6)
        np.testing.assert_allclose(s.run(n), 5.0)


def test_clip_errors():
    with pytest.raises(TypeError, match="should be a sequence of tensors"):
        clip_ops.clip_by_global_norm(tf.constant([1.0]), 1.0)
    with pytest.raises(TypeError, match="should be a sequence of tensors"):
        clip_ops.global_norm("abc")
    with pytest.raises(ValueError):
        clip_ops.clip_by_value(tf.zeros([2, 3]), tf.zeros([4]), 1.0)


def test_clipped_gradients_train():
    w = tf.Variable([10.0, -10.0])
    loss = tf.reduce_sum(w * w)
    opt = tf.train.GradientDescentOptimizer(1.0)
    gv = opt.compute_gradients(loss)
    clipped, _ = clip_ops.clip_by_global_norm([g for g, _ in gv], 1.0)
    op = opt.apply_gradients(zip(clipped, [v for _, v in gv]))
    with tf.Session() as s:
        s.run(w.initializer)
        s.run(op)
        np.testing.assert_allclose(s.run(w), [10 - 0.70710677, -10 + 0.70710677], rtol=1e-6)


def test_indexed_slices_keep_indices():
    sl = IndexedSlices(tf.constant([[3.0, 4.0]]), tf.constant([1]), tf.constant([3, 2]))
    out = clip_ops.clip_by_value(sl, 0.0, 3.5)
    assert isinstance(out, IndexedSlices) and out.indices is sl.indices
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(out.values), [[3.0, 3.5]])
