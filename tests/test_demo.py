"""The demo a new user runs first: its runs, tags and the book's weight-decay result."""

import os

from demo import __main__ as demo_main
from demo import d2l_weight_decay
from tests.event_reader import regloss_tags


def test_d2l_weight_decay_lowers_validation_data_loss(tmp_path):
    """As in Dive into Deep Learning 3.7: with wd=3 the model stops fitting noise."""
    final = {}
    for wd in (0, 3):
        history = d2l_weight_decay.run(tmp_path / f"wd{wd}", wd=wd, epochs=100, verbose=0)
        final[wd] = history.history["val_data_loss"][-1]
    assert final[3] < 0.01 * final[0]


def test_quick_demo_writes_every_kind_of_term(tmp_path):
    assert demo_main.main(["--quick", "--no-serve", "--logdir", os.fspath(tmp_path)]) == 0
    assert sorted(os.listdir(tmp_path)) == ["cnn", "cnn_adamw", "d2l_wd0", "d2l_wd3", "mobilenet_v2"]
    assert regloss_tags(tmp_path / "d2l_wd0" / "train") == {"regloss/total", "regloss/data"}
    assert regloss_tags(tmp_path / "d2l_wd3" / "validation") == {
        "regloss/total", "regloss/data", "regloss/penalty/linear/kernel"}
    cnn = regloss_tags(tmp_path / "cnn" / "train")
    assert {t.rsplit("/", 1)[-1] for t in cnn if "/penalty/" in t} == {"kernel", "activity", "add_loss"}
    assert "regloss/penalty/fc/activity" in cnn and "regloss/penalty/logit_penalty/add_loss" in cnn
    assert len(cnn) == 2 + 4 + 2
    adamw = regloss_tags(tmp_path / "cnn_adamw" / "train")
    assert "regloss/decoupled/conv1/kernel" in adamw
    assert not any(t.endswith("/kernel") for t in adamw if "/penalty/" in t)
    mobilenet = regloss_tags(tmp_path / "mobilenet_v2" / "train")
    assert "regloss/penalty/Conv1/kernel" in mobilenet
    assert not any("depthwise" in t for t in mobilenet)
