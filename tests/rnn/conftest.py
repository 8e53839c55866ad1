"""The TF 1.x RNN oracle and a helper that builds the same recurrent graph in TF and minitf,
copies TF's initial weights into minitf, and returns both sides' values and gradients."""

from __future__ import annotations

import types

import numpy as np
import pytest

import minitf
from minitf.rnn import nest


@pytest.fixture(scope="session")
def _tf_rnn_cells(_tf_module):
    """TF 1.x's ``tf.nn.rnn_cell`` classes. In TF 2.x they exist only with ``TF_USE_LEGACY_KERAS``
    set before ``tf.nn.rnn_cell`` is first touched; other tests may already have imported
    TensorFlow, so take them from tf-keras' legacy modules directly (what the lazy
    ``tf.compat.v1.nn.rnn_cell`` resolves to with the variable set)."""
    try:
        from tf_keras.src.layers.rnn import legacy_cell_wrappers as wrappers
        from tf_keras.src.layers.rnn import legacy_cells as cells
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.skip(f"TF 1.x RNN cells unavailable (tf-keras legacy cells): {exc}")
    names = ["RNNCell", "BasicRNNCell", "GRUCell", "BasicLSTMCell", "LSTMCell",
             "LSTMStateTuple", "MultiRNNCell"]
    ns = {n: getattr(cells, n) for n in names}
    ns.update({n: getattr(wrappers, n) for n in
               ("DropoutWrapper", "ResidualWrapper", "DeviceWrapper")})
    return types.SimpleNamespace(**ns)


@pytest.fixture
def tfrnn(tfv1, _tf_rnn_cells):
    """``(tf, rnn_cell)`` for TF 1.x, fresh default graph; skipped without TF / tf-keras."""
    return types.SimpleNamespace(tf=tfv1, rnn_cell=_tf_rnn_cells)


def _loss_weights(tensors, seed=7):
    rng = np.random.RandomState(seed)
    # Unknown dimensions get size 1 (broadcast).
    return [rng.uniform(-1.0, 1.0, [d or 1 for d in t.get_shape().as_list()]).astype(
        t.dtype.as_numpy_dtype) for t in tensors]


def _side(tf, rnn_cell, build, feeds, tf_values=None):
    """Build on one side; returns (variables, values dict) for TF or loads ``tf_values``."""
    graph = tf.Graph()
    with graph.as_default():
        placeholders = {name: tf.placeholder(tf.as_dtype(v.dtype), v.shape, name=name)
                        for name, v in feeds.items()}
        result = build(tf, rnn_cell, **placeholders)
        flat = nest.flatten(result)
        weights = _loss_weights(flat)
        loss = tf.add_n([tf.reduce_sum(t * w) for t, w in zip(flat, weights)])
        variables = tf.trainable_variables()
        float_inputs = [p for n, p in placeholders.items() if feeds[n].dtype.kind == "f"]
        grads = tf.gradients(loss, variables + float_inputs)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            if tf_values is not None:
                assert [v.name for v in variables] == list(tf_values), "variable names/order"
                for v in variables:
                    v.load(tf_values[v.name], sess)
            var_values = dict(zip([v.name for v in variables], sess.run(variables)))
            feed = {placeholders[n]: v for n, v in feeds.items()}
            outs, grad_values = sess.run([flat, grads], feed)
    return types.SimpleNamespace(result=result, flat=flat, outs=outs, grads=grad_values,
                                 variables=variables, values=var_values,
                                 shapes={v.name: v.get_shape().as_list() for v in variables},
                                 all_variables=[v.name for v in graph.get_collection(
                                     "variables")])


def compare_with_tf(tfrnn, build, feeds, rtol=1e-5, atol=1e-5, grad_atol=1e-4):
    """Builds ``build(tf, rnn_cell, **placeholders)`` in TF and in minitf; asserts the variables
    (names, order, shapes), the structure and static shapes of the result, its values given
    TF's weights, and the gradients of a loss w.r.t. the weights and float inputs agree."""
    ref = _side(tfrnn.tf, tfrnn.rnn_cell, build, feeds)
    got = _side(minitf, minitf.nn.rnn_cell, build, feeds, tf_values=ref.values)
    assert got.all_variables == ref.all_variables
    assert got.shapes == ref.shapes
    assert type(nest.flatten(got.result)) is type(nest.flatten(ref.result))
    nest.assert_same_structure(_typeless(ref.result), _typeless(got.result), check_types=False)
    assert [type(x).__name__ for x in _nodes(got.result)] == \
        [type(x).__name__ for x in _nodes(ref.result)]
    for a, b in zip(got.flat, ref.flat):
        assert a.get_shape().as_list() == b.get_shape().as_list(), (a, b)
    for a, b in zip(got.outs, ref.outs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    assert len(got.grads) == len(ref.grads)
    for a, b in zip(got.grads, ref.grads):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=grad_atol)
    return got, ref


def _typeless(structure):
    return nest.map_structure(lambda _: 0, structure)


def _nodes(structure):
    """The nested containers (not the leaves) of ``structure``, depth first."""
    out = []
    if nest.is_nested(structure):
        out.append(structure)
        for child in (structure.values() if isinstance(structure, dict) else structure):
            out.extend(_nodes(child))
    return out
