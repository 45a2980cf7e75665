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

import base64
import functools
import json
import math
import operator
import re

import numpy as np

from tb_regloss import _keras

# ``json``: values as JSON numbers; ``float32``: each column as base64 float32.
ENCODINGS = ("json", "float32")
# The terms every complete run has; the dashboard lists them first.
CORE_TERMS = ("total", "data")
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
    getters = [_keras.tensorboard.scalar_point_getters(points) for _, points in columns]
    step_lists = [list(map(get_step, points)) for (_, points), (get_step, _, _) in zip(columns, getters)]
    if columns and _all_equal(step_lists) and _strictly_ascending(step_lists[0]):
        # The common case: every term is written at every step.
        steps = step_lists[0]
        wall_times = list(map(getters[0][1], columns[0][1]))
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
    for (term, points), point_steps, (_, _, get_value) in zip(columns, step_lists, getters):
        if point_steps == steps:
            aligned[term] = list(map(get_value, points))
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


def to_json(breakdown, encoding="json"):
    """Encodes one breakdown (a dict holding the result of ``align``) as JSON text.

    With ``encoding="float32"`` (what the dashboard asks for), each series is
    instead the base64 of its values as little-endian float32 — the type every
    scalar summary holds, so nothing is lost and nothing is formatted — with
    real NaN and infinities as such, gaps as NaN listed in
    ``"gaps": {term: [index, ...]}`` (terms without gaps left out), and
    ``"encoding": "float32"``:

    >>> to_json({"run": "r", "steps": [0, 1], "series": {"total": [0.5, None]}}, "float32")
    '{"run": "r", "steps": [0, 1], "series": {"total": "AAAAPwAAwH8="}, "gaps": {"total": [1]}, "encoding": "float32"}'

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
    if encoding == "float32":
        return _to_float32_json(breakdown)
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


def _to_float32_json(breakdown):
    series, gaps = {}, {}
    for term, values in breakdown["series"].items():
        if None in values:
            gaps[term] = [i for i, value in enumerate(values) if value is None]
            values = [math.nan if value is None else value for value in values]
        series[term] = base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")
    fields = ["%s: %s" % (json.dumps(key), json.dumps(value, allow_nan=False))
              for key, value in breakdown.items() if key != "series"]
    fields.append('"series": %s' % json.dumps(series))
    if gaps:
        fields.append('"gaps": %s' % json.dumps(gaps))
    fields.append('"encoding": "float32"')
    return "{%s}" % ", ".join(fields)


def _values_json(values):
    if None in values:
        template = ", ".join("null" if value is None else "%.9g" for value in values)
        text = template % tuple(value for value in values if value is not None)
    else:
        text = _template(len(values)) % tuple(values)
    if "nan" in text or "inf" in text:
        text = _NON_FINITE_PATTERN.sub(_non_finite_json, text)
    return "[%s]" % text


@functools.lru_cache(maxsize=16)
def _template(length):
    """``"%.9g, %.9g, ..."`` for ``length`` values; a run's columns share their length."""
    return ", ".join(["%.9g"] * length)


def _non_finite_json(match):
    return _NON_FINITE_JSON[match.group()]
