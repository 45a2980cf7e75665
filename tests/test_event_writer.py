"""EventWriter: standard scalar events written from Python, flushed in time."""

import time

from tb_regloss.event_writer import EventWriter
from tests.event_reader import read_scalars


def test_points_are_standard_scalars_with_first_point_descriptions(tmp_path):
    writer = EventWriter(tmp_path)
    writer.write(1, {"regloss/total": 2.0, "regloss/data": 1.5}, {"regloss/total": "T"})
    writer.write(2, {"regloss/total": 3.0, "regloss/data": float("nan")}, {"regloss/total": "T"})
    writer.close()
    series, metadata = read_scalars(tmp_path)
    assert series["regloss/total"] == [(1, 2.0), (2, 3.0)]
    assert series["regloss/data"][1][1] != series["regloss/data"][1][1]  # NaN kept as is
    assert metadata["regloss/total"].summary_description == "T"
    assert metadata["regloss/total"].plugin_data.plugin_name == "scalars"


def test_pending_points_are_flushed_after_flush_secs(tmp_path):
    writer = EventWriter(tmp_path, flush_secs=0.2)
    writer.write(7, {"regloss/total": 1.0}, {})
    deadline = time.time() + 10
    while time.time() < deadline and "regloss/total" not in read_scalars(tmp_path)[0]:
        time.sleep(0.1)
    assert read_scalars(tmp_path)[0]["regloss/total"] == [(7, 1.0)]
    writer.close()
