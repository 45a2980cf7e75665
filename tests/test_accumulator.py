"""PhaseAccumulator: weighted means since the last read, merged across layouts."""

import pytest
import tensorflow as tf

from tb_regloss.accumulator import PhaseAccumulator


def test_weighted_means_merged_across_layouts_then_reset():
    acc = PhaseAccumulator(tf.distribute.get_strategy())
    assert acc.read_and_reset() is None
    acc.add(["a"], 2.0, 3.0, 1.0, [2.0])
    acc.add(["a", "b"], 6.0, 1.0, 0.5, [0.25, 0.25])
    means = acc.read_and_reset()
    assert means.total == pytest.approx((2 * 3.0 + 6 * 1.0) / 8)
    assert means.data == pytest.approx((2 * 1.0 + 6 * 0.5) / 8)
    assert means.terms == pytest.approx({"a": (2 * 2.0 + 6 * 0.25) / 8, "b": 6 * 0.25 / 8})
    assert acc.read_and_reset() is None


def test_sums_created_while_tracing_live_outside_the_function():
    acc = PhaseAccumulator(tf.distribute.get_strategy())

    @tf.function
    def step(value):
        acc.add(["k"], tf.constant(1.0), value, value / 2, [value / 2])

    for v in (1.0, 3.0):
        step(tf.constant(v))
    means = acc.read_and_reset()
    assert (means.total, means.data, means.terms) == (2.0, 1.0, {"k": 1.0})


def test_reset_drops_pending_batches():
    acc = PhaseAccumulator(tf.distribute.get_strategy())
    acc.add([], 1.0, 1.0, 1.0, [])
    acc.reset()
    assert acc.read_and_reset() is None


def test_a_nan_batch_spoils_one_read_only():
    acc = PhaseAccumulator(tf.distribute.get_strategy())
    acc.add(["k"], 1.0, float("nan"), 1.0, [float("inf")])
    first = acc.read_and_reset()
    assert first.total != first.total and first.terms["k"] == float("inf")
    acc.add(["k"], 1.0, 2.0, 1.0, [1.0])
    second = acc.read_and_reset()
    assert (second.total, second.data, second.terms) == (2.0, 1.0, {"k": 1.0})
