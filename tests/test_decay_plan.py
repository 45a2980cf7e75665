"""tb_regloss.decay_plan on models written as users write them, against hand-derived plans.

Each expected plan is read off the model's definition: keys from the layer
names, parameter counts from the layer sizes, λ from the optimizer's
arguments and its exclusions as Keras documents them.
"""

import dataclasses

import keras
import pytest
from keras import layers, optimizers, regularizers

import tb_regloss
from tb_regloss import decay_plans
from tb_regloss import _keras
from tests import models

L2 = "L2(l2=0.001)"
# The tiny transformer's trainable weights, without LoRA: key -> parameters.
DENSE_WEIGHTS = {
    "token_embedding/embeddings": 20 * 8,
    "ln/gamma": 8,
    "ln/beta": 8,
    "attn/kernel": 8 * 8,
    "attn/bias": 8,
    "head/kernel": 8 * 4,
    "head/bias": 4,
}
# With enable_lora(2) on attn and head: their kernels are frozen, the adapters trained.
LORA_WEIGHTS = {
    "token_embedding/embeddings": 20 * 8,
    "ln/gamma": 8,
    "ln/beta": 8,
    "attn/bias": 8,
    "attn/lora_kernel_a": 8 * 2,
    "attn/lora_kernel_b": 2 * 8,
    "head/bias": 4,
    "head/lora_kernel_a": 8 * 2,
    "head/lora_kernel_b": 2 * 4,
}


def plan_of(model, **kwargs):
    return {e.key: (e.parameters, e.coupled, e.decoupled, e.findings)
            for e in tb_regloss.decay_plan(model, **kwargs)}


def expected(weights, coupled=(), decoupled=None, findings=None):
    """The plan of ``weights`` (key -> parameters): ``coupled`` keys carry `L2`,
    ``decoupled`` maps keys to λ, ``findings`` keys to their codes."""
    decoupled, findings = decoupled or {}, findings or {}
    return {key: (n, L2 if key in coupled else None, decoupled.get(key), findings.get(key, ()))
            for key, n in weights.items()}


def mlp(**dense_kwargs):
    inputs = keras.Input((4,))
    h = layers.Dense(3, name="hidden", **dense_kwargs)(inputs)
    return keras.Model(inputs, layers.Dense(1, name="out", **dense_kwargs)(h))


MLP_WEIGHTS = {"hidden/kernel": 12, "hidden/bias": 3, "out/kernel": 3, "out/bias": 1}


def test_sgd_with_l2_on_kernels_only_has_no_finding():
    model = mlp(kernel_regularizer=regularizers.L2(0.001))
    model.compile(optimizers.SGD(0.1), "mse")
    assert plan_of(model) == expected(MLP_WEIGHTS, coupled={"hidden/kernel", "out/kernel"})
    assert decay_plans.findings(tb_regloss.decay_plan(model)) == []


def test_adamw_excluding_norms_biases_and_embeddings_has_no_finding():
    model = models.tiny_transformer()
    optimizer = optimizers.AdamW(weight_decay=0.004)
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta", "embeddings"])
    model.compile(optimizer, "mse")
    assert plan_of(model) == expected(DENSE_WEIGHTS, decoupled={"attn/kernel": 0.004, "head/kernel": 0.004})


def test_keras_io_gpt2_lora_triple_exclusion_keeps_only_the_last():
    # keras.io "Parameter-efficient fine-tuning of GPT-2 with LoRA" calls
    # exclude_from_weight_decay three times; each call replaces the one before,
    # so only the betas are excluded.
    model = models.tiny_transformer(lora_rank=2)
    optimizer = optimizers.AdamW(learning_rate=5e-5, weight_decay=0.01, epsilon=1e-6, global_clipnorm=1.0)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.exclude_from_weight_decay(var_names=["gamma"])
    optimizer.exclude_from_weight_decay(var_names=["beta"])
    model.compile(optimizer, "mse")
    decayed = {key: 0.01 for key in LORA_WEIGHTS if key != "ln/beta"}
    assert plan_of(model) == expected(LORA_WEIGHTS, decoupled=decayed, findings={
        "token_embedding/embeddings": ("embedding_decayed",),
        "ln/gamma": ("norm_decayed",),
        "attn/bias": ("bias_decayed",),
        "head/bias": ("bias_decayed",),
        **{key: ("adapter_decayed",) for key in LORA_WEIGHTS if "lora_" in key},
    })
    found = {f["code"]: f for f in decay_plans.findings(tb_regloss.decay_plan(model))}
    assert list(found) == ["norm_decayed", "bias_decayed", "embedding_decayed", "adapter_decayed"]
    assert found["norm_decayed"]["keys"] == ["ln/gamma"]
    assert found["bias_decayed"]["keys"] == ["attn/bias", "head/bias"]
    assert 'var_names=[...])` call' in found["norm_decayed"]["fix"] and '"gamma"' in found["norm_decayed"]["fix"]
    assert "each call replaces the last" in found["bias_decayed"]["fix"]


ADAPTIVE = ["Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta", "Adafactor", "Ftrl",
            "Lamb", "Lion"]


@pytest.mark.parametrize("name", ADAPTIVE)
def test_l2_under_an_adaptive_optimizer(name):
    model = mlp(kernel_regularizer=regularizers.L2(0.001))
    optimizer = getattr(optimizers, name)()
    optimizer.exclude_from_weight_decay(var_names=["kernel", "bias"])  # AdamW, Lion… decay by default
    model.compile(optimizer, "mse")
    flagged = ("l2_under_adaptive_optimizer",)
    assert plan_of(model) == expected(MLP_WEIGHTS, coupled={"hidden/kernel", "out/kernel"},
                                      findings={"hidden/kernel": flagged, "out/kernel": flagged})


@pytest.mark.parametrize("regularizer, flagged", [
    (regularizers.L1L2(l1=0.01, l2=0.001), True),
    (regularizers.L1L2(l1=0.01), False),
    (regularizers.L1(0.01), False),
])
def test_only_an_l2_part_counts_under_adam(regularizer, flagged):
    model = mlp(kernel_regularizer=regularizer)
    model.compile(optimizers.Adam(), "mse")
    entry = tb_regloss.decay_plan(model)[0]
    assert entry.findings == (("l2_under_adaptive_optimizer",) if flagged else ())


def test_l2_under_a_loss_scale_optimizer_is_its_inner_optimizers():
    model = mlp(kernel_regularizer=regularizers.L2(0.001))
    model.compile(optimizers.LossScaleOptimizer(optimizers.Adam()), "mse")
    assert [e.findings for e in tb_regloss.decay_plan(model)] == [
        ("l2_under_adaptive_optimizer",), (), ("l2_under_adaptive_optimizer",), ()]


@pytest.mark.skipif(not hasattr(optimizers, "MultiOptimizer"), reason="MultiOptimizer: Keras 3.15+")
def test_multi_optimizer_judges_each_weight_by_the_optimizer_that_owns_it():
    model = mlp(kernel_regularizer=regularizers.L2(0.001))
    adam = optimizers.Adam()
    model.compile(optimizers.MultiOptimizer(optimizers.OptimizerMap(optimizers.SGD(), {"hidden.*": adam})), "mse")
    assert plan_of(model) == expected(MLP_WEIGHTS, coupled={"hidden/kernel", "out/kernel"},
                                      findings={"hidden/kernel": ("l2_under_adaptive_optimizer",)})


@pytest.mark.skipif(not hasattr(optimizers, "MultiOptimizer"), reason="MultiOptimizer: Keras 3.15+")
def test_custom_loop_passes_its_unbuilt_optimizer():
    model = mlp(kernel_regularizer=regularizers.L2(0.001))  # never compiled
    adamw = optimizers.AdamW(weight_decay=0.02)
    adamw.exclude_from_weight_decay(var_names=["bias"])
    optimizer = optimizers.MultiOptimizer(optimizers.OptimizerMap(optimizers.SGD(), {"out.*": adamw}))
    assert plan_of(model, optimizer=optimizer) == expected(
        MLP_WEIGHTS, coupled={"hidden/kernel", "out/kernel"}, decoupled={"out/kernel": 0.02},
        findings={"out/kernel": ("l2_under_adaptive_optimizer", "double_decay")})


@pytest.mark.skipif(_keras.version.installed_version() < (3, 13), reason="Muon's adam_weight_decay: Keras 3.13+")
def test_muon_flags_l2_only_on_the_weights_of_its_adam_step():
    model = mlp(kernel_regularizer=regularizers.L2(0.001), bias_regularizer=regularizers.L2(0.001))
    model.compile(optimizers.Muon(weight_decay=0.1, adam_weight_decay=0.0), "mse")
    # 2-D kernels take Muon's orthogonalized step (decayed by 0.1), biases the Adam step.
    both = ("double_decay",)
    adam_bias = ("l2_under_adaptive_optimizer", "bias_decayed")
    assert plan_of(model) == expected(
        MLP_WEIGHTS, coupled=set(MLP_WEIGHTS), decoupled={"hidden/kernel": 0.1, "out/kernel": 0.1},
        findings={"hidden/kernel": both, "out/kernel": both, "hidden/bias": adam_bias, "out/bias": adam_bias})


def test_coupled_and_decoupled_decay_on_one_weight_is_double_decay():
    model = mlp(kernel_regularizer=regularizers.L2(0.001))
    optimizer = optimizers.SGD(weight_decay=0.01)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    model.compile(optimizer, "mse")
    assert plan_of(model) == expected(
        MLP_WEIGHTS, coupled={"hidden/kernel", "out/kernel"}, decoupled={"hidden/kernel": 0.01, "out/kernel": 0.01},
        findings={"hidden/kernel": ("double_decay",), "out/kernel": ("double_decay",)})


def test_coupled_decay_of_norms_biases_and_embeddings():
    l2 = regularizers.L2(0.001)
    model = models.tiny_transformer(kernel_regularizer=l2, bias_regularizer=l2, gamma_regularizer=l2,
                                    beta_regularizer=l2, embeddings_regularizer=l2)
    model.compile(optimizers.SGD(), "mse")
    assert plan_of(model) == expected(DENSE_WEIGHTS, coupled=set(DENSE_WEIGHTS), findings={
        "token_embedding/embeddings": ("embedding_decayed",),
        "ln/gamma": ("norm_decayed",),
        "ln/beta": ("norm_decayed",),
        "attn/bias": ("bias_decayed",),
        "head/bias": ("bias_decayed",),
    })
    fixes = {f["code"]: f["fix"] for f in decay_plans.findings(tb_regloss.decay_plan(model))}
    assert fixes == {
        "norm_decayed": "drop gamma_regularizer and beta_regularizer from their layers",
        "bias_decayed": "drop bias_regularizer from their layers",
        "embedding_decayed": "drop embeddings_regularizer from its layers",
    }


def test_lora_adapters_inherit_the_kernel_regularizer():
    model = models.tiny_transformer(lora_rank=2, kernel_regularizer=regularizers.L2(0.001))
    model.compile(optimizers.SGD(), "mse")
    adapters = {key for key in LORA_WEIGHTS if "lora_" in key}
    assert plan_of(model) == expected(LORA_WEIGHTS, coupled=adapters,
                                      findings={key: ("adapter_decayed",) for key in adapters})
    (finding,) = decay_plans.findings(tb_regloss.decay_plan(model))
    assert finding["fix"] == "drop kernel_regularizer (set to None before enable_lora) from their layers"


def test_lora_adapters_of_an_embedding_inherit_its_regularizer():
    tokens = keras.Input((6,), dtype="int32")
    embedding = layers.Embedding(20, 8, embeddings_regularizer=regularizers.L2(0.001), name="emb")
    model = keras.Model(tokens, embedding(tokens))
    embedding.enable_lora(2)
    model.compile(optimizers.SGD(), "mse")
    adapters = {"emb/lora_embeddings_a": 20 * 2, "emb/lora_embeddings_b": 2 * 8}
    assert plan_of(model) == expected(adapters, coupled=set(adapters),
                                      findings=dict.fromkeys(adapters, ("adapter_decayed",)))
    (finding,) = decay_plans.findings(tb_regloss.decay_plan(model))
    assert finding["fix"].startswith("drop embeddings_regularizer (set to None before enable_lora)")


def test_other_normalization_layers_and_keras_hub_embeddings_by_class_name():
    # Stand-ins with the class names of keras-hub's layers (keras_hub is not imported).
    class ReversibleEmbedding(layers.Embedding):
        pass

    class PositionEmbedding(layers.Layer):
        def build(self, input_shape):
            self.position_embeddings = self.add_weight(shape=(6, 8), name="embeddings")

        def call(self, x):
            return x + self.position_embeddings

    class TokenAndPositionEmbedding(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.token_embedding = ReversibleEmbedding(20, 8, name="token_embedding")
            self.position_embedding = PositionEmbedding(name="position_embedding")

        def call(self, tokens):
            return self.position_embedding(self.token_embedding(tokens))

    class LlamaLayerNorm(layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(8,), initializer="ones", name="scale")

        def call(self, x):
            return x * self.scale

    tokens = keras.Input((6,), dtype="int32")
    h = TokenAndPositionEmbedding(name="embed")(tokens)
    h = layers.BatchNormalization(name="bn")(h)
    h = layers.GroupNormalization(groups=2, name="gn")(h)
    h = LlamaLayerNorm(name="rms")(h)
    model = keras.Model(tokens, h)
    model.compile(optimizers.AdamW(weight_decay=0.01), "mse")
    norm, embedding = ("norm_decayed",), ("embedding_decayed",)
    weights = {"embed/token_embedding/embeddings": 160, "embed/position_embedding/embeddings": 48,
               "bn/gamma": 8, "bn/beta": 8, "gn/gamma": 8, "gn/beta": 8, "rms/scale": 8}
    assert plan_of(model) == expected(weights, decoupled=dict.fromkeys(weights, 0.01), findings={
        "embed/token_embedding/embeddings": embedding, "embed/position_embedding/embeddings": embedding,
        "bn/gamma": norm, "bn/beta": norm, "gn/gamma": norm, "gn/beta": norm, "rms/scale": norm})


def test_entries_are_frozen_and_convert_to_dicts():
    model = mlp(kernel_regularizer=regularizers.L2(0.001))
    model.compile(optimizers.SGD(), "mse")
    entry = tb_regloss.decay_plan(model)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.decoupled = 0.1
    assert entry.to_dict() == {"key": "hidden/kernel", "parameters": 12, "coupled": L2, "decoupled": None,
                               "findings": []}
    assert decay_plans.to_json([entry]) == {"entries": [entry.to_dict()], "findings": []}


def test_errors_name_the_fix():
    with pytest.raises(ValueError, match=r"model\.compile\(optimizer=\.\.\.\)"):
        tb_regloss.decay_plan(mlp())
    unbuilt = keras.Sequential([layers.Dense(1)])
    with pytest.raises(ValueError, match=r"not built.*model\.build\(input_shape\)"):
        tb_regloss.decay_plan(unbuilt, optimizer=optimizers.SGD())
