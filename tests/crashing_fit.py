"""A slow training run that prints each step it has written, to be killed by a test.

``python tests/crashing_fit.py LOG_DIR [callback|writer]``: ``fit`` with
`RegLossCallback` (``flush_secs=1``), or a custom loop with `RegLossWriter`
(into ``LOG_DIR/train``), writes every batch and prints ``written <step> <time>``
after each write.
"""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
PAUSE = 0.05  # seconds between steps
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fit_with_callback(log_dir):
    import keras

    import tb_regloss
    from tests import models

    class Report(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            print("written", int(self.model.optimizer.iterations.numpy()), time.time(), flush=True)
            time.sleep(PAUSE)

    x, y = models.images(160)
    model = models.seed_case_model()
    model.fit(x, y, batch_size=16, epochs=1000, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(log_dir, update_freq="batch", flush_secs=1), Report()])


def custom_loop(log_dir):
    import keras
    import tensorflow as tf

    import tb_regloss
    from tests import models

    model = models.seed_case_model()
    loss_fn = keras.losses.MeanSquaredError()
    writer = tb_regloss.RegLossWriter(os.path.join(log_dir, "train"))
    x, y = models.images(16)

    @tf.function
    def train_step():
        data_loss = loss_fn(y, model(x, training=True))
        model.optimizer.iterations.assign_add(1)
        writer.write(model.optimizer.iterations, data_loss=data_loss, penalties=tb_regloss.penalties(model))

    while True:
        train_step()
        print("written", int(model.optimizer.iterations.numpy()), time.time(), flush=True)
        time.sleep(PAUSE)


def main(log_dir, kind="callback"):
    {"callback": fit_with_callback, "writer": custom_loop}[kind](log_dir)


if __name__ == "__main__":
    main(*sys.argv[1:])
