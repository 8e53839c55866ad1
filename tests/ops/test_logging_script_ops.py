"""tf.Assert, tf.Print, tf.identity_n and tf.py_func against TF 1.x."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from tests.ops.test_control_flow_cond import build_both

DATA = [
    (lambda t: ["hello", t.constant([1, 2, 3, 4, 5])], None),
    (lambda t: ["m", t.constant([[1.5, 2.0], [3.0, 4.0], [5.0, 6.0]])], 4),
    (lambda t: [t.constant(3.25), t.constant(True), t.constant([b"ab", b"c"])], None),
    (lambda t: [t.zeros([2, 0])], None),
    (lambda t: [t.constant(np.arange(30).reshape(2, 3, 5))], 20),
    (lambda t: [t.constant([1e-8, 1e10, 0.1, -np.inf, 1 / 3.0], t.float64)], 10),
    (lambda t: [t.constant([0.1, 1 / 3.0, 123456.7], t.float32)], None),
]


@pytest.mark.tf
@pytest.mark.parametrize("index", range(len(DATA)))
def test_assert_names_and_messages_match_tf(tfv1, index):
    data, summarize = DATA[index]
    (a, ok), (b, ok2) = build_both(tfv1, lambda t: (
        t.Assert(t.constant(False), data(t), summarize=summarize),
        t.Assert(t.constant(True), data(t), summarize=summarize)))
    assert a.name == b.name and a.type in (b.type, "Identity")
    with tf.Session() as s1, tfv1.Session() as s2:
        s1.run(ok)
        s2.run(ok2)
        with pytest.raises(tf.errors.InvalidArgumentError) as mine:
            s1.run(a)
        with pytest.raises(tfv1.errors.InvalidArgumentError) as theirs:
            s2.run(b)
    want = [line for line in theirs.value.message.splitlines() if "assertion failed" in line]
    assert mine.value.message == want[0]


@pytest.mark.tf
def test_assert_graph_matches_tf(tfv1):
    def build(t):
        x = t.placeholder(t.int32, [3], name="x")
        return t.Assert(t.reduce_all(x > 0), ["x must be positive: ", x], name="check")

    build_both(tfv1, build)
    ours = [(op.name, op.type) for op in tf.get_default_graph().get_operations()]
    theirs = [(op.name, op.type) for op in tfv1.get_default_graph().get_operations()]
    assert ours == theirs


@pytest.mark.tf
def test_print_output_matches_tf(tfv1, capfd):
    def build(t):
        x = t.constant([1.0, 2.0, 3.0, 4.0])
        return t.Print(x, [x, "tag", t.constant([[1, 2], [3, 4]])], "values: ", first_n=2,
                       summarize=3)

    mine, theirs = build_both(tfv1, build)
    assert mine.name == theirs.name == "Print:0"
    capfd.readouterr()
    with tf.Session() as sess:
        for _ in range(3):
            np.testing.assert_array_equal(sess.run(mine), [1.0, 2.0, 3.0, 4.0])
    # (TF may log unrelated messages, e.g. about an unused Assert, while we capture)
    ours = [line for line in capfd.readouterr().err.splitlines()
            if line.startswith("values: ")]
    with tfv1.Session() as sess:
        for _ in range(3):
            sess.run(theirs)
    tf_lines = [line[line.index("values: "):] for line in capfd.readouterr().err.splitlines()
                if "values: " in line]
    assert ours == tf_lines == ["values: [1 2 3...][tag][[1 2][3...]...]"] * 2


def test_print_passes_gradients_through():
    x = tf.placeholder(tf.float32, [2])
    y = tf.Print(x * 3.0, [x], first_n=0)
    (g,) = tf.gradients(tf.reduce_sum(y), x)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(g, {x: [1.0, 2.0]}), [3.0, 3.0])


@pytest.mark.tf
def test_identity_n_matches_tf(tfv1):
    def build(t):
        x = t.constant([1.0, 2.0])
        y = t.constant([[1, 2]])
        a, b = t.identity_n([x * 2.0, y])
        return a, b, t.gradients(a * a, x)[0]

    mine, theirs = build_both(tfv1, build)
    assert [t.name for t in mine[:2]] == [t.name for t in theirs[:2]]
    with tf.Session() as s1, tfv1.Session() as s2:
        for a, b in zip(s1.run(list(mine)), s2.run(list(theirs))):
            np.testing.assert_array_equal(a, b)


@pytest.mark.tf
def test_py_func_matches_tf(tfv1):
    def build(t):
        x = t.constant([1.0, 2.0], t.float32)
        one = t.py_func(lambda v: v * 2, [x], t.float32)
        two = t.py_func(lambda v: (v + 1, np.int64(v.size)), [x], [t.float32, t.int64],
                        stateful=False, name="pair")
        return one, two

    (one, two), (one2, two2) = build_both(tfv1, build)
    assert one.op.type == one2.op.type == "PyFunc"
    assert two[0].op.type == two2[0].op.type == "PyFuncStateless"
    assert one.get_shape().ndims is None
    with tf.Session() as s1, tfv1.Session() as s2:
        a, b = s1.run([one, two]), s2.run([one2, two2])
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1][0], b[1][0])
    assert a[1][1] == b[1][1] and np.asarray(a[1][1]).dtype == np.int64


def test_py_func_wrong_dtype_is_an_invalid_argument_error():
    x = tf.constant([1.0, 2.0], tf.float32)
    y = tf.py_func(lambda v: v.astype(np.float64), [x], tf.float32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="is float64, but expects "
                                                                 "float32"):
            sess.run(y)
