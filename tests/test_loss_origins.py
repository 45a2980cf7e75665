"""loss_origins: a layer's activity terms told from the terms its own code adds."""

import keras
import numpy as np
from keras import layers, ops, regularizers

from tb_regloss import _keras
from tb_regloss import loss_origins


class Both(layers.Layer):
    """Adds its own term and has an activity regularizer."""

    def call(self, x):
        self.add_loss(ops.mean(x))
        return x * 2.0


class ActivityOnly(layers.Layer):
    def call(self, x):
        return x + 1.0


def _model(layer):
    inputs = keras.Input((3,))
    return keras.Model(inputs, layer(layer(inputs)))  # called twice


def _kinds(layer):
    return loss_origins.kinds(layer, _keras.layers.own_losses(layer))


def test_keras_layers_add_only_activity_terms():
    dense = layers.Dense(2, activity_regularizer=regularizers.l2(0.1))
    inputs = keras.Input((3,))
    model = keras.Model(inputs, dense(inputs))
    model(np.ones((2, 3), "float32"))
    assert _kinds(dense) == ["activity"]


def test_a_watched_layer_is_told_apart_call_by_call():
    layer = Both(activity_regularizer=regularizers.l2(0.1))
    model = _model(layer)
    loss_origins.watch(model)
    model(np.ones((2, 3), "float32"))
    assert _kinds(layer) == ["add_loss", "activity", "add_loss", "activity"]


def test_an_unwatched_layer_is_classified_by_its_code():
    only = ActivityOnly(activity_regularizer=regularizers.l2(0.1))
    model = _model(only)
    model(np.ones((2, 3), "float32"))
    assert _kinds(only) == ["activity", "activity"]  # its code never calls add_loss
    both = Both(activity_regularizer=regularizers.l2(0.1))
    model = _model(both)
    model(np.ones((2, 3), "float32"))
    assert _kinds(both) == ["add_loss", "add_loss", "add_loss", "activity"]  # the last one is


def test_watching_is_idempotent_and_on_the_instance_only():
    layer = Both(activity_regularizer=regularizers.l2(0.1))
    model = _model(layer)
    loss_origins.watch(model)
    wrapper = layer.add_loss
    loss_origins.watch(model)
    assert layer.add_loss is wrapper
    assert "add_loss" in layer.__dict__ and Both.add_loss is layers.Layer.add_loss
    assert "add_loss" not in Both(activity_regularizer=regularizers.l2(0.1)).__dict__
