"""The digit classifiers of the main job, written in TF 1.x style against a ``tf`` module argument
so that the same code builds the same graph in minitf and in ``tensorflow.compat.v1`` (the
benchmark runs both).

* ``mlp``: 784-256-128-10, ReLU, dropout after each hidden layer.
* ``cnn`` (LeNet): conv 5x5x32 - max pool 2 - conv 5x5x64 - max pool 2 - fc 256 - dropout - 10.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Model", "build_model", "mlp_logits", "lenet_logits", "DEFAULT_DROPOUT", "MODELS"]

MODELS = ("mlp", "cnn")
DEFAULT_DROPOUT = {"mlp": 0.2, "cnn": 0.5}


@dataclass
class Model:
    """The tensors and ops of one classifier graph."""

    images: Any
    labels: Any
    training: Any
    logits: Any
    loss: Any
    accuracy: Any
    correct: Any
    train_op: Any
    global_step: Any
    summaries: Any


def mlp_logits(tf: Any, images: Any, training: Any, num_classes: int = 10,
               hidden: tuple[int, ...] = (256, 128), dropout: float = 0.2) -> Any:
    """A ReLU multi-layer perceptron with dropout after each hidden layer."""
    h = images
    for units in hidden:
        h = tf.layers.dense(h, units, activation=tf.nn.relu)
        if dropout:
            h = tf.layers.dropout(h, rate=dropout, training=training)
    return tf.layers.dense(h, num_classes)


def lenet_logits(tf: Any, images: Any, training: Any, side: int, num_classes: int = 10,
                 fc: int = 256, dropout: float = 0.5) -> Any:
    """LeNet-style: two 5x5 SAME convolutions (32, 64 filters) each followed by 2x2 max pooling,
    a fully connected ReLU layer of ``fc`` units with dropout, and the class scores."""
    x = tf.reshape(images, [-1, side, side, 1])
    h = tf.layers.conv2d(x, 32, 5, padding="same", activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.layers.conv2d(h, 64, 5, padding="same", activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.layers.flatten(h)
    h = tf.layers.dense(h, fc, activation=tf.nn.relu)
    if dropout:
        h = tf.layers.dropout(h, rate=dropout, training=training)
    return tf.layers.dense(h, num_classes)


def build_model(tf: Any, model: str = "mlp", side: int = 28, num_classes: int = 10,
                learning_rate: float = 1e-3, dropout: float | None = None, fc: int = 256,
                seed: int | None = 0) -> Model:
    """Placeholders, classifier, mean sparse softmax cross-entropy, accuracy, Adam, summaries in
    the default graph of ``tf`` (minitf or ``tensorflow.compat.v1``)."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}: expected one of {MODELS}")
    if seed is not None:
        tf.set_random_seed(seed)
    dropout = DEFAULT_DROPOUT[model] if dropout is None else dropout
    with tf.name_scope("input"):
        images = tf.placeholder(tf.float32, [None, side * side], name="images")
        labels = tf.placeholder(tf.int64, [None], name="labels")
        training = tf.placeholder_with_default(False, [], name="training")
    if model == "mlp":
        logits = mlp_logits(tf, images, training, num_classes, dropout=dropout)
    else:
        logits = lenet_logits(tf, images, training, side, num_classes, fc=fc, dropout=dropout)
    with tf.name_scope("cross_entropy"):
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits))
    with tf.name_scope("metrics"):
        correct = tf.equal(tf.argmax(logits, 1), labels)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    global_step = tf.train.get_or_create_global_step()
    train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=global_step)
    summaries = tf.summary.merge([tf.summary.scalar("loss", loss),
                                  tf.summary.scalar("accuracy", accuracy)])
    return Model(images, labels, training, logits, loss, accuracy, correct, train_op,
                 global_step, summaries)
