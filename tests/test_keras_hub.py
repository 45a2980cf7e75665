"""keras-hub LoRA fine-tuning: exact decoupled decay per LoRA weight, keys alike for every model built.

A tiny randomly initialised ``GPT2Backbone`` and ``GemmaBackbone`` (no preset,
no download) with ``enable_lora(4)`` under a small head, trained by AdamW
that excludes biases and normalization scales from decay, with
``RegLossCallback(update_freq="batch", dynamics=True)``. Skipped where
keras-hub is not installed (it is optional for tb-regloss).
"""

import re

import keras
import numpy as np
import pytest

import tb_regloss
from tb_regloss import keys
from tests.event_reader import read_scalars

keras_hub = pytest.importorskip("keras_hub")

WEIGHT_DECAY = 0.01
EXCLUDED = ["bias", "gamma", "beta"]
SEQUENCE = 6
VOCABULARY = 50


def _gpt2():
    return keras_hub.models.GPT2Backbone(
        vocabulary_size=VOCABULARY, num_layers=2, num_heads=2, hidden_dim=8, intermediate_dim=16,
        dropout=0.0, max_sequence_length=SEQUENCE)


def _gemma():
    return keras_hub.models.GemmaBackbone(
        vocabulary_size=VOCABULARY, num_layers=2, num_query_heads=2, num_key_value_heads=1, hidden_dim=8,
        intermediate_dim=16, head_dim=4)


# The backbones, the base of Keras' automatic name of each, and where LoRA goes in each block.
BACKBONES = {
    "gpt2": (_gpt2, "gpt2_backbone", "transformer_layer_{}/self_attention"),
    "gemma": (_gemma, "gemma_backbone", "decoder_block_{}/attention"),
}


def fine_tuning_model(make_backbone):
    """The backbone with LoRA of rank 4, its first token's features into an unnamed ``Dense(1)``."""
    backbone = make_backbone()
    backbone.enable_lora(4)
    inputs = {name: keras.Input((SEQUENCE,), dtype="int32", name=name) for name in ("token_ids", "padding_mask")}
    first_token = backbone(inputs)[:, 0, :]
    return keras.Model(inputs, keras.layers.Dense(1)(first_token))


def lora_keys(base, block):
    """The v2.1 keys of the LoRA weights of a two-block backbone named ``base`` by Keras."""
    return {f"{base}/{block.format(i)}/{projection}/lora_kernel_{ab}"
            for i in range(2) for projection in ("query", "value") for ab in "ab"}


def data(samples=12, seed=0):
    rng = np.random.default_rng(seed)
    x = {"token_ids": rng.integers(0, VOCABULARY, (samples, SEQUENCE)).astype("int32"),
         "padding_mask": np.ones((samples, SEQUENCE), "int32")}
    return x, rng.normal(size=(samples, 1)).astype("float32")


class _DecayedWeightsBeforeEachBatch(keras.callbacks.Callback):
    """NumPy copies of the weights AdamW decays, keyed as the test names them, before each batch."""

    def __init__(self, base):
        super().__init__()
        self.base = base
        self.snapshots = []

    def on_train_batch_begin(self, batch, logs=None):
        self.snapshots.append({self._key(v): v.numpy() for v in self.model.trainable_weights
                               if not any(re.search(name, v.name) for name in EXCLUDED)})

    def _key(self, variable):
        if variable.path.startswith(("transformer_layer_", "decoder_block_")):
            return f"{self.base}/{variable.path}"  # Keras' path leaves out the backbone
        return f"dense/{variable.name}"


@pytest.mark.parametrize("backbone", sorted(BACKBONES))
def test_lora_decoupled_decay_is_exact_and_keys_match_across_models(tmp_path, backbone):
    make_backbone, base, block = BACKBONES[backbone]
    model = fine_tuning_model(make_backbone)
    optimizer = keras.optimizers.AdamW(learning_rate=0.01, weight_decay=WEIGHT_DECAY)
    optimizer.exclude_from_weight_decay(var_names=EXCLUDED)
    model.compile(optimizer, "mse")
    snapshots = _DecayedWeightsBeforeEachBatch(base)
    x, y = data()
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(tmp_path, update_freq="batch", dynamics=True), snapshots])

    series, _ = read_scalars(tmp_path / "train")
    decoupled = {t[len("regloss/decoupled/"):] for t in series if t.startswith("regloss/decoupled/")}
    assert decoupled == lora_keys(base, block) | {"dense/kernel"} == set(snapshots.snapshots[0])
    for key in decoupled:
        expected = [WEIGHT_DECAY / 2 * np.sum(s[key].astype("float64") ** 2) for s in snapshots.snapshots]
        assert len(series[f"regloss/decoupled/{key}"]) == len(snapshots.snapshots) == 3
        np.testing.assert_allclose([v for _, v in series[f"regloss/decoupled/{key}"]], expected, rtol=1e-5)
        norms = [np.linalg.norm(s[key]) for s in snapshots.snapshots]
        np.testing.assert_allclose([v for _, v in series[f"regloss/dynamics/weight_norm/{key}"]], norms, rtol=1e-5)

    again = fine_tuning_model(make_backbone)
    assert _backbone(again).name != _backbone(model).name  # Keras numbers the second backbone
    assert _trainable_keys(again) == _trainable_keys(model)


def _trainable_keys(model):
    model_keys = keys.ModelKeys(model)
    return [model_keys.weight_key(v) for v in model.trainable_weights]


def _backbone(model):
    return next(layer for layer in model.layers if isinstance(layer, keras_hub.models.Backbone))
