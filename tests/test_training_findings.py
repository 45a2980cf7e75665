"""tb_regloss.training_findings: its rules at and around their thresholds, and on the demo's real series.

``fixtures/demo_training_series.json`` holds what the plugin reads from every
run of the full demo (``generate_demo_training_series.py``): its collapsed
``cnn_l2_1e-2`` gets both findings, its healthy runs none.
"""

import json
import math
import pathlib

import pytest

from tb_regloss import decay_plans
from tb_regloss import training_findings
from tb_regloss.training_findings import decay_dominates, decay_stalls_training, findings

DEMO = json.loads((pathlib.Path(__file__).parent / "fixtures" / "demo_training_series.json").read_text())
STALLED = ["conv1/kernel", "conv2/kernel", "fc/kernel", "logits/kernel"]


def test_every_finding_code_is_an_anchor_of_docs_findings():
    doc = (pathlib.Path(__file__).parents[1] / "docs" / "findings.md").read_text()
    headings = {line[3:] for line in doc.splitlines() if line.startswith("## ")}
    assert set(decay_plans.FINDING_CODES + training_findings.FINDING_CODES) <= headings


def test_docs_findings_gives_each_finding_its_fix_and_its_source():
    doc = (pathlib.Path(__file__).parents[1] / "docs" / "findings.md").read_text()
    sections = {part.split("\n", 1)[0]: part for part in doc.split("\n## ")[1:]}
    for code in decay_plans.FINDING_CODES + training_findings.FINDING_CODES:
        section = sections[code]
        assert "\nFix: " in section, code
        source = section.split("\nSource: ", 1)
        assert len(source) == 2, f"{code}: no Source: paragraph"
        if code in decay_plans.FINDING_CODES:
            # A plan finding cites a paper or a recipe by its address.
            assert "](https://" in source[1], code


def _ratios(above, below, warm=(9.0, 9.0)):
    """Ten points: two of warm-up (never judged), then ``above`` points at 1.5 and ``below`` at 0.5."""
    return [*warm, *[1.5] * above, *[0.5] * below]


@pytest.mark.parametrize("above, below, dominates", [
    (5, 3, True),  # above 1 at 5 of the 8 points after the warm-up
    (4, 4, False),  # at exactly half: not most of training
    (3, 5, False),
    (8, 0, True),
])
def test_decay_dominates_needs_a_ratio_above_1_at_more_than_half_of_the_points_after_the_warm_up(
        above, below, dominates):
    found = decay_dominates({"conv/kernel": _ratios(above, below)})
    assert found == ({"code": "decay_dominates", "keys": ["conv/kernel"], "fix": found["fix"]} if dominates else None)


def test_decay_dominates_counts_a_ratio_of_exactly_1_as_not_dominating():
    assert decay_dominates({"k": [1.0] * 10}) is None
    assert decay_dominates({"k": [1.0000001] * 10})["keys"] == ["k"]


def test_decay_dominates_leaves_out_the_first_fifth_of_the_points():
    # 10 points: the first 2 are warm-up. Below 1 there, above at 4 of the other 8 plus one: 5 of 8.
    assert decay_dominates({"k": [0.1, 0.1, *[1.5] * 5, *[0.5] * 3]})["keys"] == ["k"]
    # 11 points: ceil(2.2) = 3 are warm-up, so a 3rd high point no longer counts: 4 of 8.
    assert decay_dominates({"k": [9.0] * 3 + [1.5] * 4 + [0.5] * 4}) is None


def test_decay_dominates_skips_gaps_and_needs_8_points():
    assert decay_dominates({"k": [3.0] * 7}) is None
    assert decay_dominates({"k": [3.0] * 7 + [None, math.nan, math.inf]}) is None
    assert decay_dominates({"k": [3.0] * 8 + [None, math.nan]})["keys"] == ["k"]


def _stall(data_after=2.0, decay_after=0.25, points=16):
    """``points`` points flat at 2.0 (data) and 1.0 (decay) but the last quarter of the last half."""
    window = points // 2 // 4
    data = [2.0] * (points - window) + [data_after] * window
    decay = [1.0] * (points - window) + [decay_after] * window
    return data, decay


@pytest.mark.parametrize("decay_after, stalls", [
    (0.25, True),
    (0.4999, True),  # fell by 50.01 %
    (0.5, False),  # fell by exactly 50 %
    (0.6, False),
    (1.5, False),
])
def test_decay_stalls_training_needs_the_decay_terms_to_fall_by_more_than_half(decay_after, stalls):
    data, decay = _stall(decay_after=decay_after)
    found = decay_stalls_training(data, [("d/kernel", decay)])
    assert (found is not None) == stalls
    if stalls:
        assert found["code"] == "decay_stalls_training" and found["keys"] == ["d/kernel"]


@pytest.mark.parametrize("data_after, stalls", [
    (2.0, True),
    (2.0998, True),  # +4.99 %
    (1.9002, True),  # −4.99 %
    (2.1, False),  # +5 %
    (1.9, False),  # −5 %
    (1.5, False),  # still learning
])
def test_decay_stalls_training_needs_the_data_loss_to_change_by_less_than_5_percent(data_after, stalls):
    data, decay = _stall(data_after=data_after)
    assert (decay_stalls_training(data, [("d/kernel", decay)]) is not None) == stalls


def test_decay_stalls_training_compares_the_means_of_the_quarters_of_the_last_half():
    # 16 points: the last half is points 8..15, its quarters 8..9 and 14..15. What happens before
    # point 8 does not count, nor do points 10..13.
    data = [9.0] * 8 + [2.0] * 8
    decay = [50.0] * 8 + [1.0, 1.0, 7.0, 7.0, 7.0, 7.0, 0.1, 0.7]
    assert decay_stalls_training(data, [("d/kernel", decay)])["keys"] == ["d/kernel"]  # 1.0 → 0.4
    decay[-1] = 0.9  # 1.0 → 0.5
    assert decay_stalls_training(data, [("d/kernel", decay)]) is None


def test_decay_stalls_training_sums_the_terms_and_names_those_that_fell():
    data, falling = _stall(decay_after=0.0)
    _, steady = _stall(decay_after=1.0)
    found = decay_stalls_training(data, [("a/kernel", falling), ("b/kernel", steady), ("a/kernel", falling)])
    assert found["keys"] == ["a/kernel"]  # the sum fell by 2/3; a weight decayed twice is named once
    assert decay_stalls_training(data, [("a/kernel", falling), ("b/kernel", steady), ("c/kernel", steady)]) is None


def test_decay_stalls_training_needs_8_points_where_every_series_is_finite():
    data, decay = _stall(points=8)
    assert decay_stalls_training(data, [("d/kernel", decay)])["keys"] == ["d/kernel"]
    data, decay = _stall(points=7)
    assert decay_stalls_training(data, [("d/kernel", decay)]) is None
    data, decay = _stall(points=16)
    assert decay_stalls_training(data, [("d/kernel", decay[:8] + [None] * 8)]) is None
    assert decay_stalls_training(data, []) is None


def test_findings_leave_out_activity_and_add_loss_terms_and_count_decoupled_decay():
    data, falling = _stall(decay_after=0.0)
    _, steady = _stall(decay_after=1.0)
    penalties = {"fc/activity": falling, "head/add_loss": falling, "fc/kernel": steady}
    assert findings(data, penalties, {}, {}) == []
    decoupled = {"conv/kernel": falling, "conv/bias": falling}  # with fc/kernel: 3.0 → 1.0
    assert [f["keys"] for f in findings(data, penalties, decoupled, {})] == [["conv/kernel", "conv/bias"]]


def test_findings_judge_the_decay_ratio_of_coupled_decay_only():
    ratios = {"conv/kernel": [3.0] * 10}
    assert findings([], {}, {"conv/kernel": [1.0] * 10}, ratios) == []  # AdamW's λ·w: not judged
    assert [f["code"] for f in findings([], {"conv/kernel": [1.0] * 10}, {}, ratios)] == ["decay_dominates"]


def test_the_demo_s_collapsed_run_gets_both_findings_and_its_healthy_runs_none():
    found = {run: [(f["code"], f["keys"]) for f in findings(**series)] for run, series in DEMO.items()}
    assert found.pop("cnn_l2_1e-2/train") == [
        ("decay_dominates", ["conv1/kernel", "conv2/kernel", "fc/kernel", "logits/kernel"]),
        ("decay_stalls_training", STALLED),
    ]
    # Its validation run shows the same collapse in its penalties and flat validation data loss.
    assert found.pop("cnn_l2_1e-2/validation") == [("decay_stalls_training", STALLED)]
    assert sorted(found) == sorted([
        "cnn_adamw/train", "cnn_adamw/validation", "cnn_l2_0/train", "cnn_l2_0/validation",
        "cnn_l2_1e-3/train", "cnn_l2_1e-3/validation", "cnn_l2_1e-4/train", "cnn_l2_1e-4/validation",
        "d2l_wd0/train", "d2l_wd0/validation", "d2l_wd3/train", "d2l_wd3/validation",
        "equilibrium_adamw/train", "equilibrium_sgdm/train", "mobilenet_v2/train", "mobilenet_v2/validation"])
    assert all(f == [] for f in found.values()), found
