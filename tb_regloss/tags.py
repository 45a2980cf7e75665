"""The tag contract: the only thing the logging side and the dashboard share.

Every series tb-regloss writes is a standard TensorBoard scalar whose tag starts
with ``regloss/``:

- ``regloss/total``: the loss as optimized (Keras ``loss`` / ``val_loss``).
- ``regloss/data``: the total minus every penalty.
- ``regloss/penalty/<key>``: one term of ``model.losses``; ``<key>`` is a
  variable path (``conv/kernel``), ``<layer path>/activity`` or
  ``<layer path>/add_loss``.
- ``regloss/decoupled/<variable path>``: decoupled weight decay expressed in
  loss units (never part of the total).

The JavaScript twin of this module is ``frontend/src/tags.ts``; both are tested
against ``tests/fixtures/tags.json``.

Example:

>>> penalty_tag("conv/kernel")
'regloss/penalty/conv/kernel'
>>> parse_tag("regloss/penalty/conv/kernel")
('penalty', 'conv/kernel')
"""

PREFIX = "regloss/"
TOTAL = PREFIX + "total"
DATA = PREFIX + "data"
PENALTY_PREFIX = PREFIX + "penalty/"
DECOUPLED_PREFIX = PREFIX + "decoupled/"

ACTIVITY_SUFFIX = "/activity"
ADD_LOSS_SUFFIX = "/add_loss"
UNATTRIBUTED_PREFIX = "unattributed/"


def penalty_tag(key):
    """Returns the tag of the penalty term ``key``."""
    return PENALTY_PREFIX + key


def decoupled_tag(variable_path):
    """Returns the tag of the decoupled decay of the variable at ``variable_path``."""
    return DECOUPLED_PREFIX + variable_path


def parse_tag(tag):
    """Splits a tag into ``(kind, key)``.

    ``kind`` is ``"total"``, ``"data"``, ``"penalty"`` or ``"decoupled"``;
    ``key`` is the term key for penalties and decoupled decay, else ``None``.
    Returns ``None`` for a tag that is not part of the contract.
    """
    if tag == TOTAL:
        return ("total", None)
    if tag == DATA:
        return ("data", None)
    for kind, prefix in (("penalty", PENALTY_PREFIX), ("decoupled", DECOUPLED_PREFIX)):
        if tag.startswith(prefix) and len(tag) > len(prefix):
            return (kind, tag[len(prefix):])
    return None


def term_kind(key):
    """Classifies a penalty key: ``kernel``, ``bias``, ``activity``, ``add_loss`` or ``other``.

    >>> term_kind("block1/conv/kernel"), term_kind("dense/bias"), term_kind("dense/activity")
    ('kernel', 'bias', 'activity')
    """
    if key.endswith(ACTIVITY_SUFFIX):
        return "activity"
    if key.endswith(ADD_LOSS_SUFFIX):
        return "add_loss"
    leaf = key.rsplit("/", 1)[-1]
    if leaf in ("kernel", "depthwise_kernel", "pointwise_kernel", "embeddings"):
        return "kernel"
    if leaf == "bias":
        return "bias"
    return "other"


def term_layer(key):
    """The layer part of a penalty key: everything before the last ``/``.

    >>> term_layer("block1/conv/kernel"), term_layer("dense/activity")
    ('block1/conv', 'dense')
    """
    return key.rsplit("/", 1)[0] if "/" in key else key


TOTAL_DESCRIPTION = "The loss as optimized (Keras `loss`): the data loss plus every penalty."
DATA_DESCRIPTION = "The data loss: the total minus every penalty in model.losses."


def point_values(total, data, penalties):
    """The ``{tag: value}`` of one point of a decomposition.

    >>> point_values(1.5, 1.0, {"conv/kernel": 0.5})
    {'regloss/total': 1.5, 'regloss/data': 1.0, 'regloss/penalty/conv/kernel': 0.5}
    """
    values = {TOTAL: total, DATA: data}
    values.update((penalty_tag(k), v) for k, v in penalties.items())
    return values


def tag_descriptions(penalty_descriptions):
    """The ``{tag: description}`` for total, data and the given penalty keys."""
    out = {TOTAL: TOTAL_DESCRIPTION, DATA: DATA_DESCRIPTION}
    out.update((penalty_tag(k), d) for k, d in penalty_descriptions.items())
    return out
