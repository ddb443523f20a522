#!/bin/sh
# Reverses exactly what install.sh recorded in its manifest. Engines are unregistered first
# (daemon.json entry removed and dockerd reloaded) so no engine is left pointing at a binary
# that is about to disappear; binaries go last.
set -eu

MANIFEST_DIR=/var/lib/oci-netns-hook
FORCE=0 DRY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --manifest-dir) MANIFEST_DIR=$2; shift ;;
    --force) FORCE=1 ;;
    --dry-run) DRY=1 ;;
    -h|--help)
      echo "usage: uninstall.sh [--manifest-dir DIR] [--force] [--dry-run]"
      echo "  --force: uninstall even while Docker containers still run under oci-netns"
      exit 0 ;;
    *) echo "uninstall.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
MANIFEST=$MANIFEST_DIR/install-manifest
[ -r "$MANIFEST" ] || { echo "uninstall.sh: no manifest at $MANIFEST: nothing to undo" >&2; exit 1; }
[ "$DRY" = 1 ] || [ "$(id -u)" = 0 ] || { echo "uninstall.sh: run as root" >&2; exit 1; }

say() { echo "uninstall.sh: $*"; }
do_() { if [ "$DRY" = 1 ]; then echo "would run: $*"; else "$@"; fi; }
entries() { grep "^$1 " "$MANIFEST" | cut -d' ' -f2- || true; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
RUNTIME=$(entries file | grep '/oci-netns-runtime$' | head -n1)

# 1. Docker. Running containers created under the shim call it again for kill/delete (containerd
# keeps the binary path), so refuse while any exist unless --force.
entries docker-runtime | while read -r daemon_json name pidfile prev; do
  if [ "$FORCE" = 0 ] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    users=$(docker ps -q | xargs -r docker inspect -f '{{.Name}} {{.HostConfig.Runtime}}' |
            awk -v n="$name" '$2 == n {print $1}')
    if [ -n "$users" ]; then
      echo "uninstall.sh: containers still run under runtime $name:" $users >&2
      echo "uninstall.sh: stop them first, or pass --force" >&2
      exit 1
    fi
  fi
  [ "$prev" = "-" ] && prev=""
  set -- --file "$daemon_json" --name "$name" --restore-default "$prev"
  [ "$DRY" = 1 ] && set -- "$@" --dry-run
  # The admin verbs run in oci-netns-hook-cli, which the shim execs from its own directory.
  if [ -x "$RUNTIME" ] && [ -x "$(dirname "$RUNTIME")/oci-netns-hook-cli" ]; then
    "$RUNTIME" --oci-netns-admin docker-unregister "$@" >/dev/null
  else
    echo "uninstall.sh: $RUNTIME or the oci-netns-hook-cli beside it is missing; remove runtimes.$name from $daemon_json by hand" >&2
    exit 1
  fi
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
    do_ kill -HUP "$pid"
    say "dockerd ($pid) reloaded without runtime $name"
  fi
done

# 2. containerd: the config install wrote is removed only if nobody changed it since.
entries containerd-config | while read -r path sum; do
  if [ -e "$path" ] && [ "$(sha "$path")" = "$sum" ]; then
    do_ rm -f "$path"
    say "removed $path; restart containerd"
  elif [ -e "$path" ]; then
    say "$path was edited since install: remove its oci-netns-runtime BinaryName by hand"
  fi
done

# 3. systemd units.
units=$(entries unit)
if [ -n "$units" ]; then
  for u in $units; do
    command -v systemctl >/dev/null 2>&1 && do_ systemctl disable --now "$(basename "$u")" 2>/dev/null || true
    do_ rm -f "$u"
  done
  command -v systemctl >/dev/null 2>&1 && do_ systemctl daemon-reload || true
fi

# 4. hooks.d files before the binaries they name, then the binaries.
for f in $(entries file | grep '\.json$'); do do_ rm -f "$f"; done
for f in $(entries file | grep -v '\.json$'); do do_ rm -f "$f"; done

# 5. The config, only if it is still the one install wrote.
entries config | while read -r path sum; do
  if [ -e "$path" ] && [ "$(sha "$path")" = "$sum" ]; then
    do_ rm -f "$path"
    do_ rmdir "$(dirname "$path")" 2>/dev/null || true
  elif [ -e "$path" ]; then
    say "keeping $path: it was edited since install"
  fi
done

do_ rm -f "$MANIFEST"
say "done"
