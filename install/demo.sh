#!/bin/sh
# Demo: installs deps, builds, then
#  1. Docker: starts a private dockerd (own config, socket, data and exec roots, in its own network
#     namespace, so the host's dockerd and network are untouched), registers oci-netns-runtime in
#     its daemon.json the way install.sh does, runs a busybox container through it, shows it in
#     `ip netns list` and `oci-netns-hook list`, removes it and the registration, shows it gone;
#  2. runc: a busybox container with the hook in its config.json, wired with a veth.
# Everything it makes lives under a temporary directory and is removed on exit.
set -eu
umask 022  # the hook trusts only a config that is not group/world-writable
cd "$(dirname "$0")/.."
ROOT=$(pwd)

./install/deps.sh
# The same build as install.sh's (one tree, built once).
./install/build.sh
BIN_DIR="$(./install/build.sh --dir)/hook"
HOOK="$BIN_DIR/oci-netns-hook"

WORK=$(mktemp -d /tmp/oci-netns-demo.XXXXXX)
ID="demo-$$"
RUNC_ROOT="$WORK/runc-root"
VETH_HOST="odh$$"
VETH_CONT="odc$$"

DOCKER="/usr/bin/docker -H unix://$WORK/docker/docker.sock"
DOCKERD_PID=""

cleanup() {
  if [ -n "$DOCKERD_PID" ]; then
    $DOCKER rm -f web >/dev/null 2>&1 || true
    kill "$DOCKERD_PID" 2>/dev/null || true
    i=0
    while kill -0 "$DOCKERD_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  fi
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

step "Docker: a private dockerd, and the hook's config and hooks.d for it"
D=$WORK/docker
mkdir -p "$D/hooks.d" "$D/state"
# The shim reads its hooks from this hooks.d; the hook keeps its records in a private state_dir.
# References go to the real /run/netns, where `ip netns` looks. dockerd passes
# OCI_NETNS_HOOK_CONFIG down to the shim it runs.
cat >"$D/config.json" <<JSON
{ "state_dir": "$D/state", "runtime": { "hooks_dirs": ["$D/hooks.d"] } }
JSON
for stage in createRuntime poststop; do
  cat >"$D/hooks.d/oci-netns-hook-$stage.json" <<JSON
{ "version": "1.0.0",
  "hook": { "path": "$HOOK", "args": ["oci-netns-hook", "$stage"],
            "env": ["OCI_NETNS_HOOK_CONFIG=$D/config.json"], "timeout": 10 },
  "when": { "always": true }, "stages": ["$stage"] }
JSON
done
# deprecated-key-path: dockerd 20.10 would otherwise write /etc/docker/key.json on the host.
printf '{ "iptables": false, "deprecated-key-path": "%s" }\n' "$D/key.json" >"$D/daemon.json"
OCI_NETNS_HOOK_CONFIG="$D/config.json" \
  unshare --net sh -c 'ip link set lo up && exec "$@"' dockerd /usr/sbin/dockerd \
  --config-file "$D/daemon.json" --data-root "$D/data" --exec-root "$D/exec" \
  --pidfile "$D/docker.pid" -H "unix://$D/docker.sock" >"$D/dockerd.log" 2>&1 &
DOCKERD_PID=$!
i=0
until $DOCKER version >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 300 ] || ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
    tail -n 20 "$D/dockerd.log"; echo "FAIL: dockerd did not start"; exit 1
  fi
  sleep 0.2
done
tar -C "$WORK/bundle/rootfs" -cf "$D/busybox.tar" .
$DOCKER import "$D/busybox.tar" oci-netns-demo-busybox >/dev/null

step "Docker: register oci-netns-runtime in its daemon.json (as install.sh --docker does) and reload"
"$BIN_DIR/oci-netns-runtime" --oci-netns-admin docker-register --file "$D/daemon.json" \
  --name oci-netns --path "$BIN_DIR/oci-netns-runtime" >/dev/null
cat "$D/daemon.json"; echo
kill -HUP "$DOCKERD_PID"
i=0
until $DOCKER info --format '{{json .Runtimes}}' 2>/dev/null | grep -q oci-netns; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "FAIL: dockerd did not load the runtime"; exit 1; }
  sleep 0.1
done

step "docker run -d --runtime oci-netns --name web busybox sleep 3600"
$DOCKER run -d --runtime oci-netns --name web oci-netns-demo-busybox sleep 3600
CID=$($DOCKER inspect -f '{{.Id}}' web)

step "ip netns list"
ip netns list
ip netns list | grep -q "^$CID" || { echo "FAIL: $CID is not in ip netns list"; exit 1; }

step "oci-netns-hook list (run in dockerd's network namespace, where docker0 and the veths are)"
nsenter --net="/proc/$DOCKERD_PID/ns/net" env OCI_NETNS_HOOK_CONFIG="$D/config.json" \
  "$BIN_DIR/oci-netns-hook" list

step "ip netns exec <id> ip -o -4 addr: the container's eth0"
ip netns exec "$CID" ip -o -4 addr

step "docker rm -f web (poststop removes the reference), then the registration"
$DOCKER rm -f web >/dev/null
"$BIN_DIR/oci-netns-runtime" --oci-netns-admin docker-unregister --file "$D/daemon.json" \
  --name oci-netns >/dev/null
cat "$D/daemon.json"; echo
kill -HUP "$DOCKERD_PID"
sleep 0.5
$DOCKER info >/dev/null || { echo "FAIL: dockerd does not answer after unregistering"; exit 1; }
echo "dockerd still answers"

step "ip netns list (gone)"
ip netns list
if [ -e "/run/netns/$CID" ]; then echo "FAIL: /run/netns/$CID still exists"; exit 1; fi
echo "OK: the Docker container's reference is gone"

step "runc: writing config.json with the hook registered at createRuntime and poststop"
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
