"""One run per KerasTuner execution: the folder KerasTuner gives Keras' TensorBoard.

``tuner.search(..., callbacks=[RegLossCallback(d)])`` trains every execution
of every trial on deep copies of the search's callbacks. KerasTuner moves
each ``keras.callbacks.TensorBoard(d)`` copy to ``d/<trial_id>/execution<k>``
and logs the trial's hyperparameters there with TensorBoard's HParams plugin
(on the TensorFlow backend). `RegLossCallback` follows: when a fit starts it
asks `current` which execution is training and logs to that same folder; it
writes the HParams session start itself where KerasTuner does not (no
TensorBoard of the same ``log_dir``, or another backend), so the dashboard's
sweep table shows each trial's values.

Why the trial is found this way: KerasTuner offers a callback no hook that
names the trial. The trial reaches ``fit`` only in KerasTuner's own callback
in the same list, which another callback cannot see; ``__deepcopy__`` tells
that a copy is made, not for which trial or execution; KerasTuner moves only
callbacks whose class is named ``TensorBoard``, and subclassing it would make
RegLossCallback a TensorBoard (and work on the TensorFlow backend only);
patching the tuner's methods would change KerasTuner for every user. So
`current` reads, without changing anything, the trial and execution from the
frame of KerasTuner's ``Tuner.run_trial`` that is calling ``fit`` — the
values KerasTuner itself turns into TensorBoard's folder, by the tuner's own
method (`tb_regloss._keras.tuner.keras_tuner_execution`). It costs one
walk up the stack per fit, and nothing when ``keras_tuner`` was never
imported: tb-regloss never imports it.

Example:

```python
run = current("logs")          # in a fit that tuner.search started
run.log_dir                    # 'logs/0/execution0'
if not run.hparams_logged:
    write_hparams(run)         # the sweep table reads {'l2': 0.0012}
```
"""

import collections

from tb_regloss import event_writer
from tb_regloss import _keras

TrialRun = collections.namedtuple("TrialRun", "log_dir trial_id hparams hparams_logged")
TrialRun.__doc__ = """The run of one KerasTuner execution.

``log_dir``: ``<log_dir>/<trial_id>/execution<k>``; ``hparams``: ``{name:
value}`` of the trial's active hyperparameters, as KerasTuner logs them;
``hparams_logged``: whether KerasTuner logs them in ``log_dir`` itself.
"""


def current(log_dir):
    """The `TrialRun` of the KerasTuner execution training now, for a callback of ``log_dir``; else ``None``.

    Raises:
        LookupError: the installed keras-tuner no longer has what
            `tb_regloss._keras.tuner` reads; the message names the fix.
    """
    try:
        found = _keras.tuner.keras_tuner_execution()
        if found is None:
            return None
        tuner, trial, execution, callbacks = found
        run_dir = _keras.tuner.keras_tuner_run_dir(tuner, log_dir, trial.trial_id, execution)
    except (KeyError, AttributeError) as error:
        import keras_tuner  # in sys.modules: a frame of it was found

        raise LookupError(
            f"keras-tuner {keras_tuner.__version__} no longer has {error} "
            "(tb_regloss/_keras/tuner.py reads it; checked with keras-tuner 1.4.0 to 1.4.8). "
            "Install keras-tuner 1.4.8 (`pip install keras-tuner==1.4.8`), or create the "
            "RegLossCallback of each trial in your HyperModel.fit with its own log_dir."
        ) from None
    hps = trial.hyperparameters
    # KerasTuner's own list: the active values of the search space (not
    # Hyperband's "tuner/..." bookkeeping values).
    hparams = {hp.name: hps.values[hp.name] for hp in hps.space if hp.name in hps.values}
    return TrialRun(run_dir, trial.trial_id, hparams,
                    _keras.tuner.keras_tuner_logs_hparams_to(callbacks, run_dir))


def write_hparams(run):
    """Writes ``run.hparams`` as an HParams session start at step 0 in ``run.log_dir``, as KerasTuner does.

    The summary is the one ``tensorboard.plugins.hparams.api.hparams_pb``
    makes (imported from its own module, which needs no TensorFlow).
    """
    import time

    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.hparams import summary_v2

    summary = summary_v2.hparams_pb(run.hparams, trial_id=run.trial_id)
    writer = event_writer.EventWriter(run.log_dir)
    writer.write_event(event_pb2.Event(wall_time=time.time(), step=0, summary=summary))
    writer.close()
