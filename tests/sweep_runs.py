"""A weight-decay sweep logged like users log one: regloss series plus TensorBoard HParams.

Four runs ``sweep/wd_<value>`` each with ``train`` and ``validation`` regloss
series and their hyperparameters written with
``tensorboard.plugins.hparams.api.hparams`` in the run's parent directory, as
the HParams guide does, and a run with a hostile name and no hyperparameters;
apart, a run whose session start info is not an HParams protobuf (which
TensorBoard's own hparams dashboard answers with errors, so the browser tests
leave it out).
"""

import math

WEIGHT_DECAYS = {"sweep/wd_0": 0.0, "sweep/wd_1e-4": 1e-4, "sweep/wd_1e-3": 1e-3, "sweep/wd_1e-2": 1e-2}
HOSTILE_HPARAM = "<img src=x onerror=window.__xss=3>"
HOSTILE_VALUE = """"q' ü🚀 <b>bold</b>"""
HOSTILE_RUN = """<svg onload=window.__xss=4>"q'ü🚀"""
BROKEN_HPARAMS_RUN = "broken_hparams"
EPOCHS = 30


def hparams_of(run):
    """The hyperparameters logged for a sweep run (``hp.hparams`` takes names as keys)."""
    # "lr": a name shorter than its values, as "l2" or "wd" are in real sweeps.
    values = {"weight_decay": WEIGHT_DECAYS[run], "optimizer": "adamw", "augment": run.endswith("1e-3"), "lr": 0.0003}
    if run == "sweep/wd_1e-2":
        values[HOSTILE_HPARAM] = HOSTILE_VALUE
    return values


def _f32(x):
    import numpy as np

    return float(np.float32(x))


def sweep_series(weight_decay, validation):
    """``{tag: [(step, value)]}`` of one split: heavier decay fits less and overfits less.

    Without decay the validation data loss falls, then climbs after epoch 10
    (overfitting); with 1e-2 it stays high (underfitting). Values are float32.
    """
    series = {}
    for step in range(EPOCHS):
        fit = 2.0 * 0.8**step + 0.05 + 20.0 * weight_decay
        if validation:
            overfit = 0.02 * max(0, step - 10) * math.exp(-1000.0 * weight_decay)
            data = fit + 0.25 + overfit
        else:
            data = fit
        penalty = 100.0 * weight_decay * (1.0 + 0.5 * 0.9**step)
        points = {
            "regloss/data": data,
            "regloss/penalty/dense/kernel": 0.75 * penalty,
            "regloss/penalty/conv/kernel": 0.25 * penalty,
        }
        points["regloss/total"] = data + penalty
        for tag, value in points.items():
            series.setdefault(tag, []).append((step, _f32(value)))
    return series


def write_sweep_logdir(logdir):
    """Writes the sweep and the hostile run under ``logdir``."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp

    from plugin_runs import write_regloss_runs

    runs = {}
    for run, weight_decay in WEIGHT_DECAYS.items():
        runs[run + "/train"] = sweep_series(weight_decay, validation=False)
        runs[run + "/validation"] = sweep_series(weight_decay, validation=True)
        with tf.summary.create_file_writer(str(logdir / run)).as_default():
            hp.hparams(hparams_of(run), trial_id=run)
    runs[HOSTILE_RUN + "/train"] = sweep_series(1e-3, validation=False)
    write_regloss_runs(logdir, runs, {})


def write_broken_hparams_run(logdir):
    """Writes run ``BROKEN_HPARAMS_RUN``: regloss series, and hparams content that is not a protobuf."""
    import tensorflow as tf
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.hparams import metadata as hparams_metadata

    from plugin_runs import write_regloss_runs

    write_regloss_runs(logdir, {BROKEN_HPARAMS_RUN + "/train": sweep_series(0.0, validation=False)}, {})
    broken = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=hparams_metadata.PLUGIN_NAME, content=b"\xff not a protobuf"
        )
    )
    with tf.summary.create_file_writer(str(logdir / BROKEN_HPARAMS_RUN)).as_default():
        tf.summary.write(hparams_metadata.SESSION_START_INFO_TAG, tf.zeros([0]), step=0, metadata=broken)
