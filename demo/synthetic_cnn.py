"""A small CNN on generated images, with every kind of penalty Keras knows.

Ten classes of 28×28 oriented gratings (orientation and frequency set the
class, phase and noise vary). The model has L2 on every kernel, an L1 activity
regularizer on its dense layer and a custom layer that adds a logit penalty
with ``add_loss`` — so the dashboard shows kernel, activity and add_loss terms.
"""

import keras
import numpy as np
from keras import layers, ops, regularizers

NUM_CLASSES, SIZE = 10, 28
LEARNING_RATE, BATCH_SIZE = 2e-3, 64


def make_images(n, seed=0, size=SIZE, channels=1):
    """Returns ``(images, labels)``: noisy gratings, float32 in [0, 1]."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, NUM_CLASSES, n)
    angle = labels * np.pi / 5 % np.pi + rng.normal(0, 0.08, n)
    freq = 0.25 + 0.15 * (labels >= 5) + rng.normal(0, 0.01, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    yy, xx = np.mgrid[0:size, 0:size].astype("float32")
    coord = (np.cos(angle)[:, None, None] * xx + np.sin(angle)[:, None, None] * yy)
    images = 0.5 + 0.5 * np.sin(freq[:, None, None] * coord + phase[:, None, None])
    images = np.repeat(images[..., None], channels, axis=-1)
    images += rng.normal(0, 0.3, images.shape)
    return images.astype("float32"), labels.astype("int32")


class LogitPenalty(layers.Layer):
    """Adds ``factor · mean(logits²)`` to the loss (logit squeezing)."""

    def __init__(self, factor=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, logits):
        self.add_loss(self.factor * ops.mean(ops.square(logits)))
        return logits

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def build_model(l2=1e-3, optimizer=None):
    """The CNN; ``l2=0`` leaves the kernels without penalty (e.g. for AdamW)."""
    l2r = regularizers.l2(l2) if l2 else None
    inputs = keras.Input((SIZE, SIZE, 1))
    h = layers.Conv2D(16, 3, activation="relu", kernel_regularizer=l2r, name="conv1")(inputs)
    h = layers.MaxPooling2D(name="pool1")(h)
    h = layers.Conv2D(32, 3, activation="relu", kernel_regularizer=l2r, name="conv2")(h)
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    h = layers.Dense(64, activation="relu", kernel_regularizer=l2r,
                     activity_regularizer=regularizers.l1(1e-4), name="fc")(h)
    logits = layers.Dense(NUM_CLASSES, kernel_regularizer=l2r, name="logits")(h)
    outputs = LogitPenalty(1e-3, name="logit_penalty")(logits)
    model = keras.Model(inputs, outputs, name="grating_cnn")
    model.compile(
        optimizer or keras.optimizers.Adam(LEARNING_RATE),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def adamw_optimizer(weight_decay=0.05):
    """AdamW as recipes set it up: decoupled decay on the kernels, the biases excluded.

    One ``exclude_from_weight_decay`` call with every name: in Keras 3 each call
    replaces the one before.
    """
    optimizer = keras.optimizers.AdamW(LEARNING_RATE, weight_decay=weight_decay)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    return optimizer


def run(log_dir, epochs=8, n_train=2048, verbose=2, adamw=False, l2=1e-3, callbacks=()):
    """Trains the CNN and returns its Keras ``History``.

    ``l2`` is the factor of the penalty on every kernel: under Adam, the setup
    the decay plan flags (``l2_under_adaptive_optimizer``). With ``adamw=True``
    the kernels carry no L2 penalty; AdamW decays them instead (decoupled, the
    biases excluded: a plan without findings), which the dashboard shows in
    its own chart.
    """
    import tb_regloss

    x, y = make_images(n_train, seed=0)
    x_val, y_val = make_images(512, seed=1)
    # The same initial weights in every run: without a seed, the sweep's cnn_l2_1e-2 collapsed in
    # some runs and learned to 91 % in others.
    keras.utils.set_random_seed(0)
    if adamw:
        model = build_model(l2=0, optimizer=adamw_optimizer())
    else:
        model = build_model(l2)
    return model.fit(
        x, y, batch_size=BATCH_SIZE, epochs=epochs, validation_data=(x_val, y_val), verbose=verbose,
        callbacks=[tb_regloss.RegLossCallback(log_dir, update_freq=4, dynamics=True), *callbacks],
    )
