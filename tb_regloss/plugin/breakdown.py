"""Aligns the regloss series of one run into the columnar breakdown the dashboard draws.

The data provider returns one list of points per tag; the stacked chart wants
one x array and one value array per term, with ``None`` where a term has no
point at a step (a gap, never a zero). Pure functions, no TensorBoard imports.

Example:

>>> from collections import namedtuple
>>> Point = namedtuple("Point", "step wall_time value")
>>> align({
...     "total": [Point(0, 10.0, 1.5), Point(1, 11.0, 1.25)],
...     "penalty/conv/kernel": [Point(1, 11.5, 0.25)],
... })
{'steps': [0, 1], 'wall_times': [10.0, 11.0], 'series': {'total': [1.5, 1.25], 'penalty/conv/kernel': [None, 0.25]}}
"""

_FIRST_TERMS = ("total", "data")


def order_terms(terms):
    """Sorts term names the way the dashboard lists them: ``total``, ``data``, then the rest sorted.

    >>> order_terms(["penalty/b/kernel", "data", "decoupled/a/kernel", "total"])
    ['total', 'data', 'decoupled/a/kernel', 'penalty/b/kernel']
    """
    present = set(terms)
    first = [term for term in _FIRST_TERMS if term in present]
    return first + sorted(present.difference(_FIRST_TERMS))


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
    wall_time_at = {}
    for _, points in columns:
        for point in points:
            if point.step not in wall_time_at:
                wall_time_at[point.step] = point.wall_time
    steps = sorted(wall_time_at)
    aligned = {}
    position = None
    for term, points in columns:
        point_steps = [point.step for point in points]
        if point_steps == steps:
            # The common case: every term is written at every step.
            aligned[term] = [point.value for point in points]
            continue
        if position is None:
            position = {step: index for index, step in enumerate(steps)}
        values = [None] * len(steps)
        for step, point in zip(point_steps, points):
            values[position[step]] = point.value
        aligned[term] = values
    return {
        "steps": steps,
        "wall_times": [wall_time_at[step] for step in steps],
        "series": aligned,
    }
