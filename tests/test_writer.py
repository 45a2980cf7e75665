"""RegLossWriter in a custom GradientTape loop, eagerly and inside tf.function."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import tb_regloss
from tb_regloss import tags
from tests import models
from tests.event_reader import read_scalars


TENSORFLOW_API = pytest.mark.backends("tensorflow", reason="written with TensorFlow's own API (tf.function, GradientTape, tf.distribute)")


@TENSORFLOW_API
def test_gradient_tape_loop_inside_tf_function(tmp_path):
    model = models.activity_and_add_loss_model()
    optimizer = keras.optimizers.SGD(0.01)
    loss_fn = keras.losses.MeanSquaredError()
    x, y = models.images(32)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    writer = tb_regloss.RegLossWriter(tmp_path)
    seen = []

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            data_loss = loss_fn(yb, model(xb, training=True))
            terms = tb_regloss.penalties(model)
            loss = data_loss + tf.add_n(list(terms.values()))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        writer.write(optimizer.iterations, data_loss=data_loss, penalties=terms)
        return loss, data_loss, terms

    with writer:
        for xb, yb in dataset:
            loss, data, terms = train_step(xb, yb)
            seen.append((float(loss), float(data), {k: float(v) for k, v in terms.items()}))

    series, metadata = read_scalars(tmp_path)
    assert set(series) == {"regloss/total", "regloss/data",
                           "regloss/penalty/act/activity", "regloss/penalty/noise/add_loss"}
    assert [s for s, _ in series["regloss/total"]] == [1, 2, 3, 4]
    for i, (loss, data, terms) in enumerate(seen):
        np.testing.assert_allclose(series["regloss/total"][i][1], loss, rtol=1e-6)
        np.testing.assert_allclose(series["regloss/data"][i][1], data, rtol=1e-6)
        np.testing.assert_allclose(series["regloss/penalty/act/activity"][i][1],
                                   terms["act/activity"], rtol=1e-6)
    assert all(m.plugin_data.plugin_name == "scalars" for m in metadata.values())


def test_eager_write_with_explicit_total_and_descriptions(tmp_path):
    with tb_regloss.RegLossWriter(tmp_path) as writer:
        writer.write(5, data_loss=1.0, penalties={"conv/kernel": 0.25},
                     total_loss=1.5, descriptions={"conv/kernel": "L2(l2=0.01)"})
        writer.write(6, data_loss=np.float64(2.0), penalties={})
    series, metadata = read_scalars(tmp_path)
    assert series["regloss/total"] == [(5, 1.5), (6, 2.0)]
    assert series["regloss/penalty/conv/kernel"] == [(5, 0.25)]
    assert metadata["regloss/penalty/conv/kernel"].summary_description == "L2(l2=0.01)"


@TENSORFLOW_API
def test_descriptions_survive_a_tf_function_traced_twice(tmp_path):
    # The first call builds the optimizer (its momentum variables), so TensorFlow
    # traces train_step twice: the discarded first trace must not use up the descriptions.
    model = models.activity_and_add_loss_model()
    optimizer = keras.optimizers.SGD(0.01, momentum=0.9)
    x, y = models.images(16)
    writer = tb_regloss.RegLossWriter(tmp_path)
    traces = []

    @tf.function
    def train_step(xb, yb):
        traces.append(1)
        with tf.GradientTape() as tape:
            data_loss = keras.losses.MeanSquaredError()(yb, model(xb, training=True))
            terms = tb_regloss.penalties(model)
            loss = data_loss + tf.add_n(list(terms.values()))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        writer.write(optimizer.iterations, data_loss=data_loss, penalties=terms,
                     descriptions={"act/activity": "L2 on the activity of act"})

    with writer:
        for i in range(0, 16, 8):
            train_step(x[i:i + 8], y[i:i + 8])
    assert len(traces) == 2
    series, metadata = read_scalars(tmp_path)
    assert [s for s, _ in series["regloss/penalty/act/activity"]] == [1, 2]
    assert metadata["regloss/penalty/act/activity"].summary_description == "L2 on the activity of act"


def test_bad_input_names_the_fix(tmp_path):
    writer = tb_regloss.RegLossWriter(tmp_path)
    with pytest.raises(TypeError, match=r"dict from key to scalar.*Received: penalties="):
        writer.write(1, data_loss=1.0, penalties=[0.1])
    with pytest.raises(ValueError, match=r"`data_loss` to be a scalar.*(reduce_mean|ops.mean)"):
        writer.write(1, data_loss=[1.0, 2.0], penalties={})


@TENSORFLOW_API
def test_per_replica_values_outside_the_strategy_scope_name_the_fix(tmp_path):
    from tensorflow.python.distribute.values import PerReplica

    per_replica = PerReplica((tf.constant(1.0), tf.constant(2.0)))
    with pytest.raises(ValueError, match=r"RegLossWriter\(log_dir, strategy=strategy\)"):
        tb_regloss.RegLossWriter(tmp_path).write(1, data_loss=per_replica, penalties={})
    assert not list(tmp_path.iterdir())


@TENSORFLOW_API
def test_the_users_record_if_is_respected(tmp_path):
    with tb_regloss.RegLossWriter(tmp_path) as writer:
        with tf.summary.record_if(False):
            writer.write(1, data_loss=1.0, penalties={"conv/kernel": 0.5})
        writer.write(2, data_loss=2.0, penalties={"conv/kernel": 0.5})
    series, _ = read_scalars(tmp_path)
    assert series["regloss/total"] == [(2, 2.5)]


@TENSORFLOW_API
def test_apply_gradients_writes_the_decay_dynamics_of_a_custom_loop(tmp_path):
    from tests.test_dynamics import N, RTOL, data, expected_kernel, linear_model, logged

    model = linear_model(keras.optimizers.SGD(0.05, momentum=0.9), keras.regularizers.L2(0.05))
    optimizer, loss_fn = model.optimizer, keras.losses.MeanSquaredError()
    writer = tb_regloss.RegLossWriter(tmp_path / "train")
    x, t = data()

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = loss_fn(t, model(x, training=True)) + tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_variables)
        writer.apply_gradients(optimizer, zip(grads, model.trainable_variables), model=model)

    snapshots = []
    with writer:
        for _ in range(3):
            snapshots.append([w.copy() for w in model.get_weights()])
            train_step()
    snapshots.append([w.copy() for w in model.get_weights()])
    assert len(x) == N
    series, metadata = read_scalars(str(tmp_path / "train"))
    for step in range(3):
        for quantity, value in expected_kernel(snapshots, step, lambda w: 2 * 0.05 * w).items():
            assert logged(series, quantity)[step] == (step + 1, pytest.approx(value, rel=RTOL)), quantity
    assert logged(series, "angular_equilibrium")[0][1] == pytest.approx(np.sqrt(2 * 0.05 * 0.1 / 1.9), rel=RTOL)
    assert "SGD" in metadata["regloss/dynamics/angular_equilibrium/d/kernel"].summary_description


@TENSORFLOW_API
def test_apply_gradients_refuses_a_loss_scale_optimizer_naming_the_fix(tmp_path):
    model = models.seed_case_model()
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1))
    grads = [tf.zeros_like(v) for v in model.trainable_variables]
    with pytest.raises(ValueError, match="inner_optimizer"):
        tb_regloss.RegLossWriter(tmp_path).apply_gradients(
            optimizer, zip(grads, model.trainable_variables), model=model)


@pytest.mark.backends("tensorflow", reason="runs every backend in processes of its own")
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_custom_loops_of_jax_and_pytorch_write_the_decomposition_without_tensorflow(tmp_path, backend):
    pytest.importorskip(backend)
    import os
    import subprocess
    import sys

    from tests.test_dynamics import data, expected_kernel, logged

    np.savez(tmp_path / "dynamics_data.npz", *data())
    script = os.path.join(os.path.dirname(__file__), "backend_loops.py")
    subprocess.run([sys.executable, script, str(tmp_path)], check=True,
                   env={**os.environ, "KERAS_BACKEND": backend})
    conv_k, conv_b, act_k, act_b, head_k, head_b = np.load(tmp_path / "weights.npz").values()
    x, y = models.images(24)
    series, metadata = read_scalars(tmp_path)
    for step in range(3):
        xb, yb = x[8 * step:8 * step + 8], y[8 * step:8 * step + 8]
        act = (xb @ conv_k[0, 0] + conv_b).reshape(8, -1) @ act_k + act_b  # the 1×1 convolution, flattened
        out = act @ head_k + head_b
        data = np.mean((yb - out) ** 2)
        terms = {"conv/kernel": 0.01 * np.sum(conv_k ** 2), "act/bias": 0.02 * np.sum(act_b ** 2),
                 "noise/add_loss": 0.5 * np.mean(act ** 2)}
        if models.every_kind_model().get_layer("act").activity_regularizer is not None:
            terms["act/activity"] = models.activity_term(0.1, act)
        assert {t for t in series if t.startswith("regloss/penalty/")} == {f"regloss/penalty/{k}" for k in terms}
        assert series["regloss/data"][step] == (step, pytest.approx(data, rel=1e-5))
        for key, value in terms.items():
            assert series[f"regloss/penalty/{key}"][step] == (step, pytest.approx(value, rel=1e-5)), key
        assert series["regloss/total"][step] == (step, pytest.approx(data + sum(terms.values()), rel=1e-5))
    assert metadata["regloss/total"].summary_description  # total and data are described
    # The decay dynamics its custom loops wrote, against NumPy on the weights before and after each step.
    for name, penalty_gradient in (("l2", lambda w: 2 * 0.05 * w), ("l1", lambda w: 0.05 * np.sign(w))):
        saved = list(np.load(tmp_path / f"dynamics_{name}.npz").values())
        snapshots = [saved[i:i + 2] for i in range(0, len(saved), 2)]  # kernel and bias per step
        series, metadata = read_scalars(str(tmp_path / f"dynamics_{name}"))
        assert len(snapshots) == 4
        for step in range(3):
            for quantity, value in expected_kernel(snapshots, step, penalty_gradient).items():
                assert logged(series, quantity)[step] == (step + 1, pytest.approx(value, rel=1e-4)), (name, quantity)
        if name == "l2":
            assert logged(series, "angular_equilibrium")[0][1] == pytest.approx(np.sqrt(2 * 0.05 * 0.1 / 1.9), rel=1e-4)
            assert "SGD" in metadata["regloss/dynamics/angular_equilibrium/d/kernel"].summary_description
        else:
            assert tags.dynamics_tag("angular_equilibrium", "d/kernel") not in series
