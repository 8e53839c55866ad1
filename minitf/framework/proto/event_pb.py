"""Event-file records and summaries (tensorflow/core/util/event.proto,
tensorflow/core/framework/summary.proto)."""

from __future__ import annotations

from .fields import Bytes, Double, Enum, EnumType, Float, Int32, Int64, Msg, String
from .graph_pb import TensorProto
from .message import Message

__all__ = [
    "DataClass", "HistogramProto", "SummaryDescription", "SummaryMetadata", "Summary",
    "LogMessage", "SessionLog", "TaggedRunMetadata", "SourceMetadata", "Event",
]

DataClass = EnumType("DataClass", {
    "DATA_CLASS_UNKNOWN": 0, "DATA_CLASS_SCALAR": 1, "DATA_CLASS_TENSOR": 2,
    "DATA_CLASS_BLOB_SEQUENCE": 3,
})
globals().update(DataClass.items())


class HistogramProto(Message):
    """Bucket counts; bucket i counts values in (bucket_limit[i-1], bucket_limit[i]]."""

    min = Double(1)
    max = Double(2)
    num = Double(3)
    sum = Double(4)
    sum_squares = Double(5)
    bucket_limit = Double(6, repeated=True)
    bucket = Double(7, repeated=True)


class SummaryDescription(Message):
    type_hint = String(1)


class SummaryMetadata(Message):
    class PluginData(Message):
        plugin_name = String(1)
        content = Bytes(2)

    plugin_data = Msg(1, PluginData)
    display_name = String(2)
    summary_description = String(3)
    data_class = Enum(4, DataClass)


class Summary(Message):
    """A set of tagged values written to an event file."""

    class Image(Message):
        height = Int32(1)
        width = Int32(2)
        colorspace = Int32(3)
        encoded_image_string = Bytes(4)

    class Audio(Message):
        sample_rate = Float(1)
        num_channels = Int64(2)
        length_frames = Int64(3)
        encoded_audio_string = Bytes(4)
        content_type = String(5)

    class Value(Message):
        tag = String(1)
        simple_value = Float(2, oneof="value")
        obsolete_old_style_histogram = Bytes(3, oneof="value")
        image = Msg(4, "Summary.Image", oneof="value")
        histo = Msg(5, HistogramProto, oneof="value")
        audio = Msg(6, "Summary.Audio", oneof="value")
        node_name = String(7)
        tensor = Msg(8, TensorProto, oneof="value")
        metadata = Msg(9, SummaryMetadata)

    value = Msg(1, Value, repeated=True)


class LogMessage(Message):
    Level = EnumType("Level", {
        "UNKNOWN": 0, "DEBUGGING": 10, "INFO": 20, "WARN": 30, "ERROR": 40, "FATAL": 50,
    })

    level = Enum(1, Level)
    message = String(2)


class SessionLog(Message):
    SessionStatus = EnumType("SessionStatus", {
        "STATUS_UNSPECIFIED": 0, "START": 1, "STOP": 2, "CHECKPOINT": 3,
    })

    status = Enum(1, SessionStatus)
    checkpoint_path = String(2)
    msg = String(3)


class TaggedRunMetadata(Message):
    tag = String(1)
    run_metadata = Bytes(2)  # a serialized RunMetadata


class SourceMetadata(Message):
    writer = String(1)


class Event(Message):
    """One record of an event file; ``what`` says which kind."""

    wall_time = Double(1)
    step = Int64(2)
    file_version = String(3, oneof="what")
    graph_def = Bytes(4, oneof="what")  # a serialized GraphDef
    summary = Msg(5, Summary, oneof="what")
    log_message = Msg(6, LogMessage, oneof="what")
    session_log = Msg(7, SessionLog, oneof="what")
    tagged_run_metadata = Msg(8, TaggedRunMetadata, oneof="what")
    meta_graph_def = Bytes(9, oneof="what")  # a serialized MetaGraphDef
    source_metadata = Msg(10, SourceMetadata)
