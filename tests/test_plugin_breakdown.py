"""Tests of tb_regloss.plugin.breakdown: aligning series on steps, exact numbers."""

import base64
import collections
import json
import math

import numpy
from hypothesis import given
from hypothesis import strategies as st
from tensorboard.backend import json_util

from tb_regloss.plugin import breakdown

Point = collections.namedtuple("Point", "step wall_time value")


def test_order_terms_puts_total_and_data_first():
    terms = ["penalty/z/kernel", "decoupled/a/kernel", "data", "penalty/a/bias", "total"]
    assert breakdown.order_terms(terms) == [
        "total",
        "data",
        "decoupled/a/kernel",
        "penalty/a/bias",
        "penalty/z/kernel",
    ]


def test_order_terms_without_total_or_data():
    assert breakdown.order_terms(["penalty/b", "penalty/a"]) == ["penalty/a", "penalty/b"]
    assert breakdown.order_terms(["data"]) == ["data"]
    assert breakdown.order_terms([]) == []


def test_align_identical_steps():
    result = breakdown.align(
        {
            "total": [Point(0, 100.0, 2.0), Point(5, 105.0, 1.5)],
            "data": [Point(0, 100.5, 1.75), Point(5, 105.5, 1.25)],
            "penalty/conv/kernel": [Point(0, 100.5, 0.25), Point(5, 105.5, 0.25)],
        }
    )
    assert result == {
        "steps": [0, 5],
        "wall_times": [100.0, 105.0],
        "series": {
            "total": [2.0, 1.5],
            "data": [1.75, 1.25],
            "penalty/conv/kernel": [0.25, 0.25],
        },
    }


def test_align_gaps_are_none_and_wall_time_comes_from_first_series_with_the_step():
    result = breakdown.align(
        {
            "total": [Point(2, 12.0, 3.0), Point(4, 14.0, 2.5)],
            "data": [Point(1, 11.0, 2.0), Point(2, 12.5, 2.5)],
            "penalty/d/kernel": [Point(3, 13.0, 0.5), Point(4, 14.5, 0.5)],
        }
    )
    assert result == {
        "steps": [1, 2, 3, 4],
        "wall_times": [11.0, 12.0, 13.0, 14.0],
        "series": {
            "total": [None, 3.0, None, 2.5],
            "data": [2.0, 2.5, None, None],
            "penalty/d/kernel": [None, None, 0.5, 0.5],
        },
    }


def test_align_keeps_series_order_and_empty_series():
    result = breakdown.align({"penalty/b": [], "total": [Point(7, 1.0, 0.5)]})
    assert list(result["series"]) == ["penalty/b", "total"]
    assert result["series"] == {"penalty/b": [None], "total": [0.5]}
    assert result["steps"] == [7]


def test_align_nothing():
    assert breakdown.align({}) == {"steps": [], "wall_times": [], "series": {}}


def test_align_passes_non_finite_values_through():
    result = breakdown.align(
        {"total": [Point(0, 1.0, math.nan), Point(1, 2.0, math.inf), Point(2, 3.0, -math.inf)]}
    )
    total = result["series"]["total"]
    assert math.isnan(total[0]) and total[1:] == [math.inf, -math.inf]


def test_align_repeated_step_last_point_wins():
    result = breakdown.align(
        {"total": [Point(0, 1.0, 5.0), Point(1, 2.0, 4.0), Point(1, 3.0, 3.0)]}
    )
    assert result == {"steps": [0, 1], "wall_times": [1.0, 2.0], "series": {"total": [5.0, 3.0]}}


_series_strategy = st.dictionaries(
    st.sampled_from(["total", "data", "penalty/a", "penalty/b"]),
    st.dictionaries(st.integers(0, 50), st.floats(-10, 10), max_size=20),
)


@given(_series_strategy)
def test_align_is_a_lossless_reshape(points_by_term):
    series = {
        term: [Point(step, float(step), value) for step, value in sorted(points.items())]
        for term, points in points_by_term.items()
    }
    result = breakdown.align(series)
    all_steps = sorted({step for points in points_by_term.values() for step in points})
    assert result["steps"] == all_steps
    assert result["wall_times"] == [float(step) for step in all_steps]
    for term, points in points_by_term.items():
        column = result["series"][term]
        assert len(column) == len(all_steps)
        assert dict((s, v) for s, v in zip(all_steps, column) if v is not None) == points
        assert sum(v is None for v in column) == len(all_steps) - len(points)


def _float32(value):
    return float(numpy.float32(value)) if isinstance(value, float) else value


_values = st.lists(
    st.none() | st.floats(width=32) | st.sampled_from([math.nan, math.inf, -math.inf]), max_size=30
)
_names = st.text() | st.sampled_from(['nan', '"inf"', "%s", "%.9g", "a\\b", "<img src=x>"])


@given(
    st.dictionaries(_names, _values, max_size=5),
    st.dictionaries(_names, _names, max_size=3),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=5),
)
def test_to_json_parses_like_tensorboard_cleansing(series, descriptions, wall_times):
    body = {
        "run": "exp/train",
        "steps": list(range(len(wall_times))),
        "wall_times": wall_times,
        "series": series,
        "descriptions": descriptions,
    }
    expected = json.loads(json.dumps(json_util.Cleanse(body)))
    parsed = json.loads(breakdown.to_json(body))
    assert list(parsed) == list(body)
    # Values are float32: 9 significant digits give them back exactly.
    parsed["series"] = {
        term: [_float32(value) for value in values] for term, values in parsed["series"].items()
    }
    assert parsed == expected


def test_to_json_keeps_full_precision_outside_series():
    body = {"run": "r", "steps": [3], "wall_times": [1700000000.1234567], "series": {"total": [0.1]}}
    assert json.loads(breakdown.to_json(body)) == body


def test_align_reads_tensorboard_scalar_datums_like_any_points():
    from tensorboard.data.provider import ScalarDatum

    points = {
        "total": [(0, 1.0, 2.5), (2, 2.0, 2.0)],
        "penalty/a": [(1, 1.5, 0.25), (2, 2.5, 0.5)],
    }
    expected = breakdown.align({term: [Point(*p) for p in pts] for term, pts in points.items()})
    assert breakdown.align({term: [ScalarDatum(*p) for p in pts] for term, pts in points.items()}) == expected
    same_steps = {term: [ScalarDatum(0, 1.0, 0.5), ScalarDatum(3, 4.0, 0.75)] for term in ["total", "data"]}
    assert breakdown.align(same_steps) == {
        "steps": [0, 3],
        "wall_times": [1.0, 4.0],
        "series": {"total": [0.5, 0.75], "data": [0.5, 0.75]},
    }


def test_float32_encoding_keeps_values_gaps_and_non_finite_exactly():
    values = [0.1, None, float("nan"), float("inf"), -float("inf"), 2.5]
    encoded = json.loads(breakdown.to_json(
        {"run": "r", "steps": list(range(6)), "series": {"a": values, "b": [1.0] * 6}}, "float32"))
    assert encoded["encoding"] == "float32" and encoded["gaps"] == {"a": [1]}
    decoded = numpy.frombuffer(base64.b64decode(encoded["series"]["a"]), dtype="<f4")
    assert decoded[0] == numpy.float32(0.1) and decoded[5] == 2.5
    assert numpy.isnan(decoded[1]) and numpy.isnan(decoded[2])
    assert decoded[3] == numpy.inf and decoded[4] == -numpy.inf
    assert numpy.frombuffer(base64.b64decode(encoded["series"]["b"]), dtype="<f4").tolist() == [1.0] * 6
