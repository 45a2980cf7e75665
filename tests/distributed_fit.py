"""One training run for the distribution tests, in its own process.

TensorFlow fixes its devices and cluster when it starts, so each strategy runs
in a fresh process: ``python tests/distributed_fit.py MODE LOG_DIR OUT_JSON``
with MODE ``single`` or ``mirrored`` (2 logical CPUs).
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(mode, log_dir, out_json):
    import tensorflow as tf

    if mode == "mirrored":
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    else:
        strategy = tf.distribute.get_strategy()

    import keras

    import tb_regloss
    from tests import models

    keras.utils.set_random_seed(7)
    x, y = models.images(64)
    with strategy.scope():
        model = models.activity_and_add_loss_model()
        model.compile(keras.optimizers.SGD(0.05), "mse")
    # Datasets of global batches, split across replicas by the strategy.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    train = tf.data.Dataset.from_tensor_slices((x, y)).batch(16).with_options(options)
    val = tf.data.Dataset.from_tensor_slices((x[:32], y[:32])).batch(16).with_options(options)
    history = model.fit(
        train, epochs=2, verbose=0, validation_data=val,
        callbacks=[tb_regloss.RegLossCallback(log_dir, update_freq="batch")])
    with open(out_json, "w") as f:
        json.dump(history.history, f)


if __name__ == "__main__":
    main(*sys.argv[1:4])
