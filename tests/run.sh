#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine, then runs them all:
# the Python venv (.venv) with pinned packages, the frontend (npm ci,
# typecheck, vitest, a rebuild of the committed bundle that must match it byte
# for byte), Debian's chromium for the browser tests, and pytest:
#   1. every test on Keras' TensorFlow backend (unit, plugin, demo, real
#      TensorBoard and real browser tests);
#   2. on Keras' JAX and PyTorch backends, and on the lowest supported Keras
#      (.venv-keras-min), the tests that can differ there: all but the browser
#      tests, those written for one backend (@pytest.mark.backends) and those
#      with no Keras step (@pytest.mark.once). tests/conftest.py says how.
# The docs site is built with warnings as errors (mkdocs build --strict).
# The venvs are installed with uv; pytest runs on two workers (pytest-xdist);
# the frontend's checks, the lowest-Keras venv, the docs venv and chromium run
# while the main venv is installed. Each step prints its time.
# Usage: bash tests/run.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
# uv installs no bytecode (--no-compile is its default): Python compiles what the
# tests import, once, and writes it beside the sources. A machine that sets
# PYTHONDONTWRITEBYTECODE would instead compile TensorFlow anew in every process
# that imports it (12 s instead of 4 s, in each worker and each subprocess).
unset PYTHONDONTWRITEBYTECODE

PYTHON="${PYTHON:-python3.11}"
WORKERS="${WORKERS:-2}"
logs=$(mktemp -d)
SECONDS=0

timed() {  # timed <name> <command...>: runs the command, then prints how long it took.
  local name=$1 start=$SECONDS
  shift
  "$@"
  echo "--- $name: $((SECONDS - start)) s"
}

install_uv() {  # uv (pinned in requirements-dev.txt) into .venv: it installs the venvs below ~5x faster than pip.
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  [ -x .venv/bin/uv ] || .venv/bin/python -m pip install --quiet --disable-pip-version-check "$(grep -x 'uv==.*' requirements-dev.txt)"
}

make_venv() {  # make_venv <dir> <requirements file> [<requirements installed without their dependencies>]
  [ -x "$1/bin/python" ] || .venv/bin/uv venv --quiet --python "$PYTHON" "$1"
  # --no-compile is uv's default: Python compiles what the tests import, not all of TensorFlow (see above).
  VIRTUAL_ENV="$1" .venv/bin/uv pip install --quiet -r "$2"
  if [ $# -gt 2 ]; then
    VIRTUAL_ENV="$1" .venv/bin/uv pip install --quiet --no-deps -r "$3"
  fi
}

install_chromium() {
  [ -x /usr/bin/chromium ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Debian's chromium: sudo apt-get install -y chromium" >&2
    return 1
  fi
}

docs() {  # the site, in a temporary folder: warnings are errors (mkdocs.yml: strict)
  make_venv .venv-docs requirements-docs.txt
  .venv-docs/bin/mkdocs build --strict --quiet --site-dir "$logs/site"
}

frontend() {  # npm ci, typecheck, unit tests, and a rebuild of the bundle that must match the committed one
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent typecheck && npm test --silent)
  local bundle=tb_regloss/plugin/static/index.js committed
  committed=$(mktemp)
  cp "$bundle" "$committed"
  (cd frontend && npm run --silent build >/dev/null)
  if ! cmp -s "$bundle" "$committed"; then
    echo "The committed $bundle differs from a rebuild of frontend/src: run 'npm run build' in frontend/ and commit it." >&2
    return 1
  fi
}

background() {  # background <name> <command...>: starts it, its output kept in $logs/<name>.
  local name=$1
  shift
  (start=$SECONDS; "$@"; echo "--- $name: $((SECONDS - start)) s (beside other steps)") >"$logs/$name" 2>&1 &
  eval "pid_$name=$!"
}

finish() {  # finish <name>: waits for a background step and shows its output; fails if it failed.
  local name=$1 pid_var="pid_$1"
  if wait "${!pid_var}"; then
    cat "$logs/$name"
  else
    cat "$logs/$name"
    echo "--- $name failed" >&2
    return 1
  fi
}

timed "uv (into .venv)" install_uv
# uv reads no pip configuration: where pip finds wheels on disk (find-links,
# e.g. the CPU build of PyTorch), uv is told the same place.
find_links="${PIP_FIND_LINKS:-$(.venv/bin/python -m pip config get global.find-links 2>/dev/null || true)}"
[ -z "$find_links" ] || export UV_FIND_LINKS="${UV_FIND_LINKS:-$find_links}"
export UV_LINK_MODE=copy  # the uv cache may be on another file system than the venvs
background frontend frontend
background keras_min_venv make_venv .venv-keras-min requirements-keras-min.txt
background chromium install_chromium
background docs docs
# keras-hub without its dependencies: the backbones the tests build need only
# regex and tokenizers (requirements-hub.txt), not TensorFlow Text's 60 MB.
timed "venv (.venv, requirements-dev.txt, requirements-hub.txt)" make_venv .venv requirements-dev.txt requirements-hub.txt

finish frontend
finish chromium
finish docs

pytest_in() {  # pytest_in <venv> [arguments]: pytest on two workers, files kept whole (conftest.py).
  local venv=$1
  shift
  "$venv/bin/python" -m pytest tests -q -n "$WORKERS" --dist loadgroup -p no:cacheprovider "$@"
}
core=(--ignore=tests/browser -m "not once")

echo "--- pytest, every test on Keras' TensorFlow backend (pinned versions: requirements-dev.txt)"
timed "pytest on tensorflow" pytest_in .venv "$@"

for backend in jax torch; do
  echo "--- pytest on Keras' $backend backend: the core tests (no browser tests, none marked once or for other backends)"
  KERAS_BACKEND=$backend timed "pytest on $backend" pytest_in .venv "${core[@]}" "$@"
done

finish keras_min_venv
echo "--- pytest on the lowest supported Keras (requirements-keras-min.txt): the core tests"
timed "pytest on the lowest Keras" pytest_in .venv-keras-min "${core[@]}" "$@"
echo "--- all tests passed in $SECONDS s"
