"""Hooks in Keras' trainer: the compiled steps, the model's metrics, the callback's model, TensorFlow's trainer class.

Part of the Keras boundary (`tb_regloss._keras`): each private name used here
says what it relies on and the versions checked.
"""

import functools

from tb_regloss._keras import backends
from tb_regloss._keras import version


def last_batch_reported(batch, steps_per_execution):
    """The last batch covered by ``on_train_batch_end(batch)``.

    With ``steps_per_execution > 1`` one call covers several batches: Keras
    3.11+ passes the last of them, earlier versions the first.
    """
    if _reports_last_batch():
        return batch
    return batch + max(1, steps_per_execution or 1) - 1

@functools.lru_cache(maxsize=None)
def _reports_last_batch():
    # Called every batch: the installed Keras does not change while it runs.
    return version.installed_version() >= (3, 11)

# The methods of a model instance the step probe wraps, by the role they play
# for it. ``train_step``, ``test_step``, ``compute_loss``, ``reset_metrics``,
# ``make_train_function`` and ``make_test_function`` are public; the others
# are Keras' own:
# - ``_aggregate_additional_loss(loss)``: Keras 3.8+, called by
#   ``Trainer.compute_loss`` once per term of ``model.losses``;
# - ``_get_regularization_losses()``: Keras 3.0+, called by ``Layer.losses``
#   to make the weight terms (so a ``compute_loss`` override that adds
#   ``self.losses`` itself is seen too);
# - ``_flatten_metrics_in_order(logs)``: Keras 3.0+, builds the list
#   ``evaluate(return_dict=False)`` returns.
# ``compute_metrics`` is public: Keras' own steps call it after the
# optimizer's update, on JAX in the scope that carries the metrics' state.
_STEP_METHODS = {
    "train_step": "train_step",
    "test_step": "test_step",
    "compute_loss": "compute_loss",
    "add_term": "_aggregate_additional_loss",
    "weight_terms": "_get_regularization_losses",
    "list_results": "_flatten_metrics_in_order",
    "reset_metrics": "reset_metrics",
    "compute_metrics": "compute_metrics",
    "make_train_function": "make_train_function",
    "make_test_function": "make_test_function",
}

def wrap_step_methods(model, make_wrappers):
    """Shadows the step methods of ``model`` (this instance only) by wrappers.

    ``make_wrappers(originals)`` gets ``{role: bound method}`` for the roles
    ``train_step``, ``test_step``, ``compute_loss``, ``add_term``,
    ``weight_terms``, ``list_results``, ``reset_metrics``, ``compute_metrics``,
    ``make_train_function`` and ``make_test_function``, and returns
    ``{role: function}``. The compiled steps are dropped so that Keras traces
    them again with the wrappers inside.
    """
    originals = {role: getattr(model, name) for role, name in _STEP_METHODS.items()}
    for role, function in make_wrappers(originals).items():
        replace_method(model, _STEP_METHODS[role], function)
    forget_compiled_steps(model)

def unwrap_step_methods(model):
    """Takes back `wrap_step_methods` (also when it stopped halfway): the class's methods show again.

    The compiled steps are dropped so that Keras traces its own steps again.
    """
    for name in _STEP_METHODS.values():
        model.__dict__.pop(name, None)
    forget_compiled_steps(model)

_STEP_FUNCTIONS = {"train": "train_function", "test": "test_function"}

_STEP_FUNCTIONS = {"train": "train_function", "test": "test_function"}
_WRAPPED = "_tb_regloss_wrapped"

def wrap_step_function(model, phase, wrap):
    """Replaces ``model.train_function`` (``phase="train"``) or ``test_function`` by ``wrap(phase, it)``.

    Call it after ``make_train_function``/``make_test_function``: ``fit``,
    ``evaluate`` and ``train_on_batch`` call the function Keras stores there
    (Keras 3.0+), with an iterator or batches, and get the step's logs. A
    function already wrapped is left as it is.
    """
    if not backends.tensorflow_backend():
        return  # JAX and PyTorch steps: the sums are read where the step left them (`step_state.HostState`).
    name = _STEP_FUNCTIONS[phase]
    function = getattr(model, name, None)
    if function is None or getattr(function, _WRAPPED, False):
        return
    wrapped = wrap(phase, function)
    setattr(wrapped, _WRAPPED, True)
    setattr(model, name, wrapped)

def replace_method(obj, name, function):
    """Shadows ``obj.name`` by ``function`` on this instance only.

    ``object.__setattr__`` bypasses Keras' attribute tracking, so the function
    is neither tracked, saved nor cloned.
    """
    object.__setattr__(obj, name, function)

def forget_compiled_steps(model):
    """Makes Keras trace the train and test steps again at the next fit/evaluate.

    Relies on ``make_train_function``/``make_test_function`` reusing a
    non-None ``train_function``/``test_function`` (Keras 3.0+).
    """
    model.train_function = None
    model.test_function = None

def metrics_list_class():
    """Keras' ``MetricsList`` (Keras 3.0+): a metric that holds metrics.

    ``EarlyStopping`` looks inside it for the direction of a monitored metric.
    """
    from keras.src.trainers.compile_utils import MetricsList

    return MetricsList

def add_model_metric(model, metric):
    """Appends ``metric`` to ``model.metrics``: Keras resets and logs it, saves nothing.

    Relies on ``Trainer._metrics`` (Keras 3.0+), the list ``model.metrics``
    ends with.
    """
    model._metrics.append(metric)

def remove_model_metrics(model, metrics):
    """Takes ``metrics`` (those `add_model_metric` appended) out of ``model.metrics`` again.

    Relies on ``Trainer._metrics`` (Keras 3.0+), as `add_model_metric`.
    """
    model._metrics[:] = [m for m in model._metrics if not any(m is added for added in metrics)]

def set_lower_is_better(metric):
    """Tells ``EarlyStopping(mode="auto")`` that lower values of ``metric`` are better.

    Relies on ``Metric._direction`` (Keras 3.0+), read by ``MonitorCallback``.
    """
    metric._direction = "down"

def tensorflow_trainer():
    """``(module, trainer class)`` of Keras' TensorFlow trainer, or ``None`` if they moved.

    The module is ``keras/src/backend/tensorflow/trainer.py``; its class is
    ``TensorFlowTrainer`` up to Keras 3.15 and ``Trainer`` in Keras 3.16
    (nightly of 2026-10).
    """
    try:
        from keras.src.backend.tensorflow import trainer
    except ImportError:
        return None
    cls = getattr(trainer, "TensorFlowTrainer", None) or getattr(trainer, "Trainer", None)
    return None if cls is None else (trainer, cls)

def repair_tensorflow_trainer(wrap_symbolic_build, wrap_reduce_per_replica, mark):
    """Replaces two functions of Keras' TensorFlow trainer by wrappers of them.

    Relies on `tensorflow_trainer` (Keras 3.5+): the trainer class's
    ``_maybe_symbolic_build(self, iterator, data_batch)``, the module's
    ``reduce_per_replica(values, strategy, reduction)`` looked up at trace
    time, and ``_collective_all_reduce_multi_worker(strategy)``. Each wrapper
    factory gets the original function and that predicate. Wrapping twice is
    once (the wrappers carry the attribute ``mark``).

    Returns:
        ``False`` if the trainer no longer has these names, else ``True``.
    """
    found = tensorflow_trainer()
    if found is None:
        return False
    trainer, cls = found
    if not all(hasattr(trainer, n) for n in ("reduce_per_replica", "_collective_all_reduce_multi_worker")) \
            or not hasattr(cls, "_maybe_symbolic_build"):
        return False
    if getattr(trainer.reduce_per_replica, mark, False):
        return True
    is_multi_worker = trainer._collective_all_reduce_multi_worker
    cls._maybe_symbolic_build = wrap_symbolic_build(cls._maybe_symbolic_build, is_multi_worker)
    trainer.reduce_per_replica = wrap_reduce_per_replica(trainer.reduce_per_replica, is_multi_worker)
    return True

def callback_model(callback):
    """The model ``callback`` is attached to, read without syncing a JAX model's state.

    Relies on ``Callback._model``, which ``Callback.set_model`` sets (Keras
    3.0–3.15). The public ``Callback.model`` property calls
    ``model.jax_state_sync()`` on JAX at every read (and unwraps PyTorch's
    DistributedDataParallel): a copy of every variable per batch, which the
    callback's per-batch reads do not need.
    """
    return callback._model
