"""The ``tf.train`` namespace: TF 1.x names are there; importing it compiles nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import minitf as tf

NAMES = """Optimizer GradientDescentOptimizer MomentumOptimizer AdagradOptimizer RMSPropOptimizer
AdadeltaOptimizer AdamOptimizer exponential_decay inverse_time_decay natural_exp_decay
piecewise_constant polynomial_decay cosine_decay cosine_decay_restarts linear_cosine_decay
noisy_linear_cosine_decay global_step get_global_step create_global_step
get_or_create_global_step assert_global_step Saver SaverDef latest_checkpoint
get_checkpoint_state checkpoint_exists update_checkpoint_state generate_checkpoint_state_proto
get_checkpoint_mtimes remove_checkpoint CheckpointState NewCheckpointReader load_checkpoint
list_variables load_variable export_meta_graph import_meta_graph write_graph""".split()


def test_tf_train_names():
    missing = [n for n in NAMES if not hasattr(tf.train, n)]
    assert not missing
    assert set(NAMES) <= set(tf.train.__all__)
    assert tf.train.SaverDef.V2 == 2


def test_importing_tf_train_does_not_import_numba():
    root = Path(__file__).resolve().parents[2]
    code = ("import sys, minitf as tf; tf.train.AdamOptimizer; "
            "import minitf.ops.clip_ops, minitf.kernels.cpu.training_kernels; "
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(root), env={"PYTHONPATH": str(root), "PATH": "/usr/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
