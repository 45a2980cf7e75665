"""Decay dynamics (`RegLossCallback(dynamics=...)`) against NumPy on snapshotted weights.

A linear model with a mean squared error has gradients NumPy computes exactly:
every quantity of every step is checked against them and against the weights
snapshotted before and after the step, for coupled L2, L1, activity terms and
decoupled decay, with constant and scheduled learning rates.
"""

import os

import keras
import numpy as np
import pytest

import tb_regloss
from demo import rotational_equilibrium
from tests.event_reader import read_scalars
from tests.models import _activity_is_a_mean
from tb_regloss import tags
from tests.test_keras_patterns import GuideModel

N, IN, OUT = 16, 5, 3
RTOL = 1e-4  # float32 steps against a float64 reference


def data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, IN)).astype("float32"), rng.normal(size=(N, OUT)).astype("float32")


def linear_model(optimizer, kernel_regularizer=None, activity=0.0, model_class=None):
    keras.utils.set_random_seed(1)
    inputs = keras.Input((IN,))
    outputs = keras.layers.Dense(OUT, name="d", kernel_regularizer=kernel_regularizer,
                                 activity_regularizer=keras.regularizers.L2(activity) if activity else None)(inputs)
    model = (model_class or keras.Model)(inputs, outputs)
    model.compile(optimizer, "mse")
    return model


class Snapshots(keras.callbacks.Callback):
    """The weights before every train batch, and after the last."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_batch_begin(self, batch, logs=None):
        self.weights.append([w.copy() for w in self.model.get_weights()])

    def on_train_end(self, logs=None):
        self.weights.append([w.copy() for w in self.model.get_weights()])


def fit(model, log_dir, steps, **callback_args):
    x, t = data()
    snapshots = Snapshots()
    model.fit(x, t, batch_size=N, epochs=steps, verbose=0, shuffle=False,
              callbacks=[snapshots, tb_regloss.RegLossCallback(log_dir, **callback_args)])
    series, metadata = read_scalars(os.path.join(log_dir, "train"))
    return snapshots.weights, series, metadata


def data_gradient(kernel, bias, activity):
    """∂/∂kernel of the mean squared error and of the activity term, in float64."""
    x, t = (a.astype("float64") for a in data())
    y = x @ kernel + bias
    gradient = 2 / y.size * x.T @ (y - t)
    if activity:
        gradient += 2 * activity * x.T @ y / (N if _activity_is_a_mean() else 1)
    return gradient


def angle(before, after):
    ub, ua = before / np.linalg.norm(before), after / np.linalg.norm(after)
    return 2 * np.arctan2(np.linalg.norm(ua - ub), np.linalg.norm(ua + ub))


def expected_kernel(snapshots, step, penalty_gradient, activity=0.0):
    """The NumPy values of every per-weight quantity of ``d/kernel`` at ``step``."""
    (kernel, bias), (after, _) = [[w.astype("float64") for w in s] for s in snapshots[step:step + 2]]
    rest = data_gradient(kernel, bias, activity)
    penalty = penalty_gradient(kernel)
    return {
        "weight_norm": np.linalg.norm(kernel),
        "update_norm": np.linalg.norm(after - kernel),
        "angular_update": angle(kernel, after),
        "penalty_grad_norm": np.linalg.norm(penalty),
        "loss_grad_norm": np.linalg.norm(rest),
        "decay_ratio": np.linalg.norm(penalty) / np.linalg.norm(rest),
    }


def logged(series, quantity, key="d/kernel"):
    return series[tags.dynamics_tag(quantity, key)]


@pytest.mark.parametrize(
    "case",
    ["coupled L2, SGD with momentum", "L1 and an activity term, SGD", "decoupled AdamW, scheduled learning rate"],
)
def test_every_quantity_of_every_step_equals_numpy(tmp_path, case):
    activity = 0.0
    if case == "coupled L2, SGD with momentum":
        model = linear_model(keras.optimizers.SGD(0.05, momentum=0.9), keras.regularizers.L2(0.05))
        penalty = lambda w: 2 * 0.05 * w  # noqa: E731
        equilibrium = lambda step: np.sqrt(2 * 0.05 * (2 * 0.05) / (1 + 0.9))  # noqa: E731
    elif case == "L1 and an activity term, SGD":
        activity = 0.2
        model = linear_model(keras.optimizers.SGD(0.05), keras.regularizers.L1(0.01), activity=activity)
        penalty = lambda w: 0.01 * np.sign(w)  # noqa: E731
        equilibrium = None
    else:
        schedule = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=2, decay_rate=0.5)
        model = linear_model(keras.optimizers.AdamW(schedule, weight_decay=0.3, beta_1=0.8))
        penalty = lambda w: 0.3 * w  # noqa: E731
        equilibrium = lambda step: np.sqrt(2 * (0.01 * 0.5 ** (step / 2)) * 0.3 * (1 - 0.8) / (1 + 0.8))  # noqa: E731

    steps = 4
    snapshots, series, metadata = fit(model, str(tmp_path), steps, update_freq="batch", dynamics=True)
    for step in range(steps):
        expected = expected_kernel(snapshots, step, penalty, activity)
        for quantity, value in expected.items():
            assert logged(series, quantity)[step] == (step + 1, pytest.approx(value, rel=RTOL)), (quantity, step)
        if equilibrium is not None:
            point = logged(series, "angular_equilibrium")[step]
            assert point == (step + 1, pytest.approx(equilibrium(step), rel=RTOL))
    equilibrium_tag = tags.dynamics_tag("angular_equilibrium", "d/kernel")
    if equilibrium is None:
        assert equilibrium_tag not in series
    else:
        description = metadata[equilibrium_tag].summary_description
        optimizer = type(model.optimizer).__name__
        assert description.startswith("predicted equilibrium angle per step of d/kernel")
        assert optimizer in description and "η = the current learning rate " in description
        assert ("ExponentialDecay schedule" if case.startswith("decoupled") else "learning_rate = 0.05 when compiled") in description
    # Only weights with a regularizer or decoupled decay: AdamW decays the bias too.
    keys = {tags.parse_dynamics_tag(tag)[1] for tag in series if tags.parse_dynamics_tag(tag)}
    assert keys == ({"d/kernel", "d/bias"} if case.startswith("decoupled") else {"d/kernel"})


@pytest.mark.parametrize("step", [
    pytest.param("the keras.io guide's custom train_step", marks=pytest.mark.backends(
        "tensorflow", reason="the guide's TensorFlow step, written with GradientTape")),
    "a LossScaleOptimizer", "jit_compile"])
def test_the_same_values_whoever_writes_the_step(tmp_path, step):
    if step == "the keras.io guide's custom train_step":
        model = linear_model(keras.optimizers.SGD(0.05, momentum=0.9), keras.regularizers.L2(0.05),
                             model_class=GuideModel)
    elif step == "a LossScaleOptimizer":
        # Its gradients are scaled by 2**15; the optimizer it wraps gets them unscaled.
        model = linear_model(keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.05, momentum=0.9)),
                             keras.regularizers.L2(0.05))
    else:
        model = linear_model(keras.optimizers.SGD(0.05, momentum=0.9), keras.regularizers.L2(0.05))
        model.compile(model.optimizer, "mse", jit_compile=True)
    snapshots, series, _ = fit(model, str(tmp_path), 4, dynamics=True, update_freq="batch")
    for step_index in range(4):
        for quantity, value in expected_kernel(snapshots, step_index, lambda w: 2 * 0.05 * w).items():
            assert logged(series, quantity)[step_index] == (step_index + 1, pytest.approx(value, rel=RTOL)), \
                (quantity, step_index)


@pytest.mark.backends("tensorflow", "jax", reason="Keras allows steps_per_execution=1 only on PyTorch")
def test_steps_per_execution_writes_the_mean_of_the_steps_it_runs_at_once(tmp_path):
    x, t = data()
    runs = {}
    for executions in (1, 2):
        model = linear_model(keras.optimizers.SGD(0.05, momentum=0.9), keras.regularizers.L2(0.05))
        model.compile(model.optimizer, "mse", steps_per_execution=executions)
        log_dir = str(tmp_path / str(executions))
        model.fit(np.concatenate([x] * 4), np.concatenate([t] * 4), batch_size=N, epochs=1, verbose=0,
                  shuffle=False, callbacks=[tb_regloss.RegLossCallback(log_dir, update_freq="batch", dynamics=True)])
        runs[executions], _ = read_scalars(os.path.join(log_dir, "train"))
    for quantity in ("weight_norm", "angular_update", "decay_ratio", "angular_equilibrium"):
        one_by_one = [v for _, v in logged(runs[1], quantity)]
        pairs = [(2, np.mean(one_by_one[0:2])), (4, np.mean(one_by_one[2:4]))]
        assert logged(runs[2], quantity) == [(s, pytest.approx(v, rel=RTOL)) for s, v in pairs], quantity


def test_one_step_in_n_is_measured_and_a_point_averages_the_measured_steps(tmp_path):
    model = linear_model(keras.optimizers.SGD(0.05), keras.regularizers.L2(0.05))
    x, t = data()
    snapshots = Snapshots()
    model.fit(np.concatenate([x] * 6), np.concatenate([t] * 6), batch_size=N, epochs=1, verbose=0,
              shuffle=False, callbacks=[snapshots, tb_regloss.RegLossCallback(str(tmp_path / "epoch"), dynamics=3)])
    series, _ = read_scalars(str(tmp_path / "epoch" / "train"))
    # Steps at iterations 0 and 3 are measured; the epoch's point is their mean.
    norms = [np.linalg.norm(snapshots.weights[i][0]) for i in (0, 3)]
    assert logged(series, "weight_norm") == [(6, pytest.approx(np.mean(norms), rel=RTOL))]

    model = linear_model(keras.optimizers.SGD(0.05), keras.regularizers.L2(0.05))
    _, series, _ = fit(model, str(tmp_path / "batch"), 7, update_freq="batch", dynamics=3)
    # A point per batch for the loss, one per measured step for the dynamics.
    assert [step for step, _ in series[tags.TOTAL]] == list(range(1, 8))
    assert [step for step, _ in logged(series, "decay_ratio")] == [1, 4, 7]


def test_without_dynamics_nothing_is_measured(tmp_path):
    model = linear_model(keras.optimizers.SGD(0.05), keras.regularizers.L2(0.05))
    _, series, _ = fit(model, str(tmp_path), 2, update_freq="batch")
    assert not [tag for tag in series if tag.startswith(tags.DYNAMICS_PREFIX)]
    assert series[tags.penalty_tag("d/kernel")]


@pytest.mark.parametrize("bad", [-1, 0.5, "every", 0j])
def test_a_bad_dynamics_argument_names_the_fix(tmp_path, bad):
    with pytest.raises(ValueError, match=r"`dynamics` must be True .* Received: dynamics="):
        tb_regloss.RegLossCallback(str(tmp_path), dynamics=bad)


# How close the measured angular update must come to the prediction: the random-walk model behind
# it ignores the gradient's correlation over steps and the batch noise; over the last 200 of 1,000
# steps the measured means come within 4 % (AdamW) and 13 % (SGD with momentum) on this run.
EQUILIBRIUM_TOLERANCE = 0.2


@pytest.mark.once(reason="1,000 steps to check the theory: the values measured are those of the "
                        "TensorFlow backend on every backend (test_callback_backends.py, 'dynamics'), "
                        "and each pass checks them step by step above")
@pytest.mark.parametrize("optimizer", ["adamw", "sgdm"])
def test_scale_invariant_kernels_reach_the_predicted_rotational_equilibrium(tmp_path, optimizer):
    """Kosson et al. 2024 (AdamW) and Wan et al. 2020 (SGD with momentum), measured in the step."""
    rotational_equilibrium.run(str(tmp_path), optimizer, steps=1000)
    series, _ = read_scalars(str(tmp_path / "train"))

    def measured_over_predicted(key):
        # The last 4 points: steps 800 to 1,000, past 1/(ηλ) = 200 steps several times over.
        measured = np.mean([v for _, v in logged(series, "angular_update", key)[-4:]])
        return measured / logged(series, "angular_equilibrium", key)[-1][1]

    for key in ("conv1/kernel", "conv2/kernel"):  # normalized: scale-invariant
        assert measured_over_predicted(key) == pytest.approx(1, abs=EQUILIBRIUM_TOLERANCE), key
    # The head is not scale-invariant: the prediction does not hold for it.
    assert measured_over_predicted("head/kernel") < 0.5
