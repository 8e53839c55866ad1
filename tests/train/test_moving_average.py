"""tf.train.ExponentialMovingAverage against tensorflow.compat.v1: shadow names, collections,
values over steps (with and without num_updates), zero-debiased tensors, variables_to_restore
with a Saver."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf


def _run(t, num_updates: bool, zero_debias: bool = False, steps: int = 4):
    w = t.Variable([1.0, 2.0], name="w")
    b = t.Variable(3.0, name="b")
    x = t.placeholder(t.float32, [2], name="x")
    step = t.Variable(0, name="step", trainable=False) if num_updates else None
    ema = t.train.ExponentialMovingAverage(0.9, num_updates=step, zero_debias=zero_debias)
    assign = t.group(t.assign_add(w, x + 1.0), t.assign_sub(b, 1.0))  # in place (see notes)
    with t.control_dependencies([assign]):
        tensor = t.identity(w * 3.0, name="t")
    with t.control_dependencies([tensor]):
        update = ema.apply([w, b, tensor])
    bump = t.assign_add(step, 1) if num_updates else t.no_op()
    names = sorted(v.op.name for v in t.global_variables())
    out = {"names": names, "avg": [ema.average_name(v) for v in (w, b, tensor)],
           "mav": [v.op.name for v in t.moving_average_variables()],
           "update": update.name, "values": []}
    with t.Session() as sess:
        sess.run(t.global_variables_initializer())
        for i in range(steps):
            sess.run(update, {x: [i, -i]})
            sess.run(bump)
            out["values"].append(sess.run([ema.average(w), ema.average(b),
                                           ema.average(tensor)]))
    return out


@pytest.mark.tf
@pytest.mark.parametrize("num_updates", [False, True])
@pytest.mark.parametrize("zero_debias", [False, True])
def test_matches_tf(tfv1, num_updates, zero_debias):
    ours = _run(tf, num_updates, zero_debias)
    theirs = _run(tfv1, num_updates, zero_debias)
    for key in ("names", "avg", "mav", "update"):
        assert ours[key] == theirs[key], key
    for a, b in zip(ours["values"], theirs["values"]):
        for u, v in zip(a, b):
            np.testing.assert_allclose(u, v, rtol=1e-5)


def test_shadow_variable_properties():
    w = tf.Variable([1.0, 2.0], name="w")
    ema = tf.train.ExponentialMovingAverage(0.5)
    assert ema.average(w) is None
    assert ema.average_name(w) == "w/ExponentialMovingAverage"
    op = ema.apply([w])
    avg = ema.average(w)
    assert avg.name == "w/ExponentialMovingAverage:0"
    assert avg not in tf.trainable_variables()
    assert tf.moving_average_variables() == [w]
    with pytest.raises(ValueError, match="already computed"):
        ema.apply([w])
    with pytest.raises(TypeError, match="half, float, or double"):
        ema.apply([tf.Variable(1, name="i")])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, [3.0, 4.0]))
        sess.run(op)
        np.testing.assert_allclose(sess.run(avg), [2.0, 3.0])


def test_variables_to_restore_with_saver(tmp_path):
    w = tf.Variable([1.0, 2.0], name="w")
    g = tf.Variable(0, name="global_step", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.5)
    op = ema.apply([w])
    restore = ema.variables_to_restore()
    assert restore == {"w/ExponentialMovingAverage": w, "global_step": g}
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(tf.assign(w, [5.0, 6.0]))
        sess.run(op)
        path = saver.save(sess, str(tmp_path / "m"))
    tf.reset_default_graph()
    w = tf.Variable([0.0, 0.0], name="w")
    g = tf.Variable(0, name="global_step", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.5)
    with tf.Session() as sess:
        tf.train.Saver(ema.variables_to_restore()).restore(sess, path)
        np.testing.assert_allclose(sess.run(w), [3.0, 4.0])


def test_average_under_assign_control_dependency_sees_new_value() -> None:
    import minitf as tf

    tf.reset_default_graph()
    v = tf.Variable(1.0)
    a = tf.assign(v, 5.0)
    ema = tf.train.ExponentialMovingAverage(0.5)
    with tf.control_dependencies([a]):
        update = ema.apply([v])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(update)
        assert s.run(ema.average(v)) == 0.5 * 1.0 + 0.5 * 5.0
