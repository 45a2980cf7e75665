"""The Python side of the tag contract, checked against the shared fixture."""

import json
import pathlib

import pytest

from tb_regloss import tags

_FIXTURES = json.loads((pathlib.Path(__file__).parent / "fixtures" / "tags.json").read_text())
FIXTURE = _FIXTURES["tags"]
DYNAMICS_FIXTURE = _FIXTURES["dynamics"]
UNVERIFIED_FIXTURE = _FIXTURES["unverified"]


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


def test_fixture_states_kind_and_layer_of_every_key():
    keyed = [c for c in FIXTURE if c["key"] is not None]
    assert keyed and all("term_kind" in c and "layer" in c for c in keyed)


def test_bare_keys_are_terms_of_the_model_itself():
    for key, kind in [("activity", "activity"), ("add_loss", "add_loss"), ("kernel", "kernel"),
                      ("w", "other"), ("variable#2", "other"), ("kernel#3", "kernel")]:
        assert (tags.term_kind(key), tags.term_layer(key)) == (kind, "")


def test_occurrence_suffix_belongs_to_the_whole_key():
    assert tags.term_layer("d/kernel#2") == tags.term_layer("d/kernel") == "d"
    assert tags.term_kind("tower_a/proj/activity#2") == "activity"
    # Only a final #<ASCII digits> is a suffix, as in the JavaScript twin.
    assert tags.term_layer("a#2/kernel") == "a#2"
    assert tags.term_kind("d/kernel#") == tags.term_kind("d/kernel#\u0662") == "other"
    assert tags.term_kind("d/kernel#2\n") == "other"


def test_builders_round_trip():
    assert tags.parse_tag(tags.penalty_tag("a/b/kernel")) == ("penalty", "a/b/kernel")
    assert tags.parse_tag(tags.penalty_tag("activity")) == ("penalty", "activity")
    assert tags.parse_tag(tags.decoupled_tag("d/kernel#2")) == ("decoupled", "d/kernel#2")
    assert tags.parse_tag(tags.decoupled_tag("kernel")) == ("decoupled", "kernel")
    assert tags.TOTAL == "regloss/total" and tags.DATA == "regloss/data"


def test_point_values_and_descriptions():
    assert tags.point_values(1.5, 1.0, {"conv/kernel": 0.5}) == {
        "regloss/total": 1.5, "regloss/data": 1.0, "regloss/penalty/conv/kernel": 0.5}
    described = tags.tag_descriptions({"conv/kernel": "L2(l2=0.01)"})
    assert described["regloss/penalty/conv/kernel"] == "L2(l2=0.01)"
    assert set(described) == {"regloss/total", "regloss/data", "regloss/penalty/conv/kernel"}


@pytest.mark.parametrize("case", DYNAMICS_FIXTURE, ids=[c["tag"] for c in DYNAMICS_FIXTURE])
def test_parse_dynamics_tag_matches_fixture(case):
    expected = None if case["quantity"] is None else (case["quantity"], case["key"])
    assert tags.parse_dynamics_tag(case["tag"]) == expected


def test_dynamics_tags_round_trip_and_stay_out_of_the_composition():
    for quantity in tags.DYNAMICS_QUANTITIES:
        tag = tags.dynamics_tag(quantity, "tower_a/proj/kernel#2")
        assert tags.parse_dynamics_tag(tag) == (quantity, "tower_a/proj/kernel#2")
        assert tags.parse_tag(tag) is None
    assert tags.parse_dynamics_tag("regloss/dynamics/unknown/d/kernel") is None
    assert tags.parse_dynamics_tag("regloss/dynamics/weight_norm/") is None
    assert tags.parse_dynamics_tag("regloss/penalty/d/kernel") is None
    with pytest.raises(ValueError, match="quantity must be one of"):
        tags.dynamics_tag("grad_norm", "d/kernel")


@pytest.mark.parametrize("case", UNVERIFIED_FIXTURE, ids=[c["content"] for c in UNVERIFIED_FIXTURE])
def test_parse_unverified_matches_fixture(case):
    assert tags.parse_unverified(case["content"].encode("utf-8")) == case["mark"]
    if case["mark"] is not None:
        assert tags.parse_unverified(tags.unverified_content(**case["mark"])) == case["mark"]


def test_the_unverified_mark_is_no_composition_series():
    assert tags.UNVERIFIED == "regloss/unverified"
    assert tags.parse_tag(tags.UNVERIFIED) is None and tags.parse_dynamics_tag(tags.UNVERIFIED) is None
    assert tags.parse_unverified(b"\xff\xfe") is None
