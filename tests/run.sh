#!/bin/sh
# Installs dependencies, builds, and runs every ctest suite (unit, runc, docker, podman,
# containerd, cri, ...). Prints ctest's summary line. Usage: ./tests/run.sh [extra ctest args]
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
main_log=$BUILD/ctest-main.log
(cd "$BUILD" && ctest --output-on-failure --timeout 900 -O "$main_log" "$@") || status=$?

# Benchmark smoke stage: tests/bench/run.sh --smoke (its own Release build, then ~10 s) so the
# benchmark cannot rot. A script error fails CI; a missed performance target does not (the
# benchmark asserts nothing). BENCH_SMOKE=0 skips it.
if [ "${BENCH_SMOKE:-1}" != 0 ]; then
  t0=$(date +%s)
  if ./tests/bench/run.sh --smoke; then result=passed; else result=FAILED; status=1; fi
  echo "run.sh: benchmark smoke stage: $result in $(($(date +%s) - t0))s"
fi

# Sanitizer stage: everything the unit and runc suites need, built with ASan+UBSan
# (OCI_NETNS_SANITIZE turns static linking off), then those suites. SANITIZE=0 skips it.
if [ "${SANITIZE:-1}" != 0 ]; then
  SAN_BUILD=${SANITIZE_BUILD_DIR:-$ROOT/build-sanitize}
  t0=$(date +%s)
  san=0
  {
    cmake -S "$ROOT" -B "$SAN_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOCI_NETNS_SANITIZE=ON \
      -DOCI_NETNS_TEST_BUILD=ON >/dev/null &&
      cmake --build "$SAN_BUILD" -j"$(nproc)" --target unit_tests runc_tests &&
      (cd "$SAN_BUILD" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure --timeout 900 -L 'unit|runc')
  } || san=1
  [ $san = 0 ] && result=passed || { result=FAILED; status=1; }
  echo "run.sh: sanitizer stage (ASan+UBSan, unit+runc): $result in $(($(date +%s) - t0))s"
fi

# Fuzz stage: each libFuzzer target (clang, ASan+UBSan) runs FUZZ_SECONDS (default 60; 0 skips)
# on a copy of its seed corpus, so the checked-in corpus never grows. A crash, leak, hang
# (-timeout) or memory blow-up (-rss_limit_mb) fails the stage; the input is kept under
# $FUZZ_BUILD/artifacts. Targets run $(nproc) at a time.
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
if [ "$FUZZ_SECONDS" != 0 ]; then
  FUZZ_BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
  t0=$(date +%s)
  fuzz=0
  targets=$(for src in "$ROOT"/tests/fuzz/fuzz_*.cpp; do basename "$src" .cpp; done)
  # shellcheck disable=SC2086
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$FUZZ_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DOCI_NETNS_FUZZ=ON >/dev/null &&
    cmake --build "$FUZZ_BUILD" -j"$(nproc)" --target $targets || fuzz=1
  if [ $fuzz = 0 ]; then
    work=$(mktemp -d /tmp/oci-netns-fuzz.XXXXXX)
    mkdir -p "$FUZZ_BUILD/artifacts"
    failed=""
    running=0
    for src in "$ROOT"/tests/fuzz/fuzz_*.cpp; do
      target=$(basename "$src" .cpp)
      name=${target#fuzz_}
      mkdir -p "$work/$name"
      cp -r "$ROOT/tests/fuzz/corpus/$name/." "$work/$name/"
      ("$FUZZ_BUILD/tests/fuzz/$target" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$FUZZ_BUILD/artifacts/$name-" \
        "$work/$name" >"$work/$name.log" 2>&1 && echo ok >"$work/$name.rc") &
      running=$((running + 1))
      if [ $running -ge "$(nproc)" ]; then
        wait
        running=0
      fi
    done
    wait
    for src in "$ROOT"/tests/fuzz/fuzz_*.cpp; do
      name=$(basename "$src" .cpp)
      name=${name#fuzz_}
      runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
      if [ -f "$work/$name.rc" ]; then
        echo "run.sh: fuzz_$name: ${runs:-?} runs, no crash, leak or hang"
      else
        failed="$failed $name"
        echo "run.sh: fuzz_$name FAILED; log tail:"
        tail -n 40 "$work/$name.log"
      fi
    done
    rm -rf "$work"
    [ -z "$failed" ] || fuzz=1
  fi
  [ $fuzz = 0 ] && result=passed || { result="FAILED${failed:+ (}${failed# }${failed:+)}"; status=1; }
  echo "run.sh: fuzz stage (${FUZZ_SECONDS}s per target): $result in $(($(date +%s) - t0))s"
fi
# The main run's ctest summary again, last, so it is not lost above the other stages.
echo "run.sh: main suites: $(grep -E 'tests passed|tests failed' "$main_log" | tail -n 1)"
exit $status
