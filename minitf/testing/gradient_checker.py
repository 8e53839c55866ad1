"""Numeric versus symbolic Jacobians (``tf.test.compute_gradient``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework.tensor import Tensor

__all__ = ["compute_gradient", "compute_gradient_error"]


def _session_for(graph: Any) -> tuple[Any, bool]:
    from minitf.client.session import Session, get_default_session

    sess = get_default_session()
    if sess is not None and sess.graph is graph:
        return sess, False
    return Session(graph=graph), True


def _jacobians(x: Tensor, x_shape: Any, y: Tensor, y_shape: Any, x_init: np.ndarray,
               delta: float, extra_feed: dict[Any, Any], sess: Any) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    from minitf.ops.array_ops import placeholder
    from minitf.ops.gradients_impl import gradients

    x_size = int(np.prod(x_shape, dtype=np.int64))
    y_size = int(np.prod(y_shape, dtype=np.int64))
    np_y = y.dtype.base_dtype.as_numpy_dtype
    with y.graph.as_default():
        dy = placeholder(y.dtype.base_dtype, list(y_shape), name="gradient_checker_dy")
        (dx,) = gradients(y, x, grad_ys=dy)
    jac_t = np.zeros((x_size, y_size), dtype=np.float64)
    if dx is not None:
        dx_t = dx if isinstance(dx, Tensor) else _densify(dx)
        for j in range(y_size):
            onehot = np.zeros(y_size, dtype=np_y)
            onehot[j] = 1
            feed = {x: x_init, dy: onehot.reshape(y_shape), **extra_feed}
            jac_t[:, j] = np.asarray(sess.run(dx_t, feed), dtype=np.float64).reshape(-1)
    jac_n = np.zeros((x_size, y_size), dtype=np.float64)
    flat = x_init.reshape(-1).copy()
    for i in range(x_size):
        orig = flat[i]
        flat[i] = orig + delta
        yp = np.asarray(sess.run(y, {x: flat.reshape(x_shape), **extra_feed}), np.float64)
        flat[i] = orig - delta
        ym = np.asarray(sess.run(y, {x: flat.reshape(x_shape), **extra_feed}), np.float64)
        flat[i] = orig
        jac_n[i, :] = ((yp - ym) / (2 * delta)).reshape(-1)
    return jac_t, jac_n


def _densify(slices: Any) -> Tensor:
    from minitf.framework.tensor_conversion import convert_to_tensor

    return convert_to_tensor(slices)


def compute_gradient(x: Any, x_shape: Any, y: Tensor, y_shape: Any, x_init_value: Any = None,
                     delta: float = 1e-3, init_targets: Any = None,
                     extra_feed_dict: dict[Any, Any] | None = None) -> Any:
    """(theoretical, numerical) Jacobians of ``y`` w.r.t. ``x``, each [x_size, y_size].

    ``x`` may be a list, giving a list of pairs. ``x`` is fed, so any tensor works.
    """
    xs = x if isinstance(x, (list, tuple)) else [x]
    shapes = x_shape if isinstance(x, (list, tuple)) else [x_shape]
    inits = x_init_value if isinstance(x, (list, tuple)) else [x_init_value]
    if inits is None:
        inits = [None] * len(xs)
    sess, owned = _session_for(y.graph)
    try:
        if init_targets is not None:
            sess.run(init_targets)
        out = []
        rng = np.random.default_rng(0)
        for xi, shape, init in zip(xs, shapes, inits):
            dt = xi.dtype.base_dtype.as_numpy_dtype
            if init is None:
                init = rng.uniform(-1, 1, size=shape).astype(dt)
            init = np.asarray(init, dtype=dt).reshape(shape)
            out.append(_jacobians(xi, shape, y, y_shape, init, delta, extra_feed_dict or {},
                                  sess))
    finally:
        if owned:
            sess.close()
    return out if isinstance(x, (list, tuple)) else out[0]


def compute_gradient_error(x: Any, x_shape: Any, y: Tensor, y_shape: Any,
                           x_init_value: Any = None, delta: float = 1e-3,
                           init_targets: Any = None,
                           extra_feed_dict: dict[Any, Any] | None = None) -> float:
    """Largest absolute difference between the theoretical and numerical Jacobians."""
    grads = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets,
                             extra_feed_dict)
    if isinstance(grads, tuple):
        grads = [grads]
    err = 0.0
    for jt, jn in grads:
        if jt.size:
            err = max(err, float(np.max(np.abs(jt - jn))))
    return err
