"""Logging never stops training: a failure of RegLossCallback's own work is one warning, fit goes on.

Each test breaks one piece of the callback's work (writing, reading the
step, the probe's host-side work after a step, its work in a step Keras
traces) and checks that ``fit``
trains exactly as without the callback, that one warning names what failed,
and that the other parts still log their values. The training's own errors,
and ``KeyboardInterrupt``, pass unchanged.
"""

import os
import warnings

import keras
import numpy as np
import pytest

import tb_regloss
from tb_regloss import accumulator
from tb_regloss import attribution
from tb_regloss import dynamics
from tb_regloss import event_writer
from tb_regloss import step_axis
from tb_regloss import step_probe
from tests import models
from tests.event_reader import read_scalars

TOTAL, DATA, KERNEL = "regloss/total", "regloss/data", "regloss/penalty/conv/kernel"


def _model():
    model = models.seed_case_model()
    model.optimizer.learning_rate = 0.05
    return model


def _fit(model, log_dir, validation=True, **callback_kwargs):
    """``model.fit`` as a keras.io guide writes it; returns the history and tb_regloss' warnings."""
    x, y = models.images(48)
    callbacks = [tb_regloss.RegLossCallback(log_dir, **callback_kwargs)] if log_dir else []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False, callbacks=callbacks,
                            validation_data=models.images(16, seed=1) if validation else None)
    return history.history, [str(w.message) for w in caught if "regloss" in str(w.message)]


def _assert_keras_history_intact(initial_weights, history, validation=True):
    """``loss`` (and ``val_loss``) equal those of the same model trained without tb-regloss."""
    reference = _model()
    reference.set_weights(initial_weights)
    expected, _ = _fit(reference, None, validation=validation)
    for key in expected:
        np.testing.assert_allclose(history[key], expected[key], rtol=1e-6, err_msg=key)
    np.testing.assert_allclose(np.add(history["data_loss"], history["reg_loss"]), history["loss"], rtol=1e-6)


def _failing_for(directory_name, error):
    """An ``EventWriter.write_row`` that raises ``error`` in writers of ``log_dir/directory_name``."""
    write_row = event_writer.EventWriter.write_row

    def write_row_or_fail(self, step, tags, values, descriptions):
        if os.path.basename(os.path.dirname(self.path)) == directory_name:
            raise error
        return write_row(self, step, tags, values, descriptions)

    return write_row_or_fail


def test_a_failed_training_write_warns_once_and_validation_is_still_logged(tmp_path, monkeypatch):
    monkeypatch.setattr(event_writer.EventWriter, "write_row", _failing_for("train", OSError("disk full")))
    model = _model()
    initial_weights = model.get_weights()
    history, warned = _fit(model, tmp_path, update_freq="batch")
    _assert_keras_history_intact(initial_weights, history)
    assert warned == [
        "RegLossCallback: writing a training point failed with OSError: disk full. "
        f"Training continues without regloss logging of training to {os.fspath(tmp_path)!r}."]
    assert read_scalars(tmp_path / "train")[0] == {}
    validation, _ = read_scalars(tmp_path / "validation")
    np.testing.assert_allclose([v for _, v in validation[TOTAL]], history["val_loss"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in validation[DATA]], history["val_data_loss"], rtol=1e-5)


def test_a_failed_read_of_the_step_axis_warns_once(tmp_path, monkeypatch):
    def broken_offset(log_dir, iterations):
        raise ValueError("unreadable event file")

    monkeypatch.setattr(step_axis, "offset", broken_offset)
    model = _model()
    initial_weights = model.get_weights()
    history, warned = _fit(model, tmp_path, validation=False)
    _assert_keras_history_intact(initial_weights, history, validation=False)
    assert warned == [
        "RegLossCallback: opening the training event file and reading the optimizer's step failed "
        "with ValueError: unreadable event file. Training continues without regloss logging of "
        f"training to {os.fspath(tmp_path)!r}."]
    assert read_scalars(tmp_path / "train")[0] == {}


def test_a_failed_dynamics_write_warns_once_and_the_split_is_still_logged(tmp_path, monkeypatch):
    write_row = event_writer.EventWriter.write_row

    def failing_for_dynamics(self, step, tags, values, descriptions):
        if tags[0].startswith("regloss/dynamics/"):
            raise RuntimeError("no space for dynamics")
        return write_row(self, step, tags, values, descriptions)

    monkeypatch.setattr(event_writer.EventWriter, "write_row", failing_for_dynamics)
    model = _model()
    initial_weights = model.get_weights()
    history, warned = _fit(model, tmp_path, validation=False, dynamics=True)
    _assert_keras_history_intact(initial_weights, history, validation=False)
    assert warned == [
        "RegLossCallback: writing the decay dynamics failed with RuntimeError: no space for dynamics. "
        f"Training continues without regloss logging of the decay dynamics to {os.fspath(tmp_path)!r}."]
    train, _ = read_scalars(tmp_path / "train")
    assert set(train) == {TOTAL, DATA, KERNEL}
    np.testing.assert_allclose([v for _, v in train[TOTAL]], history["loss"], rtol=1e-6)


@pytest.mark.backends("tensorflow", reason="only TensorFlow's steps return their sums to the probe on the host")
def test_a_failure_of_the_probe_after_a_step_warns_once(tmp_path, monkeypatch):
    receive = accumulator.PhaseAccumulator.receive
    test_sums = []

    def failing_for_train(self, values):
        if self is not test_sums[0]:
            raise KeyError("layout")
        return receive(self, values)

    monkeypatch.setattr(accumulator.PhaseAccumulator, "receive", failing_for_train)
    model = _model()
    initial_weights = model.get_weights()
    test_sums.append(step_probe.install(model).accumulators["test"])
    history, warned = _fit(model, tmp_path)
    _assert_keras_history_intact(initial_weights, history)
    assert warned == [
        "RegLossCallback: taking the regloss sums out of the train step's results failed with "
        "KeyError: 'layout'. Training continues without regloss logging of training."]
    assert read_scalars(tmp_path / "train")[0] == {}
    validation, _ = read_scalars(tmp_path / "validation")
    np.testing.assert_allclose([v for _, v in validation[TOTAL]], history["val_loss"], rtol=1e-6)


def _fails_while_traced(*args, **kwargs):
    raise TypeError("a layer kind this Keras added")


# What fails, and where: before the optimizer's update, or after it (the update is made once).
_TRACED_WORK = {
    "splitting the loss": (attribution, "attribute"),
    "watching the optimizer": (step_probe.StepProbe, "_watch_optimizer"),
    "measuring the dynamics": (dynamics, "apply_call_measured"),
    "measuring the dynamics after the update": (dynamics, "measure"),
}


@pytest.mark.parametrize("broken", list(_TRACED_WORK))
def test_a_failure_of_the_probe_while_keras_traces_a_step_trains_as_without_it(tmp_path, monkeypatch, broken):
    monkeypatch.delenv("TB_REGLOSS_ALLOW_ANY_KERAS", raising=False)  # as users run it, also under bench/keras_nightly.sh
    monkeypatch.setattr(*_TRACED_WORK[broken], _fails_while_traced)
    model = _model()
    initial_weights = model.get_weights()
    history, warned = _fit(model, tmp_path, dynamics=broken != "splitting the loss")
    reference = _model()
    reference.set_weights(initial_weights)
    expected, _ = _fit(reference, None)
    assert history.keys() == expected.keys() == {"loss", "val_loss"}
    for key in expected:
        np.testing.assert_allclose(history[key], expected[key], rtol=1e-6, err_msg=key)
    warned = [w for w in warned if "is newer than the Keras versions" not in w]  # keras-nightly's notice
    assert warned == [
        f"RegLossCallback: {broken.removesuffix(' after the update')} in the step Keras {keras.__version__} traces failed with TypeError: "
        "a layer kind this Keras added. Training goes on as without the callback: nothing more is "
        "logged. Please report this message to tb-regloss."]
    assert read_scalars(tmp_path / "train")[0] == {}


def test_a_failure_while_traced_raises_when_keras_is_tried_on_purpose(tmp_path, monkeypatch):
    monkeypatch.setenv("TB_REGLOSS_ALLOW_ANY_KERAS", "1")  # bench/keras_nightly.sh: show every failure
    monkeypatch.setattr(attribution, "attribute", _fails_while_traced)
    with pytest.raises(TypeError, match="a layer kind this Keras added"):
        _fit(_model(), tmp_path)


def test_keyboard_interrupt_while_writing_stops_fit(tmp_path, monkeypatch):
    monkeypatch.setattr(event_writer.EventWriter, "write_row", _failing_for("train", KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        _fit(_model(), tmp_path)


class _BuggyStepModel(keras.Model):
    """A custom ``train_step`` (keras.io guides; on JAX it takes ``state, data``) with a bug of its own."""

    def train_step(self, *state_and_data):
        raise ZeroDivisionError("the user's own bug")


def test_an_error_of_the_training_itself_passes_unchanged(tmp_path):
    inputs = keras.Input((4, 4, 3))
    model = _BuggyStepModel(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(inputs)))
    model.compile(keras.optimizers.SGD(0.05), "mse")
    with pytest.raises(ZeroDivisionError, match="^the user's own bug"):  # JAX appends a note
        _fit(model, tmp_path)


class BuggyOptimizer(keras.optimizers.SGD):
    """An optimizer of the user's, with a bug of its own in its update."""

    def update_step(self, gradient, variable, learning_rate):
        raise ZeroDivisionError("the user's own optimizer bug")


def test_an_error_of_the_optimizer_measured_for_the_dynamics_passes_unchanged(tmp_path):
    model = _model()
    model.compile(BuggyOptimizer(0.05), "mse")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ZeroDivisionError, match="^the user's own optimizer bug"):
            model.fit(*models.images(16), batch_size=16, epochs=1, verbose=0,
                      callbacks=[tb_regloss.RegLossCallback(tmp_path, dynamics=True)])
    assert [str(w.message) for w in caught if "regloss" in str(w.message)] == []
