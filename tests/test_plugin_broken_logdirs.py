"""Broken logdirs: the dashboard's routes serve what can be read and never answer 500.

Issue 5, point 5. ``broken_logdir`` holds crashed, corrupted, empty, partial
and other tools' runs (see ``plugin_runs.BROKEN_RUNS``); a second logdir grows
while it is served, a record at a time, a half-written one included. Both are
checked through TensorBoard's Python data provider (``--load_fast=false``) and
through a real ``tensorboard`` process with its default Rust data server.
"""

import json
import time
import urllib.parse

import pytest
from werkzeug import test as werkzeug_test

from plugin_runs import (  # noqa: F401 (fixtures)
    BROKEN_RUNS,
    BROKEN_SERIES,
    _record_offsets,
    broken_logdir,
    make_provider,
    make_reloading_provider,
    write_steps,
)
from tensorboard.backend import application
from tensorboard.plugins import base_plugin
from test_plugin_serving import fetch, tensorboard, wait_for_regloss_listing

from tb_regloss.plugin import regloss_plugin

ROUTE = "/data/plugin/regloss/"
GROW_TIMEOUT = 180  # a deadline for a loaded machine (CI runs two workers), not a timing


def query(**params):
    return urllib.parse.urlencode(params, doseq=True)


def werkzeug_get(provider):
    """``get(path) -> (status, parsed JSON)`` through TensorBoard's WSGI app over ``provider``."""
    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=provider))
    client = werkzeug_test.Client(application.TensorBoardWSGI([plugin], data_provider=provider))

    def get(path):
        response = client.get(ROUTE + path)
        assert response.headers["Content-Type"] == "application/json"
        return response.status_code, json.loads(response.get_data(as_text=True))

    return get


def http_get(base):
    """``get(path) -> (status, parsed JSON)`` from a running ``tensorboard`` at ``base``."""

    def get(path):
        status, content_type, body = fetch(base + ROUTE + path)
        assert content_type == "application/json"
        return status, json.loads(body)

    return get


def assert_points_were_written(body, series):
    """Every served point is one that was written: same step, same value."""
    written = {tag[len("regloss/"):]: dict(points) for tag, points in series.items()}
    for term, values in body["series"].items():
        assert len(values) == len(body["steps"])
        for step, value in zip(body["steps"], values):
            if value is not None:
                assert written[term][step] == value, (body["run"], term, step)


def served_steps(body, term):
    return [step for step, value in zip(body["steps"], body["series"][term]) if value is not None]


def check_broken_logdir(get, data_server):
    """Checks every run of ``BROKEN_RUNS``; ``data_server``: served by the Rust data server."""
    status, listing = get("runs")
    assert status == 200
    listed = {entry["run"]: entry for entry in listing["runs"]}
    assert set(listed) == {run for run, (state, _) in BROKEN_RUNS.items() if state == "ok"}

    bodies = {}
    for run, (state, missing) in BROKEN_RUNS.items():
        if run == "vector_scalar" and data_server:
            missing = ["data"]  # the data server drops the vector, so the tag is not listed
        status, body = get("breakdown?" + query(run=run))
        if state == "absent":
            assert status == 404, body
            assert set(body) == {"error"} and repr(run) in body["error"]
            continue
        assert status == 200, (run, body)
        assert body.get("missing", []) == missing == listed[run].get("missing", []), run
        assert list(body["series"]) == listed[run]["terms"]
        bodies[run] = body

    all_steps = list(range(40))
    for run in ["complete", "crashed/half_written", "crashed/truncated", "corrupted", "only_penalties", "only_total"]:
        assert_points_were_written(bodies[run], BROKEN_SERIES)
        assert "unreadable" not in bodies[run]
    assert bodies["complete"]["steps"] == all_steps
    assert all(served_steps(bodies["complete"], term) == all_steps for term in bodies["complete"]["series"])
    # Only the half-written last record, the last step's penalty, is lost.
    half_written = bodies["crashed/half_written"]
    assert served_steps(half_written, "total") == served_steps(half_written, "data") == all_steps
    assert served_steps(half_written, "penalty/conv/kernel") == all_steps[:-1]
    # Everything before the damage is there.
    for run in ["crashed/truncated", "corrupted"]:
        for term in ["total", "data", "penalty/conv/kernel"]:
            assert served_steps(bodies[run], term)[:15] == all_steps[:15], (run, term)
    assert list(bodies["only_penalties"]["series"]) == ["penalty/conv/kernel"]
    assert served_steps(bodies["only_total"], "total") == all_steps

    for run in ["keras_mixed/train", "keras_mixed/validation"]:
        body = bodies[run]
        assert list(body["series"]) == ["total", "data", "penalty/dense/kernel"]
        assert all(len(served_steps(body, term)) == 2 for term in body["series"])

    vector = bodies["vector_scalar"]
    assert served_steps(vector, "total") == all_steps
    if data_server:
        assert "unreadable" not in vector and "data" not in vector["series"]
    else:  # listed by the Python loader, which fails to convert it
        assert vector["unreadable"] == ["data"]
        assert served_steps(vector, "data") == []

    status, body = get("breakdowns?" + query(run=sorted(bodies)))
    assert status == 200
    assert [b["run"] for b in body["breakdowns"]] == sorted(bodies)
    assert {b["run"]: b for b in body["breakdowns"]} == bodies
    status, body = get("breakdowns?" + query(run=["complete", "empty"]))
    assert status == 404 and "'empty'" in body["error"] and "complete" not in body["error"]


def test_broken_logdir_through_the_python_provider(broken_logdir):
    check_broken_logdir(werkzeug_get(make_provider(broken_logdir)), data_server=False)


@pytest.mark.once(reason="TensorBoard serving event files: no Keras step")
def test_broken_logdir_through_tensorboard_with_the_rust_data_server(broken_logdir, tmp_path):
    with tensorboard(broken_logdir, tmp_path) as (process, base, log):
        wait_for_regloss_listing(base, process, log)
        check_broken_logdir(http_get(base), data_server=True)
        log.seek(0)
        assert "Traceback" not in log.read()


class GrowingLogdir:
    """A logdir written a byte range at a time, as a training process flushes it.

    The records of ``BROKEN_SERIES`` are written once to a scratch folder;
    ``grow`` copies them into the served run ``a`` up to a step, optionally
    followed by the first half of the next record.
    """

    def __init__(self, logdir, scratch):
        self.logdir = logdir
        source = write_steps(scratch / "a", BROKEN_SERIES)
        self.data = source.read_bytes()
        self.offsets = _record_offsets(self.data) + [len(self.data)]
        self.file_name = source.name
        (logdir / "a").mkdir()
        self.records = 0
        self.extra_run = write_steps(scratch / "b", {"regloss/total": [(0, 1.0)]}).read_bytes()

    def grow(self, steps, half_record=False):
        """Writes the first file version (1 record) plus ``steps`` steps of 3 records, maybe half of the next."""
        records = 1 + 3 * steps
        end = self.offsets[records]
        if half_record:
            end += (self.offsets[records + 1] - end) // 2
        with open(self.logdir / "a" / self.file_name, "ab") as f:
            f.write(self.data[self.written_bytes():end])

    def written_bytes(self):
        path = self.logdir / "a" / self.file_name
        return path.stat().st_size if path.exists() else 0

    def add_run_b(self):
        (self.logdir / "b").mkdir()
        (self.logdir / "b" / "events.out.tfevents.1.host").write_bytes(self.extra_run)


def check_growth(growing, get, wait):
    """Grows the logdir in stages; ``wait(predicate)`` polls ``get`` until the predicate holds."""
    status, body = get("runs")
    assert (status, body) == (200, {"runs": []})
    status, _ = get("breakdown?" + query(run="a"))
    assert status == 404

    def run_a_has(steps):
        def ready():
            status, body = get("breakdown?" + query(run="a"))
            assert status in (200, 404)
            if status == 200:
                assert_points_were_written(body, BROKEN_SERIES)
                return body["steps"] == list(range(steps)) and all(
                    served_steps(body, term) == body["steps"] for term in body["series"]
                )
            return False

        return ready

    growing.grow(5, half_record=True)
    wait(run_a_has(5))
    growing.grow(20)
    wait(run_a_has(20))

    def run_b_listed():
        status, body = get("runs")
        assert status == 200
        return [entry["run"] for entry in body["runs"]] == ["a", "b"]

    growing.add_run_b()
    wait(run_b_listed)
    status, body = get("breakdowns?" + query(run=["a", "b"]))
    assert status == 200
    assert body["breakdowns"][1]["series"] == {"total": [1.0]}
    assert body["breakdowns"][1]["missing"] == ["data"]


def test_growing_logdir_through_the_python_provider(tmp_path):
    logdir = tmp_path / "logdir"
    logdir.mkdir()
    growing = GrowingLogdir(logdir, tmp_path / "scratch")
    provider, reload = make_reloading_provider(logdir)

    def wait(predicate):
        reload()  # what TensorBoard's reload thread does between two requests
        assert predicate()

    check_growth(growing, werkzeug_get(provider), wait)


@pytest.mark.once(reason="TensorBoard serving event files: no Keras step")
def test_growing_logdir_through_tensorboard_with_the_rust_data_server(tmp_path):
    logdir = tmp_path / "logdir"
    logdir.mkdir()
    growing = GrowingLogdir(logdir, tmp_path / "scratch")
    with tensorboard(logdir, tmp_path, "--reload_interval=1") as (process, base, log):

        def wait(predicate):
            deadline = time.monotonic() + GROW_TIMEOUT
            while not predicate():
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)

        def listening():
            try:
                return fetch(base + "/data/plugins_listing")[0] == 200
            except OSError:
                return False

        wait(listening)
        check_growth(growing, http_get(base), wait)
