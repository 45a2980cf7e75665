"""Attribute every term of ``model.losses`` to the weight or layer it comes from.

Keras 3 builds ``model.losses`` in a fixed order (see ``Layer.losses``): first
the terms each layer added with ``add_loss`` during the last call (its own,
then every sublayer's, layers deduplicated), then one regularization term per
trainable weight that has a regularizer, in ``model.trainable_weights`` order.
This module walks the same structure, so it can name each term without
recomputing anything: the terms of ``add_loss`` are matched by identity, the
weight terms by position. Keys follow contract v2.1 (`tb_regloss.keys`).
"""

import dataclasses
import math

from tb_regloss import _keras
from tb_regloss import keys
from tb_regloss import loss_origins
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


def penalties(model, losses=None):
    """Returns every term of ``model.losses``, attributed to where it comes from.

    Keys name where a term comes from by the chain of layer names from
    ``model`` (its own name excluded) down to the layer that made it:
    ``<layer chain>/<variable.name>`` for a weight regularizer (``conv/kernel``,
    ``tower_a/proj/kernel``, ``lstm/lstm_cell/kernel``), ``<layer chain>/activity``
    for an activity regularizer and ``<layer chain>/add_loss`` for other
    ``add_loss`` terms; a term of ``model`` itself has no chain (``activity``).
    Keys are the same after ``save``/``load_model`` and ``clone_model`` and for
    models built one after another. A term that cannot be attributed is kept
    under ``unattributed/<index>``. Terms with the same key are added up, so the values
    sum to ``sum(model.losses)``. Works eagerly and inside ``tf.function``.

    Args:
        model: a Keras 3 model (or layer). Activity and ``add_loss`` terms exist
            only after the model has been called, as in Keras itself.
        losses: the losses to attribute instead of ``model.losses``: on JAX,
            those ``model.stateless_call(..., return_losses=True)`` returns,
            in the order Keras gives them.

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

    On JAX, in the stateless step of a custom loop:

    ```python
    y_pred, non_trainable_variables, losses = model.stateless_call(
        trainable_variables, non_trainable_variables, x, training=True, return_losses=True)
    terms = tb_regloss.penalties(model, losses)
    ```
    """
    from keras import ops

    _keras.version.check_keras_version()
    loss_origins.watch(model)  # Exact activity terms from the next call on.
    returned = losses is not None
    losses = list(model.losses if losses is None else losses)
    if not returned:
        _check_usable_here(losses)
    values = {}
    for term, loss in zip(attribute(model, losses, returned_by_a_call=returned), losses):
        value = ops.sum(ops.cast(loss, "float32"))
        values[term.key] = values[term.key] + value if term.key in values else value
    return values


def attribute(model, losses, returned_by_a_call=False):
    """Names each tensor of ``losses``, a list taken from ``model.losses``.

    With ``returned_by_a_call``, ``losses`` are those the model's last
    ``stateless_call(..., return_losses=True)`` returned instead.

    Returns a list of `Term`, one per element of ``losses``, in the same order.
    """
    model_keys = keys.ModelKeys(model)
    owners = _own_loss_owners(model, model_keys, losses if returned_by_a_call else None)
    regularized = [v for v in model.trainable_weights if v.regularizer is not None]
    n_own = len(losses) - len(regularized)
    if n_own < 0:  # Not the structure Keras builds: name nothing wrongly.
        return [_unattributed(i) for i in range(len(losses))]
    terms = [owners.get(id(t)) or _unattributed(i) for i, t in enumerate(losses[:n_own])]
    terms += [
        weight_term(describe_regularizer(v.regularizer), model_keys.weight_key(v), v)
        for v in regularized
    ]
    return terms


def weight_term(what, key, variable):
    """The `Term` of a weight: ``"<what> on <key> (shape 3×3×16×32, 4608 parameters)"``."""
    shape = tuple(variable.shape)
    dims = "×".join(str(d) for d in shape) or "scalar"
    return Term(key, f"{what} on {key} (shape {dims}, {math.prod(shape)} parameters)")


def describe_regularizer(regularizer):
    """A short repr of a regularizer from its config, e.g. ``L2(l2=0.01)``.

    >>> import keras
    >>> describe_regularizer(keras.regularizers.L1L2(l1=0.0, l2=0.5))
    'L1L2(l1=0, l2=0.5)'
    """
    try:
        config = regularizer.get_config()
    except Exception:  # A user regularizer without get_config is still named.
        config = {}
    args = ", ".join(f"{k}={_short(v)}" for k, v in config.items())
    return f"{type(regularizer).__name__}({args})"


def _check_usable_here(losses):
    """Refuses tensors left in ``layer.losses`` by a traced step.

    After ``fit``, activity and ``add_loss`` terms of the last traced call stay
    in the layers but belong to that step's graph; using them eagerly would
    fail deep inside the backend.
    """
    if _keras.backends.left_by_a_traced_step(losses):
        raise ValueError(
            "tb_regloss.penalties: model.losses holds activity or add_loss terms "
            "from a traced step (e.g. the last fit), which cannot be used eagerly. "
            "Call the model on a batch first: `model(x); tb_regloss.penalties(model)`."
        )


def _own_loss_owners(model, model_keys, returned=None):
    """Maps ``id(tensor)`` of each ``add_loss`` or activity term to its `Term`.

    ``returned``: the losses a ``stateless_call`` returned, if they are those named.
    """
    owners = {}
    for layer in _keras.layers.all_layers(model, include_self=True):
        own = _keras.layers.own_losses(layer, returned)
        if not own:
            continue
        name = model_keys.layer_name(layer)
        for tensor, kind in zip(own, loss_origins.kinds(layer, own)):
            if kind == tags.ACTIVITY:
                description = (f"activity regularizer {describe_regularizer(layer.activity_regularizer)}"
                               f" on the output of layer {name}")
            else:
                description = f"add_loss() term of layer {name} ({type(layer).__name__})"
            owners[id(tensor)] = Term(model_keys.layer_key(layer, kind), description)
    return owners


def _unattributed(index):
    return Term(
        f"{tags.UNATTRIBUTED_PREFIX}{index}",
        "a term of model.losses that tb_regloss could not attribute to a layer",
    )


def _short(value):
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value) if isinstance(value, str) else str(value)
