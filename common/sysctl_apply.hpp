// Sysctls for one container: the pure plan (config values, then allowed annotation values) and the
// system layers that write them inside the container's network and IPC namespaces, and that
// check keys exist in fresh ones (`validate`).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/netns.hpp"
#include "common/sysctl_key.hpp"

namespace ocinetns {

enum class SysctlSource { kConfig, kAnnotation };

struct SysctlWrite {
  SysctlKey key;
  std::string value;
  SysctlSource source = SysctlSource::kConfig;
};

// An `oci-netns-hook.sysctl/<key>` annotation that is not applied, and why (one line).
struct RefusedSysctl {
  std::string annotation;  // printable form of the annotation key
  std::string reason;
};

struct SysctlPlan {
  std::vector<SysctlWrite> writes;  // in the order they are written
  std::vector<RefusedSysctl> refused;
  [[nodiscard]] bool needs(SysctlNamespace ns) const;
};

// The config's settings (in file order) come first. Then each annotation named
// `oci-netns-hook.sysctl/<key>` (in annotation-key order: OCI annotations are an unordered map)
// whose key normalises, whose value is valid and which `allowlist` allows. An allowed annotation
// for a key the config also sets replaces the config's write, so each key is written once and the
// container's own value is the one that stays. Two annotations that name the same key are
// refused (the first spelling is kept). Pure: no I/O.
SysctlPlan plan_sysctls(const std::vector<SysctlSetting>& config,
                        const std::vector<SysctlPattern>& allowlist,
                        const std::map<std::string, std::string>& annotations);

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
