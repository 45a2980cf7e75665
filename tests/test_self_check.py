"""The runtime self-check and untested Keras versions: checked, marked, warned once, never a crash.

Each test fits a model as a keras.io guide writes it. A Keras that reports
its loss differently is played by Keras' ``Mean.result`` (its loss tracker)
reporting 2% more; an untested Keras by a patched ``keras.__version__``.
pytest.ini turns `UnverifiedLossWarning` into an error, so every other test
of the suite also checks that the self-check stays quiet on healthy runs.
"""

import warnings

import keras
import numpy as np
import pytest

import tb_regloss
from tb_regloss import _keras
from tb_regloss import self_check
from tb_regloss import tags
from tests import models
from tests.event_reader import read_scalars

L2 = 0.01


def _dense_model():
    """Flatten → Dense(1, kernel L2) with SGD(0): its loss is a function of the data alone."""
    inputs = keras.Input((4, 4, 3))
    outputs = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.l2(L2), name="d")(
        keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(0.0), "mse")
    return model


def _expected_loss(model, x, y):
    """The loss Keras optimizes, computed with NumPy: mean squared error plus the L2 term."""
    kernel, bias = (np.asarray(w, np.float64) for w in model.get_layer("d").get_weights())
    predictions = x.reshape(len(x), -1).astype(np.float64) @ kernel + bias
    return np.mean((predictions - y) ** 2) + L2 * np.sum(kernel ** 2)


def _fit(model, log_dir, epochs=3, **kwargs):
    """``fit`` with 40 samples in batches of 16 (the last one partial) and validation; History and warnings."""
    x, y = models.images(40)
    callbacks = [tb_regloss.RegLossCallback(log_dir)] if log_dir else []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, shuffle=False,
                            validation_data=models.images(20, seed=1), callbacks=callbacks, **kwargs)
    return history.history, [w for w in caught if "RegLossCallback" in str(w.message)]


def _marks(run_dir):
    """The ``regloss/unverified`` marks of a run: ``[(step, mark)]``."""
    from tests.event_reader import _events
    import glob

    found = []
    for path in sorted(glob.glob(str(run_dir / "events.out.tfevents.*"))):
        for event in _events(path):
            for value in event.summary.value:
                if value.tag == tags.UNVERIFIED:
                    assert value.metadata.plugin_data.plugin_name == tags.PLUGIN_NAME
                    found.append((event.step, tags.parse_unverified(value.metadata.plugin_data.content)))
    return found


@pytest.fixture
def keras_reporting_more(monkeypatch):
    """Keras' loss tracker (a ``Mean``) reports 2% more than the loss its step computed."""
    result = keras.metrics.Mean.result
    monkeypatch.setattr(keras.metrics.Mean, "result", lambda self: result(self) * 1.02)


@pytest.fixture
def keras_version(monkeypatch):
    """Sets the installed Keras' version string (the nightly override unset)."""
    monkeypatch.delenv("TB_REGLOSS_ALLOW_ANY_KERAS", raising=False)  # set by bench/keras_nightly.sh

    def set_version(version):
        monkeypatch.setattr(keras, "__version__", version)

    return set_version


def test_a_healthy_fit_and_evaluate_are_checked_and_unmarked(tmp_path):
    model = _dense_model()
    history, caught = _fit(model, tmp_path)
    model.evaluate(*models.images(20, seed=2), batch_size=16, verbose=0,
                   callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    assert caught == []
    assert _marks(tmp_path / "train") == _marks(tmp_path / "validation") == []
    np.testing.assert_allclose(history["loss"], _expected_loss(model, *models.images(40)), rtol=1e-5)


def test_a_multi_output_model_with_validation_is_unmarked(tmp_path):
    inputs = keras.Input((4, 4, 3))
    h = keras.layers.Dense(8, kernel_regularizer=keras.regularizers.l2(0.05), name="trunk")(
        keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, {"a": keras.layers.Dense(1, name="a")(h), "b": keras.layers.Dense(1, name="b")(h)})
    model.compile(keras.optimizers.SGD(0.01), loss={"a": "mse", "b": "mae"}, loss_weights={"a": 1.0, "b": 0.5})
    x, y = models.images(40)
    xv, yv = models.images(20, seed=1)
    history = model.fit(x, {"a": y, "b": 2 * y}, batch_size=16, epochs=2, verbose=0,
                        validation_data=(xv, {"a": yv, "b": 2 * yv}),
                        callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    assert _marks(tmp_path / "train") == _marks(tmp_path / "validation") == []
    series, _ = read_scalars(tmp_path / "train")
    np.testing.assert_allclose([v for _, v in series["regloss/total"]], history.history["loss"], rtol=1e-5)


def test_mixed_precision_is_unmarked(tmp_path):
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        inputs = keras.Input((4, 4, 3))
        # No activity regularizer: Keras 3.15's own compute_loss fails to sum a float16 one.
        h = keras.layers.Dense(8, kernel_regularizer=keras.regularizers.l2(L2), name="hidden")(
            keras.layers.Flatten()(inputs))
        model = keras.Model(inputs, keras.layers.Dense(1, name="head")(h))
        model.compile(keras.optimizers.SGD(0.01), "mse")  # wrapped in a LossScaleOptimizer
        history, caught = _fit(model, tmp_path, epochs=2)
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert caught == []
    assert _marks(tmp_path / "train") == _marks(tmp_path / "validation") == []
    np.testing.assert_allclose(np.add(history["data_loss"], history["reg_loss"]), history["loss"], rtol=1e-3)


def test_a_loss_keras_reports_differently_warns_once_and_marks_both_runs(tmp_path, keras_reporting_more):
    model = _dense_model()
    history, caught = _fit(model, tmp_path)
    expected = _expected_loss(model, *models.images(40))
    expected_val = _expected_loss(model, *models.images(20, seed=1))
    np.testing.assert_allclose(history["loss"], 1.02 * expected, rtol=1e-5)  # what this Keras reports
    (step, mark), = _marks(tmp_path / "train")  # the first epoch's; later ones are not marked again
    assert step == 3
    np.testing.assert_allclose([mark["regloss"], mark["keras"]], [expected, 1.02 * expected], rtol=1e-5)
    assert mark["keras_version"] == keras.__version__
    (val_step, val_mark), = _marks(tmp_path / "validation")
    assert val_step == 3
    np.testing.assert_allclose([val_mark["regloss"], val_mark["keras"]], [expected_val, 1.02 * expected_val],
                               rtol=1e-5)
    # One warning, at the first gap: the first epoch's validation ends before the epoch does.
    (warning,) = caught
    assert warning.category is self_check.UnverifiedLossWarning
    message = str(warning.message)
    for text in (f"({val_mark['regloss']!r})", f"({val_mark['keras']!r})", f"Keras {keras.__version__}",
                 "validation", "marked unverified", f"pip install 'keras{_keras.version.TESTED}'"):
        assert text in message
    # The points are still written, as logged: the mark only says they are unverified.
    series, _ = read_scalars(tmp_path / "train")
    np.testing.assert_allclose([v for _, v in series["regloss/total"]], expected, rtol=1e-5)


def test_the_plugin_serves_the_mark_of_each_marked_run(tmp_path, keras_reporting_more):
    from tensorboard import context as tb_context
    from tensorboard.plugins import base_plugin

    from tb_regloss.plugin import regloss_plugin
    from tests.plugin_runs import make_provider

    _, (warning,) = _fit(_dense_model(), tmp_path / "marked")
    provider = make_provider(tmp_path)
    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=provider))
    runs = {r["run"]: r for r in plugin.runs_impl(tb_context.RequestContext(), "")["runs"]}
    assert set(runs) == {"marked/train", "marked/validation"}
    for run, mark in ((run, runs[run]["unverified"]) for run in runs):
        assert set(mark) == {"regloss", "keras", "keras_version"} and mark["keras_version"] == keras.__version__
        assert mark["keras"] == pytest.approx(1.02 * mark["regloss"], rel=1e-5), run
    mark = runs["marked/validation"]["unverified"]  # the warning's
    assert f"({mark['regloss']!r})" in str(warning.message) and f"({mark['keras']!r})" in str(warning.message)


@pytest.mark.backends("tensorflow", reason="a custom train_step written with tf.GradientTape")
def test_a_custom_step_reporting_its_own_loss_is_not_compared(tmp_path):
    import tensorflow as tf

    class ReportsTwice(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = self.compute_loss(y=y, y_pred=self(x, training=True))
            self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
            return {"loss": 2 * loss}  # the user's own number, not Keras'

    inputs = keras.Input((4, 4, 3))
    outputs = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.l2(L2))(keras.layers.Flatten()(inputs))
    model = ReportsTwice(inputs, outputs)
    model.compile(keras.optimizers.SGD(0.0), "mse")
    _, caught = _fit(model, tmp_path)
    assert caught == []
    assert _marks(tmp_path / "train") == []


def test_an_untested_keras_warns_once_at_the_start_of_fit_and_logs(tmp_path, keras_version):
    keras_version("3.16.0")
    model = _dense_model()
    callback = tb_regloss.RegLossCallback(tmp_path)
    x, y = models.images(40)
    with pytest.warns(UserWarning) as caught:
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[callback])
        model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[callback])
    (warning,) = [w for w in caught if "RegLossCallback" in str(w.message)]
    for text in ("Keras 3.16.0 is newer", ">=3.10,<3.16", "checked at runtime", "unverified"):
        assert text in str(warning.message)
    series, _ = read_scalars(tmp_path / "train")
    np.testing.assert_allclose([v for _, v in series["regloss/total"]], _expected_loss(model, x, y), rtol=1e-5)


def test_a_keras_older_than_3_10_is_refused_with_the_fix(tmp_path, keras_version):
    keras_version("3.9.2")
    with pytest.raises(RuntimeError, match=r"supports Keras >=3\.10; Keras 3\.9\.2 is installed.*pip install 'keras>=3\.10'"):
        tb_regloss.RegLossCallback(tmp_path)


def _break(monkeypatch, where):
    """Makes hooking fail: installing the probe (``wrap_step_methods``) or wrapping the step function."""
    name = {"installing the probe": "wrap_step_methods", "wrapping the step function": "wrap_step_function"}[where]

    def fail(*args, **kwargs):
        raise AttributeError("'Trainer' object has no attribute '_renamed_in_3_16'")

    monkeypatch.setattr(_keras.trainer, name, fail)


@pytest.mark.parametrize("where", ["installing the probe", "wrapping the step function"])
def test_a_hooking_failure_on_an_untested_keras_trains_plainly_after_one_warning(tmp_path, keras_version,
                                                                                monkeypatch, where):
    keras_version("3.16.0")
    _break(monkeypatch, where)
    model = _dense_model()
    initial = model.get_weights()
    callback = tb_regloss.RegLossCallback(tmp_path)
    x, y = models.images(40)
    kwargs = dict(batch_size=16, verbose=0, shuffle=False, validation_data=models.images(20, seed=1))
    with pytest.warns(UserWarning) as caught:
        history = model.fit(x, y, epochs=2, callbacks=[callback], **kwargs).history
        model.fit(x, y, epochs=1, callbacks=[callback], **kwargs)  # the same callback again: silent
    messages = [str(w.message) for w in caught if "RegLossCallback" in str(w.message)]
    assert len(messages) == 2 and "Keras 3.16.0 is newer" in messages[0]
    for text in ("hooking the loss decomposition", "Keras 3.16.0 failed with AttributeError",
                 "_renamed_in_3_16", "nothing is logged", "pip install 'keras>=3.10,<3.16'"):
        assert text in messages[1]
    reference = _dense_model()
    reference.set_weights(initial)
    expected = reference.fit(x, y, epochs=2, **kwargs).history
    assert history.keys() == expected.keys() == {"loss", "val_loss"}
    for key in expected:
        np.testing.assert_allclose(history[key], expected[key], rtol=1e-6, err_msg=key)
    assert not list(tmp_path.glob("*/events.out.tfevents.*"))


@pytest.mark.parametrize("version, override", [("3.15.1", False), ("3.16.0", True)])
def test_a_hooking_failure_on_a_tested_keras_or_tried_on_purpose_raises(tmp_path, keras_version, monkeypatch,
                                                                        version, override):
    keras_version(version)
    if override:
        monkeypatch.setenv("TB_REGLOSS_ALLOW_ANY_KERAS", "1")  # bench/keras_nightly.sh: show every failure
    _break(monkeypatch, "installing the probe")
    with pytest.raises(AttributeError, match="_renamed_in_3_16"):
        _fit(_dense_model(), tmp_path, epochs=1)
