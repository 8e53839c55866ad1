"""Cases for the training update ops (minitf.ops.training_ops) and the checkpoint ops.

An update op's case initializes its variables (a control dependency on their initializers),
applies one update and returns the updated variable: the registry tests then compare the fused
kernel against the numpy reference. Update ops have no gradient (grad=False).
"""

import atexit
import os
import shutil
import tempfile

import numpy as np

import minitf as tf
from minitf.ops import training_ops as T
from tests.ops.cases import case, rand


def _vars(*arrays):
    vs = [tf.Variable(a, name=f"v{i}") for i, a in enumerate(arrays)]
    return vs, [v.initializer for v in vs]


def _apply(fn, shapes_pos, scalars, grad_shape=(3, 4), sparse=False, dtype=np.float64):
    """Builds ``fn(*refs, *hyper..., grad[, indices])`` after initializing the refs."""
    refs, inits = _vars(*[rand(*s, low=0.1, high=1.0).astype(dtype) for s in shapes_pos])
    g = tf.placeholder(dtype, grad_shape)
    feeds = {g: rand(*grad_shape).astype(dtype)}
    with tf.control_dependencies(inits):
        hyper = [tf.constant(dtype(s)) for s in scalars]
        if sparse:
            idx = tf.constant(np.array([2, 0, 2], np.int32))
            out = fn(*refs, *hyper, g, idx)
        else:
            out = fn(*refs, *hyper, g)
    return tf.identity(out), feeds


@case("ApplyGradientDescent", grad=False)
def apply_gd():
    return _apply(lambda v, a, d: T.apply_gradient_descent(v, a, d), [(3, 4)], [0.1])


@case("ApplyMomentum", grad=False)
def apply_momentum():
    return _apply(lambda v, a, lr, g: T.apply_momentum(v, a, lr, g, 0.9),
                  [(3, 4), (3, 4)], [0.1])


@case("ApplyMomentum", grad=False)
def apply_momentum_nesterov():
    return _apply(lambda v, a, lr, g: T.apply_momentum(v, a, lr, g, 0.9, use_nesterov=True),
                  [(3, 4), (3, 4)], [0.1], dtype=np.float32)


@case("ApplyAdagrad", grad=False)
def apply_adagrad():
    return _apply(T.apply_adagrad, [(3, 4), (3, 4)], [0.1])


@case("ApplyRMSProp", grad=False)
def apply_rms_prop():
    return _apply(T.apply_rms_prop, [(3, 4)] * 3, [0.01, 0.9, 0.5, 1e-10])


@case("ApplyCenteredRMSProp", grad=False)
def apply_centered_rms_prop():
    def fn(v, mg, ms, mom, *rest):
        return T.apply_centered_rms_prop(v, mg, ms, mom, *rest)

    refs = [(3, 4)] * 4
    return _apply(fn, refs, [0.01, 0.9, 0.5, 1e-10], dtype=np.float32)


@case("ApplyAdadelta", grad=False)
def apply_adadelta():
    return _apply(T.apply_adadelta, [(3, 4)] * 3, [1.0, 0.95, 1e-8])


@case("ApplyAdam", grad=False)
def apply_adam():
    return _apply(T.apply_adam, [(3, 4)] * 3, [0.9, 0.999, 0.01, 0.9, 0.999, 1e-8])


@case("ApplyAdam", grad=False)
def apply_adam_nesterov_f32():
    def fn(*args):
        return T.apply_adam(*args, use_nesterov=True)

    return _apply(fn, [(3, 4)] * 3, [0.9, 0.999, 0.01, 0.9, 0.999, 1e-8], dtype=np.float32)


def _sparse(fn, n_refs, scalars, dtype=np.float64):
    return _apply(fn, [(4, 2)] * n_refs, scalars, grad_shape=(3, 2), sparse=True, dtype=dtype)


@case("SparseApplyMomentum", grad=False)
def sparse_apply_momentum():
    return _sparse(lambda v, a, lr, g, i: T.sparse_apply_momentum(v, a, lr, g, i, 0.9), 2,
                   [0.1])


@case("SparseApplyAdagrad", grad=False)
def sparse_apply_adagrad():
    return _sparse(T.sparse_apply_adagrad, 2, [0.1], dtype=np.float32)


@case("SparseApplyRMSProp", grad=False)
def sparse_apply_rms_prop():
    return _sparse(T.sparse_apply_rms_prop, 3, [0.01, 0.9, 0.5, 1e-10])


@case("SparseApplyCenteredRMSProp", grad=False)
def sparse_apply_centered_rms_prop():
    return _sparse(T.sparse_apply_centered_rms_prop, 4, [0.01, 0.9, 0.5, 1e-10])


@case("SparseApplyAdadelta", grad=False)
def sparse_apply_adadelta():
    return _sparse(T.sparse_apply_adadelta, 3, [1.0, 0.95, 1e-8])


_TMP = tempfile.mkdtemp(prefix="minitf-case-")
atexit.register(shutil.rmtree, _TMP, True)


def _checkpoint_round_trip():
    from minitf.train.checkpoint_ops import restore_v2, save_v2

    prefix = os.path.join(tempfile.mkdtemp(dir=_TMP), "ckpt")
    x = tf.placeholder(tf.float64, [2, 3])
    n = tf.constant(np.array([1, 2, 3], np.int64))
    save = save_v2(prefix, ["x", "n"], ["", ""], [x * 2.0, n])
    with tf.control_dependencies([save]):
        xr, nr = restore_v2(prefix, ["x", "n"], ["", ""], [tf.float64, tf.int64])
    return xr + tf.cast(tf.reduce_sum(nr), tf.float64), {x: rand(2, 3)}


case("SaveV2", grad=False)(_checkpoint_round_trip)
case("RestoreV2", grad=False)(_checkpoint_round_trip)
