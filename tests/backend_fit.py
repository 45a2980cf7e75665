"""``fit`` with `RegLossCallback` on one Keras backend, in its own process.

``KERAS_BACKEND=jax python tests/backend_fit.py LOG_DIR`` (or ``torch``,
``tensorflow``) trains ``models.every_kind_model`` with the same weights
(drawn by NumPy) and data on every backend, in the patterns users write:

- ``builtin``: Keras' own steps, validation each epoch, ``update_freq="batch"``;
- ``fused``: the same with ``steps_per_execution=2`` (not on PyTorch, where
  Keras allows 1 only);
- ``eager``: the same with ``run_eagerly=True``;
- ``guide``: the custom ``train_step``/``test_step`` of the keras.io guide
  "Customizing what happens in fit()" for that backend, calling
  ``self.compute_loss``, on ``models.activity_and_add_loss_model``;
- ``resumed``: one epoch, then a new callback and a new ``fit`` on the same
  ``log_dir`` (``initial_epoch=1``);
- ``adamw``: AdamW at learning rate 0 with ``weight_decay``: the decoupled terms;
- ``dynamics``: ``dynamics=True`` under SGD with momentum at learning rate
  0.05, so the weights move (one epoch: rounding stays far below 1e-5).

Learning rates are 0 and the weights are drawn by NumPy, so the series of
every backend must be equal. With ``--no-tensorflow`` TensorFlow is blocked
(as if not installed). With ``--data-parallel`` (JAX) the process has two
host CPU devices and trains under ``keras.distribution.DataParallel``. Keras fixes its backend at import, hence a process
per backend.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if "--no-tensorflow" in sys.argv:
    sys.modules["tensorflow"] = None  # importing it fails
if "--data-parallel" in sys.argv:
    os.environ["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2"

BATCH = 8
SAMPLES = 40  # five batches per epoch
SCENARIOS = ("builtin", "fused", "eager", "guide", "resumed", "adamw", "dynamics")


def main(log_dir):
    import keras
    import numpy as np

    import tb_regloss
    from tests import models

    backend = keras.backend.backend()
    if "--data-parallel" in sys.argv:
        import jax

        assert len(jax.devices()) == 2, jax.devices()
        keras.distribution.set_distribution(keras.distribution.DataParallel())
    x, y = models.images(SAMPLES)
    x_val, y_val = models.images(2 * BATCH, seed=1)
    def model_for(scenario):
        model = _guide_model(backend) if scenario == "guide" else models.every_kind_model()
        model.set_weights([np.random.default_rng(i).normal(0, 0.3, w.shape).astype("float32")
                           for i, w in enumerate(model.get_weights())])
        optimizer = {"adamw": keras.optimizers.AdamW(learning_rate=0.0, weight_decay=0.1),
                     "dynamics": keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)}.get(
            scenario, keras.optimizers.SGD(learning_rate=0.0))
        if scenario == "guide":  # as the guide compiles it
            model.compile(optimizer, "mse", metrics=["mae"])
        else:
            model.compile(optimizer, "mse", run_eagerly=scenario == "eager",
                          steps_per_execution=2 if scenario == "fused" else 1)
        return model

    chosen = [a for a in sys.argv[2:] if a in SCENARIOS] or SCENARIOS
    for scenario in chosen:
        if scenario == "fused" and backend == "torch":
            continue
        run_dir = os.path.join(log_dir, scenario)
        model = model_for(scenario)
        epochs = {"resumed": [(0, 1), (1, 2)], "dynamics": [(0, 1)]}.get(scenario, [(0, 2)])
        val_loss, loss = [], []
        for initial_epoch, last in epochs:
            callback = tb_regloss.RegLossCallback(run_dir, update_freq="batch",
                                                  dynamics=scenario == "dynamics")
            history = model.fit(x, y, batch_size=BATCH, epochs=last, initial_epoch=initial_epoch,
                                validation_data=(x_val, y_val), callbacks=[callback], verbose=0,
                                shuffle=False)
            val_loss += history.history.get("val_loss", [])
            loss += history.history.get("loss", [])
        if scenario != "guide":  # the guides' steps log no loss of their own
            assert {"data_loss", "reg_loss", "val_data_loss"} <= set(history.history), history.history
        if val_loss:  # not from the JAX guide's step: it logs its last metric only
            np.save(os.path.join(run_dir, "val_loss.npy"), val_loss)
            np.save(os.path.join(run_dir, "loss.npy"), loss)
        evaluated = model.evaluate(x_val, y_val, batch_size=BATCH, verbose=0, return_dict=True)
        np.save(os.path.join(run_dir, "evaluated_loss.npy"), evaluated.get("loss", np.nan))


def _guide_model(backend):
    """``models.every_kind_model`` as an instance of the guide's custom model class."""

    from tests import models

    # No weight regularizer: on JAX, Keras itself fails to compute one in this
    # step (the variables are held by fit, the guide's compute_loss runs
    # outside their scope); its activity and add_loss terms stay in the
    # guide's stateless_call there, so Keras' loss on JAX is the data loss.
    base = models.activity_and_add_loss_model()
    cls = {"jax": _jax_guide_class, "torch": _torch_guide_class,
           "tensorflow": _tensorflow_guide_class}[backend]()
    return cls(base.inputs, base.outputs)


def _jax_guide_class():
    import jax
    import keras

    class CustomModel(keras.Model):
        # keras.io, "Customizing what happens in fit() with JAX", first example.
        def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, x, y,
                                     training=False):
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables, non_trainable_variables, x, training=training)
            loss = self.compute_loss(x, y, y_pred)
            return loss, (y_pred, non_trainable_variables)

        def train_step(self, state, data):
            trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
            x, y = data
            grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
            (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
                trainable_variables, non_trainable_variables, x, y, training=True)
            trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables)
            new_metrics_vars, logs = [], []
            for metric in self.metrics:
                this_metric_vars = metrics_variables[
                    len(new_metrics_vars): len(new_metrics_vars) + len(metric.variables)]
                if metric.name == "loss":
                    this_metric_vars = metric.stateless_update_state(this_metric_vars, loss)
                else:
                    this_metric_vars = metric.stateless_update_state(this_metric_vars, y, y_pred)
                logs = metric.stateless_result(this_metric_vars)
                new_metrics_vars += this_metric_vars
            state = (trainable_variables, non_trainable_variables, optimizer_variables, new_metrics_vars)
            return logs, state

        def test_step(self, state, data):
            x, y = data
            trainable_variables, non_trainable_variables, metrics_variables = state
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables, non_trainable_variables, x, training=False)
            loss = self.compute_loss(x, y, y_pred)
            new_metrics_vars, logs = [], []
            for metric in self.metrics:
                this_metric_vars = metrics_variables[
                    len(new_metrics_vars): len(new_metrics_vars) + len(metric.variables)]
                if metric.name == "loss":
                    this_metric_vars = metric.stateless_update_state(this_metric_vars, loss)
                else:
                    this_metric_vars = metric.stateless_update_state(this_metric_vars, y, y_pred)
                logs = metric.stateless_result(this_metric_vars)
                new_metrics_vars += this_metric_vars
            state = (trainable_variables, non_trainable_variables, new_metrics_vars)
            return logs, state

    return CustomModel


def _torch_guide_class():
    import keras
    import torch

    class CustomModel(keras.Model):
        # keras.io, "Customizing what happens in fit() with PyTorch", first example.
        def train_step(self, data):
            x, y = data
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            self.zero_grad()
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    return CustomModel


def _tensorflow_guide_class():
    from tests import test_keras_patterns

    return test_keras_patterns.GuideModel  # the TensorFlow guide's first example, with its test_step


if __name__ == "__main__":
    main(sys.argv[1])
