"""Runs the tb-regloss demo, then serves the dashboard: ``python -m demo``.

Trains, on generated data (nothing is downloaded):

- ``d2l_wd0`` and ``d2l_wd3``: the weight-decay experiment of Dive into Deep
  Learning, without and with L2 decay;
- ``cnn``: a small CNN with kernel, activity and ``add_loss`` penalties;
- ``cnn_adamw``: the same CNN without L2, decayed by AdamW instead (decoupled);
- ``mobilenet_v2``: keras.applications.MobileNetV2 with decay added by
  ``tb_regloss.add_weight_decay(model, 4e-5, depthwise=0)``;

writes them to ``<logdir>/<run>`` and starts TensorBoard on them.
"""

import argparse
import os
import shutil
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.split("\n")[0])
    parser.add_argument("--logdir", default="runs/demo", help="where to write the runs")
    parser.add_argument("--quick", action="store_true", help="fewer epochs, for a smoke test")
    parser.add_argument("--no-serve", action="store_true", help="train only, do not start TensorBoard")
    parser.add_argument("--port", type=int, default=6006, help="TensorBoard port (default 6006)")
    args = parser.parse_args(argv)

    from demo import d2l_weight_decay, prebuilt_mobilenet, synthetic_cnn

    runs = {
        "d2l_wd0": lambda d: d2l_weight_decay.run(d, wd=0, epochs=30 if args.quick else 100),
        "d2l_wd3": lambda d: d2l_weight_decay.run(d, wd=3, epochs=30 if args.quick else 100),
        "cnn": lambda d: synthetic_cnn.run(d, epochs=2 if args.quick else 10,
                                           n_train=512 if args.quick else 2048),
        "cnn_adamw": lambda d: synthetic_cnn.run(d, epochs=2 if args.quick else 10,
                                                 n_train=512 if args.quick else 2048, adamw=True),
        "mobilenet_v2": lambda d: prebuilt_mobilenet.run(d, epochs=1 if args.quick else 3,
                                                         n_train=256 if args.quick else 1024),
    }
    for name, train in runs.items():
        run_dir = os.path.join(args.logdir, name)
        # A rerun starts again at step 1: replace the old run rather than mix them.
        shutil.rmtree(run_dir, ignore_errors=True)
        print(f"\n=== {name} → {run_dir}", flush=True)
        train(run_dir)

    url = f"http://localhost:{args.port}/#regloss"
    print(f"\nDone. The runs are in {args.logdir}/.")
    if args.no_serve:
        print(f"See them with: tensorboard --logdir {args.logdir}  then open {url}")
        return 0
    print(f"Starting TensorBoard: open {url}  (Ctrl-C to stop)", flush=True)
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", args.logdir,
               "--port", str(args.port), "--host", "localhost"]
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
