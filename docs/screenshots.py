"""Re-takes the README's images from the demo: ``python docs/screenshots.py``.

Serves the demo's logdir (``runs/demo``, trained first with ``python -m demo
--no-serve`` when it holds no runs) with a real TensorBoard, opens the Loss
composition dashboard in Debian's headless chromium (the browser the browser
tests use) and saves one PNG per entry of ``SHOTS`` into ``docs/``, so the
images show what a user of the current dashboard sees after the demo.
"""

import argparse
import json
import os
import pathlib
import socket
import sys
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "browser")]

# (file in docs/, runs shown: the dashboard's run filter, a regular expression, what it shows).
SHOTS = [
    ("dashboard.png", r"^(cnn_l2_1e-3|cnn_adamw|mobilenet_v2)/train$",
     "the CNN's kernel, activity and add_loss terms, AdamW's decoupled decay, MobileNetV2's kernels"),
    ("validation.png", r"^(d2l_wd0|d2l_wd3|mobilenet_v2)/validation$",
     "validation: Dive into Deep Learning without and with decay, and MobileNetV2"),
    ("sweep.png", r"^cnn_l2_",
     "Compare runs on the CNN's L2 sweep: data loss of the four runs, training and validation, "
     "the sweep plot of validation data loss against l2 (a point hovered), and the sweep table"),
    ("dynamics.png", r"^equilibrium_sgdm/train$",
     "the decay dynamics of the normalized CNN under SGD with momentum: decay-ratio heatmap, "
     "angular updates meeting their equilibrium, ranked bars"),
]
# Shots of the "Compare runs" section alone, opened, a point of its sweep plot hovered.
COMPARED = {"sweep.png"}
# The sweep point hovered: the trial the sweep reads best at.
SWEEP_POINT = "cnn_l2_1e-3"
# Shots of a card's Dynamics section alone, opened, a panel hovered.
DYNAMICS = {"dynamics.png"}
VIEWPORT = {"width": 1400, "height": 1000}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_runs(logdir):
    return logdir.is_dir() and any(logdir.glob("*/train"))


def wait_for_regloss_data(url, timeout_s=120):
    """Waits until TensorBoard has loaded the logdir far enough to enable the dashboard."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/data/plugins_listing", timeout=5) as response:
                if json.load(response).get("regloss", {}).get("enabled"):
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"TensorBoard at {url} found no tb-regloss data in {timeout_s} s.")


def plugin_frame(page, timeout_s=60):
    """The dashboard's iframe, once TensorBoard has created it."""
    deadline = time.monotonic() + timeout_s
    while True:
        frame = next((f for f in page.frames if "plugin_entry.html" in f.url), None)
        if frame is not None:
            return frame
        if time.monotonic() > deadline:
            raise SystemExit("The Loss composition dashboard never appeared: is tb-regloss installed?")
        page.wait_for_timeout(200)


def show_runs(frame, run_filter):
    """Filters the runs and waits until every card on screen has drawn its chart (those below are drawn on scroll)."""
    frame.fill("input[name=run-filter]", run_filter)
    frame.wait_for_function(
        """() => {
            const cards = [...document.querySelectorAll('.run-card')];
            return cards.length > 0 && cards[0].querySelector('path[data-series]') && cards.every(
                c => c.getBoundingClientRect().top > window.innerHeight || c.querySelector('path[data-series]'));
        }""",
        timeout=60000,
    )
    frame.wait_for_timeout(500)  # the redraw after the last breakdown arrived


def open_comparison(frame):
    """Opens "Compare runs" (it stays open, as a user leaves it) and waits for its lines."""
    if frame.locator(".compare details").get_attribute("open") is None:
        frame.click(".compare summary")
    frame.wait_for_function("document.querySelectorAll('.compare path[data-run]').length > 1", timeout=60000)
    frame.wait_for_timeout(300)


def take_dynamics(frame, path):
    """Opens the first card's Dynamics section, hovers its last angle panel and saves the section.

    The card is shown alone in one column, as large as a reader would make it.
    """
    frame.select_option("select[name=layout]", "1")
    frame.wait_for_function("document.querySelector('.runs').className === 'runs layout-1'")
    section = frame.locator(".run-card details.dynamics").first
    section.locator("summary").click()
    section.locator(".angle-panel").first.wait_for(state="attached", timeout=60000)
    frame.wait_for_timeout(500)
    panel = section.locator(".angle-panel .overlay").last
    panel.scroll_into_view_if_needed()
    box = panel.bounding_box()
    panel.hover(position={"x": box["width"] * 0.8, "y": box["height"] / 2})
    frame.wait_for_timeout(300)
    section.screenshot(path=str(path))
    return path


def take(page, frame, name, run_filter, out_dir):
    show_runs(frame, run_filter)
    if name in DYNAMICS:
        return take_dynamics(frame, out_dir / name)
    if name in COMPARED:
        # Tall enough for the whole section: a screenshot that scrolled would move it from under the pointer.
        page.set_viewport_size({"width": VIEWPORT["width"], "height": 1500})
        open_comparison(frame)
        frame.wait_for_selector(f"[data-sweep-point='{SWEEP_POINT}']", timeout=60000)
        frame.locator(".compare").scroll_into_view_if_needed()
        frame.hover(f"[data-sweep-point='{SWEEP_POINT}']")
        frame.wait_for_selector(".sweep-tooltip:not([hidden])")
        frame.wait_for_timeout(300)
        path = out_dir / name
        frame.locator(".compare").screenshot(path=str(path))
        page.set_viewport_size(VIEWPORT)
        return path
    # Hovering a chart shows the tooltip, as a reader exploring a run sees it.
    chart = frame.locator(".run-card svg").first
    box = chart.bounding_box()
    chart.hover(position={"x": box["width"] * 0.7, "y": box["height"] * 0.45})
    frame.wait_for_timeout(300)
    path = out_dir / name
    page.screenshot(path=str(path))
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logdir", type=pathlib.Path, default=REPO / "runs" / "demo",
                        help="the demo's logdir (default runs/demo); trained first if it has no runs")
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "docs", help="where the PNGs go")
    args = parser.parse_args(argv)

    if not has_runs(args.logdir):
        from demo.__main__ import main as demo_main

        print(f"{args.logdir} has no runs: training the demo first.", flush=True)
        demo_main(["--no-serve", "--logdir", os.fspath(args.logdir)])

    from playwright.sync_api import sync_playwright

    from chromium import launch
    from demo.serve import start_tensorboard

    url = start_tensorboard(args.logdir, free_port(), host="127.0.0.1")
    wait_for_regloss_data(url)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{url}/#regloss")
        frame = plugin_frame(page)
        for name, run_filter, shows in SHOTS:
            print(f"{take(page, frame, name, run_filter, args.out)}: {shows}", flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
