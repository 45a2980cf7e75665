"""The tag contract: the only thing the logging side and the dashboard share.

Every series tb-regloss writes is a standard TensorBoard scalar whose tag starts
with ``regloss/``:

- ``regloss/total``: the loss as optimized (Keras ``loss`` / ``val_loss``).
- ``regloss/data``: the total minus every penalty.
- ``regloss/penalty/<key>``: one term of ``model.losses``.
- ``regloss/decoupled/<key>``: decoupled weight decay of the weight ``<key>``
  expressed in loss units (never part of the total).
- ``regloss/dynamics/<quantity>/<key>``: what decay does to the training of the
  weight ``<key>`` (``RegLossCallback(dynamics=True)``), one of
  `DYNAMICS_QUANTITIES`; not part of the loss composition (`parse_tag` leaves
  them out, `parse_dynamics_tag` reads them).
- ``regloss/unverified``: the mark of a run whose data + penalties differed
  from the loss Keras reported (`tb_regloss.self_check`). Not a scalar: a
  rank-0 float32 tensor (the relative gap) whose summary metadata names the
  plugin `PLUGIN_NAME` and holds `unverified_content` (the two numbers and
  the Keras version), which `parse_unverified` reads; not part of the loss
  composition (`parse_tag` leaves it out).

Keys (contract v2.1, `tb_regloss.keys`) name where a term sits in the fitted model. The layer chain
is the names of the layers from the model (its own name excluded) down to the
layer the term belongs to:

- a weight's key is ``<layer chain>/<variable.name>``: ``d/kernel``,
  ``tower_a/proj/kernel``, ``bi/forward_lstm/lstm_cell/kernel``;
- a layer's activity regularizer is ``<layer chain>/activity``, its other
  ``add_loss`` terms ``<layer chain>/add_loss``;
- a term of the model itself has an empty chain, so its key is bare:
  ``kernel``, ``activity``, ``add_loss``;
- Keras' automatic layer names are renumbered among siblings (``dense_12``
  first of its kind is ``dense``, the next ``dense_1``), whatever Keras'
  process-wide counter gave them;
- Keras' auto-generated variable names (``variable_18``) are keyed
  ``variable``; a key that would repeat gets ``#2``, ``#3``… appended to the
  whole key (``d/kernel#2``, ``variable#2``);
- ``unattributed/<i>``: a term that cannot be traced to a layer.

The JavaScript twin of this module is ``frontend/src/data/tags.ts``; both are tested
against ``tests/fixtures/tags.json``.

Example:

>>> penalty_tag("tower_a/proj/kernel")
'regloss/penalty/tower_a/proj/kernel'
>>> parse_tag("regloss/penalty/tower_a/proj/kernel")
('penalty', 'tower_a/proj/kernel')
>>> parse_tag("regloss/decoupled/d/kernel#2")
('decoupled', 'd/kernel#2')
>>> term_kind("d/kernel#2"), term_layer("d/kernel#2")
('kernel', 'd')
"""

import json
import math
import re

# The dashboard plugin's name: the metadata of the summaries only it reads.
PLUGIN_NAME = "regloss"

PREFIX = "regloss/"
TOTAL = PREFIX + "total"
DATA = PREFIX + "data"
PENALTY_PREFIX = PREFIX + "penalty/"
DECOUPLED_PREFIX = PREFIX + "decoupled/"
DYNAMICS_PREFIX = PREFIX + "dynamics/"
UNVERIFIED = PREFIX + "unverified"
# The decay plan of a fit (`tb_regloss.decay_plans.to_json`), written once at its
# start into the training run as a JSON string tensor of plugin `PLUGIN_NAME`.
DECAY_PLAN = PREFIX + "decay_plan"

# What `regloss/dynamics/<quantity>/<key>` measures, per weight and step.
DYNAMICS_QUANTITIES = (
    "weight_norm",  # ‖w‖ before the step
    "update_norm",  # ‖Δw‖ of the step
    "angular_update",  # angle between w before and after the step, radians
    "angular_equilibrium",  # the predicted equilibrium angle, where theory applies
    "penalty_grad_norm",  # ‖∇w R(w)‖ (coupled) or ‖λ·w‖ (decoupled)
    "loss_grad_norm",  # ‖∇w of the rest of the loss‖
    "decay_ratio",  # penalty_grad_norm / loss_grad_norm
)

ACTIVITY = "activity"
ADD_LOSS = "add_loss"
ACTIVITY_SUFFIX = "/" + ACTIVITY
ADD_LOSS_SUFFIX = "/" + ADD_LOSS
UNATTRIBUTED_PREFIX = "unattributed/"

_KERNEL_LEAVES = frozenset(("kernel", "depthwise_kernel", "pointwise_kernel", "embeddings"))
# The ``#N`` that makes a repeated key unique. ASCII digits and \Z (not $, which
# also matches before a final newline) so it agrees with the JavaScript twin.
_OCCURRENCE = re.compile(r"#[0-9]+\Z")


def penalty_tag(key):
    """Returns the tag of the penalty term ``key``."""
    return PENALTY_PREFIX + key


def decoupled_tag(key):
    """Returns the tag of the decoupled decay of the weight keyed ``key``."""
    return DECOUPLED_PREFIX + key


def dynamics_tag(quantity, key):
    """Returns the tag of dynamics ``quantity`` (one of `DYNAMICS_QUANTITIES`) of the weight ``key``.

    >>> dynamics_tag("decay_ratio", "block1/conv/kernel")
    'regloss/dynamics/decay_ratio/block1/conv/kernel'
    """
    if quantity not in DYNAMICS_QUANTITIES:
        raise ValueError(f"quantity must be one of {DYNAMICS_QUANTITIES}. Received: quantity={quantity!r}")
    return f"{DYNAMICS_PREFIX}{quantity}/{key}"


def parse_dynamics_tag(tag):
    """Splits a dynamics tag into ``(quantity, key)``; ``None`` for any other tag.

    >>> parse_dynamics_tag("regloss/dynamics/angular_update/d/kernel#2")
    ('angular_update', 'd/kernel#2')
    >>> parse_dynamics_tag("regloss/penalty/d/kernel") is None
    True
    """
    if not tag.startswith(DYNAMICS_PREFIX):
        return None
    quantity, _, key = tag[len(DYNAMICS_PREFIX):].partition("/")
    return (quantity, key) if quantity in DYNAMICS_QUANTITIES and key else None


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


def _split(key):
    """``(layer chain, leaf)`` of a key, its ``#N`` suffix dropped."""
    match = _OCCURRENCE.search(key)
    base = key[:match.start()] if match else key
    layer, _, leaf = base.rpartition("/")
    return layer, leaf


def term_kind(key):
    """Classifies a key: ``kernel``, ``bias``, ``activity``, ``add_loss`` or ``other``.

    A ``#N`` suffix does not change the kind.

    >>> [term_kind(k) for k in ("tower_a/proj/kernel", "d/bias", "tower_a/proj/activity")]
    ['kernel', 'bias', 'activity']
    >>> [term_kind(k) for k in ("add_loss", "kernel", "d/kernel#2", "variable#2")]
    ['add_loss', 'kernel', 'kernel', 'other']
    """
    leaf = _split(key)[1]
    if leaf == ACTIVITY:
        return "activity"
    if leaf == ADD_LOSS:
        return "add_loss"
    if leaf in _KERNEL_LEAVES:
        return "kernel"
    if leaf == "bias":
        return "bias"
    return "other"


def term_layer(key):
    """The layer chain of a key: everything before the last ``/``, ``#N`` dropped.

    It is ``""`` for a term of the model itself.

    >>> [term_layer(k) for k in ("tower_a/proj/kernel", "tower_a/proj/activity", "d/kernel#2")]
    ['tower_a/proj', 'tower_a/proj', 'd']
    >>> term_layer("activity"), term_layer("kernel")
    ('', '')
    """
    return _split(key)[0]


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


def unverified_content(regloss, keras, keras_version):
    """The content of the `UNVERIFIED` mark: JSON of the two losses and the Keras version, as bytes.

    >>> unverified_content(0.75, 0.5, "3.16.0")
    b'{"keras": 0.5, "keras_version": "3.16.0", "regloss": 0.75}'
    """
    mark = {"regloss": float(regloss), "keras": float(keras), "keras_version": str(keras_version)}
    return json.dumps(mark, sort_keys=True).encode("utf-8")


def parse_unverified(content):
    """The ``{"regloss", "keras", "keras_version"}`` of an `UNVERIFIED` mark's content, or ``None`` if malformed.

    >>> parse_unverified(b'{"keras": 0.5, "keras_version": "3.16.0", "regloss": 0.75}')
    {'regloss': 0.75, 'keras': 0.5, 'keras_version': '3.16.0'}
    >>> parse_unverified(b'not json') is None
    True
    """
    try:
        mark = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(mark, dict) or not isinstance(mark.get("keras_version"), str):
        return None
    numbers = [mark.get("regloss"), mark.get("keras")]
    if not all(_is_finite_number(n) for n in numbers):
        return None
    return {"regloss": float(numbers[0]), "keras": float(numbers[1]), "keras_version": mark["keras_version"]}


def _is_finite_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
