#!/usr/bin/env bash
# Keras' own trainer and callbacks tests with tb_regloss.RegLossCallback attached.
#
# Downloads Keras' source distribution (the version pinned in
# requirements-dev.txt, or the first argument) into a temp dir and runs
# keras/src/trainers/trainer_test.py and keras/src/callbacks/*_test.py with the
# repo's venv, KERAS_BACKEND=tensorflow: once plain (the baseline: failures
# there are Keras' or this machine's, not ours), then once per update_freq in
# KERAS_SUITE_MODES (default "epoch batch") with a fresh RegLossCallback
# attached to every fit/evaluate by bench/keras_suite_plugin.py. Prints, per
# mode, the tests that fail only with the callback. Not run in CI.
#
#   bash bench/keras_suite.sh            # from the repo root
#   bash bench/keras_suite.sh 3.15.1     # another Keras version's tests
#
# Results (JUnit XML, pytest logs, summary.txt) go to $KERAS_SUITE_OUT, by
# default a new /tmp/keras_suite.XXXXXX/results. Nothing of Keras is kept in
# the repo. Exit status: 1 if a test fails only with the callback and is not
# in the plugin's EXPECTED_BY_DESIGN list, or if what the callback wrote is
# inconsistent (the plugin's check). KERAS_SUITE_PYTEST_ARGS adds pytest
# arguments (e.g. "-k early_stopping") to every run. The tb_regloss tested is
# the work tree's; KERAS_SUITE_REF=<commit> tests that commit's instead.
set -euo pipefail

# One function, parsed whole before it runs, so editing this file during a
# run does not change the run.
main() {
    repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    python="$repo/.venv/bin/python"
    version=${1:-$(sed -n 's/^keras==\([^ ;]*\).*/\1/p' "$repo/requirements-dev.txt")}
    modes=${KERAS_SUITE_MODES:-epoch batch}
    work=$(mktemp -d /tmp/keras_suite.XXXXXX)
    out=${KERAS_SUITE_OUT:-$work/results}
    mkdir -p "$out"

    echo "keras_suite: keras==$version, work dir $work, results in $out"
    "$python" -m pip download --quiet --no-deps --no-binary :all: "keras==$version" -d "$work"
    tar xzf "$work/keras-$version.tar.gz" -C "$work"
    src="$work/keras-$version"

    installed=$(TF_CPP_MIN_LOG_LEVEL=3 "$python" -c 'import keras; print(keras.__version__)' 2>/dev/null)
    if [ "$installed" != "$version" ]; then
        echo "keras_suite: warning: the tests of keras $version run against the installed keras $installed" >&2
    fi

    # Keras' tests import their repository's conftest.py, which the sdist lacks.
    printf '%s\n' \
        "# Written by tb-regloss's bench/keras_suite.sh: Keras' sdist has no conftest.py." \
        "from keras_suite_plugin import skip_if_backend  # noqa: F401" > "$src/conftest.py"
    # The plugin as it is now: later edits do not reach the runs still to come.
    mkdir -p "$work/plugin"
    cp "$repo/bench/keras_suite_plugin.py" "$work/plugin/"

    # What Keras' tests need beyond the venv (its CI installs every backend):
    # jax (imported by trainer_test.py), torch and grain (data loader cases),
    # scipy (sparse inputs), orbax-checkpoint (orbax_checkpoint_test.py). The
    # list is what `pip install --dry-run` adds to the venv for those, pinned;
    # it goes to a cache dir put on PYTHONPATH for these runs only, without
    # dependencies, so the venv and the numpy/protobuf TensorFlow uses stay.
    local test_deps="torch==2.13.0 jax==0.10.2 jaxlib==0.10.2 scipy==1.17.1
        orbax-checkpoint==0.12.8 grain==0.2.18 array_record==0.8.6 tensorstore==0.1.86
        etils==1.15.0 fsspec==2026.9.0 networkx==3.6.1 sympy==1.14.0 mpmath==1.3.0
        Jinja2==3.1.6 filelock==4.3.1 prometheus_client==0.26.0 simplejson==4.3.0
        aiofiles==25.1.0 cloudpickle==3.1.3 humanize==4.17.0 msgpack==1.2.4
        portpicker==1.6.0 psutil==7.2.2 PyYAML==6.0.4 uvloop==0.23.0 zipp==4.1.2"
    deps=${KERAS_SUITE_CACHE:-/tmp/keras_suite_cache}/deps-$(echo $test_deps | md5sum | cut -c1-12)
    if [ ! -d "$deps" ]; then
        echo "keras_suite: installing the tests' dependencies into $deps (about 1.5 GB)"
        # shellcheck disable=SC2086  # one argument per requirement
        rm -rf "$deps.partial"
        "$python" -m pip install --quiet --no-deps --target "$deps.partial" $test_deps
        mv "$deps.partial" "$deps"
    fi

    regloss_path=""
    if [ -n "${KERAS_SUITE_REF:-}" ]; then
        mkdir -p "$work/regloss"
        git -C "$repo" archive "$KERAS_SUITE_REF" tb_regloss | tar x -C "$work/regloss"
        regloss_path="$work/regloss:"
        regloss_version="tb_regloss at $(git -C "$repo" rev-parse --short "$KERAS_SUITE_REF")"
    else
        regloss_version="tb_regloss of the work tree at $(git -C "$repo" rev-parse --short HEAD)"
        if [ -n "$(git -C "$repo" status --porcelain -- tb_regloss)" ]; then
            regloss_version+=" with uncommitted changes in tb_regloss/"
        fi
    fi

    tests=(keras/src/trainers/trainer_test.py keras/src/callbacks/)
    # -p no:hypothesispytest: the venv's hypothesis plugin, unused by these
    # tests, crashed pytest's last summary here once (CPython 3.11.7's "AST
    # constructor recursion depth mismatch" importing hypothesis).
    declare -A seconds
    run() {  # run MODE: pytest in the sdist dir, JUnit XML and log to $out
        local mode=$1 start=$SECONDS rc=0
        (
            cd "$src"
            KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=2 \
            PYTHONPATH="$regloss_path$work/plugin:$deps${PYTHONPATH:+:$PYTHONPATH}" \
                "$python" -m pytest -p keras_suite_plugin --regloss="$mode" \
                -p no:hypothesispytest \
                --regloss-logdir="$work/logdir-$mode" -p no:cacheprovider -rfE \
                --junitxml="$out/$mode.xml" ${KERAS_SUITE_PYTEST_ARGS:-} "${tests[@]}"
        ) > "$out/$mode.log" 2>&1 || rc=$?
        seconds[$mode]=$((SECONDS - start))
        echo "keras_suite: $mode: $(tail -n 1 "$out/$mode.log" | tr -d '=') in ${seconds[$mode]} s (exit $rc)"
    }

    run off
    status=0
    for mode in $modes; do
        run "$mode"
    done

    {
        echo "keras==$version tests: ${tests[*]}"
        echo "$regloss_version"
        echo "baseline (no callback): ${seconds[off]} s"
        for mode in $modes; do
            echo
            echo "== update_freq=$mode: ${seconds[$mode]} s (ratio to baseline $(
                "$python" -c "print(f'{${seconds[$mode]} / max(${seconds[off]}, 1):.2f}')"))"
            ("$python" "$work/plugin/keras_suite_plugin.py" compare "$out/off.xml" "$out/$mode.xml") \
                || true
        done
    } | tee "$out/summary.txt"
    # The pipe runs the block in a subshell: read the outcome back from the text.
    if grep -q -e "^  DIFFERENT" -e "^  missing" -e "^  INCONSISTENT" "$out/summary.txt"; then
        status=1
    fi
    echo "keras_suite: results in $out"
    exit $status
}

main "$@"
