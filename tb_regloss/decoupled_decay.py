"""Decoupled weight decay (AdamW, or any optimizer's ``weight_decay``) in loss units.

Keras applies decoupled decay as ``w ← w − lr · wd · w`` after the gradient
step; it never appears in ``model.losses``. The L2 penalty that gives the same
step under plain SGD is ``(wd / 2) · Σw²``: its gradient is ``wd · w``. That is
the value logged as ``regloss/decoupled/<key>`` (keys as in `tb_regloss.keys`), so decoupled decay
can be compared with coupled penalties. It is not part of the loss.
"""

from tb_regloss import attribution
from tb_regloss import keras_internals
from tb_regloss import keys


def prepare(model):
    """Builds the optimizer on the host if it decays weights and is not built yet.

    Which variables it decays is known only once it is built (Keras 3.16), and
    building it while the step is traced would make TensorFlow trace twice.
    """
    optimizer = _decaying_optimizer(model)
    if optimizer is not None and not optimizer.built:
        with keras_internals.strategy_of(model).scope():  # Its variables go where the model's are.
            optimizer.build(model.trainable_variables)


def _decaying_optimizer(model):
    optimizer = keras_internals.unscaled_optimizer(getattr(model, "optimizer", None))
    return optimizer if getattr(optimizer, "weight_decay", None) else None


def terms(model):
    """Returns ``[(Term, value)]`` for every variable the optimizer decays.

    Empty when the model has no optimizer or its ``weight_decay`` is unset.
    Honors ``optimizer.exclude_from_weight_decay``. Called while the train step
    is traced, on the weights before the step's update.

    Example:

    ```python
    model.compile(keras.optimizers.AdamW(weight_decay=0.004), "mse")
    prepare(model)  # on the host, before the step is traced
    [(term.key, value) for term, value in terms(model)]  # [("dense/kernel", <tensor>), ...]
    ```
    """
    from keras import ops

    optimizer = _decaying_optimizer(model)
    if optimizer is None:
        return []
    weight_decay = optimizer.weight_decay
    decayed = [v for v in model.trainable_variables if keras_internals.decays(optimizer, v)]
    model_keys = keys.ModelKeys(model)
    what = (f"decoupled weight decay {type(optimizer).__name__}(weight_decay={weight_decay:g})"
            " as (wd/2)·Σw²")
    half = float(weight_decay) / 2
    return [
        (_with_note(attribution.weight_term(what, model_keys.weight_key(v), v)),
         half * ops.sum(ops.square(ops.cast(ops.stop_gradient(v), "float32"))))
        for v in decayed
    ]


def _with_note(term):
    note = "; the L2 penalty giving the same step under plain SGD, not part of the loss"
    return attribution.Term(term.key, term.description + note)
