"""Logging never stops training: a failure of tb-regloss' own work becomes one warning.

Example:

```python
with logging_failure(lambda: parts_off.add("training"),
                     lambda error: f"writing a point failed with {error!r}; training continues"):
    writer.write_row(step, tags, values, descriptions)
```
"""

import contextlib
import warnings


@contextlib.contextmanager
def logging_failure(turn_off, message):
    """Turns an ``Exception`` raised within into ``turn_off()`` and one warning ``message(error)``.

    Only tb-regloss' own work runs within: the training's errors are raised
    outside it. ``KeyboardInterrupt`` and ``SystemExit`` pass.
    """
    try:
        yield
    except Exception as error:  # noqa: BLE001 - logging must never stop training
        turn_off()
        warnings.warn(message(error), stacklevel=3)
