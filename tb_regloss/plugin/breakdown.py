"""Aligns the regloss series of one run into the columnar breakdown the dashboard draws.

The data provider returns one list of points per tag; the stacked chart wants
one x array and one value array per term, with ``None`` where a term has no
point at a step (a gap, never a zero). ``to_json`` writes the result for the
route, faster than ``json.dumps`` for the 200,000 values of a big run. Pure
functions, no TensorBoard imports.

Example:

>>> from collections import namedtuple
>>> Point = namedtuple("Point", "step wall_time value")
>>> align({
...     "total": [Point(0, 10.0, 1.5), Point(1, 11.0, 1.25)],
...     "penalty/conv/kernel": [Point(1, 11.5, 0.25)],
... })
{'steps': [0, 1], 'wall_times': [10.0, 11.0], 'series': {'total': [1.5, 1.25], 'penalty/conv/kernel': [None, 0.25]}}
"""

import json
import operator
import re

# The terms every complete run has; the dashboard lists them first.
CORE_TERMS = ("total", "data")
_step = operator.attrgetter("step")
_wall_time = operator.attrgetter("wall_time")
_value = operator.attrgetter("value")
_NON_FINITE_PATTERN = re.compile(r"-?inf|nan")
_NON_FINITE_JSON = {"nan": '"NaN"', "inf": '"Infinity"', "-inf": '"-Infinity"'}


def order_terms(terms):
    """Sorts term names the way the dashboard lists them: ``total``, ``data``, then the rest sorted.

    >>> order_terms(["penalty/b/kernel", "data", "decoupled/a/kernel", "total"])
    ['total', 'data', 'decoupled/a/kernel', 'penalty/b/kernel']
    """
    present = set(terms)
    first = [term for term in CORE_TERMS if term in present]
    return first + sorted(present.difference(CORE_TERMS))


def align(series):
    """Aligns the points of several series on the union of their steps.

    Args:
        series: An ordered mapping from term name to a sequence of points,
            each with ``step``, ``wall_time`` and ``value`` attributes (such as
            ``tensorboard.data.provider.ScalarDatum``), in ascending step order.

    Returns:
        A dict with ``steps`` (ascending union of all steps), ``wall_times``
        (per step, the wall time of the first series in ``series`` order that
        has a point there) and ``series`` (per term, one value or ``None`` per
        step). Values are passed through untouched, NaN and infinities included.
        When a series repeats a step, its last point at that step wins.
    """
    columns = [(term, list(points)) for term, points in series.items()]
    step_lists = [list(map(_step, points)) for _, points in columns]
    if columns and _all_equal(step_lists) and _strictly_ascending(step_lists[0]):
        # The common case: every term is written at every step.
        steps = step_lists[0]
        wall_times = list(map(_wall_time, columns[0][1]))
    else:
        wall_time_at = {}
        for (_, points), point_steps in zip(columns, step_lists):
            for step, point in zip(point_steps, points):
                if step not in wall_time_at:
                    wall_time_at[step] = point.wall_time
        steps = sorted(wall_time_at)
        wall_times = [wall_time_at[step] for step in steps]
    aligned = {}
    position = None
    for (term, points), point_steps in zip(columns, step_lists):
        if point_steps == steps:
            aligned[term] = list(map(_value, points))
            continue
        if position is None:
            position = {step: index for index, step in enumerate(steps)}
        values = [None] * len(steps)
        for step, point in zip(point_steps, points):
            values[position[step]] = point.value
        aligned[term] = values
    return {"steps": steps, "wall_times": wall_times, "series": aligned}


def _all_equal(lists):
    return all(items == lists[0] for items in lists)


def _strictly_ascending(items):
    return all(map(operator.lt, items, items[1:]))


def to_json(breakdown):
    """Encodes one breakdown (a dict holding the result of ``align``) as JSON text.

    The text parses like ``json.dumps(tensorboard.backend.json_util.Cleanse(breakdown))``
    (non-finite values become the strings ``"NaN"``, ``"Infinity"`` and
    ``"-Infinity"``, gaps ``null``), except that series values are written with
    9 significant digits: exact for the float32 values every scalar summary
    holds, and about three times faster to write than Python's shortest
    double repr, which dominates the cost of a large breakdown. Other fields,
    wall times included, keep full precision.

    >>> to_json({"run": "r", "steps": [0, 1], "wall_times": [1.5, 2.5],
    ...          "series": {"total": [0.1, float("nan")], "penalty/a": [None, 1 / 3]}})
    '{"run": "r", "steps": [0, 1], "wall_times": [1.5, 2.5], "series": {"total": [0.1, "NaN"], "penalty/a": [null, 0.333333333]}}'
    """
    fields = []
    for key, value in breakdown.items():
        if key == "series":
            columns = ", ".join(
                "%s: %s" % (json.dumps(term), _values_json(values)) for term, values in value.items()
            )
            fields.append('"series": {%s}' % columns)
        else:
            fields.append("%s: %s" % (json.dumps(key), json.dumps(value, allow_nan=False)))
    return "{%s}" % ", ".join(fields)


def _values_json(values):
    if None in values:
        template = ", ".join("null" if value is None else "%.9g" for value in values)
        text = template % tuple(value for value in values if value is not None)
    else:
        text = ", ".join(["%.9g"] * len(values)) % tuple(values)
    if "nan" in text or "inf" in text:
        text = _NON_FINITE_PATTERN.sub(_non_finite_json, text)
    return "[%s]" % text


def _non_finite_json(match):
    return _NON_FINITE_JSON[match.group()]
