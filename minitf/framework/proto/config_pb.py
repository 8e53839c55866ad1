"""Session configuration and run metadata (tensorflow/core/protobuf/config.proto)."""

from __future__ import annotations

from .fields import Bool, Double, Enum, EnumType, Int32, Int64, Map, Msg, String
from .graph_pb import GraphDef
from .message import Message
from .step_stats_pb import CostGraphDef, StepStats

__all__ = [
    "GPUOptions", "OptimizerOptions", "GraphOptions", "ThreadPoolOptionProto",
    "SessionMetadata", "ConfigProto", "RunOptions", "RunMetadata", "TensorConnection",
    "CallableOptions",
]


class GPUOptions(Message):
    per_process_gpu_memory_fraction = Double(1)
    allocator_type = String(2)
    deferred_deletion_bytes = Int64(3)
    allow_growth = Bool(4)
    visible_device_list = String(5)
    polling_active_delay_usecs = Int32(6)
    polling_inactive_delay_msecs = Int32(7)
    force_gpu_compatible = Bool(8)
    # 9: experimental is not modelled; it round-trips as an unknown field.


class OptimizerOptions(Message):
    """Graph optimizations applied before running (``opt_level`` L1 is the default)."""

    Level = EnumType("Level", {"L1": 0, "L0": -1})
    GlobalJitLevel = EnumType("GlobalJitLevel", {"DEFAULT": 0, "OFF": -1, "ON_1": 1, "ON_2": 2})

    do_common_subexpression_elimination = Bool(1)
    do_constant_folding = Bool(2)
    opt_level = Enum(3, Level)
    do_function_inlining = Bool(4)
    global_jit_level = Enum(5, GlobalJitLevel)
    max_folded_constant_in_bytes = Int64(6)
    cpu_global_jit = Bool(7)


class GraphOptions(Message):
    enable_recv_scheduling = Bool(2)
    optimizer_options = Msg(3, OptimizerOptions)
    build_cost_model = Int64(4)
    infer_shapes = Bool(5)
    place_pruned_graph = Bool(6)
    enable_bfloat16_sendrecv = Bool(7)
    timeline_step = Int32(8)
    build_cost_model_after = Int64(9)
    # 10: rewrite_options (RewriterConfig) is not modelled; kept as an unknown field.


class ThreadPoolOptionProto(Message):
    num_threads = Int32(1)
    global_name = String(2)


class SessionMetadata(Message):
    name = String(1)
    version = Int64(2)


class ConfigProto(Message):
    """Options of a ``tf.Session``."""

    device_count = Map(1, "string", "int32")
    intra_op_parallelism_threads = Int32(2)
    placement_period = Int32(3)
    device_filters = String(4, repeated=True)
    inter_op_parallelism_threads = Int32(5)
    gpu_options = Msg(6, GPUOptions)
    allow_soft_placement = Bool(7)
    log_device_placement = Bool(8)
    use_per_session_threads = Bool(9)
    graph_options = Msg(10, GraphOptions)
    operation_timeout_in_ms = Int64(11)
    session_inter_op_thread_pool = Msg(12, ThreadPoolOptionProto, repeated=True)
    # 13 rpc_options, 14 cluster_def and 16 experimental are not modelled (kept as unknown).
    isolate_session_state = Bool(15)
    share_cluster_devices_in_session = Bool(17)
    pluggable_device_options = Msg(18, GPUOptions)


class RunOptions(Message):
    """Per-call options of ``Session.run`` (tracing, timeouts)."""

    TraceLevel = EnumType("TraceLevel", {
        "NO_TRACE": 0, "SOFTWARE_TRACE": 1, "HARDWARE_TRACE": 2, "FULL_TRACE": 3,
    })

    trace_level = Enum(1, TraceLevel)
    timeout_in_ms = Int64(2)
    inter_op_thread_pool = Int32(3)
    output_partition_graphs = Bool(5)
    # 6 debug_options and 8 experimental are not modelled (kept as unknown fields).
    report_tensor_allocations_upon_oom = Bool(7)


class RunMetadata(Message):
    """What ``Session.run`` reports back: step stats, cost graph, partition graphs."""

    class FunctionGraphs(Message):
        partition_graphs = Msg(1, GraphDef, repeated=True)
        pre_optimization_graph = Msg(2, GraphDef)
        post_optimization_graph = Msg(3, GraphDef)

    step_stats = Msg(1, StepStats)
    cost_graph = Msg(2, CostGraphDef)
    partition_graphs = Msg(3, GraphDef, repeated=True)
    function_graphs = Msg(4, FunctionGraphs, repeated=True)
    session_metadata = Msg(5, SessionMetadata)


class TensorConnection(Message):
    from_tensor = String(1)
    to_tensor = String(2)


class CallableOptions(Message):
    feed = String(1, repeated=True)
    fetch = String(2, repeated=True)
    target = String(3, repeated=True)
    run_options = Msg(4, RunOptions)
    tensor_connection = Msg(5, TensorConnection, repeated=True)
    feed_devices = Map(6, "string", "string")
    fetch_devices = Map(7, "string", "string")
    fetch_skip_sync = Bool(8)
