#!/bin/sh
# Installs oci-netns-hook: binaries, hooks.d files (Podman/CRI-O, and the shim's source of hooks),
# the default config, the gc systemd units, and registers the runtime shim with Docker and
# containerd on request. With --kubernetes it does a Kubernetes node's registration instead (the
# DaemonSet's init container runs this, on the node's root mounted at --root): sandbox-only hooks.d
# files for CRI-O and the shim, a config naming pods, and containerd's runc BinaryName through a
# drop-in its `imports` reads. Everything done is recorded in a manifest that uninstall.sh reverses; a
# file it replaces that an earlier run did not write is backed up there first and put back by
# uninstall.sh.
set -eu

usage() {
  cat <<USAGE
usage: install.sh [options]
  --prefix DIR            install binaries into DIR/bin (default /usr/local)
  --build-dir DIR         take binaries from this CMake build (default: install/build.sh)
  --debug-info            also install each binary's debug info, separately, as
                          DEBUG_DIR/<bin dir>/<name>.debug (the binaries are always stripped)
  --debug-dir DIR         where --debug-info puts it (default /usr/lib/debug, where gdb looks)
  --docker                register oci-netns-runtime in daemon.json and SIGHUP dockerd
  --default-runtime       with --docker: also make it Docker's default-runtime
  --containerd            register it as containerd's runc BinaryName (or print the snippet)
  --podman                check Podman (it reads hooks.d natively; nothing to register)
  --names                 a new config names references {name} (docker/podman names) not {id}
  --hooks-dir DIR         hooks.d directory (default /usr/share/containers/oci/hooks.d)
  --daemon-json FILE      Docker config (default /etc/docker/daemon.json)
  --docker-pidfile FILE   dockerd pidfile to SIGHUP (default /var/run/docker.pid)
  --containerd-config F   containerd config (default /etc/containerd/config.toml)
  --config-dir DIR        hook config directory (default /etc/oci-netns-hook)
  --systemd-dir DIR       systemd unit directory (default /etc/systemd/system)
  --manifest-dir DIR      where the install manifest lives (default /var/lib/oci-netns-hook)
  --dry-run               print what would be done, change nothing
Kubernetes nodes (install/kubernetes/README.md):
  --kubernetes            sandbox-only hooks.d files (CRI-O reads them; so does the shim), the
                          config install/kubernetes/config.json, no systemd units (the DaemonSet
                          runs gc), and containerd's runc BinaryName through a drop-in that the
                          config's imports reads (the imports line is added when missing)
  --root DIR              the node's root filesystem is mounted at DIR: files are written under
                          DIR, while every path option (and what the files name) is the node's
  --bin-dir DIR           install the prebuilt, stripped binaries in DIR (no build)
  --state-dir DIR         with --kubernetes: the config's state_dir (default /run/oci-netns-hook)
  --skip-containerd       with --kubernetes: do not register with containerd (a RuntimeClass
                          handler of your own runs the shim: install/kubernetes/runtimeclass.yaml)
  --containerd-dropin F   with --kubernetes: the drop-in (default: conf.d/oci-netns-hook.toml
                          beside --containerd-config)
  --restart-containerd    with --kubernetes: restart containerd, then wait until it answers
  --containerd-restart-cmd CMD  how (default: systemctl restart containerd, run in the node's
                          namespaces through PID 1 when --root is not /)
  --containerd-address S  the socket that must answer (default /run/containerd/containerd.sock)
  --containerd-state DIR  containerd's state directory (default /run/containerd), recorded so
                          uninstall.sh keeps the binaries while containers still run through them
USAGE
}

SRC=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=/usr/local
BUILD_DIR=""
DOCKER=0 DEFAULT_RT=0 CONTAINERD=0 PODMAN=0 DRY=0 DEBUG_INFO=0
DEBUG_DIR=/usr/lib/debug
HOOKS_DIR=/usr/share/containers/oci/hooks.d
DAEMON_JSON=/etc/docker/daemon.json
DOCKER_PIDFILE=/var/run/docker.pid
CONTAINERD_CONFIG=/etc/containerd/config.toml
CONFIG_DIR=/etc/oci-netns-hook
SYSTEMD_DIR=/etc/systemd/system
MANIFEST_DIR=/var/lib/oci-netns-hook
NAMES=0 K8S=0 SKIP_CTRD=0 ROOT=/ BIN_SRC="" STATE_DIR=/run/oci-netns-hook CTRD_DROPIN="" RESTART_CTRD=0
CTRD_RESTART_CMD="" CTRD_ADDRESS=/run/containerd/containerd.sock CTRD_STATE=/run/containerd

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift ;;
    --prefix=*) PREFIX=${1#*=} ;;
    --build-dir) BUILD_DIR=$2; shift ;;
    --build-dir=*) BUILD_DIR=${1#*=} ;;
    --debug-info) DEBUG_INFO=1 ;;
    --debug-dir) DEBUG_DIR=$2; shift ;;
    --docker) DOCKER=1 ;;
    --default-runtime) DEFAULT_RT=1 ;;
    --containerd) CONTAINERD=1 ;;
    --podman) PODMAN=1 ;;
    --names) NAMES=1 ;;
    --hooks-dir) HOOKS_DIR=$2; shift ;;
    --daemon-json) DAEMON_JSON=$2; shift ;;
    --docker-pidfile) DOCKER_PIDFILE=$2; shift ;;
    --containerd-config) CONTAINERD_CONFIG=$2; shift ;;
    --config-dir) CONFIG_DIR=$2; shift ;;
    --systemd-dir) SYSTEMD_DIR=$2; shift ;;
    --manifest-dir) MANIFEST_DIR=$2; shift ;;
    --dry-run) DRY=1 ;;
    --kubernetes) K8S=1 ;;
    --skip-containerd) SKIP_CTRD=1 ;;
    --root) ROOT=$2; shift ;;
    --bin-dir) BIN_SRC=$2; shift ;;
    --state-dir) STATE_DIR=$2; shift ;;
    --containerd-dropin) CTRD_DROPIN=$2; shift ;;
    --restart-containerd) RESTART_CTRD=1 ;;
    --containerd-restart-cmd) CTRD_RESTART_CMD=$2; shift ;;
    --containerd-address) CTRD_ADDRESS=$2; shift ;;
    --containerd-state) CTRD_STATE=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$DEFAULT_RT" = 1 ] && [ "$DOCKER" = 0 ]; then
  echo "install.sh: --default-runtime needs --docker" >&2; exit 2
fi
# Every path install.sh writes is recorded in the manifest, whose fields uninstall.sh splits on
# whitespace; a path with whitespace, a glob character or a newline would make uninstall act on
# the wrong files, so such a path is refused before anything is done, as is a relative one
# (uninstall.sh runs from another directory).
check_path() { # option value
  case "$2" in
    /*) ;;
    *) echo "install.sh: $1 must be an absolute path (got '$2')" >&2; exit 2 ;;
  esac
  case "$2" in
    *[[:space:]]*|*[\*\?\[]*)
      echo "install.sh: $1: '$2' contains whitespace (or a newline) or a glob character; use a path without them" >&2
      exit 2 ;;
  esac
}
check_path --prefix "$PREFIX"
check_path --hooks-dir "$HOOKS_DIR"
check_path --daemon-json "$DAEMON_JSON"
check_path --docker-pidfile "$DOCKER_PIDFILE"
check_path --containerd-config "$CONTAINERD_CONFIG"
check_path --config-dir "$CONFIG_DIR"
check_path --systemd-dir "$SYSTEMD_DIR"
check_path --manifest-dir "$MANIFEST_DIR"
check_path --debug-dir "$DEBUG_DIR"
check_path --root "$ROOT"
[ -z "$BIN_SRC" ] || check_path --bin-dir "$BIN_SRC"
check_path --state-dir "$STATE_DIR"
[ -z "$CTRD_DROPIN" ] || check_path --containerd-dropin "$CTRD_DROPIN"
check_path --containerd-address "$CTRD_ADDRESS"
check_path --containerd-state "$CTRD_STATE"
if [ "$K8S" = 0 ]; then
  { [ "$ROOT" = / ] && [ "$RESTART_CTRD" = 0 ] && [ -z "$CTRD_DROPIN" ] && [ -z "$CTRD_RESTART_CMD" ] &&
    [ "$SKIP_CTRD" = 0 ]; } || {
    echo "install.sh: --root, --skip-containerd, --restart-containerd, --containerd-dropin and --containerd-restart-cmd need --kubernetes" >&2
    exit 2; }
fi
[ "$K8S" = 1 ] && [ "$DOCKER" = 1 ] && { echo "install.sh: --kubernetes and --docker do not mix" >&2; exit 2; }
[ "$K8S" = 1 ] && CONTAINERD=0
# R prefixes every path written: the node's root as this process sees it ("" when it is /).
R=${ROOT%/}
[ -d "$ROOT" ] || { echo "install.sh: --root $ROOT is not a directory" >&2; exit 2; }
[ "$DRY" = 1 ] || [ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }

BIN=$PREFIX/bin
MANIFEST=$R$MANIFEST_DIR/install-manifest
BACKUP_DIR=$R$MANIFEST_DIR/backup

say() { echo "install.sh: $*"; }
err() { echo "install.sh: $*" >&2; }
do_() { if [ "$DRY" = 1 ]; then echo "would run: $*"; else "$@"; fi; }
. "$SRC/install/lib.sh"
. "$SRC/install/lib-kubernetes.sh"
# Records one manifest line once (re-running install must not duplicate entries).
# Paths in the manifest are the node's (without --root's prefix), so uninstall.sh can run from
# the node itself or with the same --root.
record() {
  [ "$DRY" = 1 ] && return 0
  mkdir -p "$(dirname "$MANIFEST")"
  touch "$MANIFEST"
  line=""
  for word in "$@"; do line="$line${line:+ }$(np "$word")"; done
  grep -qxF "$line" "$MANIFEST" || echo "$line" >>"$MANIFEST"
}
np() { # a written path as the node sees it
  case "$1" in
    "$R"/*) [ -n "$R" ] && echo "${1#"$R"}" || echo "$1" ;;
    *) echo "$1" ;;
  esac
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# Before a file is written at $1: if something is there that no earlier run wrote (the manifest
# does not list it), copy it (mode, owner and times kept) into the manifest directory and record
# that, so uninstall.sh puts it back instead of deleting it. A re-run over our own files backs
# nothing up, and the first backup of a path is the one kept.
claim() {
  [ -e "$1" ] || [ -L "$1" ] || return 0
  grep -qxF "file $(np "$1")" "$MANIFEST" 2>/dev/null && return 0
  grep -qxF "containerd-dropin $(np "$1")" "$MANIFEST" 2>/dev/null && return 0
  grep -q "^backup $(np "$1") " "$MANIFEST" 2>/dev/null && return 0
  backup=$BACKUP_DIR/$(np "$1" | sed 's#/#%#g')
  if [ "$DRY" = 1 ]; then
    echo "would back up $1 (not written by install.sh) to $backup; uninstall.sh puts it back"
    return 0
  fi
  mkdir -p "$BACKUP_DIR"
  cp -a "$1" "$backup"
  record backup "$1" "$backup"
  say "backed up $1 (not written by install.sh) to $backup; uninstall.sh puts it back"
}
# Moves a file written beside the target into place: a container starting meanwhile execs or
# reads either the old or the new file, never a half-written one.
put_in_place() { # tmp dst
  claim "$2"
  mv -f "$1" "$2"
  record file "$2"
}

# 1. Binaries, from one Release build (install/build.sh, shared with demo.sh) unless --build-dir,
# or the prebuilt ones in --bin-dir (the Kubernetes image).
EXES="oci-netns-hook-cli oci-netns-hook oci-netns-runtime"
if [ -n "$BIN_SRC" ]; then
  EXE_DIR=$BIN_SRC
elif [ -z "$BUILD_DIR" ]; then
  BUILD_DIR=$("$SRC/install/build.sh" --dir)
  if [ "$DRY" = 1 ]; then
    echo "would build in $BUILD_DIR: install/build.sh"
  else
    say "building in $BUILD_DIR"
    "$SRC/install/build.sh"
  fi
fi
[ -n "$BIN_SRC" ] || EXE_DIR=$BUILD_DIR/hook
# The CLI first: the hook and the shim exec it for everything but their hot paths. All three are
# checked before any is installed, so a missing one leaves the installed set untouched.
BUILT=1
for exe in $EXES; do
  [ -x "$EXE_DIR/$exe" ] && continue
  BUILT=0
  [ "$DRY" = 1 ] || { echo "install.sh: $EXE_DIR/$exe not found" >&2; exit 1; }
done
if [ "$DEBUG_INFO" = 1 ] && [ "$BUILT" = 1 ]; then
  for exe in $EXES; do
    readelf -S "$EXE_DIR/$exe" | grep -q '\.debug_info' || {
      echo "install.sh: --debug-info: $EXE_DIR/$exe has no debug info (build with -g)" >&2
      exit 1; }
  done
fi
# Installed stripped (debug info is most of a static binary's size); with --debug-info the debug
# info goes to a separate file that the binary names (.gnu_debuglink), for gdb.
for exe in $EXES; do
  src=$EXE_DIR/$exe dst=$R$BIN/$exe
  if [ "$DRY" = 1 ]; then
    echo "would install $dst (stripped) from $src"
    claim "$dst"
    [ "$DEBUG_INFO" = 1 ] && echo "would install $DEBUG_DIR$dst.debug"
    continue
  fi
  mkdir -p "$R$BIN"
  if [ -n "$BIN_SRC" ]; then
    # Already stripped (the image holds nothing else); copied beside, then renamed into place.
    cp "$src" "$dst.oci-netns-tmp"
  elif [ "$DEBUG_INFO" = 1 ]; then
    dbg=$DEBUG_DIR$dst.debug
    mkdir -p "$(dirname "$dbg")"
    objcopy --only-keep-debug "$src" "$dbg.oci-netns-tmp"
    chmod 0644 "$dbg.oci-netns-tmp"
    put_in_place "$dbg.oci-netns-tmp" "$dbg"
    objcopy --strip-all --add-gnu-debuglink="$dbg" "$src" "$dst.oci-netns-tmp"
  else
    objcopy --strip-all "$src" "$dst.oci-netns-tmp"
  fi
  chmod 0755 "$dst.oci-netns-tmp"
  put_in_place "$dst.oci-netns-tmp" "$dst"
done
RUNTIME=$BIN/oci-netns-runtime
ADMIN=$R$RUNTIME
[ "$DRY" = 1 ] && ADMIN=$EXE_DIR/oci-netns-runtime

# 2. hooks.d: one file per stage (a hooks.d file holds one hook with one argv).
# Kubernetes: the same file names, matching only pod sandboxes (CRI-O's and containerd's
# container-type annotation), so app containers, which join the sandbox's namespace, run no hook.
HOOKS_SRC=$SRC/install/hooks.d
[ "$K8S" = 1 ] && HOOKS_SRC=$SRC/install/kubernetes/hooks.d
for f in "$HOOKS_SRC"/*.json; do
  dst=$R$HOOKS_DIR/$(basename "$f")
  if [ "$DRY" = 1 ]; then
    echo "would write $dst (hook.path $BIN/oci-netns-hook)"
    claim "$dst"
  else
    mkdir -p "$R$HOOKS_DIR"
    if [ "$K8S" = 1 ] && [ "$CONFIG_DIR" != /etc/oci-netns-hook ]; then
      # The hook runs with only the hook entry's environment: name the config there.
      sed "s#/usr/local/bin/oci-netns-hook#$BIN/oci-netns-hook#" "$f" |
        awk -v cfg="$CONFIG_DIR/config.json" '/^    "timeout"/ {
            print "    \"env\": [\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\", \"OCI_NETNS_HOOK_CONFIG=" cfg "\"],"
          } { print }' >"$dst.oci-netns-tmp"
    else
      sed "s#/usr/local/bin/oci-netns-hook#$BIN/oci-netns-hook#" "$f" >"$dst.oci-netns-tmp"
    fi
    chmod 0644 "$dst.oci-netns-tmp"
    put_in_place "$dst.oci-netns-tmp" "$dst"
  fi
done
case "$HOOKS_DIR" in
  /usr/share/containers/oci/hooks.d|/etc/containers/oci/hooks.d) ;;
  *) say "note: $HOOKS_DIR is not a default hooks.d directory; list it in runtime.hooks_dirs of" \
         "$CONFIG_DIR/config.json and pass --hooks-dir to podman" ;;
esac

# 3. Default config, never over an existing one (ours from an earlier run, or the operator's).
# Kubernetes: pods named <namespace>_<pod> and no sysctls (pods set securityContext.sysctls); a
# non-default --state-dir or --hooks-dir is written into it.
CFG=$R$CONFIG_DIR/config.json
if [ -e "$CFG" ]; then
  say "keeping existing $CONFIG_DIR/config.json"
  # An admin's file is never edited: say how to switch instead.
  [ "$NAMES" = 1 ] && ! grep -q '"name_template": *"{name}"' "$CFG" &&
    say "--names: set \"name_template\": \"{name}\" in $CONFIG_DIR/config.json yourself"
elif [ "$DRY" = 1 ]; then
  echo "would write $CONFIG_DIR/config.json"
else
  mkdir -p "$R$CONFIG_DIR"
  if [ "$K8S" = 1 ]; then
    hooks_dirs='"/usr/share/containers/oci/hooks.d", "/etc/containers/oci/hooks.d"'
    case "$HOOKS_DIR" in
      /usr/share/containers/oci/hooks.d|/etc/containers/oci/hooks.d) ;;
      *) hooks_dirs="\"$HOOKS_DIR\"" ;;
    esac
    sed -e "s#\"state_dir\": \"/run/oci-netns-hook\"#\"state_dir\": \"$STATE_DIR\"#" \
      -e "s#\"hooks_dirs\": \[.*\]#\"hooks_dirs\": [$hooks_dirs]#" \
      "$SRC/install/kubernetes/config.json" >"$CFG.oci-netns-tmp"
  else
    cp "$SRC/config/config.json" "$CFG.oci-netns-tmp"
  fi
  if [ "$NAMES" = 1 ]; then
    sed -i 's#"name_template": "{id}"#"name_template": "{name}"#' "$CFG.oci-netns-tmp"
  fi
  chmod 0644 "$CFG.oci-netns-tmp"
  mv -f "$CFG.oci-netns-tmp" "$CFG"
  record config "$CFG" "$(sha "$CFG")"
fi
[ "$K8S" = 1 ] && record state-dir "$STATE_DIR"

# 4. systemd units for gc, when this host runs systemd (Kubernetes: the DaemonSet runs gc).
if [ "$K8S" = 1 ]; then
  say "gc: the DaemonSet's main container runs '$BIN/oci-netns-hook gc --every 300'"
elif ls "$SRC"/install/systemd/*.service >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for unit in "$SRC"/install/systemd/*; do
    dst=$SYSTEMD_DIR/$(basename "$unit")
    if [ "$DRY" = 1 ]; then
      echo "would write $dst"
    else
      mkdir -p "$SYSTEMD_DIR"
      sed "s#/usr/local/bin/#$BIN/#g" "$unit" >"$dst.oci-netns-tmp"
      chmod 0644 "$dst.oci-netns-tmp"
      grep -qxF "unit $dst" "$MANIFEST" 2>/dev/null || claim "$dst"
      mv -f "$dst.oci-netns-tmp" "$dst"
    fi
    record "unit $dst"
  done
  do_ systemctl daemon-reload
  for timer in "$SRC"/install/systemd/*.timer; do
    [ -e "$timer" ] && do_ systemctl enable --now "$(basename "$timer")"
  done
else
  say "systemd is not running: no gc timer installed; run '$BIN/oci-netns-hook gc --every 300' under" \
      "your supervisor, or '$BIN/oci-netns-hook gc' from cron (README: gc)"
fi

# 5. Docker: merge the runtime into daemon.json (every other key kept), then reload and check
# that dockerd survived it.
if [ "$DOCKER" = 1 ]; then
  if [ "$DRY" = 1 ] && [ "$BUILT" = 0 ]; then
    echo "would add runtimes.oci-netns ($RUNTIME)$([ "$DEFAULT_RT" = 1 ] && echo ' and default-runtime') to $DAEMON_JSON"
  else
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
  fi
  reload_dockerd "$DOCKER_PIDFILE" || exit 1
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

# 7. Kubernetes: containerd's runc runtime through the shim (install/lib-kubernetes.sh).
if [ "$K8S" = 1 ] && [ "$SKIP_CTRD" = 1 ]; then
  say "containerd: not registered (--skip-containerd)"
elif [ "$K8S" = 1 ]; then
  k8s_register_containerd || exit 1
  say "CRI-O reads $HOOKS_DIR by itself: new pod sandboxes are registered"
fi

if [ "$PODMAN" = 1 ]; then
  if command -v podman >/dev/null 2>&1; then
    say "Podman reads $HOOKS_DIR natively: podman run ... registers the namespace"
  else
    say "podman is not installed; the hooks.d files are in place for when it is"
  fi
fi
say "done; verify with: ip netns list"
