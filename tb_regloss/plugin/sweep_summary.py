"""The figures a sweep is judged by, one run at a time: what the ``sweep`` route answers.

For each run: its last data loss, total and penalty sum (``reg``), and its
lowest data loss with the step it was first reached at. The dashboard pairs a
trial's ``train`` and ``validation`` runs and plots these against the trial's
hyperparameters. Pure functions over the data provider's points, no
TensorBoard imports.

Example:

>>> from collections import namedtuple
>>> Point = namedtuple("Point", "step wall_time value")
>>> summarize(
...     data=[Point(0, 0.0, 2.0), Point(1, 1.0, 1.0), Point(2, 2.0, 1.5)],
...     total=[Point(2, 2.0, 1.75)],
...     penalties=[[Point(2, 2.0, 0.25)]],
... )
{'step': 2, 'data': 1.5, 'best_data': 1.0, 'best_step': 1, 'total': 1.75, 'reg': 0.25}
"""

import math


def _last(points):
    return points[-1] if points else None


def best(points):
    """``(value, step)`` of the lowest finite value, its first step on a tie; ``(None, None)`` without one.

    >>> from collections import namedtuple
    >>> P = namedtuple("P", "step value")
    >>> best([P(0, float("nan")), P(1, 2.0), P(2, 1.0), P(3, 1.0)])
    (1.0, 2)
    """
    lowest = None
    for point in points:
        value = point.value
        if math.isfinite(value) and (lowest is None or value < lowest.value):
            lowest = point
    return (None, None) if lowest is None else (lowest.value, lowest.step)


def summarize(data, total, penalties):
    """One run's figures.

    Args:
        data: Every point of ``regloss/data`` (possibly empty), in step order.
        total: The points of ``regloss/total``; only the last one is read.
        penalties: For each ``regloss/penalty/...`` series, its points; only
            the last one of each is read.

    Returns:
        ``{"step", "data", "best_data", "best_step", "total", "reg"}``:
        ``step`` is the last step of the data loss (of the total without
        one); ``data`` and ``total`` are the last logged values, non-finite
        ones included; ``reg`` is the sum of the penalties logged at the
        total's last step (0.0 for a run without penalties, ``None`` without
        a total); a field the run has no series for is ``None``.
    """
    last_data = _last(data)
    last_total = _last(total)
    best_data, best_step = best(data)
    reg = None
    if last_total is not None:
        at_total = (_last(points) for points in penalties)
        reg = float(sum(p.value for p in at_total if p is not None and p.step == last_total.step))
    last = last_data if last_data is not None else last_total
    return {
        "step": None if last is None else int(last.step),
        "data": None if last_data is None else float(last_data.value),
        "best_data": best_data if best_data is None else float(best_data),
        "best_step": best_step if best_step is None else int(best_step),
        "total": None if last_total is None else float(last_total.value),
        "reg": reg,
    }
