"""Shared helpers of the training tests: one model built in minitf and in TF."""

from __future__ import annotations

import numpy as np

OPTIMIZERS = {
    "gd": lambda tf: tf.train.GradientDescentOptimizer(0.1),
    "momentum": lambda tf: tf.train.MomentumOptimizer(0.05, 0.9),
    "nesterov": lambda tf: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True),
    "adagrad": lambda tf: tf.train.AdagradOptimizer(0.1),
    "rmsprop": lambda tf: tf.train.RMSPropOptimizer(0.01),
    "rmsprop_mom": lambda tf: tf.train.RMSPropOptimizer(0.01, decay=0.8, momentum=0.5,
                                                        epsilon=1e-6),
    "rmsprop_centered": lambda tf: tf.train.RMSPropOptimizer(0.01, momentum=0.3,
                                                             centered=True),
    "adadelta": lambda tf: tf.train.AdadeltaOptimizer(1.0),
    "adadelta_default": lambda tf: tf.train.AdadeltaOptimizer(),
    "adam": lambda tf: tf.train.AdamOptimizer(0.05),
    "adam_default": lambda tf: tf.train.AdamOptimizer(),
}


def build_model(tf, make_opt, sparse: bool, dtype=None, global_step: bool = True,
                lr_schedule: bool = False):
    """A small model: dense layer (+ embedding rows through gather when ``sparse``)."""
    dtype = dtype or tf.float32
    npdt = np.float32 if dtype == tf.float32 else np.float64
    rng = np.random.default_rng(0)
    x = tf.placeholder(dtype, [None, 4], name="x")
    ids = tf.placeholder(tf.int32, [None], name="ids")
    w = tf.Variable(rng.standard_normal((4, 3)).astype(npdt), name="w")
    b = tf.get_variable("b", [3], dtype=dtype, initializer=tf.zeros_initializer())
    h = tf.matmul(x, w) + b
    if sparse:
        emb = tf.Variable(rng.standard_normal((6, 3)).astype(npdt), name="emb")
        h = h + tf.gather(emb, ids)
    loss = tf.reduce_mean(tf.square(tf.tanh(h) - 0.5))
    gs = tf.train.get_or_create_global_step() if global_step else None
    opt = make_opt(tf)
    train = opt.minimize(loss, global_step=gs)
    return {"x": x, "ids": ids, "train": train, "opt": opt, "loss": loss, "gs": gs}


def trajectory(tf, make_opt, sparse: bool, steps: int = 5, dtype=None):
    """Variable values (every global variable, slots included) after each step."""
    g = tf.Graph()
    with g.as_default():
        m = build_model(tf, make_opt, sparse, dtype)
        names = sorted(v.name for v in tf.global_variables())
        ops = sorted(op.name for op in g.get_operations())
        slot_names = m["opt"].get_slot_names()
        rng = np.random.default_rng(1)
        out = []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                feed = {m["x"]: rng.standard_normal((5, 4)),
                        m["ids"]: np.array([1, 3, 1, 5, 0], np.int32)}
                sess.run(m["train"], feed)
                out.append(sess.run({v.name: v for v in tf.global_variables()}))
    return {"names": names, "ops": ops, "values": out, "slot_names": slot_names,
            "train_name": m["train"].name, "train_type": m["train"].type}
