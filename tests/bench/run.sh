#!/bin/sh
# Performance benchmark (not a test: it asserts nothing). Builds Release binaries in their own
# build directory, then times the hook, the shim and runc side by side, interleaved, and prints a
# table with medians, p99s and ratios against the targets; the same data goes to a JSON file.
# Usage: tests/bench/run.sh [--smoke]   (--smoke: a ~10-second version, run by CI)
# Env: BENCH_BUILD_DIR (default: build-bench), BENCH_JSON (default: <build dir>/bench-results.json)
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
JSON=${BENCH_JSON:-$BUILD/bench-results.json}

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DOCI_NETNS_STATIC=ON \
  -DOCI_NETNS_TEST_BUILD=OFF -DOCI_NETNS_BUILD_TESTS=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" \
  --target oci-netns-hook oci-netns-runtime oci_netns_bench oci_netns_bench_floor \
  oci_netns_bench_minimal >/dev/null

# Scratch under /run: the same filesystem as /run/netns. The driver's mounts live in its own
# mount namespace and vanish with it; the files go here.
WORK=$(mktemp -d /run/oci-netns-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$BUILD/tests/bench/oci_netns_bench" --hook "$BUILD/hook/oci-netns-hook" \
  --runtime "$BUILD/hook/oci-netns-runtime" --floor "$BUILD/tests/bench/oci_netns_bench_floor" \
  --minimal "$BUILD/tests/bench/oci_netns_bench_minimal" --bin-dir "$BUILD/bench-bin" \
  --json "$JSON" --work "$WORK" "$@"
