"""Readers (TextLine, WholeFile, FixedLengthRecord), decode_raw and decode_csv against
tensorflow.compat.v1, and the CIFAR-10-style reader pipeline with queue runners."""

from __future__ import annotations

import numpy as np
import pytest

import minitf as tf

TIMEOUT_MS = 10_000


@pytest.fixture
def files(tmp_path):
    paths = {"csv": tmp_path / "a.csv", "txt": tmp_path / "b.txt", "bin": tmp_path / "c.bin"}
    paths["csv"].write_bytes(b'h1,h2\n1,2.5\n3,4\r\n"a,b",6\n')
    paths["txt"].write_bytes(b"x\ny")
    paths["bin"].write_bytes(b"HDRabcdefghFT")
    return {k: str(v) for k, v in paths.items()}


def _read_all(mod, make_reader, names, extra=None):
    q = mod.FIFOQueue(10, mod.string)
    reader = make_reader(mod)
    key, value = reader.read(q)
    fetch = [key, value] + ([extra(value)] if extra else [])
    out = []
    with mod.Session(config=mod.ConfigProto(operation_timeout_in_ms=TIMEOUT_MS)) as sess:
        sess.run(q.enqueue_many([names]))
        sess.run(q.close())
        try:
            while len(out) < 100:
                out.append(sess.run(fetch))
        except mod.errors.OutOfRangeError:
            pass
        counts = sess.run([reader.num_records_produced(), reader.num_work_units_completed()])
    graph = (reader.reader_ref.op.type, reader.reader_ref.name, key.name, value.name)
    return out, counts, graph


def _same(m, t):
    assert len(m) == len(t)
    for a, b in zip(m, t):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


@pytest.mark.tf
def test_text_line_reader_matches_tf(tfv1, files):
    def make(mod):
        return mod.TextLineReader(skip_header_lines=1)

    m = _read_all(tf, make, [files["csv"], files["txt"]])
    t = _read_all(tfv1, make, [files["csv"], files["txt"]])
    _same(m[0], t[0])
    assert m[1:] == t[1:]
    assert m[0][0][0] == f"{files['csv']}:2".encode()


@pytest.mark.tf
def test_fixed_length_reader_and_decode_raw_match_tf(tfv1, files):
    def make(mod):
        return mod.FixedLengthRecordReader(4, header_bytes=3, footer_bytes=2)

    def extra(mod):
        return lambda v: mod.decode_raw(v, mod.int16)

    m = _read_all(tf, make, [files["bin"], files["csv"]], extra(tf))
    t = _read_all(tfv1, make, [files["bin"], files["csv"]], extra(tfv1))
    _same(m[0], t[0])
    assert m[1:] == t[1:]
    assert m[0][0][2].dtype == np.int16


@pytest.mark.tf
def test_whole_file_reader_matches_tf(tfv1, files):
    m = _read_all(tf, lambda mod: mod.WholeFileReader(), [files["txt"], files["bin"]])
    t = _read_all(tfv1, lambda mod: mod.WholeFileReader(), [files["txt"], files["bin"]])
    _same(m[0], t[0])
    assert m[1:] == t[1:]


@pytest.mark.tf
def test_decode_csv_matches_tf(tfv1):
    def run(mod):
        recs = mod.constant(["1,2.5,x", '3,,"y,z"', "-7,1e3,"])
        cols = mod.decode_csv(recs, [[0], [1.0], ["d"]])
        semi = mod.decode_csv(mod.placeholder(mod.string, [None]),
                              [[0], mod.constant([], mod.int64)], field_delim=";")
        with mod.Session() as sess:
            vals = sess.run(cols)
            got = sess.run(semi, {semi[0].op.inputs[0]: ["1;2", "3;4"]})
            errs = []
            for bad in (mod.decode_csv(["1,2"], [[0]]), mod.decode_csv(["x"], [[0]]),
                        mod.decode_csv([","], [[0], mod.constant([], mod.int32)]),
                        mod.decode_raw(["abc", "ab"], mod.uint8),
                        mod.decode_raw(["abc"], mod.int16)):
                with pytest.raises(mod.errors.InvalidArgumentError) as info:
                    sess.run(bad)
                errs.append([s for s in info.value.message.splitlines()
                             if s.strip() and not s.strip().startswith("[[")][-1])
        static = [(c.name, str(c.get_shape()), c.dtype.name) for c in cols + semi]
        names = [i.name for i in semi[0].op.inputs]
        return vals, got, errs, static, names

    m, t = run(tf), run(tfv1)
    for a, b in zip(m[0] + m[1], t[0] + t[1]):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    assert m[2:] == t[2:]


@pytest.mark.tf
def test_decode_raw_graph_matches_tf(tfv1):
    for mod in (tf, tfv1):
        r = mod.decode_raw(mod.placeholder(mod.string, [2]), mod.float32, little_endian=False)
        assert (r.name, str(r.get_shape()), r.op.inputs[0].name) == \
            ("DecodeRaw:0", "(2, ?)", "Placeholder:0")
        with mod.Session() as sess:
            v = sess.run(r, {r.op.inputs[0]: [np.float32(1.5).byteswap().tobytes(),
                                               np.float32(-2).byteswap().tobytes()]})
        np.testing.assert_array_equal(v, [[1.5], [-2.0]])


def test_cifar_style_pipeline(tmp_path):
    """Fixed-length records (label byte + 2x2x3 image) → decode_raw → shuffle_batch."""
    rng = np.random.default_rng(0)
    labels, images, names = [], [], []
    for f in range(3):
        lab = rng.integers(0, 10, 5).astype(np.uint8)
        img = rng.integers(0, 256, (5, 12)).astype(np.uint8)
        (tmp_path / f"data_{f}.bin").write_bytes(np.concatenate(
            [lab[:, None], img], axis=1).tobytes())
        labels.append(lab)
        images.append(img)
        names.append(str(tmp_path / f"data_{f}.bin"))
    filename_queue = tf.train.string_input_producer(names, num_epochs=1, shuffle=False)
    reader = tf.FixedLengthRecordReader(record_bytes=13)
    _, value = reader.read(filename_queue)
    record = tf.decode_raw(value, tf.uint8)
    label = tf.cast(tf.strided_slice(record, [0], [1]), tf.int32)
    label.set_shape([1])  # as the CIFAR-10 tutorial does
    image = tf.reshape(tf.strided_slice(record, [1], [13]), [3, 2, 2])
    image = tf.cast(tf.transpose(image, [1, 2, 0]), tf.float32)
    images_b, labels_b = tf.train.shuffle_batch([image, label], batch_size=4, capacity=12,
                                                min_after_dequeue=4, num_threads=2,
                                                allow_smaller_final_batch=True)
    assert images_b.get_shape().as_list() == [None, 2, 2, 3]
    got_labels, got_sums = [], []
    with tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=TIMEOUT_MS)) as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        try:
            while not coord.should_stop():
                im, lab = sess.run([images_b, labels_b])
                got_labels += lab[:, 0].tolist()
                got_sums += im.reshape(len(im), -1).sum(1).tolist()
        except tf.errors.OutOfRangeError:
            pass
        finally:
            coord.request_stop()
        coord.join(threads, stop_grace_period_secs=5)
    want = sorted(zip(np.concatenate(labels).tolist(),
                      np.concatenate(images).sum(1).astype(float).tolist()))
    assert sorted(zip(got_labels, got_sums)) == want
