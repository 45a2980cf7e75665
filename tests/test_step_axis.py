"""step_axis: the last step of a log_dir, read from tb-regloss' files only, and the shift after it."""

import tensorflow as tf

from tb_regloss import event_writer
from tb_regloss import step_axis


def _write(path, steps):
    writer = event_writer.EventWriter(str(path))
    for step in steps:
        writer.write(step, {"regloss/total": 1.0}, {})
    writer.close()
    return writer.path


def test_an_empty_or_missing_log_dir_needs_no_shift(tmp_path):
    assert step_axis.last_step(tmp_path / "missing") is None
    assert step_axis.offset(tmp_path / "missing", 0) == 0


def test_last_step_over_train_and_validation_files(tmp_path):
    _write(tmp_path / "train", [4, 8])
    _write(tmp_path / "validation", [10])
    assert step_axis.last_step(tmp_path) == 10
    assert step_axis.offset(tmp_path, 0) == 10  # a new optimizer counts from 0
    assert step_axis.offset(tmp_path, 12) == 0  # a resumed optimizer already counts past it


def test_other_tools_files_are_not_read(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path / "train")).as_default():
        tf.summary.scalar("epoch_loss", 1.0, step=100)
    _write(tmp_path / "train", [3])
    assert step_axis.last_step(tmp_path) == 3


def test_a_truncated_file_is_read_up_to_its_last_whole_record(tmp_path):
    path = _write(tmp_path / "train", [5, 6])
    with open(path, "rb+") as f:
        f.truncate(len(f.read()) - 3)
    assert step_axis.last_step(tmp_path) == 5


def test_written_steps_are_remembered_in_the_process(tmp_path):
    _write(tmp_path / "train", [2])
    assert step_axis.last_step(tmp_path) == 2
    step_axis.note_written(tmp_path, 7)
    step_axis.note_written(tmp_path, 5)
    assert step_axis.last_step(tmp_path) == 7
