"""The LOSSES and REGULARIZATION_LOSSES collections (``tf.losses.add_loss``, ``get_losses``,
``get_regularization_loss(es)``, ``get_total_loss``)."""

from __future__ import annotations

from typing import Any

from minitf.framework.graph import GraphKeys, add_to_collection, get_collection
from minitf.framework.tensor import Tensor

__all__ = ["add_loss", "get_losses", "get_regularization_losses", "get_regularization_loss",
           "get_total_loss"]


def add_loss(loss: Any, loss_collection: str | None = GraphKeys.LOSSES) -> None:
    """Adds ``loss`` to ``loss_collection`` (nothing when it is None or empty)."""
    if loss_collection:
        add_to_collection(loss_collection, loss)


def get_losses(scope: str | None = None, loss_collection: str = GraphKeys.LOSSES) -> list[Any]:
    """The losses in ``loss_collection`` whose names match the regex ``scope``."""
    return get_collection(loss_collection, scope)


def get_regularization_losses(scope: str | None = None) -> list[Any]:
    """The regularization losses (from variables' and layers' regularizers)."""
    return get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope: str | None = None,
                            name: str = "total_regularization_loss") -> Tensor:
    """The sum of the regularization losses (``AddN`` named ``name``), or a 0.0 constant."""
    from minitf.ops import math_ops
    from minitf.ops.constant_op import constant

    losses = get_regularization_losses(scope)
    if losses:
        return math_ops.add_n(losses, name=name)
    return constant(0.0)


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss",
                   scope: str | None = None) -> Tensor:
    """The sum of the losses (and regularization losses): ValueError when there are none."""
    from minitf.ops import math_ops

    losses = get_losses(scope=scope)
    if add_regularization_losses:
        losses += get_regularization_losses(scope=scope)
    if not losses:
        raise ValueError("No losses to sum: tf.losses.get_total_loss found nothing in the "
                         "LOSSES (or REGULARIZATION_LOSSES) collection.")
    return math_ops.add_n(losses, name=name)
