"""Self-contained protocol buffers for TensorFlow's messages (no protobuf dependency).

Message classes mirror TensorFlow's generated ``*_pb2`` classes (same field names and numbers,
byte-compatible wire format, identical text format)::

    from minitf.framework.proto import GraphDef, ConfigProto, RunOptions
    cfg = ConfigProto(log_device_placement=True)
    cfg.gpu_options.allow_growth = True
    data = cfg.SerializeToString()
"""

from . import text_format, wire
from .config_pb import (
    CallableOptions,
    ConfigProto,
    GPUOptions,
    GraphOptions,
    OptimizerOptions,
    RunMetadata,
    RunOptions,
    SessionMetadata,
    TensorConnection,
    ThreadPoolOptionProto,
)
from .event_pb import (
    DataClass,
    Event,
    HistogramProto,
    LogMessage,
    SessionLog,
    SourceMetadata,
    Summary,
    SummaryDescription,
    SummaryMetadata,
    TaggedRunMetadata,
)
from .fields import EnumType
from .graph_pb import (
    AttrValue,
    DataType,
    FunctionDef,
    FunctionDefLibrary,
    GradientDef,
    GraphDef,
    NameAttrList,
    NodeDef,
    OpDef,
    OpDeprecation,
    OpList,
    RegisteredGradient,
    ResourceHandleProto,
    SerializedDType,
    TensorProto,
    TensorShapeProto,
    VariantTensorDataProto,
    VersionDef,
)
from .message import Message
from .meta_graph_pb import (
    Any,
    AssetFileDef,
    CollectionDef,
    MetaGraphDef,
    SavedModel,
    SaverDef,
    SaveSliceInfoDef,
    SignatureDef,
    TensorInfo,
    VariableDef,
)
from .step_stats_pb import (
    AllocationDescription,
    AllocationRecord,
    AllocatorMemoryUsed,
    CostGraphDef,
    DeviceStepStats,
    MemoryStats,
    NodeExecStats,
    NodeOutput,
    StepStats,
    TensorDescription,
)
from .tensor_util import make_ndarray, make_tensor_proto
from .text_format import ParseError
from .wire import DecodeError

globals().update(DataType.items())  # DT_FLOAT, DT_INT32_REF, ... as in types_pb2

__all__ = [
    "text_format", "wire", "Message", "EnumType", "DecodeError", "ParseError",
    "make_tensor_proto", "make_ndarray",
    # graph_pb
    "DataType", "SerializedDType", "TensorShapeProto", "ResourceHandleProto", "TensorProto",
    "VariantTensorDataProto", "AttrValue", "NameAttrList", "NodeDef", "OpDeprecation", "OpDef",
    "OpList", "FunctionDef", "GradientDef", "RegisteredGradient", "FunctionDefLibrary",
    "VersionDef", "GraphDef",
    # meta_graph_pb
    "Any", "SaverDef", "CollectionDef", "TensorInfo", "SignatureDef", "AssetFileDef",
    "MetaGraphDef", "VariableDef", "SaveSliceInfoDef", "SavedModel",
    # config_pb
    "GPUOptions", "OptimizerOptions", "GraphOptions", "ThreadPoolOptionProto",
    "SessionMetadata", "ConfigProto", "RunOptions", "RunMetadata", "TensorConnection",
    "CallableOptions",
    # step_stats_pb
    "AllocationDescription", "TensorDescription", "AllocationRecord", "AllocatorMemoryUsed",
    "NodeOutput", "MemoryStats", "NodeExecStats", "DeviceStepStats", "StepStats",
    "CostGraphDef",
    # event_pb
    "DataClass", "HistogramProto", "SummaryDescription", "SummaryMetadata", "Summary",
    "LogMessage", "SessionLog", "TaggedRunMetadata", "SourceMetadata", "Event",
    *DataType.keys(),
]
