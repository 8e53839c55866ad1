"""The checkpoint ops ``SaveV2`` and ``RestoreV2`` (TF's signatures and names; minitf's file
format, see :mod:`minitf.train.checkpoint_format`).

TF declares their tensors as a type list (``tensors: dtypes``, ``dtypes: list(type)``). The op
registry has no type-list arguments yet, so the list is declared as ``N * T`` (one ``N``, a
nominal ``T``) and the output dtypes come from the ``dtypes`` attribute (see
:class:`_TypeListOpDef`); ops are created with all three attributes set.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitf.framework import dtypes, errors
from minitf.framework.graph import get_default_graph
from minitf.framework.op_registry import NotDifferentiable, OpDef, register_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape
from minitf.train.checkpoint_format import CheckpointReader, write_checkpoint

__all__ = ["save_v2", "restore_v2"]


class _TypeListOpDef(OpDef):
    """An OpDef whose ``N * T`` output list takes its dtypes from the ``dtypes`` attribute."""

    def output_dtypes(self, attrs: dict[str, Any]) -> list[dtypes.DType]:
        out: list[dtypes.DType] = []
        for arg in self.outputs:
            if arg.name == "tensors":
                out.extend(dtypes.as_dtype(d) for d in attrs["dtypes"])
            else:
                out.extend(super().output_dtypes({**attrs}))
        return out


def _text(x: Any) -> str:
    if isinstance(x, np.ndarray):
        x = x.item() if x.ndim == 0 else x
    return x.decode() if isinstance(x, bytes) else str(x)


def _check_slices(op: Any, names: np.ndarray, slices: np.ndarray) -> list[str]:
    names_l = [_text(n) for n in np.asarray(names, dtype=object).reshape(-1)]
    slices_l = [_text(s) for s in np.asarray(slices, dtype=object).reshape(-1)]
    if len(slices_l) != len(names_l):
        raise errors.InvalidArgumentError(
            None, op, f"shape_and_slices has {len(slices_l)} entries, tensor_names "
                      f"{len(names_l)}")
    if any(slices_l):
        raise errors.UnimplementedError(
            None, op, "Saving or restoring slices of tensors (partitioned variables) is not "
                      "supported by minitf checkpoints")
    return names_l


def _save_kernel(op: Any, state: Any) -> Any:
    dts = [dtypes.as_dtype(d) for d in op._attrs["dtypes"]]

    def save(prefix: Any, names: Any, slices: Any, *tensors: Any) -> None:
        names_l = _check_slices(op, names, slices)
        if len(names_l) != len(tensors):
            raise errors.InvalidArgumentError(
                None, op, f"Got {len(tensors)} tensors for {len(names_l)} tensor names")
        path = _text(prefix)
        write_checkpoint(path, list(zip(names_l, tensors)),
                         {n: d for n, d in zip(names_l, dts)})

    return save


def _restore_kernel(op: Any, state: Any) -> Any:
    dts = [dtypes.as_dtype(d) for d in op._attrs["dtypes"]]

    def restore(prefix: Any, names: Any, slices: Any) -> Any:
        names_l = _check_slices(op, names, slices)
        if len(names_l) != len(dts):
            raise errors.InvalidArgumentError(
                None, op, f"Got {len(names_l)} tensor names for {len(dts)} dtypes")
        reader = CheckpointReader(_text(prefix))
        out = []
        for name, want in zip(names_l, dts):
            have = dtypes.as_dtype(reader.entry(name)["dtype"])
            if have.base_dtype != want.base_dtype:
                raise errors.InvalidArgumentError(
                    None, op, f"tensor_name = {name}; expected dtype {want.name} does not "
                              f"equal original dtype {have.name} (checkpoint {reader.prefix})")
            out.append(reader.get_tensor(name))
        return tuple(out)

    return restore


def _restore_shapes(op: Any) -> list[TensorShape]:
    return [unknown_shape() for _ in op.outputs]


def _register() -> None:
    common = ["dtypes: list(type)", "N: int >= 1", "T: type"]
    save = register_op("SaveV2", inputs=["prefix: string", "tensor_names: string",
                                         "shape_and_slices: string", "tensors: N * T"],
                       attrs=common, shape=lambda op: [], make_kernel=_save_kernel,
                       stateful=True, doc="Writes tensors to a checkpoint (minitf format).")
    restore = register_op("RestoreV2", inputs=["prefix: string", "tensor_names: string",
                                               "shape_and_slices: string"],
                          outputs=["tensors: N * T"], attrs=common, shape=_restore_shapes,
                          make_kernel=_restore_kernel, stateful=True,
                          doc="Reads tensors from a checkpoint (minitf format).")
    save.__class__ = _TypeListOpDef
    restore.__class__ = _TypeListOpDef
    NotDifferentiable("SaveV2")
    NotDifferentiable("RestoreV2")


_register()


def _string_const(values: list[str], name: str) -> Tensor:
    from minitf.ops.constant_op import constant

    return constant(np.array([v.encode() for v in values], dtype=object), name=name)


def save_v2(prefix: Any, tensor_names: list[str], shape_and_slices: list[str],
            tensors: list[Any], name: str | None = None) -> Any:
    """The ``SaveV2`` op writing ``tensors`` under ``tensor_names`` to checkpoint ``prefix``."""
    from minitf.framework.tensor_conversion import convert_to_tensor

    g = get_default_graph()
    with g.name_scope(name or "SaveV2") as scope:
        prefix_t = convert_to_tensor(prefix, dtype=dtypes.string, name="prefix")
        names_t = _string_const(list(tensor_names), "tensor_names")
        slices_t = _string_const(list(shape_and_slices), "shape_and_slices")
        values = [convert_to_tensor(t) for t in tensors]
        dts = [t.dtype.base_dtype for t in values]
        attrs = {"dtypes": dts, "N": len(values), "T": dts[0]}
        return g._create_op_internal("SaveV2", [prefix_t, names_t, slices_t, *values], attrs,
                                     scope[:-1])


def restore_v2(prefix: Any, tensor_names: list[str], shape_and_slices: list[str],
               dtypes_: list[Any], name: str | None = None) -> list[Tensor]:
    """The ``RestoreV2`` op reading ``tensor_names`` (of ``dtypes_``) from ``prefix``."""
    from minitf.framework.tensor_conversion import convert_to_tensor

    g = get_default_graph()
    with g.name_scope(name or "RestoreV2") as scope:
        prefix_t = convert_to_tensor(prefix, dtype=dtypes.string, name="prefix")
        names_t = _string_const(list(tensor_names), "tensor_names")
        slices_t = _string_const(list(shape_and_slices), "shape_and_slices")
        dts = [dtypes.as_dtype(d).base_dtype for d in dtypes_]
        attrs = {"dtypes": dts, "N": len(dts), "T": dts[0]}
        op = g._create_op_internal("RestoreV2", [prefix_t, names_t, slices_t], attrs,
                                   scope[:-1])
    return list(op.outputs)
