"""Tells a layer's activity-regularizer terms from the terms its own code adds.

Keras adds both to the same list (``Layer.add_loss``): the activity term of
each output right after ``call()`` returns, and whatever ``call()`` adds
itself. Keras' own layers never call ``add_loss``, so their terms are all
activity terms. For other layers with an activity regularizer, `watch` wraps
``add_loss`` on the instance and remembers the tensors Keras' ``__call__``
adds, so each term is named exactly. A layer called before it was watched is
classified by its code: if no method of its class mentions ``add_loss``, all
its terms are activity terms; otherwise the last one is.
"""

import weakref

from tb_regloss import _keras
from tb_regloss.tags import ACTIVITY
from tb_regloss.tags import ADD_LOSS
_WATCHED = "_tb_regloss_activity_terms"


def watch(model):
    """Watches every layer of ``model`` whose activity terms need telling apart.

    Idempotent; the wrapper lives on the layer instance only (not saved, not
    cloned). Watch before the model is called so the next call is exact.
    """
    adder = _keras.layers.activity_regularizer_adder()
    for layer in _keras.layers.all_layers(model, include_self=True):
        if layer.activity_regularizer is None or _keras.layers.is_keras_layer(layer) \
                or _WATCHED in layer.__dict__:
            continue
        seen = {}
        _keras.trainer.replace_method(layer, _WATCHED, seen)
        _keras.trainer.replace_method(layer, "add_loss", _recording_add_loss(layer.add_loss, adder, seen))


def kinds(layer, own_losses):
    """``"activity"`` or ``"add_loss"`` for each of ``layer``'s own loss tensors."""
    if layer.activity_regularizer is None:
        return [ADD_LOSS] * len(own_losses)
    if _keras.layers.is_keras_layer(layer):
        return [ACTIVITY] * len(own_losses)
    seen = layer.__dict__.get(_WATCHED)
    if seen is not None and all(seen.get(id(t), (0, _dead))[1]() is t for t in own_losses):
        return [ACTIVITY if seen[id(t)][0] else ADD_LOSS for t in own_losses]
    if not _code_mentions_add_loss(type(layer)):
        return [ACTIVITY] * len(own_losses)
    return [ADD_LOSS] * (len(own_losses) - 1) + [ACTIVITY] * min(1, len(own_losses))


def _recording_add_loss(add_loss, adder, seen):
    from keras import tree

    def recording_add_loss(loss):
        if len(seen) > 1024:  # Tensors of old calls: forget the dead ones.
            for key in [k for k, (_, ref) in seen.items() if ref() is None]:
                del seen[key]
        is_activity = _keras.layers.caller_code(1) is adder
        for tensor in tree.flatten(loss):
            seen[id(tensor)] = (is_activity, weakref.ref(tensor))
        return add_loss(loss)

    return recording_add_loss


def _dead():
    return None


def _code_mentions_add_loss(cls):
    for klass in cls.__mro__:
        if klass.__module__.startswith("keras."):
            continue
        for value in vars(klass).values():
            code = getattr(getattr(value, "__func__", value), "__code__", None)
            if code is not None and "add_loss" in code.co_names:
                return True
    return False
