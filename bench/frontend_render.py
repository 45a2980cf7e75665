"""Frontend performance in headless chromium: first render, heatmap, tooltip updates and the run comparison.

Loads the shipped bundle (tb_regloss/plugin/static/index.js) in Debian's chromium,
answers its `runs` / `breakdowns` requests with a synthetic run of TERMS penalty
terms x POINTS steps, and reads the app's own performance measures:

- ``regloss:render``: one full draw with the data (views, stacking, paths, DOM,
  and from 30 terms the many-terms view: ranked bars and heatmap);
- ``regloss:heatmap``: the heatmap alone (cells, pixels, canvas), inside the render;
- ``regloss:hover``: one tooltip update (rule moved, tooltip refilled, bars re-ranked);
- ``regloss:compare``: the run comparison's draw, in a second page of
  ``--compare-runs`` runs (a sweep, train and validation), once all lines are in,
  and ``regloss:sweep``, the sweep plot's part of it (one point per trial);

- with ``--sweep N``, instead of all the above: a sweep of N trials (2N runs,
  train and validation, of ``--sweep-terms`` penalty terms x ``--points``
  steps each, the sweep route's figures and the trials' hyperparameters)
  loaded as TensorBoard serves it (float32 breakdowns, one request), in two
  fresh pages, Compare runs folded (a first visit) and open: the number of
  DOM nodes 5 s after load (``document.getElementsByTagName('*').length``;
  cards are drawn when scrolled near), the time from the breakdowns' answer
  arriving (its resource timing ``responseEnd``) to the first chart in the
  document and to its paint, ``regloss:render`` at its largest, and with
  Compare open ``regloss:compare`` and ``regloss:sweep``, the sweep plot;

- with ``--dynamics N``, instead of all the above: the Dynamics section of a
  run with N weights (7 × N series) opened in a fresh page,
  ``regloss:dynamics-heatmap`` (the decay-ratio heatmap alone: cells, pixels,
  canvas) and ``regloss:dynamics`` (the whole section: grouping, heatmap, angle
  panels, bars), against the same plain-canvas baseline as the heatmap;

plus the draw including the next paint, the main-thread time of every frame
while hovering (from a Chromium trace: the rAF callback with the tooltip update,
style, layout and paint), and a baseline measured in the same page: the same
number of SVG paths with every point, built by plain string concatenation (no
stacking, no decimation), so the ratio shows our overhead; and for the heatmap, the
same cells drawn the plain way on a canvas of the same size (one `fillRect` per
cell with its colour as a CSS string).

Each repetition starts a fresh browser (cold JIT, as a user's first visit); the
machine may be busy, so the figures are medians over the repetitions (hover:
median and p95 over all moves, max as measured, and the median of the
repetitions' maxima).

Usage: python bench/frontend_render.py [--terms 200] [--points 1000] [--moves 200] [--repeat 5]
                                       [--bundle path/to/index.js] [--dynamics 160 [--focus]]
                                       [--sweep 100 [--sweep-terms 36] --points 200]
Targets: render <= 150 ms (also at --terms 1000 with the many-terms view), heatmap of
1,000 terms x 1,000 steps <= 100 ms, tooltip update <= 16 ms (also at 1,000 terms),
dynamics heatmap of 160 weights x 1,000 steps <= 100 ms (first render, the section just opened);
a sweep of 100 trials (200 runs x 36 terms x 200 steps): <= 5,000 DOM nodes 5 s after load,
first chart <= 1 s after its data arrives, sweep plot <= 100 ms.
"""

import argparse
import array
import base64
import json
import math
import pathlib
import statistics
import sys
import tempfile
import urllib.parse

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "browser"))
from chromium import launch  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[1]
BUNDLE = REPO / "tb_regloss" / "plugin" / "static" / "index.js"
ORIGIN = "http://bench.invalid"
PAGE = """<!DOCTYPE html><head><base href="plugin/regloss/"></head>
<body><script type="module">import("./index.js").then((m) => m.render());</script></body>"""

# Collects every measure the app makes (it keeps only the latest in the timeline),
# and for the draw also the time until the next frame has been painted.
OBSERVER = """
window.__measures = {render: [], painted: [], hover: [], heatmap: []};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.name === "regloss:render") {
      window.__measures.render.push(e.duration);
      requestAnimationFrame(() => setTimeout(() =>
        window.__measures.painted.push(performance.now() - e.startTime)));
    } else if (e.name === "regloss:hover") {
      window.__measures.hover.push(e.duration);
    } else if (e.name === "regloss:heatmap") {
      window.__measures.heatmap.push(e.duration);
    }
  }
}).observe({type: "measure"});
"""

BASELINE = """([terms, points, width, height]) => {
  const t0 = performance.now();
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  for (let k = 0; k < terms; k++) {
    let d = "M0,0";
    for (let i = 0; i < points; i++) d += "L" + (i * width / points).toFixed(2) + "," + ((k * 7 + i) % height);
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.appendChild(path);
  }
  document.body.appendChild(svg);
  svg.getBoundingClientRect();
  const t = performance.now() - t0;
  svg.remove();
  return t;
}"""


# The heatmap the plain way, for the ratio: one fillRect per cell, the colour as a CSS string.
HEATMAP_BASELINE = """([rows, columns, width, height]) => {
  const t0 = performance.now();
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  document.body.appendChild(canvas);
  const ctx = canvas.getContext("2d");
  const w = width / columns, h = height / rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      ctx.fillStyle = `hsl(${(r * 7 + c) % 360}, 60%, 50%)`;
      ctx.fillRect(c * w, r * h, w, h);
    }
  }
  ctx.getImageData(0, 0, 1, 1);
  const t = performance.now() - t0;
  canvas.remove();
  return t;
}"""


def synthetic_breakdown(terms, points):
    steps = list(range(0, points * 10, 10))
    series = {"data": [2.0 * math.exp(-i / 300) + 0.3 for i in range(points)]}
    for k in range(terms):
        scale = 0.01 * (1 + (k * 37) % 17) / 17
        series[f"penalty/block{k // 4}/layer{k % 4}/kernel"] = [
            scale * (1 + 0.3 * math.sin(i / 50 + k)) for i in range(points)
        ]
    series["total"] = [sum(v[i] for v in series.values()) for i in range(points)]
    return {
        "run": "bench/train",
        "steps": steps,
        "wall_times": [1.7e9 + s for s in steps],
        "series": series,
        "descriptions": {},
    }


def percentile(values, q):
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def frame_times(trace_path):
    """Main-thread duration (ms) of every frame in a Chromium trace: rAF callbacks, style, layout, paint."""
    events = json.loads(pathlib.Path(trace_path).read_text())["traceEvents"]
    return [e["dur"] / 1000 for e in events if e.get("name") == "WebFrameWidgetImpl::BeginMainFrame" and "dur" in e]


def open_dashboard(p, route, init_script):
    """A fresh browser with the dashboard page loading, ``init_script`` run before the bundle."""
    browser = launch(p)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(init_script)
    page.route(f"{ORIGIN}/**", route)
    page.goto(ORIGIN + "/")
    return browser, page


def measure_once(p, route, args):
    """One fresh browser: first render, its paint, the baseline, and `moves` hover updates."""
    browser, page = open_dashboard(p, route, OBSERVER)
    try:
        page.wait_for_selector("path[data-series]", timeout=60000)
        page.wait_for_function("window.__measures.painted.length >= 2")
        areas = page.locator("path[data-series]").count()
        m = page.evaluate("window.__measures")
        render = max(m["render"])  # the first draw is the empty "Loading…" one
        painted = max(m["painted"])
        heatmap = max(m["heatmap"], default=None)
        cells = page.evaluate(
            "(() => { const c = document.querySelector('.heatmap canvas');"
            " return c ? [c.height, c.width, c.clientWidth, c.clientHeight] : null; })()"
        )

        overlay = page.locator("rect.overlay").first
        overlay.scroll_into_view_if_needed()
        box = overlay.bounding_box()
        with tempfile.TemporaryDirectory() as tmp:
            trace = pathlib.Path(tmp) / "trace.json"
            browser.start_tracing(page=page, path=str(trace), categories=["devtools.timeline", "blink"])
            for i in range(args.moves):
                page.mouse.move(box["x"] + 2 + (box["width"] - 4) * i / args.moves, box["y"] + box["height"] / 2)
                page.evaluate("new Promise((r) => requestAnimationFrame(() => r()))")
            browser.stop_tracing()
            frames = frame_times(trace)
        hover = page.evaluate("window.__measures.hover")
        width = int(box["width"])
        baseline = statistics.median(
            page.evaluate(BASELINE, [args.terms + 1, args.points, width, 200]) for _ in range(5)
        )
        heatmap_baseline = page.evaluate(HEATMAP_BASELINE, cells) if cells else None
    finally:
        browser.close()
    return {"areas": areas, "width": width, "render": render, "painted": painted, "baseline": baseline,
            "hover": hover, "frames": frames, "heatmap": heatmap, "cells": cells, "heatmap_baseline": heatmap_baseline}


# The comparison section opened before the page loads (its state is kept in localStorage).
COMPARE_INIT = """localStorage.setItem("tb-regloss.compare.v1", JSON.stringify({open: true}));
window.__compare = [];
window.__sweep = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.name === "regloss:compare") window.__compare.push(e.duration);
    if (e.name === "regloss:sweep") window.__sweep.push(e.duration);
  }
}).observe({type: "measure"});"""


def compare_answers(runs, points):
    """A sweep of ``runs`` runs (train and validation alternating), each with 10 terms, their hparams and figures."""
    breakdowns = []
    for r in range(runs):
        b = synthetic_breakdown(10, points)
        b["run"] = f"sweep/wd_{r // 2}/{'train' if r % 2 == 0 else 'validation'}"
        breakdowns.append(b)
    return {
        "runs": json.dumps({"runs": [{"run": b["run"], "terms": list(b["series"]), "descriptions": {}}
                                     for b in breakdowns]}),
        "breakdowns": json.dumps({"breakdowns": breakdowns}),
        "hparams": json.dumps({"runs": [{"run": f"sweep/wd_{r}", "hparams": {"wd": r}} for r in range(runs // 2)]}),
        # The sweep plot's figures: one point per trial is drawn within the same measure.
        "sweep": json.dumps({"runs": [
            {"run": b["run"], "step": points - 1, "data": 1.0 + r / runs, "best_data": 0.5 + r / runs,
             "best_step": points // 2, "total": 1.5, "reg": 0.5}
            for r, b in enumerate(breakdowns)]}),
    }


def measure_compare(p, route, runs):
    """``(compare, sweep)``: the section's draw (``regloss:compare``) once all ``runs`` lines are in, in a fresh
    browser, and the sweep plot's part of it (``regloss:sweep``, one point per trial)."""
    browser, page = open_dashboard(p, route, COMPARE_INIT)
    try:
        page.wait_for_function(f"document.querySelectorAll('.compare path[data-run]').length === {runs}",
                               timeout=60000)
        page.wait_for_timeout(300)
        return max(page.evaluate("window.__compare")), max(page.evaluate("window.__sweep"))
    finally:
        browser.close()


DYNAMICS_QUANTITIES = ("weight_norm", "update_norm", "angular_update", "angular_equilibrium",
                       "penalty_grad_norm", "loss_grad_norm", "decay_ratio")

DYNAMICS_INIT = """window.__dynamics = {heatmap: [], section: []};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.name === "regloss:dynamics-heatmap") window.__dynamics.heatmap.push(e.duration);
    else if (e.name === "regloss:dynamics") window.__dynamics.section.push(e.duration);
  }
}).observe({type: "measure"});"""


def _float32(values):
    packed = array.array("f", values)
    if sys.byteorder != "little":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def synthetic_dynamics(weights, points):
    """The ``dynamics`` answer (float32, as the dashboard asks) of ``weights`` weights in blocks of 4, every quantity."""
    steps = list(range(0, points * 10, 10))
    series = {}
    for k in range(weights):
        key = f"block{k // 4}/layer{k % 4}/kernel"
        ratio = [10 ** (3 * k / max(1, weights - 1) - 1.5) * (1 + 0.3 * math.sin(i / 50 + k)) for i in range(points)]
        angle = [0.02 * (1 + 2 * math.exp(-i / 200)) for i in range(points)]
        values = {
            "weight_norm": [10.0 + 0.01 * i for i in range(points)],
            "update_norm": [0.2 * a for a in angle],
            "angular_update": angle,
            "angular_equilibrium": [0.02] * points,
            "penalty_grad_norm": ratio,
            "loss_grad_norm": [1.0] * points,
            "decay_ratio": ratio,
        }
        for quantity in DYNAMICS_QUANTITIES:
            series[f"{quantity}/{key}"] = _float32(values[quantity])
    return {"run": "bench/train", "steps": steps, "wall_times": [1.7e9 + s for s in steps],
            "series": series, "descriptions": {}, "encoding": "float32"}


# The focused layout (one run, large): the heatmap as wide as the page, one column per step.
FOCUS_INIT = """localStorage.setItem("tb-regloss.settings.v1", JSON.stringify({layout: "focus"}));"""


def measure_dynamics(p, route, focus):
    """One fresh browser: the Dynamics section opened once the card is drawn; its measures and the plain baseline."""
    browser, page = open_dashboard(p, route, (FOCUS_INIT if focus else "") + DYNAMICS_INIT)
    try:
        page.wait_for_selector("path[data-series]", timeout=60000)
        page.click("details.dynamics > summary")
        page.wait_for_function("window.__dynamics.section.length >= 1", timeout=60000)
        m = page.evaluate("window.__dynamics")
        cells = page.evaluate(
            "(() => { const c = document.querySelector('.ratio-heatmap canvas');"
            " return [c.height, c.width, c.clientWidth, c.clientHeight]; })()"
        )
        baseline = page.evaluate(HEATMAP_BASELINE, cells)
    finally:
        browser.close()
    return {"heatmap": m["heatmap"][0], "section": m["section"][0], "cells": cells, "baseline": baseline}


def main_dynamics(args, route, answers):
    """Measures the Dynamics section (``--dynamics``) and prints the figures."""
    breakdown = synthetic_breakdown(10, args.points)
    answers["runs"] = json.dumps({"runs": [{"run": "bench/train", "terms": list(breakdown["series"]),
                                             "descriptions": {}, "dynamics": list(DYNAMICS_QUANTITIES)}]})
    answers["breakdowns"] = json.dumps({"breakdowns": [breakdown]})
    answers["dynamics"] = json.dumps(synthetic_dynamics(args.dynamics, args.points))
    runs = []
    with sync_playwright() as p:
        for k in range(args.repeat):
            r = measure_dynamics(p, route, args.focus)
            runs.append(r)
            print(f"  run {k + 1}/{args.repeat}: dynamics heatmap {r['heatmap']:6.1f} ms, whole section "
                  f"{r['section']:6.1f} ms, plain canvas {r['baseline']:6.1f} ms", flush=True)
    med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    rows, columns, css_width, css_height = runs[0]["cells"]
    print(f"chromium, dynamics of {args.dynamics} weights ({7 * args.dynamics} series) x {args.points} steps, "
          f"{'focused layout, ' if args.focus else ''}{args.repeat} fresh browsers (medians over them)")
    print(f"dynamics heatmap (regloss:dynamics-heatmap), {rows} rows x {args.points} steps in {columns} columns "
          f"({css_width} x {css_height} px): {med('heatmap'):7.1f} ms   target <= 100 ms")
    print(f"whole section (regloss:dynamics: grouping, heatmap, angle panels, bars): {med('section'):7.1f} ms")
    print(f"baseline: the same cells, one fillRect each:  {med('baseline'):7.1f} ms   "
          f"ratio heatmap/baseline {statistics.median(r['heatmap'] / r['baseline'] for r in runs):.2f}")


# A sweep as TensorBoard serves one: first chart, DOM size and the sweep plot.
SWEEP_INIT = """window.__sweepBench = {firstChart: null, firstPainted: null, render: [], compare: [], sweep: []};
new MutationObserver((mutations, observer) => {
  if (document.querySelector("path[data-series]")) {
    observer.disconnect();
    window.__sweepBench.firstChart = performance.now();
    requestAnimationFrame(() => setTimeout(() => (window.__sweepBench.firstPainted = performance.now())));
  }
}).observe(document, {childList: true, subtree: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.name === "regloss:render") window.__sweepBench.render.push(e.duration);
    else if (e.name === "regloss:compare") window.__sweepBench.compare.push(e.duration);
    else if (e.name === "regloss:sweep") window.__sweepBench.sweep.push(e.duration);
  }
}).observe({type: "measure"});"""

SWEEP_SETTLE_MS = 5000


def sweep_trial_names(trials):
    """``[(prefix, hparams)]`` of a grid of ``trials`` trials: L2 over five decades times dropouts."""
    l2s = ["1e-5", "3e-5", "1e-4", "3e-4", "1e-3", "3e-3", "1e-2", "3e-2", "1e-1", "3e-1"]
    return [(f"sweep/cnn_l2_{l2s[t % len(l2s)]}_d{t // len(l2s)}",
             {"l2": float(l2s[t % len(l2s)]), "dropout": round(0.05 * (t // len(l2s)), 2), "optimizer": "adam"})
            for t in range(trials)]


def sweep_answers(trials, terms, points):
    """The routes' answers for a sweep of ``trials`` trials, each a train and a validation run of ``terms``
    penalty terms (plus data and total) x ``points`` steps, float32-encoded as the plugin sends them."""
    runs, breakdowns, figures, hparams = [], [], [], []
    for t, (prefix, values) in enumerate(sweep_trial_names(trials)):
        hparams.append({"run": prefix, "hparams": values})
        for split in ("train", "validation"):
            b = synthetic_breakdown(terms, points)
            b["run"] = f"{prefix}/{split}"
            scale = 1.0 + 0.01 * t + (0.2 if split == "validation" else 0.0)
            b["series"] = {key: [v * scale for v in values_] for key, values_ in b["series"].items()}
            runs.append({"run": b["run"], "terms": list(b["series"]), "descriptions": {}})
            data = b["series"]["data"]
            figures.append({"run": b["run"], "step": b["steps"][-1], "data": data[-1], "best_data": min(data),
                            "best_step": b["steps"][data.index(min(data))], "total": b["series"]["total"][-1],
                            "reg": b["series"]["total"][-1] - data[-1]})
            b["series"] = {key: _float32(values_) for key, values_ in b["series"].items()}
            b["encoding"] = "float32"
            breakdowns.append(b)
    return {
        "runs": json.dumps({"runs": runs}),
        "hparams": json.dumps({"runs": hparams}),
        "sweep": json.dumps({"runs": figures}),
        "breakdowns": json.dumps({"breakdowns": breakdowns}),
    }


def measure_sweep(p, route, compare_open):
    """One fresh browser: the sweep's page loaded, read 5 s after load."""
    init = (COMPARE_INIT if compare_open else "") + SWEEP_INIT
    browser, page = open_dashboard(p, route, init)
    try:
        page.wait_for_selector("path[data-series]", timeout=60000)
        if compare_open:
            page.wait_for_selector("[data-sweep-point]", timeout=60000)
        page.wait_for_function(f"performance.now() >= {SWEEP_SETTLE_MS}", timeout=60000, polling=50)
        nodes = page.evaluate("document.getElementsByTagName('*').length")
        page.wait_for_function("window.__sweepBench.firstPainted !== null", timeout=60000)
        m = page.evaluate("window.__sweepBench")
        arrived = page.evaluate(
            "performance.getEntriesByType('resource').filter(e => e.name.includes('/breakdowns?')).at(-1).responseEnd")
        cards = page.evaluate("[document.querySelectorAll('.run-card').length,"
                              " new Set([...document.querySelectorAll('.run-card path[data-series]')]"
                              ".map(p => p.closest('.run-card'))).size]")
        points = page.locator("[data-sweep-point]").count()
    finally:
        browser.close()
    if m["firstChart"] > SWEEP_SETTLE_MS:
        print(f"  (the first chart came {m['firstChart']:.0f} ms after load: the DOM count at 5 s is of a page "
              "still loading; the machine is too busy for this figure)", flush=True)
    return {"nodes": nodes, "first_chart": m["firstChart"] - arrived, "first_painted": m["firstPainted"] - arrived,
            "arrived": arrived, "render": max(m["render"]), "compare": max(m["compare"], default=None),
            "sweep": max(m["sweep"], default=None), "cards": cards[0], "drawn": cards[1], "points": points}


def main_sweep(args, route, answers):
    """Measures a sweep of ``--sweep`` trials (``--sweep-terms`` terms x ``--points`` steps) and prints the figures."""
    answers.update(sweep_answers(args.sweep, args.sweep_terms, args.points))
    size = len(answers["breakdowns"]) / 1e6
    results = {}
    with sync_playwright() as p:
        for compare_open in (False, True):
            label = "Compare runs open" if compare_open else "Compare runs folded"
            rows = []
            for k in range(args.repeat):
                r = measure_sweep(p, route, compare_open)
                rows.append(r)
                print(f"  {label}, run {k + 1}/{args.repeat}: {r['nodes']} DOM nodes at 5 s, {r['drawn']} of "
                      f"{r['cards']} cards drawn; breakdowns arrived at {r['arrived']:.0f} ms, first chart "
                      f"{r['first_chart']:.0f} ms after (painted {r['first_painted']:.0f} ms); largest draw "
                      f"{r['render']:.1f} ms"
                      + (f"; compare {r['compare']:.1f} ms, sweep plot {r['sweep']:.1f} ms ({r['points']} points)"
                         if compare_open else ""), flush=True)
            results[compare_open] = rows
    med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
    print(f"chromium, a sweep of {args.sweep} trials: {2 * args.sweep} runs x {args.sweep_terms} terms x "
          f"{args.points} steps (breakdowns answer {size:.1f} MB), {args.repeat} fresh browsers each (medians)")
    for compare_open, rows in results.items():
        label = "Compare runs open  " if compare_open else "Compare runs folded"
        print(f"{label}: DOM nodes 5 s after load {med(rows, 'nodes'):7.0f}   target <= 5,000 "
              f"({med(rows, 'drawn'):.0f} of {rows[0]['cards']} cards drawn)")
        print(f"{label}: first chart after its data arrived {med(rows, 'first_chart'):7.0f} ms, painted "
              f"{med(rows, 'first_painted'):.0f} ms   target <= 1,000 ms")
        print(f"{label}: largest draw (regloss:render) {med(rows, 'render'):7.1f} ms")
    rows = results[True]
    print(f"sweep plot (regloss:sweep), {rows[0]['points']} points: {med(rows, 'sweep'):7.1f} ms "
          f"(min {min(r['sweep'] for r in rows):.1f}, max {max(r['sweep'] for r in rows):.1f})   target <= 100 ms; "
          f"the whole comparison of {2 * args.sweep} runs (regloss:compare) {med(rows, 'compare'):.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", type=int, default=200)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5, help="fresh browsers to measure in (figures are medians)")
    parser.add_argument("--bundle", type=pathlib.Path, default=BUNDLE, help="the bundle to measure (default: the shipped one)")
    parser.add_argument("--compare-runs", type=int, default=20,
                        help="runs in the comparison measured after the render (0: skip it)")
    parser.add_argument("--dynamics", type=int, default=0, metavar="WEIGHTS",
                        help="measure only the Dynamics section of a run with this many weights (e.g. 160)")
    parser.add_argument("--sweep", type=int, default=0, metavar="TRIALS",
                        help="measure only a sweep of this many trials (2 runs each, e.g. 100 with --points 200)")
    parser.add_argument("--sweep-terms", type=int, default=36, help="with --sweep: penalty terms per run")
    parser.add_argument("--focus", action="store_true",
                        help="with --dynamics: in the focused layout (the heatmap page-wide, a column per step)")
    args = parser.parse_args()

    breakdown = synthetic_breakdown(args.terms, args.points)
    answers = {
        "runs": json.dumps({"runs": [{"run": "bench/train", "terms": list(breakdown["series"]), "descriptions": {}}]}),
        "breakdowns": json.dumps({"breakdowns": [breakdown]}),
    }

    def route(r):
        path = r.request.url[len(ORIGIN):].split("?")[0]
        if path == "/":
            return r.fulfill(body=PAGE, content_type="text/html")
        if path == "/plugin/regloss/index.js":
            return r.fulfill(path=str(args.bundle), content_type="text/javascript")
        name = path.rsplit("/", 1)[-1]
        if name in answers:
            return r.fulfill(body=answers[name], content_type="application/json")
        if name == "findings":
            # No finding in a synthetic run: the card asks each run it draws.
            run = urllib.parse.parse_qs(urllib.parse.urlsplit(r.request.url).query)["run"][0]
            return r.fulfill(body=json.dumps({"run": run, "findings": []}), content_type="application/json")
        return r.fulfill(status=404, body="")

    if args.dynamics:
        return main_dynamics(args, route, answers)
    if args.sweep:
        return main_sweep(args, route, answers)

    runs = []
    with sync_playwright() as p:
        for k in range(args.repeat):
            r = measure_once(p, route, args)
            runs.append(r)
            print(
                f"  run {k + 1}/{args.repeat}: render {r['render']:6.1f} ms, incl. paint {r['painted']:6.1f} ms, "
                f"baseline {r['baseline']:6.1f} ms, ratio {r['render'] / r['baseline']:.2f}; "
                f"hover median {statistics.median(r['hover']):.2f} max {max(r['hover']):.2f} ms; "
                f"frame max {max(r['frames']):.1f} ms"
                + (
                    f"; heatmap {r['heatmap']:.1f} ms, plain canvas {r['heatmap_baseline']:.1f} ms"
                    if r["heatmap"] is not None
                    else ""
                ),
                flush=True,
            )

    med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    ratio = statistics.median(r["render"] / r["baseline"] for r in runs)
    hover = [h for r in runs for h in r["hover"]]
    frames = [f for r in runs for f in r["frames"]]
    first = runs[0]
    print(
        f"chromium, {args.terms} terms x {args.points} points, {first['areas']} areas drawn, chart {first['width']} px wide, "
        f"{args.repeat} fresh browsers (medians over them)"
    )
    print(f"first render (regloss:render):          {med('render'):7.1f} ms   target <= 150 ms")
    print(f"first render incl. next paint:          {med('painted'):7.1f} ms")
    print(
        f"baseline: {args.terms + 1} raw SVG paths, all points:  {med('baseline'):7.1f} ms   "
        f"ratio render/baseline {ratio:.2f} (median of per-run ratios)"
    )
    print(
        f"tooltip update (regloss:hover), {len(hover)} moves: median {statistics.median(hover):.2f} ms, "
        f"p95 {percentile(hover, 0.95):.2f} ms, max {max(hover):.2f} ms "
        f"(median of per-run max {statistics.median(max(r['hover']) for r in runs):.2f} ms)   target <= 16 ms"
    )
    print(
        f"frames while hovering (main thread: rAF + style + layout + paint), {len(frames)} frames: "
        f"median {statistics.median(frames):.2f} ms, p95 {percentile(frames, 0.95):.2f} ms, max {max(frames):.2f} ms"
    )
    if all(r["heatmap"] is not None for r in runs):
        rows, columns, css_width, css_height = first["cells"]
        print(
            f"heatmap (regloss:heatmap), {rows} rows x {args.points} steps in {columns} columns "
            f"({css_width} x {css_height} px): {med('heatmap'):7.1f} ms   target <= 100 ms"
        )
        print(
            f"baseline: the same cells, one fillRect each:  {med('heatmap_baseline'):7.1f} ms   "
            f"ratio heatmap/baseline {statistics.median(r['heatmap'] / r['heatmap_baseline'] for r in runs):.2f}"
        )
    else:
        print("heatmap: not drawn (fewer terms than the many-terms view opens for)")

    if args.compare_runs:
        answers.update(compare_answers(args.compare_runs, args.points))
        with sync_playwright() as p:
            measured = [measure_compare(p, route, args.compare_runs) for _ in range(args.repeat)]
        draws = [compare for compare, _ in measured]
        sweeps = [sweep for _, sweep in measured]
        print(
            f"comparison (regloss:compare), {args.compare_runs} runs x {args.points} points: "
            f"median {statistics.median(draws):.1f} ms (min {min(draws):.1f}, max {max(draws):.1f}) "
            f"over {args.repeat} fresh browsers   target <= 100 ms"
        )
        print(
            f"  of which the sweep plot (regloss:sweep), {args.compare_runs // 2} trials: "
            f"median {statistics.median(sweeps):.1f} ms (min {min(sweeps):.1f}, max {max(sweeps):.1f})"
        )


if __name__ == "__main__":
    main()
