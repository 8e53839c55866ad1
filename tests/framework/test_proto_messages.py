"""Message API semantics, text format and tensor_util (no TensorFlow needed)."""

import copy
import math
import pickle
import time

import numpy as np
import pytest

import minitf.framework.proto as P
from minitf.framework.proto import (
    AttrValue,
    CollectionDef,
    ConfigProto,
    DecodeError,
    DeviceStepStats,
    Event,
    GraphDef,
    HistogramProto,
    MetaGraphDef,
    NodeDef,
    OptimizerOptions,
    ParseError,
    RunMetadata,
    RunOptions,
    SaverDef,
    SessionLog,
    Summary,
    TensorProto,
    TensorShapeProto,
    make_ndarray,
    make_tensor_proto,
    text_format,
)

# --- construction and scalar fields --------------------------------------------------------


def test_kwargs_construction_with_nested_dicts_lists_and_maps():
    n = NodeDef(name="c", op="Const", input=["a", "^b"],
                attr={"T": AttrValue(type=P.DT_FLOAT),
                      "shape": {"shape": {"dim": [{"size": 2}, {"size": -1}]}}})
    assert n.name == "c" and list(n.input) == ["a", "^b"]
    assert n.attr["T"].type == P.DT_FLOAT == 1
    assert [d.size for d in n.attr["shape"].shape.dim] == [2, -1]


def test_unknown_kwarg_and_attribute():
    with pytest.raises(ValueError, match="no \"foo\" field"):
        NodeDef(foo=1)
    with pytest.raises(AttributeError):
        NodeDef().foo = 1


@pytest.mark.parametrize("field, bad, exc", [
    ("name", 1, TypeError), ("name", 1.5, TypeError), ("name", b"\xff", ValueError),
])
def test_string_type_checks(field, bad, exc):
    with pytest.raises(exc):
        setattr(NodeDef(), field, bad)


def test_scalar_type_checks_and_conversions():
    t = TensorProto()
    with pytest.raises(TypeError):
        t.version_number = 1.5
    with pytest.raises(TypeError):
        t.version_number = True
    with pytest.raises(TypeError):
        t.version_number = "3"
    with pytest.raises(ValueError):
        t.version_number = 2**31
    t.version_number = np.int64(5)
    assert t.version_number == 5 and type(t.version_number) is int
    with pytest.raises(TypeError):
        t.tensor_content = "text"  # bytes fields take bytes only
    t.tensor_content = bytearray(b"ab")
    assert t.tensor_content == b"ab"
    c = ConfigProto()
    c.allow_soft_placement = 1
    assert c.allow_soft_placement is True
    with pytest.raises(TypeError):
        c.allow_soft_placement = 1.5
    c.gpu_options.per_process_gpu_memory_fraction = 1
    assert c.gpu_options.per_process_gpu_memory_fraction == 1.0
    n = NodeDef()
    n.name = b"abc"
    assert n.name == "abc"


def test_float_fields_store_float32_values():
    a = AttrValue(f=0.1)
    assert a.f == np.float32(0.1) and a.f != 0.1
    a.f = 1e39
    assert a.f == math.inf
    t = TensorProto(float_val=[0.1], double_val=[0.1])
    assert t.float_val[0] == float(np.float32(0.1)) and t.double_val[0] == 0.1


def test_enum_fields_accept_numbers_and_names():
    r = RunOptions(trace_level=RunOptions.FULL_TRACE)
    assert r.trace_level == 3
    r.trace_level = "SOFTWARE_TRACE"
    assert r.trace_level == RunOptions.SOFTWARE_TRACE == 1
    r.trace_level = 42  # proto3 enums are open
    assert r.trace_level == 42
    with pytest.raises(ValueError):
        r.trace_level = "NOPE"
    assert RunOptions.TraceLevel.Name(3) == "FULL_TRACE"
    assert RunOptions.TraceLevel.Value("NO_TRACE") == 0
    assert OptimizerOptions.L0 == -1 and OptimizerOptions.ON_2 == 2
    assert SaverDef.V2 == 2 and SaverDef.CheckpointFormatVersion.keys() == ["LEGACY", "V1", "V2"]
    assert SessionLog.CHECKPOINT == 3
    assert P.DT_FLOAT_REF == 101 and P.DataType.Name(119) == "DT_HALF_REF"


def test_nested_classes_are_reachable_tf_style():
    assert Summary.Value().tag == ""
    assert TensorShapeProto.Dim(size=3).size == 3
    assert AttrValue.ListValue(i=[1]).i == [1]
    assert CollectionDef.NodeList(value=["a"]).value == ["a"]
    assert MetaGraphDef.MetaInfoDef(tags=["serve"]).tags == ["serve"]
    assert NodeDef.AttrEntry(key="k").key == "k"


# --- presence ------------------------------------------------------------------------------


def test_reading_submessage_does_not_set_presence():
    c = ConfigProto()
    assert c.gpu_options.allow_growth is False
    assert not c.HasField("gpu_options")
    assert c.SerializeToString() == b""
    assert c.gpu_options is c.gpu_options  # the same lazy object each time


def test_modifying_nested_field_sets_presence_up_the_chain():
    c = ConfigProto()
    opts = c.graph_options.optimizer_options
    assert not c.HasField("graph_options")
    opts.opt_level = OptimizerOptions.L1  # setting even the default value marks presence
    assert c.HasField("graph_options") and c.graph_options.HasField("optimizer_options")
    assert c.SerializeToString() == b"\x52\x02\x1a\x00"


def test_set_in_parent_and_empty_submessage_serialization():
    a = AttrValue()
    a.list.SetInParent()
    assert a.WhichOneof("value") == "list"
    assert a.SerializeToString() == b"\x0a\x00"
    assert str(a) == "list {\n}\n"
    assert ConfigProto(gpu_options={}).HasField("gpu_options")
    assert not ConfigProto(gpu_options=None).HasField("gpu_options")


def test_container_mutation_sets_presence():
    r = RunMetadata()
    r.step_stats.dev_stats.add(device="/cpu:0")
    assert r.HasField("step_stats")
    c = ConfigProto()
    c.gpu_options.MergeFrom(P.GPUOptions())
    assert c.HasField("gpu_options")


def test_clear_field_detaches_submessage():
    c = ConfigProto()
    g = c.gpu_options
    g.allow_growth = True
    c.ClearField("gpu_options")
    assert not c.HasField("gpu_options")
    g.allow_growth = False
    assert not c.HasField("gpu_options")
    assert c.gpu_options is not g


def test_has_field_rules():
    n = NodeDef(name="x")
    with pytest.raises(ValueError):
        n.HasField("name")  # proto3 scalar: no presence
    with pytest.raises(ValueError):
        n.HasField("input")
    with pytest.raises(ValueError):
        n.HasField("nope")
    assert not n.HasField("experimental_debug_info")
    assert AttrValue(i=0).HasField("i") and AttrValue(i=0).HasField("value")


# --- oneofs ----------------------------------------------------------------------------------


def test_oneof_switching():
    a = AttrValue(s=b"x")
    assert a.WhichOneof("value") == "s"
    a.i = 0  # default value still selects the member
    assert a.WhichOneof("value") == "i" and a.s == b""
    assert a.SerializeToString() == b"\x18\x00"
    a.shape.dim.add(size=1)
    assert a.WhichOneof("value") == "shape" and not a.HasField("i")
    a.ClearField("value")
    assert a.WhichOneof("value") is None
    with pytest.raises(ValueError):
        a.WhichOneof("nope")
    e = Event(file_version="brain.Event:2")
    e.summary.value.add(tag="t", simple_value=1.0)
    assert e.WhichOneof("what") == "summary" and e.file_version == ""


# --- repeated and map containers -------------------------------------------------------------


def test_repeated_scalar_container_is_list_like():
    n = NodeDef()
    n.input.append("a")
    n.input.extend(["b", "c"])
    n.input.insert(0, "z")
    n.input[1] = "A"
    assert n.input == ["z", "A", "b", "c"] and len(n.input) == 4
    assert n.input[-1] == "c" and n.input[1:3] == ["A", "b"]
    del n.input[0]
    assert list(n.input) == ["A", "b", "c"] and "b" in n.input
    with pytest.raises(TypeError):
        n.input.append(3)
    with pytest.raises(AttributeError):
        n.input = ["x"]
    n.input.sort(reverse=True)
    assert n.input == ["c", "b", "A"]


def test_repeated_message_container():
    g = GraphDef()
    a = g.node.add(name="a")
    a.op = "NoOp"
    src = NodeDef(name="b")
    g.node.append(src)
    src.name = "changed"  # append copies
    assert [n.name for n in g.node] == ["a", "b"]
    assert g.node == [NodeDef(name="a", op="NoOp"), NodeDef(name="b")]
    with pytest.raises(TypeError):
        g.node[0] = NodeDef()
    with pytest.raises(TypeError):
        g.node.append(AttrValue())
    g.node.extend([NodeDef(name="c")])
    del g.node[0]
    assert [n.name for n in g.node] == ["b", "c"]


def test_scalar_map():
    c = ConfigProto(device_count={"CPU": 1})
    c.device_count["GPU"] = 0
    assert dict(c.device_count) == {"CPU": 1, "GPU": 0}
    assert c.device_count["TPU"] == 0 and "TPU" in c.device_count  # read inserts, like protobuf
    with pytest.raises(TypeError):
        c.device_count["x"] = "1"
    with pytest.raises(TypeError):
        c.device_count[1] = 1
    del c.device_count["TPU"]
    assert c.device_count == {"CPU": 1, "GPU": 0}
    d = DeviceStepStats(thread_names={3: "main"})
    assert d.thread_names[3] == "main"


def test_message_map():
    n = NodeDef()
    assert n.attr.get("T") is None and len(n.attr) == 0
    n.attr["T"].type = P.DT_INT32
    v = n.attr.get_or_create("N")
    v.i = 2
    assert sorted(n.attr) == ["N", "T"] and n.attr["N"].i == 2
    with pytest.raises(ValueError):
        n.attr["X"] = AttrValue(i=1)
    n.attr.pop("N")
    assert list(n.attr.keys()) == ["T"]


# --- copy/merge/equality -------------------------------------------------------------------


def _sample_graph():
    g = GraphDef(versions={"producer": 27, "bad_consumers": [3]})
    n = g.node.add(name="x", op="Placeholder")
    n.attr["dtype"].type = P.DT_FLOAT
    n.attr["shape"].shape.dim.extend([TensorShapeProto.Dim(size=-1), TensorShapeProto.Dim(size=3)])
    m = g.node.add(name="c", op="Const", device="/cpu:0")
    m.attr["value"].tensor.CopyFrom(make_tensor_proto(np.arange(6, dtype=np.float32).reshape(2, 3)))
    m.attr["l"].list.s.extend([b"a", b"\xff"])
    g.library.function.add().signature.name = "f"
    return g


def test_copy_merge_and_equality():
    g = _sample_graph()
    h = GraphDef()
    h.CopyFrom(g)
    assert h == g and h is not g
    h.node[0].attr["dtype"].type = P.DT_INT32
    assert h != g and g.node[0].attr["dtype"].type == P.DT_FLOAT
    m = GraphDef(node=[{"name": "y"}], versions={"min_consumer": 12})
    m.MergeFrom(g)
    assert [n.name for n in m.node] == ["y", "x", "c"]
    assert m.versions.producer == 27 and m.versions.min_consumer == 12
    with pytest.raises(TypeError):
        m.MergeFrom(NodeDef())
    assert copy.deepcopy(g) == g
    assert pickle.loads(pickle.dumps(g)) == g
    assert NodeDef() != 1
    with pytest.raises(TypeError):
        hash(NodeDef())


def test_merge_overwrites_map_values_and_scalars():
    a = NodeDef(name="a", attr={"T": {"type": 1}, "x": {"i": 1}})
    b = NodeDef(op="Op", attr={"T": {"s": b"q"}})
    a.MergeFrom(b)
    assert a.name == "a" and a.op == "Op"
    assert a.attr["T"].WhichOneof("value") == "s" and a.attr["x"].i == 1


def test_list_fields_and_clear():
    n = NodeDef(name="n", input=[], attr={"a": {"b": True}})
    assert [f.name for f, _ in n.ListFields()] == ["name", "attr"]
    n.name = ""
    assert [f.name for f, _ in n.ListFields()] == ["attr"]
    n.Clear()
    assert n.ListFields() == [] and n.SerializeToString() == b""


def test_descriptor_minimal():
    d = NodeDef.DESCRIPTOR
    assert d.full_name == "tensorflow.NodeDef"
    assert d.fields_by_name["attr"].number == 5
    assert NodeDef.attr.message_type is NodeDef.AttrEntry
    assert MetaGraphDef.MetaInfoDef.DESCRIPTOR.full_name == "tensorflow.MetaGraphDef.MetaInfoDef"


# --- wire round trips ----------------------------------------------------------------------


def test_known_encoding_of_node_def():
    n = NodeDef(name="a", op="B", input=["c"], attr={"T": {"type": 1}})
    assert n.SerializeToString() == (b"\x0a\x01a\x12\x01B\x1a\x01c"
                                     b"\x2a\x07\x0a\x01T\x12\x02\x30\x01")


def test_proto3_defaults_are_omitted_but_map_entries_are_complete():
    assert ConfigProto(intra_op_parallelism_threads=0).SerializeToString() == b""
    # map entries always carry both key and value
    assert ConfigProto(device_count={"": 0}).SerializeToString() == b"\x0a\x04\x0a\x00\x10\x00"
    # negative zero is not the default
    assert AttrValue(list={"f": [-0.0]}).SerializeToString() == b"\x0a\x06\x22\x04\x00\x00\x00\x80"
    assert HistogramProto(min=-0.0).SerializeToString() == b"\x09" + b"\x00" * 7 + b"\x80"


def test_deterministic_sorts_map_entries():
    c = ConfigProto(device_count={"b": 1, "a": 2, "": 3})
    det = c.SerializeToString(deterministic=True)
    assert det == (b"\x0a\x04\x0a\x00\x10\x03" b"\x0a\x05\x0a\x01a\x10\x02"
                   b"\x0a\x05\x0a\x01b\x10\x01")
    assert ConfigProto.FromString(det) == c
    # Without deterministic, entries come in insertion order.
    assert c.SerializeToString().startswith(b"\x0a\x05\x0a\x01b")


def test_round_trip_all_message_kinds():
    msgs = [
        _sample_graph(),
        Event(wall_time=1.5, step=7, summary={"value": [
            {"tag": "s", "simple_value": 0.25},
            {"tag": "h", "histo": {"min": -1, "max": 2, "bucket_limit": [0, 1], "bucket": [3, 4]}},
            {"tag": "i", "image": {"height": 1, "width": 2, "encoded_image_string": b"\x89PNG"}},
            {"tag": "a", "audio": {"sample_rate": 8000, "encoded_audio_string": b"RIFF"}},
            {"tag": "t", "tensor": make_tensor_proto(np.array([1, 2], np.int64)),
             "metadata": {"plugin_data": {"plugin_name": "scalars", "content": b"\x00"}}},
        ]}),
        Event(session_log={"status": SessionLog.START, "checkpoint_path": "/tmp/x"}),
        Event(tagged_run_metadata={"tag": "step1", "run_metadata": b"\x0a\x00"}),
        Event(graph_def=b"\x0a\x00"), Event(meta_graph_def=b"\x12\x00"),
        Event(log_message={"level": P.LogMessage.WARN, "message": "hm"}),
        ConfigProto(device_count={"CPU": 4}, log_device_placement=True,
                    gpu_options={"allow_growth": True, "visible_device_list": "0"},
                    graph_options={"optimizer_options": {"opt_level": OptimizerOptions.L0}},
                    session_inter_op_thread_pool=[{"num_threads": 2}], operation_timeout_in_ms=-5),
        RunMetadata(step_stats={"dev_stats": [{
            "device": "/cpu:0", "thread_names": {0: "main", 7: "worker"},
            "node_stats": [{"node_name": "n", "all_start_micros": 2**40, "thread_id": 2**32 - 1,
                            "memory": [{"allocator_name": "cpu", "peak_bytes": 10}],
                            "output": [{"slot": 0, "tensor_description": {
                                "dtype": 1, "shape": {"dim": [{"size": 3}]},
                                "allocation_description": {"ptr": 2**64 - 1}}}],
                            "memory_stats": {"persistent_tensor_alloc_ids": [1, -2]}}]}]},
                    partition_graphs=[_sample_graph()]),
        MetaGraphDef(meta_info_def={"tags": ["serve"], "stripped_op_list": {"op": [{"name": "X"}]}},
                     graph_def=_sample_graph(),
                     saver_def={"version": SaverDef.V2, "keep_checkpoint_every_n_hours": 1e4},
                     collection_def={"vars": {"bytes_list": {"value": [b"\x00v"]}},
                                     "ints": {"int64_list": {"value": [1, -1]}}},
                     signature_def={"s": {"inputs": {"x": {"name": "x:0", "dtype": 1}},
                                          "method_name": "predict"}}),
    ]
    for m in msgs:
        data = m.SerializeToString()
        back = type(m).FromString(data)
        assert back == m, type(m).__name__
        assert back.SerializeToString() == data
        assert m.ByteSize() == len(data)
        assert text_format.Parse(str(m), type(m)()) == m


# --- text format -----------------------------------------------------------------------------


def test_text_format_output():
    n = NodeDef(name="n\u00e9\x01", op="Const", attr={
        "s": {"s": b"\xff\x00'\"\\\n"}, "f": {"f": 0.1}, "inf": {"f": float("-inf")},
        "l": {"list": {"i": [1, 2], "type": [1, 9]}}, "": {}})
    assert str(n) == (
        'name: "n\u00e9\\001"\nop: "Const"\n'
        'attr {\n  value {\n  }\n}\n'
        'attr {\n  key: "f"\n  value {\n    f: 0.1\n  }\n}\n'
        'attr {\n  key: "inf"\n  value {\n    f: -inf\n  }\n}\n'
        'attr {\n  key: "l"\n  value {\n    list {\n      i: 1\n      i: 2\n'
        '      type: DT_FLOAT\n      type: DT_INT64\n    }\n  }\n}\n'
        'attr {\n  key: "s"\n  value {\n    s: "\\377\\000\\\'\\"\\\\\\n"\n  }\n}\n')
    assert repr(n) == str(n)
    assert text_format.MessageToString(TensorShapeProto(dim=[{"size": 2}]), as_one_line=True) == \
        "dim { size: 2 }"
    assert str(ConfigProto(device_count={"CPU": 0})) == 'device_count {\n  key: "CPU"\n}\n'
    assert str(HistogramProto(min=1e-10, max=1e16, num=3)) == "min: 1e-10\nmax: 1e+16\nnum: 3.0\n"
    assert str(RunOptions(trace_level=17)) == "trace_level: 17\n"


def test_text_parser_accepts_the_full_syntax():
    text = """
    # comment
    node <
      name: 'a' "b"   # adjacent literals concatenate
      op: "\\x41\\101\\u00e9"
      input: ["x", "y"];
      attr { key: "T" value { type: DT_FLOAT } },
      attr: [{ key: "N" value: { i: -0x10 } }, { key: "f" value { f: -inf } }]
      attr { key: "n" value { list { i: [1, 2, 3] b: [true, f, 1] type: 9 } } }
    >
    versions { producer: 012 bad_consumers: [] }
    """
    g = text_format.Parse(text, GraphDef())
    n = g.node[0]
    assert n.name == "ab" and n.op == "AA\u00e9" and list(n.input) == ["x", "y"]
    assert n.attr["T"].type == P.DT_FLOAT and n.attr["N"].i == -16
    assert n.attr["f"].f == -math.inf
    assert list(n.attr["n"].list.i) == [1, 2, 3] and list(n.attr["n"].list.b) == [True, False, True]
    assert list(n.attr["n"].list.type) == [P.DT_INT64]
    assert g.versions.producer == 10


@pytest.mark.parametrize("text, where", [
    ("name: 1", "1:7"),
    ("op: \"a\"\nfoo: 1", "2:1"),
    ("name: \"a", "1:7"),
    ("attr { key: \"x\" value { type: DT_NOPE } }", "1:31"),
    ("name: \"a\" name: \"b\"", "1:17"),
    ("attr { key: \"x\"", "1:16"),
    ("input: [\"a\" \"b\"", "1:16"),
    ("name \"a\"", "1:6"),
    ("name: \"\\q\"", "1:7"),
])
def test_text_parser_errors_have_line_and_column(text, where):
    with pytest.raises(ParseError) as e:
        text_format.Parse(text, NodeDef())
    assert str(e.value).startswith(where + " : ")


def test_parse_vs_merge_duplicates_and_oneof_conflicts():
    with pytest.raises(ParseError):
        text_format.Parse("i: 1 s: 'x'", AttrValue())
    assert text_format.Merge("i: 1 s: 'x'", AttrValue()) == AttrValue(s=b"x")
    with pytest.raises(ParseError):
        text_format.Parse("versions {} versions {}", GraphDef())
    assert text_format.Merge("name: 'a' name: 'b'", NodeDef()).name == "b"
    with pytest.raises(ParseError):
        text_format.Parse("version_number: 1.5", TensorProto())
    with pytest.raises(ParseError):
        text_format.Parse("version_number: 4294967296", TensorProto())


def test_text_parser_floats_and_special_values():
    h = text_format.Parse("min: -inf max: infinity num: nan sum: 1.5f sum_squares: 1e3",
                          HistogramProto())
    assert h.min == -math.inf and h.max == math.inf and math.isnan(h.num)
    assert h.sum == 1.5 and h.sum_squares == 1000.0


# --- tensor_util -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    np.float32(1.5), np.array([[1, 2, 3], [4, 5, 6]], np.float32), np.array([1.5], np.float32),
    np.array([1, 2], np.float16), np.float16(1.5), np.array([1, 2], np.int64), np.int8(-3),
    np.array([1 + 2j, 3j], np.complex64), np.complex128(1 + 2j), np.array([7, 8], np.uint32),
    np.array([7], np.uint64), np.array([[True, False]]), np.array([], np.float32),
    np.zeros((0, 3), np.int32), np.array([1, 2], np.uint16), np.array(2.5),
])
def test_make_ndarray_inverts_make_tensor_proto(value):
    back = make_ndarray(make_tensor_proto(value))
    expected = np.asarray(value)
    if expected.dtype == np.float64 and not isinstance(value, np.ndarray):
        expected = expected.astype(np.float32)
    assert back.dtype == expected.dtype and back.shape == expected.shape
    np.testing.assert_array_equal(back, expected)


def test_make_tensor_proto_encoding_rules():
    t = make_tensor_proto(np.float32(1.5))
    assert list(t.float_val) == [1.5] and t.HasField("tensor_shape") and not t.tensor_content
    t = make_tensor_proto(np.array([[1, 2], [3, 4]], np.int32))
    assert t.tensor_content == np.array([1, 2, 3, 4], "<i4").tobytes() and not t.int_val
    t = make_tensor_proto(np.float16(1.5))
    assert list(t.half_val) == [15872]
    t = make_tensor_proto(3)
    assert t.dtype == P.DT_INT32 and list(t.int_val) == [3]
    t = make_tensor_proto(2.5)
    assert t.dtype == P.DT_FLOAT
    t = make_tensor_proto(["a", b"b", "h\u00e9"])
    assert t.dtype == P.DT_STRING and list(t.string_val) == [b"a", b"b", "h\u00e9".encode()]
    t = make_tensor_proto(1.0, dtype=P.DT_FLOAT, shape=[2, 3])
    assert list(t.float_val) == [1.0]
    np.testing.assert_array_equal(make_ndarray(t), np.ones((2, 3), np.float32))
    with pytest.raises(ValueError):
        make_tensor_proto([1, 2, 3], shape=[2])
    with pytest.raises(TypeError):
        make_tensor_proto([1.5], dtype=P.DT_INT32)
    with pytest.raises(ValueError):
        make_tensor_proto([[1, 2], [3]])


def test_make_ndarray_repeats_last_value_and_strings_are_bytes():
    t = TensorProto(dtype=P.DT_INT32, tensor_shape={"dim": [{"size": 4}]}, int_val=[1, 2])
    np.testing.assert_array_equal(make_ndarray(t), [1, 2, 2, 2])
    s = TensorProto(dtype=P.DT_STRING, tensor_shape={"dim": [{"size": 3}]}, string_val=[b"x"])
    arr = make_ndarray(s)
    assert arr.dtype == object and list(arr) == [b"x", b"x", b"x"]
    z = TensorProto(dtype=P.DT_FLOAT, tensor_shape={"dim": [{"size": 2}]})
    np.testing.assert_array_equal(make_ndarray(z), [0.0, 0.0])


def test_bfloat16_round_trip():
    t = make_tensor_proto(np.array([1.5, 2.0, -3.0], np.float32), dtype=P.DT_BFLOAT16)
    assert t.dtype == P.DT_BFLOAT16 and len(t.tensor_content) == 6
    np.testing.assert_array_equal(make_ndarray(t), [1.5, 2.0, -3.0])
    t = make_tensor_proto(1.0, dtype=P.DT_BFLOAT16, shape=[2])
    assert list(t.half_val) == [16256]


def test_dtype_argument_forms():
    class FakeDType:
        as_datatype_enum = 2
    assert make_tensor_proto([1], dtype=FakeDType()).dtype == P.DT_DOUBLE
    assert make_tensor_proto([1], dtype="int64").dtype == P.DT_INT64
    assert make_tensor_proto([1], dtype=np.uint8).dtype == P.DT_UINT8
    assert make_tensor_proto([1], dtype=P.DT_FLOAT_REF).dtype == P.DT_FLOAT


# --- performance -----------------------------------------------------------------------------


def test_large_graph_serialization_is_fast():
    g = GraphDef()
    for i in range(10_000):
        n = g.node.add(name=f"node_{i}", op="MatMul", input=[f"node_{i - 1}", "w"],
                       device="/cpu:0")
        n.attr["T"].type = P.DT_FLOAT
        n.attr["transpose_a"].b = False
    start = time.perf_counter()
    data = g.SerializeToString()
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, elapsed
    start = time.perf_counter()
    back = GraphDef.FromString(data)
    assert time.perf_counter() - start < 2.0
    assert len(back.node) == 10_000 and back.node[-1].attr["T"].type == P.DT_FLOAT


def test_decode_error_on_bad_bytes_for_every_message_class():
    for cls in (GraphDef, NodeDef, Event, ConfigProto, RunMetadata, MetaGraphDef, Summary):
        with pytest.raises(DecodeError):
            cls.FromString(b"\x0a\x7f")
