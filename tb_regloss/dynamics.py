"""What weight decay does to each weight's training, measured in the train step.

For every trainable weight with a regularizer or decayed by the optimizer, the
step's own gradients and the weight before and after the optimizer's update
give (tags ``regloss/dynamics/<quantity>/<key>``, see `tb_regloss.tags`):

- ``weight_norm``: ‖w‖ before the step;
- ``update_norm``: ‖Δw‖ of the step (gradient step and decoupled decay);
- ``angular_update``: the angle between w before and after the step, in
  radians, computed as ``atan2`` of the update's parts across and along w,
  which stays exact for the tiny angles of a step where ``arccos`` of a
  float32 cosine would round to 0;
- ``penalty_grad_norm``: ‖∇w R(w)‖ of the weight's own regularizer, plus
  ``λ·w`` for decoupled decay (``weight_decay`` λ);
- ``loss_grad_norm``: ‖g − ∇w R(w)‖, where g is the gradient handed to the
  optimizer: the gradient of everything else in the loss (data loss, activity
  and ``add_loss`` terms);
- ``decay_ratio``: ``penalty_grad_norm / loss_grad_norm``;
- ``angular_equilibrium``: the angle per step a scale-invariant weight settles
  at (rotational equilibrium, Kosson et al. 2024; Wan et al. 2020), where the
  theory applies, from the current learning rate η and the decay factor λ:
  AdamW / Adam with decoupled decay ``√(2ηλ(1−β1)/(1+β1))``; SGD with
  momentum α and coupled L2 (``L2(l2)`` has gradient ``2·l2·w``, so λ = 2·l2)
  or decoupled decay without momentum ``√(2ηλ/(1+α))``. Absent for other
  optimizers, L1 or custom regularizers, Adam with coupled L2, and Nesterov.

η and λ are those of the optimizer that updates the weight
(`tb_regloss._keras.optimizers.decoupled_decays`): a ``MultiOptimizer``'s inner
optimizer for it, with its own learning rate; ``Muon``'s ``adam_weight_decay``
for the weights of its Adam step. The rule above is applied to that optimizer.

The gradient is the one the optimizer receives, unscaled (a loss scale factor
or a ``LossScaleOptimizer``'s scale divided out) and, under ``tf.distribute``,
summed over the replicas as the optimizer sums it; it is taken before
gradient clipping (the gradient of the loss, not the clipped step).

Example:

```python
model.fit(x, y, callbacks=[tb_regloss.RegLossCallback("runs/exp", dynamics=True)])
```
"""

import dataclasses
import weakref

import keras

from tb_regloss import _keras
from tb_regloss import keys
from tb_regloss import tags

# The quantities measured for every watched weight, in the order of a step's vector.
PER_WEIGHT = ("weight_norm", "update_norm", "angular_update", "penalty_grad_norm",
              "loss_grad_norm", "decay_ratio")
# A loss gradient this small counts as zero in decay_ratio (no division by zero).
_TINY = 1e-30


@dataclasses.dataclass(frozen=True)
class Watched:
    """One weight whose dynamics are measured.

    Attributes:
        variable: the Keras variable.
        key: its series key (`tb_regloss.keys`).
        coupled_l2: the λ of its regularizer's gradient ``λ·w`` when it is an
            L2 (``2·l2``), ``0.0`` without regularizer, ``None`` for one the
            theory does not cover (L1, custom).
        owner: the optimizer that updates it; η is its learning rate.
        decoupled: that optimizer's decoupled decay factor λ_v for it, or 0.
        equilibrium: ``c`` with angle = ``√(2·η·λ·c)``, or ``None``.
        equilibrium_lambda: the λ that formula uses.
        equilibrium_text: the formula and its factors, for the description.
    """

    variable: object
    key: str
    owner: object
    coupled_l2: object
    decoupled: float
    equilibrium: object
    equilibrium_lambda: float
    equilibrium_text: str


def watched(model, optimizer=None):
    """The `Watched` weights of ``model``: trainable, with a regularizer or decoupled decay.

    ``optimizer`` (default: ``model.optimizer``) is the one that updates them:
    for each weight, the optimizer that owns it (an inner optimizer of a
    ``MultiOptimizer``), its decay factor for it and its kind give the rest
    of the `Watched`.

    Example:

    ```python
    [w.key for w in watched(model)]  # ["conv/kernel", "dense/kernel"]
    ```
    """
    optimizer = optimizer or getattr(model, "optimizer", None)
    variables = model.trainable_variables
    decays = (_keras.optimizers.decoupled_decays(optimizer, variables) if optimizer is not None
              else [_keras.optimizers.VariableDecay(None, None, None)] * len(variables))
    model_keys = keys.ModelKeys(model)
    out = []
    for variable, decay in zip(variables, decays):
        regularizer = getattr(variable, "regularizer", None)
        decoupled = decay.factor or 0.0
        if regularizer is None and not decoupled:
            continue
        coupled = _coupled_l2(regularizer)
        c, lam, text = _equilibrium(decay.owner, coupled, decoupled)
        out.append(Watched(variable, model_keys.weight_key(variable), decay.owner, coupled, decoupled,
                           c, lam, text))
    return out


def descriptions(watched_weights):
    """``{tag: description}`` of every dynamics series of ``watched_weights``."""
    what = {
        "weight_norm": "‖w‖ before the step",
        "update_norm": "‖Δw‖ of the step (gradient step and decoupled decay)",
        "angular_update": "angle between w before and after the step, radians",
        "penalty_grad_norm": "‖∇w R(w)‖ of the weight's regularizer, plus ‖λ·w‖ of decoupled decay",
        "loss_grad_norm": "‖gradient of the rest of the loss‖: data loss, activity and add_loss terms",
        "decay_ratio": "penalty_grad_norm / loss_grad_norm: above 1, decay pulls harder than the data",
    }
    out = {}
    for w in watched_weights:
        for quantity in PER_WEIGHT:
            out[tags.dynamics_tag(quantity, w.key)] = f"{what[quantity]}, of {w.key}"
        if w.equilibrium is not None:
            out[tags.dynamics_tag("angular_equilibrium", w.key)] = (
                f"predicted equilibrium angle per step of {w.key} (rotational equilibrium): "
                f"{w.equilibrium_text}"
            )
    return out


@dataclasses.dataclass
class Measurement:
    """The dynamics of one step, traced: ``values`` of ``tags``, measured when ``taken`` is 1.

    Attributes:
        tags: the series' tags (`series_tags`).
        values: a float32 vector of their values (zeros when not taken).
        taken: 1.0 if this step was measured, else 0.0 (a float32 scalar).
        descriptions: ``{tag: description}``.
    """

    tags: list
    values: object
    taken: object
    descriptions: dict


def apply_measured(model, optimizer, apply, grads, variables, every=1):
    """Calls ``apply(grads, variables)`` and measures that update; returns ``(result, Measurement)``.

    The `Measurement` is ``None`` when no variable with a gradient is watched.
    With ``every > 1`` only the steps whose optimizer iteration is a multiple
    of ``every`` are measured (sampled: a measurement costs about one more
    update of the weights, which the other steps skip). ``optimizer`` is the
    one whose ``apply`` gets unscaled gradients (a ``LossScaleOptimizer``'s
    inner optimizer); the learning rates are read from the optimizers that
    own the weights (`Watched.owner`).
    """
    from keras import ops

    prepared = _WATCHED.get(model)
    by_id = {id(w.variable): w for w in (watched(model, optimizer) if prepared is None else prepared)}
    chosen = [(by_id[id(v)], g) for g, v in zip(grads, variables) if g is not None and id(v) in by_id]
    if not chosen:
        return apply(grads, variables), None
    weights = [w for w, _ in chosen]
    # Copied before the update: this step's learning rates, iteration and
    # weights (a plain read may share the buffer the update writes in place).
    learning_rates = _learning_rates(weights)
    iteration = ops.copy(optimizer.iterations)
    before = {id(w.variable): ops.copy(w.variable) for w in weights}
    step_grads = _keras.backends.summed_over_replicas([g for _, g in chosen])
    scale = optimizer.loss_scale_factor
    if scale is not None:
        step_grads = [g / scale for g in step_grads]
    grads_by_variable = {id(w.variable): g for w, g in zip(weights, step_grads)}
    result = apply(grads, variables)
    after = {id(w.variable): ops.convert_to_tensor(w.variable) for w in weights}
    series = series_tags(weights)

    def measured():
        return measure(weights, grads_by_variable, before, after, learning_rates)

    if every == 1:
        taken, values = ops.ones(()), measured()
    else:
        due = ops.equal(ops.mod(iteration, every), 0)
        taken = ops.cast(due, "float32")
        values = ops.cond(due, measured, lambda: ops.zeros((len(series),), "float32"))
    return result, Measurement(series, values, taken, descriptions(weights))


def _learning_rates(watched_weights):
    """``{id(owner): copy of its learning rate}`` for the owners of the weights with an equilibrium."""
    from keras import ops

    owners = {id(w.owner): w.owner for w in watched_weights if w.equilibrium is not None}
    return {key: ops.copy(owner.learning_rate) for key, owner in owners.items()}


def apply_call_measured(model, optimizer, apply, grads, trainable_variables=None, every=1):
    """`apply_measured` for a call ``apply(grads, trainable_variables=None)``, as ``optimizer.apply`` takes it.

    Without variables (``stateless_apply`` calls ``apply(grads)``) the
    optimizer's own are updated, and measured.
    """
    grads = list(grads)
    if trainable_variables is None:
        return apply_measured(model, optimizer, lambda g, _: apply(g), grads,
                              _keras.optimizers.variables_of(optimizer), every)
    return apply_measured(model, optimizer, apply, grads, list(trainable_variables), every)


def series_tags(watched_weights):
    """The tags of one measurement, in the order of `measure`'s values."""
    out = [tags.dynamics_tag(q, w.key) for w in watched_weights for q in PER_WEIGHT]
    out += [tags.dynamics_tag("angular_equilibrium", w.key)
            for w in watched_weights if w.equilibrium is not None]
    return out


def measure(watched_weights, grads_by_variable, before, after, learning_rates):
    """The values of `series_tags` as one float32 vector, traced in the step.

    Each weight costs four sums over its values (‖b‖², ‖Δw‖², ⟨Δw, b⟩ and
    the squared norm of the rest of the gradient), taken together
    (`tb_regloss._keras.backends.summed_products`: on JAX one reduction per
    weight); everything else is arithmetic on those, done for all weights at
    once, so a model with hundreds of weights adds few operations to its
    step. An L2 penalty's gradient is ``λ·w`` in closed form, its squared
    norm ``λ²·‖b‖²``; other regularizers are differentiated, and their
    gradient's squared norm summed.

    Args:
        watched_weights: the `Watched` weights that got a gradient this step.
        grads_by_variable: ``{id(variable): gradient}``, unscaled and summed over replicas.
        before, after: ``{id(variable): value}`` before and after the update.
        learning_rates: ``{id(owner): its learning rate for this step}`` for
            the owners (`Watched.owner`) of the weights with an equilibrium.
    """
    from keras import ops

    rows = []  # per weight: b·b, d·d, d·b and r·r, r the rest of the gradient
    factors = []  # per weight: λ² with p = λ·b its penalty gradient, when in closed form (else 0)
    differentiated = {}  # position -> [(p, p)] for the others
    for i, w in enumerate(watched_weights):
        v = id(w.variable)
        b = ops.cast(before[v], "float32")
        g = ops.cast(grads_by_variable[v], "float32")
        d = ops.cast(after[v], "float32") - b
        regularizer = w.variable.regularizer
        if regularizer is None or w.coupled_l2 is not None:
            # No regularizer, or an L2: its gradient is coupled_l2·b, decoupled decay adds λ·b.
            coupled = w.coupled_l2 if regularizer is not None else 0.0
            rest = g - coupled * b if coupled else g
            factors.append((coupled + w.decoupled) ** 2)
        else:
            penalty = _keras.backends.gradient_of(regularizer, b)
            rest = g - penalty
            full = penalty + w.decoupled * b if w.decoupled else penalty
            differentiated[i] = [(full, full)]
            factors.append(0.0)
        rows.append([(b, b), (d, d), (d, b), (rest, rest)])
    bb, dd, db, rr = ops.unstack(_keras.backends.summed_products(rows), num=4, axis=1)
    pp = ops.convert_to_tensor(factors, "float32") * bb
    if differentiated:
        summed = dict(zip(differentiated, ops.unstack(
            _keras.backends.summed_products(list(differentiated.values())), num=len(differentiated))))
        pp = ops.stack([summed[i][0] if i in summed else pp[i] for i in range(len(rows))])
    weight_norm = ops.sqrt(bb)
    # w after the step is b + Δw: its parts along b and across it give the angle,
    # without normalizing either vector (exact for the tiny angles of a step).
    along = weight_norm + db / ops.maximum(weight_norm, _TINY)
    across = ops.sqrt(ops.maximum(dd - ops.square(db) / ops.maximum(bb, _TINY), 0.0))
    angle = ops.where(weight_norm > 0, ops.arctan2(across, along), ops.zeros_like(bb))
    penalty_norm, rest_norm = ops.sqrt(pp), ops.sqrt(rr)
    per_weight = ops.stack([weight_norm, ops.sqrt(dd), angle, penalty_norm, rest_norm,
                            penalty_norm / ops.maximum(rest_norm, _TINY)], axis=1)
    values = [ops.reshape(per_weight, (-1,))]  # weight by weight, in PER_WEIGHT order
    predicted = [w for w in watched_weights if w.equilibrium is not None]
    if predicted:
        lr = ops.stack([ops.cast(learning_rates[id(w.owner)], "float32") for w in predicted])
        factors = [w.equilibrium_lambda * w.equilibrium for w in predicted]
        values.append(ops.sqrt(2.0 * lr * ops.convert_to_tensor(factors, "float32")))
    return ops.concatenate(values) if len(values) > 1 else values[0]


def _coupled_l2(regularizer):
    if regularizer is None:
        return 0.0
    if isinstance(regularizer, keras.regularizers.L2):
        return 2.0 * float(regularizer.l2)
    if isinstance(regularizer, keras.regularizers.L1L2) and not float(regularizer.l1):
        return 2.0 * float(regularizer.l2)
    return None


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def prepare(model, optimizer=None):
    """Finds the `watched` weights on the host; call before the step is built.

    In a JAX step the learning rate is a traced value that the descriptions
    cannot read, and a compiled PyTorch step should not format text: the
    texts of the optimizers that own the weights are read here.
    ``optimizer`` defaults to ``model.optimizer``.
    """
    optimizer = optimizer or getattr(model, "optimizer", None)
    for owner in (_keras.optimizers.inner_optimizers(optimizer) if optimizer is not None else []):
        _LEARNING_RATE_TEXTS[owner] = _learning_rate_text(owner)
    _WATCHED[model] = watched(model, optimizer)


_LEARNING_RATE_TEXTS = weakref.WeakKeyDictionary()  # optimizer -> its `_learning_rate_text`
_WATCHED = weakref.WeakKeyDictionary()  # model -> its `watched` weights when prepared


def _learning_rate_text(optimizer):
    """``η = the current learning rate`` with where it comes from: its value, or the schedule's class."""
    if optimizer in _LEARNING_RATE_TEXTS:
        return _LEARNING_RATE_TEXTS[optimizer]
    with _keras.backends.outside_the_step():  # The config reads the learning rate variable's value.
        learning_rate = optimizer.get_config().get("learning_rate")
    if isinstance(learning_rate, dict):
        source = f"of its {learning_rate.get('class_name', 'schedule')} schedule"
    elif _float(learning_rate) is not None:
        source = f"(learning_rate = {_float(learning_rate):g} when compiled)"
    else:
        source = ""
    return f"η = the current learning rate {source}".rstrip()


def _equilibrium(optimizer, coupled, decoupled):
    """``(c, λ, text)`` with angle = √(2ηλc), or ``(None, 0.0, "")`` where the theory does not apply."""
    none = (None, 0.0, "")
    if optimizer is None or coupled is None:
        return none
    name = type(optimizer).__name__
    eta = _learning_rate_text(optimizer)
    if isinstance(optimizer, keras.optimizers.Adam):  # AdamW is one
        beta_1 = _float(optimizer.beta_1)
        if coupled or not decoupled or beta_1 is None:
            return none
        c = (1 - beta_1) / (1 + beta_1)
        return (c, decoupled,
                f"{name}: √(2ηλ(1−β1)/(1+β1)) with {eta}, "
                f"λ = weight_decay = {decoupled:g}, β1 = {beta_1:g}")
    if isinstance(optimizer, keras.optimizers.SGD) and not optimizer.nesterov:
        momentum = _float(optimizer.momentum)
        lam = coupled + decoupled
        # Decoupled decay bypasses the momentum: the formula holds for it without momentum only.
        if momentum is None or not lam or (decoupled and momentum):
            return none
        source = f"2·l2 = {coupled:g} (coupled L2)" if coupled else f"weight_decay = {decoupled:g}"
        return (1 / (1 + momentum), lam,
                f"{name}: √(2ηλ/(1+α)) with {eta}, λ = {source}, "
                f"α = momentum = {momentum:g}")
    return none
