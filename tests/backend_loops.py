"""A custom training loop with `RegLossWriter` on JAX or PyTorch, in its own process.

``KERAS_BACKEND=jax python tests/backend_loops.py LOG_DIR`` (or ``torch``) trains
``models.every_kind_model`` for three batches of ``models.images(24)`` with
SGD at learning rate 0, as the keras.io guides "Writing a training loop from
scratch" write it for that backend, and writes each step's decomposition with
``RegLossWriter(LOG_DIR)``. The weights it trained are saved to
``LOG_DIR/weights.npz`` for an independent computation.

Then the decay dynamics of a custom loop: a linear model with an L2, then an
L1 kernel regularizer trains three steps of SGD with momentum on the data of
``LOG_DIR/dynamics_data.npz``, its update applied by
``RegLossWriter.apply_gradients`` (PyTorch, JAX eagerly) or
``RegLossWriter.stateless_apply`` (a jitted JAX step), written to
``LOG_DIR/dynamics_<l2|l1>``; the weights before every step and after the last
are saved to ``LOG_DIR/dynamics_<l2|l1>.npz``. Keras fixes its
backend when it is imported, hence a process per backend. TensorFlow must not
be imported.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.modules["tensorflow"] = None  # as if it were not installed: importing it fails

BATCH = 8


def main(log_dir):
    import keras
    import numpy as np

    import tb_regloss
    from tests import models

    keras.utils.set_random_seed(0)
    model = models.every_kind_model()
    np.savez(os.path.join(log_dir, "weights.npz"), *model.get_weights())
    optimizer = keras.optimizers.SGD(learning_rate=0.0)
    loss_fn = keras.losses.MeanSquaredError()
    x, y = models.images(3 * BATCH)
    batches = [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, len(x), BATCH)]
    loop = {"jax": _jax_loop, "torch": _torch_loop}[keras.backend.backend()]
    with tb_regloss.RegLossWriter(log_dir) as writer:
        loop(model, optimizer, loss_fn, batches, writer)
    _dynamics_loops(log_dir)


def _dynamics_loops(log_dir):
    import keras
    import numpy as np

    import tb_regloss

    x, t = np.load(os.path.join(log_dir, "dynamics_data.npz")).values()
    loops = {"jax": (_jax_stateless_dynamics, _jax_eager_dynamics),
             "torch": (_torch_dynamics, _torch_dynamics)}[keras.backend.backend()]
    for name, regularizer, loop in (("l2", keras.regularizers.L2(0.05), loops[0]),
                                    ("l1", keras.regularizers.L1(0.05), loops[1])):
        keras.utils.set_random_seed(1)
        inputs = keras.Input((x.shape[1],))
        model = keras.Model(inputs, keras.layers.Dense(t.shape[1], name="d", kernel_regularizer=regularizer)(inputs))
        optimizer = keras.optimizers.SGD(0.05, momentum=0.9)
        snapshots = []
        with tb_regloss.RegLossWriter(os.path.join(log_dir, f"dynamics_{name}")) as writer:
            loop(model, optimizer, x, t, writer, snapshots)
        np.savez(os.path.join(log_dir, f"dynamics_{name}.npz"), *[w for s in snapshots for w in s])


def _jax_grad_fn(model):
    import jax
    import keras

    loss_fn = keras.losses.MeanSquaredError()

    def compute_loss_and_updates(trainable_variables, non_trainable_variables, x, y):
        y_pred, non_trainable_variables, losses = model.stateless_call(
            trainable_variables, non_trainable_variables, x, training=True, return_losses=True)
        return loss_fn(y, y_pred) + sum(losses), non_trainable_variables

    return jax.value_and_grad(compute_loss_and_updates, has_aux=True)


def _jax_stateless_dynamics(model, optimizer, x, t, writer, snapshots):
    import jax
    import numpy as np

    optimizer.build(model.trainable_variables)
    grad_fn = _jax_grad_fn(model)

    @jax.jit
    def train_step(state, data):
        trainable_variables, non_trainable_variables, optimizer_variables = state
        x, y = data
        (loss, non_trainable_variables), grads = grad_fn(trainable_variables, non_trainable_variables, x, y)
        trainable_variables, optimizer_variables = writer.stateless_apply(
            optimizer, optimizer_variables, grads, trainable_variables, model=model)
        return loss, (trainable_variables, non_trainable_variables, optimizer_variables)

    state = ([v.value for v in model.trainable_variables],
             [v.value for v in model.non_trainable_variables],
             [v.value for v in optimizer.variables])
    for _ in range(3):
        snapshots.append([np.array(v) for v in state[0]])
        _, state = train_step(state, (x, t))
    snapshots.append([np.array(v) for v in state[0]])


def _jax_eager_dynamics(model, optimizer, x, t, writer, snapshots):
    grad_fn = _jax_grad_fn(model)
    for _ in range(3):
        snapshots.append(model.get_weights())
        _, grads = grad_fn([v.value for v in model.trainable_variables],
                           [v.value for v in model.non_trainable_variables], x, t)
        writer.apply_gradients(optimizer, zip(grads, model.trainable_variables), model=model)
    snapshots.append(model.get_weights())


def _torch_dynamics(model, optimizer, x, t, writer, snapshots):
    import keras
    import torch

    loss_fn = keras.losses.MeanSquaredError()
    for _ in range(3):
        snapshots.append(model.get_weights())
        loss = loss_fn(t, model(x, training=True)) + sum(model.losses)
        model.zero_grad()
        loss.backward()
        gradients = [v.value.grad for v in model.trainable_weights]
        with torch.no_grad():
            writer.apply_gradients(optimizer, zip(gradients, model.trainable_weights), model=model)
    snapshots.append(model.get_weights())


def _jax_loop(model, optimizer, loss_fn, batches, writer):
    import jax

    import tb_regloss

    optimizer.build(model.trainable_variables)

    def compute_loss_and_updates(trainable_variables, non_trainable_variables, x, y):
        y_pred, non_trainable_variables, losses = model.stateless_call(
            trainable_variables, non_trainable_variables, x, training=True, return_losses=True)
        data_loss = loss_fn(y, y_pred)
        terms = tb_regloss.penalties(model, losses)
        return data_loss + sum(losses), (non_trainable_variables, data_loss, terms)

    grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)

    @jax.jit
    def train_step(state, data):
        trainable_variables, non_trainable_variables, optimizer_variables = state
        x, y = data
        (loss, (non_trainable_variables, data_loss, terms)), grads = grad_fn(
            trainable_variables, non_trainable_variables, x, y)
        trainable_variables, optimizer_variables = optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables)
        return loss, data_loss, terms, (trainable_variables, non_trainable_variables, optimizer_variables)

    state = ([v.value for v in model.trainable_variables],
             [v.value for v in model.non_trainable_variables],
             [v.value for v in optimizer.variables])
    for step, batch in enumerate(batches):
        loss, data_loss, terms, state = train_step(state, batch)
        writer.write(step, data_loss=data_loss, penalties=terms, total_loss=loss)


def _torch_loop(model, optimizer, loss_fn, batches, writer):
    import torch

    import tb_regloss

    for step, (x, y) in enumerate(batches):
        y_pred = model(x, training=True)
        data_loss = loss_fn(y, y_pred)
        terms = tb_regloss.penalties(model)
        loss = data_loss + sum(terms.values())
        model.zero_grad()
        loss.backward()
        gradients = [v.value.grad for v in model.trainable_weights]
        with torch.no_grad():
            optimizer.apply(gradients, model.trainable_weights)
        writer.write(step, data_loss=data_loss, penalties=terms, total_loss=loss)


if __name__ == "__main__":
    main(sys.argv[1])
