"""Summary ops: op names, tags and serialized Summary bytes, against TensorFlow."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest

import minitf as tf
from minitf import errors
from minitf.framework.proto import Summary
from minitf.summary import encoding


def _ops(graph):
    return [(op.name, op.type, [t.name for t in op.inputs]) for op in graph.get_operations()]


def _build_names(t):
    x = t.constant(1.5)
    with t.name_scope("train"):
        t.summary.scalar("loss", x)
        t.summary.scalar("loss", x)
        t.summary.scalar("my loss!", x, family="fam")
        t.summary.histogram("w", t.constant([1.0, 2.0]))
    t.summary.scalar("loss", x)
    t.summary.image("img", t.zeros([2, 4, 5, 3]), max_outputs=3)
    t.summary.audio("snd", t.zeros([2, 10, 2]), 8000, max_outputs=2)
    t.summary.text("note", t.constant("hello"))
    t.summary.tensor_summary("tens", t.constant([[1, 2], [3, 4]]))
    t.summary.merge_all()
    t.summary.merge_all(name="everything")
    return t.get_default_graph()


@pytest.mark.tf
def test_op_names_tags_and_inputs_match_tf(tfv1):
    assert _ops(_build_names(tf)) == _ops(_build_names(tfv1))


def _values(t):
    rng = np.random.default_rng(0)
    x = t.placeholder(t.float32, [None])
    out = [
        t.summary.scalar("s", t.reduce_max(x)),
        t.summary.histogram("h_normal", x),
        t.summary.histogram("h_big", x * 1e15),
        t.summary.histogram("h_tiny", x * 1e-13),
        t.summary.histogram("h_int", t.constant([3, 3, -7, 0, 0, 12])),
        t.summary.histogram("h_f64", t.constant(rng.normal(size=50))),
        t.summary.histogram("h_empty", t.constant([], t.float32)),
        t.summary.tensor_summary("t_f", x),
        t.summary.tensor_summary("t_i", t.constant([[1, 2], [3, 4]], t.int64),
                                 summary_description="desc", display_name="disp"),
        t.summary.tensor_summary("t_b", t.constant([True, False])),
        t.summary.text("txt", t.constant(["a", "bb"])),
        t.summary.audio("snd", t.reshape(x[:12], [2, 3, 2]), 8000, max_outputs=2),
        t.summary.audio("mono", t.reshape(x[:12] * 3.0, [3, 4]), 16000.0, max_outputs=1),
    ]
    out.append(t.summary.merge(out[:3] + out[7:9]))
    feed = {x: np.concatenate([rng.normal(size=1000), [0.0, -0.0, 1e-12, 5.0]])
            .astype(np.float32)}
    return out, feed


@pytest.mark.tf
def test_serialized_summaries_are_byte_identical_to_tf(tfv1):
    ours, feed = _values(tf)
    with tf.Session() as sess:
        got = sess.run(ours, {ours[0].op.inputs[1].op.inputs[0]: feed[next(iter(feed))]})
    theirs, tfeed = _values(tfv1)
    with tfv1.Session() as sess:
        want = sess.run(theirs, {next(iter(tfeed)): feed[next(iter(feed))]})
    assert len(got) == len(want)
    for t, g, w in zip(ours, got, want):
        assert g == w, f"{t.name}: {Summary.FromString(g)} != {Summary.FromString(w)}"


def _decode_png(data):
    """Decodes the PNGs minitf writes (8-bit, filter 0) without any image library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype = ihdr[:4]
    c = {0: 1, 4: 2, 2: 3, 6: 4}[ctype]
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * c)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(h, w, c)


def _images(t):
    rng = np.random.default_rng(1)
    f = rng.normal(size=(3, 5, 7, 3)).astype(np.float32)
    f[0, 1, 2, 1] = np.nan
    f[1, 0, 0, 0] = np.inf
    pos = np.abs(f[:1]) + 0.5
    u8 = rng.integers(0, 256, size=(2, 4, 6, 4), dtype=np.uint8)
    gray = rng.uniform(size=(1, 3, 3, 1))
    return [t.summary.image("f", t.constant(f), max_outputs=2),
            t.summary.image("pos", t.constant(pos), max_outputs=1),
            t.summary.image("u8", t.constant(u8), max_outputs=5),
            t.summary.image("gray64", t.constant(gray)),
            t.summary.image("zeros", t.zeros([1, 2, 2, 3]))]


@pytest.mark.tf
def test_images_decode_to_tf_pixels(tfv1):
    pil = pytest.importorskip("PIL.Image")
    with tf.Session() as sess:
        got = [Summary.FromString(s) for s in sess.run(_images(tf))]
    with tfv1.Session() as sess:
        want = [Summary.FromString(s) for s in sess.run(_images(tfv1))]
    for g, w in zip(got, want):
        assert [v.tag for v in g.value] == [v.tag for v in w.value]
        for gv, wv in zip(g.value, w.value):
            assert (gv.image.height, gv.image.width, gv.image.colorspace) == \
                (wv.image.height, wv.image.width, wv.image.colorspace)
            ours = _decode_png(gv.image.encoded_image_string)
            theirs = np.asarray(pil.open(io.BytesIO(wv.image.encoded_image_string)))
            np.testing.assert_array_equal(ours.reshape(theirs.shape), theirs)
            # and any PNG reader reads ours
            np.testing.assert_array_equal(
                np.asarray(pil.open(io.BytesIO(gv.image.encoded_image_string))), theirs)


def test_image_tags_follow_max_outputs():
    s1 = tf.summary.image("one", tf.zeros([3, 2, 2, 1]), max_outputs=1)
    s3 = tf.summary.image("three", tf.zeros([2, 2, 2, 4], tf.uint8), max_outputs=3)
    with tf.Session() as sess:
        a, b = (Summary.FromString(x) for x in sess.run([s1, s3]))
    assert [v.tag for v in a.value] == ["one/image"]
    assert [v.tag for v in b.value] == ["three/image/0", "three/image/1"]
    assert _decode_png(b.value[0].image.encoded_image_string).shape == (2, 2, 4)


def test_histogram_buckets_are_tf_default_limits():
    limits = encoding.default_bucket_limits()
    assert limits[0] == -np.finfo(np.float64).max and limits[-1] == np.finfo(np.float64).max
    pos = limits[limits > 0]
    assert pos[0] == 1e-12 and np.allclose(pos[1:-1] / pos[:-2], 1.1)
    assert (limits[limits < 0] == -pos[::-1]).all()
    h = encoding.histogram_proto([0.5, 0.5, 2.0])
    assert h.num == 3 and h.sum == 3.0 and h.min == 0.5 and h.max == 2.0
    assert sum(h.bucket) == 3
    # bucket i counts limit[i-1] <= v < limit[i]
    i = list(h.bucket).index(2.0)
    assert h.bucket_limit[i - 1] <= 0.5 < h.bucket_limit[i]


def test_runtime_errors_name_the_op():
    bad = [
        (tf.summary.scalar("x", tf.constant([1.0, 2.0])),
         r"tags and values are not the same shape: \[\] != \[2\] \(tag 'x'\)"),
        (tf.summary.histogram("h", tf.constant([1.0, np.nan])), "Nan in summary histogram for: h"),
        (tf.summary.histogram("h", tf.constant([1.0, np.inf])), "Infinity in Histogram for: h_1"),
        (tf.summary.image("i", tf.zeros([2, 3])),
         r"Tensor must be 4-D with last dim 1, 3, or 4, not \[2,3\]"),
        (tf.summary.audio("a", tf.zeros([2]), 8000), r"Tensor must be 3-D or 2-D, got: \[2\]"),
        (tf.summary.merge([tf.constant("garbage\xff")]), "Could not parse one of the summary"),
    ]
    a = tf.constant(1.0)
    q = tf.constant(Summary(value=[Summary.Value(tag="q", simple_value=1)]).SerializeToString())
    bad.append((tf.summary.merge([q, q]), "Duplicate tag q found in summary inputs"))
    with tf.Session() as sess:
        for t, msg in bad:
            with pytest.raises(errors.InvalidArgumentError, match=msg) as e:
                sess.run(t)
            assert e.value.op is t.op
        # same-named summaries get unique tags, so merging them is fine
        m = tf.summary.merge([tf.summary.scalar("d", a), tf.summary.scalar("d", a)])
        assert [v.tag for v in Summary.FromString(sess.run(m)).value] == ["d", "d_1"]


def test_text_requires_string():
    with pytest.raises(ValueError, match="to have dtype string"):
        tf.summary.text("t", tf.constant(1.0))


def test_collections_and_merge_all():
    a = tf.summary.scalar("a", 1.0)
    b = tf.summary.scalar("b", 2.0, collections=["mine"])
    with tf.name_scope("inner"):
        c = tf.summary.scalar("c", 3.0)
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [a, c]
    assert tf.get_collection("mine") == [b]
    assert tf.summary.merge_all("nothing_here") is None
    m = tf.summary.merge_all()
    only_b = tf.summary.merge_all(key="mine")
    inner = tf.summary.merge_all(scope="inner")
    assert m.op.type == "MergeSummary" and m.op.name == "Merge/MergeSummary"
    with tf.Session() as sess:
        tags = [[v.tag for v in Summary.FromString(s).value] for s in
                sess.run([m, only_b, inner])]
    assert tags == [["a", "inner/c"], ["b"], ["inner/c"]]
    assert tf.summary.merge([a], collections=["merged"]) in tf.get_collection("merged")


def test_summary_ops_are_not_differentiable():
    from minitf.framework.op_registry import get_gradient_function, has_gradient_entry

    x = tf.placeholder(tf.float32, [3])
    s = tf.summary.merge([tf.summary.histogram("h", x)])
    for op in tf.get_default_graph().get_operations():
        if op.type.endswith("Summary"):
            assert has_gradient_entry(op.type) and get_gradient_function(op) is None
    assert s.dtype == tf.string


def test_wav_encoding():
    wav = encoding.encode_wav(np.array([[0.5, -0.5], [1.0, -1.0], [0.123, 2.0]]), 8000)
    assert wav[:4] == b"RIFF" and wav[8:16] == b"WAVEfmt "
    fmt = struct.unpack("<IHHIIHH", wav[16:36])
    assert fmt == (16, 1, 2, 8000, 32000, 4, 16)
    assert wav[36:40] == b"data"
    samples = np.frombuffer(wav[44:], "<i2").reshape(3, 2)
    assert samples.tolist() == [[16384, -16384], [32767, -32768], [4030, 32767]]
