#!/usr/bin/env bash
# Runs tb-regloss' core tests (everything but the browser tests) against
# keras-nightly from the package registry, to see what the next Keras breaks
# before it is released. keras-nightly is newer than the tested Keras versions
# on purpose, so TB_REGLOSS_ALLOW_ANY_KERAS=1 treats it as tested: no
# untested-Keras warning among the tests' warnings, and a failure to hook its
# steps raises with its traceback instead of training on without logging.
# The self-check's warning is an error in pytest.ini: a gap between
# tb-regloss' numbers and the nightly's loss fails the test that shows it.
# Usage, from the repository root:
#
#   bash bench/keras_nightly.sh [extra pytest arguments]
#
# It makes its own venv (default /tmp/tb-regloss-keras-nightly, or $VENV) with
# the pinned packages of requirements-dev.txt, keras replaced by keras-nightly,
# and prints pytest's summary of failures.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${VENV:-/tmp/tb-regloss-keras-nightly}"
python="${PYTHON:-python3.11}"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r requirements-dev.txt
# keras and keras-nightly install the same package folder: remove both, then
# install the nightly alone (also when the venv is reused).
"$venv/bin/python" -m pip uninstall --quiet --yes keras keras-nightly
"$venv/bin/python" -m pip install --quiet --upgrade --pre keras-nightly
echo "--- $(date +%F): $("$venv/bin/python" -c 'import keras, tensorflow as tf; print("keras", keras.__version__, "with tensorflow", tf.__version__)')"
TB_REGLOSS_ALLOW_ANY_KERAS=1 KERAS_BACKEND=tensorflow \
  "$venv/bin/python" -m pytest tests -q -rf --ignore=tests/browser -p no:cacheprovider "$@"
