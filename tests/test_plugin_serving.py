"""Smoke tests of the installed plugin inside a real ``tensorboard`` process.

TensorBoard finds the plugin through the entry point, reads ``regloss_logdir``
with the default Rust data server (``--load_fast=auto``) or the Python loader
(``--load_fast=false``), and must list the dashboard as enabled and answer its
routes.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from plugin_runs import regloss_callback_logdir, regloss_logdir  # noqa: F401 (fixtures)
from tb_regloss.plugin import regloss_plugin

STARTUP_TIMEOUT = 120


def free_port():
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    """``(status, content type, body bytes)`` of a GET, HTTP errors included."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read()


def child_commands(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        children = [int(child) for child in f.read().split()]
    commands = []
    for child in children:
        with open("/proc/%d/cmdline" % child, "rb") as f:
            commands.append(f.read().split(b"\0")[0].decode())
    return commands


@contextlib.contextmanager
def tensorboard(logdir, tmp_path, *flags):
    port = free_port()
    log = open(tmp_path / "tensorboard.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir),
         "--host", "127.0.0.1", "--port", str(port), *flags],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        yield process, "http://127.0.0.1:%d" % port, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_for_regloss_listing(base, process, log):
    """Polls the plugin listing until regloss is enabled (data loads asynchronously)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    listing = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail("tensorboard exited with %s:\n%s" % (process.returncode, log.read()))
        try:
            status, _, body = fetch(base + "/data/plugins_listing")
        except OSError:
            status = None
        if status == 200:
            listing = json.loads(body)
            if listing.get("regloss", {}).get("enabled"):
                return listing
        time.sleep(0.5)
    log.seek(0)
    pytest.fail("regloss never listed as enabled: %r\n%s" % (listing, log.read()))


@pytest.mark.once(reason="TensorBoard serving event files: no Keras step")
@pytest.mark.parametrize("load_fast", ["auto", "false"])
def test_tensorboard_serves_the_dashboard(regloss_logdir, tmp_path, load_fast):
    with tensorboard(regloss_logdir, tmp_path, "--load_fast=" + load_fast) as (process, base, log):
        listing = wait_for_regloss_listing(base, process, log)
        assert listing["regloss"]["tab_name"] == "Loss composition"
        assert listing["regloss"]["loading_mechanism"]["module_path"] == "/data/plugin/regloss/index.js"
        uses_data_server = any(
            os.path.basename(command).startswith("server") for command in child_commands(process.pid)
        )
        assert uses_data_server == (load_fast == "auto")

        status, content_type, body = fetch(base + "/data/plugin/regloss/runs")
        assert (status, content_type) == (200, "application/json")
        runs = json.loads(body)["runs"]
        assert [run["run"] for run in runs] == ["exp1/train", "exp1/validation"]
        assert runs[1]["descriptions"] == {"penalty/conv/kernel": "L2(l2=0.01)"}

        status, _, body = fetch(base + "/data/plugin/regloss/breakdown?run=exp1/validation")
        assert status == 200
        assert json.loads(body)["series"] == {
            "total": ["NaN", None, "Infinity"],
            "data": [3.0, None, "-Infinity"],
            "penalty/conv/kernel": [None, 0.5, 0.5],
        }

        status, _, body = fetch(
            base + "/data/plugin/regloss/breakdowns?run=exp1/train&run=exp1/validation&samples=2"
        )
        assert status == 200
        breakdowns = json.loads(body)["breakdowns"]
        assert [b["run"] for b in breakdowns] == ["exp1/train", "exp1/validation"]
        assert len(breakdowns[0]["steps"]) == 2  # all train series share their steps
        for b in breakdowns:
            for values in b["series"].values():
                assert sum(value is not None for value in values) <= 2

        status, content_type, body = fetch(base + "/data/plugin/regloss/breakdown?run=nope")
        assert (status, content_type) == (404, "application/json")
        assert "nope" in json.loads(body)["error"]

        status, _, _ = fetch(base + "/data/plugin/regloss/%2e%2e/regloss_plugin.py")
        assert status == 404

        bundle = os.path.join(regloss_plugin._STATIC_DIR, "index.js")
        status, content_type, body = fetch(base + "/data/plugin/regloss/index.js")
        if os.path.exists(bundle):
            assert (status, content_type) == (200, "text/javascript; charset=utf-8")
        else:
            assert status == 404


def test_tensorboard_serves_a_resumed_run_written_by_the_callback_as_one_run(regloss_callback_logdir, tmp_path):
    with tensorboard(regloss_callback_logdir, tmp_path) as (process, base, log):
        wait_for_regloss_listing(base, process, log)
        status, _, body = fetch(base + "/data/plugin/regloss/breakdown?run=fit/train")
        assert status == 200
        result = json.loads(body)
        assert result["steps"] == [4, 8, 12]
        assert list(result["series"]) == ["total", "data", "penalty/dense/kernel"]
        assert "L2" in result["descriptions"]["penalty/dense/kernel"]
        # The decay plan, a string tensor of the plugin, through TensorBoard's default data server.
        status, _, body = fetch(base + "/data/plugin/regloss/runs")
        assert {r["run"]: r.get("decay_plan") for r in json.loads(body)["runs"]} == {
            "fit/train": True, "fit/validation": None}
        status, _, body = fetch(base + "/data/plugin/regloss/decay_plan?run=fit/train")
        assert status == 200
        assert [e["key"] for e in json.loads(body)["entries"]] == ["dense/kernel", "dense/bias"]
