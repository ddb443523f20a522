#!/bin/sh
# The one build that install.sh and demo.sh use: Release (what the benchmark measures) with debug
# info kept in the build tree, so install.sh can install stripped binaries and, on request, their
# debug info as separate files. `build.sh --dir` prints the directory without building;
# `build.sh --deb` also builds the Debian package there (cmake/packaging.cmake) and prints its path.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${OCI_NETNS_BUILD_DIR:-$SRC/build-release}
DEB=0
case "${1:-}" in
  --dir) echo "$BUILD_DIR"; exit 0 ;;
  --deb) DEB=1 ;;
  "") ;;
  *) echo "usage: build.sh [--dir | --deb]" >&2; exit 2 ;;
esac
# Always run (incremental, quick when up to date): a build from an older checkout must not be
# installed as is. -g does not change the generated code; install.sh strips it.
cmake -S "$SRC" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-g \
  -DOCI_NETNS_BUILD_TESTS=OFF >/dev/null
if [ "$DEB" = 1 ]; then
  # The binaries, their man pages, then cpack -G DEB; only the new package is left in the tree.
  rm -f "$BUILD_DIR"/oci-netns-hook_*.deb
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target deb >&2
  ls "$BUILD_DIR"/oci-netns-hook_*.deb
else
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target oci-netns-hook oci-netns-runtime oci-netns-hook-cli
fi
