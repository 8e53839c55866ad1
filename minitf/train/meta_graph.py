"""MetaGraphDef export and import (``tf.train.export_meta_graph`` /
``tf.train.import_meta_graph``): the GraphDef (through :mod:`minitf.framework.graph_io`), the
SaverDef and the collections, stored as TF stores them — variable collections as VariableDef
bytes, savers as SaverDef bytes, tensors and ops as node lists, numbers and strings as value
lists. Importing into a fresh graph gives back Variables, collections and a working Saver.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from minitf.framework.graph import GraphKeys, get_default_graph
from minitf.framework.operation import Operation
from minitf.framework.proto import MetaGraphDef, SaverDef, text_format
from minitf.framework.proto.meta_graph_pb import SaveSliceInfoDef, VariableDef
from minitf.framework.tensor import Tensor

__all__ = ["VariableDef", "SaveSliceInfoDef", "export_meta_graph", "import_meta_graph",
           "read_meta_graph_file", "create_meta_graph_def", "variable_to_proto",
           "VARIABLE_COLLECTIONS"]

_log = logging.getLogger("minitf")

VARIABLE_COLLECTIONS = (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES,
                        GraphKeys.METRIC_VARIABLES, GraphKeys.MODEL_VARIABLES,
                        GraphKeys.TRAINABLE_VARIABLES, GraphKeys.MOVING_AVERAGE_VARIABLES,
                        GraphKeys.CONCATENATED_VARIABLES,
                        GraphKeys.TRAINABLE_RESOURCE_VARIABLES)
# Collections stored as VariableDef bytes (TF registers proto functions for these keys).
_VARIABLE_PROTO_KEYS = VARIABLE_COLLECTIONS + (GraphKeys.GLOBAL_STEP,)


def _strip(name: str, scope: str | None) -> str:
    if not scope:
        return name
    s = scope.rstrip("/") + "/"
    if name.startswith("^" + s):
        return "^" + name[len(s) + 1:]
    return name[len(s):] if name.startswith(s) else name


def _prepend(name: str, scope: str | None) -> str:
    if not scope:
        return name
    s = scope.rstrip("/")
    return f"^{s}/{name[1:]}" if name.startswith("^") else f"{s}/{name}"


def variable_to_proto(var: Any, export_scope: str | None = None) -> VariableDef | None:
    """The VariableDef of a Variable (None when it is outside ``export_scope``)."""
    if export_scope is not None and not var._variable.name.startswith(export_scope):
        return None
    proto = VariableDef(variable_name=_strip(var._variable.name, export_scope),
                        initializer_name=_strip(var.initializer.name, export_scope),
                        snapshot_name=_strip(var.value().name, export_scope),
                        trainable=bool(var.trainable), is_resource=False)
    if var.initial_value is not None:
        proto.initial_value_name = _strip(var.initial_value.name, export_scope)
    agg = getattr(getattr(var, "aggregation", None), "value", 0)
    sync = getattr(getattr(var, "synchronization", None), "value", 0)
    proto.aggregation = int(agg or 0)
    proto.synchronization = int(sync or 0)
    return proto


def _kind_of(item: Any) -> str:
    if isinstance(item, (str, bytes)):
        return "bytes_list"
    if isinstance(item, bool) or not isinstance(item, (int, float)):
        return "node_list"
    return "int64_list" if isinstance(item, int) else "float_list"


def _add_collection_def(meta: MetaGraphDef, key: Any, graph: Any,
                        export_scope: str | None) -> None:
    from minitf.framework.proto import Any as AnyProto
    from minitf.ops.variables import Variable

    if not isinstance(key, (str, bytes)):
        _log.debug("Only collections with string type keys will be serialized. This key "
                   "has %s", type(key))
        return
    items = [x for x in graph.get_collection(key) if _in_scope(x, export_scope)]
    if not items:
        return
    col = meta.collection_def[key]
    try:
        if key in _VARIABLE_PROTO_KEYS:
            for x in items:
                proto = variable_to_proto(x, export_scope)
                if proto is not None:
                    col.bytes_list.value.append(proto.SerializeToString())
        elif key == GraphKeys.SAVERS:
            for x in items:
                proto = x.to_proto(export_scope)
                if proto is not None:
                    col.bytes_list.value.append(proto.SerializeToString())
        elif isinstance(items[0], AnyProto):
            for x in items:
                col.any_list.value.add().CopyFrom(x)
        else:
            kind = _kind_of(items[0])
            if kind == "node_list":
                for x in items:
                    if not isinstance(x, (Tensor, Operation, Variable)):
                        raise TypeError(f"unsupported collection item {x!r}")
                    col.node_list.value.append(_strip(x.name, export_scope))
            elif kind == "bytes_list":
                col.bytes_list.value.extend(x.encode() if isinstance(x, str) else bytes(x)
                                            for x in items)
            elif kind == "int64_list":
                col.int64_list.value.extend(int(x) for x in items)
            else:
                col.float_list.value.extend(float(x) for x in items)
    except Exception as e:  # noqa: BLE001 - TF skips collections it cannot serialize
        _log.warning("Issue encountered when serializing %s.\nType is unsupported, or the "
                     "types of the items don't match field type in CollectionDef. Note this is "
                     "a warning and probably safe to ignore.\n%s", key, e)
        if key in meta.collection_def:
            del meta.collection_def[key]


def _in_scope(x: Any, export_scope: str | None) -> bool:
    if not export_scope:
        return True
    name = getattr(x, "name", None)
    return not isinstance(name, str) or name.startswith(export_scope)


def create_meta_graph_def(meta_info_def: Any = None, graph_def: Any = None,
                          saver_def: Any = None, collection_list: Any = None, graph: Any = None,
                          export_scope: str | None = None,
                          clear_devices: bool = False) -> MetaGraphDef:
    """A MetaGraphDef of ``graph`` (default: the default graph)."""
    import minitf

    graph = graph or get_default_graph()
    meta = MetaGraphDef()
    if meta_info_def is not None:
        meta.meta_info_def.MergeFrom(meta_info_def)
    meta.meta_info_def.tensorflow_version = "1.15.0"
    meta.meta_info_def.tensorflow_git_version = f"minitf-{minitf.__version__}"
    gd = graph_def if graph_def is not None else graph.as_graph_def(add_shapes=True)
    if export_scope or clear_devices:
        gd = _filter_graph_def(gd, export_scope, clear_devices)
    meta.graph_def.MergeFrom(gd)
    if saver_def is not None:
        if not isinstance(saver_def, SaverDef):
            raise TypeError(f"saver_def must be of type SaverDef. Received type: "
                            f"{type(saver_def)}.")
        meta.saver_def.MergeFrom(saver_def)
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    for key in keys:
        _add_collection_def(meta, key, graph, export_scope)
    return meta


def _filter_graph_def(gd: Any, export_scope: str | None, clear_devices: bool) -> Any:
    from minitf.framework.proto import GraphDef

    out = GraphDef()
    out.versions.CopyFrom(gd.versions)
    for node in gd.node:
        if export_scope and not node.name.startswith(export_scope.rstrip("/") + "/"):
            continue
        n = out.node.add()
        n.CopyFrom(node)
        if export_scope:
            n.name = _strip(n.name, export_scope)
            inputs = [_strip(i, export_scope) for i in n.input]
            del n.input[:]
            n.input.extend(inputs)
        if clear_devices:
            n.device = ""
    return out


def export_meta_graph(filename: str | None = None, meta_info_def: Any = None,
                      graph_def: Any = None, saver_def: Any = None, collection_list: Any = None,
                      as_text: bool = False, graph: Any = None,
                      export_scope: str | None = None, clear_devices: bool = False,
                      clear_extraneous_savers: bool = False, strip_default_attrs: bool = False,
                      save_debug_info: bool = False, **kwargs: Any) -> MetaGraphDef:
    """Builds the MetaGraphDef and writes it to ``filename`` (binary, or text) when given."""
    from minitf.framework.graph_io import write_graph

    meta = create_meta_graph_def(meta_info_def, graph_def, saver_def, collection_list, graph,
                                 export_scope, clear_devices)
    if filename:
        write_graph(meta, os.path.dirname(filename) or ".", os.path.basename(filename),
                    as_text=as_text)
    return meta


def read_meta_graph_file(filename: str) -> MetaGraphDef:
    """Reads a MetaGraphDef written in binary or text format."""
    if not os.path.exists(filename):
        raise OSError(f"File {filename} does not exist.")
    with open(filename, "rb") as f:
        data = f.read()
    meta = MetaGraphDef()
    try:
        meta.ParseFromString(data)
        return meta
    except Exception:  # noqa: BLE001 - not binary: try text
        meta = MetaGraphDef()
    try:
        text_format.Merge(data.decode("utf-8"), meta)
    except (UnicodeDecodeError, text_format.ParseError) as e:
        raise OSError(f"Cannot parse file {filename}: {e}") from None
    return meta


def import_scoped_meta_graph(meta_graph_or_file: Any, clear_devices: bool = False,
                             graph: Any = None, import_scope: str | None = None,
                             input_map: Any = None) -> dict[str, Any]:
    """Imports the graph and collections; returns ``{name: Variable}`` of the imported
    global variables."""
    from minitf.framework.graph_io import import_graph_def
    from minitf.ops.variables import Variable
    from minitf.train.saver import Saver

    meta = meta_graph_or_file if isinstance(meta_graph_or_file, MetaGraphDef) \
        else read_meta_graph_file(meta_graph_or_file)
    graph = graph or get_default_graph()
    with graph.as_default():
        gd = meta.graph_def
        if clear_devices:
            gd = _filter_graph_def(gd, None, True)
        scope = graph.unique_name(import_scope or "", mark_as_used=False)
        import_graph_def(gd, name=import_scope or scope, input_map=input_map)
        items = list(meta.collection_def.items())
        items.sort(key=lambda kv: (kv[0] != GraphKeys.TRAINABLE_VARIABLES, kv[0]))
        made: dict[bytes, Any] = {}
        for key, col in items:
            kind = col.WhichOneof("kind")
            if kind is None:
                _log.error("Cannot identify data type for collection %s. Skipping.", key)
                continue
            values = list(getattr(col, kind).value)
            if kind == "bytes_list" and key in _VARIABLE_PROTO_KEYS:
                for raw in values:
                    var = made.get(raw)
                    if var is None:
                        proto = VariableDef.FromString(raw)
                        var = made[raw] = Variable(variable_def=proto, import_scope=scope or None)
                    graph.add_to_collection(key, var)
            elif kind == "bytes_list" and key == GraphKeys.SAVERS:
                for raw in values:
                    graph.add_to_collection(key, Saver.from_proto(SaverDef.FromString(raw),
                                                                  scope or None))
            elif kind == "node_list":
                for name in values:
                    graph.add_to_collection(key, graph.as_graph_element(_prepend(name, scope)))
            elif kind == "int64_list":
                for v in values:
                    graph.add_to_collection(key, int(v))
            elif kind == "float_list":
                for v in values:
                    graph.add_to_collection(key, float(v))
            elif kind == "any_list":
                for v in values:
                    graph.add_to_collection(key, v)
            else:
                for v in values:
                    graph.add_to_collection(key, _prepend(v.decode() if isinstance(v, bytes)
                                                          else v, scope))
        var_list = {}
        for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=scope or None):
            var_list[_strip(v.name, scope)] = v
    return var_list


def import_meta_graph(meta_graph_or_file: Any, clear_devices: bool = False,
                      import_scope: str | None = None, **kwargs: Any) -> Any:
    """Imports a meta graph into the default graph; returns a Saver built from its SaverDef
    (or over its variables), or None when there is nothing to save."""
    from minitf.train.saver import Saver

    meta = meta_graph_or_file if isinstance(meta_graph_or_file, MetaGraphDef) \
        else read_meta_graph_file(meta_graph_or_file)
    imported = import_scoped_meta_graph(meta, clear_devices=clear_devices,
                                        import_scope=import_scope,
                                        input_map=kwargs.get("input_map"))
    if meta.HasField("saver_def"):
        scope = import_scope
        if imported:
            key = next(iter(imported))
            scope = imported[key].name[:-len(key)]
        return Saver(saver_def=meta.saver_def, name=scope or None)
    if get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope=import_scope):
        return Saver()
    _log.info("Saver not created because there are no variables in the graph to restore")
    return None
