"""add_weight_decay and penalties on every constructor in keras.applications.

For each constructor (found by walking ``keras.applications``, not listed by
hand), built with ``weights=None``, 10 classes and the smallest input it
accepts, the script calls
``decayed = tb_regloss.add_weight_decay(model, 1e-4, biases=True, norm=True)``
and checks, against computations that do not go through tb_regloss:

(a) the keys of ``decayed`` and of ``tb_regloss.penalties(model)`` are the
    keys (`tb_regloss.keys.ModelKeys`) of the trainable weights that now carry
    a regularizer, one distinct key per such weight;
(b) no term is ``unattributed/…``;
(c) each term is ``1e-4 · Σw²`` of its weight computed with NumPy, and the
    terms sum to that NumPy total and to ``sum(model.losses)`` (rtol 1e-5);
(d) after ``model.save`` + ``keras.models.load_model``: the same keys, the
    same factors (the ``l2`` of each loaded weight's regularizer) and the same
    penalty values.

It prints one line per model (name, parameters, terms, seconds, OK or FAIL
with the reasons) and a summary, and exits with status 1 if any model fails.
The checks are importable: ``tests/test_applications_zoo.py`` runs them on one
model per family.

Run: ``python bench/applications_zoo.py`` (10 to 12 minutes on 2 cores), or
``--only 'EfficientNetB[0-2]'`` for the constructors whose name matches.
"""

import argparse
import dataclasses
import gc
import inspect
import os
import re
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import tb_regloss  # noqa: E402
from tb_regloss import keys  # noqa: E402

L2 = 1e-4
CLASSES = 10
SMALLEST_INPUT = 32  # the minimum of obtain_input_shape for most constructors
# Constructors that refuse 32×32 ("Input size must be at least 71x71"), Keras 3.15.
LARGER_INPUTS = {"Xception": 71, "InceptionV3": 75, "InceptionResNetV2": 75}
RTOL = 1e-5
UNATTRIBUTED = "unattributed/"


def constructors():
    """``{name: function}`` for every model constructor in ``keras.applications``.

    A constructor is a function of ``keras.applications`` or of one of its
    submodules that takes ``weights`` and ``include_top``; functions exported
    under several names (``resnet.ResNet50``, ``resnet50.ResNet50``) count once.
    """
    found = {}
    for namespace in [keras.applications] + [
            value for value in vars(keras.applications).values() if inspect.ismodule(value)]:
        for value in vars(namespace).values():
            if not inspect.isfunction(value):
                continue
            parameters = inspect.signature(value).parameters
            if "weights" in parameters and "include_top" in parameters:
                found[value.__name__] = value
    return dict(sorted(found.items()))


def family(constructor):
    """The ``keras.applications`` module that defines a constructor, e.g. ``efficientnet_v2``."""
    return constructor.__module__.rsplit(".", 1)[-1]


def input_size(name):
    return LARGER_INPUTS.get(name, SMALLEST_INPUT)


def build(name):
    """Builds constructor ``name`` with ``weights=None``, 10 classes, its smallest input."""
    size = input_size(name)
    return constructors()[name](weights=None, input_shape=(size, size, 3), classes=CLASSES)


def check(model, save_dir):
    """Adds decay to ``model`` and returns ``(number of terms, [problems])``.

    ``save_dir`` receives the saved model. No problems means every check of
    the module docstring passed.
    """
    decayed = tb_regloss.add_weight_decay(model, L2, biases=True, norm=True)
    problems = []

    # (a) Keys, from the weights that carry a regularizer, walked here.
    regularized = [w for w in model.trainable_weights if w.regularizer is not None]
    model_keys = keys.ModelKeys(model)
    weight_keys = [model_keys.weight_key(w) for w in regularized]
    expected = set(weight_keys)
    if len(expected) != len(regularized):
        problems.append(f"{len(regularized)} regularized weights but {len(expected)} "
                        "distinct keys")
    terms = _floats(tb_regloss.penalties(model))
    if set(decayed) != expected:
        problems.append("add_weight_decay keys != regularized weights' keys: "
                        + _difference(set(decayed), expected))
    if set(terms) != expected:
        problems.append("penalties keys != regularized weights' keys: "
                        + _difference(set(terms), expected))
    if set(decayed.values()) - {L2}:
        problems.append(f"factors other than {L2}: {sorted(set(decayed.values()))}")

    # (b) Nothing unattributed.
    unattributed = sorted(k for k in terms if k.startswith(UNATTRIBUTED))
    if unattributed:
        problems.append(f"{len(unattributed)} unattributed terms: {unattributed[:3]}")

    # (c) Values: per weight, and in total, against NumPy and model.losses.
    numpy_terms = {key: L2 * float(np.sum(np.square(w.numpy().astype(np.float64))))
                   for key, w in zip(weight_keys, regularized)}
    wrong = [key for key in sorted(set(terms) & set(numpy_terms))
             if not np.isclose(terms[key], numpy_terms[key], rtol=RTOL, atol=0)]
    if wrong:
        problems.append(f"{len(wrong)} terms differ from NumPy's l2·Σw², e.g. {wrong[0]}: "
                        f"{terms[wrong[0]]!r} != {numpy_terms[wrong[0]]!r}")
    total = sum(terms.values())
    numpy_total = sum(numpy_terms.values())
    keras_total = _float(sum(model.losses))
    if not np.isclose(total, numpy_total, rtol=RTOL, atol=0):
        problems.append(f"sum of penalties {total!r} != NumPy sum {numpy_total!r}")
    if not np.isclose(total, keras_total, rtol=RTOL, atol=0):
        problems.append(f"sum of penalties {total!r} != sum(model.losses) {keras_total!r}")

    # (d) The same keys, factors and values after save / load_model.
    path = os.path.join(save_dir, "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    loaded_keys = keys.ModelKeys(loaded)
    loaded_factors = {loaded_keys.weight_key(w): getattr(w.regularizer, "l2", None)
                      for w in loaded.trainable_weights if w.regularizer is not None}
    loaded_terms = _floats(tb_regloss.penalties(loaded))
    if set(loaded_factors) != set(decayed):
        problems.append("keys after load_model != keys before: "
                        + _difference(set(loaded_factors), set(decayed)))
    elif loaded_factors != decayed:
        changed = sorted(k for k in decayed if loaded_factors[k] != decayed[k])
        problems.append(f"{len(changed)} factors changed by load_model, e.g. {changed[0]}: "
                        f"{decayed[changed[0]]!r} -> {loaded_factors[changed[0]]!r}")
    if set(loaded_terms) != set(terms):
        problems.append("penalties keys after load_model != before: "
                        + _difference(set(loaded_terms), set(terms)))
    else:
        moved = [k for k in sorted(terms)
                 if not np.isclose(loaded_terms[k], terms[k], rtol=RTOL, atol=0)]
        if moved:
            problems.append(f"{len(moved)} penalty values changed by load_model, e.g. "
                            f"{moved[0]}: {terms[moved[0]]!r} -> {loaded_terms[moved[0]]!r}")
    del loaded
    return len(terms), problems


def _float(tensor):
    """A scalar tensor as a Python float, read through NumPy (on PyTorch, ``float()`` of a tensor
    that has a gradient warns)."""
    return float(keras.ops.convert_to_numpy(tensor))


def _floats(tensors):
    return {key: _float(value) for key, value in tensors.items()}


def _difference(got, expected):
    missing, extra = sorted(expected - got), sorted(got - expected)
    return f"{len(missing)} missing {missing[:3]}, {len(extra)} extra {extra[:3]}"


@dataclasses.dataclass
class Result:
    name: str
    params: int = 0
    terms: int = 0
    seconds: float = 0.0
    problems: list = dataclasses.field(default_factory=list)

    def line(self):
        verdict = "OK" if not self.problems else "FAIL " + "; ".join(self.problems)
        return (f"{self.name:<18} {self.params:>12,} params {self.terms:>5} terms "
                f"{self.seconds:>6.1f} s  {verdict}")


def run_one(name):
    """Builds and checks one constructor; an exception is a failure, not a crash."""
    result = Result(name)
    start = time.perf_counter()
    try:
        model = build(name)
        result.params = model.count_params()
        with tempfile.TemporaryDirectory(prefix="applications_zoo_") as save_dir:
            result.terms, result.problems = check(model, save_dir)
        del model
    except Exception as error:  # noqa: BLE001 - reported per model, the zoo goes on
        first_line = (str(error).strip().splitlines() or [""])[0]
        result.problems = [f"{type(error).__name__}: {first_line[:300]}"]
    result.seconds = time.perf_counter() - start
    keras.backend.clear_session()
    gc.collect()
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", metavar="REGEX",
                        help="check only the constructors whose name matches (re.search)")
    args = parser.parse_args(argv)
    names = [n for n in constructors() if args.only is None or re.search(args.only, n)]
    if not names:
        parser.error(f"no constructor of keras.applications matches. Received: --only={args.only!r}")
    print(f"keras {keras.__version__}, {len(names)} constructors, weights=None, "
          f"classes={CLASSES}, add_weight_decay(model, {L2}, biases=True, norm=True)", flush=True)
    start = time.perf_counter()
    results = []
    for name in names:
        results.append(run_one(name))
        print(results[-1].line(), flush=True)
    failed = [r.name for r in results if r.problems]
    print(f"{len(results) - len(failed)}/{len(results)} OK in {time.perf_counter() - start:.0f} s"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
