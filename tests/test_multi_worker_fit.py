"""enable_multi_worker_fit: idempotent, inert outside multi-worker training, loud on an unknown Keras.

That it makes ``fit`` work under MultiWorkerMirroredStrategy, with the
single-device values, is tested with 2 worker processes in test_distribution.py.
"""

import numpy as np
import pytest
import tensorflow as tf
import tb_regloss
from tb_regloss import _keras
from tests import models

trainer, trainer_class = _keras.trainer.tensorflow_trainer()


@pytest.fixture
def restore_keras(monkeypatch):
    """Undoes the fix after the test: it changes Keras for the whole process."""
    monkeypatch.setattr(trainer, "reduce_per_replica", trainer.reduce_per_replica)
    monkeypatch.setattr(trainer_class, "_maybe_symbolic_build",
                        trainer_class._maybe_symbolic_build)
    return monkeypatch


def test_enabling_twice_wraps_once(restore_keras):
    tb_regloss.enable_multi_worker_fit()
    wrapped = trainer.reduce_per_replica, trainer_class._maybe_symbolic_build
    tb_regloss.enable_multi_worker_fit()
    assert (trainer.reduce_per_replica, trainer_class._maybe_symbolic_build) == wrapped


def test_outside_multi_worker_training_keras_is_unchanged(restore_keras):
    original = trainer.reduce_per_replica
    values = {"loss": tf.constant(1.5), "outputs": tf.constant([1.0, 2.0])}
    tb_regloss.enable_multi_worker_fit()
    strategy = tf.distribute.get_strategy()
    for reduction in ("auto", "mean", "concat", "first"):
        fixed = trainer.reduce_per_replica(values, strategy, reduction)
        expected = original(values, strategy, reduction)
        for key in values:
            np.testing.assert_array_equal(fixed[key], expected[key])

    x, y = models.images(16)
    history = models.seed_case_model().fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_an_unknown_keras_is_refused_with_the_way_out(restore_keras):
    restore_keras.delattr(trainer, "_collective_all_reduce_multi_worker")
    with pytest.raises(RuntimeError, match="custom loop and tb_regloss.RegLossWriter"):
        tb_regloss.enable_multi_worker_fit()
