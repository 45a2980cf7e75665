"""Tests of the ``sweep`` route and ``sweep_summary``: the figures of a weight-decay sweep, in one call."""

import math

import pytest

from plugin_runs import make_provider, recording_plugin, REGLOSS_RUNS, write_regloss_runs
from sweep_runs import HOSTILE_RUN, sweep_series, WEIGHT_DECAYS, write_sweep_logdir
from tensorboard import context as tb_context
from tensorboard.plugins import base_plugin
from test_plugin_hparams import get

from tb_regloss.plugin import regloss_plugin

pytestmark = pytest.mark.once(reason="the plugin's sweep route over hand-written event files: no Keras step")

ROUTE = "/data/plugin/regloss/sweep"
SPLITS = {"train": False, "validation": True}


@pytest.fixture(scope="module")
def sweep_logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("sweep_route_logdir")
    write_sweep_logdir(logdir)
    return logdir


@pytest.fixture(scope="module")
def plugin(sweep_logdir):
    return regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=make_provider(sweep_logdir)))


def expected(weight_decay, validation):
    """The figures of one split, worked out from the points written (not from the provider)."""
    series = sweep_series(weight_decay, validation)
    data = series["regloss/data"]
    best_step, best_value = min(data, key=lambda p: (p[1], p[0]))
    step, total = series["regloss/total"][-1]
    reg = sum(points[-1][1] for tag, points in series.items() if tag.startswith("regloss/penalty/"))
    return {"step": step, "data": data[-1][1], "best_data": best_value, "best_step": best_step, "total": total,
            "reg": reg}


def test_route_answers_every_run_in_one_call(plugin):
    status, body = get(plugin, ROUTE)
    assert status == 200
    want = {f"{run}/{split}": expected(wd, validation) for run, wd in WEIGHT_DECAYS.items()
            for split, validation in SPLITS.items()}
    want[f"{HOSTILE_RUN}/train"] = expected(1e-3, False)
    # In the dashboard's run order: wd_1e-4 before wd_1e-3 ("<" sorts before "s").
    assert [r["run"] for r in body["runs"]] == [f"{HOSTILE_RUN}/train"] + [
        f"{run}/{split}" for run in WEIGHT_DECAYS for split in SPLITS]
    assert set(want) == {r["run"] for r in body["runs"]}
    for entry in body["runs"]:
        got = {k: v for k, v in entry.items() if k != "run"}
        assert got == pytest.approx(want[entry["run"]], rel=1e-6), entry["run"]
    # Without decay the validation loss climbs after epoch 10: its best comes before its last.
    wd0 = next(r for r in body["runs"] if r["run"] == "sweep/wd_0/validation")
    assert wd0["best_step"] < wd0["step"] and wd0["best_data"] < wd0["data"]


def test_named_runs_only(plugin):
    status, body = get(plugin, ROUTE + "?run=sweep/wd_1e-3/validation&run=sweep/wd_0/train")
    assert status == 200
    assert [r["run"] for r in body["runs"]] == ["sweep/wd_0/train", "sweep/wd_1e-3/validation"]
    status, body = get(plugin, ROUTE + "?run=sweep/wd_1e-2/train&run=sweep/wd_1e-4/train&run=sweep/wd_1e-3/train")
    assert [r["run"] for r in body["runs"]] == ["sweep/wd_1e-4/train", "sweep/wd_1e-3/train", "sweep/wd_1e-2/train"]


def test_bad_arguments_are_400_and_unknown_runs_404(plugin):
    status, body = get(plugin, ROUTE + "?run=")
    assert status == 400 and "Parameter run" in body["error"]
    status, body = get(plugin, ROUTE + "?run=nope/train")
    assert status == 404 and "run='nope/train'" in body["error"]


def test_two_reads_whatever_the_number_of_runs(sweep_logdir):
    plugin, calls = recording_plugin(sweep_logdir)
    assert len(plugin.sweep_impl(tb_context.RequestContext(), "")["runs"]) == 2 * len(WEIGHT_DECAYS) + 1
    assert calls == ["list_scalars", "read_scalars", "read_scalars"]


def test_missing_and_non_finite_values(tmp_path):
    write_regloss_runs(tmp_path, {run: REGLOSS_RUNS[run] for run in ("exp1/train", "exp1/validation")}, {})
    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=make_provider(tmp_path)))
    status, body = get(plugin, ROUTE)
    assert status == 200
    train, validation = body["runs"]
    # The last total (1.5 at step 2) with the penalties logged at step 2; decoupled decay is not a penalty.
    assert train == {"run": "exp1/train", "step": 2, "data": 1.0, "best_data": 1.0, "best_step": 2, "total": 1.5,
                     "reg": 0.5}
    # Non-finite last values are passed on as the strings JSON allows; the best is the lowest finite one.
    assert validation == {"run": "exp1/validation", "step": 2, "data": "-Infinity", "best_data": 3.0,
                          "best_step": 0, "total": "Infinity", "reg": 0.5}
    assert math.isinf(plugin.sweep_impl(tb_context.RequestContext(), "")["runs"][1]["total"])


def test_an_empty_logdir_has_no_runs(tmp_path):
    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=make_provider(tmp_path)))
    assert get(plugin, ROUTE) == (200, {"runs": []})
