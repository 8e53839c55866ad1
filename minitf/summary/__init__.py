"""``tf.summary``: summary ops and event files TensorBoard reads.

    loss_summary = tf.summary.scalar("loss", loss)
    merged = tf.summary.merge_all()
    writer = tf.summary.FileWriter("logs/run1", sess.graph)
    writer.add_summary(sess.run(merged), step)
    writer.close()
"""

from minitf.framework.proto import (
    Event,
    SessionLog,
    Summary,
    SummaryDescription,
    TaggedRunMetadata,
)
from minitf.summary.summary_ops import (
    audio,
    get_summary_description,
    histogram,
    image,
    merge,
    merge_all,
    scalar,
    tensor_summary,
    text,
)
from minitf.summary.writer import (
    EventFileWriter,
    FileWriter,
    FileWriterCache,
    summary_iterator,
)

__all__ = [
    "Event", "SessionLog", "Summary", "SummaryDescription", "TaggedRunMetadata",
    "FileWriter", "FileWriterCache", "EventFileWriter", "summary_iterator",
    "scalar", "histogram", "image", "audio", "text", "tensor_summary", "merge", "merge_all",
    "get_summary_description",
]
