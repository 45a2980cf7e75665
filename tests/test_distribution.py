"""RegLossCallback and RegLossWriter under tf.distribute give the single-device values.

MirroredStrategy splits the CPU into 2 logical devices; MultiWorkerMirroredStrategy
runs 2 worker processes on localhost ports, set up through ``TF_CONFIG``. Each run
is a subprocess: TensorFlow fixes its devices and cluster when it starts.
"""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

from tests.event_reader import read_scalars

pytestmark = pytest.mark.backends("tensorflow", reason="tf.distribute strategies (JAX DataParallel: test_callback_backends.py)")

SCRIPT = os.path.join(os.path.dirname(__file__), "distributed_run.py")


def _start(kind, strategy, log_dir, out, extra=()):
    return subprocess.Popen([sys.executable, SCRIPT, kind, strategy, str(log_dir), str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(process, timeout=300, succeeds=True):
    try:
        output, _ = process.communicate(timeout=timeout)
    finally:
        process.kill()
    assert (process.returncode == 0) is succeeds, output[-3000:]
    return output


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ",".join(map(str, ports))


def _multi_worker(kind, tmp_path, succeeds=True):
    """Runs ``kind`` on 2 workers of a localhost cluster; returns their outputs (a hang fails the test).

    The workers log to ``tmp_path/workers/<kind>``, worker i's history is ``tmp_path/worker<i>.json``.
    """
    ports = _free_ports(2)
    workers = [_start(kind, "multi-worker", tmp_path / "workers", tmp_path / f"worker{i}.json",
                      extra=(str(i), ports)) for i in range(2)]
    try:
        return [_finish(w, timeout=240, succeeds=succeeds) for w in workers]
    finally:
        for w in workers:
            w.kill()


# In this order in each process: "fit" enables the multi-worker fix, which the others run without.
KINDS = ("fit-in-scope", "fit-in-scope-ema", "loop", "fit")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every kind of run on one device and under MirroredStrategy: a process per strategy, both at once.

    ``runs / <strategy> / <kind>`` is a run's log dir, ``runs / <strategy>.json`` the histories.
    """
    root = tmp_path_factory.mktemp("runs")
    processes = [_start(",".join(KINDS), strategy, root / strategy, root / f"{strategy}.json")
                 for strategy in ("single", "mirrored")]
    for process in processes:
        _finish(process)
    return root


def _history(json_path, kind):
    return json.loads(json_path.read_text())[kind]


def _values(run_dir):
    series, _ = read_scalars(run_dir)
    return {tag: ([s for s, _ in points], np.array([v for _, v in points])) for tag, points in series.items()}


def _assert_same_run(expected_dir, actual_dir):
    expected, actual = _values(expected_dir), _values(actual_dir)
    assert set(actual) == set(expected)
    for tag, (steps, values) in expected.items():
        assert actual[tag][0] == steps, tag
        np.testing.assert_allclose(actual[tag][1], values, rtol=1e-5, atol=1e-7, err_msg=tag)


def _event_files(directory):
    return sorted(p.name for p in directory.rglob("events.out.tfevents.*"))


def _assert_one_writer_wrote_the_single_device_run(single, actual, subdirs):
    """Every run directory holds the single-device series, in one event file: one process, one replica wrote."""
    for subdir in subdirs:
        _assert_same_run(single / subdir, actual / subdir)
        assert len(_event_files(actual / subdir)) == 1, subdir


def test_mirrored_fit_matches_single_device(runs):
    single, mirrored = runs / "single" / "fit", runs / "mirrored" / "fit"
    # The decay dynamics too: the replicas' gradients are summed as the optimizer sums them.
    assert any(tag.startswith("regloss/dynamics/loss_grad_norm/") for tag in _values(single / "train"))
    _assert_one_writer_wrote_the_single_device_run(single, mirrored, ("train", "validation"))
    np.testing.assert_allclose(_history(runs / "mirrored.json", "fit")["data_loss"],
                               _history(runs / "single.json", "fit")["data_loss"], rtol=1e-5)


@pytest.mark.parametrize("kind", ["fit-in-scope", "fit-in-scope-ema"])
def test_mirrored_fit_called_in_the_strategy_scope_logs_the_loss_keras_reports(runs, kind):
    # `with strategy.scope(): model.fit(...)`; with an EMA optimizer, Keras'
    # SwapEMAWeights evaluates the averaged weights.
    single, mirrored = runs / "single" / kind, runs / "mirrored" / kind
    _assert_one_writer_wrote_the_single_device_run(single, mirrored, ("train", "validation"))
    history = _history(runs / "mirrored.json", kind)
    train, validation = _values(mirrored / "train"), _values(mirrored / "validation")
    for series in (train, validation):
        penalties = sum(values for tag, (_, values) in series.items() if tag.startswith("regloss/penalty/"))
        np.testing.assert_allclose(series["regloss/data"][1] + penalties, series["regloss/total"][1], rtol=1e-5)
    # A point per batch (equal batches): each epoch's points average to Keras' loss.
    steps, totals = train["regloss/total"]
    assert steps == list(range(1, 9))
    np.testing.assert_allclose(totals.reshape(2, 4).mean(axis=1), history["loss"], rtol=1e-5)
    assert validation["regloss/total"][0] == [4, 8]
    np.testing.assert_allclose(validation["regloss/total"][1], history["val_loss"], rtol=1e-5)
    np.testing.assert_allclose(validation["regloss/data"][1], history["val_data_loss"], rtol=1e-5)


def test_mirrored_custom_loop_matches_single_device(runs):
    # Written on strategy.run's results and from inside the replica function,
    # where only the first replica writes.
    _assert_one_writer_wrote_the_single_device_run(runs / "single" / "loop", runs / "mirrored" / "loop",
                                                   ("train", "replica"))


def test_multi_worker_fit_matches_single_device_and_only_the_chief_writes(runs, tmp_path):
    _multi_worker("fit", tmp_path)
    # Worker 1 wrote nothing.
    _assert_one_writer_wrote_the_single_device_run(runs / "single" / "fit", tmp_path / "workers" / "fit",
                                                   ("train", "validation"))
    expected = _history(runs / "single.json", "fit")
    for i in range(2):
        np.testing.assert_allclose(_history(tmp_path / f"worker{i}.json", "fit")["val_data_loss"],
                                   expected["val_data_loss"], rtol=1e-5)


def test_keras_fit_still_fails_under_multi_worker_without_the_fix(tmp_path):
    # When this fails, Keras runs fit under MultiWorkerMirroredStrategy by
    # itself: tb_regloss.enable_multi_worker_fit can then go.
    outputs = _multi_worker("keras-fit", tmp_path, succeeds=False)
    assert any("PerReplica" in output for output in outputs), outputs[0][-2000:]


def test_multi_worker_custom_loop_matches_single_device_and_only_the_chief_writes(runs, tmp_path):
    _multi_worker("loop", tmp_path)
    _assert_one_writer_wrote_the_single_device_run(runs / "single" / "loop", tmp_path / "workers" / "loop",
                                                   ("train", "replica"))
