"""Runs the tb-regloss demo, then serves the dashboard: ``python -m demo``.

Trains, on generated data (nothing is downloaded):

- ``d2l_wd0`` and ``d2l_wd3``: the weight-decay experiment of Dive into Deep
  Learning, without and with L2 decay;
- ``cnn_l2_0``, ``cnn_l2_1e-4``, ``cnn_l2_1e-3``, ``cnn_l2_1e-2``: a weight-decay
  sweep of a small CNN with kernel, activity and ``add_loss`` penalties, each
  run logging its hyperparameters with TensorBoard's HParams plugin;
- ``cnn_adamw``: the same CNN without L2, decayed by AdamW instead (decoupled,
  the biases excluded);
- ``mobilenet_v2``: keras.applications.MobileNetV2 with decay added by
  ``tb_regloss.add_weight_decay(model, 4e-5, depthwise=0)``;
- ``equilibrium_adamw`` and ``equilibrium_sgdm``: a small normalized CNN whose
  convolutions reach the rotational equilibrium weight decay predicts;

the CNN, MobileNetV2 and equilibrium runs also log the decay dynamics;

writes them to ``<logdir>/<run>``, prints a line per run, and serves them with
TensorBoard at ``http://localhost:<port>/#regloss``.
"""

import argparse
import os
import shutil
import sys
import time


def demo_runs(quick):
    """The runs in the order they train; ``quick`` makes each a smoke test of a few seconds.

    Estimates are times measured on 2 CPU cores shared with other jobs (load average 5 to 10):
    an upper bound for most machines, so the plan does not promise less than it takes.
    """
    from demo import cnn_sweep, d2l_weight_decay, prebuilt_mobilenet, rotational_equilibrium, synthetic_cnn
    from demo.plan import Run

    d2l_epochs = 30 if quick else 100
    cnn_epochs, cnn_examples = (2, 512) if quick else (10, 2048)
    mobilenet_epochs, mobilenet_examples = (1, 256) if quick else (4, 1024)
    equilibrium_steps = 100 if quick else 1000
    runs = [
        Run(f"d2l_wd{wd}", f"Dive into Deep Learning 3.7, L2 factor {wd}", d2l_epochs,
            7 if quick else 60,
            lambda d, wd=wd: d2l_weight_decay.run(d, wd=wd, epochs=d2l_epochs, verbose=0))
        for wd in (0, 3)
    ]
    runs += [
        Run(cnn_sweep.run_name(l2), f"small CNN, L2 {l2:g} on every kernel (sweep)", cnn_epochs,
            5 if quick else 20,
            lambda d, l2=l2: cnn_sweep.run(d, l2, epochs=cnn_epochs, n_train=cnn_examples))
        for l2 in cnn_sweep.L2_VALUES
    ]
    runs += [
        Run("cnn_adamw", "the same CNN decayed by AdamW (decoupled)", cnn_epochs, 5 if quick else 20,
            lambda d: synthetic_cnn.run(d, epochs=cnn_epochs, n_train=cnn_examples, adamw=True,
                                        verbose=0)),
        Run("mobilenet_v2", "keras.applications.MobileNetV2 + add_weight_decay", mobilenet_epochs,
            35 if quick else 90,
            lambda d: prebuilt_mobilenet.run(d, epochs=mobilenet_epochs, n_train=mobilenet_examples,
                                             verbose=0)),
    ]
    runs += [
        Run(f"equilibrium_{optimizer}", f"normalized CNN, {label}: rotational equilibrium",
            rotational_equilibrium.epochs(equilibrium_steps),
            5 if quick else 30,
            lambda d, optimizer=optimizer: rotational_equilibrium.run(d, optimizer, steps=equilibrium_steps))
        for optimizer, label in (("adamw", "AdamW"), ("sgdm", "SGD with momentum and L2"))
    ]
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.split("\n")[0])
    parser.add_argument("--logdir", default="runs/demo", help="where to write the runs")
    parser.add_argument("--quick", action="store_true", help="fewer epochs, for a smoke test")
    parser.add_argument("--no-serve", action="store_true", help="train only, do not start TensorBoard")
    parser.add_argument("--port", type=int, default=6006, help="TensorBoard port (default 6006)")
    args = parser.parse_args(argv)

    from demo.quiet_tensorflow import import_tensorflow

    import_tensorflow()  # before Keras, which imports TensorFlow with all its start-up lines
    from demo import cnn_sweep
    from demo.plan import format_duration, plan_lines, summary_line

    runs = demo_runs(args.quick)
    print("\n".join(plan_lines(runs, args.logdir)), flush=True)
    os.makedirs(args.logdir, exist_ok=True)
    cnn_sweep.write_experiment(args.logdir)
    width = max(len(run.name) for run in runs)
    started = time.monotonic()
    for run in runs:
        run_dir = os.path.join(args.logdir, run.name)
        # A rerun starts again at step 1: replace the old run rather than mix them.
        shutil.rmtree(run_dir, ignore_errors=True)
        run_started = time.monotonic()
        history = run.train(run_dir)
        print(summary_line(run.name, history.history, time.monotonic() - run_started, width), flush=True)
    print(f"Trained in {format_duration(time.monotonic() - started)}. The runs are in {args.logdir}/.")

    if args.no_serve:
        print(f"See them with: tensorboard --logdir {args.logdir}  then open "
              f"http://localhost:{args.port}/#regloss")
        return 0
    from demo.serve import start_tensorboard

    url = start_tensorboard(args.logdir, args.port)
    print(f"TensorBoard serves them: open {url}/#regloss  (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
