"""tf.TensorArray against TF 1.x: values, static shapes, while_loop bodies, gradients through
the loop, and TF's run-time errors."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

X = (np.arange(12, dtype=np.float32).reshape(4, 3) / 5 - 1).astype(np.float32)


def _rnn(t, x, n_static=True):
    """A hand-written loop: h = tanh(h * x[i] + w), each h written to a TensorArray."""
    w = t.constant([0.5, -0.25, 0.1])
    n = 4 if n_static else t.shape(x)[0]

    def body(i, ta, h):
        h = t.tanh(h * x[i] + w)
        return i + 1, ta.write(i, h), h

    _, ta, h = t.while_loop(lambda i, *_: i < n, body,
                            [0, t.TensorArray(t.float32, size=n), t.ones([3])])
    return ta, h


def _dynamic_loop(t, x):
    """A dynamic-size TensorArray grown inside the loop."""
    def body(i, ta):
        return i + 1, ta.write(i, x[i] * t.cast(i, t.float32))

    return t.while_loop(lambda i, ta: i < 4, body,
                        [0, t.TensorArray(t.float32, size=0, dynamic_size=True)])[1]


def _nested(t, x):
    """An outer loop whose body runs an inner loop writing a TensorArray, then writes the
    inner TensorArray's sum to the outer one."""
    def outer(i, ta):
        def inner(j, tb):
            return j + 1, tb.write(j, x[j] * x[i])

        _, tb = t.while_loop(lambda j, tb: j < 3, inner, [0, t.TensorArray(t.float32, size=3)])
        return i + 1, ta.write(i, t.reduce_sum(tb.stack(), 0))

    return t.while_loop(lambda i, ta: i < 4, outer, [0, t.TensorArray(t.float32, size=4)])[1]


def _cond_in_loop(t, x):
    def body(i, ta):
        ta = t.cond(t.equal(i % 2, 0), lambda: ta.write(i, t.sin(x[i])),
                    lambda: ta.write(i, x[i] * x[i]))
        return i + 1, ta

    return t.while_loop(lambda i, ta: i < 4, body, [0, t.TensorArray(t.float32, size=4)])[1]


BUILDS = {
    "loop_dynamic_size": lambda t, x: _dynamic_loop(t, x).stack(),
    "loop_nested": lambda t, x: _nested(t, x).stack(),
    "loop_cond_inside": lambda t, x: _cond_in_loop(t, x).stack(),
    "write_stack": lambda t, x: t.TensorArray(t.float32, size=2).write(0, x[0]).write(
        1, x[1] * 2.0).stack(),
    "unstack_read": lambda t, x: t.TensorArray(t.float32, size=4).unstack(x).read(2),
    "unstack_gather": lambda t, x: t.TensorArray(t.float32, size=4).unstack(x).gather([3, 0]),
    "scatter_stack": lambda t, x: t.TensorArray(t.float32, size=5).scatter([4, 0], x[:2])
    .stack(),
    "concat": lambda t, x: t.TensorArray(t.float32, size=4).unstack(x).concat(),
    "split": lambda t, x: t.TensorArray(t.float32, size=2).split(
        t.reshape(x, [12]), [6, 6]).stack(),
    "unwritten_zeros": lambda t, x: t.TensorArray(t.float32, size=3).write(1, x[0]).stack(),
    "element_shape": lambda t, x: t.TensorArray(t.float32, size=2, element_shape=[3]).stack(),
    "dynamic": lambda t, x: t.TensorArray(t.float32, size=0, dynamic_size=True).write(
        2, x[1]).stack(),
    "dynamic_size": lambda t, x: t.TensorArray(t.float32, size=1, dynamic_size=True).write(
        3, x[1]).size(),
    "size": lambda t, x: t.TensorArray(t.float32, size=3).size(),
    "no_infer_shape": lambda t, x: t.TensorArray(t.float32, size=2, infer_shape=False)
    .unstack(x[:2]).stack(),
    "int32": lambda t, x: t.TensorArray(t.int32, size=2).unstack(t.cast(x[:2], t.int32))
    .stack(),
    "loop_stack": lambda t, x: _rnn(t, x)[0].stack(),
    "loop_read": lambda t, x: _rnn(t, x)[0].read(1),
    "loop_dynamic_n": lambda t, x: _rnn(t, x, n_static=False)[0].stack(),
    "loop_read_inside": lambda t, x: t.while_loop(
        lambda i, a: i < 4,
        lambda i, a: (i + 1, a + t.TensorArray(t.float32, size=4).unstack(x).read(i)),
        [0, t.zeros([3])])[1],
}


def _dims(t):
    shape = t.get_shape()
    return None if shape.ndims is None else shape.as_list()


def _run(t, name):
    x = t.placeholder(t.float32, [4, 3], name="x")
    out = BUILDS[name](t, x)
    with t.Session() as s:
        return out, s.run(out, {x: X})


@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(BUILDS))
def test_values_and_shapes_match_tf(tfv1, name):
    tf.reset_default_graph()
    mine, got = _run(tf, name)
    with tfv1.Graph().as_default():
        theirs, want = _run(tfv1, name)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    assert _dims(mine) == _dims(theirs)
    assert mine.dtype.name == theirs.dtype.name


GRADS = {
    "loop_dynamic_size": lambda t, x: t.reduce_sum(_dynamic_loop(t, x).stack() ** 2),
    "loop_nested": lambda t, x: t.reduce_sum(t.sin(_nested(t, x).stack())),
    "loop_cond_inside": lambda t, x: t.reduce_sum(_cond_in_loop(t, x).stack() * 1.5),
    "loop_stack": lambda t, x: t.reduce_sum(_rnn(t, x)[0].stack() ** 2),
    "loop_stack_and_final": lambda t, x: (lambda ta_h: t.reduce_sum(
        ta_h[0].stack() * t.constant([1.0, 2.0, 3.0])) + t.reduce_sum(ta_h[1]))(_rnn(t, x)),
    "loop_read": lambda t, x: t.reduce_sum(_rnn(t, x)[0].read(2) * 3.0),
    "loop_dynamic_n": lambda t, x: t.reduce_sum(t.sin(_rnn(t, x, False)[0].stack())),
    "unstack_gather": lambda t, x: t.reduce_sum(
        t.TensorArray(t.float32, size=4).unstack(x * x).gather([1, 0, 3]) * 2.0),
    "scatter_read": lambda t, x: t.reduce_sum(
        t.TensorArray(t.float32, size=6).scatter([5, 2], x[1:3]).read(5) ** 3),
    "loop_reads_outside_ta": lambda t, x: t.reduce_sum(t.while_loop(
        lambda i, a: i < 4,
        lambda i, a: (i + 1, a * t.TensorArray(t.float32, size=4).unstack(x).read(i)),
        [0, t.ones([3])])[1]),
}


@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients_match_tf(tfv1, name):
    def grad(t):
        x = t.placeholder(t.float32, [4, 3], name="x")
        y = GRADS[name](t, x)
        g = t.gradients(y, x)[0]
        with t.Session() as s:
            return s.run([y, g], {x: X})

    tf.reset_default_graph()
    got = grad(tf)
    with tfv1.Graph().as_default():
        want = grad(tfv1)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)


ERRORS = {
    "write_twice": (lambda t: t.TensorArray(t.float32, size=2).write(0, 1.0).write(0, 2.0).flow,
                    "has already been written to"),
    "write_out_of_range": (lambda t: t.TensorArray(t.float32, size=3).write(5, 1.0).flow,
                           "Tried to write to index 5 but array is not resizeable and size is: 3"),
    "write_negative": (lambda t: t.TensorArray(t.float32, size=3).write(-1, 1.0).flow,
                       "Tried to write to index -1"),
    "read_out_of_range": (lambda t: t.TensorArray(t.float32, size=3).write(0, 1.0).read(7),
                          "Tried to read from index 7 but array size is: 3"),
    "read_unwritten": (lambda t: t.TensorArray(t.float32, size=3).read(1),
                       "Could not read from TensorArray index 1.  Furthermore, the element "
                       "shape is not fully defined: <unknown>."),
    "shape_mismatch": (lambda t: t.TensorArray(t.float32, size=2, infer_shape=False)
                       .write(0, [1.0]).write(1, [1.0, 2.0]).stack(), None),
    "stack_empty_unknown_shape": (lambda t: t.TensorArray(t.float32, size=0).stack(),
                                  "TensorArray has size zero, but element shape <unknown> is "
                                  "not fully defined"),
}


@pytest.mark.tf
@pytest.mark.parametrize("name", sorted(ERRORS))
def test_run_time_errors_match_tf(tfv1, name):
    build, message = ERRORS[name]
    tf.reset_default_graph()
    with tfv1.Graph().as_default(), tfv1.Session() as s:
        with pytest.raises(tfv1.errors.OpError) as theirs:
            s.run(build(tfv1))
    with tf.Session() as s:
        with pytest.raises(tf.errors.OpError) as mine:
            s.run(build(tf))
    assert type(mine.value).__name__ == type(theirs.value).__name__
    if message:
        assert message in str(mine.value) and message in str(theirs.value)


@pytest.mark.tf
def test_build_time_errors_match_tf(tfv1):
    for t in (tf, tfv1):
        with t.Graph().as_default():
            with pytest.raises(ValueError, match="`size` must be provided"):
                t.TensorArray(t.float32)
            ta = t.TensorArray(t.float32, size=2).write(0, [1.0, 2.0])
            with pytest.raises(ValueError, match=r"Inconsistent shapes: saw \(3,\) but expected "
                               r"\(2,\)"):
                ta.write(1, [1.0, 2.0, 3.0])
            t.TensorArray(t.float32, size=2).write(0, 1)  # Python values take the dtype
    # TF only logs "undefined behavior" for a tensor of another dtype; minitf refuses it
    with pytest.raises(TypeError, match="TensorArray dtype is float32"):
        tf.TensorArray(tf.float32, size=2).write(0, tf.constant(1, tf.int32))


def test_split_with_unequal_lengths_is_refused():
    tf.reset_default_graph()
    ta = tf.TensorArray(tf.float32, size=2).split(tf.range(12.0), [5, 7])
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError, match="equal lengths"):
            s.run(ta.stack())


def test_graph_def_round_trip_with_gradient():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [4, 3], name="x")
    y = tf.reduce_sum(_rnn(tf, x)[0].stack() ** 2)
    g = tf.gradients(y, x)[0]
    with tf.Session() as s:
        want = s.run([y, g], {x: X})
    gd = tf.get_default_graph().as_graph_def()
    with tf.Graph().as_default():
        y2, g2 = tf.import_graph_def(gd, return_elements=[y.name, g.name], name="imp")
        with tf.Session() as s:
            got = s.run([y2, g2], {"imp/x:0": X})
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)


def test_properties_and_loop_structure():
    tf.reset_default_graph()
    ta = tf.TensorArray(tf.float32, size=3, element_shape=[2], name="arr")
    assert ta.dtype == tf.float32
    assert ta.element_shape.as_list() == [2]
    assert isinstance(ta.flow, tf.Tensor) and isinstance(ta.handle, tf.Tensor)
    assert ta.close().type == "NoOp"
    # a single TensorArray loop variable comes back as a TensorArray
    out = tf.while_loop(lambda t: t.size() > 5, lambda t: t, ta)
    assert isinstance(out, tf.TensorArray)
    out = tf.while_loop(lambda t: t.size() > 5, lambda t: t, [ta])
    assert isinstance(out, tf.TensorArray)
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(out.stack()), np.zeros([3, 2], np.float32))


def test_cond_returns_tensor_arrays():
    tf.reset_default_graph()
    p = tf.placeholder(tf.bool, [])
    ta = tf.TensorArray(tf.float32, size=2)
    out = tf.cond(p, lambda: ta.write(0, 1.0).write(1, 2.0), lambda: ta.unstack([5.0, 6.0]))
    assert isinstance(out, tf.TensorArray)
    with tf.Session() as s:
        np.testing.assert_array_equal(s.run(out.stack(), {p: True}), [1.0, 2.0])
        np.testing.assert_array_equal(s.run(out.stack(), {p: False}), [5.0, 6.0])
