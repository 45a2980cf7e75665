"""Hooks the loss decomposition into a model's compiled train and test steps.

Keras sums the loss in ``Trainer.compute_loss``: the compiled loss plus
``self._aggregate_additional_loss(t)`` for every ``t`` in ``self.losses``. The
probe wraps those two methods on the model instance, so while a train or test
step is traced it sees the very tensors Keras adds up, names them (see
`tb_regloss.attribution`) and adds them to on-device running sums (see
`tb_regloss.accumulator`). Nothing is recomputed, nothing is copied to the host
per step; a writer reads the sums when it writes.

It also adds ``data_loss`` and ``reg_loss`` to ``model.metrics``, hence to the
logs (progress bar, ``History``, ``EarlyStopping``), but keeps them out of the
list ``evaluate(return_dict=False)`` returns so existing unpacking still works.

The probe is installed once per model and stays: the next fit reuses the
compiled step. Installing it on a model that already has compiled steps drops
them, so Keras traces them again with the probe inside.
"""

import contextlib
import threading

import keras
from keras.src.trainers.compile_utils import MetricsList

from tb_regloss import accumulator
from tb_regloss import attribution
from tb_regloss import decoupled_decay
from tb_regloss import tags

DATA_LOSS = "data_loss"
REG_LOSS = "reg_loss"

_PROBE_ATTR = "_tb_regloss_probe"


def install(model):
    """Returns the model's `StepProbe`, installing it on first use.

    Example:

    ```python
    probe = install(model)
    model.fit(x, y)
    means = probe.accumulators["train"].read_and_reset()
    ```
    """
    probe = model.__dict__.get(_PROBE_ATTR)
    if probe is None:
        probe = StepProbe(model)
        # Plain attribute: Keras must not track, save or clone it.
        object.__setattr__(model, _PROBE_ATTR, probe)
    return probe


class StepProbe:
    """The decomposition hooked into one model's train and test steps.

    Attributes:
        accumulators: ``{"train": PhaseAccumulator, "test": PhaseAccumulator}``.
        descriptions: ``{tag: description}``: total and data, and every term seen while tracing.
    """

    def __init__(self, model):
        self._model = model
        strategy = model.distribute_strategy
        self.accumulators = {
            "train": accumulator.PhaseAccumulator(strategy),
            "test": accumulator.PhaseAccumulator(strategy),
        }
        self.descriptions = tags.tag_descriptions({})  # total and data, then terms as traced
        with strategy.scope():
            self._data_tracker = keras.metrics.Mean(name=DATA_LOSS)
            self._data_tracker._direction = "down"  # For EarlyStopping's mode="auto".
            self._reg_tracker = keras.metrics.Mean(name=REG_LOSS)
            # In model.metrics, Keras resets them, logs them and saves nothing.
            model._metrics.append(_LossSplit([self._data_tracker, self._reg_tracker]))
        # Per thread: MirroredStrategy traces each replica in its own thread.
        self._trace = threading.local()
        self._patch(model)

    def _patch(self, model):
        originals = {
            name: getattr(model, name)
            for name in (
                "train_step",
                "test_step",
                "compute_loss",
                "_aggregate_additional_loss",
                "_flatten_metrics_in_order",
            )
        }

        def train_step(data):
            with self._in_phase("train"):
                return originals["train_step"](data)

        def test_step(data):
            with self._in_phase("test"):
                return originals["test_step"](data)

        def compute_loss(*args, **kwargs):
            trace = self._trace
            if getattr(trace, "phase", None) is None or getattr(trace, "captured", None) is not None:
                return originals["compute_loss"](*args, **kwargs)
            trace.captured = []
            try:
                total = originals["compute_loss"](*args, **kwargs)
                captured = trace.captured
            finally:
                trace.captured = None
            if total is not None:
                x = args[0] if args else kwargs.get("x")
                y_pred = args[2] if len(args) > 2 else kwargs.get("y_pred")
                self._record(trace.phase, total, captured, _batch_size(x, y_pred))
            return total

        def aggregate_additional_loss(loss):
            value = originals["_aggregate_additional_loss"](loss)
            captured = getattr(self._trace, "captured", None)
            if captured is not None:
                captured.append((loss, value))
            return value

        def flatten_metrics_in_order(logs):
            return originals["_flatten_metrics_in_order"](
                {k: v for k, v in logs.items() if k not in (DATA_LOSS, REG_LOSS)}
            )

        for name, fn in (
            ("train_step", train_step),
            ("test_step", test_step),
            ("compute_loss", compute_loss),
            ("_aggregate_additional_loss", aggregate_additional_loss),
            ("_flatten_metrics_in_order", flatten_metrics_in_order),
        ):
            object.__setattr__(model, name, fn)
        # Compiled steps made before the probe do not contain it: trace again.
        model.train_function = None
        model.test_function = None

    @contextlib.contextmanager
    def _in_phase(self, phase):
        outer = getattr(self._trace, "phase", None)
        self._trace.phase = phase
        try:
            yield
        finally:
            self._trace.phase = outer

    def _record(self, phase, total, captured, batch_size):
        from keras import ops

        terms = attribution.attribute(self._model, [loss for loss, _ in captured])
        merged = {}
        for term, (_, value) in zip(terms, captured):
            tag = tags.penalty_tag(term.key)
            value = _unscale(ops.cast(value, "float32"))
            merged[tag] = merged[tag] + value if tag in merged else value
            self.descriptions.setdefault(tag, term.description)
        total = _unscale(ops.cast(total, "float32"))
        reg = ops.sum(ops.stack(list(merged.values()))) if merged else ops.zeros(())
        data = total - reg
        if phase == "train":
            for term, value in decoupled_decay.terms(self._model):
                tag = tags.decoupled_tag(term.key)
                merged[tag] = value
                self.descriptions.setdefault(tag, term.description)
        weight = ops.cast(batch_size, "float32")
        self.accumulators[phase].add(
            list(merged), weight, total, data, list(merged.values())
        )
        self._data_tracker.update_state(data, sample_weight=weight)
        self._reg_tracker.update_state(reg, sample_weight=weight)


def _batch_size(x, y_pred):
    """The weight Keras gives a batch's loss: its number of samples."""
    from keras import ops
    from keras import tree

    for structure in (x, y_pred):
        for tensor in tree.flatten(structure) if structure is not None else ():
            if tensor is not None:
                return ops.shape(tensor)[0]
    return 1


def _unscale(value):
    """Undoes Keras' per-replica loss scaling, as its loss tracker does."""
    import tensorflow as tf

    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return value * float(replicas) if replicas > 1 else value


class _LossSplit(MetricsList):
    """``data_loss`` and ``reg_loss`` as one entry of ``model.metrics``.

    A ``MetricsList`` so that ``EarlyStopping(monitor="val_data_loss")`` finds
    the direction of its metric, as it does for compiled metrics.
    """

    def __init__(self, metrics):
        super().__init__(metrics, name="regloss_split")

    def result(self):
        return self.get_result()
