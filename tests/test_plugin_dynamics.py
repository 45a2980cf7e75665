"""Tests of the plugin's dynamics route and the ``dynamics`` field of ``/runs``, over real event files."""

import base64
import urllib.parse

import numpy as np
import pytest
from werkzeug import test as werkzeug_test

from plugin_runs import get_json, make_provider, write_regloss_runs
from tensorboard import context as tb_context
from tensorboard.backend import application
from tensorboard.plugins import base_plugin

from tb_regloss import tags
from tb_regloss.plugin import dynamics_series
from tb_regloss.plugin import regloss_plugin

HOSTILE_KEY = """<img src=x onerror=1>"q'ü🚀/kernel"""
KEYS = ("conv/kernel", HOSTILE_KEY)
EQUILIBRIUM = "AdamW: √(2ηλ(1−β1)/(1+β1)) with η = the current learning rate, λ = weight_decay = 0.004, β1 = 0.9"


def _dynamics_points():
    """``{tag: [(step, value)]}``: every quantity of both keys at steps 0, 5, 10, values exact in float32."""
    series = {}
    for k, key in enumerate(KEYS):
        for q, quantity in enumerate(tags.DYNAMICS_QUANTITIES):
            if quantity == "angular_equilibrium" and key == HOSTILE_KEY:
                continue  # absent where the theory does not apply
            series[tags.dynamics_tag(quantity, key)] = [(step, 0.25 * (q + 1) + k + step / 8) for step in (0, 5, 10)]
    return series


RUNS = {
    "dyn/train": {
        "regloss/total": [(0, 2.0), (5, 1.5), (10, 1.0)],
        "regloss/data": [(0, 1.5), (5, 1.0), (10, 0.5)],
        "regloss/penalty/conv/kernel": [(0, 0.5), (5, 0.5), (10, 0.5)],
        **_dynamics_points(),
    },
    "plain/train": {
        "regloss/total": [(0, 2.0)],
        "regloss/data": [(0, 1.5)],
        "regloss/penalty/conv/kernel": [(0, 0.5)],
    },
}
DESCRIPTIONS = {tags.dynamics_tag("angular_equilibrium", "conv/kernel"): EQUILIBRIUM}
# A run whose weight_norm is a vector written with scalar metadata (another tool's mistake).
BROKEN_RUN = "broken/train"


def _write_broken_run(logdir):
    import tensorflow as tf
    from tensorboard.plugins.scalar import metadata as scalar_metadata

    write_regloss_runs(logdir, {BROKEN_RUN: {
        "regloss/total": [(0, 1.0)],
        "regloss/data": [(0, 1.0)],
        tags.dynamics_tag("decay_ratio", "d/kernel"): [(0, 0.5)],
    }}, {})
    writer = tf.summary.create_file_writer(str(logdir / BROKEN_RUN))
    with writer.as_default():
        tf.summary.write(
            tags.dynamics_tag("weight_norm", "d/kernel"), tf.constant([1.0, 2.0]), step=0,
            metadata=scalar_metadata.create_summary_metadata("", ""),
        )
    writer.close()


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("dynamics_logdir")
    write_regloss_runs(logdir, RUNS, DESCRIPTIONS)
    _write_broken_run(logdir)
    return make_provider(logdir)


@pytest.fixture(scope="module")
def plugin(provider):
    return regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=provider))


@pytest.fixture(scope="module")
def client(plugin, provider):
    return werkzeug_test.Client(application.TensorBoardWSGI([plugin], data_provider=provider))


def dynamics_query(**params):
    return "dynamics?" + urllib.parse.urlencode(params, doseq=True)


def expected_names():
    return [
        f"{quantity}/{key}"
        for quantity in tags.DYNAMICS_QUANTITIES
        for key in sorted(KEYS)
        if not (quantity == "angular_equilibrium" and key == HOSTILE_KEY)
    ]


def test_runs_name_the_quantities_of_runs_with_dynamics_and_keep_them_out_of_terms(client):
    runs = {r["run"]: r for r in get_json(client, "runs")["runs"]}
    assert set(runs) == {"dyn/train", "plain/train", BROKEN_RUN}
    assert runs["dyn/train"]["dynamics"] == list(tags.DYNAMICS_QUANTITIES)
    assert "dynamics" not in runs["plain/train"]
    assert runs["dyn/train"]["terms"] == ["total", "data", "penalty/conv/kernel"]
    assert runs["dyn/train"]["descriptions"] == {}


def test_breakdown_never_loads_dynamics_series(client):
    body = get_json(client, "breakdown?run=dyn/train")
    assert list(body["series"]) == ["total", "data", "penalty/conv/kernel"]


def test_dynamics_aligns_every_series_of_the_run_on_steps(client):
    body = get_json(client, dynamics_query(run="dyn/train"))
    assert body["run"] == "dyn/train"
    assert body["steps"] == [0, 5, 10]
    assert len(body["wall_times"]) == 3
    assert list(body["series"]) == expected_names()
    for tag, points in _dynamics_points().items():
        name = dynamics_series.series_name(tag)
        assert body["series"][name] == [value for _, value in points], name
    assert body["descriptions"] == {"angular_equilibrium/conv/kernel": EQUILIBRIUM}
    assert "unreadable" not in body


def test_dynamics_float32_encoding_holds_the_same_values(client):
    plain = get_json(client, dynamics_query(run="dyn/train"))
    packed = get_json(client, dynamics_query(run="dyn/train", encoding="float32"))
    assert packed["encoding"] == "float32"
    assert "gaps" not in packed
    assert list(packed["series"]) == list(plain["series"])
    for name, text in packed["series"].items():
        decoded = np.frombuffer(base64.b64decode(text), dtype="<f4").tolist()
        assert decoded == plain["series"][name], name


def test_dynamics_downsamples_to_samples(client):
    body = get_json(client, dynamics_query(run="dyn/train", samples=2))
    assert len(body["steps"]) == 2
    assert all(len(values) == 2 for values in body["series"].values())


def test_dynamics_impl_is_callable_directly(plugin):
    result = plugin.dynamics_impl(tb_context.RequestContext(), "", "dyn/train", 1000)
    assert result["steps"] == [0, 5, 10]
    assert list(result["series"]) == expected_names()


def test_dynamics_lists_a_series_it_cannot_read_as_unreadable_and_serves_the_others(client):
    body = get_json(client, dynamics_query(run=BROKEN_RUN))
    assert body["series"] == {"weight_norm/d/kernel": [None], "decay_ratio/d/kernel": [0.5]}
    assert body["unreadable"] == ["weight_norm/d/kernel"]


@pytest.mark.parametrize("run", ["nope/train", "plain/train"])
def test_dynamics_of_a_run_without_them_is_a_404_naming_runs(client, run):
    body = get_json(client, dynamics_query(run=run), 404)
    assert body["error"] == (
        f"Not found: No regloss dynamics series for run={run!r}; /runs lists the runs that have some "
        '(those with a "dynamics" field).'
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "Parameter run is required"),
        ({"run": ["dyn/train", "plain/train"]}, "Parameter run must be given once: /dynamics answers one run."),
        ({"run": "dyn/train", "samples": "0"}, "Parameter samples must be an integer from 1 to 10000"),
        ({"run": "dyn/train", "encoding": "png"}, "Parameter encoding must be one of json, float32."),
    ],
)
def test_dynamics_rejects_bad_parameters_with_a_400(client, params, message):
    body = get_json(client, dynamics_query(**params), 400)
    assert body["error"].startswith("Invalid argument: " + message)
