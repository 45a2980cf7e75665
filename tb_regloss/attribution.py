"""Attribute every term of ``model.losses`` to the weight or layer it comes from.

Keras 3 builds ``model.losses`` in a fixed order (see ``Layer.losses``): first
the terms each layer added with ``add_loss`` during the last call (its own,
then every sublayer's, layers deduplicated), then one regularization term per
trainable weight that has a regularizer, in ``model.trainable_weights`` order.
This module walks the same structure, so it can name each term without
recomputing anything: the terms of ``add_loss`` are matched by identity, the
weight terms by position.
"""

import dataclasses
import math

from tb_regloss import tags


@dataclasses.dataclass(frozen=True)
class Term:
    """Where one term of ``model.losses`` comes from.

    Attributes:
        key: the series key, e.g. ``conv/kernel`` or ``dense/activity``.
        description: a human-readable line naming the regularizer.
    """

    key: str
    description: str


def penalties(model):
    """Returns every term of ``model.losses``, attributed to where it comes from.

    Keys are ``<variable.path>`` for a weight regularizer, ``<layer.path>/activity``
    for an activity regularizer and ``<layer.path>/add_loss`` for other
    ``add_loss`` terms; a term that cannot be attributed is kept under
    ``unattributed/<index>``. Terms with the same key are added up, so the values
    sum to ``sum(model.losses)``. Works eagerly and inside ``tf.function``.

    Args:
        model: a Keras 3 model (or layer). Activity and ``add_loss`` terms exist
            only after the model has been called, as in Keras itself.

    Returns:
        A dict from key to a scalar float tensor.

    Example:

    ```python
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            data_loss = loss_fn(y, model(x, training=True))
            terms = tb_regloss.penalties(model)
            loss = data_loss + tf.add_n(list(terms.values()))
        ...
        writer.write(optimizer.iterations, data_loss=data_loss, penalties=terms)
    ```
    """
    from keras import ops

    losses = model.losses
    _check_usable_here(losses)
    values = {}
    for term, loss in zip(attribute(model, losses), losses):
        value = ops.sum(ops.cast(loss, "float32"))
        values[term.key] = values[term.key] + value if term.key in values else value
    return values


def attribute(model, losses):
    """Names each tensor of ``losses``, a list taken from ``model.losses``.

    Returns a list of `Term`, one per element of ``losses``, in the same order.
    """
    owners = _own_loss_owners(model)
    regularized = [v for v in model.trainable_weights if v.regularizer is not None]
    n_own = len(losses) - len(regularized)
    if n_own < 0:  # Not the structure Keras builds: name nothing wrongly.
        return [_unattributed(i) for i in range(len(losses))]
    terms = [owners.get(id(t)) or _unattributed(i) for i, t in enumerate(losses[:n_own])]
    variable_keys = unique_keys([v.path for v in regularized])
    terms += [
        Term(key, describe_weight(describe_regularizer(v.regularizer), v))
        for key, v in zip(variable_keys, regularized)
    ]
    return terms


def describe_regularizer(regularizer):
    """A short repr of a regularizer from its config, e.g. ``L2(l2=0.01)``.

    >>> import keras
    >>> describe_regularizer(keras.regularizers.L1L2(l1=0.0, l2=0.5))
    'L1L2(l1=0.0, l2=0.5)'
    """
    try:
        config = regularizer.get_config()
    except Exception:  # A user regularizer without get_config is still named.
        config = {}
    args = ", ".join(f"{k}={_short(v)}" for k, v in config.items())
    return f"{type(regularizer).__name__}({args})"


def _check_usable_here(losses):
    """Refuses graph tensors left in ``layer.losses`` by a traced step.

    After ``fit``, activity and ``add_loss`` terms of the last traced call stay
    in the layers but belong to that step's graph; using them eagerly would
    fail deep inside TensorFlow.
    """
    import tensorflow as tf

    if not tf.executing_eagerly():
        return
    if any(tf.is_tensor(t) and not hasattr(t, "numpy") for t in losses):
        raise ValueError(
            "tb_regloss.penalties: model.losses holds activity or add_loss terms "
            "from a traced step (e.g. the last fit), which cannot be used eagerly. "
            "Call the model on a batch first: `model(x); tb_regloss.penalties(model)`."
        )


def _own_loss_owners(model):
    """Maps ``id(tensor)`` of each ``add_loss`` term to its `Term`."""
    owners = {}
    for layer in model._flatten_layers(include_self=True):
        own = layer._get_own_losses()
        if not own:
            continue
        path = layer.path or layer.name
        n_activity = _activity_term_count(layer, len(own))
        for i, tensor in enumerate(own):
            if i >= len(own) - n_activity:
                owners[id(tensor)] = Term(
                    path + tags.ACTIVITY_SUFFIX,
                    f"activity regularizer {describe_regularizer(layer.activity_regularizer)}"
                    f" on the output of layer {path}",
                )
            else:
                owners[id(tensor)] = Term(
                    path + tags.ADD_LOSS_SUFFIX,
                    f"add_loss() term of layer {path} ({type(layer).__name__})",
                )
    return owners


def _activity_term_count(layer, n_own):
    """How many of a layer's own terms come from its activity regularizer.

    Keras adds the activity term after ``call()`` returns, so it is last. Keras'
    own layers never call ``add_loss`` themselves: all their terms are activity.
    """
    if layer.activity_regularizer is None:
        return 0
    if type(layer).__module__.startswith("keras."):
        return n_own
    return 1


def describe_weight(what, variable):
    """``"<what> on <path> (shape 3×3×16×32, 4608 parameters)"``: the description of a weight term."""
    shape = tuple(variable.shape)
    dims = "×".join(str(d) for d in shape) or "scalar"
    return f"{what} on {variable.path} (shape {dims}, {math.prod(shape)} parameters)"


def _unattributed(index):
    return Term(
        f"{tags.UNATTRIBUTED_PREFIX}{index}",
        "a term of model.losses that tb_regloss could not attribute to a layer",
    )


def unique_keys(keys):
    """Makes repeated keys unique by suffixing ``#2``, ``#3``… in order."""
    seen = {}
    out = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return out


def _short(value):
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value) if isinstance(value, str) else str(value)
