"""State that lives across steps, per backend: distribution strategies, metrics' variables, values sent to the host.

Part of the Keras boundary (`tb_regloss._keras`): each private name used here
says what it relies on and the versions checked.
"""

import contextlib

from tb_regloss._keras import backends
from tb_regloss._keras import optimizers
from tb_regloss._keras import trainer


def strategy_of(model):
    """The ``tf.distribute`` strategy ``model`` trains under; on other backends a stand-in.

    The stand-in has what the package uses of a strategy: ``scope()`` (a
    context that does nothing), ``num_replicas_in_sync`` (1: Keras' JAX
    ``DataParallel`` needs no unscaling, see `replicas_in_sync`) and no
    ``cluster_resolver`` (one process writes).
    """
    if backends.tensorflow_backend():
        return model.distribute_strategy
    return _NO_STRATEGY

class _NoStrategy:
    num_replicas_in_sync = 1
    cluster_resolver = None

    def scope(self):
        return contextlib.nullcontext()

_NO_STRATEGY = _NoStrategy()

def one_device_step():
    """Whether the running step is one device's: not a replica of a ``tf.distribute`` step with several.

    In a strategy's cross-replica context (in its scope, outside ``run``) it is not.
    """
    if not backends.tensorflow_backend():
        return True
    import tensorflow as tf

    replica = tf.distribute.get_replica_context()
    return replica is not None and replica.num_replicas_in_sync == 1

def replicas_in_sync():
    """How many replicas of a ``tf.distribute`` step share a batch: Keras divides their losses by it.

    1 outside ``tf.distribute``; on JAX, Keras' ``DataParallel`` computes the
    loss of the global batch, unscaled.
    """
    if not backends.tensorflow_backend():
        return 1
    import tensorflow as tf

    return tf.distribute.get_strategy().num_replicas_in_sync

def has_float64():
    """Whether variables can hold float64: not on JAX unless ``jax_enable_x64`` is set."""
    if backends.backend_name() != "jax":
        return True
    import jax

    return bool(jax.config.jax_enable_x64)

def steps_thread_metrics(model):
    """Whether metric updates made while ``model``'s train and test steps run reach its metrics.

    On TensorFlow and PyTorch variables are stateful: always. On JAX the
    steps are stateless: Keras' own ``train_step``/``test_step`` thread
    ``model.metrics_variables`` through ``compute_loss`` (Keras 3.0+), a
    custom one (keras.io, "Customizing what happens in fit() with JAX") calls
    ``compute_loss`` outside any such scope. Keras' JAX trainer class is
    ``JAXTrainer`` in ``keras/src/backend/jax/trainer.py`` up to Keras 3.15
    and ``Trainer`` there in Keras 3.16 (nightly 3.16.0.dev2026102704).
    """
    if backends.backend_name() != "jax":
        return True
    from keras.src.backend.jax import trainer

    keras_steps = getattr(trainer, "JAXTrainer", None) or trainer.Trainer
    cls = type(model)
    return cls.train_step is keras_steps.train_step and cls.test_step is keras_steps.test_step

def assignable_in_step(variable):
    """Whether an ``assign`` to ``variable`` made now reaches the step's outputs.

    On JAX: only inside a ``StatelessScope`` that maps ``variable`` (Keras'
    own steps map the metrics' variables); elsewhere an assignment would leak a
    tracer into the variable. Always on the stateful backends.
    """
    if backends.backend_name() != "jax":
        return True
    from keras.src.backend.common import stateless_scope

    scope = stateless_scope.get_stateless_scope()
    return scope is not None and scope.get_current_value(variable) is not None

def send_to_host(function, *values):
    """Calls ``function(*numpy arrays)`` on the host with ``values`` of the running step.

    For a JAX step that cannot carry them in its state (`assignable_in_step`):
    ``jax.debug.callback``, which also works inside ``jax.grad`` and ``jit``;
    `wait_for_host` waits for the calls of the steps dispatched so far.
    """
    import jax

    jax.debug.callback(function, *values)

def on_the_host(function, *values):
    """Calls ``function(*numpy arrays)`` with ``values`` of a JAX or PyTorch step, on the host.

    On JAX through `send_to_host`, which works in a jitted step and eagerly;
    PyTorch's values are read at once.
    """
    if backends.backend_name() == "jax":
        send_to_host(function, *values)
        return
    from keras import ops

    function(*(ops.convert_to_numpy(v) for v in values))

def wait_for_host():
    """Waits until every `send_to_host` call of the steps dispatched so far has run."""
    if backends.backend_name() == "jax":
        import jax

        jax.effects_barrier()

def register_step_state(model, metric):
    """Makes Keras carry ``metric``'s variables through ``model``'s steps where they are stateless.

    On JAX, when `steps_thread_metrics`: ``metric`` joins ``model.metrics``
    (see `trainer.add_model_metric`) before the step is built, so its variables are
    part of the state each step takes and returns. Elsewhere nothing is needed.
    """
    if backends.backend_name() == "jax" and steps_thread_metrics(model):
        trainer.add_model_metric(model, metric)

class HostState:
    """Reads and resets, on the host, variables that ``model``'s steps update (any model: ``None``).

    During a JAX ``fit``/``evaluate`` the values after the last step live in
    ``model._jax_state`` (Keras 3.0+) until Keras syncs them at the epoch's
    end: `read` reads there, which costs no sync (``Callback.model`` would
    sync the whole state), and copies at once (the next step donates those
    buffers). `zero` syncs first (``jax_state_sync``, public on Keras' JAX
    trainer), so the next step starts from the zeros.

    Example:

    >>> import keras
    >>> v = keras.Variable([1.0, 2.0])
    >>> HostState().read(v).tolist()
    [1.0, 2.0]
    """

    def __init__(self, model=None):
        self._model = model

    def read(self, variable):
        """``variable``'s current value as a NumPy array of its own."""
        state = self._unsynced_state()
        if state is not None:
            for group in ("metrics_variables", "optimizer_variables"):
                values = state.get(group)
                index = _state_index(self._model, group, values).get(id(variable)) if values else None
                if index is not None:
                    import numpy as np

                    return np.array(values[index])
        return backends.host_value_of_variable(variable)

    def zero(self, variables):
        """Sets ``variables`` to zeros."""
        from keras import ops

        if self._unsynced_state() is not None:
            self._model.jax_state_sync()
        for variable in variables:
            variable.assign(ops.zeros(variable.shape, variable.dtype))

    def _unsynced_state(self):
        model = self._model
        state = getattr(model, "_jax_state", None)
        return state if state and not getattr(model, "_jax_state_synced", True) else None

def host_iterations(model):
    """``model.optimizer.iterations`` read on the host (0 without an optimizer), as `HostState` reads.

    With ``gradient_accumulation_steps`` that property is computed from the
    variable ``BaseOptimizer._iterations`` (Keras 3.0+), which is read here.
    """
    optimizer = optimizers.unscaled_optimizer(getattr(model, "optimizer", None))  # a LossScaleOptimizer counts in it
    if optimizer is None:
        return 0
    applied = int(HostState(model).read(optimizer._iterations))
    return applied // optimizer.gradient_accumulation_steps if optimizer.gradient_accumulation_steps else applied

_STATE_INDEX = "_tb_regloss_state_index"

def _state_index(model, group, values):
    """``{id(variable): position}`` in ``model._jax_state[group]``, kept while its length holds.

    Listing ``model.metrics_variables`` walks every layer: too slow for every batch.
    """
    cached = model.__dict__.get(_STATE_INDEX, {})
    index = cached.get((group, len(values)))
    if index is None:
        if group == "metrics_variables":
            variables = model.metrics_variables
        else:
            optimizer = getattr(model, "optimizer", None)
            variables = optimizer.variables if optimizer is not None else []
        index = {id(v): i for i, v in enumerate(variables)} if len(variables) == len(values) else {}
        trainer.replace_method(model, _STATE_INDEX, {**cached, (group, len(values)): index})
    return index
