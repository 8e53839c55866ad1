"""Differential tests against TensorFlow's generated protobuf classes and text format."""

import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

tf = pytest.importorskip("tensorflow")

from google.protobuf import text_format as tf_text  # noqa: E402
from tensorflow.core.framework import (  # noqa: E402
    attr_value_pb2,
    graph_pb2,
    node_def_pb2,
    step_stats_pb2,
    summary_pb2,
    tensor_pb2,
)
from tensorflow.core.protobuf import config_pb2, meta_graph_pb2  # noqa: E402
from tensorflow.core.util import event_pb2  # noqa: E402

import minitf.framework.proto as P  # noqa: E402
from minitf.framework.proto import text_format  # noqa: E402

pytestmark = pytest.mark.tf

_SETTINGS = settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


def check_same(ours, theirs, exact_bytes=True):
    """Asserts byte/text/parse compatibility of an equivalent pair of messages."""
    data = ours.SerializeToString(deterministic=True)
    assert type(theirs).FromString(data) == theirs
    assert type(ours).FromString(theirs.SerializeToString()) == ours
    if exact_bytes:  # only meaningful without multi-entry maps (upb orders those oddly)
        assert data == theirs.SerializeToString(deterministic=True)
    their_text = tf_text.MessageToString(theirs)
    assert str(ours) == their_text
    assert text_format.Parse(their_text, type(ours)()) == ours
    assert tf_text.Parse(str(ours), type(theirs)()) == theirs


def pair(our_cls, their_cls, **kw):
    return our_cls(**kw), their_cls(**kw)


# --- graphs ----------------------------------------------------------------------------------

_FLOATS = [0.1, 1e-10, float("inf"), float("-inf"), float("nan"), -0.0, 1e39, 123456789.0,
           1e16, 1.0, 2.5, 1e-45, 3.4028234663852886e38]


def _tensor_kw():
    return {"dtype": 1, "tensor_shape": {"dim": [{"size": 13}]}, "float_val": _FLOATS}


@pytest.mark.parametrize("kw", [
    {"s": b"\x00\xff\xc3\xa9'\"\\\n\t\r\x7f plain"},
    {"i": -(2**63)}, {"i": 0}, {"f": 0.1}, {"f": float("nan")}, {"b": True}, {"b": False},
    {"type": 101}, {"type": 0}, {"shape": {"dim": [{"size": -1, "name": "batch"}, {"size": 3}]}},
    {"shape": {"unknown_rank": True}}, {"shape": {}},
    {"tensor": _tensor_kw()},
    {"list": {"s": [b"a", b"\x80"], "i": [1, -1, 2**40], "f": [0.5, -1e-3], "b": [True, False],
              "type": [1, 2, 9], "shape": [{"dim": [{"size": 2}]}, {}],
              "tensor": [_tensor_kw()], "func": [{"name": "f", "attr": {"T": {"type": 1}}}]}},
    {"list": {}},
    {"func": {"name": "fn", "attr": {"N": {"i": 3}}}},
    {"placeholder": "T"},
])
def test_attr_value_every_oneof_kind(kw):
    ours, theirs = pair(P.AttrValue, attr_value_pb2.AttrValue, **kw)
    assert ours.WhichOneof("value") == theirs.WhichOneof("value")
    check_same(ours, theirs)
    n_kw = {"name": "n\u00e9", "op": "Op", "input": ["a:1", "^b"], "device": "/cpu:0",
            "attr": {"v": kw}}
    check_same(*pair(P.NodeDef, node_def_pb2.NodeDef, **n_kw))


def _graph_kw():
    return {
        "node": [
            {"name": "x", "op": "Placeholder",
             "attr": {"dtype": {"type": 1}, "shape": {"shape": {"dim": [{"size": -1}, {"size": 3}]}}}},
            {"name": "w", "op": "Const",
             "attr": {"dtype": {"type": 1}, "value": {"tensor": {
                 "dtype": 1, "tensor_shape": {"dim": [{"size": 3}, {"size": 2}]},
                 "tensor_content": np.arange(6, dtype="<f4").tobytes()}}}},
            {"name": "s", "op": "Const", "device": "/job:w/replica:0/task:0/device:CPU:0",
             "attr": {"dtype": {"type": 7}, "value": {"tensor": {
                 "dtype": 7, "tensor_shape": {}, "string_val": [b"h\xc3\xa9llo\x00\xff"]}}}},
            {"name": "mm", "op": "MatMul", "input": ["x", "w"],
             "attr": {"T": {"type": 1}, "transpose_a": {"b": False},
                      "_output_shapes": {"list": {"shape": [{"dim": [{"size": -1}, {"size": 2}]}]}},
                      "_class": {"list": {"s": [b"loc:@w"]}},
                      "eps": {"f": 1e-10}, "big": {"f": float("inf")}, "q": {"f": 0.1},
                      "nan": {"f": float("nan")}, "neg": {"f": -2.5e-38}}},
            {"name": "r\u00e9sum\u00e9/\u4e2d", "op": "Identity", "input": ["mm:0", "^s"],
             "attr": {"T": {"type": 101}}},
        ],
        "versions": {"producer": 1205, "min_consumer": 12},
        "library": {"function": [{"signature": {"name": "f", "input_arg": [{"name": "a", "type": 1}]},
                                  "ret": {"o": "a"}, "node_def": [{"name": "i", "op": "Identity"}]}],
                    "gradient": [{"function_name": "f", "gradient_func": "g"}]},
    }


def test_realistic_graph_def():
    ours, theirs = pair(P.GraphDef, graph_pb2.GraphDef, **_graph_kw())
    check_same(ours, theirs, exact_bytes=False)
    # every node (multi-attr maps aside) is byte-identical once attrs are split out
    for o, t in zip(ours.node, theirs.node):
        assert o.ListFields()[0][1] == t.name
        for key in o.attr:
            assert o.attr[key].SerializeToString() == t.attr[key].SerializeToString()


def test_graph_built_by_tensorflow():
    g = tf.Graph()
    with g.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        w = tf.constant([[0.1, 1e-10, float("inf")], [float("nan"), -0.0, 2.5], [1, 2, 3]],
                        name="w")
        tf.constant([b"a\xffb\x00", "h\u00e9llo".encode()], name="s")
        y = tf.nn.relu(tf.matmul(x, w) + 1.0, name="relu")
        tf.strided_slice(tf.reshape(y, [-1]), [0], [2], [1], name="ss")
        tf.cast(y, tf.float16, name="half")
    tf_gd = g.as_graph_def()
    ours = P.GraphDef.FromString(tf_gd.SerializeToString())
    assert [n.name for n in ours.node] == [n.name for n in tf_gd.node]
    assert str(ours) == tf_text.MessageToString(tf_gd)
    assert graph_pb2.GraphDef.FromString(ours.SerializeToString()) == tf_gd
    assert text_format.Parse(tf_text.MessageToString(tf_gd), P.GraphDef()) == ours
    const = next(n for n in ours.node if n.name == "w")
    np.testing.assert_array_equal(P.make_ndarray(const.attr["value"].tensor),
                                  tf.make_ndarray(const.attr["value"].tensor))


def test_meta_graph_exported_by_tensorflow_round_trips():
    g = tf.Graph()
    with g.as_default():
        v = tf.compat.v1.Variable([1.0, 2.0], name="v")
        tf.compat.v1.add_to_collection("my_floats", 1.5)
        tf.identity(v * 2.0, name="out")
        saver = tf.compat.v1.train.Saver()
        meta = saver.export_meta_graph()
    ours = P.MetaGraphDef.FromString(meta.SerializeToString())
    assert ours.saver_def.version == P.SaverDef.V2
    assert ours.saver_def.filename_tensor_name == meta.saver_def.filename_tensor_name
    assert set(ours.collection_def) == set(meta.collection_def)
    assert ours.meta_info_def.stripped_op_list.op[0].name == meta.meta_info_def.stripped_op_list.op[0].name
    # Fields minitf does not model survive as unknown fields.
    assert meta_graph_pb2.MetaGraphDef.FromString(ours.SerializeToString()) == meta
    assert ours.graph_def == P.GraphDef.FromString(meta.graph_def.SerializeToString())


def test_meta_graph_def_from_kwargs():
    kw = {
        "meta_info_def": {"meta_graph_version": "v1", "tags": ["serve", "train"],
                          "tensorflow_version": "2.21.0", "stripped_default_attrs": True,
                          "stripped_op_list": {"op": [{
                              "name": "Const", "output_arg": [{"name": "output", "type_attr": "dtype"}],
                              "attr": [{"name": "value", "type": "tensor"},
                                       {"name": "dtype", "type": "type",
                                        "allowed_values": {"list": {"type": [1, 2]}}}]}]}},
        "graph_def": {"node": [{"name": "a", "op": "NoOp"}], "versions": {"producer": 5}},
        "saver_def": {"filename_tensor_name": "save/Const:0", "save_tensor_name": "save/Identity:0",
                      "restore_op_name": "save/restore_all", "max_to_keep": 5, "sharded": True,
                      "keep_checkpoint_every_n_hours": 10000.0, "version": 2},
        "collection_def": {"variables": {"bytes_list": {"value": [b"\n\x03v:0"]}}},
        "signature_def": {"serving_default": {
            "inputs": {"x": {"name": "x:0", "dtype": 1, "tensor_shape": {"dim": [{"size": -1}]}}},
            "outputs": {"y": {"coo_sparse": {"values_tensor_name": "v:0"}, "dtype": 9}},
            "method_name": "tensorflow/serving/predict"}},
        "asset_file_def": [{"tensor_info": {"name": "a:0"}, "filename": "vocab.txt"}],
    }
    check_same(*pair(P.MetaGraphDef, meta_graph_pb2.MetaGraphDef, **kw))
    for kind, value in [("node_list", {"value": ["a:0", "b"]}), ("bytes_list", {"value": [b"\xff"]}),
                        ("int64_list", {"value": [-1, 2**62]}), ("float_list", {"value": [0.1, 2]}),
                        ("any_list", {"value": [{"type_url": "x/y", "value": b"\x08\x01"}]})]:
        check_same(*pair(P.CollectionDef, meta_graph_pb2.CollectionDef, **{kind: value}))


# --- schema agreement for every message class ------------------------------------------------


def _our_message_classes():
    out, todo = [], [getattr(P, n) for n in P.__all__]
    while todo:
        obj = todo.pop()
        if isinstance(obj, type) and issubclass(obj, P.Message) and obj not in (P.Message, *out):
            out.append(obj)
            todo.extend(vars(obj).values())
    return sorted(out, key=lambda c: c._full_name)


_OUR_CLASSES = _our_message_classes()


def _tf_class(full_name):
    from google.protobuf import descriptor_pool, message_factory
    desc = descriptor_pool.Default().FindMessageTypeByName(full_name)
    return message_factory.GetMessageClass(desc)


_TYPE_NAMES = {v: k[5:].lower() for k, v in vars(
    __import__("google.protobuf.descriptor", fromlist=["FieldDescriptor"]).FieldDescriptor).items()
    if k.startswith("TYPE_")}


@pytest.mark.parametrize("cls", _OUR_CLASSES, ids=lambda c: c._full_name)
def test_schema_matches_tf_descriptor(cls):
    desc = _tf_class(cls._full_name).DESCRIPTOR
    for f in cls._fields:
        tf_field = desc.fields_by_number[f.number]
        assert tf_field.name == f.name
        assert tf_field.is_repeated == f.repeated
        oneof = tf_field.containing_oneof
        assert (oneof.name if oneof is not None else None) == f.oneof
        if f.kind == "message":
            assert tf_field.message_type.full_name == f.message_type._full_name
        else:
            assert _TYPE_NAMES[tf_field.type] == f.kind
            if f.repeated:
                assert tf_field.is_packed == f.packed
            if f.kind == "enum":
                assert dict(f.enum_type.items()) == {
                    v.name: v.number for v in tf_field.enum_type.values}
                assert tf_field.enum_type.full_name == f.enum_type.full_name
    for enum in vars(cls).values():
        if isinstance(enum, P.EnumType):
            tf_enum = desc.enum_types_by_name[enum.name]
            assert enum.items() == [(v.name, v.number) for v in tf_enum.values]
            assert all(getattr(cls, k) == v for k, v in enum.items())


_SAMPLES = {"int32": -7, "int64": -(2**40), "uint32": 2**32 - 1, "uint64": 2**64 - 1,
            "sint32": -3, "sint64": -(2**50), "fixed32": 7, "fixed64": 2**63, "sfixed32": -5,
            "sfixed64": -6, "bool": True, "float": 0.1, "double": 1e-10, "string": "s\u00e9",
            "bytes": b"\x00\xff"}


def _populate(msg, depth=0):
    for f in type(msg)._fields:
        if f.is_map:
            key = _SAMPLES[f.key_kind.name]
            if f.value_kind is not None:
                getattr(msg, f.name)[key] = _SAMPLES[f.value_kind.name]
            elif depth < 3:
                _populate(getattr(msg, f.name)[key], depth + 1)
        elif f.kind == "message":
            if depth < 3:
                sub = getattr(msg, f.name).add() if f.repeated else getattr(msg, f.name)
                sub.SetInParent()
                _populate(sub, depth + 1)
        else:
            value = f.enum_type.values()[-1] if f.kind == "enum" else _SAMPLES[f.kind]
            if f.repeated:
                getattr(msg, f.name).extend([value, value])
            else:
                setattr(msg, f.name, value)
    return msg


@pytest.mark.parametrize("cls", _OUR_CLASSES, ids=lambda c: c._full_name)
def test_populated_instance_of_every_class_round_trips_with_tf(cls):
    from google.protobuf import unknown_fields
    ours = _populate(cls())
    assert ours.ListFields() or not cls._fields
    theirs = _tf_class(cls._full_name).FromString(ours.SerializeToString())
    assert len(unknown_fields.UnknownFieldSet(theirs)) == 0
    check_same(ours, theirs)


# --- config / run metadata ------------------------------------------------------------------


def test_config_proto():
    kw = {"device_count": {"GPU": 0}, "intra_op_parallelism_threads": 2,
          "inter_op_parallelism_threads": 3, "use_per_session_threads": True,
          "session_inter_op_thread_pool": [{"num_threads": 4, "global_name": "p"}],
          "placement_period": 5, "device_filters": ["/job:ps", "/job:worker/task:1"],
          "gpu_options": {"per_process_gpu_memory_fraction": 0.4, "allow_growth": True,
                          "allocator_type": "BFC", "deferred_deletion_bytes": 7,
                          "visible_device_list": "0,1", "polling_active_delay_usecs": 8,
                          "polling_inactive_delay_msecs": 9, "force_gpu_compatible": True},
          "allow_soft_placement": True, "log_device_placement": True,
          "graph_options": {"enable_recv_scheduling": True, "build_cost_model": 3,
                            "infer_shapes": True, "place_pruned_graph": True,
                            "enable_bfloat16_sendrecv": True, "timeline_step": 4,
                            "optimizer_options": {"do_common_subexpression_elimination": True,
                                                  "do_constant_folding": True,
                                                  "max_folded_constant_in_bytes": 1 << 20,
                                                  "do_function_inlining": True, "opt_level": -1,
                                                  "global_jit_level": 2}},
          "operation_timeout_in_ms": 60000, "isolate_session_state": True}
    check_same(*pair(P.ConfigProto, config_pb2.ConfigProto, **kw))
    ours, theirs = pair(P.ConfigProto, config_pb2.ConfigProto,
                        device_count={"CPU": 1, "GPU": 2, "": 0})
    check_same(ours, theirs, exact_bytes=False)
    ours, theirs = P.ConfigProto(), config_pb2.ConfigProto()
    ours.gpu_options.allow_growth = True
    theirs.gpu_options.allow_growth = True
    check_same(ours, theirs)


@pytest.mark.parametrize("level", ["NO_TRACE", "SOFTWARE_TRACE", "HARDWARE_TRACE", "FULL_TRACE"])
def test_run_options(level):
    assert getattr(P.RunOptions, level) == getattr(config_pb2.RunOptions, level)
    check_same(*pair(P.RunOptions, config_pb2.RunOptions, trace_level=level, timeout_in_ms=5,
                     inter_op_thread_pool=-1, output_partition_graphs=True,
                     report_tensor_allocations_upon_oom=True))


def _step_stats_kw():
    node = {"node_name": "mm", "all_start_micros": 1_700_000_000_000_000, "op_start_rel_micros": 1,
            "op_end_rel_micros": 5, "all_end_rel_micros": 6, "timeline_label": "mm = MatMul(x, w)",
            "scheduled_micros": 3, "thread_id": 4_000_000_000,
            "memory": [{"allocator_name": "cpu", "total_bytes": 24, "peak_bytes": 24, "live_bytes": 0,
                        "allocator_bytes_in_use": 1, "allocation_records": [{"alloc_micros": 2,
                                                                             "alloc_bytes": -24}]}],
            "output": [{"slot": 0, "tensor_description": {
                "dtype": 1, "shape": {"dim": [{"size": 2}, {"size": 3}]},
                "allocation_description": {"requested_bytes": 24, "allocated_bytes": 32,
                                           "allocator_name": "cpu", "allocation_id": 9,
                                           "has_single_reference": True, "ptr": 2**63 + 5}}}],
            "referenced_tensor": [{"allocator_name": "cpu"}],
            "memory_stats": {"temp_memory_size": 1, "persistent_memory_size": 2,
                             "persistent_tensor_alloc_ids": [3, 4], "device_temp_memory_size": 5,
                             "device_persistent_memory_size": 6,
                             "device_persistent_tensor_alloc_ids": [-7]},
            "all_start_nanos": 1, "op_start_rel_nanos": 2, "op_end_rel_nanos": 3,
            "all_end_rel_nanos": 4, "scheduled_nanos": 5}
    return {"dev_stats": [{"device": "/job:localhost/replica:0/task:0/device:CPU:0",
                           "node_stats": [node, {"node_name": "_SOURCE"}],
                           "thread_names": {7: "worker"}}]}


def test_step_stats_and_run_metadata():
    check_same(*pair(P.StepStats, step_stats_pb2.StepStats, **_step_stats_kw()))
    kw = {"step_stats": _step_stats_kw(),
          "cost_graph": {"node": [{"name": "mm", "device": "cpu", "id": 3, "is_final": True,
                                   "input_info": [{"preceding_node": 1, "preceding_port": 0}],
                                   "output_info": [{"size": 24, "alias_input_port": -1,
                                                    "shape": {"dim": [{"size": 2}]}, "dtype": 1}],
                                   "control_input": [1, 2], "compute_cost": 10,
                                   "temporary_memory_size": 5, "inaccurate": True}],
                         "cost": [{"cost": 0.5, "dimension": "flops"}]},
          "partition_graphs": [{"node": [{"name": "a", "op": "NoOp"}]}]}
    ours, theirs = pair(P.RunMetadata, config_pb2.RunMetadata, **kw)
    check_same(ours, theirs)
    assert ours.step_stats.dev_stats[0].node_stats[0].memory[0].peak_bytes == 24


def test_device_step_stats_thread_names_multiple_entries():
    ours, theirs = pair(P.DeviceStepStats, step_stats_pb2.DeviceStepStats,
                        thread_names={5: "a", 1: "b", 300: "c", 0: "z"})
    check_same(ours, theirs, exact_bytes=False)


# --- events and summaries ------------------------------------------------------------------

_HISTO = {"min": -1.5, "max": 1e300, "num": 10.0, "sum": 0.1, "sum_squares": 3.0,
          "bucket_limit": [-1.0, 0.0, 1e-12, float("inf")], "bucket": [1.0, 0.0, 4.0, 5.0]}


@pytest.mark.parametrize("value", [
    {"simple_value": 0.1},
    {"simple_value": float("-inf")},
    {"obsolete_old_style_histogram": b"\x01\x02"},
    {"image": {"height": 2, "width": 3, "colorspace": 4, "encoded_image_string": b"\x89PNG\r\n"}},
    {"histo": _HISTO},
    {"audio": {"sample_rate": 44100.0, "num_channels": 2, "length_frames": 10,
               "encoded_audio_string": b"RIFF\x00", "content_type": "audio/wav"}},
    {"tensor": {"dtype": 7, "tensor_shape": {}, "string_val": [b"text \xe2\x9c\x93"]}},
])
def test_summary_value_kinds(value):
    kw = {"value": [{"tag": "loss/\u00e9", "node_name": "n",
                     "metadata": {"plugin_data": {"plugin_name": "scalars", "content": b"\x08\x01"},
                                  "display_name": "Loss", "summary_description": "d",
                                  "data_class": 1}, **value}]}
    ours, theirs = pair(P.Summary, summary_pb2.Summary, **kw)
    assert ours.value[0].WhichOneof("value") == theirs.value[0].WhichOneof("value")
    check_same(ours, theirs)


def test_histogram_proto():
    check_same(*pair(P.HistogramProto, summary_pb2.HistogramProto, **_HISTO))


@pytest.mark.parametrize("what", [
    {"file_version": "brain.Event:2"},
    {"graph_def": graph_pb2.GraphDef(node=[{"name": "a"}]).SerializeToString()},
    {"summary": {"value": [{"tag": "x", "simple_value": 2.0}]}},
    {"summary": {}},
    {"log_message": {"level": 30, "message": "careful"}},
    {"session_log": {"status": 3, "checkpoint_path": "/tmp/model.ckpt-10", "msg": "saved"}},
    {"session_log": {"status": "START"}},
    {"tagged_run_metadata": {"tag": "step_5", "run_metadata": config_pb2.RunMetadata(
        step_stats=_step_stats_kw()).SerializeToString()}},
    {"meta_graph_def": meta_graph_pb2.MetaGraphDef(graph_def={}).SerializeToString()},
])
def test_event_what_kinds(what):
    ours, theirs = pair(P.Event, event_pb2.Event, wall_time=1_700_000_000.123456, step=42, **what)
    assert ours.WhichOneof("what") == theirs.WhichOneof("what")
    check_same(ours, theirs)


# --- tensors ---------------------------------------------------------------------------------

_TENSOR_CASES = [
    (np.float32(1.5), None, None), (np.array([[1, 2, 3], [4, 5, 6]], np.float32), None, None),
    (np.array([1.5], np.float32), None, None), (3, None, None), (2.5, None, None),
    (True, None, None), (np.array([True, False]), None, None), (b"ab", None, None),
    ("h\u00e9", None, None), ([b"a", b"b"], None, None), (np.array([1, 2], np.float16), None, None),
    (np.float16(1.5), None, None), (np.array([1, 2], np.int64), None, None),
    (np.array([1 + 2j, 3j], np.complex64), None, None), (np.complex128(1 + 2j), None, None),
    (np.array([1, 2], np.uint8), None, None), (np.int8(-3), None, None),
    (np.array([], np.float32), None, None), (np.zeros((0, 3), np.int32), None, None),
    (np.array([7, 8], np.uint32), None, None), (np.array([7], np.uint64), None, None),
    (np.array([1, 2], np.int16), None, None), (np.array([[1, 2]], np.bool_), None, None),
    (np.array([1, 2], np.uint16), None, None), (np.array([2**40, -1]), None, None),
    ([[1.0, 2.0], [3.0, 4.0]], None, None), ([1, 2**40], None, None),
    (1.0, tf.float32, [2, 3]), ([1.0, 2.0], tf.float32, [2, 3]), (1, tf.int64, [2]),
    (0, tf.float32, [3]), ([1, 2], tf.float64, None), (b"x", None, [2]),
    (np.array([1, 2, 3, 4], np.int32), None, [2, 2]), (True, None, [2]),
    (np.float16(1), None, [2]), (np.complex64(1), None, [2]), (1, tf.bfloat16, [2]),
    (np.array([1.5, 2], np.float32), tf.bfloat16, None), ([], tf.float32, [0, 2]),
    (np.array([b"a", b"bc"]), None, None), (np.array(["x", "yz"]), None, None),
    (7, tf.uint8, None), ([1, 2], tf.int8, [2]), (-1, tf.uint8, None),
    ([["a", "b"], ["c", "d"]], None, None), ([1, 2.5], None, None), (2**31, None, None),
    (np.array([[1, 2], [3, 4]], np.int32).T, None, None), (np.int32(3), tf.int64, None),
    ([[1 + 2j]], tf.complex128, None), (1.5, tf.float16, [3]),
]


@pytest.mark.parametrize("values, dtype, shape", _TENSOR_CASES)
def test_make_tensor_proto_matches_tf(values, dtype, shape):
    theirs = tf.make_tensor_proto(values, dtype=dtype, shape=shape)
    our_dtype = None if dtype is None else dtype.as_datatype_enum
    ours = P.make_tensor_proto(values, dtype=our_dtype, shape=shape)
    assert ours.SerializeToString() == theirs.SerializeToString()
    assert str(ours) == tf_text.MessageToString(theirs)
    expected = tf.make_ndarray(theirs)
    got = P.make_ndarray(P.TensorProto.FromString(theirs.SerializeToString()))
    if dtype == tf.bfloat16:
        expected = expected.astype(np.float32)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype or expected.dtype.kind in "SUO"
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("kw", [
    {"dtype": 3, "tensor_shape": {"dim": [{"size": 5}]}, "int_val": [1, 2]},
    {"dtype": 1, "tensor_shape": {"dim": [{"size": 2}, {"size": 2}]}, "float_val": [0.5]},
    {"dtype": 7, "tensor_shape": {"dim": [{"size": 3}]}, "string_val": [b"a", b"b"]},
    {"dtype": 19, "tensor_shape": {"dim": [{"size": 3}]}, "half_val": [15360]},
    {"dtype": 8, "tensor_shape": {"dim": [{"size": 2}]}, "scomplex_val": [1, 2]},
    {"dtype": 18, "tensor_shape": {"dim": [{"size": 2}]}, "dcomplex_val": [1, 2, 3, 4]},
    {"dtype": 10, "tensor_shape": {"dim": [{"size": 3}]}, "bool_val": [True]},
    {"dtype": 9, "tensor_shape": {"dim": [{"size": 2}]}},
    {"dtype": 23, "tensor_shape": {}, "uint64_val": [2**64 - 1]},
    {"dtype": 22, "tensor_shape": {"dim": [{"size": 2}]}, "uint32_val": [2**32 - 1]},
    {"dtype": 2, "tensor_shape": {"dim": [{"size": 2}]},
     "tensor_content": np.array([1.5, -2], "<f8").tobytes()},
])
def test_make_ndarray_matches_tf(kw):
    ours, theirs = pair(P.TensorProto, tensor_pb2.TensorProto, **kw)
    check_same(ours, theirs)
    expected = tf.make_ndarray(theirs)
    got = P.make_ndarray(ours)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype or expected.dtype.kind in "SUO"
    np.testing.assert_array_equal(got, expected)


# --- property-based differential checks ----------------------------------------------------


@_SETTINGS
@given(st.lists(st.floats(width=32, allow_nan=False)), st.lists(st.floats(allow_nan=False)),
       st.lists(st.integers(-2**63, 2**63 - 1)), st.integers(-2**31, 2**31 - 1))
def test_numbers_match_tf(floats, doubles, ints, version):
    # (NaN payloads do not survive text format; canonical NaN is covered by the tables.)
    check_same(*pair(P.TensorProto, tensor_pb2.TensorProto, float_val=floats, double_val=doubles,
                     int64_val=ints, version_number=version))


@_SETTINGS
@given(st.floats(width=32, allow_nan=False), st.floats(allow_nan=False))
def test_singular_floats_match_tf(f, d):
    check_same(*pair(P.AttrValue, attr_value_pb2.AttrValue, f=f))
    check_same(*pair(P.HistogramProto, summary_pb2.HistogramProto, min=d, sum=-d))


@_SETTINGS
@given(st.text(), st.binary(), st.lists(st.text(max_size=5), max_size=4))
def test_strings_match_tf(text, blob, inputs):
    check_same(*pair(P.NodeDef, node_def_pb2.NodeDef, name=text, input=inputs,
                     attr={"s": {"s": blob}}))


_ATTR_BYTES = attr_value_pb2.AttrValue(list={
    "s": [b"a"], "i": [1, 300, -1], "f": [0.5], "shape": [{"dim": [{"size": 3}]}],
    "func": [{"name": "f", "attr": {"T": {"type": 1}}}],
    "tensor": [{"dtype": 1, "float_val": [1.0]}]}).SerializeToString()


@st.composite
def _attr_bytes(draw):
    """Random bytes, or valid AttrValue bytes with a few bytes overwritten and maybe cut."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=128))
    data = bytearray(_ATTR_BYTES)
    for _ in range(draw(st.integers(1, 3))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[:draw(st.integers(0, len(data)))])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_attr_bytes())
def test_decoding_agrees_with_tf(data):
    # AttrValue's whole message tree is modelled, so acceptance must agree exactly with upb
    # (including upb's rule that a map entry with unknown fields is kept as an unknown field).
    try:
        theirs = attr_value_pb2.AttrValue.FromString(data)
    except Exception:  # noqa: BLE001 - upb's DecodeError type
        theirs = None
    try:
        ours = P.AttrValue.FromString(data)
    except P.DecodeError:
        ours = None
    if theirs is None or ours is None:
        assert theirs is None and ours is None
        return
    assert attr_value_pb2.AttrValue.FromString(ours.SerializeToString()) == theirs
    assert str(ours) == tf_text.MessageToString(theirs)


def test_map_entry_with_unknown_fields_is_kept_as_unknown_like_upb():
    # NameAttrList.attr entry {key: "T", <unknown field 9>}: not inserted, but preserved.
    data = b"\x0a\x01f\x12\x07\x0a\x01T\x4a\x020\x01"
    ours = P.NameAttrList.FromString(data)
    theirs = attr_value_pb2.NameAttrList.FromString(data)
    assert len(ours.attr) == len(theirs.attr) == 0
    assert ours.SerializeToString() == theirs.SerializeToString() == data


# --- text-format errors --------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "name: 1", 'op: "a"\nfoo: 1', 'name: "a', 'attr { key: "x" value { type: DT_NOPE } }',
    'name: "a" name: "b"', 'name "a"', 'attr { key: "x" value { i: 1 s: "a" } }',
    '  op: "x" ;; ', 'input: ["a",]',
])
def test_parse_errors_report_the_same_position_as_protobuf(text):
    with pytest.raises(tf_text.ParseError) as theirs:
        tf_text.Parse(text, node_def_pb2.NodeDef())
    with pytest.raises(text_format.ParseError) as ours:
        text_format.Parse(text, P.NodeDef())
    assert (ours.value.line, ours.value.column) == (theirs.value.GetLine(), theirs.value.GetColumn())


def test_parse_accepts_what_protobuf_accepts():
    text = ("name: 'a' \"b\" op: \"\\x41\\101\" input: [\"x\", 'y'];"
            " attr: { key: \"n\" value: < list { i: [1, -0x2, 010] f: [1.5f, -inf, nan] } > },"
            " attr { key: \"t\" value { type: 9 } }")
    ours = text_format.Parse(text, P.NodeDef())
    theirs = tf_text.Parse(text, node_def_pb2.NodeDef())
    assert ours.SerializeToString(deterministic=True) == \
        P.NodeDef.FromString(theirs.SerializeToString()).SerializeToString(deterministic=True)
    assert str(ours) == tf_text.MessageToString(theirs).replace("nan", "nan")
    assert math.isnan(ours.attr["n"].list.f[2])
