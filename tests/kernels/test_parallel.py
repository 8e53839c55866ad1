"""The intra-op pool, the BLAS threading policy and recycled output buffers."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from minitf.kernels.cpu import parallel
from minitf.kernels.cpu.buffers import OutputBuffer
from minitf.kernels.cpu.parallel import BlasLimiter, parallel_for, split_points


@pytest.mark.parametrize("n", [0, 1, 2, 3, 17, 200])
@pytest.mark.parametrize("threads", [1, 2, 4])
def test_parallel_for_runs_every_task_once(n, threads):
    seen = []
    lock = threading.Lock()

    def task(i):
        with lock:
            seen.append(i)

    parallel_for(n, task, threads)
    assert sorted(seen) == list(range(n))


def test_parallel_for_reraises_after_all_tasks_finish():
    done = []

    def task(i):
        if i == 3:
            raise ValueError("task 3")
        done.append(i)

    with pytest.raises(ValueError, match="task 3"):
        parallel_for(8, task, 2)
    assert sorted(done) == [0, 1, 2, 4, 5, 6, 7]
    parallel_for(4, lambda i: None, 2)  # the pool is usable afterwards


def test_nested_parallel_for_runs_inline():
    out = np.zeros((4, 4))

    def outer(i):
        def inner(j):
            out[i, j] += 1

        parallel_for(4, inner, 2)

    parallel_for(4, outer, 2)
    np.testing.assert_array_equal(out, 1)


def test_concurrent_callers_get_their_own_results():
    results = {}

    def caller(k):
        acc = np.zeros(64)

        def task(i):
            acc[i] = i * k

        for _ in range(50):
            parallel_for(64, task, 2)
        results[k] = acc.copy()

    threads = [threading.Thread(target=caller, args=(k,)) for k in range(1, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(1, 4):
        np.testing.assert_array_equal(results[k], np.arange(64) * k)


@pytest.mark.parametrize("n,parts,align", [(0, 2, 1), (1, 2, 1), (10, 3, 1), (100, 2, 16),
                                           (5, 8, 4)])
def test_split_points_cover_the_range(n, parts, align):
    e = split_points(n, parts, align)
    assert e[0] == 0 and e[-1] == n and all(a < b for a, b in zip(e, e[1:]))
    assert all(x % align == 0 for x in e[1:-1])


def test_free_cores_is_at_least_one():
    assert 1.0 <= parallel.free_cores()


def test_parallel_for_with_adaptive_threads_off(monkeypatch):
    # MINITF_ADAPTIVE_THREADS=0: free_cores() is inf, the pool uses every thread asked for
    monkeypatch.setattr(parallel, "free_cores", lambda: float("inf"))
    seen = []
    lock = threading.Lock()

    def task(i):
        with lock:
            seen.append((i, threading.get_ident()))

    parallel_for(8, task, 2)
    assert sorted(i for i, _ in seen) == list(range(8))


def _blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    info = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    if not info:
        pytest.skip("no BLAS library found")
    return info[0]["num_threads"]


def test_blas_limiter_restores_the_thread_count():
    before = _blas_threads()
    lim = BlasLimiter()
    with lim:
        assert lim.active
        assert _blas_threads() == 1
        lim.enter()   # a second run joins the first one's setting
        assert _blas_threads() == 1
        lim.exit()
        assert _blas_threads() == 1
    assert not lim.active
    assert _blas_threads() == before


def test_output_buffer_reuses_only_unreferenced_arrays():
    buf = OutputBuffer()
    a = buf.keep(buf.empty((256, 256), np.float32))
    b = buf.keep(buf.empty((256, 256), np.float32))
    assert b is not a  # `a` is still referenced here
    del a
    b_id = id(b)
    del b
    c = buf.empty((256, 256), np.float32)
    assert id(c) == b_id  # nobody holds b any more: reused
    view = c[:10]
    buf.keep(c)
    del c
    d = buf.empty((256, 256), np.float32)
    assert not np.shares_memory(d, view)  # a view keeps its base in use
    e = buf.zeros((128, 512), np.float32)  # another shape: a new array
    np.testing.assert_array_equal(e, 0)
    small = buf.empty((3,), np.float32)
    assert buf.keep(small) is small


def test_relu_output_fetched_twice_is_not_overwritten():
    import minitf as tf

    x = tf.placeholder(tf.float32, [None, 512])
    y = tf.nn.relu(x)
    with tf.Session() as sess:
        first = sess.run(y, {x: np.ones((256, 512), np.float32)})
        second = sess.run(y, {x: 2 * np.ones((256, 512), np.float32)})
        np.testing.assert_array_equal(first, 1)
        np.testing.assert_array_equal(second, 2)

