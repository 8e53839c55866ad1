"""``tf.bitwise``: TF 1.x's bitwise namespace, elementwise on integer tensors.

The op types (BitwiseAnd, BitwiseOr, BitwiseXor, Invert) and these wrappers live in
:mod:`minitf.ops.math_ops`; TF 1.x exposes them only here, not at the top level. minitf has no
LeftShift/RightShift op types, so ``left_shift``/``right_shift`` are absent.
"""

from minitf.ops.math_ops import bitwise_and, bitwise_or, bitwise_xor, invert

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert"]
