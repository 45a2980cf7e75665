"""The Keras callback: attach it to ``fit`` and the loss decomposition is logged."""

import functools
import json
import math
import os
import warnings

import keras

from tb_regloss import cluster
from tb_regloss import decay_plan_text
from tb_regloss import decay_plans
from tb_regloss import event_writer
from tb_regloss import files
from tb_regloss import never_fatal
from tb_regloss import _keras
from tb_regloss import self_check
from tb_regloss import step_axis
from tb_regloss import step_probe
from tb_regloss import tags
from tb_regloss import tuner_runs

# The parts of the logging that fail on their own, named as the warning names them.
_TRAINING, _VALIDATION, _DYNAMICS = "training", "validation", "the decay dynamics"
_PARTS = {"train": _TRAINING, "test": _VALIDATION}
_SUBDIRS = {"train": "train", "test": "validation"}
_PLAN = "the decay plan"


def _logging_only(part, what):
    """Makes a method of `RegLossCallback` never stop training.

    Once ``part`` failed, the method does nothing; the first ``Exception``
    it raises warns, naming ``what`` it was doing, and turns ``part`` off.
    """
    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            if part in self._parts_off:
                return
            with self._failure_warned(part, what):
                method(self, *args, **kwargs)

        return guarded

    return decorate


class RegLossCallback(keras.callbacks.Callback):
    """Logs the loss Keras optimizes split into data loss and every penalty.

    The split is made inside the compiled train and test steps, from the very
    tensors Keras sums into ``loss``: ``regloss/total`` (Keras ``loss``),
    ``regloss/data`` (total minus all penalties) and one
    ``regloss/penalty/<key>`` per term of ``model.losses`` (see
    `tb_regloss.penalties` for the keys). Training values go to
    ``log_dir/train``, validation values to ``log_dir/validation`` — the layout
    of ``keras.callbacks.TensorBoard``, so both can share a ``log_dir``.

    Each point is the mean over the batches since the previous point, weighted
    as Keras weights ``loss``. Its step counts the training batches: the
    optimizer's iteration count, shifted when needed so that every ``fit`` on a
    ``log_dir`` writes steps after those already there (a recompile with a new
    optimizer, a new callback, a resumed run in a new process). Validation
    points are written once per epoch, at the step where that epoch ended.

    Custom ``train_step``/``test_step`` methods are followed when they call
    ``self.compute_loss``, and ``compute_loss`` overrides when they add
    ``self.losses`` to their loss; a step that never calls ``compute_loss``
    gets one warning naming the fix (guide: "Custom training steps").

    It works on Keras' TensorFlow, JAX and PyTorch backends with the same tags
    and values; on JAX the sums travel in the state Keras threads through its
    stateless step, and ``keras.distribution.DataParallel`` is followed.

    Under ``tf.distribute`` strategies the replicas' terms are combined as
    Keras combines ``loss`` and only the chief of a cluster writes; under
    ``MultiWorkerMirroredStrategy`` call `tb_regloss.enable_multi_worker_fit`
    first, as Keras 3's own ``fit`` fails there without it.

    The logs also gain ``data_loss`` and ``reg_loss`` (``val_data_loss`` and
    ``val_reg_loss`` with validation data): they show in the progress bar and
    in ``History``, and ``EarlyStopping(monitor="val_data_loss")`` works.

    In a KerasTuner search (``tuner.search(..., callbacks=[RegLossCallback(d)])``)
    each execution of each trial is its own run, the one KerasTuner gives
    ``keras.callbacks.TensorBoard(d)``: ``log_dir`` becomes
    ``d/<trial_id>/execution<k>`` when its fit starts, and the trial's
    hyperparameters are logged there with TensorBoard's HParams plugin when
    KerasTuner does not log them (`tb_regloss.tuner_runs` says how the trial
    is found, and why so).

    Logging never stops training: a ``log_dir`` that cannot be written fails
    before the first step, and any later failure of the callback's own work
    (writing, flushing, reading the sums or the step) warns once and turns
    off the logging of its part (training, validation or the dynamics) while
    training goes on. Errors of the training itself pass unchanged.

    It checks itself: at the end of each epoch and evaluation, the data loss
    plus the penalties it logged must equal the ``loss`` Keras reports
    (`tb_regloss.self_check`); if not, it warns once and marks the run
    unverified in the dashboard. A Keras newer than the tested ones (see
    `tb_regloss._keras.version.NEWEST_TESTED`) gets one warning that it is
    untested; if hooking into its steps fails, one more warning and the
    training goes on without the callback.

    Args:
        log_dir: where to write the event files; created if missing.
        update_freq: ``"epoch"`` (default) writes a point per epoch;
            ``"batch"`` one per batch; an integer ``N`` one every ``N``
            batches, counted over the whole training like
            ``keras.callbacks.TensorBoard``. The batches after the last
            multiple of ``N`` are written when training ends.
        dynamics: ``True`` measures, in every train step, what weight decay
            does to each decayed weight (`tb_regloss.dynamics`: norms, angular
            update and its predicted equilibrium, the gradient of the penalty
            against the rest of the loss), logged under
            ``regloss/dynamics/<quantity>/<key>`` as the mean over the measured
            steps of each point; an integer ``N`` measures one step in ``N``
            (at optimizer iterations 0, N, 2N…), which costs less.
        flush_secs: written points reach the disk at the end of every epoch
            and at most this many seconds after they are written, so a
            crashed run loses at most that much (default 10).
        print_plan: whether to print the decay plan at the start of ``fit``
            (`tb_regloss.decay_plan`: each layer's parameters under coupled,
            decoupled and no decay, then the findings with their fixes);
            ``fit(verbose=0)`` does not print it either. It is written to
            ``log_dir/train`` (tag ``regloss/decay_plan``, JSON) for the
            dashboard in any case.

    Example:

    ```python
    model.fit(
        x, y, epochs=10, validation_data=(x_val, y_val),
        callbacks=[tb_regloss.RegLossCallback("runs/exp1")],
    )
    # then: tensorboard --logdir runs

    # A KerasTuner search: runs runs/tune/<trial_id>/execution<k>/train and /validation.
    tuner.search(x, y, epochs=5, validation_data=(x_val, y_val),
                 callbacks=[tb_regloss.RegLossCallback("runs/tune")])
    ```
    """

    def __init__(self, log_dir, update_freq="epoch", dynamics=False, flush_secs=10, print_plan=True):
        _keras.version.check_keras_version()
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self._log_dir_given = self.log_dir  # `log_dir` moves to each KerasTuner execution's run
        self._trial_run = None  # the KerasTuner execution's run whose hparams are logged
        self.update_freq = _validate_update_freq(update_freq)
        self.dynamics = _validate_dynamics(dynamics)
        if isinstance(flush_secs, bool) or not isinstance(flush_secs, (int, float)) or flush_secs <= 0:
            raise ValueError(
                "RegLossCallback: `flush_secs` must be a positive number of seconds. "
                f"Received: flush_secs={flush_secs!r}"
            )
        self.flush_secs = flush_secs
        self.print_plan = print_plan
        self._writers = {}
        self._parts_off = set()  # the parts whose logging failed
        self._unhooked = False  # hooking into the steps of an untested Keras failed
        self._warned_untested = False
        self._unverified = set()  # the phases whose numbers differed from Keras' loss
        self._warned_unverified = False
        self._noticed_no_penalties = False
        self._point_tags = {}  # term keys -> the tags of a point
        self._warned_missed_loss = set()
        self._probe = None
        self._readers = {}
        self._check_readers = {}  # the self-check's own, read at each epoch's end
        self._loss_peaks = {}  # phase -> the largest loss Keras reported (self_check.PEAK_ATOL)
        self._step_offset = 0
        self._in_fit = False
        self._batches_seen = 0
        self._batches_written = 0
        self._last_batch_in_epoch = -1
        if self.update_freq != "epoch":
            # Batch hooks only when needed: Keras dispatches callbacks without
            # batch hooks asynchronously, with no per-step host copy.
            self.on_train_batch_end = self._on_train_batch_end

    def set_model(self, model):
        _check_keras_3_model(model)
        super().set_model(model)
        if self._unhooked:
            return
        self._warn_untested_keras()
        try:
            probe = step_probe.install(model)
        except Exception as error:
            if _keras.version.untested_keras() is None:
                raise
            self._unhook(error)
            return
        if probe is not self._probe:
            # Each callback reads the sums on its own: two callbacks on one
            # model both get every batch.
            self._probe = probe
            self._readers = {phase: acc.reader() for phase, acc in probe.accumulators.items()}
            self._check_readers = {phase: probe.accumulators[phase].reader() for phase in _PARTS}
        if self.dynamics:
            probe.measure_dynamics(self.dynamics)
        self._follow_the_probe()

    def _follow_the_probe(self):
        """Turns all logging off for good once the probe took itself out of the model (it warned)."""
        if self._probe is not None and self._probe.removed:
            self._stop_logging()

    def _stop_logging(self):
        self._unhooked = True
        self._parts_off.update((_TRAINING, _VALIDATION, _DYNAMICS))

    def _warn_untested_keras(self):
        """Warns once that the installed Keras is newer than the tested ones, and checked at runtime."""
        untested = _keras.version.untested_keras()
        if untested is None or self._warned_untested:
            return
        self._warned_untested = True
        warnings.warn(
            f"RegLossCallback: Keras {untested} is newer than the Keras versions tb-regloss is tested "
            f"with ({_keras.version.TESTED}). It is used untested and checked at runtime: at the end "
            "of each epoch and evaluation the callback compares its data + penalties with the loss "
            "Keras reports, and marks the run unverified in the dashboard if they differ. For tested "
            f"ground, install `pip install 'keras{_keras.version.TESTED}'`.",
            stacklevel=3,
        )

    def _unhook(self, error):
        """After hooking into an untested Keras failed: one warning, then no logging at all."""
        self._stop_logging()
        step_probe.warn_unhooked(error)

    def on_train_begin(self, logs=None):
        self._follow_the_probe()  # Keras made the train function since `set_model`
        if self._unhooked:
            return
        trial_run = self._follow_keras_tuner()
        self._check_log_dir("train")
        self._in_fit = True
        self._batches_seen = 0
        self._batches_written = 0
        self._begin_training()
        if trial_run is not None and trial_run != self._trial_run:
            self._trial_run = trial_run
            if not trial_run.hparams_logged and self._writes():
                self._write_trial_hparams(trial_run)
        self._show_decay_plan()

    def _follow_keras_tuner(self):
        """Moves ``log_dir`` to the run of the KerasTuner execution training now, and returns it.

        ``None`` (and ``log_dir`` as given) outside a search, or with a
        keras-tuner whose trial cannot be found (warned).
        """
        try:
            trial_run = tuner_runs.current(self._log_dir_given)
        except LookupError as error:
            warnings.warn(
                f"RegLossCallback cannot tell which KerasTuner trial is training, so it logs "
                f"to {self._log_dir_given!r} as outside a search: {error}", stacklevel=2)
            return None
        if trial_run is not None:
            self.log_dir = trial_run.log_dir
        return trial_run

    @_logging_only(_TRAINING, "writing the KerasTuner trial's hyperparameters")
    def _write_trial_hparams(self, trial_run):
        tuner_runs.write_hparams(trial_run)

    @_logging_only(_TRAINING, "opening the training event file and reading the optimizer's step")
    def _begin_training(self):
        self._open_writer("train")
        self._readers["train"].skip()
        self._readers["dynamics"].skip()
        self._check_readers["train"].skip()
        self._step_offset = step_axis.offset(self.log_dir, self._optimizer_step())

    @_logging_only(_PLAN, "making the decay plan")
    def _show_decay_plan(self):
        """Prints the decay plan (unless turned off) and writes it into the training run."""
        model = _keras.trainer.callback_model(self)
        plan = decay_plans.decay_plan(model)
        if self.print_plan and (self.params or {}).get("verbose", 1) != 0:
            print(decay_plan_text.render(plan, model.name, type(model.optimizer).__name__))
        if _TRAINING not in self._parts_off:
            self._writers["train"].write_text(self._optimizer_step() + self._step_offset, tags.DECAY_PLAN,
                                              json.dumps(decay_plans.to_json(plan)), tags.PLUGIN_NAME)

    def on_epoch_begin(self, epoch, logs=None):
        self._last_batch_in_epoch = -1

    @_logging_only(_TRAINING, "writing a training point")
    def _on_train_batch_end(self, batch, logs=None):
        batch = _keras.trainer.last_batch_reported(
            batch, getattr(_keras.trainer.callback_model(self), "steps_per_execution", 1))
        # With steps_per_execution, Keras reports the last execution of an
        # epoch as if it were full: clamp to the epoch's length when known.
        steps = (self.params or {}).get("steps")
        if steps:
            batch = min(batch, steps - 1)
        self._batches_seen += batch - self._last_batch_in_epoch
        self._last_batch_in_epoch = batch
        if self._batches_seen // self.update_freq > self._batches_written // self.update_freq:
            self._batches_written = self._batches_seen
            self._write("train", "train")

    def on_epoch_end(self, epoch, logs=None):
        if self.update_freq == "epoch":
            self._write_training_point()
        self._check_against_keras("train", logs)
        self._flush()

    def on_train_end(self, logs=None):
        if self.update_freq != "epoch" and self._batches_seen > self._batches_written:
            self._write_training_point()
        self._in_fit = False
        self._flush()

    @_logging_only(_TRAINING, "writing a training point")
    def _write_training_point(self):
        self._write("train", "train")

    def on_test_begin(self, logs=None):
        self._follow_the_probe()
        if self._unhooked:
            return
        if not self._in_fit:
            self._check_log_dir("validation")  # evaluate(): before its first step
        self._begin_validation()

    @_logging_only(_VALIDATION, "opening the validation event file and reading the optimizer's step")
    def _begin_validation(self):
        self._open_writer("validation")
        if not self._in_fit:
            self._step_offset = step_axis.offset(self.log_dir, self._optimizer_step())
        self._readers["test"].skip()
        self._check_readers["test"].skip()

    def on_test_end(self, logs=None):
        self._write_validation_point()
        self._check_against_keras("test", logs)
        if not self._in_fit:
            self._flush()

    @_logging_only(_VALIDATION, "writing a validation point")
    def _write_validation_point(self):
        self._write("test", "validation")

    def _check_log_dir(self, subdir):
        """Fails before the first step if this process writes ``log_dir/subdir`` and cannot."""
        if subdir not in self._writers and self._writes():
            _check_writable(files.join(self.log_dir, subdir), self.log_dir)

    def _writes(self):
        # Other workers take part in reading the sums (a collective operation)
        # but only the chief writes, like checkpoints.
        return cluster.is_chief(_keras.step_state.strategy_of(_keras.trainer.callback_model(self)))

    def _open_writer(self, subdir):
        if subdir in self._writers:
            return
        if not self._writes():
            self._writers[subdir] = _NoWriter()
            return
        path = files.join(self.log_dir, subdir)
        self._writers[subdir] = event_writer.EventWriter(path, flush_secs=self.flush_secs)

    def _optimizer_step(self):
        # Not `self.model`: on JAX it would sync the whole state to the model.
        return _keras.step_state.host_iterations(_keras.trainer.callback_model(self))

    def _write(self, phase, subdir):
        if phase in self._probe.failed:
            return  # The probe warned.
        means = self._readers[phase].read()
        if means is None:
            if self._probe.missed_loss[phase]:
                self._warn_missed_loss(phase)
            return
        point_tags = self._point_tags.get(means.keys)
        if point_tags is None:
            point_tags = self._point_tags[means.keys] = (tags.TOTAL, tags.DATA, *means.keys)
            if not self._noticed_no_penalties \
                    and not any(t.startswith(tags.PENALTY_PREFIX) for t in means.keys):
                self._noticed_no_penalties = True
                self._notice_no_penalties()
        step = self._step_now(phase)
        self._writers[subdir].write_row(step, point_tags, means.point, self._probe.descriptions)
        step_axis.note_written(self.log_dir, step)
        if phase == "train" and self.dynamics:
            self._write_dynamics(step)

    def _step_now(self, phase):
        """The step of a point of ``phase`` written now: the optimizer's, shifted by the ``log_dir``'s offset."""
        step = self._probe.step_now(phase)
        return (self._optimizer_step() if step is None else step) + self._step_offset

    def _check_against_keras(self, phase, logs):
        """Compares the epoch's data + penalties with Keras' ``logs["loss"]`` (`tb_regloss.self_check`).

        Once per epoch or evaluation, never per step. A gap marks the run of
        ``phase`` and warns once; reading or marking failing turns the
        logging of ``phase`` off, as any failure of the callback's own work.
        """
        part = _PARTS[phase]
        if part in self._parts_off or phase in self._probe.failed or phase in self._unverified:
            return
        gap = None
        with self._failure_warned(part, f"checking the {part} numbers against Keras' loss"):
            gap = self._gap_to_keras(phase, self_check.reported_loss(logs))
            if gap is not None:
                self._mark_unverified(phase, *gap)
        if gap is not None and not self._warned_unverified:
            self._warned_unverified = True
            warnings.warn(
                self_check.unverified_message(*gap, keras.__version__, files.join(self.log_dir, _SUBDIRS[phase])),
                self_check.UnverifiedLossWarning, stacklevel=3)

    def _gap_to_keras(self, phase, keras_loss):
        """``(data + penalties, Keras' loss)`` of the epoch if they differ, else ``None``."""
        means = self._check_readers[phase].read()  # also when not compared: the next epoch starts afresh
        model = _keras.trainer.callback_model(self)
        if means is None or keras_loss is None or not self_check.keras_reports_the_loss(model, phase):
            return None
        ours = self_check.data_plus_penalties(means)
        if math.isfinite(keras_loss):
            self._loss_peaks[phase] = max(self._loss_peaks.get(phase, 0.0), abs(keras_loss))
        return (ours, keras_loss) if self_check.differ(ours, keras_loss, self._loss_peaks.get(phase, 0.0)) else None

    def _mark_unverified(self, phase, ours, keras_loss):
        """Writes the `tb_regloss.tags.UNVERIFIED` mark into the event file of ``phase``'s run."""
        self._unverified.add(phase)
        self._writers[_SUBDIRS[phase]].write_tensor(
            self._step_now(phase), tags.UNVERIFIED, self_check.relative_gap(ours, keras_loss),
            self_check.mark_metadata(ours, keras_loss, keras.__version__))

    @_logging_only(_DYNAMICS, "writing the decay dynamics")
    def _write_dynamics(self, step):
        means = self._readers["dynamics"].read()
        if means is not None:
            self._writers["train"].write_row(step, means.keys, means.point[2:], self._probe.descriptions)

    def _notice_no_penalties(self):
        left_out = self._probe.penalties_left_out
        if left_out:
            print(
                f"tb_regloss: your compute_loss reads model.losses but adds none of its "
                f"{left_out} terms to the loss it returns; logging regloss/total and "
                "regloss/data only."
            )

    def _warn_missed_loss(self, phase):
        if phase in self._warned_missed_loss:
            return
        self._warned_missed_loss.add(phase)
        step = "train_step" if phase == "train" else "test_step"
        warnings.warn(
            f"RegLossCallback: {type(self.model).__name__}.{step} never calls "
            "`self.compute_loss`, so the loss it computes cannot be split and nothing is "
            f"logged to {self.log_dir!r} for {'training' if phase == 'train' else 'validation'}. "
            f"Compute the loss with `loss = self.compute_loss(x, y, y_pred, sample_weight)` "
            f"in {step}, or log it yourself with `tb_regloss.penalties(model)` and "
            "`tb_regloss.RegLossWriter` (README, \"Custom training steps\").",
            stacklevel=2,
        )

    def _flush(self):
        for subdir, writer in self._writers.items():
            part = _TRAINING if subdir == "train" else _VALIDATION
            if part not in self._parts_off:
                with self._failure_warned(part, f"flushing the {part} event file"):
                    writer.flush()

    def _failure_warned(self, part, what):
        """Turns an ``Exception`` raised within into one warning and the logging of ``part`` off."""
        return never_fatal.logging_failure(
            lambda: self._parts_off.add(part),
            lambda error: (f"RegLossCallback: {what} failed with {type(error).__name__}: {error}. "
                           f"Training continues without regloss logging of {part} to {self.log_dir!r}."))


def _check_keras_3_model(model):
    """Raises before training starts if ``model`` is a Keras 2 (``tf_keras``) model."""
    keras_2 = _keras.version.keras_2_class(model)
    if keras_2 is None:
        return
    raise TypeError(
        f"RegLossCallback was attached to a Keras 2 model: {type(model).__name__} is a "
        f"{keras_2.__module__}.{keras_2.__qualname__} (tf_keras, which `tf.keras` also is with "
        "TF_USE_LEGACY_KERAS=1). tb-regloss supports Keras 3 models (`import keras`) on "
        "TensorFlow, JAX and PyTorch. Build the model with Keras 3: `import keras` and use "
        "`keras.Sequential`, `keras.Model` and `keras.layers` instead of `tf_keras` (and unset "
        "TF_USE_LEGACY_KERAS). "
        f"Received: model of class {type(model).__module__}.{type(model).__qualname__}"
    )


def _validate_update_freq(update_freq):
    if update_freq == "batch":
        return 1
    if update_freq == "epoch":
        return update_freq
    if isinstance(update_freq, int) and not isinstance(update_freq, bool) and update_freq > 0:
        return update_freq
    raise ValueError(
        "RegLossCallback: `update_freq` must be 'epoch', 'batch' or a positive "
        f"integer N (write every N batches). Received: update_freq={update_freq!r}"
    )


def _validate_dynamics(dynamics):
    if dynamics is True:
        return 1
    if dynamics is False or dynamics is None:
        return 0
    if isinstance(dynamics, int) and dynamics > 0:
        return dynamics
    raise ValueError(
        "RegLossCallback: `dynamics` must be True (measure every train step), False, or a "
        f"positive integer N (measure one step in N). Received: dynamics={dynamics!r}"
    )


class _NoWriter:
    """What a non-chief worker writes with: nothing."""

    def write_row(self, step, tags, values, descriptions):
        pass

    def write_tensor(self, step, tag, value, metadata):
        pass

    def write_text(self, step, tag, text, plugin_name):
        pass

    def flush(self):
        pass


def _check_writable(path, log_dir):
    """Fails before training starts if ``path`` cannot be created or written."""
    try:
        files.check_writable(path)
    except OSError as error:
        raise OSError(
            f"RegLossCallback cannot write its event files to {path!r}: {error}. "
            "Pass a log_dir you can create and write, e.g. "
            f"RegLossCallback('runs/exp1'). Received: log_dir={log_dir!r}"
        ) from None
