"""Tests of tb_regloss.plugin.regloss_plugin through TensorBoard's WSGI app and the Python data provider."""

import base64
import gzip
import json
import math
import os
import urllib.parse

import numpy as np
import pytest
from werkzeug import test as werkzeug_test

from plugin_runs import (  # noqa: F401 (fixtures)
    ROUTE,
    get_json,
    make_provider,
    REGLOSS_RUNS,
    regloss_callback_logdir,
    regloss_logdir,
    write_regloss_runs,
)
from tensorboard import context as tb_context
from tensorboard import errors
from tensorboard.backend import application
from tensorboard.plugins import base_plugin

from tb_regloss.plugin import regloss_plugin

STATIC_DIR = os.path.join(os.path.dirname(regloss_plugin.__file__), "static")


class CountingProvider:
    """Forwards to a data provider, recording each call's method name and arguments."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = []

    def __getattr__(self, name):
        method = getattr(self.inner, name)

        def record(*args, **kwargs):
            self.calls.append((name, kwargs))
            return method(*args, **kwargs)

        return record


@pytest.fixture(scope="module")
def provider(regloss_logdir):
    return CountingProvider(make_provider(regloss_logdir))


@pytest.fixture(scope="module")
def plugin(provider):
    return regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=provider))


@pytest.fixture(scope="module")
def client(plugin, provider):
    app = application.TensorBoardWSGI([plugin], data_provider=provider)
    return werkzeug_test.Client(app)


def query(**params):
    return urllib.parse.urlencode(params, doseq=True)



def test_frontend_metadata_and_names(plugin):
    assert plugin.plugin_name == "regloss"
    assert plugin.frontend_metadata() == base_plugin.FrontendMetadata(
        es_module_path="/index.js", tab_name="Loss composition"
    )
    assert plugin.data_plugin_names() == ()


def test_active_only_with_regloss_series(plugin, tmp_path):
    assert plugin.is_active()
    write_regloss_runs(tmp_path, {"plain": REGLOSS_RUNS["plain"]}, {})
    inactive = regloss_plugin.RegLossPlugin(
        base_plugin.TBContext(data_provider=make_provider(tmp_path))
    )
    assert not inactive.is_active()
    assert inactive.runs_impl(tb_context.RequestContext(), "") == {"runs": []}


def test_plugins_listing_marks_the_dashboard_enabled(client):
    response = client.get("/data/plugins_listing")
    listing = json.loads(response.get_data(as_text=True))
    assert listing["regloss"]["enabled"] is True
    assert listing["regloss"]["tab_name"] == "Loss composition"
    assert listing["regloss"]["loading_mechanism"] == {
        "type": "IFRAME",
        "module_path": "/data/plugin/regloss/index.js",
    }


def test_runs(client):
    assert get_json(client, "runs") == {
        "runs": [
            {
                "run": "exp1/train",
                "terms": [
                    "total",
                    "data",
                    "decoupled/conv/kernel",
                    "penalty/conv/kernel",
                    "penalty/dense/bias",
                ],
                "descriptions": {
                    "penalty/conv/kernel": "L2(l2=0.01)",
                    "penalty/dense/bias": "L1(l1=0.001)",
                },
            },
            {
                "run": "exp1/validation",
                "terms": ["total", "data", "penalty/conv/kernel"],
                "descriptions": {"penalty/conv/kernel": "L2(l2=0.01)"},
            },
        ]
    }


def test_breakdown(client):
    body = get_json(client, "breakdown?" + query(run="exp1/train"))
    wall_times = body.pop("wall_times")
    assert body == {
        "run": "exp1/train",
        "steps": [0, 1, 2],
        "series": {
            "total": [2.5, 2.0, 1.5],
            "data": [2.0, 1.5, 1.0],
            "decoupled/conv/kernel": [0.5, 0.5, 0.5],
            "penalty/conv/kernel": [0.25, 0.25, 0.375],
            "penalty/dense/bias": [0.25, 0.25, 0.125],
        },
        "descriptions": {
            "penalty/conv/kernel": "L2(l2=0.01)",
            "penalty/dense/bias": "L1(l1=0.001)",
        },
    }
    assert len(wall_times) == 3
    assert all(isinstance(t, float) for t in wall_times)
    assert wall_times == sorted(wall_times)


@pytest.mark.parametrize("route", ["breakdown", "breakdowns"])
def test_float32_encoding_serves_the_same_values(client, route):
    plain = get_json(client, route + "?" + query(run="exp1/validation"))
    packed = get_json(client, route + "?" + query(run="exp1/validation", encoding="float32"))
    if route == "breakdowns":
        (plain,), (packed,) = plain["breakdowns"], packed["breakdowns"]
    assert packed["encoding"] == "float32" and packed["steps"] == plain["steps"]
    for term, values in plain["series"].items():
        decoded = np.frombuffer(base64.b64decode(packed["series"][term]), dtype="<f4")
        gaps = packed.get("gaps", {}).get(term, [])
        assert gaps == [i for i, v in enumerate(values) if v is None]
        for i, value in enumerate(values):
            expected = {None: np.nan, "NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}.get(value, value)
            np.testing.assert_equal(np.float64(decoded[i]), np.float32(expected))


def test_unknown_encoding_is_400(client):
    body = get_json(client, "breakdown?" + query(run="exp1/train", encoding="csv"), 400)
    assert "encoding" in body["error"] and "Received: encoding='csv'" in body["error"]


def test_breakdown_non_finite_values_survive_as_strings_and_gaps_as_null(client):
    body = get_json(client, "breakdown?" + query(run="exp1/validation", samples=10))
    assert body["steps"] == [0, 1, 2]
    assert body["series"] == {
        "total": ["NaN", None, "Infinity"],
        "data": [3.0, None, "-Infinity"],
        "penalty/conv/kernel": [None, 0.5, 0.5],
    }


def test_breakdown_impl_keeps_floats(plugin):
    (result,) = plugin.breakdown_impl(tb_context.RequestContext(), "", ["exp1/validation"], 10)
    total = result["series"]["total"]
    assert math.isnan(total[0]) and total[1] is None and total[2] == math.inf


def test_breakdown_downsamples_in_one_batched_read(client, provider):
    del provider.calls[:]
    body = get_json(client, "breakdown?" + query(run="exp1/train", samples=2))
    assert len(body["steps"]) == 2
    assert body["steps"][-1] == 2  # downsampling always keeps the last point
    reads = [kwargs for name, kwargs in provider.calls if name == "read_scalars"]
    assert len(reads) == 1
    (read,) = reads
    assert read["downsample"] == 2
    assert read["plugin_name"] == "scalars"
    assert read["run_tag_filter"].runs == frozenset(["exp1/train"])
    assert read["run_tag_filter"].tags == frozenset(
        "regloss/" + term
        for term in [
            "total",
            "data",
            "decoupled/conv/kernel",
            "penalty/conv/kernel",
            "penalty/dense/bias",
        ]
    )


def test_breakdown_default_samples(client, provider):
    del provider.calls[:]
    get_json(client, "breakdown?" + query(run="exp1/train"))
    (read,) = [kwargs for name, kwargs in provider.calls if name == "read_scalars"]
    assert read["downsample"] == regloss_plugin.DEFAULT_SAMPLES == 1000


def test_breakdowns_reads_all_runs_at_once(client, provider):
    single = {
        run: get_json(client, "breakdown?" + query(run=run))
        for run in ["exp1/train", "exp1/validation"]
    }
    del provider.calls[:]
    body = get_json(client, "breakdowns?" + query(run=["exp1/validation", "exp1/train", "exp1/validation"]))
    assert body == {"breakdowns": [single["exp1/validation"], single["exp1/train"]]}
    assert [name for name, _ in provider.calls].count("read_scalars") == 1


@pytest.mark.parametrize(
    "path, parameter",
    [
        ("breakdown", "run"),
        ("breakdown?run=", "run"),
        ("breakdown?" + query(run=["exp1/train", "exp1/validation"]), "run"),
        ("breakdown?" + query(run="exp1/train", samples=0), "samples"),
        ("breakdown?" + query(run="exp1/train", samples=10001), "samples"),
        ("breakdown?" + query(run="exp1/train", samples="ten"), "samples"),
        ("breakdown?" + query(run="exp1/train", samples="-5"), "samples"),
        ("breakdown?" + query(run="exp1/train", samples="1e3"), "samples"),
        ("breakdown?" + query(run="exp1/train", samples=""), "samples"),
        ("breakdowns", "run"),
        ("breakdowns?" + query(run="exp1/train", samples="x"), "samples"),
        ("decay_plan", "run"),
        ("decay_plan?" + query(run=["fit/train", "exp1/train"]), "run"),
    ],
)
def test_invalid_parameters_are_400_naming_the_parameter(client, path, parameter):
    body = get_json(client, path, expected_status=400)
    assert set(body) == {"error"}
    assert "Parameter %s" % parameter in body["error"]
    assert "Received: %s=" % parameter in body["error"]


@pytest.mark.parametrize(
    "path",
    [
        "breakdown?" + query(run="nope"),
        "breakdown?" + query(run="plain"),
        "breakdowns?" + query(run=["exp1/train", "nope"]),
        "decay_plan?" + query(run="nope"),
        "decay_plan?" + query(run="exp1/train"),  # scalars written by tf.summary, no plan
    ],
)
def test_unknown_run_is_404(client, path):
    body = get_json(client, path, expected_status=404)
    assert set(body) == {"error"}
    assert "run=" in body["error"]


def test_unexpected_failure_is_json_500_without_trace(regloss_logdir):
    class BrokenProvider:
        def list_scalars(self, ctx, **kwargs):
            raise RuntimeError("secret internals")

    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=BrokenProvider()))
    client = werkzeug_test.Client(application.TensorBoardWSGI([plugin]))
    body = get_json(client, "runs", expected_status=500)
    assert "secret" not in body["error"] and "Traceback" not in body["error"]


def test_public_provider_errors_keep_their_status():
    class MissingExperiment:
        def list_scalars(self, ctx, **kwargs):
            raise errors.NotFoundError("no experiment 123")

    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=MissingExperiment()))
    client = werkzeug_test.Client(application.TensorBoardWSGI([plugin]))
    assert get_json(client, "runs", expected_status=404) == {"error": "Not found: no experiment 123"}


@pytest.fixture
def shipped_bundle(tmp_path, monkeypatch):
    """A static folder holding index.js, beside a file that must stay private."""
    static = tmp_path / "plugin" / "static"
    static.mkdir(parents=True)
    (tmp_path / "plugin" / "regloss_plugin.py").write_text("import secret\n")
    bundle = static / "index.js"
    bundle.write_text("export function render() {}\n")
    monkeypatch.setattr(regloss_plugin, "_STATIC_DIR", str(static))
    return str(bundle)


def test_serves_the_bundle(client, shipped_bundle):
    response = client.get(ROUTE + "index.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with open(shipped_bundle, "rb") as f:
        assert response.get_data() == f.read()


@pytest.mark.parametrize(
    "path",
    [
        "../regloss_plugin.py",
        "..%2fregloss_plugin.py",
        "%2e%2e/regloss_plugin.py",
        "%2e%2e%2fregloss_plugin.py",
        "static/index.js",
        "static%2findex.js",
        "..\\regloss_plugin.py",
        "..%5cregloss_plugin.py",
        "%2fetc%2fpasswd",
        "/etc/passwd",
        "//etc/passwd",
        "./index.js",
        "index.js/",
        "index.js%00",
        "regloss_plugin.py",
        "__init__.py",
        "",
        "nothing.js",
    ],
)
def test_static_serves_nothing_else(client, shipped_bundle, path):
    response = client.get(ROUTE + path)
    assert response.status_code == 404 or (
        # A trailing slash is dropped by TensorBoard's router before we see it.
        path == "index.js/" and response.get_data() == open(shipped_bundle, "rb").read()
    )
    assert b"import" not in response.get_data()


def test_static_hidden_files_are_not_served(client, shipped_bundle):
    with open(os.path.join(os.path.dirname(shipped_bundle), ".secret"), "w") as f:
        f.write("x")
    assert client.get(ROUTE + ".secret").status_code == 404


def test_static_serves_every_shipped_file_with_its_type(client, shipped_bundle):
    static = os.path.dirname(shipped_bundle)
    with open(os.path.join(static, "style.css"), "w") as f:
        f.write("body {}")
    response = client.get(ROUTE + "style.css")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"


def test_static_folder_of_the_package_is_the_one_served():
    assert regloss_plugin._STATIC_DIR == STATIC_DIR



@pytest.mark.parametrize("accept", ["gzip", "gzip, deflate, br", "*"])
def test_breakdown_is_gzipped_when_accepted(client, accept):
    plain = client.get(ROUTE + "breakdowns?" + query(run="exp1/train"))
    assert "Content-Encoding" not in plain.headers
    zipped = client.get(ROUTE + "breakdowns?" + query(run="exp1/train"), headers={"Accept-Encoding": accept})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Content-Type"] == "application/json"
    assert gzip.decompress(zipped.get_data()) == plain.get_data()


def test_breakdown_not_gzipped_when_refused(client):
    response = client.get(
        ROUTE + "breakdown?" + query(run="exp1/train"), headers={"Accept-Encoding": "gzip;q=0, br"}
    )
    assert "Content-Encoding" not in response.headers
    assert json.loads(response.get_data())["run"] == "exp1/train"


def test_breakdown_of_a_resumed_run_written_by_the_callback(regloss_callback_logdir):
    assert len(list((regloss_callback_logdir / "fit" / "train").glob("events.out.tfevents.*"))) == 2
    provider = make_provider(regloss_callback_logdir)
    client = werkzeug_test.Client(
        application.TensorBoardWSGI(
            [regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=provider))],
            data_provider=provider,
        )
    )
    runs = get_json(client, "runs")["runs"]
    assert [run["run"] for run in runs] == ["fit/train", "fit/validation"]
    assert runs[0]["terms"] == ["total", "data", "penalty/dense/kernel"]
    assert "L2" in runs[0]["descriptions"]["penalty/dense/kernel"]

    body = get_json(client, "breakdowns?" + query(run=["fit/train", "fit/validation"]))
    train, validation = body["breakdowns"]
    assert train["steps"] == validation["steps"] == [4, 8, 12]
    for result in (train, validation):
        series = result["series"]
        assert len(series["total"]) == 3
        for total, data, penalty in zip(series["total"], series["data"], series["penalty/dense/kernel"]):
            assert penalty > 0
            assert total == pytest.approx(data + penalty, rel=1e-5)


def test_loading_the_plugin_imports_no_backend():
    import subprocess
    import sys

    code = """
import sys
import tb_regloss
from tb_regloss.plugin import regloss_plugin
loaded = {"tensorflow", "jax", "torch", "keras"} & set(sys.modules)
assert not loaded, loaded
"""
    subprocess.run([sys.executable, "-c", code], check=True)


def _client(logdir):
    provider = make_provider(logdir)
    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=provider))
    return werkzeug_test.Client(application.TensorBoardWSGI([plugin], data_provider=provider))


def test_decay_plan_of_a_resumed_run_written_by_the_callback(regloss_callback_logdir):
    client = _client(regloss_callback_logdir)
    runs = {r["run"]: r for r in get_json(client, "runs")["runs"]}
    assert runs["fit/train"]["decay_plan"] is True and "decay_plan" not in runs["fit/validation"]
    # Dense(1, kernel L2 0.01) on 3 inputs under SGD: coupled decay on the kernel only.
    assert get_json(client, "decay_plan?" + query(run="fit/train")) == {
        "entries": [
            {"key": "dense/kernel", "parameters": 3, "coupled": "L2(l2=0.01)", "decoupled": None, "findings": []},
            {"key": "dense/bias", "parameters": 1, "coupled": None, "decoupled": None, "findings": []},
        ],
        "findings": [],
    }
    body = get_json(client, "decay_plan?" + query(run="fit/validation"), expected_status=404)
    assert "log_dir/train" in body["error"]


def test_decay_plan_route_serves_the_last_fit_of_a_run_with_its_findings(tmp_path):
    import keras

    import tb_regloss
    from tests import models

    model = models.tiny_transformer(lora_rank=2)
    x, y = models.token_batches(16)
    model.compile(keras.optimizers.SGD(0.01), "mse")
    model.fit(x, y, batch_size=8, verbose=0, callbacks=[tb_regloss.RegLossCallback(tmp_path / "run")])
    # keras.io's GPT-2 LoRA example: three calls, only the last (beta) holds.
    optimizer = keras.optimizers.AdamW(weight_decay=0.01)
    for name in ("bias", "gamma", "beta"):
        optimizer.exclude_from_weight_decay(var_names=[name])
    model.compile(optimizer, "mse")
    model.fit(x, y, batch_size=8, verbose=0, callbacks=[tb_regloss.RegLossCallback(tmp_path / "run")])

    plan = get_json(_client(tmp_path), "decay_plan?" + query(run="run/train"))
    assert {e["key"]: e["decoupled"] for e in plan["entries"]} == {
        "token_embedding/embeddings": 0.01, "ln/gamma": 0.01, "ln/beta": None,
        "attn/bias": 0.01, "attn/lora_kernel_a": 0.01, "attn/lora_kernel_b": 0.01,
        "head/bias": 0.01, "head/lora_kernel_a": 0.01, "head/lora_kernel_b": 0.01}
    assert [(f["code"], f["keys"]) for f in plan["findings"]] == [
        ("norm_decayed", ["ln/gamma"]),
        ("bias_decayed", ["attn/bias", "head/bias"]),
        ("embedding_decayed", ["token_embedding/embeddings"]),
        ("adapter_decayed", ["attn/lora_kernel_a", "attn/lora_kernel_b", "head/lora_kernel_a", "head/lora_kernel_b"]),
    ]
    assert all(set(f) == {"code", "keys", "fix"} and "exclude_from_weight_decay" in f["fix"]
               for f in plan["findings"])


@pytest.mark.once(reason="the plugin alone")
@pytest.mark.parametrize("text", ["not json", '{"entries": []}', "[1, 2]"])
def test_an_unreadable_decay_plan_is_404(tmp_path, text):
    from tb_regloss.event_writer import EventWriter

    writer = EventWriter(tmp_path / "run")
    writer.write_text(0, "regloss/decay_plan", text, "regloss")
    writer.close()
    body = get_json(_client(tmp_path), "decay_plan?" + query(run="run"), expected_status=404)
    assert body["error"].startswith("Not found: The decay plan of run='run' cannot be read: ")
