"""Event files for the plugin tests: a logdir with regloss series, written with ``tf.summary``.

Test modules use the ``regloss_logdir`` fixture by importing it.
"""

import math

import pytest

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
    from tensorboard.backend.event_processing import data_ingester
    from tensorboard.backend.event_processing import data_provider
    from tensorboard.backend.event_processing import plugin_event_multiplexer

    multiplexer = plugin_event_multiplexer.EventMultiplexer(
        size_guidance=data_ingester.DEFAULT_SIZE_GUIDANCE,
        tensor_size_guidance=data_ingester.DEFAULT_TENSOR_SIZE_GUIDANCE,
    )
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    return data_provider.MultiplexerDataProvider(multiplexer, str(logdir))


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

    Three epochs of four batches with validation: runs ``fit/train`` and
    ``fit/validation``, one point per epoch at the optimizer's step.
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
        x, y, batch_size=8, epochs=3, validation_data=(x[:8], y[:8]), verbose=0,
        callbacks=[tb_regloss.RegLossCallback(logdir / "fit")],
    )
    return logdir
