#!/bin/sh
# Installs dependencies, builds, and runs every ctest suite (unit, runc, docker, podman,
# containerd, ...). Prints ctest's summary line. Usage: ./tests/run.sh [extra ctest args]
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD=${BUILD_DIR:-$ROOT/build}

./install/deps.sh
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOCI_NETNS_TEST_BUILD=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)"

status=0
# Engine suites share host daemons and /run/netns, so suites run one after another; tests
# inside a suite are independent processes.
(cd "$BUILD" && ctest --output-on-failure --timeout 900 "$@") || status=$?
exit $status
