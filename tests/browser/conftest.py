"""Fixtures for the browser tests: a real `tensorboard` on demo-like runs and headless Debian chromium.

These tests never skip: a missing chromium, a missing plugin or a missing bundle
is a failure, so CI cannot pass without running them.
"""

import contextlib
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from chromium import CHROMIUM, launch
from plugin_runs import write_regloss_runs

REPO = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
HOSTILE_LAYER = "<img src=x onerror=window.__xss=1>"
# Run names (directories under the logdir) with HTML, quotes, unicode, a very
# long name, and dots around slashes; each run also has a quoted unicode term.
HOSTILE_RUNS = [
    """<svg onload=window.__xss=2>"q'/train""",
    "ünï 名前 🚀/train",
    "l" * 200 + "/train",
    "up/..x../train",
]
HOSTILE_TERM = """regloss/penalty/"q'ü🚀 <b>/kernel"""
# A constant term: smoothing leaves it as is, so the tooltip shows exactly this.
ADD_LOSS_VALUE = 0.0125
STEPS = 40
# Activity penalties of the deep run: a log y axis shows what a linear one flattens, and
# with them the legend has more entries than it shows at first.
DEEP_TERMS = [f"regloss/penalty/tower/block_{i:02d}/activity" for i in range(20)]


def _train_series(scale):
    series = {}
    for step in range(STEPS):
        data = scale * (2.0 * 0.93**step + 0.3)
        terms = {
            "regloss/penalty/conv/kernel": 0.2 * 0.97**step,
            "regloss/penalty/dense/kernel": 0.12 + 0.001 * step,
            "regloss/penalty/dense/activity": 0.03 + 0.0005 * step,
            "regloss/penalty/model/noise/add_loss": ADD_LOSS_VALUE,
        }
        points = {"regloss/data": data, "regloss/total": data + sum(terms.values()), **terms}
        for tag, value in points.items():
            series.setdefault(tag, []).append((step, value))
    return series


def _deep_series():
    """A deep model without weight decay: the loss falls from 800 to 0.02, tiny activity penalties."""
    series = {}
    for step in range(STEPS):
        data = 800.0 * 0.7**step + 0.02
        terms = {tag: 1e-4 * (i + 1) * 0.98**step for i, tag in enumerate(DEEP_TERMS)}
        points = {"regloss/data": data, "regloss/total": data + sum(terms.values()), **terms}
        for tag, value in points.items():
            series.setdefault(tag, []).append((step, value))
    return series


def demo_runs():
    """Run -> tag -> points: two runs of one experiment, a run with a hostile layer name, a
    run with penalties only (no total, no data), a deep run whose loss spans decades, and
    runs with hostile names."""
    train = _train_series(1.0)
    train["regloss/decoupled/conv/kernel"] = [(s, 0.004 * 0.99**s) for s in range(STEPS)]
    hostile_tag = f"regloss/penalty/{HOSTILE_LAYER}/kernel"
    hostile = {
        "regloss/data": [(s, 1.0) for s in range(STEPS)],
        hostile_tag: [(s, 0.25) for s in range(STEPS)],
        "regloss/total": [(s, 1.25) for s in range(STEPS)],
    }
    penalties_only = {"regloss/penalty/solo/kernel": [(s, 0.1 + 0.001 * s) for s in range(STEPS)]}
    named = {
        "regloss/data": [(s, 1.0) for s in range(STEPS)],
        HOSTILE_TERM: [(s, 0.5) for s in range(STEPS)],
        "regloss/total": [(s, 1.5) for s in range(STEPS)],
    }
    return {
        "exp1/train": train,
        "exp1/validation": _train_series(1.3),
        "hostile/train": hostile,
        "penalties-only/train": penalties_only,
        "deep/train": _deep_series(),
        **{run: named for run in HOSTILE_RUNS},
    }


DESCRIPTIONS = {
    "regloss/penalty/conv/kernel": "L2(l2=0.01)",
    "regloss/penalty/dense/kernel": "L1L2(l1=0.0, l2=0.001)",
    "regloss/penalty/dense/activity": "L1(l1=0.001)",
    "regloss/penalty/model/noise/add_loss": "add_loss in layer model/noise",
    "regloss/decoupled/conv/kernel": "AdamW(weight_decay=0.004)",
    f"regloss/penalty/{HOSTILE_LAYER}/kernel": f"L2 on {HOSTILE_LAYER}",
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _regloss_enabled(base):
    import json

    try:
        with urllib.request.urlopen(base + "/data/plugins_listing", timeout=2) as r:
            return json.load(r).get("regloss", {}).get("enabled", False)
    except OSError:
        return False


@pytest.fixture(scope="session")
def demo_logdir(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("browser_logdir")
    write_regloss_runs(logdir, demo_runs(), DESCRIPTIONS)
    return logdir


@contextlib.contextmanager
def running_tensorboard(logdir):
    """A real tensorboard (default fast loader) serving ``logdir``; yields its URL once the regloss plugin is enabled."""
    import tb_regloss.plugin.loader  # noqa: F401  (fails the tests if the plugin is missing)

    bundle = REPO / "tb_regloss" / "plugin" / "static" / "index.js"
    assert bundle.is_file(), f"{bundle} is missing: run `npm ci && npm run build` in frontend/"
    exe = pathlib.Path(sys.executable).parent / "tensorboard"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(exe), "--logdir", str(logdir), "--port", str(port), "--host", "127.0.0.1", "--reload_interval", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # This checkout's plugin and bundle, even where the venv's package is another checkout.
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3",
             "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))},
    )
    try:
        # TensorBoard imports TensorFlow when it starts: past a minute on a loaded 2-core machine.
        deadline = time.monotonic() + 240
        while not _regloss_enabled(base):
            assert proc.poll() is None, "tensorboard exited before serving"
            assert time.monotonic() < deadline, "the regloss plugin never became enabled"
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def tensorboard_url(demo_logdir):
    """A real tensorboard serving the demo runs, with the regloss plugin enabled."""
    with running_tensorboard(demo_logdir) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


class Dashboard:
    """The TensorBoard page on #regloss, its plugin iframe and every console error seen."""

    def __init__(self, page, errors):
        self.page = page
        self.errors = errors
        self.frame = None

    @classmethod
    def in_new_context(cls, browser, width=1400, height=1000):
        """A dashboard page in a fresh browser context (downloads allowed), noting console errors; close its ``context``."""
        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        dashboard = cls(page, errors)
        dashboard.context = context
        return dashboard

    def open(self, url, query=""):
        self.page.goto(f"{url}/{query}#regloss")
        deadline = time.monotonic() + 30
        while self.frame is None:
            self.frame = next((f for f in self.page.frames if "plugin_entry.html" in f.url), None)
            assert time.monotonic() < deadline, "the regloss iframe never appeared"
            self.page.wait_for_timeout(100)
        self.frame.wait_for_selector("path[data-series]", timeout=30000)
        return self

    def series(self):
        return self.frame.eval_on_selector_all(
            "path[data-series]", "els => els.map(e => e.getAttribute('data-series'))"
        )

    def chart(self, run):
        label = f"Loss composition of run {run}".replace("\\", "\\\\").replace('"', '\\"')
        return self.frame.locator(f'svg[aria-label="{label}"]')

    def screenshot(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.fixture
def new_dashboard(browser):
    """Makes `Dashboard.in_new_context(browser, width, height)` pages, all closed after the test."""
    made = []

    def new(width=1400, height=1000):
        made.append(Dashboard.in_new_context(browser, width, height))
        return made[-1]

    yield new
    for dashboard in made:
        dashboard.context.close()


@pytest.fixture
def open_dashboard(new_dashboard, tensorboard_url):
    """Opens the dashboard in a fresh browser context; `query` is TensorBoard's, e.g. `?darkMode=true`."""
    return lambda query="": new_dashboard().open(tensorboard_url, query)


@pytest.fixture
def dashboard(open_dashboard):
    return open_dashboard()


@pytest.fixture(scope="session")
def serve_tensorboard():
    """``running_tensorboard``, for test modules that serve a logdir of their own."""
    return running_tensorboard


# Words (runs of non-space characters, split after "/") that a browser laid out on two lines or more, in the given elements.
BROKEN_WORDS = """
tables => {
  const broken = [];
  for (const table of tables) {
    const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[^\\s/]+\\/?/g;
      for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}
"""
