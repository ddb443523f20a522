#!/bin/sh
# Installs oci-netns-hook: binaries, hooks.d files (Podman/CRI-O, and the shim's source of hooks),
# the default config, the gc systemd units, and registers the runtime shim with Docker and
# containerd on request. Everything done is recorded in a manifest that uninstall.sh reverses.
set -eu

usage() {
  cat <<USAGE
usage: install.sh [options]
  --prefix DIR            install binaries into DIR/bin (default /usr/local)
  --build-dir DIR         take binaries from this CMake build (default: build one)
  --docker                register oci-netns-runtime in daemon.json and SIGHUP dockerd
  --default-runtime       with --docker: also make it Docker's default-runtime
  --containerd            register it as containerd's runc BinaryName (or print the snippet)
  --podman                check Podman (it reads hooks.d natively; nothing to register)
  --hooks-dir DIR         hooks.d directory (default /usr/share/containers/oci/hooks.d)
  --daemon-json FILE      Docker config (default /etc/docker/daemon.json)
  --docker-pidfile FILE   dockerd pidfile to SIGHUP (default /var/run/docker.pid)
  --containerd-config F   containerd config (default /etc/containerd/config.toml)
  --config-dir DIR        hook config directory (default /etc/oci-netns-hook)
  --systemd-dir DIR       systemd unit directory (default /etc/systemd/system)
  --manifest-dir DIR      where the install manifest lives (default /var/lib/oci-netns-hook)
  --dry-run               print what would be done, change nothing
USAGE
}

SRC=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=/usr/local
BUILD_DIR=""
DOCKER=0 DEFAULT_RT=0 CONTAINERD=0 PODMAN=0 DRY=0
HOOKS_DIR=/usr/share/containers/oci/hooks.d
DAEMON_JSON=/etc/docker/daemon.json
DOCKER_PIDFILE=/var/run/docker.pid
CONTAINERD_CONFIG=/etc/containerd/config.toml
CONFIG_DIR=/etc/oci-netns-hook
SYSTEMD_DIR=/etc/systemd/system
MANIFEST_DIR=/var/lib/oci-netns-hook

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift ;;
    --prefix=*) PREFIX=${1#*=} ;;
    --build-dir) BUILD_DIR=$2; shift ;;
    --build-dir=*) BUILD_DIR=${1#*=} ;;
    --docker) DOCKER=1 ;;
    --default-runtime) DEFAULT_RT=1 ;;
    --containerd) CONTAINERD=1 ;;
    --podman) PODMAN=1 ;;
    --hooks-dir) HOOKS_DIR=$2; shift ;;
    --daemon-json) DAEMON_JSON=$2; shift ;;
    --docker-pidfile) DOCKER_PIDFILE=$2; shift ;;
    --containerd-config) CONTAINERD_CONFIG=$2; shift ;;
    --config-dir) CONFIG_DIR=$2; shift ;;
    --systemd-dir) SYSTEMD_DIR=$2; shift ;;
    --manifest-dir) MANIFEST_DIR=$2; shift ;;
    --dry-run) DRY=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$DEFAULT_RT" = 1 ] && [ "$DOCKER" = 0 ]; then
  echo "install.sh: --default-runtime needs --docker" >&2; exit 2
fi
case "$PREFIX" in /*) ;; *) echo "install.sh: --prefix must be absolute" >&2; exit 2 ;; esac
[ "$DRY" = 1 ] || [ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }

BIN=$PREFIX/bin
MANIFEST=$MANIFEST_DIR/install-manifest

say() { echo "install.sh: $*"; }
do_() { if [ "$DRY" = 1 ]; then echo "would run: $*"; else "$@"; fi; }
# Records one manifest line once (re-running install must not duplicate entries).
record() {
  [ "$DRY" = 1 ] && return 0
  mkdir -p "$MANIFEST_DIR"
  touch "$MANIFEST"
  grep -qxF "$*" "$MANIFEST" || echo "$*" >>"$MANIFEST"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# Copies to a temporary name beside the target, then renames: a container starting meanwhile
# execs either the old or the new binary, never a half-written one.
install_file() { # mode src dst
  do_ mkdir -p "$(dirname "$3")"
  do_ install -m "$1" "$2" "$3.oci-netns-tmp"
  do_ mv -f "$3.oci-netns-tmp" "$3"
}

# 1. Binaries.
if [ -z "$BUILD_DIR" ]; then
  # Always (incremental, quick when up to date): a build directory from an older checkout must not
  # be installed as is.
  BUILD_DIR=$SRC/build-install
  say "building in $BUILD_DIR"
  do_ cmake -S "$SRC" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOCI_NETNS_BUILD_TESTS=OFF
  do_ cmake --build "$BUILD_DIR" -j"$(nproc)"
fi
# The CLI first: the hook and the shim exec it for everything but their hot paths. All three are
# checked before any is installed, so a missing one leaves the installed set untouched.
EXES="oci-netns-hook-cli oci-netns-hook oci-netns-runtime"
for exe in $EXES; do
  src=$BUILD_DIR/hook/$exe
  [ "$DRY" = 1 ] || [ -x "$src" ] || { echo "install.sh: $src not found" >&2; exit 1; }
done
for exe in $EXES; do
  src=$BUILD_DIR/hook/$exe
  install_file 0755 "$src" "$BIN/$exe"
  record "file $BIN/$exe"
done
RUNTIME=$BIN/oci-netns-runtime
ADMIN=$RUNTIME
[ "$DRY" = 1 ] && ADMIN=$BUILD_DIR/hook/oci-netns-runtime

# 2. hooks.d: one file per stage (a hooks.d file holds one hook with one argv).
for f in "$SRC"/install/hooks.d/*.json; do
  dst=$HOOKS_DIR/$(basename "$f")
  if [ "$DRY" = 1 ]; then
    echo "would write $dst (hook.path $BIN/oci-netns-hook)"
  else
    mkdir -p "$HOOKS_DIR"
    sed "s#/usr/local/bin/oci-netns-hook#$BIN/oci-netns-hook#" "$f" >"$dst.oci-netns-tmp"
    chmod 0644 "$dst.oci-netns-tmp"
    mv -f "$dst.oci-netns-tmp" "$dst"
  fi
  record "file $dst"
done
case "$HOOKS_DIR" in
  /usr/share/containers/oci/hooks.d|/etc/containers/oci/hooks.d) ;;
  *) say "note: $HOOKS_DIR is not a default hooks.d directory; list it in runtime.hooks_dirs of" \
         "$CONFIG_DIR/config.json and pass --hooks-dir to podman" ;;
esac

# 3. Default config, never over an existing one.
if [ -e "$CONFIG_DIR/config.json" ]; then
  say "keeping existing $CONFIG_DIR/config.json"
else
  install_file 0644 "$SRC/config/config.json" "$CONFIG_DIR/config.json"
  [ "$DRY" = 1 ] || record "config $CONFIG_DIR/config.json $(sha "$CONFIG_DIR/config.json")"
fi

# 4. systemd units for gc, when this host runs systemd.
if ls "$SRC"/install/systemd/*.service >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for unit in "$SRC"/install/systemd/*; do
    dst=$SYSTEMD_DIR/$(basename "$unit")
    if [ "$DRY" = 1 ]; then
      echo "would write $dst"
    else
      mkdir -p "$SYSTEMD_DIR"
      sed "s#/usr/local/bin/#$BIN/#g" "$unit" >"$dst"
      chmod 0644 "$dst"
    fi
    record "unit $dst"
  done
  do_ systemctl daemon-reload
  for timer in "$SRC"/install/systemd/*.timer; do
    [ -e "$timer" ] && do_ systemctl enable --now "$(basename "$timer")"
  done
else
  say "systemd is not running: no gc timer installed (run '$BIN/oci-netns-hook gc' periodically)"
fi

# SIGHUPs dockerd if its pidfile names a live dockerd: it then rereads daemon.json.
reload_dockerd() {
  pid=$(cat "$DOCKER_PIDFILE" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
    do_ kill -HUP "$pid"
    say "dockerd ($pid) reloaded"
  else
    say "dockerd is not running; it reads $DAEMON_JSON when it starts"
  fi
}

# 5. Docker: merge the runtime into daemon.json (every other key kept), then reload.
if [ "$DOCKER" = 1 ]; then
  set -- --file "$DAEMON_JSON" --name oci-netns --path "$RUNTIME"
  [ "$DEFAULT_RT" = 1 ] && set -- "$@" --default
  [ "$DRY" = 1 ] && set -- "$@" --dry-run
  out=$("$ADMIN" --oci-netns-admin docker-register "$@")
  [ "$DRY" = 1 ] && echo "$out"
  prev=$(echo "$out" | sed -n 's/^previous_default=//p')
  # Keep the first recorded previous default: a re-run must not record our own name.
  if [ "$DRY" = 0 ] && ! grep -q "^docker-runtime $DAEMON_JSON " "$MANIFEST" 2>/dev/null; then
    record "docker-runtime $DAEMON_JSON oci-netns $DOCKER_PIDFILE ${prev:--}"
  fi
  reload_dockerd
  say "Docker: docker run --runtime oci-netns ...$([ "$DEFAULT_RT" = 1 ] && echo ' (also the default runtime)')"
fi

# 6. containerd: a fresh config gets the snippet; an existing one is not edited (TOML tables
# cannot be merged safely with sed): the snippet is printed to merge by hand.
if [ "$CONTAINERD" = 1 ]; then
  snippet=$(sed "s#/usr/local/bin/oci-netns-runtime#$RUNTIME#" "$SRC/install/containerd/oci-netns-runtime.toml")
  if [ ! -e "$CONTAINERD_CONFIG" ]; then
    if [ "$DRY" = 1 ]; then
      echo "would write $CONTAINERD_CONFIG:"; printf 'version = 2\n\n%s\n' "$snippet"
    else
      mkdir -p "$(dirname "$CONTAINERD_CONFIG")"
      printf 'version = 2\n\n%s\n' "$snippet" >"$CONTAINERD_CONFIG"
      record "containerd-config $CONTAINERD_CONFIG $(sha "$CONTAINERD_CONFIG")"
    fi
    say "containerd: wrote $CONTAINERD_CONFIG; restart containerd to use it"
  elif grep -q "$RUNTIME" "$CONTAINERD_CONFIG"; then
    say "containerd: $CONTAINERD_CONFIG already names $RUNTIME"
  else
    say "containerd: $CONTAINERD_CONFIG exists; merge this and restart containerd:"
    echo "$snippet"
  fi
  say "containerd: ctr run --runc-binary $RUNTIME ... works without any config"
fi

if [ "$PODMAN" = 1 ]; then
  if command -v podman >/dev/null 2>&1; then
    say "Podman reads $HOOKS_DIR natively: podman run ... registers the namespace"
  else
    say "podman is not installed; the hooks.d files are in place for when it is"
  fi
fi
say "done; verify with: ip netns list"
