"""``tf.graph_util`` (TF 1.x): freezing a graph (variables to constants), extracting the
sub-graph that feeds given nodes, and removing training-only nodes (Identity, CheckNumerics)."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["convert_variables_to_constants", "extract_sub_graph", "remove_training_nodes",
           "tensor_shape_from_node_def_name"]

_VARIABLE_OPS = ("Variable", "VariableV2", "VarHandleOp")


def _node_name(name: str) -> str:
    """``^a`` / ``a:1`` -> ``a``."""
    if name.startswith("^"):
        name = name[1:]
    return name.split(":")[0]


def _copy_node(node: Any) -> Any:
    from minitf.framework.proto import NodeDef

    new = NodeDef()
    new.CopyFrom(node)
    return new


def _check_graph_def(graph_def: Any) -> None:
    from minitf.framework.proto import GraphDef

    if not isinstance(graph_def, GraphDef):
        raise TypeError("graph_def must be a graph_pb2.GraphDef proto.")


def extract_sub_graph(graph_def: Any, dest_nodes: Any) -> Any:
    """The GraphDef of the nodes that ``dest_nodes`` (node names) depend on, in their order."""
    from minitf.framework.proto import GraphDef

    _check_graph_def(graph_def)
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be an iterable of strings.")
    inputs: dict[str, list[str]] = {}
    nodes: dict[str, Any] = {}
    seq: dict[str, int] = {}
    for i, node in enumerate(graph_def.node):
        name = _node_name(node.name)
        nodes[name] = node
        inputs[name] = [_node_name(x) for x in node.input]
        seq[name] = i
    for d in dest_nodes:
        if d not in inputs:
            raise AssertionError(f"{d} is not in graph")
    keep: set[str] = set()
    stack = list(dest_nodes)
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        stack.extend(n for n in inputs.get(name, ()) if n not in keep)
    out = GraphDef()
    for name in sorted(keep, key=lambda n: seq.get(n, -1)):
        if name in nodes:
            out.node.append(_copy_node(nodes[name]))
    if graph_def.HasField("library"):
        out.library.CopyFrom(graph_def.library)
    if graph_def.HasField("versions"):
        out.versions.CopyFrom(graph_def.versions)
    return out


def _const_node(name: str, dtype_attr: Any, data: Any) -> Any:
    from minitf.framework.proto import NodeDef
    from minitf.framework.proto.tensor_util import make_tensor_proto

    node = NodeDef(name=name, op="Const")
    node.attr["dtype"].CopyFrom(dtype_attr)
    node.attr["value"].tensor.CopyFrom(make_tensor_proto(data, shape=data.shape))
    return node


def convert_variables_to_constants(sess: Any, input_graph_def: Any, output_node_names: Any,
                                   variable_names_whitelist: Any = None,
                                   variable_names_blacklist: Any = None) -> Any:
    """A frozen copy of the sub-graph feeding ``output_node_names``: each variable node
    (``VariableV2``) becomes a ``Const`` holding its current value in ``sess``."""
    from minitf.framework.proto import GraphDef

    inference = extract_sub_graph(input_graph_def, output_node_names)
    names: list[str] = []
    fetches: list[str] = []
    for node in inference.node:
        if node.op not in _VARIABLE_OPS:
            continue
        if variable_names_whitelist is not None and node.name not in variable_names_whitelist:
            continue
        if variable_names_blacklist is not None and node.name in variable_names_blacklist:
            continue
        names.append(node.name)
        fetches.append(node.name + ":0")
    values = dict(zip(names, sess.run(fetches))) if fetches else {}
    out = GraphDef()
    for node in inference.node:
        if node.name in values:
            out.node.append(_const_node(node.name, node.attr["dtype"], values[node.name]))
        else:
            out.node.append(_copy_node(node))
    if inference.HasField("library"):
        out.library.CopyFrom(inference.library)
    if inference.HasField("versions"):
        out.versions.CopyFrom(inference.versions)
    return out


def _strip_control(name: str) -> str:
    return re.sub(r"^\^", "", name)


def remove_training_nodes(input_graph: Any, protected_nodes: Any = None) -> Any:
    """Drops ``CheckNumerics`` nodes and splices out ``Identity`` nodes (except protected ones,
    ones with or used as control inputs, and ones others are colocated with)."""
    from minitf.framework.proto import GraphDef

    protected = set(protected_nodes or ())
    removed = {n.name for n in input_graph.node
               if n.op == "CheckNumerics" and n.name not in protected}
    after_removal = []
    for node in input_graph.node:
        if node.name in removed:
            continue
        new = _copy_node(node)
        new.ClearField("input")
        new.input.extend(x for x in node.input if _strip_control(x) not in removed)
        after_removal.append(new)
    control_inputs: set[str] = set()
    with_control: set[str] = set()
    colocated: set[str] = set()
    for node in after_removal:
        for x in node.input:
            if x.startswith("^"):
                control_inputs.add(x[1:])
                with_control.add(node.name)
        if "_class" in node.attr:
            for s in node.attr["_class"].list.s:
                text = s.decode() if isinstance(s, bytes) else s
                colocated.add(text[len("loc:@"):] if text.startswith("loc:@") else text)
    splice = {n.name: n.input[0] for n in after_removal
              if n.op == "Identity" and n.name not in protected and n.name not in colocated
              and n.name not in with_control and n.name not in control_inputs}
    out = GraphDef()
    for node in after_removal:
        if node.name in splice:
            continue
        new = _copy_node(node)
        new.ClearField("input")
        for full in node.input:
            name = _strip_control(full)
            while name in splice:
                full = splice[name]
                name = _strip_control(full)
            new.input.append(full)
        out.node.append(new)
    return out


def tensor_shape_from_node_def_name(graph: Any, input_name: str) -> Any:
    """The static shape of the tensor ``input_name`` (``op`` means ``op:0``)."""
    if ":" not in input_name:
        input_name += ":0"
    return graph.get_tensor_by_name(input_name).get_shape()
