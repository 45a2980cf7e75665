"""Key contract v2.1: the keys of penalties() for the models users build, exactly."""

import re

import keras
import numpy as np
import pytest
from keras import layers, regularizers

import tb_regloss
from tb_regloss import keys
from tests import models

L2 = regularizers.l2(0.01)


def _keys(model):
    return set(tb_regloss.penalties(model))


def _dense(name, **kwargs):
    return layers.Dense(2, kernel_regularizer=L2, name=name, **kwargs)


def test_functional_layer():
    inputs = keras.Input((4,))
    assert _keys(keras.Model(inputs, _dense("d")(inputs))) == {"d/kernel"}


def test_sequential_models_built_one_after_another_share_keys():
    built = [keras.Sequential([keras.Input((4,)), _dense("hidden"), layers.Dense(1, name="out")])
             for _ in range(2)]
    assert built[0].name != built[1].name  # Keras numbers them: sequential, sequential_1
    assert _keys(built[0]) == _keys(built[1]) == {"hidden/kernel"}


def _tower(name):
    inputs = keras.Input((4,))
    return keras.Model(inputs, _dense("proj", activity_regularizer=L2)(inputs), name=name)


def test_two_towers_with_same_named_layers():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layers.Concatenate()([_tower("tower_a")(inputs),
                                                      _tower("tower_b")(inputs)]))
    x = np.random.default_rng(0).random((3, 4), dtype=np.float32)
    model(x)
    terms = models.as_floats(tb_regloss.penalties(model))
    assert set(terms) == {"tower_a/proj/kernel", "tower_b/proj/kernel",
                          "tower_a/proj/activity", "tower_b/proj/activity"}
    for tower in ("tower_a", "tower_b"):
        proj = model.get_layer(tower).get_layer("proj")
        h = x @ proj.kernel.numpy() + proj.bias.numpy()
        np.testing.assert_allclose(terms[f"{tower}/proj/activity"], models.activity_term(0.01, h), rtol=1e-5)


def test_nested_sequential():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.Sequential([_dense("d")], name="inner")(inputs))
    assert _keys(model) == {"inner/d/kernel"}


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = _dense("d")
        self.blk = keras.Sequential([_dense("e")], name="blk")
        self.scale = self.add_weight((1,), name="scale", regularizer=L2)

    def call(self, x):
        self.add_loss(0.5 * keras.ops.mean(x))
        return self.blk(self.d(x)) * self.scale


def test_subclassed_model_and_its_own_terms():
    model = _Subclassed()
    model(np.ones((2, 4), "float32"))
    assert _keys(model) == {"d/kernel", "blk/e/kernel", "scale", "add_loss"}


def test_recurrent_layers():
    inputs = keras.Input((3, 4))
    lstm = keras.Model(inputs, layers.LSTM(2, kernel_regularizer=L2, name="lstm")(inputs))
    assert _keys(lstm) == {"lstm/lstm_cell/kernel"}
    bi = keras.Model(inputs, layers.Bidirectional(
        layers.LSTM(2, kernel_regularizer=L2), name="bi")(inputs))
    assert _keys(bi) == {"bi/forward_lstm/lstm_cell/kernel", "bi/backward_lstm/lstm_cell/kernel"}


class _AutoNamed(layers.Layer):
    """Weights without names, as ConvNeXt's LayerScale makes them."""

    def build(self, input_shape):
        self.a = self.add_weight((1,), regularizer=L2)
        self.b = self.add_weight((1,), regularizer=L2)

    def call(self, x):
        return x * self.a * self.b


def test_auto_named_variables_are_numbered_in_the_layers_order():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, _AutoNamed(name="scale")(_AutoNamed(name="first")(inputs)))
    assert _keys(model) == {"first/variable", "first/variable#2", "scale/variable", "scale/variable#2"}


class _Twins(keras.Model):
    """Two sublayers with one name: Keras allows it in subclassed models."""

    def __init__(self):
        super().__init__()
        self.one = _dense("d")
        self.two = _dense("d")

    def call(self, x):
        return self.two(self.one(x))


def test_same_named_siblings_are_numbered_in_weight_order():
    model = _Twins()
    model(np.ones((1, 2), "float32"))
    assert list(tb_regloss.penalties(model)) == ["d/kernel", "d/kernel#2"]


def test_shared_layer_and_tied_weight_take_the_first_route():
    shared = _dense("shared")
    inputs = keras.Input((2,))
    inner = keras.Model(inputs, shared(inputs), name="inner")
    outer_in = keras.Input((2,))
    model = keras.Model(outer_in, inner(shared(outer_in)))
    assert _keys(model) == {"shared/kernel"}


def test_keys_survive_save_load_and_clone(tmp_path):
    inputs = keras.Input((3, 4))
    h = keras.Sequential([layers.LSTM(2, return_sequences=True, kernel_regularizer=L2, name="lstm")],
                         name="stem")(inputs)
    h = _AutoNamed(name="scale")(h)
    model = keras.Model(inputs, layers.Flatten()(h))
    before = _keys(model)
    assert before == {"stem/lstm/lstm_cell/kernel", "scale/variable", "scale/variable#2"}
    model.save(tmp_path / "m.keras")
    for other in (keras.models.load_model(tmp_path / "m.keras", custom_objects={"_AutoNamed": _AutoNamed}),
                  keras.models.clone_model(model)):
        assert _keys(other) == before


def test_convnext_layer_scale_keys_survive_load(tmp_path):
    model = keras.applications.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), classes=2)
    model_keys = keys.ModelKeys(model)
    before = [model_keys.weight_key(v) for v in model.weights]
    assert "convnext_tiny_stage_0_block_0_layer_scale/variable" in before
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert [v.path for v in loaded.weights] != [v.path for v in model.weights]  # Keras renames
    loaded_keys = keys.ModelKeys(loaded)
    assert [loaded_keys.weight_key(v) for v in loaded.weights] == before


def _functional_around_auto_named_sequential():
    inputs = keras.Input((4,))
    inner = keras.Sequential([layers.Dense(3, kernel_regularizer=L2), layers.Dense(2, kernel_regularizer=L2)])
    return keras.Model(inputs, layers.Dense(1, kernel_regularizer=L2)(inner(inputs)))


def test_auto_named_sequential_inside_functional_built_twice_shares_keys():
    built = [_functional_around_auto_named_sequential() for _ in range(2)]
    assert built[0].layers[1].name != built[1].layers[1].name  # sequential_<n>, numbered process-wide
    assert _keys(built[0]) == _keys(built[1]) == {
        "sequential/dense/kernel", "sequential/dense_1/kernel", "dense/kernel"}


class _AutoNamedBlock(keras.Model):
    """A subclassed model whose sublayers have Keras' automatic names."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = layers.Dense(3, kernel_regularizer=L2)
        self.proj = _dense("proj")
        self.second = layers.Dense(2, kernel_regularizer=L2)
        self.stack = keras.Sequential([layers.Dense(2, kernel_regularizer=L2)])

    def call(self, x):
        return self.stack(self.second(self.proj(self.first(x))))


def _functional_around_auto_named_block():
    inputs = keras.Input((4,))
    return keras.Model(inputs, _AutoNamedBlock()(inputs))


def test_subclassed_model_with_auto_named_sublayers_built_twice_shares_keys():
    block = "__auto_named_block"  # Keras' snake case of the class name
    built = [_functional_around_auto_named_block() for _ in range(2)]
    assert _keys(built[0]) == _keys(built[1]) == {
        f"{block}/dense/kernel", f"{block}/proj/kernel", f"{block}/dense_1/kernel",
        f"{block}/sequential/dense/kernel"}
    alone = [_AutoNamedBlock() for _ in range(2)]
    for model in alone:
        model(np.ones((1, 4), "float32"))
    assert _keys(alone[0]) == _keys(alone[1]) == {
        "dense/kernel", "proj/kernel", "dense_1/kernel", "sequential/dense/kernel"}


def test_explicit_names_are_kept_as_given():
    inputs = keras.Input((4,))
    h = layers.Dense(3, kernel_regularizer=L2, name="dense_0")(inputs)  # automatic form (Keras never makes _0): renumbered
    h = keras.Sequential([_dense("dense_9_head")], name="tower_3")(h)
    h = layers.Dense(2, kernel_regularizer=L2, name="Dense_2")(h)
    h = layers.Dense(2, kernel_regularizer=L2, name="conv2d_1")(h)
    model = keras.Model(inputs, layers.Dense(1, kernel_regularizer=L2)(h))
    assert list(tb_regloss.penalties(model)) == [
        "dense/kernel", "tower_3/dense_9_head/kernel", "Dense_2/kernel", "conv2d_1/kernel", "dense_1/kernel"]


def test_auto_named_keys_survive_save_load_and_clone(tmp_path):
    model = _functional_around_auto_named_sequential()
    before = list(tb_regloss.penalties(model))
    model.save(tmp_path / "m.keras")
    for other in (keras.models.load_model(tmp_path / "m.keras"), keras.models.clone_model(model)):
        assert list(tb_regloss.penalties(other)) == before


def test_unique_keys():
    assert keys.unique_keys(["a/kernel", "b/kernel", "a/kernel"]) == ["a/kernel", "b/kernel", "a/kernel#2"]


@pytest.mark.parametrize("pattern", [r"^hidden/", r"kernel$"])
def test_add_weight_decay_excludes_by_key(pattern):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="hidden"), layers.Dense(1, name="out")])
    decayed = tb_regloss.add_weight_decay(model, 1e-3, biases=True, exclude=[pattern])
    everything = {"hidden/kernel", "hidden/bias", "out/kernel", "out/bias"}
    assert set(decayed) == {k for k in everything if not re.search(pattern, k)}
    assert set(tb_regloss.penalties(model)) == set(decayed)
