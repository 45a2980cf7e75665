"""End to end: the regloss dashboard in headless chromium against a real tensorboard."""

import json
import math

from conftest import ADD_LOSS_VALUE, HOSTILE_LAYER, HOSTILE_RUNS, HOSTILE_TERM, demo_runs


def _expected_series():
    """data-series of every stacked area with default settings: data + penalties, then decoupled terms."""
    expected = []
    for run, series in sorted(demo_runs().items()):
        keys = [t[len("regloss/"):] for t in series if t != "regloss/total"]
        main = ["data"] * ("data" in keys) + sorted(k for k in keys if k.startswith("penalty/"))
        expected += main + sorted(k for k in keys if k.startswith("decoupled/"))
    return expected


def test_charts_for_every_run_with_one_area_per_series(dashboard):
    for run in sorted(demo_runs()):
        # Cards off screen are their title alone until they come near the viewport.
        card = dashboard.frame.locator(f".run-card[data-run={json.dumps(run, ensure_ascii=False)}]")
        card.scroll_into_view_if_needed()
        dashboard.chart(run).wait_for(state="attached")
        assert dashboard.chart(run).count() == 1, run
    assert sorted(dashboard.series()) == sorted(_expected_series())
    assert dashboard.frame.locator("svg[aria-label^='Decoupled weight decay of run exp1/train']").count() == 1
    legend = dashboard.frame.locator(".run-card[data-run='exp1/train'] .legend-label").all_inner_texts()
    assert "conv/kernel" in legend and "data loss" in legend
    dashboard.screenshot("dashboard.png")
    assert dashboard.errors == []


def test_run_without_total_and_data_draws_its_penalties_and_says_so(dashboard):
    card = dashboard.frame.locator(".run-card[data-run='penalties-only/train']")
    card.scroll_into_view_if_needed()  # Cards off screen are drawn when they come into view.
    card.locator("path[data-series='penalty/solo/kernel']").wait_for(state="attached")
    assert card.locator("path[data-series='penalty/solo/kernel']").get_attribute("d").startswith("M")
    assert card.locator(".notice").first.inner_text().startswith(
        "This run has no regloss/total and no regloss/data series"
    )
    assert dashboard.errors == []


def test_hover_shows_the_tooltip_with_term_values(dashboard):
    chart = dashboard.chart("exp1/train")
    box = chart.locator("rect.overlay").bounding_box()
    dashboard.page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    tooltip = dashboard.frame.locator(".run-card[data-run='exp1/train'] .chart .tooltip").first
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert "step " in text and "total" in text
    assert "model/noise/add_loss" in text
    assert str(ADD_LOSS_VALUE) in text
    assert chart.locator("line.hover-rule").get_attribute("visibility") == "visible"
    dashboard.screenshot("hover.png")
    assert dashboard.errors == []


def _card_series(dashboard, run):
    """data-series of the areas of one run's card (cards off screen are drawn when they come into view)."""
    card = dashboard.frame.locator(f".run-card[data-run='{run}']")
    card.scroll_into_view_if_needed()
    return card.evaluate("c => Array.from(c.querySelectorAll('path[data-series]'), e => e.getAttribute('data-series'))")


def test_mode_and_grouping_change_the_chart(dashboard):
    frame = dashboard.frame
    before = dashboard.series()
    frame.select_option("select[name=mode]", "penalties")
    frame.wait_for_function(
        "!document.querySelector('.run-card[data-run=\"exp1/train\"] path[data-series=\"data\"]')")
    assert "data" not in _card_series(dashboard, "exp1/train")

    frame.select_option("select[name=mode]", "share")
    frame.wait_for_function("document.querySelector('.run-card[data-run=\"exp1/train\"] path[data-series=\"data\"]') !== null")
    ticks = dashboard.chart("exp1/train").locator(".y-axis .tick text").all_text_contents()
    assert "100%" in ticks

    frame.select_option("select[name=grouping]", "layer")
    frame.wait_for_selector("path[data-series='layer:dense']")
    grouped = dashboard.series()
    assert grouped != before
    assert "penalty/dense/kernel" not in grouped
    hostile = dashboard.frame.locator(".run-card[data-run='hostile/train']")
    hostile.scroll_into_view_if_needed()
    hostile.locator("path[data-series^='layer:']").first.wait_for(state="attached")
    assert f"layer:{HOSTILE_LAYER}" in _card_series(dashboard, "hostile/train")
    frame.locator(".run-card").first.scroll_into_view_if_needed()

    frame.select_option("select[name=grouping]", "topk")
    frame.fill("input[name=topk]", "1")
    frame.dispatch_event("input[name=topk]", "change")
    frame.wait_for_selector("path[data-series='other']")
    dashboard.screenshot("grouped.png")

    # Settings survive TensorBoard's reload button.
    requests = []
    dashboard.page.on("request", lambda r: requests.append(r.url) if "/breakdowns?" in r.url else None)
    dashboard.page.click("button.reload-button")
    dashboard.page.wait_for_timeout(1500)
    assert requests, "the reload button did not reach the plugin"
    assert all("encoding=float32" in url for url in requests), requests
    assert frame.eval_on_selector("select[name=mode]", "e => e.value") == "share"
    frame.wait_for_selector("path[data-series='other']")
    assert dashboard.errors == []


def _y_ticks(chart):
    """[value, label] of every y tick of a chart (d3 keeps the value as the tick's data)."""
    return chart.evaluate("svg => Array.from(svg.querySelectorAll('.y-axis .tick'), t => [t.__data__, t.textContent])")


def test_log_y_scale_labels_decades(dashboard):
    frame = dashboard.frame
    chart = dashboard.chart("deep/train")
    chart.scroll_into_view_if_needed()  # Cards off screen are drawn when they come into view.
    chart.locator("path[data-series='data']").wait_for(state="attached")
    linear = [value for value, label in _y_ticks(chart) if label]
    steps = {round(b - a, 9) for a, b in zip(linear, linear[1:])}
    assert linear[0] == 0 and len(steps) == 1, linear

    frame.select_option("select[name=y-scale]", "log")
    frame.wait_for_function(
        "svg => !Array.from(svg.querySelectorAll('.y-axis .tick text')).some(t => t.textContent === '0')",
        arg=chart.element_handle(),
    )
    ticks = _y_ticks(chart)
    labelled = [value for value, label in ticks if label]
    # Labels at powers of ten only, over the decades the loss falls through (800 to 0.02).
    assert all(math.log10(v) == round(math.log10(v)) for v in labelled), ticks
    assert labelled[-1] / labelled[0] >= 1000, ticks
    paths = frame.eval_on_selector_all("path[d]", "els => els.map(e => e.getAttribute('d'))")
    assert not [d for d in paths if "NaN" in d or "Infinity" in d]
    dashboard.screenshot("log.png")

    # Share mode stays linear and says why.
    frame.select_option("select[name=mode]", "share")
    frame.wait_for_function("document.querySelector('select[name=y-scale]').disabled")
    assert frame.eval_on_selector("select[name=y-scale]", "e => e.value") == "linear"
    assert "always linear" in frame.get_attribute("select[name=y-scale]", "title")
    frame.wait_for_function(
        "svg => Array.from(svg.querySelectorAll('.y-axis .tick text')).some(t => t.textContent === '100%')",
        arg=chart.element_handle(),
    )
    assert dashboard.errors == []


def test_hostile_layer_name_is_text_and_runs_nothing(dashboard):
    frame = dashboard.frame
    card = frame.locator(".run-card[data-run='hostile/train']")
    assert HOSTILE_LAYER in card.locator(".latest-table").inner_text()
    assert HOSTILE_LAYER in card.locator(".legend").first.inner_text()
    card.locator("details.term-details summary").click()
    # The description has no `Name(args)`: the cell shows a dash, its title the whole text.
    regularizer = card.locator(".details-table tbody tr td").nth(4)
    assert regularizer.get_attribute("title") == f"L2 on {HOSTILE_LAYER}"
    assert frame.locator("img").count() == 0
    assert frame.evaluate("window.__xss") is None
    assert dashboard.page.evaluate("window.__xss") is None
    assert dashboard.errors == []


def test_hostile_run_names_are_text_and_run_nothing(dashboard):
    frame = dashboard.frame
    cards = frame.evaluate(
        "Array.from(document.querySelectorAll('.run-card'), c => [c.dataset.run, c.querySelector('h2').textContent])")
    titles = dict(cards)
    term = HOSTILE_TERM[len("regloss/penalty/"):]
    for run in HOSTILE_RUNS:
        assert run in titles, (run, list(titles))
        assert run in titles[run]
        card = frame.locator(".run-card").nth([name for name, _ in cards].index(run))
        card.scroll_into_view_if_needed()  # Cards off screen are drawn when they come into view.
        card.locator("path[data-series]").first.wait_for(state="attached")
        assert term in card.locator(".latest-table").inner_text()
    # The filter takes a hostile name as text too.
    frame.fill("input[name=run-filter]", "名前")
    frame.wait_for_function("document.querySelectorAll('.run-card').length === 1")
    frame.fill("input[name=run-filter]", "")
    assert frame.locator("svg[onload], img, b").count() == 0
    assert frame.evaluate("window.__xss") is None
    assert dashboard.page.evaluate("window.__xss") is None
    assert dashboard.errors == []


def test_term_details_show_regularizer_and_factor(dashboard):
    card = dashboard.frame.locator(".run-card[data-run='exp1/train']")
    card.locator("details.term-details summary").click()
    row = card.locator(".details-table tbody tr[data-key='penalty/dense/kernel'] td")
    row.first.wait_for()  # Filled when the run's breakdown has arrived.
    assert row.all_inner_texts()[3:] == ["–", "L1L2(l1=0.0, l2=0.001)", "l1=0.0, l2=0.001"]
    assert dashboard.errors == []


def test_legend_click_hides_and_shows_a_term(dashboard):
    frame = dashboard.frame
    entry = frame.locator(".run-card[data-run='exp1/train'] .legend-entry[data-key='penalty/conv/kernel']")
    entry.click()
    frame.wait_for_function("!document.querySelector('path[data-series=\"penalty/conv/kernel\"]')")
    assert entry.get_attribute("aria-pressed") == "false"
    entry.click()
    frame.wait_for_selector("path[data-series='penalty/conv/kernel']")
    assert dashboard.errors == []


def test_compact_legend_expands_and_keeps_hidden_entries_in_view(dashboard):
    frame = dashboard.frame
    card = frame.locator(".run-card[data-run='deep/train']")
    card.scroll_into_view_if_needed()  # Cards off screen are drawn when they come into view.
    card.locator("path[data-series='data']").wait_for(state="attached")
    legend = card.locator(".legend").first
    keys = 1 + 20  # the data loss and 20 activity terms
    more = legend.locator("button.legend-more")
    assert more.inner_text() == f"+{keys - 16} more"
    assert more.get_attribute("aria-expanded") == "false"
    assert legend.locator(".legend-entry:visible").count() == 16
    # Ranked last at the last step (the smallest term), block_00 starts folded away.
    last = legend.locator(".legend-entry[data-key='penalty/tower/block_00/activity']")
    assert not last.is_visible()
    more.click()
    assert more.inner_text() == "Show fewer" and more.get_attribute("aria-expanded") == "true"
    assert legend.locator(".legend-entry:visible").count() == keys
    last.click()
    frame.wait_for_function("!document.querySelector('path[data-series=\"penalty/tower/block_00/activity\"]')")
    more.click()
    # Hidden, it stays in view while collapsed so it can be shown again.
    assert last.is_visible() and last.get_attribute("aria-pressed") == "false"
    assert legend.locator(".legend-entry:visible").count() == 17
    last.click()
    frame.wait_for_selector("path[data-series='penalty/tower/block_00/activity']")
    # Shown again, it stays under the pointer until the list is next expanded or folded.
    assert last.is_visible() and last.get_attribute("aria-pressed") == "true"
    more.click()
    more.click()
    assert not last.is_visible()
    dashboard.screenshot("legend.png")
    assert dashboard.errors == []


def test_run_filter(dashboard):
    frame = dashboard.frame
    frame.fill("input[name=run-filter]", "validation")
    frame.wait_for_function("document.querySelectorAll('.run-card').length === 1")
    assert dashboard.chart("exp1/validation").count() == 1
    frame.fill("input[name=run-filter]", "")
    every_run = len(demo_runs())
    frame.wait_for_function(f"document.querySelectorAll('.run-card').length === {every_run}")
    frame.fill("input[name=run-filter]", "(")
    assert frame.get_attribute("input[name=run-filter]", "aria-invalid") == "true"
    assert frame.locator(".run-card").count() == every_run
    assert dashboard.errors == []


def test_dark_mode_follows_tensorboard(open_dashboard):
    dashboard = open_dashboard("?darkMode=true")
    assert dashboard.page.evaluate("document.body.classList.contains('dark-mode')")
    dashboard.frame.wait_for_function("document.documentElement.classList.contains('dark')")
    dashboard.screenshot("dark.png")
    assert dashboard.errors == []
