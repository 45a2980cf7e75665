"""RegLossCallback in a KerasTuner search, written as the KerasTuner guide writes one.

KerasTuner trains each execution of a trial on deep copies of the search's
callbacks and moves Keras' TensorBoard to one run per execution,
``<log_dir>/<trial_id>/execution<k>``, where it also logs the trial's
hyperparameters with TensorBoard's HParams plugin (on the TensorFlow backend).
RegLossCallback must log each execution to that run, its steps starting
afresh, with the trial's hyperparameters readable by the dashboard's sweep
table: beside Keras' TensorBoard and alone.
"""

import glob
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

keras_tuner = pytest.importorskip("keras_tuner")

pytestmark = pytest.mark.spread(reason="each test runs its own search in its own folder")

import tb_regloss  # noqa: E402
from tests import event_reader  # noqa: E402
from tests.event_reader import read_scalars  # noqa: E402
from test_plugin_hparams import get, make_plugin  # noqa: E402
from tb_regloss.plugin import run_order, session_hparams  # noqa: E402

EPOCHS, BATCH, N = 2, 16, 32
STEPS = [N // BATCH * (epoch + 1) for epoch in range(EPOCHS)]  # optimizer steps at each epoch's end
TOTAL, DATA, PENALTY = "regloss/total", "regloss/data", "regloss/penalty/"
OURS = "*.regloss.v2"  # RegLossCallback's event files, beside Keras' TensorBoard's


def build_model(hp):
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(
            1, kernel_regularizer=keras.regularizers.l2(hp.Float("l2", 1e-4, 1e-2, sampling="log"))),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    return model


class LossHistory(keras.callbacks.Callback):
    """Each fit's ``loss`` per epoch, in the order of the fits; KerasTuner's deep copies share ``fits``."""

    def __init__(self, fits):
        super().__init__()
        self.fits = fits

    def __deepcopy__(self, memo):
        return LossHistory(self.fits)

    def on_train_begin(self, logs=None):
        self.fits.append([])

    def on_epoch_end(self, epoch, logs=None):
        self.fits[-1].append(logs["loss"])


def _search(log_dir, project_dir, executions_per_trial, with_tensorboard):
    """Two trials as in the KerasTuner guide; returns ``(tuner, [loss per epoch of each fit])``."""
    rng = np.random.default_rng(0)
    x, y = rng.random((N, 4), dtype=np.float32), rng.random((N, 1), dtype=np.float32)
    fits = []
    callbacks = [tb_regloss.RegLossCallback(log_dir), LossHistory(fits)]
    if with_tensorboard:
        callbacks.insert(0, keras.callbacks.TensorBoard(log_dir))
    tuner = keras_tuner.RandomSearch(
        build_model, objective="val_loss", max_trials=2, executions_per_trial=executions_per_trial,
        directory=project_dir, overwrite=True, seed=1,
    )
    tuner.search(x, y, epochs=EPOCHS, batch_size=BATCH, validation_data=(x[:BATCH], y[:BATCH]),
                 callbacks=callbacks, verbose=0)
    return tuner, fits


def _executions(tuner, executions_per_trial):
    """``[(trial, run)]`` in the order KerasTuner trains them, ``run`` as KerasTuner names it."""
    trials = sorted(tuner.oracle.trials.values(), key=lambda trial: trial.trial_id)
    assert len(trials) == 2
    return [(trial, f"{trial.trial_id}/execution{k}") for trial in trials for k in range(executions_per_trial)]


def _run_dirs(log_dir):
    """The folders under ``log_dir`` that hold event files, relative to it."""
    paths = glob.glob(os.path.join(log_dir, "**", "events.out.tfevents.*"), recursive=True)
    return {os.path.relpath(os.path.dirname(path), log_dir) for path in paths}


def _session_starts(run_dir):
    """How many HParams session start infos the event files of ``run_dir`` hold."""
    return sum(value.tag == session_hparams.SESSION_START_INFO_TAG
               for path in glob.glob(os.path.join(run_dir, "events.out.tfevents.*"))
               for event in event_reader._events(path)
               for value in event.summary.value)


_FIRST_PASS_ONLY = pytest.mark.once(reason="the other passes run the two cases that differ most: "
                                          "beside TensorBoard with executions, alone with one")


@pytest.mark.parametrize(("with_tensorboard", "executions_per_trial"), [
    pytest.param(True, 1, id="beside_tensorboard-1", marks=_FIRST_PASS_ONLY),
    pytest.param(True, 2, id="beside_tensorboard-2"),
    pytest.param(False, 1, id="alone-1"),
    pytest.param(False, 2, id="alone-2", marks=_FIRST_PASS_ONLY),
])
def test_each_execution_of_each_trial_is_its_own_run(tmp_path, executions_per_trial, with_tensorboard):
    log_dir = str(tmp_path / "logs")
    tuner, fits = _search(log_dir, tmp_path / "tuner", executions_per_trial, with_tensorboard)
    executions = _executions(tuner, executions_per_trial)
    assert len(fits) == len(executions)

    regloss_runs = {f"{run}/{split}" for _, run in executions for split in ("train", "validation")}
    expected_dirs = regloss_runs | {run for _, run in executions}
    if with_tensorboard and keras.backend.backend() != "tensorflow":
        # KerasTuner moves TensorBoard per trial on the TensorFlow backend only.
        expected_dirs |= {"train", "validation"}
    assert _run_dirs(log_dir) == expected_dirs

    plugin = make_plugin(log_dir)
    _, listed = get(plugin, "/data/plugin/regloss/runs")
    assert [r["run"] for r in listed["runs"]] == run_order.sort_runs(regloss_runs)
    _, hparams = get(plugin)
    assert hparams == {"runs": [{"run": run, "hparams": {"l2": trial.hyperparameters.get("l2")}}
                                for trial, run in sorted(executions, key=lambda e: run_order.run_key(e[1]))]}
    assert len({trial.hyperparameters.get("l2") for trial, _ in executions}) == 2

    for (trial, run), losses in zip(executions, fits):
        # One session start per run: KerasTuner's beside TensorBoard, else RegLossCallback's.
        assert _session_starts(os.path.join(log_dir, run)) == 1, run
        series, _ = read_scalars(os.path.join(log_dir, run, "train"), OURS)
        for tag, points in series.items():
            assert [step for step, _ in points] == STEPS, (run, tag)
        penalties = sum(np.array([v for _, v in points]) for tag, points in series.items()
                        if tag.startswith(PENALTY))
        data = np.array([v for _, v in series[DATA]])
        np.testing.assert_allclose(data + penalties, losses, rtol=1e-5, err_msg=run)
        np.testing.assert_allclose([v for _, v in series[TOTAL]], losses, rtol=1e-5, err_msg=run)
        validation, _ = read_scalars(os.path.join(log_dir, run, "validation"), OURS)
        assert [step for step, _ in validation[TOTAL]] == STEPS, run


def test_a_fit_outside_a_search_logs_to_log_dir(tmp_path):
    model = build_model(keras_tuner.HyperParameters())
    rng = np.random.default_rng(0)
    x, y = rng.random((N, 4), dtype=np.float32), rng.random((N, 1), dtype=np.float32)
    model.fit(x, y, epochs=1, batch_size=BATCH, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    assert _run_dirs(str(tmp_path)) == {"train"}


def test_fit_works_where_keras_tuner_cannot_be_imported(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "keras_tuner", None)
    test_a_fit_outside_a_search_logs_to_log_dir(tmp_path)


@pytest.mark.once(reason="what importing tb_regloss imports: the same on every backend")
def test_importing_tb_regloss_does_not_import_keras_tuner():
    code = ("import sys, tb_regloss, tb_regloss.callback; tb_regloss.RegLossCallback('unused'); "
            "assert 'keras_tuner' not in sys.modules, 'keras_tuner imported'")
    root = os.path.dirname(os.path.dirname(os.path.abspath(tb_regloss.__file__)))
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": root})


def test_a_keras_tuner_without_what_is_read_warns_naming_the_fix(tmp_path, monkeypatch):
    monkeypatch.delattr(keras_tuner.Tuner, "_get_tensorboard_dir")
    log_dir = str(tmp_path / "logs")
    with pytest.warns(UserWarning, match=r"cannot tell which KerasTuner trial .*pip install keras-tuner=="):
        _search(log_dir, tmp_path / "tuner", executions_per_trial=1, with_tensorboard=False)
    assert _run_dirs(log_dir) == {"train", "validation"}
