"""One step axis per log_dir: a new fit never writes a step already written there.

`RegLossCallback` writes each point at the optimizer's iteration count. That
count restarts when a model is compiled again with a new optimizer (transfer
learning: fit, unfreeze, compile, fit), which would put steps ``5, 10`` twice on
one axis. So before each fit the callback asks `offset` how far the count must
be shifted for its first step to follow the last one written in the log_dir,
by this process or an earlier one (a resumed run, a notebook restarted). A
resumed run whose restored optimizer already counts past the last step needs
no shift and keeps its steps.

The last step of a log_dir is read once per process from its tb-regloss event
files (``train/`` and ``validation/``), then kept up to date by `note_written`.
"""

import functools
import os
import threading

from tb_regloss import files
from tb_regloss import record_files

_SUBDIRS = ("train", "validation")
_OUR_FILES = "events.out.tfevents.*.regloss.v2"

_last_steps = {}
_lock = threading.Lock()


def offset(log_dir, iterations):
    """How much to add to ``iterations`` so the next step follows the log_dir's last.

    Example:

    ```python
    shift = offset("runs/exp1", int(model.optimizer.iterations))   # before fit
    step = int(model.optimizer.iterations) + shift                  # at each write
    note_written("runs/exp1", step)
    ```
    """
    last = last_step(log_dir)
    return 0 if last is None or iterations >= last else last - iterations


def last_step(log_dir):
    """The largest step written in ``log_dir`` by tb-regloss, or ``None``."""
    key = _key(log_dir)
    with _lock:
        if key not in _last_steps:
            _last_steps[key] = _read_last_step(log_dir)
        return _last_steps[key]


def note_written(log_dir, step):
    """Records that ``step`` was written in ``log_dir``."""
    key = _key(log_dir)
    with _lock:
        last = _last_steps.get(key)
        if last is None or step > last:
            _last_steps[key] = step


@functools.lru_cache(maxsize=64)
def _key(log_dir):
    # Called at every write: resolve each log_dir once.
    path = os.fspath(log_dir)
    return path if "://" in path else os.path.realpath(path)


def _read_last_step(log_dir):
    from tensorboard.compat.proto import event_pb2

    last = None
    for subdir in _SUBDIRS:
        for path in files.glob(files.join(files.join(os.fspath(log_dir), subdir), _OUR_FILES)):
            # A killed writer's file ends with a truncated record: the records before it count.
            records, _ = record_files.read(files.read_bytes(path))
            for record in records:
                event = event_pb2.Event.FromString(record)
                if event.summary.value and (last is None or event.step > last):
                    last = event.step
    return last
