"""RegLossCallback on JAX and PyTorch writes the series it writes on TensorFlow.

Each backend runs ``tests/backend_fit.py`` in its own process (Keras fixes its
backend at import), JAX and PyTorch with TensorFlow blocked. Same model,
weights and data, learning rate 0: every tag and step must be equal at
relative 1e-5. TensorFlow's own series are checked against NumPy in
``test_callback.py`` and ``test_keras_patterns.py``.
"""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from tests import backend_fit
from tests.event_reader import read_scalars

SCRIPT = os.path.join(os.path.dirname(__file__), "backend_fit.py")
# Each backend runs in a process of its own: once, from the TensorFlow run of the suite, is enough.
pytestmark = pytest.mark.backends("tensorflow", reason="runs every backend in processes of its own")


def _installed(backend):
    """``backend``, skipped before the TensorFlow runs are made where it is not installed (the lowest-Keras venv)."""
    return pytest.param(backend, marks=pytest.mark.skipif(
        importlib.util.find_spec(backend) is None, reason=f"{backend} is not installed"))


def _run(backend, log_dir, *options):
    os.makedirs(log_dir)
    blocked = [] if backend == "tensorflow" else ["--no-tensorflow"]
    subprocess.run([sys.executable, SCRIPT, str(log_dir), *blocked, *options], check=True,
                   env={**os.environ, "KERAS_BACKEND": backend})


@pytest.fixture(scope="module")
def tensorflow_runs(tmp_path_factory):
    log_dir = tmp_path_factory.mktemp("runs") / "tensorflow"
    _run("tensorflow", log_dir)
    return log_dir


def _series(run_dir):
    series, _ = read_scalars(run_dir)
    return {tag: sorted(points) for tag, points in series.items() if tag.startswith("regloss/")}


def _descriptions(run_dir):
    _, metadata = read_scalars(run_dir)
    return {tag: m.summary_description for tag, m in metadata.items() if tag.startswith("regloss/")}


def _assert_equal_series(got, expected, where):
    assert set(got) == set(expected), where
    for tag, points in expected.items():
        assert [s for s, _ in got[tag]] == [s for s, _ in points], (where, tag)
        np.testing.assert_allclose([v for _, v in got[tag]], [v for _, v in points], rtol=1e-5,
                                   err_msg=f"{where} {tag}")


@pytest.mark.parametrize("backend", [_installed("jax"), _installed("torch")])
def test_fit_on_jax_and_pytorch_logs_what_tensorflow_logs(tmp_path, tensorflow_runs, backend):
    _run(backend, tmp_path / backend)
    for scenario in backend_fit.SCENARIOS:
        if scenario == "fused" and backend == "torch":  # Keras allows steps_per_execution=1 only
            assert not (tmp_path / backend / scenario).exists()
            continue
        ours, theirs = tmp_path / backend / scenario, tensorflow_runs / scenario
        if scenario == "guide" and backend == "jax":  # its logs hold its last metric only
            keras_val_loss = np.load(theirs / "val_loss.npy")
        else:
            keras_val_loss = np.load(ours / "val_loss.npy")
            validation = _series(ours / "validation")
            # What Keras reports is what we split, whatever it is.
            np.testing.assert_allclose([v for _, v in validation["regloss/total"]], keras_val_loss, rtol=1e-5)
            if scenario != "fused":  # a point per batch, five batches per epoch
                totals = np.array([v for _, v in _series(ours / "train")["regloss/total"]])
                np.testing.assert_allclose(totals.reshape(-1, 5).mean(axis=1), np.load(ours / "loss.npy"), rtol=1e-5)
        for subdir in ("train", "validation"):
            got, expected = _series(ours / subdir), _series(theirs / subdir)
            where = f"{backend} {scenario}/{subdir}"
            if scenario == "guide" and backend == "jax":
                # The JAX guide's compute_loss runs outside the stateless call
                # that holds the activity and add_loss terms: Keras' loss there
                # is the data loss alone.
                assert set(got) == {"regloss/total", "regloss/data"}, where
                _assert_equal_series({"regloss/total": got["regloss/data"]},
                                     {"regloss/total": expected["regloss/data"]}, where)
                _assert_equal_series({"regloss/total": got["regloss/total"]},
                                     {"regloss/total": expected["regloss/data"]}, where)
            elif scenario == "eager" and not all(
                    np.allclose(np.load(ours / f), np.load(theirs / f), rtol=1e-5) for f in ("loss.npy", "val_loss.npy")):
                # Keras' eager JAX steps now and then drop an activity term (its
                # own loss shows it): checked against Keras above.
                assert backend == "jax", where
            else:
                _assert_equal_series(got, expected, where)
                assert _descriptions(ours / subdir) == _descriptions(theirs / subdir), where
        # Not the JAX guide's (no loss in its logs), nor JAX eager's (Keras drops a term at times).
        if backend != "jax" or scenario not in ("guide", "eager"):
            np.testing.assert_allclose(np.load(ours / "evaluated_loss.npy"),
                                       np.load(theirs / "evaluated_loss.npy"), rtol=1e-5)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_jax_data_parallel_on_two_devices_logs_what_one_device_logs(tmp_path, tensorflow_runs):
    scenarios = ("builtin", "fused", "adamw", "dynamics")
    _run("jax", tmp_path / "jax", *scenarios, "--data-parallel")  # the script checks there are 2 devices
    for scenario in scenarios:
        for subdir in ("train", "validation"):
            got, expected = _series(tmp_path / "jax" / scenario / subdir), _series(tensorflow_runs / scenario / subdir)
            _assert_equal_series(got, expected, f"data parallel {scenario}/{subdir}")
    assert sorted(os.listdir(tmp_path / "jax" / "builtin" / "train"))[0].startswith("events.out.tfevents")
    assert len(os.listdir(tmp_path / "jax" / "builtin" / "train")) == 1  # one writer
