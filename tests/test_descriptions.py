"""The series descriptions tb_regloss writes, exactly as the shared fixture states them."""

import json
import pathlib

import keras
import pytest

from tb_regloss import attribution, decoupled_decay
from tests import models

FIXTURE = {d["case"]: d["text"] for d in json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "descriptions.json").read_text())["descriptions"]}


def _single(terms):
    (term,) = terms
    return term.description


def test_kernel_l2():
    model = models.seed_case_model()
    assert _single(attribution.attribute(model, model.losses)) == FIXTURE["kernel_l2"]


def test_kernel_l1l2():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(
        2, kernel_regularizer=keras.regularizers.L1L2(l1=0.001, l2=0.01), name="dense")(inputs))
    assert _single(attribution.attribute(model, model.losses)) == FIXTURE["kernel_l1l2"]


@pytest.mark.parametrize("key, case", [("act/activity", "activity"), ("noise/add_loss", "add_loss")])
def test_activity_and_add_loss(key, case):
    model = models.activity_and_add_loss_model()
    model(models.images(2)[0])
    described = {t.key: t.description for t in attribution.attribute(model, model.losses)}
    assert described[key] == FIXTURE[case]


def test_decoupled():
    model = models.seed_case_model()
    model.compile(keras.optimizers.AdamW(weight_decay=0.2), "mse")
    decoupled_decay.prepare(model)
    described = {t.key: t.description for t, _ in decoupled_decay.terms(model)}
    assert described["conv/kernel"] == FIXTURE["decoupled"]


def test_unattributed():
    assert attribution._unattributed(0).description == FIXTURE["unattributed"]
