"""Decoupled weight decay (AdamW, or any optimizer's ``weight_decay``) in loss units.

Every Keras optimizer starts its update of a decayed variable with
``w ← w − η·λ_v·w`` (η its current learning rate, λ_v the factor of that
variable: see `tb_regloss._keras.optimizers.decoupled_decays`); it never appears
in ``model.losses``. The L2 penalty that gives the same step under plain SGD is
``(λ_v / 2) · Σw²``: its gradient is ``λ_v · w``. That is the value logged as
``regloss/decoupled/<key>`` (keys as in `tb_regloss.keys`), so decoupled decay
can be compared with coupled penalties. It is not part of the loss.

λ_v is the factor of the optimizer that updates the variable: a
``MultiOptimizer``'s inner optimizer for it, ``Muon``'s ``adam_weight_decay``
for the variables it updates with its Adam step (``weight_decay`` for the
others); variables excluded with ``exclude_from_weight_decay`` have no series.

Where the rest of the update depends on w, the shrink still comes first and
the series is the same, but the weight after the step moves by another amount
than ``η·λ_v·w`` (``bench/optimizer_zoo.py`` measures it):

- ``Lamb`` and ``Adafactor`` scale their step by ‖w‖ (trust ratio) or RMS(w),
  read after the shrink; Adafactor's decay uses ``learning_rate`` even with
  ``relative_step``, not the relative step size;
- ``Ftrl`` recomputes w from its accumulators, so only part of the shrink
  remains; its ``l2_regularization_strength`` and
  ``l2_shrinkage_regularization_strength`` are penalties inside its own
  update (added to the gradient or the proximal step), not a decay of w,
  and are not logged;
- ``ScheduleFreeAdamW`` decays its stored point y, from which it recovers
  the average x: the weight after step t moves by ``(1 − 1/t)·η·λ·w``.
"""

from tb_regloss import attribution
from tb_regloss import _keras
from tb_regloss import keys


def prepare(model, optimizer=None):
    """Builds the optimizer on the host if it may decay weights and is not built yet.

    Which variables it decays, and which inner optimizer of a
    ``MultiOptimizer`` updates each, is known only once it is built, and
    building it while the step is traced would make TensorFlow trace twice.
    ``optimizer`` defaults to ``model.optimizer``; it is built on
    ``model.trainable_variables``. Not while a layer of the model is unbuilt
    (a subclassed model before its first call): an optimizer built without
    its variables refuses them later, and Keras builds it itself once the
    model is built, before it makes the train step (where this is called
    again).
    """
    if optimizer is None:
        optimizer = getattr(model, "optimizer", None)
    optimizer = _keras.optimizers.unscaled_optimizer(optimizer)
    if optimizer is not None and not optimizer.built and _may_decay(optimizer) \
            and all(layer.built for layer in _keras.layers.all_layers(model)):
        with _keras.step_state.strategy_of(model).scope():  # Its variables go where the model's are.
            optimizer.build(model.trainable_variables)


def _may_decay(optimizer):
    """Whether ``optimizer`` has a decay factor, or delegates to inner optimizers (a ``MultiOptimizer``)."""
    inner = _keras.optimizers.inner_optimizers(optimizer)
    return inner != [optimizer] or any(getattr(optimizer, name, None)
                                       for name in ("weight_decay", "adam_weight_decay"))


def decayed(model):
    """``[(variable, VariableDecay)]`` for every trainable variable of ``model`` its optimizer decays.

    Empty without an optimizer. See `tb_regloss._keras.optimizers.decoupled_decays`.

    Example:

    ```python
    model.compile(keras.optimizers.Muon(weight_decay=0.1, adam_weight_decay=0.01), "mse")
    prepare(model)
    [(v.path, d.factor) for v, d in decayed(model)]  # [("dense/kernel", 0.1), ("dense/bias", 0.01), ...]
    ```
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return []
    variables = model.trainable_variables
    return [(v, d) for v, d in zip(variables, _keras.optimizers.decoupled_decays(optimizer, variables))
            if d.factor is not None]


def terms(model):
    """Returns ``[(Term, value)]`` for every variable the optimizer decays.

    Empty when the model has no optimizer or nothing is decayed. Called while
    the train step is traced, on the weights before the step's update.

    Example:

    ```python
    model.compile(keras.optimizers.AdamW(weight_decay=0.004), "mse")
    prepare(model)  # on the host, before the step is traced
    [(term.key, value) for term, value in terms(model)]  # [("dense/kernel", <tensor>), ...]
    ```
    """
    from keras import ops

    model_keys = keys.ModelKeys(model)
    return [
        (_term(model_keys.weight_key(v), v, decay),
         decay.factor / 2 * ops.sum(ops.square(ops.cast(ops.stop_gradient(v), "float32"))))
        for v, decay in decayed(model)
    ]


def _term(key, variable, decay):
    what = (f"decoupled weight decay {type(decay.owner).__name__}({decay.factor_name}={decay.factor:g})"
            " as (wd/2)·Σw²")
    term = attribution.weight_term(what, key, variable)
    note = "; the L2 penalty giving the same step under plain SGD, not part of the loss"
    return attribution.Term(term.key, term.description + note)
