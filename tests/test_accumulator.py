"""PhaseAccumulator: weighted means since each reader's last read, merged across layouts."""

import pytest
import tensorflow as tf

from tb_regloss.accumulator import PhaseAccumulator


def add(acc, keys, weight, total, data, terms):
    """Adds a batch of mean ``total``, ``data`` and ``terms`` with ``weight``, as the probe adds its row."""
    from keras import ops

    row = ops.stack([ops.cast(v, "float32") for v in (1.0, total, data, *terms)])
    return acc.add_row(keys, row * ops.cast(weight, "float32"))


TENSORFLOW_API = pytest.mark.backends("tensorflow", reason="written with TensorFlow's own API (tf.function, GradientTape, tf.distribute)")


def test_weighted_means_merged_across_layouts_then_reset():
    acc = PhaseAccumulator(tf.distribute.get_strategy())
    reader = acc.reader()
    assert reader.read() is None
    add(acc, ["a"], 2.0, 3.0, 1.0, [2.0])
    add(acc, ["a", "b"], 6.0, 1.0, 0.5, [0.25, 0.25])
    means = reader.read()
    assert means.total == pytest.approx((2 * 3.0 + 6 * 1.0) / 8)
    assert means.data == pytest.approx((2 * 1.0 + 6 * 0.5) / 8)
    assert means.terms == pytest.approx({"a": (2 * 2.0 + 6 * 0.25) / 8, "b": 6 * 0.25 / 8})
    assert reader.read() is None


@TENSORFLOW_API
def test_sums_created_while_tracing_live_outside_the_function():
    acc = PhaseAccumulator(tf.distribute.get_strategy())
    reader = acc.reader()

    @tf.function
    def step(value):
        add(acc, ["k"], tf.constant(1.0), value, value / 2, [value / 2])

    for v in (1.0, 3.0):
        step(tf.constant(v))
    means = reader.read()
    assert (means.total, means.data, means.terms) == (2.0, 1.0, {"k": 1.0})


@TENSORFLOW_API
def test_prepared_sums_keep_the_step_to_one_trace():
    traces = []
    for prepare in (False, True):
        acc = PhaseAccumulator(tf.distribute.get_strategy())
        reader = acc.reader()
        if prepare:
            acc.prepare(capacity=8)
        count = [0]

        @tf.function
        def step(value):
            count[0] += 1
            add(acc, ["k", "l"], tf.constant(2.0), value, value / 2, [value / 4, value / 4])

        step(tf.constant(1.0))
        step(tf.constant(3.0))
        traces.append(count[0])
        means = reader.read()
        assert (means.total, means.data, means.terms) == (2.0, 1.0, {"k": 0.5, "l": 0.5})
    # A variable created while tracing makes tf.function trace again.
    assert traces == [2, 1]


def test_skip_drops_pending_batches():
    acc = PhaseAccumulator(tf.distribute.get_strategy())
    reader = acc.reader()
    add(acc, [], 1.0, 1.0, 1.0, [])
    reader.skip()
    assert reader.read() is None


def test_two_readers_each_get_every_batch():
    acc = PhaseAccumulator(tf.distribute.get_strategy())
    per_batch, per_epoch = acc.reader(), acc.reader()
    add(acc, ["k"], 1.0, 2.0, 1.0, [1.0])
    assert per_batch.read().total == 2.0
    add(acc, ["k"], 1.0, 4.0, 3.0, [1.0])
    assert per_batch.read().total == 4.0
    assert per_epoch.read().total == 3.0
    late = acc.reader()
    assert late.read() is None


def test_a_nan_batch_spoils_one_read_of_each_reader():
    acc = PhaseAccumulator(tf.distribute.get_strategy())
    first_reader, second_reader = acc.reader(), acc.reader()
    add(acc, ["k"], 1.0, float("nan"), 1.0, [float("inf")])
    first = first_reader.read()
    assert first.total != first.total and first.terms["k"] == float("inf")
    add(acc, ["k"], 1.0, 2.0, 1.0, [1.0])
    for reader, spoiled in ((first_reader, False), (second_reader, True)):
        means = reader.read()
        if spoiled:
            assert means.total != means.total and means.terms["k"] == float("inf")
        else:
            assert (means.total, means.data, means.terms) == (2.0, 1.0, {"k": 1.0})
    add(acc, ["k"], 1.0, 4.0, 3.0, [1.0])
    assert second_reader.read().total == 4.0


def test_a_layout_without_batches_since_the_last_read_names_no_term():
    acc = PhaseAccumulator(tf.distribute.get_strategy())
    reader = acc.reader()
    add(acc, ["frozen", "head"], 1.0, 3.0, 1.0, [1.0, 1.0])
    reader.read()
    add(acc, ["head"], 1.0, 2.0, 1.0, [1.0])  # a retrace after freezing a layer
    assert reader.read().terms == {"head": 1.0}


def test_float32_pairs_keep_the_precision_of_float64():
    # JAX's variables hold float32 only: the sums are a (sum, rounding error) pair.
    import numpy as np
    from keras import ops

    from tb_regloss.accumulator import _two_sum

    values = np.random.default_rng(0).lognormal(0, 3, (2000, 3)).astype(np.float32)
    high, low = ops.zeros((3,), "float32"), ops.zeros((3,), "float32")
    for row in values:
        high, low = _two_sum(high, low, ops.convert_to_tensor(row))
    exact = values.astype(np.float64).sum(axis=0)
    paired = np.asarray(high, np.float64) + np.asarray(low, np.float64)
    np.testing.assert_allclose(paired, exact, rtol=1e-12)
    drift = np.abs(np.cumsum(values, axis=0, dtype=np.float32)[-1] - exact) / exact
    assert drift.max() > 1e-7  # a float32 running sum alone drifts
    # An infinite value stays infinite, not NaN.
    high, low = _two_sum(high, low, ops.convert_to_tensor([np.inf, 0.0, -np.inf], "float32"))
    assert np.asarray(high).tolist()[::2] == [np.inf, -np.inf]
