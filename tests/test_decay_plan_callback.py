"""RegLossCallback prints the decay plan at the start of fit and writes it, as JSON, into the training run."""

import pytest
from keras import optimizers, regularizers

import tb_regloss
from tests import models
from tests.event_reader import read_decay_plans

# The tiny transformer (tests/models.py) under AdamW(weight_decay=0.01) with
# nothing excluded: key -> parameters, every weight decayed by λ = 0.01.
WEIGHTS = {
    "token_embedding/embeddings": 160,
    "ln/gamma": 8,
    "ln/beta": 8,
    "attn/kernel": 64,
    "attn/bias": 8,
    "head/kernel": 32,
    "head/bias": 4,
}
FINDINGS = {
    "token_embedding/embeddings": ["embedding_decayed"],
    "ln/gamma": ["norm_decayed"],
    "ln/beta": ["norm_decayed"],
    "attn/bias": ["bias_decayed"],
    "head/bias": ["bias_decayed"],
}


def adamw_transformer():
    model = models.tiny_transformer()
    model.compile(optimizers.AdamW(learning_rate=0.01, weight_decay=0.01), "mse")
    return model


def fit(model, log_dir, epochs=1, **kwargs):
    x, y = models.token_batches(32)
    fit_kwargs = {k: kwargs.pop(k) for k in ("verbose",) if k in kwargs}
    return model.fit(x, y, batch_size=8, epochs=epochs, shuffle=False,
                     callbacks=[tb_regloss.RegLossCallback(log_dir, **kwargs)], **fit_kwargs)


def test_adamw_run_prints_the_plan_not_the_no_penalties_message(tmp_path, capsys):
    fit(adamw_transformer(), tmp_path, verbose=2)
    out = capsys.readouterr().out
    assert "no penalties" not in out
    lines = out.splitlines()
    title = lines.index("tb_regloss decay plan of tiny_transformer (AdamW): 7 trainable weights, 284 parameters")
    rows = {line.split()[0]: line.split()[1:] for line in lines[title + 3:title + 7]}
    # Weights, coupled, decoupled, no decay, per layer: everything is decoupled.
    assert rows == {"token_embedding": ["1", "0", "160", "0"], "ln": ["2", "0", "16", "0"],
                    "attn": ["2", "0", "72", "0"], "head": ["2", "0", "36", "0"]}
    assert lines[title + 8].split() == ["Total", "7", "0", "284", "0"]
    findings = [line for line in lines if line.startswith("  ")]
    assert [line.split()[0] for line in findings] == ["norm_decayed", "bias_decayed", "embedding_decayed"]
    assert findings[0].startswith("  norm_decayed (ln/gamma, ln/beta): ")
    assert '"gamma", "beta"' in findings[0] and "Fix: " in findings[0]


@pytest.mark.parametrize("fit_verbose, print_plan", [(0, True), (1, False)])
def test_verbose_0_or_print_plan_false_print_nothing_but_still_write(tmp_path, capsys, fit_verbose, print_plan):
    fit(adamw_transformer(), tmp_path, verbose=fit_verbose, print_plan=print_plan)
    assert "decay plan" not in capsys.readouterr().out
    assert len(read_decay_plans(tmp_path / "train")) == 1


def test_plan_written_once_per_fit_at_its_first_step(tmp_path):
    model = adamw_transformer()
    fit(model, tmp_path, epochs=2, verbose=0)
    ((step, plan),) = read_decay_plans(tmp_path / "train")
    assert step == 0
    assert plan["entries"] == [
        {"key": key, "parameters": n, "coupled": None, "decoupled": 0.01, "findings": FINDINGS.get(key, [])}
        for key, n in WEIGHTS.items()]
    assert [(f["code"], f["keys"]) for f in plan["findings"]] == [
        ("norm_decayed", ["ln/gamma", "ln/beta"]),
        ("bias_decayed", ["attn/bias", "head/bias"]),
        ("embedding_decayed", ["token_embedding/embeddings"]),
    ]
    assert all(f["fix"] for f in plan["findings"])
    assert read_decay_plans(tmp_path / "validation") == []

    # Recompiled with a new optimizer, fit again on the log_dir: a second plan,
    # at the step where the first fit's 2 epochs of 4 batches ended.
    model.compile(optimizers.SGD(0.01), "mse")
    fit(model, tmp_path, verbose=0)
    (_, first), (step, second) = read_decay_plans(tmp_path / "train")
    assert first == plan and step == 8
    assert [e["decoupled"] for e in second["entries"]] == [None] * 7 and second["findings"] == []


def test_a_failing_plan_warns_and_training_and_logging_go_on(tmp_path, monkeypatch):
    from tb_regloss import decay_plans

    def broken(model):
        raise RuntimeError("boom")

    monkeypatch.setattr(decay_plans, "decay_plan", broken)
    with pytest.warns(UserWarning, match="making the decay plan failed with RuntimeError: boom"):
        history = fit(adamw_transformer(), tmp_path, verbose=0)
    assert len(history.history["loss"]) == 1
    assert read_decay_plans(tmp_path / "train") == []


def test_l2_under_adam_is_a_finding_of_the_written_plan(tmp_path):
    model = models.tiny_transformer(kernel_regularizer=regularizers.L2(0.001))
    model.compile(optimizers.Adam(), "mse")
    fit(model, tmp_path, verbose=0)
    ((_, plan),) = read_decay_plans(tmp_path / "train")
    assert [(f["code"], f["keys"]) for f in plan["findings"]] == [
        ("l2_under_adaptive_optimizer", ["attn/kernel", "head/kernel"])]
    assert {e["key"]: e["coupled"] for e in plan["entries"] if e["coupled"]} == {
        "attn/kernel": "L2(l2=0.001)", "head/kernel": "L2(l2=0.001)"}
