"""RegLossCallback under tf.distribute gives the single-device values.

MultiWorkerMirroredStrategy is not tested: Keras 3's own ``fit`` fails under it
before the first step (keras-team/keras#20585, tensorflow/tensorflow#72388).
"""

import json
import os
import subprocess
import sys

import numpy as np

from tests.event_reader import read_scalars

SCRIPT = os.path.join(os.path.dirname(__file__), "distributed_fit.py")


def _start(mode, log_dir, out, env=None):
    return subprocess.Popen([sys.executable, SCRIPT, mode, str(log_dir), str(out)],
                            env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(process, timeout=300):
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output[-3000:]


def _values(run_dir):
    series, _ = read_scalars(run_dir)
    return {tag: ([s for s, _ in points], np.array([v for _, v in points])) for tag, points in series.items()}


def _assert_same_run(expected_dir, actual_dir):
    expected, actual = _values(expected_dir), _values(actual_dir)
    assert set(actual) == set(expected)
    for tag, (steps, values) in expected.items():
        assert actual[tag][0] == steps, tag
        np.testing.assert_allclose(actual[tag][1], values, rtol=1e-5, atol=1e-7, err_msg=tag)


def _single(tmp_path):
    _finish(_start("single", tmp_path / "single", tmp_path / "single.json"))
    return tmp_path / "single"


def test_mirrored_strategy_matches_single_device(tmp_path):
    single = _single(tmp_path)
    _finish(_start("mirrored", tmp_path / "mirrored", tmp_path / "mirrored.json"))
    for subdir in ("train", "validation"):
        _assert_same_run(single / subdir, tmp_path / "mirrored" / subdir)
    h1 = json.loads((tmp_path / "single.json").read_text())
    h2 = json.loads((tmp_path / "mirrored.json").read_text())
    np.testing.assert_allclose(h2["data_loss"], h1["data_loss"], rtol=1e-5)
