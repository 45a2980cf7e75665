"""Decoupled weight decay of every optimizer in keras.optimizers, measured in one step.

For each optimizer class (found by walking ``keras.optimizers``, not listed by
hand), alone, inside a ``LossScaleOptimizer`` and as the inner optimizer of a
``MultiOptimizer`` (Keras 3.15+) for the first layer, the script takes ONE
optimizer step of a tiny model (Dense ``body`` 4→3, Dense ``head`` 3→2) with
and without decay from identical states: the same weights w, the same
gradients and the same optimizer variables (copied from one warm-up step, so
that the measured step is the second: iteration-dependent updates such as
``ScheduleFreeAdamW``'s are not at their special first step). The optimizer
without decay is the same class with factor 0 (``weight_decay=0``, and
``adam_weight_decay=0`` for ``Muon``). The optimizer under test excludes the
biases (``exclude_from_weight_decay(var_names=["bias"])``); the
``MultiOptimizer``'s default ``SGD`` has its own η and λ and excludes nothing.
For each variable it checks, against
the real updates only (no optimizer attribute is read):

(a) not decayed (tb-regloss reports no factor): both steps give the same weights;
(b) decayed with the factor λ_v tb-regloss reports (from the value of
    ``regloss/decoupled/<key>``, ``(λ_v/2)·Σw²``): the step with decay from w
    equals the step without decay from ``(1 − η·λ_v)·w`` (η: the learning rate
    of the optimizer that owns the variable, as the case sets it), to 1e-3 of
    the decay's effect: the decay is that shrink, before the update;
(c) for optimizers whose update does not depend on w ("linear": all but
    Lamb, Adafactor, Ftrl and ScheduleFreeAdamW), the difference of the two
    steps is ``η·λ_v·w`` itself: the measured ``λ = ⟨Δ, w⟩ / (η‖w‖²)``
    equals λ_v, and Δ − η·λ·w vanishes (rtol 1e-3);
(d) λ_v is the factor the case expects (e.g. Muon's ``adam_weight_decay`` for
    its Adam step, the inner optimizer's own factor in a MultiOptimizer).

The column "effect" is ``⟨Δ, w⟩ / (η·λ_v·‖w‖²)``: 1 where the weight moves by
exactly η·λ_v·w, otherwise how much of the shrink the rest of the update
keeps (see `tb_regloss.decoupled_decay`): Lamb's trust ratio and Adafactor's
RMS(w) step scale read the shrunk w; Ftrl recomputes w from its accumulators;
ScheduleFreeAdamW at step t keeps ``1 − 1/t`` (0.5 at the second step). In
every case what is logged is ``(λ_v/2)·Σw²`` with the optimizer's factor.
Not decays and not logged: Ftrl's ``l2_regularization_strength`` and
``l2_shrinkage_regularization_strength`` (penalties inside its update).

Run: ``python bench/optimizer_zoo.py`` (on any backend: ``KERAS_BACKEND=jax``).
It prints one row per (optimizer, wrapper, variable) and exits with status 1
if a check fails. ``tests/test_optimizer_zoo.py`` runs the same checks.
"""

import dataclasses
import inspect
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from tb_regloss import decoupled_decay  # noqa: E402

LEARNING_RATE = 0.1
# The default optimizer of the MultiOptimizer cases, for the variables not under body/.
DEFAULT_LEARNING_RATE, DEFAULT_FACTOR = 0.05, 0.2
FACTOR = 0.5  # λ: η·λ = 0.05, a shrink far above float32 rounding
# Updates that read w itself: the difference of the two steps is not η·λ·w (see the docstring).
READS_W = ("Lamb", "Adafactor", "Ftrl", "ScheduleFreeAdamW")
WRAPPERS = ("alone", "LossScaleOptimizer", "MultiOptimizer")
RTOL = 1e-3


def optimizer_classes():
    """``{name: class}`` of every optimizer in ``keras.optimizers`` but the wrappers."""
    wrappers = {getattr(keras.optimizers, n, None) for n in ("LossScaleOptimizer", "MultiOptimizer")}
    return {name: cls for name, cls in sorted(vars(keras.optimizers).items())
            if inspect.isclass(cls) and issubclass(cls, keras.optimizers.Optimizer)
            and cls is not keras.optimizers.Optimizer and cls not in wrappers}


def decay_arguments(name, decay):
    """The constructor's decay arguments: ``FACTOR`` (Muon: ``FACTOR / 10`` for its Adam step, Keras 3.13+)."""
    factor = FACTOR if decay else 0.0
    if name != "Muon":
        return {"weight_decay": factor}
    # head/kernel is 2-D: excluded by name, it takes Muon's Adam step (so would the biases).
    arguments = {"weight_decay": factor, "exclude_layers": ["head"]}
    if _muon_has_adam_decay():
        arguments["adam_weight_decay"] = factor / 10
    return arguments


def _muon_has_adam_decay():
    return "adam_weight_decay" in inspect.signature(keras.optimizers.Muon).parameters


def expected_factors(name, wrapper, paths):
    """``{path: λ_v or None}`` the case sets up, from the constructors' arguments."""
    muon_adam = {"head/kernel"} if name == "Muon" and _muon_has_adam_decay() else set()
    own = {p: None if p.endswith("/bias") else FACTOR / 10 if p in muon_adam else FACTOR for p in paths}
    if wrapper == "MultiOptimizer":
        return {p: own[p] if p.startswith("body/") else DEFAULT_FACTOR for p in paths}
    return own


def make_optimizer(name, wrapper, decay):
    """A fresh optimizer of the case, with decay or with factor 0."""
    optimizer = optimizer_classes()[name](learning_rate=LEARNING_RATE, **decay_arguments(name, decay))
    optimizer.exclude_from_weight_decay(var_names=["bias"])  # matched on the variable's name
    if wrapper == "LossScaleOptimizer":
        return keras.optimizers.LossScaleOptimizer(optimizer)
    if wrapper == "MultiOptimizer":
        default = keras.optimizers.SGD(DEFAULT_LEARNING_RATE, weight_decay=DEFAULT_FACTOR if decay else 0.0)
        return keras.optimizers.MultiOptimizer(keras.optimizers.OptimizerMap(default, {"body/.*": optimizer}))
    return optimizer


def wrappers():
    """The wrappers this Keras has: ``MultiOptimizer`` since Keras 3.15."""
    return [w for w in WRAPPERS if w != "MultiOptimizer" or hasattr(keras.optimizers, "MultiOptimizer")]


def tiny_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, name="body", bias_initializer="glorot_uniform")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, name="head", bias_initializer="glorot_uniform")(hidden))


@dataclasses.dataclass
class Row:
    """One variable of one case: what tb-regloss reports and what the step measured."""

    optimizer: str
    wrapper: str
    path: str
    reported: object  # λ_v from regloss/decoupled, or None
    expected: object
    measured: object  # λ from ⟨Δ, w⟩ / (η‖w‖²) (linear updates), else None
    effect: object  # ⟨Δ, w⟩ / (η·λ_v·‖w‖²), or None when not decayed
    verified: str
    failures: list


def _apply(optimizer, grads, variables):
    if not optimizer.built:
        optimizer.build(variables)
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        # It divides by its scale (a power of 2: exact in float32) before the inner optimizer's step.
        scale = float(keras.ops.convert_to_numpy(optimizer.dynamic_scale))
        grads = [g * scale for g in grads]
    grads = [keras.ops.convert_to_tensor(g) for g in grads]
    if keras.backend.backend() != "jax":
        optimizer.apply(grads, variables)
        return
    # JAX: a LossScaleOptimizer's apply leaks tracers out of its ops.cond when run eagerly; fit
    # calls stateless_apply, which returns the new values.
    new_weights, new_state = optimizer.stateless_apply(
        [v.value for v in optimizer.variables], grads, [v.value for v in variables])
    for variable, value in zip([*variables, *optimizer.variables], [*new_weights, *new_state]):
        variable.assign(value)


def _step(name, wrapper, decay, model, weights, state, grads):
    """The weights after one step of a fresh optimizer that starts from ``weights`` and ``state``."""
    optimizer = make_optimizer(name, wrapper, decay)
    optimizer.build(model.trainable_variables)  # its variables, to take the state
    for variable, value in zip(optimizer.variables, state):
        variable.assign(value)
    model.set_weights(weights)
    _apply(optimizer, grads, model.trainable_variables)
    return [np.asarray(w, "float64") for w in model.get_weights()]


def _reported_factors(model, optimizer):
    """``{path: λ_v}`` from tb-regloss' ``regloss/decoupled`` values: ``2·value / Σw²``."""
    model.compile(optimizer, "mse")
    decoupled_decay.prepare(model)
    by_key = {term.key: float(value) for term, value in decoupled_decay.terms(model)}
    return {v.path: 2 * by_key[v.path] / float(np.sum(np.square(keras.ops.convert_to_numpy(v))))
            for v in model.trainable_variables if v.path in by_key}


def run_case(name, wrapper):
    """The `Row` of every trainable variable for the optimizer class ``name`` in ``wrapper``."""
    model = tiny_model()
    variables = model.trainable_variables
    paths = [v.path for v in variables]
    rng = np.random.default_rng(0)
    warm_grads, grads = ([rng.normal(size=v.shape).astype("float32") for v in variables] for _ in range(2))
    warm = make_optimizer(name, wrapper, True)
    _apply(warm, warm_grads, variables)  # one step: the measured one is the second
    state = [keras.ops.convert_to_numpy(v) for v in warm.variables]
    w = [np.asarray(a, "float64") for a in model.get_weights()]
    reported = _reported_factors(model, warm)
    with_decay = _step(name, wrapper, True, model, w, state, grads)
    without = _step(name, wrapper, False, model, w, state, grads)
    expected = expected_factors(name, wrapper, paths)
    rows = []
    for i, path in enumerate(paths):
        eta = DEFAULT_LEARNING_RATE if wrapper == "MultiOptimizer" and not path.startswith("body/") \
            else LEARNING_RATE
        reads_w = name in READS_W and (wrapper != "MultiOptimizer" or path.startswith("body/"))
        shrunk = None
        if reported.get(path):
            start = [a * (1 - eta * reported[path]) if j == i else a for j, a in enumerate(w)]
            shrunk = _step(name, wrapper, False, model, start, state, grads)[i]
        rows.append(_row(name, wrapper, path, eta, w[i], with_decay[i], without[i], shrunk,
                         reported.get(path), expected[path], reads_w))
    return rows


def _row(name, wrapper, path, eta, w, with_decay, without, shrunk, reported, expected, reads_w):
    """Checks (a)–(d) of the module docstring on one variable."""
    failures = []
    delta = without - with_decay
    along = float(np.sum(delta * w) / (eta * np.sum(w * w)))  # λ if Δ = η·λ·w
    scale = np.max(np.abs(w)) * eta * (reported or expected or FACTOR)
    if reported is None:
        verified = "same step with and without decay"
        if not np.allclose(with_decay, without, rtol=0, atol=1e-6 * np.max(np.abs(w))):
            failures.append(f"not reported, but the decay moved it by {np.max(np.abs(delta)):.3g}")
    else:
        verified = "step(w) = step without decay((1−ηλ)w)"
        if not np.allclose(with_decay, shrunk, rtol=0, atol=RTOL * scale):
            failures.append(f"step with decay ≠ step from (1−ηλ)w: {np.max(np.abs(with_decay - shrunk)):.3g}")
        if not reads_w:
            verified += "; Δ = ηλw"
            if not np.allclose(delta, eta * along * w, rtol=0, atol=RTOL * scale) \
                    or abs(along - reported) > RTOL * reported:
                failures.append(f"Δ ≠ η·λ·w: measured λ {along:.6g}, reported {reported:.6g}")
    if reported != expected and not (reported and expected and abs(reported - expected) <= RTOL * expected):
        failures.append(f"reported λ {reported}, the case sets {expected}")
    effect = along / reported if reported else None
    return Row(name, wrapper, path, reported, expected, None if reads_w else along, effect, verified, failures)


def _format(value):
    return "-" if value is None else f"{value:.4g}"


def main():
    print(f"Keras {keras.__version__}, backend {keras.backend.backend()}; η = {LEARNING_RATE}, "
          f"MultiOptimizer default SGD(η = {DEFAULT_LEARNING_RATE}, weight_decay = {DEFAULT_FACTOR})\n")
    header = ("optimizer", "wrapper", "variable", "λ logged", "λ measured", "effect", "verified", "result")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    failed = 0
    for name in optimizer_classes():
        for wrapper in wrappers():
            for row in run_case(name, wrapper):
                failed += bool(row.failures)
                result = "FAIL: " + "; ".join(row.failures) if row.failures else "OK"
                print(f"| {row.optimizer} | {row.wrapper} | {row.path} | {_format(row.reported)} | "
                      f"{_format(row.measured)} | {_format(row.effect)} | {row.verified} | {result} |")
    print(f"\n{failed} failed rows")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
