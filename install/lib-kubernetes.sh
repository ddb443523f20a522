# Shell functions for a Kubernetes node's containerd registration, shared by install.sh and
# uninstall.sh (sourced; POSIX sh that busybox runs: the DaemonSet image has nothing else).
# Callers define say(), err(), record() (install.sh), DRY, R (the node's root as this process sees
# it, "" for /), CONTAINERD_CONFIG, CTRD_DROPIN, CTRD_ADDRESS, CTRD_RESTART_CMD, CTRD_STATE, RUNTIME.
#
# containerd 1.6 merges an imported file into its config by replacing each plugin's whole section
# (measured: a drop-in holding only the runc runtime's BinaryName also reset sandbox_image, the
# snapshotter and SystemdCgroup to their defaults). So the drop-in holds the node's whole CRI
# section as `containerd config dump` prints it without our drop-in, with BinaryName set.

# Runs one of the node's commands: chrooted into the node's root when it is mounted elsewhere.
on_node() {
  if [ -z "$R" ]; then "$@"; else chroot "$R" "$@"; fi
}

k8s_containerd_bin() {
  for b in /usr/bin/containerd /usr/local/bin/containerd /usr/sbin/containerd; do
    [ -x "$R$b" ] && { echo "$b"; return 0; }
  done
  return 0
}

k8s_dropin() {
  echo "${CTRD_DROPIN:-$(dirname "$CONTAINERD_CONFIG")/conf.d/oci-netns-hook.toml}"
}

# Prints config file $1 with the entry "$2" removed from its one-line imports array (an array
# left empty stays, as `imports = []`).
k8s_without_import() {
  awk -v d="\"$2\"" '
    /^imports[[:space:]]*=/ && index($0, d) > 0 {
      i = index($0, d)
      pre = substr($0, 1, i - 1)
      post = substr($0, i + length(d))
      sub(/[[:space:]]*,[[:space:]]*$/, "", pre)
      if (pre ~ /\[[[:space:]]*$/) sub(/^[[:space:]]*,[[:space:]]*/, "", post)
      print pre post
      next
    }
    { print }' "$1"
}

# Prints config file $1 with "$2" added to its imports (appended to the array, or a new line
# after `version = 2`).
k8s_with_import() {
  awk -v d="\"$2\"" '
    /^imports[[:space:]]*=/ {
      line = $0
      if (line ~ /\[[[:space:]]*\][[:space:]]*$/) sub(/\[[[:space:]]*\]/, "[" d "]", line)
      else sub(/\][[:space:]]*$/, ", " d "]", line)
      print line
      done = 1
      next
    }
    { print }
    /^version[[:space:]]*=[[:space:]]*2/ && !done && !has { print "imports = [" d "]"; done = 1 }
    ' has="$(grep -Ec '^imports[[:space:]]*=' "$1")" "$1"
}

# Reads `containerd config dump` on stdin; prints its CRI plugin section with the runc runtime's
# BinaryName set to $1. Fails (3) if the section has no runc runtime.
k8s_cri_section() {
  awk -v bin="$1" '
    function is_cri(h) {
      return index(h, "[plugins.\"io.containerd.grpc.v1.cri\"]") == 1 ||
             index(h, "[plugins.\"io.containerd.grpc.v1.cri\".") == 1
    }
    /^[[:space:]]*\[/ {
      h = $0
      sub(/^[[:space:]]+/, "", h)
      incri = is_cri(h)
      inopts = (h == "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]")
      if (h == "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]") runc = 1
      if (incri) print
      if (inopts) { print "            BinaryName = \"" bin "\""; done = 1 }
      next
    }
    incri && inopts && /^[[:space:]]*BinaryName[[:space:]]*=/ { next }
    incri { print }
    END {
      if (!runc) exit 3
      if (!done) {
        print "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]"
        print "    BinaryName = \"" bin "\""
      }
    }'
}

# Restarts the node's containerd with CTRD_RESTART_CMD (default: systemctl, through PID 1's
# namespaces when the node's root is mounted elsewhere: the DaemonSet has hostPID), then waits up
# to 60 s until it answers at CTRD_ADDRESS.
k8s_restart_containerd() {
  cmd=$CTRD_RESTART_CMD
  if [ -z "$cmd" ]; then
    if [ -z "$R" ]; then
      cmd="systemctl restart containerd"
    else
      cmd="nsenter -t 1 -m -u -i -n -p -- systemctl restart containerd"
    fi
  fi
  if [ "$DRY" = 1 ]; then
    echo "would run: $cmd, then wait until containerd answers at $CTRD_ADDRESS"
    return 0
  fi
  say "containerd: restarting ($cmd)"
  sh -c "$cmd" || { err "containerd: '$cmd' failed; restart containerd the way this node's init does"; return 1; }
  i=0
  while [ "$i" -lt 60 ]; do
    if on_node ctr --address "$CTRD_ADDRESS" version >/dev/null 2>&1; then
      say "containerd: answers again at $CTRD_ADDRESS"
      return 0
    fi
    sleep 1
    i=$((i + 1))
  done
  err "containerd: no answer at $CTRD_ADDRESS 60 s after '$cmd'; see its log (journalctl -u containerd)"
  return 1
}

# install.sh --kubernetes: the drop-in, the imports entry, a check that containerd's effective
# config now names the shim, and a restart only when asked (RESTART_CTRD=1).
k8s_register_containerd() {
  bin=$(k8s_containerd_bin)
  if [ -z "$bin" ]; then
    say "containerd: not installed on this node; nothing to register"
    return 0
  fi
  dropin=$(k8s_dropin)
  cfg_w=$R$CONTAINERD_CONFIG dropin_w=$R$dropin
  if [ -e "$cfg_w" ]; then
    grep -Eq '^version[[:space:]]*=[[:space:]]*2' "$cfg_w" || {
      err "containerd: $CONTAINERD_CONFIG is not a version 2 config; set the CRI runc runtime's BinaryName to $RUNTIME by hand (install/containerd/oci-netns-runtime.toml)"
      return 1; }
    if grep -Eq '^imports[[:space:]]*=' "$cfg_w" && ! grep -Eq '^imports[[:space:]]*=.*\]' "$cfg_w"; then
      err "containerd: the imports array of $CONTAINERD_CONFIG spans lines; put it on one line (or add \"$dropin\" to it) and run again"
      return 1
    fi
  fi
  if [ "$DRY" = 1 ]; then
    echo "would write $dropin (the node's CRI section with the runc runtime's BinaryName = $RUNTIME)"
    echo "would add $dropin to the imports of $CONTAINERD_CONFIG"
    [ "$RESTART_CTRD" = 1 ] && k8s_restart_containerd
    return 0
  fi
  # The effective config without our drop-in, read by the node's own containerd (chrooted, so
  # the config's other imports resolve on the node). Written beside the config for that reason.
  base=$CONTAINERD_CONFIG.oci-netns-base
  mkdir -p "$(dirname "$cfg_w")"
  if [ -e "$cfg_w" ]; then k8s_without_import "$cfg_w" "$dropin" >"$R$base"; else echo "version = 2" >"$R$base"; fi
  dump=$(on_node "$bin" --config "$base" config dump 2>&1) || {
    rm -f "$R$base"
    err "containerd: '$bin --config $CONTAINERD_CONFIG config dump' failed: $dump"
    return 1; }
  rm -f "$R$base"
  section=$(echo "$dump" | k8s_cri_section "$RUNTIME") || {
    err "containerd: the config has no CRI runc runtime ([plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]); set BinaryName = \"$RUNTIME\" on the runtime you use by hand"
    return 1; }
  mkdir -p "$(dirname "$dropin_w")"
  {
    echo "# Written by oci-netns-hook's install.sh --kubernetes; uninstall.sh removes it and its imports"
    echo "# entry. containerd's imports replace a plugin's whole section, so this is the node's CRI"
    echo "# section as 'containerd config dump' printed it at install, with the runc runtime's"
    echo "# BinaryName set to oci-netns-runtime: change CRI settings here, or in $CONTAINERD_CONFIG"
    echo "# and run install.sh --kubernetes again."
    echo "version = 2"
    echo
    echo "$section"
  } >"$dropin_w.oci-netns-tmp"
  chmod 0644 "$dropin_w.oci-netns-tmp"
  claim "$dropin_w"
  mv -f "$dropin_w.oci-netns-tmp" "$dropin_w"
  record containerd-dropin "$dropin_w"
  mode=""
  if [ ! -e "$cfg_w" ]; then
    printf 'version = 2\nimports = ["%s"]\n' "$dropin" >"$cfg_w.oci-netns-tmp"
    mode=created
  elif ! grep -E '^imports[[:space:]]*=' "$cfg_w" | grep -qF "\"$dropin\""; then
    grep -Eq '^imports[[:space:]]*=' "$cfg_w" && mode=entry || mode=line
    k8s_with_import "$cfg_w" "$dropin" >"$cfg_w.oci-netns-tmp"
    # Same owner and mode as the operator's file.
    chmod "$(stat -c %a "$cfg_w")" "$cfg_w.oci-netns-tmp" 2>/dev/null || true
  fi
  if [ -n "$mode" ]; then
    mv -f "$cfg_w.oci-netns-tmp" "$cfg_w"
    record containerd-import "$cfg_w" "$dropin" "$mode"
    say "containerd: added $dropin to the imports of $CONTAINERD_CONFIG"
  fi
  check=$(on_node "$bin" --config "$CONTAINERD_CONFIG" config dump 2>&1) || {
    err "containerd: its config no longer loads after the change: $check"; return 1; }
  echo "$check" | grep -qF "BinaryName = \"$RUNTIME\"" || {
    err "containerd: the effective config does not name $RUNTIME after the change; see $dropin"
    return 1; }
  record containerd-runtime "$CTRD_STATE" "$RUNTIME"
  if [ "$RESTART_CTRD" = 1 ]; then
    k8s_restart_containerd || return 1
  else
    say "containerd: registered in $dropin; new pods use it after containerd restarts" \
        "(--restart-containerd restarts it now)"
  fi
}

# Whether the hook still holds records in state directory $1: pods registered through the
# binaries whose poststop hook (in their spec since they were created) has not run yet.
k8s_registered_pods() {
  find "$R$1/containers" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l
}

# The containers containerd created through runtime $2 (state directory $1): the runc shim keeps
# each container's BinaryName in its bundle's options.json and runs it for kill and delete.
k8s_shim_users() {
  grep -lF "\"$2\"" "$R$1"/io.containerd.runtime.v2.task/*/*/options.json 2>/dev/null |
    sed 's#/options.json$##; s#.*/##' || true
}
