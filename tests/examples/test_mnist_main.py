"""The main job ``python -m minitf.examples.mnist`` end to end on tiny budgets: data choice,
logs, graph, checkpoint, determinism, the offline fallbacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minitf as tf
from minitf.examples import mnist as main_job
from minitf.examples.mnist_models import build_model

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path = ROOT, timeout: int = 240) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "minitf.examples.mnist", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout)


def _events(logdir: Path) -> list:
    from minitf.summary.writer import summary_iterator

    (path,) = logdir.glob("events.out.tfevents.*")
    return list(summary_iterator(path))


def _tags(events: list) -> set[str]:
    return {v.tag for e in events if e.HasField("summary") for v in e.summary.value}


def test_digits_end_to_end_in_subprocess(tmp_path):
    pytest.importorskip("sklearn")
    logdir = tmp_path / "run"
    result = _run("--dataset", "digits", "--epochs", "1", "--logdir", str(logdir))
    assert result.returncode == 0, result.stderr
    assert "8x8 handwritten digits" in result.stdout
    accuracy = float(result.stdout.split("test accuracy: ")[1].split()[0])
    assert 0.5 < accuracy <= 1.0
    assert "steps/s" in result.stderr and "epoch 1/1" in result.stderr  # the progress bar
    assert (logdir / "graph.pbtxt").read_text().count('name: "dense/kernel"') == 1
    assert (logdir / "checkpoint").exists()
    assert list(logdir.glob("model.ckpt-*.index"))
    assert "<html" in (logdir / "graph.html").read_text().lower()
    from minitf import viz

    if viz.dot_available():
        assert (logdir / "graph.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    events = _events(logdir)
    assert any(e.graph_def for e in events)
    assert {"loss", "accuracy", "test_accuracy"} <= _tags(events)


def test_offline_without_mnist_falls_back_to_digits(tmp_path):
    pytest.importorskip("sklearn")
    result = _run("--data-dir", str(tmp_path / "empty"), "--no-download", "--epochs", "1",
                  "--model", "mlp", "--quiet", "--logdir", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    assert "train-images-idx3-ubyte.gz is missing" in result.stderr
    assert result.stdout.startswith("test accuracy: ")


def test_missing_sklearn_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    code = main_job.main(["--data-dir", str(tmp_path), "--no-download", "--quiet",
                          "--logdir", str(tmp_path / "run")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1] == ('error: MNIST is not available and the offline fallback (8x8 digits) '
                       'needs scikit-learn: pip install -e ".[demo]"')


def test_dataset_mnist_required(tmp_path, capsys):
    code = main_job.main(["--dataset", "mnist", "--data-dir", str(tmp_path), "--no-download",
                          "--quiet", "--logdir", str(tmp_path / "run")])
    assert code == 2
    assert "train-images-idx3-ubyte.gz is missing" in capsys.readouterr().err


def test_mnist_subset_cnn_in_subprocess(tmp_path, mnist_dir):
    logdir = tmp_path / "cnn"
    result = _run("--model", "cnn", "--data-dir", str(mnist_dir), "--train-size", "96",
                  "--batch-size", "32", "--epochs", "1", "--logdir", str(logdir))
    assert result.returncode == 0, result.stderr
    assert "train on the first 8000, test on the last 2000" in result.stdout
    assert "conv2d/Conv2D" in (logdir / "graph.pbtxt").read_text()
    assert list(logdir.glob("model.ckpt-3.index"))


def test_default_data_is_the_shared_split(mnist_dir):
    data = main_job.load_data()
    assert data.name == "mnist-t10k-split" and data.side == 28
    assert len(data.train[0]) == 8000 and len(data.test[0]) == 2000


def _args(tmp_path, *extra: str):
    return main_job.parse_args(["--dataset", "digits", "--quiet", "--logdir",
                                str(tmp_path), *extra])


def test_deterministic_with_seed_and_checkpoint_restores(tmp_path):
    pytest.importorskip("sklearn")
    first = main_job.train(_args(tmp_path / "a", "--epochs", "1", "--seed", "3"))
    second = main_job.train(_args(tmp_path / "b", "--epochs", "1", "--seed", "3"))
    assert first.test_accuracy == second.test_accuracy
    assert first.final_loss == second.final_loss
    other = main_job.train(_args(tmp_path / "c", "--epochs", "1", "--seed", "4"))
    assert other.final_loss != first.final_loss

    data = main_job.load_data(dataset="digits")
    x_test = data.test[0].reshape(len(data.test[0]), -1).astype(np.float32) / 255
    with tf.Graph().as_default():
        model = build_model(tf, "mlp", side=8)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, tf.train.latest_checkpoint(str(tmp_path / "a")))
            accuracy = main_job.evaluate(sess, model, x_test, data.test[1].astype(np.int64))
    assert accuracy == first.test_accuracy


def test_parse_args_defaults_and_errors():
    args = main_job.parse_args([])
    assert (args.model, args.epochs, args.batch_size, args.seed) == ("mlp", None, 64, 0)
    assert main_job.parse_args(["--model", "lenet"]).model == "cnn"
    with pytest.raises(SystemExit):
        main_job.parse_args(["--batch-size", "0"])


def test_progress_bar_text():
    import io

    from minitf.examples.progress import ProgressBar

    stream = io.StringIO()
    bar = ProgressBar(4, "epoch 1/2", stream=stream)
    for _ in range(4):
        bar.update(1, loss=0.5)
    bar.close("test accuracy 0.9")
    line = stream.getvalue()
    assert line.startswith("epoch 1/2 [") and "4/4" in line and "steps/s" in line
    assert line.endswith("loss 0.5000  test accuracy 0.9\n") and "\r" not in line
    quiet = io.StringIO()
    ProgressBar(3, stream=quiet, enabled=False).close()
    assert quiet.getvalue() == ""


@pytest.mark.tf
def test_event_file_reads_in_tensorflow(tmp_path, tfv1):
    pytest.importorskip("sklearn")
    main_job.train(_args(tmp_path, "--epochs", "1"))
    (path,) = tmp_path.glob("events.out.tfevents.*")
    tags = set()
    graphs = 0
    for event in tfv1.train.summary_iterator(str(path)):
        graphs += bool(event.graph_def)
        tags |= {v.tag for v in event.summary.value}
    assert graphs == 1 and {"loss", "accuracy", "test_accuracy"} <= tags
