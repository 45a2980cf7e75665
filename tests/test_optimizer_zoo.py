"""Every optimizer of keras.optimizers, alone, in a LossScaleOptimizer and in a MultiOptimizer.

``test_one_step_decays_each_variable_by_the_logged_factor`` runs the checks of
``bench/optimizer_zoo.py`` (one step with and without decay from identical
states: the weight difference against ``η·λ_v·w``, λ_v read from
``regloss/decoupled``); ``test_fit_with_dynamics`` trains each case with
``RegLossCallback(dynamics=True)`` and checks the decoupled series, the
penalty gradient ``λ_v·‖w‖`` and the equilibrium angle with the η and λ of the
optimizer that owns each weight.
"""

import keras
import numpy as np
import pytest

import tb_regloss
from bench import optimizer_zoo
from tb_regloss import _keras
from tb_regloss import tags
from tests.event_reader import read_scalars

pytestmark = pytest.mark.spread(reason="each test builds and trains its own model")

CLASSES = sorted(optimizer_zoo.optimizer_classes())
# Keras' own Muon does not train on TensorFlow before 3.13 (Keras 3.10: "'ResourceVariable'
# object has no attribute 'path'", with or without tb-regloss).
KERAS_MUON_TRAINS = pytest.mark.skipif(
    _keras.version.installed_version() < (3, 13), reason="Keras' own Muon fails on TensorFlow before 3.13")
WRAPPERS = optimizer_zoo.wrappers()
# Wrapped in every pass: one optimizer of each kind of decay (decoupled, two factors, sign
# update, none). A wrapper's work (unscaling, routing variables) does not depend on the
# optimizer it wraps: the first pass checks every optimizer in every wrapper.
WRAPPED_IN_EVERY_PASS = {"AdamW", "Muon", "Lion", "SGD"}


def _cases():
    """``(optimizer name, wrapper)`` for every optimizer class and wrapper of this Keras."""
    for name in CLASSES:
        for wrapper in WRAPPERS:
            marks = [KERAS_MUON_TRAINS] if name == "Muon" else []
            if wrapper != "alone" and name not in WRAPPED_IN_EVERY_PASS:
                marks.append(pytest.mark.once(reason="this optimizer wrapped: the wrapper is checked in every "
                                                     "pass around the optimizers of WRAPPED_IN_EVERY_PASS"))
            yield pytest.param(name, wrapper, marks=marks, id=f"{name}-{wrapper}")


CASES = list(_cases())


def test_the_zoo_has_every_optimizer_of_keras():
    expected = {"SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta", "Adafactor",
                "Ftrl", "Lamb", "Lion"}
    assert expected <= set(CLASSES)
    assert not {"LossScaleOptimizer", "MultiOptimizer", "Optimizer"} & set(CLASSES)


@pytest.mark.parametrize(("name", "wrapper"), CASES)
def test_one_step_decays_each_variable_by_the_logged_factor(name, wrapper):
    rows = optimizer_zoo.run_case(name, wrapper)
    assert [r.path for r in rows] == ["body/kernel", "body/bias", "head/kernel", "head/bias"]
    assert [(r.path, r.failures) for r in rows if r.failures] == []
    assert any(r.reported for r in rows) and any(r.reported is None for r in rows)


def _fit(name, wrapper, log_dir):
    model = optimizer_zoo.tiny_model()
    model.compile(optimizer_zoo.make_optimizer(name, wrapper, True), "mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 2)).astype("float32")
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False,
                        callbacks=[tb_regloss.RegLossCallback(log_dir, update_freq="batch", dynamics=True)])
    return history, read_scalars(str(log_dir / "train"))[0]


def _owner(name, wrapper, path):
    """``(class name, η)`` of the optimizer that updates ``path`` in the case."""
    if wrapper == "MultiOptimizer" and not path.startswith("body/"):
        return "SGD", optimizer_zoo.DEFAULT_LEARNING_RATE
    return name, optimizer_zoo.LEARNING_RATE


def _predicted_angle(owner, eta, factor):
    """dynamics.py's rule: Adam/AdamW (β1 = 0.9) and SGD without momentum, with decoupled decay."""
    if owner in ("Adam", "AdamW"):
        return np.sqrt(2 * eta * factor * 0.1 / 1.9)
    if owner == "SGD":
        return np.sqrt(2 * eta * factor)
    return None


@pytest.mark.parametrize(("name", "wrapper"), CASES)
def test_fit_with_dynamics(tmp_path, name, wrapper):
    history, series = _fit(name, wrapper, tmp_path)
    assert np.all(np.isfinite(history.history["loss"]))
    paths = ["body/kernel", "body/bias", "head/kernel", "head/bias"]
    factors = {p: f for p, f in optimizer_zoo.expected_factors(name, wrapper, paths).items() if f}
    assert {t for t in series if t.startswith(tags.DECOUPLED_PREFIX)} == \
        {tags.decoupled_tag(p) for p in factors}
    watched = {t.split("/", 3)[3] for t in series if t.startswith(tags.DYNAMICS_PREFIX)}
    assert watched == set(factors)
    for path, factor in factors.items():
        norms = [v for _, v in series[tags.dynamics_tag("weight_norm", path)]]
        penalty = [v for _, v in series[tags.dynamics_tag("penalty_grad_norm", path)]]
        np.testing.assert_allclose(penalty, factor * np.array(norms), rtol=1e-5, err_msg=path)
        predicted = _predicted_angle(*_owner(name, wrapper, path), factor)
        equilibrium = series.get(tags.dynamics_tag("angular_equilibrium", path))
        if predicted is None:
            assert equilibrium is None, path
        else:
            np.testing.assert_allclose([v for _, v in equilibrium], predicted, rtol=1e-5, err_msg=path)


class _WeightsBeforeEachBatch(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.snapshots = []

    def on_train_batch_begin(self, batch, logs=None):
        self.snapshots.append({w.path: np.asarray(w.numpy(), "float64") for w in self.model.trainable_weights})


def _fit_encoder_head(optimizer, log_dir, head_l2=0.0):
    """Dense ``enc`` 4→3, Dense ``head`` 3→2 (L2 ``head_l2`` on its kernel), 3 batches; the weights before each."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, name="enc")(inputs)
    regularizer = keras.regularizers.L2(head_l2) if head_l2 else None
    model = keras.Model(inputs, keras.layers.Dense(2, name="head", kernel_regularizer=regularizer)(hidden))
    model.compile(optimizer, "mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 4)).astype("float32"), rng.normal(size=(12, 2)).astype("float32")
    snapshots = _WeightsBeforeEachBatch()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False, callbacks=[
        snapshots, tb_regloss.RegLossCallback(log_dir, update_freq="batch", dynamics=True)])
    return snapshots.snapshots, read_scalars(str(log_dir / "train"))[0]


def _assert_decoupled(series, snapshots, factors):
    """``regloss/decoupled/<path>`` is ``(λ/2)·Σw²`` of the weights before each batch, for ``factors`` only."""
    assert {t for t in series if t.startswith(tags.DECOUPLED_PREFIX)} == {tags.decoupled_tag(p) for p in factors}
    for path, factor in factors.items():
        expected = [factor / 2 * np.sum(s[path] ** 2) for s in snapshots]
        np.testing.assert_allclose([v for _, v in series[tags.decoupled_tag(path)]], expected, rtol=1e-5)


@pytest.mark.skipif(not hasattr(keras.optimizers, "MultiOptimizer"), reason="MultiOptimizer: Keras 3.15+")
def test_multi_optimizer_inner_adamw_decay_and_each_owners_learning_rate(tmp_path):
    optimizers = keras.optimizers
    sgd, adamw = optimizers.SGD(0.05), optimizers.AdamW(learning_rate=0.02, weight_decay=0.05)
    optimizer = optimizers.MultiOptimizer(optimizers.OptimizerMap(sgd, {"enc.*": adamw}))
    snapshots, series = _fit_encoder_head(optimizer, tmp_path, head_l2=0.01)
    _assert_decoupled(series, snapshots, {"enc/kernel": 0.05, "enc/bias": 0.05})
    equilibrium = {p: [v for _, v in series[tags.dynamics_tag("angular_equilibrium", p)]]
                   for p in ("enc/kernel", "head/kernel")}
    # AdamW's η and λ for enc, SGD's η and the head's coupled L2 (λ = 2·l2) for head.
    np.testing.assert_allclose(equilibrium["enc/kernel"], np.sqrt(2 * 0.02 * 0.05 * 0.1 / 1.9), rtol=1e-5)
    np.testing.assert_allclose(equilibrium["head/kernel"], np.sqrt(2 * 0.05 * 0.02), rtol=1e-5)


@pytest.mark.skipif(_keras.version.installed_version() < (3, 13), reason="Muon's adam_weight_decay: Keras 3.13+")
def test_muon_decays_its_adam_step_weights_by_adam_weight_decay(tmp_path):
    snapshots, series = _fit_encoder_head(
        keras.optimizers.Muon(weight_decay=0.1, adam_weight_decay=0.01), tmp_path)
    # 2-D kernels take the Muon step, biases the Adam step.
    _assert_decoupled(series, snapshots, {"enc/kernel": 0.1, "head/kernel": 0.1, "enc/bias": 0.01, "head/bias": 0.01})
