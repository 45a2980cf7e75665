"""The demo a new user runs first: its runs, tags, hyperparameters, output and the results it shows."""

import glob
import os
import subprocess
import sys

import pytest

from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.plugins.hparams import plugin_data_pb2

from demo import __main__ as demo_main
from demo import cnn_sweep, d2l_weight_decay, prebuilt_mobilenet
from demo.plan import Run, format_duration, format_loss, plan_lines, summary_line
from tests.event_reader import _events, regloss_tags

pytestmark = [
    pytest.mark.backends("tensorflow", reason="the demo trains on TensorFlow, as the README installs it"),
    # The demo installs the newest Keras; how each Keras version logs is checked by the core tests.
    pytest.mark.once(reason="the demo's runs and results on the versions the README installs"),
    pytest.mark.spread(reason="each test trains runs of its own"),
]

RUNS = ["cnn_adamw", "cnn_l2_0", "cnn_l2_1e-2", "cnn_l2_1e-3", "cnn_l2_1e-4", "d2l_wd0", "d2l_wd3",
        "equilibrium_adamw", "equilibrium_sgdm", "mobilenet_v2"]


def _hparams_summaries(log_dir, tag):
    """The HParams plugin data written under ``tag`` in the event files directly in ``log_dir``."""
    found = []
    for path in sorted(glob.glob(os.path.join(log_dir, "events.out.tfevents.*"))):
        for event in _events(path):
            for value in event.summary.value:
                if value.tag == tag:
                    found.append(plugin_data_pb2.HParamsPluginData.FromString(
                        value.metadata.plugin_data.content))
    return found


def _logged_hparams(run_dir):
    (data,) = _hparams_summaries(run_dir, hparams_metadata.SESSION_START_INFO_TAG)
    return {k: getattr(v, v.WhichOneof("kind")) for k, v in data.session_start_info.hparams.items()}


def test_d2l_weight_decay_lowers_validation_data_loss(tmp_path):
    """As in Dive into Deep Learning 3.7: with wd=3 the model stops fitting noise."""
    final = {}
    for wd in (0, 3):
        history = d2l_weight_decay.run(tmp_path / f"wd{wd}", wd=wd, epochs=100, verbose=0)
        final[wd] = history.history["val_data_loss"][-1]
    assert final[3] < 0.01 * final[0]


def test_mobilenet_validation_loss_falls_with_the_training_loss(tmp_path):
    """Keras' BatchNormalization momentum (0.999) made it climb from 9.5 to 32 in the demo's 64 steps."""
    history = prebuilt_mobilenet.run(tmp_path, verbose=0).history
    assert len(history["val_data_loss"]) == 4
    assert all(b < a for a, b in zip(history["val_data_loss"], history["val_data_loss"][1:]))
    assert history["val_data_loss"][-1] < 0.5
    assert history["data_loss"][-1] < history["data_loss"][0]


def test_quick_demo_writes_every_run_and_kind_of_term_and_prints_a_line_per_run(tmp_path, capsys):
    assert demo_main.main(["--quick", "--no-serve", "--logdir", os.fspath(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sorted(p for p in os.listdir(tmp_path) if not p.startswith("events.")) == RUNS
    runs = demo_main.demo_runs(quick=True)
    plan = plan_lines(runs, os.fspath(tmp_path))
    assert out[:len(plan)] == plan
    summaries = [line for line in out[len(plan):] if line.split()[0] in RUNS]
    assert [line.split()[0] for line in summaries] == [run.name for run in runs]
    assert out[-2].startswith("Trained in ")
    assert out[-1] == (f"See them with: tensorboard --logdir {tmp_path}  "
                       "then open http://localhost:6006/#regloss")

    assert regloss_tags(tmp_path / "d2l_wd0" / "train") == {"regloss/total", "regloss/data"}
    assert regloss_tags(tmp_path / "d2l_wd3" / "validation") == {
        "regloss/total", "regloss/data", "regloss/penalty/linear/kernel"}
    dynamics = {t for t in regloss_tags(tmp_path / "cnn_l2_1e-3" / "train") if t.startswith("regloss/dynamics/")}
    assert "regloss/dynamics/decay_ratio/conv1/kernel" in dynamics
    assert "regloss/dynamics/angular_equilibrium/conv1/kernel" not in dynamics  # Adam with coupled L2
    cnn = regloss_tags(tmp_path / "cnn_l2_1e-3" / "train") - dynamics
    assert {t.rsplit("/", 1)[-1] for t in cnn if "/penalty/" in t} == {"kernel", "activity", "add_loss"}
    assert "regloss/penalty/fc/activity" in cnn and "regloss/penalty/logit_penalty/add_loss" in cnn
    assert len(cnn) == 2 + 4 + 2
    assert regloss_tags(tmp_path / "cnn_l2_0" / "train") == {
        "regloss/total", "regloss/data", "regloss/penalty/fc/activity",
        "regloss/penalty/logit_penalty/add_loss"}
    adamw = regloss_tags(tmp_path / "cnn_adamw" / "train")
    assert "regloss/decoupled/conv1/kernel" in adamw
    assert "regloss/dynamics/angular_equilibrium/conv1/kernel" in adamw
    assert not any(t.endswith("/kernel") for t in adamw if "/penalty/" in t)
    mobilenet = regloss_tags(tmp_path / "mobilenet_v2" / "train")
    assert "regloss/penalty/Conv1/kernel" in mobilenet
    assert not any("depthwise" in t for t in mobilenet)
    for optimizer in ("adamw", "sgdm"):
        equilibrium = regloss_tags(tmp_path / f"equilibrium_{optimizer}" / "train")
        assert {"regloss/dynamics/angular_update/conv1/kernel",
                "regloss/dynamics/angular_equilibrium/conv2/kernel"} <= equilibrium

    # The audit, as the dashboard reads it: the Adam + L2 sweep flagged, the AdamW run clean, and
    # the sweep plot's figures for every run of the sweep.
    from tensorboard import context as tb_context
    from tensorboard.plugins import base_plugin

    from tb_regloss.plugin import regloss_plugin
    from tests.plugin_runs import make_provider

    plugin = regloss_plugin.RegLossPlugin(base_plugin.TBContext(data_provider=make_provider(tmp_path)))
    ctx = tb_context.RequestContext()
    for l2 in cnn_sweep.L2_VALUES:
        plan = plugin.decay_plan_impl(ctx, "", cnn_sweep.run_name(l2) + "/train")
        assert {f["code"] for f in plan["findings"]} == ({"l2_under_adaptive_optimizer"} if l2 else set()), l2
    assert plugin.decay_plan_impl(ctx, "", "cnn_adamw/train")["findings"] == []
    sweep = {r["run"]: r for r in plugin.sweep_impl(ctx, "")["runs"]}
    assert all(sweep[cnn_sweep.run_name(l2) + "/validation"]["best_data"] is not None for l2 in cnn_sweep.L2_VALUES)
    hparams = {r["run"]: r["hparams"] for r in plugin.hparams_impl(ctx, "")["runs"]}
    assert [hparams[cnn_sweep.run_name(l2)]["l2"] for l2 in cnn_sweep.L2_VALUES] == list(cnn_sweep.L2_VALUES)


def test_the_adam_l2_sweep_is_flagged_and_the_adamw_run_has_a_plan_without_findings():
    import tb_regloss
    from demo import synthetic_cnn

    kernels = {"conv1/kernel", "conv2/kernel", "fc/kernel", "logits/kernel"}
    for l2 in cnn_sweep.L2_VALUES:
        plan = {e.key: e.findings for e in tb_regloss.decay_plan(synthetic_cnn.build_model(l2))}
        flagged = {key for key, findings in plan.items() if findings}
        assert flagged == (kernels if l2 else set()), l2
        assert all(plan[key] == ("l2_under_adaptive_optimizer",) for key in flagged)
    adamw = tb_regloss.decay_plan(synthetic_cnn.build_model(l2=0, optimizer=synthetic_cnn.adamw_optimizer()))
    assert {e.key for e in adamw if e.decoupled} == kernels  # the biases excluded
    assert [e for e in adamw if e.findings] == []


def test_quick_demo_sweep_logs_hyperparameters_for_the_hparams_plugin(tmp_path):
    for l2 in cnn_sweep.L2_VALUES:
        cnn_sweep.run(tmp_path / cnn_sweep.run_name(l2), l2, epochs=1, n_train=64)
    cnn_sweep.write_experiment(tmp_path)
    cnn_sweep.write_experiment(tmp_path)  # a rerun replaces the experiment
    assert _logged_hparams(tmp_path / "cnn_l2_1e-4") == {
        "l2": 1e-4, "optimizer": "adam", "learning_rate": 2e-3, "batch_size": 64, "epochs": 1,
        "train_examples": 64}
    assert sorted(_logged_hparams(tmp_path / cnn_sweep.run_name(l2))["l2"] for l2 in cnn_sweep.L2_VALUES) \
        == [0, 1e-4, 1e-3, 1e-2]
    (experiment,) = _hparams_summaries(tmp_path, hparams_metadata.EXPERIMENT_TAG)
    assert [h.name for h in experiment.experiment.hparam_infos][0] == "l2"
    assert [(m.name.group, m.name.tag) for m in experiment.experiment.metric_infos] == [
        ("validation", "regloss/data"), ("train", "regloss/data"), ("train", "regloss/total")]


def test_sweep_run_names_write_the_factor_as_in_code():
    assert [cnn_sweep.run_name(l2) for l2 in cnn_sweep.L2_VALUES] == [
        "cnn_l2_0", "cnn_l2_1e-4", "cnn_l2_1e-3", "cnn_l2_1e-2"]
    assert cnn_sweep.run_name(5e-4) == "cnn_l2_5e-4"


def test_durations_and_losses_print_without_si_prefixes():
    assert [format_duration(s) for s in (0.4, 45, 59.6, 60, 185, 3725)] == [
        "0 s", "45 s", "1 min 00 s", "1 min 00 s", "3 min 05 s", "62 min 05 s"]
    assert [format_loss(v) for v in (0.0123456, 208.4, 1.5e-5, 0.0)] == ["0.0123", "208", "1.5e-05", "0"]


def test_plan_lists_every_run_with_its_estimate_and_the_total():
    runs = [Run("d2l_wd0", "no decay", 100, 10, None), Run("mobilenet_v2", "many terms", 1, 50.4, None)]
    assert plan_lines(runs, "runs/demo") == [
        "Training 2 runs into runs/demo/, about 1 min 00 s on 2 CPU cores:",
        "  d2l_wd0       100 epochs  ~10 s       no decay",
        "  mobilenet_v2    1 epoch   ~50 s       many terms",
    ]


def test_summary_line_splits_the_last_loss_and_shows_the_validation_trend():
    history = {"loss": [2.0, 0.4148], "data_loss": [1.9, 0.2496], "reg_loss": [0.1, 0.1653],
               "val_data_loss": [2.31, 0.3], "val_accuracy": [0.1, 0.925]}
    assert summary_line("cnn_l2_1e-3", history, 23.6, 12) == (
        "cnn_l2_1e-3        24 s  loss 0.415 = data 0.25 + penalties 0.165"
        "  validation data loss 2.31 → 0.3  accuracy 92%")
    assert summary_line("d2l_wd0", {"loss": [1.0], "data_loss": [1.0], "reg_loss": [0.0]}, 7, 7) == (
        "d2l_wd0        7 s  loss 1 = data 1 + penalties 0")


def test_tensorflow_imports_without_log_lines_on_a_cpu_machine():
    """oneDNN and CUDA lines are printed before TF_CPP_MIN_LOG_LEVEL applies; the demo catches them."""
    result = subprocess.run(
        [sys.executable, "-c", "from demo.quiet_tensorflow import import_tensorflow; "
                               "import_tensorflow().constant(1.0) + 1; print('ok')"],
        capture_output=True, text=True, check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert (result.stdout, result.stderr) == ("ok\n", "")
