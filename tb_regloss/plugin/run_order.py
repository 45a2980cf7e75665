"""The order runs are listed in, the dashboard's (``frontend/src/runorder.ts``): by the numbers in their names.

Names are compared text part by text part and number part by number part,
numbers by value, exponents included, so a sweep reads in the order of its
values: ``cnn_l2_1e-4``, ``cnn_l2_1e-3``, ``cnn_l2_1e-2`` (text order puts
``1e-2`` first), ``wd_2`` before ``wd_10``. The ``runs``, ``hparams`` and
``sweep`` routes list runs in this order, so what the plugin answers, what
the dashboard shows and what it exports agree. Text parts compare by UTF-16
code unit, as JavaScript compares strings; names equal by value (``1e-3`` and
``0.001``) fall back to their text, so the order is total. The fixture
``tests/fixtures/run_order.json`` holds both sides to the same order.

Example:

>>> sorted(["cnn_l2_1e-2/train", "cnn_l2_1e-4/validation", "cnn_l2_0/train", "cnn_l2_1e-4/train"], key=run_key)
['cnn_l2_0/train', 'cnn_l2_1e-4/train', 'cnn_l2_1e-4/validation', 'cnn_l2_1e-2/train']
"""

import re

# A number as sweeps write them in names: 3, 0.001, 1e-4, 2.5E+3. No sign: "-" is a separator in names.
_NUMBER = re.compile(r"(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)", re.ASCII)


def _text(part):
    """A text part as JavaScript compares it: by UTF-16 code unit (big-endian bytes compare the same)."""
    return part.encode("utf-16-be", "surrogatepass")


def run_key(name):
    """The sort key of run ``name``: its text and number parts, alternating, then the name itself.

    >>> run_key("l2_1e-4_d0.25")[0]
    (b'\\x00l', 2.0, b'\\x00_', 0.0001, b'\\x00_\\x00d', 0.25, b'')
    """
    parts = _NUMBER.split(name)
    tokens = tuple(float(part) if i % 2 else _text(part) for i, part in enumerate(parts))
    return tokens, _text(name)


def sort_runs(names):
    """``names`` in run order (a new list)."""
    return sorted(names, key=run_key)
