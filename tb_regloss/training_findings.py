"""Findings read from the series a run logged: what decay did to its training.

The decay plan's findings (`tb_regloss.decay_plans`) are read from the model
before training; these are read from the logged series after (or during) it,
in the same ``{"code", "keys", "fix"}`` shape. Codes, in the order findings
are listed:

- ``decay_dominates``: a weight whose coupled decay's gradient outweighs the
  data's for most of training: its ``regloss/dynamics/decay_ratio/<key>`` is
  above `DOMINANT_RATIO` (1) at more than `DOMINANT_SHARE` (half) of the
  points logged after the first `WARMUP_FRACTION` (a fifth) of them. Only
  weights with a coupled penalty (``regloss/penalty/<key>``) are judged: its
  gradient is added to the data's before the optimizer rescales them, so
  their ratio is the share of each pull in the step. A decoupled decay
  (AdamW's ``λ·w``) is applied after the rescaling, so its ratio to the raw
  data gradient says nothing about the step: the demo's healthy
  ``cnn_adamw`` has ratios above 1 at up to 75 % of its points.
- ``decay_stalls_training``: a run whose decay terms keep shrinking while its
  data loss stays flat. Over the last half of the logged points, the mean of
  its last quarter against the mean of its first quarter: the sum of the
  decay terms (the weights' penalties and decoupled decay, activity and
  ``add_loss`` terms left out) fell by more than `STALL_DECAY_DROP` (50 %)
  while the data loss changed by less than `STALL_DATA_CHANGE` (5 %).

Both need `MIN_POINTS` (8) logged points; a shorter series has no finding.
The thresholds are justified in ``docs/findings.md`` from the demo's runs.

Example:

>>> flat, shrinking = [2.3] * 8, [2.0 ** -i for i in range(8)]
>>> [f["code"] for f in findings(flat, {"d/kernel": shrinking}, {}, {"d/kernel": [3.0] * 8})]
['decay_dominates', 'decay_stalls_training']
"""

import math

from tb_regloss import tags

DECAY_DOMINATES = "decay_dominates"
DECAY_STALLS_TRAINING = "decay_stalls_training"
FINDING_CODES = (DECAY_DOMINATES, DECAY_STALLS_TRAINING)

MIN_POINTS = 8
WARMUP_FRACTION = 0.2
DOMINANT_RATIO = 1.0
DOMINANT_SHARE = 0.5
STALL_DECAY_DROP = 0.5
STALL_DATA_CHANGE = 0.05

# The kinds of penalty terms that are not a weight's decay (`tb_regloss.tags.term_kind`).
_NOT_DECAY = ("activity", "add_loss")


def findings(data, penalties, decoupled, decay_ratios):
    """The findings of a run's series, one per code that holds, in `FINDING_CODES` order.

    Args:
        data: the ``regloss/data`` values in step order.
        penalties: ``{key: values}`` of the ``regloss/penalty/<key>`` series,
            aligned with ``data`` (``None`` where a series has no point).
        decoupled: the same for ``regloss/decoupled/<key>``.
        decay_ratios: ``{key: values}`` of ``regloss/dynamics/decay_ratio/<key>``,
            each in step order (aligned with nothing else).

    Returns:
        ``[{"code", "keys", "fix"}]`` as `tb_regloss.decay_plans.findings`.

    Example:

    >>> findings([1.0, 0.5], {"d/kernel": [0.5, 0.25]}, {}, {})
    []
    """
    coupled = {key: decay_ratios[key] for key in penalties if key in decay_ratios}
    found = [decay_dominates(coupled), decay_stalls_training(data, _decay_terms(penalties, decoupled))]
    return [finding for finding in found if finding is not None]


def decay_dominates(decay_ratios):
    """The ``decay_dominates`` finding of the weights whose decay outweighs the data, or ``None``.

    Args:
        decay_ratios: ``{key: values}`` of the ``decay_ratio`` series of the
            weights with a coupled penalty, each in step order; ``None`` and
            non-finite values are gaps.

    Returns:
        ``{"code", "keys", "fix"}`` naming the weights whose ratio exceeds
        `DOMINANT_RATIO` at more than `DOMINANT_SHARE` of the points after
        the first `WARMUP_FRACTION`, or ``None`` if there is none.

    Example:

    >>> warm = [9.0] * 2  # the first fifth of the points is not judged
    >>> ratios = {"conv/kernel": warm + [1.5] * 5 + [0.5] * 3, "fc/kernel": warm + [1.5] * 4 + [0.5] * 4}
    >>> decay_dominates(ratios)["keys"]  # above 1 at 5 of 8 points, and at 4 of 8
    ['conv/kernel']
    """
    keys = [key for key, values in decay_ratios.items() if _dominant_share(values) > DOMINANT_SHARE]
    if not keys:
        return None
    return {"code": DECAY_DOMINATES, "keys": keys, "fix": (
        "lower the decay of these weights (their regularizer's factor) until their decay_ratio stays "
        "below 1 for most of training, or drop it")}


def decay_stalls_training(data, decay_terms):
    """The ``decay_stalls_training`` finding of a run, or ``None``.

    Args:
        data: the data loss in step order.
        decay_terms: ``[(key, values)]``: the weights' decay terms (penalties
            and decoupled decay, in loss units), each aligned with ``data``;
            a key may come twice (a weight decayed both ways).

    Returns:
        ``{"code", "keys", "fix"}`` naming the weights whose own term fell by
        more than `STALL_DECAY_DROP`, when their sum did and the data loss
        changed by less than `STALL_DATA_CHANGE`, over the last half of the
        points where the data loss and every term are finite; else ``None``.

    Example:

    >>> data = [2.3] * 8
    >>> decay_stalls_training(data, [("d/kernel", [1.0] * 6 + [0.4, 0.4])])["keys"]
    ['d/kernel']
    >>> decay_stalls_training(data, [("d/kernel", [1.0] * 6 + [0.6, 0.6])]) is None
    True
    """
    if not decay_terms:
        return None
    rows = [row for row in zip(data, *(values for _, values in decay_terms)) if all(map(_finite, row))]
    if len(rows) < MIN_POINTS:
        return None
    half = rows[len(rows) // 2:]
    window = len(half) // 4
    before = [_mean(column[:window]) for column in zip(*half)]
    after = [_mean(column[-window:]) for column in zip(*half)]
    if not _dropped(sum(before[1:]), sum(after[1:])) or not _flat(before[0], after[0]):
        return None
    keys = [key for (key, _), b, a in zip(decay_terms, before[1:], after[1:]) if _dropped(b, a)]
    return {"code": DECAY_STALLS_TRAINING, "keys": list(dict.fromkeys(keys)), "fix": (
        "lower the decay factor (the regularizer's or the optimizer's weight_decay), e.g. tenfold: "
        "the penalties fall while the data loss no longer does")}


def _dropped(before, after):
    """Whether a decay term fell from ``before`` by more than `STALL_DECAY_DROP` of it."""
    return before > 0 and (before - after) / before > STALL_DECAY_DROP


def _flat(before, after):
    """Whether the data loss changed from ``before`` by less than `STALL_DATA_CHANGE` of it."""
    return before != 0 and abs(after - before) / abs(before) < STALL_DATA_CHANGE


def _decay_terms(penalties, decoupled):
    """``[(key, values)]`` of the terms that decay weights: the penalties but activity and add_loss, then decoupled."""
    terms = [(key, values) for key, values in penalties.items() if tags.term_kind(key) not in _NOT_DECAY]
    return terms + list(decoupled.items())


def _dominant_share(values):
    """The share of the points after the warm-up whose ratio exceeds `DOMINANT_RATIO`; 0 for too few points."""
    points = [v for v in values if _finite(v)]
    if len(points) < MIN_POINTS:
        return 0.0
    after = points[math.ceil(WARMUP_FRACTION * len(points)):]
    return sum(v > DOMINANT_RATIO for v in after) / len(after)


def _finite(value):
    return value is not None and math.isfinite(value)


def _mean(values):
    return sum(values) / len(values)
