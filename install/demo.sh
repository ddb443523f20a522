#!/bin/sh
# Demo: installs deps, builds, and runs a busybox container under runc with oci-netns-hook
# registered in its config.json; shows it in `ip netns list`, runs `ip netns exec`, deletes it,
# and shows the reference gone. Everything it makes lives under a temporary directory.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)

./install/deps.sh
# The same build as install.sh's (one tree, built once).
./install/build.sh
HOOK="$(./install/build.sh --dir)/hook/oci-netns-hook"

WORK=$(mktemp -d /tmp/oci-netns-demo.XXXXXX)
ID="demo-$$"
RUNC_ROOT="$WORK/runc-root"
VETH_HOST="odh$$"
VETH_CONT="odc$$"

cleanup() {
  runc --root "$RUNC_ROOT" delete --force "$ID" >/dev/null 2>&1 || true
  ip link del "$VETH_HOST" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "building a busybox rootfs from busybox-static"
mkdir -p "$WORK/bundle/rootfs"
cd "$WORK/bundle/rootfs"
mkdir -p bin proc sys dev tmp etc
cp /bin/busybox bin/busybox
for applet in $(/bin/busybox --list); do [ -e "bin/$applet" ] || ln -s busybox "bin/$applet"; done
cd "$ROOT"

step "writing config.json with the hook registered at createRuntime and poststop"
cat > "$WORK/bundle/config.json" <<JSON
{
  "ociVersion": "1.0.2-dev",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["sleep", "3600"],
    "env": ["PATH=/bin"], "cwd": "/",
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}], "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "demo",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "hooks": {
    "createRuntime": [{"path": "$HOOK", "args": ["oci-netns-hook", "createRuntime"], "timeout": 10}],
    "poststop": [{"path": "$HOOK", "args": ["oci-netns-hook", "poststop"], "timeout": 10}]
  },
  "linux": {
    "resources": {"devices": [{"allow": false, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}],
    "maskedPaths": ["/proc/kcore", "/sys/firmware"],
    "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"]
  }
}
JSON

step "runc run -d $ID"
runc --root "$RUNC_ROOT" run -d --bundle "$WORK/bundle" "$ID" </dev/null >"$WORK/out" 2>"$WORK/err" || {
  cat "$WORK/err"; exit 1; }
cat "$WORK/err"
PID=$(runc --root "$RUNC_ROOT" state "$ID" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
echo "container init pid: $PID"

step "ip netns list"
ip netns list

step "the reference is the container's namespace (same inode)"
echo "/run/netns/$ID inode: $(stat -L -c %i "/run/netns/$ID")   /proc/$PID/ns/net inode: $(stat -L -c %i "/proc/$PID/ns/net")"

step "wiring a veth into it with ip netns (addresses only inside this demo's namespaces)"
ip link add "$VETH_HOST" type veth peer name "$VETH_CONT"
ip link set "$VETH_CONT" netns "$ID"
ip netns exec "$ID" ip addr add 10.213.0.2/30 dev "$VETH_CONT"
ip netns exec "$ID" ip link set "$VETH_CONT" up

step "ip netns exec $ID ip addr"
ip netns exec "$ID" ip addr

step "runc delete (poststop removes the reference)"
runc --root "$RUNC_ROOT" kill "$ID" KILL
sleep 0.5
runc --root "$RUNC_ROOT" delete "$ID"

step "ip netns list (gone)"
ip netns list
if [ -e "/run/netns/$ID" ]; then echo "FAIL: /run/netns/$ID still exists"; exit 1; fi
if grep -q " /run/netns/$ID " /proc/self/mountinfo; then echo "FAIL: still mounted"; exit 1; fi
echo "OK: /run/netns/$ID, its mount and its record are gone"
