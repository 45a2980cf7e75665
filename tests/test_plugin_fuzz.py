"""Hostile requests against every route of the dashboard plugin (issue 5, point 6).

Hypothesis sends a few thousand requests through TensorBoard's WSGI app (the
werkzeug test client) over a logdir whose run names are hostile too:
random, huge, negative, unicode, percent-encoded and repeated parameters,
unknown runs, and paths under ``/data/plugin/regloss/`` that try to leave the
static folder (``..``, ``%2e%2e``, ``%2f``, ``%5c``, absolute paths, NUL
bytes). No answer may be a 5xx or hold a stack trace, and the only files ever
served are those shipped in ``static/``, never the private file beside it.
"""

import gzip
import json
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug import test as werkzeug_test

from plugin_runs import REGLOSS_DESCRIPTIONS, REGLOSS_RUNS, make_provider, write_regloss_runs
from tensorboard.backend import application
from tensorboard.plugins import base_plugin

from tb_regloss.plugin import regloss_plugin

pytestmark = pytest.mark.once(reason="the plugin's routes over hand-written event files: no Keras step")

ROUTE = "/data/plugin/regloss/"
EXAMPLES = 1500  # per test: 3,000 requests in all
HOSTILE_RUNS = [
    "<img src=x onerror=alert(1)>",
    "ünï/çødé ✓",
    "a%2fb",
    "sp ace+plus",
    "q'\"uote&amp;=",
]
RUNS = list(REGLOSS_RUNS) + HOSTILE_RUNS
SECRET = b"SECRET-BESIDE-STATIC"
STATIC_FILES = {"index.js": b"export function render() {}\n", "style.css": b"body {}\n"}
LEAKS = [
    SECRET,
    b"Traceback (most recent call last)",
    b'.py", line ',
    b"def _serve_static",  # the plugin's own source
    b"root:x:0:0",  # /etc/passwd
]
TRAVERSAL = [
    "..", ".", "%2e%2e", "%2E%2e", "%2e", "%252e%252e", "%c0%ae%c0%ae", "....//", ".%2e",
    "/", "%2f", "%2F", "%252f", "\\", "%5c", "%5C", "//", "\x00", "%00", "%", "%zz",
    "/etc/passwd", "%2fetc%2fpasswd", "C:\\Windows\\win.ini", "file:///etc/passwd", "~",
    "static", "index.js", "style.css", "secret.txt", ".hidden", "regloss_plugin.py",
    "__init__.py", "runs", "breakdown", "breakdowns", "plugin", "regloss",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """TensorBoard's WSGI app with the plugin over hostile runs, serving a fake static folder."""
    logdir = tmp_path_factory.mktemp("fuzz_logdir")
    runs = dict(REGLOSS_RUNS)
    runs.update((name, REGLOSS_RUNS["exp1/validation"]) for name in HOSTILE_RUNS)
    write_regloss_runs(logdir, runs, REGLOSS_DESCRIPTIONS)
    root = tmp_path_factory.mktemp("fuzz_plugin")
    (root / "static").mkdir()
    for name, content in STATIC_FILES.items():
        (root / "static" / name).write_bytes(content)
    (root / "static" / ".hidden").write_bytes(SECRET)
    (root / "secret.txt").write_bytes(SECRET)
    (root / "regloss_plugin.py").write_bytes(SECRET)
    provider = make_provider(logdir)
    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=provider))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(regloss_plugin, "_STATIC_DIR", str(root / "static"))
        yield werkzeug_test.Client(application.TensorBoardWSGI([plugin], data_provider=provider))


def check(response):
    """No 5xx, no leak; JSON answers parse, other 200s are exactly a shipped file.

    Paths that reach no route at all (``/data/plugin/regloss`` without a
    slash) get TensorBoard's own plain-text 404.
    """
    assert response.status_code < 500, response.get_data()
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    for leak in LEAKS:
        assert leak not in body
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if response.headers["Content-Type"] == "application/json":
        parsed = json.loads(body)
        if response.status_code != 200:
            assert set(parsed) == {"error"}
        return parsed
    if response.status_code == 404:
        assert body == b"Not found"
    else:
        assert response.status_code == 200
        assert body in STATIC_FILES.values()
    return None


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_values = st.one_of(
    st.sampled_from(RUNS),
    st.sampled_from(RUNS).map(lambda run: run + "/.."),
    st.integers(-(10**40), 10**40).map(str),
    st.sampled_from(["0", "1", "10000", "10001", "-1", "1e3", "0x10", " 5", "5 ", "٣", "１０", "nan", "inf"]),
    st.floats().map(repr),
    st.sampled_from(TRAVERSAL),
    _text,
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1000, max_size=5000),
)
_names = st.one_of(st.sampled_from(["run", "samples", "experiment", "run[]", "RUN", ""]), _text)
_params = st.lists(st.tuples(_names, _values), max_size=8)


def _percent_encode_everything(params):
    return "&".join(
        "".join("%%%02X" % byte for byte in name.encode("utf-8"))
        + "="
        + "".join("%%%02X" % byte for byte in value.encode("utf-8"))
        for name, value in params
    )


_query = st.one_of(
    _params.map(lambda params: urllib.parse.urlencode(params, doseq=True)),
    _params.map(lambda params: urllib.parse.urlencode(params, quote_via=urllib.parse.quote)),
    _params.map(_percent_encode_everything),
    _params.map(lambda params: "&".join("%s=%s" % pair for pair in params)),  # unencoded
    st.text(st.sampled_from("%&=;+?#./\\runsample0129afAF\x00é"), max_size=60),
)
_accept = st.sampled_from(["", "gzip", "identity", "gzip;q=0", "*", "br, gzip;q=0.5", "x" * 300])


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.sampled_from(["runs", "breakdown", "breakdowns", "dynamics", "index.js", "", "nothing.js"]), _query, _accept)
def test_any_query_on_any_route(client, route, query, accept):
    response = client.get(ROUTE + route, query_string=query, headers={"Accept-Encoding": accept})
    parsed = check(response)
    if route == "breakdown" and response.status_code == 200:
        assert parsed["run"] in RUNS
        assert parsed["series"]


_segment = st.one_of(st.sampled_from(TRAVERSAL), _text)
_separator = st.sampled_from(["/", "", "%2f", "%2F", "\\", "%5c", "//", "/./", "/../"])
_path = st.lists(st.tuples(_segment, _separator), max_size=6).map(
    lambda parts: "".join(segment + separator for segment, separator in parts)
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_path, st.sampled_from(["", "?run=exp1/train", "?x=..%2f..%2fsecret.txt"]))
def test_any_path_under_the_plugin_serves_only_shipped_files(client, path, query):
    response = client.get(ROUTE + path + query)
    check(response)
    if response.status_code == 200 and response.headers["Content-Type"] != "application/json":
        # Only the exact name of a shipped file gets it (TensorBoard drops one trailing slash).
        name = urllib.parse.unquote(path).rstrip("/")
        assert STATIC_FILES[name] == response.get_data()


@pytest.mark.parametrize("name", [".hidden", "%2e%2e/secret.txt", "..%2fsecret.txt", "..%5cregloss_plugin.py"])
def test_fake_static_folder_guards_its_neighbours(client, name):
    assert client.get(ROUTE + name).status_code == 404
    assert client.get(ROUTE + "index.js").get_data() == STATIC_FILES["index.js"]
