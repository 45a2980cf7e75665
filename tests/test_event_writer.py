"""EventWriter: standard scalar events written from Python, flushed in time."""

import gc
import math
import subprocess
import sys
import time
import warnings

import pytest

from tb_regloss import event_writer
from tb_regloss.event_writer import EventWriter
from tests.event_reader import read_scalars


def test_points_are_standard_scalars_with_first_point_descriptions(tmp_path):
    writer = EventWriter(tmp_path)
    writer.write(1, {"regloss/total": 2.0, "regloss/data": 1.5}, {"regloss/total": "T"})
    writer.write(2, {"regloss/total": 3.0, "regloss/data": float("nan")}, {"regloss/total": "T"})
    writer.close()
    series, metadata = read_scalars(tmp_path)
    assert series["regloss/total"] == [(1, 2.0), (2, 3.0)]
    assert series["regloss/data"][1][1] != series["regloss/data"][1][1]  # NaN kept as is
    assert metadata["regloss/total"].summary_description == "T"
    assert metadata["regloss/total"].plugin_data.plugin_name == "scalars"


def test_pending_points_are_flushed_after_flush_secs(tmp_path):
    writer = EventWriter(tmp_path, flush_secs=0.2)
    writer.write(7, {"regloss/total": 1.0}, {})
    deadline = time.time() + 10
    while time.time() < deadline and "regloss/total" not in read_scalars(tmp_path)[0]:
        time.sleep(0.1)
    assert read_scalars(tmp_path)[0]["regloss/total"] == [(7, 1.0)]
    writer.close()


def test_a_failed_background_flush_raises_at_the_next_write(tmp_path, monkeypatch):
    # The timer's thread cannot report it: the writer's next call does.
    writer = EventWriter(tmp_path, flush_secs=0.05)

    def disk_full(records):
        raise OSError("disk full")

    monkeypatch.setattr(event_writer.record_files, "frame", disk_full)
    deadline = time.time() + 10
    with pytest.raises(OSError, match="^disk full$"):
        while time.time() < deadline:
            writer.write(1, {"regloss/total": 1.0}, {})
            time.sleep(0.02)


def test_each_point_parses_as_the_message_tf_summary_writes(tmp_path):
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.plugins.scalar import metadata as scalar_metadata

    writer = EventWriter(tmp_path)
    values = {"regloss/total": 0.1, "regloss/penalty/ünï/kernel#2": -3.5e38, "regloss/data": 1e39}
    writer.write(2**40, values, {"regloss/total": "T"})
    writer.write(-1, {"regloss/total": float("-inf")}, {})
    writer.close()
    import glob
    import tensorflow as tf

    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    events = [event_pb2.Event.FromString(r.numpy()) for r in tf.data.TFRecordDataset(path)][1:]
    first = event_pb2.Event(step=2**40, wall_time=events[0].wall_time, summary=summary_pb2.Summary())
    for tag, value in values.items():
        point = first.summary.value.add(tag=tag)
        point.tensor.dtype = 1  # DT_FLOAT
        point.tensor.tensor_shape.SetInParent()
        point.tensor.float_val.append(value if abs(value) < 3.4e38 else math.copysign(math.inf, value))
        point.metadata.CopyFrom(scalar_metadata.create_summary_metadata(None, "T" if tag == "regloss/total" else None))
    assert events[0] == first
    assert events[0].SerializeToString() == first.SerializeToString()  # the canonical byte order too
    second = event_pb2.Event(step=-1, wall_time=events[1].wall_time, summary=summary_pb2.Summary())
    point = second.summary.value.add(tag="regloss/total")
    point.tensor.dtype = 1
    point.tensor.tensor_shape.SetInParent()
    point.tensor.float_val.append(float("-inf"))
    point.metadata.CopyFrom(scalar_metadata.create_summary_metadata(None, None))
    assert events[1].SerializeToString() == second.SerializeToString()


def test_later_points_of_the_same_tags_are_the_messages_tf_summary_writes(tmp_path):
    import glob

    import numpy as np
    import tensorflow as tf
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.plugins.scalar import metadata as scalar_metadata

    writer = EventWriter(tmp_path)
    tags = ("regloss/total", "regloss/data", "regloss/penalty/ünï/kernel#2")
    rows = [[0.5, 0.25, 0.125], [1e39, float("nan"), -3.5e38], [-1e39, 0.1, 2.0**-149]]
    for step, row in enumerate(rows):
        writer.write_row(step, tags, np.array(row), {"regloss/total": "T"})
    writer.close()
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    events = [event_pb2.Event.FromString(r.numpy()) for r in tf.data.TFRecordDataset(path)][1:]
    assert len(events) == len(rows)
    for step, (event, row) in enumerate(zip(events[1:], rows[1:]), start=1):
        expected = event_pb2.Event(step=step, wall_time=event.wall_time, summary=summary_pb2.Summary())
        for tag, value in zip(tags, row):
            point = expected.summary.value.add(tag=tag)
            point.tensor.dtype = 1  # DT_FLOAT
            point.tensor.tensor_shape.SetInParent()
            point.tensor.float_val.append(math.copysign(math.inf, value) if abs(value) > 3.5e38 else value)
            point.metadata.CopyFrom(scalar_metadata.create_summary_metadata(None, None))
        assert event.SerializeToString() == expected.SerializeToString()


def test_writes_without_tensorflow_and_imports_no_backend(tmp_path):
    code = """
import sys
sys.modules["tensorflow"] = None  # as if it were not installed: importing it fails
from tb_regloss.event_writer import EventWriter
writer = EventWriter(sys.argv[1])
writer.write(3, {"regloss/total": 0.5}, {"regloss/total": "The loss."})
writer.close()
assert not {"jax", "torch", "keras"} & set(sys.modules)
"""
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    series, metadata = read_scalars(tmp_path)
    assert series["regloss/total"] == [(3, 0.5)]
    assert metadata["regloss/total"].summary_description == "The loss."


def test_files_sort_in_the_order_they_were_made(tmp_path):
    # TensorBoard reads a run's files in sorted order and skips one that sorts
    # before the file it reads: twelve writers in one second must sort as made.
    made = []
    for _ in range(12):
        writer = EventWriter(str(tmp_path))
        made.append(writer.path)
        writer.close()
    assert sorted(made) == made


def test_points_kept_until_the_flush_keep_their_order_and_values(tmp_path):
    import numpy as np

    writer = EventWriter(tmp_path)
    a, b = ("regloss/total", "regloss/data"), ("regloss/total",)
    row = np.array([1.0, 2.0])
    writer.write_row(1, a, row, {})
    writer.write_row(2, a, row, {})
    row[:] = 5.0  # the writer kept a copy
    writer.write_row(3, b, [3.0], {})
    writer.write_text(4, "regloss/decay_plan", "{}", "regloss")
    writer.write_row(5, a, [4.0, 8.0], {})
    writer.write_row(6, b, [6.0], {})
    with pytest.raises(ValueError, match="2 tags, values of shape"):
        writer.write_row(7, a, [1.0], {})
    writer.close()
    import glob

    import tensorflow as tf
    from tensorboard.compat.proto import event_pb2

    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    assert [event_pb2.Event.FromString(r.numpy()).step for r in tf.data.TFRecordDataset(path)][1:] == [1, 2, 3, 4, 5, 6]
    series, _ = read_scalars(tmp_path)
    assert series["regloss/total"] == [(1, 1.0), (2, 1.0), (3, 3.0), (5, 4.0), (6, 6.0)]
    assert series["regloss/data"] == [(1, 2.0), (2, 2.0), (5, 8.0)]


def test_points_still_pending_when_python_exits_are_written(tmp_path):
    # A script whose fit stops with an error never reaches the callback's end of training.
    code = """
import sys
from tb_regloss.event_writer import EventWriter
writer = EventWriter(sys.argv[1], flush_secs=600)
writer.write(1, {"regloss/total": 0.5}, {})
writer.write(2, {"regloss/total": 0.25}, {})
raise SystemExit(3)
"""
    done = subprocess.run([sys.executable, "-W", "error::ResourceWarning", "-c", code, str(tmp_path)],
                          capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (3, "")
    assert read_scalars(tmp_path)[0]["regloss/total"] == [(1, 0.5), (2, 0.25)]


def test_a_writer_dropped_without_close_closes_its_file(tmp_path):
    writer = EventWriter(tmp_path)
    writer.write(1, {"regloss/total": 0.5}, {})
    writer.flush()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del writer
        gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []  # no "unclosed file"
    assert read_scalars(tmp_path)[0]["regloss/total"] == [(1, 0.5)]


def test_closing_twice_does_nothing(tmp_path):
    writer = EventWriter(tmp_path)
    writer.write(1, {"regloss/total": 0.5}, {})
    writer.close()
    writer.close()
    assert read_scalars(tmp_path)[0]["regloss/total"] == [(1, 0.5)]
