"""The file system of event files: local paths, and URLs such as ``gs://`` or ``s3://``.

Local paths go through Python's own file functions, so writing a local event
file needs neither TensorFlow nor anything but the standard library. A URL
goes through ``tf.io.gfile`` when TensorFlow is installed (as TensorBoard
reads it: Google Cloud Storage, HDFS, S3 with its plugin), else through
TensorBoard's own file layer (S3 with ``boto3``, any file system of
``fsspec`` such as ``gcsfs``).

Example:

```python
directory = join("runs/exp1", "train")
makedirs(directory)
with create(join(directory, "events.out.tfevents.1")) as f:
    f.write(b"...")
glob(join(directory, "events.out.tfevents.*"))
```
"""

import glob as _glob
import os


def is_url(path):
    """Whether ``path`` names a file system by a scheme (``gs://bucket/runs``)."""
    return "://" in os.fspath(path)


def join(directory, name):
    """``directory/name``; in a URL, joined with ``/``."""
    directory = os.fspath(directory)
    if is_url(directory):
        return directory.rstrip("/") + "/" + name
    return os.path.join(directory, name)


def makedirs(path):
    """Creates ``path`` and its parents; nothing if it exists."""
    if is_url(path):
        _url_files().makedirs(path)
    else:
        os.makedirs(path, exist_ok=True)


def glob(pattern):
    """The paths matching ``pattern`` (``*`` in the file name), sorted."""
    if is_url(pattern):
        return sorted(_url_files().glob(pattern))
    return sorted(_glob.glob(pattern))


def create(path):
    """A new file at ``path``, opened for writing bytes (``write``, ``flush``, ``close``)."""
    if is_url(path):
        return _url_files().GFile(path, "wb")
    return open(path, "wb")  # noqa: SIM115 - the caller closes it


def read_bytes(path):
    """The content of the file at ``path``."""
    if is_url(path):
        with _url_files().GFile(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        return f.read()


def check_writable(directory):
    """Creates ``directory`` and a file in it; raises ``OSError`` saying why if it cannot.

    In a URL without TensorFlow, whose file layer cannot remove files, only
    the directory is created.
    """
    try:
        makedirs(directory)
        if is_url(directory) and _tensorflow_files() is None:
            return
        probe = join(directory, ".tb_regloss_write_check")
        with create(probe) as f:
            f.write(b"")
        _remove(probe)
    except OSError:
        raise
    except Exception as error:  # noqa: BLE001 - tf.errors.OpError and the like: not OSErrors
        raise OSError(str(error)) from None


def _remove(path):
    if is_url(path):
        _url_files().remove(path)
    else:
        os.remove(path)


def _url_files():
    """``tf.io.gfile`` if TensorFlow is installed, else TensorBoard's file layer."""
    files = _tensorflow_files()
    if files is not None:
        return files
    from tb_regloss import _keras

    return _keras.tensorboard.tensorboard_gfile()


def _tensorflow_files():
    try:
        import tensorflow as tf
    except ImportError:
        return None
    return tf.io.gfile
