"""A custom training loop with `RegLossWriter` on JAX or PyTorch, in its own process.

``KERAS_BACKEND=jax python tests/backend_loops.py LOG_DIR`` (or ``torch``) trains
``models.every_kind_model`` for three batches of ``models.images(24)`` with
SGD at learning rate 0, as the keras.io guides "Writing a training loop from
scratch" write it for that backend, and writes each step's decomposition with
``RegLossWriter(LOG_DIR)``; then checks that ``RegLossWriter.apply_gradients``
refuses this backend naming the fix. The weights it trained are saved to
``LOG_DIR/weights.npz`` for an independent computation. Keras fixes its
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
    # What needs TensorFlow's step says so, naming the way that works here.
    try:
        writer.apply_gradients(optimizer, [], model=model)
    except RuntimeError as error:
        assert "RegLossWriter" in str(error) and keras.backend.backend() in str(error), error
    else:
        raise AssertionError("no error")


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
