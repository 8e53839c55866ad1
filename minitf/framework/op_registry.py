"""The op registry: every op type is declared once, with its signature, shape function and numpy
reference.

Signatures use a small form of TF's REGISTER_OP language::

    register_op("MatMul",
                inputs=["a: T", "b: T"], outputs=["product: T"],
                attrs=["transpose_a: bool = false", "transpose_b: bool = false",
                       "T: {float16, float32, float64, int32, int64}"],
                shape=matmul_shape, reference=matmul_reference,
                kernel_attrs=("transpose_a", "transpose_b"))

Inputs and outputs are ``name: T`` (a type attribute), ``name: int32`` (a fixed type),
``name: N * T`` (a list whose length is attribute ``N``), ``name: Tlist`` where ``Tlist`` is
a ``list(type)`` attribute (a list of tensors of several types, as TF's ``Tin``/``Tout``) or
``name: Ref(T)`` (a variable reference, passed to the kernel as its storage slot). Attribute
kinds are ``type`` (or a type set such as ``numeric`` / ``{float32, float64}``), ``int``,
``float``, ``bool``, ``string``, ``shape``, ``tensor``, ``func`` and ``list(...)`` of these,
with optional ``= default``.

The reference is called as ``reference(*input_values, **{a: attr for a in kernel_attrs})`` and
returns one array or a tuple (one per output). Ops that need session state (variables, random
streams, queues) give ``make_kernel(op, state) -> callable`` instead. Device kernels register in
:mod:`minitf.kernels.registry` and fall back to the reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from minitf.framework import dtypes
from minitf.framework.tensor_shape import TensorShape, as_shape

__all__ = ["ArgSpec", "AttrSpec", "OpDef", "register_op", "get_op_def", "registered_ops",
           "RegisterGradient", "NotDifferentiable", "no_gradient", "get_gradient_function",
           "REQUIRED"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class ArgSpec:
    """One input or output of an op signature."""

    name: str
    type_attr: str | None = None
    fixed_type: dtypes.DType | None = None
    number_attr: str | None = None
    is_ref: bool = False
    type_list_attr: str | None = None

    def dtype(self, attrs: dict[str, Any]) -> dtypes.DType:
        d = self.fixed_type if self.fixed_type is not None else attrs[self.type_attr]  # type: ignore[index]
        return d._as_ref if self.is_ref else d


@dataclass(frozen=True)
class AttrSpec:
    """One attribute of an op signature."""

    name: str
    kind: str
    allowed: tuple[dtypes.DType, ...] | None = None
    default: Any = REQUIRED
    minimum: int | None = None


@dataclass(eq=False)
class OpDef:
    """Everything minitf knows about one op type."""

    type: str
    inputs: list[ArgSpec]
    outputs: list[ArgSpec]
    attrs: dict[str, AttrSpec]
    shape: Callable[[Any], Sequence[TensorShape]] | None
    reference: Callable[..., Any] | None = None
    kernel_attrs: tuple[str, ...] = ()
    make_kernel: Callable[[Any, Any], Callable[..., Any]] | None = None
    stateful: bool = False
    aliases_input: bool = False
    doc: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ref_input_indices(self) -> tuple[int, ...]:
        return tuple(i for i, a in enumerate(self.inputs) if a.is_ref)

    def output_dtypes(self, attrs: dict[str, Any]) -> list[dtypes.DType]:
        out: list[dtypes.DType] = []
        for arg in self.outputs:
            if arg.type_list_attr is not None:
                out.extend(dtypes.as_dtype(d) for d in attrs[arg.type_list_attr])
                continue
            d = arg.dtype(attrs)
            if arg.number_attr is not None:
                out.extend([d] * int(attrs[arg.number_attr]))
            else:
                out.append(d)
        return out


_OPS: dict[str, OpDef] = {}
_GRADIENTS: dict[str, Callable[..., Any] | None] = {}

_ARG_RE = re.compile(r"^\s*(\w+)\s*:\s*(?:(\w+)\s*\*\s*)?(Ref\((\w+)\)|\w+)\s*$")
_ATTR_RE = re.compile(r"^\s*(\w+)\s*:\s*((?:[^=]|(?<=[<>])=)+?)\s*(?:(?<![<>])=\s*(.+?))?\s*$")


def _parse_arg(text: str, attr_kinds: dict[str, str]) -> ArgSpec:
    m = _ARG_RE.match(text)
    if not m:
        raise ValueError(f"bad argument spec {text!r}")
    name, number_attr, type_text, ref_inner = m.groups()
    is_ref = ref_inner is not None
    type_name = ref_inner if is_ref else type_text
    if attr_kinds.get(type_name) == "list(type)":
        if number_attr is not None or is_ref:
            raise ValueError(f"bad argument spec {text!r}: a list(type) argument is not a "
                             "reference and has no length attribute")
        return ArgSpec(name, type_list_attr=type_name)
    if type_name in attr_kinds:
        return ArgSpec(name, type_attr=type_name, number_attr=number_attr, is_ref=is_ref)
    return ArgSpec(name, fixed_type=dtypes.as_dtype(type_name), number_attr=number_attr,
                   is_ref=is_ref)


def _parse_type_set(text: str) -> tuple[dtypes.DType, ...] | None:
    text = text.strip()
    if text == "type":
        return None
    if text in dtypes.TYPE_SETS:
        return dtypes.TYPE_SETS[text]
    if text.startswith("{") and text.endswith("}"):
        out: list[dtypes.DType] = []
        for part in text[1:-1].split(","):
            part = part.strip()
            out.extend(dtypes.TYPE_SETS[part] if part in dtypes.TYPE_SETS
                       else (dtypes.as_dtype(part),))
        return tuple(out)
    raise ValueError(f"bad type set {text!r}")


def _parse_default(kind: str, text: str | None) -> Any:
    if text is None:
        return REQUIRED
    t = text.strip()
    if kind.startswith("list"):
        inner = t.strip("[]").strip()
        if not inner:
            return []
        sub = kind[5:-1]
        return [_parse_default(sub, p) for p in inner.split(",")]
    if kind == "bool":
        return t.lower() == "true"
    if kind == "int":
        return int(t)
    if kind == "float":
        return float(t)
    if kind == "string":
        return t.strip("'\"")
    if kind == "type":
        return dtypes.as_dtype(t)
    if kind == "shape":
        return None if t in ("unknown", "None") else as_shape(eval_literal_list(t))
    if kind in ("tensor", "func"):
        return None
    raise ValueError(f"no default parsing for kind {kind}")


def eval_literal_list(text: str) -> list[int | None]:
    """Parses ``[1, -1, 3]``-style literals without eval."""
    inner = text.strip().strip("[]").strip()
    return [] if not inner else [None if p.strip() in ("-1", "?") else int(p) for p in
                                 inner.split(",")]


def _parse_attr(text: str) -> AttrSpec:
    m = _ATTR_RE.match(text)
    if not m:
        raise ValueError(f"bad attribute spec {text!r}")
    name, kind_text, default_text = m.groups()
    kind_text = kind_text.strip()
    minimum = None
    mm = re.match(r"^(int)\s*>=\s*(-?\d+)$", kind_text)
    if mm:
        kind_text, minimum = mm.group(1), int(mm.group(2))
    plain = {"int", "float", "bool", "string", "shape", "tensor", "func"}
    if kind_text in plain or kind_text.startswith("list("):
        return AttrSpec(name, kind_text, None, _parse_default(kind_text, default_text), minimum)
    allowed = _parse_type_set(kind_text)
    return AttrSpec(name, "type", allowed, _parse_default("type", default_text))


def register_op(op_type: str, *, inputs: Sequence[str] = (), outputs: Sequence[str] = (),
                attrs: Sequence[str] = (), shape: Callable[[Any], Sequence[TensorShape]] | None,
                reference: Callable[..., Any] | None = None, kernel_attrs: Sequence[str] = (),
                make_kernel: Callable[[Any, Any], Callable[..., Any]] | None = None,
                stateful: bool = False, aliases_input: bool = False, doc: str = "",
                **extra: Any) -> OpDef:
    """Declares an op type. Raises ValueError when the type is already registered."""
    if op_type in _OPS:
        raise ValueError(f"Op type {op_type!r} is already registered")
    attr_specs = {a.name: a for a in (_parse_attr(t) for t in attrs)}
    kinds = {n: a.kind for n, a in attr_specs.items() if a.kind in ("type", "list(type)")}
    # An attr used as a type (``x: T``) but not declared is an unconstrained type attr.
    in_specs = [_parse_arg(t, _implicit_types(t, attr_specs) | kinds) for t in inputs]
    out_specs = [_parse_arg(t, _implicit_types(t, attr_specs) | kinds) for t in outputs]
    for spec in in_specs + out_specs:
        if spec.type_attr and spec.type_attr not in attr_specs:
            attr_specs[spec.type_attr] = AttrSpec(spec.type_attr, "type")
        if spec.number_attr and spec.number_attr not in attr_specs:
            attr_specs[spec.number_attr] = AttrSpec(spec.number_attr, "int", minimum=0)
    if reference is None and make_kernel is None:
        raise ValueError(f"Op {op_type!r} needs a reference or a make_kernel")
    op_def = OpDef(op_type, in_specs, out_specs, attr_specs, shape, reference,
                   tuple(kernel_attrs), make_kernel, stateful, aliases_input, doc, dict(extra))
    _OPS[op_type] = op_def
    return op_def


def _implicit_types(arg_text: str, attrs: dict[str, AttrSpec]) -> dict[str, str]:
    m = _ARG_RE.match(arg_text)
    if not m:
        return {}
    type_name = m.group(4) or m.group(3)
    try:
        dtypes.as_dtype(type_name)
        return {}
    except TypeError:
        return {type_name: "type"}


# Op modules not imported by ``import minitf`` (to keep it fast); looked in on a miss, e.g. when
# a GraphDef with summary or checkpoint ops is imported.
_OPTIONAL_OP_MODULES = ("minitf.summary.summary_ops", "minitf.train", "minitf.ops.training_ops",
                        "minitf.image")


def get_op_def(op_type: str) -> OpDef:
    op_def = _OPS.get(op_type)
    if op_def is None:
        import importlib

        for module in _OPTIONAL_OP_MODULES:
            try:
                importlib.import_module(module)
            except ImportError:
                continue
            if op_type in _OPS:
                return _OPS[op_type]
        raise KeyError(f"Op type not registered '{op_type}'")
    return op_def


def registered_ops() -> dict[str, OpDef]:
    return dict(_OPS)


# --- gradients ---------------------------------------------------------------------------------

class RegisterGradient:
    """Decorator registering the gradient function of an op type (``tf.RegisterGradient``).

    The function takes ``(op, *output_grads)`` and returns one gradient per input (None where
    an input gets no gradient).
    """

    def __init__(self, op_type: str) -> None:
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        if self._op_type in _GRADIENTS:
            raise KeyError(f"Registering two gradient with name '{self._op_type}'!")
        _GRADIENTS[self._op_type] = fn
        return fn


def NotDifferentiable(op_type: str) -> None:  # noqa: N802 - TF's public name
    """Declares that ops of ``op_type`` have no gradient (their inputs get None)."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    _GRADIENTS[op_type] = None


no_gradient = NotDifferentiable


def has_gradient_entry(op_type: str) -> bool:
    return op_type in _GRADIENTS


def get_gradient_function(op: Any) -> Callable[..., Any] | None:
    """The gradient function for ``op`` (honouring gradient_override_map), or None."""
    if not op.inputs:
        return None
    op_type = op._attrs.get("_gradient_op_type", op.type)
    if op_type not in _GRADIENTS:
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op_type})."
                          " In general every operation must have an associated "
                          "`@tf.RegisterGradient` for correct autodiff, which this op is lacking.")
    return _GRADIENTS[op_type]
