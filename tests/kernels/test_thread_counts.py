"""Kernels that split work over the intra-op pool give the same results for any thread count,
including more threads than there are blocks (a 16-core machine found a batch-matmul split that
left batch entries uncomputed when threads > batch size)."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf.kernels.cpu import (
    matmul,
    nn_activation,
    nn_conv_jit,
    nn_pool,
    parallel,
    training_kernels,
)
from minitf.kernels.cpu.parallel import blas_limiter


@pytest.fixture
def split_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every splittable kernel splits, whatever the shapes and this machine's load."""
    monkeypatch.setattr(parallel, "free_cores", lambda: 64.0)
    monkeypatch.setattr(matmul, "_PARALLEL_MIN_FLOPS", 0.0)
    monkeypatch.setattr(nn_conv_jit, "_PARALLEL_MIN_FLOPS", 0.0)
    monkeypatch.setattr(training_kernels, "_PARALLEL_MIN", 1)
    monkeypatch.setattr(nn_pool, "_PARALLEL_MIN", 1)
    monkeypatch.setattr(nn_activation, "_PARALLEL_MIN", 1)


@pytest.mark.parametrize("threads", [1, 2, 3, 5, 8, 13])
@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_batch_gemm_any_thread_count(split_everything: None, threads: int, count: int) -> None:
    rng = np.random.default_rng(count * 100 + threads)
    x = rng.standard_normal((count, 4, 5)).astype(np.float32)
    y = rng.standard_normal((count, 5, 3)).astype(np.float32)
    with blas_limiter:
        got = matmul.batch_gemm(x, y, threads)
    np.testing.assert_allclose(got, np.matmul(x, y), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("threads", [1, 2, 3, 8, 13])
def test_gemm_any_thread_count(split_everything: None, threads: int) -> None:
    rng = np.random.default_rng(threads)
    for m, k, n in [(1, 3, 2), (5, 7, 3), (40, 9, 70), (3, 2, 100)]:
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        with blas_limiter:
            got = matmul.gemm(a, b, threads)
        np.testing.assert_allclose(got, a @ b, rtol=1e-5, atol=1e-5)


def _train(threads: int, steps: int = 3) -> list[np.ndarray]:
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(1)
        x = tf.constant(np.random.default_rng(0).standard_normal((6, 12, 12, 2)), tf.float32)
        labels = tf.constant(np.arange(6) % 4)
        h = tf.layers.conv2d(x, 5, 3, padding="same", activation=tf.nn.relu)
        h = tf.layers.max_pooling2d(h, 2, 2)
        h = tf.layers.dense(tf.layers.flatten(h), 16, activation=tf.nn.relu)
        logits = tf.layers.dense(h, 4)
        loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        cfg = tf.ConfigProto(intra_op_parallelism_threads=threads)
        with tf.Session(config=cfg) as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(steps):
                sess.run(train)
            return sess.run(tf.trainable_variables() + [loss])


def test_training_same_for_any_thread_count(split_everything: None) -> None:
    want = _train(1)
    for threads in (2, 3, 8):
        got = _train(threads)
        for w, v in zip(want, got):
            np.testing.assert_allclose(v, w, rtol=2e-5, atol=2e-6)
