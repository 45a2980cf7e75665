"""Decoupled decay as regloss/decoupled/<path> = (wd/2)·Σw², checked independently."""

import keras
import numpy as np
import pytest

import tb_regloss
from tests import models
from tests.event_reader import read_scalars


class _WeightsBeforeEachBatch(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.snapshots = []

    def on_train_batch_begin(self, batch, logs=None):
        self.snapshots.append({w.path: w.numpy() for w in self.model.trainable_weights})


@pytest.mark.parametrize("learning_rate", [
    0.05,
    keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5),
])
def test_decoupled_series_against_independent_computation(tmp_path, learning_rate):
    model = models.seed_case_model()
    optimizer = keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=0.2)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    model.compile(optimizer, "mse")
    snapshots = _WeightsBeforeEachBatch()
    x, y = models.images(48)
    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0,
                        callbacks=[tb_regloss.RegLossCallback(tmp_path, update_freq="batch"), snapshots])
    series, metadata = read_scalars(tmp_path / "train")
    decoupled = {t for t in series if t.startswith("regloss/decoupled/")}
    assert decoupled == {"regloss/decoupled/conv/kernel", "regloss/decoupled/head/kernel"}
    for tag in decoupled:
        path = tag[len("regloss/decoupled/"):]
        expected = [0.1 * np.sum(s[path] ** 2) for s in snapshots.snapshots]
        np.testing.assert_allclose([v for _, v in series[tag]], expected, rtol=1e-5)
        assert "not part of the loss" in metadata[tag].summary_description
    # Never part of the loss: total and data are unchanged by it.
    np.testing.assert_allclose(series["regloss/total"][-1][1] - series["regloss/data"][-1][1],
                               series["regloss/penalty/conv/kernel"][-1][1], rtol=1e-4)
    assert "regloss/decoupled/conv/kernel" not in {t for t in read_scalars(tmp_path / "train")[0]
                                                   if t.startswith("regloss/penalty/")}
    assert len(history.history["loss"]) == 1


def test_no_weight_decay_no_decoupled_series(tmp_path):
    model = models.seed_case_model()
    model.compile(keras.optimizers.SGD(0.01), "mse")
    x, y = models.images(16)
    model.fit(x, y, verbose=0, callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    assert not any(t.startswith("regloss/decoupled/") for t in read_scalars(tmp_path / "train")[0])


def test_validation_has_no_decoupled_series(tmp_path):
    model = models.seed_case_model()
    model.compile(keras.optimizers.SGD(0.01, weight_decay=0.1), "mse")
    x, y = models.images(16)
    model.fit(x, y, verbose=0, validation_data=(x, y), callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    assert "regloss/decoupled/conv/kernel" in read_scalars(tmp_path / "train")[0]
    assert not any(t.startswith("regloss/decoupled/") for t in read_scalars(tmp_path / "validation")[0])
