"""Event files for the plugin tests: a logdir with regloss series, written with ``tf.summary``.

Test modules use the ``regloss_logdir`` fixture by importing it.
"""

import json
import math

import pytest

ROUTE = "/data/plugin/regloss/"

# run -> tag -> [(step, value)]; values are exact in float32.
REGLOSS_RUNS = {
    "exp1/train": {
        "regloss/total": [(0, 2.5), (1, 2.0), (2, 1.5)],
        "regloss/data": [(0, 2.0), (1, 1.5), (2, 1.0)],
        "regloss/penalty/conv/kernel": [(0, 0.25), (1, 0.25), (2, 0.375)],
        "regloss/penalty/dense/bias": [(0, 0.25), (1, 0.25), (2, 0.125)],
        "regloss/decoupled/conv/kernel": [(0, 0.5), (1, 0.5), (2, 0.5)],
        "regloss/other": [(0, 9.0)],
        "epoch_loss": [(0, 2.5)],
    },
    "exp1/validation": {
        "regloss/total": [(0, math.nan), (2, math.inf)],
        "regloss/data": [(0, 3.0), (2, -math.inf)],
        "regloss/penalty/conv/kernel": [(1, 0.5), (2, 0.5)],
    },
    "plain": {"epoch_loss": [(0, 1.0), (1, 0.5)]},
}
REGLOSS_DESCRIPTIONS = {
    "regloss/penalty/conv/kernel": "L2(l2=0.01)",
    "regloss/penalty/dense/bias": "L1(l1=0.001)",
}


def make_provider(logdir):
    """TensorBoard's Python data provider (``--load_fast=false``) over ``logdir``, loaded once."""
    provider, _ = make_reloading_provider(logdir)
    return provider


def recording_plugin(logdir):
    """``(plugin, calls)``: a RegLossPlugin over ``logdir`` whose data provider notes each method it is asked for in ``calls``."""
    from tensorboard.plugins import base_plugin

    from tb_regloss.plugin import regloss_plugin

    calls = []

    class Recording:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            calls.append(name)
            return getattr(self.inner, name)

    return regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=Recording(make_provider(logdir)))), calls


def make_reloading_provider(logdir):
    """``(provider, reload)``: the Python data provider and what TensorBoard's reload thread does.

    ``reload()`` picks up new runs and new points, like one cycle of
    ``--reload_interval`` in a real TensorBoard.
    """
    from tensorboard.backend.event_processing import data_ingester
    from tensorboard.backend.event_processing import data_provider
    from tensorboard.backend.event_processing import plugin_event_multiplexer

    multiplexer = plugin_event_multiplexer.EventMultiplexer(
        size_guidance=data_ingester.DEFAULT_SIZE_GUIDANCE,
        tensor_size_guidance=data_ingester.DEFAULT_TENSOR_SIZE_GUIDANCE,
    )

    def reload():
        multiplexer.AddRunsFromDirectory(str(logdir))
        multiplexer.Reload()

    reload()
    return data_provider.MultiplexerDataProvider(multiplexer, str(logdir)), reload


def write_regloss_runs(logdir, runs, descriptions):
    """Writes standard rank-0 float32 scalars with ``tf.summary.scalar``, one writer per run."""
    import tensorflow as tf

    for run, series in runs.items():
        writer = tf.summary.create_file_writer(str(logdir / run))
        with writer.as_default():
            for tag, points in series.items():
                for step, value in points:
                    tf.summary.scalar(tag, value, step=step, description=descriptions.get(tag))
        writer.close()


@pytest.fixture(scope="session")
def regloss_logdir(tmp_path_factory):
    """A logdir with the runs of ``REGLOSS_RUNS``: two with regloss series, one without."""
    logdir = tmp_path_factory.mktemp("regloss_logdir")
    write_regloss_runs(logdir, REGLOSS_RUNS, REGLOSS_DESCRIPTIONS)
    return logdir


@pytest.fixture(scope="session")
def regloss_callback_logdir(tmp_path_factory):
    """A logdir written by ``RegLossCallback`` while fitting a tiny model with an L2 kernel penalty.

    Three epochs of four batches with validation, one point per epoch at the
    optimizer's step, in runs ``fit/train`` and ``fit/validation``. The run is
    resumed: two epochs, ``save``, ``load_model``, then ``fit(initial_epoch=2)``
    with a new callback on the same ``log_dir``, so each run directory holds
    two event files that must read as one run.
    """
    import keras
    import numpy as np

    import tb_regloss

    logdir = tmp_path_factory.mktemp("regloss_callback_logdir")
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 3), dtype=np.float32), rng.random((32, 1), dtype=np.float32)
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.l2(0.01), name="dense")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(learning_rate=0.1), "mse")
    model.fit(
        x, y, batch_size=8, epochs=2, validation_data=(x[:8], y[:8]), verbose=0,
        callbacks=[tb_regloss.RegLossCallback(logdir / "fit")],
    )
    model.save(logdir / "model.keras")
    restored = keras.models.load_model(logdir / "model.keras")
    (logdir / "model.keras").unlink()
    restored.fit(
        x, y, batch_size=8, epochs=3, initial_epoch=2, validation_data=(x[:8], y[:8]), verbose=0,
        callbacks=[tb_regloss.RegLossCallback(logdir / "fit")],
    )
    return logdir


# The series every run of ``broken_logdir`` starts from: 40 steps, step-major
# like a training run (all terms of a step, then the next step).
BROKEN_SERIES = {
    "regloss/total": [(step, 2.0 + step / 8) for step in range(40)],
    "regloss/data": [(step, 1.5 + step / 8) for step in range(40)],
    "regloss/penalty/conv/kernel": [(step, 0.5) for step in range(40)],
}
# Run name -> what the dashboard must make of it: "ok" (served, with
# ``missing`` listing the absent core terms) or "absent" (not in /runs, 404).
BROKEN_RUNS = {
    "complete": ("ok", []),
    "crashed/half_written": ("ok", []),
    "crashed/truncated": ("ok", []),
    "corrupted": ("ok", []),
    "empty": ("absent", None),
    "empty_file": ("absent", None),
    "garbage": ("absent", None),
    "only_penalties": ("ok", ["total", "data"]),
    "only_total": ("ok", ["data"]),
    "keras_only/train": ("absent", None),
    "keras_only/validation": ("absent", None),
    "keras_mixed/train": ("ok", []),
    "keras_mixed/validation": ("ok", []),
    "other_plugins": ("absent", None),
    "vector_scalar": ("ok", []),
}


def write_steps(run_dir, series):
    """Writes ``{tag: [(step, value)]}`` step-major with one writer; returns the event file path."""
    import tensorflow as tf

    by_step = {}
    for tag, points in series.items():
        for step, value in points:
            by_step.setdefault(step, []).append((tag, value))
    writer = tf.summary.create_file_writer(str(run_dir))
    with writer.as_default():
        for step in sorted(by_step):
            for tag, value in by_step[step]:
                tf.summary.scalar(tag, value, step=step)
    writer.close()
    (path,) = [p for p in run_dir.iterdir() if p.name.startswith("events.out.tfevents")]
    return path


def _record_offsets(data):
    """Start offsets of the TFRecords in ``data`` (8-byte length, 4-byte CRC, payload, 4-byte CRC)."""
    offsets, offset = [], 0
    while offset + 12 <= len(data):
        offsets.append(offset)
        offset += 16 + int.from_bytes(data[offset:offset + 8], "little")
    return offsets


def write_broken_logdir(logdir):
    """Writes the runs of ``BROKEN_RUNS``: crashed, corrupted, empty, partial and other tools' runs."""
    import random

    import keras
    import numpy as np
    import tensorflow as tf

    import tb_regloss

    rng = random.Random(5)
    write_steps(logdir / "complete", BROKEN_SERIES)

    # A writer killed mid-record: the last record is half there.
    path = write_steps(logdir / "crashed" / "half_written", BROKEN_SERIES)
    data = path.read_bytes()
    last = _record_offsets(data)[-1]
    path.write_bytes(data[: last + (len(data) - last) // 2])
    # A file cut at an arbitrary byte, halfway through.
    path = write_steps(logdir / "crashed" / "truncated", BROKEN_SERIES)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 3])
    # Random bytes over the middle of the file.
    path = write_steps(logdir / "corrupted", BROKEN_SERIES)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 24] = rng.randbytes(24)
    path.write_bytes(bytes(data))

    (logdir / "empty").mkdir()
    (logdir / "empty_file").mkdir()
    (logdir / "empty_file" / "events.out.tfevents.0.host").write_bytes(b"")
    (logdir / "garbage").mkdir()
    (logdir / "garbage" / "events.out.tfevents.0.host").write_bytes(rng.randbytes(4096))

    write_steps(logdir / "only_penalties", {
        tag: points for tag, points in BROKEN_SERIES.items() if tag.startswith("regloss/penalty/")
    })
    write_steps(logdir / "only_total", {"regloss/total": BROKEN_SERIES["regloss/total"]})

    # Other summaries, some of them under regloss/ names: none of them is a regloss scalar.
    writer = tf.summary.create_file_writer(str(logdir / "other_plugins"))
    with writer.as_default():
        for step in range(3):
            tf.summary.histogram("regloss/total", np.arange(10.0), step=step)
            tf.summary.image("regloss/penalty/conv/kernel", np.zeros((1, 4, 4, 1)), step=step)
            tf.summary.text("regloss/data", "not a scalar", step=step)
            tf.summary.histogram("weights", np.arange(10.0), step=step)
    writer.close()

    # A tool that wrote a vector with scalar metadata: TensorBoard lists it
    # as a scalar series that cannot be read as one.
    from tensorboard.plugins.scalar import metadata as scalar_metadata

    write_steps(logdir / "vector_scalar", {"regloss/total": BROKEN_SERIES["regloss/total"]})
    writer = tf.summary.create_file_writer(str(logdir / "vector_scalar"))
    with writer.as_default():
        tf.summary.write(
            "regloss/data", tf.constant([1.0, 2.0]), step=0,
            metadata=scalar_metadata.create_summary_metadata("", ""),
        )
    writer.close()

    # Keras' own TensorBoard callback (scalars, histograms, images), alone and
    # sharing its log_dir with RegLossCallback.
    x = np.linspace(0, 1, 48, dtype=np.float32).reshape(16, 3)
    y = x.sum(axis=1, keepdims=True)
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.l2(0.01), name="dense")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(learning_rate=0.1), "mse")
    model.fit(
        x, y, batch_size=8, epochs=2, validation_data=(x, y), verbose=0,
        callbacks=[
            keras.callbacks.TensorBoard(logdir / "keras_only", histogram_freq=1, write_images=True),
            keras.callbacks.TensorBoard(logdir / "keras_mixed", histogram_freq=1, write_images=True),
            tb_regloss.RegLossCallback(logdir / "keras_mixed"),
        ],
    )


@pytest.fixture(scope="session")
def broken_logdir(tmp_path_factory):
    """A logdir with the runs of ``BROKEN_RUNS`` (see ``write_broken_logdir``)."""
    logdir = tmp_path_factory.mktemp("broken_logdir")
    write_broken_logdir(logdir)
    return logdir


def get_json(client, path, expected_status=200):
    """The JSON answer of the plugin route ``path`` (werkzeug test client), checking status and headers."""
    response = client.get(ROUTE + path)
    assert response.status_code == expected_status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return json.loads(response.get_data(as_text=True))
