"""Training overhead of RegLossCallback, as ratios: per step and for the first fit.

Per step: for each model, six copies with the same weights train side by
side in one process, alternating over several rounds: no callback (the baseline),
``RegLossCallback(update_freq="batch")``, the same with the decay dynamics
measured every step (``dynamics=True``) and one step in ten (``dynamics=10``),
and, for reference,
``keras.callbacks.TensorBoard(update_freq="batch")`` and a callback with an
empty ``on_train_batch_end`` (what Keras itself costs any batch-level
callback). On request (``--variants``), "dynamics=True, epoch + no-op hook":
``RegLossCallback(dynamics=True)`` writing per epoch beside the empty batch
hook, so the steps run as in the batch variants but nothing is read or
written after them: its ratio less the no-op hook's is what the probe and
the measurement cost inside the compiled step. Each round times one
``fit`` of ``--steps`` batches per copy; the ratio of per-step times to the
baseline of the same round is reported as median and spread (min–max), for
wall time and for the process's CPU time. Beside them, the thread CPU time of
each call of the variant's ``on_train_batch_end`` (median and 90th percentile
over all calls): the host work a written point costs, measured inside ``fit``
where it is several times slower than in a loop of its own.
Target: median ratio ≤ 1.03 for every model; with ``dynamics=True`` ≤ 1.05 and
with ``dynamics=10`` ≤ 1.02 on MobileNetV2 and ResNet50. The models: a small CNN on
32×32 inputs, MobileNetV2 (96×96) with L2 on every kernel, ResNet50 (64×64)
with L2 on every kernel and bias, both through ``tb_regloss.add_weight_decay``,
and a stack of 300 small Dense layers, each with an L2 kernel regularizer (300
terms). Named with ``--models``, where keras-hub is installed: "GPT2 LoRA
(keras-hub)", a ``GPT2Backbone`` (2 blocks, width 64, 32 tokens, no preset)
with ``enable_lora(4)`` under a ``Dense(10)`` head, trained by AdamW
(``weight_decay=0.01``, biases and normalization scales excluded): 9
decoupled terms, no regularizer, ``dynamics=True`` measuring 9 weights.

First fit: the probe must not make Keras trace the train or test step a
second time. Over ``--first-fit-rounds`` rounds, alternating the order, each
variant gets a fresh model (``keras.backend.clear_session()``, ``gc.collect()``,
build and compile, none of it timed) and one timed ``fit`` of
``--first-fit-steps`` batches with validation data: the tracing of both steps
plus the first steps. Variants: no callback (the baseline),
``RegLossCallback(update_freq="epoch")`` and ``RegLossCallback(update_freq="batch")``
(constructed inside the timed region). The ratio to the baseline of the same
round is reported as median and spread, wall and CPU, with the number of times
the train and test steps were traced (Python calls of ``train_step`` and
``test_step``, counted on the instance). Target: median ratio ≤ 1.10 on
MobileNetV2 and on the 300-layer model, one trace of each step.

``--backend jax`` or ``torch`` runs it all on that Keras backend (default
``tensorflow``); the target there is the same per-step ratio, ≤ 1.03 at
``update_freq="batch"`` on the small CNN and MobileNetV2. On PyTorch the
steps run eagerly, so the first-fit table's trace counts are step counts.

Run: ``python bench/train_overhead.py`` (both tables; ``--rounds``, ``--steps``,
``--first-fit-rounds``, ``--first-fit-steps`` to change). ``--models`` picks models
by name, ``--variants`` the per-step variants measured beside the baseline (a
slow model's long run can keep to one), ``--first-fit-only`` / ``--per-step-only``
one table, e.g.
``python bench/train_overhead.py --first-fit-only --models "MobileNetV2 96×96" "300 Dense layers"``.
"""

import argparse
import gc
import logging
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if "--backend" in sys.argv:  # Keras reads its backend when imported
    os.environ["KERAS_BACKEND"] = sys.argv[sys.argv.index("--backend") + 1]

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


def dense_stack(depth=300, width=32):
    l2 = keras.regularizers.l2(1e-4)
    inputs = keras.Input((width,))
    h = inputs
    for _ in range(depth - 1):
        h = keras.layers.Dense(width, activation="relu", kernel_regularizer=l2)(h)
    # Every layer regularized, the output layer too: `depth` terms.
    return keras.Model(inputs, keras.layers.Dense(10, kernel_regularizer=l2)(h))


GPT2_SEQUENCE = 32
GPT2_VOCABULARY = 512


def gpt2_lora():
    """keras-hub's ``GPT2Backbone`` (2 blocks, width 64, no preset) with LoRA of rank 4, first token into ``Dense(10)``."""
    import keras_hub  # only for this model: keras-hub is optional

    backbone = keras_hub.models.GPT2Backbone(
        vocabulary_size=GPT2_VOCABULARY, num_layers=2, num_heads=4, hidden_dim=64, intermediate_dim=256,
        dropout=0.0, max_sequence_length=GPT2_SEQUENCE)
    backbone.enable_lora(4)
    inputs = {name: keras.Input((GPT2_SEQUENCE,), dtype="int32", name=name) for name in ("token_ids", "padding_mask")}
    return keras.Model(inputs, keras.layers.Dense(10)(backbone(inputs)[:, 0, :]))


def images(shape):
    """A ``data`` function of `MODELS`: ``samples`` random inputs of ``shape``, labels of 10 classes."""
    def make(samples, rng):
        return rng.random((samples, *shape), dtype=np.float32), rng.integers(0, 10, samples)
    return make


def tokens(samples, rng):
    """Random token ids, no padding, and labels of 10 classes."""
    x = {"token_ids": rng.integers(0, GPT2_VOCABULARY, (samples, GPT2_SEQUENCE)).astype("int32"),
         "padding_mask": np.ones((samples, GPT2_SEQUENCE), "int32")}
    return x, rng.integers(0, 10, samples)


def sgd():
    return keras.optimizers.SGD(1e-3)


def adamw_lora():
    """AdamW as LoRA fine-tuning uses it: decoupled decay on all but biases and normalization scales."""
    optimizer = keras.optimizers.AdamW(1e-3, weight_decay=0.01)
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    return optimizer


# name: (build, data(samples, rng) -> (x, y), slowness: the per-step table divides
# --steps by it, optimizer())
MODELS = {
    "small CNN 32×32": (small_cnn, images((32, 32, 3)), 1, sgd),
    "MobileNetV2 96×96": (mobilenet_v2, images((96, 96, 3)), 4, sgd),
    "ResNet50 64×64": (resnet50, images((64, 64, 3)), 8, sgd),
    "300 Dense layers": (dense_stack, images((32,)), 1, sgd),
    "GPT2 LoRA (keras-hub)": (gpt2_lora, tokens, 1, adamw_lora),
}
# Run unless --models names others; the keras-hub model only when named.
DEFAULT_MODELS = [name for name in MODELS if "keras-hub" not in name]
VARIANTS = ("baseline", "RegLossCallback", "RegLossCallback dynamics=True", "RegLossCallback dynamics=10",
            "keras TensorBoard", "no-op batch hook")
# Measured only when named in --variants.
STEP_ONLY = "dynamics=True, epoch + no-op hook"
# Each fresh model of the first-fit table traces its steps once; TensorFlow's
# retracing warning counts the traces of all of them together.
logging.getLogger("tensorflow").setLevel(logging.ERROR)
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
    if variant == "RegLossCallback dynamics=True":
        return [tb_regloss.RegLossCallback(log_dir, update_freq="batch", dynamics=True)]
    if variant == "RegLossCallback dynamics=10":
        return [tb_regloss.RegLossCallback(log_dir, update_freq="batch", dynamics=10)]
    if variant == "keras TensorBoard":
        return [keras.callbacks.TensorBoard(log_dir, update_freq="batch")]
    if variant == "no-op batch hook":
        return [NoOpBatchHook()]
    if variant == STEP_ONLY:
        return [tb_regloss.RegLossCallback(log_dir, dynamics=True), NoOpBatchHook()]
    return []


def time_batch_hooks(callbacks, spent):
    """Adds the thread CPU time of each ``on_train_batch_end`` call to ``spent``."""
    for callback in callbacks:
        hook = callback.on_train_batch_end

        def timed(batch, logs=None, hook=hook):
            start = time.thread_time()
            hook(batch, logs=logs)
            spent.append(time.thread_time() - start)

        callback.on_train_batch_end = timed
    return callbacks


def measure_per_step(case, rounds, steps, batch_size, log_root, variants=VARIANTS):
    build, data, _, optimizer = case
    x, y = data(steps * batch_size, np.random.default_rng(0))
    reference = build()
    copies = {}
    for variant in variants:
        model = build()
        model.set_weights(reference.get_weights())
        model.compile(optimizer(), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        copies[variant] = model
    ratios = {clock: {v: [] for v in variants[1:]} for clock in CLOCKS}
    per_step = {v: [] for v in variants}
    hooks = {v: [] for v in variants[1:]}  # thread CPU per batch hook call, all rounds
    for r in range(rounds + 1):  # round 0 traces and warms up
        times = {}
        order = variants if r % 2 else variants[::-1]
        for variant in order:
            cbs = callbacks_for(variant, os.path.join(log_root, variant.replace(" ", "_")))
            if r and variant in hooks:
                time_batch_hooks(cbs, hooks[variant])
            start = {clock: read() for clock, read in CLOCKS.items()}
            copies[variant].fit(x, y, batch_size=batch_size, epochs=1, verbose=0,
                                shuffle=False, callbacks=cbs)
            times[variant] = {clock: (read() - start[clock]) / steps for clock, read in CLOCKS.items()}
        if r == 0:
            continue
        for variant in variants:
            per_step[variant].append(times[variant]["wall"])
        for clock in CLOCKS:
            for variant in variants[1:]:
                ratios[clock][variant].append(times[variant][clock] / times["baseline"][clock])
    return per_step, ratios, hooks


FIRST_FIT_VARIANTS = ("baseline", "RegLossCallback epoch", "RegLossCallback batch")


def first_fit_callbacks(variant, log_dir):
    if variant == "RegLossCallback epoch":
        return [tb_regloss.RegLossCallback(log_dir, update_freq="epoch")]
    if variant == "RegLossCallback batch":
        return [tb_regloss.RegLossCallback(log_dir, update_freq="batch")]
    return []


def count_traces(model):
    """Counts the Python calls of the model's train and test steps: one per trace."""
    counts = {"train": 0, "test": 0}
    for phase in counts:
        step = getattr(model, f"{phase}_step")

        def counted(*args, step=step, phase=phase):  # JAX: (state, data)
            counts[phase] += 1
            return step(*args)

        # On the instance, as the probe does; the probe then wraps this one.
        object.__setattr__(model, f"{phase}_step", counted)
    return counts


def measure_first_fit(case, rounds, steps, batch_size, log_root):
    build, data, _, optimizer = case
    x, y = data(steps * batch_size, np.random.default_rng(0))
    x_val, y_val = keras.tree.map_structure(lambda a: a[:batch_size], (x, y))
    ratios = {clock: {v: [] for v in FIRST_FIT_VARIANTS[1:]} for clock in CLOCKS}
    seconds = {clock: [] for clock in CLOCKS}
    traces = {v: set() for v in FIRST_FIT_VARIANTS}
    for r in range(rounds):
        times = {}
        order = FIRST_FIT_VARIANTS if r % 2 == 0 else FIRST_FIT_VARIANTS[::-1]
        for variant in order:
            # The same fresh start for every variant: nothing left by the
            # previous model, and nothing of the set-up in the timed region.
            keras.backend.clear_session()
            gc.collect()
            model = build()
            model.compile(optimizer(), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
            counts = count_traces(model)
            log_dir = os.path.join(log_root, f"first_fit_{r}_{variant.replace(' ', '_')}")
            gc.collect()
            start = {clock: read() for clock, read in CLOCKS.items()}
            cbs = first_fit_callbacks(variant, log_dir)
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False,
                      validation_data=(x_val, y_val), callbacks=cbs)
            times[variant] = {clock: read() - start[clock] for clock, read in CLOCKS.items()}
            traces[variant].add((counts["train"], counts["test"]))
            del model, cbs
        for clock in CLOCKS:
            seconds[clock].append(times["baseline"][clock])
            for variant in FIRST_FIT_VARIANTS[1:]:
                ratios[clock][variant].append(times[variant][clock] / times["baseline"][clock])
    return seconds, ratios, traces


def spread(values):
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def print_per_step(args, log_root):
    print(f"Per step: {args.rounds} rounds × {args.steps} steps (÷ slowness), batch {args.batch_size}\n")
    print("| model | baseline ms/step | variant | wall ratio median (min–max) "
          "| CPU ratio median (min–max) | batch hook, ms CPU median (p90) |")
    print("|---|---|---|---|---|---|")
    for name in args.models:
        steps = max(5, args.steps // MODELS[name][2])
        variants = ("baseline", *args.variants)
        per_step, ratios, hooks = measure_per_step(
            MODELS[name], args.rounds, steps, args.batch_size, log_root, variants)
        base = statistics.median(per_step["baseline"]) * 1e3
        for variant in variants[1:]:
            hook = hooks[variant]
            p90 = statistics.quantiles(hook, n=10)[-1] if len(hook) > 1 else hook[0]
            print(f"| {name} | {base:.1f} | {variant} | {spread(ratios['wall'][variant])} "
                  f"| {spread(ratios['cpu'][variant])} "
                  f"| {statistics.median(hook) * 1e3:.3f} ({p90 * 1e3:.3f}) |", flush=True)
    print()


def print_first_fit(args, log_root):
    print(f"First fit: {args.first_fit_rounds} rounds, fresh model per fit, "
          f"{args.first_fit_steps} train batches + 1 validation batch, batch {args.batch_size}\n")
    print("| model | baseline first fit s, wall / CPU | variant | traces train/test "
          "| wall ratio median (min–max) | CPU ratio median (min–max) |")
    print("|---|---|---|---|---|---|")
    for name in args.models:
        seconds, ratios, traces = measure_first_fit(
            MODELS[name], args.first_fit_rounds, args.first_fit_steps, args.batch_size, log_root)
        base = " / ".join(f"{statistics.median(seconds[clock]):.2f}" for clock in CLOCKS)
        for variant in FIRST_FIT_VARIANTS:
            counted = ", ".join(f"{t}/{v}" for t, v in sorted(traces[variant]))
            if variant == "baseline":
                cells = "1 | 1"
            else:
                cells = f"{spread(ratios['wall'][variant])} | {spread(ratios['cpu'][variant])}"
            print(f"| {name} | {base} | {variant} | {counted} | {cells} |", flush=True)
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--first-fit-rounds", type=int, default=5)
    parser.add_argument("--first-fit-steps", type=int, default=3)
    parser.add_argument("--models", nargs="*", default=DEFAULT_MODELS, choices=list(MODELS),
                        help="default: all but the keras-hub model (it needs keras-hub installed)")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS[1:]), choices=[*VARIANTS[1:], STEP_ONLY],
                        help=f"the per-step variants beside the baseline (default: all but {STEP_ONLY!r})")
    parser.add_argument("--backend", default="tensorflow", choices=("tensorflow", "jax", "torch"),
                        help="the Keras backend (read before Keras is imported)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--first-fit-only", action="store_true")
    only.add_argument("--per-step-only", action="store_true")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')}, keras {keras.__version__} on {keras.backend.backend()}, "
          f"{os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{l:.2f}' for l in os.getloadavg())}\n")
    with tempfile.TemporaryDirectory() as log_root:
        if not args.first_fit_only:
            print_per_step(args, log_root)
        if not args.per_step_only:
            print_first_fit(args, log_root)


if __name__ == "__main__":
    main()
