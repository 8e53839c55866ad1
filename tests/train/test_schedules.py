"""Learning-rate schedules and the global step, against tensorflow.compat.v1."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

SCHEDULES = {
    "exponential": lambda t, gs: t.train.exponential_decay(0.1, gs, 3, 0.96),
    "exponential_staircase": lambda t, gs: t.train.exponential_decay(0.1, gs, 3, 0.5,
                                                                     staircase=True),
    "inverse_time": lambda t, gs: t.train.inverse_time_decay(0.1, gs, 2, 0.5),
    "inverse_time_staircase": lambda t, gs: t.train.inverse_time_decay(0.1, gs, 2, 0.5,
                                                                       staircase=True),
    "natural_exp": lambda t, gs: t.train.natural_exp_decay(0.1, gs, 2, 0.3),
    "natural_exp_staircase": lambda t, gs: t.train.natural_exp_decay(0.1, gs, 4, 0.3,
                                                                     staircase=True),
    "piecewise": lambda t, gs: t.train.piecewise_constant(gs, [3, 7], [1.0, 0.5, 0.1]),
    "piecewise_int64_bounds": lambda t, gs: t.train.piecewise_constant(
        gs, [np.int64(2), np.int64(5), np.int64(9)], [0.4, 0.3, 0.2, 0.1]),
    "polynomial": lambda t, gs: t.train.polynomial_decay(0.1, gs, 8, 0.01, power=0.5),
    "polynomial_cycle": lambda t, gs: t.train.polynomial_decay(0.1, gs, 4, 0.01, power=2.0,
                                                               cycle=True),
    "cosine": lambda t, gs: t.train.cosine_decay(0.1, gs, 8),
    "cosine_alpha": lambda t, gs: t.train.cosine_decay(0.1, gs, 8, alpha=0.2),
    "cosine_restarts": lambda t, gs: t.train.cosine_decay_restarts(0.1, gs, 3),
    "cosine_restarts_tmul1": lambda t, gs: t.train.cosine_decay_restarts(0.1, gs, 3, t_mul=1.0,
                                                                         m_mul=0.5, alpha=0.1),
    "linear_cosine": lambda t, gs: t.train.linear_cosine_decay(0.1, gs, 8),
    "linear_cosine_periods": lambda t, gs: t.train.linear_cosine_decay(0.1, gs, 8,
                                                                       num_periods=2.0,
                                                                       alpha=0.1, beta=0.01),
}


def _values(t, name, steps=16):
    with t.Graph().as_default():
        gs = t.train.get_or_create_global_step()
        lr = SCHEDULES[name](t, gs)
        inc = t.assign_add(gs, 1)
        out = []
        with t.Session() as s:
            s.run(t.global_variables_initializer())
            for _ in range(steps):
                out.append(s.run(lr))
                s.run(inc)
        return np.array(out), lr.dtype.base_dtype.name


@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_tf(tfv1, name):
    ours, dt = _values(tf, name)
    theirs, dt_tf = _values(tfv1, name)
    assert dt == dt_tf
    # float32 cos of TF (Eigen) and numpy can differ by a few ulps
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


def test_schedule_values_by_formula():
    v, _ = _values(tf, "exponential_staircase", 8)
    np.testing.assert_allclose(v, 0.1 * 0.5 ** (np.arange(8) // 3), rtol=1e-6)
    v, _ = _values(tf, "piecewise", 10)
    np.testing.assert_allclose(v, [1.0] * 4 + [0.5] * 4 + [0.1] * 2)
    v, _ = _values(tf, "polynomial_cycle", 9)
    assert v[0] == pytest.approx(0.1) and v[4] == pytest.approx(0.01)
    assert v[5] > v[4]  # restarted


def test_schedule_errors():
    gs = tf.train.get_or_create_global_step()
    with pytest.raises(ValueError, match="global_step is required"):
        tf.train.exponential_decay(0.1, None, 10, 0.9)
    with pytest.raises(ValueError, match="1 less than the length of values"):
        tf.train.piecewise_constant(gs, [1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="same dtype"):
        tf.train.piecewise_constant(gs, [1.0], [0.1, 0.2])
    with pytest.raises(ValueError, match="Values must have elements all with the same dtype"):
        tf.train.piecewise_constant(gs, [np.int64(1)], [0.1, 1])


def test_noisy_linear_cosine_decay_is_near_the_noise_free_value():
    gs = tf.train.get_or_create_global_step()
    lr = tf.train.noisy_linear_cosine_decay(0.1, gs, 10, initial_variance=1e-6)
    ref = tf.train.linear_cosine_decay(0.1, gs, 10)
    with tf.Session() as s:
        s.run(gs.initializer)
        a, b = s.run([lr, ref])
    assert abs(a - b) < 1e-3


def test_global_step_creation_and_lookup():
    assert tf.train.get_global_step() is None
    gs = tf.train.get_or_create_global_step()
    assert gs.op.name == "global_step" and gs.dtype.base_dtype == tf.int64
    assert gs.get_shape().as_list() == []
    assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [gs]
    assert gs in tf.global_variables() and gs not in tf.trainable_variables()
    assert tf.train.get_global_step() is gs
    assert tf.train.get_or_create_global_step() is gs
    with pytest.raises(ValueError, match='"global_step" already exists'):
        tf.train.create_global_step()
    with tf.Session() as s:
        s.run(gs.initializer)
        assert tf.train.global_step(s, gs) == 0
        s.run(tf.assign_add(gs, 5))
        assert tf.train.global_step(s, gs) == 5
        assert isinstance(tf.train.global_step(s, gs), int)


def test_global_step_created_in_other_graph_and_at_root_scope():
    g = tf.Graph()
    with tf.name_scope("outer"):
        gs = tf.train.create_global_step(g)
    assert gs.graph is g and gs.op.name == "global_step"
    assert tf.train.get_global_step(g) is gs
    assert tf.train.get_global_step() is None


def test_global_step_found_by_name_and_validated():
    v = tf.Variable(0, dtype=tf.int64, name="global_step")
    assert tf.train.get_global_step() is v._ref()
    tf.reset_default_graph()
    tf.Variable(0.0, name="global_step")
    with pytest.raises(TypeError, match="does not have integer type"):
        tf.train.get_global_step()
    tf.reset_default_graph()
    tf.add_to_collection(tf.GraphKeys.GLOBAL_STEP, tf.Variable([1, 2], name="gs"))
    with pytest.raises(TypeError, match="is not scalar"):
        tf.train.get_global_step()


@pytest.mark.tf
def test_global_step_graph_matches_tf(tfv1):
    def names(t):
        with t.Graph().as_default() as g:
            t.train.get_or_create_global_step()
            return [op.name for op in g.get_operations()], \
                [c for c in g.get_all_collection_keys() if isinstance(c, str)]

    ours, theirs = names(tf), names(tfv1)
    assert ours[0] == theirs[0]
    assert sorted(ours[1]) == sorted(theirs[1])
