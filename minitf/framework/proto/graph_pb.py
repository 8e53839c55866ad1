"""Graph messages: ``GraphDef``, ``NodeDef``, ``AttrValue``, ``TensorProto``, ``OpDef`` ...

Field numbers and names follow tensorflow/core/framework/{types,tensor_shape,tensor,
resource_handle,attr_value,node_def,op_def,function,versions,graph}.proto.
"""

from __future__ import annotations

from .fields import (
    Bool,
    Bytes,
    Double,
    Enum,
    EnumType,
    Float,
    Int32,
    Int64,
    Map,
    Msg,
    String,
    UInt32,
    UInt64,
)
from .message import Message

# --- types.proto -----------------------------------------------------------------------------
_BASE_TYPES = {
    "DT_INVALID": 0, "DT_FLOAT": 1, "DT_DOUBLE": 2, "DT_INT32": 3, "DT_UINT8": 4, "DT_INT16": 5,
    "DT_INT8": 6, "DT_STRING": 7, "DT_COMPLEX64": 8, "DT_INT64": 9, "DT_BOOL": 10,
    "DT_QINT8": 11, "DT_QUINT8": 12, "DT_QINT32": 13, "DT_BFLOAT16": 14, "DT_QINT16": 15,
    "DT_QUINT16": 16, "DT_UINT16": 17, "DT_COMPLEX128": 18, "DT_HALF": 19, "DT_RESOURCE": 20,
    "DT_VARIANT": 21, "DT_UINT32": 22, "DT_UINT64": 23, "DT_FLOAT8_E5M2": 24,
    "DT_FLOAT8_E4M3FN": 25, "DT_FLOAT8_E4M3FNUZ": 26, "DT_FLOAT8_E4M3B11FNUZ": 27,
    "DT_FLOAT8_E5M2FNUZ": 28, "DT_INT4": 29, "DT_UINT4": 30, "DT_INT2": 31, "DT_UINT2": 32,
    "DT_FLOAT4_E2M1FN": 33,
}
# Every real type T also has a reference variant T_REF = T + 100.
DataType = EnumType("DataType", {
    **_BASE_TYPES, **{k + "_REF": v + 100 for k, v in _BASE_TYPES.items() if v},
})
globals().update(DataType.items())  # module-level DT_FLOAT etc., like types_pb2


class SerializedDType(Message):
    datatype = Enum(1, DataType)


# --- tensor_shape.proto ----------------------------------------------------------------------
class TensorShapeProto(Message):
    """Dimensions of a tensor; size -1 is an unknown dimension."""

    class Dim(Message):
        size = Int64(1)
        name = String(2)

    dim = Msg(2, Dim, repeated=True)
    unknown_rank = Bool(3)


# --- resource_handle.proto -------------------------------------------------------------------
class ResourceHandleProto(Message):
    class DtypeAndShape(Message):
        dtype = Enum(1, DataType)
        shape = Msg(2, TensorShapeProto)

    device = String(1)
    container = String(2)
    name = String(3)
    hash_code = UInt64(4)
    maybe_type_name = String(5)
    dtypes_and_shapes = Msg(6, DtypeAndShape, repeated=True)


# --- tensor.proto ----------------------------------------------------------------------------
class TensorProto(Message):
    """A serialized tensor value (dense content or per-type repeated ``*_val`` fields)."""

    dtype = Enum(1, DataType)
    tensor_shape = Msg(2, TensorShapeProto)
    version_number = Int32(3)
    tensor_content = Bytes(4)
    half_val = Int32(13, repeated=True)  # uint16 bit patterns of half / bfloat16 values
    float_val = Float(5, repeated=True)
    double_val = Double(6, repeated=True)
    int_val = Int32(7, repeated=True)
    string_val = Bytes(8, repeated=True)
    scomplex_val = Float(9, repeated=True)  # (real, imag) pairs
    int64_val = Int64(10, repeated=True)
    bool_val = Bool(11, repeated=True)
    dcomplex_val = Double(12, repeated=True)  # (real, imag) pairs
    resource_handle_val = Msg(14, ResourceHandleProto, repeated=True)
    variant_val = Msg(15, "VariantTensorDataProto", repeated=True)
    uint32_val = UInt32(16, repeated=True)
    uint64_val = UInt64(17, repeated=True)
    float8_val = Bytes(18)


class VariantTensorDataProto(Message):
    type_name = String(1)
    metadata = Bytes(2)
    tensors = Msg(3, TensorProto, repeated=True)


# --- attr_value.proto ------------------------------------------------------------------------
class AttrValue(Message):
    """The value of an op attribute: exactly one member of the ``value`` oneof."""

    class ListValue(Message):
        s = Bytes(2, repeated=True)
        i = Int64(3, repeated=True)
        f = Float(4, repeated=True)
        b = Bool(5, repeated=True)
        type = Enum(6, DataType, repeated=True)
        shape = Msg(7, TensorShapeProto, repeated=True)
        tensor = Msg(8, TensorProto, repeated=True)
        func = Msg(9, "NameAttrList", repeated=True)

    list = Msg(1, ListValue, oneof="value")
    s = Bytes(2, oneof="value")
    i = Int64(3, oneof="value")
    f = Float(4, oneof="value")
    b = Bool(5, oneof="value")
    type = Enum(6, DataType, oneof="value")
    shape = Msg(7, TensorShapeProto, oneof="value")
    tensor = Msg(8, TensorProto, oneof="value")
    placeholder = String(9, oneof="value")
    func = Msg(10, "NameAttrList", oneof="value")


class NameAttrList(Message):
    """A function name and its attribute values."""

    name = String(1)
    attr = Map(2, "string", AttrValue)


# --- node_def.proto --------------------------------------------------------------------------
class NodeDef(Message):
    """One node (operation) of a graph."""

    class ExperimentalDebugInfo(Message):
        original_node_names = String(1, repeated=True)
        original_func_names = String(2, repeated=True)

    name = String(1)
    op = String(2)
    input = String(3, repeated=True)
    device = String(4)
    attr = Map(5, "string", AttrValue)
    experimental_debug_info = Msg(6, ExperimentalDebugInfo)
    # 7: experimental_type (FullTypeDef) is not modelled; it round-trips as an unknown field.


# --- op_def.proto ----------------------------------------------------------------------------
class OpDeprecation(Message):
    version = Int32(1)
    explanation = String(2)


class OpDef(Message):
    """The signature of an op (as stored in ``MetaInfoDef.stripped_op_list``)."""

    class ArgDef(Message):
        name = String(1)
        description = String(2)
        type = Enum(3, DataType)
        type_attr = String(4)
        number_attr = String(5)
        type_list_attr = String(6)
        handle_data = Msg(7, ResourceHandleProto.DtypeAndShape, repeated=True)
        is_ref = Bool(16)

    class AttrDef(Message):
        name = String(1)
        type = String(2)
        default_value = Msg(3, AttrValue)
        description = String(4)
        has_minimum = Bool(5)
        minimum = Int64(6)
        allowed_values = Msg(7, AttrValue)

    name = String(1)
    input_arg = Msg(2, ArgDef, repeated=True)
    output_arg = Msg(3, ArgDef, repeated=True)
    attr = Msg(4, AttrDef, repeated=True)
    summary = String(5)
    description = String(6)
    deprecation = Msg(8, OpDeprecation)
    is_aggregate = Bool(16)
    is_stateful = Bool(17)
    is_commutative = Bool(18)
    allows_uninitialized_input = Bool(19)
    control_output = String(20, repeated=True)
    is_distributed_communication = Bool(21)


class OpList(Message):
    op = Msg(1, OpDef, repeated=True)


# --- function.proto --------------------------------------------------------------------------
class FunctionDef(Message):
    """A graph function: signature, body nodes and output bindings."""

    class ArgAttrs(Message):
        attr = Map(1, "string", AttrValue)

    signature = Msg(1, OpDef)
    node_def = Msg(3, NodeDef, repeated=True)
    ret = Map(4, "string", "string")
    attr = Map(5, "string", AttrValue)
    control_ret = Map(6, "string", "string")
    arg_attr = Map(7, "uint32", ArgAttrs)
    resource_arg_unique_id = Map(8, "uint32", "uint32")


class GradientDef(Message):
    function_name = String(1)
    gradient_func = String(2)


class RegisteredGradient(Message):
    gradient_func = String(1)
    registered_op_type = String(2)


class FunctionDefLibrary(Message):
    function = Msg(1, FunctionDef, repeated=True)
    gradient = Msg(2, GradientDef, repeated=True)
    registered_gradients = Msg(3, RegisteredGradient, repeated=True)


# --- versions.proto / graph.proto ------------------------------------------------------------
class VersionDef(Message):
    producer = Int32(1)
    min_consumer = Int32(2)
    bad_consumers = Int32(3, repeated=True)


class GraphDef(Message):
    """A serialized computation graph."""

    node = Msg(1, NodeDef, repeated=True)
    library = Msg(2, FunctionDefLibrary)
    version = Int32(3)  # deprecated; use versions
    versions = Msg(4, VersionDef)
    # 5: debug_info (GraphDebugInfo) is not modelled; it round-trips as an unknown field.


__all__ = [
    "DataType", "SerializedDType", "TensorShapeProto", "ResourceHandleProto", "TensorProto",
    "VariantTensorDataProto", "AttrValue", "NameAttrList", "NodeDef", "OpDeprecation", "OpDef",
    "OpList", "FunctionDef", "GradientDef", "RegisteredGradient", "FunctionDefLibrary",
    "VersionDef", "GraphDef", *DataType.keys(),
]
