"""Which optimizer updates each variable and with which decoupled decay; the optimizer's apply, measured.

Part of the Keras boundary (`tb_regloss._keras`): each private name used here
says what it relies on and the versions checked.
"""

import contextlib
import typing

from tb_regloss._keras import trainer


def unscaled_optimizer(optimizer):
    """The optimizer that applies unscaled gradients: a ``LossScaleOptimizer``'s inner one.

    Any other optimizer (or ``None``) is returned as it is. ``inner_optimizer``
    is public (Keras 3.0+).

    Example:

    >>> import keras
    >>> sgd = keras.optimizers.SGD()
    >>> unscaled_optimizer(keras.optimizers.LossScaleOptimizer(sgd)) is sgd
    True
    """
    return getattr(optimizer, "inner_optimizer", optimizer)

class VariableDecay(typing.NamedTuple):
    """How the optimizer that updates a variable decays it (see `decoupled_decays`).

    Attributes:
        owner: the optimizer whose update step updates the variable: a
            ``MultiOptimizer``'s inner optimizer for it, else the optimizer
            itself. The η of its decay is ``owner.learning_rate``, the
            current (scheduled) learning rate, read when the step runs.
        factor: λ_v, as a float: the update starts with ``w ← w − η·λ_v·w``;
            ``None`` when it does not decay the variable.
        factor_name: the argument λ_v comes from (``"weight_decay"``,
            ``"adam_weight_decay"``), or ``None``.
    """

    owner: object
    factor: object
    factor_name: object

    def learning_rate(self):
        """η of the decay: the owner's current learning rate (a tensor or a float)."""
        return self.owner.learning_rate

def decoupled_decays(optimizer, variables):
    """The `VariableDecay` of each of ``variables`` (in their order) under ``optimizer``.

    Every Keras optimizer of Keras 3.10–3.15 decays in
    ``BaseOptimizer._apply_weight_decay`` (its TensorFlow and PyTorch
    overrides do the same): ``w ← w − lr·wd·w`` for each variable
    ``_use_weight_decay`` accepts (it honors ``exclude_from_weight_decay``,
    Keras 3.0+), before the update step and with ``lr`` the optimizer's
    ``learning_rate``. Exceptions, read in Keras' source:

    - a ``LossScaleOptimizer`` (Keras 3.0+) leaves the update to its
      ``inner_optimizer``;
    - a ``MultiOptimizer`` (Keras 3.15+) sends each variable to the inner
      optimizer ``_var_to_optimizer_idx[_var_key(variable)]`` indexes in
      ``optimizers``, once built; unbuilt, its variables have no owner yet
      (owner: the ``MultiOptimizer``, factor ``None``);
    - ``Muon`` since Keras 3.13 overrides ``_apply_weight_decay``: the
      variables ``_should_use_adamw`` sends to its Adam step are decayed by
      ``adam_weight_decay``, the others by ``weight_decay`` (Keras 3.10–3.12
      has no ``adam_weight_decay``: ``weight_decay`` for all);
    - variables with ``overwrite_with_gradient`` are assigned their
      gradient, never decayed (``_overwrite_variables_directly_with_gradients``,
      Keras 3.0+).

    Since Keras 3.16 ``_use_weight_decay`` needs a built optimizer: the
    exclusions are read as its ``build`` reads them (`_uses_weight_decay`).

    Example:

    >>> import keras
    >>> v = keras.Variable([[1.0]])
    >>> optimizer = keras.optimizers.AdamW(weight_decay=0.1)
    >>> optimizer.build([v])
    >>> [(type(d.owner).__name__, d.factor, d.factor_name) for d in decoupled_decays(optimizer, [v])]
    [('AdamW', 0.1, 'weight_decay')]
    """
    optimizer = unscaled_optimizer(optimizer)
    return [_decay_of(_owner(optimizer, v), v) for v in variables]

def inner_optimizers(optimizer):
    """The optimizers that update variables for ``optimizer``: a ``MultiOptimizer``'s ``optimizers``, else itself.

    ``MultiOptimizer.optimizers`` is public (Keras 3.15+).

    Example:

    >>> import keras
    >>> sgd = keras.optimizers.SGD()
    >>> inner_optimizers(keras.optimizers.LossScaleOptimizer(sgd)) == [sgd]
    True
    """
    optimizer = unscaled_optimizer(optimizer)
    return list(optimizer.optimizers) if _is_multi_optimizer(optimizer) else [optimizer]

def _is_multi_optimizer(optimizer):
    import keras

    multi = getattr(keras.optimizers, "MultiOptimizer", None)  # Keras 3.15+
    return multi is not None and isinstance(optimizer, multi)

def _owner(optimizer, variable):
    if not _is_multi_optimizer(optimizer) or not optimizer.built:
        return optimizer
    index = optimizer._var_to_optimizer_idx.get(optimizer._var_key(variable))
    return optimizer if index is None else optimizer.optimizers[index]

def _decay_of(owner, variable):
    none = VariableDecay(owner, None, None)
    if _is_multi_optimizer(owner) or getattr(variable, "overwrite_with_gradient", False) \
            or not any(getattr(owner, name, None) for name in ("weight_decay", "adam_weight_decay")):
        # No factor: nothing is decayed, and the optimizer may be unbuilt
        # (`decoupled_decay.prepare` builds only one that may decay).
        return none
    if not _uses_weight_decay(owner, variable):
        return none
    name = "weight_decay"
    if _muon_with_adam_decay(owner) and owner._should_use_adamw(variable):
        name = "adam_weight_decay"
    factor = getattr(owner, name, None)
    return VariableDecay(owner, float(factor), name) if factor else none

def _uses_weight_decay(optimizer, variable):
    """Whether ``optimizer`` decays ``variable`` (unless it has no factor), built or not.

    Keras 3.10–3.15: ``_use_weight_decay(variable)`` reads the exclusions
    (``exclude_from_weight_decay``) on a built or unbuilt optimizer. Keras
    3.16 (nightly 3.16.0.dev2026102704): ``build`` stores
    ``not _is_excluded_from_weight_decay(variable)`` per variable and
    ``_use_weight_decay`` reads that, raising on an unbuilt optimizer (and
    for a variable it was not built with): the exclusions are read here
    through ``_is_excluded_from_weight_decay``, as that ``build`` does.
    """
    is_excluded = getattr(optimizer, "_is_excluded_from_weight_decay", None)
    if is_excluded is not None:
        return not is_excluded(variable)
    return optimizer._use_weight_decay(variable)


def muon_adam_step(optimizer, variable):
    """Whether ``optimizer`` is a ``Muon`` that updates ``variable`` with its Adam step.

    Relies on ``Muon._should_use_adamw(variable)`` (Keras 3.10+): the
    variables that are not 2-D, the embeddings (``exclude_embeddings``) and
    those of ``exclude_layers`` take the Adam step, the others Muon's
    orthogonalized one.

    Example:

    >>> import keras
    >>> muon = keras.optimizers.Muon()
    >>> muon_adam_step(muon, keras.Variable([1.0])), muon_adam_step(muon, keras.Variable([[1.0]]))
    (True, False)
    """
    import keras

    muon = getattr(keras.optimizers, "Muon", None)  # Keras 3.10+
    return muon is not None and isinstance(optimizer, muon) and bool(optimizer._should_use_adamw(variable))

def _muon_with_adam_decay(optimizer):
    import keras

    muon = getattr(keras.optimizers, "Muon", None)  # Keras 3.10+
    return muon is not None and isinstance(optimizer, muon) and hasattr(optimizer, "adam_weight_decay")

def variables_of(optimizer):
    """The variables ``optimizer.apply(grads)`` updates when given no variables.

    Relies on ``BaseOptimizer._trainable_variables`` (Keras 3.0+), set by
    ``build``; JAX's ``stateless_apply`` calls ``apply(grads)`` that way.
    """
    return list(optimizer._trainable_variables)

def wrap_optimizer_apply(optimizer, wrap):
    """Shadows ``optimizer.apply`` (this instance only) by ``wrap(original)``; once.

    ``apply(grads, trainable_variables)`` is public; ``apply_gradients`` and
    ``LossScaleOptimizer.apply`` (with unscaled gradients) call it on the
    instance (Keras 3.0+), so the wrapper sees every update of a train step.
    """
    if getattr(optimizer.apply, trainer._WRAPPED, False):
        return
    wrapped = wrap(optimizer.apply)
    setattr(wrapped, trainer._WRAPPED, True)
    trainer.replace_method(optimizer, "apply", wrapped)

@contextlib.contextmanager
def optimizer_apply_shadowed(optimizer, wrap):
    """Within the context, ``optimizer.apply`` (this instance only) is ``wrap(current apply)``.

    ``stateless_apply`` updates the variables with ``self.apply(grads)``
    inside its ``StatelessScope`` (Keras 3.0+), so the wrapper sees that update.
    """
    shadowed = optimizer.__dict__.get("apply")
    trainer.replace_method(optimizer, "apply", wrap(optimizer.apply))
    try:
        yield
    finally:
        if shadowed is None:
            object.__delattr__(optimizer, "apply")
        else:
            trainer.replace_method(optimizer, "apply", shadowed)
