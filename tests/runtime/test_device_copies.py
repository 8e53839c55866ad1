"""The seam for accelerators: kernels keyed by device type, and copy steps between device
memories inserted by the plan. A fake "GPU" whose memory is a wrapper class stands in for CUDA."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minitf as tf
from minitf.kernels import registry
from minitf.runtime import devices


class DeviceArray:
    """A value in the fake device's memory: host code must never see one."""

    def __init__(self, value: Any) -> None:
        self.value = np.asarray(value)


@pytest.fixture
def fake_gpu(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"h2d": 0, "d2h": 0, "Square": 0, "AddV2": 0}
    monkeypatch.setattr(devices, "gpu_count", lambda: 1)

    def to_device(v: Any) -> DeviceArray:
        assert not isinstance(v, DeviceArray)
        calls["h2d"] += 1
        return DeviceArray(v)

    def to_host(v: DeviceArray) -> np.ndarray:
        assert isinstance(v, DeviceArray)
        calls["d2h"] += 1
        return v.value.copy()

    def gpu_kernel(op_type: str, fn: Any) -> Any:
        def factory(op: Any, state: Any) -> Any:
            def run(*xs: Any) -> DeviceArray:
                assert all(isinstance(x, DeviceArray) for x in xs), f"{op_type} got host memory"
                calls[op_type] += 1
                return DeviceArray(fn(*[x.value for x in xs]))
            return run
        return factory

    monkeypatch.setitem(registry._COPIES, ("CPU", "GPU"), to_device)
    monkeypatch.setitem(registry._COPIES, ("GPU", "CPU"), to_host)
    registry._load_cpu_kernels()
    monkeypatch.setitem(registry._KERNELS, ("Square", "GPU"), gpu_kernel("Square", np.square))
    monkeypatch.setitem(registry._KERNELS, ("AddV2", "GPU"), gpu_kernel("AddV2", np.add))
    return calls


@pytest.mark.parametrize("threads", [1, 4], ids=["sequential", "thread_pool"])
def test_copies_between_host_and_device(fake_gpu: dict[str, int], threads: int) -> None:
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [3], name="x")
        with tf.device("/gpu:0"):
            y = tf.square(x)            # reads the feed: one host-to-device copy
            z = y + y                   # device to device: no copy
            w = z + tf.constant(1.0)    # the constant is placed on the host (soft placement)
        v = tf.negative(w)              # host kernel reading a device value
        cfg = tf.ConfigProto(allow_soft_placement=True, inter_op_parallelism_threads=threads)
        opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
        meta = tf.RunMetadata()
        with tf.Session(config=cfg) as sess:
            got_w, got_v = sess.run([w, v], {x: [1.0, 2.0, 3.0]}, options=opts, run_metadata=meta)
    want = 2 * np.square([1.0, 2.0, 3.0]) + 1
    assert isinstance(got_w, np.ndarray) and isinstance(got_v, np.ndarray)
    np.testing.assert_allclose(got_w, want)
    np.testing.assert_allclose(got_v, -want)
    assert fake_gpu["Square"] == 1 and fake_gpu["AddV2"] == 2
    # x and the constant go to the device; w comes back once, shared by Neg and the fetch
    assert fake_gpu["h2d"] == 2 and fake_gpu["d2h"] == 1
    devs = {n.node_name: d.device for d in meta.step_stats.dev_stats for n in d.node_stats}
    assert devs[y.op.name].endswith("GPU:0") and devs[v.op.name].endswith("CPU:0")


def test_no_copies_without_registered_copy(fake_gpu: dict[str, int]) -> None:
    del registry._COPIES[("CPU", "GPU")]
    g = tf.Graph()
    with g.as_default(), tf.device("/cpu:0"):
        a = tf.square(tf.constant([2.0]))
        with tf.Session() as sess:
            assert sess.run(a).tolist() == [4.0]
    assert fake_gpu["h2d"] == 0 and fake_gpu["Square"] == 0
