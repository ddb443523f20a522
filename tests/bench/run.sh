#!/bin/sh
# Performance benchmark (not a test: it asserts nothing). Builds Release binaries in their own
# build directory, then times the hook, the shim and runc side by side, interleaved, and prints a
# table with medians, p99s and ratios against the targets; the same data goes to a JSON file.
# By default the hook works on this machine's real /run/netns (tests/bench/README.md); run it
# under `flock /work/wt/engine.lock` (or whatever serialises engine tests) when others share it.
# Usage: tests/bench/run.sh [--smoke] [--private-run] [--only SECTIONS] [--baseline-hook [L=]BIN]
#   SECTIONS: a comma-separated subset of hook,e2e,shim,scale,fs,docker,podman,gc
#   --smoke: a ~10-second version, run by CI; --private-run: a tmpfs /run in a private mount
#   namespace instead of the host's (labelled so in the output)
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
  oci_netns_bench_floor_pie oci_netns_bench_floor_sandbox oci_netns_bench_minimal >/dev/null

# What the run may leave in the host's /run/netns if it fails half-way: references named
# bench-<pid>-... (the driver's and iproute2's), and /run/netns itself made a mount point (the
# hook and `ip netns` both bind-mount it on itself, shared). Put back what was there before.
had_netns_dir=no
had_netns_mount=no
[ -d /run/netns ] && had_netns_dir=yes
mountpoint -q /run/netns 2>/dev/null && had_netns_mount=yes
cleanup() {
  for ref in /run/netns/bench-[0-9]*; do
    [ -e "$ref" ] || continue
    umount -l "$ref" 2>/dev/null || true
    rm -f "$ref"
  done
  if [ $had_netns_mount = no ] && mountpoint -q /run/netns 2>/dev/null &&
    ! grep -q ' /run/netns/' /proc/self/mountinfo; then
    umount /run/netns 2>/dev/null || true
  fi
  if [ $had_netns_dir = no ]; then rmdir /run/netns 2>/dev/null || true; fi
  rm -rf "$WORK"
}

# Scratch under /run: the same filesystem as /run/netns.
WORK=$(mktemp -d /run/oci-netns-bench.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM
"$BUILD/tests/bench/oci_netns_bench" --hook "$BUILD/hook/oci-netns-hook" \
  --runtime "$BUILD/hook/oci-netns-runtime" --floor "$BUILD/tests/bench/oci_netns_bench_floor" \
  --floor-pie "$BUILD/tests/bench/oci_netns_bench_floor_pie" \
  --floor-sandbox "$BUILD/tests/bench/oci_netns_bench_floor_sandbox" \
  --minimal "$BUILD/tests/bench/oci_netns_bench_minimal" --bin-dir "$BUILD/bench-bin" \
  --json "$JSON" --work "$WORK" "$@"
