"""The TF 1.x layers oracle and helpers to run the same layer graph in minitf and in TF."""

from __future__ import annotations

import types

import numpy as np
import pytest


@pytest.fixture
def tfl(tfv1):
    """TF 1.x's ``tf.layers`` (tf-keras' legacy layers: what ``tf.compat.v1.layers`` is with
    ``TF_USE_LEGACY_KERAS=1``), imported directly so the variable needs no setting before
    TensorFlow's first import. Skipped where tf-keras is absent."""
    pytest.importorskip("tf_keras")
    from tf_keras.src.legacy_tf_layers import convolutional, core, normalization, pooling

    return types.SimpleNamespace(
        dense=core.dense, Dense=core.Dense, dropout=core.dropout, flatten=core.flatten,
        conv2d=convolutional.conv2d, max_pooling2d=pooling.max_pooling2d,
        average_pooling2d=pooling.average_pooling2d,
        batch_normalization=normalization.batch_normalization, tf=tfv1,
        conv1d=convolutional.conv1d, conv2d_transpose=convolutional.conv2d_transpose,
        separable_conv2d=convolutional.separable_conv2d)


def copy_variables(tf_sess, tf_vars, mt_sess, mt_vars) -> None:
    """Load the values of TF's variables into minitf's (matched by name)."""
    values = dict(zip([v.name for v in tf_vars], tf_sess.run(tf_vars)))
    assert sorted(values) == sorted(v.name for v in mt_vars)
    for v in mt_vars:
        v.load(values[v.name], mt_sess)


def assert_close(a, b, rtol=1e-5, atol=1e-5) -> None:
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)
