"""Optimizers against tensorflow.compat.v1: trajectories (dense and sparse), variable and op
names, slot API, errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from tests.train.helpers import OPTIMIZERS, build_model, trajectory


def _assert_close(ours, theirs, rtol=2e-5, atol=1e-6):
    assert len(ours) == len(theirs)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        assert sorted(a) == sorted(b)
        for name in a:
            np.testing.assert_allclose(a[name], b[name], rtol=rtol, atol=atol,
                                       err_msg=f"{name} after step {step + 1}")


@pytest.mark.tf
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_trajectory_matches_tf(tfv1, opt, sparse):
    ours = trajectory(tf, OPTIMIZERS[opt], sparse)
    theirs = trajectory(tfv1, OPTIMIZERS[opt], sparse)
    assert ours["names"] == theirs["names"]
    assert ours["slot_names"] == theirs["slot_names"]
    _assert_close(ours["values"], theirs["values"])


@pytest.mark.tf
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_op_names_match_tf(tfv1, opt, sparse):
    """Every op outside the gradient subgraph has TF's name (slots, update ops, finish)."""
    ours = trajectory(tf, OPTIMIZERS[opt], sparse, steps=1)
    theirs = trajectory(tfv1, OPTIMIZERS[opt], sparse, steps=1)
    strip = [n for n in ours["ops"] if not n.startswith("gradients/")]
    strip_tf = [n for n in theirs["ops"] if not n.startswith("gradients/")]
    assert strip == strip_tf
    assert ours["train_name"] == theirs["train_name"]
    assert ours["train_type"] == theirs["train_type"]


@pytest.mark.tf
@pytest.mark.parametrize("opt", ["adam", "momentum", "adagrad", "rmsprop_centered", "adadelta"])
def test_float64_trajectory_matches_tf(tfv1, opt):
    ours = trajectory(tf, OPTIMIZERS[opt], True, steps=3, dtype=tf.float64)
    theirs = trajectory(tfv1, OPTIMIZERS[opt], True, steps=3, dtype=tfv1.float64)
    _assert_close(ours["values"], theirs["values"], rtol=1e-12, atol=1e-13)


@pytest.mark.tf
@pytest.mark.parametrize("name", ["adam", "momentum", "gd"])
def test_tensor_learning_rate_schedule_matches_tf(tfv1, name):
    def run(t):
        g = t.Graph()
        with g.as_default():
            gs = t.train.get_or_create_global_step()
            lr = t.train.exponential_decay(0.1, gs, 2, 0.5, staircase=True)
            w = t.Variable(np.array([1.0, -2.0, 3.0], np.float32), name="w")
            loss = t.reduce_sum(w * w)
            opt = {"adam": lambda: t.train.AdamOptimizer(lr),
                   "momentum": lambda: t.train.MomentumOptimizer(lr, 0.9),
                   "gd": lambda: t.train.GradientDescentOptimizer(lr)}[name]()
            train = opt.minimize(loss, global_step=gs)
            with t.Session() as s:
                s.run(t.global_variables_initializer())
                out = []
                for _ in range(5):
                    s.run(train)
                    out.append(s.run([w, gs, lr]))
        return out

    for a, b in zip(run(tf), run(tfv1)):
        np.testing.assert_allclose(a[0], b[0], rtol=1e-6)
        assert a[1] == b[1]
        np.testing.assert_allclose(a[2], b[2], rtol=1e-7)


def test_slots_and_variables_api():
    m = build_model(tf, OPTIMIZERS["adam"], sparse=True)
    opt = m["opt"]
    w = [v for v in tf.global_variables() if v.op.name == "w"][0]
    assert opt.get_slot_names() == ["m", "v"]
    assert opt.get_slot(w, "m").op.name == "w/Adam"
    assert opt.get_slot(w, "v").op.name == "w/Adam_1"
    assert opt.get_slot(w, "nope") is None
    names = [v.op.name for v in opt.variables()]
    assert names == sorted(names)
    assert {"beta1_power", "beta2_power", "w/Adam", "w/Adam_1", "b/Adam", "emb/Adam_1"} <= \
        set(names)
    assert all(not v.trainable for v in opt.variables())
    assert opt.get_name() == "Adam"
    assert m["train"] in tf.get_collection(tf.GraphKeys.TRAIN_OP)


@pytest.mark.parametrize("opt,slots", [
    ("momentum", ["w/Momentum"]), ("adagrad", ["w/Adagrad"]),
    ("rmsprop", ["w/RMSProp", "w/RMSProp_1"]),
    ("rmsprop_centered", ["w/RMSProp", "w/RMSProp_1", "w/RMSProp_2"]),
    ("adadelta", ["w/Adadelta", "w/Adadelta_1"]), ("adam", ["w/Adam", "w/Adam_1"])])
def test_slot_variable_names(opt, slots):
    build_model(tf, OPTIMIZERS[opt], sparse=False)
    names = [v.op.name for v in tf.global_variables()]
    assert [n for n in names if n.startswith("w/")] == slots


def test_global_step_incremented_after_updates():
    m = build_model(tf, OPTIMIZERS["gd"], sparse=False)
    train = m["train"]
    assert train.type == "AssignAdd" and train.name == "GradientDescent"
    update = tf.get_default_graph().get_operation_by_name("GradientDescent/update")
    # As in TF, the control dependency sits on the increment's input (GradientDescent/value).
    deps = set(train.control_inputs)
    for t in train.inputs:
        deps.update(t.op.control_inputs)
    assert update in deps
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        for _ in range(3):
            s.run(train, {m["x"]: np.ones((2, 4)), m["ids"]: [0, 1]})
        assert tf.train.global_step(s, m["gs"]) == 3


def test_apply_gradients_name_and_no_global_step():
    w = tf.Variable([1.0, 2.0], name="w")
    op = tf.train.GradientDescentOptimizer(0.5).apply_gradients(
        [(tf.constant([1.0, 1.0]), w)], name="my_train")
    assert op.name == "my_train" and op.type == "NoOp"
    with tf.Session() as s:
        s.run(w.initializer)
        s.run(op)
        np.testing.assert_allclose(s.run(w), [0.5, 1.5])


def test_none_gradients_are_skipped_and_all_none_raises():
    w = tf.Variable([1.0], name="w")
    u = tf.Variable([2.0], name="u")
    loss = tf.reduce_sum(w * 3.0)
    opt = tf.train.GradientDescentOptimizer(1.0)
    gv = opt.compute_gradients(loss)
    assert gv[1][0] is None and gv[1][1] is u
    op = opt.apply_gradients(gv)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(op)
        assert s.run(w)[0] == -2.0 and s.run(u)[0] == 2.0
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, w), (None, u)])
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.minimize(tf.reduce_sum(tf.constant([1.0])), var_list=[w])
    with pytest.raises(ValueError, match="No variables provided"):
        opt.apply_gradients([])


def test_compute_gradients_errors():
    opt = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match="No variables to optimize"):
        opt.compute_gradients(tf.constant(1.0))
    v = tf.Variable(1.0)
    with pytest.raises(ValueError, match="gate_gradients must be one of"):
        opt.compute_gradients(v * 2.0, gate_gradients=7)
    iv = tf.Variable(1, name="iv")
    with pytest.raises(ValueError, match="Invalid type"):
        opt.compute_gradients(tf.cast(iv, tf.int32) * 2, var_list=[iv])
    with pytest.raises(ValueError, match="Must specify the optimizer name"):
        tf.train.Optimizer(False, "")
    with pytest.raises(ValueError, match="initial_accumulator_value must be positive"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)


def test_var_list_and_grad_loss():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(1.0, name="b")
    loss = a * 2.0 + b * 3.0
    opt = tf.train.GradientDescentOptimizer(1.0)
    op = opt.minimize(loss, var_list=[b], grad_loss=tf.constant(0.5))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(op)
        assert s.run(a) == 1.0 and s.run(b) == -0.5


def test_gate_graph_and_gate_none():
    a = tf.Variable([1.0, 2.0])
    loss = tf.reduce_sum(a * a)
    for gate in (tf.train.Optimizer.GATE_NONE, tf.train.Optimizer.GATE_GRAPH):
        gv = tf.train.GradientDescentOptimizer(0.1).compute_gradients(loss, gate_gradients=gate)
        with tf.Session() as s:
            s.run(a.initializer)
            np.testing.assert_allclose(s.run(gv[0][0]), [2.0, 4.0])


def test_callable_learning_rate_and_hyperparameters():
    w = tf.Variable([1.0])
    opt = tf.train.MomentumOptimizer(lambda: 0.5, lambda: 0.0)
    op = opt.minimize(tf.reduce_sum(w * 2.0))
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(op)
        np.testing.assert_allclose(s.run(w), [0.0])


def test_constraint_applied_after_dense_update():
    w = tf.Variable([3.0, -3.0], constraint=lambda v: tf.clip_by_value(v, -1.0, 1.0)
                    if hasattr(tf, "clip_by_value") else tf.minimum(tf.maximum(v, -1.0), 1.0))
    op = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w))
    with tf.Session() as s:
        s.run(w.initializer)
        s.run(op)
        np.testing.assert_allclose(s.run(w), [1.0, -1.0])


def test_two_optimizers_share_nothing():
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(w * w)
    tf.train.AdamOptimizer(0.1).minimize(loss)
    tf.train.AdamOptimizer(0.1).minimize(loss)
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["w", "beta1_power", "beta2_power", "w/Adam", "w/Adam_1", "beta1_power_1",
                     "beta2_power_1", "w/Adam_2", "w/Adam_3"]


def test_repeated_indices_in_sparse_gradient_are_summed():
    """IndexedSlices with duplicate rows: summed once before the (non-linear) update."""
    emb = tf.Variable(np.ones((3, 2), np.float32), name="emb")
    rows = tf.gather(emb, [0, 0, 2])
    loss = tf.reduce_sum(rows)
    op = tf.train.AdagradOptimizer(1.0, initial_accumulator_value=1e-12).minimize(loss)
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        s.run(op)
        # row 0 has gradient 2 (summed): accum 4, step 2/sqrt(4) = 1; row 2: 1/1 = 1
        np.testing.assert_allclose(s.run(emb), [[0, 0], [1, 1], [0, 0]], atol=1e-6)
