// Writing sysctls inside a container's network and IPC namespaces (the plan of what to write is
// common/model/sysctl_plan.hpp), and checking that keys exist in fresh ones (`validate`).
#pragma once

#include <string>
#include <vector>

#include "common/model/sysctl_key.hpp"
#include "common/model/sysctl_plan.hpp"
#include "common/sys/netns.hpp"

namespace ocinetns {

enum class SysctlStatus {
  kApplied,
  kSkippedHostNamespace,  // the container shares the runtime's namespace: never written
  kFailed,
};

struct SysctlOutcome {
  SysctlKey key;
  std::string value;
  SysctlStatus status = SysctlStatus::kFailed;
  int err = 0;          // errno of the failed step, 0 otherwise
  std::string message;  // one line naming the key; empty for kApplied
};

// The container's namespaces, as opened with open_process_ns. A null entry is only allowed when
// no write needs that namespace.
struct SysctlTargets {
  const ProcessNs* net = nullptr;
  const ProcessNs* ipc = nullptr;
};

// Writes `writes` in order inside the target namespaces. The work happens in a forked child that
// setns(2)es into each needed namespace and writes /proc/sys/<path> only after that switch
// succeeded (and the child's /proc/thread-self/ns/<kind> shows the container's namespace); a key
// whose namespace could not be joined is reported failed and never written. Keys whose namespace
// is the runtime's own (host network or IPC) are skipped. Returns one outcome per write, in
// order. Throws std::system_error only if the child cannot be run at all.
std::vector<SysctlOutcome> apply_sysctls(const std::vector<SysctlWrite>& writes,
                                         const SysctlTargets& targets);

// What a fresh namespace has at /proc/sys/<key path>.
enum class SysctlPresence {
  kPresent,    // a sysctl file
  kMissing,    // nothing (ENOENT, or a component is a file: ENOTDIR)
  kNotAKey,    // a directory of keys
  kUnchecked,  // not known: the namespace could not be made, or stat failed otherwise (err)
};

struct SysctlProbe {
  SysctlPresence presence = SysctlPresence::kUnchecked;
  int err = 0;  // errno behind kUnchecked (EPERM: not privileged to create a namespace)
};

// Whether each key exists in a network (and, for IPC keys, IPC) namespace nobody has configured:
// the one a container starts with. A forked child unshare(2)s CLONE_NEWNET (plus CLONE_NEWIPC if
// an IPC key is asked) and stat(2)s /proc/sys/<path>; it opens nothing, so nothing on the host
// or anywhere else changes, and the namespaces end with the child. One probe per key, in order.
// Throws std::system_error only if the child cannot be run at all.
std::vector<SysctlProbe> probe_fresh_sysctls(const std::vector<SysctlKey>& keys);

}  // namespace ocinetns
