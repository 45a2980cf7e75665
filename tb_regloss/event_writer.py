"""Writes decomposition points from Python, without a TensorFlow op per value.

`RegLossCallback` writes between steps, on the host, values it already holds
as floats; eager ``tf.summary`` ops would cost about a millisecond a point.
This writer builds the protobufs ``tf.summary.scalar`` writes (rank-0 float32
tensor, plugin ``scalars``, the description with a tag's first point) and
appends them as records of an event file (`tb_regloss.record_files`), with
no TensorFlow. Pending points are flushed at most ``flush_secs`` after they
are written, on `flush`, and when Python exits (a ``fit`` stopped by an
error does not reach the callback's end of training). A flush of the background timer that fails
raises its error at the next `write_row` or `flush`, in the writer's thread.

A point of hundreds of series is written every batch, so building each
``Summary.Value`` message field by field (about 4 µs each) would cost more than
a step. Instead each tag's bytes are serialized once, and a point joins them
around the 4 bytes of each value; a point with the tags of an earlier one
waits as its values until the next flush, where all waiting points of those
tags fill copies of the earlier point's bytes in one array operation: the
training thread only hands the values over, and a timed flush serializes
them in the timer's thread.
The bytes are the wire format of protocol buffers (fields
``tag``, ``tensor`` {``dtype``, empty ``tensor_shape``, packed ``float_val``},
``metadata``, in field-number order), parsed back by the tests as messages.
Against protobuf's own messages built and serialized per point, a point of
300 series takes 0.027× the CPU time (0.09 ms against 3.2 ms,
``python bench/event_writer.py``, 2026-12-06): the hand-built bytes stay.
"""

import atexit
import itertools
import math
import os
import socket
import struct
import threading
import time
import typing
import warnings
import weakref

import numpy as np
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.proto import summary_pb2
from tensorboard.compat.proto import tensor_pb2
from tensorboard.compat.proto import tensor_shape_pb2
from tensorboard.compat.proto import types_pb2
from tensorboard.plugins.scalar import metadata as scalar_metadata

from tb_regloss import files
from tb_regloss import record_files

_file_ids = itertools.count()
# Records wait for the next flush up to this size (a few hundred points of 300 terms).
_MAX_PENDING_BYTES = 4 << 20
_open_writers = weakref.WeakSet()  # closed at exit, with what they hold (`_close_open_writers`)


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
        files.makedirs(log_dir)
        # Files sort in the order they were made (TensorBoard reads them so and
        # skips a file that sorts before the one it reads): the count is padded.
        name = "events.out.tfevents.%d.%s.%d.%06d.regloss.v2" % (
            time.time(), socket.gethostname(), os.getpid(), next(_file_ids))
        self.path = files.join(log_dir, name)
        self._file = files.create(self.path)
        # Closed when the writer is collected: its flush timer holds it until
        # what it holds is written. At exit `_close_open_writers` closes it.
        weakref.finalize(self, self._file.close).atexit = False
        _open_writers.add(self)
        self._closed = False
        self._flush_secs = flush_secs
        self._lock = threading.Lock()
        self._pending = []  # records not yet handed to the record writer: bytes, or a _Point
        self._pending_bytes = 0
        self._flush_timer = None
        self._background_error = None  # what a timed flush raised, for the next call
        self._plain_metadata = _field(9, scalar_metadata.create_summary_metadata(
            None, None).SerializeToString())
        self._tags = {}  # tag -> the bytes before and after its value, once its first point is written
        self._templates = {}  # tags -> _Template of a point with these tags
        self._append(event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        self.flush()

    def write(self, step, values, descriptions):
        """Writes ``{tag: float}`` at ``step``; a tag's description goes with its first point."""
        self.write_row(step, tuple(values), list(values.values()), descriptions)

    def write_row(self, step, tags, values, descriptions):
        """Writes ``values[i]`` of ``tags[i]`` at ``step``: `write` for a point already in order.

        ``tags`` is a tuple. A point with the same tags as an earlier one is
        kept as a copy of its values until the next flush, which serializes
        it with the other points of those tags (`_serialized`).
        """
        self._raise_background_error()
        template = self._templates.get(tags)
        if template is None:
            summary = b"".join(self._value_field(tag, value, descriptions)
                               for tag, value in zip(tags, values))
            self._templates[tags] = _Template(tags, self._tags)
            self._append_bytes(_event_bytes(time.time(), step, summary))
            return
        values = np.array(values, np.float64)  # a copy: the caller may reuse its array
        if values.shape != (len(tags),):
            raise ValueError(f"EventWriter.write_row: {len(tags)} tags, values of shape {values.shape}")
        with self._lock:
            self._pending.append(_Point(template, time.time(), int(step), values))
            self._added(template.size)

    def write_event(self, event):
        """Appends an ``event_pb2.Event`` as it is, e.g. an HParams session start."""
        self._raise_background_error()
        self._append(event)

    def write_tensor(self, step, tag, value, metadata):
        """Writes the rank-0 float32 ``value`` of ``tag`` at ``step`` with its own ``metadata`` (a ``SummaryMetadata``).

        For a summary written once, like the mark of `tb_regloss.self_check`:
        built as protobuf messages, not from cached bytes.
        """
        self._raise_background_error()
        tensor = tensor_pb2.TensorProto(
            dtype=types_pb2.DT_FLOAT, tensor_shape=tensor_shape_pb2.TensorShapeProto(), float_val=[value])
        summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, tensor=tensor, metadata=metadata)])
        self._append(event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    def write_text(self, step, tag, text, plugin_name):
        """Writes ``text`` at ``step`` as a rank-0 string tensor of the plugin ``plugin_name``.

        Its metadata says data class tensor: TensorBoard's data providers
        serve it through ``list_tensors``/``read_tensors`` for that plugin.
        """
        self._raise_background_error()
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin_name),
            data_class=summary_pb2.DATA_CLASS_TENSOR)
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, tensor_shape=tensor_shape_pb2.TensorShapeProto(),
                                        string_val=[text.encode("utf-8")])
        value = summary_pb2.Summary.Value(tag=tag, metadata=metadata, tensor=tensor)
        self._append(event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary_pb2.Summary(value=[value])))

    def flush(self):
        """Writes pending points to disk now."""
        self._raise_background_error()
        with self._lock:
            self._cancel_timer()
            self._write_pending()
            self._file.flush()

    def close(self):
        """Writes pending points and closes the file; once closed, closing again does nothing."""
        with self._lock:
            if self._closed:
                return
            self._cancel_timer()
            self._write_pending()
            self._file.close()
            self._closed = True
            _open_writers.discard(self)

    def _append(self, event):
        self._append_bytes(event.SerializeToString())

    def _append_bytes(self, record):
        # Kept as bytes until the flush, where the checksums of all pending
        # records are computed at once (`record_files`).
        with self._lock:
            self._pending.append(record)
            self._added(len(record))

    def _added(self, size):
        """After ``size`` more bytes were made pending (holding the lock): written beyond a bound, flushed in time."""
        self._pending_bytes += size
        if self._pending_bytes > _MAX_PENDING_BYTES:
            self._write_pending()
        if self._flush_timer is None:
            self._flush_timer = threading.Timer(self._flush_secs, self._flush_in_background)
            self._flush_timer.daemon = True
            self._flush_timer.start()

    def _write_pending(self):
        self._file.write(record_files.frame(_serialized(self._pending)))
        self._pending = []
        self._pending_bytes = 0

    def _flush_in_background(self):
        """`flush`, for the timer's thread: an error waits for the writer's next call."""
        try:
            self.flush()
        except Exception as error:  # noqa: BLE001 - raised again in the writer's thread
            self._background_error = error

    def _raise_background_error(self):
        """Raises, once, what the last failed `_flush_in_background` raised."""
        error, self._background_error = self._background_error, None
        if error is not None:
            raise error

    def _cancel_timer(self):
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None

    def _value_field(self, tag, value, descriptions):
        """``Summary.value`` (field 1) of one point; a tag's first point carries its description."""
        around = self._tags.get(tag)
        if around is not None:
            return around[0] + _float32_bytes(value) + around[1]
        head = _field(1, tag.encode("utf-8")) + _FLOAT_TENSOR
        # Later points: the same bytes but the value, and the plain metadata.
        length = len(head) + 4 + len(self._plain_metadata)
        self._tags[tag] = (_varint(1 << 3 | 2) + _varint(length) + head, self._plain_metadata)
        metadata = _field(9, scalar_metadata.create_summary_metadata(
            None, descriptions.get(tag)).SerializeToString())
        return _field(1, head + _float32_bytes(value) + metadata)


@atexit.register
def _close_open_writers():
    """Closes every writer still open when Python exits, so no point it holds is lost."""
    for writer in list(_open_writers):
        try:
            writer.close()
        except Exception as error:  # noqa: BLE001 - the others are still closed
            warnings.warn(f"tb-regloss: closing {writer.path} at exit failed with {type(error).__name__}: {error}",
                          stacklevel=1)


class _Template:
    """The ``Summary`` bytes of a point of known tags, with a hole for each value.

    Attributes:
        size: the length of those bytes.
    """

    def __init__(self, tags, around):
        parts, holes, position = [], [], 0
        for tag in tags:
            before, after = around[tag]
            parts += [before, bytes(4), after]
            position += len(before)
            holes.append(position)
            position += 4 + len(after)
        self._bytes = np.frombuffer(b"".join(parts), np.uint8)
        self._holes = (np.asarray(holes)[:, None] + np.arange(4)).ravel()
        self.size = len(self._bytes)

    def fill(self, rows):
        """The ``Summary`` bytes of each row of values, in order (a generator)."""
        # Beyond float32's range a value becomes an infinity, as `_float32_bytes` makes it.
        with np.errstate(over="ignore"):
            floats = np.asarray(rows, dtype="<f4")
        summary = self._bytes.copy()
        for row in floats.view(np.uint8):
            summary[self._holes] = row
            yield summary.tobytes()


class _Point(typing.NamedTuple):
    """A point waiting for the flush: the `_Template` of its tags, its wall time, step and values."""

    template: _Template
    wall_time: float
    step: int
    values: np.ndarray


def _serialized(pending):
    """The records of ``pending`` (bytes, or `_Point`), in order: the points of each template filled at once."""
    records = list(pending)
    positions = {}  # template -> where its points are
    for i, item in enumerate(pending):
        if isinstance(item, _Point):
            positions.setdefault(item.template, []).append(i)
    for template, at in positions.items():
        for i, summary in zip(at, template.fill([pending[i].values for i in at])):
            records[i] = _event_bytes(pending[i].wall_time, pending[i].step, summary)
    return records


def _event_bytes(wall_time, step, summary):
    """An ``Event`` with ``wall_time``, ``step`` and the serialized ``Summary`` ``summary``."""
    return (b"\x09" + _pack_double(wall_time)  # wall_time (1), double
            + b"\x10" + _varint(int(step))      # step (2), varint
            + _field(5, summary))                # summary (5)


def _varint(n):
    n &= 0xFFFFFFFFFFFFFFFF  # int64 as protocol buffers encode it
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(number, payload):
    """A length-delimited field: key, length, bytes."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


# Summary.Value.tensor (field 8) as a rank-0 float32 TensorProto: dtype (1) =
# DT_FLOAT, an empty tensor_shape (2), then float_val (5) packed with one value,
# whose 4 bytes follow.
_FLOAT_TENSOR = (b"\x42\x0a" + b"\x08" + bytes([types_pb2.DT_FLOAT]) + b"\x12\x00" + b"\x2a\x04")
_pack_float = struct.Struct("<f").pack
_pack_double = struct.Struct("<d").pack


def _float32_bytes(value):
    """The float32 of ``value``, little endian; beyond float32's range, an infinity."""
    try:
        return _pack_float(value)
    except OverflowError:
        return _pack_float(math.copysign(math.inf, value))
