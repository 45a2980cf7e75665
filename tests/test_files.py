"""Local paths through Python's file functions; URLs through TensorFlow's file system when installed."""

import os

import pytest

from tb_regloss import files


def test_local_files_round_trip(tmp_path):
    directory = files.join(tmp_path / "runs", "train")
    files.makedirs(directory)
    files.makedirs(directory)  # already there: nothing happens
    for name in ("events.out.tfevents.2", "events.out.tfevents.1", "other"):
        with files.create(files.join(directory, name)) as f:
            f.write(name.encode())
    found = files.glob(files.join(directory, "events.out.tfevents.*"))
    assert [os.path.basename(p) for p in found] == ["events.out.tfevents.1", "events.out.tfevents.2"]
    assert files.read_bytes(found[0]) == b"events.out.tfevents.1"


def test_urls_are_joined_with_slashes_and_go_through_tensorflow():
    pytest.importorskip("tensorflow")
    assert files.join("gs://bucket/runs/", "train") == "gs://bucket/runs/train"
    directory = "ram://files_test/runs/train"
    files.check_writable(directory)
    with files.create(files.join(directory, "events.out.tfevents.1")) as f:
        f.write(b"abc")
    assert files.glob(files.join(directory, "events.*")) == [directory + "/events.out.tfevents.1"]
    assert files.read_bytes(directory + "/events.out.tfevents.1") == b"abc"


def test_an_unwritable_directory_is_an_os_error_saying_why(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError):
        files.check_writable(str(blocker / "train"))
    with pytest.raises(OSError, match="nosuchscheme"):
        files.check_writable("nosuchscheme://bucket/runs")
