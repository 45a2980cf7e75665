"""L2 weight decay for models that are already built, such as keras.applications.

In Keras 3 a regularizer lives in two places: the layer attribute
(``kernel_regularizer``…) that ``get_config`` saves and ``build`` reads, and
the variable's ``regularizer`` that ``model.losses`` reads. Setting only the
first after ``build`` does nothing; setting only the second is lost on
``save``/``load_model`` and ``clone_model``. `add_weight_decay` sets both.
"""

import math
import re

import keras
from keras import layers

from tb_regloss import _keras
from tb_regloss import keys

_CONV = (
    layers.Conv1D, layers.Conv2D, layers.Conv3D,
    layers.Conv1DTranspose, layers.Conv2DTranspose, layers.Conv3DTranspose,
)
_DEPTHWISE = (layers.DepthwiseConv1D, layers.DepthwiseConv2D)
_SEPARABLE = (layers.SeparableConv1D, layers.SeparableConv2D)
_NORM = (layers.BatchNormalization, layers.LayerNormalization)

# (layer classes, regularizer attribute, variable name, which factor applies)
_COVERED = (
    (_CONV + (layers.Dense, layers.EinsumDense), "kernel_regularizer", "kernel", "l2"),
    (_DEPTHWISE, "depthwise_regularizer", "kernel", "depthwise"),
    (_SEPARABLE, "depthwise_regularizer", "depthwise_kernel", "depthwise"),
    (_SEPARABLE, "pointwise_regularizer", "pointwise_kernel", "l2"),
    ((layers.Embedding,), "embeddings_regularizer", "embeddings", "l2"),
    (_CONV + _DEPTHWISE + _SEPARABLE + (layers.Dense, layers.EinsumDense),
     "bias_regularizer", "bias", "biases"),
    (_NORM, "gamma_regularizer", "gamma", "norm"),
    (_NORM, "beta_regularizer", "beta", "norm"),
)


def add_weight_decay(model, l2, *, depthwise=None, biases=False, norm=False, exclude=()):
    """Adds an L2 penalty ``l2 · Σw²`` to the weights of a built model.

    Covers the kernels of Conv1D/2D/3D and their Transpose variants, Dense,
    EinsumDense, Embedding, SeparableConv (both kernels) and DepthwiseConv2D,
    in nested models too. The penalty is a ``keras.regularizers.L2`` set on the
    layer (so ``save``/``load_model`` and ``clone_model`` keep it) and on the
    variable (so it applies now), before or after ``compile``.

    Calling it again replaces the factors it covers (twice is once); a factor
    of ``0`` removes the penalty. Weights not covered by a call (excluded, or
    biases with ``biases=False``) are left as they are.

    Args:
        model: a built Keras model (e.g. ``keras.applications.MobileNetV2``).
        l2: factor for kernels; ``0`` removes their penalty.
        depthwise: factor for depthwise kernels (DepthwiseConv, and the
            depthwise half of SeparableConv); ``None`` means ``l2``. The
            MobileNet paper advises little or no decay there: pass ``0``.
        biases: ``False`` (left alone), ``True`` (same factor as ``l2``) or a
            factor.
        norm: the same, for BatchNormalization / LayerNormalization
            ``gamma`` and ``beta``.
        exclude: regular expressions searched in each weight's series key
            (``block_1_depthwise/kernel``, ``stem/conv/kernel``: see
            `tb_regloss.penalties`); matching weights are left as they are.

    Returns:
        ``{key: factor}`` for every weight that now carries decay, keyed as
        `tb_regloss.penalties` and the logged series key them.

    Example:

    ```python
    model = keras.applications.MobileNetV2(weights=None, input_shape=(96, 96, 3))
    decayed = tb_regloss.add_weight_decay(model, 4e-5, depthwise=0)
    decayed["Conv1/kernel"]  # 4e-05, keyed as the logged series
    model.compile(...)
    model.fit(..., callbacks=[tb_regloss.RegLossCallback("runs/mobilenet")])
    ```
    """
    if not model.built:
        raise ValueError(
            "add_weight_decay needs a built model, whose weights exist: call "
            "`model.build(input_shape)` or the model on a batch first. "
            f"Received: model={model.name!r} (not built)"
        )
    factors = {
        "l2": _factor(l2, "l2"),
        "depthwise": _factor(l2 if depthwise is None else depthwise, "depthwise"),
        "biases": _optional_factor(biases, l2, "biases"),
        "norm": _optional_factor(norm, l2, "norm"),
    }
    patterns = [re.compile(p) for p in ([exclude] if isinstance(exclude, str) else exclude)]
    model_keys = keys.ModelKeys(model)
    decayed = {}
    for layer in _keras.layers.all_layers(model, include_self=False):
        for classes, attribute, name, which in _COVERED:
            factor = factors[which]
            if factor is None or not isinstance(layer, classes):
                continue
            for variable in layer.weights:
                if variable.name != name:
                    continue
                key = model_keys.weight_key(variable)
                if any(p.search(key) for p in patterns):
                    continue
                regularizer = keras.regularizers.L2(factor) if factor > 0 else None
                setattr(layer, attribute, regularizer)
                variable.regularizer = regularizer
                if regularizer is not None:
                    decayed[key] = factor
    return decayed


def _factor(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < 0:
        raise ValueError(
            f"add_weight_decay: `{name}` must be a finite number ≥ 0 (0 removes the "
            f"penalty). Received: {name}={value!r}"
        )
    return float(value)


def _optional_factor(value, l2, name):
    """``False`` → not covered, ``True`` → ``l2``, a number → itself."""
    if value is False:
        return None
    if value is True:
        return float(l2)
    return _factor(value, name)
