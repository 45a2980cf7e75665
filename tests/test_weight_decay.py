"""add_weight_decay on prebuilt models: coverage, sums, idempotence, persistence."""

import keras
import numpy as np
import pytest

import tb_regloss
from tests import models


def _kernels(model, classes, name="kernel"):
    """Paths of the ``name`` weights of layers whose class name is in ``classes``, counted by hand."""
    return {w.path for layer in model.layers if type(layer).__name__ in classes
            for w in layer.weights if w.name == name}


def _penalty_sum(model):
    return sum(models.as_floats(tb_regloss.penalties(model)).values())


@pytest.fixture(scope="module")
def mobilenet():
    return keras.applications.MobileNetV2(input_shape=(32, 32, 3), weights=None, classes=4)


def test_mobilenet_without_depthwise_decay(mobilenet):
    decayed = tb_regloss.add_weight_decay(mobilenet, 4e-5, depthwise=0)
    expected = _kernels(mobilenet, {"Conv2D", "Dense"})
    assert set(decayed) == expected and set(decayed.values()) == {4e-5}
    assert set(tb_regloss.penalties(mobilenet)) == expected
    assert not _kernels(mobilenet, {"DepthwiseConv2D"}) & set(decayed)
    independent = 4e-5 * sum(np.sum(np.square(w.numpy())) for w in mobilenet.weights
                             if w.path in expected)
    np.testing.assert_allclose(_penalty_sum(mobilenet), independent, rtol=1e-5)


def test_twice_is_once_replace_and_remove(mobilenet):
    tb_regloss.add_weight_decay(mobilenet, 1e-4)
    once = _penalty_sum(mobilenet)
    tb_regloss.add_weight_decay(mobilenet, 1e-4)
    np.testing.assert_allclose(_penalty_sum(mobilenet), once, rtol=1e-6)
    assert set(tb_regloss.penalties(mobilenet)) == _kernels(mobilenet, {"Conv2D", "Dense", "DepthwiseConv2D"})
    tb_regloss.add_weight_decay(mobilenet, 2e-4)
    np.testing.assert_allclose(_penalty_sum(mobilenet), 2 * once, rtol=1e-6)
    assert tb_regloss.add_weight_decay(mobilenet, 0) == {}
    assert tb_regloss.penalties(mobilenet) == {}


def test_exclude_biases_and_norm(mobilenet):
    decayed = tb_regloss.add_weight_decay(mobilenet, 1e-4, biases=2e-4, norm=True, exclude=[r"^block_1[0-9]_"])
    assert decayed  # something is covered
    assert not any(p.startswith(("block_10_", "block_11_")) for p in decayed)
    assert decayed["predictions/bias"] == 2e-4
    assert decayed["bn_Conv1/gamma"] == decayed["bn_Conv1/beta"] == 1e-4
    tb_regloss.add_weight_decay(mobilenet, 0, biases=0, norm=0)


def test_save_load_and_clone_keep_every_penalty(mobilenet, tmp_path):
    decayed = tb_regloss.add_weight_decay(mobilenet, 3e-5, depthwise=1e-6)
    before = _penalty_sum(mobilenet)
    mobilenet.save(tmp_path / "m.keras")
    for other in (keras.models.load_model(tmp_path / "m.keras"), keras.models.clone_model(mobilenet)):
        other.set_weights(mobilenet.get_weights())
        assert set(tb_regloss.penalties(other)) == set(decayed)
        np.testing.assert_allclose(_penalty_sum(other), before, rtol=1e-6)
    tb_regloss.add_weight_decay(mobilenet, 0)


@pytest.mark.once(reason="the MobileNetV2 tests above check the same on every backend and Keras")
def test_resnet50_sum_equals_l2_times_squared_norm():
    model = keras.applications.ResNet50(input_shape=(32, 32, 3), weights=None, classes=4)
    decayed = tb_regloss.add_weight_decay(model, 1e-4)
    assert set(decayed) == _kernels(model, {"Conv2D", "Dense"})
    independent = 1e-4 * sum(np.sum(np.square(w.numpy())) for w in model.weights if w.path in decayed)
    np.testing.assert_allclose(_penalty_sum(model), independent, rtol=1e-5)


def test_works_after_compile_and_trains(tmp_path):
    model = models.plain_model()
    tb_regloss.add_weight_decay(model, 0.1)
    x, y = models.images(16)
    history = model.fit(x, y, epochs=1, verbose=0, callbacks=[tb_regloss.RegLossCallback(tmp_path)])
    assert history.history["reg_loss"][0] > 0


@pytest.mark.parametrize("kwargs, message", [
    ({"l2": -1.0}, r"`l2` must be a finite number ≥ 0.*Received: l2=-1.0"),
    ({"l2": float("nan")}, r"Received: l2=nan"),
    ({"l2": "1e-4"}, r"Received: l2='1e-4'"),
    ({"l2": 1e-4, "biases": -2.0}, r"Received: biases=-2.0"),
])
def test_bad_factors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tb_regloss.add_weight_decay(models.plain_model(), **kwargs)


def test_unbuilt_model():
    model = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"needs a built model.*model.build"):
        tb_regloss.add_weight_decay(model, 1e-4)
