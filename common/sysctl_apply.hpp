// Sysctls for one container: the pure plan (config values, then allowed annotation values) and the
// system layer that writes them inside the container's network and IPC namespaces.
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

}  // namespace ocinetns
