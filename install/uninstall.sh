#!/bin/sh
# Reverses exactly what install.sh recorded in its manifest. Engines are unregistered first
# (daemon.json entry removed and dockerd reloaded) so no engine is left pointing at a binary
# that is about to disappear; binaries go last. A file install.sh backed up because it replaced
# something it had not written is put back instead of deleted. A Kubernetes node's registration
# (install.sh --kubernetes) is undone the same way: containerd's imports entry and drop-in first,
# then the hooks.d files; the binaries stay while containerd may still run them.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
MANIFEST_DIR=/var/lib/oci-netns-hook
FORCE=0 DRY=0 ROOT=/ RESTART_CTRD=0 CTRD_RESTART_CMD="" CTRD_ADDRESS=/run/containerd/containerd.sock
while [ $# -gt 0 ]; do
  case "$1" in
    --manifest-dir) MANIFEST_DIR=$2; shift ;;
    --root) ROOT=$2; shift ;;
    --restart-containerd) RESTART_CTRD=1 ;;
    --containerd-restart-cmd) CTRD_RESTART_CMD=$2; shift ;;
    --containerd-address) CTRD_ADDRESS=$2; shift ;;
    --force) FORCE=1 ;;
    --dry-run) DRY=1 ;;
    -h|--help)
      echo "usage: uninstall.sh [--manifest-dir DIR] [--force] [--dry-run] [--root DIR]"
      echo "                    [--restart-containerd] [--containerd-restart-cmd CMD] [--containerd-address S]"
      echo "  refuses while any Docker container, running or stopped, names the runtime"
      echo "  (DOCKER_HOST selects the dockerd to ask); --force: uninstall anyway"
      echo "  --root DIR: the node's root is mounted at DIR (as for install.sh --kubernetes)"
      echo "  a containerd registration: its drop-in and imports entry are removed; the binaries stay"
      echo "  until containerd has restarted (--restart-containerd) and no container runs through them"
      exit 0 ;;
    *) echo "uninstall.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
R=${ROOT%/}
MANIFEST=$R$MANIFEST_DIR/install-manifest
[ -r "$MANIFEST" ] || { echo "uninstall.sh: no manifest at $MANIFEST: nothing to undo" >&2; exit 1; }
[ "$DRY" = 1 ] || [ "$(id -u)" = 0 ] || { echo "uninstall.sh: run as root" >&2; exit 1; }

say() { echo "uninstall.sh: $*"; }
err() { echo "uninstall.sh: $*" >&2; }
do_() { if [ "$DRY" = 1 ]; then echo "would run: $*"; else "$@"; fi; }
. "$SRC/install/lib.sh"
. "$SRC/install/lib-kubernetes.sh"
entries() { grep "^$1 " "$MANIFEST" | cut -d' ' -f2- || true; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
RUNTIME=$(entries file | grep '/oci-netns-runtime$' | head -n1)
[ -z "$RUNTIME" ] || RUNTIME=$R$RUNTIME
FAILED=0
KEEP_BINARIES=0

# Puts back what install.sh backed up at $1, or removes $1 if it backed nothing up there.
restore_or_remove() {
  backup=$(grep "^backup $1 " "$MANIFEST" | head -n1 | cut -d' ' -f3- || true)
  if [ -n "$backup" ] && [ -e "$R$backup" ]; then
    do_ cp -a "$R$backup" "$R$1.oci-netns-tmp"
    do_ mv -f "$R$1.oci-netns-tmp" "$R$1"
    do_ rm -f "$R$backup"
    say "restored $1 as it was before install"
  else
    do_ rm -f "$R$1"
  fi
}

# Lists "name status" of every container, running or stopped, whose runtime is $1. Containers
# created without --runtime record the default runtime of their creation time, so this covers
# --default-runtime too. A stopped one can never start again once the runtime is unregistered.
docker_users() {
  ids=$(docker ps -aq --no-trunc) || return 1
  [ -z "$ids" ] && return 0
  # shellcheck disable=SC2086
  docker inspect -f '{{.Name}} {{.HostConfig.Runtime}} {{.State.Status}}' $ids |
    awk -v n="$1" '$2 == n {sub("^/", "", $1); print $1 " (" $3 ")"}'
}

# 1. Docker. Containers created under the shim call it again for kill/delete/start (containerd
# keeps the binary path; dockerd resolves the runtime name at every start), so refuse while any
# exists unless --force.
docker_entries=$(entries docker-runtime)
while read -r daemon_json name pidfile prev; do
  [ -n "${daemon_json:-}" ] || continue
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && dockerd_alive "$pid"; then
    if ! command -v docker >/dev/null 2>&1 || ! users=$(docker_users "$name"); then
      if [ "$FORCE" = 0 ]; then
        echo "uninstall.sh: dockerd ($pid) runs but its containers cannot be listed (no docker" \
             "client, or set DOCKER_HOST); pass --force to uninstall without checking" >&2
        exit 1
      fi
      users=""
    fi
    if [ -n "$users" ]; then
      echo "uninstall.sh: containers still use runtime $name:" >&2
      echo "$users" | sed 's/^/  /' >&2
      if [ "$FORCE" = 0 ]; then
        echo "uninstall.sh: remove them first (docker rm -f NAME), or pass --force" >&2
        exit 1
      fi
      echo "uninstall.sh: --force: running ones cannot be stopped or exec'd into cleanly" \
           "(the shim is gone); stopped ones cannot start again (Unknown runtime $name)" >&2
    fi
  elif [ "$FORCE" = 0 ]; then
    # Its containers cannot be listed, and a stopped one created under our runtime could never
    # start again once the runtime is gone (dockerd resolves the name at every start).
    echo "uninstall.sh: dockerd (pidfile $pidfile) is not running, so its containers cannot be" \
         "checked for runtime $name: start dockerd and run uninstall.sh again, or pass --force" >&2
    exit 1
  else
    say "--force: dockerd is not running: containers created under $name will not start again"
  fi
  [ "$prev" = "-" ] && prev=""
  set -- --file "$daemon_json" --name "$name" --restore-default "$prev"
  [ "$DRY" = 1 ] && set -- "$@" --dry-run
  # The admin verbs run in oci-netns-hook-cli, which the shim execs from its own directory.
  if [ -x "$RUNTIME" ] && [ -x "$(dirname "$RUNTIME")/oci-netns-hook-cli" ]; then
    out=$("$RUNTIME" --oci-netns-admin docker-unregister "$@")
    [ "$DRY" = 1 ] && echo "$out"
    default=$(echo "$out" | sed -n 's/^default=//p')
    say "removed runtimes.$name from $daemon_json${default:+; default-runtime is $default}"
  else
    echo "uninstall.sh: $RUNTIME or the oci-netns-hook-cli beside it is missing; remove runtimes.$name from $daemon_json by hand" >&2
    exit 1
  fi
  reload_dockerd "$pidfile" || FAILED=1
done <<ENTRIES
$docker_entries
ENTRIES

# 2. containerd: the config install wrote is removed only if nobody changed it since.
entries containerd-config | while read -r path sum; do
  if [ -e "$path" ] && [ "$(sha "$path")" = "$sum" ]; then
    do_ rm -f "$path"
    say "removed $path; restart containerd"
  elif [ -e "$path" ]; then
    say "$path was edited since install: remove its oci-netns-runtime BinaryName by hand"
  fi
done

# 2b. containerd on a Kubernetes node: the imports entry, then the drop-in. containerd keeps
# the BinaryName it read until it restarts, and each container's runc shim keeps it for that
# container's life (options.json in its bundle), so the binaries stay until both are over.
ctrd_changed=0
while read -r cfg dropin mode; do
  [ -n "${cfg:-}" ] || continue
  if [ ! -e "$R$cfg" ]; then
    :
  elif [ "$mode" = created ] && [ "$(cat "$R$cfg")" = "$(printf 'version = 2\nimports = ["%s"]' "$dropin")" ]; then
    do_ rm -f "$R$cfg"
  elif [ "$DRY" = 1 ]; then
    echo "would remove \"$dropin\" from the imports of $cfg"
  else
    k8s_without_import "$R$cfg" "$dropin" >"$R$cfg.oci-netns-tmp"
    # A line install.sh added, now empty, goes too.
    if [ "$mode" = line ]; then
      grep -Ev '^imports[[:space:]]*=[[:space:]]*\[[[:space:]]*\][[:space:]]*$' "$R$cfg.oci-netns-tmp" \
        >"$R$cfg.oci-netns-tmp2" || true
      mv -f "$R$cfg.oci-netns-tmp2" "$R$cfg.oci-netns-tmp"
    fi
    chmod "$(stat -c %a "$R$cfg")" "$R$cfg.oci-netns-tmp" 2>/dev/null || true
    mv -f "$R$cfg.oci-netns-tmp" "$R$cfg"
  fi
  say "containerd: removed $dropin from the imports of $cfg"
  ctrd_changed=1
done <<ENTRIES
$(entries containerd-import)
ENTRIES
for d in $(entries containerd-dropin); do
  restore_or_remove "$d"
  ctrd_changed=1
done
if [ "$ctrd_changed" = 1 ]; then
  if [ "$RESTART_CTRD" = 1 ]; then
    k8s_restart_containerd || FAILED=1
  else
    KEEP_BINARIES=1
    say "containerd runs new pods through the shim until it restarts: the binaries stay; restart" \
        "containerd (or pass --restart-containerd), then run uninstall.sh again to remove them"
  fi
fi
if [ "$KEEP_BINARIES" = 0 ]; then
  while read -r state rt; do
    [ -n "${state:-}" ] || continue
    users=$(k8s_shim_users "$state" "$rt")
    [ -z "$users" ] && continue
    if [ "$FORCE" = 1 ]; then
      say "--force: $(echo "$users" | wc -l) containers still run through $rt; they cannot be stopped cleanly"
    else
      KEEP_BINARIES=1
      say "$(echo "$users" | wc -l) containers still run through $rt (containerd keeps its BinaryName" \
          "for each until it is removed): the binaries stay; run uninstall.sh again once those pods are gone"
    fi
  done <<ENTRIES
$(entries containerd-runtime)
ENTRIES
fi
if [ "$KEEP_BINARIES" = 0 ]; then
  for state in $(entries state-dir); do
    n=$(k8s_registered_pods "$state")
    [ "$n" = 0 ] && continue
    if [ "$FORCE" = 1 ]; then
      say "--force: $n pods registered in $state will run a missing poststop hook"
    else
      KEEP_BINARIES=1
      say "$n pods registered in $state still have our poststop hook in their spec: the binaries" \
          "stay; run uninstall.sh again once those pods are gone"
    fi
  done
fi

# 3. systemd units.
units=$(entries unit)
if [ -n "$units" ]; then
  for u in $units; do
    command -v systemctl >/dev/null 2>&1 && do_ systemctl disable --now "$(basename "$u")" 2>/dev/null || true
    restore_or_remove "$u"
  done
  command -v systemctl >/dev/null 2>&1 && do_ systemctl daemon-reload || true
fi

# 4. hooks.d files before the binaries they name, then the binaries (and their debug info).
for f in $(entries file | grep '\.json$'); do restore_or_remove "$f"; done
if [ "$KEEP_BINARIES" = 1 ]; then
  # Everything but the binaries (and the config they read) is undone: keep only their entries.
  if [ "$DRY" = 0 ]; then
    grep -E '^(file|backup|config|containerd-runtime|state-dir) ' "$MANIFEST" | grep -v '\.json$' \
      >"$MANIFEST.oci-netns-tmp" || true
    mv -f "$MANIFEST.oci-netns-tmp" "$MANIFEST"
  fi
  say "done, binaries kept (see above)"
  exit "$FAILED"
fi
for f in $(entries file | grep -v '\.json$'); do restore_or_remove "$f"; done

# 5. The config, only if it is still the one install wrote.
entries config | while read -r path sum; do
  if [ -e "$R$path" ] && [ "$(sha "$R$path")" = "$sum" ]; then
    do_ rm -f "$R$path"
    do_ rmdir "$R$(dirname "$path")" 2>/dev/null || true
  elif [ -e "$R$path" ]; then
    say "keeping $path: it was edited since install"
  fi
done

do_ rm -f "$MANIFEST"
[ "$DRY" = 1 ] || rmdir "$R$MANIFEST_DIR/backup" 2>/dev/null || true
if [ "$FAILED" = 1 ]; then
  echo "uninstall.sh: done, but a daemon did not come back after its reload or restart (see above)" >&2
  exit 1
fi
say "done"
