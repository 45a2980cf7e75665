"""Training runs of the distribution tests, in a process of their own.

``python tests/distributed_run.py KINDS STRATEGY LOG_DIR OUT_JSON [INDEX PORTS]``

KINDS is one or more kinds of run, comma-separated, run one after another on a
fresh Keras session, each logged to ``LOG_DIR/<kind>``; OUT_JSON gets ``{kind:
its history}``. A kind is ``fit`` (``model.fit`` with `RegLossCallback`, decay
dynamics included, after `tb_regloss.enable_multi_worker_fit`),
``fit-in-scope`` (``model.fit`` with `RegLossCallback` called inside ``with
strategy.scope():``), ``fit-in-scope-ema`` (the same with ``SGD(use_ema=True)``
and Keras' ``SwapEMAWeights``, as Keras' own ``swap_ema_weights_test.py`` runs
it), ``keras-fit`` (Keras' own ``fit``, neither fixed nor logged) or ``loop`` (a
custom GradientTape loop with `RegLossWriter`, writing from the cross-replica
context into ``train`` and from inside the replica function into ``replica``).

STRATEGY is ``single`` (one device), ``mirrored`` (``MirroredStrategy`` on the
CPU split into 2 logical devices) or ``multi-worker``: the process is worker
INDEX of a ``MultiWorkerMirroredStrategy`` cluster on the localhost PORTS
(``port0,port1``), set up through ``TF_CONFIG``. TensorFlow fixes its devices
and cluster when it starts, hence a process per strategy. Every run gets the
same data and initial weights; the strategy splits each global batch.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

GLOBAL_BATCH = 16


def main(kinds, strategy_name, log_dir, out_json, index=None, ports=None):
    strategy = _strategy(strategy_name, index, ports)
    results = {kind: _run(kind, strategy, os.path.join(log_dir, kind)) for kind in kinds.split(",")}
    with open(out_json, "w") as f:
        json.dump(results, f)


def _run(kind, strategy, log_dir):
    """One run of ``kind``, from the same names, initial weights and data as every other."""
    import keras
    import tensorflow as tf

    import tb_regloss
    from tests import models

    keras.backend.clear_session()  # layer names numbered from the start again
    keras.utils.set_random_seed(7)
    x, y = models.images(64)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    train = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH).with_options(options)
    with strategy.scope():
        model = models.every_kind_model()
    if kind.startswith("fit-in-scope"):
        return _fit_in_scope(strategy, model, kind.endswith("-ema"), train, log_dir)
    if kind == "loop":
        return _custom_loop(strategy, model, train, log_dir)
    callbacks = []
    if kind == "fit":
        tb_regloss.enable_multi_worker_fit()
        callbacks = [tb_regloss.RegLossCallback(log_dir, update_freq="batch", dynamics=True)]
    val = tf.data.Dataset.from_tensor_slices((x[:32], y[:32])).batch(GLOBAL_BATCH).with_options(options)
    return model.fit(train, epochs=2, verbose=0, validation_data=val, callbacks=callbacks).history


def _strategy(name, index, ports):
    if name == "multi-worker":
        os.environ["TF_CONFIG"] = json.dumps({
            "cluster": {"worker": [f"localhost:{port}" for port in ports.split(",")]},
            "task": {"type": "worker", "index": int(index)},
        })
    import tensorflow as tf

    if name == "multi-worker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored":
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    return tf.distribute.get_strategy()


def _fit_in_scope(strategy, model, ema, train, log_dir):
    """``fit`` called in the strategy's scope, logged per batch; with an EMA optimizer if ``ema``."""
    import keras

    import tb_regloss

    with strategy.scope():
        callbacks = [tb_regloss.RegLossCallback(log_dir, update_freq="batch")]
        if ema:
            model.compile(keras.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.9), "mse")
            callbacks.append(keras.callbacks.SwapEMAWeights())
        history = model.fit(train, epochs=2, verbose=0, validation_data=train.take(2), callbacks=callbacks)
    return history.history


def _custom_loop(strategy, model, train, log_dir):
    import tensorflow as tf
    import keras

    import tb_regloss

    loss_fn = keras.losses.MeanSquaredError()
    with strategy.scope():
        optimizer = keras.optimizers.SGD(0.05)
    train_writer = tb_regloss.RegLossWriter(os.path.join(log_dir, "train"), strategy=strategy)
    replica_writer = tb_regloss.RegLossWriter(os.path.join(log_dir, "replica"))

    def replica_step(x, y):
        with tf.GradientTape() as tape:
            data_loss = loss_fn(y, model(x, training=True))  # this replica's share
            terms = tb_regloss.penalties(model)
            loss = data_loss + tf.nn.scale_regularization_loss(tf.add_n(list(terms.values())))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        replica_writer.write(optimizer.iterations, data_loss=data_loss, penalties=terms)
        return data_loss, terms

    @tf.function
    def train_step(batch):
        data_loss, terms = strategy.run(replica_step, args=batch)
        train_writer.write(optimizer.iterations, data_loss=data_loss, penalties=terms)
        return strategy.reduce(tf.distribute.ReduceOp.SUM, data_loss, axis=None)

    data_losses = []
    with train_writer, replica_writer:
        for _ in range(2):
            for batch in strategy.experimental_distribute_dataset(train):
                data_losses.append(float(train_step(batch)))
    return {"data_loss": data_losses}


if __name__ == "__main__":
    main(*sys.argv[1:])
