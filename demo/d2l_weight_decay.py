"""The weight-decay experiment of Dive into Deep Learning (section 3.7), in Keras 3.

High-dimensional linear regression with far fewer examples than inputs:
y = 0.05 + 0.01·Σx + ε, ε ~ N(0, 0.01²), 200 inputs, 20 training and 100
validation examples. Without decay the model fits the noise; with decay the
validation data loss ends far lower. tb-regloss shows why: the penalty term
pulls the weights down while the data loss is traded off against it.
"""

import keras
import numpy as np

NUM_INPUTS, N_TRAIN, N_VAL, BATCH_SIZE = 200, 20, 100, 5


def make_data(seed=0):
    """Returns ``(x_train, y_train), (x_val, y_val)`` of the book's synthetic task."""
    rng = np.random.default_rng(seed)

    def split(n):
        x = rng.standard_normal((n, NUM_INPUTS)).astype("float32")
        noise = rng.standard_normal((n, 1)).astype("float32") * 0.01
        return x, 0.05 + 0.01 * x.sum(axis=1, keepdims=True) + noise

    return split(N_TRAIN), split(N_VAL)


def build_model(wd):
    """``Dense(1)`` with ``l2(wd)`` on its kernel, SGD with learning rate 0.01."""
    model = keras.Sequential(
        [
            keras.Input((NUM_INPUTS,)),
            keras.layers.Dense(
                1,
                kernel_initializer=keras.initializers.RandomNormal(stddev=1.0, seed=1),
                kernel_regularizer=keras.regularizers.l2(wd) if wd else None,
                name="linear",
            ),
        ],
        name=f"d2l_wd{wd}",
    )
    model.compile(keras.optimizers.SGD(learning_rate=0.01), "mse")
    return model


def run(log_dir, wd, epochs=100, verbose=2, callbacks=()):
    """Trains one run and returns its Keras ``History``."""
    import tb_regloss

    (x, y), (x_val, y_val) = make_data()
    model = build_model(wd)
    return model.fit(
        x, y, batch_size=BATCH_SIZE, epochs=epochs, validation_data=(x_val, y_val),
        verbose=verbose,
        callbacks=[tb_regloss.RegLossCallback(log_dir, update_freq="batch"), *callbacks],
    )
