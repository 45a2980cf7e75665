"""Writes decomposition points from Python, without a TensorFlow op per value.

`RegLossCallback` writes between steps, on the host, values it already holds
as floats; eager ``tf.summary`` ops would cost about a millisecond a point.
This writer builds the protobufs ``tf.summary.scalar`` writes (rank-0 float32
tensor, plugin ``scalars``, the description with a tag's first point) and
appends them with TensorFlow's C++ record writer (event files are TFRecord
files). Pending points are flushed at most ``flush_secs`` after they are
written, and on `flush`.
"""

import itertools
import os
import socket
import threading
import time

from tensorboard.compat.proto import event_pb2
from tensorboard.compat.proto import summary_pb2
from tensorboard.compat.proto import types_pb2
from tensorboard.plugins.scalar import metadata as scalar_metadata

_file_ids = itertools.count()


class EventWriter:
    """Appends points of scalar series to a new event file in ``log_dir``.

    Example:

    ```python
    writer = EventWriter("runs/exp1/train")
    writer.write(100, {"regloss/total": 0.5, "regloss/data": 0.4},
                 descriptions={"regloss/total": "The loss as optimized."})
    writer.close()
    ```
    """

    def __init__(self, log_dir, flush_secs=10):
        import tensorflow as tf

        tf.io.gfile.makedirs(log_dir)
        name = "events.out.tfevents.%d.%s.%d.%d.regloss.v2" % (
            time.time(), socket.gethostname(), os.getpid(), next(_file_ids))
        self.path = tf.io.gfile.join(log_dir, name)
        self._records = tf.io.TFRecordWriter(self.path)
        self._flush_secs = flush_secs
        self._lock = threading.Lock()
        self._flush_timer = None
        self._plain_metadata = scalar_metadata.create_summary_metadata(None, None)
        self._described = set()
        self._append(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        self.flush()

    def write(self, step, values, descriptions):
        """Writes ``{tag: float}`` at ``step``; a tag's description goes with its first point."""
        summary = summary_pb2.Summary()
        for tag, value in values.items():
            point = summary.value.add()
            point.tag = tag
            point.tensor.dtype = types_pb2.DT_FLOAT
            point.tensor.tensor_shape.SetInParent()  # rank 0
            point.tensor.float_val.append(value)
            point.metadata.CopyFrom(self._metadata(tag, descriptions))
        self._append(event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    def flush(self):
        """Writes pending points to disk now."""
        with self._lock:
            self._cancel_timer()
            self._records.flush()

    def close(self):
        with self._lock:
            self._cancel_timer()
            self._records.close()

    def _append(self, event):
        with self._lock:
            self._records.write(event.SerializeToString())
            if self._flush_timer is None:
                self._flush_timer = threading.Timer(self._flush_secs, self.flush)
                self._flush_timer.daemon = True
                self._flush_timer.start()

    def _cancel_timer(self):
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None

    def _metadata(self, tag, descriptions):
        if tag in self._described:
            return self._plain_metadata
        self._described.add(tag)
        return scalar_metadata.create_summary_metadata(None, descriptions.get(tag))
