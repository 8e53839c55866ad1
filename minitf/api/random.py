"""``tf.random``: TF 1.x's random namespace (``tf.random.normal`` ...)."""

from minitf.ops.random_ops import (
    categorical,
    get_seed,
    multinomial,
    set_random_seed,
    truncated_normal,
)
from minitf.ops.random_ops import random_normal as normal
from minitf.ops.random_ops import random_shuffle as shuffle
from minitf.ops.random_ops import random_uniform as uniform

set_seed = set_random_seed

__all__ = ["categorical", "get_seed", "multinomial", "normal", "set_random_seed", "set_seed",
           "shuffle", "truncated_normal", "uniform"]
