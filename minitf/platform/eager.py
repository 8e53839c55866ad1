"""TF 2.x switches that TF 1.x scripts call (``tf.compat.v1.disable_v2_behavior()`` ...).

minitf runs graphs only: switching to TF 1.x behaviour is a no-op, asking for eager execution
or TF 2.x behaviour raises a clear error, ``executing_eagerly()`` is False."""

from __future__ import annotations

__all__ = ["disable_eager_execution", "enable_eager_execution", "executing_eagerly",
           "disable_v2_behavior", "enable_v2_behavior", "disable_resource_variables",
           "enable_resource_variables", "resource_variables_enabled", "disable_control_flow_v2",
           "enable_control_flow_v2", "control_flow_v2_enabled", "disable_tensor_equality",
           "disable_v2_tensorshape"]

_GRAPH_ONLY = ("minitf is a graph-only engine (TensorFlow 1.x semantics): build a graph and run "
               "it in a tf.Session. Eager execution and TF 2.x behaviour are not available.")


def executing_eagerly() -> bool:
    """Always False: ops build graph nodes."""
    return False


def disable_eager_execution() -> None:
    """No-op (minitf never executes eagerly)."""


def enable_eager_execution(config: object = None, device_policy: object = None,
                           execution_mode: object = None) -> None:
    """Raises RuntimeError: minitf has no eager mode."""
    raise RuntimeError(_GRAPH_ONLY)


def disable_v2_behavior() -> None:
    """No-op (minitf behaves as TF 1.x)."""


def enable_v2_behavior() -> None:
    """Raises RuntimeError: minitf implements TF 1.x behaviour only."""
    raise RuntimeError(_GRAPH_ONLY)


def disable_resource_variables() -> None:
    """No-op (minitf's variables are TF 1.x reference variables)."""


def enable_resource_variables() -> None:
    """No-op: ``use_resource`` requests still build reference variables in minitf."""


def resource_variables_enabled() -> bool:
    return False


def disable_control_flow_v2() -> None:
    """No-op (minitf has one control-flow implementation)."""


def enable_control_flow_v2() -> None:
    """No-op (minitf has one control-flow implementation)."""


def control_flow_v2_enabled() -> bool:
    return False


def disable_tensor_equality() -> None:
    """No-op (``Tensor.__eq__`` is identity, as in TF 1.x)."""


def disable_v2_tensorshape() -> None:
    """No-op (``TensorShape`` dims are Dimension objects, as in TF 1.x)."""
