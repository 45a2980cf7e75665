"""The one place where tb-regloss touches private Keras names.

Everything else in the package calls these functions, so when Keras changes,
this file changes. Each use says what it relies on and since which Keras
version it holds. The supported range is `SUPPORTED` (also in ``setup.py``);
`check_keras_version` refuses another Keras with an error naming both.
"""

import contextlib
import functools
import os
import re
import typing

# Keras versions tb-regloss is tested with: the lowest and the pinned one in
# CI, keras-nightly by bench/keras_nightly.sh. Keep in step with setup.py.
# Below 3.10, Keras' own fit under MirroredStrategy does not train as on one
# device (with or without tb-regloss), so the series cannot equal a
# single-device run; below 3.8, Trainer._aggregate_additional_loss is missing.
MIN_VERSION = (3, 10)
BELOW_VERSION = (3, 16)
SUPPORTED = ">=3.10,<3.16"

# Set by bench/keras_nightly.sh to try a Keras outside the range on purpose.
_ALLOW_ANY_KERAS = "TB_REGLOSS_ALLOW_ANY_KERAS"


def check_keras_version():
    """Raises if the installed Keras is outside `SUPPORTED`.

    Example:

    >>> check_keras_version()  # the installed Keras is supported: nothing happens
    """
    import keras

    if os.environ.get(_ALLOW_ANY_KERAS):
        return
    installed = keras.__version__
    if not MIN_VERSION <= installed_version() < BELOW_VERSION:
        raise RuntimeError(
            f"tb_regloss supports Keras {SUPPORTED}; Keras {installed} is installed. "
            f"Install a supported Keras (`pip install 'keras{SUPPORTED}'`) or a "
            f"tb-regloss release made for Keras {installed}. Received: keras=={installed}"
        )


def installed_version():
    """The installed Keras as ``(major, minor)``, e.g. ``(3, 15)``."""
    import keras

    return tuple(int(n) for n in re.findall(r"\d+", keras.__version__)[:2])


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
    return installed_version() >= (3, 11)


# --- The layer tree -------------------------------------------------------

def sublayers(layer):
    """The layers ``layer`` tracks directly, in the order of ``Layer.weights``.

    Relies on ``Layer._layers`` (Keras 3.0+): the list ``Layer.weights``,
    ``Layer.losses`` and ``_flatten_layers`` walk.
    """
    return list(getattr(layer, "_layers", ()))


def own_weights(layer):
    """The variables ``layer`` created itself, in ``Layer.weights`` order.

    Relies on ``Layer._trainable_variables`` and ``_non_trainable_variables``
    (Keras 3.0+), which ``Layer.weights`` lists before the sublayers' weights.
    """
    return list(layer._trainable_variables) + list(layer._non_trainable_variables)


def all_layers(model, include_self=True):
    """``model`` and every nested layer, each once, in ``Layer.losses`` order.

    Relies on ``Layer._flatten_layers`` (Keras 3.0+).
    """
    return list(model._flatten_layers(include_self=include_self))


def auto_name_base(layer):
    """The name Keras would give ``layer`` unnumbered, if ``layer.name`` looks automatic; else ``None``.

    Relies on ``keras.src.utils.naming`` (Keras 3.0+, unchanged to 3.15):
    ``Operation.__init__`` names a layer made without ``name=`` by
    ``auto_name(type(layer).__name__)``, which is ``to_snake_case`` of the
    class name, suffixed ``_<n>`` by ``uniquify``'s process-wide counter from
    the second such name on. A name of that form is taken as automatic (an
    explicit ``name="dense_7"`` on a ``Dense`` cannot be told from one).

    >>> from keras import layers
    >>> auto_name_base(layers.Dense(1, name="dense_12")), auto_name_base(layers.Dense(1, name="proj"))
    ('dense', None)
    """
    from keras.src.utils.naming import to_snake_case

    base = to_snake_case(type(layer).__name__)
    suffix = layer.name[len(base):]
    if layer.name.startswith(base) and (not suffix or re.fullmatch(r"_\d+", suffix)):
        return base
    return None


def own_losses(layer, returned=None):
    """The ``add_loss`` terms of ``layer`` itself (activity terms included).

    Relies on ``Layer._get_own_losses`` (Keras 3.0+), which ``Layer.losses``
    concatenates for the layer and its sublayers before the weight terms.
    With ``returned``, the losses a ``stateless_call`` returned (they live in
    its scope, not in the layers), those of ``layer``: the ids Keras keeps in
    ``Layer._loss_ids`` until the next call (Keras 3.0+).
    """
    if returned is not None:
        return [t for t in returned if id(t) in layer._loss_ids]
    return layer._get_own_losses()


def losses_of_the_call(model):
    """The losses ``model.losses`` stands for in a JAX train step, or ``None`` elsewhere.

    Keras' JAX steps call the model with ``stateless_call(...,
    return_losses=True)`` and put what it returns in
    ``Layer._losses_override`` (Keras 3.0+) for ``compute_loss``: the
    activity and ``add_loss`` terms, then the weight terms, as `own_losses`
    with ``returned`` names them.
    """
    override = getattr(model, "_losses_override", None)
    return list(override) if override else None


def keras_2_class(model):
    """The first class of ``model``'s own and bases that is Keras 2's, or ``None`` for a Keras 3 model.

    Keras 2 is the ``tf_keras`` package, also what ``tf.keras`` is when
    ``TF_USE_LEGACY_KERAS=1``: its classes live in modules under ``tf_keras.``
    (``tf_keras.src.engine.sequential`` in its releases), read here without
    importing it. Keras 3 (3.0 to 3.15 checked) has no such module.
    """
    for cls in type(model).__mro__:
        if cls.__module__.startswith("tf_keras."):
            return cls
    return None


def is_keras_layer(layer):
    """Whether ``layer``'s class is one of Keras' own (they never call ``add_loss``)."""
    return type(layer).__module__.startswith("keras.")


def activity_regularizer_adder():
    """The code object of the Keras function that adds activity terms.

    Relies on ``Layer.__call__`` calling ``self.add_loss`` for each output's
    activity term (Keras 3.0+), under the ``filter_traceback`` decorator.
    """
    import inspect

    from keras import layers

    return inspect.unwrap(layers.Layer.__call__).__code__


# --- The compiled steps -----------------------------------------------------

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


_STEP_FUNCTIONS = {"train": "train_function", "test": "test_function"}
_WRAPPED = "_tb_regloss_wrapped"


def wrap_step_function(model, phase, wrap):
    """Replaces ``model.train_function`` (``phase="train"``) or ``test_function`` by ``wrap(phase, it)``.

    Call it after ``make_train_function``/``make_test_function``: ``fit``,
    ``evaluate`` and ``train_on_batch`` call the function Keras stores there
    (Keras 3.0+), with an iterator or batches, and get the step's logs. A
    function already wrapped is left as it is.
    """
    if not tensorflow_backend():
        return  # JAX and PyTorch steps: the sums are read where the step left them (`HostState`).
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


def set_lower_is_better(metric):
    """Tells ``EarlyStopping(mode="auto")`` that lower values of ``metric`` are better.

    Relies on ``Metric._direction`` (Keras 3.0+), read by ``MonitorCallback``.
    """
    metric._direction = "down"


# --- Optimizers -------------------------------------------------------------

def unscaled_optimizer(optimizer):
    """The optimizer that applies unscaled gradients: a ``LossScaleOptimizer``'s inner one.

    Any other optimizer (or ``None``) is returned as it is. ``inner_optimizer``
    is public (Keras 3.0+).

    Example:

    >>> import keras
    >>> sgd = keras.optimizers.SGD()
    >>> unscaled_optimizer(keras.optimizers.LossScaleOptimizer(sgd)) is sgd
    True
    """
    return getattr(optimizer, "inner_optimizer", optimizer)


class VariableDecay(typing.NamedTuple):
    """How the optimizer that updates a variable decays it (see `decoupled_decays`).

    Attributes:
        owner: the optimizer whose update step updates the variable: a
            ``MultiOptimizer``'s inner optimizer for it, else the optimizer
            itself. The η of its decay is ``owner.learning_rate``, the
            current (scheduled) learning rate, read when the step runs.
        factor: λ_v, as a float: the update starts with ``w ← w − η·λ_v·w``;
            ``None`` when it does not decay the variable.
        factor_name: the argument λ_v comes from (``"weight_decay"``,
            ``"adam_weight_decay"``), or ``None``.
    """

    owner: object
    factor: object
    factor_name: object

    def learning_rate(self):
        """η of the decay: the owner's current learning rate (a tensor or a float)."""
        return self.owner.learning_rate


def decoupled_decays(optimizer, variables):
    """The `VariableDecay` of each of ``variables`` (in their order) under ``optimizer``.

    Every Keras optimizer of Keras 3.10–3.15 decays in
    ``BaseOptimizer._apply_weight_decay`` (its TensorFlow and PyTorch
    overrides do the same): ``w ← w − lr·wd·w`` for each variable
    ``_use_weight_decay`` accepts (it honors ``exclude_from_weight_decay``,
    Keras 3.0+), before the update step and with ``lr`` the optimizer's
    ``learning_rate``. Exceptions, read in Keras' source:

    - a ``LossScaleOptimizer`` (Keras 3.0+) leaves the update to its
      ``inner_optimizer``;
    - a ``MultiOptimizer`` (Keras 3.15+) sends each variable to the inner
      optimizer ``_var_to_optimizer_idx[_var_key(variable)]`` indexes in
      ``optimizers``, once built; unbuilt, its variables have no owner yet
      (owner: the ``MultiOptimizer``, factor ``None``);
    - ``Muon`` since Keras 3.13 overrides ``_apply_weight_decay``: the
      variables ``_should_use_adamw`` sends to its Adam step are decayed by
      ``adam_weight_decay``, the others by ``weight_decay`` (Keras 3.10–3.12
      has no ``adam_weight_decay``: ``weight_decay`` for all);
    - variables with ``overwrite_with_gradient`` are assigned their
      gradient, never decayed (``_overwrite_variables_directly_with_gradients``,
      Keras 3.0+).

    Since Keras 3.16 ``_use_weight_decay`` needs a built optimizer (see
    `tb_regloss.decoupled_decay.prepare`).

    Example:

    >>> import keras
    >>> v = keras.Variable([[1.0]])
    >>> optimizer = keras.optimizers.AdamW(weight_decay=0.1)
    >>> optimizer.build([v])
    >>> [(type(d.owner).__name__, d.factor, d.factor_name) for d in decoupled_decays(optimizer, [v])]
    [('AdamW', 0.1, 'weight_decay')]
    """
    optimizer = unscaled_optimizer(optimizer)
    return [_decay_of(_owner(optimizer, v), v) for v in variables]


def inner_optimizers(optimizer):
    """The optimizers that update variables for ``optimizer``: a ``MultiOptimizer``'s ``optimizers``, else itself.

    ``MultiOptimizer.optimizers`` is public (Keras 3.15+).

    Example:

    >>> import keras
    >>> sgd = keras.optimizers.SGD()
    >>> inner_optimizers(keras.optimizers.LossScaleOptimizer(sgd)) == [sgd]
    True
    """
    optimizer = unscaled_optimizer(optimizer)
    return list(optimizer.optimizers) if _is_multi_optimizer(optimizer) else [optimizer]


def _is_multi_optimizer(optimizer):
    import keras

    multi = getattr(keras.optimizers, "MultiOptimizer", None)  # Keras 3.15+
    return multi is not None and isinstance(optimizer, multi)


def _owner(optimizer, variable):
    if not _is_multi_optimizer(optimizer) or not optimizer.built:
        return optimizer
    index = optimizer._var_to_optimizer_idx.get(optimizer._var_key(variable))
    return optimizer if index is None else optimizer.optimizers[index]


def _decay_of(owner, variable):
    none = VariableDecay(owner, None, None)
    if _is_multi_optimizer(owner) or getattr(variable, "overwrite_with_gradient", False) \
            or not owner._use_weight_decay(variable):
        return none
    name = "weight_decay"
    if _muon_with_adam_decay(owner) and owner._should_use_adamw(variable):
        name = "adam_weight_decay"
    factor = getattr(owner, name, None)
    return VariableDecay(owner, float(factor), name) if factor else none


def _muon_with_adam_decay(optimizer):
    import keras

    muon = getattr(keras.optimizers, "Muon", None)  # Keras 3.10+
    return muon is not None and isinstance(optimizer, muon) and hasattr(optimizer, "adam_weight_decay")


def variables_of(optimizer):
    """The variables ``optimizer.apply(grads)`` updates when given no variables.

    Relies on ``BaseOptimizer._trainable_variables`` (Keras 3.0+), set by
    ``build``; JAX's ``stateless_apply`` calls ``apply(grads)`` that way.
    """
    return list(optimizer._trainable_variables)


def wrap_optimizer_apply(optimizer, wrap):
    """Shadows ``optimizer.apply`` (this instance only) by ``wrap(original)``; once.

    ``apply(grads, trainable_variables)`` is public; ``apply_gradients`` and
    ``LossScaleOptimizer.apply`` (with unscaled gradients) call it on the
    instance (Keras 3.0+), so the wrapper sees every update of a train step.
    """
    if getattr(optimizer.apply, _WRAPPED, False):
        return
    wrapped = wrap(optimizer.apply)
    setattr(wrapped, _WRAPPED, True)
    replace_method(optimizer, "apply", wrapped)


@contextlib.contextmanager
def optimizer_apply_shadowed(optimizer, wrap):
    """Within the context, ``optimizer.apply`` (this instance only) is ``wrap(current apply)``.

    ``stateless_apply`` updates the variables with ``self.apply(grads)``
    inside its ``StatelessScope`` (Keras 3.0+), so the wrapper sees that update.
    """
    shadowed = optimizer.__dict__.get("apply")
    replace_method(optimizer, "apply", wrap(optimizer.apply))
    try:
        yield
    finally:
        if shadowed is None:
            object.__delattr__(optimizer, "apply")
        else:
            replace_method(optimizer, "apply", shadowed)


# --- Tensor operations of the traced step, per backend ----------------------

def stack_scalars(values):
    """``ops.stack`` of scalar tensors of one step and dtype.

    On PyTorch, whose steps run the probe eagerly at every batch, with
    ``torch.stack``: Keras' ``stack`` converts each element first (about 7 µs each).
    """
    if backend_name() == "torch":
        import torch

        return torch.stack(list(values))
    from keras import ops

    return ops.stack(list(values))


def add_to_variable(variable, values):
    """``variable[:len(values)] += values`` in the running step; ``values`` float, cast to the variable's dtype.

    Called outside layer calls (no autocast). On PyTorch, whose steps run
    this eagerly at every batch, an in-place add to the variable's tensor, as
    Keras' own ``assign`` copies into it in place; ``assign_add`` converts
    and copies (about 20 µs).
    """
    if backend_name() == "torch":
        import torch

        with torch.no_grad():
            target = variable.value
            (target[: values.shape[0]] if len(values.shape) else target).add_(values)
        return
    from keras import ops

    padding = variable.shape[0] - values.shape[0] if len(values.shape) else 0
    if padding:
        values = ops.concatenate([values, ops.zeros((padding,), values.dtype)])
    variable.assign_add(ops.cast(values, variable.dtype))


def squared_norm(x):
    """``Σ x²`` as a float32 scalar, in one pass over ``x`` where the backend has one.

    On TensorFlow, ``l2_loss`` reads ``x`` once (and compiles with XLA);
    ``ops.sum(ops.square(x))`` would first write the squares (for a
    25 M-parameter model, 100 MB per sum).

    Example:

    >>> from keras import ops
    >>> float(squared_norm(ops.convert_to_tensor([3.0, 4.0])))
    25.0
    """
    from keras import ops

    x = ops.cast(x, "float32")
    if backend_name() == "tensorflow":
        import tensorflow as tf

        return 2.0 * tf.nn.l2_loss(x)
    return ops.sum(ops.square(x))


def tensors_feeding(total, tensors):
    """``{id(t)}`` of the ``tensors`` that ``total`` is computed from.

    Read from the TensorFlow graph being traced. Eagerly, and on JAX and
    PyTorch, there is no graph to read: every tensor is taken to feed ``total``.
    """
    if not tensorflow_backend():
        return {id(t) for t in tensors}
    import tensorflow as tf

    if tf.executing_eagerly() or not hasattr(total, "op"):
        return {id(t) for t in tensors}
    wanted = {}
    for t in tensors:
        wanted.setdefault(getattr(t, "name", None), []).append(id(t))
    found = set()
    seen = set()
    stack = [total.op]
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        for tensor in op.inputs:
            found.update(wanted.get(tensor.name, ()))
            stack.append(tensor.op)
    found.update(wanted.get(total.name, ()))
    return found


def left_by_a_traced_step(tensors):
    """Whether, running eagerly, some of ``tensors`` belong to the graph of a traced step.

    TensorFlow keeps the graph tensors of a ``tf.function``'s last trace in
    ``layer.losses``; a JAX trace leaves tracers there only inside its own
    step, and PyTorch runs eagerly.
    """
    if not tensorflow_backend():
        return False
    import tensorflow as tf

    return tf.executing_eagerly() and any(tf.is_tensor(t) and not hasattr(t, "numpy") for t in tensors)


def tensorflow_backend():
    """Whether Keras runs on TensorFlow, whose steps are ``tf.function`` graphs that write summaries.

    On JAX and PyTorch a custom loop writes from the host the values its step returned.
    """
    return backend_name() == "tensorflow"


def host_float(value):
    """``value`` (a scalar of any backend, or a number) as a Python float; ``TypeError`` inside a compiled step.

    Example:

    >>> from keras import ops
    >>> host_float(ops.convert_to_tensor(0.5))
    0.5
    """
    import numpy as np

    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception as error:  # noqa: BLE001 - a JAX tracer, a torch tensor needing grad, …
        if hasattr(value, "detach"):  # torch: the value without its graph
            return host_float(value.detach().cpu())
        raise TypeError(f"not a value on the host ({type(error).__name__})") from None
    if array.size != 1:
        raise ValueError(f"shape {array.shape}")
    return float(array.reshape(()))


def gradient_of(function, value):
    """``∇ function(value)`` (a scalar function), traced in the step; zeros where it is constant.

    Example:

    >>> from keras import ops
    >>> [float(g) for g in gradient_of(lambda w: ops.sum(w * w), ops.convert_to_tensor([1.0, 2.0]))]
    [2.0, 4.0]
    """
    from keras import ops

    backend = backend_name()
    if backend == "jax":
        import jax

        return jax.grad(lambda v: ops.convert_to_tensor(function(v), "float32"))(value)
    if backend == "torch":
        import torch

        with torch.enable_grad():
            leaf = value.detach().requires_grad_(True)
            result = function(leaf)
            if not result.requires_grad:
                return torch.zeros_like(value)
            (gradient,) = torch.autograd.grad(result, leaf)
        return gradient
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(value)
        result = function(value)
    gradient = tape.gradient(result, value)
    return tf.zeros_like(value) if gradient is None else gradient


def summed_over_replicas(tensors):
    """``tensors`` summed over the replicas of a ``tf.distribute`` step, as the optimizer sums gradients.

    Unchanged on one device or outside a replica context.
    """
    if not tensorflow_backend():
        return tensors  # JAX's DataParallel steps see the gradient of the global batch
    import tensorflow as tf

    replica = tf.distribute.get_replica_context()
    if replica is None or replica.num_replicas_in_sync == 1:
        return tensors
    return replica.all_reduce(tf.distribute.ReduceOp.SUM, tensors)


def outside_the_step():
    """A context that reads variables' current values, or creates variables, while a step is traced.

    TensorFlow: ``tf.init_scope``; JAX: ``jax.ensure_compile_time_eval`` (a
    variable's initial value is then concrete, not a tracer); PyTorch runs
    steps eagerly.
    """
    if tensorflow_backend():
        import tensorflow as tf

        return tf.init_scope()
    if backend_name() == "jax":
        import jax

        return jax.ensure_compile_time_eval()
    return contextlib.nullcontext()


def once_for_all_replicas(function):
    """Calls ``function()`` once, also from a replica of a ``tf.distribute`` step being traced.

    Under ``MirroredStrategy`` each replica traces the step in its own thread:
    ``merge_call`` runs ``function`` once, for all of them.
    """
    if tensorflow_backend():
        import tensorflow as tf

        replica = tf.distribute.get_replica_context()
        if replica is not None and replica.num_replicas_in_sync > 1:
            replica.merge_call(lambda _: function())
            return
    function()


def host_value_of_variable(variable):
    """``variable``'s value as a NumPy array of its own (see `HostState` for variables of a JAX step).

    On TensorFlow the value is read into a tensor first: in a
    ``tf.distribute`` strategy's scope (``fit`` called inside ``with
    strategy.scope():``) NumPy cannot convert a ``MirroredVariable`` itself,
    its ``__array__`` returning no array (TensorFlow 2.21, NumPy 2).
    """
    import numpy as np
    from keras import ops

    value = variable.value
    if tensorflow_backend():
        import tensorflow as tf

        value = tf.convert_to_tensor(value)
    return np.array(ops.convert_to_numpy(value))


def backend_name():
    """The name of Keras' backend: ``tensorflow``, ``jax``, ``torch`` or ``numpy``."""
    import keras

    return keras.backend.backend()


# --- State that lives across steps, per backend -------------------------------

def strategy_of(model):
    """The ``tf.distribute`` strategy ``model`` trains under; on other backends a stand-in.

    The stand-in has what the package uses of a strategy: ``scope()`` (a
    context that does nothing), ``num_replicas_in_sync`` (1: Keras' JAX
    ``DataParallel`` needs no unscaling, see `replicas_in_sync`) and no
    ``cluster_resolver`` (one process writes).
    """
    if tensorflow_backend():
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
    if not tensorflow_backend():
        return True
    import tensorflow as tf

    replica = tf.distribute.get_replica_context()
    return replica is not None and replica.num_replicas_in_sync == 1


def replicas_in_sync():
    """How many replicas of a ``tf.distribute`` step share a batch: Keras divides their losses by it.

    1 outside ``tf.distribute``; on JAX, Keras' ``DataParallel`` computes the
    loss of the global batch, unscaled.
    """
    if not tensorflow_backend():
        return 1
    import tensorflow as tf

    return tf.distribute.get_strategy().num_replicas_in_sync


def has_float64():
    """Whether variables can hold float64: not on JAX unless ``jax_enable_x64`` is set."""
    if backend_name() != "jax":
        return True
    import jax

    return bool(jax.config.jax_enable_x64)


def steps_thread_metrics(model):
    """Whether metric updates made while ``model``'s train and test steps run reach its metrics.

    On TensorFlow and PyTorch variables are stateful: always. On JAX the
    steps are stateless: Keras' own ``train_step``/``test_step`` thread
    ``model.metrics_variables`` through ``compute_loss`` (Keras 3.0+), a
    custom one (keras.io, "Customizing what happens in fit() with JAX") calls
    ``compute_loss`` outside any such scope.
    """
    if backend_name() != "jax":
        return True
    from keras.src.backend.jax.trainer import JAXTrainer

    cls = type(model)
    return cls.train_step is JAXTrainer.train_step and cls.test_step is JAXTrainer.test_step


def assignable_in_step(variable):
    """Whether an ``assign`` to ``variable`` made now reaches the step's outputs.

    On JAX: only inside a ``StatelessScope`` that maps ``variable`` (Keras'
    own steps map the metrics' variables); elsewhere an assignment would leak a
    tracer into the variable. Always on the stateful backends.
    """
    if backend_name() != "jax":
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
    if backend_name() == "jax":
        send_to_host(function, *values)
        return
    from keras import ops

    function(*(ops.convert_to_numpy(v) for v in values))


def wait_for_host():
    """Waits until every `send_to_host` call of the steps dispatched so far has run."""
    if backend_name() == "jax":
        import jax

        jax.effects_barrier()


def register_step_state(model, metric):
    """Makes Keras carry ``metric``'s variables through ``model``'s steps where they are stateless.

    On JAX, when `steps_thread_metrics`: ``metric`` joins ``model.metrics``
    (see `add_model_metric`) before the step is built, so its variables are
    part of the state each step takes and returns. Elsewhere nothing is needed.
    """
    if backend_name() == "jax" and steps_thread_metrics(model):
        add_model_metric(model, metric)


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
        return host_value_of_variable(variable)

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
    optimizer = unscaled_optimizer(getattr(model, "optimizer", None))  # a LossScaleOptimizer counts in it
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
        replace_method(model, _STATE_INDEX, {**cached, (group, len(values)): index})
    return index


# --- TensorFlow trainer (MultiWorkerMirroredStrategy repairs) ---------------

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
