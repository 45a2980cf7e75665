"""End to end: the Dynamics section of a run card, against a real `tensorboard`.

The logdir holds a run with dynamics series for MobileNetV2's 53 kernels
(frontend/test/fixtures/mobilenet_v2_keys.json) and a hostile key, written with
`tf.summary` as RegLossCallback(dynamics=True) writes them (every quantity of
every weight at the steps of the composition series), and a run without
dynamics. Screenshots at 1,400 and 900 px, light and dark, go to test-artifacts/.
"""

import json
import math
import struct
import xml.etree.ElementTree as ET

import pytest

from conftest import ARTIFACTS, REPO, running_tensorboard
from plugin_runs import write_regloss_runs

from tb_regloss import tags

STEPS = 30
HOSTILE = """<img src=x onerror=window.__xss=5>"q'ü🚀"""
KEYS = json.loads((REPO / "frontend" / "test" / "fixtures" / "mobilenet_v2_keys.json").read_text())["keys"] + [
    f"{HOSTILE}/kernel"
]
# The equilibrium angle of every weight but the classifier's (the theory does not apply there).
EQUILIBRIUM = 0.02
SVG_NS = "{http://www.w3.org/2000/svg}"
DYN_RUN = "mbv2/train"
PLAIN_RUN = "plain/train"


def _ratio(i, step):
    """Decay ratio of weight i: from 10^-1.5 (first key) to 10^1.5 (last), growing 2× over the run."""
    return 10 ** (3 * i / (len(KEYS) - 1) - 1.5) * (1 + step / STEPS)


def _dynamics_run():
    series = {}

    def add(tag, step, value):
        series.setdefault(tag, []).append((step, value))

    for step in range(STEPS):
        data = 2.0 * 0.9**step + 0.3
        add("regloss/data", step, data)
        add("regloss/total", step, data + 0.1)
        add("regloss/penalty/Conv1/kernel", step, 0.1)
        for i, key in enumerate(KEYS):
            w = 10.0 + 0.1 * i
            angle = EQUILIBRIUM * (1 + 2 * math.exp(-step / 6)) * (1 + 0.01 * i)
            loss = 1.0 + 0.1 * i
            values = {
                "weight_norm": w,
                "update_norm": w * angle,
                "angular_update": angle,
                "angular_equilibrium": EQUILIBRIUM,
                "penalty_grad_norm": _ratio(i, step) * loss,
                "loss_grad_norm": loss,
                "decay_ratio": _ratio(i, step),
            }
            if key.startswith("predictions"):
                del values["angular_equilibrium"]
            for quantity, value in values.items():
                add(tags.dynamics_tag(quantity, key), step, value)
    return series


def _plain_run():
    return {
        "regloss/data": [(s, 1.0) for s in range(STEPS)],
        "regloss/total": [(s, 1.1) for s in range(STEPS)],
        "regloss/penalty/d/kernel": [(s, 0.1) for s in range(STEPS)],
    }


DESCRIPTIONS = {
    tags.dynamics_tag("angular_equilibrium", key): "AdamW: √(2ηλ(1−β1)/(1+β1)) with η = 0.001, λ = weight_decay = 0.004, β1 = 0.9"
    for key in KEYS
}


@pytest.fixture(scope="module")
def dynamics_url(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("dynamics_logdir")
    write_regloss_runs(logdir, {DYN_RUN: _dynamics_run(), PLAIN_RUN: _plain_run()}, DESCRIPTIONS)
    with running_tensorboard(logdir) as base:
        yield base


@pytest.fixture
def open_dyn(new_dashboard, dynamics_url):
    def open_(width=1400, query="", height=1000):
        d = new_dashboard(width, height)
        d.requests = []
        d.page.on("request", lambda r: d.requests.append(r.url))
        return d.open(dynamics_url, query)

    return open_


def _section(d, run=DYN_RUN):
    card = d.frame.locator(f".run-card[data-run='{run}']")
    card.scroll_into_view_if_needed()
    card.locator("path[data-series]").first.wait_for(state="attached")
    return card.locator("details.dynamics")


def _open(d):
    section = _section(d)
    section.locator("summary").click()
    section.locator(".angle-panel").first.wait_for(state="attached")
    return section


def _dynamics_requests(d):
    return [u for u in d.requests if "/data/plugin/regloss/dynamics" in u]


def test_the_section_is_there_only_for_runs_with_dynamics_and_loads_when_opened(open_dyn):
    d = open_dyn()
    assert _section(d, PLAIN_RUN).is_hidden()
    section = _section(d)
    assert section.is_visible()
    assert section.get_attribute("open") is None
    assert section.locator("summary").inner_text() == "Dynamics: what weight decay does to each layer"
    # The composition route never carries the dynamics series; they are fetched on opening only.
    assert _dynamics_requests(d) == []
    _open(d)
    assert len(_dynamics_requests(d)) == 1
    assert d.errors == []


def test_heatmap_panels_and_bars_draw_with_names_as_text(open_dyn):
    d = open_dyn()
    section = _open(d)
    canvas = section.locator(".ratio-heatmap canvas")
    assert canvas.evaluate("c => [c.width, c.height]") == [STEPS, len(KEYS)]
    # Pixels are painted, opaque: the first row (the hostile key sorts first) is the strongest decay, red.
    rgba = canvas.evaluate("c => Array.from(c.getContext('2d').getImageData(STEPS_LAST, 0, 1, 1).data)".replace("STEPS_LAST", str(STEPS - 1)))
    assert rgba[3] == 255 and rgba[0] > rgba[2]
    labels = [t.strip() for t in section.locator(".heatmap-label").all_inner_texts()]
    assert labels[0] == f"{HOSTILE}/kernel" and len(labels) == len(KEYS)
    key = section.locator(".heatmap-key").inner_text().split()
    assert key == ["0.01", "100"]
    assert "1 = decay as strong as the data" in section.locator(".ratio-note").inner_text()
    panels = section.locator(".angle-panel")
    assert panels.count() == 12
    assert all(d_ for d_ in section.locator(".angle-measured").evaluate_all("els => els.map(e => e.getAttribute('d'))"))
    assert "the 12 groups of 54 that rotate most" in section.locator(".dynamics-caption").inner_text()
    assert section.locator(".dynamics-note").inner_text().startswith("Equilibrium: AdamW: √(2ηλ(1−β1)/(1+β1))")
    bars = [t.strip() for t in section.locator(".bar-row:visible .bar-name").all_inner_texts()]
    assert bars[0] == f"{HOSTILE}/kernel" and len(bars) == 20
    # The log angle axis: the equilibrium, 1.15°, and the largest early angle, 5.3°, within one decade.
    section.locator("select[name=dynamics-angle-scale]").select_option("log")
    ticks = section.locator(".angle-panel").first.locator(".axis").first.locator("text").all_text_contents()
    assert ticks == ["2°", "5°"]
    assert all(section.locator(".angle-measured").evaluate_all("els => els.map(e => e.getAttribute('d'))"))
    assert d.frame.locator("img").count() == 0
    assert d.frame.evaluate("window.__xss") is None
    assert d.errors == []


def test_hover_names_group_step_and_value_and_moves_the_bars(open_dyn):
    d = open_dyn()
    section = _open(d)
    canvas = section.locator(".ratio-heatmap canvas")
    box = canvas.bounding_box()
    d.page.mouse.move(box["x"] + 1, box["y"] + 3)
    readout = section.locator(".ratio-heatmap .heatmap-readout").inner_text()
    assert readout.startswith(f"{HOSTILE}/kernel · step 0: ratio 31.62 (decay 31.6× stronger than the data)")
    assert section.locator(".bars-heading").inner_text().startswith("decay ratio (‖∇ decay‖ ÷ ‖∇ data‖) at step 0")
    # The panels follow the heatmap's step with their rule.
    assert section.locator(".hover-rule[visibility=visible]").count() == 12
    d.page.mouse.move(box["x"] + box["width"] - 1, box["y"] + 3)
    assert section.locator(".bars-heading").inner_text().endswith(f"at step {STEPS - 1}, largest first")
    section.locator(".angle-panel .overlay").first.hover(position={"x": 1, "y": 40})
    assert section.locator(".angle-readout").inner_text().endswith("(equilibrium 1.146°)")
    assert section.locator(".hover-rule[visibility=visible]").count() == 12
    assert section.locator(".bars-heading").inner_text().startswith("decay ratio (‖∇ decay‖ ÷ ‖∇ data‖) at step 0,")
    # Choosing another quantity moves the pointer off the panels: the bars are back at the last step.
    section.locator("select[name=dynamics-quantity]").select_option("equilibrium_ratio")
    assert section.locator(".bars-heading").inner_text() == f"angular update ÷ equilibrium at step {STEPS - 1}, largest first"
    assert d.errors == []


def test_grouping_by_block_combines_the_weights(open_dyn):
    d = open_dyn()
    section = _open(d)
    d.frame.select_option("select[name=grouping]", "block")
    d.frame.wait_for_function("document.querySelectorAll('details.dynamics .heatmap-label').length < 30")
    labels = [t.strip() for t in section.locator(".heatmap-label").all_inner_texts()]
    assert "block_1" in labels and "block_16" in labels and HOSTILE in labels
    assert labels.index("block_2") < labels.index("block_10")
    assert d.errors == []


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_exports_are_valid_images_and_data(open_dyn, tmp_path):
    d = open_dyn()
    section = _open(d)
    with d.page.expect_download() as svg_download:
        section.locator(".dynamics-head button", has_text="SVG").click()
    assert svg_download.value.suggested_filename == "regloss-mbv2_train-dynamics-angles.svg"
    path = tmp_path / "angles.svg"
    svg_download.value.save_as(path)
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG_NS}svg"
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert texts[0] == f"Angular update against its equilibrium — {DYN_RUN}"
    assert "predicted equilibrium (dashed)" in texts
    dashed = [e for e in root.iter(f"{SVG_NS}path") if e.get("class") == "angle-equilibrium"]
    assert len(dashed) == 12 and all(e.get("stroke-dasharray") == "5 3" for e in dashed)
    assert not [e for e in root.iter() if e.get("class") in ("overlay", "hover-rule")]

    with d.page.expect_download() as png_download:
        section.locator(".dynamics-head button", has_text="PNG").click()
    png = tmp_path / "angles.png"
    png_download.value.save_as(png)
    # Twice the SVG's size: sharp on slides.
    assert _png_size(png.read_bytes()) == (2 * int(root.get("width")), 2 * int(root.get("height")))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "dynamics-angles.png").write_bytes(png.read_bytes())

    with d.page.expect_download() as csv_download:
        section.locator(".dynamics-head button", has_text="CSV").click()
    csv = tmp_path / "dynamics.csv"
    csv_download.value.save_as(csv)
    lines = csv.read_text().splitlines()
    # CSV quoting of the hostile key: the cell in quotes, its quotes doubled.
    assert lines[0].startswith('step,wall_time,"weight_norm/' + HOSTILE.replace('"', '""') + '/kernel",weight_norm/Conv1/kernel,')
    assert len(lines) == STEPS + 1
    with d.page.expect_download() as json_download:
        section.locator(".dynamics-head button", has_text="JSON").click()
    body = json.loads(open(json_download.value.path()).read())
    assert body["run"] == DYN_RUN and len(body["series"]) == 7 * len(KEYS) - 1
    assert d.errors == []


@pytest.mark.parametrize("width", [1400, 900])
@pytest.mark.parametrize("dark", [False, True])
def test_screenshots_light_and_dark(open_dyn, width, dark):
    # Tall enough for the whole section: an element screenshot is cut at the plugin iframe's viewport.
    d = open_dyn(width, "?darkMode=true" if dark else "", height=2400)
    if dark:
        d.frame.wait_for_function("document.documentElement.classList.contains('dark')")
    section = _open(d)
    title = section.locator(".panel-title").first.evaluate("e => getComputedStyle(e).fill")
    assert title == ("rgb(224, 224, 224)" if dark else "rgb(33, 33, 33)")
    # The panels fit the card: no horizontal overflow at either width, and no panel title runs into the next panel.
    assert section.evaluate("s => s.scrollWidth <= s.clientWidth + 1")
    overlaps = section.evaluate("""s => {
      const boxes = Array.from(s.querySelectorAll('.panel-title'), t => t.getBoundingClientRect());
      return boxes.filter((a, i) => boxes.some((b, j) => i !== j && Math.abs(a.top - b.top) < 2 && a.left < b.left && a.right > b.left)).length;
    }""")
    assert overlaps == 0
    ARTIFACTS.mkdir(exist_ok=True)
    section.screenshot(path=str(ARTIFACTS / f"dynamics-{width}{'-dark' if dark else ''}.png"))
    assert d.errors == []
