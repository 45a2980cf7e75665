"""What the demo prints: its plan with a time estimate before training, one line per run after.

Pure functions of plain values, so the demo's output is tested exactly.
"""

import dataclasses
from typing import Callable


@dataclasses.dataclass(frozen=True)
class Run:
    """One demo run: its name (directory under the logdir), what it shows, and how to train it.

    ``estimate_s`` is the time it took on 2 CPU cores; ``train(log_dir)`` returns the
    run's Keras ``History``.
    """

    name: str
    shows: str
    epochs: int
    estimate_s: float
    train: Callable


def format_duration(seconds):
    """``"45 s"``, ``"3 min 05 s"``: whole seconds, minutes once there is one."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s"


def format_loss(value):
    """Three significant digits, no SI prefix: ``0.0123``, ``208``, ``1.5e-05``."""
    return f"{value:.3g}"


def plan_lines(runs, logdir):
    """The lines printed before training: every run, its epochs, estimate and purpose, and the total."""
    width = max(len(run.name) for run in runs)
    total = format_duration(sum(run.estimate_s for run in runs))
    lines = [f"Training {len(runs)} runs into {logdir}/, about {total} on 2 CPU cores:"]
    for run in runs:
        estimate = format_duration(run.estimate_s)
        epochs = f"{run.epochs:>3} epoch" + ("s" if run.epochs != 1 else " ")
        lines.append(f"  {run.name:<{width}}  {epochs}  ~{estimate:<10} {run.shows}")
    return lines


def summary_line(name, history, seconds, width):
    """One line for a trained run from its ``History.history``: time, last epoch's loss split, validation.

    ``loss = data + penalties`` is the split tb-regloss adds to the logs (``data_loss``,
    ``reg_loss``); the validation data loss is shown first → last, the trend a run is meant to show.
    """
    last = {key: values[-1] for key, values in history.items()}
    parts = [
        f"{name:<{width}}",
        f"{format_duration(seconds):>9}",
        f"loss {format_loss(last['loss'])} = data {format_loss(last['data_loss'])}"
        f" + penalties {format_loss(last['reg_loss'])}",
    ]
    if "val_data_loss" in history:
        first = history["val_data_loss"][0]
        parts.append(f"validation data loss {format_loss(first)} → {format_loss(last['val_data_loss'])}")
    if "val_accuracy" in history:
        parts.append(f"accuracy {last['val_accuracy']:.0%}")
    return "  ".join(parts)
