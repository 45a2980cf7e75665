"""The plugin's ``/findings`` route: the findings of ``tb_regloss.training_findings`` read from a run's event files."""

import urllib.parse

import pytest
from werkzeug import test as werkzeug_test

from plugin_runs import get_json, make_provider, write_regloss_runs
from tensorboard import context as tb_context
from tensorboard.backend import application
from tensorboard.plugins import base_plugin

from tb_regloss.plugin import regloss_plugin

STEPS = range(0, 64, 4)  # 16 points
# A collapse like the demo's cnn_l2_1e-2: the data loss flat at chance, the kernel penalty halving
# every 8 steps, decay pulling 3 times harder than the data; its activity penalty and the total
# are never read. Values exact in float32.
STALLED = {
    "regloss/total": [(s, 2.5) for s in STEPS],
    "regloss/data": [(s, 2.25) for s in STEPS],
    "regloss/penalty/conv/kernel": [(s, 2.0 ** -(s // 8)) for s in STEPS],
    "regloss/penalty/conv/activity": [(s, 0.125) for s in STEPS],
    "regloss/dynamics/decay_ratio/conv/kernel": [(s, 3.0) for s in STEPS],
    "regloss/dynamics/weight_norm/conv/kernel": [(s, 1.0) for s in STEPS],
}
RUNS = {
    "stalled/train": STALLED,
    # Learning: the data loss falls as the penalty grows; decay pulls a quarter as hard as the data.
    "healthy/train": {
        "regloss/data": [(s, 2.0 - s / 64) for s in STEPS],
        "regloss/penalty/conv/kernel": [(s, 0.25 + s / 256) for s in STEPS],
        "regloss/dynamics/decay_ratio/conv/kernel": [(s, 0.25) for s in STEPS],
    },
    # AdamW: decoupled decay's ratio to the raw data gradient is not judged; its terms are.
    "adamw/train": {
        "regloss/data": [(s, 2.25) for s in STEPS],
        "regloss/decoupled/conv/kernel": [(s, 1.0) for s in STEPS],
        "regloss/dynamics/decay_ratio/conv/kernel": [(s, 3.0) for s in STEPS],
    },
    "plain": {"epoch_loss": [(0, 1.0), (1, 0.5)]},
}


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("findings_logdir")
    write_regloss_runs(logdir, RUNS, {})
    return logdir


@pytest.fixture(scope="module")
def plugin(logdir):
    return regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=make_provider(logdir)))


@pytest.fixture(scope="module")
def client(plugin):
    return werkzeug_test.Client(application.TensorBoardWSGI([plugin], data_provider=plugin._data_provider))


def _path(**params):
    return "findings?" + urllib.parse.urlencode(params, doseq=True)


def test_a_stalled_run_has_both_findings_in_the_shape_of_a_decay_plan_s(client):
    body = get_json(client, _path(run="stalled/train"))
    assert body == {"run": "stalled/train", "findings": [
        {"code": "decay_dominates", "keys": ["conv/kernel"], "fix": body["findings"][0]["fix"]},
        {"code": "decay_stalls_training", "keys": ["conv/kernel"], "fix": body["findings"][1]["fix"]},
    ]}
    assert all(f["fix"] for f in body["findings"])


@pytest.mark.parametrize("run", ["healthy/train", "adamw/train"])
def test_a_run_where_none_holds_has_an_empty_list(client, run):
    assert get_json(client, _path(run=run)) == {"run": run, "findings": []}


def test_the_series_read_are_those_findings_take(plugin):
    series = plugin.training_series_impl(tb_context.RequestContext(), "", "stalled/train")
    assert series == {
        "data": [2.25] * 16,
        "penalties": {"conv/activity": [0.125] * 16, "conv/kernel": [2.0 ** -(s // 8) for s in STEPS]},
        "decoupled": {},
        "decay_ratios": {"conv/kernel": [3.0] * 16},
    }


@pytest.mark.parametrize("path, status", [
    ("findings", 400),
    (_path(run=["stalled/train", "healthy/train"]), 400),
    (_path(run="nope"), 404),
    (_path(run="plain"), 404),  # scalars, none of them regloss'
])
def test_a_bad_run_parameter_is_400_and_a_run_without_regloss_series_404(client, path, status):
    body = get_json(client, path, expected_status=status)
    assert set(body) == {"error"} and "run=" in body["error"]
