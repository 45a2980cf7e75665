#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine, then runs them all:
# Python venv (.venv) with pinned packages, the frontend (npm ci, typecheck,
# vitest), a rebuild of the committed bundle that must match it byte for byte,
# Debian's chromium for the browser tests, and pytest (unit, plugin, demo,
# real TensorBoard and real browser tests) on Keras' TensorFlow backend; then
# the core tests (all but the browser tests and those with no Keras step) on
# its JAX and PyTorch backends, and again on the lowest supported Keras, in
# .venv-keras-min.
# Usage: bash tests/run.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Debian's chromium: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

echo "--- frontend: npm ci, typecheck, unit tests, bundle rebuild check"
(cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck && npm test --silent)
bundle=tb_regloss/plugin/static/index.js
committed=$(mktemp)
cp "$bundle" "$committed"
(cd frontend && npm run --silent build >/dev/null)
if ! cmp -s "$bundle" "$committed"; then
  echo "The committed $bundle differs from a rebuild of frontend/src: run 'npm run build' in frontend/ and commit it." >&2
  exit 1
fi

echo "--- pytest (pinned versions: requirements-dev.txt)"
.venv/bin/python -m pytest tests -q "$@"

for backend in jax torch; do
  echo "--- pytest, core tests on Keras' $backend backend (those written with TensorFlow's own API, and those with no Keras step, are deselected)"
  KERAS_BACKEND=$backend .venv/bin/python -m pytest tests -q --ignore=tests/browser -m "not once" -p no:cacheprovider "$@"
done

echo "--- pytest, core tests on the lowest supported Keras (requirements-keras-min.txt)"
if [ ! -x .venv-keras-min/bin/python ]; then
  "$PYTHON" -m venv .venv-keras-min
fi
.venv-keras-min/bin/python -m pip install --quiet --upgrade pip
.venv-keras-min/bin/python -m pip install --quiet -r requirements-keras-min.txt
.venv-keras-min/bin/python -m pytest tests -q --ignore=tests/browser -m "not once" -p no:cacheprovider "$@"
