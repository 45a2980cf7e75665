"""A slow training run that prints each step it has written, to be killed by a test.

``python tests/crashing_fit.py LOG_DIR``: writes every batch with
``flush_secs=1`` and prints ``written <step> <time>`` after each write.
"""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(log_dir):
    import keras

    import tb_regloss
    from tests import models

    class Report(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            print("written", int(self.model.optimizer.iterations.numpy()), time.time(), flush=True)
            time.sleep(0.05)

    x, y = models.images(160)
    model = models.seed_case_model()
    model.fit(x, y, batch_size=16, epochs=1000, verbose=0,
              callbacks=[tb_regloss.RegLossCallback(log_dir, update_freq="batch", flush_secs=1), Report()])


if __name__ == "__main__":
    main(sys.argv[1])
