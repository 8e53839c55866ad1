"""GraphDef in TensorFlow's protobuf format: export (``Graph.as_graph_def``), import
(``tf.import_graph_def``) and files (``tf.train.write_graph``). No pickle, no eval: graphs are
read with the protobuf decoder, and attribute values are decoded by their declared kinds."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from minitf.framework import dtypes
from minitf.framework.device_spec import canonical_name
from minitf.framework.op_registry import REQUIRED, AttrSpec, get_op_def
from minitf.framework.tensor_shape import TensorShape

__all__ = ["node_def_of", "graph_to_graph_def", "import_graph_def", "write_graph",
           "VersionDef", "GRAPH_DEF_PRODUCER"]

# TF 1.15's GraphDef version: graphs we write declare themselves as TF 1.x graphs.
GRAPH_DEF_PRODUCER = 134


def VersionDef(producer: int = GRAPH_DEF_PRODUCER, min_consumer: int = 0) -> Any:  # noqa: N802
    from minitf.framework.proto import VersionDef as _VersionDef

    return _VersionDef(producer=producer, min_consumer=min_consumer)


# --- encoding ----------------------------------------------------------------------------------

def _set_shape(proto: Any, shape: TensorShape | None) -> None:
    dims = None if shape is None else shape.as_tuple()
    proto.SetInParent()
    if dims is None:
        proto.unknown_rank = True
        return
    for d in dims:
        proto.dim.add(size=-1 if d is None else int(d))


def _kind_of(value: Any) -> str:
    if isinstance(value, dtypes.DType):
        return "type"
    if isinstance(value, TensorShape):
        return "shape"
    if isinstance(value, np.ndarray):
        return "tensor"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "float"
    if isinstance(value, (str, bytes)):
        return "string"
    if isinstance(value, (list, tuple)):
        inner = _kind_of(value[0]) if value else "string"
        return f"list({inner})"
    raise TypeError(f"Cannot encode attribute value {value!r}")


def _encode_attr(attr: Any, kind: str, value: Any) -> None:
    from minitf.framework.proto.tensor_util import make_tensor_proto

    if kind.startswith("list("):
        inner = kind[5:-1]
        lst = attr.list
        lst.SetInParent()
        for v in value:
            if inner == "type":
                lst.type.append(dtypes.as_dtype(v).as_datatype_enum)
            elif inner == "shape":
                _set_shape(lst.shape.add(), v)
            elif inner == "tensor":
                lst.tensor.add().CopyFrom(make_tensor_proto(v))
            elif inner == "int":
                lst.i.append(int(v))
            elif inner == "float":
                lst.f.append(float(v))
            elif inner == "bool":
                lst.b.append(bool(v))
            else:
                lst.s.append(v.encode() if isinstance(v, str) else bytes(v))
        return
    if kind == "type":
        attr.type = dtypes.as_dtype(value).as_datatype_enum
    elif kind == "shape":
        _set_shape(attr.shape, value)
    elif kind == "tensor":
        attr.tensor.CopyFrom(make_tensor_proto(value))
    elif kind == "int":
        attr.i = int(value)
    elif kind == "float":
        attr.f = float(value)
    elif kind == "bool":
        attr.b = bool(value)
    elif kind == "string":
        attr.s = value.encode() if isinstance(value, str) else bytes(value)
    elif kind == "func":
        attr.func.name = getattr(value, "name", str(value))


def node_def_of(op: Any, add_shapes: bool = False) -> Any:
    """The NodeDef message of one operation."""
    from minitf.framework.proto import NodeDef

    node = NodeDef(name=op.name, op=op.type, device=op.device)
    node.input.extend([t._as_node_def_input() for t in op._inputs])
    node.input.extend([f"^{c.name}" for c in op._control_inputs])
    specs = op.op_def.attrs
    for name in sorted(op._attrs):
        value = op._attrs[name]
        spec = specs.get(name)
        if value is None and (spec is None or spec.kind not in ("shape",)):
            continue
        kind = spec.kind if spec is not None else _kind_of(value)
        _encode_attr(node.attr[name], kind, value)
    if add_shapes and op._outputs:
        lst = node.attr["_output_shapes"].list
        lst.SetInParent()
        for t in op._outputs:
            _set_shape(lst.shape.add(), t.get_shape())
    return node


def graph_to_graph_def(graph: Any, from_version: int | None = None,
                       add_shapes: bool = False) -> Any:
    """The GraphDef of ``graph`` (ops created after ``from_version`` only, when given)."""
    from minitf.framework.proto import GraphDef

    gd = GraphDef()
    gd.versions.producer = GRAPH_DEF_PRODUCER
    for op in graph._ops:
        if from_version is not None and op._id <= from_version:
            continue
        gd.node.append(node_def_of(op, add_shapes))
    return gd


# --- decoding ----------------------------------------------------------------------------------

def _decode_shape(proto: Any) -> TensorShape:
    if proto.unknown_rank:
        return TensorShape(None)
    return TensorShape([None if d.size < 0 else d.size for d in proto.dim])


def _decode_attr(value: Any, spec: AttrSpec | None) -> Any:
    from minitf.framework.proto.tensor_util import make_ndarray

    which = value.WhichOneof("value")
    if which == "list":
        lst = value.list
        kind = spec.kind[5:-1] if spec is not None and spec.kind.startswith("list(") else None
        if lst.type or kind == "type":
            return [dtypes.as_dtype(t) for t in lst.type]
        if lst.shape or kind == "shape":
            return [_decode_shape(s) for s in lst.shape]
        if lst.tensor or kind == "tensor":
            return [make_ndarray(t) for t in lst.tensor]
        if lst.i or kind == "int":
            return [int(i) for i in lst.i]
        if lst.f or kind == "float":
            return [float(f) for f in lst.f]
        if lst.b or kind == "bool":
            return [bool(b) for b in lst.b]
        return [s.decode() for s in lst.s]
    if which == "type":
        return dtypes.as_dtype(value.type)
    if which == "shape":
        return _decode_shape(value.shape)
    if which == "tensor":
        arr = make_ndarray(value.tensor)
        # (np.ascontiguousarray would turn a 0-d array into shape (1,))
        return arr if arr.flags.c_contiguous else arr.copy(order="C")
    if which == "i":
        return int(value.i)
    if which == "f":
        return float(value.f)
    if which == "b":
        return bool(value.b)
    if which == "s":
        return value.s.decode()
    if which == "func":
        return value.func.name
    return None


def _parse_input(name: str) -> tuple[str, int, bool]:
    if name.startswith("^"):
        return name[1:], -1, True
    if ":" in name:
        op_name, idx = name.rsplit(":", 1)
        return op_name, int(idx), False
    return name, 0, False


def _topological_nodes(nodes: list[Any]) -> list[Any]:
    by_name = {n.name: n for n in nodes}
    order: list[Any] = []
    state: dict[str, int] = {}
    for root in nodes:
        if root.name in state:
            continue
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                state[node.name] = 2
                order.append(node)
                continue
            if state.get(node.name) == 2:
                continue
            if state.get(node.name) == 1:
                continue
            state[node.name] = 1
            stack.append((node, True))
            for inp in node.input:
                src = by_name.get(_parse_input(inp)[0])
                if src is not None:
                    if state.get(src.name) == 1:
                        raise ValueError(f"GraphDef has a cycle through node '{src.name}'")
                    if src.name not in state:
                        stack.append((src, False))
    return order


def import_graph_def(graph_def: Any, input_map: dict[str, Any] | None = None,
                     return_elements: list[str] | None = None, name: str | None = None,
                     op_dict: Any = None, producer_op_list: Any = None) -> list[Any] | None:
    """Adds the nodes of ``graph_def`` to the default graph under the scope ``name``
    (default ``import``), rewiring inputs through ``input_map``; returns ``return_elements``."""
    from minitf.framework.graph import get_default_graph
    from minitf.framework.proto import GraphDef
    from minitf.framework.tensor import Tensor
    from minitf.framework.tensor_conversion import convert_to_tensor

    if not isinstance(graph_def, GraphDef):
        raise TypeError(f"graph_def must be a GraphDef proto, got {type(graph_def).__name__}")
    g = get_default_graph()
    input_map = dict(input_map or {})
    mapped: dict[str, Tensor] = {}
    for key, value in input_map.items():
        op_name, idx, is_ctrl = _parse_input(key)
        if not isinstance(value, Tensor):
            value = convert_to_tensor(value)
        mapped[f"{op_name}:{idx}"] = value
    used_keys: set[str] = set()
    prefix_name = "import" if name is None else name
    with g.name_scope(prefix_name or None) as scope:
        prefix = scope
    created: dict[str, Any] = {}
    for node in _topological_nodes(list(graph_def.node)):
        try:
            op_def = get_op_def(node.op)
        except KeyError:
            raise ValueError(f"Node '{node.name}' has an op type minitf does not know: "
                             f"'{node.op}'") from None
        inputs: list[Tensor] = []
        control: list[Any] = []
        for inp in node.input:
            op_name, idx, is_ctrl = _parse_input(inp)
            key = f"{op_name}:{idx}"
            if not is_ctrl and key in mapped:
                inputs.append(mapped[key])
                used_keys.add(key)
                continue
            src = created.get(op_name)
            if src is None:
                raise ValueError(f"Node '{node.name}': Unknown input node '{inp}'")
            if is_ctrl:
                control.append(src)
            else:
                if idx >= len(src.outputs):
                    raise ValueError(f"Node '{node.name}': input '{inp}' refers to output {idx}"
                                     f" of '{op_name}', which has {len(src.outputs)} outputs")
                inputs.append(src.outputs[idx])
        attrs: dict[str, Any] = {}
        for attr_name, value in node.attr.items():
            if attr_name == "_output_shapes":
                continue
            attrs[attr_name] = _decode_attr(value, op_def.attrs.get(attr_name))
        for attr_name, spec in op_def.attrs.items():
            if attr_name not in attrs and spec.default is REQUIRED and spec.kind != "type":
                raise ValueError(f"NodeDef '{node.name}' is missing attr '{attr_name}' of op "
                                 f"'{node.op}'")
        if "_class" in attrs:
            attrs["_class"] = [c if not c.startswith("loc:@") else "loc:@" + prefix + c[5:]
                               for c in attrs["_class"]]
        if prefix:  # attributes naming graph elements (control-flow ops) move with the nodes
            for attr_name in op_def.extra.get("graph_element_attrs", ()):
                value = attrs.get(attr_name)
                if isinstance(value, str):
                    attrs[attr_name] = prefix + value if value else value
                elif isinstance(value, list):
                    attrs[attr_name] = [prefix + v if v else v for v in value]
        with g.name_scope(None):
            op = g._create_op_internal(node.op, inputs, attrs, prefix + node.name,
                                       compute_device=False, control_inputs=control)
        if node.device:
            op._device = canonical_name(node.device)
        created[node.name] = op
    unused = sorted(set(mapped) - used_keys)
    if unused:
        raise ValueError(f"Attempted to map inputs that were not found in graph_def: "
                         f"[{', '.join(unused)}]")
    if return_elements is None:
        return None
    out = []
    for el in return_elements:
        op_name, idx, _ = _parse_input(el)
        op = created.get(op_name)
        if op is None:
            raise ValueError(f"Requested return_element {el!r} not found in graph_def.")
        out.append(op.outputs[idx] if ":" in el else op)
    return out


def atomic_write(path: str, data: bytes) -> None:
    """Writes ``data`` to ``path`` through a temporary file, fsync and rename."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_graph(graph_or_graph_def: Any, logdir: str, name: str, as_text: bool = True) -> str:
    """Writes a GraphDef to ``logdir/name`` (text or binary), atomically; returns the path."""
    from minitf.framework.graph import Graph

    gd = graph_or_graph_def.as_graph_def() if isinstance(graph_or_graph_def, Graph) \
        else graph_or_graph_def
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    data = str(gd).encode() if as_text else gd.SerializeToString()
    atomic_write(path, data)
    return path
