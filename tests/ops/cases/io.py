"""Cases of the reader and parsing ops (readers read small files written to a temp dir)."""

import os
import tempfile

import numpy as np

import minitf as tf
from tests.ops.cases import case

_DIR = tempfile.mkdtemp(prefix="minitf_io_cases_")


def _file(name, data):
    path = os.path.join(_DIR, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _files_queue(*paths):
    q = tf.FIFOQueue(4, tf.string, shapes=[[]])
    return q, q.enqueue_many([list(paths)])


def _read(reader, data, take=lambda r, q: r.read(q)[1]):
    q, enq = _files_queue(_file(f"{type(reader).__name__}.dat", data))
    with tf.control_dependencies([enq]):
        return take(reader, q)


@case("TextLineReaderV2", grad=False)
@case("ReaderReadV2", grad=False)
def _():
    return _read(tf.TextLineReader(skip_header_lines=1), b"h\n1,2\n3,4\n"), {}


@case("WholeFileReaderV2", grad=False)
def _():
    return _read(tf.WholeFileReader(), b"whole\nfile"), {}


@case("FixedLengthRecordReaderV2", grad=False)
@case("DecodeRaw", grad=False)
def _():
    return tf.decode_raw(_read(tf.FixedLengthRecordReader(4, header_bytes=2), b"HHabcdefgh"),
                         tf.int16), {}


@case("ReaderReadUpToV2", grad=False)
def _():
    return _read(tf.TextLineReader(), b"a\nb\nc\n", lambda r, q: r.read_up_to(q, 2)[1]), {}


@case("ReaderNumRecordsProducedV2", grad=False)
@case("ReaderNumWorkUnitsCompletedV2", grad=False)
@case("ReaderResetV2", grad=False)
def _():
    r = tf.WholeFileReader()
    value = _read(r, b"x")
    with tf.control_dependencies([value]):
        n = r.num_records_produced() + r.num_work_units_completed()
    with tf.control_dependencies([n]):
        with tf.control_dependencies([r.reset()]):
            return n + r.num_records_produced(), {}


@case("DecodeCSV", grad=False)
def _():
    recs = tf.placeholder(tf.string, [3])
    cols = tf.decode_csv(recs, [[0], [1.5], ["d"]])
    return tf.cast(cols[0], tf.float32) + cols[1], {
        recs: np.array([b"1,2.5,x", b"3,,y", b'4,1e3,"a,b"'], dtype=object)}
