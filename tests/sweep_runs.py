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


# A wider sweep, as a grid search writes one: L2 over five decades (and 0) times dropout, one
# trial per pair, named the way sweeps name them. 24 trials, 48 runs: past the comparison's
# 20-run legend, with an x axis that a log scale reads best.
WIDE_L2 = {"0": 0.0, "1e-5": 1e-5, "1e-4": 1e-4, "1e-3": 1e-3, "1e-2": 1e-2, "1e-1": 1e-1}
WIDE_DROPOUT = (0.0, 0.1, 0.25, 0.5)
WIDE_EPOCHS = 12


def wide_trials():
    """``{trial: hparams}`` of the wide sweep, in the order of its values."""
    return {
        f"grid/cnn_l2_{name}_d{dropout}": {"l2": l2, "dropout": dropout, "optimizer": "adam" if dropout < 0.2 else "sgd"}
        for name, l2 in WIDE_L2.items()
        for dropout in WIDE_DROPOUT
    }


def wide_series(l2, dropout, validation):
    """``{tag: [(step, value)]}`` of one split of a wide-sweep trial: heavier L2 fits less, dropout overfits less."""
    series = {}
    for step in range(WIDE_EPOCHS):
        fit = 1.5 * 0.7**step + 0.1 + 3.0 * l2 + 0.2 * dropout
        overfit = 0.03 * max(0, step - 4) * (1.0 - dropout) * math.exp(-100.0 * l2) if validation else 0.0
        data = fit + (0.2 + overfit if validation else 0.0)
        penalty = 10.0 * l2 * (1.0 + 0.9**step)
        points = {"regloss/data": data, "regloss/penalty/conv/kernel": penalty, "regloss/total": data + penalty}
        for tag, value in points.items():
            series.setdefault(tag, []).append((step, _f32(value)))
    return series


def write_wide_sweep_logdir(logdir):
    """Writes the wide sweep under ``logdir``: train and validation runs, hyperparameters on each trial's directory."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp

    from plugin_runs import write_regloss_runs

    runs = {}
    for trial, values in wide_trials().items():
        runs[trial + "/train"] = wide_series(values["l2"], values["dropout"], validation=False)
        runs[trial + "/validation"] = wide_series(values["l2"], values["dropout"], validation=True)
        with tf.summary.create_file_writer(str(logdir / trial)).as_default():
            hp.hparams(values, trial_id=trial)
    write_regloss_runs(logdir, runs, {})


# A KerasTuner search with executions_per_trial=2, laid out as KerasTuner and RegLossCallback
# write it: `tune/<trial_id>/execution<k>/train|validation`, the trial's hyperparameters on each
# execution's directory. The executions of one trial differ by their seed: the last validation
# data loss of execution k is the trial's plus TUNER_SPREAD * (2k - 1).
TUNER_TRIALS = {"00": 1e-4, "01": 1e-3, "02": 1e-2}
TUNER_EXECUTIONS = 2
TUNER_SPREAD = 0.05


def tuner_series(l2, execution, validation):
    """``{tag: [(step, value)]}`` of one split of one execution of a tuner trial."""
    series = wide_series(l2, 0.1, validation)
    if validation:
        shift = TUNER_SPREAD * (2 * execution - 1)
        series["regloss/data"] = [(s, _f32(v + shift)) for s, v in series["regloss/data"]]
        series["regloss/total"] = [(s, _f32(v + shift)) for s, v in series["regloss/total"]]
    return series


def write_tuner_logdir(logdir):
    """Writes the KerasTuner-layout search under ``logdir``."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp

    from plugin_runs import write_regloss_runs

    runs = {}
    for trial, l2 in TUNER_TRIALS.items():
        for k in range(TUNER_EXECUTIONS):
            execution = f"tune/{trial}/execution{k}"
            runs[execution + "/train"] = tuner_series(l2, k, validation=False)
            runs[execution + "/validation"] = tuner_series(l2, k, validation=True)
            with tf.summary.create_file_writer(str(logdir / execution)).as_default():
                hp.hparams({"l2": l2}, trial_id=trial)
    write_regloss_runs(logdir, runs, {})
