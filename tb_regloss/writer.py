"""Writes one loss decomposition as standard TensorBoard scalars.

Users call it from custom training loops. Values are written as rank-0
float32 scalar summaries (plugin ``scalars``), so they show in TensorBoard's
Scalars dashboard and in tools such as tbparse as well as in the tb-regloss
dashboard: with ``tf.summary`` on TensorFlow (eagerly and inside
``tf.function``), from the host through `tb_regloss.event_writer` on JAX and
PyTorch.
"""

import contextlib
import math

from tb_regloss import cluster
from tb_regloss import dynamics
from tb_regloss import event_writer
from tb_regloss import _keras
from tb_regloss import tags


class RegLossWriter:
    """Writes the loss decomposition of a custom training loop to TensorBoard.

    Tags: ``regloss/total``, ``regloss/data`` and ``regloss/penalty/<key>`` for
    each key of ``penalties``, written directly into ``log_dir``. The file
    writer is created on first use.

    Under ``tf.distribute`` (``MirroredStrategy``, ``MultiWorkerMirroredStrategy``)
    pass each replica's values, e.g. what ``strategy.run`` returns, as the
    standard recipe makes them: ``data_loss`` is the replica's share of the
    global-batch mean (what a Keras loss or ``tf.nn.compute_average_loss``
    returns under a strategy) and is summed over replicas; each penalty is the
    replica's whole term (what `tb_regloss.penalties` returns) and is
    averaged, as Keras averages ``loss``. Only the chief of a cluster writes.
    ``write`` may be called inside the replica function or on
    ``strategy.run``'s results (then inside ``strategy.scope()`` or with
    ``strategy`` given).

    Args:
        log_dir: directory of the event files (local path or any
            ``tf.io.gfile`` URL). One directory is one TensorBoard run.
        strategy: the ``tf.distribute`` strategy whose per-replica results
            are written; default: the strategy in scope at ``write``.

    Example:

    ```python
    writer = tb_regloss.RegLossWriter("runs/custom/train")

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            data_loss = loss_fn(y, model(x, training=True))
            terms = tb_regloss.penalties(model)
            loss = data_loss + tf.add_n(list(terms.values()))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        writer.write(optimizer.iterations, data_loss=data_loss, penalties=terms)

    with writer:
        for x, y in dataset:
            train_step(x, y)
    ```

    Under a strategy (see the guide "Several devices and machines"):

    ```python
    writer = tb_regloss.RegLossWriter("runs/custom/train", strategy=strategy)

    def replica_step(x, y):
        with tf.GradientTape() as tape:
            data_loss = loss_fn(y, model(x, training=True))  # this replica's share
            terms = tb_regloss.penalties(model)
            loss = data_loss + tf.nn.scale_regularization_loss(tf.add_n(list(terms.values())))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return data_loss, terms

    @tf.function
    def train_step(x, y):
        data_loss, terms = strategy.run(replica_step, args=(x, y))
        writer.write(optimizer.iterations, data_loss=data_loss, penalties=terms)
    ```
    """

    def __init__(self, log_dir, strategy=None):
        import os

        self.log_dir = os.fspath(log_dir)
        self._strategy = strategy
        self._writer = None
        self._events = None  # the event file of writes from the host (JAX, PyTorch)
        self._described = set()
        self._first_points = {}  # tags of a point written in a tf.function -> whether none was written yet

    def write(self, step, *, data_loss, penalties, total_loss=None, descriptions=None):
        """Writes one point of every series at ``step``.

        Works eagerly and inside ``tf.function``.

        Args:
            step: the global training step (int or integer tensor).
            data_loss: scalar data loss (under a strategy: each replica's
                share of the global-batch mean).
            penalties: dict from key (e.g. ``conv/kernel``) to scalar penalty,
                as returned by `tb_regloss.penalties` (under a strategy: each
                replica's).
            total_loss: scalar loss as optimized (under a strategy: each
                replica's share); defaults to ``data_loss + sum(penalties)``.
            descriptions: optional dict from key to a description naming the
                regularizer; written with the series' first point.
        """
        if not isinstance(penalties, dict):
            raise TypeError(
                "RegLossWriter.write expects `penalties` to be a dict from key "
                "to scalar, such as tb_regloss.penalties(model). "
                f"Received: penalties={penalties!r}"
            )
        if not _keras.backends.tensorflow_backend():
            self._write_from_host(step, data_loss, penalties, total_loss, descriptions)
            return
        import tensorflow as tf

        strategy = self._strategy or tf.distribute.get_strategy()
        data_loss, values, total_loss, writes = _combine_replicas(
            self._strategy, data_loss, penalties, total_loss)
        if writes is False:
            return
        data_loss = _scalar(data_loss, "data_loss")
        values = {k: _scalar(v, f"penalties[{k!r}]") for k, v in values.items()}
        if total_loss is None:
            total_loss = tf.add_n([data_loss, *values.values()])
        total_loss = _scalar(total_loss, "total_loss")
        descriptions = tags.tag_descriptions(descriptions or {})
        step = tf.cast(step, tf.int64)
        # A user's own tf.summary.record_if stays in force unless only the
        # first replica, known at run time, may write.
        only_first_replica = contextlib.nullcontext() if writes is True else tf.summary.record_if(writes)
        points = tags.point_values(total_loss, data_loss, values)
        with self._file_writer(strategy).as_default(), only_first_replica:
            self._write_described_once(list(points), list(points.values()), step, descriptions)

    def _write_from_host(self, step, data_loss, penalties, total_loss, descriptions):
        """`write` on JAX and PyTorch: the values a step returned, written as the callback writes them."""
        try:
            data = _host_scalar(data_loss, "data_loss")
            values = {k: _host_scalar(v, f"penalties[{k!r}]") for k, v in penalties.items()}
            total = data + math.fsum(values.values()) if total_loss is None else _host_scalar(total_loss, "total_loss")
            step = int(_host_scalar(step, "step"))
        except TypeError as error:
            raise TypeError(
                f"RegLossWriter.write takes the scalars a step returned, on the host: {error}. Return "
                "data_loss and tb_regloss.penalties(model, losses) from your jitted step (as its "
                "auxiliary outputs) and call write outside it, e.g. "
                "`writer.write(int(step), data_loss=data_loss, penalties=terms)`."
            ) from None
        points = tags.point_values(total, data, values)
        self._host_events().write(step, points, tags.tag_descriptions(descriptions or {}))

    def apply_gradients(self, optimizer, grads_and_vars, *, model):
        """Applies ``grads_and_vars`` with ``optimizer`` and writes that step's decay dynamics.

        Use it in place of ``optimizer.apply_gradients(grads_and_vars)`` (or
        ``optimizer.apply(grads, variables)``) in a custom loop to get the
        series ``RegLossCallback(dynamics=True)`` logs (`tb_regloss.dynamics`),
        at step ``optimizer.iterations`` after the update. Works eagerly and
        inside ``tf.function`` on TensorFlow, in PyTorch's loop, and in an
        eager JAX loop (a jitted JAX step uses `stateless_apply`); on one
        device.

        Example (TensorFlow):

        ```python
        grads = tape.gradient(loss, model.trainable_variables)
        writer.apply_gradients(optimizer, zip(grads, model.trainable_variables), model=model)
        ```

        Example (PyTorch, as keras.io's "Writing a training loop from scratch
        in PyTorch" applies the gradients):

        ```python
        loss.backward()
        gradients = [v.value.grad for v in model.trainable_weights]
        with torch.no_grad():
            writer.apply_gradients(optimizer, zip(gradients, model.trainable_weights), model=model)
        ```

        Args:
            optimizer: a Keras optimizer (not a ``LossScaleOptimizer``: pass
                unscaled gradients to its inner optimizer instead).
            grads_and_vars: pairs of gradient and variable, as for
                ``apply_gradients``.
            model: the model the variables belong to: it names them (keys)
                and holds their regularizers.
        """
        self._check_measurable(optimizer)
        pairs = list(grads_and_vars)
        grads, variables = [g for g, _ in pairs], [v for _, v in pairs]
        result, measurement = dynamics.apply_measured(model, optimizer, optimizer.apply, grads, variables)
        if measurement is not None:
            self._write_measurement(measurement, _step_after_update(optimizer))
        return result

    def stateless_apply(self, optimizer, optimizer_variables, grads, trainable_variables, *, model):
        """``optimizer.stateless_apply`` that also writes that step's decay dynamics.

        For a jitted JAX step, as keras.io's "Writing a training loop from
        scratch in JAX" writes it: returns what ``optimizer.stateless_apply``
        returns, ``(trainable_variables, optimizer_variables)``, and sends the
        step's dynamics (a small vector, with ``jax.debug.callback``) to the
        host, where they are written at the optimizer's iteration after the
        update. `flush` and `close` wait for the steps dispatched so far.

        Example:

        ```python
        @jax.jit
        def train_step(state, data):
            trainable_variables, non_trainable_variables, optimizer_variables = state
            (loss, non_trainable_variables), grads = grad_fn(
                trainable_variables, non_trainable_variables, *data)
            trainable_variables, optimizer_variables = writer.stateless_apply(
                optimizer, optimizer_variables, grads, trainable_variables, model=model)
            return loss, (trainable_variables, non_trainable_variables, optimizer_variables)
        ```

        Args:
            optimizer: a built Keras optimizer (not a ``LossScaleOptimizer``).
            optimizer_variables: as for ``optimizer.stateless_apply``: the
                values of ``optimizer.variables``, in their order.
            grads: as for ``optimizer.stateless_apply``: one gradient per
                trainable variable, in the order of ``model.trainable_variables``.
            trainable_variables: as for ``optimizer.stateless_apply``: the
                values of ``model.trainable_variables``, in their order.
            model: the model the variables belong to.
        """
        self._check_measurable(optimizer)
        dynamics.prepare(model, optimizer)  # read the learning rate here, not in the traced update
        measurements = []

        def measuring(apply):
            def measuring_apply(grads, trainable_variables=None):
                result, measurement = dynamics.apply_call_measured(
                    model, optimizer, apply, grads, trainable_variables)
                # Read in the optimizer's scope, where its iterations hold this update's.
                measurements.append((measurement, _step_after_update(optimizer)))
                return result

            return measuring_apply

        with _keras.optimizers.optimizer_apply_shadowed(optimizer, measuring):
            result = optimizer.stateless_apply(optimizer_variables, grads, trainable_variables)
        for measurement, step in measurements:
            if measurement is not None:
                self._write_measurement(measurement, step)
        return result

    def _check_measurable(self, optimizer):
        if _keras.optimizers.unscaled_optimizer(optimizer) is not optimizer:
            raise ValueError(
                "RegLossWriter measures the gradients it applies, so it needs them unscaled: call it "
                "with `optimizer.inner_optimizer` and gradients divided by the loss scale, or use "
                f"RegLossCallback with fit. Received: optimizer={optimizer!r}"
            )
        if not _keras.step_state.one_device_step():
            raise ValueError(
                "RegLossWriter measures one device's step; under a tf.distribute strategy with "
                "several replicas use RegLossCallback(dynamics=True) with fit."
            )

    def _write_measurement(self, measurement, step):
        """Writes a `dynamics.Measurement` at ``step``: in the TensorFlow step, or from the host."""
        if not _keras.backends.tensorflow_backend():
            series, descriptions = tuple(measurement.tags), measurement.descriptions

            def write(step, values):
                self._host_events().write_row(int(step), series, [float(v) for v in values], descriptions)

            _keras.step_state.on_the_host(write, step, measurement.values)
            return
        import tensorflow as tf

        step = tf.cast(step, tf.int64)
        values = [measurement.values[i] for i in range(len(measurement.tags))]
        with self._file_writer(tf.distribute.get_strategy()).as_default():
            self._write_described_once(measurement.tags, values, step, measurement.descriptions)

    def _host_events(self):
        if self._events is None:
            self._events = event_writer.EventWriter(self.log_dir)
        return self._events

    def _write_described_once(self, tags_, values, step, descriptions):
        """Writes a point; its series' descriptions go with their first point only.

        Eagerly a tag is described once. In a ``tf.function`` that is decided
        when it runs, not when it is traced: a function is often traced twice
        (its first call builds the optimizer), and the discarded trace must
        not use up the descriptions.
        """
        import tensorflow as tf
        from tensorboard.plugins.scalar import metadata as scalar_metadata

        def write(described):
            for tag, value in zip(tags_, values):
                description = descriptions.get(tag) if described else None
                # tf.summary.write, not scalar: a scalar's tag would take the cond's name scope.
                metadata = scalar_metadata.create_summary_metadata(display_name=None, description=description or "")
                tf.summary.write(tag, tf.cast(value, tf.float32), step=step, metadata=metadata)

        if tf.executing_eagerly():
            for tag, value in zip(tags_, values):
                tf.summary.scalar(tag, value, step=step, description=self._describe(tag, descriptions.get(tag)))
            return
        first = self._first_points.get(tuple(tags_))
        if first is None:
            with tf.init_scope():
                first = self._first_points[tuple(tags_)] = tf.Variable(True, trainable=False)

        def first_point():
            write(True)
            first.assign(False)
            return tf.constant(0)

        tf.cond(first, first_point, lambda: (write(False), tf.constant(0))[1])

    def flush(self):
        """Flushes written events to disk."""
        _keras.step_state.wait_for_host()
        if self._events is not None:
            self._events.flush()
        if self._writer is not None:
            self._writer.flush()

    def close(self):
        """Flushes and closes the event file; a later `write` opens a new one."""
        _keras.step_state.wait_for_host()
        if self._events is not None:
            self._events.close()
            self._events = None
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self._described.clear()
            for first in self._first_points.values():  # the next file describes its series again
                first.assign(True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _file_writer(self, strategy):
        if self._writer is None:
            import tensorflow as tf

            # May run while a tf.function is traced: create it eagerly.
            with tf.init_scope():
                if cluster.is_chief(strategy):
                    self._writer = tf.summary.create_file_writer(self.log_dir)
                else:
                    self._writer = tf.summary.create_noop_writer()
        return self._writer

    def _describe(self, tag, description):
        """The description to attach: only with a tag's first point."""
        if tag in self._described or not description:
            return None
        self._described.add(tag)
        return description


def _step_after_update(optimizer):
    """``optimizer.iterations`` now, as a tensor: the step of the update just applied."""
    from keras import ops

    return ops.convert_to_tensor(optimizer.iterations)


def _combine_replicas(strategy, data_loss, penalties, total_loss):
    """Combines each replica's values into the global ones; says whether this replica writes.

    ``data_loss`` and ``total_loss`` are each replica's share of the
    global-batch mean and are summed; penalties are each replica's whole terms
    and are averaged. Outside a replica function, the values (what
    ``strategy.run`` returned) are reduced with ``strategy`` (given, or the
    one in scope) when it has several replicas; inside a replica function
    with several replicas in sync they are all-reduced and only the first
    replica writes. The last value returned is whether to write: a Python
    bool, or a boolean tensor when the replica id is only known at run time.
    """
    import tensorflow as tf

    SUM, MEAN = tf.distribute.ReduceOp.SUM, tf.distribute.ReduceOp.MEAN
    values = [data_loss, total_loss, *penalties.values()]
    ops = [SUM, SUM] + [MEAN] * len(penalties)

    def unpack(combined):
        return combined[0], dict(zip(penalties, combined[2:])), combined[1]

    context = tf.distribute.get_replica_context()
    in_replica_function = tf.distribute.has_strategy() and context is not None
    if not in_replica_function:
        strategy = _strategy_of_results(strategy, values)
        if strategy is None or strategy.num_replicas_in_sync == 1:
            return (*unpack(values), True)
        # With one replica per worker, strategy.run returns plain tensors:
        # reduce them too, as this worker's replica's values.
        return (*unpack([None if v is None else strategy.reduce(op, v, axis=None)
                         for v, op in zip(values, ops)]), True)
    if context.num_replicas_in_sync == 1:
        return (*unpack(values), True)
    combined = list(values)
    for op in (SUM, MEAN):
        at = [i for i, v in enumerate(values) if ops[i] == op and v is not None]
        if at:
            reduced = context.all_reduce(op, [tf.cast(values[i], tf.float32) for i in at])
            for i, value in zip(at, reduced):
                combined[i] = value
    replica = tf.get_static_value(context.replica_id_in_sync_group)
    if replica is None:
        return (*unpack(combined), tf.equal(context.replica_id_in_sync_group, 0))
    return (*unpack(combined), replica == 0)


def _strategy_of_results(strategy, values):
    """The strategy that reduces ``strategy.run`` results: given, in scope, or none."""
    import tensorflow as tf

    if strategy is not None:
        return strategy
    if tf.distribute.has_strategy():
        return tf.distribute.get_strategy()
    if any(isinstance(v, tf.distribute.DistributedValues) for v in values):
        raise ValueError(
            "RegLossWriter.write received per-replica values (the results of "
            "strategy.run) outside the strategy's scope, so it cannot combine "
            "them. Create the writer with RegLossWriter(log_dir, strategy=strategy), "
            "or call write inside `with strategy.scope():`."
        )
    return None


def _host_scalar(value, name):
    """``value`` as a Python float, or a ``ValueError`` naming ``name`` if it is not a scalar."""
    try:
        return _keras.backends.host_float(value)
    except ValueError as error:
        raise ValueError(
            f"RegLossWriter.write expects `{name}` to be a scalar; reduce it first (e.g. with "
            f"keras.ops.mean). Received: {name} with {error}"
        ) from None


def _scalar(value, name):
    """Converts ``value`` to a rank-0 float32 tensor or says what is wrong."""
    import tensorflow as tf

    tensor = tf.cast(value, tf.float32)
    if tensor.shape.rank is not None and tensor.shape.rank != 0:
        raise ValueError(
            f"RegLossWriter.write expects `{name}` to be a scalar; reduce it "
            f"first (e.g. with tf.reduce_mean). Received: {name} with shape {tensor.shape}"
        )
    return tensor
