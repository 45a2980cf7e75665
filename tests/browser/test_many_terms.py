"""End to end: the many-terms view (grouping by block, ranked bars, heatmap, highlight) on real networks' keys.

A real `tensorboard` serves runs whose keys are those of ResNet50 with weight decay
(frontend/test/fixtures/resnet50_keys.json, generated from
`keras.applications.ResNet50(weights=None)`), plus a hostile layer name, and a run
with more terms than a chart draws bands.
"""

import json

import pytest

from conftest import ARTIFACTS, REPO, running_tensorboard
from plugin_runs import write_regloss_runs

STEPS = 30
HOSTILE = "<img src=x onerror=window.__xss=3>"
RESNET_KEYS = json.loads((REPO / "frontend" / "test" / "fixtures" / "resnet50_keys.json").read_text())["keys"]
WIDE_TERMS = 120


def _resnet_run():
    """ResNet50's 54 kernels (term i worth 1e-3 · (i + 1), decaying) and a hostile layer's term."""
    keys = RESNET_KEYS + [f"{HOSTILE}/kernel"]
    series = {}
    for step in range(STEPS):
        data = 2.0 * 0.95**step + 0.5
        terms = {f"regloss/penalty/{k}": 1e-3 * (i + 1) * 0.99**step for i, k in enumerate(keys)}
        points = {"regloss/data": data, "regloss/total": data + sum(terms.values()), **terms}
        for tag, value in points.items():
            series.setdefault(tag, []).append((step, value))
    return series


def _wide_run():
    series = {}
    for step in range(STEPS):
        terms = {f"regloss/penalty/tower/dense_{i:03d}/kernel": 1e-3 * (i + 1) for i in range(WIDE_TERMS)}
        points = {"regloss/data": 1.0, "regloss/total": 1.0 + sum(terms.values()), **terms}
        for tag, value in points.items():
            series.setdefault(tag, []).append((step, value))
    return series


@pytest.fixture(scope="module")
def many_terms_url(tmp_path_factory):
    """A real tensorboard serving the many-terms runs."""
    logdir = tmp_path_factory.mktemp("many_terms_logdir")
    write_regloss_runs(logdir, {"resnet50/train": _resnet_run(), "wide/train": _wide_run()}, {})
    with running_tensorboard(logdir) as base:
        yield base


@pytest.fixture
def open_many(new_dashboard, many_terms_url):
    return lambda width=1400: new_dashboard(width).open(many_terms_url)


def _card(d, run):
    card = d.frame.locator(f".run-card[data-run='{run}']")
    card.scroll_into_view_if_needed()
    card.locator("path[data-series]").first.wait_for(state="attached")
    return card


def _texts(locator):
    return [t.strip() for t in locator.all_inner_texts()]


def test_resnet_run_opens_the_view_with_bars_and_heatmap_names_as_text(open_many):
    d = open_many()
    card = _card(d, "resnet50/train")
    view = card.locator("details.many-terms")
    assert view.get_attribute("open") is not None
    assert view.locator("summary").inner_text() == "Ranking and heatmap of the 55 penalty terms"
    bars = _texts(view.locator(".bar-row:visible .bar-name"))
    assert len(bars) == 20
    # The largest term is the last key of the list (the hostile one, worth 55e-3).
    assert bars[0] == f"{HOSTILE}/kernel"
    assert view.locator(".bars-rest").inner_text().startswith("35 more: ")
    canvas = view.locator(".heatmap canvas")
    assert canvas.evaluate("c => [c.width, c.height]") == [STEPS, 55]
    # The heatmap's pixels are painted (viridis, opaque) where the cells are.
    assert canvas.evaluate("c => c.getContext('2d').getImageData(0, 0, 1, 1).data[3]") == 255
    labels = _texts(view.locator(".heatmap-label"))
    assert labels[0] == f"{HOSTILE}/kernel" and len(labels) == 55
    assert d.frame.locator("img").count() == 0
    assert d.frame.evaluate("window.__xss") is None
    assert d.errors == []


def test_grouping_by_block_reads_resnet50_as_its_stages(open_many):
    d = open_many()
    frame = d.frame
    frame.select_option("select[name=grouping]", "block")
    frame.fill("input[name=depth]", "1")
    frame.dispatch_event("input[name=depth]", "change")
    card = _card(d, "resnet50/train")
    frame.wait_for_function("document.querySelector(\".run-card[data-run='resnet50/train'] path[data-series='block:conv2']\") !== null")
    bands = card.locator("svg").first.locator("path[data-series]").evaluate_all("els => els.map(e => e.dataset.series)")
    assert sorted(bands) == sorted(
        ["data", "block:conv1", "block:conv2", "block:conv3", "block:conv4", "block:conv5", "block:predictions", f"block:{HOSTILE}"]
    )
    bars = _texts(card.locator(".bar-row:visible .bar-name"))
    # Sums at the last step: conv4 holds terms 24–42, the largest stage.
    assert bars[0] == "conv4" and sorted(bars) == sorted(["conv1", "conv2", "conv3", "conv4", "conv5", "predictions", HOSTILE])
    frame.fill("input[name=depth]", "2")
    frame.dispatch_event("input[name=depth]", "change")
    frame.wait_for_function(
        "document.querySelectorAll(\".run-card[data-run='resnet50/train'] .heatmap-label\").length === 19"
    )
    assert "conv2/block1" in _texts(card.locator(".heatmap-label"))
    assert d.errors == []


def test_bars_follow_the_chart_hover(open_many):
    d = open_many()
    card = _card(d, "resnet50/train")
    heading = card.locator(".bars-heading")
    assert heading.inner_text() == f"Penalties at step {STEPS - 1}, largest first"
    box = card.locator("rect.overlay").first.bounding_box()
    d.page.mouse.move(box["x"] + 1, box["y"] + box["height"] / 2)
    card.locator(".bars-heading", has_text="step 0,").wait_for()
    d.page.mouse.move(box["x"] + box["width"] + 50, box["y"] - 50)
    card.locator(".bars-heading", has_text=f"step {STEPS - 1},").wait_for()
    assert d.errors == []


def test_click_on_a_bar_or_a_band_highlights_the_term_everywhere(open_many):
    d = open_many()
    card = _card(d, "resnet50/train")
    key = "penalty/conv5_block3_3_conv/kernel"
    opacity = "k => getComputedStyle(document.querySelector(`path[data-series=\"${k}\"]`)).fillOpacity"
    assert d.frame.evaluate(opacity, key) == "1"
    card.locator(f".bar-row[data-key='{key}']").click()
    assert d.frame.evaluate(opacity, key) == "1"
    assert d.frame.evaluate(opacity, "data") == "0.25"
    assert card.locator(".heatmap-mark").is_visible()
    assert card.locator(f".heatmap-label[data-key='{key}']").evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    # The same bar again clears the highlight.
    card.locator(f".bar-row[data-key='{key}']").click()
    assert d.frame.evaluate(opacity, "data") == "1"
    # A click on the chart highlights the band under the pointer: the data loss at the bottom.
    box = card.locator("rect.overlay").first.bounding_box()
    d.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 3)
    assert d.frame.evaluate(opacity, "data") == "1"
    assert d.frame.evaluate(opacity, key) == "0.25"
    assert d.errors == []


def test_wide_run_draws_fifty_bands_and_every_term_below(open_many):
    d = open_many()
    card = _card(d, "wide/train")
    bands = card.locator("svg").first.locator("path[data-series]").evaluate_all("els => els.map(e => e.dataset.series)")
    assert len(bands) == 50 and bands[0] == "data" and bands[-1] == "other"
    assert 'merges the 72 smallest into "other terms"' in card.locator(".notice").first.inner_text()
    assert card.locator(".heatmap canvas").evaluate("c => c.height") == WIDE_TERMS
    assert d.errors == []


@pytest.mark.parametrize("width", [1400, 900])
def test_screenshots_of_the_many_terms_view(open_many, width):
    d = open_many(width)
    card = _card(d, "resnet50/train")
    card.locator(".many-terms").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    d.page.screenshot(path=str(ARTIFACTS / f"many_terms_{width}.png"), full_page=True)
    # At 900 px nothing in the view is wider than its card.
    overflow = card.evaluate("c => [...c.querySelectorAll('.many-terms *')].some(e => e.getBoundingClientRect().right > c.getBoundingClientRect().right + 1)")
    assert not overflow
    assert d.errors == []
