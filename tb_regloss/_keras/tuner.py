"""KerasTuner (an optional dependency, never imported here): the trial and execution a ``fit`` belongs to.

Part of the Keras boundary (`tb_regloss._keras`): each private name used here
says what it relies on and the versions checked.
"""

import os

from tb_regloss._keras import backends


def keras_tuner_execution():
    """``(tuner, trial, execution, callbacks)`` of the KerasTuner execution training now, or ``None``.

    ``None`` outside a search, and when ``keras_tuner`` was never imported
    (it is not imported here). Relies on ``keras_tuner.Tuner.run_trial``
    training each execution in a loop whose frame holds ``trial`` (its
    argument), ``execution`` (the index, ``0`` to ``executions_per_trial - 1``)
    and ``callbacks`` (the deep copies of the search's callbacks, passed to
    ``fit``, after ``_configure_tensorboard_dir`` moved the TensorBoard ones).
    The frame is matched by that method's code, so a subclass's ``run_trial``
    that calls ``super().run_trial`` (``Hyperband``) is followed.

    Raises:
        KeyError: a ``run_trial`` frame is on the stack without these names
            (a keras-tuner that changed them).
    """
    import inspect
    import sys

    keras_tuner = sys.modules.get("keras_tuner")
    if keras_tuner is None:
        return None
    run_trial = keras_tuner.Tuner.run_trial.__code__
    frame = inspect.currentframe()
    try:
        while frame is not None and frame.f_code is not run_trial:
            frame = frame.f_back
        if frame is None:
            return None
        names = frame.f_locals
        return names["self"], names["trial"], names["execution"], names["callbacks"]
    finally:
        del frame  # a frame kept in a local is a reference cycle

def keras_tuner_run_dir(tuner, log_dir, trial_id, execution):
    """Where ``tuner`` moves a TensorBoard of ``log_dir`` for an execution: ``log_dir/<trial_id>/execution<k>``.

    Relies on ``Tuner._get_tensorboard_dir(logdir, trial_id, execution)``,
    which ``_configure_tensorboard_dir`` calls for each TensorBoard callback.
    """
    return tuner._get_tensorboard_dir(log_dir, trial_id, execution)

def keras_tuner_logs_hparams_to(callbacks, run_dir):
    """Whether KerasTuner logs the trial's HParams session start in ``run_dir`` itself.

    Relies on ``Tuner._configure_tensorboard_dir``: on the TensorFlow backend
    only, for each callback whose class is named ``TensorBoard``, it appends
    ``hparams_api.KerasCallback(writer=<its new log_dir>)`` to ``callbacks``.
    """
    if backends.backend_name() != "tensorflow":
        return False
    return any(type(c).__name__ == "TensorBoard" and os.path.normpath(str(c.log_dir)) == os.path.normpath(run_dir)
               for c in callbacks)
