"""What measuring the decay dynamics costs in one step, and which of its parts costs what.

For ResNet50 (64×64, L2 on every kernel and bias, as in ``train_overhead.py``)
and SGD, each variant is a ``tf.function`` applying one set of gradients:
``apply`` alone (the baseline), ``apply`` with the measurement of
`tb_regloss.dynamics` (``apply_measured``), and ``apply`` followed by one part
of the measurement over every decayed weight (b before the step, a after it,
g the gradient, c the L2 factor): ``‖b‖²``, ``‖a − b‖²``, ``⟨a − b, b⟩``,
``‖g − c·b‖²``. Variants alternate over ``--rounds`` rounds of ``--calls``
calls; the table gives each one's median wall and CPU time per call and what
it adds to ``apply``.

Run: ``python bench/dynamics_cost.py`` (``--rounds 15 --calls 5``).
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tb_regloss  # noqa: E402
from tb_regloss import dynamics  # noqa: E402
from tb_regloss import _keras  # noqa: E402


def resnet50():
    model = keras.applications.ResNet50(input_shape=(64, 64, 3), weights=None, classes=10,
                                        classifier_activation=None)
    tb_regloss.add_weight_decay(model, 1e-4, biases=True)
    model.compile(keras.optimizers.SGD(1e-3), "mse")
    model.optimizer.build(model.trainable_variables)
    return model


def variants(model):
    optimizer, variables = model.optimizer, model.trainable_variables
    weights = dynamics.watched(model)

    def with_part(part):
        @tf.function
        def step(grads):
            before = [tf.identity(w.variable.value) for w in weights]
            optimizer.apply(grads, variables)
            by_id = {id(v): g for v, g in zip(variables, grads)}
            return tf.add_n([part(b, tf.convert_to_tensor(w.variable.value), by_id[id(w.variable)], w.coupled_l2 or 0.0)
                             for w, b in zip(weights, before)])
        return step

    @tf.function
    def apply(grads):
        optimizer.apply(grads, variables)
        return tf.zeros(())

    @tf.function
    def measured(grads):
        _, measurement = dynamics.apply_measured(model, optimizer, optimizer.apply, grads, variables)
        return tf.reduce_sum(measurement.values)

    norm = _keras.backends.squared_norm
    return {
        "apply": apply,
        "apply + measurement": measured,
        "apply + ‖b‖²": with_part(lambda b, a, g, c: norm(b)),
        "apply + ‖a − b‖²": with_part(lambda b, a, g, c: norm(a - b)),
        "apply + ⟨a − b, b⟩": with_part(lambda b, a, g, c: tf.reduce_sum((a - b) * b)),
        "apply + ‖g − c·b‖²": with_part(lambda b, a, g, c: norm(g - c * b)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()
    model = resnet50()
    rng = np.random.default_rng(0)
    grads = [tf.constant(rng.normal(size=v.shape).astype("float32") * 1e-3) for v in model.trainable_variables]
    timed = variants(model)
    for step in timed.values():
        step(grads)  # traced outside the timing
    times = {name: [] for name in timed}
    for r in range(args.rounds):
        for name in (list(timed) if r % 2 else list(timed)[::-1]):
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.calls):
                timed[name](grads)
            times[name].append(((time.perf_counter() - wall) / args.calls, (time.process_time() - cpu) / args.calls))
    n_params = sum(int(np.prod(w.variable.shape)) for w in dynamics.watched(model))
    print(f"{time.strftime('%Y-%m-%d')}, keras {keras.__version__}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"ResNet50 64×64: {len(dynamics.watched(model))} decayed weights, {n_params / 1e6:.1f} M parameters\n")
    print("| variant | wall ms | CPU ms | added CPU ms |")
    print("|---|---|---|---|")
    base_cpu = statistics.median(c for _, c in times["apply"])
    for name, pairs in times.items():
        wall, cpu = statistics.median(w for w, _ in pairs) * 1e3, statistics.median(c for _, c in pairs) * 1e3
        added = "" if name == "apply" else f"{cpu - base_cpu * 1e3:.1f}"
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {added} |")


if __name__ == "__main__":
    main()
