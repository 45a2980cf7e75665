"""Tests of the ``hparams`` route and ``session_hparams``: a weight-decay sweep logged with ``hp.hparams``."""

import json
import logging

import pytest
from werkzeug import test as werkzeug_test

from plugin_runs import make_provider, recording_plugin, REGLOSS_RUNS, write_regloss_runs
from sweep_runs import (
    BROKEN_HPARAMS_RUN,
    hparams_of,
    HOSTILE_HPARAM,
    HOSTILE_VALUE,
    WEIGHT_DECAYS,
    write_broken_hparams_run,
    write_sweep_logdir,
)
from tensorboard import context as tb_context
from tensorboard.backend import application
from tensorboard.plugins import base_plugin

from tb_regloss.plugin import regloss_plugin
from tb_regloss.plugin import session_hparams

ROUTE = "/data/plugin/regloss/hparams"


@pytest.fixture(scope="module")
def sweep_logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("sweep_logdir")
    write_sweep_logdir(logdir)
    write_broken_hparams_run(logdir)
    return logdir


def make_plugin(logdir):
    return regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=make_provider(logdir)))


@pytest.fixture(scope="module")
def plugin(sweep_logdir):
    return make_plugin(sweep_logdir)


def get(plugin, path=ROUTE):
    app = application.TensorBoardWSGI([plugin], data_provider=plugin._data_provider)
    response = werkzeug_test.Client(app).get(path)
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return response.status_code, json.loads(response.get_data(as_text=True))


def test_route_lists_the_hparams_of_each_sweep_run(plugin):
    status, body = get(plugin)
    assert status == 200
    # In the dashboard's run order, by the values in the names (WEIGHT_DECAYS is written in it).
    expected = [{"run": run, "hparams": dict(sorted(hparams_of(run).items()))} for run in WEIGHT_DECAYS]
    assert body == {"runs": expected}
    assert [r["hparams"]["weight_decay"] for r in body["runs"]] == [0.0, 0.0001, 0.001, 0.01]
    assert body["runs"][3]["hparams"][HOSTILE_HPARAM] == HOSTILE_VALUE
    assert body["runs"][2]["hparams"]["augment"] is True


def test_unreadable_hparams_are_left_out_with_a_warning(plugin, caplog):
    with caplog.at_level(logging.WARNING, logger=session_hparams.__name__):
        runs = plugin.hparams_impl(tb_context.RequestContext(), "")["runs"]
    assert BROKEN_HPARAMS_RUN not in [r["run"] for r in runs]
    assert [r.getMessage() for r in caplog.records if BROKEN_HPARAMS_RUN in r.getMessage()] != []


def test_a_logdir_without_hparams_has_no_runs(tmp_path):
    write_regloss_runs(tmp_path, {"exp1/train": REGLOSS_RUNS["exp1/train"]}, {})
    assert get(make_plugin(tmp_path)) == (200, {"runs": []})


def test_reads_only_metadata_once(sweep_logdir):
    plugin, calls = recording_plugin(sweep_logdir)
    plugin.hparams_impl(tb_context.RequestContext(), "")
    assert calls == ["list_tensors"]


def test_a_provider_failure_is_a_500_without_a_stack_trace(sweep_logdir, caplog):
    class Failing:
        def list_tensors(self, *args, **kwargs):
            raise RuntimeError("secret detail")

    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=Failing()))
    app = application.TensorBoardWSGI([plugin], data_provider=make_provider(sweep_logdir))
    with caplog.at_level(logging.ERROR):
        response = werkzeug_test.Client(app).get(ROUTE)
    assert response.status_code == 500
    assert json.loads(response.get_data(as_text=True)) == {"error": "Internal error; see the TensorBoard log."}
    assert "secret detail" not in response.get_data(as_text=True)
