"""tb_regloss.penalties: every term of model.losses, attributed and accounted for."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers, regularizers

import tb_regloss
from tb_regloss import attribution
from tests import models


TENSORFLOW_API = pytest.mark.backends("tensorflow", reason="written with TensorFlow's own API (tf.function, GradientTape, tf.distribute)")


def test_seed_case_kernel_term():
    model = models.seed_case_model()
    terms = models.as_floats(tb_regloss.penalties(model))
    kernel = model.get_layer("conv").kernel.numpy()
    assert set(terms) == {"conv/kernel"}
    np.testing.assert_allclose(terms["conv/kernel"], 0.01 * np.sum(kernel**2), rtol=1e-6)


def test_activity_and_add_loss_terms_match_independent_computation():
    model = models.activity_and_add_loss_model()
    x, _ = models.images(6)
    model(x)
    terms = models.as_floats(tb_regloss.penalties(model))
    act = model.get_layer("act")
    h = x.reshape(6, -1) @ act.kernel.numpy() + act.bias.numpy()
    assert set(terms) == {"act/activity", "noise/add_loss"}
    np.testing.assert_allclose(terms["act/activity"], models.activity_term(0.1, h), rtol=1e-5)
    np.testing.assert_allclose(terms["noise/add_loss"], 0.5 * np.mean(h**2), rtol=1e-5)
    np.testing.assert_allclose(sum(terms.values()), models.as_float(sum(model.losses)), rtol=1e-6)


def test_nested_and_shared_layers_counted_once():
    shared = layers.Dense(4, kernel_regularizer=regularizers.l2(0.1), name="shared")
    inner = keras.Sequential(
        [layers.Dense(4, kernel_regularizer=regularizers.l1(0.2),
                      bias_regularizer=regularizers.l2(0.3), name="dense")],
        name="inner",
    )
    inputs = keras.Input((4,))
    h = shared(shared(inputs))
    outputs = inner(h)
    model = keras.Model(inputs, outputs)
    terms = models.as_floats(tb_regloss.penalties(model))
    assert set(terms) == {"shared/kernel", "inner/dense/kernel", "inner/dense/bias"}
    np.testing.assert_allclose(sum(terms.values()), models.as_float(sum(model.losses)), rtol=1e-6)


def test_frozen_layer_has_no_term():
    model = models.seed_case_model()
    model.get_layer("conv").trainable = False
    assert tb_regloss.penalties(model) == {}


@TENSORFLOW_API
def test_works_inside_tf_function():
    model = models.activity_and_add_loss_model()
    x, _ = models.images(4)

    @tf.function
    def step(x):
        model(x, training=True)
        return tb_regloss.penalties(model)

    terms = models.as_floats(step(x))
    assert set(terms) == {"act/activity", "noise/add_loss"}


@TENSORFLOW_API
def test_graph_tensors_left_by_fit_give_a_clear_error():
    model = models.activity_and_add_loss_model()
    x, y = models.images(8)
    model.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"Call the model on a batch first"):
        tb_regloss.penalties(model)
    model(x)
    assert set(tb_regloss.penalties(model)) == {"act/activity", "noise/add_loss"}


def test_terms_that_cannot_be_attributed_are_kept():
    model = models.seed_case_model()
    stray = tf.constant(2.0)
    keys = [t.key for t in attribution.attribute(model, [stray, *model.losses])]
    assert keys == ["unattributed/0", "conv/kernel"]
    keys = [t.key for t in attribution.attribute(model, [])]
    assert keys == []
    plain = models.plain_model()
    keys = [t.key for t in attribution.attribute(plain, [stray, stray])]
    assert keys == ["unattributed/0", "unattributed/1"]


def test_descriptions_name_the_regularizer():
    model = models.seed_case_model()
    (term,) = attribution.attribute(model, model.losses)
    assert term.description.startswith("L2(l2=0.01) on conv/kernel")
    assert "96 parameters" in term.description
