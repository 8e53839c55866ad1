"""The ``tf.queue`` namespace (TF 1.x queues under their 2.x-era names)."""

from minitf.ops.data_flow_ops import FIFOQueue, PaddingFIFOQueue, QueueBase, RandomShuffleQueue

__all__ = ["FIFOQueue", "PaddingFIFOQueue", "QueueBase", "RandomShuffleQueue"]
