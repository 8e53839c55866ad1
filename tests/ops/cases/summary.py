"""Cases for the summary ops. Their output is a serialized Summary (a string), which the
numeric kernel-vs-reference comparison cannot take: each case runs the summary op through a
control dependency of a numeric output, so both runs execute it; tests/summary/ checks the
bytes against TensorFlow."""

import numpy as np

import minitf as tf
import minitf.summary  # noqa: F401 - registers the summary op types
from tests.ops.cases import case, placeholder64, rand


def _after(summary, x, value):
    with tf.control_dependencies([summary]):
        return tf.identity(x), {x: value}


@case("ScalarSummary", grad=False)
def scalar_summary():
    x = placeholder64([3])
    return _after(tf.summary.scalar("loss", tf.reduce_sum(x)), x, rand(3))


@case("HistogramSummary", grad=False)
def histogram_summary():
    x = placeholder64([4, 5])
    return _after(tf.summary.histogram("weights", x), x, rand(4, 5))


@case("ImageSummary", grad=False)
def image_summary():
    x = placeholder64([2, 3, 4, 3])
    return _after(tf.summary.image("img", x, max_outputs=2), x, rand(2, 3, 4, 3))


@case("AudioSummaryV2", grad=False)
def audio_summary_v2():
    x = placeholder64([2, 16])
    return _after(tf.summary.audio("snd", tf.cast(x, tf.float32), 8000, max_outputs=1), x,
                  rand(2, 16))


@case("AudioSummary", grad=False)
def audio_summary_v1():
    from minitf.framework.op_def_library import apply_op

    x = placeholder64([1, 8, 2])
    s = apply_op("AudioSummary", tag="snd", tensor=tf.cast(x, tf.float32), sample_rate=16000.0)
    return _after(s, x, rand(1, 8, 2))


@case("TensorSummaryV2", grad=False)
def tensor_summary_v2():
    x = placeholder64([2, 2])
    return _after(tf.summary.tensor_summary("t", x), x, rand(2, 2))


@case("TensorSummary", grad=False)
def tensor_summary_v1():
    from minitf.framework.op_def_library import apply_op

    x = placeholder64([3])
    return _after(apply_op("TensorSummary", tensor=x, description="d"), x, rand(3))


@case("MergeSummary", grad=False)
def merge_summary():
    x = placeholder64([2])
    a = tf.summary.scalar("a", tf.reduce_sum(x))
    b = tf.summary.histogram("b", x)
    return _after(tf.summary.merge([a, b]), x, rand(2))


_ = np
