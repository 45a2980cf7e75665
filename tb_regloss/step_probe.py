"""Hooks the loss decomposition into a model's compiled train and test steps.

Keras sums the loss in ``Trainer.compute_loss``: the compiled loss plus one
aggregated term for every ``t`` in ``self.losses``. The probe wraps the
methods involved on the model instance (named in
`tb_regloss._keras.trainer.wrap_step_methods`), so while a train or test step is
traced it sees the very tensors Keras adds up, names them (see
`tb_regloss.attribution`) and adds them to on-device running sums (see
`tb_regloss.accumulator`). Nothing is recomputed, nothing is copied to the host
per step; a writer reads the sums when it writes.

The patterns of custom steps it follows:

- a ``train_step``/``test_step`` that calls ``self.compute_loss`` (the keras.io
  guide): exact, whatever it does with ``self.metrics``;
- a ``compute_loss`` override that adds ``ops.sum(self.losses)`` itself (Keras'
  docstring): the terms it read are attributed as if Keras had summed them,
  those that do not feed its result are left out;
- a step that never calls ``compute_loss``: nothing can be split; the step is
  marked (`StepProbe.missed_loss`) so the writer can say so.

It also adds ``data_loss`` and ``reg_loss`` to ``model.metrics``, hence to the
logs (progress bar, ``History``, ``EarlyStopping``), but keeps them out of the
list ``evaluate(return_dict=False)`` returns so existing unpacking still works.

The probe is installed once per model and stays: the next fit reuses the
compiled step. Installing it on a model that already has compiled steps drops
them, so Keras traces them again with the probe inside.
"""

import contextlib
import threading
import warnings

import keras

from tb_regloss import accumulator
from tb_regloss import attribution
from tb_regloss import decoupled_decay
from tb_regloss import dynamics
from tb_regloss import _keras
from tb_regloss import loss_origins
from tb_regloss import never_fatal
from tb_regloss import tags

DATA_LOSS = "data_loss"
REG_LOSS = "reg_loss"

_PROBE_ATTR = "_tb_regloss_probe"
# The logs entry in which a step returns its sums to our wrapper of Keras'
# step function, which removes it before anyone sees the logs.
_RETURNED = "_tb_regloss_sums"


def install(model):
    """Returns the model's `StepProbe`, installing it on first use.

    Example:

    ```python
    probe = install(model)
    reader = probe.accumulators["train"].reader()
    model.fit(x, y)
    means = reader.read()
    ```
    """
    probe = model.__dict__.get(_PROBE_ATTR)
    if probe is None:
        probe = StepProbe(model)
        # Plain attribute: Keras must not track, save or clone it.
        _keras.trainer.replace_method(model, _PROBE_ATTR, probe)
    return probe


class StepProbe:
    """The decomposition hooked into one model's train and test steps.

    Attributes:
        accumulators: ``{"train": PhaseAccumulator, "test": PhaseAccumulator,
            "dynamics": PhaseAccumulator}``; the last holds `tb_regloss.dynamics`
            series when they are measured (`measure_dynamics`).
        dynamics_every: dynamics are measured every this many train steps (0: never).
        descriptions: ``{tag: description}``: total and data, and every term seen while tracing.
        missed_loss: ``{"train": bool, "test": bool}``: a traced step of that
            phase never called ``compute_loss``.
        failed: the phases (``"train"``, ``"test"``) whose host-side work
            after a step failed: it warned once, and nothing more of that
            phase is to be logged.
        removed: hooking into the steps of an untested Keras failed: the
            probe took itself out of the model, which trains plainly.
        gave_up: the probe's own work failed while Keras traced a step: it
            warned once, and its wrappers pass every call through to Keras
            from then on, so the model trains as without it.
        penalties_left_out: how many terms of ``model.losses`` a ``compute_loss``
            override read without adding them to its loss (last trace).
    """

    def __init__(self, model):
        _keras.version.check_keras_version()
        self._model = model
        self.failed = set()
        self.removed = False
        self.gave_up = False
        self._added_metrics = []  # what `_remove` takes out of model.metrics again
        try:
            self._hook(model)
        except BaseException:
            self._remove()  # A model half hooked would train differently.
            raise

    def _hook(self, model):
        strategy = _keras.step_state.strategy_of(model)

        def new_accumulator():
            return accumulator.PhaseAccumulator(
                strategy,
                host=_keras.step_state.HostState(model),
                on_new=self._register_step_state)

        self.accumulators = {"train": new_accumulator(), "test": new_accumulator(),
                             "dynamics": new_accumulator()}
        self.dynamics_every = 0
        self.descriptions = tags.tag_descriptions({})  # total and data, then terms as traced
        self.missed_loss = {"train": False, "test": False}
        self._latest_step = {"train": None, "test": None}
        self.penalties_left_out = 0
        # Per thread: MirroredStrategy traces each replica in its own thread.
        self._trace = threading.local()
        with strategy.scope():
            self._data_tracker = _SplitMean(DATA_LOSS, self._split_known_here)
            _keras.trainer.set_lower_is_better(self._data_tracker)
            self._reg_tracker = _SplitMean(REG_LOSS, self._split_known_here)
            # In model.metrics, Keras resets and logs them, and saves nothing.
            # Two flat entries, so a custom step returning
            # {m.name: m.result() for m in self.metrics} logs flat keys.
            # Not where the steps cannot update them (a custom JAX step).
            if _keras.step_state.steps_thread_metrics(model):
                for metric in (self._data_tracker, self._reg_tracker,
                               _direction_holder([self._data_tracker, self._reg_tracker])):
                    self._added_metrics.append(metric)
                    _keras.trainer.add_model_metric(model, metric)
        loss_origins.watch(model)
        for phase in ("train", "test"):
            self.prepare(phase)
        self._patch(model)

    def _register_step_state(self, sums):
        self._added_metrics.append(sums)
        _keras.step_state.register_step_state(self._model, sums)

    def _remove(self):
        """Takes the probe out of its model, which then trains as if it never had one.

        Keras' own step methods and metrics again, the compiled steps dropped;
        nothing more is logged (both phases `failed`). The model keeps the
        removed probe, so `install` does not try again. The ``add_loss``
        wrappers of `tb_regloss.loss_origins` stay: they only listen.
        """
        _keras.trainer.unwrap_step_methods(self._model)
        _keras.trainer.remove_model_metrics(self._model, self._added_metrics)
        self.removed = True
        self.failed.update(("train", "test"))

    def prepare(self, phase):
        """Readies the sums of ``phase`` for the next trace; called on the host before its step is made.

        On JAX the sums must exist before Keras builds the step: they are part
        of the state it takes and returns.
        """
        n_layers = len(_keras.layers.all_layers(self._model))
        # At most: a weight term and a decoupled term per weight, an activity
        # and an add_loss term per layer.
        self.accumulators[phase].prepare(3 + 2 * len(self._model.trainable_weights) + 2 * n_layers + 8)
        if phase == "train":
            decoupled_decay.prepare(self._model)  # first: dynamics need the built optimizer's owners
            if self.dynamics_every:
                dynamics.prepare(self._model)
                per_weight = len(dynamics.PER_WEIGHT) + 1
                self.accumulators["dynamics"].prepare(3 + per_weight * len(self._model.trainable_weights))

    def measure_dynamics(self, every):
        """Measures `tb_regloss.dynamics` every ``every`` train steps from now on (0: stop).

        A change makes Keras trace the train step again.
        """
        if every != self.dynamics_every:
            self.dynamics_every = every
            _keras.trainer.forget_compiled_steps(self._model)

    def _patch(self, model):
        _keras.trainer.wrap_step_methods(model, self._wrappers)

    def _wrappers(self, originals):
        # A JAX step takes and returns its state: (state, data) -> (logs, state).
        def train_step(*args):
            if self.gave_up:
                return originals["train_step"](*args)
            with self._in_phase("train"):
                if self.dynamics_every:
                    with self._traced_work("watching the optimizer"):
                        self._watch_optimizer()
                return self._finish_step("train", originals["train_step"](*args))

        def test_step(*args):
            if self.gave_up:
                return originals["test_step"](*args)
            with self._in_phase("test"):
                return self._finish_step("test", originals["test_step"](*args))

        def make_train_function(force=False):
            if force or self._model.train_function is None:
                self.prepare("train")
            return self._wrapping_step_function("train", originals["make_train_function"](force))

        def make_test_function(force=False):
            if force or self._model.test_function is None:
                self.prepare("test")
            return self._wrapping_step_function("test", originals["make_test_function"](force))

        def compute_loss(*args, **kwargs):
            trace = self._trace
            if getattr(trace, "phase", None) is None or getattr(trace, "captured", None) is not None:
                return originals["compute_loss"](*args, **kwargs)
            trace.captured = []
            trace.weight_terms = None
            try:
                total = originals["compute_loss"](*args, **kwargs)
                captured, weight_terms = trace.captured, trace.weight_terms
            finally:
                trace.captured = None
                trace.weight_terms = None
            if total is not None and not self.gave_up:
                with self._traced_work("splitting the loss"):
                    if captured:
                        terms = attribution.attribute(
                            self._model, [loss for loss, _ in captured],
                            returned_by_a_call=_keras.layers.losses_of_the_call(self._model) is not None)
                        values = [value for _, value in captured]
                    else:  # An override that summed self.losses itself, or none of them.
                        terms, values = self._terms_in_loss(total, weight_terms or [])
                    x = args[0] if args else kwargs.get("x")
                    y_pred = args[2] if len(args) > 2 else kwargs.get("y_pred")
                    self._record(trace.phase, total, terms, values, _batch_size(x, y_pred))
            return total

        def aggregate_additional_loss(loss):
            value = originals["add_term"](loss)
            captured = getattr(self._trace, "captured", None)
            if captured is not None:
                captured.append((loss, value))
            return value

        def get_regularization_losses():
            weight_terms = originals["weight_terms"]()
            if getattr(self._trace, "captured", None) is not None:
                self._trace.weight_terms = weight_terms
            return weight_terms

        def flatten_metrics_in_order(logs):
            return originals["list_results"](
                {k: v for k, v in logs.items() if k not in (DATA_LOSS, REG_LOSS)}
            )

        def compute_metrics(*args, **kwargs):
            if getattr(self._trace, "phase", None) == "train":
                self._add_measurements()
            return originals["compute_metrics"](*args, **kwargs)

        def reset_metrics():
            originals["reset_metrics"]()
            # Also when a `metrics` property override leaves them out.
            self._data_tracker.reset_state()
            self._reg_tracker.reset_state()

        return {
            "train_step": train_step,
            "test_step": test_step,
            "compute_loss": compute_loss,
            "add_term": aggregate_additional_loss,
            "weight_terms": get_regularization_losses,
            "list_results": flatten_metrics_in_order,
            "reset_metrics": reset_metrics,
            "compute_metrics": compute_metrics,
            "make_train_function": make_train_function,
            "make_test_function": make_test_function,
        }

    @contextlib.contextmanager
    def _in_phase(self, phase):
        trace = self._trace
        names = ("phase", "recorded", "layouts", "dynamics_layouts", "measurements")
        outer = tuple(getattr(trace, name, None) for name in names)
        trace.phase, trace.recorded, trace.layouts = phase, False, []
        trace.dynamics_layouts, trace.measurements = [], []
        try:
            yield
        finally:
            for name, value in zip(names, outer):
                setattr(trace, name, value)

    def _finish_step(self, phase, logs):
        """The step's logs, with the sums it updated when our step function called it."""
        from keras import ops

        trace = self._trace
        self._add_measurements()
        if self.gave_up:
            return logs
        if not trace.recorded:
            self.missed_loss[phase] = True
            return logs
        # Only under the step function that removes them again (see
        # `_returning_sums`), and only traced in its thread: replicas of
        # MirroredStrategy return none, reading the variable sums them.
        if getattr(trace, "returning_sums", None) != phase or not isinstance(logs, dict):
            return logs
        with self._traced_work("returning the sums"):
            returned = {"sums": self.accumulators[phase].values_now(trace.layouts),
                        "dynamics": self.accumulators["dynamics"].values_now(trace.dynamics_layouts)}
            optimizer = getattr(self._model, "optimizer", None)
            if optimizer is not None:
                # Read after the optimizer's update: the step a point is written at.
                returned["step"] = ops.convert_to_tensor(optimizer.iterations)
            return {**logs, _RETURNED: returned}
        return logs

    def _wrapping_step_function(self, phase, made):
        """``made``, the step function Keras just made for ``phase``, after wrapping it (`_returning_sums`).

        On an untested Keras (`tb_regloss._keras.version.untested_keras`) a
        failure to wrap it warns once and takes the probe out: Keras makes its
        plain step function, and the training goes on without tb-regloss.
        """
        try:
            _keras.trainer.wrap_step_function(self._model, phase, self._returning_sums)
        except Exception as error:
            if _keras.version.untested_keras() is None:
                raise
            warn_unhooked(error)
            self._remove()
            return getattr(self._model, f"make_{phase}_function")(force=True)
        return made

    def _returning_sums(self, phase, step_function):
        """Wraps Keras' step function: its steps return their sums, taken out of the logs."""
        def function(iterator):
            trace = self._trace
            outer = getattr(trace, "returning_sums", None)
            trace.returning_sums = phase
            try:
                logs = step_function(iterator)
            finally:
                trace.returning_sums = outer
            returned = logs.pop(_RETURNED, None) if isinstance(logs, dict) else None
            if phase not in self.failed:
                with self._failure_warned(phase):
                    self._receive(phase, returned)
            return logs

        return function

    def _receive(self, phase, returned):
        """Takes what a step of ``phase`` returned (``None``: nothing) as the latest sums and step."""
        self.accumulators[phase].receive(returned["sums"] if returned else {})
        if phase == "train":
            self.accumulators["dynamics"].receive(returned["dynamics"] if returned else {})
        self._latest_step[phase] = returned.get("step") if returned else None

    @contextlib.contextmanager
    def _traced_work(self, what, keras_call=None):
        """Turns an ``Exception`` of the probe's own work in a step being traced into one warning.

        Keras' own calls run outside it, or within it as ``keras_call`` (a
        `_KerasCall`): their errors pass unchanged. After a failure the probe
        gives up (`gave_up`): this trace and every later one go on as Keras'
        own, both phases `failed`, nothing more logged. With
        ``TB_REGLOSS_ALLOW_ANY_KERAS`` set (bench/keras_nightly.sh) the
        failure raises instead, to be seen whole.
        """
        try:
            yield
        except Exception as error:  # noqa: BLE001 - logging must never stop training
            if _keras.version.tried_on_purpose() or (keras_call is not None and error is keras_call.error):
                raise
            self.gave_up = True
            self.failed.update(("train", "test"))
            self._trace.recorded = False  # no half-made row
            warnings.warn(
                f"RegLossCallback: {what} in the step Keras {keras.__version__} traces failed with "
                f"{type(error).__name__}: {error}. Training goes on as without the callback: nothing "
                f"more is logged. Please report this message to tb-regloss.",
                StepHookWarning, stacklevel=3)

    def _failure_warned(self, phase):
        """Turns an ``Exception`` of the host-side work after a step into one warning; ``phase`` fails.

        The step itself ran before, outside: its errors pass unchanged.
        """
        part = "training" if phase == "train" else "validation"
        return never_fatal.logging_failure(
            lambda: self.failed.add(phase),
            lambda error: (f"RegLossCallback: taking the regloss sums out of the {phase} step's results "
                           f"failed with {type(error).__name__}: {error}. Training continues without "
                           f"regloss logging of {part}."))

    def _watch_optimizer(self):
        """Makes the model's optimizer measure the dynamics of the steps it applies."""
        optimizer = _keras.optimizers.unscaled_optimizer(getattr(self._model, "optimizer", None))
        if optimizer is not None:
            _keras.optimizers.wrap_optimizer_apply(optimizer, lambda apply: self._measuring(optimizer, apply))

    def _measuring(self, optimizer, apply):
        """``optimizer.apply`` that also measures the dynamics of a traced train step."""
        def measuring_apply(grads, trainable_variables=None):
            trace = self._trace
            if (getattr(trace, "phase", None) != "train" or not self.dynamics_every
                    or trace.measurements or self.gave_up):
                return apply(grads, trainable_variables)
            return self._apply_measured(optimizer, apply, grads, trainable_variables)

        return measuring_apply

    def _apply_measured(self, optimizer, apply, grads, trainable_variables):
        """``apply(grads, trainable_variables)``, measured: the update is made once, whatever fails around it."""
        keras_apply = _KerasCall(apply)
        with self._traced_work("measuring the dynamics", keras_call=keras_apply):
            result, measurement = dynamics.apply_call_measured(
                self._model, optimizer, keras_apply, grads, trainable_variables, every=self.dynamics_every)
            if measurement is not None:
                # Added to the sums where the step can carry them: see `_add_measurements`.
                self._trace.measurements.append(measurement)
                for tag, text in measurement.descriptions.items():
                    self.descriptions.setdefault(tag, text)
                if optimizer is not getattr(self._model, "optimizer", None):
                    # A LossScaleOptimizer updates in a conditional branch: its
                    # values cannot leave it (on JAX they are sent to the host).
                    self._add_measurements()
            return result
        return keras_apply.result if keras_apply.called else apply(grads, trainable_variables)

    def _add_measurements(self):
        """Adds the step's dynamics measurements to their sums, once.

        Called from ``compute_metrics``, which Keras' own steps call after the
        optimizer's update in the scope that carries the metrics' state (on
        JAX, the optimizer's ``stateless_apply`` scope carries only its own),
        and at the end of the step for the others.
        """
        if self.gave_up:
            return
        trace = self._trace
        with self._traced_work("adding the dynamics measurements"):
            for measurement in trace.measurements:
                if measurement is not None:
                    trace.dynamics_layouts.append(self.accumulators["dynamics"].add_values(
                        measurement.tags, measurement.taken, measurement.values))
        # Keep the list non-empty: one measurement per step.
        trace.measurements[:] = [None] * len(trace.measurements)

    def step_now(self, phase):
        """The optimizer's step after the last step of ``phase``, if that step returned it, else ``None``."""
        step = self._latest_step[phase]
        return None if step is None else int(step)

    def _split_known_here(self):
        """Whether ``data_loss``/``reg_loss`` have a value in the step being traced."""
        if self.gave_up:
            return False
        return getattr(self._trace, "phase", None) is None or self._trace.recorded

    def _terms_in_loss(self, total, weight_terms):
        """The terms of ``model.losses`` a ``compute_loss`` override added to ``total``."""
        from keras import ops

        of_the_call = _keras.layers.losses_of_the_call(self._model)
        if of_the_call is None:
            read = [t for layer in _keras.layers.all_layers(self._model)
                    for t in _keras.layers.own_losses(layer)] + list(weight_terms)
        else:
            read = of_the_call
        if not read:
            return [], []
        terms = attribution.attribute(self._model, read, returned_by_a_call=of_the_call is not None)
        feeding = _keras.backends.tensors_feeding(total, read)
        self.penalties_left_out = len(read) - len(feeding)
        kept = [(term, loss) for term, loss in zip(terms, read) if id(loss) in feeding]
        return ([term for term, _ in kept],
                [ops.sum(ops.cast(loss, keras.config.floatx())) for _, loss in kept])

    def _record(self, phase, total, terms, values, batch_size):
        """Adds the step's row to the sums and feeds ``data_loss``/``reg_loss``; in the step.

        Few operations: a PyTorch step runs this eagerly at every batch.
        """
        from keras import ops

        self._trace.recorded = True
        merged = {}
        for term, value in zip(terms, values):
            tag = tags.penalty_tag(term.key)
            merged[tag] = merged[tag] + value if tag in merged else value
            self.descriptions.setdefault(tag, term.description)
        weight = ops.cast(batch_size, "float32")
        replicas = _keras.step_state.replicas_in_sync()
        # Keras scales each replica's loss by 1/replicas; its loss tracker undoes that.
        scale = weight * float(replicas) if replicas > 1 else weight
        weighted = _keras.backends.stack_scalars(_float32(v) for v in (total, *merged.values())) * scale
        reg = ops.sum(weighted[1:])
        data = weighted[0] - reg
        row = [_keras.backends.stack_scalars([weight, weighted[0], data]), weighted[1:]]
        keys = list(merged)
        if phase == "train":
            decoupled = decoupled_decay.terms(self._model)
            for term, _ in decoupled:
                tag = tags.decoupled_tag(term.key)
                keys.append(tag)
                self.descriptions.setdefault(tag, term.description)
            if decoupled:
                row.append(_keras.backends.stack_scalars(_float32(value) for _, value in decoupled) * weight)
        self._trace.layouts.append(self.accumulators[phase].add_row(keys, ops.concatenate(row)))
        self._data_tracker.record(data, weight)
        self._reg_tracker.record(reg, weight)


class StepHookWarning(UserWarning):
    """tb-regloss could not hook into, or work in, Keras' steps: training goes on without its logging."""


def warn_unhooked(error):
    """Warns that hooking into the steps of an untested Keras failed with ``error``, and what follows."""
    warnings.warn(
        f"RegLossCallback: hooking the loss decomposition into the train and test steps of Keras "
        f"{keras.__version__} failed with {type(error).__name__}: {error}. tb-regloss is tested with "
        f"Keras {_keras.version.TESTED}, and this newer Keras works differently. Training goes on as "
        f"without the callback: nothing is logged. Install a tested Keras "
        f"(`pip install 'keras{_keras.version.TESTED}'`) or a tb-regloss release made for Keras "
        f"{keras.__version__}, and report this message to tb-regloss.",
        StepHookWarning,
        stacklevel=3,
    )


def _float32(value):
    from keras import ops

    return value if keras.backend.standardize_dtype(value.dtype) == "float32" else ops.cast(value, "float32")


def _batch_size(x, y_pred):
    """The weight Keras gives a batch's loss: its number of samples."""
    from keras import ops
    from keras import tree

    for structure in (x, y_pred):
        for tensor in tree.flatten(structure) if structure is not None else ():
            if tensor is not None:
                return ops.shape(tensor)[0]
    return 1


class _SplitMean(keras.metrics.Mean):
    """``data_loss`` or ``reg_loss``: a mean the probe feeds, not the step.

    Custom steps that loop over ``self.metrics`` call ``update_state(y,
    y_pred)`` on every metric: that does nothing here. In a step that never
    called ``compute_loss`` the result is empty (``{}``), so no made-up value
    reaches the logs.
    """

    def __init__(self, name, known_here):
        super().__init__(name=name)
        self._known_here = known_here

    def update_state(self, *args, **kwargs):
        pass

    def record(self, weighted_sum, weight):
        """Adds a batch's ``value·weight`` and ``weight`` (float32 scalars), as ``Mean`` would."""
        if _keras.step_state.assignable_in_step(self.total):
            _keras.backends.add_to_variable(self.total, weighted_sum)
            _keras.backends.add_to_variable(self.count, weight)

    def result(self):
        from keras import ops

        # Mean.result, without casting ``count`` (already float32): Keras
        # calls it at every batch, eagerly on PyTorch.
        return ops.divide_no_nan(self.total, self.count) if self._known_here() else {}


def _direction_holder(metrics):
    """A ``MetricsList`` that shows ``metrics`` to ``EarlyStopping`` and logs nothing.

    ``EarlyStopping(mode="auto")`` reads a metric's direction only inside a
    ``MetricsList``; the metrics log under their own names. The holder does not
    track them (``object.__setattr__``), so their variables are listed once in
    ``model.metrics_variables`` (``get_state_tree`` refuses a path seen twice).
    """

    class DirectionHolder(_keras.trainer.metrics_list_class()):
        def __init__(self, held):
            super().__init__([], name="regloss_split")
            object.__setattr__(self, "metrics", held)

        def update_state(self, *args, **kwargs):
            pass

        def reset_state(self):
            pass  # The metrics are reset as entries of model.metrics.

        def result(self):
            return {}

    return DirectionHolder(metrics)


class _KerasCall:
    """A call of Keras' own made within the probe's traced work (`StepProbe._traced_work`).

    It remembers whether it ran, its result, and its error, which passes
    unchanged: Keras' errors are the training's own.
    """

    def __init__(self, function):
        self._function = function
        self.called = False
        self.result = None
        self.error = None

    def __call__(self, *args):
        try:
            self.result = self._function(*args)
        except Exception as error:
            self.error = error
            raise
        self.called = True
        return self.result
