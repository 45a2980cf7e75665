"""A run killed with SIGKILL loses at most the points of its last flush_secs.

Both ways of logging: ``fit`` with `RegLossCallback` and a custom loop with `RegLossWriter`.
"""

import os
import subprocess
import sys
import time

import pytest

from tensorboard import context as tb_context
from tensorboard.plugins import base_plugin

from tb_regloss.plugin import regloss_plugin
from tests.event_reader import read_scalars
from tests.plugin_runs import make_provider

SCRIPT = os.path.join(os.path.dirname(__file__), "crashing_fit.py")
FLUSH_SECS = 1.0


@pytest.mark.parametrize("kind", ["callback", pytest.param("writer", marks=pytest.mark.backends(
    "tensorflow", reason="its custom loop is written with TensorFlow's GradientTape"))])
def test_sigkill_loses_at_most_the_last_flush_interval(tmp_path, kind):
    process = subprocess.Popen([sys.executable, SCRIPT, str(tmp_path), kind],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    written = []
    try:
        for line in process.stdout:
            _, step, when = line.split()
            written.append((int(step), float(when)))
            if len(written) == 60:
                break
        killed_at = time.time()
        process.kill()
    finally:
        process.kill()
        process.wait(timeout=60)
    # Everything written more than flush_secs before the kill is on disk, and
    # what is on disk reads back without error, truncated tail included.
    safe = {step for step, when in written if when < killed_at - FLUSH_SECS - 0.5}
    series, _ = read_scalars(tmp_path / "train")
    on_disk = [step for step, _ in series["regloss/total"]]
    assert len(safe) > 10
    assert safe <= set(on_disk)
    assert on_disk == list(range(1, len(on_disk) + 1))
    # The dashboard serves the killed run.
    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=make_provider(tmp_path)))
    (served,) = plugin.breakdown_impl(tb_context.RequestContext(), "", ["train"], 1000)
    assert served["steps"] == on_disk
