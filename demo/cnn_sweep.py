"""A weight-decay sweep of the small CNN: four L2 factors, each run logging its hyperparameters.

Each run is ``synthetic_cnn`` with ``l2`` on every kernel, written to
``<logdir>/cnn_l2_<factor>``. Its hyperparameters go to that directory with
TensorBoard's HParams plugin (``hparams(...)``), the way a user's sweep
records them, so TensorBoard's HParams dashboard and the Loss composition
sweep table list them. The experiment (hyperparameters and the metrics worth a
column) is written once at the top of the logdir.
"""

import glob
import os

from demo import synthetic_cnn

L2_VALUES = (0.0, 1e-4, 1e-3, 1e-2)
# The demo's own experiment file at the top of the logdir: found (and replaced) by this suffix,
# so a rerun does not leave two experiments there and nothing else in the logdir is touched.
EXPERIMENT_SUFFIX = ".regloss-demo-hparams"


def run_name(l2):
    """``cnn_l2_0``, ``cnn_l2_1e-4``, …: the factor as written in code, sortable by eye."""
    if l2 == 0:
        return "cnn_l2_0"
    mantissa, exponent = f"{l2:.0e}".split("e")
    return f"cnn_l2_{mantissa}e{int(exponent)}"


def hparams_of(l2, epochs, n_train):
    """The hyperparameters a run logs: what differs between runs and what a reader needs to redo it."""
    return {
        "l2": float(l2),
        "optimizer": "adam",
        "learning_rate": synthetic_cnn.LEARNING_RATE,
        "batch_size": synthetic_cnn.BATCH_SIZE,
        "epochs": int(epochs),
        "train_examples": int(n_train),
    }


def write_experiment(logdir):
    """Declares the sweep's hyperparameters and metrics for the HParams plugin, at the top of ``logdir``."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp

    for old in glob.glob(os.path.join(glob.escape(os.fspath(logdir)), "events.out.tfevents.*" + EXPERIMENT_SUFFIX)):
        os.remove(old)
    hparams = [
        hp.HParam("l2", hp.Discrete([float(v) for v in L2_VALUES])),
        hp.HParam("optimizer", hp.Discrete(["adam"])),
        hp.HParam("learning_rate", hp.RealInterval(0.0, 1.0)),
        hp.HParam("batch_size", hp.IntInterval(1, 1 << 16)),
        hp.HParam("epochs", hp.IntInterval(1, 1 << 16)),
        hp.HParam("train_examples", hp.IntInterval(1, 1 << 30)),
    ]
    metrics = [
        hp.Metric("regloss/data", group="validation", display_name="validation data loss"),
        hp.Metric("regloss/data", group="train", display_name="train data loss"),
        hp.Metric("regloss/total", group="train", display_name="train loss (with penalties)"),
    ]
    writer = tf.summary.create_file_writer(os.fspath(logdir), filename_suffix=EXPERIMENT_SUFFIX)
    with writer.as_default():
        hp.hparams_config(hparams=hparams, metrics=metrics)
    writer.close()


def run(log_dir, l2, epochs=10, n_train=2048, verbose=0):
    """Logs the run's hyperparameters in ``log_dir``, then trains it; returns its Keras ``History``."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp

    writer = tf.summary.create_file_writer(os.fspath(log_dir))
    with writer.as_default():
        hp.hparams(hparams_of(l2, epochs, n_train), trial_id=os.path.basename(os.fspath(log_dir)))
    writer.close()
    return synthetic_cnn.run(log_dir, epochs=epochs, n_train=n_train, verbose=verbose, l2=l2)
