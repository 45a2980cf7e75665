"""On-device running sums of the loss decomposition, read only when written.

Each traced step adds ``[weight, total·w, data·w, term₁·w, …]`` to one float64
vector variable, so a step costs one ``assign_add`` whatever the number of
terms, and nothing leaves the device until a writer asks for the means. The
sums are not reset on the device: a read subtracts the previous read, which
float64 keeps exact for any realistic run and which saves a second operation
per write (only a non-finite sum is reset, so one NaN spoils one point). A retrace that finds another set of terms (a new layout) gets its
own vector; reads merge them.
"""

import dataclasses

import keras
import numpy as np


class _LayoutSums(keras.metrics.Metric):
    """A weighted running sum of ``[weight, total, data, *terms]`` for one layout."""

    def __init__(self, size, **kwargs):
        super().__init__(dtype="float64", **kwargs)
        self.sums = self.add_variable(
            shape=(size,), initializer="zeros", dtype="float64", name="sums"
        )

    def update_state(self, vector):
        self.sums.assign_add(keras.ops.cast(vector, "float64"))

    def result(self):
        return self.sums.value


class PhaseAccumulator:
    """The running sums of one phase (``train`` or ``test``) of one model.

    Example:

    ```python
    acc = PhaseAccumulator(strategy)
    acc.add(["regloss/penalty/conv/kernel"], weight, total, data, [term])  # in the step
    means = acc.read_and_reset()  # on the host, when writing
    means.total, means.data, means.terms["regloss/penalty/conv/kernel"]
    ```
    """

    def __init__(self, strategy):
        self._strategy = strategy
        self._layouts = {}
        self._last_read = {}

    def add(self, keys, weight, total, data, terms):
        """Adds one batch; called while the step is traced. ``terms`` match ``keys``."""
        from keras import ops

        sums = self._sums_for(tuple(keys))
        sums.update_state(ops.stack([ops.ones(()), total, data, *terms]) * weight)

    def read_and_reset(self):
        """Returns the `Means` since the last read (``None`` if no batch) and resets."""
        weight, total, data = 0.0, 0.0, 0.0
        term_sums = {}
        for keys, row in self._read_deltas():
            weight += row[0]
            total += row[1]
            data += row[2]
            for key, value in zip(keys, row[3:]):
                term_sums[key] = term_sums.get(key, 0.0) + value
        if weight == 0:
            return None
        return Means(
            total=total / weight,
            data=data / weight,
            terms={k: v / weight for k, v in term_sums.items()},
        )

    def reset(self):
        """Drops whatever was accumulated (e.g. by steps run without a writer)."""
        for _ in self._read_deltas():
            pass

    def _read_deltas(self):
        for keys, sums in self._layouts.items():
            now = np.asarray(sums.result(), dtype=np.float64)
            delta = now - self._last_read.get(keys, 0.0)
            self._last_read[keys] = now
            if not np.isfinite(now).all():
                # A NaN or infinity must reach this read only, not every later one.
                sums.reset_state()
                self._last_read[keys] = 0.0
            yield keys, delta

    def _sums_for(self, keys):
        if keys not in self._layouts:
            import tensorflow as tf

            replica = tf.distribute.get_replica_context()
            if replica is not None and replica.num_replicas_in_sync > 1:
                # Each replica traces the step: create once, in cross-replica context.
                replica.merge_call(lambda _: self._create(keys))
            else:
                self._create(keys)
        return self._layouts[keys]

    def _create(self, keys):
        import tensorflow as tf

        if keys in self._layouts:
            return
        # Created while the step is traced: lift it out of the function graph,
        # into the strategy the model trains with.
        with tf.init_scope(), self._strategy.scope():
            self._layouts[keys] = _LayoutSums(len(keys) + 3, name="regloss_sums")


@dataclasses.dataclass
class Means:
    """Weighted means since the last write: ``total``, ``data`` and ``terms`` by tag."""

    total: float
    data: float
    terms: dict
