"""The plugin lists runs in the dashboard's order: by the numbers in their names, as ``runorder.ts`` does."""

import json
import pathlib

import pytest

from plugin_runs import make_provider
from sweep_runs import HOSTILE_RUN, WEIGHT_DECAYS, write_sweep_logdir
from tensorboard.plugins import base_plugin
from test_plugin_hparams import get

from tb_regloss.plugin import regloss_plugin
from tb_regloss.plugin import run_order

pytestmark = pytest.mark.once(reason="the run order of the plugin's routes: no Keras step")

# The same file the frontend's runorder test sorts: both sides must give this order.
ORDERED = json.loads((pathlib.Path(__file__).parent / "fixtures" / "run_order.json").read_text())["ordered"]


def test_the_shared_fixture_order_from_any_start():
    assert run_order.sort_runs(reversed(ORDERED)) == ORDERED
    shuffled = ORDERED[1::2] + ORDERED[::2]
    assert run_order.sort_runs(shuffled) == ORDERED


def test_numbers_by_value_exponents_included():
    assert run_order.sort_runs(["cnn_l2_1e-2", "cnn_l2_1e-4", "cnn_l2_1e-3", "cnn_l2_0"]) == [
        "cnn_l2_0", "cnn_l2_1e-4", "cnn_l2_1e-3", "cnn_l2_1e-2"]
    assert run_order.sort_runs(["trial_10", "trial_2"]) == ["trial_2", "trial_10"]
    # Equal values written differently still have an order, the text's: a total order.
    assert run_order.sort_runs(["wd_1e-3", "wd_0.001"]) == ["wd_0.001", "wd_1e-3"]
    # Only ASCII digits are numbers, as in JavaScript's \d.
    assert run_order.run_key("v\u0663")[0] == (run_order._text("v\u0663"),)


@pytest.fixture(scope="module")
def plugin(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("run_order_logdir")
    write_sweep_logdir(logdir)
    return regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=make_provider(logdir)))


def test_runs_sweep_and_hparams_routes_list_runs_in_the_dashboards_order(plugin):
    # WEIGHT_DECAYS is written in the order of its values: wd_0, wd_1e-4, wd_1e-3, wd_1e-2.
    splits = [f"{run}/{split}" for run in WEIGHT_DECAYS for split in ("train", "validation")]
    expected = [f"{HOSTILE_RUN}/train"] + splits
    assert expected != sorted(expected)  # text order would put wd_1e-2 first
    _, runs = get(plugin, "/data/plugin/regloss/runs")
    assert [r["run"] for r in runs["runs"]] == expected
    _, sweep = get(plugin, "/data/plugin/regloss/sweep")
    assert [r["run"] for r in sweep["runs"]] == expected
    _, hparams = get(plugin, "/data/plugin/regloss/hparams")
    assert [r["run"] for r in hparams["runs"]] == list(WEIGHT_DECAYS)
