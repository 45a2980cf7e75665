"""End to end: the run cards read at a glance — legends per chart, honest tooltip and tables,
image export, axes and layout — in headless chromium against a real tensorboard."""

import re
import struct
import xml.etree.ElementTree as ET

from conftest import ARTIFACTS, BROKEN_WORDS, HOSTILE_LAYER

SVG_NS = "{http://www.w3.org/2000/svg}"
SI_SUFFIX = re.compile(r"[0-9][yzafpnµmkMGTPEZY]$")


def _card(dashboard, run):
    card = dashboard.frame.locator(f".run-card[data-run='{run}']")
    card.scroll_into_view_if_needed()  # Cards off screen are drawn when they come into view.
    card.locator("path[data-series]").first.wait_for(state="attached")
    return card


def test_each_chart_has_a_legend_of_its_own_bands_in_their_colors(dashboard):
    card = _card(dashboard, "exp1/train")
    main, decoupled = card.locator(".legend").nth(0), card.locator(".legend").nth(1)
    bands = card.locator(".chart").first.evaluate(
        "c => Object.fromEntries(Array.from(c.querySelectorAll('path[data-series]'),"
        " p => [p.dataset.series, getComputedStyle(p).fill]))")
    entries = main.evaluate(
        "l => Array.from(l.querySelectorAll('.legend-entry'), e => [e.dataset.key,"
        " getComputedStyle(e.querySelector('.swatch')).backgroundColor])")
    assert dict(entries) == bands
    # Ranked at the last step: the data loss, then the largest penalty.
    labels = main.locator(".legend-label").all_inner_texts()
    assert labels[:2] == ["data loss", "dense/kernel"], labels
    assert all(not label.startswith(("penalty/", "layer:", "kind:")) for label in labels)
    assert main.locator(".legend-entry[data-key='penalty/dense/activity'] .legend-kind").inner_text() == "activity"
    assert decoupled.locator(".legend-entry").all_inner_texts() == [
        decoupled.locator(".legend-entry").first.inner_text()]
    assert decoupled.locator(".legend-kind").inner_text() == "decoupled"
    # Stacked by size: the largest penalty sits on the data loss.
    assert list(bands)[:2] == ["data", "penalty/dense/kernel"]
    assert dashboard.errors == []


def test_by_kind_names_each_kind_once_per_legend(dashboard):
    frame = dashboard.frame
    frame.select_option("select[name=grouping]", "kind")
    card = _card(dashboard, "exp1/train")
    card.locator("path[data-series='kind:kernel']").wait_for(state="attached")
    for legend in card.locator(".legend").all():
        labels = legend.locator(".legend-label").all_inner_texts()
        assert len(labels) == len(set(labels)), labels
    assert card.locator(".legend").nth(1).locator(".legend-entry").inner_text().startswith("kernel")
    assert dashboard.errors == []


def test_hover_ranks_the_legend_and_the_tooltip_shows_raw_and_smoothed(dashboard):
    card = _card(dashboard, "exp1/train")
    legend = card.locator(".legend").first
    at_last = legend.locator(".legend-value").all_inner_texts()
    box = card.locator("rect.overlay").first.bounding_box()
    dashboard.page.mouse.move(box["x"] + 2, box["y"] + box["height"] * 0.5)
    tooltip = card.locator(".chart .tooltip").first
    tooltip.wait_for(state="visible")
    header = tooltip.locator(".tooltip-columns")
    assert header.is_visible()
    assert header.inner_text().split() == ["Smoothed", "Raw", "Share"]
    # At step 0 the smoothed value is the raw one (debiased EMA); further on they differ.
    dashboard.page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    dashboard.frame.wait_for_function(
        "t => !t.querySelector('.tooltip-header').textContent.endsWith(' 0')", arg=tooltip.element_handle())
    data = tooltip.locator(".tooltip-row", has_text="data loss")
    smoothed, raw = data.locator(".tooltip-value").inner_text(), data.locator(".tooltip-raw").inner_text()
    assert smoothed != raw, (smoothed, raw)
    # The legend shows the recorded value, the tooltip's raw one: smoothing only draws.
    assert legend.locator(".legend-entry[data-key='data'] .legend-value").inner_text() == raw
    assert legend.locator(".legend-value").all_inner_texts() != at_last
    dashboard.screenshot("cards-hover.png")
    dashboard.page.mouse.move(0, 0)
    dashboard.frame.wait_for_function(
        "([l, v]) => l.querySelector('.legend-value').textContent === v", arg=[legend.element_handle(), at_last[0]])
    assert dashboard.errors == []


def test_without_smoothing_the_tooltip_has_one_value_column(dashboard):
    frame = dashboard.frame
    frame.fill("input[name=smoothing]", "0")
    frame.dispatch_event("input[name=smoothing]", "input")
    card = _card(dashboard, "exp1/train")
    box = card.locator("rect.overlay").first.bounding_box()
    dashboard.page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    tooltip = card.locator(".chart .tooltip").first
    tooltip.wait_for(state="visible")
    assert not tooltip.locator(".tooltip-columns").is_visible()
    assert not tooltip.locator(".tooltip-raw").first.is_visible()
    assert dashboard.errors == []


def test_tables_list_decoupled_terms_and_the_decoupled_chart_says_what_it_is(dashboard):
    card = _card(dashboard, "exp1/train")
    row = card.locator(".latest-table tbody tr[data-key='decoupled/conv/kernel']")
    assert row.locator("th").inner_text().split() == ["conv/kernel", "decoupled"]
    assert row.locator("td").all_inner_texts()[1:] == ["–", "–"]
    note = card.locator(".decoupled-note").inner_text()
    assert "(wd/2)·Σw²" in note and "plain SGD" in note
    assert dashboard.errors == []


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_charts_save_as_standalone_svg_and_png_with_names_as_text(dashboard, tmp_path):
    card = _card(dashboard, "hostile/train")
    with dashboard.page.expect_download() as svg_download:
        card.locator("header button", has_text="SVG").click()
    assert svg_download.value.suggested_filename == "regloss-hostile_train.svg"
    path = tmp_path / "chart.svg"
    svg_download.value.save_as(path)
    root = ET.parse(path).getroot()  # well-formed XML, or this raises
    assert root.tag == f"{SVG_NS}svg"
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert texts[0] == "Loss composition — hostile/train"
    assert f"{HOSTILE_LAYER}/kernel (kernel)" in texts
    assert not [e for e in root.iter() if not e.tag.startswith(SVG_NS)], "only SVG elements"
    bands = [e for e in root.iter(f"{SVG_NS}path") if e.get("data-series")]
    assert len(bands) == 2 and all("fill:" in (e.get("style") or "") for e in bands)
    assert not root.iter(f"{SVG_NS}rect").__next__().get("class")  # the background, not the hover overlay
    assert not [e for e in root.iter() if e.get("class") in ("overlay", "hover-rule")]

    with dashboard.page.expect_download() as png_download:
        card.locator("header button", has_text="PNG").click()
    assert png_download.value.suggested_filename == "regloss-hostile_train.png"
    png = tmp_path / "chart.png"
    png_download.value.save_as(png)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "cards-export-hostile.png").write_bytes(png.read_bytes())  # to look at
    width, height = _png_size(png.read_bytes())
    assert (width, height) == (2 * int(root.get("width")), 2 * int(root.get("height")))
    assert dashboard.frame.evaluate("window.__xss") is None
    assert dashboard.errors == []


def test_decoupled_chart_saves_with_its_own_title(dashboard, tmp_path):
    card = _card(dashboard, "exp1/train")
    with dashboard.page.expect_download() as main_png:
        card.locator("header button", has_text="PNG").click()
    ARTIFACTS.mkdir(exist_ok=True)
    main_png.value.save_as(ARTIFACTS / "cards-export-exp1.png")  # to look at
    with dashboard.page.expect_download() as download:
        card.locator(".decoupled button", has_text="SVG").click()
    assert download.value.suggested_filename == "regloss-exp1_train-decoupled.svg"
    path = tmp_path / "decoupled.svg"
    download.value.save_as(path)
    texts = [t.text for t in ET.parse(path).getroot().iter(f"{SVG_NS}text")]
    assert texts[0] == "Decoupled weight decay — exp1/train"
    assert "conv/kernel (decoupled)" in texts
    assert dashboard.errors == []


def test_axes_label_losses_without_si_prefixes_and_wall_time_with_one_date(dashboard):
    frame = dashboard.frame
    for run in ("exp1/train", "deep/train"):
        labels = _card(dashboard, run).locator(".chart").first.locator(".y-axis .tick text").all_text_contents()
        assert labels and not [t for t in labels if SI_SUFFIX.search(t)], labels
    frame.select_option("select[name=x-axis]", "wall")
    card = _card(dashboard, "exp1/train")
    axis = card.locator(".chart").first.locator(".x-axis")
    frame.wait_for_function(
        "a => /^[A-Z][a-z]{2} \\d\\d /.test(a.querySelector('.tick text').textContent)", arg=axis.element_handle())
    labels = axis.locator(".tick text").all_text_contents()
    assert re.match(r"^[A-Z][a-z]{2} \d\d \d\d:\d\d$", labels[0]), labels
    assert all(re.match(r"^\d\d:\d\d(:\d\d)?$", t) for t in labels[1:]), labels
    assert dashboard.errors == []




def test_three_columns_at_900_px_break_no_word_in_the_tables(dashboard):
    page, frame = dashboard.page, dashboard.frame
    page.set_viewport_size({"width": 900, "height": 1000})
    frame.select_option("select[name=layout]", "3")
    frame.wait_for_function("document.querySelector('.runs').className === 'runs layout-3'")
    card = _card(dashboard, "exp1/train")
    card.locator("details.term-details summary").click()
    card.locator(".details-table tbody tr").first.wait_for()
    columns = frame.evaluate("getComputedStyle(document.querySelector('.runs')).gridTemplateColumns.split(' ').length")
    assert columns == 3
    broken = card.locator("table").evaluate_all(BROKEN_WORDS)
    assert broken == []
    dashboard.screenshot("cards-900-3col.png")
    assert dashboard.errors == []


def test_focus_shows_one_run_large_and_layout_brings_the_others_back(dashboard):
    frame = dashboard.frame
    runs = frame.locator(".run-card").count()
    _card(dashboard, "exp1/validation").locator("button.focus").click()
    frame.wait_for_function("document.querySelectorAll('.run-card').length === 1")
    card = _card(dashboard, "exp1/validation")
    svg = card.locator(".chart svg").first
    assert svg.get_attribute("height") == "420"
    assert float(svg.get_attribute("width")) > 1200
    assert frame.eval_on_selector("select[name=layout]", "e => e.value") == "focus"
    dashboard.screenshot("cards-focus.png")
    frame.select_option("select[name=focus-run]", "exp1/train")
    frame.wait_for_selector(".run-card[data-run='exp1/train']")
    assert frame.locator(".run-card").count() == 1
    frame.select_option("select[name=layout]", "2")
    frame.wait_for_function(f"document.querySelectorAll('.run-card').length === {runs}")
    assert frame.evaluate(
        "getComputedStyle(document.querySelector('.runs')).gridTemplateColumns.split(' ').length") == 2
    assert dashboard.errors == []


def test_screenshots_at_1400_and_900_px(dashboard):
    """Pictures to look at: the cards as a new user finds them."""
    dashboard.screenshot("cards-1400.png")
    dashboard.page.set_viewport_size({"width": 900, "height": 1000})
    dashboard.page.wait_for_timeout(300)
    dashboard.screenshot("cards-900.png")
    assert dashboard.errors == []
