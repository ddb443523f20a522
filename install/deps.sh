#!/bin/sh
# Installs the build and test dependencies from Debian's packages. Idempotent: packages already
# present are left alone, and apt is only called when something is missing.
set -eu

BUILD_PKGS="cmake g++ make pkg-config nlohmann-json3-dev libspdlog-dev libfmt-dev libseccomp-dev
libgtest-dev libgmock-dev libcli11-dev libre2-dev help2man"
TEST_PKGS="runc busybox-static iproute2 docker.io podman containerd uidmap bridge-utils
clang libclang-rt-14-dev procps psmisc util-linux lintian
libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc containernetworking-plugins
python3-yaml"

missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  echo "deps.sh: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends keeps crun out: podman would default to it, and crun fails on hosts
  # with hybrid cgroups (cgroup v1 plus a cgroup2 "unified" mount, as Debian 12 test machines
  # have). Tests pass --runtime runc anyway.
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "deps.sh: all dependencies present"
fi
