"""Execution statistics (tensorflow/core/framework/{step_stats,cost_graph,
tensor_description,allocation_description}.proto)."""

from __future__ import annotations

from .fields import Bool, Enum, Float, Int32, Int64, Map, Msg, String, UInt32, UInt64
from .graph_pb import DataType, TensorShapeProto
from .message import Message

__all__ = [
    "AllocationDescription", "TensorDescription", "AllocationRecord", "AllocatorMemoryUsed",
    "NodeOutput", "MemoryStats", "NodeExecStats", "DeviceStepStats", "StepStats",
    "CostGraphDef",
]


class AllocationDescription(Message):
    requested_bytes = Int64(1)
    allocated_bytes = Int64(2)
    allocator_name = String(3)
    allocation_id = Int64(4)
    has_single_reference = Bool(5)
    ptr = UInt64(6)


class TensorDescription(Message):
    dtype = Enum(1, DataType)
    shape = Msg(2, TensorShapeProto)
    allocation_description = Msg(4, AllocationDescription)


class AllocationRecord(Message):
    alloc_micros = Int64(1)
    alloc_bytes = Int64(2)


class AllocatorMemoryUsed(Message):
    allocator_name = String(1)
    total_bytes = Int64(2)
    peak_bytes = Int64(3)
    live_bytes = Int64(4)
    allocator_bytes_in_use = Int64(5)
    allocation_records = Msg(6, AllocationRecord, repeated=True)


class NodeOutput(Message):
    slot = Int32(1)
    tensor_description = Msg(3, TensorDescription)


class MemoryStats(Message):
    temp_memory_size = Int64(1)
    device_temp_memory_size = Int64(2)
    persistent_memory_size = Int64(3)
    device_persistent_memory_size = Int64(4)
    persistent_tensor_alloc_ids = Int64(5, repeated=True)
    device_persistent_tensor_alloc_ids = Int64(6, repeated=True)


class NodeExecStats(Message):
    """Timing and memory of one node execution (times relative to ``all_start``)."""

    node_name = String(1)
    all_start_micros = Int64(2)
    op_start_rel_micros = Int64(3)
    op_end_rel_micros = Int64(4)
    all_end_rel_micros = Int64(5)
    memory = Msg(6, AllocatorMemoryUsed, repeated=True)
    output = Msg(7, NodeOutput, repeated=True)
    timeline_label = String(8)
    scheduled_micros = Int64(9)
    thread_id = UInt32(10)
    referenced_tensor = Msg(11, AllocationDescription, repeated=True)
    memory_stats = Msg(12, MemoryStats)
    all_start_nanos = Int64(13)
    op_start_rel_nanos = Int64(14)
    op_end_rel_nanos = Int64(15)
    all_end_rel_nanos = Int64(16)
    scheduled_nanos = Int64(17)


class DeviceStepStats(Message):
    device = String(1)
    node_stats = Msg(2, NodeExecStats, repeated=True)
    thread_names = Map(3, "uint32", "string")


class StepStats(Message):
    dev_stats = Msg(1, DeviceStepStats, repeated=True)


class CostGraphDef(Message):
    """Per-node cost estimates collected while running a graph."""

    class Node(Message):
        class InputInfo(Message):
            preceding_node = Int32(1)
            preceding_port = Int32(2)

        class OutputInfo(Message):
            size = Int64(1)
            alias_input_port = Int64(2)
            shape = Msg(3, TensorShapeProto)
            dtype = Enum(4, DataType)

        name = String(1)
        device = String(2)
        id = Int32(3)
        input_info = Msg(4, InputInfo, repeated=True)
        output_info = Msg(5, OutputInfo, repeated=True)
        temporary_memory_size = Int64(6)
        is_final = Bool(7)
        control_input = Int32(8, repeated=True)
        compute_cost = Int64(9)
        host_temp_memory_size = Int64(10)
        device_temp_memory_size = Int64(11)
        persistent_memory_size = Int64(12)
        compute_time = Int64(14)
        memory_time = Int64(15)
        device_persistent_memory_size = Int64(16)
        inaccurate = Bool(17)

    class AggregatedCost(Message):
        cost = Float(1)
        dimension = String(2)

    node = Msg(1, Node, repeated=True)
    cost = Msg(2, AggregatedCost, repeated=True)
