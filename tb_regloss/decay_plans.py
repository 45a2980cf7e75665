"""What decays each trainable weight, read before training: `decay_plan`.

A weight can be decayed two ways: *coupled*, by a regularizer whose penalty is
part of ``model.losses`` (``kernel_regularizer=L2(...)``), and *decoupled*, by
the optimizer's ``weight_decay`` (``w ← w − η·λ·w`` before its update, see
`tb_regloss.decoupled_decay`). `decay_plan` lists, for every trainable
weight, both decays as configured, and the findings: setups that rarely do
what was meant. Codes, in the order findings are listed:

- ``l2_under_adaptive_optimizer``: a coupled L2 (or L1L2 with ``l2 > 0``)
  penalty on a weight updated by an adaptive optimizer, one that rescales
  gradients per coordinate or by sign (the Adam family, RMSprop, Adagrad,
  Adadelta, Adafactor, Ftrl, Lamb, Lion, Muon's Adam step): the penalty's
  gradient is rescaled with the rest, so it is not weight decay. The optimizer
  is the one that updates the weight (a ``MultiOptimizer``'s inner one).
- ``norm_decayed``: a weight of a normalization layer (gamma, beta, scale)
  decayed, coupled (any regularizer) or decoupled.
- ``bias_decayed``: a layer's ``bias`` decayed.
- ``embedding_decayed``: the embeddings of ``keras.layers.Embedding`` (or of
  keras-hub's ``ReversibleEmbedding``, ``PositionEmbedding``,
  ``TokenAndPositionEmbedding``, recognized by class name) decayed.
- ``double_decay``: a weight decayed both coupled and decoupled.
- ``adapter_decayed``: a LoRA adapter (``lora_kernel_a``, ``lora_kernel_b``,
  ``lora_embeddings_a``…, made by ``enable_lora``) decayed. Keras gives the
  adapters of a ``Dense`` or ``EinsumDense`` the layer's ``kernel_regularizer``,
  those of an ``Embedding`` its ``embeddings_regularizer``.

A clean setup has none: SGD with L2 on the kernels only, AdamW whose
``exclude_from_weight_decay`` covers norms, biases and embeddings.

Example:

```python
model.compile(keras.optimizers.AdamW(weight_decay=0.01), "mse")
for entry in tb_regloss.decay_plan(model):
    print(entry.key, entry.coupled, entry.decoupled, entry.findings)
# dense/kernel None 0.01 ()
# dense/bias None 0.01 ('bias_decayed',)
```
"""

import dataclasses
import math
import re

from tb_regloss import attribution
from tb_regloss import decoupled_decay
from tb_regloss import _keras
from tb_regloss import keys

L2_UNDER_ADAPTIVE_OPTIMIZER = "l2_under_adaptive_optimizer"
NORM_DECAYED = "norm_decayed"
BIAS_DECAYED = "bias_decayed"
EMBEDDING_DECAYED = "embedding_decayed"
DOUBLE_DECAY = "double_decay"
ADAPTER_DECAYED = "adapter_decayed"
FINDING_CODES = (L2_UNDER_ADAPTIVE_OPTIMIZER, NORM_DECAYED, BIAS_DECAYED, EMBEDDING_DECAYED,
                 DOUBLE_DECAY, ADAPTER_DECAYED)

# The optimizers of keras.optimizers that rescale gradients per coordinate or
# by sign (subclasses count too); Muon only for its Adam step.
_ADAPTIVE_OPTIMIZERS = ("Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad", "Adadelta",
                        "Adafactor", "Ftrl", "Lamb", "Lion", "ScheduleFreeAdamW")
# keras-hub's embedding layers, known by name so that keras_hub is never imported.
_EMBEDDING_CLASS_NAMES = frozenset(("Embedding", "ReversibleEmbedding", "PositionEmbedding",
                                    "TokenAndPositionEmbedding"))
# Keras' BatchNormalization, LayerNormalization, GroupNormalization,
# RMSNormalization and the like of keras-hub's models (LlamaLayerNorm…).
_NORM_CLASS_NAME = re.compile(r"(Normalization|LayerNorm|RMSNorm)\Z")
# Their weights' names (a SpectralNormalization also tracks its layer's kernel).
_NORM_WEIGHT_NAMES = frozenset(("gamma", "beta", "scale", "offset"))
_KIND_FINDING = {"norm": NORM_DECAYED, "bias": BIAS_DECAYED, "embedding": EMBEDDING_DECAYED,
                 "adapter": ADAPTER_DECAYED}


@dataclasses.dataclass(frozen=True)
class DecayPlanEntry:
    """How one trainable weight is decayed (see `decay_plan`).

    Attributes:
        key: the weight's key, contract v2 (`tb_regloss.keys`): ``"block/ln/gamma"``.
        parameters: the number of scalars in the weight.
        coupled: its regularizer as configured, e.g. ``"L2(l2=0.001)"``, or ``None``.
        decoupled: λ, the factor the optimizer's decoupled weight decay
            applies to it (``w ← w − η·λ·w``), or ``None``.
        findings: the codes of `FINDING_CODES` that hold for it, in that order.

    Example:

    >>> entry = DecayPlanEntry("d/bias", 4, None, 0.01, ("bias_decayed",))
    >>> entry.to_dict()
    {'key': 'd/bias', 'parameters': 4, 'coupled': None, 'decoupled': 0.01, 'findings': ['bias_decayed']}
    """

    key: str
    parameters: int
    coupled: object = None
    decoupled: object = None
    findings: tuple = ()

    def to_dict(self):
        """The entry as a dict of JSON values (``findings`` a list)."""
        return {**dataclasses.asdict(self), "findings": list(self.findings)}


def decay_plan(model, optimizer=None):
    """Lists how every trainable weight of ``model`` is decayed, with findings.

    An optimizer that may decay weights and is not built yet is built on
    ``model.trainable_variables`` (as ``fit`` would), since which variables it
    decays is known only then: call ``exclude_from_weight_decay`` before.

    Args:
        model: a built Keras model.
        optimizer: the optimizer that trains it; defaults to
            ``model.optimizer`` (pass it in a custom training loop).

    Returns:
        A tuple of `DecayPlanEntry`, one per variable of
        ``model.trainable_variables``, in that order.

    Example:

    ```python
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
        2, kernel_regularizer=keras.regularizers.L2(0.001), name="dense")])
    model.compile(keras.optimizers.SGD(), "mse")
    [e.to_dict() for e in tb_regloss.decay_plan(model)]
    # [{'key': 'dense/kernel', 'parameters': 6, 'coupled': 'L2(l2=0.001)', 'decoupled': None, 'findings': []},
    #  {'key': 'dense/bias', 'parameters': 2, 'coupled': None, 'decoupled': None, 'findings': []}]
    ```
    """
    if optimizer is None:
        optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError(
            "decay_plan needs the optimizer that trains the model: compile the model first "
            "(`model.compile(optimizer=...)`) or pass it (`decay_plan(model, optimizer=optimizer)`). "
            f"Received: model {model.name!r} with no optimizer"
        )
    if not model.built:
        raise ValueError(
            f"decay_plan: the model {model.name!r} is not built, so it has no weights yet. Build it "
            "first: start it with `keras.Input(shape)`, call `model.build(input_shape)`, or call it "
            "on a batch."
        )
    decoupled_decay.prepare(model, optimizer)
    variables = model.trainable_variables
    model_keys = keys.ModelKeys(model)
    kinds = _weight_kinds(model)
    decays = _keras.optimizers.decoupled_decays(optimizer, variables)
    return tuple(_entry(model_keys.weight_key(v), v, kinds.get(id(v)), d) for v, d in zip(variables, decays))


def _entry(key, variable, kind, decay):
    regularizer = variable.regularizer
    coupled = regularizer is not None
    decoupled = decay.factor is not None
    found = set()
    if _is_l2(regularizer) and _adaptive(decay.owner, variable):
        found.add(L2_UNDER_ADAPTIVE_OPTIMIZER)
    if kind is not None and (coupled or decoupled):
        found.add(_KIND_FINDING[kind])
    if coupled and decoupled:
        found.add(DOUBLE_DECAY)
    return DecayPlanEntry(
        key=key,
        parameters=math.prod(variable.shape),
        coupled=attribution.describe_regularizer(regularizer) if coupled else None,
        decoupled=decay.factor,
        findings=tuple(code for code in FINDING_CODES if code in found),
    )


def _is_l2(regularizer):
    """Whether ``regularizer`` is Keras' ``L2``, or an ``L1L2`` with ``l2 > 0``."""
    import keras

    if isinstance(regularizer, keras.regularizers.L2):
        return True
    return isinstance(regularizer, keras.regularizers.L1L2) and bool(regularizer.l2)


def _adaptive(optimizer, variable):
    """Whether ``optimizer`` rescales ``variable``'s gradient per coordinate or by sign."""
    import keras

    if _keras.optimizers.muon_adam_step(optimizer, variable):
        return True
    classes = tuple(c for c in (getattr(keras.optimizers, name, None) for name in _ADAPTIVE_OPTIMIZERS) if c)
    return isinstance(optimizer, classes)


def _weight_kinds(model):
    """``{id(variable): kind}`` for the adapters, norms, embeddings and biases of ``model``.

    A weight's kind comes from its name and from the layer that created it
    (or, for embeddings, a layer around that one: keras-hub's
    ``TokenAndPositionEmbedding``).
    """
    kinds = {}

    def walk(layer, around_embedding):
        around_embedding = around_embedding or _class_names(layer) & _EMBEDDING_CLASS_NAMES
        norm = any(_NORM_CLASS_NAME.search(name) for name in _class_names(layer))
        for variable in _keras.layers.own_weights(layer):
            if id(variable) in kinds:
                continue
            if variable.name.startswith("lora_"):
                kinds[id(variable)] = "adapter"
            elif norm and variable.name in _NORM_WEIGHT_NAMES:
                kinds[id(variable)] = "norm"
            elif around_embedding:
                kinds[id(variable)] = "embedding"
            elif variable.name == "bias":
                kinds[id(variable)] = "bias"
        for child in _keras.layers.sublayers(layer):
            walk(child, around_embedding)

    walk(model, False)
    return kinds


def _class_names(layer):
    return {cls.__name__ for cls in type(layer).__mro__}


# --- The findings of a plan -------------------------------------------------

_EXCLUDE = ("list {names} in the one `exclude_from_weight_decay(var_names=[...])` call of the optimizer "
            "that updates {them}, before it is built (each call replaces the last)")
_DROP = "drop {arguments} from {their} layers"
_WHAT = {
    NORM_DECAYED: "normalization scales and shifts decayed toward 0",
    BIAS_DECAYED: "biases decayed, which does not regularize the function",
    EMBEDDING_DECAYED: "embeddings decayed: rows of rare tokens shrink toward 0",
    ADAPTER_DECAYED: "LoRA adapters decayed, shrinking the fine-tuned change toward none",
}


def findings(entries):
    """The findings of a plan, one per code that occurs, each naming its weights and its fix.

    Args:
        entries: what `decay_plan` returned.

    Returns:
        ``[{"code", "keys", "fix"}]`` in the order of `FINDING_CODES`:
        ``keys`` lists the weights it holds for, ``fix`` is one line (`what`
        says what the code means).

    Example:

    >>> [f["code"] for f in findings([DecayPlanEntry("ln/gamma", 4, None, 0.01, ("norm_decayed",))])]
    ['norm_decayed']
    >>> findings([DecayPlanEntry("ln/gamma", 4, None, 0.01, ("norm_decayed",))])[0]["fix"]
    'list "gamma" in the one `exclude_from_weight_decay(var_names=[...])` call of the optimizer that updates it, before it is built (each call replaces the last)'
    """
    result = []
    for code in FINDING_CODES:
        flagged = [e for e in entries if code in e.findings]
        if flagged:
            result.append({"code": code, "keys": [e.key for e in flagged], "fix": _fix(code, flagged)})
    return result


def to_json(entries):
    """The plan as JSON values: ``{"entries": [...], "findings": [...]}`` (see `findings`).

    Example:

    >>> to_json([DecayPlanEntry("d/kernel", 6, "L2(l2=0.001)")])
    {'entries': [{'key': 'd/kernel', 'parameters': 6, 'coupled': 'L2(l2=0.001)', 'decoupled': None, 'findings': []}], 'findings': []}
    """
    return {"entries": [e.to_dict() for e in entries], "findings": findings(entries)}


def what(code):
    """What the finding ``code`` means, in one line.

    >>> what("bias_decayed")
    'biases decayed, which does not regularize the function'
    """
    if code == L2_UNDER_ADAPTIVE_OPTIMIZER:
        return "L2 penalty under an adaptive optimizer, which rescales its gradient: not weight decay"
    if code == DOUBLE_DECAY:
        return "decayed twice, by a regularizer and by the optimizer's weight_decay"
    return _WHAT[code]


def _fix(code, flagged):
    if code == L2_UNDER_ADAPTIVE_OPTIMIZER:
        return ("drop the L2 regularizer and decay with the optimizer instead, e.g. "
                "`keras.optimizers.AdamW(weight_decay=...)` (under SGD, L2(l2) steps as weight_decay=2·l2)")
    if code == DOUBLE_DECAY:
        return ("keep one: drop the regularizer, or exclude the weight with the optimizer's "
                "`exclude_from_weight_decay`")
    fixes = []
    decoupled = [e for e in flagged if e.decoupled is not None]
    if decoupled:
        names = ", ".join(f'"{n}"' for n in dict.fromkeys(_exclusion_name(e.key) for e in decoupled))
        fixes.append(_EXCLUDE.format(names=names, them="them" if len(decoupled) > 1 else "it"))
    coupled = [e for e in flagged if e.coupled is not None]
    if coupled:
        arguments = " and ".join(dict.fromkeys(_regularizer_argument(e.key) for e in coupled))
        fixes.append(_DROP.format(arguments=arguments, their="their" if len(coupled) > 1 else "its"))
    return "; ".join(fixes)


def _leaf(key):
    """The variable name a key ends with: ``"ln/gamma#2"`` → ``"gamma"``."""
    return re.sub(r"#[0-9]+\Z", "", key).rpartition("/")[2]


def _exclusion_name(key):
    """What ``var_names`` needs to exclude this weight (all LoRA adapters: ``"lora_"``)."""
    leaf = _leaf(key)
    return "lora_" if leaf.startswith("lora_") else leaf


def _regularizer_argument(key):
    """The layer argument that set the weight's regularizer: ``bias_regularizer``…

    A LoRA adapter gets its layer's regularizer when ``enable_lora`` makes it:
    ``lora_kernel_a`` the ``kernel_regularizer``, ``lora_embeddings_a`` the
    ``embeddings_regularizer``.

    >>> _regularizer_argument("ln/gamma"), _regularizer_argument("emb/lora_embeddings_b")
    ('gamma_regularizer', 'embeddings_regularizer (set to None before enable_lora)')
    """
    leaf = _leaf(key)
    adapted = re.fullmatch(r"lora_(\w+)_[ab]", leaf)
    return f"{adapted[1]}_regularizer (set to None before enable_lora)" if adapted else f"{leaf}_regularizer"
