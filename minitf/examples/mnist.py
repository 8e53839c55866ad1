"""Train a handwritten-digit classifier end to end (``python -m minitf.examples.mnist``,
``make demo``).

TF 1.x-style code under ``import minitf as tf``: ``tf.layers`` model, Adam, mini-batches from
TF1's ``DataSet.next_batch``, dropout while training. It prints the test accuracy and writes
into ``--logdir``: the TensorBoard event file (graph, loss/accuracy scalars), the GraphDef as
``graph.pbtxt``, the visualizer's picture of the graph when available, and a checkpoint.

Data (``--data-dir``, default: ``../shared/data/mnist`` when present, else
``~/.minitf/datasets/mnist``):

* a directory with the four MNIST files: the standard 60,000 / 10,000 split;
* a directory with only the two t10k files: train on the first 8,000, test on the last 2,000;
* neither, and no network: scikit-learn's 8x8 handwritten digits (``pip install -e ".[demo]"``),
  said clearly on stderr.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["main", "parse_args", "load_data", "train", "DataChoice", "RunResult"]


@dataclass
class DataChoice:
    """The arrays a run trains and tests on, and where they came from."""

    name: str
    description: str
    train: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]

    @property
    def side(self) -> int:
        return int(self.train[0].shape[1])


@dataclass
class RunResult:
    """What :func:`train` measured and wrote."""

    test_accuracy: float
    final_loss: float
    steps: int
    first_step_seconds: float
    steps_per_second: float
    files: dict[str, str] = field(default_factory=dict)


class DataUnavailable(Exception):
    """Neither MNIST nor the digits fallback can be had: one line for the user."""


def load_data(data_dir: str | None = None, dataset: str = "auto", download: bool = True,
              log: Any = print) -> DataChoice:
    """Choose and load the data as the module docstring says."""
    from minitf.datasets import mnist

    if dataset == "digits":
        return _digits("--dataset digits")
    directory = Path(data_dir).expanduser() if data_dir else (mnist.find_shared_data_dir()
                                                              or mnist.default_data_dir())
    full = [mnist.TRAIN_IMAGES, mnist.TRAIN_LABELS, mnist.TEST_IMAGES, mnist.TEST_LABELS]
    has_full = all((directory / f).exists() for f in full)
    has_test = all((directory / f).exists() for f in full[2:])
    if has_full:
        return _full(directory)
    if has_test and (data_dir or directory == mnist.find_shared_data_dir()):
        return _split(directory)
    if download:
        try:
            for name in full:
                mnist.maybe_download(name, directory)
            return _full(directory)
        except mnist.MnistUnavailableError as e:
            reason = str(e)
    else:
        missing = next(f for f in full if not (directory / f).exists())
        reason = f"MNIST file {missing} is missing from {directory} (downloads disabled)"
    if has_test:
        return _split(directory)
    if dataset == "mnist":
        raise DataUnavailable(reason)
    log(f"minitf: {reason}", file=sys.stderr)
    return _digits("MNIST is not available offline")


def _full(directory: Path) -> DataChoice:
    from minitf.datasets import mnist

    arrays = mnist.load_data(directory, download=False)
    return DataChoice("mnist", f"MNIST from {directory} (60,000/10,000 split)", *arrays)


def _split(directory: Path) -> DataChoice:
    from minitf.datasets import mnist

    arrays = mnist.load_split(directory, download=False)
    return DataChoice("mnist-t10k-split",
                      f"MNIST t10k from {directory}: train on the first {mnist.SPLIT_TRAIN}, "
                      f"test on the last {mnist.SPLIT_TEST}", *arrays)


def _digits(why: str) -> DataChoice:
    from minitf.datasets import mnist

    try:
        arrays = mnist.load_digits()
    except ImportError:
        raise DataUnavailable('MNIST is not available and the offline fallback (8x8 digits) '
                              'needs scikit-learn: pip install -e ".[demo]"') from None
    return DataChoice("digits", f"{why}: using scikit-learn's 8x8 handwritten digits instead "
                      f"({mnist.describe(arrays)})", *arrays)


def _as_float(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)


def evaluate(sess: Any, model: Any, images: np.ndarray, labels: np.ndarray,
             batch_size: int = 500) -> float:
    """Accuracy over ``images`` in batches (inference mode: no dropout)."""
    correct = 0
    for start in range(0, len(images), batch_size):
        stop = start + batch_size
        hits = sess.run(model.correct, {model.images: images[start:stop],
                                        model.labels: labels[start:stop]})
        correct += int(np.sum(hits))
    return correct / max(len(images), 1)


def _write_graph_pictures(graph: Any, logdir: Path, files: dict[str, str], log: Any) -> None:
    """The visualizer's pictures of the graph: interactive ``graph.html`` and, where Graphviz's
    ``dot`` is installed, ``graph.svg``."""
    try:
        from minitf import viz
    except ImportError:  # pragma: no cover - the visualizer is part of minitf
        return
    for kind in ("html", "svg"):
        if kind == "svg" and not viz.dot_available():
            log("minitf: Graphviz's dot is not installed: no graph.svg (graph.html and "
                "graph.pbtxt have the graph)", file=sys.stderr)
            continue
        path = logdir / f"graph.{kind}"
        try:
            viz.render(graph, str(path))
        except Exception as e:  # noqa: BLE001 - a picture is optional; training succeeded
            log(f"minitf: could not draw {path.name}: {e}", file=sys.stderr)
            continue
        files[f"graph_{kind}"] = str(path)


def train(args: argparse.Namespace, log: Any = print) -> RunResult:
    """Build, train, evaluate, and write the logs and checkpoint for ``args``."""
    import minitf as tf
    from minitf.examples.mnist_models import build_model
    from minitf.examples.progress import ProgressBar
    from minitf.examples.tutorials.mnist.input_data import DataSet

    data = load_data(args.data_dir, args.dataset, download=not args.no_download, log=log)
    info = (lambda *a, **k: None) if args.quiet else log
    info(f"data: {data.description}")
    x_train, y_train = data.train
    if args.train_size:
        x_train, y_train = x_train[:args.train_size], y_train[:args.train_size]
    x_test, y_test = _as_float(data.test[0]), data.test[1].astype(np.int64)
    train_set = DataSet(x_train[..., None], y_train.astype(np.int64), seed=args.seed)
    epochs = args.epochs if args.epochs is not None else (8 if args.model == "mlp" else 3)

    tf.reset_default_graph()
    model = build_model(tf, args.model, side=data.side, learning_rate=args.learning_rate,
                        dropout=args.dropout, seed=args.seed)
    logdir = Path(args.logdir)
    logdir.mkdir(parents=True, exist_ok=True)
    saver = tf.train.Saver()
    steps_per_epoch = math.ceil(train_set.num_examples / args.batch_size)
    info(f"model: {args.model}, {epochs} epochs of {steps_per_epoch} steps, batch "
         f"{args.batch_size}, Adam {args.learning_rate}")
    files: dict[str, str] = {}
    first_step = 0.0
    rates: list[float] = []
    loss_value = float("nan")
    with tf.Session() as sess:
        writer = tf.summary.FileWriter(str(logdir), sess.graph)
        sess.run(tf.global_variables_initializer())
        step = 0
        accuracy = evaluate(sess, model, x_test, y_test) if epochs == 0 else float("nan")
        for epoch in range(1, epochs + 1):
            bar = ProgressBar(steps_per_epoch, f"epoch {epoch}/{epochs}",
                              enabled=not args.quiet)
            for _ in range(steps_per_epoch):
                xs, ys = train_set.next_batch(args.batch_size)
                feed = {model.images: xs, model.labels: ys, model.training: True}
                started = time.perf_counter()
                if step % args.summary_every == 0:
                    _, loss_value, summary = sess.run(
                        [model.train_op, model.loss, model.summaries], feed)
                    writer.add_summary(summary, step)
                else:
                    _, loss_value = sess.run([model.train_op, model.loss], feed)
                if step == 0:
                    first_step = time.perf_counter() - started
                step += 1
                bar.update(1, loss_value)
            accuracy = evaluate(sess, model, x_test, y_test)
            writer.add_summary(tf.Summary(value=[tf.Summary.Value(
                tag="test_accuracy", simple_value=accuracy)]), step)
            if bar.steps_per_second:
                rates.append(bar.steps_per_second)
            bar.close(f"test accuracy {accuracy:.4f}")
        writer.flush()
        writer.close()
        files["events"] = str(logdir)
        files["checkpoint"] = saver.save(sess, str(logdir / "model.ckpt"), global_step=step)
        files["graph_pbtxt"] = tf.train.write_graph(sess.graph_def, str(logdir), "graph.pbtxt",
                                                    as_text=True)
        _write_graph_pictures(sess.graph, logdir, files, info)
    return RunResult(accuracy, float(loss_value), step, first_step,
                     float(np.median(rates)) if rates else float("nan"), files)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m minitf.examples.mnist",
        description="Train a handwritten-digit classifier with minitf (TF 1.x style).")
    parser.add_argument("--model", choices=["mlp", "cnn", "lenet"], default="mlp",
                        help="mlp: 784-256-128-10 ReLU with dropout (default); cnn/lenet: "
                             "conv5x5x32-pool-conv5x5x64-pool-fc256-10 with dropout")
    parser.add_argument("--epochs", type=int, default=None,
                        help="passes over the training set (default: 8 mlp, 3 cnn)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="Adam's step size")
    parser.add_argument("--dropout", type=float, default=None,
                        help="dropout rate while training (default: 0.2 mlp, 0.5 cnn)")
    parser.add_argument("--seed", type=int, default=0, help="graph and shuffling seed")
    parser.add_argument("--data-dir", default=None,
                        help="directory of MNIST .gz files (default: ../shared/data/mnist if "
                             "present, else ~/.minitf/datasets/mnist, downloading when online)")
    parser.add_argument("--dataset", choices=["auto", "mnist", "digits"], default="auto",
                        help="auto: MNIST, else the 8x8 digits offline; mnist: fail without "
                             "MNIST; digits: scikit-learn's 8x8 digits")
    parser.add_argument("--no-download", action="store_true", help="never use the network")
    parser.add_argument("--train-size", type=int, default=None,
                        help="train on only the first N training images (quick runs)")
    parser.add_argument("--logdir", default="runs/mnist",
                        help="where the TensorBoard log, graph and checkpoint go")
    parser.add_argument("--summary-every", type=int, default=20,
                        help="write the loss/accuracy scalars every N steps")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar; print only the test accuracy")
    args = parser.parse_args(argv)
    if args.model == "lenet":
        args.model = "cnn"
    if args.batch_size < 1 or (args.epochs is not None and args.epochs < 0):
        parser.error("--batch-size must be positive and --epochs not negative")
    if args.summary_every < 1:
        parser.error("--summary-every must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = train(args)
    except DataUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"test accuracy: {result.test_accuracy:.4f}")
    if not args.quiet:
        print(f"first training step {result.first_step_seconds:.2f} s (graph + kernel "
              f"compilation), then {result.steps_per_second:.1f} steps/s")
        for kind, path in result.files.items():
            print(f"wrote {kind}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
