"""The probe inside the compiled steps: installed once, invisible to saving."""

import keras
import numpy as np
import pytest

from tb_regloss import step_probe
from tests import models


def test_install_is_idempotent_and_retraces_existing_steps():
    model = models.seed_case_model()
    x, y = models.images(16)
    model.fit(x, y, verbose=0)
    assert model.train_function is not None
    probe = step_probe.install(model)
    assert model.train_function is None and model.test_function is None
    model.fit(x, y, verbose=0)
    function = model.train_function
    assert step_probe.install(model) is probe
    assert model.train_function is function


def test_train_and_test_sums_are_kept_apart():
    model = models.seed_case_model()
    probe = step_probe.install(model)
    readers = {p: probe.accumulators[p].reader() for p in ("train", "test")}
    x, y = models.images(32)
    model.fit(x, y, batch_size=16, verbose=0)
    model.evaluate(x[:16], y[:16] + 1, verbose=0)
    train, test = (readers[p].read() for p in ("train", "test"))
    assert set(train.terms) == set(test.terms) == {"regloss/penalty/conv/kernel"}
    assert test.data > train.data
    assert probe.descriptions["regloss/penalty/conv/kernel"].startswith("L2(l2=0.01)")


def test_logs_gain_split_but_list_results_keep_their_shape(tmp_path):
    model = models.seed_case_model()
    step_probe.install(model)
    x, y = models.images(16)
    logs = model.train_on_batch(x, y, return_dict=True)
    np.testing.assert_allclose(logs["data_loss"] + logs["reg_loss"], logs["loss"], rtol=1e-6)
    assert np.ndim(model.train_on_batch(x, y)) == 0  # one value, not a list


def test_saved_and_cloned_models_carry_no_probe(tmp_path):
    model = models.seed_case_model()
    step_probe.install(model)
    model.save(tmp_path / "m.keras")
    for other in (keras.models.load_model(tmp_path / "m.keras"), keras.models.clone_model(model)):
        assert "_tb_regloss_probe" not in other.__dict__
        assert [m.name for m in other.metrics if m.name == "regloss_split"] == []


def test_metric_variables_are_listed_once_so_the_state_tree_builds():
    model = models.seed_case_model()
    step_probe.install(model)
    x, y = models.images(16)
    model.fit(x, y, verbose=0)
    paths = [v.path for v in model.metrics_variables]
    assert len(paths) == len(set(paths))
    assert "data_loss/total" in paths
    model.get_state_tree()  # what OrbaxCheckpoint saves


def test_early_stopping_monitors_val_data_loss_in_auto_mode():
    model = models.seed_case_model()
    step_probe.install(model)
    x, y = models.images(16)
    stop = keras.callbacks.EarlyStopping(monitor="val_data_loss", patience=0)
    history = model.fit(x, y, validation_data=(x, y), epochs=3, verbose=0, callbacks=[stop])
    # "auto" mode took val_data_loss as lower-is-better: its best is the least value seen.
    assert bool(stop.monitor_op(1.0, 2.0)) and not bool(stop.monitor_op(2.0, 1.0))
    assert stop.best == pytest.approx(min(history.history["val_data_loss"]))


class _HostView(keras.callbacks.Callback):
    """What a callback attached after ours sees at each batch: logs and the optimizer's step."""

    def __init__(self):
        super().__init__()
        self.log_keys = set()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.log_keys.update(logs)
        self.steps.append(int(self.model.optimizer.iterations.numpy()))


@pytest.mark.backends("tensorflow", reason="TensorFlow's steps return their sums; the others' are read where the step left them")
def test_steps_return_their_sums_to_the_host_and_nobody_else_sees_them(tmp_path, monkeypatch):
    import tensorflow as tf

    import tb_regloss
    from tb_regloss import accumulator
    from tests.event_reader import read_scalars

    model = models.seed_case_model()
    # optimizer.iterations counts every 2 batches: the step must be read
    # after the optimizer's update, as the host reads it.
    model.compile(keras.optimizers.SGD(0.0, gradient_accumulation_steps=2), model.loss)
    x, y = models.images(48)
    view = _HostView()
    variable_reads = []
    read = accumulator._LayoutSums.read
    monkeypatch.setattr(accumulator._LayoutSums, "read",
                        lambda self, host: variable_reads.append(1) or read(self, host))
    callback = tb_regloss.RegLossCallback(tmp_path, update_freq="batch")
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False,
                        validation_data=(x, y), callbacks=[callback, view])
    reads_in_fit = len(variable_reads)
    series, _ = read_scalars(tmp_path / "train")
    assert [s for s, _ in series["regloss/total"]] == view.steps == [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6]
    # A read per fit (to skip what came before) and per evaluation, none per batch.
    assert reads_in_fit <= 4
    assert not {k for k in view.log_keys | set(history.history) if k.startswith("_tb_regloss")}
    for logs in (model.train_on_batch(x, y, return_dict=True),
                 model.test_on_batch(x, y, return_dict=True),
                 model.evaluate(x, y, verbose=0, return_dict=True)):
        assert not [k for k in logs if k.startswith("_tb_regloss")]

    @tf.function
    def own_loop_step(batch):  # a custom loop calling the model's train_step itself
        return model.train_step(batch)

    assert not [k for k in own_loop_step((x[:8], y[:8])) if k.startswith("_tb_regloss")]
