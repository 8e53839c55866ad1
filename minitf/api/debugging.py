"""``tf.debugging`` (TF 1.x): the assertions, ``Assert``, ``check_numerics`` and the
``is_finite`` / ``is_inf`` / ``is_nan`` predicates."""

from minitf.ops.check_ops import (
    assert_equal,
    assert_greater,
    assert_greater_equal,
    assert_integer,
    assert_less,
    assert_less_equal,
    assert_negative,
    assert_non_negative,
    assert_non_positive,
    assert_none_equal,
    assert_positive,
    assert_rank,
    assert_rank_at_least,
    assert_scalar,
    assert_type,
    check_numerics,
)
from minitf.ops.logging_ops import Assert
from minitf.ops.math_ops import is_finite, is_inf, is_nan

__all__ = ["Assert", "assert_equal", "assert_greater", "assert_greater_equal", "assert_integer",
           "assert_less", "assert_less_equal", "assert_negative", "assert_non_negative",
           "assert_non_positive", "assert_none_equal", "assert_positive", "assert_rank",
           "assert_rank_at_least", "assert_scalar", "assert_type", "check_numerics",
           "is_finite", "is_inf", "is_nan"]
