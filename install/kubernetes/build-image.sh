#!/bin/sh
# Builds the node image (install/kubernetes/Dockerfile, FROM scratch) from a Release build of the
# static binaries: the context's rootfs holds /opt/oci-netns-hook/{bin,install,config} and
# busybox-static as /bin/busybox with its applets linked in /bin.
# Usage: build-image.sh [--tag TAG] [--context-only DIR] [--builder docker|podman]
#   --context-only DIR  write the build context to DIR and build nothing (no engine needed)
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
TAG=oci-netns-hook:0.1.0 CONTEXT="" BUILDER=docker
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) TAG=$2; shift ;;
    --context-only) CONTEXT=$2; shift ;;
    --builder) BUILDER=$2; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "build-image.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
BUSYBOX=/bin/busybox
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
  { echo "build-image.sh: $BUSYBOX is not static: install busybox-static" >&2; exit 1; }
BUILD_DIR=${OCI_NETNS_BUILD_DIR:-$("$SRC/install/build.sh" --dir)}
[ -n "${OCI_NETNS_BUILD_DIR:-}" ] || "$SRC/install/build.sh"
KEEP=1
if [ -z "$CONTEXT" ]; then
  CONTEXT=$(mktemp -d /tmp/oci-netns-image.XXXXXX)
  KEEP=0
fi
trap '[ "$KEEP" = 1 ] || rm -rf "$CONTEXT"' EXIT
root=$CONTEXT/rootfs
opt=$root/opt/oci-netns-hook
mkdir -p "$root/bin" "$root/tmp" "$opt/bin" "$opt/install/kubernetes/hooks.d" "$opt/config"
for exe in oci-netns-hook-cli oci-netns-hook oci-netns-runtime; do
  file -L "$BUILD_DIR/hook/$exe" | grep -qE 'statically linked|static-pie linked' ||
    { echo "build-image.sh: $BUILD_DIR/hook/$exe is not a static binary" >&2; exit 1; }
  objcopy --strip-all "$BUILD_DIR/hook/$exe" "$opt/bin/$exe"
done
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
cp "$SRC/install/install.sh" "$SRC/install/uninstall.sh" "$SRC/install/lib.sh" \
  "$SRC/install/lib-kubernetes.sh" "$opt/install/"
cp "$SRC/install/kubernetes/config.json" "$opt/install/kubernetes/"
cp "$SRC"/install/kubernetes/hooks.d/*.json "$opt/install/kubernetes/hooks.d/"
cp "$SRC/config/config.json" "$opt/config/"
cp "$SRC/install/kubernetes/Dockerfile" "$CONTEXT/Dockerfile"
if [ "$KEEP" = 1 ]; then
  echo "build-image.sh: context in $CONTEXT"
  exit 0
fi
"$BUILDER" build -t "$TAG" "$CONTEXT"
echo "build-image.sh: built $TAG; push it where your nodes pull from and set it in daemonset.yaml"
