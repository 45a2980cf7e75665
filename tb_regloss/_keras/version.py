"""Which Keras is installed, and whether tb-regloss supports it; Keras 2 (tf_keras) models told apart.

Part of the Keras boundary (`tb_regloss._keras`): each private name used here
says what it relies on and the versions checked.
"""

import os
import re


# Keras versions tb-regloss is tested with: the lowest and the pinned one in
# CI, keras-nightly by bench/keras_nightly.sh. Keep in step with setup.py.
# Below 3.10, Keras' own fit under MirroredStrategy does not train as on one
# device (with or without tb-regloss), so the series cannot equal a
# single-device run; below 3.8, Trainer._aggregate_additional_loss is missing.
# There is no upper bound: a newer Keras is used untested, and RegLossCallback
# checks at each epoch's end that its numbers add up to Keras' loss
# (`tb_regloss.self_check`).
MIN_VERSION = (3, 10)
NEWEST_TESTED = (3, 15)
SUPPORTED = ">=3.10"
TESTED = f">={MIN_VERSION[0]}.{MIN_VERSION[1]},<{NEWEST_TESTED[0]}.{NEWEST_TESTED[1] + 1}"

# Set by bench/keras_nightly.sh to try a Keras on purpose: any version is
# accepted, without the untested-Keras warning, and a failure to hook the
# steps raises with its traceback instead of turning the logging off.
_ALLOW_ANY_KERAS = "TB_REGLOSS_ALLOW_ANY_KERAS"


def tried_on_purpose():
    """Whether ``TB_REGLOSS_ALLOW_ANY_KERAS`` is set: failures to hook raise, to be seen whole.

    Example:

    >>> tried_on_purpose()
    False
    """
    return bool(os.environ.get(_ALLOW_ANY_KERAS))


def check_keras_version():
    """Raises if the installed Keras is older than `SUPPORTED` allows.

    A Keras newer than `NEWEST_TESTED` passes: see `untested_keras`.

    Example:

    >>> check_keras_version()  # the installed Keras is supported: nothing happens
    """
    import keras

    if tried_on_purpose() or installed_version() >= MIN_VERSION:
        return
    installed = keras.__version__
    raise RuntimeError(
        f"tb_regloss supports Keras {SUPPORTED}; Keras {installed} is installed. "
        f"Install a supported Keras (`pip install 'keras{SUPPORTED}'`) or a "
        f"tb-regloss release made for Keras {installed}. Received: keras=={installed}"
    )

def untested_keras():
    """The installed Keras' version string if it is newer than `NEWEST_TESTED`, else ``None``.

    ``None`` too when ``TB_REGLOSS_ALLOW_ANY_KERAS`` is set: that Keras is tried on purpose.

    Example:

    >>> untested_keras() is None  # the pinned Keras 3.15.1 is tested
    True
    """
    import keras

    if tried_on_purpose() or installed_version() <= NEWEST_TESTED:
        return None
    return keras.__version__


def installed_version():
    """The installed Keras as ``(major, minor)``, e.g. ``(3, 15)``."""
    import keras

    return tuple(int(n) for n in re.findall(r"\d+", keras.__version__)[:2])


def keras_2_class(model):
    """The first class of ``model``'s own and bases that is Keras 2's, or ``None`` for a Keras 3 model.

    Keras 2 is the ``tf_keras`` package, also what ``tf.keras`` is when
    ``TF_USE_LEGACY_KERAS=1``: its classes live in modules under ``tf_keras.``
    (``tf_keras.src.engine.sequential`` in its releases), read here without
    importing it. Keras 3 (3.0 to 3.15 checked) has no such module.
    """
    for cls in type(model).__mro__:
        if cls.__module__.startswith("tf_keras."):
            return cls
    return None
