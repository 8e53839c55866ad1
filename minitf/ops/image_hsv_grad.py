"""TF's gradient of RGBToHSV (``image_grad._RGBToHSVGrad``), ported term by term: piecewise
partial derivatives of h, s and v with "safe" reciprocals (div_no_nan). Like TF's, the hue part
is TF's formula, not an exact derivative; minitf matches TF's numbers."""

from __future__ import annotations

from typing import Any

from minitf.framework.op_registry import RegisterGradient
from minitf.framework.tensor import Tensor


def _recip(x: Tensor) -> Tensor:
    from minitf.ops import math_ops

    return math_ops.div_no_nan(math_ops.cast(1.0, x.dtype), x)


# dh/dc per channel: (numerator of term 1) then terms 2-5 as
# (biggest channel, smallest channel, numerator or None, sign, denominator, squared)
_HUE_TERMS = {
    "r": (("g", "b"), [("g", "r", ("b", "g"), 1, ("r", "g"), True),
                       ("g", "b", None, -1, ("g", "b"), False),
                       ("b", "r", ("b", "g"), 1, ("b", "r"), True),
                       ("b", "g", None, 1, ("b", "g"), False)]),
    "g": (("b", "r"), [("r", "g", ("r", "b"), 1, ("r", "g"), True),
                       ("r", "b", None, 1, ("r", "b"), False),
                       ("b", "g", ("r", "b"), 1, ("b", "g"), True),
                       ("b", "r", None, -1, ("b", "r"), False)]),
    "b": (("r", "g"), [("r", "b", ("g", "r"), 1, ("r", "b"), True),
                       ("r", "g", None, -1, ("r", "g"), False),
                       ("g", "b", ("g", "r"), 1, ("g", "b"), True),
                       ("g", "r", None, 1, ("g", "r"), False)]),
}


def _hue_partial(c: dict[str, Tensor], big: dict[str, Tensor], small: dict[str, Tensor],
                 pos: dict[str, Tensor], s: Tensor, v: Tensor, me: str) -> Tensor:
    from minitf.ops import math_ops

    sq = math_ops.square
    (p, q), terms = _HUE_TERMS[me]
    total = pos[me] * big[me] * -1 * (c[p] - c[q]) * _recip(sq(s)) * _recip(sq(v))
    for k_big, k_small, num, sign, (u, w), squared in terms:
        den = c[u] - c[w]
        t = pos[k_big] * big[k_big] * small[k_small] * sign
        if num is not None:
            t = t * (c[num[0]] - c[num[1]])
        total = total + t * _recip(sq(den) if squared else den)
    return 60 * total / 360


@RegisterGradient("RGBToHSV")
def _rgb_to_hsv_grad(op: Any, grad: Tensor) -> Tensor:
    from minitf.ops import array_ops, math_ops

    x, out = op.inputs[0], op.outputs[0]
    dtype = x.dtype
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    s, v = out[..., 1], out[..., 2]

    def f(t: Tensor) -> Tensor:
        return math_ops.cast(t, dtype)

    big = {"r": f((r >= b) & (r >= g)), "g": f((g > r) & (g >= b)), "b": f((b > r) & (b > g))}
    small = {"r": f((r < b) & (r < g)), "g": f((g <= r) & (g < b)),
             "b": f((b <= r) & (b <= g))}
    c = {"r": r, "g": g, "b": b}
    pos = {k: f(t > 0) for k, t in c.items()}
    sq = math_ops.square

    def ds(me: str, a: str, o: str) -> Tensor:
        return pos[me] * math_ops.add(
            big[me] * math_ops.add(small[a] * c[a], small[o] * c[o]) * _recip(sq(c[me])),
            small[me] * -1 * _recip(big[a] * c[a] + big[o] * c[o]))

    ds_dr, ds_dg, ds_db = ds("r", "g", "b"), ds("g", "r", "b"), ds("b", "g", "r")
    dh = [_hue_partial(c, big, small, pos, s, v, me) for me in "rgb"]
    dv_drgb = array_ops.stack([grad[..., 2] * big["r"], grad[..., 2] * big["g"],
                               grad[..., 2] * big["b"]], axis=-1)
    ds_drgb = array_ops.stack([grad[..., 1] * ds_dr, grad[..., 1] * ds_dg,
                               grad[..., 1] * ds_db], axis=-1)
    dh_drgb = array_ops.stack([grad[..., 0] * d for d in dh], axis=-1)
    return math_ops.add(math_ops.add(dv_drgb, ds_drgb), dh_drgb)
