"""tf.assert_* / tf.debugging and tf.check_numerics against tensorflow.compat.v1: op names,
static (build-time) errors, run-time failures and their messages."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

BINARY = ["assert_equal", "assert_none_equal", "assert_less", "assert_less_equal",
          "assert_greater", "assert_greater_equal"]
UNARY = ["assert_positive", "assert_negative", "assert_non_negative", "assert_non_positive"]
# feeds that pass / fail each check
BINARY_CASES = {"assert_equal": ([1, 2], [1, 3]), "assert_none_equal": ([3, 4], [1, 4]),
                "assert_less": ([0, 1], [1, 2]), "assert_less_equal": ([1, 2], [1, 3]),
                "assert_greater": ([2, 3], [2, 1]), "assert_greater_equal": ([1, 2], [0, 1])}
UNARY_CASES = {"assert_positive": ([1, 2], [0, 1]), "assert_negative": ([-1, -2], [0, -1]),
               "assert_non_negative": ([0, 2], [-1, 1]),
               "assert_non_positive": ([0, -2], [1, -1])}


def _core(message: str) -> str:
    """The kernel's message (TF wraps it in "Graph execution error: ... Node: '...'")."""
    lines = [ln for ln in message.split("\n") if ln and not ln.startswith(
        ("Graph execution", "Detected at", "    ", "Node:", "\t"))]
    return lines[0].split(" [[")[0] if lines else message


def _outcome(t, fn, feeds):
    x = t.placeholder(t.float32, [None], name="x")
    op = fn(x)
    results = []
    with t.Session() as sess:
        for v in feeds:
            try:
                sess.run(op, {x: v})
                results.append(None)
            except t.errors.InvalidArgumentError as e:
                results.append(_core(e.message))
    ops = [o.name for o in t.get_default_graph().get_operations()]
    return op.name, ops, results


@pytest.mark.tf
@pytest.mark.parametrize("name", BINARY)
def test_binary_dynamic_matches_tf(tfv1, name):
    ok, bad = BINARY_CASES[name]
    y = np.array([1.0, 2.0], np.float32)

    def build(t):
        return lambda x: getattr(t, name)(x, x * 0 + t.constant(y), message="msg")

    feeds = [np.array(ok, np.float32), np.array(bad, np.float32)]
    ours = _outcome(tf, build(tf), feeds)
    theirs = _outcome(tfv1, build(tfv1), feeds)
    assert ours[0] == theirs[0]  # (the guard's inner ops differ: minitf's cond is not TF's)
    assert ours[2] == theirs[2]


@pytest.mark.tf
@pytest.mark.parametrize("name", UNARY)
def test_unary_dynamic_matches_tf(tfv1, name):
    feeds = [np.array(v, np.float32) for v in UNARY_CASES[name]]
    ours = _outcome(tf, getattr(tf, name), feeds)
    theirs = _outcome(tfv1, getattr(tfv1, name), feeds)
    assert ours[0] == theirs[0] and ours[2] == theirs[2]
    assert ours[2][0] is None and "did not hold element-wise" in ours[2][1]


@pytest.mark.tf
@pytest.mark.parametrize("name", BINARY)
def test_binary_static_matches_tf(tfv1, name):
    ok, bad = BINARY_CASES[name]
    for t in (tf, tfv1):
        op = getattr(t, name)(t.constant(ok), t.constant([1, 2]))
        assert op.type in ("Assert", "Merge")
        with pytest.raises(t.errors.InvalidArgumentError) as info:
            getattr(t, name)(t.constant(bad), t.constant([1, 2]), message="static")
        if t is tf:
            ours = info.value.message
        else:
            theirs = info.value.message
    assert ours == theirs


@pytest.mark.tf
def test_rank_type_integer_scalar_match_tf(tfv1):
    def errors_of(t):
        out = []
        x = t.placeholder(t.float32, [2, 3], name="x")
        u = t.placeholder(t.float32, None, name="u")
        out.append(t.assert_rank(x, 2).name)
        out.append(t.assert_rank(u, 2).type)
        out.append(t.assert_type(x, t.float32).name)
        out.append(t.assert_integer(t.constant(1)).name)
        out.append(t.assert_scalar(t.constant(1.0)).name)
        for call in (lambda: t.assert_rank(x, 3, message="m"),
                     lambda: t.assert_rank(x, [2]),
                     lambda: t.assert_rank(x, 2.0),
                     lambda: t.assert_type(x, t.int32, message="m"),
                     lambda: t.assert_integer(x),
                     lambda: t.assert_scalar(x),
                     lambda: t.assert_scalar(u, message="m")):
            try:
                call()
                out.append(None)
            except (TypeError, ValueError) as e:
                out.append((type(e).__name__, str(e)))
        with t.Session() as sess:
            op = t.assert_rank(u, 2)
            sess.run(op, {u: np.zeros((1, 2))})
            try:
                sess.run(op, {u: np.zeros(3)})
            except t.errors.InvalidArgumentError as e:
                out.append(_core(e.message))
        return out

    assert errors_of(tf) == errors_of(tfv1)


def test_control_dependency_usage():
    x = tf.placeholder(tf.int32, [None])
    with tf.control_dependencies([tf.assert_non_negative(x, message="neg")]):
        y = tf.identity(x)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [0, 1]}), [0, 1])
        with pytest.raises(tf.errors.InvalidArgumentError, match="neg"):
            sess.run(y, {x: [-1]})


def test_debugging_namespace():
    for name in BINARY + UNARY + ["assert_rank", "assert_type", "assert_integer",
                                  "assert_scalar", "check_numerics", "Assert", "is_nan"]:
        assert getattr(tf.debugging, name) is getattr(tf, name)
    assert tf.compat.v1.debugging.assert_equal is tf.assert_equal


@pytest.mark.tf
def test_check_numerics_matches_tf(tfv1):
    def run(t):
        x = t.placeholder(t.float32, [3], name="x")
        y = t.check_numerics(x * 2.0, "checked")
        g = t.gradients(t.reduce_sum(y), x)[0]
        out = [y.op.type, y.op.name, [o.get_attr("message") for o in
                                      t.get_default_graph().get_operations()
                                      if o.type == "CheckNumerics"]]
        with t.Session() as sess:
            out.append(sess.run([y, g], {x: [1.0, 2.0, 3.0]})[0].tolist())
            for v in ([np.nan, 1, 2], [np.inf, 1, 2], [np.inf, np.nan, 1]):
                try:
                    sess.run(y, {x: v})
                except t.errors.InvalidArgumentError as e:
                    out.append(_core(e.message))
        return out

    assert run(tf) == run(tfv1)


@pytest.mark.tf
def test_add_check_numerics_ops_matches_tf(tfv1):
    def run(t):
        x = t.placeholder(t.float32, [2], name="x")
        w = t.Variable([1.0, 0.0], name="w")
        y = t.log(x * w, name="y")
        check = t.add_check_numerics_ops()
        names = [o.name for o in t.get_default_graph().get_operations()
                 if o.type == "CheckNumerics"]
        with t.Session() as sess:
            sess.run(t.global_variables_initializer())
            try:
                sess.run([y, check], {x: [1.0, 1.0]})
                msg = None
            except t.errors.InvalidArgumentError as e:
                msg = _core(e.message)
        return check.type, names, msg

    assert run(tf) == run(tfv1)


def test_add_check_numerics_ops_rejects_control_flow():
    x = tf.placeholder(tf.float32, [])
    tf.cond(x > 0, lambda: x + 1.0, lambda: x - 1.0)
    with pytest.raises(ValueError, match="not compatible"):
        tf.add_check_numerics_ops()
