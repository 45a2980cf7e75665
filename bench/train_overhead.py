"""Training overhead of RegLossCallback(update_freq="batch"), as a ratio.

For each model, four copies with the same weights train side by side in one
process, alternating over several rounds: no callback (the baseline),
``RegLossCallback(update_freq="batch")`` and, for reference,
``keras.callbacks.TensorBoard(update_freq="batch")`` and a callback with an
empty ``on_train_batch_end`` (what Keras itself costs any batch-level
callback). Each round times one
``fit`` of ``--steps`` batches per copy; the ratio of per-step times to the
baseline of the same round is reported as median and spread (min–max), for
wall time and for the process's CPU time.
Target: median ratio ≤ 1.03 for every model. The models: a small CNN on
32×32 inputs, MobileNetV2 (96×96) with L2 on every kernel and ResNet50 (64×64)
with L2 on every kernel and bias, both through ``tb_regloss.add_weight_decay``.

Run: ``python bench/train_overhead.py`` (``--rounds``, ``--steps`` to change).
"""

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import tb_regloss  # noqa: E402


def small_cnn():
    l2 = keras.regularizers.l2(1e-4)
    inputs = keras.Input((32, 32, 3))
    h = keras.layers.Conv2D(32, 3, activation="relu", kernel_regularizer=l2)(inputs)
    h = keras.layers.Conv2D(32, 3, activation="relu", kernel_regularizer=l2)(h)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Conv2D(64, 3, activation="relu", kernel_regularizer=l2)(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    h = keras.layers.Dense(64, activation="relu", kernel_regularizer=l2)(h)
    return keras.Model(inputs, keras.layers.Dense(10, kernel_regularizer=l2)(h))


def mobilenet_v2():
    model = keras.applications.MobileNetV2(input_shape=(96, 96, 3), weights=None, classes=10,
                                           classifier_activation=None)
    tb_regloss.add_weight_decay(model, 4e-5)  # L2 on every kernel
    return model


def resnet50():
    model = keras.applications.ResNet50(input_shape=(64, 64, 3), weights=None, classes=10,
                                        classifier_activation=None)
    tb_regloss.add_weight_decay(model, 1e-4, biases=True)  # every kernel and bias: 107 terms
    return model


MODELS = {
    "small CNN 32×32": (small_cnn, (32, 32, 3), 1),
    "MobileNetV2 96×96": (mobilenet_v2, (96, 96, 3), 4),
    "ResNet50 64×64": (resnet50, (64, 64, 3), 8),
}
VARIANTS = ("baseline", "RegLossCallback", "keras TensorBoard", "no-op batch hook")
# Wall time is what users wait for; process CPU time (all threads) is far less
# sensitive to other programs sharing the machine.
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


class NoOpBatchHook(keras.callbacks.Callback):
    """The floor of any batch-level callback: Keras then dispatches callbacks
    synchronously and converts the step's logs to Python floats every step."""

    def on_train_batch_end(self, batch, logs=None):
        pass


def callbacks_for(variant, log_dir):
    if variant == "RegLossCallback":
        return [tb_regloss.RegLossCallback(log_dir, update_freq="batch")]
    if variant == "keras TensorBoard":
        return [keras.callbacks.TensorBoard(log_dir, update_freq="batch")]
    if variant == "no-op batch hook":
        return [NoOpBatchHook()]
    return []


def measure(build, shape, rounds, steps, batch_size, log_root):
    rng = np.random.default_rng(0)
    x = rng.random((steps * batch_size, *shape), dtype=np.float32)
    y = rng.integers(0, 10, steps * batch_size)
    reference = build()
    copies = {}
    for variant in VARIANTS:
        model = build()
        model.set_weights(reference.get_weights())
        model.compile(keras.optimizers.SGD(1e-3),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        copies[variant] = model
    ratios = {clock: {v: [] for v in VARIANTS[1:]} for clock in CLOCKS}
    per_step = {v: [] for v in VARIANTS}
    for r in range(rounds + 1):  # round 0 traces and warms up
        times = {}
        order = VARIANTS if r % 2 else VARIANTS[::-1]
        for variant in order:
            cbs = callbacks_for(variant, os.path.join(log_root, variant.replace(" ", "_")))
            start = {clock: read() for clock, read in CLOCKS.items()}
            copies[variant].fit(x, y, batch_size=batch_size, epochs=1, verbose=0,
                                shuffle=False, callbacks=cbs)
            times[variant] = {clock: (read() - start[clock]) / steps for clock, read in CLOCKS.items()}
        if r == 0:
            continue
        for variant in VARIANTS:
            per_step[variant].append(times[variant]["wall"])
        for clock in CLOCKS:
            for variant in VARIANTS[1:]:
                ratios[clock][variant].append(times[variant][clock] / times["baseline"][clock])
    return per_step, ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')}, keras {keras.__version__}, {os.cpu_count()} CPUs, "
          f"{args.rounds} rounds × {args.steps} steps, batch {args.batch_size}\n")
    print("| model | baseline ms/step | variant | wall ratio median (min–max) | CPU ratio median (min–max) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as log_root:
        for name in args.models:
            build, shape, slowness = MODELS[name]
            steps = max(5, args.steps // slowness)
            per_step, ratios = measure(build, shape, args.rounds, steps, args.batch_size, log_root)
            base = statistics.median(per_step["baseline"]) * 1e3
            for variant in VARIANTS[1:]:
                cells = [f"{statistics.median(r[variant]):.3f} ({min(r[variant]):.3f}–{max(r[variant]):.3f})"
                         for r in (ratios["wall"], ratios["cpu"])]
                print(f"| {name} | {base:.1f} | {variant} | {cells[0]} | {cells[1]} |", flush=True)


if __name__ == "__main__":
    main()
