#!/bin/sh
# Regenerates hook/hot_path.ld, the link-time layout of the hook's hot path
# (tests/bench/README.md): builds the Release hook as tests/bench/run.sh does, runs createRuntime and
# poststop for a process in a network namespace of its own under gdb (tests/bench/hot_path.py
# records every function entered), and maps those functions to input sections of the link map.
# Run it as root after changing what the hook stages do, and commit hook/hot_path.ld. Needs gdb.
# Everything it makes (mounts, the namespace, the sleeper) lives in a private mount namespace
# and dies with it.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
command -v gdb >/dev/null || { echo "hot_path.sh: needs gdb (apt-get install gdb)" >&2; exit 1; }

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DOCI_NETNS_STATIC=ON \
  -DOCI_NETNS_TEST_BUILD=OFF -DOCI_NETNS_BUILD_TESTS=ON >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target oci-netns-hook >/dev/null
HOOK=$BUILD/hook/oci-netns-hook
MAP=$BUILD/hook/oci-netns-hook.map
[ -f "$MAP" ] || { echo "hot_path.sh: no link map at $MAP" >&2; exit 1; }

WORK=$(mktemp -d /tmp/oci-netns-hot-path.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export HOT_PATH_ADDRS="$WORK/addrs" HOT_PATH_MAP="$MAP" HOT_PATH_OUT="$ROOT/hook/hot_path.ld"
RUN=$WORK/run  # a tmpfs inside the private mount namespace, like /run
mkdir "$RUN"
export HOOK RUN
unshare -m sh -eu -c '
  mount --make-rslave /
  mount -t tmpfs tmpfs "$RUN"
  printf "{\"netns_dir\": \"%s/netns\", \"state_dir\": \"%s/state\"}\n" "$RUN" "$RUN" \
    >"$RUN/config.json"
  export OCI_NETNS_HOOK_CONFIG="$RUN/config.json"
  unshare -n sleep 600 &
  sleeper=$!
  trap "kill $sleeper" EXIT
  sleep 0.2
  printf "{\"ociVersion\":\"1.0.2\",\"id\":\"hot-path\",\"pid\":%d,\"status\":\"creating\",\"bundle\":\"/\",\"annotations\":{}}" \
    "$sleeper" >"$RUN/create.json"
  printf "{\"ociVersion\":\"1.0.2\",\"id\":\"hot-path\",\"status\":\"stopped\",\"bundle\":\"/\"}" \
    >"$RUN/poststop.json"
  record() {
    HOT_PATH_MODE=record gdb -batch -nx -ex "set args $1 <$RUN/$2.json" \
      -x tests/bench/hot_path.py "$HOOK" >"$RUN/gdb-$2.log" 2>&1 ||
      { cat "$RUN/gdb-$2.log" >&2; exit 1; }
  }
  # Each stage must really do its work under gdb, or the layout would follow an error path.
  record createRuntime create
  [ -e "$RUN/netns/hot-path" ] || { cat "$RUN/gdb-create.log" >&2; exit 1; }
  record poststop poststop
  [ ! -e "$RUN/netns/hot-path" ] || { cat "$RUN/gdb-poststop.log" >&2; exit 1; }
'
HOT_PATH_MODE=emit gdb -batch -nx -x tests/bench/hot_path.py "$HOOK"
echo "hot_path.sh: wrote $HOT_PATH_OUT from $(wc -l <"$HOT_PATH_ADDRS") functions entered"
