"""The lecture's optimization slides (gradient descent, momentum, Adagrad), reproduced."""

from __future__ import annotations

import numpy as np

import minitf as tf


def test_gradient_descent_step_is_minus_eta_times_gradient():
    """theta1 = theta0 - eta * grad C(theta0) on a two-parameter error surface."""
    eta = 0.1
    w = tf.Variable([3.0, -2.0], name="w")
    # C(w1, w2) = w1^2 + 4 w2^2 + w1 w2: the "error surface" of two parameters
    cost = w[0] ** 2 + 4.0 * w[1] ** 2 + w[0] * w[1]
    step = tf.train.GradientDescentOptimizer(eta).minimize(cost)
    grad = tf.gradients(cost, w)[0]
    with tf.Session() as s:
        s.run(w.initializer)
        costs = []
        for _ in range(20):
            costs.append(s.run(cost))
            theta = s.run(w).astype(np.float64)
            g = s.run(grad)
            np.testing.assert_allclose(g, [2 * theta[0] + theta[1], 8 * theta[1] + theta[0]],
                                       rtol=1e-5, atol=1e-6)
            s.run(step)
            np.testing.assert_allclose(s.run(w), theta - eta * g, rtol=1e-6, atol=1e-7)
        c_end = s.run(cost)
    assert all(b < a for a, b in zip(costs, costs[1:]))  # every step goes downhill
    assert c_end < 1e-2 < costs[0]  # towards the minimum at (0, 0)


def _bumpy(w):
    """(w^2 - 1)^2 + 0.3 w: a shallow local minimum near +0.96, the global one near -1.04."""
    return (w * w - 1.0) ** 2 + 0.3 * w


def _descend(make_opt, start, steps=300):
    tf.reset_default_graph()
    w = tf.Variable(start, name="w")
    op = make_opt().minimize(_bumpy(w))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        for _ in range(steps):
            s.run(op)
        return float(s.run(w))


def test_local_minima_depend_on_the_starting_point():
    gd = lambda: tf.train.GradientDescentOptimizer(0.01)  # noqa: E731
    assert abs(_descend(gd, 2.0) - 0.96) < 0.01
    assert abs(_descend(gd, -2.0) + 1.04) < 0.01


def test_momentum_can_roll_out_of_a_local_minimum():
    """'Still not guarantee reaching global minima, but give some hope.'"""
    gd = lambda: tf.train.GradientDescentOptimizer(0.01)  # noqa: E731
    mom = lambda: tf.train.MomentumOptimizer(0.01, 0.9)  # noqa: E731
    assert _descend(gd, 2.0) > 0.9  # stuck in the local minimum
    assert _descend(mom, 2.0) < -1.0  # momentum carried it over the hill


def test_momentum_update_is_velocity_accumulation():
    """v = mu v - eta g; w = w + v (TF's accumulator form: a = mu a + g; w -= eta a)."""
    eta, mu = 0.1, 0.9
    w = tf.Variable([1.0, -1.0])
    g = tf.placeholder(tf.float32, [2])
    op = tf.train.MomentumOptimizer(eta, mu).apply_gradients([(g, w)])
    grads = [np.array([0.5, 1.0]), np.array([0.25, -1.0]), np.array([1.0, 0.0])]
    v = np.zeros(2)
    theta = np.array([1.0, -1.0])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        for gv in grads:
            s.run(op, {g: gv})
            v = mu * v - eta * gv
            theta = theta + v
            np.testing.assert_allclose(s.run(w), theta, rtol=1e-6)


def _adagrad_rates(gradients, eta=1.0):
    """The effective learning rates eta_w = -dw / g of two Adagrad steps."""
    tf.reset_default_graph()
    w = tf.Variable(0.0)
    g = tf.placeholder(tf.float32, [])
    op = tf.train.AdagradOptimizer(eta, initial_accumulator_value=1e-12).apply_gradients(
        [(g, w)])
    rates = []
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        for gv in gradients:
            before = s.run(w)
            s.run(op, {g: gv})
            rates.append(-(s.run(w) - before) / gv)
    return rates


def test_adagrad_learning_rates_of_the_slide():
    """w1: g = 0.1 then 0.2 -> eta/0.1 then eta/0.22; w2: g = 20 then 10 -> eta/20, eta/22."""
    r1 = _adagrad_rates([0.1, 0.2])
    np.testing.assert_allclose(r1[0], 1 / 0.1, rtol=1e-5)
    np.testing.assert_allclose(r1[1], 1 / np.sqrt(0.1 ** 2 + 0.2 ** 2), rtol=1e-5)
    assert abs(1 / r1[1] - 0.22) < 0.005
    r2 = _adagrad_rates([20.0, 10.0])
    np.testing.assert_allclose(r2[0], 1 / 20, rtol=1e-5)
    np.testing.assert_allclose(r2[1], 1 / np.sqrt(20 ** 2 + 10 ** 2), rtol=1e-5)
    assert abs(1 / r2[1] - 22) < 0.5
    # "Learning rate is smaller and smaller"; "smaller derivatives, larger learning rate"
    assert r1[1] < r1[0] and r2[1] < r2[0] and r1[0] > r2[0]


def test_adagrad_parameters_are_considered_separately():
    """One variable holding w1 and w2 gets per-element rates in a single update."""
    w = tf.Variable([0.0, 0.0])
    g = tf.placeholder(tf.float32, [2])
    op = tf.train.AdagradOptimizer(1.0, initial_accumulator_value=1e-12).apply_gradients(
        [(g, w)])
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(op, {g: [0.1, 20.0]})
        w1 = s.run(w)
        s.run(op, {g: [0.2, 10.0]})
        w2 = s.run(w)
    rates = -(w2 - w1) / np.array([0.2, 10.0])
    np.testing.assert_allclose(rates, [1 / np.sqrt(0.05), 1 / np.sqrt(500.0)], rtol=1e-5)
