"""The sweep plot in Chromium against a real TensorBoard serving a 24-trial grid search.

The logdir is ``sweep_runs.write_wide_sweep_logdir``'s: L2 from 0 to 1e-1 (five
decades) times four dropouts, each trial with train and validation runs and
its hyperparameters logged through ``hp.hparams``; and apart,
``write_tuner_logdir``'s KerasTuner layout with two executions per trial.
"""

import re

import pytest

from sweep_runs import (TUNER_EXECUTIONS, TUNER_TRIALS, WIDE_DROPOUT, tuner_series, wide_series, wide_trials,
                        write_tuner_logdir, write_wide_sweep_logdir)

TRIALS = wide_trials()


@pytest.fixture(scope="module")
def wide_url(tmp_path_factory, serve_tensorboard):
    logdir = tmp_path_factory.mktemp("wide_sweep_browser_logdir")
    write_wide_sweep_logdir(logdir)
    with serve_tensorboard(logdir) as base:
        yield base


@pytest.fixture
def sweep_dashboard(new_dashboard, wide_url):
    dashboard = new_dashboard().open(wide_url)
    dashboard.frame.click(".compare summary")
    dashboard.frame.wait_for_function(f"document.querySelectorAll('[data-sweep-point]').length === {len(TRIALS)}")
    return dashboard


def points(frame):
    return frame.eval_on_selector_all(
        "[data-sweep-point]",
        "ps => ps.map(p => ({trial: p.getAttribute('data-sweep-point'), run: p.getAttribute('data-run'),"
        " cx: +p.getAttribute('cx'), cy: +p.getAttribute('cy')}))",
    )


def test_one_point_per_trial_on_a_log_x_axis(sweep_dashboard):
    frame = sweep_dashboard.frame
    drawn = points(frame)
    assert sorted(p["trial"] for p in drawn) == sorted(TRIALS)
    assert all(p["run"] == p["trial"] + "/train" for p in drawn)
    # Five decades of L2: a log x axis, equal ratios at equal distances, 0 in a slot before it.
    assert frame.get_attribute(".sweep-plot svg", "data-x-scale") == "log"
    assert frame.locator(".sweep-view select[name=sweep-x]").input_value() == "l2"
    # The four dropouts of one L2 sit side by side around its x, in trial order.
    x_of = {}
    for p in drawn:
        x_of.setdefault(TRIALS[p["trial"]]["l2"], []).append(p["cx"])
    assert all(len(xs) == len(WIDE_DROPOUT) and xs == sorted(xs) and xs[-1] - xs[0] < 50 for xs in x_of.values())
    centres = [sum(x_of[l2]) / len(x_of[l2]) for l2 in sorted(x_of)]
    steps = [b - a for a, b in zip(centres[1:], centres[2:])]
    assert max(steps) - min(steps) < 0.01 and centres[0] < centres[1] and min(steps) > 60
    # y is the last validation data loss, lower on screen for a higher loss.
    by_trial = {p["trial"]: p for p in drawn}
    last = {t: wide_series(v["l2"], v["dropout"], True)["regloss/data"][-1][1] for t, v in TRIALS.items()}
    worst, best_trial = max(last, key=last.get), min(last, key=last.get)
    assert by_trial[worst]["cy"] < by_trial[best_trial]["cy"]
    # Coloured by dropout, with its colour bar; the comparison past 20 runs too, instead of 48 legend rows.
    assert frame.locator(".sweep-view select[name=sweep-color]").input_value() == "dropout"
    assert frame.locator(".sweep-plot [data-color-key=dropout]").count() == 1
    assert frame.locator(".compare-legend g[data-run]").count() == 0
    assert frame.locator(".compare-legend [data-color-key=dropout]").count() == 1
    compare, sweep = frame.evaluate(
        "['regloss:compare', 'regloss:sweep'].map(n => performance.getEntriesByName(n).at(-1).duration)")
    print(f"24 trials / 48 runs: compare section {compare:.1f} ms, of which the sweep plot {sweep:.1f} ms")
    assert sweep < 200  # a few ms on an idle machine; a generous bound for a busy one
    sweep_dashboard.screenshot("sweep-1400.png")
    assert sweep_dashboard.errors == []


def test_sweep_plot_downloads_as_svg_with_every_point(sweep_dashboard):
    import xml.etree.ElementTree as ElementTree

    page = sweep_dashboard.page
    with page.expect_download() as info:
        sweep_dashboard.frame.click(".compare button[aria-label='Download the sweep plot as SVG']")
    assert info.value.suggested_filename.startswith("regloss-sweep-")
    with open(info.value.path(), "rb") as f:
        root = ElementTree.fromstring(f.read())
    circles = [el for el in root.iter("{http://www.w3.org/2000/svg}circle") if el.get("data-sweep-point")]
    assert sorted(el.get("data-sweep-point") for el in circles) == sorted(TRIALS)
    assert sweep_dashboard.errors == []


def test_runs_are_listed_by_the_values_in_their_names(sweep_dashboard):
    frame = sweep_dashboard.frame
    cards = frame.eval_on_selector_all(".run-card", "cs => cs.map(c => c.dataset.run)")
    # Insertion order of wide_trials is the order of the values: 0, 1e-5, ..., 1e-1.
    expected = [f"{trial}/{split}" for trial in TRIALS for split in ("train", "validation")]
    assert cards == expected
    table = frame.eval_on_selector_all(".sweep-table tbody th", "ths => ths.map(t => t.textContent)")
    assert table == list(TRIALS)


def test_clicking_a_point_focuses_its_run(sweep_dashboard):
    frame = sweep_dashboard.frame
    trial = "grid/cnn_l2_1e-3_d0.25"
    frame.click(f"[data-sweep-point='{trial}']")
    frame.wait_for_selector(".runs.layout-focus")
    frame.wait_for_function(
        f"[...document.querySelectorAll('.run-card')].map(c => c.dataset.run).join() === '{trial}/train'"
    )
    assert frame.locator("select[name=layout]").input_value() == "focus"
    assert frame.locator("select[name=focus-run]").input_value() == f"{trial}/train"
    # The sweep plot stays, every trial in it, the focused one ringed; another click moves the focus.
    assert frame.locator("[data-sweep-point]").count() == len(TRIALS)
    assert frame.get_attribute("[data-sweep-point][data-focused]", "data-sweep-point") == trial
    other = "grid/cnn_l2_0_d0.5"
    frame.click(f"[data-sweep-point='{other}']")
    frame.wait_for_function(
        f"[...document.querySelectorAll('.run-card')].map(c => c.dataset.run).join() === '{other}/train'"
    )
    assert sweep_dashboard.errors == []


@pytest.fixture(scope="module")
def tuner_dashboard(browser, tmp_path_factory, serve_tensorboard):
    from conftest import Dashboard

    logdir = tmp_path_factory.mktemp("tuner_sweep_browser_logdir")
    write_tuner_logdir(logdir)
    with serve_tensorboard(logdir) as base:
        dashboard = Dashboard.in_new_context(browser).open(base)
        dashboard.frame.click(".compare summary")
        dashboard.frame.wait_for_selector("[data-sweep-point]")
        yield dashboard
        dashboard.context.close()


def test_a_trial_of_several_executions_is_one_point_at_their_mean(tuner_dashboard):
    frame = tuner_dashboard.frame
    # Every execution's runs are there, as cards ...
    cards = frame.eval_on_selector_all(".run-card", "cs => cs.map(c => c.dataset.run)")
    assert len(cards) == len(TUNER_TRIALS) * TUNER_EXECUTIONS * 2
    # ... and the sweep plot has one point per trial, which focuses its first execution's training run.
    drawn = points(frame)
    assert [p["trial"] for p in drawn] == [f"tune/{t}" for t in TUNER_TRIALS]
    assert [p["run"] for p in drawn] == [f"tune/{t}/execution0/train" for t in TUNER_TRIALS]
    # The point sits at the mean of the executions' last validation data loss, the whisker from the
    # lowest to the highest: on a linear y axis, the point is halfway between the whisker's ends.
    assert frame.get_attribute(".sweep-plot svg", "data-y-scale") == "linear"
    for p in drawn:
        d = frame.get_attribute(f"[data-sweep-spread='{p['trial']}']", "d")
        ends = [float(y) for y in re.findall(r"M[-\d.]+,([-\d.]+)", d) + re.findall(r"V([-\d.]+)", d)]
        top, bottom = min(ends), max(ends)
        assert top < p["cy"] < bottom
        assert abs((top + bottom) / 2 - p["cy"]) < 0.5, (p, d)
    # The tooltip gives the mean, the spread and each execution's own figures.
    frame.hover("[data-sweep-point='tune/01']")
    tip = frame.locator(".sweep-tooltip").inner_text()
    last = [tuner_series(TUNER_TRIALS["01"], k, True)["regloss/data"][-1][1] for k in range(TUNER_EXECUTIONS)]
    assert "mean of 2 executions" in tip
    assert f"last {sum(last) / 2:.4g}" in tip, tip
    assert "execution0: last" in tip and "execution1: last" in tip
    assert tuner_dashboard.errors == []
