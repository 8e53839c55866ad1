"""Cases for the numerics checks (CheckNumerics)."""

import minitf as tf
from tests.ops.cases import case, placeholder64, rand


@case("CheckNumerics")
def check_numerics():
    x = placeholder64([2, 3])
    return tf.check_numerics(x * 2.0, "x"), {x: rand(2, 3)}
