"""``MetaGraphDef`` and friends (tensorflow/core/protobuf/{meta_graph,saver}.proto)."""

from __future__ import annotations

from typing import Any as _AnyT

from .fields import Bool, Bytes, Enum, EnumType, Float, Int32, Int64, Map, Msg, String
from .graph_pb import DataType, GraphDef, OpList, TensorProto, TensorShapeProto
from .message import Message

__all__ = [
    "Any", "SaverDef", "CollectionDef", "TensorInfo", "SignatureDef", "AssetFileDef",
    "MetaGraphDef", "VariableDef", "SaveSliceInfoDef", "SavedModel",
]

_TYPE_URL_PREFIX = "type.googleapis.com/"


class Any(Message):
    """``google.protobuf.Any``: a serialized message plus its type URL."""

    _full_name = "google.protobuf.Any"
    type_url = String(1)
    value = Bytes(2)

    def Pack(self, msg: Message, type_url_prefix: str = _TYPE_URL_PREFIX) -> None:  # noqa: N802
        """Stores ``msg`` serialized, with its type URL (as protobuf's ``Any.Pack``)."""
        prefix = type_url_prefix if type_url_prefix.endswith("/") else type_url_prefix + "/"
        self.type_url = prefix + msg._full_name
        self.value = msg.SerializeToString()

    def TypeName(self) -> str:  # noqa: N802 - protobuf API
        return self.type_url.rsplit("/", 1)[-1]

    def Is(self, descriptor: _AnyT) -> bool:  # noqa: N802 - protobuf API
        name = getattr(descriptor, "full_name", None) or getattr(descriptor, "_full_name", "")
        return self.TypeName() == name

    def Unpack(self, msg: Message) -> bool:  # noqa: N802 - protobuf API
        """Parses the value into ``msg`` when the type names match; returns whether it did."""
        if self.TypeName() != msg._full_name:
            return False
        msg.Clear()
        msg.MergeFromString(self.value)
        return True


class SaverDef(Message):
    """Configuration of a ``tf.train.Saver``."""

    CheckpointFormatVersion = EnumType("CheckpointFormatVersion", {"LEGACY": 0, "V1": 1, "V2": 2})

    filename_tensor_name = String(1)
    save_tensor_name = String(2)
    restore_op_name = String(3)
    max_to_keep = Int32(4)
    sharded = Bool(5)
    keep_checkpoint_every_n_hours = Float(6)
    version = Enum(7, CheckpointFormatVersion)


class SaveSliceInfoDef(Message):
    """Where a partitioned variable's slice sits in the full variable."""

    full_name = String(1)
    full_shape = Int64(2, repeated=True)
    var_offset = Int64(3, repeated=True)
    var_shape = Int64(4, repeated=True)


VariableSynchronization = EnumType("VariableSynchronization", {
    "VARIABLE_SYNCHRONIZATION_AUTO": 0, "VARIABLE_SYNCHRONIZATION_NONE": 1,
    "VARIABLE_SYNCHRONIZATION_ON_WRITE": 2, "VARIABLE_SYNCHRONIZATION_ON_READ": 3})
VariableAggregation = EnumType("VariableAggregation", {
    "VARIABLE_AGGREGATION_NONE": 0, "VARIABLE_AGGREGATION_SUM": 1,
    "VARIABLE_AGGREGATION_MEAN": 2, "VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA": 3})


class VariableDef(Message):
    """A variable in a MetaGraphDef collection (tensorflow/core/framework/variable.proto)."""

    _full_name = "tensorflow.VariableDef"

    variable_name = String(1)
    initializer_name = String(2)
    snapshot_name = String(3)
    save_slice_info_def = Msg(4, SaveSliceInfoDef)
    is_resource = Bool(5)
    initial_value_name = String(6)
    trainable = Bool(7)
    synchronization = Enum(8, VariableSynchronization)
    aggregation = Enum(9, VariableAggregation)


class CollectionDef(Message):
    """The contents of one graph collection; exactly one member of the ``kind`` oneof."""

    class NodeList(Message):
        value = String(1, repeated=True)

    class BytesList(Message):
        value = Bytes(1, repeated=True)

    class Int64List(Message):
        value = Int64(1, repeated=True)

    class FloatList(Message):
        value = Float(1, repeated=True)

    class AnyList(Message):
        value = Msg(1, Any, repeated=True)

    node_list = Msg(1, NodeList, oneof="kind")
    bytes_list = Msg(2, BytesList, oneof="kind")
    int64_list = Msg(3, Int64List, oneof="kind")
    float_list = Msg(4, FloatList, oneof="kind")
    any_list = Msg(5, AnyList, oneof="kind")


class TensorInfo(Message):
    """Names a tensor of a graph (for signatures and assets)."""

    class CooSparse(Message):
        values_tensor_name = String(1)
        indices_tensor_name = String(2)
        dense_shape_tensor_name = String(3)

    name = String(1, oneof="encoding")
    dtype = Enum(2, DataType)
    tensor_shape = Msg(3, TensorShapeProto)
    coo_sparse = Msg(4, CooSparse, oneof="encoding")
    # 5: composite_tensor (TypeSpecProto based) is not modelled; kept as an unknown field.


class SignatureDef(Message):
    inputs = Map(1, "string", TensorInfo)
    outputs = Map(2, "string", TensorInfo)
    method_name = String(3)
    defaults = Map(4, "string", TensorProto)


class AssetFileDef(Message):
    tensor_info = Msg(1, TensorInfo)
    filename = String(2)


class MetaGraphDef(Message):
    """A graph plus the metadata needed to restore it (saver, collections, signatures)."""

    class MetaInfoDef(Message):
        meta_graph_version = String(1)
        stripped_op_list = Msg(2, OpList)
        any_info = Msg(3, Any)
        tags = String(4, repeated=True)
        tensorflow_version = String(5)
        tensorflow_git_version = String(6)
        stripped_default_attrs = Bool(7)
        function_aliases = Map(8, "string", "string")

    meta_info_def = Msg(1, MetaInfoDef)
    graph_def = Msg(2, GraphDef)
    saver_def = Msg(3, SaverDef)
    collection_def = Map(4, "string", CollectionDef)
    signature_def = Map(5, "string", SignatureDef)
    asset_file_def = Msg(6, AssetFileDef, repeated=True)
    # 7: object_graph_def (SavedObjectGraph) is not modelled; kept as an unknown field.


class SavedModel(Message):
    """``saved_model.pb`` (tensorflow/core/protobuf/saved_model.proto): a schema version and one
    MetaGraphDef per tag set."""

    saved_model_schema_version = Int64(1)
    meta_graphs = Msg(2, MetaGraphDef, repeated=True)
