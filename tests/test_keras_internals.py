"""The Keras boundary: private Keras names are used in keras_internals.py only; the range is checked; its tensor operations."""

import ast
import pathlib

import keras
import pytest

from tb_regloss import keras_internals

PACKAGE = pathlib.Path(keras_internals.__file__).parent
# The private Keras names tb-regloss relies on (keras_internals.py says why).
KERAS_PRIVATE = (
    "_aggregate_additional_loss", "_get_regularization_losses", "_flatten_metrics_in_order",
    "_flatten_layers", "_get_own_losses", "_layers", "_trainable_variables", "_non_trainable_variables",
    "_metrics", "_direction", "_use_weight_decay", "_maybe_symbolic_build", "reduce_per_replica",
    "_collective_all_reduce_multi_worker", "_losses", "MetricsList", "_distribute_strategy",
    "_compile_loss", "_loss_tracker", "_compile_metrics", "_losses_override", "_loss_ids",
    "_jax_state", "_jax_state_synced", "JAXTrainer", "get_stateless_scope", "_iterations",
)


def _private_uses(source):
    """Attribute names, imports and exact strings of ``source`` naming a private Keras name."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in KERAS_PRIVATE:
            yield node.lineno, node.attr
        elif isinstance(node, ast.Constant) and node.value in KERAS_PRIVATE:
            yield node.lineno, node.value
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            names = [a.name for a in node.names]
            if any(m.startswith("keras.src") for m in modules) or set(names) & set(KERAS_PRIVATE):
                yield node.lineno, "import"


def test_private_keras_names_live_in_one_module():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}: {name}"
        for path in sorted(PACKAGE.rglob("*.py")) if path.name != "keras_internals.py"
        for line, name in _private_uses(path.read_text())
    ]
    assert offenders == []
    uses = list(_private_uses((PACKAGE / "keras_internals.py").read_text()))
    assert len(uses) > 10  # the check sees them where they are


def test_the_pinned_keras_is_supported_and_tested(monkeypatch):
    monkeypatch.delenv("TB_REGLOSS_ALLOW_ANY_KERAS", raising=False)  # set by bench/keras_nightly.sh
    keras_internals.check_keras_version()
    assert keras_internals.untested_keras() is None
    assert keras_internals.SUPPORTED == ">=3.10"
    assert keras_internals.NEWEST_TESTED == (3, 15)


@pytest.mark.parametrize("version", ["3.9.2", "3.0.0", "2.15.0"])
def test_older_versions_are_refused_naming_installed_and_supported(monkeypatch, version):
    monkeypatch.delenv("TB_REGLOSS_ALLOW_ANY_KERAS", raising=False)  # set by bench/keras_nightly.sh
    monkeypatch.setattr(keras, "__version__", version)
    with pytest.raises(RuntimeError) as error:
        keras_internals.check_keras_version()
    assert f"Keras {version} is installed" in str(error.value)
    assert "pip install 'keras>=3.10'" in str(error.value)


@pytest.mark.parametrize("version, untested", [
    ("3.10.0", None), ("3.15.9", None), ("3.16.0", "3.16.0"),
    ("3.16.0.dev2026120103", "3.16.0.dev2026120103"), ("4.0.0", "4.0.0"),
])
def test_newer_versions_are_accepted_and_named_untested(monkeypatch, version, untested):
    monkeypatch.delenv("TB_REGLOSS_ALLOW_ANY_KERAS", raising=False)
    monkeypatch.setattr(keras, "__version__", version)
    keras_internals.check_keras_version()
    assert keras_internals.untested_keras() == untested


@pytest.mark.parametrize("version", ["3.9.2", "3.16.0"])
def test_the_nightly_override_accepts_any_version_as_tested_on_purpose(monkeypatch, version):
    monkeypatch.setenv("TB_REGLOSS_ALLOW_ANY_KERAS", "1")
    monkeypatch.setattr(keras, "__version__", version)
    keras_internals.check_keras_version()
    assert keras_internals.untested_keras() is None


def test_setup_py_declares_the_same_range_without_upper_bound():
    setup = (PACKAGE.parent / "setup.py").read_text()
    assert '"keras>=3.10",' in setup
    assert "<3.16" not in setup and "keras<" not in setup


def test_squared_norm_equals_numpy_on_a_large_tensor():
    import numpy as np

    x = np.random.default_rng(0).normal(size=(3, 3, 64, 128)).astype("float32")
    assert float(keras_internals.squared_norm(keras.ops.convert_to_tensor(x))) == pytest.approx(
        float(np.sum(x.astype("float64") ** 2)), rel=1e-5)
    assert float(keras_internals.squared_norm(keras.ops.zeros((0,)))) == 0.0


def test_gradient_of_a_regularizer_and_of_a_constant():
    import numpy as np

    # Not at 0, where backends differ on the slope of |w| (TensorFlow 0, JAX 1).
    w = keras.ops.convert_to_tensor(np.array([[1.0, -2.0], [0.5, -0.25]], "float32"))
    np.testing.assert_allclose(keras_internals.gradient_of(keras.regularizers.L1(0.1), w),
                               0.1 * np.sign(np.asarray(w)), rtol=1e-6)
    np.testing.assert_array_equal(keras_internals.gradient_of(lambda v: keras.ops.ones(()), w), np.zeros((2, 2)))


def test_one_optimizer_is_unwrapped_from_its_loss_scale_optimizer():
    sgd = keras.optimizers.SGD()
    assert keras_internals.unscaled_optimizer(keras.optimizers.LossScaleOptimizer(sgd)) is sgd
    assert keras_internals.unscaled_optimizer(sgd) is sgd
    assert keras_internals.unscaled_optimizer(None) is None


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

    with keras_internals.optimizer_apply_shadowed(optimizer, counting):
        optimizer.apply([keras.ops.ones(2)], [variable])
    optimizer.apply([keras.ops.ones(2)], [variable])
    assert seen == [1]
    assert "apply" not in optimizer.__dict__
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), [0.0, 0.0])


def test_values_reach_the_host_as_numpy():
    import numpy as np

    received = []
    keras_internals.on_the_host(lambda *values: received.append(values), keras.ops.ones(2), keras.ops.zeros(()))
    keras_internals.wait_for_host()
    (ones, zero), = received
    np.testing.assert_array_equal(ones, [1.0, 1.0])
    assert float(zero) == 0.0


def test_a_shorter_float32_vector_is_added_to_the_front_of_a_float64_variable():
    import numpy as np

    dtype = "float64" if keras_internals.has_float64() else "float32"
    sums = keras.Variable(np.zeros(4), dtype=dtype)
    count = keras.Variable(1.0)
    keras_internals.add_to_variable(sums, keras_internals.stack_scalars(
        [keras.ops.convert_to_tensor(0.1), keras.ops.convert_to_tensor(2.0)]))
    keras_internals.add_to_variable(sums, keras.ops.convert_to_tensor(np.full(3, 1.0, "float32")))
    keras_internals.add_to_variable(count, keras.ops.convert_to_tensor(2.0))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(sums), [np.float64(np.float32(0.1)) + 1.0, 3.0, 1.0, 0.0], rtol=0 if dtype == "float64" else 1e-7)
    assert float(keras.ops.convert_to_numpy(count)) == 3.0


def test_keras_3_models_are_not_taken_for_keras_2():
    class Subclassed(keras.Model):
        def call(self, x):
            return x

    inputs = keras.Input((3,))
    functional = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    for model in (keras.Sequential([keras.layers.Dense(1)]), functional, Subclassed()):
        assert keras_internals.keras_2_class(model) is None
    tf_keras_model = type("Model", (), {"__module__": "tf_keras.src.engine.training"})  # tf_keras is not installed
    user_model = type("MyModel", (tf_keras_model,), {})
    assert keras_internals.keras_2_class(user_model()) is tf_keras_model
