"""The layer tree and the losses of a call: how Keras keeps sublayers, weights and ``add_loss`` terms,
and the CPython frame that tells which function added a loss.

Part of the Keras boundary (`tb_regloss._keras`): each private name used here
says what it relies on and the versions checked.
"""


def sublayers(layer):
    """The layers ``layer`` tracks directly, in the order of ``Layer.weights``.

    Relies on ``Layer._layers`` (Keras 3.0+): the list ``Layer.weights``,
    ``Layer.losses`` and ``_flatten_layers`` walk.
    """
    return list(getattr(layer, "_layers", ()))

def own_weights(layer):
    """The variables ``layer`` created itself, in ``Layer.weights`` order.

    Relies on ``Layer._trainable_variables`` and ``_non_trainable_variables``
    (Keras 3.0+), which ``Layer.weights`` lists before the sublayers' weights.
    """
    return list(layer._trainable_variables) + list(layer._non_trainable_variables)

def all_layers(model, include_self=True):
    """``model`` and every nested layer, each once, in ``Layer.losses`` order.

    Relies on ``Layer._flatten_layers`` (Keras 3.0+).
    """
    return list(model._flatten_layers(include_self=include_self))

def auto_name_base(layer):
    """The name Keras would give ``layer`` unnumbered, if ``layer.name`` looks automatic; else ``None``.

    Relies on ``keras.src.utils.naming`` (Keras 3.0+, unchanged to 3.15):
    ``Operation.__init__`` names a layer made without ``name=`` by
    ``auto_name(type(layer).__name__)``, which is ``to_snake_case`` of the
    class name, suffixed ``_<n>`` by ``uniquify``'s process-wide counter from
    the second such name on. A name of that form is taken as automatic (an
    explicit ``name="dense_7"`` on a ``Dense`` cannot be told from one).

    >>> from keras import layers
    >>> auto_name_base(layers.Dense(1, name="dense_12")), auto_name_base(layers.Dense(1, name="proj"))
    ('dense', None)
    """
    import re

    from keras.src.utils.naming import to_snake_case

    base = to_snake_case(type(layer).__name__)
    suffix = layer.name[len(base):]
    if layer.name.startswith(base) and (not suffix or re.fullmatch(r"_\d+", suffix)):
        return base
    return None


def own_losses(layer, returned=None):
    """The ``add_loss`` terms of ``layer`` itself (activity terms included).

    Relies on ``Layer._get_own_losses`` (Keras 3.0+), which ``Layer.losses``
    concatenates for the layer and its sublayers before the weight terms.
    With ``returned``, the losses a ``stateless_call`` returned (they live in
    its scope, not in the layers), those of ``layer``: the ids Keras keeps in
    ``Layer._loss_ids`` until the next call (Keras 3.0+).
    """
    if returned is not None:
        return [t for t in returned if id(t) in layer._loss_ids]
    return layer._get_own_losses()

def losses_of_the_call(model):
    """The losses ``model.losses`` stands for in a JAX train step, or ``None`` elsewhere.

    Keras' JAX steps call the model with ``stateless_call(...,
    return_losses=True)`` and put what it returns in
    ``Layer._losses_override`` (Keras 3.0+) for ``compute_loss``: the
    activity and ``add_loss`` terms, then the weight terms, as `own_losses`
    with ``returned`` names them.
    """
    override = getattr(model, "_losses_override", None)
    return list(override) if override else None

def is_keras_layer(layer):
    """Whether ``layer``'s class is one of Keras' own (they never call ``add_loss``)."""
    return type(layer).__module__.startswith("keras.")

def activity_regularizer_adder():
    """The code object of the Keras function that adds activity terms.

    Relies on ``Layer.__call__`` calling ``self.add_loss`` for each output's
    activity term (Keras 3.0+), under the ``filter_traceback`` decorator.
    """
    import inspect

    from keras import layers

    return inspect.unwrap(layers.Layer.__call__).__code__

def caller_code(depth):
    """The code object of the function ``depth`` frames above the caller of this function.

    Relies on CPython's ``sys._getframe`` (every CPython 3; not on other
    Pythons, where Keras itself does not run either).
    """
    import sys

    return sys._getframe(depth + 1).f_code
