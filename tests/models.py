"""Small models for the tests, each showing one kind of penalty."""

import keras
import numpy as np
from keras import layers, ops, regularizers

from tb_regloss import _keras


def as_float(tensor):
    """A scalar tensor as a Python float, read through NumPy (on PyTorch, ``float()`` of a tensor
    that has a gradient warns)."""
    return float(ops.convert_to_numpy(tensor))


def as_floats(tensors):
    """Key -> `as_float` of each scalar tensor of a dict (e.g. what ``tb_regloss.penalties`` returns)."""
    return {key: as_float(value) for key, value in tensors.items()}


def _activity_is_a_mean():
    return _keras.version.installed_version() >= (3, 14)


def activity_term(factor, outputs):
    """An L2 activity term as Keras adds it: since Keras 3.14 divided by the batch size."""
    divisor = len(outputs) if _activity_is_a_mean() else 1
    return factor * np.sum(np.square(outputs)) / divisor


def seed_case_model():
    """Conv2D(32, 1, kernel L2 0.01) → GAP → Dense(1), SGD with learning rate 0."""
    inputs = keras.Input((4, 4, 3))
    h = layers.Conv2D(32, 1, kernel_regularizer=regularizers.l2(0.01), name="conv")(inputs)
    h = layers.GlobalAveragePooling2D(name="gap")(h)
    outputs = layers.Dense(1, name="head")(h)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    return model


def images(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 4, 4, 3), dtype=np.float32), rng.random((n, 1), dtype=np.float32)


class NoisePenalty(layers.Layer):
    """A custom layer adding ``factor * mean(x**2)`` with ``add_loss``."""

    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        self.add_loss(self.factor * ops.mean(ops.square(x)))
        return x


def activity_and_add_loss_model():
    """Dense with an activity regularizer, then a custom add_loss layer."""
    inputs = keras.Input((4, 4, 3))
    h = layers.Flatten(name="flat")(inputs)
    h = layers.Dense(8, activity_regularizer=regularizers.l2(0.1), name="act")(h)
    h = NoisePenalty(0.5, name="noise")(h)
    outputs = layers.Dense(1, name="head")(h)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    return model


def every_kind_model():
    """Kernel and bias L2, an activity regularizer and an add_loss term; SGD 0.05.

    Before Keras 3.14 an activity term is a sum over the batch, so the loss
    depends on how a strategy splits it: there, the model has no activity
    regularizer (the distribution tests compare strategies).
    """
    inputs = keras.Input((4, 4, 3))
    h = layers.Conv2D(8, 1, kernel_regularizer=regularizers.l2(0.01), name="conv")(inputs)
    h = layers.Flatten(name="flat")(h)
    h = layers.Dense(8, bias_regularizer=regularizers.l2(0.02),
                     activity_regularizer=regularizers.l2(0.1) if _activity_is_a_mean() else None,
                     name="act")(h)
    h = NoisePenalty(0.5, name="noise")(h)
    outputs = layers.Dense(1, name="head")(h)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    return model


def plain_model():
    inputs = keras.Input((4, 4, 3))
    outputs = layers.Dense(1)(layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(learning_rate=0.01), "mse")
    return model


def tiny_transformer(lora_rank=None, **regularizers_by_argument):
    """A transformer-ish model of token ids: Embedding → LayerNormalization → EinsumDense → Dense.

    Layers ``token_embedding`` (20 tokens × 8), ``ln``, ``attn`` (8 → 8, bias
    on the last axis) and ``head`` (8 → 4); ``regularizers_by_argument``
    (e.g. ``kernel_regularizer=L2(0.01)``) go to every layer that takes them.
    With ``lora_rank``, ``enable_lora`` on ``attn`` and ``head`` freezes their
    kernels and adds the adapters.
    """
    def given(*names):
        return {n: regularizers_by_argument[n] for n in names if n in regularizers_by_argument}

    tokens = keras.Input((6,), dtype="int32")
    h = layers.Embedding(20, 8, name="token_embedding", **given("embeddings_regularizer"))(tokens)
    h = layers.LayerNormalization(name="ln", **given("gamma_regularizer", "beta_regularizer"))(h)
    h = layers.EinsumDense("abc,cd->abd", output_shape=(None, 8), bias_axes="d", name="attn",
                           **given("kernel_regularizer", "bias_regularizer"))(h)
    outputs = layers.Dense(4, name="head", **given("kernel_regularizer", "bias_regularizer"))(h)
    model = keras.Model(tokens, outputs, name="tiny_transformer")
    if lora_rank:
        model.get_layer("attn").enable_lora(lora_rank)
        model.get_layer("head").enable_lora(lora_rank)
    return model


def token_batches(n, seed=0):
    """``n`` sequences of 6 token ids and their (n, 6, 4) targets."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 20, (n, 6)).astype("int32"), rng.random((n, 6, 4), dtype=np.float32)
