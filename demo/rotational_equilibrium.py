"""Rotational equilibrium, reproduced: what weight decay does to scale-invariant weights.

A small convolutional network whose convolutions are each followed by a
normalization (so their kernels are scale-invariant: the output does not
change when a kernel is scaled), trained on generated gratings with weight
decay chosen so that ``1/(ηλ)`` is 200 steps. Theory (Kosson et al. 2024,
"Rotational Equilibrium"; Wan et al. 2020 for SGD) predicts that such a
weight's angular update per step settles at ``√(2ηλ(1−β1)/(1+β1))`` under
AdamW and ``√(2ηλ/(1+α))`` under SGD with momentum α and L2 — whatever the
data. The run logs the decay dynamics (``RegLossCallback(dynamics=True)``):
the convolutions' ``angular_update`` meets ``angular_equilibrium``, while the
classifier head, which no normalization follows, rotates at its own pace.
"""

import keras

from demo import synthetic_cnn

SIZE, BATCH_SIZE, EXAMPLES = 16, 32, 512
# η·λ = 1/200: the equilibrium sets in within a few hundred steps.
ADAMW = {"learning_rate": 0.01, "weight_decay": 0.5}
SGDM = {"learning_rate": 0.05, "momentum": 0.9, "l2": 0.05}  # coupled L2: λ = 2·l2 = 0.1


def build_model(optimizer):
    """Two convolutions, each normalized (scale-invariant kernels), then a dense head.

    ``optimizer`` is ``"adamw"`` (decoupled decay on every weight) or ``"sgdm"``
    (SGD with momentum, L2 on every kernel).
    """
    l2 = keras.regularizers.L2(SGDM["l2"]) if optimizer == "sgdm" else None
    inputs = keras.Input((SIZE, SIZE, 1))
    h = inputs
    for name in ("conv1", "conv2"):
        h = keras.layers.Conv2D(16, 3, padding="same", use_bias=False, kernel_regularizer=l2, name=name)(h)
        # Without its own scale and offset the normalization makes the kernel scale-invariant.
        h = keras.layers.BatchNormalization(center=False, scale=False, name=name + "_norm")(h)
        h = keras.layers.ReLU(name=name + "_relu")(h)
    h = keras.layers.GlobalAveragePooling2D(name="gap")(h)
    outputs = keras.layers.Dense(synthetic_cnn.NUM_CLASSES, kernel_regularizer=l2, name="head")(h)
    model = keras.Model(inputs, outputs, name=f"equilibrium_{optimizer}")
    if optimizer == "adamw":
        chosen = keras.optimizers.AdamW(ADAMW["learning_rate"], weight_decay=ADAMW["weight_decay"])
    elif optimizer == "sgdm":
        chosen = keras.optimizers.SGD(SGDM["learning_rate"], momentum=SGDM["momentum"])
    else:
        raise ValueError(f"optimizer must be 'adamw' or 'sgdm'. Received: optimizer={optimizer!r}")
    model.compile(chosen, keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def epochs(steps):
    """The epochs that make at least ``steps`` steps."""
    return -(-steps * BATCH_SIZE // EXAMPLES)


def run(log_dir, optimizer="adamw", steps=1000, verbose=0, callbacks=()):
    """Trains ``steps`` steps with the dynamics logged every 50 steps; returns the Keras ``History``."""
    import tb_regloss

    x, y = synthetic_cnn.make_images(EXAMPLES, seed=0, size=SIZE)
    keras.utils.set_random_seed(0)
    model = build_model(optimizer)
    return model.fit(
        x, y, batch_size=BATCH_SIZE, epochs=epochs(steps), verbose=verbose,
        callbacks=[tb_regloss.RegLossCallback(log_dir, update_freq=50, dynamics=True), *callbacks],
    )
