"""Shared pytest setup: quiet TensorFlow, deterministic Keras, tests kept to the backends they are for.

The suite runs on each Keras backend (``KERAS_BACKEND=jax pytest tests``).
A test written with TensorFlow's own API (``tf.function``, ``GradientTape``,
``tf.distribute``) or checking what one backend's Keras computes carries
``@pytest.mark.backends("tensorflow", reason=...)``; on another backend it is
deselected, and the summary counts it.

A test that one pass is enough for carries ``@pytest.mark.once(reason=...)``:
``tests/run.sh`` runs it in its first pass only (``-m "not once"`` on the other
backends and Keras versions). Such a test involves no Keras step (the dashboard
plugin or TensorBoard alone), or checks something that does not depend on the
backend or Keras version (the demo's results, a layer structure) while the
core tests check the Keras step it goes through in every pass.

``tests/run.sh`` runs pytest on two workers (pytest-xdist, ``--dist loadgroup``).
Each test file stays on one worker, so a module- or session-scoped fixture is
built once per file; a file whose tests share no such fixture and are worth
splitting carries ``pytestmark = pytest.mark.spread(reason=...)``.

A doctest test that runs no example fails: ``doctest.testmod`` is wrapped here.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import doctest  # noqa: E402

import pytest  # noqa: E402

_testmod = doctest.testmod


def _testmod_that_ran_examples(module=None, *args, **kwargs):
    """``doctest.testmod`` for the tests: a module with no example fails instead of passing."""
    results = _testmod(module, *args, **kwargs)
    if results.attempted == 0:
        raise AssertionError(f"doctest.testmod({getattr(module, '__name__', module)}) ran no example")
    return results


doctest.testmod = _testmod_that_ran_examples


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "backends(*names, reason): the Keras backends the test is for, and why only those")
    config.addinivalue_line(
        "markers", "once(reason): one pass of tests/run.sh is enough for it (no Keras step, or one the core tests check)")
    config.addinivalue_line(
        "markers", "spread(reason): the file's tests share no fixture, so pytest-xdist may split them")


def pytest_collection_modifyitems(config, items):
    import keras

    backend = keras.backend.backend()
    kept, deselected = [], []
    for item in items:
        for name in ("backends", "once", "spread"):
            named = item.get_closest_marker(name)
            if named is not None and not named.kwargs.get("reason"):
                raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{name} needs a reason=")
        marker = item.get_closest_marker("backends")
        (deselected if marker is not None and backend not in marker.args else kept).append(item)
        if item.get_closest_marker("spread") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(autouse=True)
def _seed():
    import keras

    keras.utils.set_random_seed(1234)
