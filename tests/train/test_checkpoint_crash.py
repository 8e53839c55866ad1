"""A save killed midway (SIGKILL or exit between the file writes) leaves the previous
checkpoint intact and ``latest_checkpoint`` naming it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import minitf as tf
from minitf.train import checkpoint_format as cf

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import os, sys
    import numpy as np
    import minitf as tf
    ckpt_dir, stage, action, same_prefix = sys.argv[1:5]
    w = tf.Variable(np.full((50, 20), 1.0, np.float32), name="w")
    step = tf.train.get_or_create_global_step()
    inc = tf.assign_add(step, 1)
    bump = tf.assign_add(w, tf.ones_like(w))
    saver = tf.train.Saver()
    prefix = os.path.join(ckpt_dir, "model.ckpt")
    with tf.Session() as s:
        s.run(tf.global_variables_initializer())
        saver.save(s, prefix, global_step=None if same_prefix == "1" else step)
        s.run([inc, bump])
        os.environ["{env}"] = stage + ":" + action
        saver.save(s, prefix, global_step=None if same_prefix == "1" else step)
    print("saved without fault", flush=True)
""").replace("{env}", cf.FAULT_ENV)


def _run_until_fault(tmp_path, stage, action, same_prefix=False):
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    env.pop(cf.FAULT_ENV, None)
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path), stage, action,
                             "1" if same_prefix else "0"], env=env, cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if action == "sleep":
        deadline = time.time() + 120
        line = ""
        while time.time() < deadline:
            line = proc.stderr.readline()
            if not line or line.startswith("minitf-checkpoint-fault"):
                break
        assert line.strip() == f"minitf-checkpoint-fault {stage}", proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
    else:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 86, err
    proc.stdout.close()
    proc.stderr.close()


def _restore_w(prefix):
    tf.reset_default_graph()
    w = tf.Variable(np.zeros((50, 20), np.float32), name="w")
    step = tf.train.get_or_create_global_step()
    saver = tf.train.Saver()
    with tf.Session() as s:
        saver.restore(s, prefix)
        return s.run([w, step])


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["data_written", "index_written", "data_renamed"])
def test_sigkill_between_writes_keeps_previous_checkpoint(tmp_path, stage):
    _run_until_fault(tmp_path, stage, "sleep")
    latest = tf.train.latest_checkpoint(str(tmp_path))
    assert latest == str(tmp_path / "model.ckpt-0")
    assert not tf.train.checkpoint_exists(str(tmp_path / "model.ckpt-1"))
    w, step = _restore_w(latest)
    np.testing.assert_array_equal(w, np.ones((50, 20)))
    assert step == 0
    visible = sorted(f for f in os.listdir(tmp_path) if "tempstate" not in f)
    assert "model.ckpt-1.index" not in visible


@pytest.mark.slow
def test_kill_after_index_before_state_file(tmp_path):
    """The new checkpoint is complete, but the state file still names the previous one."""
    _run_until_fault(tmp_path, "index_renamed", "exit")
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt-0")
    w, step = _restore_w(str(tmp_path / "model.ckpt-1"))
    np.testing.assert_array_equal(w, np.full((50, 20), 2.0))
    assert step == 1


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["data_written", "index_written", "data_renamed"])
def test_killed_overwrite_of_same_prefix_keeps_old_values(tmp_path, stage):
    _run_until_fault(tmp_path, stage, "exit", same_prefix=True)
    latest = tf.train.latest_checkpoint(str(tmp_path))
    assert latest == str(tmp_path / "model.ckpt")
    w, step = _restore_w(latest)
    np.testing.assert_array_equal(w, np.ones((50, 20)))
    assert step == 0
