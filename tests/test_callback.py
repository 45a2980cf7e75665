"""RegLossCallback end to end: History, progress logs and the event files it writes."""

import os
import warnings

import keras
import numpy as np
import pytest

import tb_regloss
from tests import models
from tests.event_reader import read_scalars, regloss_tags

TOTAL, DATA, KERNEL = "regloss/total", "regloss/data", "regloss/penalty/conv/kernel"


def _fit(model, log_dir, n=48, batch_size=16, epochs=3, update_freq="epoch", **kwargs):
    x, y = models.images(n)
    cb = tb_regloss.RegLossCallback(log_dir, update_freq=update_freq)
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0,
                        shuffle=False, callbacks=[cb, *kwargs.pop("callbacks", [])], **kwargs)
    return history


def _steps(series, tag):
    return [s for s, _ in series[tag]]


def test_seed_case_reg_loss_is_the_kernel_penalty(tmp_path):
    model = models.seed_case_model()
    history = _fit(model, tmp_path, n=40, update_freq="batch")  # 3 batches: 16, 16, 8
    expected = 0.01 * np.sum(model.get_layer("conv").kernel.numpy() ** 2)
    h = history.history
    np.testing.assert_allclose(np.array(h["loss"]) - h["data_loss"], expected, rtol=1e-5)
    np.testing.assert_allclose(h["reg_loss"], expected, rtol=1e-5)
    series, _ = read_scalars(tmp_path / "train")
    assert _steps(series, TOTAL) == list(range(1, 10))
    for (_, total), (_, data), (_, kernel) in zip(series[TOTAL], series[DATA], series[KERNEL]):
        np.testing.assert_allclose(total - data, expected, rtol=1e-4)
        np.testing.assert_allclose(kernel, expected, rtol=1e-6)


def test_epoch_values_equal_history_including_partial_batch(tmp_path):
    model = models.seed_case_model()
    model.optimizer.learning_rate = 0.05
    history = _fit(model, tmp_path, n=40, validation_data=models.images(20, seed=1))
    series, _ = read_scalars(tmp_path / "train")
    np.testing.assert_allclose([v for _, v in series[TOTAL]], history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in series[DATA]], history.history["data_loss"], rtol=1e-5)
    val, _ = read_scalars(tmp_path / "validation")
    np.testing.assert_allclose([v for _, v in val[TOTAL]], history.history["val_loss"], rtol=1e-6)
    assert _steps(val, TOTAL) == _steps(series, TOTAL) == [3, 6, 9]
    for key in ("loss", "val_loss"):
        prefix = key[: -len("loss")]
        np.testing.assert_allclose(
            np.array(history.history[prefix + "data_loss"]) + history.history[prefix + "reg_loss"],
            history.history[key], rtol=1e-6)


@pytest.mark.parametrize(
    "update_freq, steps",
    [("epoch", [3, 6, 9]), ("batch", list(range(1, 10))), (2, [2, 4, 6, 8, 9]), (4, [4, 8, 9])],
)
def test_exact_tags_and_steps(tmp_path, update_freq, steps):
    _fit(models.seed_case_model(), tmp_path, update_freq=update_freq)
    series, metadata = read_scalars(tmp_path / "train")
    assert set(series) == {TOTAL, DATA, KERNEL}
    for tag in series:
        assert _steps(series, tag) == steps
        assert metadata[tag].plugin_data.plugin_name == "scalars"
    assert metadata[KERNEL].summary_description.startswith("L2(l2=0.01)")
    assert not (tmp_path / "validation").exists()


@pytest.mark.backends("tensorflow", "jax", reason="Keras allows steps_per_execution=1 only on PyTorch")
def test_batch_mode_with_steps_per_execution(tmp_path):
    model = models.seed_case_model()
    model.compile(keras.optimizers.SGD(0.0), "mse", steps_per_execution=2)
    history = _fit(model, tmp_path, n=80, epochs=2, update_freq=3)  # 5 batches an epoch
    series, _ = read_scalars(tmp_path / "train")
    assert _steps(series, TOTAL) == [4, 7, 9, 10]  # executions end at 2 4 5 7 9 10
    expected = 0.01 * np.sum(model.get_layer("conv").kernel.numpy() ** 2)
    np.testing.assert_allclose(history.history["reg_loss"], expected, rtol=1e-5)


def test_activity_and_add_loss_per_batch_against_independent_computation(tmp_path):
    model = models.activity_and_add_loss_model()
    x, y = models.images(32)
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path, update_freq="batch")])
    series, _ = read_scalars(tmp_path / "train")
    assert regloss_tags(tmp_path / "train") == {
        TOTAL, DATA, "regloss/penalty/act/activity", "regloss/penalty/noise/add_loss"}
    act = model.get_layer("act")
    for i, batch in enumerate((x[:16], x[16:])):
        h = batch.reshape(16, -1) @ act.kernel.numpy() + act.bias.numpy()
        np.testing.assert_allclose(series["regloss/penalty/act/activity"][i][1],
                                   models.activity_term(0.1, h), rtol=1e-5)
        np.testing.assert_allclose(series["regloss/penalty/noise/add_loss"][i][1],
                                   0.5 * np.mean(h**2), rtol=1e-5)


def test_model_without_regularization(tmp_path, capsys):
    history = _fit(models.plain_model(), tmp_path, epochs=2)
    assert regloss_tags(tmp_path / "train") == {TOTAL, DATA}
    assert history.history["reg_loss"] == [0.0, 0.0]
    assert capsys.readouterr().out == ""  # fit(verbose=0): not even the decay plan


def test_two_fits_and_a_model_fit_before_the_callback(tmp_path):
    model = models.seed_case_model()
    x, y = models.images(48)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)  # compiled step without the probe
    _fit(model, tmp_path, epochs=2)
    _fit(model, tmp_path, epochs=1)
    series, _ = read_scalars(tmp_path / "train")
    assert _steps(series, TOTAL) == [6, 9, 12]
    assert set(series) == {TOTAL, DATA, KERNEL}


def test_resumed_run_continues_the_step_axis(tmp_path):
    model = models.seed_case_model()
    model.optimizer.learning_rate = 0.01
    _fit(model, tmp_path, epochs=2)
    model.save(tmp_path / "model.keras")
    restored = keras.models.load_model(tmp_path / "model.keras")
    _fit(restored, tmp_path, epochs=4, initial_epoch=2)
    series, _ = read_scalars(tmp_path / "train")
    assert _steps(series, TOTAL) == [3, 6, 9, 12]


def test_multi_output_model_data_is_sum_of_compiled_losses(tmp_path):
    inputs = keras.Input((4, 4, 3))
    h = keras.layers.Flatten()(inputs)
    h = keras.layers.Dense(8, kernel_regularizer=keras.regularizers.l2(0.05), name="trunk")(h)
    model = keras.Model(inputs, {"a": keras.layers.Dense(1, name="a")(h),
                                 "b": keras.layers.Dense(1, name="b")(h)})
    model.compile(keras.optimizers.SGD(0.0), loss={"a": "mse", "b": "mae"})
    x, y = models.images(32)
    cb = tb_regloss.RegLossCallback(tmp_path)
    history = model.fit(x, {"a": y, "b": 2 * y}, batch_size=16, epochs=1, verbose=0, callbacks=[cb])
    h = history.history
    np.testing.assert_allclose(h["data_loss"][0], h["a_loss"][0] + h["b_loss"][0], rtol=1e-5)
    assert regloss_tags(tmp_path / "train") == {TOTAL, DATA, "regloss/penalty/trunk/kernel"}


def test_evaluate_with_the_callback_writes_validation(tmp_path):
    model = models.seed_case_model()
    x, y = models.images(40)
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True,
                          callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    series, _ = read_scalars(tmp_path / "validation")
    assert set(series) == {TOTAL, DATA, KERNEL}
    np.testing.assert_allclose(series[TOTAL][0][1], logs["loss"], rtol=1e-6)
    np.testing.assert_allclose(logs["data_loss"] + logs["reg_loss"], logs["loss"], rtol=1e-6)
    # The list form keeps its shape for code that unpacks it.
    assert isinstance(model.evaluate(x, y, verbose=0), float)


def test_early_stopping_on_val_data_loss(tmp_path):
    stop = keras.callbacks.EarlyStopping(monitor="val_data_loss", patience=0)
    history = _fit(models.seed_case_model(), tmp_path, epochs=5,
                   validation_data=models.images(16, seed=2), callbacks=[stop])
    assert len(history.history["val_data_loss"]) == 2  # no improvement with lr 0


@pytest.mark.parametrize("bad", ["epochs", 0, -3, 1.5, True, None])
def test_invalid_update_freq(bad):
    with pytest.raises(ValueError, match=r"update_freq.*Received: update_freq="):
        tb_regloss.RegLossCallback("runs/x", update_freq=bad)


@pytest.mark.parametrize("bad", [0, -1, "10", None, True])
def test_invalid_flush_secs(bad):
    with pytest.raises(ValueError, match=r"flush_secs.*positive.*Received: flush_secs="):
        tb_regloss.RegLossCallback("runs/x", flush_secs=bad)


@pytest.mark.parametrize("subclassed", [False, True])
def test_a_tf_keras_model_is_refused_at_once_naming_the_fix(subclassed):
    # tf_keras is not installed: a class in its module stands in for its Sequential.
    model_class = type("Sequential", (), {"__module__": "tf_keras.src.engine.sequential"})
    if subclassed:  # a user's model class, built on tf_keras
        model_class = type("MyModel", (model_class,), {"__module__": "__main__"})
    callback = tb_regloss.RegLossCallback("runs/x")
    # tf_keras' fit, like Keras', gives the callbacks the model before anything else.
    with pytest.raises(TypeError, match=r"^RegLossCallback was attached to a Keras 2 model") as raised:
        callback.set_model(model_class())
    message = str(raised.value)
    assert f"{model_class.__name__} is a tf_keras.src.engine.sequential.Sequential (tf_keras" in message
    assert "supports Keras 3 models (`import keras`) on TensorFlow, JAX and PyTorch" in message
    assert "Build the model with Keras 3: `import keras`" in message
    assert message.endswith(f"Received: model of class {model_class.__module__}.{model_class.__name__}")


def test_unwritable_log_dir_fails_before_the_first_step(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    model = models.seed_case_model()
    with pytest.raises(OSError, match=r"cannot write.*Received: log_dir="):
        _fit(model, blocker / "run")
    assert int(model.optimizer.iterations.numpy()) == 0


def test_write_failure_mid_run_warns_once_and_training_continues(tmp_path, monkeypatch):
    from tb_regloss import event_writer

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(event_writer.EventWriter, "write_row", broken)
    model = models.seed_case_model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = _fit(model, tmp_path, update_freq="batch")
    assert len(history.history["loss"]) == 3
    assert [str(w.message) for w in caught if "RegLossCallback" in str(w.message)] == [
        "RegLossCallback: writing a training point failed with OSError: disk full. "
        f"Training continues without regloss logging of training to {os.fspath(tmp_path)!r}."]


@pytest.mark.parametrize("compile_kwargs", [{"jit_compile": True}, {"run_eagerly": True}])
def test_xla_and_eager_steps(tmp_path, compile_kwargs):
    model = models.activity_and_add_loss_model()
    model.compile(keras.optimizers.SGD(0.0), "mse", **compile_kwargs)
    history = _fit(model, tmp_path, n=32, epochs=2)
    series, _ = read_scalars(tmp_path / "train")
    np.testing.assert_allclose([v for _, v in series[TOTAL]], history.history["loss"], rtol=1e-6)
    assert set(series) == {TOTAL, DATA, "regloss/penalty/act/activity", "regloss/penalty/noise/add_loss"}


def test_a_non_chief_worker_trains_and_writes_nothing(tmp_path, monkeypatch):
    from tb_regloss import cluster

    monkeypatch.setattr(cluster, "is_chief", lambda strategy: False)
    history = _fit(models.seed_case_model(), tmp_path / "run", validation_data=models.images(16))
    assert len(history.history["val_data_loss"]) == 3
    assert not (tmp_path / "run").exists()


class _ExplodingPenalty(keras.layers.Layer):
    """Adds a penalty that is NaN on its second call, infinite on its third."""

    def build(self, input_shape):
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False, name="calls")

    def call(self, x):
        self.calls.assign_add(1.0)
        bad = keras.ops.where(self.calls > 2.5, np.inf, keras.ops.where(self.calls > 1.5, np.nan, 0.5))
        self.add_loss(bad)
        return x


def test_nan_and_inf_terms_are_written_as_is_and_training_goes_on(tmp_path):
    inputs = keras.Input((4, 4, 3))
    outputs = keras.layers.Dense(1)(_ExplodingPenalty(name="boom")(keras.layers.Flatten()(inputs)))
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(0.0), "mse")
    history = _fit(model, tmp_path, n=64, epochs=1, update_freq="batch")
    assert len(history.history["loss"]) == 1
    series, _ = read_scalars(tmp_path / "train")
    values = [v for _, v in series["regloss/penalty/boom/add_loss"]]
    assert values[0] == 0.5 and np.isnan(values[1]) and np.isinf(values[2])
