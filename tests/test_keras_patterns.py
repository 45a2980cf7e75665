"""The ways people write Keras, copied from the keras.io guides and Keras docstrings.

Each test attaches RegLossCallback to a pattern as users write it and checks
the logged values against an independent NumPy computation on weights fixed
by a learning rate of 0.
"""


import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers, ops, regularizers

import tb_regloss
from tests import models
from tests.event_reader import read_scalars

TOTAL, DATA = "regloss/total", "regloss/data"
KERNEL, ACTIVITY = "regloss/penalty/d/kernel", "regloss/penalty/d/activity"
N, BATCH = 32, 8


TENSORFLOW_API = pytest.mark.backends("tensorflow", reason="written with TensorFlow's own API (tf.function, GradientTape, tf.distribute)")


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((N, 4), dtype=np.float32), rng.random((N, 1), dtype=np.float32)


def _build(model_class=keras.Model, activity=True):
    inputs = keras.Input((4,))
    outputs = layers.Dense(1, name="d", kernel_regularizer=regularizers.l2(0.01),
                           activity_regularizer=regularizers.l2(0.1) if activity else None)(inputs)
    model = model_class(inputs, outputs)
    model.compile(keras.optimizers.SGD(learning_rate=0.0), loss="mse", metrics=["mae"])
    return model


def _expected(model, x, y, weights=None):
    """Per-epoch means of the data, kernel and activity terms, by NumPy, batch by batch."""
    kernel = model.get_layer("d").kernel.numpy()
    bias = model.get_layer("d").bias.numpy()
    data, activity = [], []
    for i in range(0, N, BATCH):
        h = x[i:i + BATCH] @ kernel + bias
        err = (h - y[i:i + BATCH]) ** 2
        w = None if weights is None else weights[i:i + BATCH]
        data.append(np.mean(err) if w is None else np.sum(err[:, 0] * w) / len(w))
        activity.append(models.activity_term(0.1, h))
    return {DATA: np.mean(data), KERNEL: 0.01 * np.sum(kernel**2), ACTIVITY: np.mean(activity)}


def _assert_series(run_dir, expected, epochs=2):
    series, _ = read_scalars(run_dir)
    assert set(series) == {TOTAL, *expected}
    for tag, value in expected.items():
        np.testing.assert_allclose([v for _, v in series[tag]], [value] * epochs, rtol=1e-5, err_msg=tag)
    penalties = sum(v for t, v in expected.items() if t != DATA)
    np.testing.assert_allclose([v for _, v in series[TOTAL]], [expected[DATA] + penalties] * epochs,
                               rtol=1e-5)
    return series


# keras.io, "Customizing what happens in fit() with TensorFlow": the first example.
class GuideModel(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)  # Forward pass
            # Compute the loss value
            # (the loss function is configured in `compile()`)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        # Compute gradients
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        # Update weights
        self.optimizer.apply(gradients, trainable_vars)
        # Update metrics (includes the metric that tracks the loss)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        # Return a dict mapping metric names to current value
        return {m.name: m.result() for m in self.metrics}

    # The same guide, "Providing your own evaluation step".
    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name != "loss":
                metric.update_state(y, y_pred)
            else:
                metric.update_state(loss)
        return {m.name: m.result() for m in self.metrics}


@TENSORFLOW_API
def test_keras_io_guide_train_and_test_steps(tmp_path):
    model = _build(GuideModel)
    x, y = _data()
    x_val, y_val = _data(seed=1)
    history = model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
                        validation_data=(x_val, y_val),
                        callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    train, validation = _expected(model, x, y), _expected(model, x_val, y_val)
    _assert_series(tmp_path / "train", train)
    _assert_series(tmp_path / "validation", validation)
    np.testing.assert_allclose(history.history["data_loss"], [train[DATA]] * 2, rtol=1e-5)
    np.testing.assert_allclose(history.history["val_data_loss"], [validation[DATA]] * 2, rtol=1e-5)


# The same guide, "Supporting sample_weight & class_weight".
class GuideWeightedModel(keras.Model):
    def train_step(self, data):
        if len(data) == 3:
            x, y, sample_weight = data
        else:
            sample_weight = None
            x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply(gradients, trainable_vars)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


@TENSORFLOW_API
def test_keras_io_guide_sample_weight_step(tmp_path):
    model = _build(GuideWeightedModel)
    x, y = _data()
    weights = np.random.default_rng(1).random(N).astype("float32")
    model.fit(x, y, sample_weight=weights, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    _assert_series(tmp_path / "train", _expected(model, x, y, weights))


# A train_step that sums its loss by hand, as the GAN and VAE examples do.
class HandLossModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = ops.mean(ops.square(y_pred - y)) + ops.sum(self.losses)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    @property
    def metrics(self):
        return [self.loss_tracker]


@TENSORFLOW_API
def test_a_step_without_compute_loss_gets_one_warning_naming_the_fix(tmp_path):
    model = _build(HandLossModel)
    x, y = _data()
    with pytest.warns(UserWarning, match=r"HandLossModel\.train_step never calls `self\.compute_loss`") as caught:
        history = model.fit(x, y, batch_size=BATCH, epochs=3, verbose=0,
                            callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    ours = [w for w in caught if "compute_loss" in str(w.message)]
    assert len(ours) == 1
    assert "tb_regloss.RegLossWriter" in str(ours[0].message)
    assert len(history.history["loss"]) == 3


# The fix that warning names: log from the step with penalties() and RegLossWriter.
class HandLossWithWriter(keras.Model):
    def __init__(self, *args, log_dir, **kwargs):
        super().__init__(*args, **kwargs)
        self.regloss_writer = tb_regloss.RegLossWriter(log_dir)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            data_loss = ops.mean(ops.square(y_pred - y))
            terms = tb_regloss.penalties(self)
            loss = data_loss + ops.sum(ops.stack(list(terms.values())))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self.regloss_writer.write(self.optimizer.iterations, data_loss=data_loss, penalties=terms)
        return {"loss": loss}


@TENSORFLOW_API
def test_a_hand_written_step_logging_with_regloss_writer(tmp_path):
    inputs = keras.Input((4,))
    outputs = layers.Dense(1, name="d", kernel_regularizer=regularizers.l2(0.01),
                           activity_regularizer=regularizers.l2(0.1))(inputs)
    model = HandLossWithWriter(inputs, outputs, log_dir=str(tmp_path))
    model.compile(keras.optimizers.SGD(learning_rate=0.0))
    x, y = _data()
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    model.regloss_writer.close()
    series, _ = read_scalars(tmp_path)
    assert set(series) == {TOTAL, DATA, KERNEL, ACTIVITY}
    assert [s for s, _ in series[TOTAL]] == [1, 2, 3, 4]
    kernel, bias = model.get_layer("d").kernel.numpy(), model.get_layer("d").bias.numpy()
    for i, (_, activity) in enumerate(series[ACTIVITY]):
        h = x[i * BATCH:(i + 1) * BATCH] @ kernel + bias
        np.testing.assert_allclose(activity, models.activity_term(0.1, h), rtol=1e-5)
        np.testing.assert_allclose(series[DATA][i][1], np.mean((h - y[i * BATCH:(i + 1) * BATCH]) ** 2),
                                   rtol=1e-5)
        np.testing.assert_allclose(series[KERNEL][i][1], 0.01 * np.sum(kernel**2), rtol=1e-5)


# Keras' docstring of Trainer.compute_loss.
class DocstringLossModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def compute_loss(self, x, y, y_pred, sample_weight, training=True):
        loss = ops.mean((y_pred - y) ** 2)
        loss += ops.sum(self.losses)
        self.loss_tracker.update_state(loss)
        return loss

    def reset_metrics(self):
        self.loss_tracker.reset_state()

    @property
    def metrics(self):
        return [self.loss_tracker]


@pytest.mark.backends("tensorflow", "torch", reason="Keras' own docstring pattern, ops.sum(self.losses), fails on JAX with or without tb-regloss")
def test_compute_loss_override_adding_self_losses(tmp_path):
    model = _build(DocstringLossModel)
    x, y = _data()
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    _assert_series(tmp_path / "train", _expected(model, x, y))


class LossIgnoringPenalties(keras.Model):
    def compute_loss(self, x, y, y_pred, sample_weight, training=True):
        if self.losses:  # read, but not added
            pass
        return ops.mean((y_pred - y) ** 2)


@pytest.mark.backends("tensorflow", reason="which terms an override leaves out is read in TensorFlow's graph only")
def test_compute_loss_override_leaving_penalties_out_logs_no_penalty(tmp_path, capsys):
    model = _build(LossIgnoringPenalties)
    x, y = _data()
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    expected = _expected(model, x, y)
    _assert_series(tmp_path / "train", {DATA: expected[DATA]})
    assert "adds none of its 2 terms" in capsys.readouterr().out


def test_transfer_learning_recompile_continues_the_step_axis(tmp_path):
    # keras.io "Transfer learning & fine-tuning": fit, unfreeze, compile, fit.
    inputs = keras.Input((4,))
    base = keras.Sequential([layers.Dense(4, kernel_regularizer="l2", name="base_dense")], name="base")
    base.trainable = False
    outputs = layers.Dense(1, kernel_regularizer="l2", name="head")(base(inputs, training=False))
    model = keras.Model(inputs, outputs)
    x, y = _data()
    model.compile(keras.optimizers.Adam(), "mse")
    model.fit(x, y, batch_size=BATCH, epochs=2, validation_data=(x, y), verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    base.trainable = True
    model.compile(keras.optimizers.Adam(1e-5), "mse")  # a new optimizer: its count restarts
    model.fit(x, y, batch_size=BATCH, epochs=2, validation_data=(x, y), verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    for run in ("train", "validation"):
        series, _ = read_scalars(tmp_path / run)
        assert [s for s, _ in series[TOTAL]] == [4, 8, 12, 16], run
    series, _ = read_scalars(tmp_path / "train")
    assert [s for s, _ in series["regloss/penalty/base/base_dense/kernel"]] == [12, 16]


def test_a_new_process_continues_the_step_axis_of_a_log_dir(tmp_path):
    from tb_regloss import step_axis

    model = _build()
    x, y = _data()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    step_axis._last_steps.clear()  # as in a new process: read back from the files
    fresh = _build()
    fresh.fit(x, y, batch_size=BATCH, epochs=1, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    series, _ = read_scalars(tmp_path / "train")
    assert [s for s, _ in series[TOTAL]] == [4, 8]


def test_resume_of_a_nested_sequential_block_keeps_one_series_per_term(tmp_path):
    inputs = keras.Input((4,))
    stem = keras.Sequential([layers.Dense(4, kernel_regularizer="l2", name="stem_dense")], name="stem")
    model = keras.Model(inputs, layers.Dense(1, name="head")(stem(inputs)))
    model.compile("sgd", "mse")
    x, y = _data()
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path / "logs")])
    model.save(tmp_path / "m.keras")
    resumed = keras.models.load_model(tmp_path / "m.keras")
    resumed.fit(x, y, batch_size=BATCH, epochs=4, initial_epoch=2, verbose=0,
                callbacks=[tb_regloss.RegLossCallback(tmp_path / "logs")])
    series, _ = read_scalars(tmp_path / "logs" / "train")
    assert set(series) == {TOTAL, DATA, "regloss/penalty/stem/stem_dense/kernel"}
    assert [s for s, _ in series["regloss/penalty/stem/stem_dense/kernel"]] == [4, 8, 12, 16]


class ActiveDense(layers.Dense):
    """A user subclass of Dense: it never calls add_loss itself."""


class TwoOutputs(layers.Layer):
    def call(self, x):
        return x * 2.0, x - 1.0


@pytest.mark.backends("tensorflow", "torch", reason="Keras' JAX stateless call keeps one activity term of a layer called twice")
def test_user_layers_with_activity_regularizers(tmp_path):
    inputs = keras.Input((4,))
    active = ActiveDense(2, activity_regularizer=regularizers.l2(0.1), name="active")
    h = layers.Add()([active(inputs), active(inputs * 0.5)])  # called twice
    a, b = TwoOutputs(activity_regularizer=regularizers.l2(0.2), name="pair")(h)
    model = keras.Model(inputs, layers.Dense(1, name="head")(layers.Concatenate()([a, b])))
    model.compile(keras.optimizers.SGD(0.0), "mse")
    x, y = _data()
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    kernel, bias = active.kernel.numpy(), active.bias.numpy()
    act, pair = [], []
    for i in range(0, N, BATCH):
        xb = x[i:i + BATCH]
        h1, h2 = xb @ kernel + bias, (xb * 0.5) @ kernel + bias
        act.append(models.activity_term(0.1, h1) + models.activity_term(0.1, h2))
        hs = h1 + h2
        pair.append(models.activity_term(0.2, hs * 2) + models.activity_term(0.2, hs - 1))
    series, _ = read_scalars(tmp_path / "train")
    assert set(series) == {TOTAL, DATA, "regloss/penalty/active/activity", "regloss/penalty/pair/activity"}
    np.testing.assert_allclose(series["regloss/penalty/active/activity"][0][1], np.mean(act), rtol=1e-5)
    np.testing.assert_allclose(series["regloss/penalty/pair/activity"][0][1], np.mean(pair), rtol=1e-5)


def test_two_callbacks_on_one_fit_each_get_complete_series(tmp_path):
    model = _build()
    x, y = _data()
    per_epoch = tb_regloss.RegLossCallback(tmp_path / "epoch")
    per_batch = tb_regloss.RegLossCallback(tmp_path / "batch", update_freq="batch")
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
              validation_data=(x, y), callbacks=[per_epoch, per_batch])
    expected = _expected(model, x, y)
    for run in ("epoch/train", "epoch/validation", "batch/validation"):
        _assert_series(tmp_path / run, expected)
    series, _ = read_scalars(tmp_path / "batch" / "train")
    assert [s for s, _ in series[TOTAL]] == list(range(1, 9))


def test_the_first_fit_traces_each_step_as_often_as_without_the_callback(tmp_path):
    def count_traces(callbacks):
        traces = {"train": 0, "test": 0}

        class Counting(keras.Model):
            def train_step(self, *args):  # JAX: (state, data)
                traces["train"] += 1
                return super().train_step(*args)

            def test_step(self, *args):
                traces["test"] += 1
                return super().test_step(*args)

        model = _build(Counting)
        x, y = _data()
        model.fit(x, y, batch_size=BATCH, epochs=2, validation_data=(x, y), verbose=0,
                  callbacks=callbacks)
        return traces

    alone = count_traces([])
    assert count_traces([tb_regloss.RegLossCallback(tmp_path)]) == alone
    assert count_traces([tb_regloss.RegLossCallback(tmp_path / "b"),
                         tb_regloss.RegLossCallback(tmp_path / "c")]) == alone


class _TwoHeads(keras.Model):
    """A subclassed two-output model: unbuilt until its first batch."""

    def __init__(self):
        super().__init__(name="two_heads")
        self.trunk = layers.Dense(8, kernel_regularizer=regularizers.l2(0.05), name="trunk")
        self.a = layers.Dense(1, name="a")
        self.b = layers.Dense(1, name="b")

    def call(self, x):
        h = self.trunk(x)
        return self.a(h), self.b(h)


def _two_output_model(kind):
    keras.utils.set_random_seed(0)
    if kind == "functional":
        inputs = keras.Input((4,))
        h = layers.Dense(8, kernel_regularizer=regularizers.l2(0.05), name="trunk")(inputs)
        model = keras.Model(inputs, [layers.Dense(1, name="a")(h), layers.Dense(1, name="b")(h)])
        optimizer = keras.optimizers.SGD(0.05)  # no weight decay: the optimizer stays unbuilt until fit
    else:
        model = _TwoHeads()
        optimizer = keras.optimizers.AdamW(0.01, weight_decay=0.01)  # decays: tb-regloss looks it up
    model.compile(optimizer, loss=["mse", "mae"], loss_weights=[1.0, 0.5], metrics=[["mae"], ["mse"]])
    return model


@pytest.mark.parametrize("kind", ["functional", "subclassed"])
def test_a_two_output_model_evaluates_and_fits_as_without_the_callback(tmp_path, kind):
    # 36 samples in batches of 16: a partial last batch, where Keras weighs
    # its per-output loss trackers by the traced (static) batch size.
    rng = np.random.default_rng(0)
    x = rng.random((36, 4), dtype=np.float32)
    y = [rng.random((36, 1), dtype=np.float32), rng.random((36, 1), dtype=np.float32)]
    xv = rng.random((20, 4), dtype=np.float32)
    yv = [rng.random((20, 1), dtype=np.float32), rng.random((20, 1), dtype=np.float32)]

    def run(callbacks):
        model = _two_output_model(kind)
        evaluated = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True, callbacks=callbacks)
        listed = model.evaluate(x, y, batch_size=16, verbose=0, callbacks=callbacks)
        history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0,
                            validation_data=(xv, yv), callbacks=callbacks).history
        return evaluated, listed, history

    plain = run([])
    with_callback = run([tb_regloss.RegLossCallback(tmp_path)])
    evaluated, listed, history = with_callback
    split = {"data_loss", "reg_loss", "val_data_loss", "val_reg_loss"}
    per_output = [k for k in history if k.endswith("_loss") and k not in split | {"loss", "val_loss"}]
    assert len(per_output) == 4  # each output's loss, in training and validation
    assert {k: v for k, v in evaluated.items() if k not in split} == plain[0]
    assert listed == plain[1]
    assert {k: v for k, v in history.items() if k not in split} == plain[2]
