"""``tf.map_fn``, ``tf.scan``, ``tf.foldl`` and ``tf.foldr``: loops over the leading dimension of
(nested) tensors, built on ``tf.while_loop`` so that they work for lengths known only at run time
and differentiate through the loop.

TF collects per-element results in a TensorArray; minitf's versions predate its TensorArray
(``ops/tensor_array_ops.py``) and grow each result along the leading dimension inside the loop
(the first iteration starts it), so op names differ from TF's (``map/while/...`` in place of
``map/TensorArrayV2Stack/...``) while values, shapes, dtypes and gradients match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minitf.framework import dtypes
from minitf.framework.graph import get_default_graph
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_conversion import convert_to_tensor
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import array_ops, math_ops
from minitf.ops import control_flow_util as nest

__all__ = ["map_fn", "scan", "foldl", "foldr"]


def _flat_elems(elems: Any, what: str) -> list[Tensor]:
    flat = [convert_to_tensor(e, name="elem") for e in nest.flatten(elems)]
    if not flat:
        raise ValueError(f"elems must be a Tensor or (possibly nested) sequence of Tensors. "
                         f"Got {elems!r}, which does not contain any Tensors.")
    for e in flat:
        if e.get_shape().ndims == 0:
            raise ValueError(f"{what}: Elements in elems must be 1+ dimensional Tensors, not "
                             f"scalars (got {e.name})")
    return flat


def _length(flat: list[Tensor]) -> tuple[Any, int | None]:
    """The number of elements (a Python int when known statically, else a scalar tensor)."""
    dim = TensorShape([None])
    for e in flat:
        shape = e.get_shape()
        if shape.ndims is not None:
            dim = dim.merge_with(shape[:1])
    static = dim[0].value
    if static is not None:
        return static, static
    return array_ops.shape(flat[0])[0], None


def _check_outputs(what: str, got: list[Tensor], want: list[dtypes.DType]) -> None:
    for k, (t, d) in enumerate(zip(got, want)):
        if t.dtype.base_dtype != d.base_dtype:
            raise TypeError(f"{what}: fn returned {t.dtype.base_dtype.name} for output {k} "
                            f"({t.name}) where {d.base_dtype.name} was expected; pass `dtype` "
                            "with the structure and dtypes fn returns")


def _loop(what: str, n: Any, static_n: int | None, reverse: bool, carry: list[Tensor],
          out_dtypes: list[dtypes.DType] | None,
          step: Callable[[Any, list[Tensor]], tuple[list[Tensor], list[Tensor]]],
          parallel_iterations: int | None, back_prop: bool, swap_memory: bool
          ) -> tuple[list[Tensor], list[Tensor]]:
    """Runs ``step(index, carry) -> (carry, outputs)`` for the n indices (descending when
    ``reverse``); returns the final carry and each output stacked in index order."""
    from minitf.ops.control_flow_cond import cond
    from minitf.ops.control_flow_while import while_loop

    out_dtypes = out_dtypes or []
    out_shapes: list[TensorShape] = [TensorShape(None)] * len(out_dtypes)
    accs = [array_ops.zeros([0], dtype=d) for d in out_dtypes]

    def body(i: Tensor, *loop_vars: Tensor) -> list[Tensor]:
        c, a = list(loop_vars[:len(carry)]), list(loop_vars[len(carry):])
        index = n - 1 - i if reverse else i
        new_c, outs = step(index, c)
        _check_outputs(what, outs, out_dtypes)
        grown = []
        for k, (acc, y) in enumerate(zip(a, outs)):
            out_shapes[k] = y.get_shape()
            row = array_ops.expand_dims(y, 0)
            pair = [row, acc] if reverse else [acc, row]
            grown.append(cond(math_ops.equal(i, 0), lambda row=row: row,
                              lambda pair=pair: array_ops.concat(pair, 0)))
        return [i + 1] + list(new_c) + grown

    invariants = [TensorShape([])] + [c.get_shape() for c in carry] + \
        [TensorShape(None)] * len(accs)
    result = while_loop(lambda i, *_: math_ops.less(i, n), body,
                        [convert_to_tensor(0, dtype=dtypes.int32)] + carry + accs,
                        shape_invariants=invariants,
                        parallel_iterations=parallel_iterations or 10, back_prop=back_prop,
                        swap_memory=swap_memory, return_same_structure=True)
    final_carry = list(result[1:1 + len(carry)])
    stacked = []
    for t, shape in zip(result[1 + len(carry):], out_shapes):
        if shape.is_fully_defined():  # also gives zero elements their element shape
            t = array_ops.reshape(t, [-1] + shape.as_list())
        t.set_shape(TensorShape([static_n]).concatenate(shape))
        stacked.append(t)
    return final_carry, stacked


def _elements(flat: list[Tensor], index: Any) -> list[Tensor]:
    return [array_ops.gather(e, index) for e in flat]


def map_fn(fn: Callable[..., Any], elems: Any, dtype: Any = None,
           parallel_iterations: int | None = None, back_prop: bool = True,
           swap_memory: bool = False, infer_shape: bool = True, name: str | None = None) -> Any:
    """Applies ``fn`` to each element of ``elems`` (unpacked along dimension 0) and stacks the
    results (``tf.map_fn``). ``dtype`` gives fn's output structure and dtypes when they differ
    from ``elems``'s."""
    del infer_shape
    g = get_default_graph()
    with g.name_scope(name or "map"):
        flat = _flat_elems(elems, "map_fn")
        n, static_n = _length(flat)
        out_structure = elems if dtype is None else dtype
        out_dtypes = [e.dtype.base_dtype for e in flat] if dtype is None else \
            [dtypes.as_dtype(d) for d in nest.flatten(dtype)]

        def step(index: Any, carry: list[Tensor]) -> tuple[list[Tensor], list[Tensor]]:
            y = fn(nest.pack_sequence_as(elems, _elements(flat, index)))
            nest.assert_same_structure(out_structure, y, check_types=dtype is None)
            return carry, [convert_to_tensor(t) for t in nest.flatten(y)]

        _, stacked = _loop("map_fn", n, static_n, False, [], out_dtypes, step,
                           parallel_iterations, back_prop, swap_memory)
        return nest.pack_sequence_as(out_structure, stacked)


def _scan_like(what: str, fn: Callable[..., Any], elems: Any, initializer: Any,
               parallel_iterations: int | None, back_prop: bool, swap_memory: bool,
               reverse: bool, keep_outputs: bool) -> Any:
    flat = _flat_elems(elems, what)
    n, static_n = _length(flat)
    if initializer is None:
        first = n - 1 if reverse else 0
        structure = elems
        init = _elements(flat, first)
        skip = 1
    else:
        structure = initializer
        init = [convert_to_tensor(t, name="initializer") for t in nest.flatten(initializer)]
        skip = 0
    steps = n - skip if static_n is None else static_n - skip
    start = 0 if reverse else skip  # element index of the first step

    def step(index: Any, carry: list[Tensor]) -> tuple[list[Tensor], list[Tensor]]:
        x = nest.pack_sequence_as(elems, _elements(flat, index + start))
        a = fn(nest.pack_sequence_as(structure, carry), x)
        nest.assert_same_structure(structure, a)
        a_flat = [convert_to_tensor(t) for t in nest.flatten(a)]
        _check_outputs(what, a_flat, [c.dtype for c in carry])
        return a_flat, (a_flat if keep_outputs else [])

    out_dtypes = [c.dtype.base_dtype for c in init] if keep_outputs else None
    final, stacked = _loop(what, steps, None if static_n is None else static_n - skip, reverse,
                           init, out_dtypes, step, parallel_iterations, back_prop, swap_memory)
    if not keep_outputs:
        return nest.pack_sequence_as(structure, final)
    if skip:  # the first element (last when reversed) is its own output
        firsts = [array_ops.expand_dims(t, 0) for t in init]
        stacked = [array_ops.concat([s, f] if reverse else [f, s], 0)
                   for s, f in zip(stacked, firsts)]
        for t, f in zip(stacked, init):
            t.set_shape(TensorShape([static_n]).concatenate(f.get_shape()))
    return nest.pack_sequence_as(structure, stacked)


def scan(fn: Callable[..., Any], elems: Any, initializer: Any = None,
         parallel_iterations: int | None = None, back_prop: bool = True,
         swap_memory: bool = False, infer_shape: bool = True, reverse: bool = False,
         name: str | None = None) -> Any:
    """``a = fn(a, x)`` over the elements of ``elems``, stacking every ``a`` (``tf.scan``);
    ``a`` starts as ``initializer``, or as the first element (last with ``reverse``)."""
    del infer_shape
    with get_default_graph().name_scope(name or "scan"):
        return _scan_like("scan", fn, elems, initializer, parallel_iterations, back_prop,
                          swap_memory, reverse, keep_outputs=True)


def foldl(fn: Callable[..., Any], elems: Any, initializer: Any = None,
          parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
          name: str | None = None) -> Any:
    """``a = fn(a, x)`` over the elements of ``elems`` from the first; returns the last ``a``
    (``tf.foldl``)."""
    with get_default_graph().name_scope(name or "foldl"):
        return _scan_like("foldl", fn, elems, initializer, parallel_iterations, back_prop,
                          swap_memory, reverse=False, keep_outputs=False)


def foldr(fn: Callable[..., Any], elems: Any, initializer: Any = None,
          parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
          name: str | None = None) -> Any:
    """``a = fn(a, x)`` over the elements of ``elems`` from the last; returns the last ``a``
    (``tf.foldr``)."""
    with get_default_graph().name_scope(name or "foldr"):
        return _scan_like("foldr", fn, elems, initializer, parallel_iterations, back_prop,
                          swap_memory, reverse=True, keep_outputs=False)
