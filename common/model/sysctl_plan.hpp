// The sysctls for one container: the config's values, then allowed annotation values, each key
// written once (pure: no I/O; common/sys/sysctl_apply.hpp writes them).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/model/sysctl_key.hpp"

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

}  // namespace ocinetns
