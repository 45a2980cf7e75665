"""The Keras boundary's functions: the version range is checked; its tensor operations and hooks.

Where private names may be used is guarded by ``test_keras_boundary.py``.
"""

import os
import pathlib

import keras
import pytest

from tb_regloss import _keras


def test_the_pinned_keras_is_supported_and_tested(monkeypatch):
    if os.environ.get("TB_REGLOSS_ALLOW_ANY_KERAS"):
        pytest.skip("bench/keras_nightly.sh tries a Keras newer than the tested ones on purpose")
    monkeypatch.delenv("TB_REGLOSS_ALLOW_ANY_KERAS", raising=False)
    _keras.version.check_keras_version()
    assert _keras.version.untested_keras() is None
    assert _keras.version.SUPPORTED == ">=3.10"
    assert _keras.version.NEWEST_TESTED == (3, 15)


@pytest.mark.parametrize("version", ["3.9.2", "3.0.0", "2.15.0"])
def test_older_versions_are_refused_naming_installed_and_supported(monkeypatch, version):
    monkeypatch.delenv("TB_REGLOSS_ALLOW_ANY_KERAS", raising=False)  # set by bench/keras_nightly.sh
    monkeypatch.setattr(keras, "__version__", version)
    with pytest.raises(RuntimeError) as error:
        _keras.version.check_keras_version()
    assert f"Keras {version} is installed" in str(error.value)
    assert "pip install 'keras>=3.10'" in str(error.value)


@pytest.mark.parametrize("version, untested", [
    ("3.10.0", None), ("3.15.9", None), ("3.16.0", "3.16.0"),
    ("3.16.0.dev2026120103", "3.16.0.dev2026120103"), ("4.0.0", "4.0.0"),
])
def test_newer_versions_are_accepted_and_named_untested(monkeypatch, version, untested):
    monkeypatch.delenv("TB_REGLOSS_ALLOW_ANY_KERAS", raising=False)
    monkeypatch.setattr(keras, "__version__", version)
    _keras.version.check_keras_version()
    assert _keras.version.untested_keras() == untested


@pytest.mark.parametrize("version", ["3.9.2", "3.16.0"])
def test_the_nightly_override_accepts_any_version_as_tested_on_purpose(monkeypatch, version):
    monkeypatch.setenv("TB_REGLOSS_ALLOW_ANY_KERAS", "1")
    monkeypatch.setattr(keras, "__version__", version)
    _keras.version.check_keras_version()
    assert _keras.version.untested_keras() is None


def test_setup_py_declares_the_same_range_without_upper_bound():
    setup = (pathlib.Path(_keras.__file__).parents[2] / "setup.py").read_text()
    assert '"keras>=3.10",' in setup
    assert "<3.16" not in setup and "keras<" not in setup


def test_squared_norm_equals_numpy_on_a_large_tensor():
    import numpy as np

    x = np.random.default_rng(0).normal(size=(3, 3, 64, 128)).astype("float32")
    assert float(_keras.backends.squared_norm(keras.ops.convert_to_tensor(x))) == pytest.approx(
        float(np.sum(x.astype("float64") ** 2)), rel=1e-5)
    assert float(_keras.backends.squared_norm(keras.ops.zeros((0,)))) == 0.0


def test_summed_products_equal_numpy_row_by_row():
    import numpy as np

    rng = np.random.default_rng(0)
    shapes = [(3, 3, 8, 16), (64, 4), (7,), ()]
    arrays = [[rng.normal(size=s).astype("float32") for _ in range(2)] for s in shapes]
    rows = []
    for x, y in arrays:
        x, y = keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(y)
        rows.append([(x, x), (x, y), (y, y)])
    expected = [[np.sum(x.astype("float64") * y) for x, y in ((x, x), (x, y), (y, y))] for x, y in arrays]
    sums = keras.ops.convert_to_numpy(_keras.backends.summed_products(rows))
    assert sums.shape == (4, 3) and sums.dtype == np.float32
    np.testing.assert_allclose(sums, expected, rtol=1e-5)


def test_gradient_of_a_regularizer_and_of_a_constant():
    import numpy as np

    # Not at 0, where backends differ on the slope of |w| (TensorFlow 0, JAX 1).
    w = keras.ops.convert_to_tensor(np.array([[1.0, -2.0], [0.5, -0.25]], "float32"))
    np.testing.assert_allclose(_keras.backends.gradient_of(keras.regularizers.L1(0.1), w),
                               0.1 * np.sign(np.asarray(w)), rtol=1e-6)
    np.testing.assert_array_equal(_keras.backends.gradient_of(lambda v: keras.ops.ones(()), w), np.zeros((2, 2)))


def test_one_optimizer_is_unwrapped_from_its_loss_scale_optimizer():
    sgd = keras.optimizers.SGD()
    assert _keras.optimizers.unscaled_optimizer(keras.optimizers.LossScaleOptimizer(sgd)) is sgd
    assert _keras.optimizers.unscaled_optimizer(sgd) is sgd
    assert _keras.optimizers.unscaled_optimizer(None) is None


def test_the_optimizers_apply_is_shadowed_within_the_context_only():
    import numpy as np

    variable = keras.Variable(np.ones(2, "float32"))
    optimizer = keras.optimizers.SGD(0.5)
    optimizer.build([variable])
    seen = []

    def counting(apply):
        def counting_apply(grads, variables=None):
            seen.append(len(list(grads)))
            return apply(grads, variables)

        return counting_apply

    with _keras.optimizers.optimizer_apply_shadowed(optimizer, counting):
        optimizer.apply([keras.ops.ones(2)], [variable])
    optimizer.apply([keras.ops.ones(2)], [variable])
    assert seen == [1]
    assert "apply" not in optimizer.__dict__
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), [0.0, 0.0])


def test_values_reach_the_host_as_numpy():
    import numpy as np

    received = []
    _keras.step_state.on_the_host(lambda *values: received.append(values), keras.ops.ones(2), keras.ops.zeros(()))
    _keras.step_state.wait_for_host()
    (ones, zero), = received
    np.testing.assert_array_equal(ones, [1.0, 1.0])
    assert float(zero) == 0.0


def test_a_shorter_float32_vector_is_added_to_the_front_of_a_float64_variable():
    import numpy as np

    dtype = "float64" if _keras.step_state.has_float64() else "float32"
    sums = keras.Variable(np.zeros(4), dtype=dtype)
    count = keras.Variable(1.0)
    _keras.backends.add_to_variable(sums, _keras.backends.stack_scalars(
        [keras.ops.convert_to_tensor(0.1), keras.ops.convert_to_tensor(2.0)]))
    _keras.backends.add_to_variable(sums, keras.ops.convert_to_tensor(np.full(3, 1.0, "float32")))
    _keras.backends.add_to_variable(count, keras.ops.convert_to_tensor(2.0))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(sums), [np.float64(np.float32(0.1)) + 1.0, 3.0, 1.0, 0.0], rtol=0 if dtype == "float64" else 1e-7)
    assert float(keras.ops.convert_to_numpy(count)) == 3.0


def test_keras_3_models_are_not_taken_for_keras_2():
    class Subclassed(keras.Model):
        def call(self, x):
            return x

    inputs = keras.Input((3,))
    functional = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    for model in (keras.Sequential([keras.layers.Dense(1)]), functional, Subclassed()):
        assert _keras.version.keras_2_class(model) is None
    tf_keras_model = type("Model", (), {"__module__": "tf_keras.src.engine.training"})  # tf_keras is not installed
    user_model = type("MyModel", (tf_keras_model,), {})
    assert _keras.version.keras_2_class(user_model()) is tf_keras_model


@pytest.mark.skipif(not hasattr(keras.optimizers, "MultiOptimizer"), reason="MultiOptimizer: Keras 3.15+")
def test_each_variable_gets_the_decay_of_the_optimizer_that_updates_it():
    import numpy as np

    optimizers = keras.optimizers
    kernel, bias, head = (keras.Variable(np.ones(s, "float32"), name=n)
                          for s, n in (((2, 2), "kernel"), ((2,), "bias"), ((2, 2), "head")))
    inner = optimizers.AdamW(learning_rate=0.02, weight_decay=0.05)
    inner.exclude_from_weight_decay(var_names=["bias"])
    default = optimizers.SGD(0.1, weight_decay=0.3)
    multi = optimizers.MultiOptimizer(lambda v: default if v.name == "head" else inner)
    scaled = optimizers.LossScaleOptimizer(multi)
    assert [(d.owner, d.factor) for d in _keras.optimizers.decoupled_decays(scaled, [kernel])] == [(multi, None)]
    scaled.build([kernel, bias, head])
    decays = _keras.optimizers.decoupled_decays(scaled, [kernel, bias, head])
    assert [(d.owner, d.factor, d.factor_name) for d in decays] == [
        (inner, 0.05, "weight_decay"), (inner, None, None), (default, 0.3, "weight_decay")]
    assert [float(d.learning_rate()) for d in decays] == pytest.approx([0.02, 0.02, 0.1])
    assert _keras.optimizers.inner_optimizers(scaled) == [inner, default]
    head.overwrite_with_gradient = True  # assigned its gradient: never decayed
    assert _keras.optimizers.decoupled_decays(scaled, [head])[0].factor is None


@pytest.mark.skipif(_keras.version.installed_version() < (3, 13), reason="Muon's adam_weight_decay: Keras 3.13+")
def test_muon_decays_the_variables_of_its_adam_step_by_adam_weight_decay():
    import numpy as np

    matrix, vector = keras.Variable(np.ones((2, 2), "float32")), keras.Variable(np.ones(2, "float32"))
    muon = keras.optimizers.Muon(weight_decay=None, adam_weight_decay=0.01)
    muon.build([matrix, vector])
    assert [d.factor for d in _keras.optimizers.decoupled_decays(muon, [matrix, vector])] == [None, 0.01]
