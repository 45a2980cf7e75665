"""Logging never stops training: a failure of tb-regloss' own work becomes one warning.

Example:

```python
with logging_failure(lambda: parts_off.add("training"),
                     lambda error: f"writing a point failed with {error!r}; training continues"):
    writer.write_row(step, tags, values, descriptions)
```
"""

import warnings


class logging_failure:  # noqa: N801 - used as a function in `with` statements
    """Turns an ``Exception`` raised within into ``turn_off()`` and one warning ``message(error)``.

    Only tb-regloss' own work runs within: the training's errors are raised
    outside it. ``KeyboardInterrupt`` and ``SystemExit`` pass. A class, not
    a ``contextlib.contextmanager`` generator: the callback enters one around
    its work after every written batch.
    """

    def __init__(self, turn_off, message):
        self._turn_off = turn_off
        self._message = message

    def __enter__(self):
        return None

    def __exit__(self, kind, error, traceback):
        if kind is None or not issubclass(kind, Exception):
            return False
        # Any Exception: logging must never stop training.
        self._turn_off()
        warnings.warn(self._message(error), stacklevel=2)
        return True
