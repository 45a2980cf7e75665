"""Picks a run's ``regloss/dynamics/`` series out of a scalar listing, apart from the loss composition.

A model with 160 decayed weights logs 1,120 dynamics series (seven quantities
per weight); the composition routes never load them, and the ``dynamics``
route loads only them, for one run at a time. A series is named by its tag
after ``regloss/dynamics/``: ``<quantity>/<key>``, e.g.
``decay_ratio/block_1_expand/kernel``. Pure functions, no TensorBoard imports.

Example:

>>> listing = {"r": {"regloss/total": 1, "regloss/dynamics/decay_ratio/d/kernel": 2,
...                  "regloss/dynamics/weight_norm/d/kernel": 3}}
>>> dynamics_by_run(listing)
{'r': {'decay_ratio/d/kernel': 2, 'weight_norm/d/kernel': 3}}
>>> quantities(["decay_ratio/d/kernel", "weight_norm/d/kernel"])
['weight_norm', 'decay_ratio']
"""

from tb_regloss import tags


def series_name(tag):
    """The series name of a dynamics tag (``<quantity>/<key>``), or ``None`` for any other tag."""
    if tags.parse_dynamics_tag(tag) is None:
        return None
    return tag[len(tags.DYNAMICS_PREFIX):]


def series_tag(name):
    """The tag of the series ``name`` (the inverse of `series_name`)."""
    return tags.DYNAMICS_PREFIX + name


def dynamics_by_run(listing):
    """``{run: {series name: ScalarTimeSeries}}`` for the runs of ``listing`` that have dynamics series."""
    result = {}
    for run, tag_to_series in listing.items():
        named = {}
        for tag, series in tag_to_series.items():
            name = series_name(tag)
            if name is not None:
                named[name] = series
        if named:
            result[run] = named
    return result


def _quantity_order(name):
    quantity, _, key = name.partition("/")
    return tags.DYNAMICS_QUANTITIES.index(quantity), key


def order_names(names):
    """Series names by quantity (in ``tags.DYNAMICS_QUANTITIES`` order), then by key.

    >>> order_names(["decay_ratio/b", "weight_norm/b", "decay_ratio/a"])
    ['weight_norm/b', 'decay_ratio/a', 'decay_ratio/b']
    """
    return sorted(names, key=_quantity_order)


def quantities(names):
    """The quantities the series ``names`` measure, in ``tags.DYNAMICS_QUANTITIES`` order."""
    present = {name.partition("/")[0] for name in names}
    return [quantity for quantity in tags.DYNAMICS_QUANTITIES if quantity in present]
