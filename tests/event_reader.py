"""Reads event files back with TensorFlow's protobufs, independently of tb_regloss."""

import collections
import glob
import json
import os

import numpy as np
import tensorflow as tf
from tensorboard.compat.proto import event_pb2


def read_scalars(run_dir, pattern="events.out.tfevents.*"):
    """Returns ``{tag: [(step, value), ...]}`` and ``{tag: metadata}`` of a run's files matching ``pattern``.

    Asserts on the way that each value is a rank-0 float32 tensor: the format
    TensorBoard's Rust data server keeps.
    """
    series = collections.defaultdict(list)
    metadata = {}
    for path in sorted(glob.glob(os.path.join(run_dir, pattern))):
        for event in _events(path):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "regloss":
                    continue  # the decay plan: see read_decay_plans
                array = tf.make_ndarray(value.tensor)
                assert array.shape == () and array.dtype == np.float32, value.tag
                series[value.tag].append((event.step, float(array)))
                if value.tag not in metadata and value.HasField("metadata"):
                    metadata[value.tag] = value.metadata
    return dict(series), metadata


def read_decay_plans(run_dir):
    """The decay plans written in a run: ``[(step, plan as parsed JSON)]``, in file order.

    Each is a rank-0 string tensor tagged ``regloss/decay_plan`` whose
    metadata names the plugin ``regloss`` and the data class tensor.
    """
    from tensorboard.compat.proto import summary_pb2

    plans = []
    for path in sorted(glob.glob(os.path.join(run_dir, "events.out.tfevents.*"))):
        for event in _events(path):
            for value in event.summary.value:
                if value.tag == "regloss/decay_plan":
                    assert value.metadata.plugin_data.plugin_name == "regloss"
                    assert value.metadata.data_class == summary_pb2.DATA_CLASS_TENSOR
                    array = tf.make_ndarray(value.tensor)
                    assert array.shape == () and array.dtype == object
                    plans.append((event.step, json.loads(array.item().decode("utf-8"))))
    return plans


def _events(path):
    """The events of a file; a truncated last record (a killed writer) ends it."""
    records = iter(tf.data.TFRecordDataset(path))
    while True:
        try:
            record = next(records)
        except (StopIteration, tf.errors.DataLossError):
            return
        yield event_pb2.Event.FromString(record.numpy())


def regloss_tags(run_dir):
    """The set of ``regloss/`` tags in a run."""
    series, _ = read_scalars(run_dir)
    return {t for t in series if t.startswith("regloss/")}
