"""Serves a logdir with TensorBoard in this process, for the demo and the screenshot script.

In-process, TensorBoard reuses the TensorFlow already imported (quietly) and
prints nothing of its own, so the caller prints the one link that matters.
"""

import contextlib
import io
import sys

from demo.quiet_tensorflow import import_tensorflow

# What TensorBoard prints when it picks its fast data server by itself: a note, not a problem.
FAST_LOADING_NOTE = "NOTE: Using experimental fast data loading logic."


def start_tensorboard(logdir, port, host="localhost"):
    """Starts TensorBoard on ``logdir`` in background threads and returns its base URL (no trailing slash).

    Raises ``SystemExit`` naming the port when it is taken.
    """
    import_tensorflow()
    from tensorboard import program

    board = program.TensorBoard()
    board.configure(argv=[None, "--logdir", str(logdir), "--port", str(port), "--host", host,
                          "--reload_interval", "5"])
    printed = io.StringIO()
    try:
        with contextlib.redirect_stderr(printed):
            url = board.launch()
    except program.TensorBoardPortInUseError:
        raise SystemExit(f"Port {port} is in use (another TensorBoard?). Use --port to pick another.")
    finally:
        if not printed.getvalue().strip().startswith(FAST_LOADING_NOTE):
            sys.stderr.write(printed.getvalue())
    return url.rstrip("/")
