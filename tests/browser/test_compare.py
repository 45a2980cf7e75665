"""The "Compare runs" section in Chromium against a real TensorBoard serving a weight-decay sweep.

The logdir is ``sweep_runs``': four runs ``sweep/wd_*`` (train and validation)
with hyperparameters logged through ``hp.hparams``, and a run with a hostile
name and none.
"""

import csv
import io
import json
import struct
import xml.etree.ElementTree as ElementTree

import pytest

from conftest import ARTIFACTS, BROKEN_WORDS
from sweep_runs import (
    EPOCHS,
    HOSTILE_HPARAM,
    HOSTILE_RUN,
    HOSTILE_VALUE,
    sweep_series,
    WEIGHT_DECAYS,
    write_sweep_logdir,
)

SVG_NS = "{http://www.w3.org/2000/svg}"
RUNS = sorted(
    [f"{run}/{split}" for run in WEIGHT_DECAYS for split in ("train", "validation")]
    + [f"{HOSTILE_RUN}/train"]
)
PREFIXES = sorted([*WEIGHT_DECAYS, HOSTILE_RUN])


@pytest.fixture(scope="module")
def sweep_url(tmp_path_factory, serve_tensorboard):
    logdir = tmp_path_factory.mktemp("sweep_browser_logdir")
    write_sweep_logdir(logdir)
    with serve_tensorboard(logdir) as base:
        yield base


@pytest.fixture
def open_sweep(new_dashboard, sweep_url):
    def open_(width=1400):
        dashboard = new_dashboard(width).open(sweep_url)
        # Folded at first, so the run cards stay in view; one click opens it.
        assert dashboard.frame.locator(".compare details").get_attribute("open") is None
        dashboard.frame.click(".compare summary")
        dashboard.frame.wait_for_function(f"document.querySelectorAll('.compare path[data-run]').length === {len(RUNS)}")
        return dashboard

    return open_


def float32(x):
    """``x`` rounded to float32: the CSV writes float32 values in their shortest form (0.1, not 0.100000001)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def best_validation(run):
    points = sweep_series(WEIGHT_DECAYS[run], validation=True)["regloss/data"]
    step, value = min(points, key=lambda p: (p[1], p[0]))
    return step, value


def sweep_rows(frame):
    return frame.eval_on_selector_all(
        ".sweep-table tbody tr", "rows => rows.map(r => Array.from(r.children, c => c.textContent))"
    )


def sweep_headers(frame):
    return frame.eval_on_selector_all(".sweep-table thead th", "ths => ths.map(t => t.textContent)")


def test_comparison_overlays_every_run_on_one_axis(open_sweep):
    dashboard = open_sweep()
    frame = dashboard.frame
    drawn = frame.eval_on_selector_all(".compare path[data-run]", "ps => ps.map(p => p.getAttribute('data-run'))")
    assert sorted(drawn) == RUNS
    legend = frame.eval_on_selector_all(".compare-legend title", "ts => ts.map(t => t.textContent)")
    assert sorted(legend) == RUNS
    assert frame.locator(".compare-title").text_content() == "Data loss — 9 runs, smoothed 0.6 (raw faint)"
    # One y axis for all: the chart has exactly one left axis, and validation runs are dashed.
    dashes = frame.eval_on_selector_all(
        ".compare path[data-run$='/validation']", "ps => ps.map(p => p.getAttribute('stroke-dasharray'))"
    )
    assert dashes == ["6 3"] * len(WEIGHT_DECAYS)
    frame.check(".compare input[type=checkbox]")
    frame.wait_for_function("document.querySelector('.compare-title').textContent.includes('log scale')")
    frame.select_option(".compare select", "share")
    frame.wait_for_function("document.querySelector('.compare-title').textContent.startsWith('Penalty share')")
    # Hover: one tooltip row per run, raw and smoothed, built at the first hover after a draw.
    assert frame.locator(".compare-tip-row").count() == 0
    box = frame.locator(".compare svg rect[data-export=skip]").bounding_box()
    dashboard.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    frame.wait_for_selector(".compare-tooltip:not([hidden])")
    assert frame.locator(".compare-tip-row").count() == len(RUNS)
    assert "smoothed (raw)" in frame.locator(".compare-tooltip .tooltip-header").text_content()
    assert dashboard.page.evaluate("window.__xss") is None
    assert frame.evaluate("window.__xss") is None
    assert frame.locator(".compare img").count() == 0
    dashboard.screenshot("compare-1400.png")
    assert dashboard.errors == []


def test_sweep_table_lists_hparams_and_sorts(open_sweep):
    dashboard = open_sweep(900)
    frame = dashboard.frame
    headers = sweep_headers(frame)
    assert headers[:6] == ["Run ▲", HOSTILE_HPARAM, "augment", "lr", "optimizer", "weight_decay"]
    rows = {row[0]: row for row in sweep_rows(frame)}
    assert sorted(rows) == PREFIXES
    assert rows["sweep/wd_1e-3"][2:6] == ["true", "0.0003", "adamw", "0.001"]
    assert rows["sweep/wd_1e-2"][1] == HOSTILE_VALUE
    assert rows[HOSTILE_RUN][1:6] == ["–"] * 5
    for run in WEIGHT_DECAYS:
        step, _ = best_validation(run)
        assert rows[run][-1] == str(step)
    # Without decay the model overfits: its best validation step comes before the last epoch.
    assert int(rows["sweep/wd_0"][-1]) < EPOCHS - 1
    frame.click(".sweep-table thead button:text('Best val. data loss')")
    frame.wait_for_function("document.querySelector('.sweep-table th[aria-sort=ascending]')")
    order = [row[0] for row in sweep_rows(frame)]
    expected = sorted(WEIGHT_DECAYS, key=lambda run: best_validation(run)[1])
    assert order[: len(expected)] == expected
    assert frame.evaluate("window.__xss") is None
    dashboard.screenshot("compare-900.png")
    # Numbers and short values stay whole even with the table at its narrowest ("0.001" is not
    # cut into digits, as a page with many hyperparameters would squeeze it); run names and
    # long values may wrap.
    frame.evaluate("document.querySelector('.sweep-table').style.width = '1px'")
    broken = frame.locator(".sweep-table thead th, .sweep-table td:not(.long)").evaluate_all(BROKEN_WORDS)
    assert broken == []
    assert dashboard.errors == []


def download(dashboard, label):
    with dashboard.page.expect_download() as info:
        dashboard.frame.click(f".compare button[aria-label='{label}']")
    path = info.value.path()
    with open(path, "rb") as f:
        return info.value.suggested_filename, f.read()


def test_chart_downloads_are_valid_images_with_title_and_legend(open_sweep):
    dashboard = open_sweep()
    name, png = download(dashboard, "Download the comparison chart as PNG")
    assert name == "regloss-compare-Data_loss_9_runs_smoothed_0.6_raw_faint.png"
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    svg_box = dashboard.frame.locator(".compare-chart svg").bounding_box()
    assert (width, height) == (round(2 * svg_box["width"]), round(2 * svg_box["height"]))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "compare-export.png").write_bytes(png)

    name, svg = download(dashboard, "Download the comparison chart as SVG")
    assert name.endswith(".svg")
    root = ElementTree.fromstring(svg)
    texts = [t.text for t in root.iter(SVG_NS + "text")]
    assert "Data loss — 9 runs, smoothed 0.6 (raw faint)" in texts
    titles = sorted(t.text for t in root.iter(SVG_NS + "title"))
    assert titles == RUNS
    assert sorted(p.get("data-run") for p in root.iter(SVG_NS + "path") if p.get("data-run")) == RUNS
    # Hostile names stay text: no element or event handler came out of them.
    assert not [el for el in root.iter() if el.tag.endswith("img") or any(a.startswith("on") for a in el.attrib)]
    assert root.findall(f".//{SVG_NS}rect[@data-export]") == []
    assert dashboard.errors == []


def test_comparison_and_sweep_downloads(open_sweep):
    dashboard = open_sweep()
    _, text = download(dashboard, "Download the compared series as CSV")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8"))))
    assert rows[0] == ["run", "step", "data"]
    assert len(rows) == 1 + len(RUNS) * EPOCHS
    first_wd0 = next(r for r in rows if r[0] == "sweep/wd_0/validation")
    assert float32(float(first_wd0[2])) == sweep_series(0.0, validation=True)["regloss/data"][0][1]
    _, text = download(dashboard, "Download the compared series as JSON")
    data = json.loads(text)
    assert data["series"] == "data" and sorted(r["run"] for r in data["runs"]) == RUNS

    _, text = download(dashboard, "Download the sweep table as CSV")
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8"))))
    assert sorted(r["run"] for r in rows) == PREFIXES
    by_run = {r["run"]: r for r in rows}
    assert by_run["sweep/wd_1e-2"][f"hparam:{HOSTILE_HPARAM}"] == HOSTILE_VALUE
    assert by_run["sweep/wd_1e-4"]["hparam:weight_decay"] == "0.0001"
    step, value = best_validation("sweep/wd_0")
    best = by_run["sweep/wd_0"]
    assert (int(best["bestValidationStep"]), float32(float(best["bestValidationData"]))) == (step, value)
    _, text = download(dashboard, "Download the sweep table as JSON")
    assert sorted(r["prefix"] for r in json.loads(text)["rows"]) == PREFIXES
    assert dashboard.errors == []


def test_sweep_plot_has_a_point_per_trial_with_hyperparameters(open_sweep):
    dashboard = open_sweep()
    frame = dashboard.frame
    frame.wait_for_function(f"document.querySelectorAll('[data-sweep-point]').length === {len(WEIGHT_DECAYS)}")
    # In the order of the values in the names; the hostile run logged no hyperparameters: no point.
    trials = frame.eval_on_selector_all("[data-sweep-point]", "ps => ps.map(p => p.getAttribute('data-sweep-point'))")
    assert trials == ["sweep/wd_0", "sweep/wd_1e-4", "sweep/wd_1e-3", "sweep/wd_1e-2"]
    # 1e-4 to 1e-2 is two decades, not more: the x axis stays linear.
    assert frame.get_attribute(".sweep-plot svg", "data-x-scale") == "linear"
    assert frame.locator(".sweep-view select[name=sweep-x]").input_value() == "weight_decay"
    frame.select_option(".sweep-view select[name=sweep-metric]", "share")
    frame.wait_for_function("document.querySelector('.sweep-title').textContent.startsWith('Penalty share')")
    assert frame.evaluate("window.__xss") is None
    assert dashboard.errors == []
