"""Imports TensorFlow without the lines it prints on a machine without a GPU.

``TF_CPP_MIN_LOG_LEVEL`` silences TensorFlow's C++ logging only once absl
logging is initialised; the lines written before that (oneDNN, "Could not find
cuda drivers", "failed call to cuInit") go straight to file descriptor 2, so
they are caught there, while TensorFlow loads and looks for its devices. They
are printed after all if the import fails, so no error is lost.
"""

import os
import sys
import tempfile


def import_tensorflow():
    """Imports TensorFlow, lists its devices once, and returns the module."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()  # cuInit runs (and complains) here
        except BaseException:
            os.dup2(saved_stderr, 2)
            caught.seek(0)
            sys.stderr.write(caught.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved_stderr, 2)
            os.close(saved_stderr)
    return tf
