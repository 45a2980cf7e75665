"""Lets Keras 3's ``fit`` and ``evaluate`` run under MultiWorkerMirroredStrategy.

Keras 3 (up to at least 3.15, TensorFlow backend) fails under
``tf.distribute.MultiWorkerMirroredStrategy`` before the first step, with or
without tb-regloss (keras-team/keras#20585, tensorflow/tensorflow#72388), in
two places of ``keras/src/backend/tensorflow/trainer.py``:

1. ``_maybe_symbolic_build`` asks the strategy to reduce the first batch, a
   tuple of per-replica tensors, which multi-worker reduction does not accept
   ("Attempt to convert a value (PerReplica...)"). The batch is only used for
   its shapes: this fix hands Keras this worker's first replica's batch.
2. ``reduce_per_replica`` averages each logged metric with
   ``strategy.reduce("MEAN", value, axis=0)``, which fails on the scalar
   metric results ("Invalid reduction dimension 0 for input with 0
   dimensions"). This fix averages scalars across replicas with ``axis=None``,
   through the same TensorFlow collective.

Both changes only replace code paths that raise today; every other strategy
and value goes through Keras unchanged. The distribution itself stays
TensorFlow's.
"""

_MARK = "_tb_regloss_multi_worker_fix"


def enable_multi_worker_fit():
    """Makes ``model.fit``/``evaluate`` work under ``MultiWorkerMirroredStrategy``.

    Call it once per process, before ``fit``, on every worker. It is
    idempotent and changes nothing outside multi-worker training. See the
    guide "Several devices and machines".

    Raises:
        RuntimeError: if the installed Keras no longer has the functions this
            fix replaces (then upgrade tb-regloss, or use a custom loop with
            `tb_regloss.RegLossWriter`).

    Example:

    ```python
    tb_regloss.enable_multi_worker_fit()
    strategy = tf.distribute.MultiWorkerMirroredStrategy()   # TF_CONFIG set
    with strategy.scope():
        model = make_model()
        model.compile(...)
    model.fit(dataset, callbacks=[tb_regloss.RegLossCallback("runs/exp1")])
    ```
    """
    from tb_regloss import _keras

    if not _keras.trainer.repair_tensorflow_trainer(
            _build_from_local_batch, _mean_scalars_across_workers, _MARK):
        import keras

        raise RuntimeError(
            "tb_regloss.enable_multi_worker_fit does not know this Keras "
            f"({keras.__version__}): keras/src/backend/tensorflow/trainer.py has "
            "changed. Check whether fit already works under "
            "MultiWorkerMirroredStrategy without it, or train with a custom loop "
            "and tb_regloss.RegLossWriter."
        )


def _build_from_local_batch(maybe_symbolic_build, is_multi_worker):
    import functools

    import tensorflow as tf

    @functools.wraps(maybe_symbolic_build)
    def wrapper(self, iterator=None, data_batch=None):
        strategy = self.distribute_strategy
        if strategy is None or iterator is None or not is_multi_worker(strategy):
            return maybe_symbolic_build(self, iterator=iterator, data_batch=data_batch)
        # Keras 3.11+ yields (begin, end, batches), earlier versions (step, batches).
        for *_, batches in iterator:
            first = next(batches)
            break
        else:
            return maybe_symbolic_build(self, iterator=iterator, data_batch=data_batch)

        def local(value):
            if isinstance(value, tf.distribute.DistributedValues):
                return strategy.experimental_local_results(value)[0]
            return value

        return maybe_symbolic_build(self, data_batch=tf.nest.map_structure(local, first))

    setattr(wrapper, _MARK, True)
    return wrapper


def _mean_scalars_across_workers(reduce_per_replica, is_multi_worker):
    import functools

    import tensorflow as tf

    @functools.wraps(reduce_per_replica)
    def wrapper(values, strategy, reduction):
        if reduction not in ("auto", "mean") or not is_multi_worker(strategy):
            return reduce_per_replica(values, strategy, reduction)

        def reduce(value):
            # With one replica per worker, strategy.run returns plain tensors.
            if tf.is_tensor(value) or isinstance(value, tf.distribute.DistributedValues):
                if all(v.shape.rank == 0 for v in strategy.experimental_local_results(value)):
                    return strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None)
            return reduce_per_replica(value, strategy, reduction)

        return tf.nest.map_structure(reduce, values)

    setattr(wrapper, _MARK, True)
    return wrapper
