"""The Python side of the tag contract, checked against the shared fixture."""

import json
import pathlib

import pytest

from tb_regloss import tags

FIXTURE = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "tags.json").read_text()
)["tags"]


@pytest.mark.parametrize("case", FIXTURE, ids=[c["tag"] for c in FIXTURE])
def test_parse_tag_matches_fixture(case):
    parsed = tags.parse_tag(case["tag"])
    if case["kind"] is None:
        assert parsed is None
        return
    assert parsed == (case["kind"], case["key"])
    if case["key"] is not None:
        assert tags.term_kind(case["key"]) == case["term_kind"]
        assert tags.term_layer(case["key"]) == case["layer"]


def test_builders_round_trip():
    assert tags.parse_tag(tags.penalty_tag("a/b/kernel")) == ("penalty", "a/b/kernel")
    assert tags.parse_tag(tags.decoupled_tag("a/kernel")) == ("decoupled", "a/kernel")
    assert tags.TOTAL == "regloss/total" and tags.DATA == "regloss/data"


def test_point_values_and_descriptions():
    assert tags.point_values(1.5, 1.0, {"conv/kernel": 0.5}) == {
        "regloss/total": 1.5, "regloss/data": 1.0, "regloss/penalty/conv/kernel": 0.5}
    described = tags.tag_descriptions({"conv/kernel": "L2(l2=0.01)"})
    assert described["regloss/penalty/conv/kernel"] == "L2(l2=0.01)"
    assert set(described) == {"regloss/total", "regloss/data", "regloss/penalty/conv/kernel"}
