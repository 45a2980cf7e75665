"""Pytest plugin for `bench/keras_suite.sh`: Keras' own tests with RegLossCallback attached.

Loaded with ``-p keras_suite_plugin`` while pytest runs tests from Keras' source
distribution. With ``--regloss=epoch``, ``batch`` or an integer ``N``, every
``fit`` and ``evaluate`` call gets a fresh
``tb_regloss.RegLossCallback(<dir>, update_freq=...)`` appended to its
``callbacks``; the ``evaluate`` that ``fit`` runs for validation already has it
in the ``CallbackList`` that ``fit`` passes, so it gets no second one. With
``--regloss=off`` (the baseline) nothing is attached.

The patch is on the class of ``keras.Model``'s MRO that defines ``fit`` (the
backend trainer), so models that subclass the trainer directly, as
``trainer_test.py`` does, are covered too.

It also stands in for the ``conftest.py`` of Keras' repository, which the
source distribution does not ship: it registers the ``requires_trainable_backend``
and ``multi_device`` markers, skips ``multi_device`` tests on a single device
as that file does on TensorFlow, imports torch first if it is there, and provides ``skip_if_backend`` (the harness
writes a one-line ``conftest.py`` re-exporting it, as Keras' tests import it
from ``conftest``).

Keras' assertions do not look at what the callback wrote, so after each
``fit``/``evaluate`` that returns, the plugin also checks it (never failing the
test): points' steps strictly increase (when the model has trainable weights); ``regloss/data`` plus the penalties is
``regloss/total``; ``data_loss + reg_loss`` is ``loss`` in the returned logs;
with ``update_freq="epoch"`` there is one train point per epoch equal to
History's ``loss``; one validation point per validation equal to ``val_loss``
(or to ``evaluate``'s loss). Each test's JUnit record gets the properties
``regloss_attached`` (callbacks attached during it), ``regloss_warned`` (a
callback warned it could not write: it swallows such errors so as never to
stop training) and ``regloss_check`` (what the check found).

``python bench/keras_suite_plugin.py compare BASE.xml RUN.xml`` prints the
tests whose outcome differs between two runs, and the check's findings.
"""

import functools
import glob
import inspect
import itertools
import math
import os
import sys
import tempfile

import pytest

# Tests that fail with the callback attached only because they assert the
# exact set of log keys, metric names, History keys or number of metrics,
# which gain data_loss and reg_loss (val_data_loss, val_reg_loss) by design.
# From runs of keras==3.15.1's tests (update_freq "epoch" and "batch").
_TRAINER = "keras/src/trainers/trainer_test.py::TestTrainer::"
_TENSORBOARD = "keras/src/callbacks/tensorboard_test.py::TestTensorBoardV2::"
_TAGS = "the exact set of summary tags TensorBoard writes, one per log key"
EXPECTED_BY_DESIGN = {
    _TRAINER + "test_callback_methods_keys": "the exact logs keys every hook receives",
    _TRAINER + "test_evaluate_with_custom_test_step_dict": "len(evaluate(return_dict=True)) == 3",
    _TRAINER + "test_metric_tracking": "len(model.metrics) == 3 and the number of metric variables",
    _TRAINER + "test_recompile": "the exact History and evaluate keys",
    "keras/src/callbacks/csv_logger_test.py::CSVLoggerTest::test_CSVLogger":
        "the number of CSV columns, one per log key",
    "keras/src/callbacks/remote_monitor_test.py::TerminateOnNaNTest::"
    "test_RemoteMonitorWithJsonPayload": "the exact logs posted as JSON",
    **{_TENSORBOARD + name: _TAGS for name in (
        "test_TensorBoard_across_invocations",
        "test_TensorBoard_basic",
        "test_TensorBoard_batch_metrics",
        "test_TensorBoard_global_step",
        "test_TensorBoard_learning_rate_schedules",
        "test_TensorBoard_weight_histograms",
        "test_TensorBoard_weight_images",
        "test_custom_summary",
    )},
}

_state = {
    "mode": "off", "logdir": None, "attached": [], "findings": [], "counter": itertools.count(),
}


def pytest_addoption(parser):
    group = parser.getgroup("keras_suite")
    group.addoption(
        "--regloss",
        default="off",
        help="off (baseline), or the update_freq of the RegLossCallback attached "
        "to every fit/evaluate: epoch, batch or an integer N.",
    )
    group.addoption(
        "--regloss-logdir",
        default=None,
        help="where the attached callbacks write (one subfolder per call); a temp dir by default.",
    )


def pytest_configure(config):
    try:
        # As Keras' conftest.py: torch imported after TensorFlow can segfault.
        import torch  # noqa: F401
    except ImportError:
        pass
    config.addinivalue_line(
        "markers", "requires_trainable_backend: mark test for trainable backend only"
    )
    config.addinivalue_line(
        "markers", "multi_device: mark test for running with multiple devices only"
    )
    mode = config.getoption("--regloss")
    if mode not in ("off", "epoch", "batch"):
        try:
            mode = int(mode)
        except ValueError:
            raise pytest.UsageError(
                "keras_suite_plugin: --regloss must be off, epoch, batch or an "
                f"integer N. Received: --regloss={mode}"
            ) from None
    _state["mode"] = mode
    if mode != "off":
        # A new folder even under a given one: the check reads back every event file.
        parent = config.getoption("--regloss-logdir")
        if parent:
            os.makedirs(parent, exist_ok=True)
        _state["logdir"] = tempfile.mkdtemp(prefix="keras_suite_regloss_", dir=parent)
        _patch_trainer()


def pytest_report_header(config):
    import keras
    import tb_regloss

    return (
        f"keras_suite: keras {keras.__version__} from {os.path.dirname(keras.__file__)}; "
        f"tb_regloss from {os.path.dirname(tb_regloss.__file__)}; "
        f"RegLossCallback attached: {_state['mode']}"
        + (f" (writing under {_state['logdir']})" if _state["logdir"] else "")
    )


def pytest_collection_modifyitems(config, items):
    # Keras' conftest.py skips multi_device tests on TensorFlow (and on a
    # single accelerator elsewhere); this machine has one device.
    skip = pytest.mark.skip(reason="Requires multiple devices")
    for item in items:
        if "multi_device" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    _state["attached"] = []
    _state["findings"] = []
    try:
        return (yield)
    finally:
        _record_attached(item)


def _record_attached(item):
    callbacks = _state["attached"]
    if _state["mode"] != "off":
        item.user_properties.append(("regloss_attached", len(callbacks)))
        warned = sum(bool(getattr(cb, "_warned", False)) for cb in callbacks)
        if warned:
            item.user_properties.append(("regloss_warned", warned))
        for finding in dict.fromkeys(_state["findings"]):
            item.user_properties.append(("regloss_check", finding))


def skip_if_backend(given_backend, reason):
    """What Keras' tests import from their repository's ``conftest.py``."""
    from keras.src.backend import backend

    return pytest.mark.skipif(backend() == given_backend, reason=reason)


def _patch_trainer():
    import keras

    trainer = next(k for k in keras.Model.__mro__ if "fit" in vars(k))
    for name in ("fit", "evaluate"):
        setattr(trainer, name, _with_regloss(getattr(trainer, name)))


def _with_regloss(method):
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        attached = len(_state["attached"])
        bound.arguments["callbacks"] = _attach(self, bound.arguments.get("callbacks"))
        result = method(*bound.args, **bound.kwargs)
        for callback in _state["attached"][attached:]:
            try:
                _state["findings"].extend(
                    f"{method.__name__}: {finding}" for finding in _check(self, callback, result)
                )
            except Exception as error:  # The check must never fail a test.
                _state["findings"].append(f"{method.__name__}: check crashed: {error!r}")
        return result

    return wrapper


def _new_callback():
    from tb_regloss import RegLossCallback

    log_dir = os.path.join(_state["logdir"], f"{next(_state['counter']):06d}")
    callback = RegLossCallback(log_dir, update_freq=_state["mode"])
    _state["attached"].append(callback)
    return callback


def _attach(model, callbacks):
    from keras.callbacks import Callback, CallbackList
    from tb_regloss import RegLossCallback

    if isinstance(callbacks, CallbackList):
        # fit passes its own CallbackList to the evaluate it runs for
        # validation: that one already has the callback.
        if any(isinstance(cb, RegLossCallback) for cb in callbacks.callbacks):
            return callbacks
        callback = _new_callback()
        callbacks.callbacks.append(callback)
        callback.set_model(model)
        if callbacks.params:
            callback.set_params(callbacks.params)
        # Private to Keras 3.x's CallbackList: whether batch hooks may run in
        # a thread depends on every callback's hooks.
        callbacks._configure_async_dispatch(callbacks.callbacks)
        return callbacks
    if callbacks is None:
        return [_new_callback()]
    if isinstance(callbacks, Callback):
        return [callbacks, _new_callback()]
    return [*callbacks, _new_callback()]


def _points(log_dir, subdir):
    """``[(step, {tag: value})]`` of the event files a callback wrote in ``log_dir/subdir``."""
    import tensorflow as tf

    points = []
    for path in sorted(glob.glob(os.path.join(log_dir, subdir, "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            if event.HasField("summary"):
                numbers = {v.tag: _number(v) for v in event.summary.value}
                numbers = {tag: n for tag, n in numbers.items() if n is not None}
                if numbers:  # not the decay plan's event, which holds its JSON only
                    points.append((event.step, numbers))
    return points


def _number(value):
    """A summary value's number; ``None`` for one that is not a number (the decay plan's JSON)."""
    import tensorflow as tf

    kind = value.WhichOneof("value")
    if kind == "simple_value":
        return value.simple_value
    if kind != "tensor":
        return None
    array = tf.make_ndarray(value.tensor)
    return float(array) if array.dtype.kind in "fiu" and array.size == 1 else None


def _close(a, b):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-5)


def _check(model, callback, result):
    """What is inconsistent in what ``callback`` wrote and what the call returned."""
    from keras.callbacks import History
    from tb_regloss import tags

    findings = []
    history = result.history if isinstance(result, History) else None
    if history is not None:
        logs = history
    elif isinstance(result, dict):
        logs = {k: [v] for k, v in result.items()}
    else:
        logs = {}
    for prefix in ("", "val_"):
        names = [prefix + n for n in ("loss", "data_loss", "reg_loss")]
        if names[0] in logs and not all(n in logs for n in names[1:]):
            findings.append(f"logs have {names[0]} but not {names[1]} and {names[2]}")
        elif all(n in logs for n in names):
            for loss, data, reg in zip(*(logs[n] for n in names)):
                if not _close(float(data) + float(reg), float(loss)):
                    findings.append(f"{prefix}data_loss + {prefix}reg_loss != {prefix}loss")
                    break

    series = {"train": _points(callback.log_dir, "train"),
              "validation": _points(callback.log_dir, "validation")}
    for subdir, points in series.items():
        steps = [step for step, _ in points]
        # Without trainable weights the optimizer never steps: every point is
        # at the same step, as Keras' TensorBoard callback writes them too.
        if model.trainable_weights and any(b <= a for a, b in zip(steps, steps[1:])):
            findings.append(f"{subdir} steps do not strictly increase: {steps}")
        for step, values in points:
            if tags.TOTAL not in values or tags.DATA not in values:
                findings.append(f"{subdir} point at step {step} lacks total or data")
                break
            penalties = sum(v for t, v in values.items() if t.startswith(tags.PENALTY_PREFIX))
            if not _close(values[tags.DATA] + penalties, values[tags.TOTAL]):
                findings.append(f"{subdir}: data + penalties != total at step {step}")
                break

    def compare(subdir, expected, what):
        totals = [values.get(tags.TOTAL, math.nan) for _, values in series[subdir]]
        if len(totals) != len(expected):
            findings.append(f"{len(totals)} {subdir} points for {len(expected)} {what}")
        elif not all(_close(t, float(e)) for t, e in zip(totals, expected)):
            findings.append(f"{subdir} totals {totals} != {what} {list(expected)}")

    if history is not None:
        if callback.update_freq == "epoch" and "loss" in history:
            compare("train", history["loss"], "epochs' loss")
        compare("validation", history.get("val_loss", []), "val_loss")
    elif result is not None:
        loss = result.get("loss") if isinstance(result, dict) else (
            result[0] if isinstance(result, (list, tuple)) else result)
        if loss is not None:
            compare("validation", [loss], "evaluate's loss")
    return findings


def _outcomes(path):
    """``{test id: outcome}`` from a JUnit XML file written by pytest."""
    import xml.etree.ElementTree as ET

    outcomes, findings = {}, {}
    for case in ET.parse(path).getroot().iter("testcase"):
        classname = case.get("classname", "")
        # pytest writes "keras.src.callbacks.x_test.Class"; rebuild "path::Class::name".
        parts = classname.split(".")
        for i in range(len(parts), 0, -1):
            if parts[i - 1].endswith("_test"):
                test_id = "/".join(parts[:i]) + ".py::" + "::".join(parts[i:] + [case.get("name")])
                break
        else:
            test_id = f"{classname}::{case.get('name')}"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed" if child.tag == "failure" else "error"
                message = (child.get("message") or "").splitlines()
                outcome += ": " + (message[0][:200] if message else "")
                break
            if child.tag == "skipped":
                outcome = "skipped"
        outcomes[test_id] = outcome
        found = [p.get("value") for p in case.iter("property") if p.get("name") == "regloss_check"]
        found += [f"callback warned {p.get('value')} time(s) that it could not write"
                  for p in case.iter("property") if p.get("name") == "regloss_warned"]
        if found:
            findings[test_id] = found
    return outcomes, findings


def compare(base_path, run_path, out=sys.stdout):
    """Prints the tests whose outcome differs; returns how many are not expected."""
    (base, _), (run, findings) = _outcomes(base_path), _outcomes(run_path)
    broken = sorted(
        t for t, o in run.items() if not o.startswith(("passed", "skipped"))
        and base.get(t, "passed").startswith(("passed", "skipped"))
    )
    fixed = sorted(
        t for t, o in run.items() if o.startswith("passed")
        and not base.get(t, "passed").startswith(("passed", "skipped"))
    )
    missing = sorted(set(base) - set(run))
    expected = [t for t in broken if t in EXPECTED_BY_DESIGN]
    unexpected = [t for t in broken if t not in EXPECTED_BY_DESIGN]
    print(f"{len(run)} tests; fail only with the callback: {len(broken)} "
          f"({len(expected)} expected by design, {len(unexpected)} not)", file=out)
    for t in expected:
        print(f"  expected  {t}  ({EXPECTED_BY_DESIGN[t]})", file=out)
    for t in unexpected:
        print(f"  DIFFERENT {t}\n            {run[t]}", file=out)
    for t in fixed:
        print(f"  passes only with the callback: {t}", file=out)
    for t in missing:
        print(f"  missing from the run: {t}", file=out)
    print(f"what the callback wrote or logged is inconsistent in {len(findings)} tests", file=out)
    for t, found in sorted(findings.items()):
        print(f"  INCONSISTENT {t}", file=out)
        for finding in found:
            print(f"            {finding[:300]}", file=out)
    return len(unexpected) + len(missing) + len(findings)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "compare":
        sys.exit("usage: python bench/keras_suite_plugin.py compare BASE.xml RUN.xml")
    sys.exit(1 if compare(sys.argv[2], sys.argv[3]) else 0)
