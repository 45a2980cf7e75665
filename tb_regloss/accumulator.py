"""On-device running sums of the loss decomposition, read only when written.

Each traced step adds ``[weight, total·w, data·w, term₁·w, …]`` to one float64
vector variable, so a step costs one ``assign_add`` whatever the number of
terms, and nothing leaves the device until a writer asks for the means. The
sums are never reset by a read: each `Reader` subtracts its own previous read,
so several readers (two callbacks on one model) each get every batch. Float64
(on JAX, where variables hold float32 only, a compensated float32 pair) keeps
the difference exact for any realistic run. Only a non-finite sum is
reset, so one NaN spoils one point of each reader.

A step may also return the sums it just updated (`PhaseAccumulator.values_now`);
the host then takes them from the step's outputs (`PhaseAccumulator.receive`)
instead of reading the variable again, an operation on the device that costs
about 0.3 ms right after a step on a CPU.

The vectors are made before the step is traced (`PhaseAccumulator.prepare`),
large enough for any layout of the model's terms: a variable created while
``tf.function`` traces makes TensorFlow trace the whole step a second time.
A trace that finds another set of terms (a new layout) takes its own vector;
reads merge them.
"""

import dataclasses
import math

import keras
import numpy as np

from tb_regloss import _keras


class _LayoutSums(keras.metrics.Metric):
    """A weighted running sum of ``[weight, total, data, *terms, 0…]``.

    Float64 where the backend has it; on JAX (float32 only) a float32 sum and
    its rounding error, added as a two-sum, so the pair keeps float64's
    precision: the rows of one ``(2, capacity)`` variable, read in one copy
    after each written batch. A step whose state cannot carry the variables (a custom JAX
    ``train_step``, see `tb_regloss._keras.step_state.assignable_in_step`) sends
    its vector to the host, where it is added in float64.

    It may sit in ``model.metrics`` (on JAX, for Keras to carry it through the
    step): Keras resets metrics every epoch and custom steps call
    ``update_state(y, y_pred)`` on each, so both do nothing here, and
    ``result()`` adds nothing to the logs. Readers subtract their last read.
    """

    def __init__(self, capacity, **kwargs):
        super().__init__(name=f"regloss_sums_{keras.backend.get_uid('regloss_sums')}", **kwargs)
        self.capacity = capacity
        self._paired = not _keras.step_state.has_float64()  # rows [sums, rounding errors]
        self.sums = self.add_variable(
            shape=(2, capacity) if self._paired else (capacity,), initializer="zeros",
            dtype="float32" if self._paired else "float64", name="sums")
        self.on_host = np.zeros(capacity, np.float64)
        self._sends = False  # whether a traced step sends its vectors to the host

    def update_state(self, *args, **kwargs):
        pass

    def reset_state(self):
        pass

    def result(self):
        return {}

    def add(self, vector):
        """Adds ``vector`` (at most ``capacity`` entries) in the step being run or traced."""
        from keras import ops

        assignable = _keras.step_state.assignable_in_step(self.sums)
        if assignable and not self._paired:
            _keras.backends.add_to_variable(self.sums, vector)
            return
        padding = self.capacity - vector.shape[0]
        if padding:
            vector = ops.concatenate([vector, ops.zeros((padding,), vector.dtype)])
        if not assignable:
            self._sends = True
            _keras.step_state.send_to_host(self._add_on_host, vector)
        else:
            pair = self.sums.value
            self.sums.assign(ops.stack(_two_sum(pair[0], pair[1], ops.cast(vector, "float32"))))

    def _add_on_host(self, vector):
        self.on_host += np.asarray(vector, np.float64)

    def read(self, host, length):
        """The first ``length`` sums as a float64 NumPy vector.

        ``host`` is a `tb_regloss._keras.step_state.HostState`.
        """
        now = host.read(self.sums)
        # A pair's rows are added in float64: one addition per entry.
        now = now[:, :length].sum(axis=0, dtype=np.float64) if self._paired else now[:length].astype(np.float64)
        if not self._sends:
            return now
        _keras.step_state.wait_for_host()
        return now + self.on_host[:length]

    def clear(self, host):
        """Sets the sums to zero (a non-finite value must not spoil every later read)."""
        host.zero([self.sums])
        self.on_host[:] = 0


def _two_sum(high, low, value):
    """``(high, low) + value`` as a new float32 pair ``high + low`` (error-free transformation).

    A non-finite sum is kept as it is (the rounding error of ``inf`` is NaN).
    """
    from keras import ops

    total = high + value
    back = total - high
    error = (high - (total - back)) + (value - back) + low
    new_high = total + error
    finite = ops.isfinite(total)
    return (ops.where(finite, new_high, total),
            ops.where(finite, error - (new_high - total), ops.zeros_like(low)))


class PhaseAccumulator:
    """The running sums of one phase (``train`` or ``test``) of one model.

    Example:

    ```python
    acc = PhaseAccumulator(strategy)
    reader = acc.reader()
    acc.prepare(capacity=64)              # on the host, before the step is traced
    acc.add_row(["regloss/penalty/conv/kernel"], ops.stack([w, total * w, data * w, term * w]))  # in the step
    means = reader.read()                 # on the host, when writing
    means.total, means.data, means.terms["regloss/penalty/conv/kernel"]
    ```
    """

    def __init__(self, strategy, host=None, on_new=None):
        self._strategy = strategy
        self._host = host or _keras.step_state.HostState()  # reads and resets the sums
        self._on_new = on_new  # called with each new _LayoutSums (e.g. to put it in the model's state)
        self._layouts = {}  # keys -> _LayoutSums
        self._ids = {}  # keys -> the layout's name in a step's outputs
        self._latest = {}  # keys -> the sums after the last step, as the step returned them
        self._spare = None
        self._readers = []

    def reader(self):
        """A new `Reader`: it sees the batches added from now on."""
        reader = Reader(self)
        for keys, sums in self._layouts.items():
            reader.last[keys] = sums.read(self._host, len(keys) + 3)
        self._readers.append(reader)
        return reader

    def prepare(self, capacity):
        """Makes sure a vector of at least ``capacity`` entries waits for the next layout.

        Call it on the host (not while tracing): ``capacity`` is an upper bound
        of ``3 + number of terms``.
        """
        if self._spare is None or self._spare.capacity < capacity:
            with self._strategy.scope():
                self._spare = _LayoutSums(capacity)
            if self._on_new is not None:
                self._on_new(self._spare)

    def add_row(self, keys, row):
        """Adds one batch's weighted row ``[weight, total·w, data·w, *terms·w]`` (float32); in the step.

        ``keys`` name the terms. Returns the layout's name for `values_now`.
        """
        keys = tuple(keys)
        self._sums_for(keys).add(row)
        return self._ids[keys]

    def add_values(self, keys, weight, values):
        """Adds one vector of ``values`` matching ``keys``, weighted, with no total or data; in the step.

        The sums of `tb_regloss.dynamics`: their `Means` have ``terms`` only.
        Returns the layout's name for `values_now`.
        """
        from keras import ops

        head = ops.convert_to_tensor([1.0, 0.0, 0.0], "float32")
        return self.add_row(keys, ops.concatenate([head, ops.cast(values, "float32")]) * weight)

    def values_now(self, names):
        """``{name: sums}`` of the layouts ``names``, read in the step after its `add` calls.

        A step that returns these lets the host read the sums from the step's
        outputs (`receive`) instead of reading the variables again.
        """
        from keras import ops

        by_name = {name: keys for keys, name in self._ids.items()}
        return {name: ops.convert_to_tensor(self._layouts[by_name[name]].sums) for name in names}

    def receive(self, values):
        """Takes a step's `values_now` (``{}`` if it returned none) as the latest sums."""
        by_name = {name: keys for keys, name in self._ids.items()}
        self._latest = {by_name[name]: value for name, value in values.items()}

    def _sums_for(self, keys):
        # MirroredStrategy traces each replica in its own thread, one at a
        # time: the first one takes the spare, the others find the layout.
        if keys not in self._layouts:
            spare = self._spare
            if spare is not None and spare.capacity >= len(keys) + 3:
                self._spare = None
                self._layouts[keys] = spare
            else:
                self._create(keys)
            self._ids.setdefault(keys, str(len(self._ids)))
        return self._layouts[keys]

    def _create(self, keys):
        # No vector prepared: create one while tracing, lifted out of the
        # step (TensorFlow then traces twice; on JAX the step sends this
        # layout's sums to the host, as its state cannot carry a new variable).
        def create():
            with _keras.backends.outside_the_step(), self._strategy.scope():
                if keys not in self._layouts:
                    self._layouts[keys] = _LayoutSums(len(keys) + 3)

        _keras.backends.once_for_all_replicas(create)

    def _reset_non_finite(self, keys, now, reader_who_read):
        """Resets a non-finite vector; the other readers keep what they had not read."""
        for other in self._readers:
            if other is not reader_who_read:
                other.pending[keys] = other.pending.get(keys, 0.0) + (now - other.last.get(keys, 0.0))
                other.last[keys] = 0.0
        self._layouts[keys].clear(self._host)
        self._latest.pop(keys, None)
        reader_who_read.last[keys] = 0.0


class Reader:
    """Reads one `PhaseAccumulator`: the means of the batches since its last read."""

    def __init__(self, accumulator):
        self._accumulator = accumulator
        self.last = {}
        self.pending = {}

    def read(self):
        """Returns the `Means` since the last read, or ``None`` if no batch was added."""
        # Layouts that saw no batch since the last read (an earlier trace's)
        # name no term of this point.
        rows = [(keys, row) for keys, row in self._deltas() if row[0] != 0]
        if not rows:
            return None
        if len(rows) == 1:  # One layout: the usual case, kept to a few array operations.
            ((keys, row),) = rows
        else:
            keys, row = _merged(rows)
            if row[0] == 0:
                return None
        return Means(keys=keys, point=row[1:] / row[0])

    def skip(self):
        """Drops whatever was added since the last read (e.g. by steps run without a writer)."""
        for _ in self._deltas():
            pass

    def _deltas(self):
        latest = self._accumulator._latest
        for keys, sums in list(self._accumulator._layouts.items()):
            # The step's own output when it returned one: reading the
            # variable costs an operation on the device.
            length = len(keys) + 3  # the rest is padding
            now = (np.asarray(latest[keys], dtype=np.float64)[:length] if keys in latest
                   else sums.read(self._accumulator._host, length))
            # Few array operations: right after a step each costs some 20 µs.
            last = self.last.get(keys)
            delta = now if last is None else now - last
            if keys in self.pending:
                delta = delta + self.pending.pop(keys)
            self.last[keys] = now
            if not math.isfinite(now.sum()) and not np.isfinite(now).all():
                # A NaN or infinity must reach this read only, not every later one.
                self._accumulator._reset_non_finite(keys, now, self)
            yield keys, delta


def _merged(rows):
    """One ``(keys, row)`` of several layouts' rows: a key's values are summed."""
    sums = {}
    for keys, row in rows:
        for key, value in zip(keys, row[3:].tolist()):
            sums[key] = sums[key] + value if key in sums else value
    head = sum(row[:3] for _, row in rows)
    return tuple(sums), np.concatenate([head, np.fromiter(sums.values(), np.float64, len(sums))])


@dataclasses.dataclass
class Means:
    """Weighted means since the last read.

    ``point`` holds the mean total, the mean data loss, then a mean per term
    of ``keys``, in that order.
    """

    keys: tuple
    point: np.ndarray

    @property
    def total(self):
        return float(self.point[0])

    @property
    def data(self):
        return float(self.point[1])

    @property
    def terms(self):
        """``{key: mean}`` of every term."""
        return dict(zip(self.keys, self.point[2:].tolist()))
