// Entering a container's network namespace through its reference and running a command there,
// the way `ip netns exec` does (syscalls).
#pragma once

#include <string>
#include <vector>

#include "common/base/unique_fd.hpp"

namespace ocinetns {

// Opens `name` in `dir_fd` as a readable network namespace fd, without following symlinks or
// opening a FIFO: O_PATH first, then reopen through /proc/self/fd once statfs says nsfs. Returns
// an invalid fd if the entry is absent or is not a network namespace (`why` says which).
UniqueFd open_netns_entry(int dir_fd, const std::string& name, std::string& why);

// iproute2's netns_switch (ip/ipnetns.c): setns(CLONE_NEWNET) into `netns_fd`, then a mount
// namespace of our own (unshare(CLONE_NEWNS)) in which / is made rslave, so nothing we mount
// propagates back to the host, and /sys is detached and mounted again (sysfs shows the network
// devices of the namespace of the process that mounts it, so /sys/class/net lists the
// container's interfaces). `name` is the sysfs mount's source, as iproute2 uses the netns name.
// Throws std::system_error naming the step that failed; the caller's process is changed for
// good, so it only execs or exits after.
void enter_netns_like_ip_netns(int netns_fd, const std::string& name);

// execvp(3) `argv`; returns only on failure, with errno from execvp.
void exec_command(const std::vector<std::string>& argv);

}  // namespace ocinetns
